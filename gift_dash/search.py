"""Search: a query's words found in the records' words, in the concepts of the similarity lexicon, and in
the codebook's tags; results ranked, each with the reason it matched.

A query is cut into *terms*. A ``"quoted phrase"`` is one term matched literally (case, punctuation and
spelling variants aside) and every quoted phrase is required. Outside quotes, a run of words that names a
concept of the lexicon (``capacity building``, ``law enforcement``, ``penal code``) is one term, every other
word (stop words aside) is one term; terms naming the same concepts ("prosecutors and judges") are merged. A word
that nearly every record uses ("trafficking", "persons", "combat": ``lexicon.STOP_WORDS``) is no term when the query
has another: it would match almost every record and lift them all above the records about the question's subject.
A place the query names, as the records' ``event_id`` holds it without its year ("Vienna", "Cape Town", "New
Delhi": the whole name), is one term found in the records of the events held there, as if they said it (strength
1.0, reason "event: vienna-2008"); "what did the Vienna Forum conclude" is about the Forum's ten findings, of which
two say "Vienna".

A term matches a record, best first:

| how                         | strength | e.g. for the term "police"                                         |
|-----------------------------|----------|--------------------------------------------------------------------|
| its words in the text       | 1.0      | "train police, prosecutors" (typos tolerated, see below)           |
| its concept in the text     | 0.8      | "front-line law enforcement officials" (concept law enforcement)   |
| a tag's codebook label      | 0.6      | topic "Training of law enforcement and security forces"            |
| a tag's codebook definition | 0.3      | a tag whose definition names police (too broad to match alone)     |

A word found in no text and naming no concept ("guns", "churches") reaches the text words nearest to it in meaning
(``_similar_words``: at most ``SIMILAR_WORDS`` (3), cosine of wordllama's vectors of the two words at least
``WORD_SIMILARITY`` (0.45)), at strength 0.4 (below a related concept), reason "similar word: churches ≈ religious
(0.47)". Two rules keep the model's word pieces from passing for meaning: a pair cut into a shared piece by the
tokenizer is no pair ("kids" and "aids" share "ids", "truck" and "trends" "tr"), and a word whose vector is short
(``meaning.weight`` below ``WORD_WEIGHT``, 15: "get" 6, "after" 8, "lower" 10, where "churches" is 20 and "guns" 19)
is a word of any sentence and reaches nothing. A similar word makes no record related on its own (below).

A record's score is the mean of its terms' strengths weighted by how rare each term is in the records
searched (BM25's idf: a word found everywhere says little), so it lies in [0, 1]. Records scoring at least
``MIN_SCORE`` match (ranked OR): a record needs the rarer half of the query's evidence, so "training police"
keeps the records about training *and* police, then those naming the rarer of the two, and not every record
that merely mentions enforcement. A term that matches nothing weighs most, so a query with a word found
nowhere finds (almost) nothing, as a person expects.

Typos: text and query are normalised alike (rapidfuzz ``default_process``, British/American spellings,
"peace keepers" -> "peacekeepers"), each word lightly stemmed; a query word matches a text word when their
stems score ``fuzz.ratio`` >= ``SEARCH_THRESHOLD``, or the text word starts with the query word (query
words of 4+ letters: "child" finds "children"), or the query word starts with a text word of 5+ letters
("prevention" finds "prevent"). 90 admits one slip in a word of 7+ letters ("traficking" 93, "protcol" 92)
but not a different word of similar shape ("protection" vs "prosecution" 86, vs "prevention" 70). Words of
3 letters or fewer match exactly. A misspelt word also reaches its concept through the text words it finds.

Meaning: that lexical score is one ranking. Two more come from wordllama's embeddings (gift_dash.meaning,
offline): the cosine of the query and each text (both embedded with each token weighted by how rare it is among the
texts, ``meaning.rarity``, instead of the model's plain mean, in which the words every text holds drown the
question's subject), and the cosine of the query and the closest of the record's tags,
each tag read as its codebook label and definition ("Media and artists. …" for "journalism"). A text is embedded as a
reader reads it (``meaning.in_context``): with its list's lead-in and, for a sub-item, the item it completes, each at
weight ``LEAD_IN_WEIGHT``/``PARENT_WEIGHT`` (0.5) beside the text's own 1; "Developing business codes of conduct" is
a fragment of "Involve the private sector … through:", and every Cape Town item is a commitment of the religious
leaders its lead-in names. They are fused by reciprocal rank: a record's fused score is ``LEXICAL_WEIGHT`` (1.5)/(5 + its
lexical rank) + 1/(5 + its text-meaning rank) + ``TAG_WEIGHT`` (1)/(5 + its tag-meaning rank), a term only where
the record is in that ranking (lexical score above 0; a tag at all), scaled so that first in every ranking is 1.0.
``RRF_K`` = 5 rather than the customary 60 makes the first places of each ranking count: with 60, first and
twentieth differ by a quarter and a record named by the lexicon could not outrank one close in meaning only. Then
pseudo-relevance feedback: the query's vector is moved towards the mean vector of the first ``FEEDBACK_RECORDS``
(3) records found (at ``FEEDBACK_WEIGHT`` 1), the text-meaning ranking made again with it and the fusion redone, so
records worded like the best ones found rise (the other items of a list the question is about). Records scoring at
least ``MIN_SCORE`` lexically are the *confident* matches, listed first by fused score. Below them, *closest matches*
fill the list up to ``CLOSEST_FILL`` distinct texts, best fused first, among the records that are related at all:
found through a concept of the lexicon the query names (in the text or a tag's label), or with a text cosine (of the
query as typed, before feedback) or a tag cosine at or above its chance level (gift_dash.meaning: what 97% of random
token strings stay below, against the texts and against the tags' descriptions respectively). A word that names no
concept is no sign of relevance, whether a text or a tag's label holds it ("back" in "yoga poses for lower back
pain" and the topic "Follow-up and reporting back"), nor is a similar word. A query whose words name nothing of
the domain and whose meaning is no closer to any record or tag than noise ("asdfgh qwerty", "football world cup
results") finds nothing.

Chosen on the question sets of tests/data (bench/eval_search.py): recall@10 dev / held-out 1 / held-out 2 0.787 /
0.744 / 0.678 before issue 21's third round, 0.812 / 0.900 / 0.854 after (with the lexicon's everyday names and the
stop-word and place rules above); held-out 3, then unseen, 0.713. Fourth round (rarity-weighted embedding, similar
words, the label rule, chance percentile 97, weights 1.5 and 1, chosen leave-one-set-out on the four sets:
bench/search_loso.py): 0.884 / 0.890 / 0.879 / 0.744. All four sets have been read while tuning, so these are
development figures; the leave-one-set-out figures (0.884 / 0.849 / 0.879 / 0.727) are the nearest to a stranger's.

Tags are read from the codebook given (the vocabularies of ``similarity.TAG_COMPONENTS``), never from a
list here, so renaming a tag value in the codebook changes nothing in this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from gift_dash import meaning
from gift_dash.lexicon import (
    STOP_WORDS,
    concept_spans,
    concept_words,
    stem,
)
from gift_dash.lexicon import (
    concepts as lexicon_concepts,
)
from gift_dash.schema import Codebook, missing_columns, split_multi
from gift_dash.similarity import TAG_COMPONENTS

SEARCH_THRESHOLD = 90
_MIN_FUZZY_CHARS = 4
_MIN_PREFIX_CHARS = 5
MIN_SCORE = 0.5
STRENGTH = {
    "words": 1.0,
    "concept": 0.8,
    "label": 0.6,
    "related concept": 0.45,
    "similar word": 0.4,
    "related label": 0.35,
}
WORD_SIMILARITY = 0.45  # a query word found nowhere reaches the text words whose vectors are at least this close
# A query word whose mean token vector is shorter than this is a word of any sentence and reaches no similar word
# (meaning.weight). Any value from 12 to 17 gave the same figures on the four question sets; 10 let "happens"
# (≈ "consequences") through and cost held-out 3 0.017 (measured before the rarity weighting).
WORD_WEIGHT = 15.0
SIMILAR_WORDS = 3  # at most this many of them, closest first
_SCORE_DECIMALS = 3
RESULT_COLUMNS = ["id", "match", "score", "reason"]
CONFIDENT, CLOSEST = "confident", "closest"
RRF_K = 5  # reciprocal-rank fusion's constant: a rank r adds 1 / (5 + r), so the first ranks of each ranking weigh
CLOSEST_FILL = 10  # closest matches fill the list up to this many distinct texts: the first screen
# Weights of the rankings in the fusion (the text embedding's ranking weighs 1). The lexical ranking is the surest, so
# it weighs most. Chosen on all four question sets (bench/search_loso.py: the best on any three was 1.5 or 2 and 1 or
# 1.5; these two were chosen in two of the four folds and are best on the four sets together).
LEXICAL_WEIGHT = 1.5
TAG_WEIGHT = 1.0
# A record's text is embedded with what a reader reads it with (gift_dash.meaning.in_context): its list's lead-in and,
# for a sub-item, the item it completes, each at this weight beside the text's own 1.
LEAD_IN_WEIGHT = 0.5
PARENT_WEIGHT = 0.5
# Pseudo-relevance feedback: the query's vector is moved towards the mean of the first FEEDBACK_RECORDS records
# (at FEEDBACK_WEIGHT) and the meaning ranking made again; 0 records turns it off.
FEEDBACK_RECORDS = 3
FEEDBACK_WEIGHT = 1.0

# Words that carry no subject of their own, so a plain question ("what should journalists do", "the role of
# businesses", "what are employers expected to do") searches for its subject only: a term that matches nothing weighs
# most and would leave the question with no confident match, and a rare one ("role") would outweigh the subject.
_STOPWORDS = frozenset(
    """a an and for in of on or the to with by at from into about as
