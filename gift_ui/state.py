"""The data a session sees and the expensive structures over it, cached at the source (filter outside the cache)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import streamlit as st

from gift_dash import echoes, overview, response, similarity, tabulate
from gift_dash import filters as flt
from gift_dash.data import Dataset, ShippedDataError, data_dir, load_dataset
from gift_dash.dimensions import SECTION_VI
from gift_dash.followup import db, store, summary
from gift_dash.lexicon import lexicon_table
from gift_dash.present import events_table, permalink
from gift_dash.rules import rules_tables
from gift_dash.search import search
from gift_dash.view import View
from gift_ui.text import md_escape

if TYPE_CHECKING:
    import plotly.graph_objects as go

SESSION_DATASET_KEY = "uploaded_dataset"  # pages/upload.py keeps this session's merged Dataset here


# A resource, shared and read-only (Dataset: frames are never mutated), not st.cache_data: that unpickled a copy of
# every frame on each call, twice a run (about 10 ms of each pick).
@st.cache_resource(show_spinner="Loading the records …", max_entries=4)
def _load(path: str) -> Dataset:
    ds = load_dataset(Path(path))
    ds.version  # noqa: B018 - hash once, as it is loaded
    return ds


def shipped_dataset() -> Dataset:
    """The shipped data alone (cached): what an upload is merged into. Damaged data stops the page with what is
    wrong in them (file, row, column) instead of a traceback or an empty view."""
    try:
        return _load(str(data_dir()))
    except ShippedDataError as exc:
        st.error(
            "**The dashboard's data files are damaged, so nothing is shown.** "
            + md_escape(str(exc)).replace("\n", "  \n"),
            icon=":material/error:",
        )
        st.stop()


def dataset() -> Dataset:
    """The dataset this session sees: the shipped data (cached; filter outside the cache), merged with the
    person's upload when there is one. Uploaded rows live in this session's state only, never in a cache."""
    return st.session_state.get(SESSION_DATASET_KEY) or shipped_dataset()


@st.cache_resource(show_spinner=False, max_entries=4)
def _facets(version: str, _ds: Dataset) -> flt.Facets:
    return flt.Facets(_ds.records, _ds.events)


def facets(ds: Dataset) -> flt.Facets:
    """Which records hold which value (filters.Facets), built once per dataset version."""
    return _facets(ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=32)
def _search_matches(version: str, query: str, _ds: Dataset) -> pd.DataFrame:
    return search(_ds.records, query, _ds.codebook, fill=None)


def search_matches(ds: Dataset, query: str) -> pd.DataFrame:
    """search(ds.records, query, fill=None): every match and closest-match candidate, scored once per dataset version and query, shared by every run and page that
    searches for it (read-only: the filter and the ranking only read it)."""
    return _search_matches(ds.version, query, ds)


@st.cache_resource(show_spinner=False, max_entries=4)
def _record_links(version: str, _ds: Dataset) -> dict[str, str]:
    return {record_id: permalink(None, record_id) for record_id in _ds.records["id"].astype(str)}


def record_links(ds: Dataset) -> dict[str, str]:
    """record id -> the relative address of its page (present.permalink), for every record of the dataset, once
    per dataset version: every records table links each row (20,000 addresses took 200 ms a run)."""
    return _record_links(ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=4)
def _about_tables(version: str, _ds: Dataset) -> dict[str, pa.Table]:
    entries = _ds.codebook.entries
    frames = {
        "events": events_table(_ds.events),
        "lexicon": lexicon_table(),
        "changes": _ds.codebook.changes,
        "needs": _ds.ta_needs.rename(
            columns={
                "ta_area": "TA area",
                "label_as_stated": "As the document words it",
                "percentage": "Field offices (%)",
            }
        ),
    }
    for vocabulary in _ds.codebook.vocabularies:
        part = entries[entries["vocabulary"] == vocabulary].drop(columns="vocabulary")
        frames[f"vocabulary {vocabulary}"] = part.rename(columns=str.capitalize)
    for name, table in rules_tables(_ds.codebook.rules, _ds.records).items():
        frames[f"rules {name}"] = table
    return {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in frames.items()}


def about_tables(ds: Dataset) -> dict[str, pa.Table]:
    """The About page's tables (the events, each vocabulary of the codebook, the lexicon, the rules, the changes,
    the field offices' needs), built once per dataset version and kept as Arrow tables: the page draws twenty of
    them, and building and converting them from pandas on every run took it over 100 ms."""
    return _about_tables(ds.version, ds)


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


def _scope_key(view: View) -> str:
    """What, beside the dataset version, decides which records a view holds: its filters and the state of the
    follow-up store (a save elsewhere changes which records a follow-up status selects)."""
    return repr(view.filters) + (f"|{view.followup[0]}" if view.followup else "")


@st.cache_data(show_spinner=False, max_entries=64)
def _ideas_in_view(version: str, filters: str, threshold: float, _ds: Dataset, _records: pd.DataFrame) -> pd.DataFrame:
    return similarity.group_summary(_records, idea_groups(_ds, threshold))


def ideas_in_view(view: View, threshold: float = similarity.DEFAULT_THRESHOLD) -> pd.DataFrame:
    """similarity.group_summary of the view's records (cached per dataset version, scope and threshold: it takes
    most of a second at 20,000 records)."""
    return _ideas_in_view(view.dataset.version, _scope_key(view), threshold, view.dataset, view.records)


@st.cache_resource(show_spinner=False, max_entries=16)
def _echoes(
    version: str, filters: str, k: int, columns: tuple[str, ...], _ds: Dataset, _regional: pd.DataFrame
) -> list[echoes.EchoTable]:
    findings = _ds.records[_ds.records["source"] == SECTION_VI]
    near = echoes.vienna_echoes(similarity_index(_ds), findings, _regional, k)
    return echoes.echo_tables(near, _ds.records, _ds.events, _ds.codebook, record_links(_ds), columns)


def echoes_in_view(view: View, regional: pd.DataFrame, k: int, columns: tuple[str, ...]) -> list[echoes.EchoTable]:
    """Each distinct Vienna Forum finding text with its ``k`` nearest distinct texts among ``regional``
    (echoes.vienna_echoes) as the page's tables (echoes.echo_tables, with ``columns``), worked out once per
    dataset version and scope (_scope_key; read-only): moving the page's score slider only picks their rows."""
    return _echoes(view.dataset.version, _scope_key(view), k, columns, view.dataset, regional)


