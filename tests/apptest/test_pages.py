"""AppTest of the dashboard's own pages (overview, explore, cross-tab, about): they render, follow the shared
filters, keep their state in the URL and turn bad URL parameters into a notice."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from gift_dash.data import DOCUMENT_TITLE, load_dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.filters import URL_KEYS
from tests import reference as ref

OVERVIEW, EXPLORE, CROSSTAB, ABOUT = "pages/overview.py", "pages/explore.py", "pages/crosstab.py", "pages/about.py"
PAGES = [OVERVIEW, EXPLORE, CROSSTAB, ABOUT]
DATA = load_dataset()


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def records_shown(at: AppTest) -> int:
    return len(at.dataframe[0].value)


def showing(at: AppTest) -> str:
    """The line under the title: "Showing N of M records · the scope in words" (escapes taken out)."""
    return next(m.value for m in at.markdown if m.value.startswith("Showing")).replace("\\", "")


def warnings(at: AppTest, raw: bool = False) -> str:
    """The notices' text; without ``raw``, with the markdown escapes taken out."""
    text = " ".join(w.value for w in at.warning)
    return text if raw else text.replace("\\", "")


def url(at: AppTest, filters_only: bool = False) -> dict[str, list[str]]:
    """The address's parameters, each as a list (AppTest gives a lone value as a string)."""
    params = {key: at.query_params[key] for key in at.query_params if not filters_only or key in URL_KEYS.values()}
    return {key: value if isinstance(value, list) else [value] for key, value in params.items()}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_default_view(page, open_page):
    at = open_page(page)
    assert at.title[0].value
    assert not at.warning
    assert "All annex II records" in showing(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_bad_parameter_gives_a_notice_not_an_error(page, open_page):
    at = open_page(page, theme=["protection", "nonsense"], colour="red", theme_mode="most")
    text = warnings(at)
    assert "nonsense" in text and "colour" in text and "theme_mode" in text
    assert widget(at, "multiselect", "flt_themes").value == ["protection"]
    # The address is cleaned: what was understood stays, the rest is gone.
    assert url(at, filters_only=True) == {"theme": ["protection"]}


@pytest.mark.parametrize("page", PAGES)
def test_url_parameters_round_trip_through_the_sidebar(page, open_page):
    at = open_page(
        page, theme=["protection", "prosecution"], theme_mode="all", event="abidjan-2007", q="children", source="all"
    )
    assert widget(at, "multiselect", "flt_themes").value == ["protection", "prosecution"]
    assert widget(at, "radio", "flt_theme_mode").value == "all"
    assert widget(at, "multiselect", "flt_events").value == ["abidjan-2007"]
    assert widget(at, "text_input", "flt_query").value == "children"
    assert widget(at, "multiselect", "flt_sources").value == []
    assert url(at)["theme"] == ["protection", "prosecution"]
    assert url(at)["q"] == ["children"]


def test_a_filter_set_in_the_sidebar_goes_into_the_url_and_the_table(open_page):
    at = open_page(EXPLORE)
    assert records_shown(at) == 118
    widget(at, "multiselect", "flt_events").set_value(["kampala-2007"]).run()
    assert records_shown(at) == 23
    assert url(at) == {"event": ["kampala-2007"]}
    assert "Event: Kampala" in showing(at)


def test_facet_options_show_counts_under_the_current_selection(open_page):
    at = open_page(EXPLORE, event="bangkok-2007")
    labels = widget(at, "multiselect", "flt_themes").options
    # Nothing chosen among themes: each count is the view the theme would give (Bangkok's records with it).
    assert "9 · Prosecution" in labels and "0 · Prevention" in labels
    chosen = {"event": ["bangkok-2007"]}
    for key, field in (("theme", "flt_themes"), ("event", "flt_events"), ("target_group", "flt_target_groups")):
        expected = [
            f"{ref.option_count(chosen, key, value)} · {label}"
            for value, label in DIMENSIONS[key].labels(DATA.codebook, DATA.events).items()
        ]
        assert sorted(widget(at, "multiselect", field).options) == sorted(expected), key


def test_search_from_the_sidebar_ranks_the_records_and_says_why(open_page):
    at = open_page(EXPLORE)
    widget(at, "text_input", "flt_query").input("peace keepers").run()
    table = at.dataframe[0].value
    assert "peacekeeping" in table["Text (verbatim)"].iloc[0]  # the words themselves rank first
    assert table["Why it matched"].iloc[0] == "words: peacekeeping"
    assert table["Why it matched"].str.len().gt(0).all()
    assert f"Showing **{len(table)}**" in showing(at)


def headline(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("#### "))


def test_filters_change_the_overview_figures(open_page):
    at = open_page(OVERVIEW)
    assert headline(at).startswith("#### 118 records · 6 events · 6 countries, June–November 2007\n")
    assert "from 12 lists" in headline(at) and "Prevention **63**" in headline(at)
    widget(at, "multiselect", "flt_themes").set_value(["prosecution"]).run()
    chosen = ref.select(chosen={"theme": ["prosecution"]})
    assert len(chosen) == 23 and len({r["event_id"] for r in chosen}) == 6
    assert headline(at).startswith("#### 23 records · 6 events")
    for value, n in ref.count(chosen, "theme").items():
        assert f"{ref.label('themes', value)} **{n}**" in headline(at)
    at = open_page(OVERVIEW, event="bangkok-2007")
    assert headline(at).startswith("#### 9 records · 1 event · 1 country, October 2007\n")  # one, not "1 events"


def test_overview_with_no_record_in_view_says_so_and_draws_no_theme_chart(open_page):
    at = open_page(OVERVIEW, q="zzzz nothing like this")
    assert headline(at) == "#### 0 records · 0 events · 0 countries"  # no empty "from 0 lists" line
    assert "No records match these filters" in at.info[0].value
    titles = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert not any("Themes by event" in spec for spec in titles)
    assert any("Where the events took place" in spec for spec in titles)  # the events, each with (0)


def test_overview_draws_its_charts_with_every_n(open_page):
    at = open_page(OVERVIEW, event=["kampala-2007", "abidjan-2007"])
    chosen = ref.select(chosen={"event": ["kampala-2007", "abidjan-2007"]})
    assert len(chosen) == 23 + 41
    specs = {
        json.loads(chart.proto.spec)["title"]["text"]: json.loads(chart.proto.spec)
        for chart in at.get("vega_lite_chart")
    }
    assert set(specs) == {
        "Themes by event",
        "Where the events took place",
        "When the events took place, 2007–2008",
        "Ideas that recur across events: number of events",
    }
    assert specs["Themes by event"]["title"]["subtitle"][0].startswith(f"n = {len(chosen)} records")
    assert set(at.dataframe[0].value["event"]) == {"Kampala", "Abidjan"}  # the data behind the theme chart
    (ideas_n,) = specs["Ideas that recur across events: number of events"]["title"]["subtitle"]
    assert ideas_n.endswith(f"groups of similar records; n = {len(chosen)} records")


def test_overview_gives_the_planned_response_explicit_and_thematic_apart_with_the_rule(open_page):
    at = open_page(OVERVIEW)
    row = ref.coverage(ref.select())["All records in scope"]  # the plain reference, annex II
    answered = row["Explicit"] + row["Thematic only"]
    (line,) = [m.value for m in at.markdown if m.value.startswith("**Response:**")]
    assert (
        f"({answered} of {row['Records']}: {row['Explicit']} explicit, {row['Thematic only']} thematic only; "
        "codebook v3 link rule)" in line
    )
    assert f"**{100 * answered / row['Records']:.0f}%** have a planned response" in line


def test_overview_says_what_it_cannot_map(open_page):
    at = open_page(OVERVIEW)
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Egypt (LAS) (Egypt): city not stated — not mapped" in captions
    assert "At the end of October 2007" in captions


def cited(at) -> list[str]:
    """The code blocks of the page but the view's data addresses ("This view as data", gift_ui.tables)."""
    return [c.value for c in at.code if not c.value.startswith("/api/")]


def test_explore_detail_from_the_url_quotes_and_cites_the_record(open_page):
    record = DATA.records.set_index("id").loc["kampala-2007-gen-d"]
    at = open_page(EXPLORE, record="kampala-2007-gen-d")
    assert record["text"] in [t.value for t in at.text]
    (citation,) = cited(at)
    assert citation.startswith(DOCUMENT_TITLE) and "annex II" in citation and "item (d)" in citation
    assert "Kampala" in citation and "from 19 to 22 June 2007" in citation
    assert "General recommendations of the Conference were as follows:" in citation
    assert url(at)["record"] == ["kampala-2007-gen-d"]


def test_explore_unknown_record_is_a_notice(open_page):
    at = open_page(EXPLORE, record="no-such-record")
    assert "no-such-record" in warnings(at)
    assert not cited(at)


def test_crosstab_dimensions_and_measure_from_the_url(open_page):
    at = open_page(CROSSTAB, row="target_group", col="theme", measure="row")
    assert widget(at, "selectbox", "page_row").value == "target_group"
    assert widget(at, "radio", "page_measure").value == "row"
    table = at.dataframe[0].value.set_index("Target group")
    # Children: 44 annex II records, 20 of them about protection: 45.5 % of the row.
    assert table.loc["Children", "Protection"] == 45.5
    annex = ref.select()
    for value, label in DIMENSIONS["theme"].labels(DATA.codebook, DATA.events).items():
        assert table.loc["Children", label] == ref.row_percent(annex, "target_group", "theme", "children", value)
    assert "counts in each" in at.markdown[0].value


def cells(table, row: str, column: str) -> dict[tuple[str, str], int]:
    """The non-zero cells of a cross-tab on the page, by the values' labels."""
    return {(r, c): int(n) for r, line in table.iterrows() for c, n in line.items() if n}


def expected_cells(chosen, row: str, column: str) -> dict[tuple[str, str], int]:
    rows, cols = (DIMENSIONS[k].labels(DATA.codebook, DATA.events) for k in (row, column))
    return {(rows[r], cols[c]): n for (r, c), n in ref.crosstab(ref.select(chosen=chosen), row, column).items()}


def test_crosstab_changes_with_the_filters(open_page):
    at = open_page(CROSSTAB)
    assert cells(at.dataframe[0].value.set_index("Event"), "event", "theme") == expected_cells({}, "event", "theme")
    widget(at, "multiselect", "flt_target_groups").set_value(["children"]).run()
    after = cells(at.dataframe[0].value.set_index("Event"), "event", "theme")
    assert after == expected_cells({"target_group": ["children"]}, "event", "theme")
    assert after[("Kampala", "Prevention")] == 6


def test_crosstab_cell_lists_its_records(open_page):
    at = open_page(CROSSTAB, row="event", col="theme", cell_row="Bangkok", cell_col="Prosecution")
    listed = at.dataframe[1].value
    assert len(listed) == 9
    assert set(listed["Event"]) == {"Bangkok"}
    assert listed["Themes"].str.contains("Prosecution").all()


def test_crosstab_bad_dimension_is_a_notice(open_page):
    at = open_page(CROSSTAB, row="colour")
    assert "row='colour'" in warnings(at)
    assert widget(at, "selectbox", "page_row").value == "event"


def test_needs_vs_recommendations_table(open_page):
    at = open_page(CROSSTAB)
    needs = at.dataframe[-1].value.set_index("TA area")
    assert needs.loc["International cooperation", "Field offices naming it a priority (%)"] == pytest.approx(78.57)


def test_about_states_the_six_events_and_renders_the_codebook(open_page):
    at = open_page(ABOUT)
    text = " ".join(" ".join(m.value.split()) for m in at.markdown)
    assert "Annex II holds six regional events; the brief for this dashboard spoke of eight" in text
    codebook = [df.value for df in at.dataframe if "Inclusion_rule" in df.value.columns]
    assert sum(len(df) for df in codebook) == len(DATA.codebook.entries)


def test_about_shows_the_codebooks_rules_and_what_changed(open_page):
    at = open_page(ABOUT)
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    rules = DATA.codebook.rules.table
    written = next(t for cols, t in tables.items() if "rule in words" in cols)
    assert {"G1", "G8", "I1", "V1"} <= set(written["rule"])
    assert "kampala-2007-gen-d" in set(written["example record"])
    implications = next(t for cols, t in tables.items() if cols[:3] == ("rule", "if", "then"))
    assert len(implications) == (rules["kind"] == "implies").sum()
    assert "target_groups has girls" in set(implications["if"])
    lead_ins = next(t for cols, t in tables.items() if "every item carries" in cols)
    assert set(lead_ins["list"]) == {"cape-town-2007-imp", "cape-town-2007-rel", "abidjan-2007-ddr"}
    changes = next(t for cols, t in tables.items() if "before" in cols and "after" in cols)
    assert len(changes) == len(DATA.codebook.changes)
    labels = [tab.label for tab in at.tabs]
    assert f"What changed ({len(DATA.codebook.changes)} changes)" in labels


def test_notices_escape_markdown_from_the_url(open_page):
    at = open_page(OVERVIEW, **{"**bold**[x](http://evil)": "1"})
    assert "\\*\\*bold\\*\\*\\[x\\]\\(http" in warnings(at, raw=True)


def test_navigation_links_carry_the_filters(open_page):
    at = open_page(OVERVIEW, theme="protection")
    links = at.get("page_link")
    assert len(links) >= 4
    assert all("theme=protection" in link.proto.query_string for link in links)


def test_reset_clears_every_filter_and_the_address(open_page):
    at = open_page(EXPLORE, theme="protection", q="children", source="all")
    reset = [b for b in at.button if b.label == "Reset all filters"]
    assert reset
    reset[0].click().run()
    assert records_shown(at) == 118
    assert url(at, filters_only=True) == {}
    assert widget(at, "text_input", "flt_query").value == ""


def test_a_plain_question_lists_its_closest_matches_apart_and_counts_none(open_page):
    # "send victims home safely": no record says so in these words; the repatriation items (New Delhi (i),
    # Abidjan data collection (b)) are what a reader of the document would hand over.
    at = open_page("pages/explore.py", q="send victims home safely")
    assert any(m.value.startswith("Showing **0** of") for m in at.markdown)
    assert any("nothing is counted" in i.value for i in at.info)
    assert "Closest matches (10, not counted)" in [s.value for s in at.subheader]
    (closest,) = [d.value for d in at.dataframe if "Search" in d.value.columns]
    assert set(closest["Search"]) == {"closest match"}
    assert {"new-delhi-2007-pri-i", "abidjan-2007-dat-b"} <= {p.split("id=")[-1] for p in closest["Page"]}
