"""Search as a follow-up officer uses it: asking in their own words, quoting a phrase, mistyping, reading why."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gift_dash.cli import main
from gift_dash.data import load_dataset
from gift_dash.schema import Codebook, split_multi
from gift_dash.search import SearchError, search, search_mask
from tests import reference as ref

DATA = load_dataset()
ANNEX = DATA.records[DATA.records["source"] == "annex-ii"].reset_index(drop=True)
# The annex II items on training for law enforcement, prosecutors or judges, found by reading the document:
# Kampala (e), New Delhi (c), Bangkok (c)(i), Abidjan prevention (c), Cape Town (g).
TRAINING_ITEMS = {
    "kampala-2007-gen-e",
    "new-delhi-2007-pri-c",
    "bangkok-2007-pri-c-i",
    "abidjan-2007-pre-c",
    "cape-town-2007-rel-g",
}
# The annex II items whose text says "training", read from the document: Kampala (e), (h)(i) and the rapporteurs'
# (b), New Delhi (c), Abidjan prevention (h) and (k), Abidjan DDR (g).
SAYS_TRAINING = {
    "kampala-2007-gen-e",
    "kampala-2007-gen-h-i",
    "kampala-2007-rap-b",
    "new-delhi-2007-pri-c",
    "abidjan-2007-pre-h",
    "abidjan-2007-pre-k",
    "abidjan-2007-ddr-g",
}


def text_of(record_id: str) -> str:
    return ANNEX.loc[ANNEX["id"] == record_id, "text"].iloc[0]


def first_topic(record_id: str) -> str:
    """The record's first topic value, as the data has it (values may be renamed; tests read them)."""
    return split_multi(ANNEX.loc[ANNEX["id"] == record_id, "topics"].iloc[0])[0]


@pytest.mark.parametrize(
    "query", ["training police", "training law enforcement", "capacity building for prosecutors and judges"]
)
def test_a_question_in_plain_words_finds_every_training_item_on_the_first_screen(query):
    found = search(ANNEX, query, DATA.codebook)
    assert TRAINING_ITEMS <= set(found["id"].head(10))


def test_the_filter_stays_narrow():
    # Ranked OR with a cut-off: the records about training *and* police, then those naming training, not every
    # record that mentions any kind of enforcement or any kind of training: ten of the 118, named by hand.
    mask = search_mask(ANNEX, "training police", DATA.codebook)
    assert set(ANNEX.loc[mask, "id"]) == TRAINING_ITEMS | SAYS_TRAINING
    assert len(TRAINING_ITEMS | SAYS_TRAINING) == 10


def test_a_concept_is_found_in_other_words():
    # Bangkok (c)(i) never says "training" or "police": "front-line law enforcement officials must understand".
    assert "training" not in text_of("bangkok-2007-pri-c-i").lower()
    found = search(ANNEX, "training police", DATA.codebook).set_index("id")
    assert "bangkok-2007-pri-c-i" in found.index
    assert "law enforcement" in found.loc["bangkok-2007-pri-c-i", "reason"]


def test_results_are_ranked_best_first():
    found = search(ANNEX, "training police", DATA.codebook)
    assert found["score"].is_monotonic_decreasing
    assert (found["match"] == "confident").all()  # ten or more confident matches: no closest ones are added
    assert found["id"].iloc[0] in TRAINING_ITEMS


def test_each_result_says_why_it_matched():
    found = search(ANNEX, "training police", DATA.codebook).set_index("id")
    assert found.loc["cape-town-2007-rel-g", "reason"] == "words: train, police"
    label = DATA.codebook.label("topics", first_topic("kampala-2007-gen-e"))  # "Training of law enforcement …"
    assert f"topic: {label}" in found.loc["kampala-2007-gen-e", "reason"]
    assert found["reason"].str.len().gt(0).all()


def test_tag_labels_come_from_the_codebook_given():
    entries = DATA.codebook.entries.copy()
    renamed = (entries["vocabulary"] == "topics") & (entries["value"] == first_topic("kampala-2007-gen-e"))
    entries.loc[renamed, "label"] = "Instructing security forces and police"
    found = search(ANNEX, "police", Codebook(entries)).set_index("id")
    assert "topic: Instructing security forces and police" in found.loc["kampala-2007-gen-e", "reason"]
    assert "kampala-2007-gen-e" not in set(search(ANNEX, "police", None)["id"])  # no codebook: text only


def test_a_quoted_phrase_must_appear_as_written():
    records = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": [
                "Train front-line Law Enforcement officials",
                "Enforcement of the law on labour",
                "Train the police",
            ],
        }
    )
    found = search(records, '"law enforcement"')
    assert list(found["id"]) == ["a"]
    assert found["reason"].iloc[0] == 'phrase: "law enforcement"'
    # Unquoted, the same words reach the police through the concept of law enforcement.
    assert {"a", "c"} <= set(search(records, "law enforcement")["id"])


def test_a_quoted_phrase_narrows_the_other_words():
    found = search(ANNEX, 'training "law enforcement"', DATA.codebook)
    assert len(found) > 0
    assert found["id"].map(text_of).str.lower().str.replace("-", " ").str.contains("law enforcement").all()


