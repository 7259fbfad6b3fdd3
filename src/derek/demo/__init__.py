"""Demo data: organizations, datasets, files and users for a portal a new user can browse at once."""

from __future__ import annotations

from derek.demo.loader import DATASETS as DATASETS
from derek.demo.loader import load_demo as load_demo
from derek.demo.organizations import DEMO_PASSWORD as DEMO_PASSWORD

__all__ = ["DATASETS", "DEMO_PASSWORD", "load_demo"]
