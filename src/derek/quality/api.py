"""Native API of the personal-data guard: a resource's scan (its editors) and a reviewer's lawful basis."""

from __future__ import annotations

from fastapi import APIRouter, Response

from derek.core.api import JobRead, job_read
from derek.quality import links, mqa, stars
from derek.quality import personal_data as service
from derek.quality.schemas import LawfulBasis, LinkStatusRead, QualityRead, ScanRead, StarsRead
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["quality"], responses=PROBLEM_RESPONSES)


@router.get("/resources/{resource_id}/personal-data", response_model=ScanRead)
def get_scan(resource_id: str, session: SessionDep, actor: ActorDep, lang: LangDep) -> ScanRead:
    """What the personal-data check found in the resource's file: per column, the kind of value, the rows
    and masked samples. `personal` blocks publishing the dataset. For the dataset's editors."""
    return service.get_scan(session, actor, resource_id, lang)


@router.post("/resources/{resource_id}/personal-data/lawful-basis", response_model=ScanRead)
def record_lawful_basis(
    resource_id: str, data: LawfulBasis, session: SessionDep, actor: ActorDep, lang: LangDep
) -> ScanRead:
    """A reviewer (sysadmin) allows publishing this file despite its personal data, giving the legal ground;
    kept in the audit log. A new file of the resource is checked again."""
    scan = service.record_lawful_basis(session, actor, resource_id, data.lawful_basis, lang)
    session.commit()
    return scan


@router.get("/resources/{resource_id}/link", response_model=LinkStatusRead)
def get_link_status(resource_id: str, session: SessionDep, actor: ActorDep) -> LinkStatusRead:
    """Whether the resource's web address works: the latest check (ok or broken since when, and why) and
    the checks before it."""
    return links.get_status(session, actor, resource_id)


@router.post("/quality/link-check", response_model=JobRead, status_code=202)
def check_links(response: Response, session: SessionDep, actor: ActorDep) -> JobRead:
    """Check every resource's web address now, in the background (sysadmins; the worker does it daily)."""
    job = links.queue_check(session, actor)
    session.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job)


@router.get("/datasets/{name}/stars", response_model=StarsRead)
def get_stars(name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep) -> StarsRead:
    """5-star openness of the dataset (its best resource) and of each resource, with the reason: 0 without an
    open licence or when the link does not work, then 1 (on the web) to 4 (linked data) by format."""
    return stars.get_stars(session, actor, profile, name)


@router.get("/datasets/{name}/quality", response_model=QualityRead)
def get_quality(
    name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, settings: SettingsDep
) -> QualityRead:
    """The metadata quality score data.europa.eu's MQA would give the dataset (0 to 405, with its rating),
    indicator by indicator, each with what earns its points when they are missing."""
    return mqa.get_quality(session, actor, profile, settings.site_url, name)
