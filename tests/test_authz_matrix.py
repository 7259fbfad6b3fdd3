"""Every mutating action of the native API, tried by every kind of user: only the allowed ones succeed.

The expected outcome of each (row, role) is written out below by hand, not derived from the policies, so a
change to a rule shows up here as a failing cell. Each case also checks the database: an allowed call
changed it, a refused one left it as it was.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core import accounts, authz, jobs
from derek.core.authz import SYSTEM
from derek.core.errors import NotFound
from tests.conftest import Portal

ROLES = ("anonymous", "registered", "member", "editor", "admin", "other_editor", "sysadmin")
Ctx = dict[str, Any]


@dataclass
class World:
    """Organization A (the target) with a member, an editor and an admin; B with its own editor."""

    portal: Portal
    org: str
    other_org: str
    names: dict[str, str]
    tokens: dict[str, str]
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def user_id(self, role: str) -> str:
        with self.portal.db.session() as s:
            return accounts.get_user(s, self.names[role]).id

    def staff(self, org: str) -> None:
        """Give A's member, editor and admin the same roles in another organization."""
        with self.portal.db.session() as s:
            org_id = catalog.get_organization(s, SYSTEM, org).id
            for role in ("member", "editor", "admin"):
                accounts.set_membership(s, SYSTEM, accounts.get_user(s, self.names[role]), org_id, role)


def quick_user(portal: Portal, prefix: str = "user") -> str:
    """A user without a password (no hashing), for targets of membership and account changes."""
    name = portal.unique(prefix)
    with portal.db.session() as s:
        accounts.create_user(s, SYSTEM, name, f"{name}@example.org")
    return name


@pytest.fixture(scope="module")
def world(portal: Portal) -> Iterator[World]:
    org, other_org = portal.make_org(), portal.make_org()
    names: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for role, kwargs in {
        "registered": {},
        "member": {"org": org, "role": "member"},
        "editor": {"org": org, "role": "editor"},
        "admin": {"org": org, "role": "admin"},
        "other_editor": {"org": other_org, "role": "editor"},
        "sysadmin": {"sysadmin": True},
    }.items():
        names[role], tokens[role] = portal.make_user(portal.unique(role.replace("_", "-")), **kwargs)
    w = World(portal, org, other_org, names, tokens)
    w.clients = {role: portal.client(f"Bearer {tokens[role]}" if role in tokens else None) for role in ROLES}
    yield w
    for client in w.clients.values():
        client.close()


def _signed_in(w: World, token_client: httpx.Client) -> httpx.Client:
    """A client logged in through the web form as the user behind token_client (anonymous stays anonymous)."""
    role = next((r for r, c in w.clients.items() if c is token_client), "anonymous")
    return w.portal.signed_in(w.names[role]) if role in w.names else w.portal.client()


# ------------------------------------------------------------------ setups: a fresh target for each case


def _dataset(state: str = "published", private: bool = False) -> Callable[[World, str], Ctx]:
    def setup(w: World, _role: str) -> Ctx:
        return {"dataset": w.portal.make_dataset(w.org, state=state, private=private)}

    return setup


def _resource(state: str = "published", private: bool = False) -> Callable[[World, str], Ctx]:
    def setup(w: World, _role: str) -> Ctx:
        name = w.portal.make_dataset(w.org, state=state, private=private)
        with w.portal.db.session() as s:
            res = catalog.create_resource(
                s, SYSTEM, name, ResourceCreate(name="table", url="https://example.org/t.csv")
            )
        return {"dataset": name, "resource": res.id}

    return setup


def _fresh_org(w: World, _role: str) -> Ctx:
    org = w.portal.make_org()
    w.staff(org)
    return {"org": org}


def _candidate(w: World, _role: str) -> Ctx:
    return {"user": quick_user(w.portal, "cand")}


def _member_candidate(w: World, _role: str) -> Ctx:
    name = quick_user(w.portal, "cand")
    with w.portal.db.session() as s:
        org_id = catalog.get_organization(s, SYSTEM, w.org).id
        accounts.set_membership(s, SYSTEM, accounts.get_user(s, name), org_id, "member")
    return {"user": name}


def _inactive_candidate(w: World, _role: str) -> Ctx:
    name = quick_user(w.portal, "cand")
    with w.portal.db.session() as s:
        accounts.set_user_active(s, SYSTEM, name, False)
    return {"user": name}


def _self(w: World, role: str) -> Ctx:
    return {"user": w.names.get(role) or w.names["registered"]}


def _victim_token(w: World, _role: str) -> Ctx:
    name = quick_user(w.portal, "victim")
    with w.portal.db.session() as s:
        token, _plain = accounts.create_token(s, SYSTEM, accounts.get_user(s, name), "victim")
    return {"token_id": token.id}


def _upload(w: World, role: str) -> Ctx:
    ctx = _dataset()(w, role)
    ctx["content"] = f"id,value\n1,{uuid.uuid4().hex}\n".encode()
    return ctx


def _nothing(_w: World, _role: str) -> Ctx:
    return {}


def _editors_job(w: World, _role: str) -> Ctx:
    """A background job that A's editor started (its subject does not exist, so it simply fails)."""
    with w.portal.db.session() as s:
        editor = accounts.actor_for(s, accounts.get_user(s, w.names["editor"]))
        job = jobs.enqueue(s, editor, "datastore.load", "resource", "no-such-resource")
        s.commit()
        return {"job": job.id}


