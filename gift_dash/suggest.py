"""Suggested tags for a record's text, from the codebook's own words (labels, definitions, inclusion rules)
plus a few keywords; suggestions only — nothing is tagged until a person accepts it.

A value's lexicon is its label, the comma-separated phrases of its definition and inclusion rule, and the
keywords below. A phrase matches when all its (stemmed, content) words occur in the text. A value scores the
weights of its matching phrases; a phrase that several values of one vocabulary share counts for each of them
divided by how many share it, so generic words ("victims", "cooperation") do not decide alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import utils
from scipy import sparse

from gift_dash.lexicon import STOP_WORDS, stem, tokens
from gift_dash.rules import closed
from gift_dash.schema import MULTI_VOCAB_COLUMNS, NO_RULES, SEPARATOR, Codebook, Rules, sheet_row, split_multi

# Words of the codebook's definitions that describe tagging, not the subject.
_CODEBOOK_WORDS = frozenset(
    stem(w)
    for w in """
tag record records asks ask calls call named name names mention mentions means mean measure measures action
actions people person those who whom e.g. including etc i.e. where what e g not see also being been other
their its itself any one single purpose stated section vii viii table priority field office offices
""".split()
)

# Keywords for ideas the codebook's wording misses (how records say it rather than how the codebook defines it).
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "themes": {
        "prevention": (
            "awareness",
            "campaign",
            "prevent",
            "root cause",
            "poverty",
            "vulnerab",
            "education",
            "livelihood",
            "employment",
            "demand",
            "safe migration",
            "research",
            "sensitization",
            "information",
            "risk",
        ),
        "protection": (
            "victim",
            "survivor",
            "assistance",
            "shelter",
            "rehabilitation",
            "reintegration",
            "repatriation",
            "identification",
            "witness",
            "compensation",
            "counselling",
            "care",
        ),
        "prosecution": (
            "prosecut",
            "police",
            "law enforcement",
            "criminal",
            "crime",
            "penal",
            "legislation",
            "investigat",
            "judge",
            "judicial",
            "court",
            "impunity",
            "punish",
            "offender",
            "trafficker",
            "criminalize",
        ),
        "cooperation": (
            "cooperation",
            "coordination",
            "partnership",
            "network",
            "regional",
            "bilateral",
            "task force",
            "action plan",
            "memorandum",
            "agreement",
            "collaborat",
            "synerg",
            "national plan",
            "joint",
        ),
    },
    "actors": {
        "law_enforcement": ("police", "law enforcement"),
        "prosecutors_judiciary": ("prosecutor", "judge", "judiciary"),
        "governments": ("government", "state", "ministry", "member state"),
        "ngos_civil_society": ("ngo", "civil society", "non governmental"),
        "media_artists": ("media", "journalist", "artist"),
        "private_sector": ("private sector", "business", "employer", "company"),
        "military_peacekeepers": ("peacekeeper", "military", "armed force"),
    },
    "target_groups": {
        "children": ("child", "children", "minor"),
        "women": ("woman", "women"),
        "girls": ("girl",),
        "victims": ("victim", "survivor"),
        "migrants": ("migrant",),
        "refugees_displaced": ("refugee", "displaced"),
    },
}

# Thresholds chosen for the best F1 against the hand-coded shipped records (bench/suggest_agreement.py prints
# the figures): one definition phrase is enough, except where definitions share words with other vocabularies.
MIN_SCORE = {"actors": 2.0, "exploitation_forms": 2.0}
DEFAULT_MIN_SCORE = 1.0
_LABEL_WEIGHT = 2
_KEYWORD_WEIGHT = 2
_DEFINITION_WEIGHT = 1
_MAX_PHRASE_WORDS = 4
_SPLIT = re.compile(r"[,;:()/]|\band\b|\bor\b|\.\s")


def _stems(text: str) -> tuple[str, ...]:
    return tuple(s for s in tokens(text) if s not in STOP_WORDS and s not in _CODEBOOK_WORDS)


def _phrases(text: str) -> list[tuple[str, ...]]:
    out = []
    for fragment in _SPLIT.split(text):
        words = _stems(fragment)
        if 0 < len(words) <= _MAX_PHRASE_WORDS:
            out.append(words)
    return out


def _sparse(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], data: np.ndarray | None = None):
    data = np.ones(len(rows), dtype=np.int64) if data is None else data
    return sparse.csr_matrix((data, (rows, cols)), shape=shape)


@dataclass(frozen=True)
class Lexicon:
    """vocabulary -> phrase (stems) -> value -> weight (a Fraction: shared phrases divided among their values, so
    that sums are exact and a score on a threshold is not lost to rounding), and each vocabulary's values in
    codebook order. Build once with ``Lexicon.of(codebook)`` to tag many texts: ``tags_many`` scores them all at
    once (sparse matrix products, no loop over texts), and works out the tags once per distinct outcome."""

    phrases: dict[str, dict[tuple[str, ...], dict[str, Fraction]]]
    rank: dict[str, dict[str, int]]
    rules: Rules = NO_RULES  # suggestions are closed under the codebook's implications

    @classmethod
    def of(cls, codebook: Codebook) -> Lexicon:
        columns = ["vocabulary", "value", "label", "definition", "inclusion_rule"]
        lexicon = _lexicon(tuple(map(tuple, codebook.entries[columns].itertuples(index=False))))
        return replace(lexicon, rules=codebook.rules)

    @cached_property
    def _matcher(self) -> _Matcher:
        return _Matcher.of(self.phrases)

    def scores(self, text: str) -> dict[str, dict[str, float]]:
        """column -> value -> score for the text (only values that score above 0)."""
        matcher = self._matcher
        _, points = matcher.points([text])
        out: dict[str, dict[str, float]] = {column: {} for column in MULTI_VOCAB_COLUMNS}
        for slot in np.flatnonzero(points[0]):
            column, value = matcher.slots[slot]
            out[column][value] = float(points[0, slot]) / matcher.unit
        return out

    def named(self, texts: Sequence[str], column: str, minimum: float) -> list[set[str]]:
        """Per text, the values of ``column`` that its words score at least ``minimum`` for (as ``scores``)."""
        matcher = self._matcher
        which, points = matcher.points(texts)
        slots = [value if slot_column == column else None for slot_column, value in matcher.slots]
        found = [{slots[k] for k in np.flatnonzero(row >= minimum * matcher.unit) if slots[k]} for row in points]
        return [found[w] for w in which.tolist()]

    def tags(self, text: str, given: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
        """Suggested values per column, best first, with what the implications require added. ``given`` are
        values the record already has (a column given is kept as it is: accepting never overwrites it), so that
        the closure covers them too."""
        given_cells = {column: [SEPARATOR.join(values)] for column, values in (given or {}).items()}
        distinct, which = self.tags_many([text], given_cells)
        return distinct[which[0]]

    def tags_many(
        self, texts: Sequence[str], given: dict[str, Sequence[object]] | None = None
    ) -> tuple[list[dict[str, list[str]]], np.ndarray]:
        """``tags`` of every text at once: (the distinct results, and for each text the position of its result
        there; texts with the same result share it: read-only). ``given``: column -> a cell per text ("a; b")."""
        matcher = self._matcher
        which_text, points = matcher.points(texts)
        # What decides a result: the values kept (score and all) and the cells given.
        floor = np.array([MIN_SCORE.get(column, DEFAULT_MIN_SCORE) for column, _ in matcher.slots]) * matcher.unit
        kept = np.where(points >= floor, points, 0)
        cells = {column: pd.Series(list(values), dtype=object) for column, values in (given or {}).items()}
        keys = [which_text] + [pd.factorize(s.fillna("").astype(str), use_na_sentinel=False)[0] for s in cells.values()]
        outcome, first, which = np.unique(
            np.column_stack([kept[which_text]] + keys[1:]) if len(texts) else np.zeros((0, 1)),
            axis=0,
            return_index=True,
            return_inverse=True,
        )
        distinct = []
        for position in first.tolist():
            row = kept[which_text[position]]
            suggested: dict[str, list[str]] = {}
            for column, vocabulary in MULTI_VOCAB_COLUMNS.items():
                own = split_multi(cells[column].iloc[position]) if column in cells else []
                rank = self.rank.get(vocabulary, {})
                found = {value: row[slot] for slot, value in matcher.columns[column] if row[slot]}
                suggested[column] = own or sorted(found, key=lambda v: (-found[v], rank.get(v, 0)))
            suggested = closed(suggested, self.rules)
            suggested["primary_theme"] = suggested["themes"][:1]
            distinct.append(suggested)
        return distinct, np.asarray(which).reshape(-1)


@dataclass(frozen=True)
class _Matcher:
    """A lexicon as matrices: which words each phrase needs (phrases x words) and what a match adds to each
    (column, value) slot, in whole multiples of 1/``unit``."""

    words: np.ndarray  # the distinct words of the phrases, sorted
    needs: sparse.csr_matrix  # phrases x words, 1 where the phrase holds the word
    length: np.ndarray  # per phrase, its number of distinct words
    weights: sparse.csr_matrix  # phrases x slots, integer
    slots: list[tuple[str, str]]  # (column, value)
    columns: dict[str, list[tuple[int, str]]]  # column -> its (slot, value)
    unit: int

    @classmethod
    def of(cls, phrases: dict[str, dict[tuple[str, ...], dict[str, Fraction]]]) -> _Matcher:
        entries = [
            (column, phrase, value, weight)
            for column, vocabulary in MULTI_VOCAB_COLUMNS.items()
            for phrase, values in phrases.get(vocabulary, {}).items()
            for value, weight in values.items()
        ]
        unit = math.lcm(1, *(w.denominator for *_, w in entries))
        slots = list(dict.fromkeys((column, value) for column, _, value, _ in entries))
        slot_of = {slot: i for i, slot in enumerate(slots)}
        rows = list(dict.fromkeys((column, phrase) for column, phrase, _, _ in entries))
        row_of = {row: i for i, row in enumerate(rows)}
        words = np.array(sorted({w for _, phrase in rows for w in phrase}), dtype=str)
        word_of = {w: i for i, w in enumerate(words.tolist())}
        pairs = sorted({(row_of[row], word_of[w]) for row in rows for w in row[1]})
        needs = _sparse(*(np.array(p, dtype=np.int64) for p in zip(*pairs, strict=True)), (len(rows), len(words)))
        weights = _sparse(
            np.array([row_of[(c, p)] for c, p, _, _ in entries], dtype=np.int64),
            np.array([slot_of[(c, v)] for c, _, v, _ in entries], dtype=np.int64),
            (len(rows), len(slots)),
            np.array([int(w * unit) for *_, w in entries], dtype=np.int64),
        )
        columns: dict[str, list[tuple[int, str]]] = {column: [] for column in MULTI_VOCAB_COLUMNS}
        for i, (column, value) in enumerate(slots):
            columns[column].append((i, value))
        return cls(words, needs, np.asarray(needs.sum(axis=1)).ravel(), weights, slots, columns, unit)

    def points(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(for each text, its row in the table; the table: distinct texts x slots, the score in 1/unit).

        A phrase word matches any content word of the text that it begins ("prosecut" matches "prosecutors"), so
        every distinct word of the corpus is compared with the phrase words once, not once per text."""
        which_text, distinct = pd.factorize(pd.Series(list(texts), dtype=object).astype(str))
        said = pd.Series(distinct, dtype=object).map(utils.default_process).str.split().explode().dropna()
        text_of_word = said.index.to_numpy(dtype=np.int64)
        which_word, raw = pd.factorize(said.to_numpy(dtype=object))
        stems = pd.Series(raw, dtype=object).map(stem)
        content = ~stems.isin(list(STOP_WORDS | _CODEBOOK_WORDS)).to_numpy()
        which_stem, vocabulary = pd.factorize(stems.where(content, ""))
        vocabulary = vocabulary.to_numpy(dtype=str)
        # Stems in sorted order, so the stems a phrase word begins are one run found by binary search.
        order = np.argsort(vocabulary, kind="stable")
        ordered = vocabulary[order]
        start = np.searchsorted(ordered, self.words, side="left")
        end = np.searchsorted(ordered, np.char.add(self.words, "\U0010ffff"), side="left")
        runs = end - start
        begun = order[np.repeat(start - np.cumsum(runs) + runs, runs) + np.arange(runs.sum())]
        stem_word = _sparse(begun, np.repeat(np.arange(len(self.words)), runs), (len(vocabulary), len(self.words)))
        keep = content[which_word]
        text_stem = _sparse(text_of_word[keep], which_stem[which_word[keep]], (len(distinct), len(vocabulary)))
        has_word = (text_stem @ stem_word).astype(bool).astype(np.int64)
        held = (has_word @ self.needs.T).tocoo()
        full = held.data == self.length[held.col]
        matched = _sparse(held.row[full], held.col[full], (len(distinct), self.needs.shape[0]))
        return which_text, (matched @ self.weights).toarray()


