"""Similarity core: normalisation, neighbours, groups and their summary."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gift_dash.data import load_dataset
from gift_dash.lexicon import normalise, stem
from gift_dash.similarity import (
    DEFAULT_THRESHOLD,
    EXACT_UP_TO,
    GROUP_COLUMNS,
    NEIGHBOUR_COLUMNS,
    SUMMARY_COLUMNS,
    SimilarityError,
    build_index,
    group_summary,
    groups,
    neighbours,
)


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return load_dataset().records


@pytest.fixture(scope="module")
def annex(records) -> pd.DataFrame:
    return records[records["source"] == "annex-ii"].reset_index(drop=True)


@pytest.fixture(scope="module")
def index(annex):
    return build_index(annex, codebook=load_dataset().codebook)


# --- normalisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, expected",
    [
        ("training", "train"),
        ("trained", "train"),
        ("trains", "train"),
        ("policies", "policy"),
        ("sensitization", "sensitize"),
        ("sensitisation", "sensitize"),
        ("awareness", "awareness"),
        ("process", "process"),
        ("processes", "process"),
        ("law", "law"),
    ],
)
def test_stem_equates_inflected_forms(word, expected):
    assert stem(word) == expected


def test_openers_and_stop_words_are_dropped():
    terms = normalise("Ensure that front-line law enforcement officials understand the crime of trafficking").terms
    assert terms[0] != "ensure" and "that" not in terms and "traffick" not in terms
    assert "crime" in terms


@pytest.mark.parametrize(
    "a, b, concept",
    [
        ("Sensitization of travellers through messages", "Awareness-raising campaigns among children", "awareness"),
        ("National Penal Code needs to be harmonized", "Development of a comprehensive legal framework", "legislation"),
        ("train police, prosecutors and immigration officials", "capacity-building of all stakeholders", "training"),
        ("sensitisation of communities", "public awareness", "awareness"),
    ],
)
def test_lexicon_maps_synonyms_to_one_concept(a, b, concept):
    assert concept in normalise(a).concepts and concept in normalise(b).concepts


def test_synonyms_compare_equal_in_the_fuzzy_string():
    assert normalise("Sensitization of travellers").fuzzy == normalise("Awareness-raising of travellers").fuzzy


# --- neighbours -----------------------------------------------------------------------------------------


def test_neighbours_come_from_other_lists_ranked_with_scores_and_reasons(index, annex):
    frame = neighbours(index, "kampala-2007-gen-e", k=5)
    assert list(frame.columns) == NEIGHBOUR_COLUMNS
    assert list(frame["rank"]) == list(range(1, len(frame) + 1)) and len(frame) == 5
    list_of = dict(zip(annex["id"], annex["list_id"], strict=True))
    assert all(list_of[n] != "kampala-2007-gen" for n in frame["neighbour_id"])
    assert frame["score"].is_monotonic_decreasing
    assert frame["score"].between(0, 1).all()
    assert (frame["reason"].str.len() > 0).all()


def test_training_of_law_enforcement_finds_its_peers(index):
    found = set(neighbours(index, "kampala-2007-gen-e", k=5)["neighbour_id"])
    assert {"abidjan-2007-pre-c", "cape-town-2007-rel-g", "bangkok-2007-pri-c-i"} <= found


def test_reason_names_shared_topic_in_words(index):
    row = neighbours(index, "kampala-2007-gen-e", k=1).iloc[0]
    assert "shared topics: Training of law enforcement" in row["reason"]


def test_all_records_at_most_k_each(index):
    frame = neighbours(index, k=3)
    assert frame.groupby("id").size().max() <= 3
    assert not (frame["id"] == frame["neighbour_id"]).any()


def test_unknown_record_id_raises(index):
    with pytest.raises(KeyError, match="no-such-id"):
        neighbours(index, "no-such-id")


def test_without_list_id_every_other_record_qualifies():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["Train police officers on trafficking", "Training for police and prosecutors", "Fund shelters"],
        }
    )
    result = neighbours(frame, "a", k=2)
    assert result.iloc[0]["neighbour_id"] == "b"


# --- groups ----------------------------------------------------------------------------------------------


def own(frame: pd.DataFrame) -> pd.DataFrame:
    """Each record's own group (the rows that are not a second idea)."""
    return frame[~frame["also"]]


def test_every_record_in_one_group_of_its_own_and_at_most_one_more(index, annex):
    frame = groups(index)
    assert list(frame.columns) == GROUP_COLUMNS
    assert sorted(own(frame)["id"]) == sorted(annex["id"])
    second = frame[frame["also"]]
    assert second["id"].is_unique
    both = own(frame).set_index("id").loc[second["id"], "group"].to_numpy()
    assert (both != second["group"].to_numpy()).all()  # a second group is another group
    assert frame["score"].between(0, 1).all()


