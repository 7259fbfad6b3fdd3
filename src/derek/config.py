"""Settings from DEREK_* environment variables and the jurisdiction profile they select."""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Theme:
    code: str  # EU data theme code, e.g. ECON
    title: dict[str, str]
    national: tuple[str, ...] = ()  # national category names mapped onto this theme


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str
    open: bool = True


@dataclass(frozen=True)
class Region:
    code: str
    title: dict[str, str]


@dataclass(frozen=True)
class Profile:
    """A jurisdiction profile: everything that differs per country is here, not in code."""

    code: str
    name: dict[str, str]
    languages: tuple[str, ...]
    default_language: str
    timezone: str
    themes: tuple[Theme, ...]
    licences: tuple[Licence, ...]
    default_licence: str
    regions: tuple[Region, ...]
    # the personal-data guard's detectors by name (derek.quality.detectors), e.g. ("kz_iin", "email")
    personal_data: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def theme(self, code: str) -> Theme | None:
        return next((t for t in self.themes if t.code == code), None)

    def licence(self, licence_id: str) -> Licence | None:
        return next((lic for lic in self.licences if lic.id == licence_id), None)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)


def _profiles_dir() -> Path:
    return REPO_ROOT / "profiles"


def load_profile(code: str, directory: Path | None = None) -> Profile:
    path = (directory or _profiles_dir()) / f"{code}.toml"
    if not path.is_file():
        available = sorted(p.stem for p in (directory or _profiles_dir()).glob("*.toml"))
        raise ValueError(f"Unknown profile {code!r}: no {path}. Available: {', '.join(available)}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    portal = data["portal"]
    themes = tuple(
        Theme(code=t["code"], title=t["title"], national=tuple(t.get("national", [])))
        for t in data.get("themes", [])
    )
    licences = tuple(
        Licence(id=lic["id"], title=lic["title"], url=lic["url"], open=lic.get("open", True))
        for lic in data.get("licences", [])
    )
    regions = tuple(Region(code=r["code"], title=r["title"]) for r in data.get("regions", []))
    return Profile(
        code=code,
        name=portal["name"],
        languages=tuple(portal["languages"]),
        default_language=portal["default_language"],
        timezone=portal["timezone"],
        themes=themes,
        licences=licences,
        default_licence=portal.get("default_licence", "CC-BY-4.0"),
        regions=regions,
        personal_data=tuple(data.get("personal_data", {}).get("detectors", [])),
        raw=data,
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEREK_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    profile: str = "kz"
    secret_key: str | None = None
    max_upload_bytes: int = 2 * 1024**3
    login_attempts_per_minute: int = 10
    signup: bool = (
        True  # anyone may create an account at /register (to post ideas, support them, answer surveys)
    )
    site_url: str = "http://127.0.0.1:8000"
    secure_cookies: bool = False
    datastore_sql: bool = True  # CKAN's datastore_search_sql over the SQL sandbox (off: an unknown action)
    run_jobs: bool = True  # a worker thread in the server runs queued jobs (loads, checks)
    link_checks: bool = True  # the worker checks every resource's web address daily (and when asked)
    datastore_memory_limit: str = "750MB"  # DuckDB's memory limit for loads, queries and SQL
    datastore_fetch: bool = True  # fetch tabular files registered by URL and load them into the DataStore
    fetch_allow_private: bool = False  # may the portal fetch registered URLs from private networks?
    fetch_timeout: float = 30.0
    smtp_host: str = ""  # empty: e-mail stays in the outbox (derek.core.mail); set: the worker sends it
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "portal@localhost"
    # the portal's clock, frozen at this time when set (training portals and tests of statutory deadlines);
    # only information requests read it so far
    clock: datetime | None = None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'derek.sqlite').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def effective_secret_key(self) -> str:
        """The configured key, else one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()

    @cached_property
    def jurisdiction(self) -> Profile:
        return load_profile(self.profile)