@lru_cache(maxsize=8)
def _lexicon(entries: tuple[tuple[str, ...], ...]) -> Lexicon:
    vocabularies = set(MULTI_VOCAB_COLUMNS.values())
    raw: dict[str, dict[tuple[str, ...], dict[str, Fraction]]] = {}
    rank: dict[str, dict[str, int]] = {}
    for vocabulary, value, label, definition, rule in entries:
        if vocabulary not in vocabularies:
            continue
        order = rank.setdefault(vocabulary, {})
        order[value] = len(order)
        weighted = [(_stems(label), _LABEL_WEIGHT), (_stems(value.replace("_", " ")), _LABEL_WEIGHT)]
        weighted += [(p, _DEFINITION_WEIGHT) for p in _phrases(definition) + _phrases(rule)]
        weighted += [(_stems(k), _KEYWORD_WEIGHT) for k in KEYWORDS.get(vocabulary, {}).get(value, ())]
        phrases = raw.setdefault(vocabulary, {})
        for phrase, weight in weighted:
            if phrase:
                values = phrases.setdefault(phrase, {})
                values[value] = max(values.get(value, Fraction(0)), Fraction(weight))
    shared = {
        vocabulary: {phrase: {v: w / len(values) for v, w in values.items()} for phrase, values in phrases.items()}
        for vocabulary, phrases in raw.items()
    }
    return Lexicon(shared, rank)


