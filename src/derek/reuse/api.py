"""Native API of reuse: use cases of the portal's data with the datasets they use, screenshots, moderation
and the liveness monitor's verdict and checks (and a moderator's request for a check now, as a job); ideas
and dataset requests with one support per person, comments, answers, moderation, the anomaly report and
voiding supports. Surveys are in `survey_api`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile, Settings
from derek.core import storage
from derek.core.api import JobRead, job_read
from derek.core.authz import Actor
from derek.core.db import utcnow
from derek.core.errors import NotFound
from derek.core.i18n import pick
from derek.quality import service as quality
from derek.reuse import liveness_service as liveness
from derek.reuse import service
from derek.reuse.models import Idea, IdeaComment, LivenessCheck, Screenshot, UseCase
from derek.reuse.schemas import (
    AnomalyRead,
    AnswerSet,
    CheckRead,
    CommentCreate,
    CommentModeration,
    CommentRead,
    DatasetRef,
    IdeaCreate,
    IdeaKind,
    IdeaPage,
    IdeaRead,
    IdeaSummary,
    ModerationSet,
    ScreenshotRead,
    StatsRead,
    SupportResult,
    SupportsVoid,
    UseCaseKind,
    UseCasePage,
    UseCaseRead,
    UseCaseState,
    UseCaseSummary,
    UseCaseWrite,
    VoidResult,
)
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep, StoreDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/reuse", tags=["reuse"], responses=PROBLEM_RESPONSES)

_MAX = 2_147_483_647  # ids are 32-bit integers in the database
UseCaseId = Annotated[int, Path(ge=1, le=_MAX, description="The use case's number")]
IdeaId = Annotated[int, Path(ge=1, le=_MAX, description="The idea's number")]
CommentId = Annotated[int, Path(ge=1, le=_MAX, description="The comment's number")]
ScreenshotId = Annotated[int, Path(ge=1, le=_MAX, description="The screenshot's number")]
OrganizationFilter = Annotated[str, Query(max_length=100, pattern=r"^[A-Za-z0-9_\-]*$", description="slug")]
Words = Annotated[str, Query(max_length=200, description="words of the title or text")]
Page = Annotated[int, Query(ge=1, le=10_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]


def _now(settings: Settings) -> datetime:
    """The portal's clock (frozen for training portals and tests), as the liveness job reads it."""
    return settings.clock or utcnow()


def _address(request: Request, settings: Settings) -> str:
    """A keyed hash of the caller's address, so the anomaly report can group without keeping it."""
    return service.address_key(
        settings.effective_secret_key(), request.client.host if request.client else None
    )


def _org_titles(
    session: Session, profile: Profile, lang: str, ids: Sequence[str | None]
) -> dict[str, tuple[str, str]]:
    """organization id -> (slug, title in the request's language)."""
    langs = (lang, profile.default_language, *profile.languages)
    wanted = list({i for i in ids if i})
    return {
        i: (slug, pick(title, lang, langs)) for i, slug, title in catalog.organization_titles(session, wanted)
    }


# ---------------------------------------------------------------- use cases


def _summary(use_case: UseCase, profile: Profile, now: datetime) -> UseCaseSummary:
    return UseCaseSummary(
        id=use_case.id,
        title=dict(use_case.title or {}),
        description=dict(use_case.description or {}),
        kind=use_case.kind,
        url=use_case.url,
        store_links=[dict(link) for link in use_case.store_links or []],
        topics=list(use_case.topics or []),
        author=use_case.author,
        prototype=use_case.prototype,
        state=service.state_of(use_case),  # type: ignore[arg-type]
        liveness=use_case.liveness,  # type: ignore[arg-type]
        retired=service.retired(use_case, service.rules_for(profile), now),
        checked_at=use_case.checked_at,
        created_at=use_case.created_at,
    )


def _screenshot_read(shot: Screenshot) -> ScreenshotRead:
    return ScreenshotRead(
        id=shot.id,
        url=f"/reuse/screenshots/{shot.id}",
        media_type=shot.media_type,
        width=shot.width,
        height=shot.height,
        size=shot.size,
        caption=shot.caption,
        position=shot.position,
    )


