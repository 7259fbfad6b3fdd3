"""DataStore at 1M rows (10M on request): Derek's loader and query API next to sqlite-utils + Datasette and raw DuckDB.

One run, on the same generated CSV (id, bin, name, region, amount, count, date; seeded, written as a stream):
- ingest, each loader in its own process (wall clock, peak RSS from wait4):
  Derek: `derek datastore load RESOURCE --data-dir DIR` on a file uploaded to a real portal (server stopped);
  Datasette's loader: `sqlite-utils insert bench.db rows FILE --csv` (4.x detects types by default);
  the practical limit: DuckDB's own `COPY (SELECT * FROM read_csv(FILE)) TO 'x.parquet' (FORMAT parquet)`;
- queries over HTTP, both servers in their own process (`derek serve`, `datasette serve -i`), anonymous,
  with the total count on both sides: filter region = X (100 rows), sort amount desc (100 rows),
  group-by region with count and sum(amount).
Usage: .venv/bin/python bench/datastore.py [--rows 1000000[,10000000]] [--repeat 15] [--keep DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
REGIONS = [
    "Абайская область",
    "Акмолинская область",
    "Актюбинская область",
    "Алматинская область",
    "Атырауская область",
    "Восточно-Казахстанская область",
    "Жамбылская область",
    "Жетысуская область",
    "Западно-Казахстанская область",
    "Карагандинская область",
    "Костанайская область",
    "Кызылординская область",
    "Мангистауская область",
    "Павлодарская область",
    "Северо-Казахстанская область",
    "Туркестанская область",
    "Улытауская область",
    "г. Астана",
    "г. Алматы",
    "г. Шымкент",
]
FILTER_REGION = "г. Алматы"
FORMS = ["ТОО", "АО", "ИП", "КГП", "ГУ", "ПК"]
WORDS = [
    "Алтын",
    "Береке",
    "Жол",
    "Сервис",
    "Строй",
    "Агро",
    "Нур",
    "Дала",
    "Тау",
    "Курылыс",
    "Транс",
    "Энерго",
    "Медиа",
    "Su",
    "Kazakh",
    "Степь",
    "Жулдыз",
    "Казына",
    "Арман",
    "Самал",
]
TABLE = "rows"  # the sqlite table Datasette serves
TARGETS = {"sqlite-utils": 10.0, "duckdb": 0.5, "query": 5.0}


def generate_csv(path: Path, rows: int, seed: int = 42) -> None:
    """Write the file row by row in batches; the same seed gives the same bytes."""
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    batch: list[tuple[object, ...]] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "bin", "name", "region", "amount", "count", "date"])
        for i in range(1, rows + 1):
            year = rng.randint(0, 24)
            bin_ = f"{year:02d}{rng.randint(1, 12):02d}{rng.choice('0456')}{rng.randint(0, 9_999_999):07d}"
            name = f"{rng.choice(FORMS)} «{rng.choice(WORDS)} {rng.choice(WORDS)}»"
            if i % 20 == 0:  # some names need CSV quoting
                name = f'{rng.choice(FORMS)} "{rng.choice(WORDS)}, {rng.choice(WORDS)}"'
            batch.append(
                (
                    i,
                    bin_,
                    name,
                    rng.choice(REGIONS),
                    f"{rng.randint(0, 5_000_000_000) / 100:.2f}",
                    rng.randint(0, 5000),
                    (start + timedelta(days=rng.randint(0, 3650))).isoformat(),
                )
            )
            if len(batch) == 50_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


# --- processes ---------------------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEREK_")}
    env["DEREK_SECRET_KEY"] = "bench"
    return env


def measured(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Measured:
    """Run a command to its end in its own process: wall clock and that process's own peak RSS."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env or clean_env())
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")
    return Measured(seconds, usage.ru_maxrss / 1024)  # Linux: KiB


