"""Choosing what to open, the service: organizations' data holdings, proposals and their supports (one
person, one support), demand evidence and the demand index, the assessment on four criteria, and
consultation records. The Commission is in `commission_service`, the unified list and compliance in
`list_service` (also service modules: their changes are authorized the same way)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import audit, demand, storage
from derek.core.authz import Actor, authorize, can
from derek.core.db import utcnow
from derek.core.errors import Conflict, Invalid, NotFound
from derek.core.storage import StoredFile
from derek.info_requests import service as info_requests
from derek.quality import service as quality
from derek.selection.models import (
    ACCESS,
    CRITERIA,
    PROPOSAL_STATUSES,
    RECOMMENDATIONS,
    Assessment,
    Consultation,
    DataHolding,
    Proposal,
    Support,
    as_dict,
)
from derek.selection.policy import Target
from derek.selection.rules import SelectionRules, rules_for

__all__ = ["rules_for", "SelectionRules"]

MAX_KEYWORDS = 10
# a consultation document the personal-data guard passed (clean, or only organisations' contacts) is
# public; one with personal data, or in a format it cannot read (a scanned letter), only for officials
PUBLIC_CHECKS = ("clean", "warnings")
MAX_TEXT = 20_000


# ---------------------------------------------------------------- who is who


def bodies(session: Session, profile: Profile) -> tuple[str | None, str | None]:
    """(the Commission's organization id, the list owner's), None for one not created on the portal."""
    rules = rules_for(profile)
    return catalog.organization_id_of(session, rules.commission), catalog.organization_id_of(
        session, rules.list_owner
    )


def target(session: Session, profile: Profile, organization_id: str | None = None) -> Target:
    commission_id, owner_id = bodies(session, profile)
    return Target(organization_id, commission_id, owner_id)


def local_today(profile: Profile, now: datetime | None = None) -> date:
    return catalog.local_today(profile, now)


def insert_numbered(session: Session, row: Any, take_next: Callable[[], None], busy: str) -> None:
    """Add a row under the next free number (or code) that take_next gives it: when another request took
    that number meanwhile, the unique key refuses it and the next one is tried, up to 20 times."""
    for _attempt in range(20):
        take_next()
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return
        except IntegrityError:
            continue
    raise Conflict(busy)


def _text(value: str, name: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise Invalid(f"{label} is required.", errors={name: [f"{label} is required."]})
    if len(value) > limit:
        message = f"{label} is too long: at most {limit} characters, not {len(value)}."
        raise Invalid(message, errors={name: [message]})
    return value


def _organization(session: Session, name_or_id: str) -> str:
    org_id = catalog.organization_id_of(session, (name_or_id or "").strip())
    if org_id is None:
        message = f"There is no organization {name_or_id!r}."
        raise Invalid(message, errors={"organization": [message]})
    return org_id


def _keywords(raw: Sequence[str] | str, fallback: str) -> list[str]:
    items = re.split(r"[,;\n]", raw) if isinstance(raw, str) else list(raw)
    words: list[str] = []
    for item in items:
        word = re.sub(r"\s+", " ", str(item)).strip().lower()[:100]
        if word and word not in words:
            words.append(word)
    if not words:
        words = [re.sub(r"\s+", " ", fallback).strip().lower()[:100]]
    if len(words) > MAX_KEYWORDS:
        message = f"At most {MAX_KEYWORDS} keywords, not {len(words)}."
        raise Invalid(message, errors={"keywords": [message]})
    return words


# ---------------------------------------------------------------- the inventory of data holdings


@dataclass
class HoldingData:
    organization: str
    title: str
    description: str = ""
    information_system: str = ""
    access: str = "open"
    access_basis: str = ""
    formats: str = ""
    automated: bool = False
    machine_readable: bool = False
    dataset: str = ""  # the dataset already publishing it (name), if any


def _holding_values(session: Session, data: HoldingData) -> dict[str, Any]:
    if data.access not in ACCESS:
        message = f"Unknown access {data.access!r}: use one of {', '.join(ACCESS)}."
        raise Invalid(message, errors={"access": [message]})
    basis = _text(data.access_basis, "access_basis", "The legal basis", required=False, limit=500)
    if data.access != "open" and not basis:
        message = "Name the law that restricts access."
        raise Invalid(message, errors={"access_basis": [message]})
    dataset_id = None
    if data.dataset.strip():
        found = catalog.publications(session, [data.dataset.strip()])
        if not found:
            message = f"There is no dataset {data.dataset!r}."
            raise Invalid(message, errors={"dataset": [message]})
        dataset_id = next(iter(found))
    return {
        "title": _text(data.title, "title", "The title", limit=300),
        "description": _text(data.description, "description", "The description", required=False),
        "information_system": _text(
            data.information_system, "information_system", "The information system", required=False, limit=300
        ),
        "access": data.access,
        "access_basis": basis,
        "formats": _text(data.formats, "formats", "The formats", required=False, limit=200),
        "automated": bool(data.automated),
        "machine_readable": bool(data.machine_readable),
        "dataset_id": dataset_id,
    }


def create_holding(session: Session, actor: Actor, profile: Profile, data: HoldingData) -> DataHolding:
    org_id = _organization(session, data.organization)
    authorize(actor, "selection.keep_inventory", target(session, profile, org_id))
    holding = DataHolding(organization_id=org_id, created_by=actor.user_id, **_holding_values(session, data))
    session.add(holding)
    session.flush()
    audit.record(session, actor, "holding.create", "data_holding", holding.id, None, {"title": holding.title})
    return holding


def get_holding(session: Session, holding_id: str) -> DataHolding:
    holding = session.get(DataHolding, holding_id)
    if holding is None:
        raise NotFound(f"There is no data holding {holding_id!r}.")
    return holding


def update_holding(
    session: Session, actor: Actor, profile: Profile, holding_id: str, data: HoldingData
) -> DataHolding:
    holding = get_holding(session, holding_id)
    authorize(actor, "selection.keep_inventory", target(session, profile, holding.organization_id))
    values = _holding_values(session, data)
    before = as_dict(holding, *values)
    for key, value in values.items():
        setattr(holding, key, value)
    audit.record(
        session, actor, "holding.update", "data_holding", holding.id, before, as_dict(holding, *values)
    )
    return holding


def delete_holding(session: Session, actor: Actor, profile: Profile, holding_id: str) -> None:
    holding = get_holding(session, holding_id)
    authorize(actor, "selection.keep_inventory", target(session, profile, holding.organization_id))
    audit.record(session, actor, "holding.delete", "data_holding", holding.id, {"title": holding.title}, None)
    session.delete(holding)


def list_holdings(
    session: Session, *, organization: str | None = None, access: str | None = None, limit: int = 500
) -> list[DataHolding]:
    stmt = select(DataHolding)
    if organization:
        stmt = stmt.where(DataHolding.organization_id == _organization(session, organization))
    if access:
        stmt = stmt.where(DataHolding.access == access)
    return list(session.scalars(stmt.order_by(DataHolding.organization_id, DataHolding.title).limit(limit)))


# ---------------------------------------------------------------- proposals and supports


@dataclass
class ProposalData:
    title: str
    organization: str
    description: str = ""
    reason: str = ""
    keywords: Sequence[str] | str = ()
    holding: str = ""  # a data holding's id: the proposal is to open it


def create_proposal(session: Session, actor: Actor, profile: Profile, data: ProposalData) -> Proposal:
    authorize(actor, "selection.propose")
    title = _text(data.title, "title", "The title", limit=300)
    if len(title) < 5:
        raise Invalid(
            "The title is too short: say what data, in 5 characters or more.",
            errors={"title": ["Too short."]},
        )
    org_id = _organization(session, data.organization)
    holding_id = None
    if data.holding:
        holding = session.get(DataHolding, data.holding)
        if holding is None:
            message = f"There is no data holding {data.holding!r}."
            raise Invalid(message, errors={"holding": [message]})
        if holding.organization_id != org_id:
            message = "The data holding belongs to another organization."
            raise Invalid(message, errors={"holding": [message]})
        holding_id = holding.id
    proposal = Proposal(
        title=title,
        description=_text(data.description, "description", "The description", required=False),
        reason=_text(data.reason, "reason", "The reason", required=False),
        organization_id=org_id,
        holding_id=holding_id,
        proposer_id=actor.user_id,
        keywords=_keywords(data.keywords, title),
        status="proposed",
        criteria={},
    )
    insert_numbered(
        session,
        proposal,
        lambda: setattr(proposal, "number", (session.scalar(select(func.max(Proposal.number))) or 0) + 1),
        "Too many proposals are being made at once: send it again in a moment.",
    )
    audit.record(
        session,
        actor,
        "proposal.create",
        "proposal",
        proposal.id,
        None,
        {"number": proposal.number, "title": title},
    )
    return proposal


MAX_NUMBER = 2_147_483_647  # proposals, sessions and list versions are numbered in 32-bit columns


def number_in(value: int | str, prefix: str = "") -> int | None:
    """The number an address or a form names ("P-12" with prefix "P-"), or None when it names none the
    database could hold (a longer one would fail in the query, not be missing)."""
    text = str(value).strip()
    text = text[len(prefix) :] if prefix and text.upper().startswith(prefix.upper()) else text
    try:
        wanted = int(text)
    except ValueError:
        return None
    return wanted if 0 <= wanted <= MAX_NUMBER else None


def find_proposal(session: Session, number: int | str) -> Proposal:
    wanted = number_in(number, "P-")
    if wanted is None:
        raise NotFound(f"There is no proposal {number!r}.")
    proposal = session.scalar(select(Proposal).where(Proposal.number == wanted))
    if proposal is None:
        raise NotFound(f"There is no proposal P-{wanted}.")
    return proposal


def update_proposal(
    session: Session, actor: Actor, profile: Profile, number: int | str, data: ProposalData
) -> Proposal:
    """The responsible officials (or the secretariat) sharpen a proposal: its words and keywords."""
    proposal = find_proposal(session, number)
    authorize(actor, "selection.assess", target(session, profile, proposal.organization_id))
    before = as_dict(proposal, "title", "description", "reason", "keywords")
    proposal.title = _text(data.title, "title", "The title", limit=300)
    proposal.description = _text(data.description, "description", "The description", required=False)
    proposal.reason = _text(data.reason, "reason", "The reason", required=False)
    proposal.keywords = _keywords(data.keywords, proposal.title)
    audit.record(
        session,
        actor,
        "proposal.update",
        "proposal",
        proposal.id,
        before,
        as_dict(proposal, "title", "description", "reason", "keywords"),
    )
    return proposal


def list_proposals(
    session: Session,
    *,
    status: str | None = None,
    organization: str | None = None,
    q: str = "",
    limit: int = 200,
) -> list[Proposal]:
    stmt = select(Proposal)
    if status:
        if status not in PROPOSAL_STATUSES:
            raise Invalid(f"Unknown status {status!r}: use one of {', '.join(PROPOSAL_STATUSES)}.")
        stmt = stmt.where(Proposal.status == status)
    if organization:
        stmt = stmt.where(Proposal.organization_id == _organization(session, organization))
    for word in re.findall(r"\w+", q.lower())[:5]:
        stmt = stmt.where(Proposal.title.ilike(f"%{word}%") | Proposal.description.ilike(f"%{word}%"))
    return list(session.scalars(stmt.order_by(Proposal.number.desc()).limit(limit)))


def support_counts(session: Session, proposal_ids: Sequence[str]) -> dict[str, int]:
    if not proposal_ids:
        return {}
    rows = session.execute(
        select(Support.proposal_id, func.count())
        .where(Support.proposal_id.in_(proposal_ids))
        .group_by(Support.proposal_id)
    )
    return {pid: int(n) for pid, n in rows.tuples()}


def has_supported(session: Session, actor: Actor, proposal: Proposal) -> bool:
    if actor.user_id is None:
        return False
    found = session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == actor.user_id)
    )
    return found is not None


def add_support(session: Session, actor: Actor, number: int | str) -> tuple[Proposal, bool]:
    """Support a proposal: one person, one support. (proposal, True) when counted now, False when the
    person had supported it before (the database's unique key decides, also for two clicks at once)."""
    authorize(actor, "selection.support")
    proposal = find_proposal(session, number)
    assert actor.user_id is not None  # the rule lets only people support
    try:
        with session.begin_nested():
            session.add(Support(proposal_id=proposal.id, user_id=actor.user_id))
            session.flush()
    except IntegrityError:
        return proposal, False
    audit.record(session, actor, "proposal.support", "proposal", proposal.id, None, {"supported": True})
    return proposal, True


def remove_support(session: Session, actor: Actor, number: int | str) -> Proposal:
    authorize(actor, "selection.support")
    proposal = find_proposal(session, number)
    support = session.scalar(
        select(Support).where(Support.proposal_id == proposal.id, Support.user_id == actor.user_id)
    )
    if support is not None:
        session.delete(support)
        audit.record(session, actor, "proposal.unsupport", "proposal", proposal.id, {"supported": True}, None)
    return proposal


# ---------------------------------------------------------------- consultation records


def check_may_assess(session: Session, actor: Actor, profile: Profile, number: int | str) -> Proposal:
    """Refuse early (before a document is stored) unless the actor may record a consultation."""
    proposal = find_proposal(session, number)
    authorize(actor, "selection.assess", target(session, profile, proposal.organization_id))
    return proposal


@dataclass
class ConsultationFile:
    filename: str
    media_type: str
    stored: StoredFile


def add_consultation(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    *,
    submitted_by: str,
    summary: str,
    received_on: date | None,
    document: ConsultationFile | None = None,
    today: date | None = None,
) -> Consultation:
    proposal = check_may_assess(session, actor, profile, number)
    day = received_on or today or local_today(profile)
    if today is not None and day > today:
        raise Invalid(
            "The submission cannot be received in the future.", errors={"received_on": ["In the future."]}
        )
    record = Consultation(
        proposal_id=proposal.id,
        submitted_by=_text(submitted_by, "submitted_by", "Who made the submission", limit=300),
        summary=_text(summary, "summary", "The summary"),
        received_on=day,
        entered_by=actor.user_id,
    )
    if document is not None:
        record.filename = document.filename[:255]
        record.media_type = document.media_type[:100]
        record.size = document.stored.size
        record.sha256 = document.stored.sha256
        record.check, _findings = quality.check_file(document.stored.path, document.filename, profile)
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        "proposal.consultation",
        "proposal",
        proposal.id,
        None,
        {"submitted_by": record.submitted_by, "document": record.filename},
    )
    return record


