"""create_app(settings): builds the ASGI application and mounts each domain's routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

import derek.catalog  # noqa: F401  (registers policies)
import derek.core.mail  # noqa: F401  (the outbox's send job and its schedule)
import derek.datastore.service  # noqa: F401  (registers the load job and what triggers it)
import derek.harvest.service  # noqa: F401  (registers the harvest action and its run job)
import derek.info_requests  # noqa: F401  (the actions on information requests)
import derek.info_requests.notify  # noqa: F401  (daily reminders of due and overdue requests)
import derek.quality.links  # noqa: F401  (the link check job and its daily schedule)
import derek.quality.personal_data  # noqa: F401  (the personal-data guard: its scan job and publication gate)
import derek.quality.reminders  # noqa: F401  (daily reminders of due updates, to the outbox)
import derek.quality.scores  # noqa: F401  (stored scores: recomputed after every change and nightly)
import derek.reuse.liveness_service  # noqa: F401  (reuse: its actions, idea supports as demand, the daily check)
import derek.selection.notify  # noqa: F401  (the choice of data to open: its actions, reminders of due items)
from derek import __version__
from derek.config import Settings
from derek.core import jobs
from derek.core.db import Database
from derek.core.errors import DomainError
from derek.core.storage import FileStore
from derek.datastore.engine import DuckStore
from derek.interop import dcat_views
from derek.web import problems
from derek.web.security import BodySizeLimit, HeadAsGet, LoginLimiter, SecurityHeaders

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"

API_DESCRIPTION = """Derek's native REST API. Reads are public for public data; changes need an API token
sent as `Authorization: Bearer <token>` (create one with `derek token create NAME` or in your profile page).
Errors are RFC 9457 problem details. A CKAN-compatible Action API is served at `/api/3/action/{name}`."""


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    if migrate:
        db.upgrade()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner = jobs.Runner(
            db, {"store": _app.state.store, "duck": _app.state.datastore, "settings": settings}
        )
        if settings.run_jobs:
            runner.start()
        yield
        runner.stop()
        _app.state.datastore.close()
        db.engine.dispose()

    app = FastAPI(
        title="Derek open data portal API",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.store = FileStore(settings.files_dir, settings.max_upload_bytes)
    app.state.datastore = DuckStore(
        settings.data_dir / "datastore.duckdb",
        allowed_dirs=[settings.files_dir],
        memory_limit=settings.datastore_memory_limit,
    )
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute)

    app.add_exception_handler(DomainError, problems.domain_error_handler)
    app.add_exception_handler(RequestValidationError, problems.validation_error_handler)
    app.add_exception_handler(HTTPException, problems.http_error_handler)

    _mount_routers(app)
    app.add_middleware(dcat_views.DcatNegotiation)  # Accept: text/turtle on /catalog, /dataset/{name}
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.effective_secret_key(),
        session_cookie="derek_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=14 * 86400,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + 1024 * 1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    return app


def _mount_routers(app: FastAPI) -> None:
    from derek.catalog import api as catalog_api
    from derek.catalog import publish_views
    from derek.catalog import views as catalog_views
    from derek.core import api as core_api
    from derek.datastore import api as datastore_api
    from derek.datastore import export_api as datastore_export_api
    from derek.datastore import sql_api as datastore_sql_api
    from derek.datastore import views as datastore_views
    from derek.harvest import api as harvest_api
    from derek.harvest import views as harvest_views
    from derek.info_requests import api as info_requests_api
    from derek.info_requests import views as info_requests_views
    from derek.interop import (
        ckan_api,
        datapackage_views,
        dcat_check_api,
        dcat_check_views,  # noqa: F401  (its panel on the dataset's pages)
    )
    from derek.quality import api as quality_api
    from derek.quality import views as quality_views  # also its panel on the dataset's pages
    from derek.reuse import api as reuse_api
    from derek.reuse import idea_views as reuse_idea_views
    from derek.reuse import survey_api as reuse_survey_api
    from derek.reuse import survey_views as reuse_survey_views
    from derek.reuse import views as reuse_views
    from derek.selection import api as selection_api
    from derek.selection import views as selection_views
    from derek.web import account_views, admin_views
    from derek.web import views as web_views

    app.include_router(core_api.router)
    app.include_router(catalog_api.router)
    app.include_router(dcat_check_api.router)  # /api/v1/datasets/{name}/dcat-check
    app.include_router(datastore_sql_api.router)  # before /api/v1/datastore/{resource_id} takes "sql"
    app.include_router(datastore_export_api.router)  # /export.{fmt} and CKAN's /datastore/dump/{id}
    app.include_router(datastore_api.router)
    app.include_router(harvest_api.router)
    app.include_router(quality_api.router)
    app.include_router(info_requests_api.router)
    app.include_router(selection_api.router)
    app.include_router(reuse_api.router)
    app.include_router(reuse_survey_api.router)
    app.include_router(ckan_api.router)
    # before the public pages, so /dataset/{name}/resource/new is not taken for a resource id
    app.include_router(publish_views.router)
    app.include_router(dcat_views.router)  # /dataset/{name}.ttl|.jsonld|.rdf before the dataset page
    app.include_router(datastore_views.router)  # the resource page; after /resource/new and /edit
    app.include_router(admin_views.router)
    app.include_router(harvest_views.router)  # /admin/harvest
    app.include_router(quality_views.router)
    app.include_router(info_requests_views.router)  # /requests, /organization/{name}/dialogue
    app.include_router(selection_views.router)  # /selection/...
    app.include_router(reuse_views.router)  # /reuse, /reuse/use-cases/...
    app.include_router(reuse_idea_views.router)  # /reuse/ideas/..., /reuse/moderation
    app.include_router(reuse_survey_views.router)  # /reuse/surveys/...
    app.include_router(account_views.router)
    app.include_router(web_views.router)
    app.include_router(datapackage_views.router)  # /dataset/{name}/datapackage.json
    app.include_router(catalog_views.router)
