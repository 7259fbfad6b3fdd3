"""The native API keeps the promises of its OpenAPI document: schemathesis generates requests from
/openapi.json and checks that no answer is a 5xx and that every status code, content type and body is the
documented one. Run as an anonymous visitor and as a sysadmin, so the changing routes get exercised too.

The app runs in-process over its own fresh database (SQLite, or PostgreSQL with DEREK_DATABASE_URL), seeded
with an organization, a dataset with a resource and a user, whose names generated requests sometimes use.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import checks

from derek.app import create_app
from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, OrganizationCreate, ResourceCreate
from derek.config import Settings
from derek.core import accounts
from derek.core.authz import SYSTEM
from tests.conftest import fresh_database_url

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Every phase for the sysadmin run; the anonymous run only reads, and the sysadmin run already walks the
# boundary cases of the same read routes, so it fuzzes only. Six generated examples per operation (with the
# coverage phase's boundary cases) keep the two passes (SQLite, PostgreSQL) near a minute each for ~180
# operations.
CONFIG: dict[str, Any] = {
    "seed": 20240601,
    "generation": {"max-examples": 6, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}
READS_CONFIG: dict[str, Any] = {
    **CONFIG,
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
}


@dataclass
class Seed:
    token: str
    names: dict[str, list[str]]


SEEN: Counter[tuple[str, str, int]] = Counter()


def seed(app: Any) -> Seed:
    profile = app.state.settings.jurisdiction
    with app.state.db.session() as s:
        admin = accounts.create_user(s, SYSTEM, "st-root", "root@example.org", sysadmin=True)
        _t, token = accounts.create_token(s, SYSTEM, admin, "schemathesis")
        user = accounts.create_user(s, SYSTEM, "st-user", "user@example.org")
        user_token, _plain = accounts.create_token(s, SYSTEM, user, "a token to revoke")
        catalog.create_organization(s, SYSTEM, OrganizationCreate(name="st-org", title={"en": "Org"}))
        catalog.create_organization(s, SYSTEM, OrganizationCreate(name="st-empty", title={"en": "Empty"}))
        for name in ("st-data", "st-more"):
            catalog.create_dataset(
                s,
                SYSTEM,
                profile,
                DatasetCreate(name=name, organization="st-org", title={"en": name}, state="published"),
            )
        resource = catalog.create_resource(
            s, SYSTEM, "st-data", ResourceCreate(url="https://example.org/a.csv")
        )
        reference, appeal_id = _seed_request(s, profile)
        selection = _seed_selection(s, profile)
        reuse = _seed_reuse(s, profile)
        surveys = _seed_survey(s, profile, app.state.settings.effective_secret_key())
    return Seed(
        token=token,
        names={
            "name": ["st-data", "st-more", "st-org", "st-empty"],
            "resource_id": [resource.id],
            "user": ["st-user", "st-root"],
            "token_id": [user_token.id],  # never the sysadmin's own: the run would go on as anonymous
            "reference": [reference],
            "appeal_id": [appeal_id],
            **selection,
            **reuse,
            **surveys,
        },
    )


def _seed_request(s: Any, profile: Any) -> tuple[str, str]:
    """An information request to st-org, refused on the law's first ground and appealed."""
    from derek.info_requests import service as requests
    from derek.info_requests.rules import rules_for
    from derek.info_requests.schemas import Answer, RequestCreate

    data = RequestCreate(
        organization="st-org",
        subject="Seeded request",
        body="A request the generated cases can find.",
        name="R",
        email="r@example.org",
        identifier="900101300126",
    )
    req, key = requests.submit_request(s, SYSTEM, profile, data)
    ground = rules_for(profile).grounds[0].code
    requests.answer_request(
        s, SYSTEM, profile, req.reference, Answer(outcome="refused", text="No.", grounds=[ground])
    )
    appeal = requests.create_appeal(s, SYSTEM, profile, req.reference, "An appeal long enough.", key)
    return req.reference, appeal.id


