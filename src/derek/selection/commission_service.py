"""The Commission: sessions with an agenda of proposals, each member's vote (recommend, reject, defer)
with a comment, declared conflicts of interest (a member with one does not vote on that item), the
secretariat's decision with its rationale, and the minutes. Members are the users with the role "member"
in the organization the profile names as the Commission; its admins and editors are the secretariat.

A decision needs a quorum: more than half of the members who may vote on the item (the members without
a declared conflict) have voted. A closed session changes no more."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core import audit
from derek.core.accounts import Membership, User
from derek.core.authz import Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Conflict, Forbidden, Invalid, NotFound
from derek.selection.models import (
    VOTES,
    AgendaItem,
    CommissionSession,
    ConflictOfInterest,
    Proposal,
    Vote,
)
from derek.selection.service import _text, demand_for, find_proposal, insert_numbered, number_in, target

DECISION_STATUS = {"recommend": "recommended", "reject": "rejected", "defer": "deferred"}
AGENDA_READY = ("proposed", "deferred", "on_agenda")


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    display: str  # the full name, else the user name


def members(session: Session, profile: Profile) -> list[Member]:
    """The Commission's voting members (role "member" in its organization), by name."""
    commission_id = target(session, profile).commission_id
    if commission_id is None:
        return []
    rows = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == commission_id, Membership.role == "member", User.state == "active"
        )
        .order_by(User.fullname, User.name)
    )
    return [Member(u.id, u.name, u.fullname or u.name) for u in rows]


def _run(session: Session, actor: Actor, profile: Profile) -> None:
    authorize(actor, "selection.run_commission", target(session, profile))


def find_session(session: Session, number: int | str) -> CommissionSession:
    wanted = number_in(number)
    if wanted is None:
        raise NotFound(f"There is no Commission session {number!r}.")
    found = session.scalar(select(CommissionSession).where(CommissionSession.number == wanted))
    if found is None:
        raise NotFound(f"There is no Commission session No. {wanted}.")
    return found


def list_sessions(session: Session) -> list[CommissionSession]:
    return list(session.scalars(select(CommissionSession).order_by(CommissionSession.number.desc())))


def create_session(
    session: Session, actor: Actor, profile: Profile, *, title: str, held_on: date | None, place: str = ""
) -> CommissionSession:
    _run(session, actor, profile)
    if held_on is None:
        raise Invalid("Give the date of the session.", errors={"held_on": ["Give the date of the session."]})
    row = CommissionSession(
        title=_text(title, "title", "The title", limit=300),
        held_on=held_on,
        place=_text(place, "place", "The place", required=False, limit=300),
        status="planned",
        created_by=actor.user_id,
    )
    insert_numbered(
        session,
        row,
        lambda: setattr(row, "number", (session.scalar(select(func.max(CommissionSession.number))) or 0) + 1),
        "Too many sessions are being planned at once: try again in a moment.",
    )
    audit.record(
        session, actor, "commission.session", "commission_session", row.id, None, {"title": row.title}
    )
    return row


def _open_session(session: Session, number: int | str) -> CommissionSession:
    """The session, while it is open (a closed session's record does not change)."""
    row = find_session(session, number)
    if row.status != "planned":
        raise Conflict(f"Session No. {row.number} is closed: its record does not change.")
    return row


def _item(session: Session, row: CommissionSession, proposal: Proposal) -> AgendaItem:
    item = session.scalar(
        select(AgendaItem).where(AgendaItem.session_id == row.id, AgendaItem.proposal_id == proposal.id)
    )
    if item is None:
        raise NotFound(f"P-{proposal.number} is not on the agenda of session No. {row.number}.")
    return item


def add_agenda_item(
    session: Session, actor: Actor, profile: Profile, number: int | str, proposal_number: int | str
) -> AgendaItem:
    _run(session, actor, profile)
    row = _open_session(session, number)
    proposal = find_proposal(session, proposal_number)
    if proposal.status not in AGENDA_READY:
        raise Conflict(
            f"P-{proposal.number} is {proposal.status}: only a new or deferred proposal goes on an agenda."
        )
    elsewhere = session.scalar(
        select(CommissionSession.number)
        .join(AgendaItem, AgendaItem.session_id == CommissionSession.id)
        .where(
            AgendaItem.proposal_id == proposal.id,
            AgendaItem.decision == "",
            CommissionSession.status == "planned",
            CommissionSession.id != row.id,
        )
    )
    if elsewhere is not None:
        raise Conflict(f"P-{proposal.number} is already on the agenda of session No. {elsewhere}.")
    position = (
        session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.session_id == row.id)) or 0
    ) + 1
    item = AgendaItem(session_id=row.id, proposal_id=proposal.id, position=position)
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        raise Conflict(f"P-{proposal.number} is already on this agenda.") from None
    proposal.status = "on_agenda"
    audit.record(
        session, actor, "commission.agenda", "commission_session", row.id, None, {"proposal": proposal.number}
    )
    return item


