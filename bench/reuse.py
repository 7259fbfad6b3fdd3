"""The liveness monitor at scale: Derek's `run_checks` over N use cases next to a sequential check loop.

One run, in this process: twenty HTTP servers on 127.0.0.1 ... 127.0.0.20 (twenty hosts, as use cases live on
many sites), each answering after `--latency` ms, one address in ten with 404. N use cases, each with its web
address and one store link, spread over the hosts, are stored in a fresh SQLite database.
- Derek: `liveness_service.run_checks` (eight workers, at most two requests per host at a time, every check
  recorded, the use cases classified and the dead ones' authors mailed);
- the peer: what a cron script would do, one `httpx` HEAD after the other over the same addresses, nothing
  recorded.
Both must find the same dead addresses. Prints seconds, checks per second and the ratio peer / Derek.
Usage: .venv/bin/python bench/reuse.py [--use-cases 400] [--latency 30] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import func, select  # noqa: E402

from derek.catalog import service as catalog  # noqa: E402
from derek.catalog.schemas import DatasetCreate, OrganizationCreate  # noqa: E402
from derek.config import load_profile  # noqa: E402
from derek.core import accounts  # noqa: E402
from derek.core.authz import SYSTEM  # noqa: E402
from derek.core.db import Database  # noqa: E402
from derek.reuse import liveness_service, service  # noqa: E402
from derek.reuse.models import UseCase  # noqa: E402

HOSTS = 20
TARGET = 4.0  # Derek should be at least this many times faster than the sequential loop


def start_servers(latency: float) -> list[ThreadingHTTPServer]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            time.sleep(latency)
            self.send_response(404 if "/gone/" in self.path else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = _reply  # noqa: N815

        def log_message(self, *_args: Any) -> None:
            pass

    servers = []
    for n in range(1, HOSTS + 1):
        server = ThreadingHTTPServer((f"127.0.0.{n}", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def build(db: Database, servers: list[ThreadingHTTPServer], count: int) -> list[str]:
    profile = load_profile("kz")
    with db.session() as s:
        catalog.create_organization(s, SYSTEM, OrganizationCreate(name="bench-org", title={"en": "Bench"}))
        catalog.create_dataset(
            s,
            SYSTEM,
            profile,
            DatasetCreate(
                name="bench-data", title={"en": "Bench"}, organization="bench-org", state="published"
            ),
        )
        maker = accounts.actor_for(s, accounts.create_user(s, SYSTEM, "bench-maker", "maker@example.org"))
    urls = []
    with db.session() as s:
        for n in range(count):
            host, port = servers[n % HOSTS].server_address[:2]
            path = "gone" if n % 10 == 0 else "app"
            url = f"http://{host}:{port}/{path}/{n}"
            store = f"http://{host}:{port}/store/{n}"
            urls += [url, store]
            service.create_use_case(
                s,
                maker,
                profile,
                service.UseCaseData(
                    title={"en": f"Use case {n}"},
                    description={"en": "A generated use case of the benchmark, checked like any other one."},
                    kind="app",
                    author="Bench",
                    contact="bench@example.org",
                    datasets=["bench-data"],
                    url=url,
                    store_links=[{"store": "other", "url": store}],
                ),
            )
    return urls


def sequential(urls: list[str]) -> set[str]:
    broken = set()
    with httpx.Client(timeout=15) as http:
        for url in urls:
            if http.head(url).status_code >= 400:
                broken.add(url)
    return broken


def run(count: int, latency_ms: float) -> dict[str, Any]:
    servers = start_servers(latency_ms / 1000)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.sqlite")
        db.upgrade()
        urls = build(db, servers, count)
        started = time.perf_counter()
        with db.session() as s:
            counts = liveness_service.run_checks(s, load_profile("kz"), allow_private=True, timeout=15)
        derek = time.perf_counter() - started
        with db.session() as s:
            dead = set(s.scalars(select(UseCase.url).where(UseCase.liveness == "dead")))
            checks = s.scalar(select(func.count()).select_from(UseCase)) or 0
        started = time.perf_counter()
        broken = sequential(urls)
        peer = time.perf_counter() - started
        db.engine.dispose()
    for server in servers:
        server.shutdown()
        server.server_close()
    assert dead == broken, "Derek and the peer disagree on the dead addresses"
    return {
        "use_cases": checks,
        "addresses": len(urls),
        "latency_ms": latency_ms,
        "derek_seconds": round(derek, 2),
        "peer_seconds": round(peer, 2),
        "derek_checks_per_second": round(len(urls) / derek, 1),
        "peer_checks_per_second": round(len(urls) / peer, 1),
        "ratio_peer_over_derek": round(peer / derek, 2),
        "dead": counts["dead"],
        "target": TARGET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--use-cases", type=int, default=400)
    parser.add_argument("--latency", type=float, default=30.0, help="each server's answer time, in ms")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.use_cases, args.latency)
    print(
        f"liveness of {result['use_cases']} use cases ({result['addresses']} addresses on {HOSTS} hosts, "
        f"{result['latency_ms']:.0f} ms each):"
    )
    print(
        f"  Derek run_checks   {result['derek_seconds']:8.2f} s  {result['derek_checks_per_second']:8.1f}/s"
    )
    print(f"  sequential loop    {result['peer_seconds']:8.2f} s  {result['peer_checks_per_second']:8.1f}/s")
    verdict = "ok" if result["ratio_peer_over_derek"] >= TARGET else "BELOW TARGET"
    print(f"  ratio peer / Derek {result['ratio_peer_over_derek']:8.2f}x (target >= {TARGET}x: {verdict})")
    print(f"  dead use cases found: {result['dead']} (both agree)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
