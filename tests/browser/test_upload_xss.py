"""Text is data, never markup: a file whose cells (and name) hold <script>, <img onerror> and a remote image runs
nothing, opens no dialog, fetches nothing, and shows the text as it was written; so do markup-laden names in the
data folder, drawn in the Overview's charts and their tooltips. Two browser contexts uploading at once never see
each other's rows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR
from gift_dash.safe_io import DATA_DIR_ENV
from gift_ui.navigation import NOT_IN_MENU, available_pages
from tests.browser.harness import REPO_ROOT, StreamlitServer, assert_no_exception, wait_for_app, wait_for_charts

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
SCRIPT = "<script>window.__xss=1</script>"
ONERROR = '<img src=x onerror="window.__xss=2">'
HOSTILE = [
    SCRIPT + ONERROR,
    '<svg onload="alert(3)"></svg><iframe src="javascript:alert(4)"></iframe>',
    '<img src="http://198.51.100.7/x.png"> [link](http://198.51.100.7/) ![img](http://198.51.100.7/y.png)',
]


def hostile_csv(tmp_path: Path) -> Path:
    rows = [[f"xss-{n}", "kampala-2007", text, "prevention", "prevention"] for n, text in enumerate(HOSTILE, 1)]
    # an unknown value that is markup too: it comes back in the problems table and the rejected rows
    rows.append(["xss-9", "kampala-2007", "plain", "<b onmouseover=alert(5)>bold</b>", "prevention"])
    path = tmp_path / "hostile.csv"
    pd.DataFrame(rows, columns=["id", "event_id", "text", "themes", "primary_theme"]).to_csv(path, index=False)
    return path


def open_upload_page(page, base: str) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/upload")
    wait_for_app(page)
    assert_no_exception(page)
    return dialogs


def choose_file(page, path: Path) -> None:
    page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']").set_input_files(str(path))
    page.get_by_text(re.compile(r"^Rows added$|cannot be read")).first.wait_for(timeout=30_000)
    wait_for_app(page)


def grid_text(page) -> str:
    """The text of the tables' cells, from the grids' accessible layer (the cells themselves are painted on a
    canvas; only the rows scrolled into view are there)."""
    return "\n".join(page.locator("[data-testid='stDataFrame'] [role='gridcell']").all_text_contents())


def go_to_explore_and_search(page, words: str) -> None:
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("link", name="Explore records").click()
    wait_for_app(page)
    search = sidebar.get_by_label("Search the text", exact=True)
    search.fill(words)
    search.press("Enter")
    page.get_by_text(re.compile(r"^Showing \d+ of .*Search: '" + re.escape(words))).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)


def nothing_ran(page, dialogs: list[str]) -> None:
    page.wait_for_timeout(500)  # give an onerror or onload handler the chance to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    for frame in page.frames[1:]:  # e.g. the briefing preview: no element the file could have added
        assert frame.locator("script, img[onerror], svg[onload], iframe[src^='javascript']").count() == 0, frame.url
    assert dialogs == []
    assert page.external_requests == []
    assert page.locator("[data-testid='stApp'] script, [data-testid='stApp'] iframe[src^='javascript']").count() == 0


def test_script_and_onerror_in_uploaded_text_are_shown_as_text_and_never_run(page, app_server, tmp_path):
    dialogs = open_upload_page(page, app_server)
    choose_file(page, hostile_csv(tmp_path))
    assert_no_exception(page)
    assert page.locator("[data-testid='stMetric']").filter(has_text="Rows added").inner_text().endswith("3")
    shown = grid_text(page)
    assert SCRIPT in shown and ONERROR in shown  # verbatim, as text
    assert "<b onmouseover=alert(5)>bold</b>" in shown  # in the problem message and the rejected row
    nothing_ran(page, dialogs)

    # The same rows on another page of this session (a link, not a reload: a reload starts a new session).
    go_to_explore_and_search(page, "window")
    assert SCRIPT in grid_text(page) and ONERROR in grid_text(page)
    nothing_ran(page, dialogs)

    # Every other page draws them too (charts, briefing preview, recurring ideas): nothing runs anywhere.
    sidebar = page.locator("[data-testid='stSidebar']")
    for title in [
        t
        for path, t, _, _ in available_pages()
        if t not in ("Explore records", "Add records") and path not in NOT_IN_MENU
    ]:
        sidebar.get_by_role("link", name=title, exact=True).click()
        wait_for_app(page, timeout=60_000)
        assert_no_exception(page)
        nothing_ran(page, dialogs)


def test_a_hostile_file_name_in_an_error_message_is_text(page, app_server, tmp_path):
    dialogs = open_upload_page(page, app_server)
    path = tmp_path / '<img src=x onerror="alert(6)">.csv'
    path.write_bytes((BAD / "png_renamed.csv").read_bytes())
    choose_file(page, path)
    alert = page.locator("[data-testid='stAlertContentError']")
    # The browser sends the name with " as %22; the rest arrives, and is shown, as typed.
    assert "<img src=x onerror=%22alert(6)%22>.csv: this is a PNG image" in alert.inner_text()
    assert alert.locator("img").count() == 0
    nothing_ran(page, dialogs)


def test_two_browser_contexts_uploading_at_once_see_only_their_own_rows(browser, app_server, tmp_path):
    texts = {"one": "Only the first browser uploaded this", "two": "Only the second browser uploaded this"}
    contexts = {name: browser.new_context() for name in texts}
    try:
        pages = {name: context.new_page() for name, context in contexts.items()}
        for name, tab in pages.items():
            path = tmp_path / f"{name}.csv"
            path.write_text(
                f"id,event_id,text,themes,primary_theme\nb-{name},vienna-2008,{texts[name]},cooperation,cooperation\n"
            )
            tab.goto(f"{app_server}/upload")
            wait_for_app(tab)
            tab.locator("input[type='file']").first.set_input_files(str(path))
        for tab in pages.values():
            tab.get_by_text("Rows added").first.wait_for(timeout=30_000)
            wait_for_app(tab)
            go_to_explore_and_search(tab, "only uploaded")
        for name, tab in pages.items():
            shown = grid_text(tab)
            other = next(t for n, t in texts.items() if n != name)
            assert texts[name] in shown and other not in shown
    finally:
        for context in contexts.values():
            context.close()


def test_markup_in_the_datas_names_is_drawn_as_text_in_the_overviews_charts(page, tmp_path):
    # Vega draws labels and tooltips as text, and a chart's data is a grid: an event whose names are markup (HTML,
    # a Markdown image from another host) shows them as written, runs nothing and fetches nothing.
    name = ONERROR + "![x](http://198.51.100.7/y.png)Kampala"
    data = shutil.copytree(DATA_DIR, tmp_path / "data", ignore=shutil.ignore_patterns("source"))
    events = pd.read_csv(data / "events.csv", dtype=str, keep_default_na=False)
    events.loc[events["event_id"] == "kampala-2007", ["short_name", "city"]] = [name, SCRIPT + "Kampala"]
    events.to_csv(data / "events.csv", index=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_DIR_ENV, str(data))
        server = StreamlitServer(REPO_ROOT / "app.py", cwd=REPO_ROOT, logdir=tmp_path / "logs")
        try:
            page.goto(server.start())
            wait_for_app(page, timeout=60_000)
            wait_for_charts(page)
            assert_no_exception(page)
            charts = page.locator("[data-testid='stVegaLiteChart']")
            charts.locator("svg text", has_text="Kampala (23)").first.wait_for(timeout=30_000)
            drawn = charts.locator("svg text").all_text_contents()
            assert SCRIPT + "Kampala (23)" in drawn  # the map's label, whole
            assert any(text.startswith("<img src=x onerror=") for text in drawn)  # an axis label (long: shortened)
            charts.first.locator(".mark-rect.role-mark path").first.hover()  # Kampala's prevention bar
            tooltip = page.locator("#vg-tooltip-element")
            tooltip.get_by_text("Kampala", exact=False).first.wait_for(timeout=10_000)
            assert name in tooltip.inner_text() and tooltip.locator("img").count() == 0
            page.get_by_text("Data behind this chart").first.click()
            grid = page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']").first
            grid.locator("[role='gridcell']", has_text="Kampala").first.wait_for(state="attached", timeout=30_000)
            assert name in grid.locator("[role='gridcell']").all_text_contents()
            assert page.locator("[data-testid='stMain'] img").count() == 0
            nothing_ran(page, dialogs)  # no dialog, no script, no request to 198.51.100.7
        finally:
            server.stop()