def consultations_of(session: Session, proposal: Proposal) -> list[Consultation]:
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.proposal_id == proposal.id)
            .order_by(Consultation.received_on.desc())
        )
    )


def document_withheld(session: Session, actor: Actor, profile: Profile, record: Consultation) -> bool:
    """A document the personal-data guard found personal data in, or could not read (a PDF, a scan), is
    served only to the officials who may assess the proposal."""
    if record.check in PUBLIC_CHECKS:
        return False
    proposal = session.get(Proposal, record.proposal_id)
    return proposal is None or not may_assess(session, actor, profile, proposal)


def get_consultation(session: Session, consultation_id: str) -> Consultation:
    record = session.get(Consultation, consultation_id)
    if record is None:
        raise NotFound(f"There is no consultation record {consultation_id!r}.")
    return record


@storage.references
def _stored_file_in_use(session: Session, sha256: str) -> bool:
    """A consultation record's document is this stored file."""
    return session.scalar(select(Consultation.id).where(Consultation.sha256 == sha256).limit(1)) is not None


# ---------------------------------------------------------------- demand evidence and index


@demand.source("support")
def _supports_as_evidence(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any]
) -> list[demand.Evidence]:
    proposal_id = context.get("proposal_id")
    if not proposal_id:
        return []
    count = support_counts(session, [proposal_id]).get(proposal_id, 0)
    if not count:
        return []
    last = session.scalar(select(func.max(Support.at)).where(Support.proposal_id == proposal_id))
    return [demand.Evidence(kind="support", title="", count=count, on=last.date() if last else None)]


