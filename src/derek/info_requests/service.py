"""Information requests end to end, framework-free: submitting (with a reference number and a
confirmation), the statutory clock from the profile, the officials' workflow (assign, ask to clarify, extend
once, answer with files, refuse fully or partly on a legal ground), appeals to the profile's reviewer and
the orders they make, the public register, statistics, and request topics as evidence of demand for data.

Every step is an event with its time: the trail the register shows. The requester's name, address and
identity number are shown only to the organization's officials, the reviewer and the requester."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, ResourceCreate
from derek.config import Profile
from derek.core import accounts, audit, demand, storage
from derek.core.accounts import EMAIL_RE, Membership, User
from derek.core.authz import Actor, authorize, can
from derek.core.db import utcnow
from derek.core.errors import Conflict, Invalid, NotFound
from derek.core.i18n import pick
from derek.core.storage import FileStore, StoredFile
from derek.info_requests import notify
from derek.info_requests.models import (
    DECIDED,
    OPEN_STATUSES,
    Appeal,
    InfoRequest,
    RequestAttachment,
    RequestEvent,
)
from derek.info_requests.policy import Target
from derek.info_requests.rules import RequestRules
from derek.info_requests.rules import rules_for as rules_for  # other domains read the rules through here
from derek.info_requests.schemas import (
    Answer,
    AppealRead,
    AttachmentRead,
    DecisionCreate,
    DemandItem,
    EventRead,
    OrgStats,
    RegisterPage,
    RequestCreate,
    Requester,
    RequestRead,
    RequestSummary,
    StatsRead,
)
from derek.quality import service as quality

REFERENCE = re.compile(r"^[0-9]{4}-[0-9]{5,}$")
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class NewFile:
    """A file an official answers with, already streamed into the file store."""

    stored: StoredFile
    filename: str
    media_type: str


# ---------------------------------------------------------------- time and lookups


def local_today(profile: Profile, now: datetime | None = None) -> date:
    """The day it is in the portal's time zone (deadlines are counted in local days)."""
    return (now or utcnow()).astimezone(ZoneInfo(profile.timezone)).date()


def is_overdue(req: InfoRequest, today: date) -> bool:
    """Open past its due date (a request waiting for the requester's clarification is not, while paused)."""
    return req.status in OPEN_STATUSES and req.paused_on is None and req.due_on < today


def find_request(session: Session, reference: str) -> InfoRequest:
    """The request with this reference number (the register is public), or NotFound."""
    req = session.scalar(select(InfoRequest).where(InfoRequest.reference == reference.strip()))
    if req is None:
        raise NotFound(f"There is no information request {reference!r}: check the reference number.")
    return req


def _target(session: Session, rules: RequestRules, req: InfoRequest) -> Target:
    return Target(
        req.organization_id, _reviewer_org_id(session, rules, req.organization_id), req.requester_id
    )


def _reviewer_org_id(session: Session, rules: RequestRules, organization_id: str) -> str | None:
    """The organization whose admins and editors decide appeals: the profile's independent body, or the
    organization's parent (the superior authority). None: only sysadmins."""
    if rules.reviewer.kind == "independent":
        if not rules.reviewer.organization:
            return None
        return catalog.organization_id_of(session, rules.reviewer.organization)
    return catalog.parent_organization_id(session, organization_id)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def holds_key(req: InfoRequest, key: str | None) -> bool:
    """Whether key is the private key of the request's (anonymous) requester."""
    return bool(key and req.access_key_hash) and hmac.compare_digest(
        _key_hash(key or ""), req.access_key_hash
    )


def _requester(
    session: Session, actor: Actor, profile: Profile, reference: str, key: str | None
) -> tuple[InfoRequest, RequestRules]:
    """The request, once the actor is known as its requester (signed in as them, or holding the key):
    the requester's counterpart of _official."""
    rules = rules_for(profile)
    req = find_request(session, reference)
    if not holds_key(req, key):
        authorize(actor, "info_request.act_as_requester", _target(session, rules, req))
    return req, rules


