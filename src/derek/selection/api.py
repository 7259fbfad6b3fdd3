"""Native API of dataset selection: organizations' data holdings, proposals with their supports, demand
evidence, assessments and consultation records, the Commission's sessions (agenda, votes, conflicts of
interest, decisions, minutes), the unified list of open data (versions, items, approval, differences,
CSV), compliance with the list in force, and the demand the catalog does not meet yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile, Settings
from derek.core import storage
from derek.core.authz import ANONYMOUS, Actor
from derek.core.errors import NotFound
from derek.core.i18n import pick
from derek.selection import commission_service, list_service, service
from derek.selection.models import (
    AgendaItem,
    Assessment,
    CommissionSession,
    Consultation,
    DataHolding,
    ListItem,
    ListVersion,
    Proposal,
)
from derek.selection.schemas import (
    AgendaAdd,
    AgendaItemRead,
    Approval,
    AssessmentCreate,
    AssessmentRead,
    ChangeRead,
    ComplianceRead,
    ConflictCreate,
    ConflictRead,
    ConsultationRead,
    DecisionCreate,
    DecisionOn,
    DemandRead,
    DiffRead,
    DraftCreate,
    EvidenceRead,
    FieldChange,
    FulfilmentSet,
    HoldingCreate,
    HoldingRead,
    HoldingUpdate,
    ItemCreate,
    ItemStatusRead,
    ListInForce,
    ListItemRead,
    MemberRead,
    OrganizationCompliance,
    ProposalCreate,
    ProposalRead,
    ProposalSummary,
    ProposalUpdate,
    ScorecardRead,
    SessionCreate,
    SessionRead,
    SessionSummary,
    SuggestionRead,
    SupportResult,
    TrendPointRead,
    UnmetTopicRead,
    VersionRead,
    VersionSummary,
    VoteCreate,
    VoteRead,
)
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep, StoreDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/selection", tags=["dataset selection"], responses=PROBLEM_RESPONSES)

_MAX = service.MAX_NUMBER  # numbers are 32-bit integers in the database
_SLUG_OR_ID = r"^[A-Za-z0-9_\-]+$"
ProposalNo = Annotated[int, Path(ge=1, le=_MAX, description="The proposal's number (P-12 is 12)")]
SessionNo = Annotated[int, Path(ge=1, le=_MAX, description="The session's number")]
VersionNo = Annotated[int, Path(ge=1, le=_MAX, description="The list version's number")]
AgendaProposal = Annotated[int, Path(ge=1, le=_MAX, description="The number of the proposal on the agenda")]
ItemCode = Annotated[str, Path(max_length=40, pattern=_SLUG_OR_ID, description='e.g. "OD-0007"')]
HoldingId = Annotated[str, Path(max_length=36, pattern=_SLUG_OR_ID)]
OrganizationName = Annotated[str, Path(max_length=100, pattern=_SLUG_OR_ID, description="slug or id")]
OrganizationFilter = Annotated[str, Query(max_length=100, pattern=r"^[A-Za-z0-9_\-]*$", description="slug")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "The minutes as PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}
}
CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "The version as CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
}


def _today(profile: Profile, settings: Settings) -> date:
    """The portal's day: its clock (frozen for training portals and tests) or now, in its time zone."""
    return service.local_today(profile, settings.clock)


