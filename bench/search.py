"""Faceted catalog search at 10k and 100k generated datasets: Derek next to Datasette on the same rows.

Both servers run on 127.0.0.1 in this process (uvicorn threads) and are asked over HTTP, in the same run:
- Derek: GET /api/v1/datasets with 7 facets (organization, theme, format, license, keyword, frequency, region);
- Datasette: GET /bench/datasets.json with the same 7 facets (_facet / _facet_array) over a flat table with FTS5,
  tuned as in the guide (facet_time_limit_ms 20000, suggest_facets off) so its facets are complete.
Usage: .venv/bin/python bench/search.py [--sizes 10000,100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from derek.app import create_app  # noqa: E402
from derek.catalog.search import stem_words  # noqa: E402
from derek.config import Settings  # noqa: E402

THEMES = [
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
]
FORMATS = ["CSV", "XLSX", "JSON", "PDF", "XML", "ZIP"]
LICENCES = ["CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "ODC-BY-1.0"]
FREQS = ["ANNUAL", "MONTHLY", "QUARTERLY", "DAILY", "IRREG", "WEEKLY"]
REGIONS = [
    f"KZ-{c}" for c in (10, 11, 15, 19, 23, 27, 31, 33, 35, 39, 43, 47, 55, 59, 61, 62, 63, 71, 75, 79)
]
COMMON = ["данные", "статистика", "отчет", "data", "region"]
VOCAB = [
    "бюджет",
    "налог",
    "школа",
    "больница",
    "дорога",
    "транспорт",
    "экология",
    "воздух",
    "вода",
    "население",
    "занятость",
    "зарплата",
    "цены",
    "тариф",
    "энергия",
    "земля",
    "сельское",
    "урожай",
    "скот",
    "туризм",
    "budget",
    "tax",
    "school",
    "hospital",
    "road",
    "transport",
    "air",
    "water",
    "population",
    "employment",
    "wages",
    "prices",
    "energy",
    "land",
    "harvest",
    "tourism",
    "crime",
    "court",
    "license",
    "permit",
]
RARE_WORD = "уникальныйтермин"
QUERIES = {
    "all (no q)": {},
    "common word": {"q": "данные"},
    "mid word": {"q": "бюджет"},
    "rare word": {"q": RARE_WORD},
    "filter theme+format": {"theme": "ECON", "format": "CSV"},
}
FACETS = ["organization", "theme", "format", "license", "keyword", "frequency", "region"]


def generate_rows(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    orgs = [f"org-{i:03d}" for i in range(60)]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        words = rng.sample(VOCAB, 4)
        if rng.random() < 0.4:
            words.append(rng.choice(COMMON[:1]))
        words += rng.sample(COMMON[1:], 1)
        if i % 997 == 0:
            words.append(RARE_WORD)
        rows.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "slug": f"ds-{i:07d}",
                "title": " ".join(words[:3]).capitalize(),
                "description": " ".join(words),
                "org": rng.choice(orgs),
                "themes": rng.sample(THEMES, rng.randint(1, 2)),
                "keywords": rng.sample(VOCAB[:20], 2),
                "regions": rng.sample(REGIONS, rng.randint(0, 2)),
                "format": rng.choice(FORMATS),
                "license": rng.choice(LICENCES),
                "frequency": rng.choice(FREQS),
                "modified": base + timedelta(minutes=i),
            }
        )
    return rows


def load_derek(db_path: Path, rows: list[dict]) -> None:
    """Bulk-insert straight into Derek's tables (the services would add per-row overhead not measured here)."""
    conn = sqlite3.connect(db_path)
    orgs = sorted({r["org"] for r in rows})
    now = datetime.now(UTC).isoformat(sep=" ")
    org_ids = {o: str(uuid.uuid5(uuid.NAMESPACE_DNS, o)) for o in orgs}
    conn.executemany(
        "INSERT INTO organization (id, slug, title, description, org_type, contact_email, contact_phone, website,"
        " logo_url, state, created_at, updated_at) VALUES (?, ?, ?, '{}', 'agency', '', '', '', '', 'active', ?, ?)",
        [(org_ids[o], o, json.dumps({"en": o}), now, now) for o in orgs],
    )
    conn.executemany(
        "INSERT INTO dataset (id, slug, title, description, organization_id, license_id, contact_name, contact_email,"
        " update_frequency, languages, version, modified, state, private, extras, view_count, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, '', '', ?, '[]', '', ?, 'published', 0, '{}', 0, ?)",
        [
            (
                r["id"],
                r["slug"],
                json.dumps({"ru": r["title"]}),
                json.dumps({"ru": r["description"]}),
                org_ids[r["org"]],
                r["license"],
                r["frequency"],
                r["modified"].isoformat(sep=" "),
                now,
            )
            for r in rows
        ],
    )
    conn.executemany(
        "INSERT INTO dataset_theme VALUES (?, ?)", [(r["id"], t) for r in rows for t in r["themes"]]
    )
    conn.executemany(
        "INSERT INTO dataset_keyword VALUES (?, ?)", [(r["id"], k) for r in rows for k in r["keywords"]]
    )
    conn.executemany(
        "INSERT INTO dataset_region VALUES (?, ?)", [(r["id"], g) for r in rows for g in r["regions"]]
    )
    conn.executemany(
        "INSERT INTO resource (id, dataset_id, position, name, description, url, url_type, format, media_type, sha256,"
        " filename, state, created_at, modified) VALUES (?, ?, 0, 'file', '', 'https://example.org/f', '', ?, '', '',"
        " '', 'active', ?, ?)",
        [(str(uuid.uuid4()), r["id"], r["format"], now, now) for r in rows],
    )
    docs = [
        (
            r["id"],
            " ".join(stem_words(f"{r['slug']} {r['title']} {r['description']} {' '.join(r['keywords'])}")),
        )
        for r in rows
    ]
    conn.executemany("INSERT INTO dataset_search VALUES (?, ?)", docs)
    conn.executemany("INSERT INTO dataset_fts (dataset_id, words) VALUES (?, ?)", docs)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def load_datasette(db_path: Path, rows: list[dict]) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE TABLE datasets (id TEXT PRIMARY KEY, name TEXT, title TEXT, description TEXT, organization TEXT,"
        " themes TEXT, keywords TEXT, regions TEXT, format TEXT, license TEXT, frequency TEXT, modified TEXT)"
    )
    conn.executemany(
        "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r["id"],
                r["slug"],
                r["title"],
                r["description"],
                r["org"],
                json.dumps(r["themes"]),
                json.dumps(r["keywords"]),
                json.dumps(r["regions"]),
                r["format"],
                r["license"],
                r["frequency"],
                r["modified"].isoformat(),
            )
            for r in rows
        ],
    )
    for col in ("organization", "format", "license", "frequency", "modified"):
        conn.execute(f"CREATE INDEX ix_{col} ON datasets ({col})")
    conn.execute(
        'CREATE VIRTUAL TABLE datasets_fts USING fts5(title, description, content="datasets", content_rowid="rowid")'
    )
    conn.execute(
        "INSERT INTO datasets_fts (rowid, title, description) SELECT rowid, title, description FROM datasets"
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


class Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        pass


def serve(app: object) -> tuple[Server, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def timed(
    client: httpx.Client, url: str, params: list[tuple[str, str]], repeat: int
) -> tuple[float, float, dict]:
    """(first call ms, median ms of the calls after two warm-ups, last body)."""
    samples = []
    body: dict = {}
    first = 0.0
    for i in range(repeat + 2):
        t0 = time.perf_counter()
        resp = client.get(url, params=params)
        elapsed = time.perf_counter() - t0
        resp.raise_for_status()
        body = resp.json()
        if i == 0:
            first = elapsed * 1000
        if i >= 2:
            samples.append(elapsed)
    return first, statistics.median(samples) * 1000, body


def derek_params(query: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, v in query.items()] + [("rows", "20")]


def datasette_params(query: dict) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = [("_size", "20"), ("_shape", "objects")]
    if "q" in query:
        params.append(("_search", query["q"]))
    if "theme" in query:
        params.append(("themes__arraycontains", query["theme"]))
    if "format" in query:
        params.append(("format", query["format"]))
    for col in ("organization", "format", "license", "frequency"):
        params.append(("_facet", col))
    for col in ("themes", "keywords", "regions"):
        params.append(("_facet_array", col))
    return params


def run(size: int, repeat: int, work: Path) -> list[tuple[str, float, float, float, float, int, int]]:
    from datasette.app import Datasette

    rows = generate_rows(size)
    derek_dir = work / f"derek-{size}"
    settings = Settings(data_dir=derek_dir, secret_key="bench")
    app = create_app(settings)
    load_derek(derek_dir / "derek.sqlite", rows)
    ds_path = work / f"bench-{size}.db"
    load_datasette(ds_path, rows)
    ds = Datasette(
        [str(ds_path)],
        settings={
            "facet_time_limit_ms": 20000,
            "suggest_facets": False,
            "sql_time_limit_ms": 60000,
            "num_sql_threads": 2,
        },
    )
    derek_server, derek_url = serve(app)
    ds_server, ds_url = serve(ds.app())
    out = []
    try:
        with httpx.Client(timeout=120) as client:
            for label, query in QUERIES.items():
                d_first, d_ms, d_body = timed(
                    client, f"{derek_url}/api/v1/datasets", derek_params(query), repeat
                )
                s_first, s_ms, s_body = timed(
                    client, f"{ds_url}/bench-{size}/datasets.json", datasette_params(query), repeat
                )
                s_count = s_body.get("filtered_table_rows_count") or s_body.get("count") or 0
                out.append((label, d_first, d_ms, s_first, s_ms, int(d_body["count"]), int(s_count)))
    finally:
        derek_server.should_exit = True
        ds_server.should_exit = True
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(
        "Faceted search over HTTP, 7 facets, 20 rows per page;", args.repeat, "timed calls after 2 warm-ups"
    )
    print(
        f"{'datasets':>9} {'query':<22} {'Derek 1st':>10} {'Derek ms':>9} {'Dsette 1st':>11} {'Dsette ms':>10}"
        f" {'ratio':>7}  {'matches (D/S)':>15}"
    )
    with tempfile.TemporaryDirectory(prefix="derek-bench-") as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            for label, d_first, d_ms, s_first, s_ms, d_n, s_n in run(size, args.repeat, Path(tmp)):
                ratio = s_ms / d_ms if d_ms else float("inf")
                print(
                    f"{size:>9} {label:<22} {d_first:>10.1f} {d_ms:>9.1f} {s_first:>11.1f} {s_ms:>10.1f}"
                    f" {ratio:>6.2f}x  {d_n:>7}/{s_n:<7}"
                )
    print("1st = first call, cold (Derek keeps the unfiltered public overview until the catalog changes);")
    print("ms = median of the timed calls; ratio = Datasette ms / Derek ms (above 1: Derek is faster)")


if __name__ == "__main__":
    main()