def test_a_record_with_two_ideas_counts_in_both_groups():
    frame = pd.DataFrame(
        {
            "id": list("abcde"),
            "text": [
                "Train police officers on the investigation of trafficking cases",
                "Train police officers in investigation",
                "Fund shelters and care for child victims",
                "Fund shelters and care for victims",
                "Train police officers in investigation and fund shelters and care for victims",
            ],
        }
    )
    found = groups(frame, threshold=0.3)
    mine = found[found["id"] == "e"]
    assert len(mine) == 2 and mine["also"].sum() == 1
    police, shelters = (found.loc[found["id"] == i, "group"].iloc[0] for i in ("a", "c"))
    assert set(mine["group"]) == {police, shelters}
    summary = group_summary(frame, found).set_index("group")
    assert "e" in summary.loc[police, "member_ids"] and "e" in summary.loc[shelters, "member_ids"]
    assert summary["also_ids"].map(len).sum() == 1
    assert len(groups(frame, threshold=0.3, second=False)) == len(frame)


def test_group_labels_say_what_members_share_in_their_words(index, annex):
    frame = own(groups(index)).set_index("id")
    label = frame.loc["cape-town-2007-rel-g", "label"]
    topic, _, words = label.partition(": ")
    topics = annex.loc[annex["id"] == "cape-town-2007-rel-g", "topics"].iloc[0].split("; ")
    assert topic in {load_dataset().codebook.label("topics", t) for t in topics}  # the topic the members share
    text_of = dict(zip(annex["id"], annex["text"].str.lower(), strict=True))
    members = frame.index[frame["group"] == frame.loc["cape-town-2007-rel-g", "group"]]
    for word in words.split(", "):
        assert sum(word.lower() in text_of[m] for m in members) >= len(members) / 2


def test_groups_are_deterministic(annex):
    shuffled = annex.sample(frac=1.0, random_state=7)
    a = groups(annex).sort_values("id").reset_index(drop=True)
    b = groups(shuffled).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_a_bridge_record_does_not_chain_two_ideas_into_one_group():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": [
                "Train police officers on investigation",
                "Train police officers and fund shelters for victims",
                "Fund shelters for victims of exploitation",
            ],
        }
    )
    pairs = neighbours(frame, k=2)
    bridge_scores = pairs[pairs["id"] == "b"]["score"]
    assert (bridge_scores >= 0.4).all()  # a~b and b~c both pass the threshold below ...
    result = own(groups(frame, threshold=0.4)).set_index("id")["group"]
    assert result["a"] != result["c"] and result["b"] in (result["a"], result["c"])  # ... yet a and c are apart


def test_higher_threshold_never_makes_bigger_largest_group(index):
    sizes = [groups(index, threshold=t).groupby("group").size().max() for t in (0.3, 0.5, 0.7, 0.95)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= 2


def test_training_of_law_enforcement_is_one_group(index):
    # Codebook v3 re-tagged Cape Town (g); the claim is the document's, not the tags': section VI says Kampala
    # "considered training of peacekeeping forces to prevent and detect trafficking", and (e) asks for that training,
    # as Bangkok (c)(i), Abidjan (c) and Cape Town (g) ask to train police, military and immigration officials.
    # Detecting is what the training is for, not a measure of its own (Bangkok (b)'s investigation function).
    frame = own(groups(index)).set_index("id")
    wanted = ["kampala-2007-gen-e", "bangkok-2007-pri-c-i", "abidjan-2007-pre-c", "cape-town-2007-rel-g"]
    assert frame.loc[wanted, "group"].nunique() == 1
    # ... and nothing else: the four training measures (peacekeepers, front-line officers, law enforcement and
    # military, police and prosecutors), not a giant group that would hold them too.
    assert sorted(frame.index[frame["group"] == frame.loc[wanted[0], "group"]]) == sorted(wanted)
    assert frame.groupby("group").size().max() <= 8


def test_threshold_out_of_range_is_refused(index):
    with pytest.raises(ValueError, match="between 0 and 1"):
        groups(index, threshold=1.5)


def test_summary_ranked_by_events_spanned(annex, index):
    summary = group_summary(annex, groups(index))
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["n_events"].is_monotonic_decreasing
    first = summary.iloc[0]
    assert first["n_events"] == len(first["events"]) >= 3
    text_of = dict(zip(annex["id"], annex["text"], strict=True))
    assert first["representative_text"] == text_of[first["representative_id"]]  # verbatim
    assert first["member_ids"][0] == first["representative_id"]
    assert summary["n_members"].sum() == len(annex) + summary["also_ids"].map(len).sum()


def test_summary_of_a_filtered_selection_counts_only_selected(annex, index):
    part = annex[annex["event_id"] == "abidjan-2007"]
    summary = group_summary(part, groups(index))
    assert summary["n_members"].sum() == len(part) + summary["also_ids"].map(len).sum()
    assert {i for ids in summary["member_ids"] for i in ids} == set(part["id"])
    assert all(events == ["abidjan-2007"] for events in summary["events"])


def test_text_only_frame_works():
    frame = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "text": [
                "Sensitization of travellers through messages",
                "Awareness-raising campaigns for travellers",
                "Licensing of recruitment agencies",
                "Register and license recruitment agencies",
            ],
        }
    )
    result = own(groups(frame, threshold=0.3)).set_index("id")["group"]
    assert result["1"] == result["2"] and result["3"] == result["4"] and result["1"] != result["3"]


