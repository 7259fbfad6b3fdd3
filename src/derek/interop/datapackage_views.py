"""`/dataset/{name}/datapackage.json`: a dataset as a Frictionless Data Package v2 (see datapackage.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from derek.interop.datapackage import package_for
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/dataset/{name}/datapackage.json")
def datapackage(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> JSONResponse:
    """Private, draft (for who may not see them) and unknown datasets answer 404, like the page."""
    site = str(request.base_url).rstrip("/")
    descriptor = package_for(session, actor, profile, name, site=site, lang=lang)
    return JSONResponse(
        descriptor,
        media_type="application/json",
        headers={
            "Cache-Control": "private, no-store" if actor.user_id else "public, max-age=300",
            "Vary": "Authorization, Cookie, Accept-Language",
        },
    )
