"""Dataset selection's rules, through its services over a real database: the profiles' [selection]
tables, the anonymised search log, the assessment's score and suggestion, the Commission's quorum and
conflicts, the list's versions and their difference, compliance statuses on fixed days, the trend, and
the reminders of due dates (each sent once)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from derek.catalog import search_log
from derek.catalog import service as catalog
from derek.catalog.models import Dataset, SearchLogEntry
from derek.catalog.schemas import DatasetCreate, OrganizationCreate
from derek.config import load_profile
from derek.core import accounts, demand, mail
from derek.core.authz import ANONYMOUS, SYSTEM, Actor
from derek.core.db import Database
from derek.core.errors import Conflict, Forbidden, Invalid, NotFound
from derek.core.storage import FileStore
from derek.selection import commission_service as commission
from derek.selection import list_service as lists
from derek.selection import notify
from derek.selection import service as selection
from derek.selection.rules import rules_for
from tests.conftest import PASSWORD, fresh_database_url

PROFILE = load_profile("kz")


def _database(folder: Path) -> Iterator[Database]:
    """A migrated database with the Commission (three members and its secretary), the list owner's editor,
    and two organizations with an editor each."""
    database = Database(fresh_database_url(folder))
    database.upgrade()
    with database.session() as s:
        for name in ("access-commission", "ministry-of-digital-development", "akimat-a", "akimat-b"):
            catalog.create_organization(s, SYSTEM, OrganizationCreate(name=name, title={"en": name}))
    for name, org, role in [
        ("member-a", "access-commission", "member"),
        ("member-b", "access-commission", "member"),
        ("member-c", "access-commission", "member"),
        ("secretary", "access-commission", "admin"),
        ("list-owner", "ministry-of-digital-development", "editor"),
        ("official-a", "akimat-a", "editor"),
        ("official-b", "akimat-b", "editor"),
    ]:
        with database.session() as s:
            user = accounts.create_user(s, SYSTEM, name, f"{name}@example.org", PASSWORD)
            accounts.set_membership(s, SYSTEM, user, catalog.organization_id_of(s, org) or "", role)
    yield database
    database.engine.dispose()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from _database(tmp_path_factory.mktemp("selection"))


@pytest.fixture
def own_db(tmp_path: Path) -> Iterator[Database]:
    """A database of the test's own: the list in force is the one it approves, whatever ran before."""
    yield from _database(tmp_path)


def actor(db: Database, name: str) -> Actor:
    with db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


# ---------------------------------------------------------------- profiles


@pytest.mark.parametrize("code", ["kz", "ee", "ca", "eu"])
def test_every_profile_names_its_commission_and_weights(code: str) -> None:
    rules = rules_for(load_profile(code))
    assert rules.commission and rules.list_owner and rules.code_prefix
    assert set(rules.weights) >= {"support", "request", "search", "consultation"}
    raw = load_profile(code).raw["selection"]
    assert rules.commission == raw["commission"] and rules.code_prefix == raw["code_prefix"]
    assert set(rules.remind_days) == set(raw.get("remind_days", ())) and all(d > 0 for d in rules.remind_days)
    assert all(rules.act.get(lang) for lang in load_profile(code).languages[:1])  # named in the main language


def test_a_code_prefix_that_would_break_the_codes_is_refused() -> None:
    broken = replace(PROFILE, raw={**PROFILE.raw, "selection": {"code_prefix": "OD-KZ"}})
    with pytest.raises(ValueError, match="code_prefix"):
        rules_for(broken)


def test_an_unknown_key_in_the_selection_table_is_refused() -> None:
    broken = replace(PROFILE, raw={**PROFILE.raw, "selection": {"commision": "typo"}})
    with pytest.raises(ValueError, match="unknown keys in \\[selection\\]: commision"):
        rules_for(broken)


def test_thresholds_must_rise() -> None:
    broken = replace(PROFILE, raw={**PROFILE.raw, "selection": {"thresholds": [5, 1, 9]}})
    with pytest.raises(ValueError, match="three rising numbers"):
        rules_for(broken)


# ---------------------------------------------------------------- the search log


@pytest.mark.parametrize(
    ("typed", "logged"),
    [
        ("  Bus   Timetables ", "bus timetables"),
        ("«тарифы»", "тарифы"),
        ("900101300126", None),  # an IIN
        ("who is 900101 300126", None),  # split digits
        ("a.person@mail.kz", None),
        ("x", None),
    ],
)
def test_the_search_log_keeps_words_but_no_identifiers(typed: str, logged: str | None) -> None:
    assert search_log.normalise(typed) == logged