@demand.source("consultation")
def _consultations_as_evidence(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any]
) -> list[demand.Evidence]:
    proposal_id = context.get("proposal_id")
    if not proposal_id:
        return []
    rows = session.scalars(
        select(Consultation).where(Consultation.proposal_id == proposal_id).order_by(Consultation.received_on)
    )
    return [
        demand.Evidence(
            kind="consultation",
            title=r.submitted_by,
            detail=r.summary[:300],
            url=f"/selection/consultations/{r.id}/document" if r.sha256 and r.check in PUBLIC_CHECKS else "",
            on=r.received_on,
        )
        for r in rows
    ]


@dataclass
class Demand:
    """A candidate's demand evidence by kind, and its index: the sum of each kind's count times the
    profile's weight for it."""

    evidence: dict[str, list[demand.Evidence]]
    points: dict[str, int] = field(default_factory=dict)  # per kind: count x weight
    counts: dict[str, int] = field(default_factory=dict)  # per kind: the pieces' counts added up
    index: int = 0

    @property
    def pieces(self) -> int:
        return sum(len(items) for items in self.evidence.values())


def demand_for(session: Session, profile: Profile, proposal: Proposal, today: date | None = None) -> Demand:
    rules = rules_for(profile)
    evidence = demand.gather(
        session,
        profile,
        proposal.keywords or [proposal.title],
        {"proposal_id": proposal.id, "today": today or local_today(profile)},
    )
    # words people typed may hold an identity number or a name's e-mail in a form the log did not catch
    evidence = {
        kind: [replace(e, title=quality.mask_text(e.title, profile)) for e in items]
        if kind == "search"
        else items
        for kind, items in evidence.items()
    }
    found = Demand(evidence=evidence)
    for kind, items in evidence.items():
        found.counts[kind] = sum(item.count for item in items)
        found.points[kind] = found.counts[kind] * rules.weights.get(kind, 1)
    found.index = sum(found.points.values())
    return found


