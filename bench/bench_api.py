"""Benchmark of the data over HTTP (gift_dash.api) on the real server (run on demand; prints figures, asserts nothing).

`streamlit run app.py` on loopback, as scripts/dashboard.sh serves it, once on the shipped data and once on a
synthetic corpus of N records (bench.bench_pages.synthetic_data_dir, through $GIFT_DATA_DIR):

1. Latency of filtered requests, one after another (each on a new connection, as a spreadsheet or pandas opens
   it): median and p95 of ``--requests`` timed requests after a few untimed ones. Target (issue 26): median
   <= 50 ms on the shipped data for the filtered JSON request.
2. Throughput: ``--clients`` threads, each sending ``--per-client`` requests of the same kind, at once; requests
   per second over the whole run. Every loop is bounded in count and in time (``--timeout`` per request).

    .venv/bin/python -m bench.bench_api [--requests 100] [--clients 10] [--per-client 30] [--records 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.bench_pages import synthetic_data_dir

ROOT = Path(__file__).resolve().parents[1]
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never through a proxy
# What is timed: a filtered view as JSON (the target's request), the same as CSV, and a search (scored per query,
# then kept: the first request of a new query costs more, see "first" below).
REQUESTS = {
    "JSON, filtered": "/api/records?theme=protection&theme=prevention&target_group=children&source=all",
    "CSV, filtered": "/api/records.csv?theme=protection&theme=prevention&target_group=children&source=all",
    "JSON, search": "/api/records?q=police%20training&source=all",
    "coverage by theme": "/api/coverage?by=theme&event=kampala-2007",
}
WARM_UP = 5


def get(url: str, timeout: float) -> float:
    """Seconds for one whole answer (status 200 or an exception)."""
    start = time.perf_counter()
    with LOCAL.open(url, timeout=timeout) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url}: status {answer.status}")
    return time.perf_counter() - start


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def latency(base: str, requests: int, timeout: float) -> None:
    print(f"  {'request':20} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name, path in REQUESTS.items():
        first = get(base + path, timeout)
        for _ in range(WARM_UP):
            get(base + path, timeout)
        samples = [get(base + path, timeout) for _ in range(requests)]
        print(
            f"  {name:20} {first * 1000:9.1f} {statistics.median(samples) * 1000:10.1f} "
            f"{p95(samples) * 1000:8.1f} {max(samples) * 1000:8.1f}"
        )


def _client(url: str, requests: int, timeout: float) -> tuple[list[float], list[str]]:
    """Seconds per answer of ``requests`` requests one after another, and the failures (counted and shown, so a
    failure never passes for speed)."""
    done, failures = [], []
    for _ in range(requests):
        try:
            done.append(get(url, timeout))
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
    return done, failures


def throughput(base: str, clients: int, per_client: int, timeout: float) -> None:
    for name in ("JSON, filtered", "CSV, filtered"):
        with ThreadPoolExecutor(clients) as pool:
            start = time.perf_counter()
            results = list(
                pool.map(_client, [base + REQUESTS[name]] * clients, [per_client] * clients, [timeout] * clients)
            )
            wall = time.perf_counter() - start
        done = [seconds for answered, _ in results for seconds in answered]
        failures = [failure for _, failed in results for failure in failed]
        print(
            f"  {name:20} {len(done) / wall:7.1f} requests/s  ({len(done)} in {wall:.1f} s; latency under load "
            f"median {statistics.median(done) * 1000:.0f} ms, p95 {p95(done) * 1000:.0f} ms; {len(failures)} failed)"
        )
        for failure in failures[:3]:
            print(f"    e.g. {failure}")


def measure(label: str, args: argparse.Namespace) -> None:
    from tests.browser.harness import StreamlitServer

    with StreamlitServer(ROOT / "app.py", cwd=ROOT, timeout=120) as base:
        health = get(base + "/api/health", 120)  # the first request loads the data folder
        print(f"\n{label}: first request (loads and checks the data) {health * 1000:.0f} ms")
        print(f"Latency, one request at a time, {args.requests} timed after {WARM_UP} untimed:")
        latency(base, args.requests, args.timeout)
        print(f"Throughput, {args.clients} concurrent clients x {args.per_client} requests:")
        throughput(base, args.clients, args.per_client, args.timeout)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="timed requests of each kind (default 100)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients (default 10)")
    parser.add_argument("--per-client", type=int, default=30, help="requests per concurrent client (default 30)")
    parser.add_argument("--records", type=int, default=20_000, help="size of the synthetic corpus (default 20000)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one request may take (default 60)")
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} CPU(s); Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}")
    os.environ.pop("GIFT_DATA_DIR", None)
    measure("Shipped data", args)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GIFT_DATA_DIR"] = str(synthetic_data_dir(Path(tmp) / "data", args.records))
        try:
            measure(f"Synthetic corpus of {args.records:,} records", args)
        finally:
            os.environ.pop("GIFT_DATA_DIR", None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
