"""Demo data: organizations, datasets and files for a portal a new user can browse at once."""

from __future__ import annotations

from typing import Any

from derek.config import Settings
from derek.core.db import Database


def load_demo(db: Database, settings: Settings, console: Any = None) -> str:
    return "demo data: nothing yet"