def suggest_tags(text: str, codebook: Codebook) -> dict[str, list[str]]:
    """Suggested values per tag column, best first, plus "primary_theme" (the best theme) when a theme is
    suggested. A SUGGESTION for a person to accept or not, never a tag by itself."""
    return Lexicon.of(codebook).tags(text)


SUGGESTION_PREFIX = "suggested "


MAX_SUGGESTED_ROWS = 2_000  # about half a second; accepting them brings the next rows without themes forward


def suggestions_table(records: pd.DataFrame, codebook: Codebook, limit: int = MAX_SUGGESTED_ROWS) -> pd.DataFrame:
    """For the first ``limit`` records with text and no theme: row (as a spreadsheet shows it), id, text and
    "suggested <column>" cells, indexed by the record's position in ``records`` (``accept_suggestions`` writes there)."""
    if "themes" not in records.columns or "text" not in records.columns:
        return pd.DataFrame()
    texts = records["text"].astype(str)
    # No theme: every part of the cell blank (schema.split_multi gives nothing).
    untagged = records["themes"].fillna("").astype(str).str.replace(";", "").str.strip().eq("")
    positions = np.flatnonzero((untagged & texts.str.strip().ne("")).to_numpy())[:limit]
    if not len(positions):
        return pd.DataFrame()
    given = {c: records[c].iloc[positions].tolist() for c in MULTI_VOCAB_COLUMNS if c in records.columns}
    distinct, which = Lexicon.of(codebook).tags_many(texts.iloc[positions].tolist(), given)
    table = pd.DataFrame(
        {
            "row": sheet_row(positions),
            "id": records["id"].iloc[positions].astype(str).to_numpy() if "id" in records else "",
            "text": texts.iloc[positions].to_numpy(),
        },
        index=positions,
    )
    for column in distinct[0]:
        cells = np.array([SEPARATOR.join(tags[column]) for tags in distinct], dtype=object)
        table[SUGGESTION_PREFIX + column] = cells[which]
    return table


def accept_suggestions(records: pd.DataFrame, suggestions: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """A copy of the uploaded records with the suggestions of the given spreadsheet rows written into the cells
    that are empty. What the person wrote is never overwritten; the result is then validated as any upload.
    A tag column the file does not have is not added (primary_theme aside): it would make the file's other rows
    look coded as empty there, and so break the codebook's implications, where they are simply not coded."""
    out = records.copy()
    chosen = suggestions[suggestions["row"].isin(rows)]
    for column in [c for c in chosen.columns if c.startswith(SUGGESTION_PREFIX)]:
        target = column[len(SUGGESTION_PREFIX) :]
        if target not in out.columns:
            if target != "primary_theme":
                continue
            out[target] = ""
        for position, value in zip(chosen.index, chosen[column], strict=True):
            if value and not str(out[target].iloc[position]).strip():
                out.iloc[position, out.columns.get_loc(target)] = value
    return out