def test_searches_count_per_day_and_only_little_ones_are_evidence(db: Database) -> None:
    day = date(2026, 5, 4)
    with db.session() as s:
        for _ in range(3):
            catalog.record_search(s, "Parking fines", 0, day)
        catalog.record_search(s, "parking fines", 0, date(2026, 5, 5))
        catalog.record_search(s, "school results", 40, day)  # found plenty
    with db.session() as s:
        rows = s.scalars(select(SearchLogEntry).where(SearchLogEntry.query == "parking fines")).all()
        assert sorted((r.day, r.searches) for r in rows) == [(day, 3), (date(2026, 5, 5), 1)]
        found = catalog.searches_about(s, ["fines for parking"], date(2026, 5, 6))
        assert [(f.query, f.searches, f.hits) for f in found] == [("parking fines", 4, 0)]
        assert catalog.searches_about(s, ["school results"], date(2026, 5, 6)) == []
        # a year later the searches no longer count
        assert catalog.searches_about(s, ["parking fines"], date(2027, 5, 6)) == []


def test_a_keyword_matches_whole_stems_of_a_search(db: Database) -> None:
    day = date(2026, 4, 2)
    with db.session() as s:
        catalog.record_search(s, "taxi fares", 0, day)
        catalog.record_search(s, "tax returns of companies", 0, day)
    with db.session() as s:
        found = catalog.searches_about(s, ["tax"], date(2026, 4, 3))
    assert [f.query for f in found] == ["tax returns of companies"]  # "tax" is not the stem of "taxi"


def test_a_search_is_judged_by_its_latest_day_however_many_are_logged(db: Database) -> None:
    """Each search's own latest day decides (found little then, or not), read in one statement: a log of
    more searches than a statement takes parameters (SQLite's 250,000 here, PostgreSQL's 65,535) answers."""
    old = date(2001, 3, 1)  # far from the other tests' days and their one-year windows
    with db.session() as s:
        catalog.record_search(s, "wind farms", 0, date(2001, 2, 1))
        catalog.record_search(s, "wind farms", 7, old)  # the catalog meets it now
        catalog.record_search(s, "solar farms", 9, date(2001, 2, 1))
        catalog.record_search(s, "solar farms", 1, old)  # it found plenty once, little lately
        # the volume in one statement (a quarter of a million searches through the service would take long)
        s.execute(
            text(
                "INSERT INTO search_log (day, query, searches, hits) "
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 250000) "
                "SELECT :day, 'topic ' || i, 1, 0 FROM n"
            ),
            {"day": date(2001, 2, 10)},
        )
    try:
        with db.session() as s:
            top = catalog.unmet_searches(s, old, limit=2)  # the most searched first
            assert [(t.query, t.searches, t.hits) for t in top] == [("solar farms", 2, 1), ("topic 0", 1, 0)]
            assert [f.query for f in catalog.searches_about(s, ["farms"], old)] == ["solar farms"]
    finally:
        with db.session() as s:
            s.execute(delete(SearchLogEntry).where(SearchLogEntry.day < date(2002, 1, 1)))


# ---------------------------------------------------------------- the assessment


@pytest.mark.parametrize(
    ("criteria", "score", "suggested"),
    [
        ({"restriction": 3, "demand": 3, "readiness": 3, "not_machine_readable": 3}, 100, "include"),
        ({"restriction": 3, "demand": 2, "readiness": 1, "not_machine_readable": 0}, 50, "include"),
        ({"restriction": 3, "demand": 1, "readiness": 1, "not_machine_readable": 0}, 42, "defer"),
        ({"restriction": 0, "demand": 3, "readiness": 3, "not_machine_readable": 3}, 75, "exclude"),
    ],
)
def test_the_score_and_the_suggestion(criteria: dict[str, int], score: int, suggested: str) -> None:
    assert selection.score_of(criteria) == score
    assert selection.suggested(criteria) == suggested