role roles expected supposed say said says mention mentioned recommend recommended recommendation recommendations
anything something
what who whom which whose how why when where do does did done can could should would will shall may might must
we you they i me my our us your their them it its is are was were be been being there here this that these those
any some more most much many if than then so just also very""".split()
)
# British/American and split/joined spellings, after normalisation. Longer phrases first.
_VARIANTS = {
    "peace keepers": "peacekeepers",
    "peace keeper": "peacekeeper",
    "peace keeping": "peacekeeping",
    "awareness raising": "awarenessraising",
    "capacity building": "capacitybuilding",
    "labour": "labor",
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "centres": "centers",
    "counselling": "counseling",
    "judgement": "judgment",
    "behaviour": "behavior",
    "defence": "defense",
    "favour": "favor",
    "honour": "honor",
    "neighbouring": "neighboring",
    "co operation": "cooperation",
    "co ordination": "coordination",
    "co ordinate": "coordinate",
}
_VARIANT_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _VARIANTS), key=len, reverse=True)) + r")\b")
_ISE_RE = re.compile(r"\b(\w{3,})is(ation|ations|e|ed|es|ing)\b")  # sensitisation -> sensitization
_ISE_KEEP = frozenset(
    {
        "advise",
        "advised",
        "advises",
        "advising",
        "exercise",
        "exercised",
        "exercises",
        "promise",
        "promised",
        "promises",
        "otherwise",
        "precise",
        "concise",
        "expertise",
        "franchise",
        "merchandise",
        "compromise",
        "compromised",
        "premise",
        "premises",
    }
)
_SUFFIXES = ("ings", "ing", "ers", "er", "ed", "es", "s")
_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]")


class SearchError(ValueError):
    """The records cannot be searched (a required column is missing); the message says what to fix."""


# ---------------------------------------------------------------------------------------------- words


@lru_cache(maxsize=1 << 17)  # pages search the same texts on every run
def normalise(text: str) -> str:
    """Lower case, punctuation as spaces, spelling variants mapped to one form (used on text and query alike)."""
    clean = utils.default_process(text)
    clean = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group(1)], clean)
    return _ISE_RE.sub(lambda m: m.group(0) if m.group(0) in _ISE_KEEP else f"{m.group(1)}iz{m.group(2)}", clean)


@lru_cache(maxsize=1 << 17)  # every query stems the whole vocabulary of the texts
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_FUZZY_CHARS:
            return word[: -len(suffix)]
    return word


def _matching_words(word: str, vocabulary: list[str], stems: list[str]) -> list[str]:
    """The text words (from ``vocabulary``, whose ``_stem``s are ``stems``) that a query word finds."""
    if len(word) < _MIN_FUZZY_CHARS:
        return [v for v in vocabulary if v == word]
    hits = {v for v in vocabulary if v.startswith(word) or (len(v) >= _MIN_PREFIX_CHARS and word.startswith(v))}
    for query, choices in ((_stem(word), stems), (word, vocabulary)):  # "traning" stems to "tran", not "train"
        for _, _, index in process.extract(
            query, choices, scorer=fuzz.ratio, score_cutoff=SEARCH_THRESHOLD, limit=None
        ):
            hits.add(vocabulary[index])
    return sorted(hits)


# ---------------------------------------------------------------------------------------------- the query


@dataclass(frozen=True)
class Term:
    """One unit of a query: alternative word sequences (each normalised words) and the concepts it names."""

    shown: str
    phrases: tuple[tuple[str, ...], ...]
    concepts: frozenset[str]
    literal: bool = False  # a quoted phrase: matched by its words only, and required


def parse_query(query: str) -> list[Term]:
    """The terms of ``query`` (see the module docstring); empty when it has no word that searches."""
    terms: list[Term] = []
    for phrase in _QUOTED.findall(query):
        words = tuple(normalise(phrase).split())
        if words:
            terms.append(Term(f'"{phrase.strip()}"', (words,), frozenset(), literal=True))
    rest = _QUOTED.sub(" ", query).replace('"', " ").replace("“", " ").replace("”", " ")
    raw = utils.default_process(rest).split()
    spans = {start: (end, keys) for start, end, keys in concept_spans([stem(w) for w in raw])}
    loose: list[Term] = []
    i = 0
    while i < len(raw):
        end, keys = spans.get(i, (i + 1, ()))
        words = tuple(w for w in normalise(" ".join(raw[i:end])).split() if w not in _STOPWORDS)
        if words:
            loose.append(Term(" ".join(raw[i:end]), (words,), frozenset(keys)))
        i = end
    # A word nearly every record uses ("trafficking", "persons", "combat": lexicon.STOP_WORDS) names no subject
    # beside another word that does: "what are companies expected to do about trafficking" asks about companies.
    # A query of such words only keeps them.
    subject = [t for t in loose if t.concepts or not all(stem(w) in STOP_WORDS for p in t.phrases for w in p)]
    if subject or terms:
        loose = subject
    merged: dict[frozenset[str] | str, Term] = {}
    for term in loose:  # "prosecutors and judges": one idea asked for in two words counts once
        key = term.concepts or term.shown
        if key in merged:
            old = merged[key]
            merged[key] = Term(f"{old.shown} / {term.shown}", old.phrases + term.phrases, old.concepts)
        else:
            merged[key] = term
    return terms + list(merged.values())


# ---------------------------------------------------------------------------------------------- matching


def _phrase_pattern(phrase: tuple[str, ...], vocabulary: list[str], stems: list[str]) -> str | None:
    """A regex for the word sequence, each query word standing for the text words it finds; None if one finds
    none. A quoted phrase's words are taken as written."""
    parts = []
    for word in phrase:
        found = _matching_words(word, vocabulary, stems)
        if not found:
            return None
        parts.append("(?:" + "|".join(map(re.escape, found)) + ")")
    return r"\b" + r"\s+".join(parts) + r"\b"