def remove_agenda_item(
    session: Session, actor: Actor, profile: Profile, number: int | str, proposal_number: int | str
) -> None:
    _run(session, actor, profile)
    row = _open_session(session, number)
    proposal = find_proposal(session, proposal_number)
    item = _item(session, row, proposal)
    if item.decision:
        raise Conflict(f"The Commission decided on P-{proposal.number}: the item stays on the agenda.")
    # once a quorum has voted the item is for a decision (defer is one): taking it off would erase the
    # votes from the record; without a quorum it may go (to a later session)
    record = next(r for r in session_record(session, profile, row) if r.item.id == item.id)
    if record.has_quorum:
        raise Conflict(
            f"A quorum voted on P-{proposal.number}: record the decision (it may defer) instead of taking "
            "it off the agenda."
        )
    session.delete(item)
    session.flush()
    # back to what it was: deferred by an earlier session, else new (a listed one stays listed)
    earlier = session.scalar(
        select(AgendaItem.id).where(AgendaItem.proposal_id == proposal.id, AgendaItem.decision == "defer")
    )
    if proposal.status == "on_agenda":
        proposal.status = "deferred" if earlier else "proposed"
    audit.record(
        session, actor, "commission.agenda", "commission_session", row.id, {"proposal": proposal.number}, None
    )


def _voter(session: Session, actor: Actor, profile: Profile) -> str:
    authorize(actor, "selection.vote", target(session, profile))
    if actor.user_id is None or actor.user_id not in {m.user_id for m in members(session, profile)}:
        raise Forbidden("Only the Commission's members vote and declare conflicts of interest.")
    return actor.user_id


def set_vote(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    proposal_number: int | str,
    *,
    vote: str,
    comment: str = "",
) -> Vote:
    """A member's vote on an agenda item (a second call changes it until the decision is recorded)."""
    member_id = _voter(session, actor, profile)
    row = _open_session(session, number)
    item = _item(session, row, find_proposal(session, proposal_number))
    if item.decision:
        raise Conflict("The decision on this item is recorded: votes no longer change.")
    if vote not in VOTES:
        message = f"Vote one of {', '.join(VOTES)}."
        raise Invalid(message, errors={"vote": [message]})
    conflicted = session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.item_id == item.id, ConflictOfInterest.member_id == member_id
        )
    )
    if conflicted is not None:
        raise Conflict("You declared a conflict of interest on this item: you do not vote on it.")
    text = _text(comment, "comment", "The comment", required=False, limit=5000)
    existing = session.scalar(select(Vote).where(Vote.item_id == item.id, Vote.member_id == member_id))
    before = {"vote": existing.vote} if existing else None
    if existing is None:
        existing = Vote(item_id=item.id, member_id=member_id, vote=vote, comment=text)
        session.add(existing)
    else:
        existing.vote, existing.comment, existing.at = vote, text, utcnow()
    session.flush()
    audit.record(session, actor, "commission.vote", "commission_agenda_item", item.id, before, {"vote": vote})
    return existing


def add_conflict(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    proposal_number: int | str,
    statement: str,
) -> ConflictOfInterest:
    """A member declares a conflict of interest on an item: any vote of theirs on it is withdrawn."""
    member_id = _voter(session, actor, profile)
    row = _open_session(session, number)
    item = _item(session, row, find_proposal(session, proposal_number))
    if item.decision:
        raise Conflict("The decision on this item is recorded.")
    text = _text(statement, "statement", "The statement of the conflict", limit=2000)
    existing = session.scalar(
        select(ConflictOfInterest).where(
            ConflictOfInterest.item_id == item.id, ConflictOfInterest.member_id == member_id
        )
    )
    if existing is not None:
        existing.statement = text
        return existing
    vote = session.scalar(select(Vote).where(Vote.item_id == item.id, Vote.member_id == member_id))
    if vote is not None:
        session.delete(vote)
    conflict = ConflictOfInterest(item_id=item.id, member_id=member_id, statement=text)
    session.add(conflict)
    session.flush()
    audit.record(
        session, actor, "commission.conflict", "commission_agenda_item", item.id, None, {"statement": text}
    )
    return conflict


@dataclass
class ItemRecord:
    """An agenda item as the session page and the minutes show it."""

    item: AgendaItem
    proposal: Proposal
    votes: list[tuple[Member, Vote]] = field(default_factory=list)
    conflicts: list[tuple[Member, ConflictOfInterest]] = field(default_factory=list)
    eligible: int = 0  # members who may vote (without a conflict)

    @property
    def tally(self) -> dict[str, int]:
        counted = Counter(v.vote for _m, v in self.votes)
        return {v: counted.get(v, 0) for v in VOTES}

    @property
    def quorum(self) -> int:
        return self.eligible // 2 + 1

    @property
    def has_quorum(self) -> bool:
        return len(self.votes) >= self.quorum

    @property
    def majority(self) -> str:
        """The vote with the most members behind it ("" on a tie or with no votes)."""
        ranked = Counter(v.vote for _m, v in self.votes).most_common()
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return ""
        return ranked[0][0]