def _seed_selection(s: Any, profile: Any) -> dict[str, list[Any]]:
    """Dataset selection: a data holding of st-org, proposal P-1 on the agenda of Commission session
    No. 1, and version 1 of the unified list (approved) with an item of st-org; the path parameters that
    name them."""
    from datetime import date

    from derek.selection import commission_service, list_service
    from derek.selection import service as selection

    holding = selection.create_holding(
        s, SYSTEM, profile, selection.HoldingData(organization="st-org", title="Seeded holding")
    )
    proposal = selection.create_proposal(
        s, SYSTEM, profile, selection.ProposalData(title="Seeded proposal", organization="st-org")
    )
    row = commission_service.create_session(s, SYSTEM, profile, title="Seeded", held_on=date(2026, 1, 10))
    commission_service.add_agenda_item(s, SYSTEM, profile, row.number, proposal.number)
    version = list_service.create_draft(s, SYSTEM, profile)
    item = list_service.add_list_item(
        s,
        SYSTEM,
        profile,
        version.number,
        list_service.ItemData(title="Seeded item", organization="st-org", due_on=date(2026, 12, 31)),
    )
    list_service.set_approval(s, SYSTEM, profile, version.number, act_number="1", act_date=date(2026, 1, 5))
    return {
        "number": [proposal.number, row.number, version.number],
        "proposal": [proposal.number],
        "code": [item.code],
        "holding_id": [holding.id],
        "organization": ["st-org"],
    }


REUSE_USE_CASE = {
    "title": {"en": "Seeded use case"},
    "description": {"en": "A map drawn from the seeded dataset, so generated cases find a use case to read."},
    "kind": "app",
    "author": "Seeded team",
    "contact": "team@example.org",
    "datasets": ["st-data"],
    "url": "https://example.org/app",
}


def _seed_reuse(s: Any, profile: Any) -> dict[str, list[Any]]:
    """Reuse: a use case of st-data, and an idea with a comment; the path parameters that name them."""
    from derek.reuse import service as reuse

    use_case = reuse.create_use_case(s, SYSTEM, profile, reuse.UseCaseData(**REUSE_USE_CASE))
    idea = reuse.create_idea(s, SYSTEM, profile, reuse.IdeaData(title="Seeded idea", organization="st-org"))
    comment = reuse.add_comment(s, SYSTEM, idea.id, "A seeded comment.")
    return {"use_case_id": [use_case.id], "idea_id": [idea.id], "comment_id": [comment.id]}


def _seed_survey(s: Any, profile: Any, secret: str) -> dict[str, list[Any]]:
    """An open survey of st-org with a question of every kind, answered once; the path parameters that name
    the survey and its questions."""
    from derek.core.authz import ANONYMOUS
    from derek.reuse import survey_service as surveys

    data = surveys.SurveyData(title={"en": "Seeded survey"}, organization="st-org", access="codes")
    survey = surveys.create_survey(s, SYSTEM, profile, data)
    options = [{"en": "One"}, {"en": "Two"}, {"en": "Three"}]
    questions = [
        surveys.add_question(
            s, SYSTEM, profile, survey.id, surveys.QuestionData(kind, {"en": f"Seeded {kind}"}, options)
        )
        for kind in ("likert", "single", "multiple", "ranking", "text")
    ]
    surveys.open_survey(s, SYSTEM, survey.id)
    code = surveys.create_codes(s, SYSTEM, survey.id, 1, secret=secret)[0]
    answers = {str(questions[0].id): 4, str(questions[4].id): "Seeded answer"}
    surveys.submit_response(s, ANONYMOUS, survey.id, answers, code, secret=secret)
    return {"survey_id": [survey.id], "question_id": [q.id for q in questions]}


# The schema is loaded when pytest collects this module (schemathesis' lazy from_fixture loader does not
# work with pytest 9), so the app is built then, over a fresh empty database; migrations and seed data wait
# for the first test that runs.
TMP = Path(tempfile.mkdtemp(prefix="derek-openapi-"))
atexit.register(shutil.rmtree, TMP, True)  # also when no test of this module runs
APP = create_app(Settings(data_dir=TMP, database_url=fresh_database_url(TMP), secret_key="st"), migrate=False)
KNOWN: dict[str, Seed] = {}
# every generated case of a test shares its test id, which pytest-xdist would run once: run in one process
pytestmark = pytest.mark.serial


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seed]:
    APP.state.db.upgrade()
    KNOWN["seed"] = seed(APP)
    yield KNOWN["seed"]
    APP.state.db.engine.dispose()


def _just(values: dict[str, Any]) -> dict[str, Any]:
    return {k: st.just(v) for k, v in values.items()}