def run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env or clean_env(), timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server in its own process, ready once `ready_path` answers 200; stopped with SIGINT (graceful)."""

    def __init__(self, cmd: list[str], port: int, ready_path: str, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._log = log.open("ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=clean_env())
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{cmd[0]} stopped at start; see {log}")
            try:
                if httpx.get(self.url + ready_path, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"{cmd[0]} did not start; see {log}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def derek_server(data_dir: Path, log: Path) -> Server:
    port = free_port()
    cmd = [str(BIN / "derek"), "serve", "--data-dir", str(data_dir), "--port", str(port)]
    return Server(cmd, port, "/api/v1/themes", log)


def datasette_server(db: Path, log: Path) -> Server:
    port = free_port()
    cmd = [str(BIN / "datasette"), "serve", "-i", str(db), "--port", str(port)]
    # as tuned in the guide: no facet suggestions, and a time limit that lets every query finish
    for name, value in (("sql_time_limit_ms", "120000"), ("suggest_facets", "off")):
        cmd += ["--setting", name, value]
    return Server(cmd, port, "/-/versions.json", log)


# --- Derek: a portal with the file uploaded ----------------------------------------------------------------


def pending_jobs(data_dir: Path) -> int:
    """Jobs queued or running in the portal's database (0 where this portal has no job table)."""
    db = data_dir / "derek.sqlite"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            conn.execute("SELECT count(*) FROM job WHERE status IN ('queued', 'running')").fetchone()[0]
        )
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def prepare_derek(data_dir: Path, csv_path: Path, log: Path) -> str:
    """A portal with a sysadmin, an organization and a published dataset holding the uploaded CSV."""
    derek = str(BIN / "derek")
    run(
        [derek, "user", "create", "bench", "--email", "bench@example.org", "--role", "sysadmin"]
        + dd(data_dir)
    )
    token = run([derek, "token", "create", "bench", "--label", "bench"] + dd(data_dir)).strip()
    server = derek_server(data_dir, log)
    try:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=3600
        ) as http:
            r = http.post("/api/v1/organizations", json={"name": "bench", "title": {"en": "Bench"}})
            r.raise_for_status()
            r = http.post(
                "/api/v1/datasets",
                json={
                    "name": "bench-rows",
                    "organization": "bench",
                    "title": {"en": "Bench rows", "ru": "Тестовые строки"},
                    "state": "published",
                },
            )
            r.raise_for_status()
            with csv_path.open("rb") as fh:
                r = http.post(
                    "/api/v1/datasets/bench-rows/resources/upload",
                    files={"file": (csv_path.name, fh, "text/csv")},
                    data={"resource_name": "rows", "format": "CSV"},
                )
            r.raise_for_status()
            resource_id = str(r.json()["id"])
        # a portal that loads uploads by itself does it in a job: let it finish before stopping the server
        deadline = time.monotonic() + 3600
        time.sleep(0.5)
        while pending_jobs(data_dir) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        server.stop()
    return resource_id


def dd(data_dir: Path) -> list[str]:
    return ["--data-dir", str(data_dir)]


# --- queries -------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    first_ms: float
    median_ms: float
    body: Any = field(repr=False)


def timed(client: httpx.Client, url: str, params: dict[str, str], repeat: int) -> Timing:
    """First call, then the median of `repeat` calls after two warm-ups."""
    samples, first, body = [], 0.0, None
    for i in range(repeat + 2):
        t0 = time.perf_counter()
        resp = client.get(url, params=params)
        elapsed = (time.perf_counter() - t0) * 1000
        if resp.status_code != 200:
            raise SystemExit(f"GET {resp.url} answered {resp.status_code}: {resp.text[:500]}")
        body = resp.json()
        if i == 0:
            first = elapsed
        if i >= 2:
            samples.append(elapsed)
    return Timing(first, statistics.median(samples), body)