def _literal_pattern(phrase: tuple[str, ...]) -> str:
    return r"\b" + r"\s+".join(map(re.escape, phrase)) + r"\b"


def _similar_words(word: str, vocabulary: tuple[str, ...]) -> dict[str, float]:
    """The words of ``vocabulary`` closest in meaning to ``word`` (at most ``SIMILAR_WORDS``, cosine of their
    wordllama vectors at least ``WORD_SIMILARITY``) -> cosine. A pair that shares a word piece of the model's
    tokenizer is left out: its cosine says the words are spelt alike ("kids" and "aids" share "ids"), not that they
    mean the same. Stop words and words nearly every record uses are never reached."""
    if meaning.weight(word) < WORD_WEIGHT:
        return {}
    vectors, pieces = _word_vectors(vocabulary)
    own = meaning.pieces(word)
    cosine = vectors @ meaning.embed([word])[0]
    found: dict[str, float] = {}
    for index in np.argsort(-cosine, kind="stable"):
        if cosine[index] < WORD_SIMILARITY or len(found) >= SIMILAR_WORDS:
            break
        if not own & pieces[index]:
            found[vocabulary[index]] = float(cosine[index])
    return found


@lru_cache(maxsize=8)  # one entry per corpus in use, as meaning.corpus
def _word_vectors(vocabulary: tuple[str, ...]) -> tuple[np.ndarray, list[frozenset[int]]]:
    """The unit vector and the tokenizer's pieces of each word of ``vocabulary``; a word no search would look for
    (a stop word, a word nearly every record uses, a number) gets a zero vector, so that it is never reached."""
    searchable = [
        w if w not in _STOPWORDS and stem(w) not in STOP_WORDS and not w.isdigit() else "" for w in vocabulary
    ]
    return meaning.embed(searchable), [meaning.pieces(w) for w in vocabulary]