def _flagged_resource(w: World, role: str) -> Ctx:
    """A resource of a public dataset whose file the personal-data check found personal data in."""
    from derek.quality.models import PersonalDataScan

    ctx = _resource()(w, role)
    with w.portal.db.session() as s:
        s.add(PersonalDataScan(resource_id=ctx["resource"], sha256="", status="personal", findings=[]))
    return ctx


def _new_name(key: str) -> Callable[[World, str], Ctx]:
    def setup(w: World, _role: str) -> Ctx:
        return {key: w.portal.unique(key.replace("_", ""))}

    return setup


def _own_tokens(w: World, role: str) -> Ctx:
    return {"token_owner": w.user_id(role)} if role in w.names else {}


_IIN = "900101300126"  # synthetic


def _info_request(
    by: str | None = None, refused: bool = False, appealed: bool = False
) -> Callable[[World, str], Ctx]:
    """An information request to A (sent by the named role's user, else anonymously), refused on the law's
    first ground and appealed when asked."""

    def setup(w: World, _role: str) -> Ctx:
        from derek.info_requests import service as requests
        from derek.info_requests.rules import rules_for
        from derek.info_requests.schemas import Answer, RequestCreate

        profile = w.portal.settings.jurisdiction
        data = RequestCreate(
            organization=w.org,
            subject="Matrix request",
            body="Made by the authorization matrix.",
            name="R",
            email="r@example.org",
            identifier=_IIN,
        )
        with w.portal.db.session() as s:
            actor = accounts.actor_for(s, accounts.get_user(s, w.names[by])) if by else authz.ANONYMOUS
            req, key = requests.submit_request(s, actor, profile, data)
            ctx: Ctx = {"request": req.reference}
            if refused:
                ground = rules_for(profile).grounds[0].code
                requests.answer_request(
                    s, SYSTEM, profile, req.reference, Answer(outcome="refused", text="No.", grounds=[ground])
                )
            if appealed:
                ctx["appeal"] = requests.create_appeal(
                    s, SYSTEM, profile, req.reference, "Appealed text.", key
                ).id
            s.commit()
        return ctx

    return setup


# ------------------------------------------------------------------ probes: the state a call may change


