"""`GET /api/v1/datasets/{name}/dcat-check`: a dataset's DCAT-AP check for its editors (see dcat_check.py)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from derek.core.i18n import translator
from derek.interop.dcat_check import check_dataset_for, conforms
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


class DcatViolationRead(BaseModel):
    message: str = Field(description="what to fix, in plain words, in the request's language")
    field: str = Field(
        description="the field to fix, as the dataset's (or with resource_id, the resource's) API and form "
        "name it; empty when no field holds it"
    )
    resource_id: str | None = Field(description="the resource the field belongs to; null for the dataset")
    focus: str = Field(description="the RDF node at fault: the dataset's, a distribution's, or one of theirs")
    path: str = Field(description="the RDF property at fault; empty when the rule is about the node")
    severity: Literal["Violation", "Warning", "Info"]


class DcatCheckRead(BaseModel):
    conforms: bool = Field(description="true when the gate shapes of DCAT-AP 3.0.1 find no violation")
    violations: list[DcatViolationRead]


@router.get(
    "/datasets/{name}/dcat-check",
    response_model=DcatCheckRead,
    tags=["datasets"],
    summary="Check a dataset against DCAT-AP",
)
def dcat_check(
    name: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> DcatCheckRead:
    """The dataset's DCAT-AP graph (as `/dataset/{name}.ttl` serves it, also for drafts and private
    datasets) through the DCAT-AP 3.0.1 gate shapes, for those who may change it. Messages are in the
    language of `?lang=`, `Accept-Language`, or the portal's default."""
    _dataset, results = check_dataset_for(session, actor, profile, settings.site_url, name)
    gettext = translator(lang)
    return DcatCheckRead(
        conforms=conforms(results),
        violations=[
            DcatViolationRead(
                message=r.words.say(gettext) if r.words else r.message,
                field=r.field,
                resource_id=r.resource_id or None,
                focus=r.focus,
                path=r.path,
                severity=r.severity,  # type: ignore[arg-type]
            )
            for r in results
        ],
    )