def _event(
    session: Session,
    req: InfoRequest,
    kind: str,
    role: str,
    actor: Actor,
    text: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> RequestEvent:
    event = RequestEvent(
        request_id=req.id,
        kind=kind,
        role=role,
        actor_id=actor.user_id if role != "requester" else None,
        text=text,
        data=data or {},
        at=now or utcnow(),
    )
    session.add(event)
    session.flush()
    after = {"reference": req.reference, "event": kind, "status": req.status, **(data or {})}
    audit.record(session, actor, f"info_request.{kind}", "info_request", req.id, None, after)
    return event


def _check_text(value: str, field: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"{label} is required.", errors={field: [f"{label} is required."]})
    return value


# ---------------------------------------------------------------- submitting


def submit_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    data: RequestCreate,
    *,
    now: datetime | None = None,
) -> tuple[InfoRequest, str | None]:
    """Register a request (or an Open Dialogue question): its reference number, the due date from the
    profile's clock, and a confirmation to the requester's address. Returns the request and, for a
    requester without an account, the private key that lets them clarify, withdraw and appeal."""
    authorize(actor, "info_request.submit", None)
    rules = rules_for(profile)
    org_id = catalog.organization_id_of(session, data.organization)
    if org_id is None:
        raise Invalid(
            f"There is no organization {data.organization!r}.",
            errors={"organization": ["Choose the organization to ask."]},
        )
    errors: dict[str, list[str]] = {}
    name, email = data.name, data.email
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is not None:
        name = name or user.fullname or user.name
        email = email or user.email
    if not email or not EMAIL_RE.match(email):
        errors["email"] = ["Give an e-mail address where the answer can be sent."]
    if not name and not rules.anonymous_allowed:
        errors["name"] = ["The law asks for the requester's name."]
    identifier = re.sub(r"\s+", "", data.identifier)
    if rules.identifier is not None:
        if not identifier:
            errors["identifier"] = [f"The law asks for the requester's {pick(rules.identifier, 'en')}."]
        elif rules.identifier_detectors and not quality.valid_identifier(
            identifier, rules.identifier_detectors
        ):
            errors["identifier"] = [f"{identifier!r} is not a valid {pick(rules.identifier, 'en')}."]
    if errors:
        raise Invalid(
            "The request cannot be sent: " + " ".join(m for ms in errors.values() for m in ms), errors=errors
        )
    now = now or utcnow()
    today = local_today(profile, now)
    due = rules.dialogue_due(today) if data.kind == "question" else rules.due(today)
    key = None if user is not None else secrets.token_urlsafe(24)
    req = InfoRequest(
        kind=data.kind,
        organization_id=org_id,
        subject=data.subject,
        body=data.body,
        language=data.language if data.language in profile.languages else profile.default_language,
        requester_id=actor.user_id,
        requester_name=name,
        requester_email=email,
        requester_identifier=identifier if rules.identifier is not None else "",
        access_key_hash=_key_hash(key) if key else "",
        status="open",
        submitted_at=now,
        received_on=today,
        first_due_on=due,
        due_on=due,
        grounds=[],
        topics=[],
    )
    _register(session, req, today.year)
    _event(session, req, "submitted", "requester", actor, data={"due_on": due.isoformat()}, now=now)
    notify.received(session, profile, req, key)
    notify.to_officials(session, profile, req, "new")
    return req, key


def _register(session: Session, req: InfoRequest, year: int) -> None:
    """Give the request the year's next reference number (another request may take one meanwhile)."""
    for _attempt in range(20):
        last = session.scalar(
            select(func.max(InfoRequest.reference)).where(InfoRequest.reference.like(f"{year}-%"))
        )
        number = int(last.split("-", 1)[1]) + 1 if last else 1
        req.reference = f"{year}-{number:05d}"
        try:
            with session.begin_nested():
                session.add(req)
                session.flush()
            return
        except IntegrityError:
            continue
    raise Conflict("Too many requests are being registered at once: send it again in a moment.")


# ---------------------------------------------------------------- the officials' workflow


def _official(
    session: Session, actor: Actor, profile: Profile, reference: str
) -> tuple[InfoRequest, RequestRules]:
    rules = rules_for(profile)
    req = find_request(session, reference)
    authorize(actor, "info_request.handle", _target(session, rules, req))
    return req, rules


def check_may_handle(session: Session, actor: Actor, profile: Profile, reference: str) -> str:
    """Refuse early (before files are stored) unless the actor handles the request; its reference."""
    req, _rules = _official(session, actor, profile, reference)
    return req.reference


def officials_of(
    session: Session, actor: Actor, profile: Profile, reference: str
) -> list[tuple[str, str, str]]:
    """Whom the request can be assigned to, for those who handle it: the organization's admins and editors
    as (user name, full name, role). (The organization's member list is for its admins only.)"""
    req, _rules = _official(session, actor, profile, reference)
    rows = session.execute(
        select(User.name, User.fullname, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == req.organization_id,
            Membership.role.in_(("admin", "editor")),
            User.state == "active",
        )
        .order_by(User.name)
    )
    return [(name, fullname or name, role) for name, fullname, role in rows.tuples()]


def _still_open(req: InfoRequest, what: str) -> None:
    if req.status not in OPEN_STATUSES:
        raise Conflict(f"The request {req.reference} is {req.status}: it can no longer be {what}.")


def assign_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    assignee: str,
    now: datetime | None = None,
) -> InfoRequest:
    req, _rules = _official(session, actor, profile, reference)
    _still_open(req, "assigned")
    user = session.scalar(select(User).where(User.name == assignee.strip()))
    role = accounts.memberships_of(session, user.id).get(req.organization_id) if user is not None else None
    if user is None or role not in ("admin", "editor"):
        raise Invalid(
            f"{assignee!r} is not an official of this organization (an admin or editor).",
            errors={"assignee": ["Choose an admin or editor of the organization."]},
        )
    req.assignee_id = user.id
    _event(session, req, "assigned", "official", actor, data={"assignee": user.name}, now=now)
    return req


