"""The app on a follow-up store of its own, for browser tests that need entries or accounts: a temporary
GIFT_STATE_DIR, filled through the store's API before `streamlit run` starts (the server inherits the folder)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from gift_dash.followup import db
from tests.browser.harness import REPO_ROOT, StreamlitServer, wait_for_app


@contextmanager
def app_on_a_store(tmp_path_factory, fill: Callable) -> Iterator[tuple[str, object]]:
    """(base URL, engine) of the app on a new store that ``fill(engine)`` has filled; stopped on leaving."""
    state = tmp_path_factory.mktemp("followup-state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(db.STATE_DIR_ENV, str(state))
        patch.delenv(db.DATABASE_URL_ENV, raising=False)
        url = db.database_url()
        engine = db.engine_for(url)
        fill(engine)
        server = StreamlitServer(REPO_ROOT / "app.py", cwd=REPO_ROOT, logdir=state / "logs")
        try:
            server.start()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        try:
            yield server.url, engine  # with the folder still in the environment, as the server has it
        finally:
            server.stop()
            db.dispose(url)


def sign_in(page, name: str, password: str) -> None:
    """Sign in with the first sign-in form on the page, as a person types it, and wait until the page says so."""
    form = page.locator("[data-testid='stForm']").filter(has_text="Account name").first
    form.get_by_label("Account name").fill(name)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").first.wait_for(timeout=30_000)
    wait_for_app(page)
