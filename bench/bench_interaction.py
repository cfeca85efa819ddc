"""Benchmark of one interaction in the browser (run on demand; prints figures, asserts nothing).

From a person's pick of a sidebar option to the updated "Showing N" line and table, in headless Chromium against
`streamlit run`, beside a minimal Streamlit app (one multiselect, one st.dataframe of the same CSV) measured in
the same run, in turn. Also the first load of each (navigation to the first rendered table). Target: a pick
within 1.3x of the minimal app.

    .venv/bin/python -m bench.bench_interaction [--picks 12] [--loads 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from tests.browser.harness import APP_READY, CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, StreamlitServer

MINIMAL_APP = textwrap.dedent("""
    import pandas as pd
    import streamlit as st

    records = pd.read_csv("{csv}", dtype=str, keep_default_na=False)
    themes = sorted({t.strip() for cell in records["themes"] for t in cell.split(";") if t.strip()})
    with st.sidebar:
        chosen = st.multiselect("Theme", themes, key="flt_themes")
    shown = records[records["themes"].map(lambda c: any(t in c for t in chosen))] if chosen else records
    st.markdown(f"Showing **{len(shown)}** of {len(records)} records")
    st.dataframe(shown[["id", "text", "themes"]], hide_index=True)
""")
# The dashboard's options read "40 · Protection"; the minimal app's "protection".
PICKS = {
    "dashboard": ["Protection", "Prosecution", "Prevention", "Cooperation"],
    "minimal": ["protection", "prosecution", "prevention", "cooperation"],
}


def showing(page) -> str:
    return page.get_by_text("Showing").first.inner_text()


def first_load(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=120_000)
    page.wait_for_selector(APP_READY, state="attached", timeout=120_000)
    return time.perf_counter() - start


def pick_times(page, url: str, labels: list[str], picks: int) -> list[float]:
    """Seconds from the click on an option to the new "Showing" line, the app done running; each pick adds one
    theme, and after all four are chosen the filter is cleared (not timed) and the round starts again."""
    page.goto(url)
    page.wait_for_selector(APP_READY, state="attached", timeout=120_000)
    page.wait_for_timeout(1000)
    box = page.locator("[data-testid='stSidebar'] .st-key-flt_themes")
    times = []
    while len(times) < picks:
        for label in labels:
            if len(times) >= picks:
                break
            box.get_by_role("combobox").click()
            option = page.get_by_role("option", name=label, exact=False).filter(has_text=label).first
            before = showing(page)
            start = time.perf_counter()
            option.click()
            page.wait_for_function("(old) => !document.body.innerText.includes(old)", arg=before, timeout=60_000)
            page.wait_for_selector(APP_READY, state="attached", timeout=60_000)
            times.append(time.perf_counter() - start)
            page.locator("[data-testid='stSidebar'] label").first.click()  # close the list, as a person does
            page.wait_for_timeout(700)
        box.get_by_role("button", name="Clear all").click()
        page.wait_for_selector(APP_READY, state="attached", timeout=60_000)
        page.wait_for_timeout(700)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picks", type=int, default=12)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(
            MINIMAL_APP.replace("{csv}", str(REPO_ROOT / "data" / "recommendations.csv")), encoding="utf-8"
        )
        servers = {
            "dashboard": StreamlitServer(REPO_ROOT / "app.py", cwd=REPO_ROOT),
            "minimal": StreamlitServer(minimal, cwd=tmp),
        }
        urls = {name: server.start() for name, server in servers.items()}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
                loads = {name: [] for name in urls}
                picks = {name: [] for name in urls}
                for _ in range(args.loads):
                    for name, url in urls.items():  # in turn, so both see the same machine
                        context = browser.new_context(viewport={"width": 1400, "height": 1000})
                        loads[name].append(
                            first_load(context.new_page(), url + ("/explore" if name == "dashboard" else ""))
                        )
                        context.close()
                for name, url in urls.items():
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    page_url = url + ("/explore" if name == "dashboard" else "")
                    picks[name] = pick_times(page, page_url, PICKS[name], args.picks)
                    context.close()
                browser.close()
        finally:
            for server in servers.values():
                server.close()
    median = {name: statistics.median(values) for name, values in picks.items()}
    load = {name: statistics.median(values) for name, values in loads.items()}
    print(f"pick -> updated table, median of {args.picks} (seconds):")
    for name in urls:
        print(f"  {name:10s} {median[name]:.3f}  (p90 {statistics.quantiles(picks[name], n=10)[-1]:.3f})")
    print(f"  ratio      {median['dashboard'] / median['minimal']:.2f}x  (target <= 1.3x)")
    print(f"first load to the table, median of {args.loads} (seconds):")
    for name in urls:
        print(f"  {name:10s} {load[name]:.2f}")
    print(f"  ratio      {load['dashboard'] / load['minimal']:.2f}x")


if __name__ == "__main__":
    main()