def derek_group_by(openapi: dict[str, Any], resource_id: str) -> tuple[str, dict[str, str]] | None:
    """How this portal answers a group-by: its native parameters, else its SQL endpoint, else None."""
    paths = openapi.get("paths", {})
    native = paths.get("/api/v1/datastore/{resource_id}", {}).get("get", {})
    names = {p.get("name") for p in native.get("parameters", [])}
    if "group_by" in names:
        params = {"group_by": "region"}
        if "aggregates" in names:
            params["aggregates"] = "count,sum:amount"
        return f"/api/v1/datastore/{resource_id}", params
    if "get" in paths.get("/api/v1/datastore/sql", {}):
        sql = f'SELECT region, count(*) AS n, sum(amount) AS total FROM "{resource_id}" GROUP BY region'
        return "/api/v1/datastore/sql", {"sql": sql}
    return None


def group_counts(body: Any) -> list[tuple[str, int]]:
    """(region, rows) of a group-by answer: Derek's records or SQL rows, Datasette's objects."""
    records = body.get("records", body.get("rows", [])) if isinstance(body, dict) else body
    return sorted((str(r["region"]), int(r.get("count", r.get("n", -1)))) for r in records)


@dataclass
class QueryResult:
    name: str
    derek: Timing | None
    datasette: Timing
    derek_total: int | None = None
    datasette_total: int | None = None
    same_groups: bool | None = None


def run_queries(derek_url: str, ds_url: str, resource_id: str, repeat: int) -> list[QueryResult]:
    table = f"{ds_url}/bench/{TABLE}.json"
    out = []
    with httpx.Client(timeout=600) as client:
        openapi = client.get(f"{derek_url}/openapi.json").json()
        native = f"{derek_url}/api/v1/datastore/{resource_id}"
        d = timed(client, native, {"filters": json.dumps({"region": FILTER_REGION}), "limit": "100"}, repeat)
        s = timed(client, table, {"region": FILTER_REGION, "_size": "100", "_shape": "objects"}, repeat)
        out.append(
            QueryResult(
                "filter region = X", d, s, int(d.body["total"]), int(s.body["filtered_table_rows_count"])
            )
        )
        d = timed(client, native, {"sort": "amount desc", "limit": "100"}, repeat)
        s = timed(client, table, {"_sort_desc": "amount", "_size": "100", "_shape": "objects"}, repeat)
        out.append(
            QueryResult(
                "sort amount desc", d, s, int(d.body["total"]), int(s.body["filtered_table_rows_count"])
            )
        )
        sql = f'SELECT region, count(*) AS n, sum(amount) AS total FROM "{TABLE}" GROUP BY region ORDER BY region'
        s = timed(client, f"{ds_url}/bench.json", {"sql": sql, "_shape": "objects"}, repeat)
        how = derek_group_by(openapi, resource_id)
        dg = timed(client, derek_url + how[0], how[1], repeat) if how else None
        d_groups, s_groups = (group_counts(dg.body) if dg else None), group_counts(s.body)
        out.append(
            QueryResult(
                "group-by region",
                dg,
                s,
                len(d_groups) if d_groups is not None else None,
                len(s_groups),
                d_groups == s_groups if d_groups is not None else None,
            )
        )
    return out


# --- one size ------------------------------------------------------------------------------------------------


