"""Streamlit-side helpers shared by every page: the cached dataset, the sidebar (navigation and filters, kept in
the URL), notices, record tables and charts with their data behind them."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from gift_dash import export, similarity
from gift_dash import filters as flt
from gift_dash.data import Dataset, ShippedDataError, data_dir, load_dataset
from gift_dash.present import SCREEN_COLUMNS, display_frame
from gift_dash.schema import event_names
from gift_dash.tabulate import by_date, facet_counts
from gift_ui import exports

ROOT = Path(__file__).resolve().parent.parent
PLOTLY_CONFIG = {"topojsonURL": "/app/static/", "displaylogo": False}

# Every page of the app: (file, title, icon, url path). Teammates' pages appear once their file exists.
# The url path is the file's stem on purpose: Streamlit, seeing a pages/ folder, runs the very first request after
# a server start in its older "pages directory" mode, which addresses pages by stem; with the same addresses, a
# shared link works in both modes (see ensure_navigation).
PAGES = [
    ("pages/overview.py", "Overview", ":material/public:", "overview"),
    ("pages/explore.py", "Explore records", ":material/search:", "explore"),
    ("pages/crosstab.py", "Cross-tab", ":material/grid_on:", "crosstab"),
    ("pages/recurring_ideas.py", "Recurring ideas", ":material/hub:", "recurring_ideas"),
    ("pages/vienna_echoes.py", "Vienna Forum echoes", ":material/campaign:", "vienna_echoes"),
    ("pages/briefing.py", "Briefing", ":material/description:", "briefing"),
    ("pages/upload.py", "Add records", ":material/upload_file:", "upload"),
    ("pages/about.py", "About the data", ":material/info:", "about"),
]


def available_pages() -> list[tuple[str, str, str, str]]:
    return [page for page in PAGES if (ROOT / page[0]).is_file()]


def navigation():
    """Page setup and the router (app.py runs what it returns). The navigation is hidden: the sidebar links are
    drawn by page_setup so they carry the filters. No icons: a page's Material icon becomes the favicon, which
    the browser would fetch from fonts.gstatic.com."""
    st.set_page_config(page_title="GIFT Recommendations Dashboard", layout="wide", initial_sidebar_state="expanded")
    pages = [st.Page(path, title=title, url_path=url_path, default=path == PAGES[0][0])
             for path, title, _, url_path in available_pages()]
    return st.navigation(pages, position="hidden")


def ensure_navigation() -> None:
    """When Streamlit ran a page file directly (its pages-directory mode, first request after a start), register
    the app's navigation and run again through it: the page then has the identity app.py gives it, so the
    widgets' state survives the person's first click (otherwise the page 'changes' under them once)."""
    if PagesManager.uses_pages_directory:
        navigation()
        # Only for a browser (it sends headers): AppTest addresses pages by file, so there is nothing to fix, and
        # a rerun there would swallow the test's next click.
        if st.context.headers:
            st.rerun()


@st.cache_data(show_spinner="Loading the records …", max_entries=4)
def _load(path: str) -> Dataset:
    ds = load_dataset(Path(path))
    ds.version  # noqa: B018 - hash now, so every copy st.cache_data hands out carries it
    return ds


SESSION_DATASET_KEY = "uploaded_dataset"  # pages/upload.py keeps this session's merged Dataset here


def shipped_dataset() -> Dataset:
    """The shipped data alone (cached): what an upload is merged into. Damaged files stop the page with what is
    wrong in them (file, row, column) instead of a traceback or an empty view."""
    try:
        return _load(str(data_dir()))
    except ShippedDataError as exc:
        st.error("**The dashboard's data files are damaged, so nothing is shown.** "
                 + md_escape(str(exc)).replace("\n", "  \n"), icon=":material/error:")
        st.stop()


def dataset() -> Dataset:
    """The dataset this session sees: the shipped data (cached; filter outside the cache), merged with the
    person's upload when there is one. Uploaded rows live in this session's state only, never in a cache."""
    return st.session_state.get(SESSION_DATASET_KEY) or shipped_dataset()


@st.cache_resource(show_spinner="Comparing the records …", max_entries=4)
def _similarity_index(version: str, _ds: Dataset) -> similarity.SimilarityIndex:
    return similarity.build_index(_ds.records, codebook=_ds.codebook)


def similarity_index(ds: Dataset) -> similarity.SimilarityIndex:
    """The similarity index of every record in the dataset, built once per dataset version."""
    return _similarity_index(ds.version, ds)


@st.cache_data(show_spinner=False, max_entries=16)
def _idea_groups(version: str, threshold: float, _ds: Dataset) -> pd.DataFrame:
    return similarity.groups(similarity_index(_ds), threshold)


def idea_groups(ds: Dataset, threshold: float = similarity.DEFAULT_THRESHOLD) -> pd.DataFrame:
    """similarity.groups over the whole dataset (cached); restrict to a view with similarity.group_summary."""
    return _idea_groups(ds.version, threshold, ds)


@st.cache_data(show_spinner=False, max_entries=64)
def _ideas_in_view(version: str, filters: str, threshold: float, _ds: Dataset, _records: pd.DataFrame) -> pd.DataFrame:
    return similarity.group_summary(_records, idea_groups(_ds, threshold))


def ideas_in_view(view: View, threshold: float = similarity.DEFAULT_THRESHOLD) -> pd.DataFrame:
    """similarity.group_summary of the view's records (cached per dataset version, filters and threshold: it
    takes most of a second at 20,000 records)."""
    return _ideas_in_view(view.dataset.version, repr(view.filters), threshold, view.dataset, view.records)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")


def md_escape(text: object) -> str:
    """Text from data or the URL made safe for st.markdown/st.warning: markdown and HTML characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# ------------------------------------------------------------------------------------------- URL + sidebar

