"""What a person does in the sidebar, in Chromium, at a person's pace: pick and remove options, search, switch the
theme mode, tick a table row, switch page, go back; and what they see (the "Showing N" line, the chips).

Widgets are found by their keys (`.st-key-flt_<field>`, gift_ui.sidebar.WIDGET) and options by their labels, as
a person finds them by their names.
"""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlsplit

from gift_dash import filters as flt
from gift_dash.dimensions import DIMENSIONS
from gift_ui.tables import ROW_HEIGHT
from tests.browser.harness import assert_no_exception, wait_for_app

SIDEBAR = "[data-testid='stSidebar']"
_COUNTED = re.compile(r"^([\d,]+) · (.*)$")  # an option's label: "40 · Protection"


class Person:
    """A person at the dashboard. ``pace`` (seconds, low and high) is the pause before each action."""

    def __init__(self, page, base: str, pace: tuple[float, float] = (1.0, 3.0), seed: int = 0) -> None:
        self.page, self.base, self.pace = page, base, pace
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------------------------------- doing

    def pause(self) -> None:
        self.page.wait_for_timeout(int(1000 * self.rng.uniform(*self.pace)))

    def settle(self) -> None:
        wait_for_app(self.page, settle_ms=400)
        assert_no_exception(self.page)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}/{path}")
        self.settle()

    def widget(self, field: str):
        return self.page.locator(SIDEBAR).locator(f".st-key-flt_{field}")

    def show_more_filters(self, dim_key: str) -> None:
        if DIMENSIONS[dim_key].more and not self.widget(DIMENSIONS[dim_key].field).is_visible():
            self.page.locator(SIDEBAR).locator("[data-testid='stExpander'] summary").click()
            self.widget(DIMENSIONS[dim_key].field).wait_for(state="visible", timeout=5_000)

    def pick(self, dim_key: str, label: str) -> None:
        """Open a filter's list, type part of the option's name, click it, close the list."""
        self.pause()
        self.show_more_filters(dim_key)
        box = self.widget(DIMENSIONS[dim_key].field)
        box.scroll_into_view_if_needed()
        box.get_by_role("combobox").click()
        self.page.keyboard.type(label[:12], delay=60)
        self.page.get_by_role("option", name=re.compile(r"^[\d,]+ · " + re.escape(label) + "$")).click()
        self.click_away()
        self.settle()

    def click_away(self) -> None:
        """Close an open list the way people do, by clicking somewhere neutral (the sidebar's "Filters" heading);
        until then the list keeps the focus and swallows the next click."""
        self.page.locator(SIDEBAR).locator("h3", has_text="Filters").first.click()

    def remove(self, dim_key: str, label: str) -> None:
        """Click the × of one chosen option."""
        self.pause()
        self.show_more_filters(dim_key)
        chip = (
            self.widget(DIMENSIONS[dim_key].field)
            .locator("[data-tag]")
            .filter(has=self.page.locator("span[title]", has_text=re.compile(r" · " + re.escape(label) + "$")))
        )
        chip.get_by_role("button").click()
        self.settle()

    def search(self, text: str) -> None:
        """Type a search (replacing what is there) and press Enter."""
        self.pause()
        field = self.widget("query").locator("input")
        field.click()
        field.press("Control+a")
        field.press("Backspace")
        self.page.keyboard.type(text, delay=40)
        field.press("Enter")
        self.settle()

    def theme_mode(self, mode: str) -> None:
        self.pause()
        self.widget("theme_mode").get_by_text(
            {"any": "any chosen theme", "all": "all chosen themes"}[mode], exact=True
        ).click()
        self.settle()

    def reset(self) -> None:
        self.pause()
        self.page.locator(SIDEBAR).get_by_role("button", name="Reset all filters").click()
        self.settle()

    def switch_page(self, title: str) -> None:
        self.pause()
        self.page.locator(SIDEBAR).get_by_role("link", name=title).click()
        self.settle()

    def back(self) -> None:
        self.pause()
        self.page.go_back()
        self.settle()

    def tick_row(self, table_key: str, position: int = 0) -> None:
        """Tick the box at the left of a row of a records table (the grid draws on a canvas); ``position`` counts
        from the first row, which must be in the grid's view."""
        self.pause()
        grid = self.page.locator(f"[class*='st-key-{table_key}'] [data-testid='stDataFrame']").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        header = 35  # the grid's header row; the records' rows are ROW_HEIGHT tall
        self.page.mouse.click(box["x"] + 18, box["y"] + header + ROW_HEIGHT * (position + 0.5))
        self.settle()

    # ------------------------------------------------------------------------------------------- seeing

    def address(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query, keep_blank_values=True)

    def filters_in_address(self, dataset) -> flt.Filters:
        filters, notices = flt.from_query_params(
            self.address(), dataset.codebook, dataset.events, page_keys=set(self.address()) - set(flt.URL_KEYS.values())
        )
        assert not notices, notices
        return filters

    def showing(self) -> int:
        """The number the page says it shows ("Showing 23 of 132 records · ...")."""
        line = self.page.get_by_text(re.compile(r"^Showing [\d,]+ of [\d,]+ records")).first.inner_text()
        return int(re.match(r"Showing ([\d,]+)", line).group(1).replace(",", ""))

    def chips(self, dim_key: str) -> dict[str, int]:
        """label -> count of the options chosen in one filter, as their chips read."""
        titles = self.widget(DIMENSIONS[dim_key].field).locator("[data-tag] span[title]").all()
        out = {}
        for title in titles:
            count, label = _COUNTED.match(title.get_attribute("title")).groups()
            out[label] = int(count.replace(",", ""))
        return out
