"""Streamlit-side helpers shared by every page. Pages import the names below from here; each lives in the module
named for what it holds: navigation (pages, router), state (cached data), address (the view state in the URL),
sidebar (filter widgets, page_setup), tables (records tables with exports, charts), text (escaping)."""

from gift_ui.address import (
    current_filters,
    page_date,
    page_param,
    page_widget,
    set_page_params,
    write_filters,
)
from gift_ui.navigation import PAGES, navigation
from gift_ui.sidebar import page_setup, show_notices
from gift_ui.state import (
    SESSION_DATASET_KEY,
    data_dir,
    dataset,
    echoes_export,
    echoes_in_view,
    idea_groups,
    ideas_in_view,
    overview_in_view,
    response_flow_chart,
    response_in_view,
    shipped_dataset,
    similarity_index,
)
from gift_ui.tables import (
    PLOTLY_CONFIG,
    ROW_HEIGHT,
    TOPOJSON_URL,
    chart,
    download_dataset,
    export_buttons,
    records_grid,
    selectable_cells,
    selectable_table,
    show_records,
    table_columns,
)
from gift_ui.text import md_escape

__all__ = [
    "PAGES",
    "PLOTLY_CONFIG",
    "ROW_HEIGHT",
    "SESSION_DATASET_KEY",
    "TOPOJSON_URL",
    "chart",
    "current_filters",
    "data_dir",
    "dataset",
    "download_dataset",
    "echoes_export",
    "echoes_in_view",
    "export_buttons",
    "records_grid",
    "table_columns",
    "idea_groups",
    "ideas_in_view",
    "selectable_cells",
    "selectable_table",
    "md_escape",
    "navigation",
    "overview_in_view",
    "page_date",
    "page_param",
    "page_setup",
    "page_widget",
    "response_flow_chart",
    "response_in_view",
    "set_page_params",
    "shipped_dataset",
    "show_notices",
    "show_records",
    "similarity_index",
    "write_filters",
]
