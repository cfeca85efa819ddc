"""What people mean: plain questions answered, nonsense not, and recurring ideas a reader accepts.

Expected records are named from the source document by hand (annex II), never from the code's output."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from gift_dash.cli import main
from gift_dash.data import DATA_DIR, ShippedDataError, check_shipped, load_dataset, load_lexicon
from gift_dash.meaning import measure_clause
from gift_dash.search import CLOSEST, CONFIDENT, search, search_mask
from gift_dash.similarity import build_index, groups
from gift_dash.view import View, search_columns

DATA = load_dataset()
ANNEX = DATA.records[DATA.records["source"] == "annex-ii"].reset_index(drop=True)
# Annex II's two repatriation items: New Delhi (i) "rescue and repatriation procedures oriented towards care and
# protection of victims"; Abidjan, data collection (b) "If repatriation is deemed appropriate, children need travel
# and identification documents …".
REPATRIATION = {"new-delhi-2007-pri-i", "abidjan-2007-dat-b"}
# Kampala (h) and its three sub-items on the private sector: (h) "Engage the private sector …", (i)-(iii).
PRIVATE_SECTOR = {"kampala-2007-gen-h", "kampala-2007-gen-h-i", "kampala-2007-gen-h-ii", "kampala-2007-gen-h-iii"}


def test_a_plain_question_with_none_of_the_documents_words_finds_the_repatriation_items():
    found = search(ANNEX, "send victims home safely", DATA.codebook)
    assert REPATRIATION <= set(found["id"].head(10))
    assert (found["match"] == CLOSEST).all()  # no record says "send home": they are the closest, and say so
    assert found["reason"].str.len().gt(0).all()


def test_a_question_about_companies_reaches_the_private_sector_items():
    found = search(ANNEX, "companies and supply chains", DATA.codebook)
    assert len(found) > 0
    assert len(PRIVATE_SECTOR & set(found["id"].head(10))) >= 3


# Annex II's items on companies and employers, read from the document: Kampala (h) and its sub-items (i)-(iii),
# the rapporteurs' (i) "ethical employer associations", New Delhi (k) "trade unions and employers associations",
# (q) "a business coalition", (r) "public-private partnerships".
COMPANY_ITEMS = PRIVATE_SECTOR | {
    "kampala-2007-rap-i",
    "new-delhi-2007-pri-k",
    "new-delhi-2007-pri-q",
    "new-delhi-2007-pri-r",
}


def test_the_word_every_record_uses_does_not_outrank_the_subject_of_the_question():
    # "trafficking" is in nearly every text: beside "companies" it is no term, so the records about companies come
    # first, not those that merely say "trafficking" and happen to be close in meaning.
    found = search(ANNEX, "What are companies expected to do about trafficking?", DATA.codebook)
    assert set(found["id"].head(5)) <= COMPANY_ITEMS
    assert len(COMPANY_ITEMS & set(found["id"].head(10))) >= 7
    assert not found["reason"].str.contains("words: trafficking").any()


def test_the_words_that_frame_a_question_do_not_find_records_on_their_own():
    # "role" is in three texts, none about companies: "role of businesses" asks about businesses.
    found = search(ANNEX, "role of businesses", DATA.codebook)
    assert not found["reason"].str.contains("role").any()
    assert len(COMPANY_ITEMS & set(found["id"].head(10))) >= 7


@pytest.mark.parametrize(
    ("query", "record"),
    [
        # Kampala (e) "specialized training of peacekeeping forces": blue helmets are the UN's peacekeepers.
        ("blue helmets", "kampala-2007-gen-e"),
        # Abidjan DDR (h) "Children associated with armed groups or forces": militias are armed groups.
        ("militias", "abidjan-2007-ddr-h"),
        # Abidjan prevention (d) "… the use of child soldiers": child fighters are child soldiers.
        ("child fighters", "abidjan-2007-pre-d"),
    ],
)
def test_an_everyday_name_for_a_concept_finds_its_records_with_confidence(query, record):
    found = search(ANNEX, query, DATA.codebook)
    assert record in set(found.loc[found["match"] == CONFIDENT, "id"])


def test_a_sub_item_is_read_with_the_item_it_completes_and_its_list_s_lead_in():
    # Kampala (h)(i) "Awareness-raising, training, reintegration and other programmes" completes (h) "Involve the
    # private sector more actively … through:"; alone it says nothing of companies.
    from gift_dash import meaning

    texts = tuple(ANNEX["text"])
    lead_ins = tuple(ANNEX["section"].fillna(""))
    by_id = dict(zip(ANNEX["id"], ANNEX["text"], strict=True))
    parents = tuple(by_id.get(p, "") if isinstance(p, str) else "" for p in ANNEX["parent_id"])
    alone, _ = meaning.corpus(texts)
    read, _ = meaning.in_context(texts, lead_ins, parents, 0.5, 0.5)
    row = ANNEX.index[ANNEX["id"] == "kampala-2007-gen-h-i"][0]
    query = meaning.embed(["the private sector"])[0]
    assert read[row] @ query > alone[row] @ query
    assert np.allclose(np.linalg.norm(read, axis=1), 1.0, atol=1e-5)


# Cape Town's 14 items: every one a commitment of the religious leaders and communities its lead-in names.
CAPE_TOWN = {f"cape-town-2007-rel-{c}" for c in "abcdefghijkl"} | {"cape-town-2007-imp-a", "cape-town-2007-imp-b"}


def test_a_question_about_whom_a_list_s_lead_in_names_finds_that_list():
    found = search(ANNEX, "What can churches and mosques do?", DATA.codebook)
    assert len(CAPE_TOWN & set(found["id"].head(10))) >= 7


@pytest.mark.parametrize("query", ["send victims home safely", "What can churches and mosques do?", "guns"])
def test_feedback_reorders_the_records_found_and_finds_no_other(query, monkeypatch):
    from gift_dash import search as search_module

    with_feedback = search(ANNEX, query, DATA.codebook, fill=None)
    monkeypatch.setattr(search_module, "FEEDBACK_RECORDS", 0)
    without = search(ANNEX, query, DATA.codebook, fill=None)
    assert set(with_feedback["id"]) == set(without["id"])
    kinds = [dict(zip(f["id"], f["match"], strict=True)) for f in (with_feedback, without)]
    assert kinds[0] == kinds[1]


@pytest.mark.parametrize(
    "nonsense",
    [
        "asdfgh qwerty",
        "football results",
        "football world cup results",
        "recipe for chocolate cake",
        "how to fix a leaking tap",
        # "back" is a word of the topic label "Follow-up and reporting back": a word that names no concept of the
        # lexicon is no sign of relevance in a tag's label, as in a text
        "yoga poses for lower back pain",
    ],
)
def test_nonsense_finds_nothing(nonsense):
    assert search(ANNEX, nonsense, DATA.codebook).empty
    assert not search_mask(ANNEX, nonsense, DATA.codebook).any()


def test_a_word_no_record_and_no_lexicon_phrase_holds_reaches_records_through_what_their_tags_mean():
    # "journalism": no record says it and the lexicon names no such phrase; New Delhi (s), "a coalition of media
    # partners and popular personalities", is tagged with the media, whose codebook description is close to it.
    found = search(ANNEX, "journalism", DATA.codebook)
    assert "new-delhi-2007-pri-s" in set(found["id"])
    assert (found["match"] == CLOSEST).all()
    assert found["reason"].str.contains("its tag 'Media").all()


def test_a_word_in_no_text_and_no_lexicon_phrase_reaches_the_text_words_closest_in_meaning():
    # "churches": no record and no lexicon phrase says it; Cape Town (a) is the one annex II text that says
    # "religious" (counted in data/recommendations.csv). A word that close is a guess, never a confident match.
    found = search(ANNEX, "churches", DATA.codebook).set_index("id")
    reason = found.loc["cape-town-2007-rel-a", "reason"]
    assert re.match(r"similar word: churches ≈ religious \(0\.\d\d\)(?:;|$)", reason), reason
    assert (found["match"] == CLOSEST).all()


def test_words_spelt_alike_or_of_any_sentence_reach_no_similar_word(monkeypatch):
    from gift_dash import meaning
    from gift_dash import search as search_module

    vocabulary = tuple(sorted({"trends", "transport", "reduce", "reducing", "religious"}))
    # "truck" and "trends" share the tokenizer's piece "tr": their vectors are close because they are spelt alike
    assert meaning.pieces("truck") & meaning.pieces("trends")
    # "lower" has a short vector, as words of any sentence do ("lower" back pain, "lower" costs)
    assert meaning.weight("lower") < search_module.WORD_WEIGHT
    assert search_module._similar_words("lower", vocabulary) == {}
    monkeypatch.setattr(search_module, "WORD_WEIGHT", 0.0)
    assert "reduce" in search_module._similar_words("lower", vocabulary)  # what the length rule keeps out
    cosine = meaning.embed(["trends"])[0] @ meaning.embed(["truck"])[0]
    assert cosine >= search_module.WORD_SIMILARITY  # close enough to be reached, but for the shared piece
    assert "trends" not in search_module._similar_words("truck", vocabulary)


def test_a_token_weighs_how_rare_it_is_among_the_texts():
    from gift_dash import meaning

    texts = ("police training", "police work", "police")  # "police" in all three, "training" in one
    weights = meaning.rarity(texts)
    (police,), (training,) = meaning.pieces("police"), meaning.pieces("training")
    assert weights[police] == pytest.approx(np.log(4 / 4))
    assert weights[training] == pytest.approx(np.log(4 / 2))
    absent = min(meaning.pieces("xylophone") - meaning.pieces("police training work"))
    assert weights[absent] == pytest.approx(np.log(4 / 1))
    # with every weight 1 the text's vector is the model's own mean
    same = meaning.embed(list(texts), np.ones(len(weights)))
    assert np.allclose(same, meaning.embed(list(texts)), atol=1e-5)


@pytest.mark.parametrize(
    ("query", "record"),
    [
        # from the question sets (tests/data), each record judged by their annotators: Abidjan prevention (n)
        # "the proliferation of small arms"; Cape Town (c) names corruption; Bangkok (b) specialised units.
        ("guns", "abidjan-2007-pre-n"),
        ("bribery and corrupt officials", "cape-town-2007-rel-c"),
        ("specialised police units investigating trafficking", "bangkok-2007-pri-b"),
    ],
)
def test_a_question_s_rare_words_steer_its_meaning_not_the_words_every_text_holds(query, record):
    from gift_dash import meaning

    texts = tuple(ANNEX["text"])
    weights = meaning.rarity(texts)
    top = ANNEX["id"].to_numpy()[
        np.argsort(-(meaning.embed(list(texts), weights) @ meaning.embed([query], weights)[0]))
    ]
    assert record in set(top[:5])
    plain = ANNEX["id"].to_numpy()[np.argsort(-(meaning.embed(list(texts)) @ meaning.embed([query])[0]))]
    assert record not in set(plain[:5])  # the model's plain mean: drowned in the words every text holds


def test_closest_matches_come_below_the_confident_ones_and_fill_the_first_screen():
    found = search(ANNEX, "training teachers", DATA.codebook)
    kinds = found["match"].tolist()
    assert kinds == sorted(kinds, key=[CONFIDENT, CLOSEST].index)
    assert len(found) >= 10


def test_the_view_counts_and_exports_say_which_records_only_came_close():
    from gift_dash import filters as flt

    view = View.of(DATA, flt.Filters(query="send victims home safely"))
    assert view.records.empty  # nothing matches with confidence, so nothing is counted
    assert set(view.closest["id"]) >= REPATRIATION and len(view.closest) == 10  # but ten are listed below
    columns = search_columns(view, view.closest)
    assert set(columns["Search"]) == {"closest match"}


def test_closest_matches_respect_the_other_filters_and_are_never_counted():
    from gift_dash import filters as flt

    view = View.of(DATA, flt.Filters(query="peacekeepers", events=("kampala-2007",)))
    assert view.records["id"].tolist() == ["kampala-2007-gen-e"]  # the one Kampala text naming peacekeeping forces
    assert set(view.closest["event_id"]) == {"kampala-2007"}
    assert 1 <= len(view.closest) <= 9  # at most the first screen: ten texts with the confident match


def test_the_cli_labels_closest_matches_and_finds_nothing_for_nonsense(capsys):
    assert main(["search", "send victims home safely"]) == 0
    out, err = capsys.readouterr()
    rows = [line.split(",") for line in out.splitlines()[1:]]
    assert {r[0] for r in rows} >= REPATRIATION and {r[1] for r in rows} == {CLOSEST}
    assert "0 confident, 10 closest matches" in err
    assert main(["search", "asdfgh qwerty"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id,match,score,reason"]


# ---------------------------------------------------------------------------------------------- recurring ideas

INDEX = build_index(ANNEX, codebook=DATA.codebook)


def same_group(frame: pd.DataFrame, a: str, b: str) -> bool:
    return bool(set(frame.loc[frame["id"] == a, "group"]) & set(frame.loc[frame["id"] == b, "group"]))


@pytest.mark.parametrize("threshold", [0.15, 0.2, 0.3, 0.4])
def test_no_group_holds_a_sub_item_with_the_item_it_completes(threshold):
    found = groups(INDEX, threshold)
    parents = ANNEX.loc[ANNEX["parent_id"].fillna("") != "", ["id", "parent_id"]]
    assert len(parents) >= 10  # Kampala (g), (h), Bangkok (c) and their sub-items, counted in the document
    together = [(c, p) for c, p in parents.itertuples(index=False) if same_group(found, c, p)]
    assert together == []


@pytest.mark.parametrize(
    "a, b",
    [
        # "leaders": New Delhi (o) asks to prevent commercial sexual exploitation with community leaders, (j) for
        # reintegration of victims; both only name leaders.
        ("new-delhi-2007-pri-o", "new-delhi-2007-pri-j"),
        # "causes": Cape Town (h) commissions research on causes; Kampala (b) tailors activities to conflict.
        ("cape-town-2007-rel-h", "kampala-2007-gen-b"),
        ("kampala-2007-gen-g", "kampala-2007-gen-g-i"),
        ("kampala-2007-gen-h", "kampala-2007-gen-h-i"),
        # "leaders" again: Cape Town (a) asks for paradigm shifts in religious communities, New Delhi (o) for the
        # prevention of commercial sexual exploitation with community leaders.
        ("cape-town-2007-rel-a", "new-delhi-2007-pri-o"),
        # Kampala (e) trains peacekeepers to detect trafficking; Bangkok (b) creates an investigation function.
        ("kampala-2007-gen-e", "bangkok-2007-pri-b"),
        # The blind reader of bench/group_judgement/ (pairs_different.csv; development material since): Kampala (h)
        # asks to involve the private sector (raising its knowledge is how), not for awareness material or
        # messages to travellers; its sub-item (i), the private sector's support of programmes, is not the
        # training of stakeholders or of educators; Abidjan prevention (l) supports vulnerable families, DDR (g)
        # budgets the costs of children in vocational training.
        ("kampala-2007-gen-h", "kampala-2007-rap-f"),
        ("kampala-2007-gen-h", "kampala-2007-gen-c"),
        ("kampala-2007-gen-h-i", "new-delhi-2007-pri-c"),
        ("kampala-2007-gen-h-i", "abidjan-2007-pre-h"),
        ("abidjan-2007-pre-l", "abidjan-2007-ddr-g"),
        # Same beneficiary, different measure (the reader's third pattern): Cape Town (b) asks that traffickers'
        # profits be recouped for the benefit of victims, Abidjan (d) for a scheme of full assistance to victims.
        ("cape-town-2007-rel-b", "abidjan-2007-dat-d"),
        # Both readers (bench/group_judgement/ and round2/): Cape Town (l) asks for consensus on an international
        # week, an awareness measure; Bangkok (c)(v) and (c)(ii), Abidjan prevention (d) and Kampala (g)(ii) ask for
        # legal, investigative and inter-state cooperation and agreements. They share the word "international".
        ("cape-town-2007-rel-l", "bangkok-2007-pri-c-v"),
        ("cape-town-2007-rel-l", "bangkok-2007-pri-c-ii"),
        ("cape-town-2007-rel-l", "abidjan-2007-pre-d"),
        ("cape-town-2007-rel-l", "kampala-2007-gen-g-ii"),
        # The second reader: Brasilia (e) concludes that countries should build their own model of assistance;
        # Abidjan DDR (e) includes dependants in welfare coverage. DDR (g) budgets children's costs, DDR (n) keeps
        # the children's process separate from the adults'.
        ("brasilia-2007-con-e", "abidjan-2007-ddr-e"),
        ("abidjan-2007-ddr-g", "abidjan-2007-ddr-n"),
    ],
)
def test_pairs_a_reader_calls_different_ideas_stay_apart(a, b):
    assert not same_group(groups(INDEX), a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        # Section VI: Kampala "considered training of peacekeeping forces"; Bangkok (c)(i): front-line officials
        # trained to understand the crime.
        ("kampala-2007-gen-e", "bangkok-2007-pri-c-i"),
        # Licensing recruitment agencies (Kampala rapporteur (g)) and stopping brokers (New Delhi (l)).
        ("kampala-2007-rap-g", "new-delhi-2007-pri-l"),
        # Demand: campaigns on products of exploitation (Kampala (j)) and reducing demand (New Delhi (f)).
        ("kampala-2007-rap-j", "new-delhi-2007-pri-f"),
        # Abidjan prevention (j), "educational and rehabilitation measures for children formerly associated with
        # armed groups", is rehabilitation like New Delhi (j)'s reintegration of victims, not one of its own list's
        # education items (it may count there too, as a second idea).
        ("abidjan-2007-pre-j", "new-delhi-2007-pri-j"),
        # Monitoring movements (Kampala (c)) and controlling children's movement across frontiers (Brasilia (e)).
        ("kampala-2007-rap-c", "brasilia-2007-pri-e"),
    ],
)
def test_records_that_ask_for_the_same_measure_join(a, b):
    assert same_group(groups(INDEX), a, b)


@pytest.mark.parametrize(
    "text, clause",
    [
        (
            "Provide specialized training of peacekeeping forces on preventing and detecting trafficking",
            "Provide specialized training of peacekeeping forces on preventing and detecting trafficking",
        ),
        (
            "Involve the private sector more actively in conflict and post-conflict settings, by raising awareness",
            "Involve the private sector more actively in conflict and post-conflict settings",
        ),
        (
            "Promote the prevention of commercial sexual exploitation in close alignment with community leaders",
            "Promote the prevention of commercial sexual exploitation",
        ),
        ("", ""),
    ],
)
def test_the_measure_clause_is_what_is_asked_before_why_and_for_whom(text, clause):
    assert measure_clause(text) == clause


def test_a_group_label_names_the_idea_without_a_tail_of_words():
    labels = groups(INDEX)["label"]
    assert not labels.str.contains(":").any()
    assert labels.str.split().str.len().max() <= 8


# ---------------------------------------------------------------------------------------------- the lexicon file


def test_the_shipped_lexicon_is_data_and_valid():
    frame = load_lexicon(DATA_DIR / "lexicon.csv")
    assert {"repatriation", "training", "legislation"} <= set(frame["concept"])
    assert not [p for p in check_shipped() if p.file == "lexicon.csv"]


def test_a_damaged_lexicon_is_reported_by_row_and_column(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "lexicon.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",measure,", ",wish,", 1)  # row 2: the first concept
    lines.append(lines[2])  # a repeated concept at the end
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [str(p) for p in check_shipped(folder) if p.file == "lexicon.csv"]
    assert any("row 2" in p and "kind" in p and "'wish'" in p for p in problems)
    assert any("duplicate concept" in p for p in problems)
    with pytest.raises(ShippedDataError):
        load_lexicon(path)
