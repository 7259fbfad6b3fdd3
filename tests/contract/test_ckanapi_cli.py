"""A CKAN user's everyday ckanapi usage, unchanged, against Derek: the real `ckanapi` command line (action,
dump, load, search, delete) and a typical RemoteCKAN script, each run in a subprocess against the test
server; outputs, exit codes and error messages as ckanapi shows them for CKAN."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import pytest

from derek.quality import service as quality
from tests.conftest import Portal
from tests.contract.conftest import Cast

BIN = Path(sys.executable).parent
CKANAPI = BIN / "ckanapi"
CSV = b"region,people\nAlmaty,2228000\nAstana,1354000\n"
# Keys that name or date a dataset (or resource) rather than describe it: a copy or a restore changes them.
IDENTITY = {"id", "name", "owner_org", "organization", "metadata_created", "metadata_modified"}
RESOURCE_IDENTITY = {"id", "package_id", "created", "last_modified", "metadata_modified"}


@dataclass
class Run:
    """One finished ckanapi command."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    @property
    def error(self) -> str:
        """The last line of the traceback: `ckanapi.errors.<Type>: <message>`."""
        return self.err.strip().splitlines()[-1] if self.err.strip() else ""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        # dump, load and delete start their workers as `ckanapi ...` found on PATH
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "CKANAPI_REQUEST_TIMEOUT": "30",
    }


def cli(portal: Portal, *args: str, token: str | None = None, stdin: str | None = None) -> Run:
    """Run `ckanapi ARGS -r URL [-a TOKEN]` as a user would."""
    assert CKANAPI.exists(), f"no ckanapi command next to {sys.executable}"
    command = [str(CKANAPI), *args, "-r", portal.base_url, *(["-a", token] if token else [])]
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=_env(), timeout=120, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _own(record: dict[str, Any]) -> dict[str, Any]:
    """The package without the figures the portal computes in the background after every change (score,
    stars, freshness): a read may come before or after their recomputation."""
    return {**record, "extras": [e for e in record.get("extras", []) if e["key"] not in quality.EXTRA_KEYS]}


def _without(record: dict[str, Any], keys: set[str], resource_keys: set[str]) -> dict[str, Any]:
    kept = {k: v for k, v in _own(record).items() if k not in keys}
    kept["resources"] = [
        {k: v for k, v in res.items() if k not in resource_keys} for res in record.get("resources", [])
    ]
    return kept


def _worker_report(run: Run) -> list[str]:
    """ckanapi's progress lines on stderr, one per record: `N [jobs] rate [action] error payload`."""
    return [line for line in run.err.splitlines() if re.match(r"^\d+ \[", line)]


@dataclass
class World:
    cast: Cast
    prefix: str  # of the names of this module's datasets
    tag: str  # a keyword on every dataset of this module
    public: list[str]  # in name order
    private: str
    draft: str
    other_org: str
    other_editor_token: str


@pytest.fixture(scope="module")
def world(cast: Cast, tmp_path_factory: pytest.TempPathFactory) -> World:
    portal = cast.portal
    editor = cast.ckan(cast.editor_token)
    prefix = portal.unique("cli")
    tag = prefix.replace("-", "")
    full = editor.action.package_create(
        name=f"{prefix}-a-full",
        owner_org=cast.org,
        title="Population of cities",
        title_translated={"ru": "Население городов"},
        notes="Census counts",
        tags=[{"name": tag}, {"name": "census"}],
        groups=[{"name": "soci"}],
        license_id="cc-by",
        maintainer="Statistics desk",
        maintainer_email="desk@example.org",
        author="Bureau",
        url="https://stat.example.org/population",
        version="2.1",
        extras=[{"key": "source", "value": "census"}, {"key": "unit", "value": "people"}],
        frequency="ANNUAL",
        regions=["KZ-75"],
        resources=[{"url": "https://example.org/population.json", "name": "API", "format": "json"}],
    )
    upload = tmp_path_factory.mktemp("cli") / "population.csv"
    upload.write_bytes(CSV)
    with upload.open("rb") as fh:
        census = editor.action.resource_create(package_id=full["id"], name="Census CSV", upload=fh)
    portal.wait_table(census["id"], settled=True)  # dumps taken later compare datastore_active
    for suffix in ("b-plain", "c-roads"):
        editor.action.package_create(
            name=f"{prefix}-{suffix}", owner_org=cast.org, title=f"Roads {suffix}", tags=[{"name": tag}]
        )
    private = editor.action.package_create(
        name=f"{prefix}-private", owner_org=cast.org, title="Secret roads", private=True, tags=[{"name": tag}]
    )["name"]
    draft = editor.action.package_create(
        name=f"{prefix}-draft", owner_org=cast.org, title="Draft roads", state="draft", tags=[{"name": tag}]
    )["name"]
    other_org = portal.make_org()
    _name, other_editor_token = portal.make_user(org=other_org, role="editor")
    public = [f"{prefix}-a-full", f"{prefix}-b-plain", f"{prefix}-c-roads"]
    return World(cast, prefix, tag, public, private, draft, other_org, other_editor_token)