def _dataset_state(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        ds = catalog.get_dataset(s, SYSTEM, w.portal.settings.jurisdiction, ctx["dataset"])
        return (ds.state, ds.title, ds.organization.name, [r.id for r in ds.resources])


def _org_state(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        try:
            org = catalog.get_organization(s, SYSTEM, ctx.get("org") or w.org)
        except NotFound:
            return "gone"
        return (org.description, org.dataset_count)


def _membership(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        org_id = catalog.get_organization(s, SYSTEM, w.org).id
        return accounts.memberships_of(s, accounts.get_user(s, ctx["user"]).id).get(org_id)


def _resource_state(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        try:
            res = catalog.get_resource_read(s, SYSTEM, ctx["resource"])
        except NotFound:
            return "gone"
        return (res.name, res.url)


def _stored(w: World, ctx: Ctx) -> Any:
    sha = hashlib.sha256(ctx["content"]).hexdigest()
    return (w.portal.settings.files_dir / sha[:2] / sha[2:4] / sha).exists(), _dataset_state(w, ctx)


def _created_user(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        return s.scalar(select(accounts.User.id).where(accounts.User.name == ctx["new_user"]))


def _user_state(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        user = accounts.get_user(s, ctx["user"])
        return (user.fullname, user.email)


def _user_active(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        return accounts.get_user(s, ctx["user"]).state


def _token_revoked(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        token = s.get(accounts.ApiToken, ctx["token_id"])
        assert token is not None
        return token.revoked_at is not None


def _new_dataset(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        try:
            return catalog.get_dataset(s, SYSTEM, w.portal.settings.jurisdiction, ctx["new_dataset"]).name
        except NotFound:
            return None


def _new_org(w: World, ctx: Ctx) -> Any:
    with w.portal.db.session() as s:
        try:
            return catalog.get_organization(s, SYSTEM, ctx["new_org"]).name
        except NotFound:
            return None


def _harvest_source(w: World, ctx: Ctx) -> Any:
    from derek.harvest import service as harvest

    with w.portal.db.session() as s:
        try:
            return harvest.get_source(s, SYSTEM, ctx["new_source"]).name
        except NotFound:
            return None


def _scan_status(w: World, ctx: Ctx) -> Any:
    from derek.quality.models import PersonalDataScan

    with w.portal.db.session() as s:
        scan = s.get(PersonalDataScan, ctx["resource"])
        return (scan.status, scan.lawful_basis) if scan else None


def _request_state(w: World, ctx: Ctx) -> Any:
    from derek.info_requests.models import InfoRequest

    with w.portal.db.session() as s:
        req = s.scalar(select(InfoRequest).where(InfoRequest.reference == ctx["request"]))
        assert req is not None
        return (req.status, req.due_on, req.extensions)


def _request_count(w: World, ctx: Ctx) -> Any:
    from derek.info_requests.models import InfoRequest

    with w.portal.db.session() as s:
        return s.query(InfoRequest).count()


def _appeal_state(w: World, ctx: Ctx) -> Any:
    from derek.info_requests.models import Appeal

    with w.portal.db.session() as s:
        appeal = s.get(Appeal, ctx["appeal"])
        assert appeal is not None
        return appeal.decision


def _token_count(w: World, ctx: Ctx) -> Any:
    if "token_owner" not in ctx:
        return None
    with w.portal.db.session() as s:
        return s.query(accounts.ApiToken).filter_by(user_id=ctx["token_owner"]).count()


# ------------------------------------------------------------------ dataset selection

COMMISSION = "access-commission"  # the kz profile's Commission and list owner ([selection])
LIST_OWNER = "ministry-of-digital-development"
_BODIES_STAFFED: set[int] = set()


def _selection_bodies(w: World) -> None:
    """The Commission and the list owner exist, and A's member, editor and admin hold the same roles in
    them: A's member votes in the Commission, A's editor and admin are its secretariat and the list's
    keepers."""
    if id(w) in _BODIES_STAFFED:
        return
    for slug in (COMMISSION, LIST_OWNER):
        with w.portal.db.session() as s:
            exists = catalog.organization_id_of(s, slug) is not None
        if not exists:
            w.portal.make_org(slug)
        w.staff(slug)
    _BODIES_STAFFED.add(id(w))


def _proposal(w: World, _role: str) -> Ctx:
    """A proposal addressed to A."""
    from derek.selection import service as selection
    from derek.selection.service import ProposalData

    _selection_bodies(w)
    with w.portal.db.session() as s:
        proposal = selection.create_proposal(
            s,
            SYSTEM,
            w.portal.settings.jurisdiction,
            ProposalData(title="Matrix proposal", organization=w.org),
        )
        return {"proposal": proposal.number}


def _agenda_item(w: World, role: str) -> Ctx:
    """A planned Commission session with a proposal to A on its agenda."""
    from derek.selection import commission_service as commission

    ctx = _proposal(w, role)
    profile = w.portal.settings.jurisdiction
    with w.portal.db.session() as s:
        row = commission.create_session(s, SYSTEM, profile, title="Matrix session", held_on=date(2026, 1, 10))
        commission.add_agenda_item(s, SYSTEM, profile, row.number, ctx["proposal"])
        ctx["session"] = row.number
    return ctx


def _no_draft(w: World, _role: str) -> Ctx:
    """No draft of the unified list is open (there may be only one)."""
    from derek.selection import list_service

    _selection_bodies(w)
    with w.portal.db.session() as s:
        draft = list_service.draft_version(s)
        if draft is not None:
            list_service.delete_draft(s, SYSTEM, w.portal.settings.jurisdiction, draft.number)
    return {}


def _list_item(w: World, role: str) -> Ctx:
    """A published dataset of A, and an item of A on the list in force (approved once)."""
    from derek.selection import list_service

    profile = w.portal.settings.jurisdiction
    _no_draft(w, role)
    with w.portal.db.session() as s:
        org_id = catalog.organization_id_of(s, w.org)
        in_force = list_service.current_version(s)
        items = list_service.items_of(s, in_force) if in_force else []
        code = next((i.code for i in items if i.organization_id == org_id), None)
        if code is None:
            draft = list_service.create_draft(s, SYSTEM, profile)
            item = list_service.add_list_item(
                s,
                SYSTEM,
                profile,
                draft.number,
                list_service.ItemData(title="Matrix item", organization=w.org, due_on=date(2030, 1, 1)),
            )
            code = item.code
            list_service.set_approval(
                s, SYSTEM, profile, draft.number, act_number="1", act_date=date(2026, 1, 1)
            )
    return {"code": code, "dataset": w.portal.make_dataset(w.org)}


def _holding_count(w: World, ctx: Ctx) -> Any:
    from derek.selection.models import DataHolding

    with w.portal.db.session() as s:
        return s.query(DataHolding).filter_by(title=ctx["new_holding"]).count()


def _proposal_count(w: World, ctx: Ctx) -> Any:
    from derek.selection.models import Proposal

    with w.portal.db.session() as s:
        return s.query(Proposal).filter_by(title=ctx["new_proposal"]).count()


def _proposal_state(w: World, ctx: Ctx) -> Any:
    from derek.selection import service as selection

    with w.portal.db.session() as s:
        proposal = selection.find_proposal(s, ctx["proposal"])
        return (selection.support_counts(s, [proposal.id]).get(proposal.id, 0), proposal.score)


def _session_count(w: World, ctx: Ctx) -> Any:
    from derek.selection.models import CommissionSession

    with w.portal.db.session() as s:
        return s.query(CommissionSession).filter_by(title=ctx["new_session"]).count()


def _votes(w: World, ctx: Ctx) -> Any:
    from derek.selection import commission_service as commission

    with w.portal.db.session() as s:
        records = commission.session_record(
            s, w.portal.settings.jurisdiction, commission.find_session(s, ctx["session"])
        )
        return [(m.name, v.vote) for r in records for m, v in r.votes]


def _draft_number(w: World, ctx: Ctx) -> Any:
    from derek.selection import list_service

    with w.portal.db.session() as s:
        draft = list_service.draft_version(s)
        return draft.number if draft else None


def _fulfilment(w: World, ctx: Ctx) -> Any:
    from derek.selection import list_service

    with w.portal.db.session() as s:
        return list_service.fulfilments(s, [ctx["code"]]).get(ctx["code"])


# ------------------------------------------------------------------ reuse

_USE_CASE = {
    "description": {"en": "A map of the matrix's data, made to try who may submit and change use cases."},
    "author": "Matrix team",
    "contact": "matrix@example.org",
    "url": "https://example.org/app",
}


def _use_case_target(w: World, _role: str) -> Ctx:
    """A public dataset of A to name, and the title of the use case to submit. The kz profile's reuse
    moderators are the ministry that keeps the list, where A's editor and admin are editors and admins."""
    _selection_bodies(w)
    return {"dataset": w.portal.make_dataset(w.org), "new_use_case": w.portal.unique("Matrix use case")}


def _use_case(w: World, role: str) -> Ctx:
    """A use case the registered user submitted, naming a public dataset of A."""
    from derek.reuse import service as reuse

    ctx = _use_case_target(w, role)
    data = reuse.UseCaseData(
        title={"en": ctx["new_use_case"]}, kind="app", datasets=[ctx["dataset"]], **_USE_CASE
    )
    with w.portal.db.session() as s:
        submitter = accounts.actor_for(s, accounts.get_user(s, w.names["registered"]))
        ctx["use_case"] = reuse.create_use_case(s, submitter, w.portal.settings.jurisdiction, data).id
    return ctx


def _idea_target(w: World, _role: str) -> Ctx:
    _selection_bodies(w)
    return {"new_idea": w.portal.unique("Matrix idea")}


def _idea(organization: str = "") -> Callable[[World, str], Ctx]:
    """An idea addressed to A ("org"), to B ("other_org") or to nobody."""

    def setup(w: World, _role: str) -> Ctx:
        from derek.reuse import service as reuse

        _selection_bodies(w)
        org = {"org": w.org, "other_org": w.other_org}.get(organization, "")
        data = reuse.IdeaData(title="Matrix idea", organization=org)
        with w.portal.db.session() as s:
            return {"idea": reuse.create_idea(s, SYSTEM, w.portal.settings.jurisdiction, data).id}

    return setup


def _use_case_count(w: World, ctx: Ctx) -> Any:
    from derek.reuse.models import UseCase

    with w.portal.db.session() as s:
        return sum(1 for title in s.scalars(select(UseCase.title)) if title.get("en") == ctx["new_use_case"])


def _use_case_state(w: World, ctx: Ctx) -> Any:
    from derek.reuse.models import UseCase

    with w.portal.db.session() as s:
        use_case = s.get(UseCase, ctx["use_case"])
        assert use_case is not None
        return (use_case.title, use_case.moderation)


def _idea_count(w: World, ctx: Ctx) -> Any:
    from derek.reuse.models import Idea

    with w.portal.db.session() as s:
        return s.query(Idea).filter_by(title=ctx["new_idea"]).count()


def _idea_state(w: World, ctx: Ctx) -> Any:
    from derek.reuse import service as reuse

    with w.portal.db.session() as s:
        idea = reuse.find_idea(s, ctx["idea"])
        return (reuse.support_counts(s, [idea.id]).get(idea.id, 0), idea.status, idea.answer)


def _survey_target(w: World, _role: str) -> Ctx:
    return {"new_survey": w.portal.unique("Matrix survey")}


def _open_survey(w: World, _role: str) -> Ctx:
    """An open survey of A, answered with one-time codes."""
    from derek.reuse import survey_service as surveys

    profile = w.portal.settings.jurisdiction
    with w.portal.db.session() as s:
        data = surveys.SurveyData(title={"en": "Matrix survey"}, organization=w.org, access="codes")
        survey = surveys.create_survey(s, SYSTEM, profile, data)
        surveys.add_question(s, SYSTEM, profile, survey.id, surveys.QuestionData("likert", {"en": "Agreed?"}))
        surveys.open_survey(s, SYSTEM, survey.id)
        return {"survey": survey.id}


def _survey_count(w: World, ctx: Ctx) -> Any:
    from derek.reuse.models import Survey

    with w.portal.db.session() as s:
        return sum(1 for title in s.scalars(select(Survey.title)) if title.get("en") == ctx["new_survey"])


def _survey_state(w: World, ctx: Ctx) -> Any:
    from derek.reuse import survey_service as surveys

    with w.portal.db.session() as s:
        survey = surveys.get_survey(s, ctx["survey"])
        return (survey.status, surveys.code_counts(s, survey))


# ------------------------------------------------------------------ calls


_T = {"title": {"en": "Made by the authorization matrix"}}
_SEL = "/api/v1/selection"
_REUSE = "/api/v1/reuse"
_ROLE = {"role": "member"}


def _title(w: World) -> dict[str, str]:
    return {"en": w.portal.unique("Changed title")}


CALLS: dict[str, Callable[[World, httpx.Client, Ctx], httpx.Response]] = {
    "org_create": lambda w, h, c: h.post("/api/v1/organizations", json={"name": c["new_org"], **_T}),
    "org_update": lambda w, h, c: h.patch(
        f"/api/v1/organizations/{w.org}", json={"description": {"en": w.portal.unique("about")}}
    ),
    "org_delete": lambda w, h, c: h.delete(f"/api/v1/organizations/{c['org']}"),
    "member_put": lambda w, h, c: h.put(f"/api/v1/organizations/{w.org}/members/{c['user']}", json=_ROLE),
    "member_delete": lambda w, h, c: h.delete(f"/api/v1/organizations/{w.org}/members/{c['user']}"),
    "dataset_create": lambda w, h, c: h.post(
        "/api/v1/datasets",
        json={"name": c["new_dataset"], "organization": w.org, **_T},
    ),
    "dataset_update": lambda w, h, c: h.patch(f"/api/v1/datasets/{c['dataset']}", json={"title": _title(w)}),
    "dataset_move": lambda w, h, c: h.patch(
        f"/api/v1/datasets/{c['dataset']}", json={"organization": w.other_org}
    ),
    "dataset_delete": lambda w, h, c: h.delete(f"/api/v1/datasets/{c['dataset']}"),
    "dataset_read": lambda w, h, c: h.get(f"/api/v1/datasets/{c['dataset']}"),
    "resources_read": lambda w, h, c: h.get(f"/api/v1/datasets/{c['dataset']}/resources"),
    "resource_create": lambda w, h, c: h.post(
        f"/api/v1/datasets/{c['dataset']}/resources", json={"url": "https://example.org/new.csv"}
    ),
    "resource_upload": lambda w, h, c: h.post(
        f"/api/v1/datasets/{c['dataset']}/resources/upload",
        files={"file": ("t.csv", c["content"], "text/csv")},
    ),
    "resource_update": lambda w, h, c: h.patch(
        f"/api/v1/resources/{c['resource']}", json={"name": "renamed"}
    ),
    "resource_delete": lambda w, h, c: h.delete(f"/api/v1/resources/{c['resource']}"),
    "resource_read": lambda w, h, c: h.get(f"/api/v1/resources/{c['resource']}"),
    "user_create": lambda w, h, c: h.post(
        "/api/v1/users",
        json={
            "name": c["new_user"],
            "email": "new@example.org",
            "password": "long-enough-password",
        },
    ),
    "user_list": lambda w, h, c: h.get("/api/v1/users"),
    "user_update": lambda w, h, c: h.patch(
        f"/api/v1/users/{c['user']}", json={"fullname": w.portal.unique("N")}
    ),
    "user_deactivate": lambda w, h, c: h.post(f"/api/v1/users/{c['user']}/deactivate"),
    "user_reactivate": lambda w, h, c: h.post(f"/api/v1/users/{c['user']}/reactivate"),
    # Tokens are created from a signed-in session: a token may not mint tokens (test_accounts_security).
    "token_create": lambda w, h, c: _signed_in(w, h).post("/api/v1/tokens", json={"label": "matrix"}),
    "token_list": lambda w, h, c: h.get("/api/v1/tokens"),
    "job_read": lambda w, h, c: h.get(f"/api/v1/jobs/{c['job']}"),
    "token_revoke": lambda w, h, c: h.delete(f"/api/v1/tokens/{c['token_id']}"),
    "link_check_start": lambda w, h, c: h.post("/api/v1/quality/link-check"),
    "quality_todo": lambda w, h, c: h.get("/api/v1/quality/todo"),
    "lawful_basis_record": lambda w, h, c: h.post(
        f"/api/v1/resources/{c['resource']}/personal-data/lawful-basis",
        json={"lawful_basis": "Published by law as a public register."},
    ),
    "request_submit": lambda w, h, c: h.post(
        "/api/v1/requests",
        json={
            "organization": w.org,
            "subject": "Matrix request",
            "body": "Sent by the authorization matrix.",
            "name": "R",
            "email": "r@example.org",
            "identifier": _IIN,
        },
    ),
    "request_extend": lambda w, h, c: h.post(
        f"/api/v1/requests/{c['request']}/extend", json={"reason": "Several holders hold it."}
    ),
    "request_requester": lambda w, h, c: h.get(f"/api/v1/requests/{c['request']}/requester"),
    "request_withdraw": lambda w, h, c: h.post(f"/api/v1/requests/{c['request']}/withdraw"),
    "appeal_decide": lambda w, h, c: h.post(
        f"/api/v1/appeals/{c['appeal']}/decision", json={"decision": "upheld", "text": "The refusal stands."}
    ),
    "request_queue": lambda w, h, c: h.get("/api/v1/requests/queue"),
    "holding_create": lambda w, h, c: h.post(
        f"{_SEL}/holdings", json={"organization": w.org, "title": c["new_holding"]}
    ),
    "proposal_create": lambda w, h, c: h.post(
        f"{_SEL}/proposals", json={"organization": w.org, "title": c["new_proposal"]}
    ),
    "proposal_support": lambda w, h, c: h.post(f"{_SEL}/proposals/{c['proposal']}/support"),
    "proposal_assess": lambda w, h, c: h.post(
        f"{_SEL}/proposals/{c['proposal']}/assessment",
        json={
            "criteria": {"restriction": 3, "demand": 2, "readiness": 2, "not_machine_readable": 0},
            "recommendation": "include",
            "reason": "Assessed by the authorization matrix.",
        },
    ),
    "session_create": lambda w, h, c: h.post(
        f"{_SEL}/commission/sessions", json={"title": c["new_session"], "held_on": "2026-01-10"}
    ),
    "commission_vote": lambda w, h, c: h.put(
        f"{_SEL}/commission/sessions/{c['session']}/agenda/{c['proposal']}/vote", json={"vote": "recommend"}
    ),
    "list_draft_create": lambda w, h, c: h.post(f"{_SEL}/list/versions", json={}),
    "list_item_link": lambda w, h, c: h.put(
        f"{_SEL}/list/items/{c['code']}/dataset", json={"dataset": c["dataset"]}
    ),
    "use_case_create": lambda w, h, c: h.post(
        f"{_REUSE}/use-cases",
        json={"title": {"en": c["new_use_case"]}, "datasets": [c["dataset"]], **_USE_CASE},
    ),
    "use_case_update": lambda w, h, c: h.put(
        f"{_REUSE}/use-cases/{c['use_case']}",
        json={"title": _title(w), "datasets": [c["dataset"]], **_USE_CASE},
    ),
    "use_case_moderate": lambda w, h, c: h.post(
        f"{_REUSE}/use-cases/{c['use_case']}/moderation", json={"shown": False, "note": "Matrix"}
    ),
    "reuse_anomalies": lambda w, h, c: h.get(f"{_REUSE}/anomalies"),
    "idea_create": lambda w, h, c: h.post(f"{_REUSE}/ideas", json={"title": c["new_idea"]}),
    "idea_support": lambda w, h, c: h.post(f"{_REUSE}/ideas/{c['idea']}/support"),
    "idea_answer": lambda w, h, c: h.post(
        f"{_REUSE}/ideas/{c['idea']}/answer", json={"answer": "Answered by the authorization matrix."}
    ),
    "survey_create": lambda w, h, c: h.post(
        f"{_REUSE}/surveys", json={"title": {"en": c["new_survey"]}, "organization": w.org}
    ),
    "survey_close": lambda w, h, c: h.post(f"{_REUSE}/surveys/{c['survey']}/close"),
    "survey_codes": lambda w, h, c: h.post(f"{_REUSE}/surveys/{c['survey']}/codes", json={"count": 2}),
    "harvest_source_create": lambda w, h, c: h.post(
        "/api/v1/harvest/sources",
        json={"name": c["new_source"], "url": "https://data.example.org", "organization": w.org},
    ),
}


@dataclass(frozen=True)
class Row:
    action: str  # the declared action this row exercises
    call: str
    setup: Callable[[World, str], Ctx]
    probe: Callable[[World, Ctx], Any] | None
    expected: tuple[int, ...]  # one status per role, in ROLES order


# 401: anonymous is asked to log in. 403: known to the user but not theirs to change.
# 404: the user may not even see it (private or draft), so its existence is not revealed, not even to
# anonymous visitors.
#            anonymous  registered  member  editor  admin  other_editor  sysadmin
MATRIX: dict[str, Row] = {
    "organization.create": Row(
        "organization.create",
        "org_create",
        _new_name("new_org"),
        _new_org,
        (401, 403, 403, 403, 403, 403, 201),
    ),
    "organization.update": Row(
        "organization.update", "org_update", _nothing, _org_state, (401, 403, 403, 403, 200, 403, 200)
    ),
    "organization.delete": Row(
        "organization.delete", "org_delete", _fresh_org, _org_state, (401, 403, 403, 403, 403, 403, 204)
    ),
    "members.add": Row(
        "organization.manage_members",
        "member_put",
        _candidate,
        _membership,
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "members.remove": Row(
        "organization.manage_members",
        "member_delete",
        _member_candidate,
        _membership,
        (401, 403, 403, 403, 204, 403, 204),
    ),
    "dataset.create": Row(
        "dataset.create",
        "dataset_create",
        _new_name("new_dataset"),
        _new_dataset,
        (401, 403, 403, 201, 201, 403, 201),
    ),
    "dataset.create.by_moving": Row(  # moving into B needs dataset.create there: only sysadmins have both
        "dataset.create", "dataset_move", _dataset(), _dataset_state, (401, 403, 403, 403, 403, 403, 200)
    ),
    "dataset.update.public": Row(
        "dataset.update", "dataset_update", _dataset(), _dataset_state, (401, 403, 403, 200, 200, 403, 200)
    ),
    "dataset.update.private": Row(
        "dataset.update",
        "dataset_update",
        _dataset(private=True),
        _dataset_state,
        (404, 404, 403, 200, 200, 404, 200),
    ),
    "dataset.update.draft": Row(
        "dataset.update",
        "dataset_update",
        _dataset(state="draft"),
        _dataset_state,
        (404, 404, 403, 200, 200, 404, 200),
    ),
    "dataset.delete.public": Row(
        "dataset.delete", "dataset_delete", _dataset(), _dataset_state, (401, 403, 403, 204, 204, 403, 204)
    ),
    "dataset.delete.private": Row(
        "dataset.delete",
        "dataset_delete",
        _dataset(private=True),
        _dataset_state,
        (404, 404, 403, 204, 204, 404, 204),
    ),
    "dataset.delete.draft": Row(
        "dataset.delete",
        "dataset_delete",
        _dataset(state="draft"),
        _dataset_state,
        (404, 404, 403, 204, 204, 404, 204),
    ),
    "dataset.read_private.private": Row(
        "dataset.read_private",
        "dataset_read",
        _dataset(private=True),
        None,
        (404, 404, 200, 200, 200, 404, 200),
    ),
    "dataset.read_private.draft": Row(
        "dataset.read_private",
        "dataset_read",
        _dataset(state="draft"),
        None,
        (404, 404, 200, 200, 200, 404, 200),
    ),
    "dataset.read_private.resources": Row(
        "dataset.read_private",
        "resources_read",
        _dataset(private=True),
        None,
        (404, 404, 200, 200, 200, 404, 200),
    ),
    "dataset.read_private.resource": Row(
        "dataset.read_private",
        "resource_read",
        _resource(state="draft"),
        None,
        (404, 404, 200, 200, 200, 404, 200),
    ),
    "resource.create.public": Row(
        "dataset.update", "resource_create", _dataset(), _dataset_state, (401, 403, 403, 201, 201, 403, 201)
    ),
    "resource.create.private": Row(
        "dataset.update",
        "resource_create",
        _dataset(private=True),
        _dataset_state,
        (404, 404, 403, 201, 201, 404, 201),
    ),
    "resource.upload.public": Row(  # a refused upload must not even be stored
        "dataset.update", "resource_upload", _upload, _stored, (401, 403, 403, 201, 201, 403, 201)
    ),
    "resource.update.public": Row(
        "dataset.update", "resource_update", _resource(), _resource_state, (401, 403, 403, 200, 200, 403, 200)
    ),
    "resource.update.draft": Row(
        "dataset.update",
        "resource_update",
        _resource(state="draft"),
        _resource_state,
        (404, 404, 403, 200, 200, 404, 200),
    ),
    "resource.delete.public": Row(
        "dataset.update", "resource_delete", _resource(), _resource_state, (401, 403, 403, 204, 204, 403, 204)
    ),
    "resource.delete.private": Row(
        "dataset.update",
        "resource_delete",
        _resource(private=True),
        _resource_state,
        (404, 404, 403, 204, 204, 404, 204),
    ),
    "user.create": Row(
        "user.create",
        "user_create",
        _new_name("new_user"),
        _created_user,
        (401, 403, 403, 403, 403, 403, 201),
    ),
    "user.list": Row("user.list", "user_list", _nothing, None, (401, 403, 403, 403, 403, 403, 200)),
    "user.update.self": Row(
        "user.update", "user_update", _self, _user_state, (401, 200, 200, 200, 200, 200, 200)
    ),
    "user.update.other": Row(
        "user.update", "user_update", _candidate, _user_state, (401, 403, 403, 403, 403, 403, 200)
    ),
    "user.deactivate": Row(
        "user.deactivate", "user_deactivate", _candidate, _user_active, (401, 403, 403, 403, 403, 403, 200)
    ),
    "user.deactivate.reactivate": Row(
        "user.deactivate",
        "user_reactivate",
        _inactive_candidate,
        _user_active,
        (401, 403, 403, 403, 403, 403, 200),
    ),
    "token.manage.create_own": Row(
        "token.manage", "token_create", _own_tokens, _token_count, (401, 201, 201, 201, 201, 201, 201)
    ),
    "token.manage.list_own": Row(
        "token.manage", "token_list", _nothing, None, (401, 200, 200, 200, 200, 200, 200)
    ),
    "job.read.editors_job": Row(
        "job.read", "job_read", _editors_job, None, (401, 403, 403, 200, 403, 403, 200)
    ),
    "token.manage.revoke_other": Row(
        "token.manage", "token_revoke", _victim_token, _token_revoked, (401, 403, 403, 403, 403, 403, 204)
    ),
    "harvest.manage.create_source": Row(
        "harvest.manage",
        "harvest_source_create",
        _new_name("new_source"),
        _harvest_source,
        (401, 403, 403, 403, 403, 403, 201),
    ),
    "personal_data.review.lawful_basis": Row(
        "personal_data.review",
        "lawful_basis_record",
        _flagged_resource,
        _scan_status,
        (401, 403, 403, 403, 403, 403, 200),
    ),
    "quality.run.link_check": Row(
        "quality.run", "link_check_start", _nothing, None, (401, 403, 403, 403, 403, 403, 202)
    ),
    "info_request.submit": Row(
        "info_request.submit", "request_submit", _nothing, _request_count, (201, 201, 201, 201, 201, 201, 201)
    ),
    "info_request.handle.extend": Row(
        "info_request.handle",
        "request_extend",
        _info_request(),
        _request_state,
        (401, 403, 403, 200, 200, 403, 200),
    ),
    "info_request.see_requester": Row(
        "info_request.see_requester",
        "request_requester",
        _info_request(),
        None,
        (401, 403, 403, 200, 200, 403, 200),
    ),
    "info_request.see_requester.own": Row(
        "info_request.see_requester",
        "request_requester",
        _info_request(by="registered"),
        None,
        (401, 200, 403, 200, 200, 403, 200),
    ),
    "info_request.act_as_requester.withdraw": Row(
        "info_request.act_as_requester",
        "request_withdraw",
        _info_request(by="registered"),
        _request_state,
        (401, 200, 403, 403, 403, 403, 200),
    ),
    # A has no parent organization and the kz profile's reviewer is the superior body: only sysadmins
    "info_request.review.no_superior": Row(
        "info_request.review",
        "appeal_decide",
        _info_request(refused=True, appealed=True),
        _appeal_state,
        (401, 403, 403, 403, 403, 403, 200),
    ),
    "info_request.queue": Row(
        "info_request.queue", "request_queue", _nothing, None, (401, 200, 200, 200, 200, 200, 200)
    ),
    "selection.keep_inventory.create": Row(
        "selection.keep_inventory",
        "holding_create",
        _new_name("new_holding"),
        _holding_count,
        (401, 403, 403, 201, 201, 403, 201),
    ),
    "selection.propose": Row(
        "selection.propose",
        "proposal_create",
        _new_name("new_proposal"),
        _proposal_count,
        (401, 201, 201, 201, 201, 201, 201),
    ),
    "selection.support": Row(
        "selection.support",
        "proposal_support",
        _proposal,
        _proposal_state,
        (401, 200, 200, 200, 200, 200, 200),
    ),
    # A's editor and admin assess both as A's officials and as the Commission's secretariat
    "selection.assess": Row(
        "selection.assess", "proposal_assess", _proposal, _proposal_state, (401, 403, 403, 201, 201, 403, 201)
    ),
    "selection.run_commission.session": Row(
        "selection.run_commission",
        "session_create",
        _new_name("new_session"),
        _session_count,
        (401, 403, 403, 201, 201, 403, 201),
    ),
    # only the Commission's members vote: a sysadmin passes the rule but is not a member
    "selection.vote": Row(
        "selection.vote", "commission_vote", _agenda_item, _votes, (401, 403, 200, 403, 403, 403, 403)
    ),
    "selection.manage_list.draft": Row(
        "selection.manage_list",
        "list_draft_create",
        _no_draft,
        _draft_number,
        (401, 403, 403, 201, 201, 403, 201),
    ),
    "selection.link_dataset": Row(
        "selection.link_dataset",
        "list_item_link",
        _list_item,
        _fulfilment,
        (401, 403, 403, 200, 200, 403, 200),
    ),
    "quality.todo.own_list": Row(
        "quality.todo", "quality_todo", _nothing, None, (401, 200, 200, 200, 200, 200, 200)
    ),
    "reuse.submit": Row(
        "reuse.submit",
        "use_case_create",
        _use_case_target,
        _use_case_count,
        (401, 201, 201, 201, 201, 201, 201),
    ),
    # the registered user submitted it; A's editor and admin are reuse moderators
    "reuse.edit_use_case": Row(
        "reuse.edit_use_case",
        "use_case_update",
        _use_case,
        _use_case_state,
        (401, 200, 403, 200, 200, 403, 200),
    ),
    "reuse.moderate.use_case": Row(
        "reuse.moderate", "use_case_moderate", _use_case, _use_case_state, (401, 403, 403, 200, 200, 403, 200)
    ),
    "reuse.moderate.anomalies": Row(
        "reuse.moderate", "reuse_anomalies", _idea_target, None, (401, 403, 403, 200, 200, 403, 200)
    ),
    "reuse.post_idea": Row(
        "reuse.post_idea", "idea_create", _idea_target, _idea_count, (401, 201, 201, 201, 201, 201, 201)
    ),
    "reuse.support_idea": Row(
        "reuse.support_idea", "idea_support", _idea(), _idea_state, (401, 201, 201, 201, 201, 201, 201)
    ),
    "reuse.answer_idea": Row(
        "reuse.answer_idea", "idea_answer", _idea("org"), _idea_state, (401, 403, 403, 200, 200, 403, 200)
    ),
    # addressed to B: its editor answers, and A's editor and admin as moderators
    "reuse.answer_idea.moderators": Row(
        "reuse.answer_idea",
        "idea_answer",
        _idea("other_org"),
        _idea_state,
        (401, 403, 403, 200, 200, 200, 200),
    ),
    "reuse.run_survey.create": Row(
        "reuse.run_survey",
        "survey_create",
        _survey_target,
        _survey_count,
        (401, 403, 403, 201, 201, 403, 201),
    ),
    "reuse.run_survey.close": Row(
        "reuse.run_survey", "survey_close", _open_survey, _survey_state, (401, 403, 403, 200, 200, 403, 200)
    ),
    "reuse.run_survey.codes": Row(
        "reuse.run_survey", "survey_codes", _open_survey, _survey_state, (401, 403, 403, 201, 201, 403, 201)
    ),
}

CASES = [pytest.param(row_id, role, id=f"{row_id}-{role}") for row_id in MATRIX for role in ROLES]


@pytest.mark.parametrize(("row_id", "role"), CASES)
def test_matrix(world: World, row_id: str, role: str) -> None:
    row = MATRIX[row_id]
    expected = row.expected[ROLES.index(role)]
    ctx = row.setup(world, role)
    before = row.probe(world, ctx) if row.probe else None
    response = CALLS[row.call](world, world.clients[role], ctx)
    assert response.status_code == expected, (
        f"{row_id} as {role}: {response.status_code} {response.text[:300]}"
    )
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == expected and response.json()["detail"]
    if row.probe is not None:
        after = row.probe(world, ctx)
        if expected < 400:
            assert after != before, f"{row_id} as {role} answered {expected} but changed nothing"
        else:
            assert after == before, f"{row_id} as {role} was refused but changed {before!r} into {after!r}"


def test_every_declared_action_has_a_matrix_row(world: World) -> None:
    """A new action without a row here fails: declare who may do it, then add the row."""
    import derek.app  # noqa: F401  (the app imports every domain, so every policy is registered)

    declared = set(authz.actions())
    covered = {row.action for row in MATRIX.values()}
    assert declared - covered == set(), f"actions without a row in MATRIX: {sorted(declared - covered)}"
    assert covered - declared == set(), f"rows for actions nobody declares: {sorted(covered - declared)}"


def test_matrix_rows_are_complete() -> None:
    for row_id, row in MATRIX.items():
        assert len(row.expected) == len(ROLES), row_id
        assert row.call in CALLS, row_id