def test_a_restricted_holding_suggests_excluding(db: Database) -> None:
    with db.session() as s:
        holding = selection.create_holding(
            s, actor(db, "official-a"), PROFILE,
            selection.HoldingData(
                organization="akimat-a", title="Registry of addresses", access="restricted",
                access_basis="Law on personal data, Art. 8", automated=True, machine_readable=True,
            ),
        )  # fmt: skip
        data = selection.ProposalData(
            title="Registry of addresses", organization="akimat-a", holding=holding.id
        )
        proposal = selection.create_proposal(s, actor(db, "member-a"), PROFILE, data)
        criteria = selection.suggest_criteria(s, PROFILE, proposal, index=12)
    assert criteria == {"restriction": 0, "demand": 2, "readiness": 3, "not_machine_readable": 0}
    assert selection.suggested(criteria) == "exclude"


def test_a_restricted_holding_needs_its_legal_basis(db: Database) -> None:
    with db.session() as s, pytest.raises(Invalid) as caught:
        selection.create_holding(
            s, actor(db, "official-a"), PROFILE,
            selection.HoldingData(organization="akimat-a", title="Payroll", access="restricted"),
        )  # fmt: skip
    assert "access_basis" in caught.value.errors


def test_an_official_of_another_organization_cannot_keep_the_inventory(db: Database) -> None:
    with db.session() as s, pytest.raises(Forbidden):
        selection.create_holding(
            s, actor(db, "official-b"), PROFILE, selection.HoldingData(organization="akimat-a", title="Roads")
        )


# ---------------------------------------------------------------- the Commission


def _proposal(db: Database, title: str, org: str = "akimat-a") -> int:
    with db.session() as s:
        return selection.create_proposal(
            s, actor(db, "member-a"), PROFILE, selection.ProposalData(title=title, organization=org)
        ).number


def test_quorum_counts_only_members_without_a_conflict(db: Database) -> None:
    number = _proposal(db, "Snow removal schedule")
    with db.session() as s:
        row = commission.create_session(
            s, actor(db, "secretary"), PROFILE, title="S", held_on=date(2026, 6, 1)
        )
        commission.add_agenda_item(s, actor(db, "secretary"), PROFILE, row.number, number)
        commission.set_vote(s, actor(db, "member-a"), PROFILE, row.number, number, vote="reject")
        session_no = row.number
    with db.session() as s:
        # a member who declares a conflict loses the vote cast before
        commission.set_vote(s, actor(db, "member-b"), PROFILE, session_no, number, vote="recommend")
        commission.add_conflict(
            s, actor(db, "member-b"), PROFILE, session_no, number, "Works for a contractor."
        )
        record = commission.session_record(s, PROFILE, commission.find_session(s, session_no))[0]
        assert (record.eligible, record.quorum, len(record.votes)) == (2, 2, 1)
        with pytest.raises(Conflict, match="No quorum yet: 1 of 2"):
            commission.set_decision(
                s, actor(db, "secretary"), PROFILE, session_no, number, decision="reject", rationale="No."
            )
        with pytest.raises(Conflict, match="conflict of interest"):
            commission.set_vote(s, actor(db, "member-b"), PROFILE, session_no, number, vote="recommend")
    with db.session() as s:
        commission.set_vote(s, actor(db, "member-c"), PROFILE, session_no, number, vote="reject")
        commission.set_decision(
            s, actor(db, "secretary"), PROFILE, session_no, number, decision="reject", rationale="Not held."
        )
        commission.close_session(s, actor(db, "secretary"), PROFILE, session_no)
    with db.session() as s:
        assert selection.find_proposal(s, number).status == "rejected"
        with pytest.raises(Conflict, match="closed"):
            commission.set_vote(s, actor(db, "member-c"), PROFILE, session_no, number, vote="defer")


def test_only_members_vote_and_only_the_secretariat_decides(db: Database) -> None:
    number = _proposal(db, "Public toilets map")
    with db.session() as s:
        row = commission.create_session(
            s, actor(db, "secretary"), PROFILE, title="S", held_on=date(2026, 6, 2)
        )
        commission.add_agenda_item(s, actor(db, "secretary"), PROFILE, row.number, number)
        session_no = row.number
    with db.session() as s:
        for outsider in ("secretary", "official-a"):
            with pytest.raises(Forbidden):
                commission.set_vote(s, actor(db, outsider), PROFILE, session_no, number, vote="recommend")
        with pytest.raises(Forbidden):
            commission.create_session(s, actor(db, "member-a"), PROFILE, title="S", held_on=date(2026, 6, 3))
        with pytest.raises(Forbidden):  # a sysadmin is not a member either
            commission.set_vote(s, SYSTEM, PROFILE, session_no, number, vote="recommend")


