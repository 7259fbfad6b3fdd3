"""Reuse, the service: use cases of the portal's data (with the datasets they use, screenshots and their
moderation), ideas and dataset requests (comments, one support per person, answers), the anomaly report
for moderators, and the ideas' supports as demand evidence for dataset selection. The liveness monitor is
in `liveness_service`, surveys in `survey_service`."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import accounts, audit, demand, mail, storage
from derek.core.accounts import User
from derek.core.authz import Actor, authorize, can
from derek.core.db import utcnow
from derek.core.errors import Invalid, NotFound
from derek.core.i18n import LANGUAGES, translator
from derek.core.storage import StoredFile
from derek.quality import service as quality
from derek.reuse.models import (
    IDEA_KINDS,
    USE_CASE_KINDS,
    Idea,
    IdeaComment,
    IdeaSupport,
    Screenshot,
    UseCase,
    UseCaseDataset,
)
from derek.reuse.policy import Target
from derek.reuse.rules import ReuseRules, rules_for

__all__ = ["ReuseRules", "rules_for"]

T = TypeVar("T")

STORES = ("google_play", "app_store", "other")
MAX_TEXT = 20_000
MAX_DESCRIPTION = 10_000
MIN_DESCRIPTION = 50  # the study found most apps described in a line: say what it does and with what data
MAX_DATASETS = 50
MAX_STORE_LINKS = 5
MAX_SCREENSHOTS = 8
SCREENSHOT_BYTES = 5 * 1024 * 1024
SCREENSHOT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_KEYWORDS = 10
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# ---------------------------------------------------------------- who is who


def moderators_id(session: Session, profile: Profile) -> str | None:
    slug = rules_for(profile).moderators
    return catalog.organization_id_of(session, slug) if slug else None


def target(
    session: Session, profile: Profile, *, owner_id: str | None = None, organization_id: str | None = None
) -> Target:
    return Target(owner_id, organization_id, moderators_id(session, profile))


def may_moderate(session: Session, actor: Actor, profile: Profile) -> bool:
    return can(actor, "reuse.moderate", target(session, profile))


def address_key(secret: str, address: str | None) -> str:
    """A keyed hash of a visitor's network address: equal addresses give equal keys, and the key does not
    give the address back (the portal's secret is needed to test a guess)."""
    if not address:
        return ""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def by_number(session: Session, model: type[T], value: int | str, what: str) -> T:
    """The row of this integer key, or NotFound in words (also for text, or a number no column holds)."""
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    row = session.get(model, number) if 0 < number < 2**31 else None
    if row is None:
        raise NotFound(f"There is no {what} {str(value)[:40]!r}.")
    return row


# ---------------------------------------------------------------- checking what people type


def _invalid(name: str, message: str) -> Invalid:
    return Invalid(message, errors={name: [message]})


def _text(value: str | None, name: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise _invalid(name, f"{label} is required.")
    if len(value) > limit:
        raise _invalid(name, f"{label} is too long: at most {limit} characters, not {len(value)}.")
    return value


def _per_language(
    profile: Profile, value: dict[str, str] | None, name: str, label: str, *, limit: int, minimum: int = 1
) -> dict[str, str]:
    """A text per language of the profile: at least one language given, none too long."""
    out: dict[str, str] = {}
    for lang, text in (value or {}).items():
        if lang not in profile.languages:
            raise _invalid(
                f"{name}.{lang}",
                f"{label}: {lang!r} is not a language of this portal ({', '.join(profile.languages)}).",
            )
        cleaned = _text(text, f"{name}.{lang}", label, required=False, limit=limit)
        if cleaned:
            out[lang] = cleaned
    if not out:
        raise _invalid(name, f"{label} is required in at least one language.")
    if minimum > 1 and max(len(t) for t in out.values()) < minimum:
        raise _invalid(
            name,
            f"{label} is too short: at least {minimum} characters, saying what it does and with which data.",
        )
    return out


def _web_address(value: str, name: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > 2000:
        raise _invalid(name, f"{label} is too long: at most 2,000 characters.")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    # no spaces, and no control characters (PostgreSQL refuses NUL in text and JSON)
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or re.search(r"[\s\x00-\x1f]", value)
    ):
        raise _invalid(name, f"{label} must be a web address starting with http:// or https://.")
    return value


def _keywords(raw: Sequence[str] | str, fallback: str) -> list[str]:
    items = re.split(r"[,;\n]", raw) if isinstance(raw, str) else list(raw)
    words: list[str] = []
    for item in items:
        word = re.sub(r"\s+", " ", str(item).replace("\x00", "")).strip().lower()[:100]
        if word and word not in words:
            words.append(word)
    if not words and fallback:
        words = [re.sub(r"\s+", " ", fallback).strip().lower()[:100]]
    if len(words) > MAX_KEYWORDS:
        raise _invalid("keywords", f"At most {MAX_KEYWORDS} keywords, not {len(words)}.")
    return words


# ---------------------------------------------------------------- use cases


@dataclass
class UseCaseData:
    title: dict[str, str]
    description: dict[str, str]
    kind: str
    author: str
    contact: str
    datasets: list[str]  # names or ids of the datasets it uses (at least one)
    url: str = ""
    store_links: list[dict[str, str]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    prototype: bool = False


def _use_case_values(session: Session, actor: Actor, profile: Profile, data: UseCaseData) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Invalid as exc:
            for key, messages in (exc.errors or {}).items():
                errors.setdefault(key, []).extend(messages)
            return None

    values: dict[str, Any] = {
        "title": check(_per_language, profile, data.title, "title", "The title", limit=300),
        "description": check(
            _per_language,
            profile,
            data.description,
            "description",
            "The description",
            limit=MAX_DESCRIPTION,
            minimum=MIN_DESCRIPTION,
        ),
        "author": check(_text, data.author, "author", "The author", limit=300),
        "prototype": bool(data.prototype),
    }
    if data.kind not in USE_CASE_KINDS:
        errors["kind"] = [f"Unknown kind {data.kind!r}: use one of {', '.join(USE_CASE_KINDS)}."]
    values["kind"] = data.kind
    contact = check(_text, data.contact, "contact", "A contact e-mail address", limit=300)
    if contact and not EMAIL_RE.fullmatch(contact):
        errors["contact"] = ["The contact must be an e-mail address, e.g. team@example.kz."]
    values["contact"] = contact
    values["url"] = (
        check(_web_address, data.url, "url", "The web address") if (data.url or "").strip() else ""
    )
    links = _store_links(data.store_links, errors)
    values["store_links"] = links
    if not values["url"] and not links and "url" not in errors:
        errors["url"] = ["Give the web address where the use case can be seen, or a store link."]
    themes = {t.code for t in profile.themes}
    unknown = [t for t in data.topics or [] if t not in themes]
    if unknown:
        errors["topics"] = [f"Unknown topic {unknown[0]!r}: use the portal's themes."]
    values["topics"] = sorted(set(data.topics or []))
    dataset_ids = _dataset_ids(session, actor, data.datasets, errors)
    values["dataset_ids"] = dataset_ids
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(
            first if len(errors) == 1 else f"{len(errors)} fields need attention: {first}", errors=errors
        )
    return values


def _store_links(raw: list[dict[str, str]] | None, errors: dict[str, list[str]]) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for n, link in enumerate(raw or []):
        store, url = str(link.get("store", "other")), str(link.get("url", "")).strip()
        if not url:
            continue
        if store not in STORES:
            errors.setdefault(f"store_links.{n}", []).append(
                f"Unknown store {store!r}: use one of {', '.join(STORES)}."
            )
            continue
        try:
            links.append({"store": store, "url": _web_address(url, f"store_links.{n}", "A store link")})
        except Invalid as exc:
            for key, messages in (exc.errors or {}).items():
                errors.setdefault(key, []).extend(messages)
    if len(links) > MAX_STORE_LINKS:
        errors["store_links"] = [f"At most {MAX_STORE_LINKS} store links."]
    return links


def _dataset_ids(session: Session, actor: Actor, raw: list[str], errors: dict[str, list[str]]) -> list[str]:
    """The datasets named, as ids; each must be one the actor may see."""
    names = list(dict.fromkeys(n.replace("\x00", "").strip() for n in raw or [] if n and n.strip()))
    if not names:
        errors["datasets"] = ["Name at least one dataset of the portal that it uses."]
        return []
    if len(names) > MAX_DATASETS:
        errors["datasets"] = [f"At most {MAX_DATASETS} datasets."]
        return []
    ids: list[str] = []
    for name in names:
        try:
            ids.append(catalog.find_visible_dataset(session, actor, name).id)
        except NotFound:
            errors.setdefault("datasets", []).append(f"There is no dataset {name[:100]!r} on the portal.")
    return ids


def _set_datasets(session: Session, use_case: UseCase, dataset_ids: list[str]) -> None:
    current = {
        row.dataset_id: row
        for row in session.scalars(select(UseCaseDataset).where(UseCaseDataset.use_case_id == use_case.id))
    }
    for dataset_id, row in current.items():
        if dataset_id not in dataset_ids:
            session.delete(row)
    for dataset_id in dataset_ids:
        if dataset_id not in current:
            session.add(UseCaseDataset(use_case_id=use_case.id, dataset_id=dataset_id))


def _snapshot(use_case: UseCase, dataset_ids: list[str] | None = None) -> dict[str, Any]:
    out = {
        "title": use_case.title,
        "kind": use_case.kind,
        "url": use_case.url,
        "store_links": use_case.store_links,
        "author": use_case.author,
        "prototype": use_case.prototype,
        "moderation": use_case.moderation,
    }
    if dataset_ids is not None:
        out["datasets"] = dataset_ids
    return out


def create_use_case(session: Session, actor: Actor, profile: Profile, data: UseCaseData) -> UseCase:
    authorize(actor, "reuse.submit")
    values = _use_case_values(session, actor, profile, data)
    dataset_ids = values.pop("dataset_ids")
    use_case = UseCase(**values, submitted_by=actor.user_id)
    session.add(use_case)
    session.flush()
    _set_datasets(session, use_case, dataset_ids)
    session.flush()
    audit.record(
        session,
        actor,
        "use_case.create",
        "use_case",
        str(use_case.id),
        None,
        _snapshot(use_case, dataset_ids),
    )
    return use_case


def find_use_case(session: Session, use_case_id: int | str) -> UseCase:
    use_case = by_number(session, UseCase, use_case_id, "use case")
    return use_case


def may_edit_use_case(session: Session, actor: Actor, profile: Profile, use_case: UseCase) -> bool:
    return can(actor, "reuse.edit_use_case", target(session, profile, owner_id=use_case.submitted_by))


def editable_use_case(session: Session, actor: Actor, profile: Profile, use_case_id: int | str) -> UseCase:
    """The use case if the actor may change it; a hidden one is not there (404) for whoever may not see it,
    so its existence does not leak; a shown one refuses (401/403) with the reason."""
    use_case = find_use_case(session, use_case_id)
    if use_case.moderation != "shown" and not may_edit_use_case(session, actor, profile, use_case):
        raise NotFound(f"There is no use case {str(use_case_id)[:40]!r}.")
    authorize(actor, "reuse.edit_use_case", target(session, profile, owner_id=use_case.submitted_by))
    return use_case


def get_use_case(session: Session, actor: Actor, profile: Profile, use_case_id: int | str) -> UseCase:
    """The use case; a hidden one only for its submitter and the moderators (others: 404)."""
    use_case = find_use_case(session, use_case_id)
    if use_case.moderation != "shown" and not may_edit_use_case(session, actor, profile, use_case):
        raise NotFound(f"There is no use case {str(use_case_id)[:40]!r}.")
    return use_case


def update_use_case(
    session: Session, actor: Actor, profile: Profile, use_case_id: int | str, data: UseCaseData
) -> UseCase:
    """Its submitter (or a moderator) changes it; a new address is checked afresh."""
    use_case = editable_use_case(session, actor, profile, use_case_id)
    before = _snapshot(use_case, dataset_ids_of(session, use_case))
    values = _use_case_values(session, actor, profile, data)
    dataset_ids = values.pop("dataset_ids")
    # datasets the editor cannot see stay linked (someone else linked them); only visible ones change
    hidden_to_editor = [
        d for d in before["datasets"] if d not in dataset_ids and not _can_see_dataset(session, actor, d)
    ]
    addresses_changed = values["url"] != use_case.url or values["store_links"] != use_case.store_links
    for key, value in values.items():
        setattr(use_case, key, value)
    if addresses_changed:
        use_case.liveness, use_case.liveness_note = "unchecked", ""
        use_case.dead_since, use_case.failures, use_case.checked_at = None, 0, None
    _set_datasets(session, use_case, dataset_ids + hidden_to_editor)
    session.flush()
    audit.record(
        session,
        actor,
        "use_case.update",
        "use_case",
        str(use_case.id),
        before,
        _snapshot(use_case, dataset_ids),
    )
    return use_case


def _can_see_dataset(session: Session, actor: Actor, dataset_id: str) -> bool:
    try:
        catalog.find_visible_dataset(session, actor, dataset_id)
    except NotFound:
        return False
    return True


def delete_use_case(session: Session, actor: Actor, profile: Profile, use_case_id: int | str) -> None:
    use_case = editable_use_case(session, actor, profile, use_case_id)
    audit.record(session, actor, "use_case.delete", "use_case", str(use_case.id), _snapshot(use_case), None)
    session.delete(use_case)
    session.flush()


def set_use_case_moderation(
    session: Session, actor: Actor, profile: Profile, use_case_id: int | str, *, shown: bool, note: str = ""
) -> UseCase:
    """A moderator hides a use case (with the reason, which its submitter sees) or shows it again."""
    use_case = find_use_case(session, use_case_id)
    if use_case.moderation != "shown" and not may_moderate(session, actor, profile):
        raise NotFound(f"There is no use case {str(use_case_id)[:40]!r}.")
    authorize(actor, "reuse.moderate", target(session, profile))
    note = _text(note, "note", "The reason", required=not shown, limit=2000)
    before = _snapshot(use_case)
    use_case.moderation = "shown" if shown else "hidden"
    use_case.moderation_note = "" if shown else note
    audit.record(
        session, actor, "use_case.moderate", "use_case", str(use_case.id), before, _snapshot(use_case)
    )
    return use_case


def dataset_ids_of(session: Session, use_case: UseCase) -> list[str]:
    return list(
        session.scalars(
            select(UseCaseDataset.dataset_id)
            .where(UseCaseDataset.use_case_id == use_case.id)
            .order_by(UseCaseDataset.id)
        )
    )


def datasets_of(session: Session, actor: Actor, use_case: UseCase) -> list[Any]:
    """The datasets it uses that the actor may see, as the catalog's summaries (read once, not again each)."""
    return [
        catalog.dataset_summary(dataset)
        for dataset in catalog.datasets_by_ids(session, dataset_ids_of(session, use_case))
        if catalog.can_see(actor, dataset)
    ]


def retired(use_case: UseCase, rules: ReuseRules, now: datetime) -> bool:
    """Dead for longer than the grace period: it leaves the default list (it stays, marked, in "all")."""
    return (
        use_case.liveness == "dead"
        and use_case.dead_since is not None
        and use_case.dead_since <= now - timedelta(days=rules.grace_days)
    )


def _retired(rules: ReuseRules, now: datetime) -> ColumnElement[bool]:
    """`retired` in SQL."""
    cutoff = now - timedelta(days=rules.grace_days)
    return and_(UseCase.liveness == "dead", UseCase.dead_since.is_not(None), UseCase.dead_since <= cutoff)


def state_of(use_case: UseCase) -> str:
    """The study's split: a prototype (its publisher says so) first, then what the monitor found."""
    return "prototype" if use_case.prototype else use_case.liveness


STATES = ("live", "degraded", "dead", "prototype", "unchecked")


@dataclass
class UseCaseQuery:
    q: str = ""
    kind: str = ""
    topic: str = ""
    state: str = ""  # one of STATES
    dataset: str = ""  # a dataset's name or id
    organization: str = ""  # the organization whose datasets are used
    include_retired: bool = False  # the default list leaves out use cases dead past the grace period
    page: int = 1
    per_page: int = 20


@dataclass
class UseCasePage:
    items: list[UseCase]
    total: int
    retired_hidden: int  # how many the default list leaves out as dead past the grace period


def list_use_cases(
    session: Session, actor: Actor, profile: Profile, query: UseCaseQuery, now: datetime | None = None
) -> UseCasePage:
    """The shown use cases, newest first, filtered; by default without those dead past the grace period."""
    now = now or utcnow()
    rules = rules_for(profile)
    stmt = select(UseCase).where(UseCase.moderation == "shown")
    if query.kind:
        stmt = stmt.where(UseCase.kind == query.kind)
    if query.state == "prototype":
        stmt = stmt.where(UseCase.prototype.is_(True))
    elif query.state:
        stmt = stmt.where(UseCase.liveness == query.state, UseCase.prototype.is_(False))
    if query.dataset or query.organization:
        datasets = select(UseCaseDataset.use_case_id)
        if query.dataset:
            dataset = catalog.find_visible_dataset(session, actor, query.dataset)
            datasets = datasets.where(UseCaseDataset.dataset_id == dataset.id)
        if query.organization:
            org_id = catalog.organization_id_of(session, query.organization)
            if org_id is None:
                raise NotFound(f"There is no organization {query.organization[:100]!r}.")
            ids = organization_dataset_ids(session, org_id)
            datasets = datasets.where(UseCaseDataset.dataset_id.in_(ids))
        stmt = stmt.where(UseCase.id.in_(datasets))
    order = (UseCase.created_at.desc(), UseCase.id.desc())
    start = max(query.page - 1, 0) * query.per_page
    words = re.findall(r"\w+", query.q.lower())[:5]
    if not query.topic and not words:  # all in SQL: one page and two counts, not every use case
        kept_stmt = stmt if query.include_retired else stmt.where(not_(_retired(rules, now)))
        total = _count(session, kept_stmt)
        everything = total if query.include_retired else _count(session, stmt)
        page = list(session.scalars(kept_stmt.order_by(*order).offset(start).limit(query.per_page)))
        return UseCasePage(items=page, total=total, retired_hidden=everything - total)
    candidates = list(session.scalars(stmt.order_by(*order)))
    if query.topic:
        candidates = [u for u in candidates if query.topic in (u.topics or [])]
    if words:  # titles and descriptions are JSON per language: matched here, in every language
        candidates = [u for u in candidates if all(w in _haystack(u) for w in words)]
    kept = candidates if query.include_retired else [u for u in candidates if not retired(u, rules, now)]
    return UseCasePage(
        items=kept[start : start + query.per_page],
        total=len(kept),
        retired_hidden=len(candidates) - len(kept),
    )


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def _haystack(use_case: UseCase) -> str:
    parts = [*(use_case.title or {}).values(), *(use_case.description or {}).values(), use_case.author]
    return " ".join(parts).lower()


def organization_dataset_ids(session: Session, organization_id: str) -> list[str]:
    """The public datasets of an organization (use cases are counted and listed by them)."""
    return catalog.public_dataset_ids_of(session, organization_id)


@dataclass
class ReuseStats:
    """The study's table: how many use cases are live, degraded, dead, prototypes, not checked yet."""

    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    retired: int = 0  # dead past the grace period (counted in "dead" too)


def stats(session: Session, profile: Profile, now: datetime | None = None) -> ReuseStats:
    """Counted over every shown use case, the dead included: the statistics keep them."""
    now = now or utcnow()
    out = ReuseStats(by_state=dict.fromkeys(STATES, 0), by_kind=dict.fromkeys(USE_CASE_KINDS, 0))
    rows = session.execute(  # one GROUP BY, not every use case
        select(
            UseCase.prototype,
            UseCase.liveness,
            UseCase.kind,
            func.count(),
            func.sum(case((_retired(rules_for(profile), now), 1), else_=0)),
        )
        .where(UseCase.moderation == "shown")
        .group_by(UseCase.prototype, UseCase.liveness, UseCase.kind)
    ).tuples()
    for prototype, liveness, kind, count, retired_count in rows:
        state = "prototype" if prototype else liveness
        out.total += count
        out.by_state[state] = out.by_state.get(state, 0) + count
        out.by_kind[kind] = out.by_kind.get(kind, 0) + count
        out.retired += int(retired_count or 0)
    return out


def use_cases_of_dataset(session: Session, dataset_id: str) -> list[UseCase]:
    """The shown use cases that use this dataset (the dataset page lists them, the dead marked)."""
    return list(
        session.scalars(
            select(UseCase)
            .join(UseCaseDataset, UseCaseDataset.use_case_id == UseCase.id)
            .where(UseCaseDataset.dataset_id == dataset_id, UseCase.moderation == "shown")
            .order_by(UseCase.created_at.desc())
            .limit(100)
        )
    )


def count_for_organization(session: Session, organization_id: str) -> dict[str, int]:
    """How many shown use cases use this organization's public datasets, split by state."""
    ids = organization_dataset_ids(session, organization_id)
    counts = dict.fromkeys(STATES, 0)
    if not ids:
        return {"total": 0, **counts}
    use_cases = session.scalars(
        select(UseCase).where(
            UseCase.moderation == "shown",
            UseCase.id.in_(select(UseCaseDataset.use_case_id).where(UseCaseDataset.dataset_id.in_(ids))),
        )
    ).all()
    for use_case in use_cases:
        counts[state_of(use_case)] += 1
    return {"total": len(use_cases), **counts}


def use_cases_submitted_by(session: Session, actor: Actor) -> list[UseCase]:
    if actor.user_id is None:
        return []
    return list(
        session.scalars(
            select(UseCase).where(UseCase.submitted_by == actor.user_id).order_by(UseCase.created_at.desc())
        )
    )


# ---------------------------------------------------------------- screenshots


def check_may_edit(session: Session, actor: Actor, profile: Profile, use_case_id: int | str) -> UseCase:
    """Refuse early (before an upload is stored) unless the actor may edit the use case."""
    use_case = editable_use_case(session, actor, profile, use_case_id)
    return use_case


def image_facts(path: Path) -> tuple[str, int, int]:
    """(media type, width, height) of a PNG, JPEG or WebP picture; Invalid for anything else."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _invalid("file", "The screenshot must be a PNG, JPEG or WebP picture.") from exc
    if kind not in SCREENSHOT_TYPES:
        raise _invalid(
            "file", f"The screenshot must be a PNG, JPEG or WebP picture, not {kind or 'this file'}."
        )
    if width < 50 or height < 50 or width > 10_000 or height > 10_000:
        raise _invalid(
            "file", f"The screenshot is {width}×{height} pixels: give one between 50 and 10,000 a side."
        )
    return SCREENSHOT_TYPES[kind], width, height


def add_screenshot(
    session: Session,
    actor: Actor,
    profile: Profile,
    use_case_id: int | str,
    stored: StoredFile,
    path: Path,
    caption: str = "",
) -> Screenshot:
    use_case = editable_use_case(session, actor, profile, use_case_id)
    if stored.size > SCREENSHOT_BYTES:
        raise _invalid("file", f"The screenshot is {stored.size:,} bytes: at most {SCREENSHOT_BYTES:,}.")
    media_type, width, height = image_facts(path)
    existing = screenshots_of(session, use_case)
    if len(existing) >= MAX_SCREENSHOTS:
        raise _invalid("file", f"A use case has at most {MAX_SCREENSHOTS} screenshots: remove one first.")
    shot = Screenshot(
        use_case_id=use_case.id,
        sha256=stored.sha256,
        media_type=media_type,
        size=stored.size,
        width=width,
        height=height,
        caption=_text(caption, "caption", "The caption", required=False, limit=300),
        position=max((s.position for s in existing), default=-1) + 1,
    )
    session.add(shot)
    session.flush()
    audit.record(
        session,
        actor,
        "use_case.screenshot_add",
        "use_case",
        str(use_case.id),
        None,
        {"sha256": stored.sha256},
    )
    return shot


def remove_screenshot(
    session: Session, actor: Actor, profile: Profile, screenshot_id: int | str
) -> Screenshot:
    shot = get_screenshot(session, screenshot_id)
    use_case = editable_use_case(session, actor, profile, shot.use_case_id)
    session.delete(shot)
    session.flush()
    audit.record(
        session,
        actor,
        "use_case.screenshot_remove",
        "use_case",
        str(use_case.id),
        {"sha256": shot.sha256},
        None,
    )
    return shot


def get_screenshot(session: Session, screenshot_id: int | str) -> Screenshot:
    shot = by_number(session, Screenshot, screenshot_id, "screenshot")
    return shot


def screenshots_of(session: Session, use_case: UseCase) -> list[Screenshot]:
    return list(
        session.scalars(
            select(Screenshot).where(Screenshot.use_case_id == use_case.id).order_by(Screenshot.position)
        )
    )


@storage.references
def _stored_file_in_use(session: Session, sha256: str) -> bool:
    return session.scalar(select(Screenshot.id).where(Screenshot.sha256 == sha256).limit(1)) is not None


# ---------------------------------------------------------------- ideas and dataset requests


@dataclass
class IdeaData:
    title: str
    body: str = ""
    kind: str = "idea"
    keywords: Sequence[str] | str = ()
    organization: str = ""  # the organization it asks (name or id), if any


def create_idea(
    session: Session, actor: Actor, profile: Profile, data: IdeaData, *, address: str = ""
) -> Idea:
    authorize(actor, "reuse.post_idea")
    if data.kind not in IDEA_KINDS:
        raise _invalid("kind", f"Unknown kind {data.kind!r}: use one of {', '.join(IDEA_KINDS)}.")
    title = _text(data.title, "title", "The title", limit=300)
    org_id = None
    if (data.organization or "").strip():
        org_id = catalog.organization_id_of(session, data.organization.strip())
        if org_id is None:
            raise _invalid("organization", f"There is no organization {data.organization[:100]!r}.")
    idea = Idea(
        kind=data.kind,
        title=title,
        body=_text(data.body, "body", "The text", required=False, limit=MAX_TEXT),
        keywords=_keywords(data.keywords, ""),  # optional: evidence matches the title and text too
        organization_id=org_id,
        author_id=actor.user_id,
        address=address,
    )
    session.add(idea)
    session.flush()
    audit.record(
        session, actor, "idea.create", "idea", str(idea.id), None, {"title": title, "kind": data.kind}
    )
    if org_id:
        _tell_organization(session, profile, idea)
    return idea


def _tell_organization(session: Session, profile: Profile, idea: Idea) -> None:
    """Mail the admins and editors of the organization an idea asks (once each, in the portal's language)."""
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)
    # one line: the outbox refuses a subject with any line break (\r too), and an API title may hold one
    subject = _("A new idea for your organization: {title}", title=" ".join(idea.title[:150].split()))
    link = f"{mail.SITE}/reuse/ideas/{idea.id}"
    body = "\n".join([idea.title, "", idea.body[:2000], "", _("Read it, and answer it, here:"), link])
    for address in accounts.official_emails(session, idea.organization_id or "")[:20]:
        try:
            mail.queue(
                session, to=address, subject=subject, body=body, kind="idea_posted",
                key=f"idea_posted:{idea.id}:{address}"[:200],
            )  # fmt: skip
        except Invalid:  # an address the outbox refuses: the others still hear of it
            continue


def find_idea(session: Session, idea_id: int | str) -> Idea:
    return by_number(session, Idea, idea_id, "idea")


def get_idea(session: Session, actor: Actor, profile: Profile, idea_id: int | str) -> Idea:
    """The idea; a hidden one only for its author and the moderators (others: 404)."""
    idea = find_idea(session, idea_id)
    if idea.status == "hidden" and not (
        (actor.user_id is not None and actor.user_id == idea.author_id)
        or may_moderate(session, actor, profile)
    ):
        raise NotFound(f"There is no idea {str(idea_id)[:40]!r}.")
    return idea


def _visible_idea(session: Session, idea_id: int | str) -> Idea:
    idea = find_idea(session, idea_id)
    if idea.status == "hidden":
        raise NotFound(f"There is no idea {str(idea_id)[:40]!r}.")
    return idea


@dataclass
class IdeaQuery:
    q: str = ""
    kind: str = ""
    status: str = ""  # open or answered; hidden ones are never listed
    organization: str = ""
    sort: str = "supported"  # supported (most supports first) or new
    page: int = 1
    per_page: int = 20


@dataclass
class IdeaPage:
    items: list[Idea]
    total: int
    supports: dict[int, int]
    comments: dict[int, int]


def list_ideas(session: Session, query: IdeaQuery) -> IdeaPage:
    stmt = select(Idea).where(Idea.status != "hidden")
    if query.kind:
        stmt = stmt.where(Idea.kind == query.kind)
    if query.status in ("open", "answered"):
        stmt = stmt.where(Idea.status == query.status)
    if query.organization:
        org_id = catalog.organization_id_of(session, query.organization)
        if org_id is None:
            raise NotFound(f"There is no organization {query.organization[:100]!r}.")
        stmt = stmt.where(Idea.organization_id == org_id)
    for word in re.findall(r"\w+", query.q.lower())[:5]:
        stmt = stmt.where(Idea.title.ilike(f"%{word}%") | Idea.body.ilike(f"%{word}%"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    supports_sq = (
        select(IdeaSupport.idea_id, func.count().label("n")).group_by(IdeaSupport.idea_id).subquery()
    )
    stmt = stmt.outerjoin(supports_sq, supports_sq.c.idea_id == Idea.id)
    if query.sort == "new":
        stmt = stmt.order_by(Idea.created_at.desc(), Idea.id.desc())
    else:
        stmt = stmt.order_by(func.coalesce(supports_sq.c.n, 0).desc(), Idea.created_at.desc(), Idea.id.desc())
    page = max(query.page, 1)
    items = list(session.scalars(stmt.offset((page - 1) * query.per_page).limit(query.per_page)))
    ids = [i.id for i in items]
    return IdeaPage(items, int(total), support_counts(session, ids), comment_counts(session, ids))


def support_counts(session: Session, idea_ids: Sequence[int]) -> dict[int, int]:
    if not idea_ids:
        return {}
    rows = session.execute(
        select(IdeaSupport.idea_id, func.count())
        .where(IdeaSupport.idea_id.in_(idea_ids))
        .group_by(IdeaSupport.idea_id)
    )
    return {int(i): int(n) for i, n in rows.tuples()}


def comment_counts(session: Session, idea_ids: Sequence[int]) -> dict[int, int]:
    if not idea_ids:
        return {}
    rows = session.execute(
        select(IdeaComment.idea_id, func.count())
        .where(IdeaComment.idea_id.in_(idea_ids), IdeaComment.hidden.is_(False))
        .group_by(IdeaComment.idea_id)
    )
    return {int(i): int(n) for i, n in rows.tuples()}


def has_supported(session: Session, actor: Actor, idea: Idea) -> bool:
    if actor.user_id is None:
        return False
    found = session.scalar(
        select(IdeaSupport.id).where(IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == actor.user_id)
    )
    return found is not None


def add_idea_support(
    session: Session, actor: Actor, idea_id: int | str, *, address: str = ""
) -> tuple[Idea, bool]:
    """Support an idea: one person, one support. (idea, True) when counted now, False when the person had
    supported it before (the database's unique key decides, also for two clicks at once)."""
    authorize(actor, "reuse.support_idea")
    idea = _visible_idea(session, idea_id)
    assert actor.user_id is not None  # the rule lets only people support
    try:
        with session.begin_nested():
            session.add(IdeaSupport(idea_id=idea.id, user_id=actor.user_id, address=address))
            session.flush()
    except IntegrityError:
        return idea, False
    audit.record(session, actor, "idea.support", "idea", str(idea.id), None, {"supported": True})
    return idea, True


def remove_idea_support(session: Session, actor: Actor, idea_id: int | str) -> Idea:
    authorize(actor, "reuse.support_idea")
    idea = _visible_idea(session, idea_id)
    support = session.scalar(
        select(IdeaSupport).where(IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == actor.user_id)
    )
    if support is not None:
        session.delete(support)
        audit.record(session, actor, "idea.unsupport", "idea", str(idea.id), {"supported": True}, None)
    return idea


def add_comment(
    session: Session, actor: Actor, idea_id: int | str, body: str, *, address: str = ""
) -> IdeaComment:
    authorize(actor, "reuse.post_idea")
    idea = _visible_idea(session, idea_id)
    comment = IdeaComment(
        idea_id=idea.id,
        author_id=actor.user_id,
        body=_text(body, "body", "The comment", limit=5000),
        address=address,
    )
    session.add(comment)
    session.flush()
    audit.record(session, actor, "idea.comment", "idea", str(idea.id), None, {"comment": comment.id})
    return comment


def comments_of(session: Session, actor: Actor, profile: Profile, idea: Idea) -> list[IdeaComment]:
    """The idea's comments, oldest first; hidden ones only for moderators."""
    stmt = select(IdeaComment).where(IdeaComment.idea_id == idea.id)
    if not may_moderate(session, actor, profile):
        stmt = stmt.where(IdeaComment.hidden.is_(False))
    return list(session.scalars(stmt.order_by(IdeaComment.at, IdeaComment.id)))


def set_comment_hidden(
    session: Session, actor: Actor, profile: Profile, comment_id: int | str, hidden: bool
) -> IdeaComment:
    authorize(actor, "reuse.moderate", target(session, profile))
    comment = by_number(session, IdeaComment, comment_id, "comment")
    before = {"hidden": comment.hidden}
    comment.hidden = hidden
    audit.record(
        session, actor, "idea.comment_moderate", "idea", str(comment.idea_id), before, {"hidden": hidden}
    )
    return comment


def set_idea_moderation(
    session: Session, actor: Actor, profile: Profile, idea_id: int | str, *, shown: bool, note: str = ""
) -> Idea:
    """A moderator hides an idea (with the reason, which its author sees) or shows it again."""
    idea = find_idea(session, idea_id)
    if idea.status == "hidden" and not may_moderate(session, actor, profile):
        raise NotFound(f"There is no idea {str(idea_id)[:40]!r}.")
    authorize(actor, "reuse.moderate", target(session, profile))
    note = _text(note, "note", "The reason", required=not shown, limit=2000)
    before = {"status": idea.status}
    if shown:
        idea.status = "answered" if idea.answer else "open"
        idea.moderation_note = ""
    else:
        idea.status, idea.moderation_note = "hidden", note
    audit.record(session, actor, "idea.moderate", "idea", str(idea.id), before, {"status": idea.status})
    return idea


def may_answer(session: Session, actor: Actor, profile: Profile, idea: Idea) -> bool:
    return can(actor, "reuse.answer_idea", target(session, profile, organization_id=idea.organization_id))


def set_answer(
    session: Session, actor: Actor, profile: Profile, idea_id: int | str, answer: str, dataset: str = ""
) -> Idea:
    """The organization asked (or a moderator) answers the idea, naming the dataset that meets it if any."""
    idea = _visible_idea(session, idea_id)
    authorize(actor, "reuse.answer_idea", target(session, profile, organization_id=idea.organization_id))
    text = _text(answer, "answer", "The answer", limit=MAX_TEXT)
    dataset_id = None
    if (dataset or "").strip():
        try:
            dataset_id = catalog.find_visible_dataset(session, actor, dataset.strip()).id
        except NotFound as exc:
            raise _invalid("dataset", f"There is no dataset {dataset[:100]!r} on the portal.") from exc
    before = {"status": idea.status, "answer": idea.answer, "dataset_id": idea.dataset_id}
    idea.answer, idea.dataset_id, idea.status = text, dataset_id, "answered"
    audit.record(
        session,
        actor,
        "idea.answer",
        "idea",
        str(idea.id),
        before,
        {"answer": text, "dataset_id": dataset_id},
    )
    return idea


def display_names(session: Session, user_ids: Sequence[str | None]) -> dict[str, str]:
    """Users' public names (full name, else login name)."""
    ids = [i for i in set(user_ids) if i]
    if not ids:
        return {}
    return {u.id: u.fullname or u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}


# ---------------------------------------------------------------- the anomaly report


@dataclass
class Anomaly:
    kind: str  # "new_accounts" (a burst of supports from new accounts) or "shared_address"
    idea_id: int
    idea_title: str
    count: int  # supports in the burst, or accounts behind the address
    first_at: datetime
    last_at: datetime
    accounts: list[str]  # login names of the accounts concerned
    day: str = ""  # the burst's day (UTC), for new_accounts
    address: str = ""  # the address's key (not the address), for shared_address


def anomaly_report(
    session: Session, actor: Actor, profile: Profile, now: datetime | None = None, *, days: int = 90
) -> list[Anomaly]:
    """What moderators should look at, over the last `days`: on one idea, a burst of supports within 24
    hours from accounts younger than the profile's `new_account_days` (the densest such window); and
    accounts supporting one idea from one address (as its keyed hash). Nothing is removed automatically: a
    school or an office shares an address."""
    authorize(actor, "reuse.moderate", target(session, profile))
    rules = rules_for(profile)
    now = now or utcnow()
    rows = session.execute(
        select(IdeaSupport, User.name, User.created_at, Idea.title)
        .join(User, User.id == IdeaSupport.user_id)
        .join(Idea, Idea.id == IdeaSupport.idea_id)
        .where(IdeaSupport.at >= now - timedelta(days=days))
        .order_by(IdeaSupport.at)
    ).all()
    young = timedelta(days=rules.new_account_days)
    from_young: dict[int, list[tuple[IdeaSupport, str]]] = defaultdict(list)
    shared: dict[tuple[int, str], list[tuple[IdeaSupport, str]]] = defaultdict(list)
    titles: dict[int, str] = {}
    for support, name, created, title in rows:
        titles[support.idea_id] = title
        if created is not None and support.at - created < young:
            from_young[support.idea_id].append((support, name))
        if support.address:
            shared[(support.idea_id, support.address)].append((support, name))
    bursts = {
        (idea_id, window[0][0].at.date().isoformat()): window
        for idea_id, items in from_young.items()
        if (window := _densest_day(items))
    }
    found: list[Anomaly] = []
    for kind, groups, threshold in (
        ("new_accounts", bursts, rules.burst_supports),
        ("shared_address", shared, rules.shared_address),
    ):
        for (idea_id, group), items in groups.items():
            if len(items) < threshold:
                continue
            where = {"day": group} if kind == "new_accounts" else {"address": group}
            first, last = items[0][0].at, items[-1][0].at
            names = sorted(n for _s, n in items)
            found.append(Anomaly(kind, idea_id, titles[idea_id], len(items), first, last, names, **where))
    found.sort(key=lambda a: (-a.count, a.idea_id, a.kind))
    return found


def _densest_day(items: list[tuple[IdeaSupport, str]]) -> list[tuple[IdeaSupport, str]]:
    """The most supports (in time order) that fall within any 24 hours: a burst that straddles midnight is
    not split in two."""
    best: list[tuple[IdeaSupport, str]] = []
    start = 0
    for end, (support, _name) in enumerate(items):
        while support.at - items[start][0].at > timedelta(hours=24):
            start += 1
        if end + 1 - start > len(best):
            best = items[start : end + 1]
    return best


def hidden_items(
    session: Session, actor: Actor, profile: Profile, *, limit: int = 200
) -> tuple[list[Idea], list[UseCase]]:
    """What moderators hid (ideas, use cases), the latest first: the moderation page offers to show them."""
    authorize(actor, "reuse.moderate", target(session, profile))
    ideas = session.scalars(
        select(Idea).where(Idea.status == "hidden").order_by(Idea.updated_at.desc()).limit(limit)
    )
    use_cases = session.scalars(
        select(UseCase).where(UseCase.moderation == "hidden").order_by(UseCase.updated_at.desc()).limit(limit)
    )
    return list(ideas), list(use_cases)


def remove_supports(
    session: Session, actor: Actor, profile: Profile, idea_id: int | str, accounts: Sequence[str], reason: str
) -> int:
    """A moderator voids the supports of these accounts (login names) on an idea, with the reason."""
    authorize(actor, "reuse.moderate", target(session, profile))
    idea = find_idea(session, idea_id)
    reason = _text(reason, "reason", "The reason", limit=2000)
    names = [a.strip() for a in accounts if a and a.strip()]
    if not names:
        raise _invalid("accounts", "Name the accounts whose supports are void.")
    user_ids = list(session.scalars(select(User.id).where(User.name.in_(names))))
    supports = list(
        session.scalars(
            select(IdeaSupport).where(IdeaSupport.idea_id == idea.id, IdeaSupport.user_id.in_(user_ids))
        )
    )
    for support in supports:
        session.delete(support)
    session.flush()
    audit.record(
        session,
        actor,
        "idea.supports_void",
        "idea",
        str(idea.id),
        {"accounts": names},
        {"removed": len(supports), "reason": reason},
    )
    return len(supports)


# ---------------------------------------------------------------- demand evidence (for dataset selection)


def ideas_about(session: Session, phrases: Sequence[str], *, limit: int = 50) -> list[Idea]:
    """Shown ideas sharing every word stem of one of the phrases (whole stems: "tax" is not "taxi")."""
    found: dict[int, Idea] = {}
    for phrase in phrases:
        stems = [s for s in catalog.stem_words(phrase) if len(s) >= 3]
        if not stems:
            continue
        like = max(stems, key=len)[:-1].replace("е", "_")
        candidates = session.scalars(
            select(Idea)
            .where(Idea.status != "hidden", or_(Idea.title.ilike(f"%{like}%"), Idea.body.ilike(f"%{like}%")))
            .order_by(Idea.created_at.desc())
            .limit(500)
        )
        for idea in candidates:
            words = set(catalog.stem_words(f"{idea.title} {idea.body} {' '.join(idea.keywords or [])}"))
            if set(stems) <= words:
                found.setdefault(idea.id, idea)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


@demand.source("idea")
def _ideas_as_evidence(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any]
) -> list[demand.Evidence]:
    """Each idea on the topic is one piece of evidence counting the people behind it: its author and
    everyone who supported it (each person once)."""
    ideas = ideas_about(session, phrases)
    if not ideas:
        return []
    supporters: dict[int, set[str]] = defaultdict(set)
    for idea_id, user_id in session.execute(
        select(IdeaSupport.idea_id, IdeaSupport.user_id).where(IdeaSupport.idea_id.in_([i.id for i in ideas]))
    ).tuples():
        supporters[idea_id].add(user_id)
    out = []
    for idea in ideas:
        people = supporters[idea.id] | ({idea.author_id} if idea.author_id else set())
        out.append(
            demand.Evidence(
                kind="idea",
                title=quality.mask_text(idea.title, profile),
                count=max(len(people), 1),
                url=f"/reuse/ideas/{idea.id}",
                detail=f"{len(supporters[idea.id])} supports",
                on=idea.created_at.date(),
            )
        )
    return sorted(out, key=lambda e: (-e.count, e.title))