# ---------------------------------------------------------------- the assessment on four criteria


def score_of(criteria: dict[str, int]) -> int:
    """0-100: the four criteria's points (0-3 each) out of 12."""
    return round(100 * sum(criteria.get(c, 0) for c in CRITERIA) / (3 * len(CRITERIA)))


def suggested(criteria: dict[str, int]) -> str:
    """What the score alone recommends: a legal restriction excludes; half the points or more includes."""
    if criteria.get("restriction", 0) == 0:
        return "exclude"
    return "include" if score_of(criteria) >= 50 else "defer"


def suggest_criteria(session: Session, profile: Profile, proposal: Proposal, index: int) -> dict[str, int]:
    """A starting point for the official: from the data holding (access, automation, formats) and the
    demand index against the profile's thresholds."""
    rules = rules_for(profile)
    holding = session.get(DataHolding, proposal.holding_id) if proposal.holding_id else None
    demand_points = sum(1 for t in rules.thresholds if index >= t)
    if holding is None:
        return {"restriction": 3, "demand": demand_points, "readiness": 1, "not_machine_readable": 0}
    restriction = {"open": 3, "restricted": 0, "secret": 0}[holding.access]
    readiness = 3 if holding.automated and holding.machine_readable else 2 if holding.machine_readable else 1
    published_badly = holding.dataset_id is not None and not holding.machine_readable
    return {
        "restriction": restriction,
        "demand": demand_points,
        "readiness": readiness,
        "not_machine_readable": 3 if published_badly else 0,
    }