def ask_clarification(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    question: str,
    now: datetime | None = None,
) -> InfoRequest:
    """Ask the requester what exactly they want; the profile decides whether the clock stops meanwhile."""
    req, rules = _official(session, actor, profile, reference)
    question = _check_text(question, "text", "The question to the requester")
    if req.status != "open":
        raise Conflict(
            f"The request {req.reference} is {req.status}: a clarification can be asked only while open."
        )
    now = now or utcnow()
    req.status = "clarification"
    if rules.clarification != "none":
        req.paused_on = local_today(profile, now)
    _event(
        session, req, "clarification_asked", "official", actor, question, {"clock": rules.clarification}, now
    )
    notify.to_requester(session, profile, req, "clarification_asked", question)
    return req


def clarify_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    text: str,
    key: str | None = None,
    now: datetime | None = None,
) -> InfoRequest:
    """The requester's clarification: the clock runs again (with the days left, or from the start)."""
    req, rules = _requester(session, actor, profile, reference, key)
    text = _check_text(text, "text", "The clarification")
    if req.status != "clarification":
        raise Conflict(f"No clarification was asked for the request {req.reference}.")
    now = now or utcnow()
    today = local_today(profile, now)
    if req.paused_on is not None:
        req.due_on = rules.resumed(
            received=req.received_on, due=req.due_on, paused_on=req.paused_on, resumed_on=today
        )
    req.paused_on = None
    req.status = "open"
    _event(session, req, "clarified", "requester", actor, text, {"due_on": req.due_on.isoformat()}, now)
    notify.to_officials(session, profile, req, "clarified")
    return req


def extend_request(
    session: Session, actor: Actor, profile: Profile, reference: str, reason: str, now: datetime | None = None
) -> InfoRequest:
    """Extend the deadline once (as the profile allows), telling the requester why."""
    req, rules = _official(session, actor, profile, reference)
    reason = _check_text(reason, "reason", "The reason for the extension")
    _still_open(req, "extended")
    if rules.extension is None:
        raise Conflict("The law of this portal does not allow extending the deadline.")
    if req.extensions >= rules.max_extensions:
        raise Conflict(f"The deadline of {req.reference} was already extended: the law allows it once.")
    before = req.due_on
    req.due_on = rules.extended(req.due_on)
    req.extensions += 1
    _event(
        session,
        req,
        "extended",
        "official",
        actor,
        reason,
        {"from": before.isoformat(), "due_on": req.due_on.isoformat()},
        now,
    )
    notify.to_requester(session, profile, req, "extended", reason)
    return req


def answer_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    data: Answer,
    files: Sequence[NewFile] = (),
    now: datetime | None = None,
) -> InfoRequest:
    """Answer, answer in part or refuse (a partial answer and a refusal cite the profile's legal grounds),
    with files. Answering a request a reviewer ordered disclosed complies with the order."""
    req, rules = _official(session, actor, profile, reference)
    _still_open(req, "answered")
    grounds = list(dict.fromkeys(g.strip() for g in data.grounds if g.strip()))
    unknown = [g for g in grounds if rules.ground(g) is None]
    if unknown:
        raise Invalid(
            f"Unknown legal grounds: {', '.join(unknown)}. Choose from the list of the law.",
            errors={"grounds": ["Choose grounds from the list."]},
        )
    if data.outcome in ("partial", "refused") and not grounds:
        raise Invalid(
            "A refusal, full or partial, must cite at least one legal ground.",
            errors={"grounds": ["Cite at least one legal ground for the refusal."]},
        )
    if data.outcome == "answered" and grounds:
        raise Invalid(
            "A full answer cites no grounds for refusal: choose 'partly answered' to refuse a part.",
            errors={"grounds": ["A full answer cites no grounds."]},
        )
    if len(files) + _attachment_count(session, req) > MAX_ATTACHMENTS:
        raise Invalid(f"At most {MAX_ATTACHMENTS} files can be attached to one request.")
    now = now or utcnow()
    today = local_today(profile, now)
    req.status = data.outcome
    req.answer = data.text
    req.grounds = grounds
    if data.topics:
        req.topics = _clean_topics(data.topics)
    req.paused_on = None
    if req.closed_on is None:  # the first decision is what the statistics count
        req.closed_at, req.closed_on, req.closed_due_on = now, today, req.due_on
    kind = {"answered": "answered", "partial": "partly_answered", "refused": "refused"}[data.outcome]
    event = _event(session, req, kind, "official", actor, data.text, {"grounds": grounds}, now)
    for file in files:
        _attach(session, profile, req, event, file)
    order = _open_order(session, req)
    if order is not None:
        order.order_complied_on = today
        _event(
            session,
            req,
            "order_complied",
            "official",
            actor,
            data={"appeal": order.id, "on_time": today <= (order.order_due_on or today)},
            now=now,
        )
    notify.to_requester(session, profile, req, kind, data.text)
    return req


