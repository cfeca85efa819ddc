"""A select-slider whose value lives in the URL (one page setting), for the similarity pages' thresholds."""

from __future__ import annotations

import streamlit as st

from gift_ui.address import page_param, page_widget


def url_select_slider(
    label: str, options: list[float], *, url_key: str, default: float, notices: list[str], help: str
) -> float:
    """The chosen value, from the address (an unknown value is dropped with a notice and the default used); a
    person's move goes into the address (the default as no key)."""
    value = float(page_param(url_key, [f"{o:.2f}" for o in options], f"{default:.2f}", notices))
    return st.select_slider(
        label,
        options,
        format_func=lambda o: f"{o:.2f}",
        help=help,
        **page_widget(url_key, value, default, encode=lambda v: f"{v:.2f}"),
    )
