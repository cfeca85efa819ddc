"""Where the time of one Theme pick goes (run on demand; prints figures, asserts nothing).

Three apps take turns in one run, in headless Chromium against `streamlit run`: the project's Explore page, a
minimal app (one multiselect, one grid of the same CSV) and a rich reference (11 multiselects whose labels carry
counts that change with each pick, a search box, the 118-row grid with wrapped 80 px rows, three lazy download
buttons). Each pick adds one theme (after four, the filter is cleared, untimed). For each pick, from the DevTools
protocol and a Chromium performance trace:

- total: from the click to the updated "Showing" line with the app done running (as bench_interaction);
- before send: from the click to the rerun request leaving the browser (the widget's own handling);
- server: from that request to the last message of the run arriving (the script's run; on this loopback
  connection the transfer inside it is a few ms);
- transfer: the messages and bytes the run sent (each message is an element or a finished run);
- after: from the last message to done (the browser drawing what came);
- main thread busy: the renderer's main-thread tasks during the pick (trace: RunTask on CrRendererMain).

    .venv/bin/python -m bench.bench_pick [--picks 6] [--rounds 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from bench.bench_interaction import MINIMAL_APP, showing  # the same minimal app and reading in both benchmarks
from tests.browser.harness import APP_READY, CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, StreamlitServer

CSV = REPO_ROOT / "data" / "recommendations.csv"

RICH_APP = textwrap.dedent("""
    import pandas as pd
    import streamlit as st

    COLUMNS = ["themes", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics", "event_id",
               "source", "record_type", "primary_theme", "list_id"]

    @st.cache_data
    def load():
        records = pd.read_csv("{csv}", dtype=str, keep_default_na=False)
        return records, {c: records[c].str.split(";").map(lambda v: {x.strip() for x in v if x.strip()})
                         for c in COLUMNS}

    records, sets = load()
    chosen = {c: st.session_state.get("flt_" + c, []) for c in COLUMNS}
    query = st.session_state.get("flt_query", "")

    def mask(skip=None):
        keep = pd.Series(True, index=records.index)
        for c, values in chosen.items():
            if values and c != skip:
                keep &= sets[c].map(lambda s: bool(s & set(values)))
        if query:
            keep &= records["text"].str.contains(query, case=False, regex=False)
        return keep

    with st.sidebar:
        st.text_input("Search the text", key="flt_query")
        for c in COLUMNS:
            options = sorted(set().union(*sets[c]))
            base = sets[c][mask(skip=c)]
            counts = {o: int(base.map(lambda s: o in s).sum()) for o in options}
            label = "Theme" if c == "themes" else c.replace("_", " ").capitalize()
            st.multiselect(label, options, key="flt_" + c, format_func=lambda o, n=counts: f"{n[o]:,} · {o}")
    shown = records[mask()]
    st.markdown(f"Showing **{len(shown)}** of {len(records)} records")
    st.dataframe(shown[["id", "event_id", "text", "themes", "topics"]], hide_index=True, row_height=80,
                 column_config={"text": st.column_config.TextColumn(width="large")})
    for fmt in ("csv", "json", "txt"):
        st.download_button(fmt, data=lambda: shown.to_csv(), file_name="x." + fmt, on_click="ignore", key=fmt)
