"""Benchmark of the dashboard's pages (run on demand; prints figures, asserts nothing).

1. Server-side run of each page with a warm cache, through streamlit's AppTest: the median of N runs, on the
   shipped data and on a synthetic corpus of 20,000 records (the shipped rows replicated with new ids), loaded
   through GIFT_DATA_DIR. Targets (issue 24): <= 100 ms shipped, <= 300 ms at 20k. And the Vienna echoes page on
   a corpus where every shipped record, the ten findings included, comes --repeated times (issue 21: <= 1 s).
2. Cold start: `streamlit run app.py` to the first rendered page in headless Chromium, beside a minimal Streamlit
   app that shows one table, in turn in one run. Target: within 1.5x of the minimal app, for the page and for its
   first screen's two charts (the Overview's Vega-Lite theme panels and map). A third app (the table and one plotly
   chart) shows what loading plotly.js alone costs the browser.

    .venv/bin/python -m bench.bench_pages [--runs 7] [--records 20000] [--repeated 151] [--cold 3] [--timeout 120]
        [--skip-cold | --skip-warm]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from gift_dash.data import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]


def pages() -> list[str]:
    from gift_ui.navigation import available_pages

    return [path for path, *_ in available_pages()]


def synthetic_data_dir(target: Path, n_records: int) -> Path:
    """A copy of data/ whose recommendations.csv holds ``n_records`` rows: the shipped rows, then the annex II rows
    over and over, each copy with new ids (parent_id and list_id follow, so sub-items and lists stay consistent).
    Only regional recommendations grow: the Vienna Forum's ten findings and section V's outcomes are fixed by the
    document (uploads are marked "uploaded", never "section-vi")."""
    shutil.copytree(DATA_DIR, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("source"))
    shipped = pd.read_csv(DATA_DIR / "recommendations.csv", dtype=str, keep_default_na=False)
    regional = shipped[shipped["source"] == "annex-ii"]
    copies = []
    for copy in range(1 + -(-max(n_records - len(shipped), 0) // len(regional))):
        part = (regional if copy else shipped).copy()
        if copy:
            suffix = f"-x{copy}"
            part["id"] = part["id"] + suffix
            part["list_id"] = part["list_id"].where(part["list_id"] == "", part["list_id"] + suffix)
            part["parent_id"] = part["parent_id"].where(part["parent_id"] == "", part["parent_id"] + suffix)
        copies.append(part)
    pd.concat(copies, ignore_index=True).head(n_records).to_csv(target / "recommendations.csv", index=False)
    return target


def repeated_data_dir(target: Path, copies: int) -> Path:
    """A copy of data/ in which every shipped record (the Vienna Forum's findings included) comes ``copies`` times,
    each copy with new ids (parent_id and list_id follow): a page must show a repeated text once and count it."""
    shutil.copytree(DATA_DIR, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("source"))
    shipped = pd.read_csv(DATA_DIR / "recommendations.csv", dtype=str, keep_default_na=False)
    parts = [shipped]
    for copy in range(1, copies):
        part = shipped.copy()
        suffix = f"-x{copy}"
        for column in ("id", "list_id", "parent_id"):
            part[column] = part[column].where(part[column] == "", part[column] + suffix)
        parts.append(part)
    pd.concat(parts, ignore_index=True).to_csv(target / "recommendations.csv", index=False)
    return target


def page_times(runs: int, timeout: float, only: list[str] | None = None) -> dict[str, list[float]]:
    """Seconds per warm run of each page (or of the pages in ``only``; one AppTest per page; the first run fills
    the caches and is not timed). A page whose first run takes longer than ``timeout`` seconds gets no samples."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    times: dict[str, list[float]] = {}
    for page in only or pages():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.switch_page(page)
        try:
            at.run()
        except RuntimeError:  # AppTest's timeout: report it and go on with the other pages
            times[page] = []
            continue
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception[0].value}")
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
        times[page] = samples
    return times


def print_page_table(label: str, n_records: int, times: dict[str, list[float]], target_ms: float) -> None:
    runs = max(len(samples) for samples in times.values())
    print(
        f"\nWarm server-side run per page — {label} ({n_records:,} records), median of {runs} runs; "
        f"target <= {target_ms:.0f} ms"
    )
    print(f"  {'page':34} {'median ms':>10} {'min ms':>8} {'max ms':>8}  verdict")
    for page, samples in times.items():
        if not samples:
            print(f"  {page:34} {'—':>10} {'—':>8} {'—':>8}  first (cold) run did not finish in time")
            continue
        median = statistics.median(samples) * 1000
        verdict = "ok" if median <= target_ms else "OVER"
        print(f"  {page:34} {median:10.1f} {min(samples) * 1000:8.1f} {max(samples) * 1000:8.1f}  {verdict}")


MINIMAL_APP = """import pandas as pd
import streamlit as st

st.title("Minimal")
st.dataframe(pd.DataFrame({"a": range(10), "b": list("abcdefghij")}))
"""


# A reference only: the same table plus one small plotly chart, to show the browser's fixed cost of plotly.js
# (a 4.7 MB script that Streamlit loads on the first chart) apart from the dashboard's own work.
MINIMAL_PLOTLY_APP = (
    MINIMAL_APP
    + """import plotly.graph_objects as go

st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))
"""
)


