"""The pages of reuse's use cases on a real server (kz profile, the portal's clock stopped on 1 Mar 2027): a
use case submitted through the web form (errors next to their fields, what was typed kept), shown, changed and
deleted by its submitter only; the dataset page listing it and the organization page counting it; the
overview's table matching the service's statistics; a use case dead past the grace period left out of the
default list and back with the toggle; screenshots uploaded, served and removed; a hidden use case 404 for the
public; every string in kk, ru and en; and no page needing JavaScript."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import update

from derek.core import accounts
from derek.reuse import service, views
from derek.reuse.models import UseCase
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
CLOCK = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # the portal's now
MODERATORS = "ministry-of-digital-development"  # the kz profile's [reuse] moderators
ORGANIZATION = "akimat-of-the-lake-district"
DESCRIPTION = "Shows the bus stops of the city on a map, with the timetable of every route that stops there."


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    for portal in start_portal(tmp_path_factory.mktemp("reuse-pages"), profile="kz", clock=CLOCK):
        portal.make_org(MODERATORS, title={"en": "Ministry of Digital Development"})
        portal.make_user("moderator", org=MODERATORS, role="editor")
        portal.make_org(
            ORGANIZATION, title={"en": "Akimat of the lake district", "kk": "Көл ауданының әкімдігі"}
        )
        portal.make_user("official", org=ORGANIZATION, role="editor")
        portal.make_dataset(ORGANIZATION, "bus-stops", title={"en": "Bus stops", "kk": "Аялдамалар"})
        portal.make_dataset(ORGANIZATION, "tariffs", title={"en": "Tariffs", "kk": "Тарифтер"})
        for name in ("maker", "citizen"):
            portal.make_user(name)
        yield portal


# ---------------------------------------------------------------- helpers


def signed_in(portal: Portal, name: str, lang: str = "en") -> httpx.Client:
    http = portal.signed_in(name)
    http.get("/reuse", params={"lang": lang})
    return http


def token(portal: Portal, http: httpx.Client) -> str:
    """The session's CSRF token (the header's log-out form carries it on every page)."""
    return portal.csrf(http, "/reuse")


def post(portal: Portal, http: httpx.Client, path: str, **data: Any) -> httpx.Response:
    return http.post(path, data={"csrf_token": token(portal, http), **data})


def field_error(page: str, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{key}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def element_text(page: str, ident: str) -> str:
    """The text of the element with this id (tags dropped, spaces joined)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def form_fields(**overrides: str) -> dict[str, str]:
    """A complete form as a person fills it in."""
    fields = {
        "title_en": "Bus stop map",
        "title_ru": "Карта остановок",
        "description_en": DESCRIPTION,
        "kind": "app",
        "url": "https://bus.example.kz/",
        "store_0": "google_play",
        "store_url_0": "https://play.example/bus",
        "store_1": "app_store",
        "store_url_1": "",
        "topics": "TRAN",
        "datasets": "bus-stops",
        "author": "City transport team",
        "contact": "team@example.kz",
    }
    return {**fields, **overrides}


def submitted(portal: Portal, http: httpx.Client, **overrides: str) -> int:
    """Send the form; the new use case's number."""
    sent = post(portal, http, "/reuse/use-cases/new", **form_fields(**overrides))
    assert sent.status_code == 303, sent.text[:3000]
    found = re.fullmatch(r"/reuse/use-cases/(\d+)", sent.headers["location"])
    assert found, sent.headers["location"]
    return int(found.group(1))


def made(portal: Portal, title: str, **overrides: Any) -> int:
    """A use case made through the service by "maker"; its number."""
    data = service.UseCaseData(
        title={"en": title},
        description={"en": DESCRIPTION},
        kind="app",
        author="City transport team",
        contact="team@example.kz",
        datasets=["bus-stops"],
        url="https://bus.example.kz/",
    )
    with portal.db.session() as s:
        maker = accounts.actor_for(s, accounts.get_user(s, "maker"))
        use_case = service.create_use_case(s, maker, portal.settings.jurisdiction, replace(data, **overrides))
        number = use_case.id
        s.commit()
    return number