def set_assessment(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    *,
    criteria: dict[str, Any],
    recommendation: str,
    reason: str,
) -> Assessment:
    """Assess (or reassess) a proposal; every version is kept with the official's reason."""
    proposal = find_proposal(session, number)
    authorize(actor, "selection.assess", target(session, profile, proposal.organization_id))
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    for name in CRITERIA:
        raw = criteria.get(name)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= 3:
            errors[name] = ["Give a score from 0 to 3."]
        values[name] = value
    unknown = set(criteria) - set(CRITERIA)
    if unknown:
        errors["criteria"] = [f"Unknown criteria: {', '.join(sorted(unknown))}."]
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = [f"Choose one of {', '.join(RECOMMENDATIONS)}."]
    text = (reason or "").strip()
    if not text:
        errors["reason"] = ["Give the reason for this assessment."]
    elif len(text) > MAX_TEXT:
        errors["reason"] = [f"At most {MAX_TEXT} characters."]
    if errors:
        raise Invalid("The assessment is not complete: " + "; ".join(sorted(errors)) + ".", errors=errors)
    score = score_of(values)
    row = Assessment(
        proposal_id=proposal.id,
        criteria=values,
        score=score,
        recommendation=recommendation,
        suggested=suggested(values),
        reason=text,
        actor_id=actor.user_id,
        actor_name=actor.name,
    )
    session.add(row)
    before = {
        "criteria": proposal.criteria,
        "score": proposal.score,
        "recommendation": proposal.recommendation,
    }
    proposal.criteria, proposal.score, proposal.recommendation = values, score, recommendation
    proposal.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "proposal.assess",
        "proposal",
        proposal.id,
        before,
        {"criteria": values, "score": score, "recommendation": recommendation, "reason": text},
    )
    session.flush()
    return row


