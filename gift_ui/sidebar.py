"""The sidebar: page links and the filter widgets, drawn from the address; `page_setup` starts every page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
import streamlit as st

from gift_dash import filters as flt
from gift_dash.data import Dataset
from gift_dash.dimensions import DIMENSIONS, available
from gift_dash.view import View
from gift_ui import address, state
from gift_ui.navigation import ensure_navigation, page_links
from gift_ui.state import dataset
from gift_ui.text import md_escape

WIDGET = "flt_"  # session-state key prefix of the filter widgets: WIDGET + a Filters field
MORE_FILTERS = "more_filters"  # session-state key of the "More filters" section: whether it is open
MORE_CHOSEN = "more_filters_chosen"  # whether one of its filters differed from its default on the last run
THEME_MODE_LABELS = {"any": "any chosen theme", "all": "all chosen themes"}
SEARCH_HELP = (
    "Finds what you mean: words even with typos or other spellings (traficking, peace keepers), the "
    "same concept in other words (training ~ capacity-building, police ~ law enforcement) and the "
    'codebook\'s tags. "A phrase in quotes" must appear as written. Explore ranks the results and '
    "says why each matched."
)
COUNT_HELP = (
    "The number before each option is how many records you would see with it added; for an option "
    "already chosen, how many of the records shown hold it."
)


def _commit(ds: Dataset, field: str) -> None:
    """on_change of a filter widget: the person's new value (read with the labels they saw) into the address."""
    value = st.session_state[WIDGET + field]
    if field == "query":
        value = str(value or "").strip()[: flt.MAX_QUERY_CHARS]
    elif field != "theme_mode":
        value = tuple(value)
    address.write_filters(replace(address.current_filters(ds), **{field: value}))


def _reset() -> None:
    address.write_filters(flt.Filters())


def _draw_filters(
    ds: Dataset,
    current: flt.Filters,
    facets: flt.Facets,
    masks_in_force: dict[str, pd.Series],
    available: list[str],
) -> None:
    """Every filter widget of the ``available`` dimensions, set from ``current`` before it is drawn; each option
    with its count (see COUNT_HELP)."""
    events, codebook = ds.events, ds.codebook
    for field in flt.field_names():
        value = getattr(current, field)
        st.session_state[WIDGET + field] = list(value) if isinstance(value, tuple) else value

    def multiselect(key: str) -> None:
        dim = DIMENSIONS[key]
        options = dim.values(codebook, events)
        labels = dim.labels(codebook, events)
        counts = flt.option_counts(facets, current, masks_in_force, dim.field, options)
        st.multiselect(
            dim.label,
            options,
            key=WIDGET + dim.field,
            on_change=_commit,
            args=(ds, dim.field),
            format_func=lambda v: f"{counts.get(v, 0):,} · {labels.get(v) or v}",
            placeholder="All",
            help=f"{dim.help} {COUNT_HELP}" if dim.help else COUNT_HELP,
        )

    st.text_input(
        "Search the text",
        key=WIDGET + "query",
        max_chars=flt.MAX_QUERY_CHARS,
        on_change=_commit,
        args=(ds, "query"),
        placeholder="e.g. training police",
        help=SEARCH_HELP,
    )
    main = [key for key, dim in DIMENSIONS.items() if not dim.more and key in available]
    for key in main:
        multiselect(key)
        if key == "theme":
            st.radio(
                "Records with",
                flt.THEME_MODES,
                key=WIDGET + "theme_mode",
                horizontal=True,
                on_change=_commit,
                args=(ds, "theme_mode"),
                format_func=THEME_MODE_LABELS.get,
            )
    more = [key for key, dim in DIMENSIONS.items() if dim.more and key in available]
    chosen_more = any(
        getattr(current, DIMENSIONS[k].field) != getattr(flt.Filters(), DIMENSIONS[k].field) for k in more
    )
    # Drawn only while open (on_change="rerun" tracks whether it is): folded, its seven lists still cost the browser
    # about a quarter of each pick to redraw with their new counts. Their values live in the address, not in the
    # widgets, so they apply whether drawn or not; a list that holds a value (Source's default, say) is drawn all
    # the same, so the sidebar's chips always say what is in force. It opens when one of its filters comes into
    # force (a link, Back), as it did before; otherwise it stays as the person left it.
    if chosen_more and not st.session_state.get(MORE_CHOSEN):
        st.session_state[MORE_FILTERS] = True
    st.session_state[MORE_CHOSEN] = chosen_more
    with st.expander("More filters", key=MORE_FILTERS, on_change="rerun") as section:
        for key in more:
            if section.open or getattr(current, DIMENSIONS[key].field):
                multiselect(key)
    st.button("Reset all filters", on_click=_reset, icon=":material/restart_alt:")


def page_setup(title: str, page_keys: Iterable[str] = (), intro: str | None = None) -> tuple[View, list[str]]:
    """Draw the sidebar (page links and filters, from the address), title the page, and return its view.

    Returns the view and the list of notices so far; a page adds its own (from ``page_param``) and then calls
    ``show_notices``. ``page_keys`` are the URL keys the page reads itself; they are kept in the address.
    """
    ensure_navigation()
    ds = dataset()
    records, facets, followup = state.filtered_records(ds)  # with the follow-up status when the store opens
    offered = available(records)
    current, notices = address.read_filters(
        ds, page_keys, [dim for key, dim in DIMENSIONS.items() if key not in offered]
    )
    # Once: the option counts and the view share them (and the search's matches, which ranking reads too).
    matches = state.search_matches(ds, current.query) if current.query.strip() else None
    masks_in_force = flt.masks(records, ds.events, current, facets, ds.codebook, matches)
    with st.sidebar:
        page_links(flt.to_query_params(current))
        st.markdown("### Filters")
        _draw_filters(ds, current, facets, masks_in_force, offered)
    view = replace(View.of(ds, current, masks_in_force, records, matches), followup=followup)
    st.title(title)
    if intro:
        st.markdown(intro)
    found = (
        ""
        if view.closest is None
        else f" matching the search ({len(view.closest):,} closest matches listed on Explore, not counted)"
    )
    st.markdown(
        f"Showing **{len(view.records):,}** of {len(ds.records):,} records{found} · {md_escape(view.description)}"
    )
    return view, notices


def show_notices(notices: Iterable[str]) -> None:
    notices = list(dict.fromkeys(notices))
    if notices:
        st.warning(
            "**Some settings in the address were not understood and were left out:**\n\n"
            + "\n".join(f"- {md_escape(n)}" for n in notices),
            icon=":material/link_off:",
        )
