"""Native API of the personal-data guard: a resource's scan (its editors) and a reviewer's lawful basis."""

from __future__ import annotations

from fastapi import APIRouter

from derek.quality import personal_data as service
from derek.quality.schemas import LawfulBasis, ScanRead
from derek.web.deps import ActorDep, LangDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/resources", tags=["quality"], responses=PROBLEM_RESPONSES)


@router.get("/{resource_id}/personal-data", response_model=ScanRead)
def get_scan(resource_id: str, session: SessionDep, actor: ActorDep, lang: LangDep) -> ScanRead:
    """What the personal-data check found in the resource's file: per column, the kind of value, the rows
    and masked samples. `personal` blocks publishing the dataset. For the dataset's editors."""
    return service.get_scan(session, actor, resource_id, lang)


@router.post("/{resource_id}/personal-data/lawful-basis", response_model=ScanRead)
def record_lawful_basis(
    resource_id: str, data: LawfulBasis, session: SessionDep, actor: ActorDep, lang: LangDep
) -> ScanRead:
    """A reviewer (sysadmin) allows publishing this file despite its personal data, giving the legal ground;
    kept in the audit log. A new file of the resource is checked again."""
    scan = service.record_lawful_basis(session, actor, resource_id, data.lawful_basis, lang)
    session.commit()
    return scan
