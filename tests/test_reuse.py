"""Reuse's rules through its services over a real database: use cases (what is required, the datasets
they name, screenshots), the liveness monitor against a server on 127.0.0.1 (live, degraded, dead at
once on a 404, dead after failing twice, back alive, the grace period, the e-mail to the author, the
statistics), ideas with one support per person (also at once from two threads), hidden ones, the anomaly
report, and ideas' supports as demand evidence for dataset selection."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, select, update

from derek.catalog import service as catalog
from derek.catalog.models import Dataset
from derek.catalog.schemas import DatasetCreate, OrganizationCreate
from derek.config import load_profile
from derek.core import accounts, demand, jobs, mail
from derek.core.accounts import User
from derek.core.authz import ANONYMOUS, SYSTEM, Actor
from derek.core.db import Database
from derek.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from derek.core.storage import FileStore
from derek.reuse import liveness_service as liveness
from derek.reuse import service as reuse
from derek.reuse.models import IdeaSupport, LivenessCheck, UseCase
from derek.reuse.service import IdeaData, IdeaQuery, UseCaseData, UseCaseQuery
from tests.conftest import PASSWORD, fresh_database_url, local_server

PROFILE = load_profile("kz")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DESCRIPTION = {
    "en": "Shows the bus stops of the city on a map, with the timetable of every route that stops there."
}


@dataclass
class Remote:
    """A server on 127.0.0.1 whose answers the test changes: 200 by default."""

    base: str = ""
    answers: dict[str, int] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)  # the paths asked for, in order

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    state = Remote()

    def answer(method: str, target: str) -> tuple[int, dict[str, str], bytes]:
        state.asked.append(target)
        return state.answers.get(target, 200), {}, b""

    with local_server(answer) as base:
        state.base = base
        yield state


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(fresh_database_url(tmp_path_factory.mktemp("reuse")))
    database.upgrade()
    with database.session() as s:
        for name in ("ministry-of-digital-development", "akimat-a"):
            catalog.create_organization(s, SYSTEM, OrganizationCreate(name=name, title={"en": name}))
        for name, state, private in [
            ("bus-stops", "published", False),
            ("tariffs", "published", False),
            ("secret-draft", "draft", False),
        ]:
            catalog.create_dataset(
                s,
                SYSTEM,
                PROFILE,
                DatasetCreate(
                    name=name, title={"en": name}, organization="akimat-a", state=state, private=private
                ),
            )
    for name, org, role in [
        ("moderator", "ministry-of-digital-development", "editor"),
        ("official-a", "akimat-a", "editor"),
        ("maker", None, None),
        ("citizen", None, None),
        ("neighbour", None, None),
    ]:
        with database.session() as s:
            user = accounts.create_user(s, SYSTEM, name, f"{name}@example.org", PASSWORD)
            if org and role:
                accounts.set_membership(s, SYSTEM, user, catalog.organization_id_of(s, org) or "", role)
    yield database
    database.engine.dispose()


def actor(db: Database, name: str) -> Actor:
    with db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


def data(**overrides: object) -> UseCaseData:
    base = UseCaseData(
        title={"en": "Bus stop map", "ru": "Карта остановок"},
        description=DESCRIPTION,
        kind="app",
        author="City transport team",
        contact="team@example.kz",
        datasets=["bus-stops"],
        url="https://bus.example.kz/",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def create(db: Database, **overrides: object) -> int:
    with db.session() as s:
        return reuse.create_use_case(s, actor(db, "maker"), PROFILE, data(**overrides)).id


# ---------------------------------------------------------------- use cases


def test_a_use_case_needs_a_dataset_an_author_a_contact_and_a_real_description(db: Database) -> None:
    maker = actor(db, "maker")
    with db.session() as s, pytest.raises(Invalid) as refused:
        reuse.create_use_case(
            s,
            maker,
            PROFILE,
            data(datasets=[], author="", contact="call us", description={"en": "An app."}, url="ftp://x"),
        )
    errors = refused.value.errors or {}
    assert set(errors) >= {"datasets", "author", "contact", "description", "url"}
    assert "at least one dataset" in errors["datasets"][0]
    assert "e-mail" in errors["contact"][0]
    with db.session() as s, pytest.raises(Invalid) as unknown:
        reuse.create_use_case(s, maker, PROFILE, data(datasets=["bus-stops", "no-such-data"]))
    assert "no-such-data" in (unknown.value.errors or {})["datasets"][0]
    # a draft is not there for the public: naming it is the same as naming nothing
    with db.session() as s, pytest.raises(Invalid):
        reuse.create_use_case(s, maker, PROFILE, data(datasets=["secret-draft"]))
    with db.session() as s, pytest.raises(Invalid) as no_address:
        reuse.create_use_case(s, maker, PROFILE, data(url="", store_links=[]))
    assert "store link" in (no_address.value.errors or {})["url"][0]
    with db.session() as s, pytest.raises(Invalid) as topic:
        reuse.create_use_case(s, maker, PROFILE, data(topics=["not-a-theme"]))
    assert "topics" in (topic.value.errors or {})
    with db.session() as s, pytest.raises(NotAuthenticated):
        reuse.create_use_case(s, ANONYMOUS, PROFILE, data())


def test_a_use_case_lists_its_datasets_and_only_its_submitter_or_a_moderator_changes_it(db: Database) -> None:
    use_case_id = create(
        db,
        datasets=["bus-stops", "tariffs"],
        store_links=[{"store": "google_play", "url": "https://play.example/app"}],
    )
    with db.session() as s:
        use_case = reuse.get_use_case(s, ANONYMOUS, PROFILE, use_case_id)
        assert [d.name for d in reuse.datasets_of(s, ANONYMOUS, use_case)] == ["bus-stops", "tariffs"]
        tariffs = catalog.find_visible_dataset(s, ANONYMOUS, "tariffs").id
        assert use_case_id in [u.id for u in reuse.use_cases_of_dataset(s, tariffs)]
        org_id = catalog.organization_id_of(s, "akimat-a") or ""
        assert reuse.count_for_organization(s, org_id)["total"] >= 1
    with db.session() as s, pytest.raises(Forbidden):
        reuse.update_use_case(s, actor(db, "citizen"), PROFILE, use_case_id, data(prototype=True))
    with db.session() as s:
        changed = reuse.update_use_case(s, actor(db, "maker"), PROFILE, use_case_id, data(prototype=True))
        assert changed.prototype and reuse.state_of(changed) == "prototype"
    with db.session() as s:
        reuse.update_use_case(s, actor(db, "moderator"), PROFILE, use_case_id, data(prototype=False))


def test_an_organizations_use_cases_are_counted_without_reading_the_catalog(db: Database) -> None:
    """The organization page's panel asks for its public datasets' ids: not every dataset of the portal."""
    loaded: list[str] = []

    def on_load(target: Dataset, _context: object) -> None:
        loaded.append(target.slug)

    with db.session() as s:
        org_id = catalog.organization_id_of(s, "akimat-a") or ""
        public = {catalog.find_visible_dataset(s, ANONYMOUS, n).id for n in ("bus-stops", "tariffs")}
    event.listen(Dataset, "load", on_load)
    try:
        with db.session() as s:
            assert set(reuse.organization_dataset_ids(s, org_id)) == public  # not the draft
            reuse.count_for_organization(s, org_id)
    finally:
        event.remove(Dataset, "load", on_load)
    assert loaded == []


def test_a_use_cases_datasets_are_read_in_as_many_queries_whatever_their_number(db: Database) -> None:
    """Every card of the lists shows its datasets: one more dataset must not mean more queries."""
    one, two = create(db, datasets=["bus-stops"]), create(db, datasets=["bus-stops", "tariffs"])
    queries: list[int] = []
    with db.session() as s:
        for number in (one, two):
            use_case = reuse.find_use_case(s, number)
            statements: list[str] = []

            def count(*args: object, seen: list[str] = statements) -> None:
                seen.append(str(args[2]))

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                names = [d.name for d in reuse.datasets_of(s, ANONYMOUS, use_case)]
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert len(names) == len(reuse.dataset_ids_of(s, use_case))
            queries.append(len(statements))
    assert queries[0] == queries[1], queries


def test_a_moderator_hides_a_use_case_and_only_its_submitter_still_sees_it(db: Database) -> None:
    use_case_id = create(db)
    with db.session() as s, pytest.raises(Forbidden):
        reuse.set_use_case_moderation(s, actor(db, "maker"), PROFILE, use_case_id, shown=False, note="spam")
    with db.session() as s, pytest.raises(Invalid):  # hiding needs a reason
        reuse.set_use_case_moderation(s, actor(db, "moderator"), PROFILE, use_case_id, shown=False)
    with db.session() as s:
        reuse.set_use_case_moderation(
            s, actor(db, "moderator"), PROFILE, use_case_id, shown=False, note="Advertising"
        )
    with db.session() as s:
        with pytest.raises(NotFound):
            reuse.get_use_case(s, ANONYMOUS, PROFILE, use_case_id)
        with pytest.raises(NotFound):
            reuse.get_use_case(s, actor(db, "citizen"), PROFILE, use_case_id)
        assert (
            reuse.get_use_case(s, actor(db, "maker"), PROFILE, use_case_id).moderation_note == "Advertising"
        )
        listed = reuse.list_use_cases(s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=500))
        assert use_case_id not in [u.id for u in listed.items]
    # whoever may not see it is not told it exists: 404, not 403
    with db.session() as s, pytest.raises(NotFound):
        reuse.update_use_case(s, actor(db, "citizen"), PROFILE, use_case_id, data())
    with db.session() as s, pytest.raises(NotFound):
        reuse.set_use_case_moderation(s, actor(db, "citizen"), PROFILE, use_case_id, shown=True)
    with db.session() as s:
        reuse.update_use_case(s, actor(db, "maker"), PROFILE, use_case_id, data(author="Still the maker"))


def _png(width: int = 120, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_screenshots_are_pictures_and_no_more_than_eight(db: Database, tmp_path: Path) -> None:
    use_case_id = create(db)
    store = FileStore(tmp_path / "files", 10 * 1024 * 1024)
    maker = actor(db, "maker")

    def add(content: bytes) -> None:
        stored = store.save_chunks(iter([content]))
        with db.session() as s:
            reuse.add_screenshot(s, maker, PROFILE, use_case_id, stored, store.open_path(stored.sha256))

    with pytest.raises(Invalid) as not_a_picture:
        add(b"<html>not a picture</html>")
    assert "PNG, JPEG or WebP" in not_a_picture.value.message
    with pytest.raises(Invalid) as tiny:
        add(_png(10, 10))
    assert "pixels" in tiny.value.message
    for n in range(8):
        add(_png(100 + n, 80))
    with pytest.raises(Invalid) as too_many:
        add(_png(200, 80))
    assert "at most 8" in too_many.value.message
    with db.session() as s:
        shots = reuse.screenshots_of(s, reuse.find_use_case(s, use_case_id))
        assert [(x.media_type, x.width) for x in shots[:2]] == [("image/png", 100), ("image/png", 101)]
        with pytest.raises(Forbidden):
            reuse.remove_screenshot(s, actor(db, "citizen"), PROFILE, shots[0].id)


# ---------------------------------------------------------------- the liveness monitor


def _check(db: Database, ids: list[int], now: datetime) -> dict[str, int]:
    with db.session() as s:
        return liveness.run_checks(s, PROFILE, allow_private=True, timeout=2.0, now=now, use_case_ids=ids)


def _state(db: Database, use_case_id: int) -> UseCase:
    with db.session() as s:
        use_case = s.get(UseCase, use_case_id)
        assert use_case is not None
        s.expunge(use_case)
        return use_case


def test_a_use_case_answering_404_is_dead_after_one_check_and_leaves_the_list_after_the_grace_period(
    db: Database, remote: Remote
) -> None:
    use_case_id = create(db, url=remote.url("/apps/bus-map"))
    assert _check(db, [use_case_id], NOW)["live"] == 1
    assert _state(db, use_case_id).liveness == "live"

    remote.answers["/apps/bus-map"] = 404
    counts = _check(db, [use_case_id], NOW + timedelta(days=1))
    assert counts["dead"] == 1 and counts["died"] == 1
    dead = _state(db, use_case_id)
    assert dead.liveness == "dead" and dead.dead_since == NOW + timedelta(days=1)
    assert "404" in dead.liveness_note
    with db.session() as s:
        sent = s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "use_case_dead")).all()
        mine = [m for m in sent if f"/reuse/use-cases/{use_case_id}" in m.body]
        assert len(mine) == 1 and mine[0].to == "team@example.kz"

    grace = reuse.rules_for(PROFILE).grace_days
    in_grace = NOW + timedelta(days=grace)
    after = NOW + timedelta(days=grace + 2)
    _check(db, [use_case_id], in_grace)  # still dead: still one message
    with db.session() as s:
        listed = reuse.list_use_cases(s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=500), now=in_grace)
        assert use_case_id in [u.id for u in listed.items]
        later = reuse.list_use_cases(s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=500), now=after)
        assert use_case_id not in [u.id for u in later.items] and later.retired_hidden >= 1
        everything = reuse.list_use_cases(
            s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=500, include_retired=True), now=after
        )
        assert use_case_id in [u.id for u in everything.items]
        dead_ones = reuse.list_use_cases(
            s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=500, state="dead", include_retired=True), now=after
        )
        assert use_case_id in [u.id for u in dead_ones.items]
        stats = reuse.stats(s, PROFILE, now=after)
        assert stats.by_state["dead"] >= 1 and stats.retired >= 1
        assert sum(stats.by_state.values()) == stats.total
        messages = s.scalars(
            select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "use_case_dead")
        ).all()
        assert len([m for m in messages if f"/reuse/use-cases/{use_case_id}" in m.body]) == 1
        history = liveness.history(s, reuse.find_use_case(s, use_case_id))
        assert [c.http_status for c in history][:2] == [404, 404]

    remote.answers["/apps/bus-map"] = 200  # it came back
    _check(db, [use_case_id], after)
    back = _state(db, use_case_id)
    assert back.liveness == "live" and back.dead_since is None


def test_the_author_hears_of_a_death_even_when_the_title_has_a_line_break(
    db: Database, remote: Remote
) -> None:
    remote.answers["/apps/two-lines"] = 404
    use_case_id = create(db, title={"en": "Bus stop\nmap"}, url=remote.url("/apps/two-lines"))
    assert _check(db, [use_case_id], NOW)["died"] == 1
    with db.session() as s:
        sent = [
            m
            for m in s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "use_case_dead"))
            if f"/reuse/use-cases/{use_case_id}" in m.body
        ]
        assert len(sent) == 1 and "Bus stop map" in sent[0].subject
        # in the portal's language (Kazakh for kz), as its other mail
        assert sent[0].subject == "Сіздің «Bus stop map» пайдалану мысалыңыз енді жауап бермейді"


def test_an_address_inside_a_private_network_is_not_asked_unless_the_portal_allows_it(
    db: Database, remote: Remote
) -> None:
    use_case_id = create(db, url=remote.url("/apps/inside"))
    with db.session() as s:  # the job's default: DEREK_FETCH_ALLOW_PRIVATE is off
        liveness.run_checks(s, PROFILE, timeout=2.0, now=NOW, use_case_ids=[use_case_id])
    assert "/apps/inside" not in remote.asked
    refused = _state(db, use_case_id)
    assert refused.liveness == "degraded" and "private network" in refused.liveness_note
    # the public reads that it is inside, not which internal address the name pointed to
    assert "127.0.0.1" not in refused.liveness_note.replace(remote.base, "")
    with db.session() as s:
        checks = liveness.history(s, reuse.find_use_case(s, use_case_id))
        assert checks and all("127.0.0.1" not in c.error for c in checks)


def test_a_failing_server_is_degraded_first_and_dead_after_failing_again(
    db: Database, remote: Remote
) -> None:
    use_case_id = create(db, url=remote.url("/apps/flaky"))
    remote.answers["/apps/flaky"] = 503
    _check(db, [use_case_id], NOW)
    first = _state(db, use_case_id)
    assert first.liveness == "degraded" and first.failures == 1 and first.dead_since is None
    _check(db, [use_case_id], NOW + timedelta(days=1))
    assert _state(db, use_case_id).liveness == "dead"


def test_a_broken_store_link_makes_a_working_use_case_degraded(db: Database, remote: Remote) -> None:
    remote.answers["/store/gone"] = 404
    use_case_id = create(
        db,
        url=remote.url("/apps/fine"),
        store_links=[{"store": "app_store", "url": remote.url("/store/gone")}],
    )
    _check(db, [use_case_id], NOW)
    degraded = _state(db, use_case_id)
    assert degraded.liveness == "degraded" and "/store/gone" in degraded.liveness_note
    with db.session() as s:
        roles = {
            c.role for c in s.scalars(select(LivenessCheck).where(LivenessCheck.use_case_id == use_case_id))
        }
        assert roles == {"url", "app_store"}


def test_a_new_address_is_checked_afresh(db: Database, remote: Remote) -> None:
    remote.answers["/apps/old"] = 404
    use_case_id = create(db, url=remote.url("/apps/old"))
    _check(db, [use_case_id], NOW)
    assert _state(db, use_case_id).liveness == "dead"
    with db.session() as s:
        reuse.update_use_case(s, actor(db, "maker"), PROFILE, use_case_id, data(url=remote.url("/apps/new")))
    assert _state(db, use_case_id).liveness == "unchecked"
    _check(db, [use_case_id], NOW)
    assert _state(db, use_case_id).liveness == "live"
    # the new address dies the same day as the old one did: its author hears of it again
    with db.session() as s:
        reuse.update_use_case(
            s, actor(db, "maker"), PROFILE, use_case_id, data(url=remote.url("/apps/newer"))
        )
    remote.answers["/apps/newer"] = 404
    _check(db, [use_case_id], NOW)
    with db.session() as s:
        sent = s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "use_case_dead")).all()
        assert len([m for m in sent if m.body.rstrip().endswith(f"/reuse/use-cases/{use_case_id}")]) == 2


def test_the_default_list_and_the_statistics_read_one_page_not_every_use_case(db: Database) -> None:
    for _ in range(3):
        create(db)
    later = NOW + timedelta(days=365)  # the dead of the tests above are past the grace period by then
    loaded: list[int] = []

    def on_load(target: UseCase, _context: object) -> None:
        loaded.append(target.id)

    event.listen(UseCase, "load", on_load)
    try:
        with db.session() as s:
            page = reuse.list_use_cases(s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=2), now=later)
            stats = reuse.stats(s, PROFILE, now=later)
    finally:
        event.remove(UseCase, "load", on_load)
    assert len(loaded) == 2 and len(page.items) == 2
    with db.session() as s:  # the same as when every use case is read and matched in Python (words given)
        for include_retired in (False, True):
            query = UseCaseQuery(per_page=1000, include_retired=include_retired)
            in_sql = reuse.list_use_cases(s, ANONYMOUS, PROFILE, query, now=later)
            in_python = reuse.list_use_cases(s, ANONYMOUS, PROFILE, replace(query, q="stops"), now=later)
            assert [u.id for u in in_sql.items] == [u.id for u in in_python.items]
            assert (in_sql.total, in_sql.retired_hidden) == (in_python.total, in_python.retired_hidden)
        everything = reuse.list_use_cases(s, ANONYMOUS, PROFILE, UseCaseQuery(per_page=1000), now=later)
        assert everything.retired_hidden >= 1 and stats.retired == everything.retired_hidden
        assert stats.total == everything.total + everything.retired_hidden == sum(stats.by_state.values())
        shown = reuse.list_use_cases(s, ANONYMOUS, PROFILE, replace(query, include_retired=True), now=later)
        assert stats.by_state["dead"] == len([u for u in shown.items if reuse.state_of(u) == "dead"])
        assert stats.by_kind["app"] == len([u for u in shown.items if u.kind == "app"])


def test_only_moderators_queue_the_check(db: Database) -> None:
    with db.session() as s, pytest.raises(Forbidden):
        liveness.queue_check(s, actor(db, "maker"), PROFILE)
    with db.session() as s:
        scheduled = jobs.enqueue(s, SYSTEM, liveness.CHECK_JOB, "reuse", "use_cases")
    with db.session() as s:
        job = liveness.queue_check(s, actor(db, "moderator"), PROFILE)
        again = liveness.queue_check(s, actor(db, "moderator"), PROFILE)
        # the worker's own check is handed over, and the moderator may follow it
        assert job.id == again.id == scheduled.id
        assert jobs.get_job(s, actor(db, "moderator"), job.id).id == job.id


# ---------------------------------------------------------------- ideas


def idea(db: Database, title: str = "Publish utility tariffs by district", **kw: object) -> int:
    with db.session() as s:
        return reuse.create_idea(s, actor(db, "citizen"), PROFILE, IdeaData(title=title, **kw)).id  # type: ignore[arg-type]


def test_one_person_supports_an_idea_once(db: Database) -> None:
    idea_id = idea(db)
    neighbour = actor(db, "neighbour")
    with db.session() as s:
        assert reuse.add_idea_support(s, neighbour, idea_id)[1] is True
    with db.session() as s:
        assert reuse.add_idea_support(s, neighbour, idea_id)[1] is False
    with db.session() as s:
        assert reuse.support_counts(s, [idea_id]) == {idea_id: 1}
    with db.session() as s, pytest.raises(NotAuthenticated):
        reuse.add_idea_support(s, ANONYMOUS, idea_id)
    with db.session() as s:
        reuse.remove_idea_support(s, neighbour, idea_id)
    with db.session() as s:
        assert reuse.support_counts(s, [idea_id]) == {}


def test_two_supports_at_once_from_one_person_count_once(db: Database) -> None:
    idea_id = idea(db, "Publish school meal menus")
    maker = actor(db, "maker")
    barrier = threading.Barrier(2)
    outcomes: list[bool | str] = []

    def support() -> None:
        barrier.wait()
        try:
            with db.session() as s:
                outcomes.append(reuse.add_idea_support(s, maker, idea_id)[1])
        except Exception as exc:  # a lock timeout would show here
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=support) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session() as s:
        assert reuse.support_counts(s, [idea_id]) == {idea_id: 1}
    assert sorted(outcomes, key=str) == [False, True]  # the second is told "supported before", no error


def test_ideas_check_their_input_and_hidden_ones_disappear(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(Invalid):
            reuse.create_idea(s, actor(db, "citizen"), PROFILE, IdeaData(title="  "))
        with pytest.raises(Invalid):
            reuse.create_idea(s, actor(db, "citizen"), PROFILE, IdeaData(title="x", kind="petition"))
        with pytest.raises(Invalid) as org:
            reuse.create_idea(s, actor(db, "citizen"), PROFILE, IdeaData(title="x", organization="nobody"))
        assert "organization" in (org.value.errors or {})
        with pytest.raises(NotAuthenticated):
            reuse.create_idea(s, ANONYMOUS, PROFILE, IdeaData(title="x"))
    idea_id = idea(db, "Open the register of pharmacies")
    with db.session() as s:
        comment = reuse.add_comment(s, actor(db, "neighbour"), idea_id, "Yes, with opening hours please")
        comment_id = comment.id
    with db.session() as s:
        reuse.set_comment_hidden(s, actor(db, "moderator"), PROFILE, comment_id, True)
        assert reuse.comments_of(s, ANONYMOUS, PROFILE, reuse.find_idea(s, idea_id)) == []
        assert len(reuse.comments_of(s, actor(db, "moderator"), PROFILE, reuse.find_idea(s, idea_id))) == 1
        reuse.set_idea_moderation(s, actor(db, "moderator"), PROFILE, idea_id, shown=False, note="Duplicate")
    with db.session() as s:
        with pytest.raises(NotFound):
            reuse.get_idea(s, ANONYMOUS, PROFILE, idea_id)
        with pytest.raises(NotFound):
            reuse.add_idea_support(s, actor(db, "neighbour"), idea_id)
        assert reuse.get_idea(s, actor(db, "citizen"), PROFILE, idea_id).moderation_note == "Duplicate"
        assert idea_id not in [i.id for i in reuse.list_ideas(s, IdeaQuery(per_page=500)).items]


def test_the_organization_asked_answers_an_idea(db: Database) -> None:
    with db.session() as s:
        idea_id = reuse.create_idea(
            s, actor(db, "citizen"), PROFILE, IdeaData(title="Bus stops with ramps", organization="akimat-a")
        ).id
    with db.session() as s:  # the organization asked hears of it, once per official
        told = s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "idea_posted")).all()
        mine = [m for m in told if m.body.endswith(f"/reuse/ideas/{idea_id}")]
        assert [m.to for m in mine] == ["official-a@example.org"]
        assert "Bus stops with ramps" in mine[0].subject
    with db.session() as s:  # a title with a carriage return (through the API) still reaches them
        other = reuse.create_idea(
            s,
            actor(db, "citizen"),
            PROFILE,
            IdeaData(title="Bus stops\r\nby district", organization="akimat-a"),
        ).id
    with db.session() as s:
        told = s.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == "idea_posted")).all()
        subjects = [m.subject for m in told if f"/reuse/ideas/{other}" in m.body]
        assert len(subjects) == 1 and subjects[0].endswith("Bus stops by district")
    with db.session() as s, pytest.raises(Forbidden):
        reuse.set_answer(s, actor(db, "neighbour"), PROFILE, idea_id, "Done")
    with db.session() as s:
        answered = reuse.set_answer(
            s, actor(db, "official-a"), PROFILE, idea_id, "Published", dataset="bus-stops"
        )
        assert answered.status == "answered" and answered.dataset_id is not None
    with db.session() as s:
        listed = reuse.list_ideas(s, IdeaQuery(status="answered", organization="akimat-a", per_page=500))
        assert idea_id in [i.id for i in listed.items]


def test_ideas_are_listed_by_support(db: Database) -> None:
    low, high = idea(db, "Idea with one support"), idea(db, "Idea with two supports")
    with db.session() as s:
        reuse.add_idea_support(s, actor(db, "maker"), low)
        reuse.add_idea_support(s, actor(db, "maker"), high)
        reuse.add_idea_support(s, actor(db, "neighbour"), high)
    with db.session() as s:
        page = reuse.list_ideas(s, IdeaQuery(q="Idea with", per_page=500))
        order = [i.id for i in page.items]
        assert order.index(high) < order.index(low)
        assert page.supports[high] == 2


# ---------------------------------------------------------------- the anomaly report


def test_the_anomaly_report_shows_bursts_from_new_accounts_and_one_address_behind_many(db: Database) -> None:
    rules = reuse.rules_for(PROFILE)
    idea_id = idea(db, "Publish parking fines by street")
    names = [f"fresh-{n}" for n in range(rules.burst_supports)]
    with db.session() as s:
        for name in names:
            accounts.create_user(s, SYSTEM, name, f"{name}@example.org", PASSWORD)
    now = datetime.now(UTC)
    with db.session() as s:
        for n, name in enumerate(names):
            user = accounts.get_user(s, name)
            key = reuse.address_key(
                "secret", "203.0.113.7" if n < rules.shared_address else f"198.51.100.{n}"
            )
            reuse.add_idea_support(s, accounts.actor_for(s, user), idea_id, address=key)
    with db.session() as s, pytest.raises(Forbidden):
        reuse.anomaly_report(s, actor(db, "citizen"), PROFILE, now)
    with db.session() as s:
        found = [
            a for a in reuse.anomaly_report(s, actor(db, "moderator"), PROFILE, now) if a.idea_id == idea_id
        ]
    kinds = {a.kind: a for a in found}
    assert kinds["new_accounts"].count == rules.burst_supports
    assert kinds["shared_address"].count == rules.shared_address
    assert "203.0.113.7" not in kinds["shared_address"].address  # a keyed hash, not the address
    assert kinds["shared_address"].address == reuse.address_key("secret", "203.0.113.7")
    assert kinds["shared_address"].day == "" and kinds["new_accounts"].address == ""
    assert kinds["new_accounts"].day == kinds["new_accounts"].first_at.date().isoformat()  # its UTC day
    assert sorted(kinds["shared_address"].accounts) == names[: rules.shared_address]
    # supports of accounts older than new_account_days are no burst
    with db.session() as s:
        s.execute(
            update(User)
            .where(User.name.in_(names))
            .values(created_at=now - timedelta(days=rules.new_account_days + 1))
        )
    with db.session() as s:
        again = [
            a for a in reuse.anomaly_report(s, actor(db, "moderator"), PROFILE, now) if a.idea_id == idea_id
        ]
        assert {a.kind for a in again} == {"shared_address"}
    with db.session() as s:
        removed = reuse.remove_supports(
            s,
            actor(db, "moderator"),
            PROFILE,
            idea_id,
            names[: rules.shared_address],
            "One address, many accounts",
        )
        assert removed == rules.shared_address
    with db.session() as s:
        left = s.scalars(select(IdeaSupport).where(IdeaSupport.idea_id == idea_id)).all()
        assert len(left) == rules.burst_supports - rules.shared_address


# ---------------------------------------------------------------- demand evidence


def test_supports_of_ideas_on_a_proposals_keywords_are_demand_evidence(db: Database) -> None:
    idea_id = idea(db, "Publish ferry timetables for the Caspian ports")
    with db.session() as s:
        reuse.add_idea_support(s, actor(db, "maker"), idea_id)
        reuse.add_idea_support(s, actor(db, "neighbour"), idea_id)
        reuse.add_idea_support(s, actor(db, "citizen"), idea_id)  # the author too: one person
    with db.session() as s:
        evidence = demand.gather(s, PROFILE, ["ferry timetable"])["idea"]
        mine = [e for e in evidence if e.url == f"/reuse/ideas/{idea_id}"]
        assert len(mine) == 1 and mine[0].count == 3
        assert demand.gather(s, PROFILE, ["ferr"])["idea"] == []  # whole stems only
        assert not [e for e in demand.gather(s, PROFILE, ["tax"])["idea"] if e.url.endswith(f"/{idea_id}")]


def test_a_burst_across_midnight_is_one_burst(db: Database) -> None:
    rules = reuse.rules_for(PROFILE)
    idea_id = idea(db, "Publish snow removal routes")
    names = [f"night-{n}" for n in range(rules.burst_supports)]
    midnight = datetime(2027, 1, 10, tzinfo=UTC)
    with db.session() as s:
        for name in names:
            accounts.create_user(s, SYSTEM, name, f"{name}@example.org", PASSWORD)
    with db.session() as s:
        for n, name in enumerate(names):
            user = accounts.get_user(s, name)
            user.created_at = midnight - timedelta(days=1)
            reuse.add_idea_support(s, accounts.actor_for(s, user), idea_id)
            # half an hour before midnight for the first half, after it for the rest
            at = midnight + timedelta(minutes=30 if n % 2 else -30)
            s.execute(
                update(IdeaSupport)
                .where(IdeaSupport.idea_id == idea_id, IdeaSupport.user_id == user.id)
                .values(at=at)
            )
    with db.session() as s:
        later = midnight + timedelta(days=1)
        found = [
            a for a in reuse.anomaly_report(s, actor(db, "moderator"), PROFILE, later) if a.idea_id == idea_id
        ]
    assert [(a.kind, a.count, a.day) for a in found] == [("new_accounts", rules.burst_supports, "2027-01-09")]


def test_each_use_case_keeps_its_latest_checks_only(db: Database, remote: Remote) -> None:
    use_case_id = create(db, url=remote.url("/apps/kept"))
    other_id = create(db, url=remote.url("/apps/other"))
    with db.session() as s:
        for n in range(liveness.HISTORY + 10):
            for uid in (use_case_id, other_id):
                s.add(
                    LivenessCheck(
                        use_case_id=uid, url="https://old.example.org/", ok=True, verdict="live",
                        checked_at=NOW - timedelta(days=100 - n),
                    )
                )  # fmt: skip
    _check(db, [use_case_id], NOW)
    with db.session() as s:
        kept = liveness.history(s, reuse.find_use_case(s, use_case_id), limit=1000)
        others = liveness.history(s, reuse.find_use_case(s, other_id), limit=1000)
    assert len(kept) == liveness.HISTORY and kept[0].checked_at == NOW  # the newest stay, today's first
    assert min(c.checked_at for c in kept) == NOW - timedelta(days=100 - 11)
    assert len(others) == liveness.HISTORY  # trimmed as well: one statement for every use case
