"""Shared by the AppTest modules: an empty st.cache_data for every test, and `open_page` to run one page of app.py
with URL parameters (asserting it raised nothing)."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(autouse=True)
def clear_streamlit_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def open_page():
    """open_page("pages/explore.py", theme="protection") -> the AppTest after its first run."""

    def run(page: str, **params) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=90)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run
