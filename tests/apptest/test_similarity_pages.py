"""AppTest for the Recurring ideas and Vienna Forum echoes pages: render, react to the slider and filters, URL state."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from gift_dash.data import load_dataset
from gift_dash.similarity import DEFAULT_THRESHOLD

IDEAS, ECHOES = "pages/recurring_ideas.py", "pages/vienna_echoes.py"


def groups_table(at: AppTest):
    return at.dataframe[0].value


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_recurring_ideas_ranked_by_events_with_training_of_law_enforcement(open_page):
    at = open_page(IDEAS)
    table = groups_table(at)
    assert table["Events"].is_monotonic_decreasing
    assert (table["Records"] >= 2).all()
    # A label names the idea in a few words: the topic its members share (the codebook's label), no word tail.
    assert "Training of law enforcement and security forces" in set(table["Idea"])


def test_the_slider_changes_the_groups_and_goes_into_the_url(open_page):
    at = open_page(IDEAS)
    before = groups_table(at)
    at.select_slider(key="page_threshold").set_value(0.6).run()
    assert not at.exception
    after = groups_table(at)
    assert len(after) < len(before)
    assert at.query_params["threshold"] == "0.60"


def test_threshold_and_group_from_the_url_open_the_members_verbatim(open_page):
    # every source: group 1's medoid is a Vienna Forum finding, which the default view (annex II) leaves out
    at = open_page(IDEAS, threshold="0.35", group="1", source="all")
    assert at.select_slider(key="page_threshold").value == 0.35
    members = at.dataframe[1].value
    assert len(members) >= 2
    # The representative first (1.0, unless it lies outside the view: then the member closest to it).
    own = members[members["Here for a second idea"] == ""]
    assert own["Similarity to the representative"].is_monotonic_decreasing
    texts = set(load_dataset().records["text"])
    assert set(members["Text (verbatim)"]) <= texts


def test_theme_filter_restricts_the_groups(open_page):
    unfiltered = groups_table(open_page(IDEAS))["Records"].sum()
    filtered = open_page(IDEAS, theme="prosecution")
    assert groups_table(filtered)["Records"].sum() < unfiltered
    assert "theme" in filtered.query_params


@pytest.mark.parametrize("params", [{"threshold": "9"}, {"threshold": "abc"}, {"group": "9999"}])
def test_bad_url_values_give_a_notice_not_an_error(open_page, params):
    at = open_page(IDEAS, **params)
    assert "were not understood" in warnings(at)
    assert at.select_slider(key="page_threshold").value == DEFAULT_THRESHOLD


def test_vienna_echoes_lists_regional_records_for_each_finding(open_page):
    at = open_page(ECHOES)
    tables = [df.value for df in at.dataframe]
    assert len(tables) >= 5
    records = load_dataset().records
    annex_texts = set(records.loc[records["source"] == "annex-ii", "text"])
    for table in tables:
        assert set(table["Text (verbatim)"]) <= annex_texts
        assert table["Score"].between(0.30, 1).all()
        assert table["Why alike"].str.len().min() > 0


def test_vienna_echoes_min_score_slider_and_event_filter(open_page):
    at = open_page(ECHOES)
    shown = sum(len(df.value) for df in at.dataframe)
    at.select_slider(key="page_min").set_value(0.5).run()
    assert not at.exception
    assert sum(len(df.value) for df in at.dataframe) < shown
    assert at.query_params["min"] == "0.50"
    only_kampala = open_page(ECHOES, event="kampala-2007")
    for df in only_kampala.dataframe:
        assert set(df.value["Event"]) <= {"Kampala"} or df.value.empty


def test_vienna_echoes_bad_min_gives_notice(open_page):
    at = open_page(ECHOES, min="2")
    assert "were not understood" in warnings(at)


def test_vienna_echoes_shows_a_repeated_text_once_and_counts_its_records(open_page, tmp_path, monkeypatch):
    from bench.bench_pages import repeated_data_dir

    monkeypatch.setenv("GIFT_DATA_DIR", str(repeated_data_dir(tmp_path / "data", copies=3)))
    at = open_page(ECHOES)
    records = load_dataset(tmp_path / "data").records
    # The reference, record by record: how many records of each source hold each text.
    held: dict[tuple[str, str], list[str]] = {}
    for _, record in records.iterrows():
        held.setdefault((record["source"], record["text"]), []).append(record["id"])
    findings = {text: ids for (source, text), ids in held.items() if source == "section-vi"}
    shown = [t.value for t in at.text]
    assert sorted(shown) == sorted(findings)  # each finding text once
    notes = [c.value for c in at.caption if c.value.startswith("The same finding text")]
    assert sorted(int(n.split("×")[1].split()[0]) for n in notes) == sorted(len(ids) for ids in findings.values())
    assert len(at.dataframe) <= len(findings)
    for table in (df.value for df in at.dataframe):
        assert table["Text (verbatim)"].is_unique
        for text, note in zip(table["Text (verbatim)"], table["Records with this text"], strict=True):
            count = len(held[("annex-ii", text)])
            assert note == "1 record" if count == 1 else note.startswith(f"×{count} records: ")