""")

# The dashboard's and the rich app's options read "40 · Protection" / "40 · protection"; the minimal app's
# "protection".
PICKS = {
    "project": ["Protection", "Prosecution", "Prevention", "Cooperation"],
    "minimal": ["protection", "prosecution", "prevention", "cooperation"],
    "rich": ["protection", "prosecution", "prevention", "cooperation"],
}
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"]


class Recorder:
    """WebSocket frames and trace events of one page, through a CDP session."""

    def __init__(self, context, page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.frames: list[tuple[str, float, int]] = []  # (sent|received, monotonic s, bytes)
        self.events: list[dict] = []
        self.done = False
        self.cdp.on("Network.webSocketFrameSent", lambda e: self._frame("sent", e))
        self.cdp.on("Network.webSocketFrameReceived", lambda e: self._frame("received", e))
        self.cdp.on("Tracing.dataCollected", lambda e: self.events.extend(e["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda e: setattr(self, "done", True))
        self.cdp.send("Network.enable")

    def _frame(self, kind: str, event: dict) -> None:
        self.frames.append((kind, event["timestamp"], len(event["response"]["payloadData"])))

    def start(self) -> None:
        self.frames.clear()
        self.events.clear()
        self.done = False
        self.cdp.send("Tracing.start", {"traceConfig": {"includedCategories": TRACE_CATEGORIES}})

    def stop(self, page) -> None:
        self.cdp.send("Tracing.end")
        while not self.done:
            page.wait_for_timeout(20)


def split(recorder: Recorder, total: float) -> dict[str, float]:
    """The pick's parts from its frames and trace (see the module docstring)."""
    sent = [t for kind, t, _ in recorder.frames if kind == "sent"]
    received = [(t, size) for kind, t, size in recorder.frames if kind == "received"]
    mains = {
        (e["pid"], e["tid"])
        for e in recorder.events
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    tasks = [e for e in recorder.events if e.get("name") == "RunTask" and (e.get("pid"), e.get("tid")) in mains]
    busy = sum(e.get("dur", 0) for e in tasks) / 1e6
    start = min((e["ts"] for e in tasks), default=0) / 1e6  # trace clock = the protocol's monotonic clock
    first_sent = sent[0] if sent else start
    last_received = max((t for t, _ in received), default=first_sent)
    return {
        "total": total,
        "before send": max(first_sent - start, 0.0),
        "server": last_received - first_sent,
        "after": max(total - (last_received - start), 0.0),
        "messages": len(received),
        "kB": sum(size for _, size in received) / 1000,
        "busy": busy,
    }


def picks(context, url: str, labels: list[str], count: int) -> list[dict[str, float]]:
    page = context.new_page()
    recorder = Recorder(context, page)
    page.goto(url)
    page.wait_for_selector(APP_READY, state="attached", timeout=120_000)
    page.wait_for_timeout(1000)
    box = page.locator("[data-testid='stSidebar'] .st-key-flt_themes")
    out: list[dict[str, float]] = []
    while len(out) < count:
        for label in labels:
            if len(out) >= count:
                break
            box.get_by_role("combobox").click()
            option = page.get_by_role("option", name=label, exact=False).filter(has_text=label).first
            before = showing(page)
            recorder.start()
            begin = time.perf_counter()
            option.click()
            page.wait_for_function("(old) => !document.body.innerText.includes(old)", arg=before, timeout=60_000)
            page.wait_for_selector(APP_READY, state="attached", timeout=60_000)
            total = time.perf_counter() - begin
            page.wait_for_timeout(300)  # tasks that run after the line changed still count as busy
            recorder.stop(page)
            out.append(split(recorder, total))
            page.locator("[data-testid='stSidebar'] label").first.click()  # close the list, as a person does
            page.wait_for_timeout(700)
        box.get_by_role("button", name="Clear all").click()
        page.wait_for_selector(APP_READY, state="attached", timeout=60_000)
        page.wait_for_timeout(700)
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picks", type=int, default=6, help="picks per app and round (default 6)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the three apps in turn (default 1)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        apps = {"minimal": MINIMAL_APP, "rich": RICH_APP}
        servers = {"project": StreamlitServer(REPO_ROOT / "app.py", cwd=REPO_ROOT)}
        for name, source in apps.items():
            path = Path(tmp) / f"{name}_app.py"
            path.write_text(source.replace("{csv}", str(CSV)), encoding="utf-8")
            servers[name] = StreamlitServer(path, cwd=tmp)
        urls = {name: server.start() + ("/explore" if name == "project" else "") for name, server in servers.items()}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in urls}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
                for _ in range(args.rounds):
                    for name, url in urls.items():  # in turn, so all see the same machine
                        context = browser.new_context(viewport={"width": 1400, "height": 1000})
                        results[name] += picks(context, url, PICKS[name], args.picks)
                        context.close()
                browser.close()
        finally:
            for server in servers.values():
                server.close()
    parts = ["total", "before send", "server", "after", "busy", "messages", "kB"]
    runs = len(results["minimal"])
    print(f"One Theme pick, medians of {runs} (ms; messages and kB per run)")
    print(f"  {'app':8}" + "".join(f"{part:>13}" for part in parts) + f"{'x minimal':>11}")
    minimal = statistics.median(r["total"] for r in results["minimal"])
    for name, rows in results.items():
        medians = {part: statistics.median(r[part] for r in rows) for part in parts}
        cells = "".join(f"{medians[part] * (1 if part in ('messages', 'kB') else 1000):13.0f}" for part in parts)
        print(f"  {name:8}{cells}{medians['total'] / minimal:10.2f}x")
    print("Target (issue 24): the project within 1.3x of the minimal app; the rich reference shows the floor.")


if __name__ == "__main__":
    main()