def set_state(portal: Portal, use_case_id: int, liveness: str, dead_since: datetime | None = None) -> None:
    """The monitor's verdict, written as the monitor writes it."""
    with portal.db.session() as s:
        s.execute(
            update(UseCase)
            .where(UseCase.id == use_case_id)
            .values(liveness=liveness, dead_since=dead_since, checked_at=CLOCK - timedelta(hours=2))
        )
        s.commit()


def png(width: int = 160, height: int = 100) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def stored_files(portal: Portal) -> int:
    return sum(1 for p in portal.settings.files_dir.rglob("*") if p.is_file())


# ---------------------------------------------------------------- the form


def test_a_use_case_is_submitted_on_the_form_with_errors_next_to_the_fields(kz: Portal) -> None:
    with closing(kz.client()) as anonymous:
        r = anonymous.get("/reuse/use-cases/new", params={"dataset": "bus-stops"})
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/reuse/use-cases/new%3Fdataset%3Dbus-stops"
    with closing(signed_in(kz, "maker")) as http:
        form = http.get("/reuse/use-cases/new", params={"dataset": "bus-stops"}).text
        assert re.search(r'<textarea id="f-datasets" name="datasets"[^>]*>bus-stops</textarea>', form)
        assert element_text(form, "invited").startswith("You tell how you use the dataset “Bus stops”.")

        incomplete = post(kz, http, "/reuse/use-cases/new",
                          **form_fields(datasets="", contact="", description_en="An app."))  # fmt: skip
        assert incomplete.status_code == 422
        page = incomplete.text
        assert field_error(page, "datasets") == "Name at least one dataset of the portal that it uses."
        assert field_error(page, "contact").startswith("Give an e-mail address, e.g. team@example.kz")
        assert field_error(page, "description") == (
            "Say what it does and with which data, in at least 50 characters."
        )
        assert 'id="f-datasets" name="datasets" rows="3" aria-describedby="h-datasets e-datasets"' in page
        # what was typed stays
        assert 'id="f-title-en" name="title_en" lang="en" value="Bus stop map"' in page
        assert 'value="City transport team"' in page and ">An app.</textarea>" in page
        assert '<option value="app_store" selected>' in page  # the second store row as chosen
        assert 'href="#f-datasets"' in element_text_html(page, "main")  # the summary links to the field

        unknown = post(kz, http, "/reuse/use-cases/new", **form_fields(datasets="bus-stops\nno-such-data"))
        assert unknown.status_code == 422
        assert field_error(unknown.text, "datasets") == (
            "There is no dataset “no-such-data” on the portal: give the name from its address, "
            "/dataset/<name>."
        )
        no_address = post(kz, http, "/reuse/use-cases/new", **form_fields(url="", store_url_0="ftp://x"))
        assert no_address.status_code == 422
        assert field_error(no_address.text, "store_links-0") == (
            "Give a store link starting with http:// or https://."
        )

        # the address of a dataset's page, pasted, names the dataset
        number = submitted(kz, http, datasets=f"{kz.base_url}/dataset/bus-stops\ntariffs")
        page = http.get(f"/reuse/use-cases/{number}").text
    assert "<h1>Bus stop map</h1>" in page
    assert "the use case is published" in element_text(page, "main")  # the flash
    assert element_text(page, "contact") == "team@example.kz"
    assert 'href="mailto:team@example.kz"' in page
    assert element_text(page, "author") == "City transport team"
    assert 'href="https://bus.example.kz/" rel="nofollow ugc noopener"' in page
    assert element_text(page, "stores") == "Google Play"
    assert element_text(page, "topics") == "Transport"
    datasets = element_text_html(page, "datasets")
    assert 'href="/dataset/bus-stops">Bus stops</a>' in datasets and 'href="/dataset/tariffs"' in datasets
    assert element_text(page, "liveness-state") == "Not checked yet"
    with closing(kz.client()) as anonymous:  # published at once, for everyone
        public = anonymous.get(f"/reuse/use-cases/{number}")
        assert public.status_code == 200 and 'id="author"' in public.text
        # ... but not its contact address (the API keeps it from them too)
        assert "team@example.kz" not in public.text and 'id="contact"' not in public.text
    with closing(signed_in(kz, "citizen")) as other:
        assert "team@example.kz" not in other.get(f"/reuse/use-cases/{number}").text
    with closing(signed_in(kz, "moderator")) as moderator:
        assert element_text(moderator.get(f"/reuse/use-cases/{number}").text, "contact") == "team@example.kz"