def _found_concepts(term: Term, vocabulary: list[str], stems: list[str]) -> frozenset[str]:
    """The term's own concepts, plus those of the text words it finds (a misspelt "traning" -> training)."""
    if term.literal:
        return frozenset()
    extra: set[str] = set()
    for phrase in term.phrases:
        if len(phrase) == 1:
            for word in _matching_words(phrase[0], vocabulary, stems):
                extra.update(concept_words(word))
    return term.concepts | extra


@dataclass(frozen=True)
class _Tag:
    vocabulary: str
    value: str
    label: str
    words: str  # the label, normalised
    concepts: frozenset[str]  # concepts the label names


def _tags(codebook: Codebook | None, columns: list[str]) -> list[_Tag]:
    """The tags of the codebook's vocabularies that ``columns`` hold, with what their labels say."""
    if codebook is None:
        return []
    out = []
    for vocabulary in TAG_COMPONENTS:
        if vocabulary in columns:
            for value, label in codebook.labels(vocabulary).items():
                label = str(label or value.replace("_", " "))
                out.append(_Tag(vocabulary, value, label, normalise(label), frozenset(concept_words(label))))
    return out


def _words_in(label: str, term: Term) -> bool:
    """A normalised label holds one of the term's phrases, typos tolerated. Words that nearly every record and
    label uses ("trafficking", "persons": lexicon.STOP_WORDS) do not make a label match on their own."""
    vocabulary = sorted(w for w in set(label.split()) if stem(w) not in STOP_WORDS)
    stems = [_stem(v) for v in vocabulary]
    return any(
        pattern is not None and re.search(pattern, label)
        for pattern in (_phrase_pattern(p, vocabulary, stems) for p in term.phrases)
    )