def test_a_proposal_is_on_one_open_agenda_at_a_time(db: Database) -> None:
    number = _proposal(db, "Street lighting outages")
    with db.session() as s:
        first = commission.create_session(
            s, actor(db, "secretary"), PROFILE, title="A", held_on=date(2026, 7, 1)
        )
        second = commission.create_session(
            s, actor(db, "secretary"), PROFILE, title="B", held_on=date(2026, 7, 2)
        )
        commission.add_agenda_item(s, actor(db, "secretary"), PROFILE, first.number, number)
        with pytest.raises(Conflict, match=f"already on the agenda of session No. {first.number}"):
            commission.add_agenda_item(s, actor(db, "secretary"), PROFILE, second.number, number)


def test_numbers_no_column_could_hold_are_not_found(db: Database) -> None:
    with db.session() as s:
        for find in (selection.find_proposal, commission.find_session, lists.find_version):
            for number in ("99999999999999999999", 2**31, -1, "P-x"):
                with pytest.raises(NotFound):
                    find(s, number)


def test_a_decision_stands_once_the_proposal_moved_on_and_a_quorums_item_stays(db: Database) -> None:
    number = _proposal(db, "Ice rinks opening hours")
    secretary = actor(db, "secretary")
    with db.session() as s:
        first = commission.create_session(s, secretary, PROFILE, title="A", held_on=date(2026, 8, 1)).number
        second = commission.create_session(s, secretary, PROFILE, title="B", held_on=date(2026, 8, 2)).number
        commission.add_agenda_item(s, secretary, PROFILE, first, number)
        for member in ("member-a", "member-b"):
            commission.set_vote(s, actor(db, member), PROFILE, first, number, vote="defer")
    with db.session() as s:
        # a quorum voted: the votes are the record, the item is for a decision, not for taking off
        with pytest.raises(Conflict, match="A quorum voted"):
            commission.remove_agenda_item(s, secretary, PROFILE, first, number)
        commission.set_decision(s, secretary, PROFILE, first, number, decision="defer", rationale="Later.")
        commission.add_agenda_item(s, secretary, PROFILE, second, number)
    with db.session() as s:
        # before the second session now: the first one's decision does not change it back
        with pytest.raises(Conflict, match="on_agenda since"):
            commission.set_decision(
                s, secretary, PROFILE, first, number, decision="recommend", rationale="Changed our mind."
            )
        assert selection.find_proposal(s, number).status == "on_agenda"
        # one vote is no quorum (2 of 3): the item may go, and the proposal is deferred again
        commission.set_vote(s, actor(db, "member-c"), PROFILE, second, number, vote="recommend")
        commission.remove_agenda_item(s, secretary, PROFILE, second, number)
        assert selection.find_proposal(s, number).status == "deferred"
        record = commission.session_record(s, PROFILE, commission.find_session(s, first))
        assert [(r.item.decision, len(r.votes)) for r in record] == [("defer", 2)]


# ---------------------------------------------------------------- the list and compliance


def _dataset(db: Database, org: str, name: str, issued: datetime | None, frequency: str = "ANNUAL") -> None:
    with db.session() as s:
        catalog.create_dataset(
            s, SYSTEM, PROFILE,
            DatasetCreate(
                name=name, organization=org, title={"en": name}, state="published" if issued else "draft",
                update_frequency=frequency,
            ),
        )  # fmt: skip
        if issued:
            s.execute(Dataset.__table__.update().where(Dataset.slug == name).values(issued=issued))