def _attachment_count(session: Session, req: InfoRequest) -> int:
    return session.scalar(select(func.count()).where(RequestAttachment.request_id == req.id)) or 0


def _attach(session: Session, profile: Profile, req: InfoRequest, event: RequestEvent, file: NewFile) -> None:
    """Keep the file and run the personal-data guard on it: a file with personal data is not served to
    the public (its officials see what was found)."""
    check, findings = quality.check_file(file.stored.path, file.filename, profile)
    session.add(
        RequestAttachment(
            request_id=req.id,
            event_id=event.id,
            filename=_safe_name(file.filename),
            media_type=file.media_type or "application/octet-stream",
            size=file.stored.size,
            sha256=file.stored.sha256,
            check=check,
            findings=findings,
        )
    )


def _safe_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[\x00-\x1f]", "", name)[:200]
    return name or "file"


def set_topics(
    session: Session, actor: Actor, profile: Profile, reference: str, topics: list[str]
) -> InfoRequest:
    """An official's topics for the request: what the demand evidence of dataset selection counts."""
    req, _rules = _official(session, actor, profile, reference)
    req.topics = _clean_topics(topics)
    audit.record(session, actor, "info_request.topics", "info_request", req.id, None, {"topics": req.topics})
    return req


def _clean_topics(topics: Iterable[str]) -> list[str]:
    cleaned = [re.sub(r"\s+", " ", t).strip().lower()[:80] for t in topics]
    return list(dict.fromkeys(t for t in cleaned if t))[:20]


def withdraw_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    key: str | None = None,
    now: datetime | None = None,
) -> InfoRequest:
    req, _rules = _requester(session, actor, profile, reference, key)
    _still_open(req, "withdrawn")
    req.status = "withdrawn"
    req.paused_on = None
    _event(session, req, "withdrawn", "requester", actor, now=now)
    return req


# ---------------------------------------------------------------- appeals and orders


def appeal_reason(req: InfoRequest, today: date) -> str | None:
    """What the requester may appeal now: a refusal, a partial answer, a missed deadline; None: nothing."""
    if req.status in ("refused", "partial"):
        return req.status
    if is_overdue(req, today):
        return "overdue"
    return None


def create_appeal(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    text: str,
    key: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The requester appeals to the reviewer the profile names, within the profile's window."""
    req, rules = _requester(session, actor, profile, reference, key)
    text = _check_text(text, "text", "The reasons for the appeal")
    now = now or utcnow()
    today = local_today(profile, now)
    reason = appeal_reason(req, today)
    if reason is None:
        raise Conflict(
            f"The request {req.reference} cannot be appealed: only a refusal, a partial answer or a missed "
            "deadline can."
        )
    if _pending_appeal(session, req) is not None:
        raise Conflict(f"An appeal against {req.reference} is already waiting for the reviewer's decision.")
    start = req.closed_on if reason != "overdue" and req.closed_on else req.due_on
    last_day = rules.appeal_deadline(start)
    if today > last_day:
        raise Conflict(f"The time to appeal ended on {last_day.isoformat()}.")
    appeal = Appeal(
        request_id=req.id,
        reason=reason,
        text=text,
        submitted_at=now,
        registered_on=today,
        due_on=rules.appeal_due(today),
    )
    session.add(appeal)
    session.flush()
    _event(
        session,
        req,
        "appealed",
        "requester",
        actor,
        text,
        {"appeal": appeal.id, "reason": reason, "due_on": appeal.due_on.isoformat()},
        now,
    )
    notify.to_reviewers(session, profile, req, _reviewer_org_id(session, rules, req.organization_id))
    return appeal


def _pending_appeal(session: Session, req: InfoRequest) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.request_id == req.id, Appeal.decision == ""))


def _open_order(session: Session, req: InfoRequest) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(
            Appeal.request_id == req.id, Appeal.order_due_on.is_not(None), Appeal.order_complied_on.is_(None)
        )
    )


def decide_appeal(
    session: Session,
    actor: Actor,
    profile: Profile,
    appeal_id: str,
    data: DecisionCreate,
    now: datetime | None = None,
) -> Appeal:
    """The reviewer's decision. Overturning (fully or partly) orders the organization to disclose by a date:
    the request opens again with that date as its deadline."""
    rules = rules_for(profile)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"There is no appeal {appeal_id!r}.")
    req = session.get(InfoRequest, appeal.request_id)
    assert req is not None
    authorize(actor, "info_request.review", _target(session, rules, req))
    if appeal.decision:
        raise Conflict("This appeal was already decided.")
    now = now or utcnow()
    today = local_today(profile, now)
    appeal.decision, appeal.decision_text = data.decision, data.text
    appeal.decided_at, appeal.decided_on, appeal.reviewer_id = now, today, actor.user_id
    data_out: dict[str, Any] = {"appeal": appeal.id, "decision": data.decision}
    if data.decision in ("overturned", "partly"):
        order_due = data.order_due_on or rules.order_due(today)
        if order_due <= today:
            raise Invalid(
                "The order's due date must be after today.", errors={"order_due_on": ["Choose a later date."]}
            )
        appeal.order_due_on = order_due
        req.status, req.due_on, req.paused_on = "open", order_due, None
        data_out["order_due_on"] = order_due.isoformat()
    elif data.order_due_on is not None:
        raise Invalid(
            "Only an overturned appeal orders disclosure by a date.",
            errors={"order_due_on": ["Leave empty."]},
        )
    _event(session, req, "appeal_decided", "reviewer", actor, data.text, data_out, now)
    notify.to_requester(session, profile, req, "appeal_decided", data.text)
    if appeal.order_due_on is not None:
        notify.to_officials(session, profile, req, "ordered")
    return appeal


