"""Suggested tags scored for many texts at once (sparse products, gift_dash.suggest) give exactly what a plain
per-text reading of the rule gives. The reference below is written here, one text at a time, with exact fractions,
from the module docstring: a phrase matches when each of its words begins a content word of the text."""

from __future__ import annotations

import random
from fractions import Fraction

import pandas as pd
import pytest

from gift_dash.data import load_dataset
from gift_dash.lexicon import STOP_WORDS, tokens
from gift_dash.rules import closed
from gift_dash.schema import MULTI_VOCAB_COLUMNS, SEPARATOR, split_multi
from gift_dash.suggest import _CODEBOOK_WORDS, DEFAULT_MIN_SCORE, MIN_SCORE, Lexicon, suggestions_table

NOISE = ["", "  ", "x", "nan", "Prosecutors!!", "PROSECUT", "ﬁght", "Children's rights", "1234", "e.g.", "police-"]


def plain_tags(lexicon: Lexicon, text: str, given: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    words = [w for w in tokens(text) if w not in STOP_WORDS and w not in _CODEBOOK_WORDS]
    suggested = {}
    for column, vocabulary in MULTI_VOCAB_COLUMNS.items():
        score: dict[str, Fraction] = {}
        for phrase, values in lexicon.phrases.get(vocabulary, {}).items():
            if all(any(word.startswith(part) for word in words) for part in phrase):
                for value, weight in values.items():
                    score[value] = score.get(value, Fraction(0)) + Fraction(weight)
        floor = Fraction(MIN_SCORE.get(column, DEFAULT_MIN_SCORE))
        kept = [value for value in score if score[value] >= floor]
        rank = lexicon.rank[vocabulary]
        kept.sort(key=lambda value: (-score[value], rank[value]))
        suggested[column] = (given or {}).get(column) or kept
    suggested = closed(suggested, lexicon.rules)
    suggested["primary_theme"] = suggested["themes"][:1]
    return suggested


def varied_texts(count: int, seed: int) -> list[str]:
    """Pieces of the shipped texts recombined, cut mid-word, shouted, repeated, with noise and empty texts."""
    rng = random.Random(seed)
    words = " ".join(load_dataset().records["text"]).split()
    texts = []
    for _ in range(count):
        start = rng.randrange(len(words))
        text = " ".join(words[start : start + rng.randint(1, 40)])
        pick = rng.random()
        if pick < 0.1:
            text = rng.choice(NOISE)
        elif pick < 0.2:
            text = text.upper()
        elif pick < 0.3:
            text = text[: rng.randint(0, len(text))]
        elif pick < 0.4 and texts:
            text = rng.choice(texts)
        texts.append(text)
    return texts


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.of(load_dataset().codebook)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_texts_at_once_equal_the_plain_rule_text_by_text(lexicon, seed):
    texts = varied_texts(300, seed)
    distinct, which = lexicon.tags_many(texts)
    assert len(which) == len(texts)
    for text, position in zip(texts, which, strict=True):
        assert distinct[position] == plain_tags(lexicon, text), text


def test_one_text_and_its_scores_follow_the_same_rule(lexicon):
    for text in varied_texts(60, 4):
        assert lexicon.tags(text) == plain_tags(lexicon, text), text
        scores = lexicon.scores(text)
        assert set(scores) == set(MULTI_VOCAB_COLUMNS)
        assert all(score > 0 for found in scores.values() for score in found.values())


def test_a_tie_is_broken_by_codebook_order_not_by_rounding(lexicon):
    # 2 + 1/14 reached by two sums in different orders: equal, so the codebook's order decides.
    text = "Repatriation procedures oriented towards care, full assistance"
    found = lexicon.scores(text)["topics"]
    tied = [v for v in found if found[v] == found.get("victim_assistance")]
    assert len(tied) > 1
    topics = lexicon.tags(text)["topics"]
    rank = lexicon.rank["topics"]
    assert [v for v in topics if v in tied] == sorted(tied, key=rank.get)


def test_suggestions_table_equals_the_plain_rule_row_by_row_with_cells_given(lexicon):
    rng = random.Random(5)
    texts = varied_texts(200, 6)
    records = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(texts))],
            "text": texts,
            "themes": [rng.choice(["", "", "", " ; ", "prosecution", None]) for _ in texts],
            "topics": [rng.choice(["", "", "victim_assistance", "training; education"]) for _ in texts],
            "target_groups": [rng.choice(["", "girls", None]) for _ in texts],
        }
    )
    table = suggestions_table(records, load_dataset().codebook)
    expected_positions = [
        i
        for i, (themes, text) in enumerate(zip(records["themes"], texts, strict=True))
        if not split_multi(themes) and str(text).strip()
    ]
    assert table.index.tolist() == expected_positions
    assert table["row"].tolist() == [i + 2 for i in expected_positions]
    for position, row in table.iterrows():
        given = {c: split_multi(records[c].iloc[position]) for c in ("themes", "topics", "target_groups")}
        expected = plain_tags(lexicon, texts[position], given)
        assert row["id"] == f"r{position}"
        for column, values in expected.items():
            assert row["suggested " + column] == SEPARATOR.join(values), (texts[position], column)
