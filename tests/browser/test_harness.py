"""Proves the browser harness on a tiny throwaway app (not the project's app.py): it serves the project's static/
with its .streamlit/config.toml, and it catches a request that leaves the machine. A plotly geo map is the probe,
as plotly fetches its topojson from a CDN unless told to take it from /app/static/ (the dashboard's own map is
Vega-Lite; tests/browser/test_pages.py checks that it draws from static/)."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from tests.browser.harness import REPO_ROOT, assert_no_exception, wait_for_app

TINY_APP = textwrap.dedent(
    """
    import pandas as pd
    import plotly.express as px
    import streamlit as st

    st.title("Harness check")
    if st.query_params.get("boom") == "1":
        raise RuntimeError("boom on purpose")
    df = pd.DataFrame(
        {"name": ["Geneva", "Nairobi", "New York"],
         "lat": [46.2, -1.29, 40.7], "lon": [6.14, 36.8, -74.0]}
    )
    fig = px.scatter_geo(df, lat="lat", lon="lon", hover_name="name")
    # ?cdn=1 leaves plotly's default topojsonURL (its CDN): the harness must catch that request.
    config = {} if st.query_params.get("cdn") == "1" else {"topojsonURL": "/app/static/"}
    st.plotly_chart(fig, config=config)
    """
)

# Land, coastline and country paths plotly draws from the topojson.
GEO_PATHS = ".js-plotly-plot .geo .layer.land path, .js-plotly-plot .geo .layer.coastlines path"


@pytest.fixture(scope="module")
def tiny_app(tmp_path_factory, streamlit_server) -> str:
    app_dir = tmp_path_factory.mktemp("tiny_app")
    (app_dir / "app.py").write_text(TINY_APP)
    shutil.copytree(REPO_ROOT / "static", app_dir / "static")
    shutil.copytree(REPO_ROOT / ".streamlit", app_dir / ".streamlit")
    return streamlit_server(app_dir / "app.py", cwd=app_dir)


def _geo_path_length(page) -> int:
    return page.eval_on_selector_all(
        GEO_PATHS, "els => els.reduce((n, e) => n + (e.getAttribute('d') || '').length, 0)"
    )


def test_page_renders(page, tiny_app):
    page.goto(tiny_app)
    wait_for_app(page)
    assert page.get_by_role("heading", name="Harness check").is_visible()
    assert_no_exception(page)
    assert page.external_requests == []


def test_geo_map_draws_offline_from_static(page, tiny_app):
    topojson = []
    page.on("response", lambda r: topojson.append(r.status) if "world_110m.json" in r.url else None)
    page.goto(tiny_app)
    wait_for_app(page)
    page.wait_for_function(
        f"() => [...document.querySelectorAll({GEO_PATHS!r})].some(e => (e.getAttribute('d') || '').length > 1000)",
        timeout=20_000,
    )
    assert topojson == [200], "the topojson should come once from /app/static/"
    assert _geo_path_length(page) > 10_000  # real coastlines, not an empty frame
    assert_no_exception(page)
    assert page.external_requests == []


def test_external_requests_are_caught(page, tiny_app):
    page.goto(f"{tiny_app}/?cdn=1")
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot .geo') !== null", timeout=20_000)
    page.wait_for_timeout(500)
    assert any("world_110m.json" in url for url in page.external_requests), page.external_requests
    assert _geo_path_length(page) < 1000  # blocked: no coastlines


def test_assert_no_exception_sees_errors(page, tiny_app):
    page.goto(f"{tiny_app}/?boom=1")
    wait_for_app(page)
    # The project's config shows no error details (client.showErrorDetails = "none"), so the page says only that an
    # error happened; the harness must still see it, and the details must not reach the screen.
    with pytest.raises(AssertionError, match="This app has encountered an error") as caught:
        assert_no_exception(page)
    assert "boom on purpose" not in str(caught.value)