@st.cache_resource(show_spinner=False, max_entries=64)
def _echoes_export(
    version: str, filters: str, k: int, columns: tuple[str, ...], min_score: float, _tables: list[echoes.EchoTable]
) -> pd.DataFrame:
    return echoes.echoes_export(_tables, min_score)


def echoes_export(view: View, k: int, columns: tuple[str, ...], min_score: float, tables: list[echoes.EchoTable]):
    """echoes.echoes_export of the page's ``tables`` (echoes_in_view) at ``min_score``, once per view and score
    (read-only)."""
    return _echoes_export(view.dataset.version, _scope_key(view), k, columns, min_score, tables)


@st.cache_resource(show_spinner="Reading the workplan's response …", max_entries=16)
def _response(version: str, filters: str, _ds: Dataset, _records: pd.DataFrame) -> response.InView:
    return response.in_view(_records, _ds)


def response_in_view(view: View) -> response.InView:
    """response.in_view of the view's records, worked out once per dataset version and scope (_scope_key;
    read-only): the page's own settings (the flow, a ticked row) only draw it again."""
    return _response(view.dataset.version, _scope_key(view), view.dataset, view.records)


@st.cache_resource(show_spinner=False, max_entries=32)
def _response_flow(version: str, filters: str, by: str, title: str, note: str, _view: View) -> go.Figure:
    from gift_dash import charts  # here, not above: plotly is not imported before a page draws a plotly chart

    return charts.response_flow(response_in_view(_view).flows[by], title, note)