def _use_case_read(
    session: Session,
    actor: Actor,
    profile: Profile,
    settings: Settings,
    lang: str,
    use_case: UseCase,
) -> UseCaseRead:
    session.flush()
    may_edit = service.may_edit_use_case(session, actor, profile, use_case)
    datasets = service.datasets_of(session, actor, use_case)
    orgs = _org_titles(session, profile, lang, [d.organization.id for d in datasets])
    return UseCaseRead(
        **_summary(use_case, profile, _now(settings)).model_dump(),
        liveness_note=use_case.liveness_note,
        dead_since=use_case.dead_since,
        contact=use_case.contact if may_edit else None,
        moderation=use_case.moderation,  # type: ignore[arg-type]
        moderation_note=use_case.moderation_note,
        datasets=[
            DatasetRef(
                name=d.name,
                title=dict(d.title),
                organization=d.organization.name,
                organization_title=orgs.get(d.organization.id, ("", ""))[1],
            )
            for d in datasets
        ],
        screenshots=[_screenshot_read(s) for s in service.screenshots_of(session, use_case)],
        may_edit=may_edit,
        may_moderate=service.may_moderate(session, actor, profile),
        updated_at=use_case.updated_at,
    )


def _use_case_data(data: UseCaseWrite) -> service.UseCaseData:
    return service.UseCaseData(
        title=data.title,
        description=data.description,
        kind=data.kind,
        author=data.author,
        contact=data.contact,
        datasets=list(data.datasets),
        url=data.url,
        store_links=[link.model_dump() for link in data.store_links],
        topics=list(data.topics),
        prototype=data.prototype,
    )


@router.get("/use-cases", response_model=UseCasePage)
def list_use_cases(
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    q: Words = "",
    kind: Literal["", UseCaseKind] = "",
    topic: Annotated[str, Query(max_length=100, description="a theme code")] = "",
    state: Literal["", UseCaseState] = "",
    dataset: Annotated[
        str, Query(max_length=200, description="a dataset's name: the use cases using it")
    ] = "",
    organization: OrganizationFilter = "",
    include_retired: Annotated[
        bool, Query(description="Also those dead for longer than the grace period (marked retired)")
    ] = False,
    page: Page = 1,
    per_page: PerPage = 20,
) -> UseCasePage:
    """The shown use cases, newest first; filtered by words, kind, topic, state, a dataset they use or the
    organization whose datasets they use. Those dead past the grace period are left out unless asked for
    (`retired_hidden` says how many)."""
    now = _now(settings)
    found = service.list_use_cases(
        session,
        actor,
        profile,
        service.UseCaseQuery(
            q=q,
            kind=kind,
            topic=topic,
            state=state,
            dataset=dataset,
            organization=organization,
            include_retired=include_retired,
            page=page,
            per_page=per_page,
        ),
        now=now,
    )
    return UseCasePage(
        count=found.total,
        retired_hidden=found.retired_hidden,
        results=[_summary(u, profile, now) for u in found.items],
    )


