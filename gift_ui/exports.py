"""The "export this view" buttons under every table of records: CSV and Excel of exactly the rows shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from gift_dash import export

if TYPE_CHECKING:  # gift_ui imports this module; the View type is only needed for annotations
    from gift_ui import View

LABELS = {"csv": ("CSV", ":material/csv:"), "xlsx": ("Excel (.xlsx)", ":material/table_view:")}


def export_scope(view: View, frame: pd.DataFrame, part: str | None = None) -> str:
    """The filters in words, and which part of the view the table shows when it is not all of it (``part``,
    e.g. "Recurring idea: Victim assistance", or a generic word)."""
    if part:
        return f"{view.description} · {part}"
    if len(frame) == len(view.records) and frame["id"].tolist() == view.records["id"].tolist():
        return view.description
    return f"{view.description} · the {len(frame)} record(s) listed in one table of the page"


def export_buttons(view: View, frame: pd.DataFrame, key: str, part: str | None = None) -> None:
    """Download buttons for these records (same rows, same order) with every column, the scope in words, the
    date and the dataset version. Files are built only when a button is clicked."""
    if frame.empty:
        return
    scope = export_scope(view, frame, part)
    ds = view.dataset
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_exports"):
        st.caption(f"Export these {len(frame):,} records:", width="content")
        for fmt, (label, icon) in LABELS.items():
            st.download_button(
                label, key=f"{key}_export_{fmt}", icon=icon, on_click="ignore",
                data=lambda fmt=fmt: export.export_view(frame, ds.events, ds.codebook, fmt=fmt, scope=scope,
                                                        dataset_version=ds.version),
                file_name=export.export_filename(fmt), mime=export.MIME_TYPES[fmt],
                help="Spreadsheet cells that would start a formula (= + - @) get a leading apostrophe; "
                     "the scope, date and dataset version are recorded in the file.")