@pytest.fixture(scope="module")
def dumped(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """`ckanapi dump datasets --all -O file` as an anonymous user: the records of this module, by name."""
    out = tmp_path_factory.mktemp("dump") / "datasets.jsonl"
    run = cli(world.cast.portal, "dump", "datasets", "--all", "-O", str(out))
    assert run.code == 0, run.err
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    names = [r["name"] for r in records]
    assert len(names) == len(set(names))  # one line per dataset of package_list
    return {r["name"]: r for r in records if r["name"].startswith(world.prefix + "-")}


# ---------------------------------------------------------------- ckanapi action


def test_action_package_search_show_and_organization_list(world: World) -> None:
    portal, cast = world.cast.portal, world.cast
    search = cli(portal, "action", "package_search", "q=roads", f"fq=tags:{world.tag}", "rows=1")
    assert search.code == 0 and search.err == ""
    result = search.json()
    assert result["count"] == 2 and len(result["results"]) == 1  # count is all hits, rows the page
    assert result["results"][0]["name"] in world.public[1:]
    assert result["sort"] == "score desc, metadata_modified desc"
    everything = cli(portal, "action", "package_search", f"fq=tags:{world.tag}", "sort=name asc", "-g", "-j")
    assert everything.code == 0 and everything.out.count("\n") == 1  # -j: one compact line
    assert [d["name"] for d in everything.json()["results"]] == world.public  # -g: the same over GET
    facets = cli(
        portal, "action", "package_search", f"fq=tags:{world.tag}", 'facet.field:["tags","groups"]', "rows:0"
    ).json()
    assert facets["results"] == [] and facets["facets"]["tags"] == {world.tag: 3, "census": 1}
    assert facets["search_facets"]["groups"]["items"][0]["name"] == "soci"

    show = cli(portal, "action", "package_show", f"id={world.public[0]}")
    assert show.code == 0
    shown = show.json()
    assert shown == cast.ckan().action.package_show(id=world.public[0])
    assert shown["title"] == "Population of cities" and shown["license_id"] == "CC-BY-4.0"
    assert [r["name"] for r in shown["resources"]] == ["API", "Census CSV"]
    assert show.out == json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False) + "\n"  # pretty

    orgs = cli(portal, "action", "organization_list", "all_fields=true")
    assert orgs.code == 0
    listed = orgs.json()
    assert isinstance(listed, list) and 0 < len(listed) <= 25 and all(o["is_organization"] for o in listed)
    assert {"id", "name", "title", "display_name", "package_count", "type"} <= set(listed[0])
    ours = cli(portal, "action", "organization_list", "all_fields=true", f"organizations={cast.org}", "-J")
    (org,) = ours.lines()  # -J: one JSON line per list item
    assert org["name"] == cast.org and org["id"] == cast.org_id and org["package_count"] >= 3
    names = cli(portal, "action", "organization_list").json()
    assert cast.org in names and world.other_org in names and all(isinstance(n, str) for n in names)