def _check(records: pd.DataFrame) -> None:
    message = missing_columns(records, ("id", "text"), "search")
    if message:
        raise SearchError(message)


_HEADINGS = {
    "topics": "topic",
    "actors": "actor",
    "target_groups": "target group",
    "exploitation_forms": "exploitation form",
}


def _concept_reason(keys: list[str], named: dict[str, str]) -> str:
    labels = lexicon_concepts().labels
    return ", ".join(f"{labels[k]} ('{named[k]}')" for k in keys)


@dataclass(frozen=True)
class _Scored:
    """The lexical side of one query, per distinct row (``codes``: each record's row): score, whether a concept
    of the lexicon or a tag label found it, reason, whether the query's quoted phrases are all there; and each
    distinct row's cells of ``columns`` (text first, then the tag vocabularies)."""

    score: np.ndarray
    through_lexicon: np.ndarray
    reasons: list[str]
    required: np.ndarray
    codes: np.ndarray
    columns: list[str]
    rows: list[tuple[str, ...]]


def _context_cells(records: pd.DataFrame) -> list[list[str]]:
    """Per record: its list's lead-in (column ``section``) and, for a sub-item, the text of the item it completes
    (``parent_id``); "" where the records do not say (an upload without those columns)."""
    n = len(records)
    lead_in = records["section"].fillna("").astype(str).tolist() if "section" in records else [""] * n
    if "parent_id" not in records:
        return [lead_in, [""] * n]
    text_of = dict(zip(records["id"].astype(str), records["text"].fillna("").astype(str), strict=True))
    return [lead_in, [text_of.get(p, "") if p else "" for p in records["parent_id"].fillna("").astype(str)]]


_YEAR = re.compile(r"-\d{4}$")


def _with_places(terms: list[Term], query: str, records: pd.DataFrame) -> tuple[list[Term], dict[Term, set[str]]]:
    """The query's terms with each place it names ("Vienna", "Cape Town": an event id without its year, as the
    records' ``event_id`` column has them) made one term of its own, found in the records of the events held
    there; the word terms it is made of are dropped. No ``event_id`` column, no place."""
    if "event_id" not in records:
        return terms, {}
    by_place: dict[tuple[str, ...], set[str]] = {}
    for event in records["event_id"].dropna().astype(str).unique():
        words = tuple(normalise(_YEAR.sub("", event).replace("-", " ")).split())
        if words:
            by_place.setdefault(words, set()).add(event)
    asked = f" {' '.join(normalise(query).split())} "
    places = {
        Term(" ".join(words), (words,), frozenset()): events
        for words, events in by_place.items()
        if f" {' '.join(words)} " in asked
    }
    named = {w for term in places for w in term.phrases[0]}
    kept = [t for t in terms if t.literal or t.concepts or not all(w in named for p in t.phrases for w in p)]
    return kept + list(places), places


