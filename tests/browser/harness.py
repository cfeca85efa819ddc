"""Helpers for the browser tests: start `streamlit run`, wait for the page, check for errors.

Fixtures built on these live in tests/browser/conftest.py. Import the helpers in a test with

    from tests.browser.harness import wait_for_app, assert_no_exception
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

APP_READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
ERROR_ALERT = "[data-testid='stAlertContentError']"


def is_external(url: str) -> bool:
    """True for a network URL whose host is not this machine (data:, blob:, about: are local)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss", "ftp"):
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


class StreamlitServer:
    """`python -m streamlit run APP` on 127.0.0.1 and a free port, until stop()."""

    def __init__(
        self,
        app: Path | str,
        cwd: Path | str | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 60.0,
        logdir: Path | str | None = None,
    ) -> None:
        self.app = Path(app).resolve()
        # Streamlit reads .streamlit/config.toml from the working directory.
        self.cwd = Path(cwd).resolve() if cwd is not None else self.app.parent
        self.extra_args = list(extra_args)
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._own_logdir = logdir is None  # a temp dir of ours, removed by close()
        logdir = Path(logdir) if logdir is not None else Path(tempfile.mkdtemp(prefix="streamlit-"))
        self.logdir = logdir
        logdir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = logdir / "stdout.log"
        self.stderr_path = logdir / "stderr.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        if not self.app.is_file():
            raise RuntimeError(f"Streamlit app {self.app} does not exist")
        for attempt in range(3):  # a free port can be taken between probing and binding it
            self.port = free_port()
            cmd = [
                sys.executable, "-m", "streamlit", "run", str(self.app),
                "--server.headless", "true",
                "--server.address", "127.0.0.1",
                "--server.port", str(self.port),
                "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
                *self.extra_args,
            ]  # fmt: skip
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.proc = subprocess.Popen(
                    cmd, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=err, start_new_session=True,
                )  # fmt: skip
            if self._wait_healthy():
                return self.url
            code = self.proc.poll()
            in_use = "already in use" in _tail(self.stderr_path) + _tail(self.stdout_path)
            self.stop()
            if not in_use or attempt == 2:
                break
        if code is not None:
            why = f"exited with code {code}"
        else:
            why = f"gave no 'ok' in {self.timeout:.0f} s"
        raise RuntimeError(
            f"Streamlit server for {self.app} {why} ({self.url}/_stcore/health, cwd {self.cwd}).\n"
            f"--- stderr (tail) ---\n{_tail(self.stderr_path)}\n"
            f"--- stdout (tail) ---\n{_tail(self.stdout_path)}"
        )

    def _wait_healthy(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with opener.open(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200 and resp.read().strip() == b"ok":
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: only what it started
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def close(self) -> None:
        """stop(), and remove the log dir if this object made it."""
        self.stop()
        if self._own_logdir:
            shutil.rmtree(self.logdir, ignore_errors=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def wait_for_app(page, timeout: float = 30_000, settle_ms: int = 300) -> None:
    """Wait until Streamlit has finished running the script and the page has settled.

    Waits for the app to report `notRunning`, pauses `settle_ms`, and waits again, so a rerun
    that started in between (widgets, query params) is waited for as well.
    """
    page.wait_for_selector(APP_READY, state="attached", timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(APP_READY, state="attached", timeout=timeout)


# Each chart on the page, when drawn: plotly's SVG, Vega's marks, and a Vega map's shapes too (they wait for the
# topojson to arrive, after the rest of the chart). Both libraries draw after the script has finished.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(c => c.querySelector('svg.marks .role-mark'))
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"] .mark-shape')].every(g => g.querySelector('path'))"""


def wait_for_charts(page, timeout: float = 30_000, settle_ms: int = 300) -> None:
    """Wait until every chart on the page has drawn (or there is none), to check or show it as a person sees it;
    then again after ``settle_ms``, as a chart drawn again after a rerun starts empty."""
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)


def assert_no_exception(page) -> None:
    """Fail when the page shows a Python exception or an st.error box."""
    problems = []
    for selector, what in ((EXCEPTION, "exception"), (ERROR_ALERT, "error alert")):
        for element in page.locator(selector).all():
            problems.append(f"{what}: {element.inner_text().strip()[:2000]}")
    assert not problems, "the page shows errors:\n" + "\n".join(problems)