# ---------------------------------------------------------------- from a request to open data


def publish_dataset(
    session: Session, actor: Actor, profile: Profile, store: FileStore, reference: str, name: str, title: str
) -> str:
    """Turn an answer into a draft dataset of the organization: the answer as its description, each file
    answered with (that passed the personal-data guard) as a resource. Returns the dataset's name."""
    req, _rules = _official(session, actor, profile, reference)
    if req.status not in DECIDED or req.status == "refused":
        raise Conflict(f"The request {req.reference} has no answer to publish yet.")
    if req.dataset_id is not None:
        raise Conflict(f"The answer to {req.reference} was already published as a dataset.")
    org_name = catalog.organization_name_of(session, req.organization_id)
    description = f"{req.answer}\n\n(Published from information request {req.reference}: {req.subject})"
    dataset = catalog.create_dataset(
        session,
        actor,
        profile,
        DatasetCreate(
            name=name,
            organization=org_name,
            title={req.language or profile.default_language: title},
            description={req.language or profile.default_language: description[:20000]},
            state="draft",
        ),
    )
    for attachment in session.scalars(
        select(RequestAttachment)
        .where(RequestAttachment.request_id == req.id)
        .order_by(RequestAttachment.uploaded_at)
    ):
        if attachment.check == "personal":
            continue
        stored = StoredFile(attachment.sha256, attachment.size, store.path_for(attachment.sha256))
        catalog.create_resource(
            session,
            actor,
            dataset.name,
            ResourceCreate(name=attachment.filename),
            catalog.Upload(stored, attachment.filename),
        )
    req.dataset_id = dataset.id
    _event(session, req, "published_as_dataset", "official", actor, data={"dataset": dataset.name})
    return dataset.name


# ---------------------------------------------------------------- reading


def _may_see_requester(
    session: Session, actor: Actor, rules: RequestRules, req: InfoRequest, key: str | None
) -> bool:
    return holds_key(req, key) or can(actor, "info_request.see_requester", _target(session, rules, req))


def summary(
    req: InfoRequest, org_names: dict[str, tuple[str, str]], today: date, appealed: bool, lang: str
) -> RequestSummary:
    slug, title = org_names.get(req.organization_id, ("", ""))
    return RequestSummary(
        reference=req.reference,
        kind=req.kind,  # type: ignore[arg-type]
        organization=slug,
        organization_title=title,
        subject=req.subject,
        status=req.status,  # type: ignore[arg-type]
        received_on=req.received_on,
        due_on=req.due_on,
        overdue=is_overdue(req, today),
        closed_on=req.closed_on,
        appealed=appealed,
    )


def _org_names(session: Session, ids: Iterable[str], lang: str) -> dict[str, tuple[str, str]]:
    return {
        i: (slug, pick(title, lang))
        for i, slug, title in catalog.organization_titles(session, list(set(ids)))
    }


