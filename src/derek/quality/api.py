"""Native API of the quality checks: a resource's personal-data scan (its editors) and a reviewer's lawful
basis, link states, a dataset's stars, score and freshness, the portal's and an organization's figures, and
a publisher's to-do list."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from derek.core.api import JobRead, job_read
from derek.core.i18n import translator
from derek.quality import links, mqa, scores, stars
from derek.quality import personal_data as service
from derek.quality.schemas import (
    DatasetQualityRow,
    FreshnessRead,
    LawfulBasis,
    LinkStatusRead,
    OrganizationQualityRead,
    PortalQualityRead,
    QualityRead,
    ScanRead,
    ScorecardRead,
    StarsRead,
    SummaryRead,
    TaskRead,
)
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


@router.get("/datasets/{name}/freshness", response_model=FreshnessRead)
def get_freshness(name: str, session: SessionDep, actor: ActorDep) -> FreshnessRead:
    """Whether the dataset is updated as often as declared: on time, due soon, overdue, or not applicable
    when no period is declared; from when its data last changed."""
    return scores.get_freshness(session, actor, name)


def _summary(summary: scores.Summary) -> SummaryRead:
    values = asdict(summary)
    values["stars"] = {str(k): v for k, v in summary.stars.items()}
    return SummaryRead(**values)


@router.get("/quality", response_model=PortalQualityRead)
def portal_quality(session: SessionDep) -> PortalQualityRead:
    """The public catalog's quality: average metadata score and stars, datasets per rating, stars and
    freshness state, broken links, and the same per organization."""
    portal = scores.portal_quality(session)
    return PortalQualityRead(
        summary=_summary(portal.summary),
        organizations=[
            OrganizationQualityRead(name=o.name, title=o.title, summary=_summary(o.summary))
            for o in portal.organizations
        ],
        computed_at=portal.computed_at,
    )


@router.get("/organizations/{name}/quality", response_model=ScorecardRead)
def organization_quality(name: str, session: SessionDep, actor: ActorDep) -> ScorecardRead:
    """An organization's scorecard: its public datasets' scores, stars, broken links and freshness, and its
    figures next to the portal's."""
    card = scores.organization_scorecard(session, actor, name)
    return ScorecardRead(
        name=card.name,
        title=card.title,
        summary=_summary(card.summary),
        portal=_summary(card.portal),
        datasets=[
            DatasetQualityRow(
                name=r.name,
                title=r.title,
                points=r.points,
                rating=r.rating,
                stars=r.stars,
                broken_links=r.broken_links,
                freshness=r.freshness,
                due_at=r.due_at,
                scored=r.scored,
            )
            for r in card.rows
        ],
    )


@router.get("/quality/todo", response_model=list[TaskRead])
def todo(
    session: SessionDep, actor: ActorDep, lang: LangDep, organization: str | None = None
) -> list[TaskRead]:
    """What needs doing in the datasets of the organizations where the caller is an editor or admin (a
    sysadmin: every organization; `organization` narrows it to one), most urgent first."""
    _ = translator(lang)
    return [
        TaskRead(
            severity=t.severity,
            kind=t.kind,
            dataset=t.dataset,
            organization=t.organization,
            message=scores.task_text(t, _),
            link=f"/dataset/{t.dataset}#{t.anchor}" if t.anchor else f"/dataset/{t.dataset}",
        )
        for t in scores.todo(session, actor, organization)
    ]
