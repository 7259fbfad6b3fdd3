"""Every jurisdiction profile loads and is complete: languages, the 13 EU themes, licences and regions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derek.config import REPO_ROOT, load_profile

PROFILES = sorted(p.stem for p in (REPO_ROOT / "profiles").glob("*.toml"))
EU_THEMES = {
    "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN",
}  # fmt: skip
REGION_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def test_the_four_reference_profiles_exist() -> None:
    assert {"kz", "ee", "ca", "eu"} <= set(PROFILES)


@pytest.mark.parametrize("code", PROFILES)
def test_languages_include_the_default(code: str) -> None:
    profile = load_profile(code)
    assert profile.code == code
    assert profile.default_language in profile.languages
    assert len(set(profile.languages)) == len(profile.languages)
    assert all(re.fullmatch(r"[a-z]{2}", lang) for lang in profile.languages)
    assert set(profile.name) == set(profile.languages), "the portal name is given in every language"


@pytest.mark.parametrize("code", PROFILES)
def test_thirteen_eu_themes_titled_in_every_language(code: str) -> None:
    profile = load_profile(code)
    assert len(profile.themes) == 13
    assert {t.code for t in profile.themes} == EU_THEMES
    for theme in profile.themes:
        for lang in profile.languages:
            assert theme.title.get(lang, "").strip(), f"{code}: theme {theme.code} has no {lang} title"


@pytest.mark.parametrize("code", PROFILES)
def test_default_licence_exists_and_is_open(code: str) -> None:
    profile = load_profile(code)
    licence = profile.licence(profile.default_licence)
    assert licence is not None, f"{code}: default licence {profile.default_licence!r} is not listed"
    assert licence.open and licence.url.startswith("https://")
    ids = [lic.id for lic in profile.licences]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("code", PROFILES)
def test_regions_have_unique_iso_codes_and_titles(code: str) -> None:
    profile = load_profile(code)
    codes = [r.code for r in profile.regions]
    assert codes, f"{code}: no regions"
    assert len(codes) == len(set(codes)), f"{code}: duplicate region codes"
    for region in profile.regions:
        assert REGION_CODE.match(region.code), region.code
        for lang in profile.languages:
            assert region.title.get(lang, "").strip(), f"{code}: region {region.code} has no {lang} title"


@pytest.mark.parametrize("code", PROFILES)
def test_placeholders_for_later_issues(code: str) -> None:
    raw = load_profile(code).raw
    assert "requests" in raw and "identifiers" in raw
    requests = raw["requests"]
    if "first_deadline_days" in requests:
        assert requests["day_kind"] in ("calendar", "working")
        assert requests["first_deadline_days"] > 0


@pytest.mark.parametrize(
    ("code", "timezone", "regions", "licence"),
    [
        ("kz", "Asia/Almaty", 20, "CC-BY-4.0"),
        ("ee", "Europe/Tallinn", 15, "CC-BY-4.0"),
        ("ca", "America/Toronto", 13, "OGL-Canada-2.0"),
        ("eu", "Europe/Brussels", 27, "CC-BY-4.0"),
    ],
)
def test_country_facts(code: str, timezone: str, regions: int, licence: str) -> None:
    from zoneinfo import ZoneInfo

    profile = load_profile(code)
    assert profile.timezone == timezone
    ZoneInfo(profile.timezone)  # a real IANA zone
    assert len(profile.regions) == regions
    assert profile.default_licence == licence


def test_unknown_profile_gives_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"Unknown profile 'xx'.*Available: .*kz"):
        load_profile("xx")


def test_profile_directory_can_be_given(tmp_path: Path) -> None:
    (tmp_path / "zz.toml").write_text(
        '[portal]\nname = { en = "Z" }\nlanguages = ["en"]\ndefault_language = "en"\ntimezone = "UTC"\n',
        encoding="utf-8",
    )
    profile = load_profile("zz", tmp_path)
    assert profile.default_licence == "CC-BY-4.0" and profile.themes == ()
    with pytest.raises(ValueError, match="Available: zz"):
        load_profile("kz", tmp_path)
