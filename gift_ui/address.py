"""The one place where the view state a person sets is read from and written to the address (st.query_params).

The address is the view state: every run parses it (untrusted) into `Filters`; a person's edit to a sidebar
widget enters through that widget's on_change callback, which writes the new value into the address before the
run starts; the widgets are then drawn *from* the address. Nothing reads a widget's value after drawing it, so
an option label that changes with its count (Streamlit identifies a chosen option by its label) can never drop
or change a filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import streamlit as st

from gift_dash import filters as flt
from gift_dash.data import Dataset
from gift_dash.dimensions import Dimension

FILTER_KEYS = frozenset(flt.URL_KEYS.values())


def _raw() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def read_filters(
    ds: Dataset, page_keys: Iterable[str] = (), unavailable: Iterable[Dimension] = ()
) -> tuple[flt.Filters, list[str]]:
    """The filters in the address, with a notice for each value dropped. An address that holds anything other
    than the filters' own form (unknown keys, invalid or repeated values) is rewritten to that form, keeping the
    page's own keys, so the notice is shown once and a copied link is clean. ``unavailable`` are the joined
    dimensions that cannot be applied now (no follow-up store): their values are dropped, with a notice."""
    page_keys = tuple(page_keys)
    raw = _raw()
    filters, notices = flt.from_query_params(raw, ds.codebook, ds.events, page_keys=page_keys)
    for dim in unavailable:
        if getattr(filters, dim.field):
            notices.append(
                f"Left out {dim.key}={', '.join(getattr(filters, dim.field))}: the follow-up store cannot be opened."
            )
            filters = replace(filters, **{dim.field: ()})
    canonical = flt.to_query_params(filters)
    if canonical != {key: values for key, values in raw.items() if key not in page_keys}:
        st.query_params.from_dict({**canonical, **{key: raw[key] for key in page_keys if key in raw}})
    return filters, notices


def current_filters(ds: Dataset) -> flt.Filters:
    """The filters in the address as they stand (for callbacks, which run before the page reads it)."""
    raw = _raw()
    filters, _ = flt.from_query_params(raw, ds.codebook, ds.events, page_keys=set(raw) - FILTER_KEYS)
    return filters


def write_filters(filters: flt.Filters) -> None:
    """Put ``filters`` in the address in place of the filters there, keeping every other key."""
    raw = _raw()
    params = {**flt.to_query_params(filters), **{k: v for k, v in raw.items() if k not in FILTER_KEYS}}
    if params != raw:
        st.query_params.from_dict(params)


def page_param(key: str, allowed: Iterable[str], default: str, notices: list[str]) -> str:
    """A page's own URL setting (one value from ``allowed``); anything else, or a repeated key, is reported in
    ``notices`` and the address keeps only the value used (nothing, for the default)."""
    allowed = list(allowed)
    raw = st.query_params.get_all(key)
    value = flt.single_value(key, flt.url_strings(key, raw, notices), notices)
    if value is None:
        value = default
    elif value not in allowed:
        expected = f"expected one of {', '.join(allowed)}" if len(allowed) <= 12 else "not a known value"
        notices.append(f"Ignored {key}={flt.shown(value)} in the address: {expected}.")
        value = default
    if raw and raw != [value]:
        set_page_params(**{key: None if value == default else value})
    return value


def page_date(key: str, default: date, notices: list[str], earliest: date, latest: date) -> date:
    """A page's own date setting (YYYY-MM-DD, between ``earliest`` and ``latest``); anything else, or a repeated
    key, is reported in ``notices`` and the address keeps only the date used (nothing, for the default)."""
    raw = st.query_params.get_all(key)
    text = flt.single_value(key, flt.url_strings(key, raw, notices), notices)
    value = default
    if text is not None:
        try:
            value = date.fromisoformat(text)
        except ValueError:
            notices.append(f"Ignored {key}={flt.shown(text)} in the address: expected a date as YYYY-MM-DD.")
        else:
            if not earliest <= value <= latest:
                notices.append(f"Ignored {key}={text} in the address: expected a date from {earliest} to {latest}.")
                value = default
    if raw and raw != [value.isoformat()]:
        set_page_params(**{key: None if value == default else value.isoformat()})
    return value


def set_page_params(**values: str | list[str] | None) -> None:
    """Write a page's own settings to the address in one change (None, "" or [] removes a key; a list repeats
    it): one change is one step of the browser's history, so Back undoes what the person did, not half of it."""
    if FILTER_KEYS.intersection(values):
        raise ValueError("filters are written with write_filters")
    raw = _raw()
    params = {k: v for k, v in raw.items() if k not in values}
    params |= {k: list(v) if isinstance(v, list) else [v] for k, v in values.items() if v not in (None, "", [])}
    if params != raw:
        st.query_params.from_dict(params)


def page_widget(url_key: str, value, default, encode=str, clears: tuple[str, ...] = ()) -> dict:
    """The keyword arguments that bind a page's own widget (selectbox, radio, slider) to one URL key: the widget is
    set from the address before it is drawn, and a person's change goes into the address (the default as no
    key) through its on_change, removing the keys in ``clears`` (settings that depended on it).
    Use: ``st.selectbox("Rows", options, **page_widget("row", row, "event"))``."""
    widget = f"page_{url_key}"
    st.session_state[widget] = value
    return {"key": widget, "on_change": _commit_page_widget, "args": (widget, url_key, default, encode, clears)}


def _commit_page_widget(widget: str, url_key: str, default, encode, clears: tuple[str, ...]) -> None:
    value = st.session_state[widget]
    set_page_params(**{url_key: None if value == default else encode(value)}, **dict.fromkeys(clears))