def _score_all(records: pd.DataFrame, query: str, codebook: Codebook | None) -> _Scored | None:
    """The query's lexical scores (``_Scored``); None for a query with no searching word."""
    n = len(records)
    terms = parse_query(query)
    if not terms:
        return None
    terms, places = _with_places(terms, query, records)
    tags = _tags(codebook, list(records.columns))
    by_key = {(t.vocabulary, t.value): t for t in tags}
    columns = ["text", *dict.fromkeys(t.vocabulary for t in tags)]
    cells = [records[c].fillna("").astype(str).tolist() for c in columns]
    events = records["event_id"].fillna("").astype(str).tolist() if "event_id" in records else [""] * n
    cells += [events, *_context_cells(records)]  # its event; what it is read with: lead-in, the item it completes
    # Work on distinct (text, tags) rows only: uploads repeat texts, and the score of a row depends on nothing
    # else but the corpus-wide term weights, which count every row.
    first_of: dict[tuple[str, ...], int] = {}
    codes = np.array(
        [first_of.setdefault(key, len(first_of)) for key in zip(*cells, strict=True)],
        dtype=np.int64,
    )
    distinct = list(first_of)
    texts = [key[0] for key in distinct]
    normalised = pd.Series([normalise(t) for t in texts], dtype=object)
    vocabulary = sorted(set(" ".join(normalised).split()))
    stems = [_stem(v) for v in vocabulary]
    named = [concept_words(t) for t in texts]
    held: list[list[_Tag]] = [[] for _ in texts]
    for position, column in enumerate(columns[1:], start=1):
        split = {
            cell: [by_key[(column, v)] for v in split_multi(cell) if (column, v) in by_key]
            for cell in {key[position] for key in distinct}
        }
        for row, key in enumerate(distinct):
            held[row].extend(split[key[position]])

    lexicon_related = lexicon_concepts().related
    strengths = np.zeros((len(texts), len(terms)))
    reasons: list[list[tuple[str, str]]] = [[] for _ in texts]
    required = np.ones(len(texts), dtype=bool)
    through_lexicon = np.zeros(len(texts), dtype=bool)
    for column, term in enumerate(terms):
        if term in places:  # a place the query names: the records of the events held there
            held_there = np.array([key[-3] in places[term] for key in distinct])
            strengths[held_there, column] = STRENGTH["words"]
            through_lexicon |= held_there
            for row in np.flatnonzero(held_there):
                reasons[row].append(("event", distinct[row][-3]))
            continue
        # The record's own words for the term: the first match of any of its phrases (NaN where none).
        as_written = pd.Series(np.nan, index=normalised.index, dtype=object)
        for phrase in term.phrases:
            pattern = _literal_pattern(phrase) if term.literal else _phrase_pattern(phrase, vocabulary, stems)
            if pattern is not None:
                as_written = as_written.fillna(normalised.str.extract(f"({pattern})", expand=False))
        words_hit = as_written.notna().to_numpy()
        spelled = [_shown_words(term, w) for w in as_written.tolist()]
        if term.literal:
            required &= words_hit
            strengths[words_hit, column] = STRENGTH["words"]
            for row in np.flatnonzero(words_hit):
                reasons[row].append(("phrase", spelled[row]))
            continue
        concepts = _found_concepts(term, vocabulary, stems)
        similar = pd.Series(np.nan, index=normalised.index, dtype=object)
        if not concepts and not words_hit.any() and len(term.phrases) == 1 and len(term.phrases[0]) == 1:
            # A word found in no text and naming no concept ("guns"): the texts' words nearest to it in meaning.
            alike = _similar_words(term.phrases[0][0], tuple(vocabulary))
            if alike:
                found = normalised.str.extract(r"\b(" + "|".join(map(re.escape, alike)) + r")\b", expand=False)
                similar = found.map(lambda w, q=term.shown, a=alike: f"{q} ≈ {w} ({a[w]:.2f})", na_action="ignore")
        similar_hit = similar.notna().to_numpy()
        related = frozenset().union(*(lexicon_related[k] for k in concepts)) - concepts if concepts else frozenset()
        label_hit = {(t.vocabulary, t.value) for t in tags if t.concepts & concepts or _words_in(t.words, term)}
        label_related = {(t.vocabulary, t.value) for t in tags if t.concepts & related} - label_hit
        for row in range(len(texts)):
            if words_hit[row]:
                strength, said = "words", [("words", spelled[row])]
            elif keys := sorted(concepts & named[row].keys()):
                strength, said = "concept", [("concept", _concept_reason(keys, named[row]))]
            elif hits := [t for t in held[row] if (t.vocabulary, t.value) in label_hit]:
                strength, said = "label", [(_HEADINGS.get(t.vocabulary, t.vocabulary), t.label) for t in hits]
            elif keys := sorted(related & named[row].keys()):
                strength, said = "related concept", [("related concept", _concept_reason(keys, named[row]))]
            elif similar_hit[row]:
                strength, said = "similar word", [("similar word", similar.iloc[row])]
            elif hits := [t for t in held[row] if (t.vocabulary, t.value) in label_related]:
                strength, said = (
                    "related label",
                    [(f"related {_HEADINGS.get(t.vocabulary, t.vocabulary)}", t.label) for t in hits],
                )
            else:
                continue
            strengths[row, column] = STRENGTH[strength]
            reasons[row].extend(said)
            # A word that names nothing of the domain ("results" in "football results") is no sign of relevance
            # on its own; a concept or a tag the query names is.
            through_lexicon[row] |= bool(concepts)
    df = (strengths[codes] > 0).sum(axis=0)
    weight = np.log(1.0 + (n - df + 0.5) / (df + 0.5))  # BM25 idf: positive, largest for a term found nowhere
    score = np.where(required, np.round(strengths @ weight / weight.sum(), _SCORE_DECIMALS), 0.0)
    return _Scored(score, through_lexicon & required, [_reason(r) for r in reasons], required, codes, columns, distinct)


