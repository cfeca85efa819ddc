"""Memory of closed tabs (issue 10): N browser sessions each upload a ~10 MB records file on "Add records" and close;
the server's resident size (RSS) before, at its peak, and every 10 s for the idle minutes after the last tab closed.
Target: back within 150 MB of the baseline within 3 minutes of the last close.

    .venv/bin/python -m bench.session_memory [--sessions 20] [--mb 10] [--idle 180] [--without-release]

Loopback only (`streamlit run app.py` on 127.0.0.1, Debian's Chromium), one session at a time, bounded by
--sessions and --idle. The server runs with PYTHONMALLOC=malloc, as scripts/dashboard.sh starts it (set
PYTHONMALLOC=pymalloc to compare). ``--without-release`` runs the same with main's app.py (no gift_ui.sessions sweep), written
for the run as a temporary file beside app.py and removed after. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.server_stats import Sampler, rss_mib
from bench.upload_scale import rows
from tests.browser.harness import CHROMIUM_ARGS, CHROMIUM_PATH, StreamlitServer, wait_for_app

ROOT = Path(__file__).resolve().parents[1]

WITHOUT_RELEASE = (
    '"""main\'s app.py, for bench/session_memory.py --without-release."""\nimport gift_ui\n\n'
    "gift_ui.navigation().run()\n"
)


def records_file(mb: float) -> bytes:
    n = 1000
    while len(data := rows(n).to_csv(index=False).encode()) < mb * 2**20:
        n = int(n * mb * 2**20 / len(data)) + 1
    return data


def upload_and_close(browser, base: str, data: bytes) -> float:
    context = browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{base}/upload")
    wait_for_app(page, timeout=120_000)
    page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']").set_input_files(
        files=[{"name": "records.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_text("Rows added").wait_for(timeout=180_000)
    wait_for_app(page, timeout=120_000)
    context.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--idle", type=int, default=180, help="seconds of idle sampling after the last close")
    parser.add_argument("--without-release", action="store_true", help="main's app.py, for comparison")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PYTHONMALLOC", "malloc")  # the server as scripts/dashboard.sh starts it
    data = records_file(args.mb)
    app, temporary = ROOT / "app.py", None
    if args.without_release:
        temporary = Path(tempfile.mkstemp(prefix="_bench_app_", suffix=".py", dir=ROOT)[1])
        temporary.write_text(WITHOUT_RELEASE)
        app = temporary
    server = StreamlitServer(app, cwd=ROOT)
    try:
        base = server.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            context = browser.new_context()  # warm-up: the shipped data loaded and cached, as on any server
            page = context.new_page()
            page.goto(f"{base}/upload")
            wait_for_app(page, timeout=120_000)
            context.close()
            time.sleep(5)
            baseline = rss_mib(server.proc.pid)
            sampler = Sampler(server.proc.pid)
            sampler.start()
            print(
                f"{'without' if args.without_release else 'with'} gift_ui.sessions, PYTHONMALLOC="
                f"{os.environ['PYTHONMALLOC']}; {args.sessions} sessions, "
                f"{len(data) / 2**20:.1f} MiB each; TTL from .streamlit/config.toml"
            )
            print(f"RSS baseline {baseline:.0f} MiB")
            for n in range(1, args.sessions + 1):
                seconds = upload_and_close(browser, base, data)
                print(
                    f"  session {n:2}: upload to report and close {seconds:5.1f} s, RSS {rss_mib(server.proc.pid):.0f} MiB"
                )
            browser.close()
        closed = time.monotonic()
        within = None
        print(f"RSS peak {sampler.peak:.0f} MiB; after the last close:")
        while (elapsed := time.monotonic() - closed) <= args.idle:
            now = rss_mib(server.proc.pid)
            if within is None and now - baseline <= 150:
                within = elapsed
            print(f"  +{elapsed:4.0f} s  {now:6.0f} MiB  ({now - baseline:+.0f} MiB)")
            time.sleep(10)
        sampler.running = False
        print(
            "within 150 MB of the baseline "
            + (f"after {within:.0f} s" if within is not None else f"not within {args.idle} s")
        )
    finally:
        server.close()
        if temporary is not None:
            temporary.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