@pytest.mark.parametrize(
    "typo, word, named",
    [
        ("traning", "training", "kampala-2007-gen-e"),
        ("traficking", "trafficking", "kampala-2007-gen-a"),
        ("protcol", "protocol", "brasilia-2007-pri-b"),
        ("sensitisation", "sensitization", "kampala-2007-rap-f"),  # the one item spelling it with a z
    ],
)
def test_typos_and_spelling_variants_are_tolerated(typo, word, named):
    # Every annex II item whose text (read with the csv module) holds the word as spelt is found by the misspelling.
    holding = {r["id"] for r in ref.select() if word in r["text"].lower()}
    assert named in holding
    assert holding <= set(search(ANNEX, typo, DATA.codebook)["id"])


def test_a_misspelt_question_finds_the_training_items_named_by_hand():
    assert set(search(ANNEX, "traning police", DATA.codebook)["id"]) == TRAINING_ITEMS | SAYS_TRAINING


def test_the_reason_shows_the_word_a_typo_found():
    found = search(ANNEX, "traning police", DATA.codebook).set_index("id")
    assert "words: training (for traning)" in found.loc["kampala-2007-gen-e", "reason"]


def test_a_word_found_nowhere_leaves_no_confident_match_only_the_closest():
    found = search(ANNEX, "children xylophone", DATA.codebook)
    assert len(found) == 10 and (found["match"] == "closest").all()
    assert found["id"].map(text_of).str.lower().str.contains("child").all()


def test_a_query_of_words_every_record_uses_still_searches_for_them():
    # "trafficking in persons" has no other word: its words stay terms, and the records saying them match.
    found = search(ANNEX, "trafficking in persons", DATA.codebook)
    assert "trafficking" in text_of(found["id"].iloc[0]).lower()
    assert (found["match"] == "confident").any()


# Section VI: the ten key findings of the Vienna Forum, a to j; two of them say "Vienna".
VIENNA_FINDINGS = {f"vienna-2008-fin-{c}" for c in "abcdefghij"}


def test_a_place_the_query_names_finds_the_records_of_the_event_held_there():
    found = search(DATA.records, "What did the Vienna Forum conclude?", DATA.codebook)
    assert set(found["id"].head(10)) == VIENNA_FINDINGS
    assert found.set_index("id").loc["vienna-2008-fin-e", "reason"] == "event: vienna-2008"


def test_a_place_is_named_by_its_whole_name_only():
    # "new" is not New Delhi, "cape" is not Cape Town: only the Cape Town item that says "Cape" is found by it.
    new = search(ANNEX, "new laws", DATA.codebook)
    assert not new["reason"].str.contains("event:").any()
    cape = search(ANNEX, "cape", DATA.codebook)
    assert set(cape.loc[cape["match"] == "confident", "id"]) == {"cape-town-2007-rel-k"}
    assert "cape" in text_of("cape-town-2007-rel-k").lower()
    town = search(ANNEX, "Cape Town", DATA.codebook)
    assert set(town.loc[town["match"] == "confident", "id"]) == {
        *(f"cape-town-2007-rel-{c}" for c in "abcdefghijkl"),
        "cape-town-2007-imp-a",
        "cape-town-2007-imp-b",
    }


def test_a_query_without_words_restricts_nothing():
    assert search_mask(ANNEX, "  ?! the ", DATA.codebook).all()


def test_the_mask_is_aligned_with_the_records_given():
    records = ANNEX.iloc[::-1].set_index(ANNEX.index[::-1] + 1000)
    mask = search_mask(records, "training police", DATA.codebook)
    assert mask.index.equals(records.index)
    assert set(records.loc[mask, "id"]) == TRAINING_ITEMS | SAYS_TRAINING


def test_records_without_text_are_refused_with_the_reason():
    with pytest.raises(SearchError, match="'text'"):
        search(pd.DataFrame({"id": ["a"]}), "training")


# ---------------------------------------------------------------------------------------------- command line


def test_cli_prints_ranked_csv_to_standard_output(capsys):
    assert main(["search", "training police", "-k", "3"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "id,match,score,reason" and len(lines) == 4
    assert lines[1].split(",")[0] in TRAINING_ITEMS and lines[1].split(",")[1] == "confident"
    assert "of 118 match" in err


def test_cli_writes_json_to_a_file(tmp_path, capsys):
    out = tmp_path / "found.json"
    assert main(["search", '"law enforcement"', "--format", "json", "--out", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and set(rows[0]) == {"id", "match", "score", "reason"}
    assert capsys.readouterr().out == ""


def test_cli_searches_any_file_with_id_and_text(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("id,text\nx1,Train the police\nx2,Build schools\n", encoding="utf-8")
    assert main(["search", "training", "--input", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["x1,confident,1.0,words: train"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["search", "the"], "no word to search for"),
        (["search", "training", "--input", "NOFILE"], "cannot read"),
    ],
)
def test_cli_refuses_with_a_message(argv, message, capsys):
    assert main(argv) != 0
    assert message in capsys.readouterr().err


def test_cli_names_the_missing_column(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("id,words\nx1,Train the police\n", encoding="utf-8")
    assert main(["search", "training", "--input", str(path)]) == 1
    assert "missing column(s) text" in capsys.readouterr().err