def _ranks(values: np.ndarray) -> np.ndarray:
    """1 for the highest value, ties sharing the best rank of their run (competition ranking)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    first = np.r_[True, np.diff(values[order]) != 0]
    ranks[order] = ranks[order][np.flatnonzero(first)[np.cumsum(first) - 1]]
    return ranks


def _fused(cosine: np.ndarray, lexical: np.ndarray, tag_cosine: np.ndarray) -> np.ndarray:
    """Reciprocal-rank fusion of the three rankings (module docstring), scaled so that first in every ranking the
    rows have is 1.0: a row absent from a ranking (lexical score 0, no tag) gets nothing from it."""
    fused = (
        1.0 / (RRF_K + _ranks(cosine))
        + np.where(lexical > 0, LEXICAL_WEIGHT / (RRF_K + _ranks(lexical)), 0.0)
        + np.where(tag_cosine > -1, TAG_WEIGHT / (RRF_K + _ranks(tag_cosine)), 0.0)
    )
    weights = 1 + LEXICAL_WEIGHT + (TAG_WEIGHT if (tag_cosine > -1).any() else 0.0)
    return fused * (RRF_K + 1) / weights


def _tag_meaning(
    columns: list[str], rows: list[tuple[str, ...]], codebook: Codebook | None, query: np.ndarray
) -> tuple[np.ndarray, list[str], float]:
    """Per distinct row: the best cosine of the query with the tags the row carries (each tag read as its codebook
    label and definition), that tag's label, and the chance level of the tags' texts (gift_dash.meaning). -1 and
    "" for a row with no tag."""
    best = np.full(len(rows), -1.0)
    named = [""] * len(rows)
    if codebook is None:
        return best, named, 1.0
    entries = codebook.entries
    entries = entries[entries["vocabulary"].isin([c for c in columns if c in TAG_COMPONENTS])]
    if entries.empty:
        return best, named, 1.0
    keys = list(zip(entries["vocabulary"], entries["value"], strict=True))
    texts = tuple(f"{label}. {text}" for label, text in zip(entries["label"], entries["definition"], strict=True))
    vectors, chance = meaning.corpus(texts)
    cosine = dict(zip(keys, (vectors @ query).tolist(), strict=True))
    labels = dict(zip(keys, entries["label"], strict=True))
    for position, column in enumerate(columns):
        if column not in TAG_COMPONENTS:
            continue
        of_cell: dict[str, tuple[float, str]] = {}
        for row, key in enumerate(rows):
            cell = key[position]
            if cell not in of_cell:
                held = [(cosine[(column, v)], labels[(column, v)]) for v in split_multi(cell) if (column, v) in cosine]
                of_cell[cell] = max(held, default=(-1.0, ""))
            if of_cell[cell][0] > best[row]:
                best[row], named[row] = of_cell[cell]
    return best, named, chance


def signals(records: pd.DataFrame, query: str, codebook: Codebook | None = None) -> pd.DataFrame:
    """Every record, in the records' order: its lexical score (words, concepts, tags: 0–1), its cosine with the
    query, its tags' best cosine with the query, whether it is related (found through the lexicon, or a cosine above
    chance), the fused score, match ("confident", "closest": a candidate for the closest matches, or "") and
    reason. What ``search`` lists and what a bench compares."""
    n = len(records)
    own = _score_all(records, query, codebook)
    if own is None:
        return pd.DataFrame(
            {
                "lexical": 1.0,
                "cosine": 1.0,
                "tag_cosine": 1.0,
                "related": True,
                "match": CONFIDENT,
                "score": 1.0,
                "reason": "",
            },
            index=range(n),
        )
    texts = [row[0] for row in own.rows]
    lexical, through_lexicon, reasons = own.score, own.through_lexicon, own.reasons
    query_vector = meaning.embed([query], meaning.rarity(tuple(texts)))[0]
    lead_ins, parents = (tuple(row[-2] for row in own.rows), tuple(row[-1] for row in own.rows))
    vectors, chance = meaning.in_context(tuple(texts), lead_ins, parents, LEAD_IN_WEIGHT, PARENT_WEIGHT)
    cosine = vectors @ query_vector
    tag_cosine, tag_named, tag_chance = _tag_meaning(own.columns, own.rows, codebook, meaning.embed([query])[0])
    confident = lexical >= MIN_SCORE
    close, close_tag = cosine >= chance, tag_cosine >= tag_chance
    related = (through_lexicon | close | close_tag) & own.required & ~confident
    fused = _fused(cosine, lexical, tag_cosine)
    candidates = np.flatnonzero(confident | related)
    if FEEDBACK_RECORDS and len(candidates):
        # Pseudo-relevance feedback (Rocchio): the query's vector moved towards the best records found, so records
        # worded like them rise in the meaning ranking. Who is related at all was decided with the query as typed.
        top = candidates[np.argsort(-fused[candidates], kind="stable")[:FEEDBACK_RECORDS]]
        moved = query_vector + FEEDBACK_WEIGHT * vectors[top].mean(axis=0)
        fused = _fused(vectors @ (moved / max(float(np.linalg.norm(moved)), 1e-12)), lexical, tag_cosine)
    match = np.full(len(texts), "", dtype=object)
    match[confident] = CONFIDENT
    match[related] = CLOSEST  # candidates: how many are listed is decided where they are shown (closest_fill)
    said = []
    for row, reason in enumerate(reasons):
        parts = [reason]
        if match[row] == CLOSEST and close[row]:
            parts.append(f"close in meaning ({cosine[row]:.2f})")
        if match[row] == CLOSEST and close_tag[row]:
            parts.append(f"close in meaning to its tag '{tag_named[row]}' ({tag_cosine[row]:.2f})")
        said.append("; ".join(filter(None, parts)))
    codes = own.codes
    return pd.DataFrame(
        {
            "lexical": lexical[codes],
            "cosine": cosine[codes],
            "tag_cosine": tag_cosine[codes],
            "related": (related | confident)[codes],
            "match": match[codes],
            "score": fused[codes],
            "reason": [said[c] for c in codes],
        },
        index=range(n),
    )


def _shown_words(term: Term, found: object) -> str:
    """The record's words for the term: as the person typed them when the same, the record's own where they
    differ in form ("train" for "training"), and both where a typo was tolerated."""
    if not isinstance(found, str) or term.literal or (len(term.phrases) == 1 and found == " ".join(term.phrases[0])):
        return term.shown
    if any([_stem(w) for w in found.split()] == [_stem(w) for w in p] for p in term.phrases):
        return found
    return f"{found} (for {term.shown})"


def _reason(parts: list[tuple[str, str]]) -> str:
    """("words", "training"), ("words", "police"), ("topic", "…") -> "words: training, police; topic: …"."""
    by_kind: dict[str, list[str]] = {}
    for kind, said in parts:
        if said not in by_kind.setdefault(kind, []):
            by_kind[kind].append(said)
    return "; ".join(f"{kind}: {', '.join(said)}" for kind, said in by_kind.items())


def search(
    records: pd.DataFrame, query: str, codebook: Codebook | None = None, fill: int | None = CLOSEST_FILL
) -> pd.DataFrame:
    """The records ``query`` finds: columns id, match ("confident" or "closest"), score (the fused score, 1.0 for
    first in both rankings) and reason; confident matches first, then the closest matches, each best first (ties
    keep the records' order). The closest matches fill the list up to ``fill`` distinct texts (every candidate
    with ``fill=None``: a view picks its own among those its other filters keep). A query with no searching word
    matches every record (score 1, empty reason). Raises SearchError when ``records`` lacks ``id`` or ``text``."""
    _check(records)
    fused = signals(records, query, codebook)
    rank = np.where(fused["match"].to_numpy() == CONFIDENT, 0, 1)
    keep = np.flatnonzero(fused["match"].to_numpy() != "")
    order = keep[np.lexsort((keep, -fused["score"].to_numpy()[keep], rank[keep]))]
    found = pd.DataFrame(
        {
            "id": records["id"].astype(str).to_numpy()[order],
            "match": fused["match"].to_numpy()[order],
            "score": fused["score"].to_numpy()[order],
            "reason": fused["reason"].to_numpy()[order],
        },
        columns=RESULT_COLUMNS,
    ).reset_index(drop=True)
    if fill is None:
        return found
    texts = records["text"].fillna("").astype(str).to_numpy()[order]
    return found[closest_fill(found["match"], texts, fill)].reset_index(drop=True)


def closest_fill(match: pd.Series, texts, fill: int = CLOSEST_FILL) -> np.ndarray:
    """Which rows of a ranked result to list: every confident match, and closest matches (in their order) until
    the list holds ``fill`` distinct texts. Counted in texts, not records, so one text repeated by many records
    cannot take every place."""
    match = np.asarray(match)
    confident = match == CONFIDENT
    room = max(0, fill - len(set(np.asarray(texts)[confident].tolist())))
    listed, seen = confident.copy(), set()
    for i in np.flatnonzero(match == CLOSEST):
        if len(seen) >= room:
            break
        seen.add(texts[i])
        listed[i] = True
    for i in np.flatnonzero(match == CLOSEST):  # a listed text's other records come with it
        listed[i] |= texts[i] in seen
    return listed


def search_mask(records: pd.DataFrame, query: str, codebook: Codebook | None = None) -> pd.Series:
    """True for the records ``query`` matches with confidence (index aligned to ``records``): the filter behind
    every page's search box. The closest matches are listed below a view's records, never counted in it."""
    _check(records)
    return pd.Series(signals(records, query, codebook)["match"].to_numpy() == CONFIDENT, index=records.index)