@pytest.mark.parametrize("columns", [["id"], ["text"], ["name", "body"]])
def test_missing_id_or_text_is_a_clear_error(columns):
    frame = pd.DataFrame({c: ["x"] for c in columns})
    with pytest.raises(SimilarityError, match="at least 'id' and 'text'"):
        groups(frame)


def test_duplicate_ids_are_refused():
    with pytest.raises(SimilarityError, match="duplicate id"):
        groups(pd.DataFrame({"id": ["a", "a"], "text": ["x", "y"]}))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=12))
def test_any_texts_give_one_group_per_record(texts):
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts})
    result = groups(frame, threshold=DEFAULT_THRESHOLD)
    assert sorted(own(result)["id"]) == sorted(frame["id"])
    assert result["score"].between(0, 1).all()


def test_neighbours_among_a_subset_only(index, annex):
    allowed = set(annex.loc[annex["event_id"] == "abidjan-2007", "id"])
    frame = neighbours(index, "kampala-2007-gen-e", k=5, among=allowed)
    assert len(frame) > 0 and set(frame["neighbour_id"]) <= allowed
    assert frame.iloc[0]["neighbour_id"] == "abidjan-2007-pre-c"


def test_above_the_exact_size_results_do_not_depend_on_row_order(annex):
    # Enough records for the bounded candidate search (top partners per record), where ties could
    # otherwise be broken by row position.
    rng = random.Random(3)
    texts, topics = list(annex["text"]), list(annex["topics"])
    size = EXACT_UP_TO + 200
    frame = pd.DataFrame(
        {
            "id": [f"r{i:05d}" for i in range(size)],
            "list_id": [f"l{i % 97}" for i in range(size)],
            "text": [" ".join(rng.sample(texts, 2)) for _ in range(size)],
            "topics": [rng.choice(topics) for _ in range(size)],
        }
    )
    shuffled = frame.sample(frac=1.0, random_state=11)
    a, b = build_index(frame), build_index(shuffled)
    by_id = ["id", "group"]
    assert (
        groups(a)
        .sort_values("id")[by_id]
        .reset_index(drop=True)
        .equals(groups(b).sort_values("id")[by_id].reset_index(drop=True))
    )
    near_a = neighbours(a, reasons=False).sort_values(["id", "rank"]).reset_index(drop=True)
    near_b = neighbours(b, reasons=False).sort_values(["id", "rank"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(near_a, near_b)


def test_missing_text_cells_are_empty_not_the_word_nan():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": [None, float("nan"), "Train police"]})
    assert neighbours(frame, "a").empty  # an empty text shares nothing, even with the other empty one


def test_summary_without_event_column_and_of_an_empty_selection():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Train police officers", "Training police", "Fund shelters"]})
    found = groups(frame, threshold=0.3)
    summary = group_summary(frame, found)
    assert list(summary["n_members"]) == [2, 1] and list(summary["n_events"]) == [0, 0]
    assert summary.iloc[0]["member_ids"][0] == summary.iloc[0]["representative_id"]
    empty = group_summary(frame.iloc[0:0], found)
    assert empty.empty and list(empty.columns) == SUMMARY_COLUMNS


def test_groups_of_the_shipped_data_read_differently(records):
    found = groups(records)
    summary = group_summary(records, found)
    labels = summary.loc[summary["n_members"] > 1, "label"]
    assert labels.is_unique, labels[labels.duplicated()].tolist()


# --- duplicate-heavy corpora -----------------------------------------------------------------------------


def _with_copies(records: pd.DataFrame, record_id: str, copies: int, change=lambda text: text) -> pd.DataFrame:
    """``records`` plus ``copies`` uploaded copies of one record, each with its own id and list."""
    row = records[records["id"] == record_id]
    repeated = row.loc[row.index.repeat(copies)].copy()
    repeated["id"] = [f"copy-{i}" for i in range(copies)]
    repeated["list_id"] = [f"upload-{i}" for i in range(copies)]
    repeated["source"] = "uploaded"
    repeated["text"] = repeated["text"].map(change)
    return pd.concat([records, repeated], ignore_index=True)


def test_a_finding_repeated_in_an_upload_changes_no_echo(records):
    finding = records.loc[records["source"] == "section-vi", "id"].iloc[0]
    annex_ids = set(records.loc[records["source"] == "annex-ii", "id"])
    before = neighbours(build_index(records), finding, k=5, among=annex_ids)
    bigger = _with_copies(records, finding, 3000)
    index = build_index(bigger)
    assert len(index.members) == len(records)  # 3,000 copies are one unit with the original: no pairwise work
    after = neighbours(index, finding, k=5, among=annex_ids)
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("change", [str.upper, lambda t: "Ensure that " + t.rstrip(".") + "!"])
def test_near_duplicates_are_found_as_the_same_wording(records, change):
    bigger = _with_copies(records, "kampala-2007-gen-e", 50, change)
    index = build_index(bigger)
    near = neighbours(index, "kampala-2007-gen-e", k=5)
    assert (near["score"] == 1.0).all() and set(near["neighbour_id"]) <= {f"copy-{i}" for i in range(50)}
    assert near["reason"].iloc[0] == "the same wording and tags"
    frame = own(groups(index)).set_index("id")["group"]
    assert frame[[f"copy-{i}" for i in range(50)]].eq(frame["kampala-2007-gen-e"]).all()


def test_copies_count_in_their_group_and_its_events(records):
    annex = records[records["source"] == "annex-ii"]
    bigger = _with_copies(annex, "kampala-2007-gen-e", 20)
    summary = group_summary(bigger, groups(bigger))
    row = summary[summary["member_ids"].map(lambda ids: "kampala-2007-gen-e" in ids)].iloc[0]
    assert row["n_members"] >= 21


def test_a_topic_named_only_in_how_it_is_done_counts_less_than_the_measure_asked_for():
    # Written by hand: "b" asks for training (awareness is how), "b2" for awareness (training is how); both carry
    # the same two topics. "a" asks for awareness campaigns, "c" for training: each is the same idea as the one
    # record that asks what it asks, whatever the other topic it shares.
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "b2", "c"],
            "list_id": ["l1", "l2", "l3", "l4"],
            "text": [
                "Launch public awareness-raising campaigns on trafficking for travellers",
                "Provide training to labour inspectors, by raising public awareness of trafficking among them",
                "Raise public awareness of trafficking among labour inspectors, by providing training to them",
                "Provide training to social workers on trafficking",
            ],
            "topics": [
                "awareness_raising",
                "training_capacity_building; awareness_raising",
                "training_capacity_building; awareness_raising",
                "training_capacity_building",
            ],
        }
    )
    index = build_index(frame, codebook=load_dataset().codebook)

    def score(x: str, y: str) -> float:
        near = neighbours(index, x, k=3, reasons=False)
        return float(near.loc[near["neighbour_id"] == y, "score"].iloc[0])

    assert score("a", "b2") > score("a", "b")
    assert score("c", "b") > score("c", "b2")


def test_records_asking_for_different_measures_score_lower_than_one_measure_in_other_words():
    # Written by hand, all four with the same curated topic: "week" asks for an awareness week, "legal" and
    # "investigate" for cooperation between states (legal, investigative), "mou" for agreements between states.
    # The three cooperation records are one idea; the week is another, though it shares "international" and
    # the topic with them.
    frame = pd.DataFrame(
        {
            "id": ["week", "legal", "investigate"],
            "list_id": ["l1", "l2", "l3"],
            "text": [
                "Mobilize Government structures towards consensus on an international week against trafficking",
                "Ensure effective international legal cooperation on trafficking cases",
                "Strengthen international investigative cooperation on trafficking cases",
            ],
            "topics": ["cross_border_cooperation"] * 3,
        }
    )
    index = build_index(frame, codebook=load_dataset().codebook)
    near = neighbours(index, "legal", k=2, reasons=False).set_index("neighbour_id")["score"]
    assert near["investigate"] > near["week"]
    grouped = own(groups(index)).set_index("id")["group"]
    assert grouped["legal"] == grouped["investigate"] != grouped["week"]