def response_flow_chart(view: View, by: str, title: str, note: str) -> go.Figure:
    """charts.response_flow of the view's flow from ``by`` (response.FLOW_SOURCES), built once per dataset version,
    scope and flow (read-only: st.plotly_chart only reads a figure): plotly's checks of a figure took about 50 ms of
    every run of the Planned response page."""
    return _response_flow(view.dataset.version, _scope_key(view), by, title, note, view)


@st.cache_resource(show_spinner=False, max_entries=32)
def _crosstab(
    version: str, filters: str, row: str, col: str, measure: str, title: str, note: str, _view: View
) -> tuple[pd.DataFrame, go.Figure]:
    from gift_dash import charts  # here, not above: plotly is not imported before a page draws a plotly chart

    ds = _view.dataset
    table = tabulate.crosstab(_view.records, ds.events, ds.codebook, row, col, measure)
    return table, charts.heatmap(table, title, note, percent=measure != "count")


def crosstab_in_view(view: View, row: str, col: str, measure: str, title: str, note: str):
    """tabulate.crosstab of the view's records and its heatmap (charts.heatmap), once per dataset version, scope,
    dimensions and measure (read-only: st.plotly_chart only reads a figure): building the figure was most of the
    Cross-tab's run, and a chosen cell only draws them again."""
    return _crosstab(view.dataset.version, _scope_key(view), row, col, measure, title, note, view)


@st.cache_resource(show_spinner=False, max_entries=32)
def _needs(version: str, filters: str, _view: View) -> tuple[pd.DataFrame, go.Figure]:
    from gift_dash import charts

    ds = _view.dataset
    needs = tabulate.needs_vs_records(_view.records, ds.ta_needs, ds.codebook)
    return needs, charts.needs_vs_records(needs, len(_view.records))


def needs_in_view(view: View):
    """tabulate.needs_vs_records of the view's records and its chart, once per dataset version and scope
    (read-only)."""
    return _needs(view.dataset.version, _scope_key(view), view)


@st.cache_data(show_spinner=False, max_entries=64)
def _overview(version: str, filters: str, today: date, url: str, _view: View) -> overview.Overview:
    ideas = None if _view.records.empty else ideas_in_view(_view)
    return overview.of(_view.records, _view.dataset, ideas, _view.followup_entries, today, url)


def overview_in_view(view: View, today: date, topojson_url: str) -> overview.Overview:
    """overview.of the view (cached per dataset version, scope and day: its counts, charts and coverage took most
    of the Overview's 320 ms a run at 20,000 records). A copy per run (st.cache_data): Streamlit's chart elements
    may adjust a spec they are given."""
    return _overview(view.dataset.version, _scope_key(view), today, topojson_url, view)


@st.cache_resource(show_spinner=False, max_entries=2)
def _followup_entries(url: str, stamp: str) -> pd.DataFrame:
    return store.entries_frame(db.engine_for(url))


def followup_state() -> tuple[str, pd.DataFrame] | None:
    """(the store's fingerprint, its entries (store.entries_frame)), or None when the store cannot be opened (the
    Follow-up page says why). The entries are read once per state of the store and shared by every session, so
    they are read-only: a run asks the store only for its fingerprint (store.entries_stamp), and a save by anyone,
    in any process, shows on the next run."""
    try:
        stamp = store.entries_stamp(db.engine_for())
        return stamp, _followup_entries(db.database_url(), stamp)
    except db.StoreUnavailable:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _joined(version: str, stamp: str, _ds: Dataset, _entries: pd.DataFrame) -> tuple[pd.Series, flt.Facets]:
    records = summary.joined(_ds.records, _entries)
    return records[summary.COLUMN], facets(_ds).rejoined(records, _ds.events)


def filtered_records(ds: Dataset) -> tuple[pd.DataFrame, flt.Facets, tuple[str, pd.DataFrame] | None]:
    """The records a page filters, with the follow-up status joined from the store when it can be opened (the
    registry's joined dimension), their facets, and the store's state they were joined with (followup_state).
    Joined once per dataset version and state of the store."""
    followup = followup_state()
    if followup is None:
        return ds.records, facets(ds), None
    status, joined_facets = _joined(ds.version, followup[0], ds, followup[1])
    return ds.records.assign(**{summary.COLUMN: status}), joined_facets, followup