def get_request(
    session: Session,
    actor: Actor,
    profile: Profile,
    reference: str,
    *,
    key: str | None = None,
    lang: str = "en",
    site_url: str = "",
    now: datetime | None = None,
) -> RequestRead:
    """A request as the register shows it, with the requester's details for those who may see them."""
    rules = rules_for(profile)
    req = find_request(session, reference)
    today = local_today(profile, now)
    appeals = list(
        session.scalars(select(Appeal).where(Appeal.request_id == req.id).order_by(Appeal.submitted_at))
    )
    events = list(
        session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == req.id).order_by(RequestEvent.id)
        )
    )
    users = dict(
        session.execute(
            select(User.id, User.name).where(
                User.id.in_(
                    {e.actor_id for e in events if e.actor_id}
                    | ({req.assignee_id} if req.assignee_id else set())
                )
            )
        )
        .tuples()
        .all()
    )
    private = _may_see_requester(session, actor, rules, req, key)
    officials = can(actor, "info_request.handle", req.organization_id)
    attachments = []
    for a in session.scalars(
        select(RequestAttachment)
        .where(RequestAttachment.request_id == req.id)
        .order_by(RequestAttachment.uploaded_at)
    ):
        served = a.check != "personal" or officials
        attachments.append(
            AttachmentRead(
                id=a.id,
                filename=a.filename,
                media_type=a.media_type,
                size=a.size,
                check=a.check,
                url=f"{site_url}/api/v1/requests/{req.reference}/files/{a.id}" if served else None,
            )
        )
    base = summary(req, _org_names(session, [req.organization_id], lang), today, bool(appeals), lang)

    def shown(text: str, role: str = "requester") -> str:
        """What the public sees of a text: a requester's identity numbers, addresses and phone numbers
        masked (an official's or reviewer's text: identity numbers only)."""
        return text if private else quality.mask_text(text, profile, only_personal=role != "requester")

    base.subject = shown(base.subject)
    return RequestRead(
        **base.model_dump(),
        body=shown(req.body),
        language=req.language,
        first_due_on=req.first_due_on,
        extensions=req.extensions,
        paused_on=req.paused_on,
        answer=shown(req.answer, "official"),
        grounds=req.grounds,
        ground_titles=[pick(g.title, lang, profile.languages) for c in req.grounds if (g := rules.ground(c))],
        topics=req.topics,
        assignee=users.get(req.assignee_id) if req.assignee_id else None,
        dataset=catalog.dataset_name_of(session, req.dataset_id) if req.dataset_id else None,
        events=[
            EventRead(
                at=e.at,
                kind=e.kind,
                role=e.role,
                text=shown(e.text, e.role),
                data=e.data,
                by=users.get(e.actor_id) if e.actor_id else None,
            )
            for e in events
        ],
        attachments=attachments,
        appeals=[
            appeal_read(a, today).model_copy(
                update={"text": shown(a.text), "decision_text": shown(a.decision_text, "reviewer")}
            )
            for a in appeals
        ],
        requester=Requester(
            name=req.requester_name,
            email=req.requester_email,
            identifier=req.requester_identifier,
            user=_user_name(session, req.requester_id),
        )
        if private
        else None,
    )


def get_requester(
    session: Session, actor: Actor, profile: Profile, reference: str, key: str | None = None
) -> Requester:
    """Who sent the request: for the organization's officials, the reviewer and the requester only."""
    rules = rules_for(profile)
    req = find_request(session, reference)
    if not holds_key(req, key):
        authorize(actor, "info_request.see_requester", _target(session, rules, req))
    return Requester(
        name=req.requester_name,
        email=req.requester_email,
        identifier=req.requester_identifier,
        user=_user_name(session, req.requester_id),
    )


def _user_name(session: Session, user_id: str | None) -> str | None:
    return session.scalar(select(User.name).where(User.id == user_id)) if user_id else None


def appeal_read(a: Appeal, today: date) -> AppealRead:
    return AppealRead(
        id=a.id,
        reason=a.reason,  # type: ignore[arg-type]
        text=a.text,
        submitted_at=a.submitted_at,
        registered_on=a.registered_on,
        due_on=a.due_on,
        overdue=not a.decision and a.due_on < today,
        decision=a.decision or None,  # type: ignore[arg-type]
        decision_text=a.decision_text,
        decided_on=a.decided_on,
        order_due_on=a.order_due_on,
        order_complied_on=a.order_complied_on,
        order_overdue=a.order_due_on is not None and a.order_complied_on is None and a.order_due_on < today,
    )


def attachment_for_download(
    session: Session, actor: Actor, reference: str, attachment_id: str
) -> RequestAttachment:
    """A file of an answer, for downloading: refused to the public while the guard found personal data."""
    req = find_request(session, reference)
    attachment = session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != req.id:
        raise NotFound("There is no such file in this request.")
    if attachment.check == "personal" and not can(actor, "info_request.handle", req.organization_id):
        from derek.core.errors import Forbidden

        raise Forbidden("This file is withheld: the personal-data check found personal data in it.")
    return attachment


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class _Filters:
    q: str = ""
    organization_id: str | None = None
    status: str = ""
    kind: str = ""
    overdue_before: date | None = None


def _filtered(stmt: S, f: _Filters) -> S:
    for word in f.q.split()[:8]:
        like = f"%{word.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                InfoRequest.subject.ilike(like),
                InfoRequest.body.ilike(like),
                InfoRequest.answer.ilike(like),
                InfoRequest.reference == word,
            )
        )
    if f.organization_id:
        stmt = stmt.where(InfoRequest.organization_id == f.organization_id)
    if f.status:
        stmt = stmt.where(InfoRequest.status == f.status)
    if f.kind:
        stmt = stmt.where(InfoRequest.kind == f.kind)
    if f.overdue_before is not None:
        stmt = stmt.where(
            InfoRequest.status.in_(OPEN_STATUSES),
            InfoRequest.paused_on.is_(None),
            InfoRequest.due_on < f.overdue_before,
        )
    return stmt