def bench_size(rows: int, repeat: int, ingest_repeat: int, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / f"rows-{rows}.csv"
    if not csv_path.exists():  # kept from an earlier --keep run: the seed makes it the same file
        t0 = time.perf_counter()
        generate_csv(csv_path.with_suffix(".part"), rows)
        csv_path.with_suffix(".part").rename(csv_path)
        print(f"  generated {csv_path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    size_mb = csv_path.stat().st_size / 1024**2
    data_dir, sqlite_db, parquet = work / f"derek-{rows}", work / "bench.db", work / f"rows-{rows}.parquet"
    for stale in (sqlite_db, parquet):
        stale.unlink(missing_ok=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)

    print("  Derek: portal, upload ...", file=sys.stderr)
    resource_id = prepare_derek(data_dir, csv_path, logs / "derek-serve.log")
    ingest: dict[str, list[Measured]] = {"derek": [], "sqlite-utils": [], "duckdb": []}
    load_steps: list[float] = []  # Derek's load alone, as `derek datastore load` reports it
    for round_ in range(ingest_repeat):  # interleaved, so a busy moment of the machine hits all three
        print("  Derek: derek datastore load ...", file=sys.stderr)
        log = logs / "derek-load.log"
        ingest["derek"].append(
            measured([str(BIN / "derek"), "datastore", "load", resource_id, *dd(data_dir)], log)
        )
        loaded = log.read_text(encoding="utf-8", errors="replace")
        if f"Loaded {rows:,} rows" not in loaded:
            raise SystemExit(f"derek datastore load did not load {rows:,} rows:\n{loaded[-2000:]}")
        step = re.search(r"Loaded [0-9,]+ rows in ([0-9.]+) s", loaded)
        if step:
            load_steps.append(float(step.group(1)))
        if round_ == 0 or ingest["sqlite-utils"][0].seconds < 60:  # a minute-long run is its own median
            print("  sqlite-utils insert ...", file=sys.stderr)
            sqlite_db.unlink(missing_ok=True)
            cmd = [str(BIN / "sqlite-utils"), "insert", str(sqlite_db), TABLE, str(csv_path), "--csv"]
            ingest["sqlite-utils"].append(measured(cmd, logs / "sqlite-utils.log"))
        print("  DuckDB read_csv -> Parquet ...", file=sys.stderr)
        parquet.unlink(missing_ok=True)
        src, dst = sql_literal(str(csv_path)), sql_literal(str(parquet))
        copy = f"COPY (SELECT * FROM read_csv({src})) TO {dst} (FORMAT parquet)"
        script = f"import duckdb; duckdb.connect().execute({copy!r})"
        ingest["duckdb"].append(measured([sys.executable, "-c", script], logs / "duckdb.log"))

    print("  queries ...", file=sys.stderr)
    derek = derek_server(data_dir, logs / "derek-serve.log")
    try:
        # the loads above queued validation reports for the server's worker: let them end, so the queries
        # are timed on an idle portal (as Datasette's are)
        deadline = time.monotonic() + 3600
        while pending_jobs(data_dir) and time.monotonic() < deadline:
            time.sleep(0.5)
        datasette = datasette_server(sqlite_db, logs / "datasette.log")
        try:
            queries = run_queries(derek.url, datasette.url, resource_id, repeat)
        finally:
            datasette.stop()
    finally:
        derek.stop()
    return {
        "rows": rows,
        "csv_mb": round(size_mb, 1),
        "repeat": repeat,
        "ingest": {
            name: {
                "seconds": statistics.median(m.seconds for m in runs),
                "rows_per_s": rows / statistics.median(m.seconds for m in runs),
                "peak_rss_mb": max(m.peak_rss_mb for m in runs),
                "runs": [asdict(m) for m in runs],
            }
            for name, runs in ingest.items()
        },
        "load_step_seconds": statistics.median(load_steps) if load_steps else None,
        "queries": [
            {
                "query": q.name,
                "derek_ms": q.derek.median_ms if q.derek else None,
                "derek_first_ms": q.derek.first_ms if q.derek else None,
                "datasette_ms": q.datasette.median_ms,
                "datasette_first_ms": q.datasette.first_ms,
                "derek_total": q.derek_total,
                "datasette_total": q.datasette_total,
                "same_groups": q.same_groups,
            }
            for q in queries
        ],
    }


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- report --------------------------------------------------------------------------------------------------


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """measure, Derek, peer, ratio (above 1: Derek is better), target, met?"""
    ing = result["ingest"]
    d = ing["derek"]
    out = []
    for peer, label in (("sqlite-utils", "sqlite-utils"), ("duckdb", "DuckDB raw")):
        p = ing[peer]
        target = TARGETS[peer]
        ratio = d["rows_per_s"] / p["rows_per_s"]
        out.append(
            {
                "measure": f"ingest rows/s vs {label}",
                "derek": d["rows_per_s"],
                "peer": p["rows_per_s"],
                "ratio": ratio,
                "target": target,
                "met": ratio >= target,
            }
        )
    if result.get("load_step_seconds"):
        step_rate = result["rows"] / result["load_step_seconds"]
        raw = ing["duckdb"]["rows_per_s"]
        out.append(
            {
                "measure": "load step rows/s vs DuckDB raw",
                "derek": step_rate,
                "peer": raw,
                "ratio": step_rate / raw,
                "target": TARGETS["duckdb"],
                "met": step_rate / raw >= TARGETS["duckdb"],
            }
        )
    for peer, label in (("sqlite-utils", "sqlite-utils"), ("duckdb", "DuckDB raw")):
        p = ing[peer]
        out.append(
            {
                "measure": f"ingest peak RSS MB vs {label}",
                "derek": d["peak_rss_mb"],
                "peer": p["peak_rss_mb"],
                "ratio": p["peak_rss_mb"] / d["peak_rss_mb"],
                "target": None,
                "met": None,
            }
        )
    for q in result["queries"]:
        ratio = q["datasette_ms"] / q["derek_ms"] if q["derek_ms"] else None
        out.append(
            {
                "measure": f"{q['query']} ms vs Datasette",
                "derek": q["derek_ms"],
                "peer": q["datasette_ms"],
                "ratio": ratio,
                "target": TARGETS["query"],
                "met": None if ratio is None else ratio >= TARGETS["query"],
            }
        )
    return out


def fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def print_result(result: dict[str, Any]) -> None:
    ing = result["ingest"]
    print(
        f"\nDataStore, {result['rows']:,} rows ({result['csv_mb']} MB CSV);"
        f" query ms = median of {result['repeat']} calls after 2 warm-ups"
    )
    print(f"{'measure':<38} {'Derek':>11} {'peer':>11} {'ratio':>8} {'target':>8}  met?")
    for row in table_rows(result):
        ratio = "n/a" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        target = "" if row["target"] is None else f">= {row['target']:g}x"
        met = "" if row["met"] is None else ("yes" if row["met"] else "NO")
        if row["derek"] is None:
            met = "n/a"
        print(
            f"{row['measure']:<38} {fmt(row['derek']):>11} {fmt(row['peer']):>11} {ratio:>8} {target:>8}  {met}"
        )
    print(
        "ingest seconds: "
        + ", ".join(f"{name} {v['seconds']:.2f}" for name, v in ing.items())
        + " (each a whole process: interpreter start, imports and, for Derek, its catalog database)"
    )
    if result.get("load_step_seconds"):
        print(
            f"Derek's load step alone (reading, typing, writing the table): {result['load_step_seconds']:.2f} s;"
            " DuckDB raw is a whole process too (about 0.2 s of it is starting Python and importing duckdb)"
        )
    for q in result["queries"]:
        if q["derek_total"] is not None and q["derek_total"] != q["datasette_total"]:
            print(
                f"WARNING: {q['query']}: Derek counted {q['derek_total']}, Datasette {q['datasette_total']}"
            )
        if q["same_groups"] is False:
            print(f"WARNING: {q['query']}: Derek's groups or their counts differ from Datasette's")
        if q["derek_ms"] is None:
            print(
                f"{q['query']}: n/a for Derek: its API has neither group-by parameters nor a SQL endpoint yet"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000", help="rows, or several sizes: 1000000,10000000")
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per query")
    parser.add_argument(
        "--ingest-repeat",
        type=int,
        default=3,
        help="loads per loader, median (sqlite-utils: once past a minute)",
    )
    parser.add_argument("--keep", type=Path, help="work (and keep the CSV and databases) in this folder")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.rows.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="derek-bench-ds-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        for rows in sizes:
            print(f"{rows:,} rows in {work}", file=sys.stderr)
            result = bench_size(rows, args.repeat, args.ingest_repeat, work)
            print_result(result)
            result["table"] = table_rows(result)
            results.append(result)
    print(
        "\nratio: above 1 means Derek is better (rows/s: Derek / peer; RSS and ms: peer / Derek);"
        " targets: ingest >= 10x sqlite-utils and within 2x of raw DuckDB, queries >= 5x Datasette"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
