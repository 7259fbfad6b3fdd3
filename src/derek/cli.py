"""The `derek` command: serve, demo, user, token, db."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from derek.config import Settings
from derek.core.db import Database

app = typer.Typer(help="Derek open data portal.", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
datastore_app = typer.Typer(help="Load and inspect DataStore tables.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
app.add_typer(datastore_app, name="datastore")
err = Console(stderr=True)

DataDirOption = Annotated[Optional[Path], typer.Option("--data-dir", help="data folder (DEREK_DATA_DIR)")]  # noqa: UP045


def _settings(data_dir: Path | None = None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _database(settings: Settings) -> Database:
    import derek.catalog  # noqa: F401  (registers policies)
    import derek.datastore.service  # noqa: F401  (uploads queue DataStore loads)
    import derek.quality.personal_data  # noqa: F401  (uploads wait for their personal-data check)
    import derek.quality.scores  # noqa: F401  (changes queue a recomputation of the dataset's scores)
    from derek.core.db import Database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    db.upgrade()
    return db


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: DataDirOption = None,
) -> None:
    """Serve the portal (applies migrations first)."""
    import uvicorn

    from derek.app import create_app

    settings = _settings(data_dir)
    application = create_app(settings)
    err.print(f"[green]Derek[/green] serving {settings.profile} portal on http://{host}:{port}")
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=True)


@app.command()
def demo(data_dir: DataDirOption = None) -> None:
    """Load the demo organizations, datasets, files and users (safe to run again)."""
    from derek.demo import load_demo

    settings = _settings(data_dir)
    summary = load_demo(_database(settings), settings, console=err)
    err.print(summary)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDirOption = None) -> None:
    """Apply database migrations."""
    settings = _settings(data_dir)
    _database(settings)
    err.print("[green]Database is up to date.[/green]")


@user_app.command("create")
def user_create(
    name: str,
    email: Annotated[str, typer.Option("--email", help="e-mail address")],
    role: Annotated[Optional[str], typer.Option("--role", help="'sysadmin' for a site administrator")] = None,  # noqa: UP045
    org: Annotated[Optional[str], typer.Option("--org", help="organization to join")] = None,  # noqa: UP045
    org_role: Annotated[str, typer.Option("--org-role", help="admin, editor or member")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Create a user, optionally a sysadmin or a member of an organization."""
    from derek.catalog import service as catalog
    from derek.core import accounts
    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError

    if role not in (None, "sysadmin"):
        err.print(f"[red]Unknown role {role!r}: the only site-wide role is 'sysadmin'.[/red]")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    settings = _settings(data_dir)
    try:
        with _database(settings).session() as session:
            user = accounts.create_user(session, SYSTEM, name, email, password, sysadmin=role == "sysadmin")
            if org:
                organization = catalog.get_organization(session, SYSTEM, org)
                accounts.set_membership(session, SYSTEM, user, organization.id, org_role)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    err.print(f"Created user [bold]{name}[/bold]" + (f" ({org_role} of {org})" if org else ""))


