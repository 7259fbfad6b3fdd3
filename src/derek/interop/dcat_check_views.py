"""The "DCAT-AP check" panel on a dataset's page, edit form and add-data form, for its editors only."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from markupsafe import Markup
from sqlalchemy.orm import Session

from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.authz import Actor, can
from derek.core.i18n import translator
from derek.interop.dcat_check import check_dataset, conforms, form_link
from derek.web.deps import get_lang, get_settings
from derek.web.pages import env
from derek.web.panels import register


@register("dataset")
def dcat_check_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    if not can(actor, "dataset.update", dataset.organization.id):
        return Markup("")
    results = check_dataset(session, profile, get_settings(request).site_url, dataset)
    lang = get_lang(request)
    gettext = translator(lang)
    here = request.url.path
    items = []
    for result in results:
        link = form_link(result, dataset.name)
        if link.startswith(here + "#"):  # the field is on this page: keep what the publisher typed
            link = link[len(here) :]
        message = result.words.say(gettext) if result.words else result.message
        items.append({"message": message, "link": link, "advice": result.severity != "Violation"})
    html = env.get_template("interop/_dcat_check.html").render(
        _=gettext, lang=lang, items=items, conforms=conforms(results)
    )
    return Markup(html)