def _orgs(session: Session, profile: Profile, lang: str, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """organization id -> (slug, title in the request's language)."""
    langs = (lang, profile.default_language, *profile.languages)
    return {
        i: (slug, pick(title, lang, langs))
        for i, slug, title in catalog.organization_titles(session, list(set(ids)))
    }


# ---------------------------------------------------------------- data holdings


def _holding_reads(
    session: Session, profile: Profile, lang: str, holdings: Sequence[DataHolding]
) -> list[HoldingRead]:
    orgs = _orgs(session, profile, lang, [h.organization_id for h in holdings])
    return [_holding_read(session, h, *orgs.get(h.organization_id, ("", ""))) for h in holdings]


def _holding_read(session: Session, holding: DataHolding, slug: str, title: str) -> HoldingRead:
    return HoldingRead(
        id=holding.id,
        organization=slug,
        organization_title=title,
        title=holding.title,
        description=holding.description,
        information_system=holding.information_system,
        access=holding.access,
        access_basis=holding.access_basis,
        formats=holding.formats,
        automated=holding.automated,
        machine_readable=holding.machine_readable,
        dataset=_public_name(session, holding.dataset_id),
        created_at=holding.created_at,
        updated_at=holding.updated_at,
    )


def _public_name(session: Session, dataset_id: str | None) -> str | None:
    """The name of a public dataset (a draft's or a private one's is not told)."""
    found = catalog.publications(session, [dataset_id]).get(dataset_id) if dataset_id else None
    return found.name if found is not None and found.public else None


def _holding_data(organization: str, data: HoldingUpdate) -> service.HoldingData:
    values = data.model_dump(exclude={"organization"})
    return service.HoldingData(organization=organization, **values)


@router.get("/holdings", response_model=list[HoldingRead])
def list_holdings(
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    organization: OrganizationFilter = "",
    access: Literal["", "open", "restricted", "secret"] = "",
) -> list[HoldingRead]:
    """Organizations' inventories of the data they hold, with each holding's access regime."""
    rows = service.list_holdings(session, organization=organization or None, access=access or None)
    return _holding_reads(session, profile, lang, rows)


@router.post("/holdings", response_model=HoldingRead, status_code=201)
def create_holding(
    data: HoldingCreate,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> HoldingRead:
    """Register a data holding of an organization (its admins and editors)."""
    holding = service.create_holding(session, actor, profile, _holding_data(data.organization, data))
    response.headers["Location"] = f"/api/v1/selection/holdings/{holding.id}"
    return _holding_reads(session, profile, lang, [holding])[0]


@router.get("/holdings/{holding_id}", response_model=HoldingRead)
def read_holding(
    holding_id: HoldingId, session: SessionDep, profile: ProfileDep, lang: LangDep
) -> HoldingRead:
    return _holding_reads(session, profile, lang, [service.get_holding(session, holding_id)])[0]


@router.put("/holdings/{holding_id}", response_model=HoldingRead)
def update_holding(
    holding_id: HoldingId,
    data: HoldingUpdate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> HoldingRead:
    """Replace a holding's description (its organization stays)."""
    current = service.get_holding(session, holding_id)
    holding = service.update_holding(
        session, actor, profile, holding_id, _holding_data(current.organization_id, data)
    )
    return _holding_reads(session, profile, lang, [holding])[0]


@router.delete("/holdings/{holding_id}", status_code=204)
def delete_holding(
    holding_id: HoldingId, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    service.delete_holding(session, actor, profile, holding_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- proposals and supports


def _summaries(
    session: Session, profile: Profile, lang: str, proposals: Sequence[Proposal]
) -> list[ProposalSummary]:
    counts = service.support_counts(session, [p.id for p in proposals])
    orgs = _orgs(session, profile, lang, [p.organization_id for p in proposals])
    return [
        ProposalSummary(
            number=p.number,
            code=f"P-{p.number}",
            title=p.title,
            organization=orgs.get(p.organization_id, ("", ""))[0],
            organization_title=orgs.get(p.organization_id, ("", ""))[1],
            status=p.status,  # type: ignore[arg-type]
            supports=counts.get(p.id, 0),
            score=p.score,
            recommendation=p.recommendation,
            created_at=p.created_at,
        )
        for p in proposals
    ]


def _assessment_read(row: Assessment) -> AssessmentRead:
    return AssessmentRead(
        id=row.id,
        criteria=dict(row.criteria),
        score=row.score,
        recommendation=row.recommendation,
        suggested=row.suggested,
        reason=row.reason,
        by=row.actor_name,
        at=row.at,
    )


def _proposal_read(
    session: Session, actor: Actor, profile: Profile, lang: str, proposal: Proposal
) -> ProposalRead:
    summary = _summaries(session, profile, lang, [proposal])[0]
    history = service.assessments_of(session, proposal)
    return ProposalRead(
        **summary.model_dump(),
        description=proposal.description,
        reason=proposal.reason,
        keywords=list(proposal.keywords or []),
        holding=proposal.holding_id,
        supported=service.has_supported(session, actor, proposal),
        assessment=_assessment_read(history[0]) if history else None,
        may_assess=service.may_assess(session, actor, profile, proposal),
        decisions=[
            DecisionOn(session=s.number, held_on=s.held_on, decision=i.decision, rationale=i.rationale)
            for s, i in commission_service.decisions_of(session, proposal)
        ],
    )


def _proposal_data(organization: str, data: ProposalUpdate, holding: str = "") -> service.ProposalData:
    return service.ProposalData(
        title=data.title,
        organization=organization,
        description=data.description,
        reason=data.reason,
        keywords=data.keywords,
        holding=holding,
    )


@router.get("/proposals", response_model=list[ProposalSummary])
def list_proposals(
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    status: Literal["", "proposed", "on_agenda", "recommended", "rejected", "deferred", "listed"] = "",
    organization: OrganizationFilter = "",
    q: Annotated[str, Query(max_length=200, description="words of the title or description")] = "",
) -> list[ProposalSummary]:
    """Proposals of datasets to open, the newest first (at most 200)."""
    rows = service.list_proposals(session, status=status or None, organization=organization or None, q=q)
    return _summaries(session, profile, lang, rows)


@router.post("/proposals", response_model=ProposalRead, status_code=201)
def create_proposal(
    data: ProposalCreate,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> ProposalRead:
    """Propose a dataset to open (anyone signed in), addressed to the organization that holds it."""
    proposal = service.create_proposal(
        session, actor, profile, _proposal_data(data.organization, data, data.holding)
    )
    response.headers["Location"] = f"/api/v1/selection/proposals/{proposal.number}"
    return _proposal_read(session, actor, profile, lang, proposal)


@router.get("/proposals/{number}", response_model=ProposalRead)
def read_proposal(
    number: ProposalNo, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> ProposalRead:
    """A proposal with its supports (and whether the caller is one), the assessment in force and the
    Commission's decisions on it."""
    return _proposal_read(session, actor, profile, lang, service.find_proposal(session, number))


@router.put("/proposals/{number}", response_model=ProposalRead)
def update_proposal(
    number: ProposalNo,
    data: ProposalUpdate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> ProposalRead:
    """The responsible officials (or the Commission's secretariat) sharpen its words and keywords."""
    current = service.find_proposal(session, number)
    proposal = service.update_proposal(
        session, actor, profile, number, _proposal_data(current.organization_id, data)
    )
    return _proposal_read(session, actor, profile, lang, proposal)


@router.post("/proposals/{number}/support", response_model=SupportResult)
def support(number: ProposalNo, session: SessionDep, actor: ActorDep) -> SupportResult:
    """Support a proposal: one person, one support (a second call counts nothing more)."""
    proposal, counted = service.add_support(session, actor, number)
    supports = service.support_counts(session, [proposal.id]).get(proposal.id, 0)
    return SupportResult(counted=counted, supported=True, supports=supports)


@router.delete("/proposals/{number}/support", response_model=SupportResult)
def withdraw_support(number: ProposalNo, session: SessionDep, actor: ActorDep) -> SupportResult:
    """Withdraw one's support."""
    proposal = service.remove_support(session, actor, number)
    session.flush()
    supports = service.support_counts(session, [proposal.id]).get(proposal.id, 0)
    return SupportResult(counted=False, supported=False, supports=supports)


@router.get("/proposals/{number}/evidence", response_model=DemandRead)
def evidence(
    number: ProposalNo, session: SessionDep, profile: ProfileDep, settings: SettingsDep
) -> DemandRead:
    """The demand evidence for a proposal (supports, information requests, searches that found little,
    consultation records) and its demand index with the profile's weights."""
    proposal = service.find_proposal(session, number)
    found = service.demand_for(session, profile, proposal, _today(profile, settings))
    return DemandRead(
        proposal=proposal.number,
        index=found.index,
        weights=dict(service.rules_for(profile).weights),
        points=found.points,
        counts=found.counts,
        evidence=[
            EvidenceRead(kind=e.kind, title=e.title, count=e.count, url=e.url, detail=e.detail, on=e.on)
            for items in found.evidence.values()
            for e in items
        ],
    )


@router.get("/proposals/{number}/assessments", response_model=list[AssessmentRead])
def assessments(number: ProposalNo, session: SessionDep) -> list[AssessmentRead]:
    """Every assessment of the proposal with its reason, the one in force first."""
    proposal = service.find_proposal(session, number)
    return [_assessment_read(a) for a in service.assessments_of(session, proposal)]


@router.post("/proposals/{number}/assessment", response_model=AssessmentRead, status_code=201)
def assess(
    number: ProposalNo, data: AssessmentCreate, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> AssessmentRead:
    """Assess (or reassess) a proposal on the four criteria, with a recommendation and its reason
    (the responsible organization's admins and editors, or the Commission's secretariat)."""
    row = service.set_assessment(
        session,
        actor,
        profile,
        number,
        criteria=data.criteria.model_dump(),
        recommendation=data.recommendation,
        reason=data.reason,
    )
    return _assessment_read(row)


@router.get("/proposals/{number}/suggestion", response_model=SuggestionRead)
def suggestion(
    number: ProposalNo, session: SessionDep, profile: ProfileDep, settings: SettingsDep
) -> SuggestionRead:
    """A starting point for the assessment: from the data holding and the demand index."""
    proposal = service.find_proposal(session, number)
    index = service.demand_for(session, profile, proposal, _today(profile, settings)).index
    criteria = service.suggest_criteria(session, profile, proposal, index)
    return SuggestionRead(
        demand_index=index,
        criteria=criteria,
        score=service.score_of(criteria),
        suggested=service.suggested(criteria),
    )


def _consultation_read(row: Consultation) -> ConsultationRead:
    return ConsultationRead(
        id=row.id,
        submitted_by=row.submitted_by,
        summary=row.summary,
        received_on=row.received_on,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        url=f"/selection/consultations/{row.id}/document" if row.sha256 else None,
        check=row.check,
        created_at=row.created_at,
    )


@router.post("/proposals/{number}/consultations", response_model=ConsultationRead, status_code=201)
async def add_consultation(
    number: ProposalNo,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    settings: SettingsDep,
    store: StoreDep,
    submitted_by: Annotated[str, Form(min_length=1, max_length=300, description="Who made the submission")],
    summary: Annotated[str, Form(min_length=1, max_length=20_000)],
    received_on: Annotated[date | None, Form(description="Default: today")] = None,
    document: Annotated[UploadFile | None, File(description="The submission's document")] = None,
) -> ConsultationRead:
    """Record a submission received outside the portal (a letter, a consultation's answer), with its
    document. Multipart form."""
    service.check_may_assess(session, actor, profile, number)  # before storing any file
    stored = await store.save_upload(document) if document is not None and document.filename else None
    try:
        record = service.add_consultation(
            session,
            actor,
            profile,
            number,
            submitted_by=submitted_by,
            summary=summary,
            received_on=received_on,
            document=service.ConsultationFile(
                document.filename or "document", document.content_type or "", stored
            )
            if stored is not None and document is not None
            else None,
            today=_today(profile, settings),
        )
        session.commit()
    except Exception:
        session.rollback()
        if stored is not None:  # a refused record keeps no file
            storage.discard_if_unreferenced(session, store, stored.sha256)
        raise
    return _consultation_read(record)


@router.get("/proposals/{number}/consultations", response_model=list[ConsultationRead])
def consultations(number: ProposalNo, session: SessionDep) -> list[ConsultationRead]:
    proposal = service.find_proposal(session, number)
    return [_consultation_read(c) for c in service.consultations_of(session, proposal)]


# ---------------------------------------------------------------- the Commission


def _session_summary(row: CommissionSession, item_count: int) -> SessionSummary:
    return SessionSummary(
        number=row.number,
        title=row.title,
        held_on=row.held_on,
        place=row.place,
        status=row.status,  # type: ignore[arg-type]
        closed_at=row.closed_at,
        item_count=item_count,
    )


def _agenda_read(record: commission_service.ItemRecord, summary: ProposalSummary) -> AgendaItemRead:
    return AgendaItemRead(
        position=record.item.position,
        proposal=summary,
        votes=[
            VoteRead(member=m.name, display=m.display, vote=v.vote, comment=v.comment, at=v.at)  # type: ignore[arg-type]
            for m, v in record.votes
        ],
        conflicts=[
            ConflictRead(member=m.name, display=m.display, statement=c.statement, at=c.at)
            for m, c in record.conflicts
        ],
        tally=record.tally,
        eligible=record.eligible,
        quorum=record.quorum,
        has_quorum=record.has_quorum,
        majority=record.majority,
        decision=record.item.decision,
        rationale=record.item.rationale,
        decided_at=record.item.decided_at,
    )


def _session_read(session: Session, profile: Profile, lang: str, row: CommissionSession) -> SessionRead:
    session.flush()
    records = commission_service.session_record(session, profile, row)
    summaries = _summaries(session, profile, lang, [r.proposal for r in records])
    return SessionRead(
        **_session_summary(row, len(records)).model_dump(),
        members=len(commission_service.members(session, profile)),
        agenda=[_agenda_read(r, s) for r, s in zip(records, summaries, strict=True)],
    )


def _agenda_item_read(
    session: Session, profile: Profile, lang: str, number: int, proposal_number: int
) -> AgendaItemRead:
    session.flush()
    row = commission_service.find_session(session, number)
    for record in commission_service.session_record(session, profile, row):
        if record.proposal.number == proposal_number:
            return _agenda_read(record, _summaries(session, profile, lang, [record.proposal])[0])
    raise NotFound(f"P-{proposal_number} is not on the agenda of session No. {number}.")


@router.get("/commission/members", response_model=list[MemberRead])
def members(session: SessionDep, profile: ProfileDep) -> list[MemberRead]:
    """The Commission's voting members (role "member" in the organization the profile names)."""
    return [MemberRead(user=m.name, display=m.display) for m in commission_service.members(session, profile)]


@router.get("/commission/sessions", response_model=list[SessionSummary])
def list_sessions(session: SessionDep) -> list[SessionSummary]:
    """The Commission's sessions, the newest first."""
    counts = dict(
        session.execute(select(AgendaItem.session_id, func.count()).group_by(AgendaItem.session_id))
        .tuples()
        .all()
    )
    return [_session_summary(r, int(counts.get(r.id, 0))) for r in commission_service.list_sessions(session)]


@router.post("/commission/sessions", response_model=SessionRead, status_code=201)
def create_session(
    data: SessionCreate,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> SessionRead:
    """Plan a session (the Commission's secretariat)."""
    row = commission_service.create_session(
        session, actor, profile, title=data.title, held_on=data.held_on, place=data.place
    )
    response.headers["Location"] = f"/api/v1/selection/commission/sessions/{row.number}"
    return _session_read(session, profile, lang, row)


@router.get("/commission/sessions/{number}", response_model=SessionRead)
def read_session(number: SessionNo, session: SessionDep, profile: ProfileDep, lang: LangDep) -> SessionRead:
    """A session with its agenda: each proposal, the members' votes and comments, declared conflicts of
    interest, the tally, the quorum and the decision with its rationale."""
    return _session_read(session, profile, lang, commission_service.find_session(session, number))


@router.post("/commission/sessions/{number}/agenda", response_model=SessionRead, status_code=201)
def add_agenda_item(
    number: SessionNo,
    data: AgendaAdd,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> SessionRead:
    """Put a new or deferred proposal on the agenda."""
    commission_service.add_agenda_item(session, actor, profile, number, data.proposal)
    return _session_read(session, profile, lang, commission_service.find_session(session, number))


@router.delete("/commission/sessions/{number}/agenda/{proposal}", status_code=204)
def remove_agenda_item(
    number: SessionNo, proposal: AgendaProposal, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    """Take an undecided proposal off the agenda."""
    commission_service.remove_agenda_item(session, actor, profile, number, proposal)
    return Response(status_code=204)


@router.put("/commission/sessions/{number}/agenda/{proposal}/vote", response_model=AgendaItemRead)
def vote(
    number: SessionNo,
    proposal: AgendaProposal,
    data: VoteCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> AgendaItemRead:
    """A member's vote (recommend, reject or defer) with a comment; voting again changes it until the
    decision is recorded. A member who declared a conflict of interest on the item does not vote (409)."""
    commission_service.set_vote(
        session, actor, profile, number, proposal, vote=data.vote, comment=data.comment
    )
    return _agenda_item_read(session, profile, lang, number, proposal)


@router.post(
    "/commission/sessions/{number}/agenda/{proposal}/conflict", response_model=AgendaItemRead, status_code=201
)
def declare_conflict(
    number: SessionNo,
    proposal: AgendaProposal,
    data: ConflictCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> AgendaItemRead:
    """A member declares a conflict of interest on an item: any vote of theirs on it is withdrawn."""
    commission_service.add_conflict(session, actor, profile, number, proposal, data.statement)
    return _agenda_item_read(session, profile, lang, number, proposal)


@router.put("/commission/sessions/{number}/agenda/{proposal}/decision", response_model=AgendaItemRead)
def decide(
    number: SessionNo,
    proposal: AgendaProposal,
    data: DecisionCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> AgendaItemRead:
    """The secretariat records the decision and its rationale once a quorum has voted (409 before)."""
    commission_service.set_decision(
        session, actor, profile, number, proposal, decision=data.decision, rationale=data.rationale
    )
    return _agenda_item_read(session, profile, lang, number, proposal)


@router.post("/commission/sessions/{number}/close", response_model=SessionRead)
def close_session(
    number: SessionNo, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> SessionRead:
    """Close a session whose every item has its decision: its record no longer changes."""
    row = commission_service.close_session(session, actor, profile, number)
    return _session_read(session, profile, lang, row)


@router.get("/commission/sessions/{number}/minutes.pdf", response_class=Response, responses=PDF)
def minutes_pdf(
    number: SessionNo, session: SessionDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> Response:
    """The session's minutes as PDF (a draft until the session is closed)."""
    from derek.selection import minutes

    row = commission_service.find_session(session, number)
    content = minutes.render_pdf(minutes.build(session, profile, row, lang, site=settings.site_url))
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{row.number}.pdf"'},
    )


# ---------------------------------------------------------------- the unified list


def _item_reads(
    session: Session, profile: Profile, lang: str, items: Sequence[ListItem]
) -> list[ListItemRead]:
    orgs = _orgs(session, profile, lang, [i.organization_id for i in items])
    proposal_ids = [i.proposal_id for i in items if i.proposal_id]
    numbers = (
        dict(
            session.execute(select(Proposal.id, Proposal.number).where(Proposal.id.in_(proposal_ids)))
            .tuples()
            .all()
        )
        if proposal_ids
        else {}
    )
    return [
        ListItemRead(
            code=i.code,
            title=i.title,
            organization=orgs.get(i.organization_id, ("", ""))[0],
            organization_title=orgs.get(i.organization_id, ("", ""))[1],
            due_on=i.due_on,
            update_frequency=i.update_frequency,
            proposal=numbers.get(i.proposal_id) if i.proposal_id else None,
            position=i.position,
        )
        for i in items
    ]


def _status_reads(
    session: Session, profile: Profile, lang: str, statuses: Sequence[list_service.ItemStatus]
) -> list[ItemStatusRead]:
    bases = _item_reads(session, profile, lang, [s.item for s in statuses])
    return [
        ItemStatusRead(
            **base.model_dump(),
            status=s.status,  # type: ignore[arg-type]
            dataset=s.public_dataset.name if s.public_dataset else None,
            published_on=s.published_on,
            days_late=s.days_late,
        )
        for base, s in zip(bases, statuses, strict=True)
    ]


def _version_summary(session: Session, version: ListVersion) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        status=version.status,  # type: ignore[arg-type]
        act_title=version.act_title,
        act_number=version.act_number,
        act_date=version.act_date,
        note=version.note,
        approved_at=version.approved_at,
        item_count=len(list_service.items_of(session, version)),
    )


def _version_read(session: Session, profile: Profile, lang: str, version: ListVersion) -> VersionRead:
    session.flush()
    return VersionRead(
        **_version_summary(session, version).model_dump(),
        items=_item_reads(session, profile, lang, list_service.items_of(session, version)),
    )


def _item_data(data: ItemCreate) -> list_service.ItemData:
    return list_service.ItemData(
        title=data.title,
        organization=data.organization,
        due_on=data.due_on,
        update_frequency=data.update_frequency,
        proposal=str(data.proposal) if data.proposal is not None else "",
    )


@router.get("/list", response_model=ListInForce)
def list_in_force(
    session: SessionDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> ListInForce:
    """The unified list in force (the latest approved version), each item with its dataset and its
    status today: on_time, late (with the days), not_published (not due yet) or stale."""
    version = list_service.current_version(session)
    if version is None:
        raise NotFound("No list of open data has been approved yet.")
    today = _today(profile, settings)
    return ListInForce(
        **_version_summary(session, version).model_dump(),
        today=today,
        items=_status_reads(
            session, profile, lang, list_service.compliance(session, today, timezone=profile.timezone)
        ),
    )


@router.get("/list/versions", response_model=list[VersionSummary])
def list_versions(session: SessionDep) -> list[VersionSummary]:
    """Every version of the list, the newest first."""
    return [_version_summary(session, v) for v in list_service.versions(session)]


@router.post("/list/versions", response_model=VersionRead, status_code=201)
def create_draft(
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    data: DraftCreate | None = None,
) -> VersionRead:
    """Start the next version as a copy of the one in force (one draft at a time; the list owner)."""
    version = list_service.create_draft(session, actor, profile, data.note if data else "")
    response.headers["Location"] = f"/api/v1/selection/list/versions/{version.number}"
    return _version_read(session, profile, lang, version)


@router.get("/list/versions/{number}.csv", response_class=Response, responses=CSV)
def version_csv(
    number: VersionNo, session: SessionDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> Response:
    """The version as CSV (for the list in force with each item's dataset and status); text a spreadsheet
    would run as a formula starts with a quote."""
    version = list_service.find_version(session, number)
    items = list_service.items_of(session, version)
    titles = {
        i: t for i, (_slug, t) in _orgs(session, profile, lang, [i.organization_id for i in items]).items()
    }
    text = list_service.list_csv(session, version, titles, _today(profile, settings), profile.timezone)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="open-data-list-{version.number}.csv"'},
    )


@router.get("/list/versions/{number}", response_model=VersionRead)
def read_version(number: VersionNo, session: SessionDep, profile: ProfileDep, lang: LangDep) -> VersionRead:
    return _version_read(session, profile, lang, list_service.find_version(session, number))


@router.delete("/list/versions/{number}", status_code=204)
def delete_draft(number: VersionNo, session: SessionDep, actor: ActorDep, profile: ProfileDep) -> Response:
    """Delete a draft (an approved version stays: 409)."""
    list_service.delete_draft(session, actor, profile, number)
    return Response(status_code=204)


@router.post("/list/versions/{number}/items", response_model=ListItemRead, status_code=201)
def add_item(
    number: VersionNo,
    data: ItemCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> ListItemRead:
    """Add an item to a draft (from a proposal, or by title and organization); it gets the next code."""
    item = list_service.add_list_item(session, actor, profile, number, _item_data(data))
    return _item_reads(session, profile, lang, [item])[0]


@router.put("/list/versions/{number}/items/{code}", response_model=ListItemRead)
def update_item(
    number: VersionNo,
    code: ItemCode,
    data: ItemCreate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> ListItemRead:
    item = list_service.update_list_item(session, actor, profile, number, code, _item_data(data))
    session.flush()
    return _item_reads(session, profile, lang, [item])[0]


@router.delete("/list/versions/{number}/items/{code}", status_code=204)
def remove_item(
    number: VersionNo, code: ItemCode, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    list_service.remove_list_item(session, actor, profile, number, code)
    return Response(status_code=204)


@router.post("/list/versions/{number}/approve", response_model=VersionRead)
def approve(
    number: VersionNo,
    data: Approval,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
) -> VersionRead:
    """Record the act approving a draft (its number and date): the draft becomes the list in force."""
    version = list_service.set_approval(
        session,
        actor,
        profile,
        number,
        act_number=data.act_number,
        act_date=data.act_date,
        act_title=data.act_title,
        today=_today(profile, settings),
    )
    return _version_read(session, profile, lang, version)


def _shown(name: str, value: object, orgs: dict[str, tuple[str, str]]) -> str:
    if value is None:
        return ""
    if name == "organization_id":
        return orgs.get(str(value), (str(value), ""))[0]
    return value.isoformat() if isinstance(value, date) else str(value)


@router.get("/list/versions/{number}/diff", response_model=DiffRead)
def diff(
    number: VersionNo,
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    against: Annotated[
        int | None, Query(ge=1, le=_MAX, description="Default: the approved version before this one")
    ] = None,
) -> DiffRead:
    """What changed from another version (by default the approved one before) to this one: items added,
    removed, and changed with each field before and after."""
    new = list_service.find_version(session, number)
    old = list_service.find_version(session, against) if against is not None else None
    found = list_service.diff(session, new, old)
    org_ids = [
        v for c in found.changed for f, pair in c.fields.items() if f == "organization_id" for v in pair
    ]
    orgs = _orgs(session, profile, lang, [str(o) for o in org_ids])
    return DiffRead(
        version=new.number,
        against=found.old.number if found.old is not None else None,
        added=_item_reads(session, profile, lang, found.added),
        removed=_item_reads(session, profile, lang, found.removed),
        changed=[
            ChangeRead(
                code=c.code,
                title=c.title,
                fields={
                    ("organization" if name == "organization_id" else name): FieldChange(
                        before=_shown(name, before, orgs), after=_shown(name, after, orgs)
                    )
                    for name, (before, after) in c.fields.items()
                },
            )
            for c in found.changed
        ],
        unchanged=found.unchanged,
    )


@router.put("/list/items/{code}/dataset", response_model=ItemStatusRead)
def link_dataset(
    code: ItemCode,
    data: FulfilmentSet,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
) -> ItemStatusRead:
    """Name the dataset that fulfils an item of the list in force ("" unlinks it): a dataset of the
    responsible organization (the item's organization or the list owner)."""
    list_service.set_fulfilment(session, actor, profile, code, data.dataset)
    session.flush()
    status = next(
        s
        for s in list_service.compliance(session, _today(profile, settings), timezone=profile.timezone)
        if s.item.code == code
    )
    return _status_reads(session, profile, lang, [status])[0]


# ---------------------------------------------------------------- compliance and unmet demand


def _scorecard_read(card: list_service.Scorecard, orgs: dict[str, tuple[str, str]]) -> ScorecardRead:
    slug, title = orgs.get(card.organization_id, ("", ""))
    return ScorecardRead(
        organization=slug,
        organization_title=title,
        counts=card.counts,
        total=card.total,
        due=card.due,
        rate=card.rate,
    )


@router.get("/compliance", response_model=ComplianceRead)
def compliance(
    session: SessionDep, profile: ProfileDep, lang: LangDep, settings: SettingsDep
) -> ComplianceRead:
    """Each responsible organization's scorecard against the list in force: items per status, how many
    are due, and the share of those published on time (lowest first)."""
    today = _today(profile, settings)
    version = list_service.current_version(session)
    cards = list_service.scorecards(list_service.compliance(session, today, timezone=profile.timezone))
    orgs = _orgs(session, profile, lang, [c.organization_id for c in cards])
    return ComplianceRead(
        version=version.number if version else None,
        today=today,
        organizations=[_scorecard_read(c, orgs) for c in cards],
    )


@router.get("/compliance/{organization}", response_model=OrganizationCompliance)
def organization_compliance(
    organization: OrganizationName,
    session: SessionDep,
    profile: ProfileDep,
    lang: LangDep,
    settings: SettingsDep,
) -> OrganizationCompliance:
    """One organization's items of the list in force with their status, and its trend over the last 12
    months (items due at each month's end, and how many of them were published on time)."""
    org_id = catalog.organization_id_of(session, organization)
    if org_id is None:
        raise NotFound(f"There is no organization {organization!r}.")
    today = _today(profile, settings)
    version = list_service.current_version(session)
    statuses = list_service.compliance(session, today, organization_id=org_id, timezone=profile.timezone)
    cards = list_service.scorecards(statuses) or [
        list_service.Scorecard(org_id, {s: 0 for s in list_service.STATUSES}, 0)
    ]
    orgs = _orgs(session, profile, lang, [org_id])
    return OrganizationCompliance(
        version=version.number if version else None,
        today=today,
        scorecard=_scorecard_read(cards[0], orgs),
        items=_status_reads(session, profile, lang, statuses),
        trend=[
            TrendPointRead(month=p.month, due=p.due, on_time=p.on_time)
            for p in list_service.trend(statuses, today)
        ],
    )


@router.get("/unmet", response_model=list[UnmetTopicRead])
def unmet(session: SessionDep, profile: ProfileDep, settings: SettingsDep) -> list[UnmetTopicRead]:
    """The most asked topics of information requests and the most frequent searches that found little,
    while the catalog still finds no public dataset for them."""
    topics = service.unmet_demand(session, ANONYMOUS, profile, _today(profile, settings))
    return [
        UnmetTopicRead(topic=t.topic, requests=t.requests, searches=t.searches, datasets=t.datasets)
        for t in topics
    ]