@token_app.command("create")
def token_create(
    name: str,
    label: Annotated[str, typer.Option("--label", help="what the token is for")] = "",
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token for a user and print only the token on stdout."""
    from derek.core import accounts
    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError

    settings = _settings(data_dir)
    try:
        with _database(settings).session() as session:
            _token, plain = accounts.create_token(session, SYSTEM, accounts.get_user(session, name), label)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    typer.echo(plain)


@datastore_app.command("load")
def datastore_load(
    resource: str,
    data_dir: DataDirOption = None,
    wait: Annotated[float, typer.Option(help="seconds to wait for a running server to do the load")] = 3600,
) -> None:
    """Load (or reload) an uploaded tabular resource into the DataStore, with a progress bar.

    When the server is running it holds the DataStore file: the load is then queued for the server's
    worker and this command follows its progress until it ends."""
    import time

    import duckdb
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError
    from derek.core.storage import FileStore
    from derek.datastore import service as datastore
    from derek.datastore.engine import DuckStore

    settings = _settings(data_dir)
    db = _database(settings)
    store = FileStore(settings.files_dir, settings.max_upload_bytes)
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn()]
    started = time.monotonic()
    try:
        duck: DuckStore | None = DuckStore(
            settings.data_dir / "datastore.duckdb",
            allowed_dirs=[settings.files_dir],
            memory_limit=settings.datastore_memory_limit,
        )
    except duckdb.IOException:
        duck = None  # the server has the file open: let its worker do the load
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task(f"Loading {resource}", total=None)

            def show(done: int, total: int, _unit: str, message: str) -> None:
                bar.update(task, completed=done, total=total or None, description=message or "Loading")

            with db.session() as session:
                if duck is not None:
                    info = datastore.load_resource(session, SYSTEM, store, duck, resource, show)
                    rows, fields = info.row_count, info.fields
                else:
                    job = datastore.request_load(session, SYSTEM, resource)
                    session.commit()
                    job_id = job.id
            if duck is None:
                rows, fields = _follow_job(db, job_id, show, wait)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        if duck is not None:
            duck.close()
    described = ", ".join(f"{f['id']} ({f['type']})" for f in fields)
    err.print(f"Loaded {rows:,} rows in {time.monotonic() - started:.2f} s: {described}")


def _follow_job(db: Database, job_id: str, show: Any, wait: float) -> tuple[int, list[dict[str, Any]]]:
    """Poll a queued load until the server's worker ends it; its outcome as (rows, fields)."""
    import time

    from derek.core import jobs
    from derek.core.errors import DomainError
    from derek.datastore.models import DatastoreTable

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with db.session() as session:
            job = session.get(jobs.Job, job_id)
            assert job is not None
            if job.status == "queued":
                show(0, 0, "", "Queued: waiting for the server's worker")
            else:
                show(job.done, job.total, job.unit, job.message)
            if job.status == "failed":
                raise DomainError(job.error)
            if job.status == "succeeded":
                table = session.get(DatastoreTable, job.subject_id)
                return (table.row_count, list(table.fields)) if table else (0, [])
        time.sleep(0.5)
    raise DomainError(f"The load did not end within {wait:.0f} s; it stays queued as job {job_id}.")


# ---------------------------------------------------------------- DCAT-AP
dcat_app = typer.Typer(help="DCAT-AP output of the catalog.", no_args_is_help=True)
app.add_typer(dcat_app, name="dcat")


@dcat_app.command("validate")
def dcat_validate(
    strict: Annotated[bool, typer.Option("--strict", help="also the class-range shapes (range.ttl)")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Validate the whole public catalog against the DCAT-AP 3.0.1 SHACL shapes."""
    import time

    from rich.table import Table

    from derek.interop import dcat, shacl

    settings = _settings(data_dir)
    db = _database(settings)
    out = Console()
    started = time.perf_counter()
    with db.session() as session:
        pages = dcat.all_public_graphs(session, settings.jurisdiction, settings.site_url)
    results = [r for graph, _n in pages for r in shacl.validate(graph, strict=strict)]
    seconds = time.perf_counter() - started
    bad = shacl.violations(results)
    if results:
        table = Table("severity", "node", "problem")
        for r in results[:200]:
            table.add_row(r.severity, r.focus, r.message)
        out.print(table)
    checked = sum(n for _g, n in pages)
    verdict = "[green]conforms[/green]" if not bad else f"[red]{len(bad)} violation(s)[/red]"
    out.print(
        f"DCAT-AP 3.0.1 ({'shapes + range' if strict else 'shapes'}): {checked} datasets, {verdict}, "
        f"{len(results) - len(bad)} warning(s), {seconds:.1f} s"
    )
    if bad:
        raise typer.Exit(1)


# ---------------------------------------------------------------- harvesting
harvest_app = typer.Typer(
    help="Harvest other portals' catalogs (CKAN portals, DCAT catalogs, data.egov.kz).", no_args_is_help=True
)
app.add_typer(harvest_app, name="harvest")


def _harvest_run_line(run: Any) -> str:
    counts = (
        f"{run.created} created, {run.updated} updated, {run.withdrawn} withdrawn, {run.unchanged} unchanged"
    )
    errors = "; ".join(str(e.get("error", e)) for e in run.errors[:5])
    return f"{run.started_at:%Y-%m-%d %H:%M} {run.status}: {counts}" + (
        f"; errors: {errors}" if errors else ""
    )


@harvest_app.command("add")
def harvest_add(
    name: str,
    url: Annotated[str, typer.Option(help="the remote portal's address")],
    org: Annotated[str, typer.Option(help="local organization that owns the mirrored datasets")],
    kind: Annotated[
        str, typer.Option(help="ckan (Action API), dcat (RDF document or Hydra-paged endpoint) or egov")
    ] = "ckan",
    title: Annotated[str, typer.Option(help="a title for people")] = "",
    schedule: Annotated[str, typer.Option(help="manual, daily or weekly")] = "manual",
    dataset: Annotated[
        list[str] | None,
        typer.Option(help="egov only, repeatable: a data.egov.kz dataset as index or index/version"),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Register a harvest source."""
    from pydantic import ValidationError

    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError
    from derek.harvest import service as harvest
    from derek.harvest.schemas import HarvestSourceCreate

    db = _database(_settings(data_dir))
    try:
        data = HarvestSourceCreate.model_validate(
            {
                "name": name,
                "url": url,
                "organization": org,
                "kind": kind,
                "title": title,
                "schedule": schedule,
                "datasets": dataset or [],
            }
        )
        with db.session() as session:
            source = harvest.create_source(session, SYSTEM, data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        err.print(f"[red]{where + ': ' if where else ''}{message}[/red]")
        raise typer.Exit(1) from exc
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    err.print(f"Added harvest source {source.name} ({source.kind}, {source.url}) for {source.organization}")


@harvest_app.command("list")
def harvest_list(data_dir: DataDirOption = None) -> None:
    """Every harvest source with its latest run."""
    from rich.table import Table

    from derek.core.authz import SYSTEM
    from derek.harvest import service as harvest

    db = _database(_settings(data_dir))
    with db.session() as session:
        sources = harvest.list_sources(session, SYSTEM)
    table = Table("name", "kind", "url", "organization", "mirrored", "last run")
    for source in sources:
        last = _harvest_run_line(source.runs[0]) if source.runs else "never"
        table.add_row(source.name, source.kind, source.url, source.organization, str(source.mirrored), last)
    Console().print(table)


@harvest_app.command("show")
def harvest_show(name: str, data_dir: DataDirOption = None) -> None:
    """A source and its latest runs."""
    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError
    from derek.harvest import service as harvest

    db = _database(_settings(data_dir))
    try:
        with db.session() as session:
            source = harvest.get_source(session, SYSTEM, name)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    out = Console()
    out.print(
        f"{source.name} ({source.kind}) {source.url} -> {source.organization}, {source.mirrored} mirrored"
    )
    for run in source.runs:
        out.print("  " + _harvest_run_line(run))
    if not source.runs:
        out.print("  no runs yet")


def _server_answers(settings: Settings) -> bool:
    import httpx

    try:
        return httpx.get(settings.site_url.rstrip("/") + "/api/v1/status", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@harvest_app.command("run")
def harvest_run(
    name: str,
    data_dir: DataDirOption = None,
    wait: Annotated[float, typer.Option(help="seconds to follow a run queued for a running server")] = 3600,
) -> None:
    """Harvest a source now, with a progress bar. When the server is running the run is queued for its
    worker and this command follows the job until it ends."""
    import time

    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from derek.core import jobs
    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError
    from derek.harvest import service as harvest

    settings = _settings(data_dir)
    db = _database(settings)
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn()]
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task(f"Harvesting {name}", total=None)

            def show(done: int, total: int, _unit: str, message: str) -> None:
                bar.update(task, completed=done, total=total or None, description=message or "Harvesting")

            if _server_answers(settings):
                with db.session() as session:
                    job_id = harvest.queue_run(session, SYSTEM, name).id
                deadline = time.monotonic() + wait
                while True:
                    with db.session() as session:
                        job = session.get(jobs.Job, job_id)
                        assert job is not None
                        show(job.done, job.total, job.unit, job.message)
                        if job.status in ("succeeded", "failed"):
                            break
                    if time.monotonic() > deadline:
                        raise DomainError(
                            f"The run did not end within {wait:.0f} s; it stays queued as {job_id}."
                        )
                    time.sleep(0.5)
            else:
                with db.session() as session:
                    harvest.run_harvest(
                        session,
                        SYSTEM,
                        settings.jurisdiction,
                        name,
                        progress=show,
                        allow_private=settings.fetch_allow_private,
                        timeout=settings.fetch_timeout,
                    )
        with db.session() as session:
            run = harvest.get_source(session, SYSTEM, name, runs=1).runs[0]
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    err.print(_harvest_run_line(run))
    if run.status == "failed":
        raise typer.Exit(1)


# ---------------------------------------------------------------- export and import


quality_app = typer.Typer(help="The portal's quality checks.", no_args_is_help=True)
app.add_typer(quality_app, name="quality")


@quality_app.command("run")
def quality_run(data_dir: DataDirOption = None) -> None:
    """Run the quality checks now, with progress bars: every resource's web address is checked (HEAD, else
    a one-byte GET) and broken ones are flagged, then every dataset's score, stars and update schedule are
    recomputed. The server's worker also does both once a day."""
    import derek.quality.links as links
    import derek.quality.scores as scores

    settings = _settings(data_dir)
    db = _database(settings)
    with _progress_bar() as bar, db.session() as session:
        task = bar.add_task("checking links", total=None)
        counts = links.run_checks(
            session,
            allow_private=settings.fetch_allow_private,
            timeout=settings.fetch_timeout,
            progress=lambda done, total, _unit, _msg: bar.update(task, completed=done, total=total or None),
        )
        session.commit()
        scoring = bar.add_task("scoring datasets", total=None)
        scores.mark_all_stale(session)
        session.commit()
        scored = scores.recompute(
            session,
            settings.jurisdiction,
            settings.site_url,
            progress=lambda done, total, _u, _m: bar.update(scoring, completed=done, total=total or None),
            checkpoint=session.commit,
        )
        session.commit()
        portal = scores.portal_quality(session)
    err.print(f"{counts['checked']} links checked: {counts['ok']} work, {counts['broken']} broken")
    summary = portal.summary
    average = f"{summary.average_points:.0f}" if summary.average_points is not None else "-"
    err.print(
        f"{scored['scored']} datasets scored: average {average} of 405 points"
        f" ({summary.average_rating or 'none public'}), "
        f"{summary.freshness.get('overdue', 0)} overdue, {summary.freshness.get('due_soon', 0)} due soon"
    )


mail_app = typer.Typer(help="The e-mail outbox.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("send")
def mail_send(data_dir: DataDirOption = None) -> None:
    """Send the e-mails that are due through the SMTP server of DEREK_SMTP_HOST (the server's worker also
    does this about once a minute); without one they stay in the outbox."""
    from derek.core import mail

    settings = _settings(data_dir)
    db = _database(settings)
    with db.session() as session:
        counts = mail.send_pending(session, settings)
    if not settings.smtp_host:
        waiting = counts["waiting"]
        err.print(f"[yellow]No mail server is configured (DEREK_SMTP_HOST):[/yellow] {waiting} waiting")
        return
    err.print(f"{counts['sent']} sent, {counts['failed']} failed, {counts['waiting']} waiting")
    if counts["failed"]:
        raise typer.Exit(1)


def _progress_bar() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err)


@app.command("export")
def export_command(
    out_dir: Annotated[Path, typer.Argument(help="folder to write (catalog.ttl, files/, export.json)")],
    data_dir: DataDirOption = None,
) -> None:
    """Write the whole public catalog as DCAT-AP (catalog.ttl) plus its uploaded files."""
    from derek.interop import roundtrip

    settings = _settings(data_dir)
    db = _database(settings)
    with _progress_bar() as bar, db.session() as session:
        task = bar.add_task("exporting", total=None)
        summary = roundtrip.export_catalog(
            session,
            settings,
            out_dir,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    err.print(
        f"[green]Exported[/green] {summary.datasets} datasets, {summary.resources} resources, "
        f"{summary.files} files ({summary.bytes:,} bytes) to {out_dir}"
    )
    if summary.missing_files:
        err.print(f"[yellow]{len(summary.missing_files)} uploaded file(s) missing from the store.[/yellow]")


@app.command("import")
def import_command(
    in_dir: Annotated[Path, typer.Argument(help="a folder written by `derek export`")],
    data_dir: DataDirOption = None,
) -> None:
    """Load an export folder into an empty catalog (as the system actor)."""
    from derek.core.authz import SYSTEM
    from derek.core.errors import DomainError
    from derek.interop import roundtrip

    settings = _settings(data_dir)
    db = _database(settings)
    try:
        with _progress_bar() as bar, db.session() as session:
            task = bar.add_task("importing", total=None)
            summary = roundtrip.import_catalog(
                session,
                SYSTEM,
                settings,
                in_dir,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    err.print(
        f"[green]Imported[/green] {summary.organizations} organizations, {summary.datasets} datasets, "
        f"{summary.resources} resources ({summary.files} files, {summary.links} links)"
    )
    for line in summary.skipped:
        err.print(f"[yellow]skipped[/yellow] {line}")


if __name__ == "__main__":  # pragma: no cover
    app()
