"""Native API of information requests: submit, read and search the public register, the officials' steps,
appeals and decisions, the work queues, statistics and the demand evidence other domains read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from derek.info_requests import service
from derek.info_requests.schemas import (
    Answer,
    AppealCreate,
    AppealRead,
    Assign,
    DecisionCreate,
    DemandItem,
    Extend,
    Message,
    PublishDataset,
    RegisterPage,
    RequestCreate,
    Requester,
    RequestRead,
    RequestSummary,
    StatsRead,
    Topics,
)
from derek.info_requests.uploads import store_file
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep, StoreDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["information requests"], responses=PROBLEM_RESPONSES)

KeyHeader = Annotated[
    str | None,
    Query(
        alias="key",
        max_length=100,
        description="The private key an anonymous requester got with the confirmation",
    ),
]


def _read(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    reference: str,
    lang: str,
    key: str | None = None,
) -> RequestRead:
    settings = request.app.state.settings
    return service.get_request(
        session, actor, profile, reference, key=key, lang=lang, site_url=settings.site_url, now=settings.clock
    )


@router.post("/requests", response_model=RequestRead, status_code=201)
def submit(
    request: Request,
    data: RequestCreate,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
) -> RequestRead:
    """Send an information request (kind `request`) or an Open Dialogue question (kind `question`) to an
    organization. Without a token, give `email` (and `name`, and the identity number when the profile's law
    asks for them). The answer carries the reference number, the due date and, for a requester without an
    account, `access_key`: the only way to clarify, withdraw or appeal later."""
    req, key = service.submit_request(session, actor, profile, data, now=settings.clock)
    session.commit()
    response.headers["Location"] = f"/api/v1/requests/{req.reference}"
    read = _read(request, session, actor, profile, req.reference, lang, key)
    return read.model_copy(update={"access_key": key})


@router.get("/requests", response_model=RegisterPage)
def register(
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    status: Literal["", "open", "clarification", "answered", "partial", "refused", "withdrawn"] = "",
    kind: Literal["", "request", "question"] = "",
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RegisterPage:
    """The public register of requests and questions, newest first; never names the requester."""
    return service.search_register(
        session,
        profile,
        q=q,
        organization=organization,
        status=status,
        kind=kind,
        overdue=overdue,
        page=page,
        per_page=per_page,
        lang=lang,
        now=settings.clock,
    )


@router.get("/requests/queue", response_model=list[RequestSummary])
def queue(
    session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> list[RequestSummary]:
    """The open requests of the organizations one handles (admin or editor), the earliest deadline first."""
    return service.work_queue(session, actor, profile, lang=lang, now=settings.clock)


@router.get("/requests/appeals", response_model=list[AppealRead])
def appeals_queue(
    session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> list[AppealRead]:
    """Appeals waiting for a decision that one may decide (the profile's reviewer), oldest deadline first."""
    return [a for _s, a in service.review_queue(session, actor, profile, lang=lang, now=settings.clock)]


@router.get("/requests/stats", response_model=StatsRead)
def stats(
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
    organization: Annotated[str, Query(max_length=100)] = "",
    kind: Literal["request", "question"] = "request",
    year: Annotated[int | None, Query(ge=1990, le=2200)] = None,
) -> StatsRead:
    """Per organization: requests received, open and overdue, outcomes, the share decided on time, the
    median days to decide, refusals by legal ground, and appeals by outcome."""
    return service.get_stats(
        session, profile, organization=organization, kind=kind, year=year, lang=lang, now=settings.clock
    )


@router.get("/requests/demand", response_model=list[DemandItem])
def demand(
    session: SessionDep, profile: ProfileDep, q: Annotated[str, Query(min_length=3, max_length=200)]
) -> list[DemandItem]:
    """Requests about a topic: evidence of demand for data (what dataset selection shows for a proposal)."""
    return service.requests_about(session, profile, q)


@router.get("/requests/{reference}", response_model=RequestRead)
def read(
    request: Request,
    reference: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    key: KeyHeader = None,
) -> RequestRead:
    """A request with its whole trail, answer, files and appeals. `requester` is filled only for the
    organization's officials, the reviewer and the requester."""
    return _read(request, session, actor, profile, reference, lang, key)


@router.get("/requests/{reference}/requester", response_model=Requester)
def requester(
    reference: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, key: KeyHeader = None
) -> Requester:
    """Who sent the request (name, e-mail, identity number, account): for the organization's officials,
    the reviewer and the requester; never public."""
    return service.get_requester(session, actor, profile, reference, key)


@router.post("/requests/{reference}/assign", response_model=RequestRead)
def assign(
    request: Request,
    reference: str,
    data: Assign,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> RequestRead:
    """Give the request to an official (an admin or editor of the organization)."""
    service.assign_request(
        session, actor, profile, reference, data.assignee, now=request.app.state.settings.clock
    )
    session.commit()
    return _read(request, session, actor, profile, reference, lang)


@router.post("/requests/{reference}/clarification", response_model=RequestRead)
def ask_clarification(
    request: Request,
    reference: str,
    data: Message,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> RequestRead:
    """Ask the requester to clarify; the profile says whether the clock stops until they answer."""
    service.ask_clarification(
        session, actor, profile, reference, data.text, now=request.app.state.settings.clock
    )
    session.commit()
    return _read(request, session, actor, profile, reference, lang)


@router.post("/requests/{reference}/clarify", response_model=RequestRead)
def clarify(
    request: Request,
    reference: str,
    data: Message,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    key: KeyHeader = None,
) -> RequestRead:
    """The requester's clarification (signed in, or with the private key): the clock runs again."""
    service.clarify_request(
        session, actor, profile, reference, data.text, key, now=request.app.state.settings.clock
    )
    session.commit()
    return _read(request, session, actor, profile, reference, lang, key)


@router.post("/requests/{reference}/extend", response_model=RequestRead)
def extend(
    request: Request,
    reference: str,
    data: Extend,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> RequestRead:
    """Extend the deadline by the profile's extension, once, with the reason the requester is told."""
    service.extend_request(
        session, actor, profile, reference, data.reason, now=request.app.state.settings.clock
    )
    session.commit()
    return _read(request, session, actor, profile, reference, lang)


@router.post("/requests/{reference}/answer", response_model=RequestRead)
async def answer(
    request: Request,
    reference: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    store: StoreDep,
    outcome: Annotated[Literal["answered", "partial", "refused"], Form()],
    text: Annotated[str, Form(min_length=1, max_length=50_000)],
    grounds: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 (FastAPI copies defaults)
    topics: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006
    files: Annotated[list[UploadFile], File(description="Files answered with")] = [],  # noqa: B006
) -> RequestRead:
    """Answer (`answered`), answer in part (`partial`) or refuse (`refused`): a partial answer and a refusal
    cite legal grounds from the profile's list. Files are checked for personal data; one with personal data
    is not served to the public. Multipart form."""
    data = Answer(outcome=outcome, text=text, grounds=grounds, topics=topics)
    target = service.check_may_handle(session, actor, profile, reference)  # before storing any file
    stored = [await store_file(store, f) for f in files if f.filename]
    try:
        service.answer_request(
            session, actor, profile, target, data, stored, now=request.app.state.settings.clock
        )
        session.commit()
    except Exception:
        session.rollback()
        service.discard_files(session, store, stored)  # a refused answer keeps none of its files
        raise
    return _read(request, session, actor, profile, reference, lang)


@router.put("/requests/{reference}/topics", response_model=RequestRead)
def put_topics(
    request: Request,
    reference: str,
    data: Topics,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> RequestRead:
    """An official's topics for the request (what demand evidence counts)."""
    service.set_topics(session, actor, profile, reference, data.topics)
    session.commit()
    return _read(request, session, actor, profile, reference, lang)


@router.post("/requests/{reference}/withdraw", response_model=RequestRead)
def withdraw(
    request: Request,
    reference: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    key: KeyHeader = None,
) -> RequestRead:
    """The requester withdraws an open request."""
    service.withdraw_request(session, actor, profile, reference, key, now=request.app.state.settings.clock)
    session.commit()
    return _read(request, session, actor, profile, reference, lang, key)


@router.post("/requests/{reference}/appeals", response_model=AppealRead, status_code=201)
def appeal(
    request: Request,
    reference: str,
    data: AppealCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    key: KeyHeader = None,
) -> AppealRead:
    """The requester appeals a refusal, a partial answer or a missed deadline to the profile's reviewer."""
    now = request.app.state.settings.clock
    created = service.create_appeal(session, actor, profile, reference, data.text, key, now=now)
    session.commit()
    return service.appeal_read(created, service.local_today(profile, now))


@router.post("/appeals/{appeal_id}/decision", response_model=AppealRead)
def decide(
    request: Request,
    appeal_id: str,
    data: DecisionCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
) -> AppealRead:
    """The reviewer's decision: `upheld`, `overturned` or `partly`. Overturning orders disclosure by
    `order_due_on` (default: the profile's order period): the request is open again with that deadline."""
    now = request.app.state.settings.clock
    decided = service.decide_appeal(session, actor, profile, appeal_id, data, now=now)
    session.commit()
    return service.appeal_read(decided, service.local_today(profile, now))


@router.post("/requests/{reference}/dataset", status_code=201)
def publish(
    request: Request,
    reference: str,
    data: PublishDataset,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    store: StoreDep,
) -> dict[str, str]:
    """Publish the answer's data as a draft dataset of the organization (its files as resources)."""
    name = service.publish_dataset(session, actor, profile, store, reference, data.name, data.title)
    session.commit()
    response.headers["Location"] = f"/api/v1/datasets/{name}"
    return {"dataset": name}


@router.get("/requests/{reference}/files/{attachment_id}", response_class=FileResponse)
def download(
    reference: str, attachment_id: str, session: SessionDep, actor: ActorDep, store: StoreDep
) -> FileResponse:
    """A file of an answer (refused while the personal-data check found personal data in it)."""
    attachment = service.attachment_for_download(session, actor, reference, attachment_id)
    return FileResponse(
        store.open_path(attachment.sha256), media_type=attachment.media_type, filename=attachment.filename
    )
