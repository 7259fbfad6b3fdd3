"""Load the demo catalog through the services; idempotent, so a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from rich.console import Console
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, OrganizationCreate, ResourceCreate
from derek.catalog.service import Upload
from derek.config import Profile, Settings
from derek.core import accounts
from derek.core.authz import SYSTEM, Actor
from derek.core.db import Database
from derek.core.errors import Conflict, NotFound
from derek.core.storage import FileStore
from derek.demo.generate import Table, rng_for, to_csv, to_geojson, to_json
from derek.demo.organizations import DEMO_PASSWORD, ORGANIZATIONS, USERS, DemoOrganization, DemoUser
from derek.demo.real import REAL_DATASETS
from derek.demo.requests import ensure_demo_requests
from derek.demo.reuse import ensure_demo_reuse
from derek.demo.selection import ensure_demo_selection
from derek.demo.specs import DemoDataset, ml
from derek.demo.surveys import ensure_demo_surveys
from derek.demo.synthetic import SYNTHETIC_DATASETS

DATASETS: tuple[DemoDataset, ...] = (*REAL_DATASETS, *SYNTHETIC_DATASETS)
DEMO_KEYWORDS = ("Demo data", "Демо-данные", "Демо деректер")
DEMO_NOTE = ml(
    "Демо деректер: бұл жиынтық пен оның файлдары Derek демонстрациясы үшін жасалған, олар ресми "
    "деректер емес.",
    "Демо-данные: этот набор и его файлы сгенерированы для демонстрации Derek и не являются "
    "официальными данными.",
    "Demo data: this dataset and its files were generated for the Derek demo and are not official data.",
)
CREDIT = ml(
    "Нақты ашық деректер, Derek демосында мысал ретінде қайта жарияланған. Бастапқы жариялаушы: {publisher}. "
    "Дереккөз: {url}. Лицензия: {licence}.",
    "Реальные открытые данные, повторно опубликованные в демо Derek как пример. Первоначальный издатель: "
    "{publisher}. Источник: {url}. Лицензия: {licence}.",
    "Real public data, republished as an example in the Derek demo. Original publisher: {publisher}. "
    "Source: {url}. Licence: {licence}.",
)
ENCODERS: dict[str, tuple[str, Callable[[Table], bytes]]] = {
    "CSV": ("csv", to_csv),
    "JSON": ("json", to_json),
    "GEOJSON": ("geojson", to_geojson),
}
ORGS_BY_NAME = {o.name: o for o in ORGANIZATIONS}


@dataclass
class Tally:
    organizations: int = 0
    users: int = 0
    datasets: int = 0
    requests: int = 0
    proposals: int = 0
    use_cases: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.organizations
            or self.users
            or self.datasets
            or self.requests
            or self.proposals
            or self.use_cases
        )


def load_demo(db: Database, settings: Settings, console: Console | None = None) -> str:
    """Create the demo organizations, users and datasets that are missing; return what happened."""
    profile = settings.jurisdiction
    store = FileStore(settings.files_dir, settings.max_upload_bytes)
    tally = Tally()
    with _progress(console, len(ORGANIZATIONS) + len(USERS) + len(DATASETS)) as advance:
        for org in ORGANIZATIONS:
            with db.session() as session:
                tally.organizations += _ensure_organization(session, org, tally)
            advance(org.name)
        password_hash = cache(lambda: accounts.hash_password(DEMO_PASSWORD))  # only if a user is created
        for user in USERS:
            with db.session() as session:
                tally.users += _ensure_user(session, user, password_hash, tally)
            advance(user.name)
        for dataset in DATASETS:
            with db.session() as session:
                files = _ensure_dataset(session, profile, store, dataset, tally)
            if files is not None:
                tally.datasets += 1
                tally.files += files
            advance(dataset.name)
    with db.session() as session:
        officials = {org.name: _publisher(session, org.name) for org in ORGANIZATIONS}
        tally.requests = ensure_demo_requests(session, profile, officials)
    with db.session() as session:
        tally.proposals = ensure_demo_selection(session, profile, catalog.local_today(profile))
        # one open survey answered at a co-creation session
        ensure_demo_surveys(session, profile, settings.effective_secret_key())
    with db.session() as session:
        tally.use_cases = ensure_demo_reuse(session, profile)
    with db.session() as session:
        logins = _working_logins(session)
    return _summary(tally, logins, settings.site_url)


@contextmanager
def _progress(console: Console | None, total: int) -> Iterator[Callable[[str], None]]:
    if console is None:
        yield lambda _label: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("Demo data"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda label: progress.update(task, advance=1, description=label)


# ---------------------------------------------------------------- organizations and users


def _ensure_organization(session: Session, org: DemoOrganization, tally: Tally) -> bool:
    try:
        catalog.get_organization(session, SYSTEM, org.name)
        return False
    except NotFound:
        pass
    data = OrganizationCreate(
        name=org.name,
        title=org.title,
        description=org.description,
        org_type=org.org_type,
        parent=org.parent,
        contact_email=org.contact_email,
        website=org.website,
    )
    try:
        catalog.create_organization(session, SYSTEM, data)
    except (Conflict, NotFound) as exc:  # deleted earlier, or its parent was
        tally.notes.append(f"organization {org.name} skipped: {exc.message}")
        return False
    return True


def _ensure_user(session: Session, demo: DemoUser, password_hash: Callable[[], str], tally: Tally) -> bool:
    try:
        accounts.get_user(session, demo.name)
        return False
    except NotFound:
        pass
    try:
        user = accounts.create_user(
            session, SYSTEM, demo.name, demo.email, None, fullname=demo.fullname, sysadmin=demo.sysadmin
        )
    except Conflict as exc:  # a deleted user kept the name
        tally.notes.append(f"user {demo.name} skipped: {exc.message}")
        return False
    # One argon2 hash of the (public) demo password for every demo account: hashing is slow on purpose,
    # and a hash per account would take most of the loading time.
    user.password_hash = password_hash()
    if demo.organization:
        try:
            org = catalog.get_organization(session, SYSTEM, demo.organization)
        except NotFound:
            tally.notes.append(f"user {demo.name} created without membership: no {demo.organization}")
        else:
            accounts.set_membership(session, SYSTEM, user, org.id, demo.role)
    return True


def _publisher(session: Session, organization: str) -> Actor:
    """The demo editor of the organization, so the audit trail reads like a publisher's work."""
    for demo in USERS:
        if demo.organization == organization and not demo.sysadmin:
            try:
                return accounts.actor_for(session, accounts.get_user(session, demo.name))
            except NotFound:
                break
    return SYSTEM


