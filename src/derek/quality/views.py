"""Quality panels on a dataset's pages (personal-data check for editors, broken links for everyone) and the
reviewer's lawful-basis form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.authz import Actor, can
from derek.core.errors import Invalid
from derek.core.i18n import translator
from derek.quality import links, mqa, stars
from derek.quality import personal_data as service
from derek.web.account_views import FormDep
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, get_lang, get_settings
from derek.web.forms import text
from derek.web.pages import env, flash
from derek.web.panels import register
from derek.web.security import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)


@register("dataset")
def personal_data_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    if not can(actor, "dataset.update", dataset.organization.id):
        return Markup("")
    lang = get_lang(request)
    scans = []
    for resource in dataset.resources:
        scan = service.get_scan(session, actor, resource.id, lang)
        if scan.status == "pending" and service.load_failed(session, resource.id):
            scan = scan.model_copy(update={"status": "failed"})  # it will never be read: say so
        if scan.status != "not_scanned":
            scans.append((resource, scan))
    if not scans:
        return Markup("")
    html = env.get_template("quality/_personal_data.html").render(
        _=translator(lang),
        lang=lang,
        dataset=dataset,
        scans=scans,
        may_review=can(actor, "personal_data.review", None),
        csrf_token=csrf_token(request),
        blocked=any(s.status in service.BLOCKING for _r, s in scans),
    )
    return Markup(html)


@register("dataset")
def broken_links_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: which of the dataset's links did not work at their latest check."""
    broken = links.broken_in(session, [r.id for r in dataset.resources])
    if not broken:
        return Markup("")
    lang = get_lang(request)
    rows = [(r, broken[r.id]) for r in dataset.resources if r.id in broken]
    html = env.get_template("quality/_broken_links.html").render(
        _=translator(lang), lang=lang, dataset=dataset, rows=rows
    )
    return Markup(html)


@register("dataset")
def stars_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: the dataset's 5-star openness and what would raise it."""
    if not dataset.resources:
        return Markup("")
    broken = set(links.broken_in(session, [r.id for r in dataset.resources]))
    rated = stars.dataset_stars(profile, dataset, broken)
    lang = get_lang(request)
    html = env.get_template("quality/_stars.html").render(_=translator(lang), lang=lang, rated=rated)
    return Markup(html)


@register("dataset")
def quality_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: the MQA-style metadata quality score, its breakdown and what would raise it."""
    scored = mqa.assess(session, profile, get_settings(request).site_url, dataset)
    lang = get_lang(request)
    html = env.get_template("quality/_mqa.html").render(_=translator(lang), lang=lang, scored=scored)
    return Markup(html)


@router.post("/dataset/{name}/resource/{resource_id}/personal-data/lawful-basis")
def record_lawful_basis(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    submitted: FormDep,
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    dataset = catalog.get_dataset(session, actor, profile, name)
    try:
        service.record_lawful_basis(session, actor, resource_id, text(submitted, "lawful_basis"), lang)
    except Invalid as exc:
        session.rollback()
        flash(request, exc.message)
        return RedirectResponse(f"/dataset/{dataset.name}#personal-data", status_code=303)
    session.commit()
    flash(request, "The lawful basis is recorded: the dataset can be published with this file.")
    return RedirectResponse(f"/dataset/{dataset.name}#personal-data", status_code=303)
