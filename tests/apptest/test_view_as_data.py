"""AppTest of "This view as data" beside the export buttons (gift_ui.tables.data_addresses): the addresses of the
view's records as JSON and CSV, and what they say when they cannot give exactly the table beside them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from streamlit.testing.v1 import AppTest

from gift_dash.data import load_dataset
from gift_ui.state import SESSION_DATASET_KEY

APP = Path(__file__).resolve().parents[2] / "app.py"
EXPLORE, CROSSTAB = "pages/explore.py", "pages/crosstab.py"


def addresses(at: AppTest) -> list[str]:
    # AppTest has no page address (st.context.url), so the addresses are paths.
    return [c.value for c in at.code if c.value.startswith("/api/")]


def said(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_addresses_carry_the_views_filters(open_page):
    at = open_page(EXPLORE, theme=["protection", "prevention"], event="kampala-2007", q="police")
    assert addresses(at) == [
        "/api/records?event=kampala-2007&theme=protection&theme=prevention&q=police",
        "/api/records.csv?event=kampala-2007&theme=protection&theme=prevention&q=police",
    ]
    assert "whole view" not in said(at) and "follow-up status" not in said(at)


def test_the_default_view_has_the_bare_address(open_page):
    assert addresses(open_page(EXPLORE)) == ["/api/records", "/api/records.csv"]


def test_a_follow_up_status_is_left_out_and_said_so(open_page):
    at = open_page(EXPLORE, status="no_entry", theme="protection")
    assert addresses(at) == ["/api/records?theme=protection", "/api/records.csv?theme=protection"]
    assert "They leave out the follow-up status" in said(at)


def test_a_table_of_part_of_the_view_says_the_addresses_give_all_of_it(open_page):
    at = open_page(CROSSTAB, theme="protection", cell_row="Kampala", cell_col="Protection")
    assert addresses(at)[0] == "/api/records?theme=protection"
    assert "They give the whole view" in said(at)


def test_a_sessions_added_records_are_not_in_the_addresses():
    shipped = load_dataset()
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state[SESSION_DATASET_KEY] = dataclasses.replace(shipped, records=shipped.records.head(20))
    at.switch_page(EXPLORE)
    at.run()
    assert not at.exception
    assert "the records added in this session are not in it" in said(at)
