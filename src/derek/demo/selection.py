"""Demo of choosing what to open, made through the services with dates around the day of loading: data
holdings, proposals with supports, a consultation record and assessments, a closed Commission session
(votes, a declared conflict of interest, decisions) and a planned one, two approved versions of the
unified list, datasets linked to some items (one published late, one on time) and an overdue item with no
dataset, and searches that found nothing. Idempotent: nothing is made when a proposal exists already."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import accounts
from derek.core.authz import Actor
from derek.core.errors import NotFound
from derek.selection import commission_service as commission
from derek.selection import list_service as lists
from derek.selection import service as selection

MEMBERS = ("commission-member-1", "commission-member-2", "commission-member-3")
SUPPORTERS = ("stat-editor", "minfin-editor", "ecology-editor", "astana-admin", *MEMBERS)


def _actor(session: Session, name: str) -> Actor | None:
    try:
        return accounts.actor_for(session, accounts.get_user(session, name))
    except NotFound:
        return None


def ensure_demo_selection(session: Session, profile: Profile, today: date) -> int:
    """Make the demo's proposals, sessions and list versions; the number of proposals made."""
    if selection.list_proposals(session, limit=1):
        return 0
    actors = {
        n: _actor(session, n)
        for n in ("commission-secretary", "digital-editor", "almaty-editor", *SUPPORTERS)
    }
    if any(a is None for a in actors.values()) or not all(selection.bodies(session, profile)):
        return 0  # the demo's Commission or its people are missing (a profile other than kz)
    act = {n: a for n, a in actors.items() if a is not None}
    secretary, owner, almaty = act["commission-secretary"], act["digital-editor"], act["almaty-editor"]

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    for text, searches in [("parking fines", 5), ("tariffs by district", 4), ("kindergarten places", 3)]:
        for n in range(searches):
            catalog.record_search(session, text, 0, day(-3 * n - 1))

    holdings = {
        "bus": selection.HoldingData(
            organization="almaty-akimat", title="Bus timetables of city routes",
            description="Planned departures of every route, kept by the transport operator's system.",
            information_system="Automated fare collection and dispatch system", formats="GTFS, CSV",
            automated=True, machine_readable=True,
        ),
        "fines": selection.HoldingData(
            organization="almaty-akimat", title="Register of parking fines",
            description="Fines issued for parking violations, with the vehicle and its owner.",
            information_system="Administrative offences register", access="restricted",
            access_basis="Law on personal data and their protection, Art. 8", formats="database",
        ),
    }  # fmt: skip
    made = {k: selection.create_holding(session, almaty, profile, h) for k, h in holdings.items()}
    proposals = [
        ("Bus timetables of Almaty routes", "almaty-akimat", "bus timetables, public transport", "bus", 5),
        ("Budget execution by district", "ministry-of-finance", "budget execution, district budget", "", 4),
        (
            "Kindergarten places by district",
            "astana-akimat",
            "kindergarten places, kindergarten queue",
            "",
            3,
        ),
        ("Register of parking fines", "almaty-akimat", "parking fines", "fines", 2),
        ("Pharmacy stock of essential medicines", "ministry-of-health", "pharmacy stock, medicines", "", 2),
        ("Air quality sensors, hourly readings", "ministry-of-ecology", "air quality", "", 1),
    ]
    numbers: list[int] = []
    for title, org, keywords, holding, supports in proposals:
        data = selection.ProposalData(
            title=title, organization=org, keywords=keywords, holding=made[holding].id if holding else "",
            reason="Asked for by residents and businesses; today it is only given out on request.",
        )  # fmt: skip
        proposal = selection.create_proposal(session, act[SUPPORTERS[-1]], profile, data)
        proposal.created_at = proposal.updated_at = datetime.combine(
            day(-260), time(9), tzinfo=UTC
        )  # before the sessions
        numbers.append(proposal.number)
        for name in SUPPORTERS[:supports]:
            selection.add_support(session, act[name], proposal.number)
    bus, budget, kindergartens, fines, _pharmacy, air = numbers
    selection.add_consultation(
        session, secretary, profile, budget, submitted_by="A business association (letter)",
        summary="Members bidding for district contracts need budget execution by district every quarter.",
        received_on=day(-230),
    )  # fmt: skip
    for number, criteria, recommendation, reason in [
        (bus, (3, 3, 3, 0), "include", "Kept in an automated system; asked for in information requests."),
        (budget, (3, 2, 1, 3), "include", "Published only as scanned reports; strong demand from business."),
        (kindergartens, (3, 1, 1, 0), "defer", "The queue system is being replaced this year."),
        (fines, (0, 2, 2, 0), "exclude", "Holds personal data: access is restricted by law."),
    ]:
        values = dict(
            zip(("restriction", "demand", "readiness", "not_machine_readable"), criteria, strict=True)
        )
        selection.set_assessment(
            session, secretary, profile, number, criteria=values, recommendation=recommendation, reason=reason
        )
    first = commission.create_session(
        session,
        secretary,
        profile,
        title="Review of candidates for the list",
        held_on=day(-200),
        place="Astana",
    )
    votes = {
        bus: ("recommend", "recommend", "recommend"),
        budget: ("recommend", None, "recommend"),  # the second member declares a conflict of interest
        kindergartens: ("defer", "defer", "recommend"),
        fines: ("reject", "reject", "reject"),
    }
    decisions = {
        bus: ("recommend", "Unanimous: the data exist in machine-readable form and are in demand."),
        budget: ("recommend", "Socially significant information; the conflicted member did not vote."),
        kindergartens: ("defer", "To be considered again when the new queue system runs."),
        fines: ("reject", "Personal data: not to be opened. An aggregate by district may be proposed."),
    }
    for number, member_votes in votes.items():
        commission.add_agenda_item(session, secretary, profile, first.number, number)
        for member, vote in zip(MEMBERS, member_votes, strict=True):
            if vote is None:
                commission.add_conflict(
                    session,
                    act[member],
                    profile,
                    first.number,
                    number,
                    "Advises a bidder for district contracts.",
                )
            else:
                commission.set_vote(session, act[member], profile, first.number, number, vote=vote)
        decision, rationale = decisions[number]
        commission.set_decision(
            session, secretary, profile, first.number, number, decision=decision, rationale=rationale
        )
    commission.close_session(session, secretary, profile, first.number)
    second = commission.create_session(
        session, secretary, profile, title="Deferred and new candidates", held_on=day(14), place="Astana"
    )
    commission.add_agenda_item(session, secretary, profile, second.number, kindergartens)
    commission.add_agenda_item(session, secretary, profile, second.number, air)
    commission.set_vote(
        session, act[MEMBERS[0]], profile, second.number, air, vote="recommend", comment="Daily data exist."
    )

    v1 = lists.create_draft(session, owner, profile, note="The first unified list.")
    for item in [
        lists.ItemData(proposal=str(bus), due_on=day(-150), update_frequency="QUARTERLY"),
        lists.ItemData(proposal=str(budget), due_on=day(-60), update_frequency="QUARTERLY"),
        lists.ItemData(
            title="Register of issued licences", organization="ministry-of-justice", due_on=day(200)
        ),
    ]:
        lists.add_list_item(session, owner, profile, v1.number, item)
    lists.set_approval(
        session, owner, profile, v1.number, act_number="100", act_date=day(-190), act_title=_act(profile)
    )
    v2 = lists.create_draft(
        session, owner, profile, note="Adds air quality; gives the budget item more time."
    )
    codes = {i.title: i.code for i in lists.items_of(session, v2)}
    lists.update_list_item(
        session, owner, profile, v2.number, codes["Budget execution by district"],
        lists.ItemData(title="Budget execution by district", organization="ministry-of-finance",
                       due_on=day(-30), update_frequency="QUARTERLY"),
    )  # fmt: skip
    lists.remove_list_item(session, owner, profile, v2.number, codes["Register of issued licences"])
    lists.add_list_item(
        session, owner, profile, v2.number,
        lists.ItemData(title="Air quality, daily readings by station", organization="ministry-of-ecology",
                       due_on=day(120), update_frequency="DAILY"),
    )  # fmt: skip
    lists.set_approval(
        session, owner, profile, v2.number, act_number="412", act_date=day(-40), act_title=_act(profile)
    )
    in_force = {i.title: i.code for i in lists.items_of(session, v2)}
    lists.set_fulfilment(
        session, almaty, profile, in_force["Bus timetables of Almaty routes"], "almaty-bus-routes"
    )
    lists.set_fulfilment(
        session,
        owner,
        profile,
        in_force["Air quality, daily readings by station"],
        "almaty-air-quality-daily",
    )
    return len(numbers)


def _act(profile: Profile) -> str:
    act = selection.rules_for(profile).act
    return act.get(profile.default_language) or next(iter(act.values()), "")
