"""Suggested tags for a record's text, from the codebook's own words (labels, definitions, inclusion rules)
plus a few keywords; suggestions only — nothing is tagged until a person accepts it.

A value's lexicon is its label, the comma-separated phrases of its definition and inclusion rule, and the
keywords below. A phrase matches when all its (stemmed, content) words occur in the text. A value scores the
weights of its matching phrases; a phrase that several values of one vocabulary share counts for each of them
divided by how many share it, so generic words ("victims", "cooperation") do not decide alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

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
_LABEL_WEIGHT = 2.0
_KEYWORD_WEIGHT = 2.0
_DEFINITION_WEIGHT = 1.0
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


@dataclass(frozen=True)
class Lexicon:
    """vocabulary -> phrase (stems) -> value -> weight (shared phrases divided among their values), and each
    vocabulary's values in codebook order. Build once with ``Lexicon.of(codebook)`` to tag many texts."""

    phrases: dict[str, dict[tuple[str, ...], dict[str, float]]]
    rank: dict[str, dict[str, int]]
    rules: Rules = NO_RULES  # suggestions are closed under the codebook's implications

    @classmethod
    def of(cls, codebook: Codebook) -> Lexicon:
        columns = ["vocabulary", "value", "label", "definition", "inclusion_rule"]
        lexicon = _lexicon(tuple(map(tuple, codebook.entries[columns].itertuples(index=False))))
        return replace(lexicon, rules=codebook.rules)

    def scores(self, text: str) -> dict[str, dict[str, float]]:
        """column -> value -> score for the text (only values that score above 0)."""
        # Every prefix of every word: a keyword stem such as "prosecut" or "vulnerab" matches any word it begins.
        prefixes = {word[:end] for word in _stems(text) for end in range(1, len(word) + 1)}
        out: dict[str, dict[str, float]] = {}
        for column, vocabulary in MULTI_VOCAB_COLUMNS.items():
            found: dict[str, float] = {}
            for phrase, values in self.phrases.get(vocabulary, {}).items():
                if all(part in prefixes for part in phrase):
                    for value, weight in values.items():
                        found[value] = found.get(value, 0.0) + weight
            out[column] = found
        return out

    def tags(self, text: str, given: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
        """Suggested values per column, best first, with what the implications require added. ``given`` are
        values the record already has (a column given is kept as it is: accepting never overwrites it), so that
        the closure covers them too."""
        suggested: dict[str, list[str]] = {}
        for column, found in self.scores(text).items():
            rank = self.rank.get(MULTI_VOCAB_COLUMNS[column], {})
            kept = [v for v, score in found.items() if score >= MIN_SCORE.get(column, DEFAULT_MIN_SCORE)]
            suggested[column] = (given or {}).get(column) or sorted(kept, key=lambda v: (-found[v], rank.get(v, 0)))
        suggested = closed(suggested, self.rules)
        suggested["primary_theme"] = suggested["themes"][:1]
        return suggested


@lru_cache(maxsize=8)
def _lexicon(entries: tuple[tuple[str, ...], ...]) -> Lexicon:
    vocabularies = set(MULTI_VOCAB_COLUMNS.values())
    raw: dict[str, dict[tuple[str, ...], dict[str, float]]] = {}
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
                values[value] = max(values.get(value, 0.0), weight)
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
    lexicon = Lexicon.of(codebook)
    rows, positions = [], []
    for position, (themes, text) in enumerate(zip(records["themes"], records["text"], strict=True)):
        if split_multi(themes) or not str(text).strip():
            continue
        if len(rows) == limit:
            break
        given = {c: split_multi(records[c].iloc[position]) for c in MULTI_VOCAB_COLUMNS if c in records.columns}
        tags = lexicon.tags(str(text), given)
        row = {
            "row": sheet_row(position),
            "id": str(records["id"].iloc[position]) if "id" in records else "",
            "text": str(text),
        }
        row |= {SUGGESTION_PREFIX + column: SEPARATOR.join(values) for column, values in tags.items()}
        rows.append(row)
        positions.append(position)
    return pd.DataFrame(rows, index=positions)


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
