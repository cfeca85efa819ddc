"""Cross-tab: count the records in view by any two dimensions; choose a cell to read its records. Needs vs records."""

import streamlit as st

import gift_ui
from gift_dash import tabulate
from gift_dash.dimensions import DIMENSIONS, available
from gift_dash.tabulate import MEASURES

KEYS = ("row", "col", "measure", "cell_row", "cell_col")
view, notices = gift_ui.page_setup(
    "Cross-tab",
    page_keys=KEYS,
    intro="Count the records in view by any two dimensions. **A record with several values (say two themes) "
    "counts in each of them**, so rows and columns can add up to more than the number of records.",
)
ds, records = view.dataset, view.records
dims = available(records)  # the follow-up status only when the store could be opened
row = gift_ui.page_param("row", dims, "event", notices)
col = gift_ui.page_param("col", dims, "theme", notices)
measure = gift_ui.page_param("measure", MEASURES, "count", notices)
gift_ui.show_notices(notices)

a, b, c = st.columns([2, 2, 3])
CELL = ("cell_row", "cell_col")  # a chosen cell means nothing once a dimension changes
row = a.selectbox(
    "Rows", dims, format_func=lambda k: DIMENSIONS[k].label, **gift_ui.page_widget("row", row, "event", clears=CELL)
)
col = b.selectbox(
    "Columns", dims, format_func=lambda k: DIMENSIONS[k].label, **gift_ui.page_widget("col", col, "theme", clears=CELL)
)
measure = c.radio(
    "Show",
    list(MEASURES),
    format_func=MEASURES.get,
    horizontal=True,
    **gift_ui.page_widget("measure", measure, "count"),
)

if records.empty:
    st.info("No records match these filters. Remove a filter in the sidebar to see more.")
    st.stop()

what = {"count": "number of records", "row": "% of each row's records", "column": "% of each column's records"}
title = f"{DIMENSIONS[row].label} by {DIMENSIONS[col].label}: {what[measure]}"
n = f"n = {len(records)} records; a record with several values counts in each"
table, heatmap = gift_ui.crosstab_in_view(view, row, col, measure, title, n)
st.plotly_chart(heatmap, key="ct_heatmap", config=gift_ui.PLOTLY_CONFIG)

st.markdown("**The same numbers as a table** — choose a cell to list its records.")
shown_notices = len(notices)
cell_row = gift_ui.page_param("cell_row", [str(v) for v in table.index], "", notices)
cell_col = gift_ui.page_param("cell_col", [str(v) for v in table.columns], "", notices)
gift_ui.show_notices(notices[shown_notices:])  # the cell can only be checked once the table exists
gift_ui.selectable_cells(table, "ct_table", CELL, (cell_row, cell_col))

if cell_row and cell_col:
    inside = tabulate.cell_records(records, ds.events, ds.codebook, row, cell_row, col, cell_col)
    st.subheader(
        f"{len(inside)} records: {DIMENSIONS[row].label} “{gift_ui.md_escape(cell_row)}” × "
        f"{DIMENSIONS[col].label} “{gift_ui.md_escape(cell_col)}”",
        anchor=False,
    )
    gift_ui.show_records(
        view,
        inside,
        key="ct_cell_records",
        part=f"{DIMENSIONS[row].label} “{cell_row}” × {DIMENSIONS[col].label} “{cell_col}”",
    )

st.divider()
st.header("Needs vs recommendations", anchor=False)
st.markdown(
    "Section VII.4 of the document gives the share of UNODC field offices that named each technical-"
    "assistance (TA) area a priority need. Beside it: the share of the records in view tagged with that area."
)
needs, needs_chart = gift_ui.needs_in_view(view)
gift_ui.chart(
    needs_chart,
    needs.rename(
        columns={
            "label": "TA area",
            "needs_pct": "Field offices naming it a priority (%)",
            "records": "Records tagged",
            "records_pct": "Share of records (%)",
        }
    ).drop(columns="ta_area"),
    key="needs",
    note="A record with several TA areas counts under each.",
)