def cold_start_seconds(app: Path, cwd: Path, browser, marks: dict[str, str]) -> dict[str, float]:
    """Seconds from launching `streamlit run` until each selector in ``marks`` (name -> selector, waited for in
    order) is in the page, and until the first script run has finished ("rendered": Streamlit's notRunning)."""
    from tests.browser.harness import APP_READY, StreamlitServer

    start = time.perf_counter()
    server = StreamlitServer(app, cwd=cwd, timeout=120)
    seen: dict[str, float] = {}
    try:
        url = server.start()
        page = browser.new_page()
        page.goto(url)
        for name, selector in marks.items():
            page.locator(selector).first.wait_for(state="attached", timeout=120_000)
            if name == "rendered":
                page.wait_for_selector(APP_READY, state="attached", timeout=120_000)
            seen[name] = time.perf_counter() - start
        page.close()
    finally:
        server.stop()
    return seen


# What each app shows when its first run is done, and (dashboard) when the map has drawn its land in the browser.
MINIMAL_MARKS = {"rendered": "[data-testid='stDataFrame']"}
PLOTLY_MARKS = {"rendered": ".js-plotly-plot .bars path"}
APP_MARKS = {
    "rendered": "[data-testid='stMarkdown'] h4",
    "themes drawn": "[data-testid='stVegaLiteChart'] .mark-rect.role-mark path",
    "map drawn": "[data-testid='stVegaLiteChart'] .mark-shape path",
}


def cold_starts(rounds: int) -> dict[str, list[dict[str, float]]]:
    """Cold starts of the minimal app, the minimal app with a plotly chart, and the dashboard, in turn."""
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM_ARGS, CHROMIUM_PATH

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        (folder / "minimal_app.py").write_text(MINIMAL_APP)
        (folder / "minimal_plotly_app.py").write_text(MINIMAL_PLOTLY_APP)
        shutil.copytree(ROOT / ".streamlit", folder / ".streamlit")
        apps = {
            "minimal": (folder / "minimal_app.py", folder, MINIMAL_MARKS),
            "minimal + plotly": (folder / "minimal_plotly_app.py", folder, PLOTLY_MARKS),
            "dashboard": (ROOT / "app.py", ROOT, APP_MARKS),
        }
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        times: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
        for _ in range(rounds):  # in turn, so all see the same machine load
            for name, (app, cwd, marks) in apps.items():
                times[name].append(cold_start_seconds(app, cwd, browser, marks))
        browser.close()
    return times


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they come, between streamlit's log lines
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed warm runs per page (default 7)")
    parser.add_argument("--records", type=int, default=20_000, help="size of the synthetic corpus (default 20000)")
    parser.add_argument("--cold", type=int, default=3, help="cold starts of each app (default 3)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a page's first run may take (default 120)")
    parser.add_argument(
        "--repeated", type=int, default=151, help="Vienna echoes with every record this many times (0: skip)"
    )
    parser.add_argument("--skip-cold", action="store_true", help="only the warm page runs")
    parser.add_argument("--skip-warm", action="store_true", help="only the cold starts")
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} CPU(s); Python {sys.version.split()[0]}")

    os.environ.pop("GIFT_DATA_DIR", None)
    if not args.skip_warm:
        shipped = len(pd.read_csv(DATA_DIR / "recommendations.csv", dtype=str))
        print_page_table("shipped data", shipped, page_times(args.runs, args.timeout), 100)
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["GIFT_DATA_DIR"] = str(synthetic_data_dir(Path(tmp) / "data", args.records))
            try:
                print_page_table("synthetic corpus", args.records, page_times(args.runs, args.timeout), 300)
            finally:
                os.environ.pop("GIFT_DATA_DIR", None)
        if args.repeated:
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["GIFT_DATA_DIR"] = str(repeated_data_dir(Path(tmp) / "data", args.repeated))
                try:
                    times = page_times(args.runs, args.timeout, ["pages/vienna_echoes.py"])
                    print_page_table(
                        f"every shipped record {args.repeated} times", shipped * args.repeated, times, 1000
                    )
                finally:
                    os.environ.pop("GIFT_DATA_DIR", None)

    if not args.skip_cold:
        times = cold_starts(args.cold)

        def median(name: str, mark: str = "rendered") -> float:
            return statistics.median(t[mark] for t in times[name])

        def spread(name: str, mark: str = "rendered") -> str:
            seen = [t[mark] for t in times[name]]
            return f"(runs {min(seen):.2f}–{max(seen):.2f} s)"

        minimal = median("minimal")
        print(f"\nCold start of `streamlit run` to the first page in Chromium (median of {args.cold}, in turn)")
        print(f"  minimal one-table app, table shown               : {minimal:6.2f} s  {spread('minimal')}")
        print(
            f"  (reference) same + one plotly chart, chart drawn  : {median('minimal + plotly'):6.2f} s"
            f"  = {median('minimal + plotly') / minimal:4.2f}x minimal  {spread('minimal + plotly')}"
        )
        for mark, what in (
            ("rendered", "first run done, page shown"),
            ("themes drawn", "theme chart drawn"),
            ("map drawn", "map drawn"),
        ):
            ratio = median("dashboard", mark) / minimal
            print(
                f"  dashboard overview, {what:29}: {median('dashboard', mark):6.2f} s  = {ratio:4.2f}x minimal "
                f"(target <= 1.5x: {'ok' if ratio <= 1.5 else 'OVER'})  {spread('dashboard', mark)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
