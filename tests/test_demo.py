"""`derek demo`: a full, labelled, credited demo catalog on a fresh database, loaded once and only once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead
from derek.config import REPO_ROOT, Settings, load_profile
from derek.core import accounts
from derek.core.authz import ANONYMOUS, SYSTEM
from derek.core.db import Base, Database
from derek.core.errors import NotFound
from derek.core.storage import FileStore
from derek.demo import DATASETS, DEMO_PASSWORD, load_demo
from derek.demo.generate import rng_for, to_csv
from derek.demo.loader import DEMO_KEYWORDS, DEMO_NOTE, _dataset_create
from derek.demo.organizations import ORGANIZATIONS
from derek.demo.real import REAL_DATASETS
from derek.demo.synthetic import SYNTHETIC_DATASETS
from tests.conftest import fresh_database_url

EU_THEMES = {
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
}
SHARED_REAL = REPO_ROOT.parent / "shared" / "data" / "real"


@dataclass
class Loaded:
    db: Database
    settings: Settings
    summary: str
    datasets: dict[str, DatasetRead]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    tmp = tmp_path_factory.mktemp("demo")
    settings = Settings(data_dir=tmp, database_url=fresh_database_url(tmp), profile="kz")
    db = Database(settings.effective_database_url)
    db.upgrade()
    summary = load_demo(db, settings)
    with db.session() as session:
        datasets = {
            d.name: catalog.get_dataset(session, SYSTEM, settings.jurisdiction, d.name) for d in DATASETS
        }
    yield Loaded(db, settings, summary, datasets)
    db.engine.dispose()


def _public(loaded: Loaded) -> list[DatasetRead]:
    return [d for d in loaded.datasets.values() if d.state == "published" and not d.private]


def test_organizations_with_three_language_titles(loaded: Loaded) -> None:
    with loaded.db.session() as session:
        orgs = catalog.list_organizations(session, ANONYMOUS)
    assert len(orgs) >= 8
    kinds = {o.org_type for o in orgs}
    assert {"ministry", "akimat"} <= kinds
    for org in orgs:
        assert all(org.title.get(lang) for lang in ("kk", "ru", "en")), org.name
        assert all("Derek" in org.description[lang] for lang in ("kk", "ru", "en")), (
            "labelled as a demo entry"
        )
    nitec = next(o for o in orgs if o.name == "nitec")
    assert nitec.parent == "ministry-of-digital-development"


def test_datasets_cover_every_theme_and_several_regions(loaded: Loaded) -> None:
    assert len(loaded.datasets) >= 40
    public = _public(loaded)
    assert len(public) >= 40
    assert {t for d in public for t in d.themes} == EU_THEMES
    regions = {r for d in public for r in d.regions}
    assert {"KZ-71", "KZ-75", "KZ-79"} <= regions and len(regions) >= 10
    assert len({d.organization.name for d in public}) >= 8
    assert len({d.license_id for d in public}) >= 4
    assert len({d.update_frequency for d in public}) >= 5
    with loaded.db.session() as session:
        assert sorted(catalog.list_dataset_names(session, ANONYMOUS)) == sorted(d.name for d in public)


def test_every_public_dataset_is_complete_in_three_languages(loaded: Loaded) -> None:
    for dataset in _public(loaded):
        for lang in ("kk", "ru", "en"):
            assert dataset.title.get(lang, "").strip(), f"{dataset.name}: no {lang} title"
            assert dataset.description.get(lang, "").strip(), f"{dataset.name}: no {lang} description"
        assert dataset.keywords and dataset.themes and dataset.license_title
        assert dataset.update_frequency != "UNKNOWN"
        assert dataset.issued is not None
        assert dataset.resources, f"{dataset.name} has no resources"
        assert any(r.url_type == "upload" and r.size and len(r.sha256) == 64 for r in dataset.resources)
        if dataset.temporal_start and dataset.temporal_end:
            assert dataset.temporal_start <= dataset.temporal_end


def test_real_files_are_stored_byte_for_byte(loaded: Loaded) -> None:
    store = FileStore(loaded.settings.files_dir, loaded.settings.max_upload_bytes)
    for spec in REAL_DATASETS:
        stored = {r.name: r for r in loaded.datasets[spec.name].resources}
        for real in spec.files:
            content = real.path.read_bytes()
            if SHARED_REAL.is_dir():  # the package copy is the shared original
                assert content == (SHARED_REAL / real.filename).read_bytes(), real.filename
            resource = stored[real.name]
            assert resource.sha256 == hashlib.sha256(content).hexdigest(), real.filename
            assert resource.size == len(content)
            assert resource.format == real.format
            assert resource.download_url.endswith("/" + real.filename)
            assert store.open_path(resource.sha256).read_bytes() == content


def test_real_datasets_credit_their_source(loaded: Loaded) -> None:
    profile = loaded.settings.jurisdiction
    for spec in REAL_DATASETS:
        assert spec.source is not None
        dataset = loaded.datasets[spec.name]
        assert dataset.extras["source_url"] == spec.source.url
        assert dataset.extras["source_licence"] and dataset.extras["original_publisher"]
        assert "demo" not in dataset.extras and not set(DEMO_KEYWORDS) & set(dataset.keywords)
        for lang in ("kk", "ru", "en"):
            assert spec.source.url in dataset.description[lang]
            assert spec.source.publisher[lang] in dataset.description[lang]
        assert profile.licence(dataset.license_id) is not None
        links = [r for r in dataset.resources if r.url_type != "upload"]
        assert [r.url for r in links] == [spec.source.url]


def test_synthetic_datasets_are_labelled_demo_in_every_language(loaded: Loaded) -> None:
    store = FileStore(loaded.settings.files_dir, loaded.settings.max_upload_bytes)
    for spec in SYNTHETIC_DATASETS:
        dataset = loaded.datasets[spec.name]
        assert dataset.extras.get("demo") == "true"
        assert set(DEMO_KEYWORDS) <= set(dataset.keywords)
        for lang in ("kk", "ru", "en"):
            assert dataset.description[lang].startswith(DEMO_NOTE[lang])
        assert [r.format for r in dataset.resources] == list(spec.formats)
        for resource in dataset.resources:
            assert store.open_path(resource.sha256).stat().st_size == resource.size
    assert len(SYNTHETIC_DATASETS) + len(REAL_DATASETS) == len(DATASETS)


def test_generated_files_are_the_same_on_every_run(loaded: Loaded) -> None:
    for spec in SYNTHETIC_DATASETS[:5]:
        assert spec.table is not None
        first, second = to_csv(spec.table(rng_for(spec.name))), to_csv(spec.table(rng_for(spec.name)))
        assert first == second
        if spec.formats[0] == "CSV":
            assert loaded.datasets[spec.name].resources[0].sha256 == hashlib.sha256(first).hexdigest()


def test_draft_and_private_datasets_stay_hidden(loaded: Loaded) -> None:
    drafts = [d for d in loaded.datasets.values() if d.state == "draft"]
    private = [d for d in loaded.datasets.values() if d.private]
    assert drafts and private
    with loaded.db.session() as session:
        for dataset in drafts + private:
            with pytest.raises(NotFound):
                catalog.get_dataset(session, ANONYMOUS, loaded.settings.jurisdiction, dataset.name)
        editor = accounts.actor_for(session, accounts.get_user(session, "minfin-editor"))
        draft = next(d for d in drafts if d.organization.name == "ministry-of-finance")
        assert catalog.get_dataset(session, editor, loaded.settings.jurisdiction, draft.name).state == "draft"


def test_demo_logins_work(loaded: Loaded) -> None:
    assert "admin" in loaded.summary and DEMO_PASSWORD in loaded.summary
    with loaded.db.session() as session:
        admin = accounts.authenticate(session, "admin", DEMO_PASSWORD)
        assert admin is not None and admin.sysadmin
        editor = accounts.authenticate(session, "stat-editor", DEMO_PASSWORD)
        assert editor is not None and not editor.sysadmin
        org = catalog.get_organization(session, SYSTEM, "national-statistics-bureau")
        assert accounts.memberships_of(session, editor.id) == {org.id: "editor"}
        assert accounts.authenticate(session, "admin", "wrong-password") is None


def _row_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.tables.values()
        }


def test_second_run_changes_nothing(loaded: Loaded) -> None:
    before = _row_counts(loaded.db)
    files_before = sorted(p.name for p in loaded.settings.files_dir.rglob("*") if p.is_file())
    summary = load_demo(loaded.db, loaded.settings)
    assert "nothing changed" in summary
    assert _row_counts(loaded.db) == before
    assert sorted(p.name for p in loaded.settings.files_dir.rglob("*") if p.is_file()) == files_before
    assert before["dataset"] == len(DATASETS) and before["organization"] == len(ORGANIZATIONS)


@pytest.mark.parametrize("code", ["ee", "ca", "eu"])
def test_demo_fits_other_profiles(code: str) -> None:
    """Regions and licences unknown to the running profile are left out or replaced, never rejected."""
    profile = load_profile(code)
    for spec in DATASETS:
        data = _dataset_create(profile, spec)
        assert all(profile.region(r) for r in data.regions)
        assert data.license_id and profile.licence(data.license_id)
        assert data.themes and all(profile.theme(t) for t in data.themes)


def _derek_command() -> list[str]:
    script = Path(sys.executable).parent / "derek"
    return [str(script)] if script.exists() else [sys.executable, "-m", "derek.cli"]


def test_cli_loads_the_demo_and_is_idempotent(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEREK_")}
    env["DEREK_PROFILE"] = "kz"
    command = [*_derek_command(), "demo", "--data-dir", str(tmp_path)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded" in first.stderr
    assert "admin" in first.stderr and DEMO_PASSWORD in first.stderr
    assert (tmp_path / "derek.sqlite").is_file()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stderr