def search_register(
    session: Session,
    profile: Profile,
    *,
    q: str = "",
    organization: str = "",
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    page: int = 1,
    per_page: int = 20,
    lang: str = "en",
    now: datetime | None = None,
) -> RegisterPage:
    """The public register: every request and question, newest first, with counts per organization and
    status for the filters. Nothing in it names the requester."""
    today = local_today(profile, now)
    org_id = None
    if organization:
        org_id = catalog.organization_id_of(session, organization)
        if org_id is None:
            raise NotFound(f"There is no organization {organization!r}.")
    # words that are identity numbers, addresses or phone numbers are not searched: the register must not
    # tell whether a given person asked something
    words = " ".join(w for w in q.split() if quality.mask_text(w, profile) == w)
    f = _Filters(words, org_id, status, kind, today if overdue else None)
    total = session.scalar(_filtered(select(func.count()).select_from(InfoRequest), f)) or 0
    rows = list(
        session.scalars(
            _filtered(select(InfoRequest), f)
            .order_by(InfoRequest.submitted_at.desc(), InfoRequest.reference.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    appealed = set(
        session.scalars(select(Appeal.request_id).where(Appeal.request_id.in_([r.id for r in rows])))
    )
    by_status = select(InfoRequest.status, func.count()).group_by(InfoRequest.status)
    by_org = select(InfoRequest.organization_id, func.count()).group_by(InfoRequest.organization_id)
    status_counts: dict[str, int] = dict(
        session.execute(_filtered(by_status, replace(f, status=""))).tuples().all()
    )
    org_counts: dict[str, int] = dict(
        session.execute(_filtered(by_org, replace(f, organization_id=None))).tuples().all()
    )
    names = _org_names(session, list(org_counts) + [r.organization_id for r in rows], lang)
    facets = {
        "status": status_counts,
        "organization": {names[i][0]: n for i, n in org_counts.items() if i in names},
    }
    return RegisterPage(
        count=total,
        page=page,
        per_page=per_page,
        results=[
            summary(r, names, today, r.id in appealed, lang).model_copy(
                update={"subject": quality.mask_text(r.subject, profile)}
            )
            for r in rows
        ],
        facets=facets,
    )


def work_queue(
    session: Session, actor: Actor, profile: Profile, *, lang: str = "en", now: datetime | None = None
) -> list[RequestSummary]:
    """The open requests of the organizations the actor handles, the most urgent first (orders included:
    an overturned request is open again with the order's date as its deadline)."""
    authorize(actor, "info_request.queue", None)
    today = local_today(profile, now)
    stmt = select(InfoRequest).where(InfoRequest.status.in_(OPEN_STATUSES))
    if not actor.sysadmin:
        orgs = [o for o, role in actor.memberships.items() if role in ("admin", "editor")]
        stmt = stmt.where(InfoRequest.organization_id.in_(orgs))
    rows = list(session.scalars(stmt.order_by(InfoRequest.due_on, InfoRequest.reference).limit(500)))
    appealed = set(
        session.scalars(select(Appeal.request_id).where(Appeal.request_id.in_([r.id for r in rows])))
    )
    names = _org_names(session, [r.organization_id for r in rows], lang)
    return [summary(r, names, today, r.id in appealed, lang) for r in rows]


def review_queue(
    session: Session, actor: Actor, profile: Profile, *, lang: str = "en", now: datetime | None = None
) -> list[tuple[RequestSummary, AppealRead]]:
    """Appeals waiting for a decision that the actor may decide, the oldest deadline first."""
    authorize(actor, "info_request.queue", None)
    rules = rules_for(profile)
    today = local_today(profile, now)
    pending = session.execute(
        select(Appeal, InfoRequest)
        .join(InfoRequest, InfoRequest.id == Appeal.request_id)
        .where(Appeal.decision == "")
        .order_by(Appeal.due_on)
        .limit(500)
    ).tuples()
    mine = [(a, r) for a, r in pending if can(actor, "info_request.review", _target(session, rules, r))]
    names = _org_names(session, [r.organization_id for _a, r in mine], lang)
    return [(summary(r, names, today, True, lang), appeal_read(a, today)) for a, r in mine]


# ---------------------------------------------------------------- statistics


def _stats_of(slug: str, title: str, rows: list[InfoRequest], appeals: list[Appeal], today: date) -> OrgStats:
    decided = [r for r in rows if r.closed_on is not None]
    on_time = [r for r in decided if r.closed_on and r.closed_due_on and r.closed_on <= r.closed_due_on]
    days = [(r.closed_on - r.received_on).days for r in decided if r.closed_on is not None]
    grounds: Counter[str] = Counter(g for r in rows if r.status in ("partial", "refused") for g in r.grounds)
    return OrgStats(
        organization=slug,
        organization_title=title,
        received=len(rows),
        open=sum(r.status in OPEN_STATUSES for r in rows),
        overdue=sum(is_overdue(r, today) for r in rows),
        answered=sum(r.status == "answered" for r in rows),
        partial=sum(r.status == "partial" for r in rows),
        refused=sum(r.status == "refused" for r in rows),
        decided=len(decided),
        on_time=len(on_time),
        on_time_share=round(len(on_time) / len(decided), 4) if decided else None,
        median_days=float(statistics.median(days)) if days else None,
        refusals_by_ground=dict(grounds.most_common()),
        appeals=len(appeals),
        appeal_outcomes=dict(Counter(a.decision or "pending" for a in appeals)),
    )


def get_stats(
    session: Session,
    profile: Profile,
    *,
    organization: str = "",
    kind: str = "request",
    year: int | None = None,
    lang: str = "en",
    now: datetime | None = None,
) -> StatsRead:
    """Per organization: requests received, open and overdue, outcomes, the share decided on time (by the
    deadline in force, extensions included), the median days to the first decision, refusals by legal
    ground, and appeals by outcome."""
    today = local_today(profile, now)
    stmt = select(InfoRequest).where(InfoRequest.kind == kind)
    if organization:
        org_id = catalog.organization_id_of(session, organization)
        if org_id is None:
            raise NotFound(f"There is no organization {organization!r}.")
        stmt = stmt.where(InfoRequest.organization_id == org_id)
    if year is not None:
        stmt = stmt.where(
            InfoRequest.received_on >= date(year, 1, 1), InfoRequest.received_on <= date(year, 12, 31)
        )
    rows = list(session.scalars(stmt))
    appeals = (
        list(session.scalars(select(Appeal).where(Appeal.request_id.in_([r.id for r in rows]))))
        if rows
        else []
    )
    by_request: dict[str, list[Appeal]] = {}
    for a in appeals:
        by_request.setdefault(a.request_id, []).append(a)
    names = _org_names(session, [r.organization_id for r in rows], lang)
    per_org: dict[str, list[InfoRequest]] = {}
    for r in rows:
        per_org.setdefault(r.organization_id, []).append(r)
    organizations = [
        _stats_of(
            *names.get(org_id, ("", "")), reqs, [a for r in reqs for a in by_request.get(r.id, [])], today
        )
        for org_id, reqs in per_org.items()
    ]
    organizations.sort(key=lambda s: (-s.received, s.organization))
    return StatsRead(total=_stats_of("", "", rows, appeals, today), organizations=organizations)


# ---------------------------------------------------------------- demand evidence (for dataset selection)


def requests_about(session: Session, profile: Profile, text: str, *, limit: int = 50) -> list[DemandItem]:
    """Requests whose topics, subject or text mention every word of text: evidence of demand for data
    that dataset selection lists beside a proposal. Public facts only."""
    words = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 2][:8]
    if not words:
        return []
    stmt = select(InfoRequest).where(InfoRequest.status != "withdrawn")
    for word in words:
        like = f"%{word}%"
        stmt = stmt.where(or_(InfoRequest.subject.ilike(like), InfoRequest.body.ilike(like)))
    rows = list(session.scalars(stmt.order_by(InfoRequest.submitted_at.desc()).limit(limit)))
    # topics are JSON (stored escaped), so they are matched here
    seen = {r.id for r in rows}
    for r in session.scalars(
        select(InfoRequest).where(InfoRequest.status != "withdrawn").order_by(InfoRequest.submitted_at.desc())
    ):
        if len(rows) >= limit:
            break
        if r.id not in seen and all(any(w in t for t in r.topics or []) for w in words):
            rows.append(r)
    names = _org_names(session, [r.organization_id for r in rows], "en")
    return [
        DemandItem(
            reference=r.reference,
            subject=quality.mask_text(r.subject, profile),
            organization=names.get(r.organization_id, ("", ""))[0],
            received_on=r.received_on,
            status=r.status,  # type: ignore[arg-type]
            topics=r.topics,
        )
        for r in rows
    ]


@demand.source("request")
def _requests_as_evidence(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any]
) -> list[demand.Evidence]:
    """The requests about any of the phrases, each one piece of evidence (one requester)."""
    found: dict[str, DemandItem] = {}
    for phrase in phrases:
        for item in requests_about(session, profile, phrase):
            found.setdefault(item.reference, item)
    return [
        demand.Evidence(
            kind="request",
            title=item.subject,
            url=f"/requests/{item.reference}",
            detail=f"{item.reference} · {item.organization}",
            on=item.received_on,
        )
        for item in sorted(found.values(), key=lambda i: i.received_on, reverse=True)
    ]


def topic_counts(session: Session, *, limit: int = 50) -> list[tuple[str, int]]:
    """The topics officials gave requests, by how many requests have each: the most asked first."""
    counts: Counter[str] = Counter()
    for topics in session.scalars(select(InfoRequest.topics).where(InfoRequest.status != "withdrawn")):
        counts.update(topics or [])
    return counts.most_common(limit)


@storage.references
def _stored_file_in_use(session: Session, sha256: str) -> bool:
    """An answer's attachment points at this stored file."""
    found = session.scalar(select(RequestAttachment.id).where(RequestAttachment.sha256 == sha256).limit(1))
    return found is not None


def discard_files(session: Session, store: FileStore, files: Sequence[NewFile]) -> None:
    """After a failed answer (the session rolled back): delete the files stored for it that nothing uses."""
    for file in files:
        storage.discard_if_unreferenced(session, store, file.stored.sha256)