def _working_logins(session: Session) -> list[DemoUser]:
    """Demo accounts that still have the demo password (never claim a login that would fail)."""
    working: list[DemoUser] = []
    verdicts: dict[str, bool] = {}  # one slow verification per distinct stored hash
    for demo in USERS:
        try:
            user = accounts.get_user(session, demo.name)
        except NotFound:
            continue
        if user.state != "active" or not user.password_hash:
            continue
        if user.password_hash not in verdicts:
            verdicts[user.password_hash] = (
                accounts.authenticate(session, demo.name, DEMO_PASSWORD) is not None
            )
        if verdicts[user.password_hash]:
            working.append(demo)
    return working


# ---------------------------------------------------------------- datasets


def _ensure_dataset(
    session: Session, profile: Profile, store: FileStore, demo: DemoDataset, tally: Tally
) -> int | None:
    """Create the dataset and its resources; the number of files stored, or None if nothing was done."""
    try:
        catalog.get_dataset(session, SYSTEM, profile, demo.name)
        return None
    except NotFound:
        pass
    try:
        catalog.get_organization(session, SYSTEM, demo.organization)
    except NotFound:
        tally.notes.append(f"dataset {demo.name} skipped: no organization {demo.organization}")
        return None
    actor = _publisher(session, demo.organization)
    catalog.create_dataset(session, actor, profile, _dataset_create(profile, demo))
    uploads = list(_uploads(store, demo))
    for resource, upload in uploads:
        catalog.create_resource(session, actor, demo.name, resource, upload=upload)
    if demo.source is not None:
        link = ResourceCreate(
            name="Source snapshot",
            description=f"Where this file was copied from: {demo.source.snapshot}.",
            url=demo.source.url,
            format="HTML",
        )
        catalog.create_resource(session, actor, demo.name, link)
    return len(uploads)


