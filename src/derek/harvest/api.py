"""Native harvest API (sysadmins only): sources, their latest runs, and starting a run as a background job."""

from __future__ import annotations

from fastapi import APIRouter, Response

from derek.core.api import JobRead, job_read
from derek.harvest import service
from derek.harvest.schemas import HarvestSourceCreate, HarvestSourceRead
from derek.web.deps import ActorDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/harvest", tags=["harvest"], responses=PROBLEM_RESPONSES)


@router.get("/sources", response_model=list[HarvestSourceRead])
def list_sources(session: SessionDep, actor: ActorDep) -> list[HarvestSourceRead]:
    """Every harvest source with its latest run."""
    return service.list_sources(session, actor)


@router.post("/sources", response_model=HarvestSourceRead, status_code=201)
def create_source(data: HarvestSourceCreate, session: SessionDep, actor: ActorDep) -> HarvestSourceRead:
    """Register a remote portal whose public catalog is mirrored into a local organization."""
    source = service.create_source(session, actor, data)
    session.commit()
    return source


@router.get("/sources/{name}", response_model=HarvestSourceRead)
def get_source(name: str, session: SessionDep, actor: ActorDep) -> HarvestSourceRead:
    """A source with its ten latest runs (created, updated, withdrawn, unchanged, errors)."""
    return service.get_source(session, actor, name)


@router.post("/sources/{name}/run", response_model=JobRead, status_code=202)
def run_source(name: str, response: Response, session: SessionDep, actor: ActorDep) -> JobRead:
    """Harvest the source in the background; follow the job for progress and its counts."""
    job = service.queue_run(session, actor, name)
    session.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job)