def test_versions_differ_item_by_item_and_statuses_follow_the_dates(db: Database) -> None:
    owner = actor(db, "list-owner")
    with db.session() as s:
        v1 = lists.create_draft(s, owner, PROFILE)
        for title, due in [
            ("Bus stops", date(2026, 3, 1)),
            ("Tariffs", date(2026, 9, 1)),
            ("Parks", date(2027, 1, 1)),
        ]:
            lists.add_list_item(
                s, owner, PROFILE, v1.number, lists.ItemData(title=title, organization="akimat-a", due_on=due)
            )
        with pytest.raises(Invalid, match="act_date"):
            lists.set_approval(s, owner, PROFILE, v1.number, act_number="12", act_date=None)
        lists.set_approval(s, owner, PROFILE, v1.number, act_number="No. 12", act_date=date(2026, 1, 15))
        codes = [i.code for i in lists.items_of(s, v1)]
    with db.session() as s:
        with pytest.raises(Conflict, match="approved"):
            lists.add_list_item(
                s,
                owner,
                PROFILE,
                1,
                lists.ItemData(title="X", organization="akimat-a", due_on=date(2027, 1, 1)),
            )
        v2 = lists.create_draft(s, owner, PROFILE)
        lists.update_list_item(
            s,
            owner,
            PROFILE,
            v2.number,
            codes[1],
            lists.ItemData(title="Tariffs", organization="akimat-a", due_on=date(2026, 10, 1)),
        )
        lists.remove_list_item(s, owner, PROFILE, v2.number, codes[2])
        added = lists.add_list_item(
            s,
            owner,
            PROFILE,
            v2.number,
            lists.ItemData(
                title="Air quality",
                organization="akimat-b",
                due_on=date(2027, 2, 1),
                update_frequency="MONTHLY",
            ),
        )
        lists.set_approval(s, owner, PROFILE, v2.number, act_number="No. 40", act_date=date(2026, 2, 1))
        d = lists.diff(s, v2)
        assert [i.code for i in d.added] == [added.code]
        assert [i.code for i in d.removed] == [codes[2]]
        assert [(c.code, c.fields) for c in d.changed] == [
            (codes[1], {"due_on": (date(2026, 9, 1), date(2026, 10, 1))})
        ]
        assert d.unchanged == 1 and d.old is not None and d.old.number == v1.number
    # fmt: skip
    # Bus stops: published 10 days late; Tariffs: published on time; Air quality: not due
    _dataset(db, "akimat-a", "bus-stops", datetime(2026, 3, 11, 8, tzinfo=UTC))
    _dataset(db, "akimat-a", "tariffs", datetime(2026, 9, 20, 8, tzinfo=UTC))
    with db.session() as s:
        lists.set_fulfilment(s, actor(db, "official-a"), PROFILE, codes[0], "bus-stops")
        lists.set_fulfilment(s, actor(db, "official-a"), PROFILE, codes[1], "tariffs")
        with pytest.raises(Invalid, match="another organization"):
            lists.set_fulfilment(s, owner, PROFILE, added.code, "tariffs")
        with pytest.raises(Forbidden):
            lists.set_fulfilment(s, actor(db, "official-b"), PROFILE, codes[0], "bus-stops")
    with db.session() as s:
        on = {st.item.code: (st.status, st.days_late) for st in lists.compliance(s, date(2026, 11, 30))}
        assert on == {codes[0]: ("late", 10), codes[1]: ("on_time", 0), added.code: ("not_published", 0)}
        # on 1 March 2027 the air quality item is late, by 28 days, and has no dataset
        later = {st.item.code: (st.status, st.days_late) for st in lists.compliance(s, date(2027, 3, 1))}
        assert later[added.code] == ("late", 28)
        cards = {c.organization_id: c for c in lists.scorecards(lists.compliance(s, date(2027, 3, 1)))}
        b = cards[catalog.organization_id_of(s, "akimat-b") or ""]
        assert (b.counts["late"], b.total, b.rate) == (1, 1, 0.0)
        a = cards[catalog.organization_id_of(s, "akimat-a") or ""]
        assert (a.counts["on_time"], a.counts["late"], a.rate) == (1, 1, 0.5)
        points = lists.trend(lists.compliance(s, date(2026, 11, 30)), date(2026, 11, 30), months=12)
        by_month = {p.month: (p.due, p.on_time) for p in points}
        assert by_month[date(2026, 2, 28)] == (0, 0)
        assert by_month[date(2026, 3, 31)] == (1, 0)  # bus stops was due, and late
        assert by_month[date(2026, 10, 31)] == (2, 1)
        assert by_month[date(2026, 11, 30)] == (2, 1)