def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half the time, point the request at something that exists."""
    known = KNOWN["seed"].names if KNOWN else {}
    real = {k: st.sampled_from(known[k]) for k in path_parameters or {} if k in known}
    if not real or path_parameters is None:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries({**_just(path_parameters), **real}))


REUSE_USE_CASE_BODIES = {"/api/v1/reuse/use-cases", "/api/v1/reuse/use-cases/{use_case_id}"}
SELECTION_BODIES_WITH_ORGANIZATION = {
    "/api/v1/selection/holdings",
    "/api/v1/selection/proposals",
    "/api/v1/selection/list/versions/{number}/items",
    "/api/v1/selection/list/versions/{number}/items/{code}",
}


def flatmap_body(context: Any, body: Any) -> Any:
    """Half the time, a new dataset names an existing organization and valid vocabulary (else it is 422);
    so does a new data holding, proposal or list item; a use case is one that can be saved."""
    operation = context.operation
    if operation.path in REUSE_USE_CASE_BODIES and isinstance(body, dict):
        return st.one_of(st.just(body), st.just(REUSE_USE_CASE))
    names_organization = (
        operation.method.upper() in ("POST", "PUT") and operation.path in SELECTION_BODIES_WITH_ORGANIZATION
    )
    if names_organization and isinstance(body, dict):
        # dataset selection: a holding, a proposal or a list item of an organization that exists, naming
        # no other object (a random name is a 422)
        known = {**body, "organization": "st-org"} | {k: "" for k in ("dataset", "holding") if k in body}
        if "access" in body:
            known["access"] = "open"
        known.pop("proposal", None)
        return st.one_of(st.just(body), st.just(known))
    if not (operation.method.upper() == "POST" and operation.path == "/api/v1/datasets") or not isinstance(
        body, dict
    ):
        return st.just(body)
    profile = APP.state.settings.jurisdiction
    valid = {
        **_just(body),
        "organization": st.just("st-org"),
        "themes": st.lists(st.sampled_from([t.code for t in profile.themes]), max_size=3),
        "regions": st.lists(st.sampled_from([r.code for r in profile.regions]), max_size=3),
        "license_id": st.sampled_from([lic.id for lic in profile.licences]),
        "temporal_start": st.none(),
        "title": st.just({"en": "Generated"}),
    }
    return st.one_of(st.just(body), st.fixed_dictionaries(valid))


def after_call(context: Any, case: Any, response: Any) -> None:
    SEEN[(case.method, case.operation.path, response.status_code)] += 1


def load(config: dict[str, Any], **only: Any) -> Any:
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", APP, config=schemathesis.Config.from_dict(config)
    )
    for hook in (flatmap_path_parameters, flatmap_body, after_call):
        schema.hook(hook)
    # one include() with every criterion: two include() calls would give their union
    return schema.include(path_regex="^/api/v1/", **only)


schema = load(CONFIG)
reads = load(READS_CONFIG, method="GET")


# Anonymous visitors read; their changes are refused before anything else, which the sysadmin run and
# tests/test_authz_matrix.py cover.
@reads.parametrize()
def test_reads_as_anonymous(case: Any, seeded: Seed) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
def test_everything_as_sysadmin(case: Any, seeded: Seed) -> None:
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {seeded.token}"})


def test_the_runs_reached_success_and_refusal() -> None:
    """The generated requests did more than bounce off validation: creations, changes, deletions and
    refusals all happened (otherwise the checks above proved little)."""
    if not SEEN:
        pytest.skip("the schemathesis tests did not run in this session")
    statuses = {(method, status) for method, _path, status in SEEN}
    assert any(
        path == "/api/v1/datasets" and (method, status) == ("POST", 201) for method, path, status in SEEN
    )
    wanted_statuses = [
        ("GET", 200),
        ("GET", 401),
        ("GET", 404),
        ("POST", 201),
        ("PATCH", 200),
        ("DELETE", 204),
    ]
    for wanted in wanted_statuses:
        assert wanted in statuses, f"no {wanted[0]} answered {wanted[1]}: {sorted(SEEN.items())}"


def test_conditional_gets_and_errors_are_documented() -> None:
    paths = APP.openapi()["paths"]
    for path in (
        "/api/v1/datasets/{name}",
        "/api/v1/resources/{resource_id}",
        "/api/v1/organizations/{name}",
    ):
        assert "304" in paths[path]["get"]["responses"], path
    for path, operations in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    content = response.get("content", {})
                    assert list(content) == ["application/problem+json"], (method, path, status)
                    assert content["application/problem+json"]["schema"]["properties"]["detail"]