def element_text_html(page: str, ident: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, ident
    return found.group(2)


def test_only_its_submitter_or_a_moderator_changes_or_deletes_it(kz: Portal) -> None:
    with closing(signed_in(kz, "maker")) as http:
        number = submitted(kz, http, title_en="Ferry timetable", title_ru="")
    edit = f"/reuse/use-cases/{number}/edit"
    with closing(kz.client()) as anonymous:
        r = anonymous.get(edit)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={edit}"
        public = anonymous.get(f"/reuse/use-cases/{number}").text
        assert (
            f'href="{edit}"' not in public and 'id="manage"' not in public
        )  # nothing to change for the public
    with closing(signed_in(kz, "citizen")) as http:
        assert http.get(edit).status_code == 403
        assert post(kz, http, edit, **form_fields(title_en="Taken over")).status_code == 403
        assert post(kz, http, f"/reuse/use-cases/{number}/delete").status_code == 403
        assert 'id="manage"' not in http.get(f"/reuse/use-cases/{number}").text
    with closing(signed_in(kz, "maker")) as http:
        form = http.get(edit).text
        assert 'id="f-title-en" name="title_en" lang="en" value="Ferry timetable"' in form
        assert re.search(r'<textarea id="f-datasets"[^>]*>bus-stops</textarea>', form)
        assert 'value="TRAN" checked' in form and 'value="https://play.example/bus"' in form
        bad = post(kz, http, edit, **form_fields(title_en="Ferry timetable", contact="call us"))
        assert bad.status_code == 422 and field_error(bad.text, "contact").startswith(
            "Give an e-mail address"
        )
        changed = post(kz, http, edit, **form_fields(title_en="Ferry timetable 2", prototype="1"))
        assert changed.status_code == 303 and changed.headers["location"] == f"/reuse/use-cases/{number}"
        page = http.get(f"/reuse/use-cases/{number}").text
        assert "<h1>Ferry timetable 2</h1>" in page and element_text(page, "liveness-state") == "Prototype"
    with closing(signed_in(kz, "moderator")) as http:  # a moderator changes it too
        assert http.get(edit).status_code == 200
    with closing(signed_in(kz, "maker")) as http:
        confirm = http.get(f"/reuse/use-cases/{number}/delete").text
        assert "Delete “Ferry timetable 2”" in confirm and 'id="delete-form"' in confirm
        deleted = post(kz, http, f"/reuse/use-cases/{number}/delete")
        assert deleted.status_code == 303 and deleted.headers["location"] == "/reuse/use-cases"
        assert http.get(f"/reuse/use-cases/{number}").status_code == 404


# ---------------------------------------------------------------- the dataset's and the organization's pages


def test_the_dataset_page_lists_its_use_cases_and_the_organization_page_counts_them(kz: Portal) -> None:
    organization = kz.make_org()
    dataset = kz.make_dataset(organization, title={"en": "Air quality"})
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/dataset/{dataset}", params={"lang": "en"}).text
        assert "No use case of this dataset is known yet." in element_text(page, "use-cases")
        org_page = anonymous.get(f"/organization/{organization}").text
        assert element_text(org_page, "org-use-cases") == "Use cases of its data (0; live: 0, dead: 0)"
    with closing(signed_in(kz, "maker")) as http:
        live = submitted(kz, http, title_en="Air map", title_ru="", datasets=dataset)
        dead = submitted(kz, http, title_en="Smog alerts", title_ru="", datasets=dataset, kind="service")
    set_state(kz, live, "live")
    set_state(kz, dead, "dead", CLOCK - timedelta(days=3))
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/dataset/{dataset}", params={"lang": "en"}).text
        org_page = anonymous.get(f"/organization/{organization}").text
    panel = element_text(page, "use-cases")
    assert panel.startswith("Use cases of this dataset (2)")
    assert element_text(page, f"panel-use-case-{live}") == "Air map App Live"
    assert element_text(page, f"panel-use-case-{dead}") == "Smog alerts Service Dead"
    assert f'<li id="panel-use-case-{dead}" class="is-dead">' in page  # the dead marked
    assert f'href="/reuse/use-cases/new?dataset={dataset}"' in page
    assert "Tell us how you use this dataset" in panel
    assert element_text(org_page, "org-use-cases") == "Use cases of its data (2; live: 1, dead: 1)"
    assert f'href="/reuse/use-cases?organization={organization}"' in org_page
    editor, _t = kz.make_user(org=organization)
    with closing(signed_in(kz, editor)) as http:  # the edit form has other work to do
        assert 'id="use-cases"' not in http.get(f"/dataset/{dataset}/edit").text
    with closing(kz.client()) as anonymous:
        listed = anonymous.get("/reuse/use-cases", params={"organization": organization, "lang": "en"}).text
    assert f'id="use-case-{live}"' in listed and f'id="use-case-{dead}"' in listed
    assert element_text(listed, "filter-organization").startswith("Use cases of the data of")


# ---------------------------------------------------------------- the overview and the grace period


def test_the_overview_counts_match_the_services_statistics(kz: Portal) -> None:
    for title, state, dead_since, prototype in [
        ("Counted live", "live", None, False),
        ("Counted degraded", "degraded", None, False),
        ("Counted dead", "dead", CLOCK - timedelta(days=2), False),
        ("Counted long dead", "dead", CLOCK - timedelta(days=90), False),
        ("Counted prototype", "live", None, True),
    ]:
        set_state(kz, made(kz, title, prototype=prototype), state, dead_since)
    made(kz, "Counted unchecked")
    with kz.db.session() as s:
        expected = service.stats(s, kz.settings.jurisdiction, now=CLOCK)
    assert expected.retired >= 1 and all(expected.by_state[state] for state in service.STATES)
    with closing(kz.client()) as anonymous:
        page = anonymous.get("/reuse", params={"lang": "en"}).text
    for state in service.STATES:
        assert element_text(page, f"count-{state}") == str(expected.by_state[state]), state
    assert element_text(page, "count-total") == str(expected.total)
    share = round(100 * expected.by_state["dead"] / expected.total, 1)
    assert element_text(page, "share-dead") == f"{share:g}%"
    assert element_text(page, "state-live").startswith("Live Its address answers")  # in words, not colour
    chart = element_text(page, "data-states")  # the chart's numbers as a table
    assert (
        f"Dead {expected.by_state['dead']}" in chart
        and f"Not checked yet {expected.by_state['unchecked']}" in chart
    )
    assert element_text(page, "retired").startswith(
        f"Dead for longer than 30 days and so no longer in the default list: {expected.retired}."
    )
    assert element_text(page, "kind-app") == f"{expected.by_kind['app']} App"
    for href in ("/reuse/use-cases", "/reuse/use-cases/new", "/reuse/ideas", "/reuse/surveys"):
        assert f'href="{href}"' in page, href
    assert "Counted unchecked" in element_text(page, "newest")
    assert '<a href="/reuse" aria-current="page">Reuse</a>' in page  # the site's navigation


def test_a_use_case_dead_past_the_grace_period_leaves_the_default_list(kz: Portal) -> None:
    """The frozen clock decides: 40 days before it is past the 30-day grace, 5 days is not (by the real
    calendar both days are still to come)."""
    recent = made(kz, "Quokka weather dead recently")
    old = made(kz, "Quokka weather dead long ago")
    set_state(kz, recent, "dead", CLOCK - timedelta(days=5))
    set_state(kz, old, "dead", CLOCK - timedelta(days=40))
    with closing(kz.client()) as anonymous:
        listed = anonymous.get("/reuse/use-cases", params={"q": "quokka", "lang": "en"}).text
        assert f'id="use-case-{recent}"' in listed and f'id="use-case-{old}"' not in listed
        assert element_text(listed, "result-count") == "Use cases found: 1"
        note = element_text(listed, "retired-hidden")
        assert note == "Left out: use cases dead for longer than 30 days (1). Show them too"
        toggle = re.search(r'<p class="note-box retired-hidden"[^>]*>.*?<a href="([^"]+)"', listed, re.S)
        assert toggle and html.unescape(toggle.group(1)) == "/reuse/use-cases?q=quokka&lang=en&all=1"
        everything = anonymous.get("/reuse/use-cases", params={"q": "quokka", "all": "1"}).text
        assert f'id="use-case-{recent}"' in everything and f'id="use-case-{old}"' in everything
        assert "Not in the default list" in element_text(everything, f"use-case-{old}")
        assert "Not in the default list" not in element_text(everything, f"use-case-{recent}")
        assert 'id="use-cases-all" name="all" value="1" checked' in everything
        page = anonymous.get(f"/reuse/use-cases/{old}").text
    words = element_text(page, "liveness-note")
    assert "It has left the list of use cases: it has been dead for longer than 30 days." in words
    assert element_text(page, "dead-since") == "Jan 20, 2027"


def test_the_list_filters_by_kind_topic_state_and_dataset(kz: Portal) -> None:
    article = made(kz, "Wombat article on tariffs", kind="article", topics=["ECON"], datasets=["tariffs"])
    app = made(kz, "Wombat app for stops", kind="app", topics=["TRAN"])
    set_state(kz, app, "live")
    with closing(kz.client()) as anonymous:

        def found(**params: str) -> set[int]:
            page = anonymous.get("/reuse/use-cases", params={"q": "wombat", **params}).text
            return {
                int(n)
                for n in re.findall(r'<article class="card use-case-card[^"]*" id="use-case-(\d+)"', page)
            }

        assert found() == {article, app}
        assert found(kind="article") == {article}
        assert found(topic="TRAN") == {app}
        assert found(state="live") == {app}
        assert found(state="unchecked") == {article}
        assert found(dataset="tariffs") == {article}
        assert found(kind="nonsense") == {article, app}  # an unknown value filters nothing
        unknown = anonymous.get("/reuse/use-cases", params={"dataset": "no-such-data", "lang": "en"})
    assert unknown.status_code == 200
    assert (
        element_text(unknown.text, "unknown-filter")
        == "There is no dataset or organization named “no-such-data”."
    )


# ---------------------------------------------------------------- screenshots


def test_screenshots_are_uploaded_served_and_removed(kz: Portal) -> None:
    number = made(kz, "Tram map")
    picture = png()
    upload = f"/reuse/use-cases/{number}/screenshots"
    with closing(signed_in(kz, "citizen")) as http:
        before = stored_files(kz)
        refused = http.post(upload, data={"csrf_token": token(kz, http)}, files={"file": ("x.png", picture)})
        assert refused.status_code == 403 and stored_files(kz) == before  # refused before storing
    with closing(signed_in(kz, "maker")) as http:
        text_file = http.post(
            upload,
            data={"csrf_token": token(kz, http), "caption": "Notes"},
            files={"file": ("notes.txt", b"not a picture", "text/plain")},
        )
        assert text_file.status_code == 422
        assert field_error(text_file.text, "file") == "Choose a PNG, JPEG or WebP picture."
        assert 'id="f-caption" name="caption" type="text" value="Notes"' in text_file.text
        assert stored_files(kz) == before  # the refused file is not kept
        tiny = http.post(upload, data={"csrf_token": token(kz, http)}, files={"file": ("t.png", png(10, 10))})
        assert field_error(tiny.text, "file") == "The picture must be between 50 and 10,000 pixels a side."
        done = http.post(
            upload,
            data={"csrf_token": token(kz, http), "caption": "The map with its stops"},
            files={"file": ("map.png", picture, "image/png")},
        )
        assert (
            done.status_code == 303 and done.headers["location"] == f"/reuse/use-cases/{number}#screenshots"
        )
        page = http.get(f"/reuse/use-cases/{number}").text
        found = re.search(
            r'<img src="(/reuse/screenshots/(\d+))" alt="([^"]*)" width="160" height="100"', page
        )
        assert found and found.group(3) == "The map with its stops"
        src, shot = found.group(1), found.group(2)
    with closing(kz.client()) as anonymous:
        served = anonymous.get(src)
        assert served.status_code == 200 and served.content == picture
        assert served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["cache-control"] == "public, max-age=3600"
        again = anonymous.get(src, headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304
        listed = anonymous.get("/reuse/use-cases", params={"q": "tram map"}).text
        assert f'<img src="{src}" alt=""' in listed  # the card's thumbnail
    with closing(signed_in(kz, "citizen")) as http:
        assert post(kz, http, f"/reuse/screenshots/{shot}/remove").status_code == 403
    with closing(signed_in(kz, "maker")) as http:
        removed = post(kz, http, f"/reuse/screenshots/{shot}/remove")
        assert removed.status_code == 303
        assert "No screenshots yet." in http.get(f"/reuse/use-cases/{number}").text
    with closing(kz.client()) as anonymous:
        assert anonymous.get(src).status_code == 404


# ---------------------------------------------------------------- moderation


def test_a_hidden_use_case_is_for_its_submitter_and_the_moderators_only(kz: Portal) -> None:
    number = made(kz, "Lottery winners app")
    page_url = f"/reuse/use-cases/{number}"
    moderation = f"{page_url}/moderation"
    with closing(signed_in(kz, "maker")) as http:
        http.post(
            f"{page_url}/screenshots", data={"csrf_token": token(kz, http)}, files={"file": ("a.png", png())}
        )
        src = re.search(r'<img src="(/reuse/screenshots/\d+)"', http.get(page_url).text)
        assert src
        assert 'id="moderation-form"' not in http.get(page_url).text
        assert post(kz, http, moderation, action="hide", note="Mine").status_code == 403
    with closing(kz.client()) as anonymous:
        r = anonymous.post(moderation, data={"csrf_token": kz.csrf(anonymous), "action": "hide", "note": "x"})
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={page_url}"
    with closing(signed_in(kz, "moderator")) as http:
        assert 'id="moderation-form"' in http.get(page_url).text
        no_reason = post(kz, http, moderation, action="hide", note="")
        assert no_reason.status_code == 422
        assert field_error(no_reason.text, "note") == "Give the reason for hiding it: its submitter sees it."
        hidden = post(kz, http, moderation, action="hide", note="Advertising for a betting site")
        assert hidden.status_code == 303
        assert "Show the use case" in http.get(page_url).text
    with closing(kz.client()) as anonymous:
        assert anonymous.get(page_url).status_code == 404
        assert anonymous.get(src.group(1)).status_code == 404
        assert (
            f'id="use-case-{number}"' not in anonymous.get("/reuse/use-cases", params={"q": "lottery"}).text
        )
    with closing(signed_in(kz, "citizen")) as http:
        assert http.get(page_url).status_code == 404
    with closing(signed_in(kz, "maker")) as http:
        page = http.get(page_url).text
        assert element_text(page, "moderation-note") == "Advertising for a betting site"
        assert "Hidden by a moderator." in element_text(page, "hidden-note")
        shot = http.get(src.group(1))
        assert shot.status_code == 200 and shot.headers["cache-control"] == "private, no-store"
    with closing(signed_in(kz, "moderator")) as http:
        assert post(kz, http, moderation, action="show").status_code == 303
    with closing(kz.client()) as anonymous:
        assert anonymous.get(page_url).status_code == 200


# ---------------------------------------------------------------- languages and JavaScript


def _msgids() -> set[str]:
    pattern = re.compile(
        r"""(?:(?<![\w.])_|(?<!\w)gettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
    )
    folder = SRC / "reuse" / "templates" / "reuse"
    templates = [*folder.glob("use_case*.html"), folder / "overview.html", folder / "_reuse_parts.html",
                 folder / "_dataset_panel.html"]  # fmt: skip
    files = [*templates, SRC / "reuse" / "views.py", SRC / "reuse" / "liveness_service.py"]  # and its e-mail
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    for table in (views.KIND_LABELS, views.STATE_LABELS, views.STATE_HINTS, views.STORE_LABELS,
                  views.CHECK_ROLE_LABELS, views.DONE, views.FIELD_MESSAGES):  # fmt: skip
        found |= set(table.values())
    return {m.replace('\\"', '"') for m in found}


def test_every_string_of_the_reuse_pages_is_translated() -> None:
    msgids = _msgids()
    assert {"Live", "Dead", "Tell us how you use this dataset", "Reuse"} <= msgids
    assert_translated(msgids, 150)


ENGLISH = ("Use cases", "Submit a use case", "Live", "Dead", "Screenshots", "Uses", "The data it uses",
           "Tell us how you use this dataset", "Where to find it")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "overview", "listed", "live", "submit"),
    [
        ("kk", "Ашық деректерді қайта пайдалану", "Пайдалану мысалдары", "Жұмыс істейді",
         "Пайдалану мысалын жіберу"),
        ("ru", "Повторное использование открытых данных", "Примеры использования", "Работает",
         "Добавить пример использования"),
    ],
)  # fmt: skip
def test_the_pages_speak_kazakh_and_russian(
    kz: Portal, lang: str, overview: str, listed: str, live: str, submit: str
) -> None:
    number = made(kz, "Parking finder")
    set_state(kz, number, "live")
    with closing(signed_in(kz, "maker", lang)) as http:
        pages = {
            path: http.get(path).text
            for path in ("/reuse", "/reuse/use-cases", f"/reuse/use-cases/{number}", "/reuse/use-cases/new",
                         f"/reuse/use-cases/{number}/edit", f"/reuse/use-cases/{number}/delete",
                         "/dataset/bus-stops")
        }  # fmt: skip
    assert all(f'<html lang="{lang}">' in body for body in pages.values())
    assert f"<h1>{overview}</h1>" in pages["/reuse"]
    assert f"<h1>{listed}</h1>" in pages["/reuse/use-cases"]
    assert f"<h1>{submit}</h1>" in pages["/reuse/use-cases/new"]
    assert element_text(pages[f"/reuse/use-cases/{number}"], "liveness-state") == live
    for body in pages.values():
        for english in ENGLISH:
            assert f">{english}<" not in body, english


def test_no_page_needs_javascript(kz: Portal) -> None:
    """Every form is a plain GET or POST to a page of the portal, and no page loads a script of its own."""
    number = made(kz, "Plain form check")
    with closing(signed_in(kz, "moderator")) as http:
        pages = [
            http.get(path).text
            for path in ("/reuse", "/reuse/use-cases", f"/reuse/use-cases/{number}", "/reuse/use-cases/new",
                         f"/reuse/use-cases/{number}/edit", f"/reuse/use-cases/{number}/delete")
        ]  # fmt: skip
    forms = [tag for page in pages for tag in re.findall(r"<form\b[^>]*>", page)]
    assert len(forms) > 10
    for tag in forms:
        assert re.search(r'method="(get|post)"', tag) and re.search(r'action="/[^"]*"', tag), tag
    for page in pages:
        assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/derek.js" defer>']
        assert " hx-" not in page
