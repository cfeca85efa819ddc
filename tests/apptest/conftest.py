"""Shared by the AppTest modules: every test starts with an empty st.cache_data, so no test sees another's data."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def clear_streamlit_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()
