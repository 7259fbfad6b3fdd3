"""The shapes the demo catalog is written in: datasets with real files or generated tables."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from derek.catalog.schemas import Frequency
from derek.demo.generate import Table

FILES_DIR = Path(__file__).resolve().parent / "files"


def ml(kk: str, ru: str, en: str) -> dict[str, str]:
    """Multilingual text in the demo's three languages."""
    return {"kk": kk, "ru": ru, "en": en}


@dataclass(frozen=True)
class Source:
    """Where a real file comes from, as the shared SOURCES.md of real data files records it."""

    publisher: dict[str, str]  # the original publisher, in kk/ru/en
    snapshot: str  # repository, path and commit the file was copied from
    url: str
    licence: str  # the licence as the source states it


@dataclass(frozen=True)
class RealFile:
    filename: str  # in files/
    format: str
    name: str
    description: str = ""

    @property
    def path(self) -> Path:
        return FILES_DIR / self.filename


@dataclass(frozen=True)
class Link:
    """A resource that points elsewhere instead of holding a file."""

    url: str
    name: str
    format: str
    description: str = ""


@dataclass(frozen=True)
class DemoDataset:
    name: str
    organization: str
    title: dict[str, str]
    description: dict[str, str]
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    frequency: Frequency
    start: date | None = None
    end: date | None = None
    regions: tuple[str, ...] = ()
    licence: str = "CC-BY-4.0"
    languages: tuple[str, ...] = ("kk", "ru", "en")
    version: str = ""
    issued: date | None = None
    state: Literal["draft", "published"] = "published"
    private: bool = False
    # real data: files shipped in files/ and their source
    files: tuple[RealFile, ...] = ()
    source: Source | None = None
    links: tuple[Link, ...] = ()
    # synthetic data: a seeded table written in each of `formats` (CSV, JSON, GEOJSON)
    table: Callable[[random.Random], Table] | None = None
    formats: tuple[str, ...] = ("CSV",)

    @property
    def synthetic(self) -> bool:
        return self.source is None
