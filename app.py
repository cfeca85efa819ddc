"""GIFT Recommendations Dashboard: `streamlit run app.py` (scripts/dashboard.sh) serves it.

Streamlit reads this file in two ways. The server imports it to find ``app`` and, as it starts, warms up in the
background: it imports what the first page needs (pandas, SQLAlchemy, the core: most of a second) while the
browser is still loading the page, and starts the sweeper of closed tabs (issue 10). The same server answers the
published data over HTTP under /api/ (gift_dash.api). Every browser session then runs this file as its script, which
only routes to the pages (the sidebar carries the filters).
"""

import contextlib
import importlib
import logging
import threading

import anyio
import streamlit as st
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from streamlit.runtime.scriptrunner import get_script_run_ctx


def _warm_up() -> None:
    from gift_ui import sessions  # most of the warm-up: gift_ui imports pandas, SQLAlchemy and the core

    sessions.start()
    try:
        from gift_ui.navigation import import_first_page_modules

        import_first_page_modules()
    except Exception:  # the first page then imports them itself, and shows what fails
        logging.getLogger(__name__).exception("warming up the first page's imports failed")


@contextlib.asynccontextmanager
async def _lifespan(_app):
    threading.Thread(target=_warm_up, name="gift-warm-up", daemon=True).start()
    yield


_api_router = None


async def _api(scope, receive, send) -> None:
    # gift_dash.api imports pandas and the core (most of a second): imported on the first request, in a worker
    # thread, and not as the server starts, which would delay every start (the pages' warm-up does the same).
    global _api_router
    if _api_router is None:
        _api_router = (await anyio.to_thread.run_sync(importlib.import_module, "gift_dash.api")).router
    await _api_router(scope, receive, send)


if get_script_run_ctx(suppress_warning=True) is None:  # imported by the server
    # "/api" itself too: it would be the app's HTML page, answered with a 200.
    api_routes = [Mount("/api", app=_api), Route("/api", lambda _request: RedirectResponse("/api/"))]
    app = st.App(__file__, lifespan=_lifespan, routes=api_routes)
else:  # run by a browser session (or AppTest)
    import gift_ui

    gift_ui.navigation().run()