def test_reminders_go_once_per_threshold(own_db: Database) -> None:
    owner = actor(own_db, "list-owner")
    with own_db.session() as s:
        draft = lists.create_draft(s, owner, PROFILE)
        air = lists.ItemData(title="Air quality", organization="akimat-b", due_on=date(2027, 2, 1))
        lists.add_list_item(s, owner, PROFILE, draft.number, air)
        lists.set_approval(s, owner, PROFILE, draft.number, act_number="7", act_date=date(2026, 1, 10))
    with own_db.session() as s:
        day = date(2027, 1, 25)  # 7 days before its due date
        first = notify.queue_list_reminders(s, PROFILE, day)
        again = notify.queue_list_reminders(s, PROFILE, day)
        assert first["soon"] == 1 and again == {"soon": 0, "overdue": 0, "already_sent": 1}
        overdue = notify.queue_list_reminders(s, PROFILE, date(2027, 2, 2))
        assert overdue["overdue"] == 1
        sent = s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == notify.KIND)).all()
        assert any(m.to == "official-b@example.org" and "Air quality" in m.body for m in sent)


def test_a_consultation_document_with_personal_data_is_withheld_from_the_public(
    db: Database, tmp_path: Path
) -> None:
    store = FileStore(tmp_path, 10_000_000)
    number = _proposal(db, "Utility tariffs by district")
    rows = "name,iin,district\r\nA Resident,900101300126,Almaty\r\n"  # a valid (synthetic) IIN
    clean = store.save_chunks([b"district,tariff\r\nAlmaty,12.5\r\n"])
    personal = store.save_chunks([rows.encode()])
    with db.session() as s:
        kept = [
            selection.add_consultation(
                s, actor(db, "official-a"), PROFILE, number, submitted_by="An association", summary=summary,
                received_on=date(2026, 5, 1), document=selection.ConsultationFile(name, "text/csv", stored),
            )
            for summary, name, stored in [("Tariffs", "a.csv", clean), ("Signatures", "b.csv", personal)]
        ]  # fmt: skip
        assert [k.check for k in kept] == ["clean", "personal"]
        assert not selection.document_withheld(s, ANONYMOUS, PROFILE, kept[0])
        assert selection.document_withheld(s, ANONYMOUS, PROFILE, kept[1])
        assert selection.document_withheld(s, actor(db, "official-b"), PROFILE, kept[1])
        assert not selection.document_withheld(s, actor(db, "official-a"), PROFILE, kept[1])
        evidence = selection.demand_for(s, PROFILE, selection.find_proposal(s, number)).evidence[
            "consultation"
        ]
        assert [bool(e.url) for e in evidence] == [True, False]  # no public link to the withheld one


def test_words_of_any_case_find_cyrillic_text(db: Database) -> None:
    """ilike folds Cyrillic on SQLite as on PostgreSQL: a proposal is found by a word in another case."""
    number = _proposal(db, "Расписание автобусов Алматы")
    with db.session() as s:
        assert [p.number for p in selection.list_proposals(s, q="расписание")] == [number]
        assert [p.number for p in selection.list_proposals(s, q="АВТОБУСОВ")] == [number]


def test_a_document_the_guard_cannot_read_is_not_public(db: Database, tmp_path: Path) -> None:
    store = FileStore(tmp_path, 10_000_000)
    number = _proposal(db, "Scanned letters about tariffs")
    scan = store.save_chunks([b"%PDF-1.4\n% a scanned letter with a signature\n"])
    with db.session() as s:
        record = selection.add_consultation(
            s, actor(db, "official-a"), PROFILE, number, submitted_by="A resident", summary="A letter.",
            received_on=date(2026, 5, 2),
            document=selection.ConsultationFile("letter.pdf", "application/pdf", scan),
        )  # fmt: skip
        assert record.check == "not_checked"
        assert selection.document_withheld(s, ANONYMOUS, PROFILE, record)
        assert not selection.document_withheld(s, actor(db, "official-a"), PROFILE, record)


def test_only_a_recommended_proposal_goes_on_the_list(db: Database) -> None:
    number = _proposal(db, "Cemetery plots register")
    owner = actor(db, "list-owner")
    with db.session() as s:
        draft = lists.draft_version(s) or lists.create_draft(s, owner, PROFILE)
        with pytest.raises(Invalid) as caught:
            lists.add_list_item(
                s, owner, PROFILE, draft.number, lists.ItemData(proposal=str(number), due_on=date(2027, 1, 1))
            )
        assert caught.value.errors["proposal"][0].startswith(
            f"P-{number} is proposed: only a proposal the Commission"
        )