_WIDGET = "flt_"  # session-state key prefix of the sidebar's filter widgets
_EDITED = "_gift_filters_edited"  # set by the widgets' on_change: this run follows a person's edit


@dataclass(frozen=True)
class View:
    """What a page needs: the data, the filters in force, and the records they select."""

    dataset: Dataset
    filters: flt.Filters
    records: pd.DataFrame
    description: str


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _filters_from_widgets() -> flt.Filters:
    state = st.session_state
    values = {}
    for f in fields(flt.Filters):
        key = _WIDGET + f.name
        if key in state:
            value = state[key]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    values["query"] = str(values.get("query", "")).strip()[: flt.MAX_QUERY_CHARS]
    return flt.Filters(**values)


def _put_widgets(filters: flt.Filters) -> None:
    for f in fields(flt.Filters):
        value = getattr(filters, f.name)
        st.session_state[_WIDGET + f.name] = list(value) if isinstance(value, tuple) else value


def _mark_edited() -> None:
    st.session_state[_EDITED] = True


def _reset_filters() -> None:
    _put_widgets(flt.Filters())
    _mark_edited()


def page_param(key: str, allowed: Iterable[str], default: str, notices: list[str]) -> str:
    """A page's own URL setting (one value from ``allowed``); anything else is dropped with a notice."""
    allowed = list(allowed)
    raw = st.query_params.get_all(key)
    if not raw:
        return default
    if raw[0] in allowed:
        return raw[0]
    expected = f"expected one of {', '.join(allowed)}" if len(allowed) <= 12 else "not a known value"
    notices.append(f"Ignored {key}={raw[0][:40]!r} in the address: {expected}.")
    return default


def set_page_params(**values: str | None) -> None:
    """Write a page's own settings to the URL (None or "" removes the key)."""
    for key, value in values.items():
        if value in (None, ""):
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def show_notices(notices: Iterable[str]) -> None:
    notices = list(dict.fromkeys(notices))
    if notices:
        st.warning("**Some settings in the address were not understood and were left out:**\n\n"
                   + "\n".join(f"- {md_escape(n)}" for n in notices), icon=":material/link_off:")