def test_action_writes_with_key_json_file_and_stdin(world: World, tmp_path: Path) -> None:
    portal, cast = world.cast.portal, world.cast
    name = portal.unique("cli-made")
    created = cli(
        portal,
        "action",
        "package_create",
        f"name={name}",
        f"owner_org={cast.org}",
        "title=Made on the command line",
        'tags:[{"name": "cli"}]',
        'extras:[{"key": "made_by", "value": "ckanapi"}]',
        "-j",
        token=cast.editor_token,
    )
    assert created.code == 0, created.err
    made = created.json()
    assert made["name"] == name and made["extras"] == [{"key": "made_by", "value": "ckanapi"}]
    path = tmp_path / "counts.csv"
    path.write_bytes(CSV)
    uploaded = cli(
        portal,
        "action",
        "resource_create",
        f"package_id={name}",
        "name=Counts",
        f"upload@{path}",
        "-j",
        token=cast.editor_token,
    )
    assert uploaded.code == 0, uploaded.err
    resource = uploaded.json()
    assert resource["url_type"] == "upload" and resource["size"] == len(CSV) and resource["format"] == "CSV"
    assert resource["hash"] == "sha256:" + hashlib.sha256(CSV).hexdigest()
    cast.portal.wait_checked(resource["id"])  # the public gets a new file once it passed its check
    assert httpx.get(resource["url"], timeout=30).content == CSV
    patched = cli(
        portal,
        "action",
        "package_patch",
        "-i",
        "-j",
        token=cast.editor_token,
        stdin=json.dumps({"id": name, "notes": "From stdin"}),
    )
    assert patched.code == 0, patched.err
    assert patched.json()["notes"] == "From stdin" and patched.json()["num_resources"] == 1
    deleted = cli(portal, "action", "package_delete", f"id={name}", token=cast.editor_token)
    assert deleted.code == 0 and deleted.out == "null\n"


def test_errors_print_ckan_like_messages(world: World) -> None:
    portal, cast = world.cast.portal, world.cast
    missing = cli(portal, "action", "package_show", "id=no-such-dataset")
    assert missing.code == 1 and missing.out == ""
    assert missing.error.startswith("ckanapi.errors.NotFound: ") and "no-such-dataset" in missing.error
    invalid = cli(portal, "action", "package_create", f"name={portal.unique('x')}", token=cast.editor_token)
    assert invalid.code == 1
    assert invalid.error.startswith("ckanapi.errors.ValidationError: {")
    assert "'__type': 'Validation Error'" in invalid.error
    assert "'owner_org': ['An organization must be provided']" in invalid.error
    taken = cli(
        portal,
        "action",
        "package_create",
        f"name={world.public[1]}",
        f"owner_org={cast.org}",
        token=cast.editor_token,
    )
    assert taken.code == 1 and "'name': ['That URL is already in use.']" in taken.error
    denied = cli(portal, "action", "package_delete", f"id={world.public[1]}", token=cast.member_token)
    assert denied.code == 1 and denied.error.startswith("ckanapi.errors.NotAuthorized: {")
    assert "'__type': 'Authorization Error'" in denied.error and "Access denied: " in denied.error
    anonymous = cli(portal, "action", "package_create", f"name={portal.unique('x')}", f"owner_org={cast.org}")
    assert anonymous.code == 1 and anonymous.error.startswith("ckanapi.errors.NotAuthorized: ")
    bad_param = cli(portal, "action", "package_search", "offset=10", "limit=5")
    assert bad_param.code == 1
    expected = "ckanapi.errors.SearchQueryError: \"Invalid search parameters: ['limit', 'offset']\""
    assert bad_param.error == expected  # ckanapi keeps what follows the first ": " of CKAN's message
    unknown = cli(portal, "action", "package_frobnicate", "id=x")
    assert unknown.code == 1 and unknown.error.startswith("ckanapi.errors.CKANAPIError: ")
    assert "400" in unknown.error and "Action name not known: package_frobnicate" in unknown.error
    assert cli(portal, "action", "package_show", f"id={world.public[1]}", token="not-a-token").code == 0


# ---------------------------------------------------------------- who sees what