def _uploads(store: FileStore, demo: DemoDataset) -> Iterator[tuple[ResourceCreate, Upload]]:
    for real in demo.files:
        stored = store.save_file(real.path)
        resource = ResourceCreate(name=real.name, description=real.description, format=real.format)
        yield resource, Upload(stored, real.filename)
    if demo.table is None:
        return
    table = demo.table(rng_for(demo.name))
    for fmt in demo.formats:
        extension, encode = ENCODERS[fmt]
        stored = store.save_chunks([encode(table)])
        description = f"Generated demo data, {len(table.rows)} rows: {', '.join(table.header)}."
        resource = ResourceCreate(name=f"{demo.name}.{extension}", description=description, format=fmt)
        yield resource, Upload(stored, f"{demo.name}.{extension}")


def _dataset_create(profile: Profile, demo: DemoDataset) -> DatasetCreate:
    """The service input, fitted to the running profile (its regions, themes and licences)."""
    if demo.source is None:
        description = {lang: f"{DEMO_NOTE[lang]} {text}" for lang, text in demo.description.items()}
        keywords = [*demo.keywords, *DEMO_KEYWORDS]
        extras = {"demo": "true", "generated_by": "derek demo (seeded, the same files on every run)"}
    else:
        source = demo.source
        description = {
            lang: text
            + "\n\n"
            + CREDIT[lang].format(publisher=source.publisher[lang], url=source.url, licence=source.licence)
            for lang, text in demo.description.items()
        }
        keywords = list(demo.keywords)
        extras = {
            "source": source.snapshot,
            "source_url": source.url,
            "source_licence": source.licence,
            "original_publisher": source.publisher["en"],
        }
    org = ORGS_BY_NAME[demo.organization]
    return DatasetCreate(
        name=demo.name,
        organization=demo.organization,
        title=demo.title,
        description=description,
        themes=[t for t in demo.themes if profile.theme(t)],
        keywords=keywords,
        license_id=demo.licence if profile.licence(demo.licence) else profile.default_licence,
        contact_name="Open data unit",
        contact_email=org.contact_email,
        update_frequency=demo.frequency,
        temporal_start=demo.start,
        temporal_end=demo.end,
        regions=[r for r in demo.regions if profile.region(r)],
        languages=list(demo.languages),
        version=demo.version,
        issued=None if demo.state == "draft" else _issued(demo),
        state=demo.state,
        private=demo.private,
        extras=extras,
    )


def _issued(demo: DemoDataset) -> datetime:
    day = demo.issued or (demo.end + timedelta(days=20) if demo.end else date(2024, 6, 3))
    return min(datetime.combine(day, time(4, 0), tzinfo=UTC), datetime.now(UTC))


# ---------------------------------------------------------------- report


def _summary(tally: Tally, logins: list[DemoUser], site_url: str) -> str:
    # Short lines: the CLI prints this through Rich, which wraps at 80 columns off a terminal.
    if tally.changed:
        lines = [
            f"Demo data loaded: {tally.organizations} organizations, {tally.datasets} datasets,",
            f"  {tally.files} files, {tally.users} users, {tally.requests} information requests and",
            f"  {tally.proposals} dataset proposals and {tally.use_cases} use cases created.",
        ]
    else:
        lines = [
            "Demo data already loaded: nothing changed.",
            f"  ({len(ORGANIZATIONS)} organizations, {len(DATASETS)} datasets, {len(USERS)} users)",
        ]
    lines += [f"  note: {note}" for note in tally.notes]
    if logins:
        lines.append(f"Demo logins, password for each: {DEMO_PASSWORD}")
        lines.append(f"  log in at {site_url.rstrip('/')}/login as")
        width = max(len(demo.name) for demo in logins)
        for demo in logins:
            if demo.sysadmin:
                role = "site administrator"
            elif demo.organization:
                role = f"{demo.role} of {demo.organization}"
            else:
                role = "resident (posts ideas, supports them, answers surveys)"
            lines.append(f"  {demo.name:<{width}} {role}")
        lines.append("Change or remove these accounts before the portal is opened to the public.")
    return "\n".join(lines)
