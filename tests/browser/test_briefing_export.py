"""In a real Chromium: the briefing file renders and prints with no request leaving the machine, and exports
download from the pages with the records on screen."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from gift_dash.briefing import render_briefing
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply, describe
from tests.browser.harness import assert_no_exception, wait_for_app, wait_for_charts

PROTECTION = Filters(themes=("protection",))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def pdf_pages(pdf: bytes) -> int:
    # Chromium writes one uncompressed "/Type /Page" dictionary per page.
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


# The height of A4 inside the briefing's page margins (15 mm top, 16 mm bottom), in CSS pixels.
A4_BODY_PX = (297 - 15 - 16) / 25.4 * 96


def test_briefing_file_renders_offline_and_prints_to_pdf_with_a_one_page_summary(page, tmp_path, dataset):
    source = tmp_path / "briefing.html"
    in_scope = apply(dataset.records, dataset.events, PROTECTION)
    source.write_text(
        render_briefing(in_scope, dataset, describe(PROTECTION, dataset.codebook, dataset.events)), encoding="utf-8"
    )
    page.goto(source.as_uri())
    assert page.locator(".record").count() == len(in_scope)
    assert page.locator("svg[role=img]").count() == 2
    assert page.get_by_role("heading", name="Appendix: every record in scope, verbatim").is_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(180 / 25.4 * 96), "height": 1000})  # A4 less the side margins
    summary = page.locator("section.summary").bounding_box()
    assert 0.5 * A4_BODY_PX < summary["height"] <= A4_BODY_PX, "the summary fills one page and no more"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], (
        "nothing wider than the page (Chromium would shrink every page to fit it)"
    )
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 2
    assert page.external_requests == []
    assert page.console_errors == [], "a CSP violation or script error would show here"


def exports(page, table_key: str):
    """The export buttons of one table, in the popover that its "Export these N records" button opens
    (gift_ui.tables.export_buttons names the popover after the table's key)."""
    page.locator(f".st-key-{table_key}_exports").get_by_role("button", name="Export these").click()
    body = page.locator("[data-testid='stPopoverBody']")
    body.get_by_role("button", name="CSV", exact=True).wait_for(state="visible", timeout=10_000)
    return body


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    assert_no_exception(page)


def download(page, button, folder):
    """Click a download button; the saved file's path and its suggested name."""
    with page.expect_download() as info:
        button.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def read_csv_download(path) -> tuple[str, list[list[str]]]:
    """The whole text (metadata included) and the table rows (header first)."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return text, [r for r in rows if r and not r[0].startswith("#")]


def test_explore_page_exports_the_records_on_screen(page, app_server, dataset, tmp_path):
    open_page(page, f"{app_server}/explore?theme=protection&event=abidjan-2007")
    target = download(page, exports(page, "explore_table").get_by_role("button", name="CSV", exact=True), tmp_path)
    assert target.name.startswith("gift-records-") and target.suffix == ".csv"
    text, (header, *body) = read_csv_download(target)
    expected = apply(dataset.records, dataset.events, Filters(themes=("protection",), events=("abidjan-2007",)))
    assert header[0] == "Record id"
    assert [row[0] for row in body] == list(expected["id"])
    assert "Event: Abidjan · Theme: Protection" in text
    assert page.external_requests == []


def test_briefing_page_offers_the_briefing_and_an_excel_export(page, app_server, dataset, tmp_path):
    open_page(page, f"{app_server}/briefing?event=bangkok-2007")
    document = download(page, page.get_by_role("button", name="Download the briefing (HTML)"), tmp_path)
    text = document.read_text(encoding="utf-8")
    expected = apply(dataset.records, dataset.events, Filters(events=("bangkok-2007",)))
    assert "Scope:</b> Event: Bangkok" in text and text.count('class="record') == len(expected)

    workbook = download(
        page, exports(page, "briefing_records").get_by_role("button", name="Excel (.xlsx)", exact=True), tmp_path
    )
    sheet = openpyxl.load_workbook(workbook)["Records"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == list(expected["id"])
    assert page.external_requests == []


def test_a_chart_downloads_as_an_image_for_a_slide_offline(page, app_server):
    open_page(page, app_server)
    wait_for_charts(page)
    page.locator("[data-testid='stVegaLiteChart']").first.hover()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download as PNG: Themes by event", exact=False).click()
    image = info.value
    assert image.suggested_filename.endswith(".png")
    assert open(image.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert page.external_requests == []


def test_tables_offer_no_export_that_skips_formula_neutralising(page, app_server):
    # st.dataframe's built-in CSV download writes "=..." cells as they are; config.toml hides it.
    open_page(page, f"{app_server}/explore")
    page.locator("[data-testid='stDataFrame']").first.hover()
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    assert exports(page, "explore_table").get_by_role("button", name="CSV", exact=True).count() == 1


def test_the_records_behind_a_cross_tab_cell_export_with_the_cell_named(page, app_server, dataset, tmp_path):
    open_page(page, f"{app_server}/crosstab?row=theme&col=event&cell_row=Protection&cell_col=Kampala")
    target = download(page, exports(page, "ct_cell_records").get_by_role("button", name="CSV", exact=True), tmp_path)
    text, (_, *body) = read_csv_download(target)
    records = dataset.records
    expected = records[
        (records["source"] == "annex-ii")
        & (records["event_id"] == "kampala-2007")
        & records["themes"].str.contains("protection")
    ]
    assert [row[0] for row in body] == list(expected["id"])
    assert "All annex II records · Theme “Protection” × Event “Kampala”" in text
