"""The dashboard in a real Chromium against `streamlit run`: every page renders, a filter changes the table and the
address, a shared address reopens the view, links between pages keep the filters, nothing leaves the machine."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from gift_ui.navigation import available_pages
from tests import reference as ref
from tests.browser.harness import assert_no_exception, wait_for_app, wait_for_charts

PATHS = ["" if path == "pages/overview.py" else url_path for path, _, _, url_path in available_pages()]


def shown_count(page) -> int:
    """The number of records the page says it shows ("Showing 23 of 132 records · ...")."""
    caption = page.get_by_text(re.compile(r"^Showing \d+ of \d+ records")).first.inner_text()
    return int(re.match(r"Showing (\d+)", caption).group(1))


def open_view(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}")
    wait_for_app(page)
    assert_no_exception(page)


def test_every_page_renders_offline_and_the_map_draws_coastlines(page, app_server):
    for path in PATHS:
        open_view(page, app_server, path)
        assert page.locator("h1").first.is_visible(), path
        wait_for_charts(page)
        if path == "":
            # The map drew the countries of the app's own topojson (static/): one shape per country.
            countries = page.locator("[data-testid='stVegaLiteChart'] .mark-shape path")
            countries.first.wait_for(state="attached", timeout=20_000)
            assert countries.count() > 150
    assert page.external_requests == []


def test_the_overview_answers_at_its_own_name_too(page, app_server):
    # A person who types /overview (the name the other pages' addresses suggest) gets the Overview, not a
    # "Page not found" dialog.
    open_view(page, app_server, "overview?theme=protection")
    assert page.locator("h1").first.inner_text().startswith("UN.GIFT recommendations")
    assert page.get_by_text("Page not found").count() == 0
    assert "theme=protection" in page.url


def test_choosing_a_filter_changes_the_table_and_the_address(page, app_server):
    open_view(page, app_server, "explore")
    assert shown_count(page) == 118
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator(".st-key-flt_events").get_by_role("combobox").click()
    page.get_by_role("option", name=re.compile(r"^23 · Kampala$")).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert shown_count(page) == 23
    assert "event=kampala-2007" in page.url
    rows = page.locator("[data-testid='stDataFrame']").first.get_by_role("row")
    assert rows.count() - 1 <= 23  # the grid renders the visible rows (and a header row)
    assert page.external_requests == []


def test_a_shared_address_reopens_the_same_view_and_links_keep_it(page, app_server):
    open_view(page, app_server, "explore?theme=protection&event=abidjan-2007&q=children&record=abidjan-2007-leg-a")
    assert shown_count(page) > 0
    described = page.get_by_text(re.compile(r"^Showing")).first.inner_text()
    assert "Event: Abidjan" in described and "Theme: Protection" in described and "'children'" in described
    texts = [t.inner_text() for t in page.locator("[data-testid='stText']").all()]
    # The list's lead-in first, then the record's own verbatim text.
    assert texts[0] == "The Meeting noted the need for the following legal and institutional frameworks:"
    assert texts[1].startswith("Ratification of relevant conventions")
    count = shown_count(page)
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Cross-tab").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "/crosstab" in page.url and "theme=protection" in page.url and "q=children" in page.url
    assert shown_count(page) == count
    assert page.external_requests == []


def test_a_bad_address_gives_a_notice_not_an_error(page, app_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_view(page, app_server, "crosstab?theme=%3Cscript%3Ealert(1)%3C/script%3E&row=nope")
    notice = page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
    assert "<script>alert(1)</script>" in notice and "nope" in notice
    # Shown as text, never made an element: no script in the page holds it, and no alert opened.
    scripts = "() => [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length"
    assert page.evaluate(scripts) == 0
    assert page.locator("[data-testid='stAlertContentWarning'] script").count() == 0
    assert dialogs == []


def test_choosing_a_cross_tab_cell_lists_its_records(page, app_server):
    open_view(page, app_server, "crosstab?theme=protection")
    grid = page.locator("[class*='st-key-ct_table'] [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_height = 35  # the grid's fixed row height; row 0 is the header, row 2 the second event (Bangkok)
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + row_height * 2 + row_height / 2)
    wait_for_app(page)
    assert "cell_row=Bangkok" in page.url and "theme=protection" in page.url
    heading = page.get_by_role("heading", name=re.compile(r"^\d+ records?: Event “Bangkok” ×"))
    # The cell chosen, whichever column the click fell in, lists as many records as the reference counts there.
    n, column = re.match(r"^(\d+) records?: Event “Bangkok” × Theme “(.+)”$", heading.inner_text()).groups()
    themes = {ref.label("themes", v): v for v in ("prevention", "protection", "prosecution", "cooperation")}
    protection = ref.select(chosen={"theme": ["protection"]})
    assert int(n) == ref.crosstab(protection, "event", "theme").get(("bangkok-2007", themes[column]), 0) > 0
    assert parse_qs(urlsplit(page.url).query)["cell_col"] == [column]