def _option_labels(counts: pd.Series, labels: dict[str, str]):
    return lambda value: f"{labels.get(value, value)} ({int(counts.get(value, 0))})"


def _sidebar_filters(ds: Dataset, current: flt.Filters, found: dict[str, pd.Series]) -> None:
    """The filter widgets, each option with its count of records under the other filters in force (``found``:
    flt.masks of ``current``)."""
    records, events, codebook = ds.records, ds.events, ds.codebook

    def counts(field: str) -> pd.Series:
        base = records[flt.combine(records, found, skip=field)]
        if field == "programmes":
            per_event = base["event_id"].value_counts()
            return events.assign(n=events["event_id"].map(per_event).fillna(0)).groupby("programme")["n"].sum()
        return facet_counts(base, flt.FIELD_COLUMNS[field], field in flt.MULTI_VALUED)

    def multiselect(field: str, options: list[str], labels: dict[str, str], help: str | None = None) -> None:
        st.multiselect(flt.FIELD_LABELS[field], options, key=_WIDGET + field, help=help, on_change=_mark_edited,
                       format_func=_option_labels(counts(field), labels), placeholder="All")

    st.text_input("Search the text", key=_WIDGET + "query", max_chars=flt.MAX_QUERY_CHARS, on_change=_mark_edited,
                  placeholder="e.g. training police", help="Finds words even with typos or other spellings "
                  "(traficking, peace keepers, sensitisation). Every word must match.")
    multiselect("events", list(by_date(events)["event_id"]), event_names(events))
    multiselect("themes", codebook.values("themes"), codebook.labels("themes"))
    st.radio("Records with", flt.THEME_MODES, key=_WIDGET + "theme_mode", horizontal=True, on_change=_mark_edited,
             format_func={"any": "any chosen theme", "all": "all chosen themes"}.get)
    multiselect("target_groups", codebook.values("target_groups"), codebook.labels("target_groups"))
    multiselect("topics", codebook.values("topics"), codebook.labels("topics"))
    more = ("programmes", "primary_themes", "ta_areas", "actors", "exploitation_forms", "record_types")
    with st.expander("More filters", expanded=any(getattr(current, f) for f in more)
                     or current.sources != flt.DEFAULT_SOURCES):
        programmes = sorted(p for p in events["programme"].unique() if p)
        multiselect("programmes", programmes, {})
        for field in more[1:]:
            vocab = flt.FIELD_VOCABULARIES[field]
            multiselect(field, codebook.values(vocab), codebook.labels(vocab))
        multiselect("sources", codebook.values("source"), codebook.labels("source"),
                    help="Annex II alone by default. Empty means every source.")
    st.button("Reset all filters", on_click=_reset_filters, icon=":material/restart_alt:")


def _navigation(params: dict[str, list[str]]) -> None:
    for path, title, icon, _ in available_pages():
        st.page_link(path, label=title, icon=icon, query_params=params)