def members_of(session: Session, profile: Profile, row: CommissionSession) -> list[Member]:
    """The voting members of a session: as they were when it closed, else the Commission's today."""
    if row.status == "closed" and row.members:
        return [Member(m["id"], m.get("name", ""), m["display"]) for m in row.members]
    return members(session, profile)


def session_record(session: Session, profile: Profile, row: CommissionSession) -> list[ItemRecord]:
    everyone = {m.user_id: m for m in members_of(session, profile, row)}
    items = list(
        session.scalars(
            select(AgendaItem).where(AgendaItem.session_id == row.id).order_by(AgendaItem.position)
        )
    )
    proposals = {
        p.id: p
        for p in session.scalars(select(Proposal).where(Proposal.id.in_([i.proposal_id for i in items])))
    }
    records = []
    for item in items:
        record = ItemRecord(item, proposals[item.proposal_id])
        for vote in session.scalars(select(Vote).where(Vote.item_id == item.id).order_by(Vote.at)):
            member = everyone.get(vote.member_id) or _former(session, vote.member_id)
            record.votes.append((member, vote))
        for conflict in session.scalars(
            select(ConflictOfInterest)
            .where(ConflictOfInterest.item_id == item.id)
            .order_by(ConflictOfInterest.at)
        ):
            member = everyone.get(conflict.member_id) or _former(session, conflict.member_id)
            record.conflicts.append((member, conflict))
        conflicted = {m.user_id for m, _c in record.conflicts}
        # decided: the members who could vote then; open: those who can now
        record.eligible = item.facts.get("eligible", len(set(everyone) - conflicted))
        records.append(record)
    return records


def _former(session: Session, user_id: str) -> Member:
    """A member who has since left the Commission: still named in the record."""
    user = session.get(User, user_id)
    return Member(user_id, user.name if user else "", (user.fullname or user.name) if user else "")


def set_decision(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    proposal_number: int | str,
    *,
    decision: str,
    rationale: str,
) -> AgendaItem:
    """The secretariat records the Commission's decision on an item, with its rationale, once a quorum
    has voted; the proposal becomes recommended, rejected or deferred."""
    _run(session, actor, profile)
    row = _open_session(session, number)
    proposal = find_proposal(session, proposal_number)
    item = _item(session, row, proposal)
    if decision not in VOTES:
        message = f"Decide one of {', '.join(VOTES)}."
        raise Invalid(message, errors={"decision": [message]})
    text = _text(rationale, "rationale", "The rationale")
    # a decision changes only while the proposal is where it left it (not listed since, nor before
    # another session): a later step is not undone from an earlier session
    if item.decision and proposal.status != DECISION_STATUS[item.decision]:
        raise Conflict(f"P-{proposal.number} is {proposal.status} since: this decision no longer changes.")
    record = next(r for r in session_record(session, profile, row) if r.item.id == item.id)
    if not record.has_quorum:
        raise Conflict(
            f"No quorum yet: {len(record.votes)} of {record.eligible} members without a conflict voted, "
            f"{record.quorum} are needed."
        )
    before = {"decision": item.decision} if item.decision else None
    item.facts = {
        "eligible": record.eligible,
        "quorum": record.quorum,
        "demand_index": demand_for(session, profile, proposal).index,
        "score": proposal.score,
        "recommendation": proposal.recommendation,
    }
    item.decision, item.rationale = decision, text
    item.decided_at, item.decided_by = utcnow(), actor.user_id
    if proposal.status != "listed":  # a proposal the approved list took meanwhile stays listed
        proposal.status = DECISION_STATUS[decision]
    audit.record(
        session,
        actor,
        "commission.decision",
        "commission_agenda_item",
        item.id,
        before,
        {"decision": decision, "rationale": text, "tally": record.tally},
    )
    return item


def close_session(session: Session, actor: Actor, profile: Profile, number: int | str) -> CommissionSession:
    """Close a session once every item has its decision: the record (and its minutes) is final."""
    _run(session, actor, profile)
    row = _open_session(session, number)
    undecided = session.scalars(
        select(Proposal.number)
        .join(AgendaItem, AgendaItem.proposal_id == Proposal.id)
        .where(AgendaItem.session_id == row.id, AgendaItem.decision == "")
    ).all()
    if undecided:
        raise Conflict(
            "Record a decision on every item first: " + ", ".join(f"P-{n}" for n in undecided) + "."
        )
    row.members = [{"id": m.user_id, "name": m.name, "display": m.display} for m in members(session, profile)]
    row.status, row.closed_at = "closed", utcnow()
    audit.record(session, actor, "commission.close", "commission_session", row.id, None, {"status": "closed"})
    return row


def decisions_of(session: Session, proposal: Proposal) -> list[tuple[CommissionSession, AgendaItem]]:
    """The sessions that had the proposal on their agenda, newest first."""
    rows = session.execute(
        select(CommissionSession, AgendaItem)
        .join(AgendaItem, AgendaItem.session_id == CommissionSession.id)
        .where(AgendaItem.proposal_id == proposal.id)
        .order_by(CommissionSession.number.desc())
    )
    return [(s, i) for s, i in rows.tuples()]