@router.post("/use-cases", response_model=UseCaseRead, status_code=201)
def create_use_case(
    data: UseCaseWrite,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> UseCaseRead:
    """Submit a use case of the portal's data (anyone signed in): what it is, who made it, how to reach
    them, where it can be seen and the datasets it uses."""
    use_case = service.create_use_case(session, actor, profile, _use_case_data(data))
    response.headers["Location"] = f"/api/v1/reuse/use-cases/{use_case.id}"
    return _use_case_read(session, actor, profile, settings, lang, use_case)


@router.get("/use-cases/{use_case_id}", response_model=UseCaseRead)
def read_use_case(
    use_case_id: UseCaseId,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> UseCaseRead:
    """A use case with the datasets it uses (those the caller may see), its screenshots and the liveness
    monitor's verdict. A hidden one only for its submitter and the moderators."""
    use_case = service.get_use_case(session, actor, profile, use_case_id)
    return _use_case_read(session, actor, profile, settings, lang, use_case)


@router.put("/use-cases/{use_case_id}", response_model=UseCaseRead)
def update_use_case(
    use_case_id: UseCaseId,
    data: UseCaseWrite,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> UseCaseRead:
    """Its submitter (or a moderator) replaces its description; a new address is checked afresh."""
    use_case = service.update_use_case(session, actor, profile, use_case_id, _use_case_data(data))
    return _use_case_read(session, actor, profile, settings, lang, use_case)


@router.delete("/use-cases/{use_case_id}", status_code=204)
def delete_use_case(
    use_case_id: UseCaseId, session: SessionDep, actor: ActorDep, profile: ProfileDep, store: StoreDep
) -> Response:
    """Its submitter (or a moderator) removes it, with its screenshots."""
    found = service.find_use_case(session, use_case_id)
    pictures = {s.sha256 for s in service.screenshots_of(session, found)}
    service.delete_use_case(session, actor, profile, use_case_id)
    session.commit()
    for sha256 in pictures:  # the same picture may serve another use case: kept then
        storage.discard_if_unreferenced(session, store, sha256)
    return Response(status_code=204)


@router.post("/use-cases/{use_case_id}/moderation", response_model=UseCaseRead)
def moderate_use_case(
    use_case_id: UseCaseId,
    data: ModerationSet,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> UseCaseRead:
    """A moderator hides a use case, with the reason its submitter sees, or shows it again."""
    use_case = service.set_use_case_moderation(
        session, actor, profile, use_case_id, shown=data.shown, note=data.note
    )
    return _use_case_read(session, actor, profile, settings, lang, use_case)


def _check_read(check: LivenessCheck) -> CheckRead:
    return CheckRead(
        id=check.id,
        url=check.url,
        role=check.role,
        ok=check.ok,
        http_status=check.http_status,
        error=check.error,
        elapsed_ms=check.elapsed_ms,
        verdict=check.verdict,
        checked_at=check.checked_at,
    )


@router.get("/use-cases/{use_case_id}/checks", response_model=list[CheckRead])
def use_case_checks(
    use_case_id: UseCaseId,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    limit: Annotated[int, Query(ge=1, le=60)] = 30,
) -> list[CheckRead]:
    """The liveness monitor's latest checks of its web address and store links, the newest first."""
    use_case = service.get_use_case(session, actor, profile, use_case_id)
    return [_check_read(c) for c in liveness.history(session, use_case, limit)]


@router.post("/use-cases/{use_case_id}/screenshots", response_model=ScreenshotRead, status_code=201)
async def add_screenshot(
    use_case_id: UseCaseId,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP picture of at most 5 MB")],
    caption: Annotated[str, Form(max_length=300)] = "",
) -> ScreenshotRead:
    """Add a screenshot (its submitter or a moderator; at most 8). Multipart form."""
    service.check_may_edit(session, actor, profile, use_case_id)  # before storing any file
    stored = await store.save_upload(file)
    try:
        shot = service.add_screenshot(
            session, actor, profile, use_case_id, stored, store.open_path(stored.sha256), caption
        )
        session.commit()
    except Exception:
        session.rollback()
        storage.discard_if_unreferenced(session, store, stored.sha256)  # a refused picture keeps no file
        raise
    return _screenshot_read(shot)


@router.delete("/screenshots/{screenshot_id}", status_code=204)
def remove_screenshot(
    screenshot_id: ScreenshotId, session: SessionDep, actor: ActorDep, profile: ProfileDep, store: StoreDep
) -> Response:
    """Remove a screenshot (the use case's submitter or a moderator)."""
    shot = service.remove_screenshot(session, actor, profile, screenshot_id)
    session.commit()
    storage.discard_if_unreferenced(session, store, shot.sha256)
    return Response(status_code=204)


@router.get("/stats", response_model=StatsRead)
def stats(session: SessionDep, profile: ProfileDep, settings: SettingsDep) -> StatsRead:
    """How many shown use cases are live, degraded, dead, prototypes or not checked yet, by kind, and how
    many are retired (dead past the grace period; they still count here)."""
    found = service.stats(session, profile, now=_now(settings))
    return StatsRead(total=found.total, by_state=found.by_state, by_kind=found.by_kind, retired=found.retired)


@router.post("/liveness-check", response_model=JobRead, status_code=202)
def check_liveness(response: Response, session: SessionDep, actor: ActorDep, profile: ProfileDep) -> JobRead:
    """Check every use case's address now, in the background (moderators; the worker does it daily). A
    check already waiting or running is the one answered."""
    job = liveness.queue_check(session, actor, profile)
    session.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job)


# ---------------------------------------------------------------- ideas and dataset requests


def _idea_summaries(
    session: Session,
    profile: Profile,
    lang: str,
    ideas: Sequence[Idea],
    supports: dict[int, int] | None = None,
    comments: dict[int, int] | None = None,
) -> list[IdeaSummary]:
    ids = [i.id for i in ideas]
    supports = service.support_counts(session, ids) if supports is None else supports
    comments = service.comment_counts(session, ids) if comments is None else comments
    orgs = _org_titles(session, profile, lang, [i.organization_id for i in ideas])
    org_of = {i.id: orgs.get(i.organization_id or "", ("", "")) for i in ideas}  # (slug, title)
    return [
        IdeaSummary(
            id=i.id,
            kind=i.kind,  # type: ignore[arg-type]
            title=quality.mask_text(i.title, profile),  # as the pages show it: personal data masked
            status=i.status,  # type: ignore[arg-type]
            keywords=list(i.keywords or []),
            organization=org_of[i.id][0] or None,
            organization_title=org_of[i.id][1],
            supports=supports.get(i.id, 0),
            comment_count=comments.get(i.id, 0),
            created_at=i.created_at,
        )
        for i in ideas
    ]


def _comment_reads(session: Session, profile: Profile, comments: Sequence[IdeaComment]) -> list[CommentRead]:
    names = service.display_names(session, [c.author_id for c in comments])
    return [
        CommentRead(
            id=c.id,
            author=names.get(c.author_id or "", ""),
            body=quality.mask_text(c.body, profile),
            hidden=c.hidden,
            at=c.at,
        )
        for c in comments
    ]


def _visible_dataset_name(session: Session, actor: Actor, dataset_id: str | None) -> str | None:
    if not dataset_id:
        return None
    try:
        return catalog.find_visible_dataset(session, actor, dataset_id).slug
    except NotFound:
        return None


def _idea_read(session: Session, actor: Actor, profile: Profile, lang: str, idea: Idea) -> IdeaRead:
    session.flush()
    summary = _idea_summaries(session, profile, lang, [idea])[0]
    return IdeaRead(
        **summary.model_dump(),
        body=quality.mask_text(idea.body, profile),
        author=service.display_names(session, [idea.author_id]).get(idea.author_id or "", ""),
        answer=quality.mask_text(idea.answer, profile),
        dataset=_visible_dataset_name(session, actor, idea.dataset_id),
        moderation_note=idea.moderation_note,
        supported_by_me=service.has_supported(session, actor, idea),
        may_answer=service.may_answer(session, actor, profile, idea),
        may_moderate=service.may_moderate(session, actor, profile),
        comments=_comment_reads(session, profile, service.comments_of(session, actor, profile, idea)),
    )


@router.get("/ideas", response_model=IdeaPage)
def list_ideas(
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    q: Words = "",
    kind: Literal["", IdeaKind] = "",
    status: Literal["", "open", "answered"] = "",
    organization: OrganizationFilter = "",
    sort: Literal["supported", "new"] = "supported",
    page: Page = 1,
    per_page: PerPage = 20,
) -> IdeaPage:
    """Ideas and dataset requests with their supports and comments, the most supported (or the newest)
    first; hidden ones are never listed."""
    found = service.list_ideas(
        session,
        service.IdeaQuery(
            q=q, kind=kind, status=status, organization=organization, sort=sort, page=page, per_page=per_page
        ),
    )
    return IdeaPage(
        count=found.total,
        results=_idea_summaries(session, profile, lang, found.items, found.supports, found.comments),
    )


@router.post("/ideas", response_model=IdeaRead, status_code=201)
def create_idea(
    data: IdeaCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    lang: LangDep,
) -> IdeaRead:
    """Post an idea for reuse or a request to publish a dataset (anyone signed in), addressed to an
    organization if it concerns one."""
    idea = service.create_idea(
        session,
        actor,
        profile,
        service.IdeaData(
            title=data.title,
            body=data.body,
            kind=data.kind,
            keywords=list(data.keywords),
            organization=data.organization,
        ),
        address=_address(request, settings),
    )
    response.headers["Location"] = f"/api/v1/reuse/ideas/{idea.id}"
    return _idea_read(session, actor, profile, lang, idea)


@router.get("/ideas/{idea_id}", response_model=IdeaRead)
def read_idea(
    idea_id: IdeaId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> IdeaRead:
    """An idea with its supports (and whether the caller is one), its comments and its answer. A hidden
    one only for its author and the moderators."""
    return _idea_read(session, actor, profile, lang, service.get_idea(session, actor, profile, idea_id))


SUPPORTED_BEFORE: dict[int | str, dict[str, object]] = {
    200: {"model": SupportResult, "description": "Supported before: not counted again"}
}


@router.post(
    "/ideas/{idea_id}/support", response_model=SupportResult, status_code=201, responses=SUPPORTED_BEFORE
)
def support_idea(
    idea_id: IdeaId,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> SupportResult:
    """Support an idea: one person, one support. 201 when counted now; 200 (counted false) when the
    caller had supported it before, also for two calls at once."""
    idea, counted = service.add_idea_support(session, actor, idea_id, address=_address(request, settings))
    if not counted:
        response.status_code = 200
    supports = service.support_counts(session, [idea.id]).get(idea.id, 0)
    return SupportResult(counted=counted, supported=True, supports=supports)


@router.delete("/ideas/{idea_id}/support", response_model=SupportResult)
def withdraw_support(idea_id: IdeaId, session: SessionDep, actor: ActorDep) -> SupportResult:
    """Withdraw one's support."""
    idea = service.remove_idea_support(session, actor, idea_id)
    session.flush()
    supports = service.support_counts(session, [idea.id]).get(idea.id, 0)
    return SupportResult(counted=False, supported=False, supports=supports)


@router.post("/ideas/{idea_id}/comments", response_model=CommentRead, status_code=201)
def add_comment(
    idea_id: IdeaId,
    data: CommentCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
) -> CommentRead:
    """Comment on an idea (anyone signed in)."""
    comment = service.add_comment(session, actor, idea_id, data.body, address=_address(request, settings))
    return _comment_reads(session, profile, [comment])[0]


@router.post("/ideas/{idea_id}/answer", response_model=IdeaRead)
def answer_idea(
    idea_id: IdeaId,
    data: AnswerSet,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> IdeaRead:
    """The organization asked (its admins and editors) or a moderator answers, naming the dataset that
    meets it if there is one."""
    idea = service.set_answer(session, actor, profile, idea_id, data.answer, data.dataset)
    return _idea_read(session, actor, profile, lang, idea)


@router.post("/ideas/{idea_id}/moderation", response_model=IdeaRead)
def moderate_idea(
    idea_id: IdeaId,
    data: ModerationSet,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> IdeaRead:
    """A moderator hides an idea, with the reason its author sees, or shows it again."""
    idea = service.set_idea_moderation(session, actor, profile, idea_id, shown=data.shown, note=data.note)
    return _idea_read(session, actor, profile, lang, idea)


@router.post("/comments/{comment_id}/moderation", response_model=CommentRead)
def moderate_comment(
    comment_id: CommentId, data: CommentModeration, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> CommentRead:
    """A moderator hides a comment (the public no longer sees it) or shows it again."""
    comment = service.set_comment_hidden(session, actor, profile, comment_id, data.hidden)
    return _comment_reads(session, profile, [comment])[0]


@router.get("/anomalies", response_model=list[AnomalyRead])
def anomalies(
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    days: Annotated[int, Query(ge=1, le=365, description="How far back to look")] = 90,
) -> list[AnomalyRead]:
    """For moderators: ideas with a burst of supports from new accounts in one day, and accounts
    supporting one idea from one address (shown as a keyed hash). Nothing is removed by itself."""
    # supports are stamped with the real time, so the window is counted back from it
    found = service.anomaly_report(session, actor, profile, days=days)
    return [
        AnomalyRead(
            kind=a.kind,  # type: ignore[arg-type]
            idea=a.idea_id,
            idea_title=a.idea_title,
            count=a.count,
            first_at=a.first_at,
            last_at=a.last_at,
            accounts=a.accounts,
            day=a.day,
            address=a.address,
        )
        for a in found
    ]


@router.post("/ideas/{idea_id}/supports/void", response_model=VoidResult)
def void_supports(
    idea_id: IdeaId, data: SupportsVoid, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> VoidResult:
    """A moderator voids the supports of these accounts on an idea, with the reason (kept in the audit
    log)."""
    removed = service.remove_supports(session, actor, profile, idea_id, data.accounts, data.reason)
    idea = service.find_idea(session, idea_id)
    return VoidResult(removed=removed, supports=service.support_counts(session, [idea.id]).get(idea.id, 0))
