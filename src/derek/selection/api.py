"""Native API of dataset selection (routes added below)."""

from __future__ import annotations

from fastapi import APIRouter

from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/selection", tags=["dataset selection"], responses=PROBLEM_RESPONSES)
