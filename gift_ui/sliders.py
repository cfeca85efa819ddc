"""A select-slider whose value lives in the URL (one page setting), for the similarity pages' thresholds."""

from __future__ import annotations

import streamlit as st

import gift_ui


def url_select_slider(label: str, options: list[float], *, url_key: str, default: float, notices: list[str],
                      help: str) -> float:
    """The chosen value: from the URL on arrival (an unknown value is dropped with a notice and the default
    used), then from the slider; written back to the URL, and removed from it when it is the default."""
    widget, seen = f"slider_{url_key}", f"_slider_{url_key}_url"
    allowed = [f"{o:.2f}" for o in options]
    from_url = float(gift_ui.page_param(url_key, allowed, f"{default:.2f}", notices))
    # The URL wins when it changed outside the slider (first visit, a shared link).
    if st.session_state.get(seen) != from_url or widget not in st.session_state:
        st.session_state[widget] = from_url
    value = st.select_slider(label, options, key=widget, format_func=lambda o: f"{o:.2f}", help=help)
    st.session_state[seen] = value
    gift_ui.set_page_params(**{url_key: None if value == default else f"{value:.2f}"})
    return value
