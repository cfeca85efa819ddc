"""AppTest of the Planned response page and of the planned responses in Explore's detail panel: the questions a
follow-up officer asks, answered with the sidebar filters."""

from __future__ import annotations

from gift_dash import response
from gift_dash.data import load_dataset

PAGE, EXPLORE = "pages/response.py", "pages/explore.py"
DATA = load_dataset()


# AppTest does not expose a dataframe's key: each table is known by its first columns.
TABLES = {
    "coverage_event": ["Event", "Records"],
    "unanswered": ["Page", "Event"],
    "links_in_view": ["Record id", "Event"],
    "activities": ["Activity id", "Pillar"],
}


def table(at, name: str):
    return next(frame.value for frame in at.dataframe if list(frame.value.columns[:2]) == TABLES[name])


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_view_shows_coverage_with_n(open_page):
    at = open_page(PAGE)
    annex = DATA.records[DATA.records["source"] == "annex-ii"]
    row = response.coverage(annex, DATA).iloc[0]
    assert metrics(at)["Records"] == str(len(annex))
    assert metrics(at)["Answered"] == str(row["With a planned response"])
    assert metrics(at)["Share"] == f"{row['Share with a response (%)']:.0f}%"
    assert table(at, "coverage_event")["Records"].sum() == len(annex)
    assert len(table(at, "activities")) == 21
    assert at.get("plotly_chart")


def test_which_cape_town_recommendations_have_no_planned_response(open_page):
    at = open_page(PAGE)
    at.multiselect(key="flt_events").set_value(["cape-town-2007"]).run()
    assert not at.exception
    cape_town = DATA.records[DATA.records["event_id"] == "cape-town-2007"]
    gaps = response.unanswered(cape_town, DATA)
    shown = table(at, "unanswered")
    assert shown["Text (verbatim)"].tolist() == gaps["text"].tolist()
    assert (shown["Event"] == "Cape Town").all()
    assert f"No planned response ({len(gaps)})" in [s.value for s in at.subheader]
    assert at.query_params["event"] in ("cape-town-2007", ["cape-town-2007"])


def test_what_answers_the_kampala_recommendations_on_peacekeepers(open_page):
    at = open_page(PAGE, event="kampala-2007")
    at.text_input(key="flt_query").input("peacekeepers").run()
    links = table(at, "links_in_view")
    links = links[links["Record id"] == "kampala-2007-gen-e"]
    # By the codebook v3 link rule: training (the p4-a3 tools) and criminal-justice capacity (p4-a2); none names
    # peacekeepers, so none is explicit.
    assert set(links["Activity"].str.split().str[0]) == {"p4-a2", "p4-a3-b", "p4-a3-c", "p4-a3-d", "p4-a3-e"}
    assert links["Basis"].str.startswith("codebook v3 link rule: ").all()


def test_vienna_findings_count_when_their_source_is_chosen(open_page):
    at = open_page(PAGE, source="section-vi")
    assert metrics(at)["Records"] == "10"
    assert metrics(at)["No link"] == str(
        len(response.unanswered(DATA.records[DATA.records["source"] == "section-vi"], DATA))
    )


def test_records_not_read_against_the_workplan_are_said_not_counted(open_page):
    at = open_page(PAGE, source="section-v")
    captions = " ".join(c.value for c in at.caption)
    assert "4 record(s) in view are not counted" in captions
    assert at.info and not at.metric


def test_flow_by_theme_from_the_url_and_a_bad_value_is_a_notice(open_page):
    at = open_page(PAGE, flow="theme")
    assert at.radio(key="page_flow").value == "theme"
    at = open_page(PAGE, flow="pillar")
    assert "flow" in " ".join(w.value for w in at.warning)
    assert at.radio(key="page_flow").value == "event"


def test_choosing_the_flow_goes_into_the_address_and_the_address_wins_after(open_page):
    # The radio is drawn from the address and a choice enters it through the callback, as every page setting is:
    # a later address (Back, a shared link) sets the radio, not the widget's old state.
    at = open_page(PAGE)
    at.radio(key="page_flow").set_value("theme").run()
    assert at.query_params["flow"] == "theme" and at.radio(key="page_flow").value == "theme"
    at.query_params.pop("flow")
    at.run()
    assert at.radio(key="page_flow").value == "event" and "flow" not in at.query_params


def test_explore_detail_shows_the_planned_responses(open_page):
    at = open_page(EXPLORE, record="kampala-2007-gen-e")
    planned = next(frame.value for frame in at.dataframe if "Basis" in frame.value.columns)
    assert planned["Activity"].tolist() == response.responses_for("kampala-2007-gen-e", DATA)["Activity"].tolist()
    at = open_page(EXPLORE, record="kampala-2007-rap-g")  # recruitment agencies: no row of that measure type
    assert "None planned." in [t.value for t in at.text]