def test_private_and_draft_datasets_stay_invisible(world: World, tmp_path: Path) -> None:
    portal, cast = world.cast.portal, world.cast
    hidden = {world.private, world.draft}
    for token in (None, cast.outsider_token):
        found = cli(
            portal,
            "action",
            "package_search",
            f"fq=tags:{world.tag}",
            "include_private=true",
            "include_drafts=true",
            token=token,
        )
        assert found.code == 0 and {d["name"] for d in found.json()["results"]} == set(world.public)
        for name in hidden:
            shown = cli(portal, "action", "package_show", f"id={name}", token=token)
            assert shown.code == 1 and shown.error.startswith("ckanapi.errors.NotFound: ")  # not even 403
        searched = cli(portal, "search", "datasets", f"fq=tags:{world.tag}", token=token)
        assert searched.code == 0 and {d["name"] for d in searched.lines()} == set(world.public)
    out = tmp_path / "asked.jsonl"
    asked = cli(
        portal,
        "dump",
        "datasets",
        world.private,
        world.draft,
        world.public[1],
        "-O",
        str(out),
        token=cast.outsider_token,
    )
    assert asked.code == 0
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == [world.public[1]]
    assert sum("NotFound" in line for line in _worker_report(asked)) == 2
    everything = tmp_path / "all.jsonl"
    dumped = cli(
        portal,
        "dump",
        "datasets",
        "--all",
        "--include-private",
        "--include-drafts",
        "-O",
        str(everything),
        token=cast.outsider_token,
    )
    assert dumped.code == 0 and not hidden & {json.loads(line)["name"] for line in everything.open()}
    attack = cli(portal, "delete", "datasets", world.private, token=cast.outsider_token)
    assert attack.code == 0 and "NotFound" in attack.err  # ckanapi logs the failure per record
    # members see them when they ask for them
    mine = cli(
        portal,
        "search",
        "datasets",
        f"fq=tags:{world.tag}",
        "include_private=true",
        "include_drafts=true",
        token=cast.member_token,
    )
    assert {d["name"] for d in mine.lines()} == set(world.public) | hidden
    assert cast.ckan(cast.editor_token).action.package_show(id=world.private)["state"] == "active"


# ---------------------------------------------------------------- dump, search, load, delete


