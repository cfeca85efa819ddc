"""AppTest of the Planned response page and of the planned responses in Explore's detail panel: the questions a
follow-up officer asks, answered with the sidebar filters."""

from __future__ import annotations

from tests import reference as ref

PAGE, EXPLORE = "pages/response.py", "pages/explore.py"
WORKPLAN_ORDER = list(ref.WORKPLAN)  # the rows of data/workplan.csv in file order


# AppTest does not expose a dataframe's key: each table is known by its first columns.
TABLES = {
    "coverage_event": ["Event", "Records"],
    "unanswered": ["Page", "Event"],
    "links_in_view": ["Record id", "Event"],
    "activities": ["Activity id", "Pillar"],
    "workplan_reading": ["Row", "Measure types (LK1)"],
}


def table(at, name: str):
    return next(frame.value for frame in at.dataframe if list(frame.value.columns[:2]) == TABLES[name])


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_view_shows_coverage_with_n(open_page):
    # Expected counts from the plain reference (tests/reference.py): data/responses.csv and the v3 link rule.
    at = open_page(PAGE)
    annex = ref.select()
    row = ref.coverage(annex)["All records in scope"]
    answered = row["Explicit"] + row["Thematic only"]
    assert metrics(at)["Records"] == str(len(annex)) == "118"
    assert metrics(at)["Answered"] == str(answered)
    assert metrics(at)["Share"] == f"{100 * answered / len(annex):.0f}%"
    by_event = table(at, "coverage_event")
    expected = ref.coverage(annex, "event")
    assert dict(zip(by_event["Event"], by_event["Records"], strict=True)) == {
        e: n["Records"] for e, n in expected.items()
    }
    assert dict(zip(by_event["Event"], by_event["With a planned response"], strict=True)) == {
        e: n["Explicit"] + n["Thematic only"] for e, n in expected.items()
    }
    assert len(table(at, "activities")) == 21
    assert at.get("plotly_chart")


def test_the_page_gives_explicit_and_thematic_apart_and_names_the_rule(open_page):
    at = open_page(PAGE)
    row = ref.coverage(ref.select())["All records in scope"]  # the plain reference, annex II
    assert (metrics(at)["Explicit"], metrics(at)["Thematic"]) == (str(row["Explicit"]), str(row["Thematic only"]))
    (said,) = [c.value for c in at.caption if c.value.startswith("Coverage by the codebook v3 link rule: ")]
    answered = row["Explicit"] + row["Thematic only"]
    assert f"{answered} of {row['Records']} records" in said
    assert (
        f"{row['Explicit']} of them an explicit one" in said and f"{row['Thematic only']} a thematic one only" in said
    )


def test_which_cape_town_recommendations_have_no_planned_response(open_page):
    at = open_page(PAGE)
    at.multiselect(key="flt_events").set_value(["cape-town-2007"]).run()
    assert not at.exception
    gaps = ref.unanswered(ref.select(chosen={"event": ["cape-town-2007"]}))
    assert gaps == ["cape-town-2007-imp-a"]
    texts = {r["id"]: r["text"] for r in ref.RECORDS}
    shown = table(at, "unanswered")
    assert shown["Text (verbatim)"].tolist() == [texts[g] for g in gaps]
    assert (shown["Event"] == "Cape Town").all()
    assert f"No planned response ({len(gaps)})" in [s.value for s in at.subheader]
    assert at.query_params["event"] in ("cape-town-2007", ["cape-town-2007"])


def test_what_answers_the_kampala_recommendations_on_peacekeepers(open_page):
    at = open_page(PAGE, event="kampala-2007")
    at.text_input(key="flt_query").input("peacekeepers").run()
    links = table(at, "links_in_view")
    links = links[links["Record id"] == "kampala-2007-gen-e"]
    # By the codebook v3 link rule: training (the p4-a3 tools, p2-a4's practical tools for practitioners) and
    # criminal-justice capacity (p4-a2, p4-a6's cybercrime response: W1 as sharpened after the first blind reading);
    # none names peacekeepers, so none is explicit.
    assert set(links["Activity"].str.split().str[0]) == {
        "p2-a4",
        "p4-a2",
        "p4-a3-b",
        "p4-a3-c",
        "p4-a3-d",
        "p4-a3-e",
        "p4-a6",
    }
    assert links["Basis"].str.startswith("codebook v3 link rule: ").all()


def test_vienna_findings_count_when_their_source_is_chosen(open_page):
    at = open_page(PAGE, source="section-vi")
    assert metrics(at)["Records"] == "10"
    assert metrics(at)["No link"] == str(len(ref.unanswered(ref.select(chosen={"source": ["section-vi"]}))))


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
    expected = sorted(
        (link["activity_id"] for link in ref.LINKS if link["record_id"] == "kampala-2007-gen-e"),
        key=WORKPLAN_ORDER.index,
    )
    assert planned["Activity"].str.split().str[0].tolist() == expected
    at = open_page(EXPLORE, record="kampala-2007-rap-g")  # recruitment agencies: no row of that measure type
    assert "None planned." in [t.value for t in at.text]


def test_the_page_shows_the_workplan_as_the_codebook_reads_it(open_page):
    at = open_page(PAGE)
    reading = table(at, "workplan_reading")
    rows = [wid for wid, row in ref.WORKPLAN.items() if row["kind"] in ("activity", "sub_item")]
    assert reading["Row"].str.split().str[0].tolist() == rows and len(rows) == 32
    assert reading.set_index("Row").loc["p1-a1 Awareness-raising to support prevention efforts", "Target groups"] == (
        "General public"  # 'Engaging public opinion' (W1); its 'such as' groups are examples, not tagged
    )
