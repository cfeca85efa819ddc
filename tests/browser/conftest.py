"""Fixtures for browser tests: a real `streamlit run` server driven by Debian's Chromium.

Everything under tests/browser is marked `browser` (deselect with `-m "not browser"`).

Fixtures
  app_server       session  base URL of `streamlit run app.py` started from the repo root.
                            Parametrize indirectly with another app path to test another app.
  streamlit_server session  factory: streamlit_server(app_path, cwd=None, extra_args=()) -> URL;
                            one server per (app, cwd, args), all stopped at the end of the session.
  browser          session  Chromium from $CHROMIUM_PATH (default /usr/bin/chromium), headless.
  page             function fresh context + page. Requests to any host other than this machine are
                            ABORTED and listed in `page.external_requests` (URLs), so a test can
                            `assert page.external_requests == []`. `page.console_errors` collects
                            console errors and uncaught page errors.
Helpers: `from tests.browser.harness import wait_for_app, assert_no_exception`.
On a failing test, a full-page screenshot is written to artifacts/browser/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.harness import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    REPO_ROOT,
    StreamlitServer,
    is_external,
)

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    servers: dict[tuple, StreamlitServer] = {}

    def start(app_path, cwd=None, extra_args=()) -> str:
        key = (str(Path(app_path).resolve()), str(cwd), tuple(extra_args))
        if key not in servers:
            logdir = tmp_path_factory.mktemp("streamlit-server")  # its stdout/stderr logs
            server = StreamlitServer(app_path, cwd=cwd, extra_args=extra_args, logdir=logdir)
            try:
                server.start()
            except RuntimeError as exc:
                pytest.fail(str(exc), pytrace=False)
            servers[key] = server
        return servers[key].url

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server(request, streamlit_server) -> str:
    app = Path(getattr(request, "param", REPO_ROOT / "app.py"))
    if not app.is_absolute():
        app = REPO_ROOT / app
    if not app.is_file():
        pytest.fail(f"app_server: {app} does not exist", pytrace=False)
    # From the repo root, so .streamlit/config.toml and the data paths are the project's.
    cwd = REPO_ROOT if app.parent == REPO_ROOT else app.parent
    return streamlit_server(app, cwd=cwd)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM_PATH).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM_PATH}: run `bash scripts/test.sh` (installs Debian's "
            "chromium) or set CHROMIUM_PATH. Browser tests are never skipped.",
            pytrace=False,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        service_workers="block",  # so every request goes through the route below
    )
    page = context.new_page()
    page.external_requests = []
    page.console_errors = []

    def guard(route):
        url = route.request.url
        if is_external(url):
            page.external_requests.append(url)
            route.abort()
        else:
            route.fallback()

    context.route("**/*", guard)
    if hasattr(context, "route_web_socket"):  # playwright >= 1.48: outside websockets too

        def guard_ws(ws):
            page.external_requests.append(ws.url)
            ws.close()

        context.route_web_socket(is_external, guard_ws)

    page.on(
        "console",
        lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: page.console_errors.append(f"pageerror: {exc}"))

    yield page

    report = getattr(request.node, "_report_call", None)
    if report is not None and report.failed:
        out = REPO_ROOT / "artifacts" / "browser"
        out.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must not hide the test's own failure
            print(f"could not save a screenshot: {exc}")
    context.close()
