"""The unified list of open data: versions (a draft, then approved by an act with its number and date),
items with the responsible organization, due date and update frequency, the difference between two
versions, and compliance: each item of the list in force against the dataset that fulfils it.

An item's status on a given day:
- on_time: its dataset was published by the due date (and is kept up to date),
- late: the due date has passed and the dataset was published after it, or is still not published,
- not_published: not published yet, and not due yet,
- stale: published, but its data missed the update its declared frequency asks for.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import get_args
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import Frequency
from derek.config import Profile
from derek.core import audit
from derek.core.authz import Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Conflict, Invalid, NotFound
from derek.quality import service as quality
from derek.selection.models import Fulfilment, ListItem, ListVersion, Proposal, as_dict
from derek.selection.rules import rules_for
from derek.selection.service import _organization, _text, find_proposal, insert_numbered, number_in, target

STATUSES = ("on_time", "late", "not_published", "stale")
LISTABLE = ("recommended", "listed")  # a proposal goes on the list only after the Commission recommended it
FREQUENCIES: tuple[str, ...] = get_args(Frequency)  # the catalog's codes, through its schemas
DIFF_FIELDS = ("title", "organization_id", "due_on", "update_frequency")


def _manage(session: Session, actor: Actor, profile: Profile) -> None:
    authorize(actor, "selection.manage_list", target(session, profile))


def versions(session: Session) -> list[ListVersion]:
    return list(session.scalars(select(ListVersion).order_by(ListVersion.number.desc())))


def find_version(session: Session, number: int | str) -> ListVersion:
    wanted = number_in(number)
    if wanted is None:
        raise NotFound(f"There is no version {number!r} of the list.")
    found = session.scalar(select(ListVersion).where(ListVersion.number == wanted))
    if found is None:
        raise NotFound(f"There is no version {wanted} of the list.")
    return found


def current_version(session: Session) -> ListVersion | None:
    """The version in force: the latest approved one."""
    return session.scalar(
        select(ListVersion)
        .where(ListVersion.status == "approved")
        .order_by(ListVersion.number.desc())
        .limit(1)
    )


def draft_version(session: Session) -> ListVersion | None:
    return session.scalar(select(ListVersion).where(ListVersion.status == "draft").limit(1))


def items_of(session: Session, version: ListVersion) -> list[ListItem]:
    return list(
        session.scalars(
            select(ListItem)
            .where(ListItem.version_id == version.id)
            .order_by(ListItem.position, ListItem.code)
        )
    )


def create_draft(session: Session, actor: Actor, profile: Profile, note: str = "") -> ListVersion:
    """Start the next version as a copy of the one in force (one draft at a time)."""
    _manage(session, actor, profile)
    if draft_version(session) is not None:
        raise Conflict("A draft of the list is open already: change it, approve it or delete it.")
    draft = ListVersion(
        status="draft",
        note=_text(note, "note", "The note", required=False, limit=5000),
        created_by=actor.user_id,
    )
    draft.number = (session.scalar(select(func.max(ListVersion.number))) or 0) + 1
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError:
        raise Conflict("Another draft was started at the same moment.") from None
    in_force = current_version(session)
    if in_force is not None:
        for item in items_of(session, in_force):
            session.add(
                ListItem(
                    version_id=draft.id,
                    code=item.code,
                    title=item.title,
                    proposal_id=item.proposal_id,
                    organization_id=item.organization_id,
                    due_on=item.due_on,
                    update_frequency=item.update_frequency,
                    position=item.position,
                )
            )
    session.flush()
    audit.record(session, actor, "list.draft", "open_list_version", draft.id, None, {"number": draft.number})
    return draft


def _draft(session: Session, number: int | str) -> ListVersion:
    version = find_version(session, number)
    if version.status != "draft":
        raise Conflict(f"Version {version.number} is approved: it does not change. Start a new draft.")
    return version


@dataclass
class ItemData:
    title: str = ""
    organization: str = ""
    due_on: date | None = None
    update_frequency: str = "ANNUAL"
    proposal: str = ""  # a proposal's number: title and organization come from it unless given


def _next_code(session: Session, prefix: str) -> str:
    codes = session.scalars(select(ListItem.code).where(ListItem.code.like(f"{prefix}-%")))
    numbers = [int(c.rsplit("-", 1)[1]) for c in codes if c.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}-{(max(numbers) if numbers else 0) + 1:04d}"


def _item_values(session: Session, data: ItemData) -> dict[str, object]:
    proposal: Proposal | None = find_proposal(session, data.proposal) if data.proposal.strip() else None
    errors: dict[str, list[str]] = {}
    if proposal is not None and proposal.status not in LISTABLE:
        errors["proposal"] = [
            f"P-{proposal.number} is {proposal.status.replace('_', ' ')}: only a proposal the Commission "
            "recommended goes on the list."
        ]
    if data.due_on is None:
        errors["due_on"] = ["Give the due date."]
    if data.update_frequency not in FREQUENCIES:
        errors["update_frequency"] = [f"Unknown frequency {data.update_frequency!r}."]
    title = (data.title or "").strip() or (proposal.title if proposal else "")
    if not title:
        errors["title"] = ["Give the title, or the proposal it comes from."]
    if errors:
        raise Invalid("The item is not complete: " + "; ".join(sorted(errors)) + ".", errors=errors)
    org_id = _organization(session, data.organization) if data.organization.strip() else None
    if org_id is None:
        if proposal is None:
            raise Invalid("Name the responsible organization.", errors={"organization": ["Required."]})
        org_id = proposal.organization_id
    return {
        "title": _text(title, "title", "The title", limit=300),
        "organization_id": org_id,
        "due_on": data.due_on,
        "update_frequency": data.update_frequency,
        "proposal_id": proposal.id if proposal else None,
    }


def add_list_item(
    session: Session, actor: Actor, profile: Profile, number: int | str, data: ItemData
) -> ListItem:
    _manage(session, actor, profile)
    version = _draft(session, number)
    values = _item_values(session, data)
    if values["proposal_id"] is not None:
        taken = session.scalar(
            select(ListItem.code).where(
                ListItem.version_id == version.id, ListItem.proposal_id == values["proposal_id"]
            )
        )
        if taken:
            raise Conflict(f"This proposal is on the list already as {taken}.")
    position = (
        session.scalar(select(func.max(ListItem.position)).where(ListItem.version_id == version.id)) or 0
    ) + 1
    item = ListItem(version_id=version.id, position=position, **values)
    prefix = rules_for(profile).code_prefix
    insert_numbered(
        session,
        item,
        lambda: setattr(item, "code", _next_code(session, prefix)),
        "Too many items are being added at once: try again.",
    )
    audit.record(
        session, actor, "list.item", "open_list_version", version.id, None, as_dict(item, "code", "title")
    )
    return item


def _find_item(session: Session, version: ListVersion, code: str) -> ListItem:
    item = session.scalar(select(ListItem).where(ListItem.version_id == version.id, ListItem.code == code))
    if item is None:
        raise NotFound(f"Version {version.number} has no item {code!r}.")
    return item


def update_list_item(
    session: Session, actor: Actor, profile: Profile, number: int | str, code: str, data: ItemData
) -> ListItem:
    _manage(session, actor, profile)
    version = _draft(session, number)
    item = _find_item(session, version, code)
    values = _item_values(session, data)
    before = as_dict(item, *DIFF_FIELDS)
    for key, value in values.items():
        setattr(item, key, value)
    audit.record(
        session, actor, "list.item", "open_list_version", version.id, before, as_dict(item, *DIFF_FIELDS)
    )
    return item


def remove_list_item(session: Session, actor: Actor, profile: Profile, number: int | str, code: str) -> None:
    _manage(session, actor, profile)
    version = _draft(session, number)
    item = _find_item(session, version, code)
    audit.record(
        session, actor, "list.item", "open_list_version", version.id, as_dict(item, "code", "title"), None
    )
    session.delete(item)


def delete_draft(session: Session, actor: Actor, profile: Profile, number: int | str) -> None:
    _manage(session, actor, profile)
    version = _draft(session, number)
    audit.record(
        session, actor, "list.delete", "open_list_version", version.id, {"number": version.number}, None
    )
    session.delete(version)


def set_approval(
    session: Session,
    actor: Actor,
    profile: Profile,
    number: int | str,
    *,
    act_number: str,
    act_date: date | None,
    act_title: str = "",
    today: date | None = None,
) -> ListVersion:
    """Record the act approving a draft (its number and date): the draft becomes the list in force and
    its proposals are listed."""
    _manage(session, actor, profile)
    version = _draft(session, number)
    errors: dict[str, list[str]] = {}
    if not (act_number or "").strip():
        errors["act_number"] = ["Give the number of the approving act."]
    if act_date is None:
        errors["act_date"] = ["Give the date of the approving act."]
    elif today is not None and act_date > today:
        errors["act_date"] = ["The act cannot be dated in the future."]
    if not items_of(session, version):
        errors["items"] = ["The draft has no items."]
    if errors:
        raise Invalid("The list cannot be approved yet: " + "; ".join(sorted(errors)) + ".", errors=errors)
    # approved once: of two approvals at the same moment, the second finds no draft left
    claimed = session.execute(
        update(ListVersion)
        .where(ListVersion.id == version.id, ListVersion.status == "draft")
        .values(
            status="approved",
            act_number=_text(act_number, "act_number", "The act's number", limit=100),
            act_title=_text(act_title, "act_title", "The act's title", required=False, limit=300),
            act_date=act_date,
            approved_at=utcnow(),
            approved_by=actor.user_id,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict(f"Version {version.number} was approved meanwhile.")
    session.refresh(version)
    for item in items_of(session, version):
        if item.proposal_id:
            proposal = session.get(Proposal, item.proposal_id)
            if proposal is not None:
                proposal.status = "listed"
    audit.record(
        session,
        actor,
        "list.approve",
        "open_list_version",
        version.id,
        {"status": "draft"},
        {"status": "approved", "act_number": version.act_number, "act_date": str(act_date)},
    )
    return version


# ---------------------------------------------------------------- differences between versions


@dataclass
class Change:
    code: str
    title: str
    fields: dict[str, tuple[object, object]]  # field -> (before, after)


@dataclass
class Diff:
    old: ListVersion | None
    new: ListVersion
    added: list[ListItem] = field(default_factory=list)
    removed: list[ListItem] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0


def previous_version(session: Session, version: ListVersion) -> ListVersion | None:
    """The approved version before this one."""
    return session.scalar(
        select(ListVersion)
        .where(ListVersion.status == "approved", ListVersion.number < version.number)
        .order_by(ListVersion.number.desc())
        .limit(1)
    )


def diff(session: Session, new: ListVersion, old: ListVersion | None = None) -> Diff:
    """What changed from old (by default the approved version before new) to new, item by item (code)."""
    old = old if old is not None else previous_version(session, new)
    before = {i.code: i for i in items_of(session, old)} if old else {}
    after = {i.code: i for i in items_of(session, new)}
    result = Diff(old, new)
    for code, item in after.items():
        was = before.get(code)
        if was is None:
            result.added.append(item)
            continue
        changes = {
            name: (getattr(was, name), getattr(item, name))
            for name in DIFF_FIELDS
            if getattr(was, name) != getattr(item, name)
        }
        if changes:
            result.changed.append(Change(code, item.title, changes))
        else:
            result.unchanged += 1
    result.removed = [item for code, item in before.items() if code not in after]
    return result


# ---------------------------------------------------------------- fulfilment and compliance


def fulfilments(session: Session, codes: list[str]) -> dict[str, str]:
    """code -> the id of the dataset fulfilling it."""
    if not codes:
        return {}
    rows = session.execute(select(Fulfilment.code, Fulfilment.dataset_id).where(Fulfilment.code.in_(codes)))
    return {code: ds for code, ds in rows.tuples() if ds}


def set_fulfilment(session: Session, actor: Actor, profile: Profile, code: str, dataset: str) -> Fulfilment:
    """Name the dataset that fulfils an item of the list in force ("" to unlink it)."""
    version = current_version(session)
    if version is None:
        raise NotFound("No list has been approved yet.")
    item = _find_item(session, version, code)
    authorize(actor, "selection.link_dataset", target(session, profile, item.organization_id))
    dataset_id = None
    if dataset.strip():
        found = catalog.publications(session, [dataset.strip()])
        if not found:
            message = f"There is no dataset {dataset!r}."
            raise Invalid(message, errors={"dataset": [message]})
        publication = next(iter(found.values()))
        if publication.organization_id != item.organization_id:
            message = "The dataset belongs to another organization than the one responsible for the item."
            raise Invalid(message, errors={"dataset": [message]})
        dataset_id = publication.id
    row = session.get(Fulfilment, code)
    before = {"dataset_id": row.dataset_id} if row else None
    if row is None:
        row = Fulfilment(code=code)
        session.add(row)
    row.dataset_id, row.linked_by, row.linked_at = dataset_id, actor.user_id, utcnow()
    audit.record(session, actor, "list.fulfil", "open_list_item", code, before, {"dataset_id": dataset_id})
    return row


@dataclass
class ItemStatus:
    item: ListItem
    status: str  # one of STATUSES
    dataset: catalog.Publication | None
    published_on: date | None
    days_late: int = 0  # past the due date: until publication, or until today while unpublished

    @property
    def public_dataset(self) -> catalog.Publication | None:
        """The linked dataset as everyone may see it: a draft's or a private dataset's name stays with
        the officials who may link it."""
        return self.dataset if self.dataset is not None and self.dataset.public else None


def _status(
    item: ListItem, pub: catalog.Publication | None, freshness: str, today: date, zone: ZoneInfo
) -> ItemStatus:
    # the day of first publication where the portal is, as due dates and "today" are
    published_on = pub.issued.astimezone(zone).date() if pub and pub.public and pub.issued else None
    if published_on is None:
        if item.due_on < today:
            return ItemStatus(item, "late", pub, None, (today - item.due_on).days)
        return ItemStatus(item, "not_published", pub, None)
    if published_on > item.due_on:
        return ItemStatus(item, "late", pub, published_on, (published_on - item.due_on).days)
    if freshness == "overdue":
        return ItemStatus(item, "stale", pub, published_on)
    return ItemStatus(item, "on_time", pub, published_on)


def compliance(
    session: Session, today: date, *, organization_id: str | None = None, timezone: str = "UTC"
) -> list[ItemStatus]:
    """Every item of the list in force (or one organization's) with its status today."""
    version = current_version(session)
    if version is None:
        return []
    items = [
        i
        for i in items_of(session, version)
        if organization_id is None or i.organization_id == organization_id
    ]
    linked = fulfilments(session, [i.code for i in items])
    pubs = catalog.publications(session, list(set(linked.values())))
    statuses = []
    zone = ZoneInfo(timezone)
    for item in items:
        pub = pubs.get(linked.get(item.code, ""))
        # stale: its data missed the update the list's frequency for the item asks, as of the end of today
        end_of_day = datetime.combine(today, time.max, tzinfo=zone)
        fresh = (
            quality.freshness_state(item.update_frequency, pub.last_change, end_of_day)
            if pub and pub.public
            else ""
        )
        statuses.append(_status(item, pub, fresh, today, zone))
    return statuses


@dataclass
class Scorecard:
    organization_id: str
    counts: dict[str, int]
    total: int

    @property
    def due(self) -> int:
        return self.total - self.counts.get("not_published", 0)

    @property
    def rate(self) -> float | None:
        """Share of the items due by now that were published on time and kept fresh."""
        return self.counts.get("on_time", 0) / self.due if self.due else None


def scorecards(statuses: list[ItemStatus]) -> list[Scorecard]:
    by_org: dict[str, Counter[str]] = {}
    for s in statuses:
        by_org.setdefault(s.item.organization_id, Counter())[s.status] += 1
    cards = [
        Scorecard(org, {k: counts.get(k, 0) for k in STATUSES}, sum(counts.values()))
        for org, counts in by_org.items()
    ]
    return sorted(cards, key=lambda c: (c.rate if c.rate is not None else 2, c.organization_id))


@dataclass(frozen=True)
class TrendPoint:
    month: date  # the month's last day
    due: int  # items due by then
    on_time: int  # of them, published by their due date


def trend(statuses: list[ItemStatus], today: date, months: int = 12) -> list[TrendPoint]:
    """At the end of each of the last months: how many items were due, and how many were published on
    time (from the dates, so the line needs no stored history)."""
    points = []
    year, month = today.year, today.month
    for _ in range(months):
        end = date(year, month, calendar.monthrange(year, month)[1])
        day = min(end, today)
        due = [s for s in statuses if s.item.due_on <= day]
        on_time = [s for s in due if s.published_on is not None and s.published_on <= s.item.due_on]
        points.append(TrendPoint(day, len(due), len(on_time)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(points))


def list_csv(
    session: Session, version: ListVersion, lang_titles: dict[str, str], today: date, timezone: str = "UTC"
) -> str:
    """The version as CSV: one row per item with its organization, due date, frequency and (for the list
    in force) its dataset and status."""
    in_force = current_version(session)
    statuses = (
        {s.item.code: s for s in compliance(session, today, timezone=timezone)}
        if in_force and in_force.id == version.id
        else {}
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "code",
            "title",
            "organization",
            "due_on",
            "update_frequency",
            "dataset",
            "status",
            "act_number",
            "act_date",
        ]
    )
    for item in items_of(session, version):
        s = statuses.get(item.code)
        writer.writerow(
            [
                item.code,
                _safe(item.title),
                _safe(lang_titles.get(item.organization_id, "")),
                item.due_on.isoformat(),
                item.update_frequency,
                s.public_dataset.name if s and s.public_dataset else "",
                s.status if s else "",
                _safe(version.act_number),
                version.act_date.isoformat() if version.act_date else "",
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A spreadsheet would run text starting with = + - @ as a formula: such text gets a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