def test_dump_datasets_and_organizations(
    world: World, dumped: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    portal, cast = world.cast.portal, world.cast
    assert sorted(dumped) == world.public
    for name, record in dumped.items():
        assert record == cast.ckan().action.package_show(id=name)
    out = tmp_path / "organizations.jsonl"
    run = cli(portal, "dump", "organizations", "--all", "-O", str(out))
    assert run.code == 0, run.err
    orgs = {o["name"]: o for o in map(json.loads, out.read_text("utf-8").splitlines())}
    assert {cast.org, world.other_org} <= set(orgs)
    assert orgs[cast.org] == cast.ckan().action.organization_show(id=cast.org)
    public = cast.ckan().action.package_search(fq=f"organization:{cast.org}", rows=0)["count"]
    assert orgs[cast.org]["package_count"] == public  # public datasets only, for an anonymous dump


def test_search_datasets_writes_json_lines(world: World, dumped: dict[str, dict[str, Any]]) -> None:
    portal = world.cast.portal
    run = cli(portal, "search", "datasets", "q=roads", f"fq=tags:{world.tag}")
    assert run.code == 0 and run.err == ""
    found = run.lines()
    assert sorted(d["name"] for d in found) == world.public[1:]
    assert all(
        line == json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for line, d in zip(run.out.splitlines(), found, strict=True)
    )
    assert {d["name"]: d for d in found} == {n: dumped[n] for n in world.public[1:]}
    one = cli(portal, "search", "datasets", f"fq=tags:{world.tag}", "sort=name desc", "rows=1")
    assert [d["name"] for d in one.lines()] == [world.public[-1]]  # rows given: a single call


def test_load_datasets_into_another_organization(
    world: World, dumped: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    portal, cast = world.cast.portal, world.cast
    copies = []
    for record in dumped.values():  # what a user does with jq: new names, the other organization, no ids
        copy = {k: v for k, v in record.items() if k != "id"}
        copies.append(dict(copy, name=record["name"] + "-copy", owner_org=world.other_org))
    path = tmp_path / "copies.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in copies), "utf-8")
    loaded = cli(portal, "load", "datasets", "-I", str(path), token=world.other_editor_token)
    assert loaded.code == 0, loaded.err
    report = _worker_report(loaded)
    assert len(report) == 3 and all(" create None " in line for line in report), report
    anonymous = cast.ckan()
    for record in dumped.values():
        copy = anonymous.action.package_show(id=record["name"] + "-copy")
        assert copy["organization"]["name"] == world.other_org and copy["id"] != record["id"]
        # a stored file is not copied (ckanapi --upload-resources would patch the record's resource ids,
        # which Derek does not reuse): the copy links to it, and everything else reads back the same
        expected = _without(record, IDENTITY, RESOURCE_IDENTITY)
        for res in expected["resources"]:
            if res["url_type"] == "upload":
                res.update(url_type=None, hash="", size=None, datastore_active=False)
        assert _without(copy, IDENTITY, RESOURCE_IDENTITY) == expected
        stored = [r["url"] for r in copy["resources"] if r["url"].startswith(portal.base_url + "/")]
        assert all(httpx.get(url, timeout=30).content == CSV for url in stored)
    again = cli(portal, "load", "datasets", "-I", str(path), token=world.other_editor_token)
    assert again.code == 0 and all(" update None " in line for line in _worker_report(again))
    # the originals (with their ids) belong to the first organization: its datasets are not taken over
    originals = tmp_path / "originals.jsonl"
    originals.write_text("".join(json.dumps(r) + "\n" for r in dumped.values()), "utf-8")
    refused = cli(portal, "load", "datasets", "-I", str(originals), token=world.other_editor_token)
    assert refused.code == 3  # ckanapi's exit code when records failed
    assert all(" update NotAuthorized " in line for line in _worker_report(refused))
    for record in dumped.values():
        assert _own(anonymous.action.package_show(id=record["id"])) == _own(record)


def test_delete_then_load_restores_the_dataset(world: World, tmp_path: Path) -> None:
    portal, cast = world.cast.portal, world.cast
    editor = cast.ckan(cast.editor_token)
    name = portal.unique("cli-restore")
    created = editor.action.package_create(
        name=name,
        owner_org=cast.org,
        title="Restore me",
        tags=[{"name": "restore"}],
        frequency="MONTHLY",
        extras=[{"key": "source", "value": "x"}],
        resources=[{"url": "https://example.org/r.csv", "name": "Link"}],
    )
    path = tmp_path / "restore.csv"
    path.write_bytes(CSV)
    with path.open("rb") as fh:
        uploaded = editor.action.resource_create(package_id=created["id"], name="File", upload=fh)
    portal.wait_table(uploaded["id"], settled=True)  # datastore_active flips when the background load ends
    out = tmp_path / "one.jsonl"
    assert cli(portal, "dump", "datasets", name, "-O", str(out)).code == 0
    (before,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]

    for loader in (cast.editor_token, cast.sysadmin_token):
        deleted = cli(portal, "delete", "datasets", name, token=cast.editor_token)
        assert deleted.code == 0 and f' None "{name}"' in deleted.err
        with pytest.raises(ckanapi.NotFound):
            cast.ckan().action.package_show(id=name)
        assert name not in cast.ckan().action.package_list()
        loaded = cli(portal, "load", "datasets", "-I", str(out), token=loader)
        assert loaded.code == 0, loaded.err
        # the editor does not see deleted datasets, so ckanapi creates; a sysadmin sees it and updates
        (line,) = _worker_report(loaded)
        assert (" create None " if loader == cast.editor_token else " update None ") in line
        portal.wait_table(uploaded["id"], settled=True)
        after = cast.ckan().action.package_show(id=name)
        assert after["id"] == before["id"] and after["state"] == "active"
        assert {k: v for k, v in after.items() if k != "metadata_modified"} == {
            k: v for k, v in before.items() if k != "metadata_modified"
        }
        assert httpx.get(after["resources"][1]["url"], timeout=30).content == CSV  # the stored file is back

    # nobody else brings it back: an outsider's load of the same record fails and changes nothing
    assert cli(portal, "delete", "datasets", name, token=cast.editor_token).code == 0
    refused = cli(portal, "load", "datasets", "-I", str(out), token=cast.outsider_token)
    assert refused.code == 3 and " create NotAuthorized " in _worker_report(refused)[0]
    assert cast.ckan(cast.sysadmin_token).action.package_show(id=name)["state"] == "deleted"
    with pytest.raises(ckanapi.NotFound):
        editor.action.package_show(id=name)


# ---------------------------------------------------------------- a typical script

SCRIPT = """
import json
import sys

import ckanapi

url, token, tag, upload_path = sys.argv[1:]
with ckanapi.RemoteCKAN(url, apikey=token) as ckan:
    status = ckan.call_action("status_show")
    names, start, rows, count = [], 0, 2, None
    while True:  # read every page
        page = ckan.call_action(
            "package_search",
            {"fq": "tags:" + tag, "include_private": True, "sort": "name asc", "start": start, "rows": rows},
        )
        count = page["count"]
        if not page["results"]:
            break
        names += [d["name"] for d in page["results"]]
        start += rows
    target = names[0]
    with open(upload_path, "rb") as fh:
        resource = ckan.action.resource_create(package_id=target, name="Uploaded by a script", upload=fh)
    tags = [{"name": tag}, {"name": "new"}]
    patched = ckan.action.package_patch(id=target, notes="Patched by a script", tags=tags)
    try:
        ckan.action.package_show(id="no-such-dataset")
    except ckanapi.NotFound as e:
        missing = str(e)
    try:
        ckan.action.package_search(rows=-1)
    except ckanapi.ValidationError as e:
        invalid = e.error_dict
print(json.dumps({"version": status["ckan_version"], "names": names, "count": count, "resource": resource,
                  "patched": patched, "missing": missing, "invalid": invalid}))
"""


def test_a_typical_remoteckan_script(world: World, tmp_path: Path) -> None:
    portal, cast = world.cast.portal, world.cast
    editor = cast.ckan(cast.editor_token)
    tag = portal.unique("script").replace("-", "")
    made = [
        editor.action.package_create(
            name=portal.unique(f"cli-script-{i}"),
            owner_org=cast.org,
            tags=[{"name": tag}],
            private=i == 4,
            resources=[{"url": f"https://example.org/{i}.csv", "name": f"R{i}"}],
        )["name"]
        for i in range(5)
    ]
    draft = portal.unique("cli-script-draft")
    editor.action.package_create(name=draft, owner_org=cast.org, tags=[{"name": tag}], state="draft")
    script = tmp_path / "sync.py"
    script.write_text(SCRIPT, "utf-8")
    data = tmp_path / "figures.csv"
    data.write_bytes(CSV)
    done = subprocess.run(
        [sys.executable, str(script), portal.base_url, cast.editor_token, tag, str(data)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"].startswith("2.")
    assert result["names"] == sorted(made) and result["count"] == 5  # 3 pages, the private one included
    resource = result["resource"]
    assert resource["url_type"] == "upload" and resource["name"] == "Uploaded by a script"
    assert resource["position"] == 1 and resource["hash"] == "sha256:" + hashlib.sha256(CSV).hexdigest()
    world.cast.portal.wait_checked(resource["id"])  # the public gets a new file once it passed its check
    assert httpx.get(resource["url"], timeout=30).content == CSV
    patched = result["patched"]
    assert patched["notes"] == "Patched by a script"
    assert [t["name"] for t in patched["tags"]] == sorted([tag, "new"])
    assert [r["name"] for r in patched["resources"]] == ["R0", "Uploaded by a script"]
    assert patched["name"] == made[0] and patched["private"] is False
    assert "no-such-dataset" in result["missing"]
    assert result["invalid"] == {"__type": "Validation Error", "rows": ["Must be a natural number"]}

    # the uploaded table is loaded in the background: datastore_active may turn true in between (and the
    # quality figures be recomputed)
    def settled(package: dict[str, Any]) -> dict[str, Any]:
        return {**_own(package), "resources": [{**r, "datastore_active": None} for r in package["resources"]]}

    assert settled(editor.action.package_show(id=patched["name"])) == settled(patched)