def assessments_of(session: Session, proposal: Proposal) -> list[Assessment]:
    """The proposal's assessments, the one in force first."""
    return list(
        session.scalars(
            select(Assessment).where(Assessment.proposal_id == proposal.id).order_by(Assessment.id.desc())
        )
    )


def may_assess(session: Session, actor: Actor, profile: Profile, proposal: Proposal) -> bool:
    return can(actor, "selection.assess", target(session, profile, proposal.organization_id))


# ---------------------------------------------------------------- unmet demand


CANDIDATES = 60


@dataclass(frozen=True)
class UnmetTopic:
    topic: str
    requests: int  # information requests with this topic
    searches: int  # days on which these words were searched and found little
    datasets: int  # public datasets the catalog finds for it now


def unmet_demand(
    session: Session, actor: Actor, profile: Profile, today: date, *, limit: int = 30
) -> list[UnmetTopic]:
    """The most asked topics of information requests and the most frequent searches that found little,
    each kept only while the catalog still finds no public dataset for it."""
    topics: dict[str, list[int]] = {}
    for topic, n in info_requests.topic_counts(session, limit=200):
        topics.setdefault(topic.strip().lower(), [0, 0])[0] += n
    for logged in catalog.unmet_searches(session, today, limit=200):
        topics.setdefault(logged.query, [0, 0])[1] += logged.days
    ranked = sorted(topics.items(), key=lambda kv: (-(kv[1][0] * 3 + kv[1][1]), kv[0]))
    found: list[UnmetTopic] = []
    # one catalog search per candidate: the most asked CANDIDATES only, however long the tail
    for topic, (requests, searches) in ranked[: max(limit * 3, CANDIDATES)]:
        if len(found) >= limit:
            break
        hits = catalog.search_datasets(session, actor, catalog.SearchQuery(q=topic, rows=0)).count
        if hits == 0:
            found.append(UnmetTopic(quality.mask_text(topic, profile), requests, searches, hits))
    return found