def test_the_minutes_of_a_closed_session_do_not_change(db: Database) -> None:
    from derek.selection import minutes

    number = _proposal(db, "Snow clearing routes")
    secretary = actor(db, "secretary")
    with db.session() as s:
        row = commission.create_session(s, secretary, PROFILE, title="Winter", held_on=date(2026, 12, 1))
        commission.add_agenda_item(s, secretary, PROFILE, row.number, number)
        for member in ("member-a", "member-b"):
            commission.set_vote(s, actor(db, member), PROFILE, row.number, number, vote="recommend")
        commission.set_decision(
            s, secretary, PROFILE, row.number, number, decision="recommend", rationale="Yes."
        )
        commission.close_session(s, secretary, PROFILE, row.number)
        session_no = row.number
    with db.session() as s:
        before = minutes.build(s, PROFILE, commission.find_session(s, session_no), "en")
    # afterwards a member joins, the proposal is reassessed and gains supports
    with db.session() as s:
        user = accounts.create_user(s, SYSTEM, "member-late", "member-late@example.org", PASSWORD)
        accounts.set_membership(
            s, SYSTEM, user, catalog.organization_id_of(s, "access-commission") or "", "member"
        )
    with db.session() as s:
        selection.set_assessment(
            s, actor(db, "official-a"), PROFILE, number, recommendation="exclude", reason="Changed.",
            criteria={"restriction": 0, "demand": 0, "readiness": 0, "not_machine_readable": 0},
        )  # fmt: skip
        selection.add_support(s, actor(db, "official-b"), number)
    with db.session() as s:
        after = minutes.build(s, PROFILE, commission.find_session(s, session_no), "en")
        record = commission.session_record(s, PROFILE, commission.find_session(s, session_no))[0]
    assert after == before
    assert "member-late" not in after.absent and (record.eligible, record.quorum) == (3, 2)
    with db.session() as s:  # the late member is a member today, for the sessions to come
        assert "member-late" in {m.name for m in commission.members(s, PROFILE)}
        accounts.set_membership(
            s, SYSTEM, "member-late", catalog.organization_id_of(s, "access-commission") or "", None
        )


@pytest.mark.parametrize("typed", ["call 701.123.45.67", "iin 900101-300126", "(701) 123 45 67", "a+b@x.kz"])
def test_numbers_in_groups_are_not_logged(typed: str) -> None:
    assert search_log.normalise(typed) is None


def test_a_search_counts_once_a_day_as_evidence(db: Database) -> None:
    day = date(2026, 8, 3)
    with db.session() as s:
        for _ in range(50):  # one visitor reloading the page
            catalog.record_search(s, "ferry crossings", 0, day)
        catalog.record_search(s, "ferry crossings", 0, date(2026, 8, 4))
        found = catalog.searches_about(s, ["ferry crossings"], date(2026, 8, 5))
        assert [(f.searches, f.days) for f in found] == [(51, 2)]
        evidence = demand.gather(s, PROFILE, ["ferry crossings"], {"today": date(2026, 8, 5)})["search"]
        assert [e.count for e in evidence] == [2]


def test_stale_follows_the_items_frequency_on_the_given_day(db: Database) -> None:
    """A dataset published on time is stale once its data miss the update the list asks of the item (here
    monthly), whatever frequency the dataset declares itself, judged on the day compliance is asked for."""
    owner = actor(db, "list-owner")
    _dataset(db, "akimat-b", "noise-levels", datetime(2026, 4, 1, 8, tzinfo=UTC), frequency="ANNUAL")
    with db.session() as s:
        draft = lists.draft_version(s) or lists.create_draft(s, owner, PROFILE)
        item = lists.add_list_item(
            s, owner, PROFILE, draft.number,
            lists.ItemData(title="Noise levels", organization="akimat-b", due_on=date(2026, 4, 30),
                           update_frequency="MONTHLY"),
        )  # fmt: skip
        lists.set_approval(s, owner, PROFILE, draft.number, act_number="77", act_date=date(2026, 4, 2))
        lists.set_fulfilment(s, owner, PROFILE, item.code, "noise-levels")
        code = item.code
    with db.session() as s:

        def status_on(day: date) -> str:
            return next(
                x.status for x in lists.compliance(s, day, timezone="Asia/Almaty") if x.item.code == code
            )

        assert status_on(date(2026, 4, 20)) == "on_time"  # within a month of its data
        assert status_on(date(2026, 5, 20)) == "stale"  # a month has passed without new data