def page_setup(title: str, page_keys: Iterable[str] = (), intro: str | None = None) -> tuple[View, list[str]]:
    """Draw the sidebar (navigation and filters), sync the filters with the URL, title the page.

    Returns the view and the list of notices so far; a page adds its own (from ``page_param``) and then calls
    ``show_notices``. ``page_keys`` are the URL keys the page reads itself; they are kept in the address.
    """
    ensure_navigation()
    ds = dataset()
    page_keys = tuple(page_keys)
    events = ds.events
    from_url, notices = flt.from_query_params(_url_params(), ds.codebook, events["event_id"], events["programme"],
                                              page_keys=page_keys)
    url_form = flt.to_query_params(from_url)
    # The URL is the truth, except in the run right after a person changed a filter widget (the widgets then hold
    # the new state, written to the URL below). The browser resets the sidebar's widgets to their defaults on a page
    # switch and Streamlit forgets them between pages, so anything else must come from the URL.
    edited = st.session_state.pop(_EDITED, False)
    widgets_lost = any(_WIDGET + f.name not in st.session_state for f in fields(flt.Filters))
    if not edited or widgets_lost:
        _put_widgets(from_url)
    current = _filters_from_widgets()
    found = flt.masks(ds.records, events, current)  # once: the facet counts and the view share them

    with st.sidebar:
        nav = st.container()
        st.markdown("### Filters")
        _sidebar_filters(ds, current, found)
    drawn = _filters_from_widgets()
    if drawn != current:
        current, found = drawn, flt.masks(ds.records, events, drawn)
    params = flt.to_query_params(current)
    if params != url_form or notices:
        kept = {k: st.query_params.get_all(k) for k in page_keys if k in st.query_params}
        st.query_params.from_dict({**params, **kept})
    with nav:
        _navigation(params)

    view = ds.records[flt.combine(ds.records, found)].copy()
    description = flt.describe(current, ds.codebook, events)
    st.title(title)
    if intro:
        st.markdown(intro)
    st.caption(f"Showing **{len(view):,}** of {len(ds.records):,} records · {md_escape(description)}")
    return View(ds, current, view, description), notices


# ------------------------------------------------------------------------------------------- showing things

def show_records(view: View, frame: pd.DataFrame, key: str, select: bool = False, height: int | None = None,
                 part: str | None = None):
    """The records of ``frame`` as a table people read (verbatim text, codebook labels).

    Every page that shows records calls this, so one place can add to it (e.g. "export this view" buttons).
    With ``select``, a row can be chosen; returns the chosen record's id (or None). ``part`` names the part of
    the view the table holds (recorded in exports), e.g. one cross-tab cell.
    """
    columns = SCREEN_COLUMNS + (() if view.filters.sources == flt.DEFAULT_SOURCES else ("source",))
    shown = display_frame(frame, view.dataset.events, view.dataset.codebook, columns)
    config = {"Text (verbatim)": st.column_config.TextColumn(width="large")}
    options = dict(on_select="rerun", selection_mode="single-row") if select else {}
    # The rows' ids in the widget's key: a selection is by position, so when the rows change (another filter) the
    # old selection must go rather than point at whichever record now sits in that row.
    rows = zlib.crc32("\n".join(frame["id"].astype(str)).encode())
    event = st.dataframe(shown, key=f"{key}_{rows:08x}", hide_index=True, column_config=config,
                         height=height or "auto", **options)
    exports.export_buttons(view, frame, key, part)
    if select and event and event.selection.rows:
        return frame["id"].iloc[event.selection.rows[0]]
    return None


def chart(fig, data: pd.DataFrame, key: str, note: str | None = None) -> None:
    """A plotly chart, offline-ready, with its numbers in an expander (the text alternative)."""
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    with st.expander("Data behind this chart"):
        if note:
            st.caption(note)
        st.dataframe(data, hide_index=True)


def download_dataset(ds: Dataset) -> None:
    """Buttons to download every record, event and codebook entry (formula-safe, with a note of provenance)."""
    stamp = ds.version
    left, right = st.columns(2)
    # Callables: the files are built only when someone clicks, not on every run of the page.
    left.download_button("Full dataset, Excel (.xlsx)", lambda: export.dataset_xlsx(ds), key="dl_dataset_xlsx",
                         file_name=f"gift-dataset-{stamp}.xlsx", mime=export.MIME_TYPES["xlsx"],
                         icon=":material/table_view:")
    right.download_button("Full dataset, CSV files (.zip)", lambda: export.dataset_zip(ds), key="dl_dataset_zip",
                          file_name=f"gift-dataset-{stamp}.zip", mime=export.MIME_TYPES["zip"],
                          icon=":material/folder_zip:")
