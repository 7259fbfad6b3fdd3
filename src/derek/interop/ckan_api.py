"""CKAN-compatible Action API at /api/3/action/{name}: a translation layer over the catalog services."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
