"""Domain normalisation for similarity and search: openers and stop words, a light stemmer, and the algorithm that
applies the concept lexicon (the lexicon itself is data: data/lexicon.csv, checked by schema.validate_lexicon).

Recommendations from different events say the same thing in different words ("sensitization of
travellers", "awareness-raising campaigns"; "train police", "capacity-building of law enforcement").
Plain string matching sees different words; this module maps both to the same concept token, and drops
the words every recommendation shares ("Ensure that", "Strengthen", "trafficking in persons"), which
otherwise make unrelated items look alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import pandas as pd
from rapidfuzz import utils

from gift_dash.schema import CONCEPT_KINDS, LEXICON_COLUMNS, LEXICON_FILE, SEPARATOR, split_multi

# Leading phrases that carry no idea of their own; stripped (repeatedly) from the start of a text.
OPENERS = (
    "it is important to note that",
    "there was widespread agreement that",
    "it was agreed that",
    "emphasis was placed on",
    "efforts must be made to",
    "make all efforts towards",
    "work towards",
    "call upon all concerned including",
    "call upon all concerned",
    "to the extent possible and",
    "ensure that",
    "ensuring that",
    "ensure",
    "ensuring",
    "strengthen",
    "strengthening",
    "develop",
    "developing",
    "development of",
    "promote",
    "promoting",
    "encourage",
    "encouraging",
    "undertake",
    "create",
    "creating",
    "creation of",
    "provide",
    "provision of",
    "establish",
    "establishment of",
    "elaboration of",
    "initiate",
    "launch",
    "implement",
    "introduce",
    "devise",
    "build",
    "urge",
    "increase",
    "recognize",
    "recognizing",
    "understand",
    "realize",
    "help to",
    "help",
    "mobilize",
    "reach out and",
    "embark upon or commission",
    "undertake the necessary measures to",
)

# Function words plus words that nearly every item in this field uses; they say nothing about which idea
# an item expresses. Matched after stemming (see ``stem``), so list base forms.
STOP_WORDS = frozenset(
    """
a about across against all also among an and any are as at be been being both but by can could do
does each either for from further had has have in into is it its itself may more most must need no
not of on or other our over own same shall should so some such than that the their them themselves
then there these they this those through to toward towards under until upon very was way we were
what when where whether which while who whom will with within would
traffick trafficking trafficked human person people combat combating fight fighting counter
effort measure ensure effective effectively efficient efficiently national relevant specific
appropriate necessary include including strengthen develop development promote encourage undertake
create provide establish establishment implement implementation initiate launch support well
issue issues order view possible extent particular especially order based towards also
""".split()
)


@lru_cache(maxsize=1 << 16)  # corpora repeat their words; this is the hot loop of normalise
def stem(word: str) -> str:
    """A light suffix stripper: enough to equate plural/singular and -ing/-ed/-ize/-ise forms.

    Deliberately weak (no Porter): an over-eager stemmer merges words practitioners keep apart
    (``prosecution`` vs ``prosecutor``).
    """
    if len(word) <= 4:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, replacement in (
        ("isation", "ize"),
        ("ization", "ize"),
        ("ised", "ize"),
        ("ized", "ize"),
        ("ising", "ize"),
        ("izing", "ize"),
        ("ise", "ize"),
        ("ing", ""),
        ("ed", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


@dataclass(frozen=True)
class Concept:
    """One idea and the phrases that name it (base forms; matched on stemmed tokens): a row of data/lexicon.csv.

    ``kind`` says what the concept names (``CONCEPT_KINDS``): a measure records ask for, who acts, whom it concerns,
    where, which form of exploitation, or an approach that runs across measures. ``family``: concepts close enough
    that asking for one should also find the others, more weakly (search); empty for none."""

    key: str
    label: str
    kind: str
    family: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Concepts:
    """The concept lexicon: its concepts in file order, their labels and kinds, and each one's related concepts
    (the other members of its family)."""

    concepts: tuple[Concept, ...]

    @cached_property
    def labels(self) -> dict[str, str]:
        return {c.key: c.label for c in self.concepts}

    @cached_property
    def kinds(self) -> dict[str, str]:
        return {c.key: c.kind for c in self.concepts}

    @cached_property
    def related(self) -> dict[str, frozenset[str]]:
        return {
            c.key: frozenset(o.key for o in self.concepts if c.family and o.family == c.family and o.key != c.key)
            for c in self.concepts
        }


def concepts_of(frame: pd.DataFrame) -> Concepts:
    """The lexicon a table of ``LEXICON_COLUMNS`` holds (checked by schema.validate_lexicon), phrases split on "; "."""
    return Concepts(
        tuple(
            Concept(row.concept, row.label, row.kind, row.family, tuple(split_multi(row.phrases)))
            for row in frame[LEXICON_COLUMNS].itertuples(index=False)
        )
    )


@lru_cache(maxsize=1)
def concepts() -> Concepts:
    """The data folder's lexicon (data/lexicon.csv, or $GIFT_DATA_DIR's), read once per process."""
    from gift_dash.data import data_dir, load_lexicon

    return concepts_of(load_lexicon(data_dir() / LEXICON_FILE))


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric words of ``text`` (rapidfuzz's default processing), stemmed."""
    return [stem(word) for word in utils.default_process(str(text)).split()]


@lru_cache(maxsize=1)
def _phrase_table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[str, int]]:
    """Stemmed phrase -> concept keys, and for each first word the longest phrase it starts."""
    table: dict[tuple[str, ...], list[str]] = {}
    for concept in concepts().concepts:
        for phrase in concept.phrases:
            key = tuple(tokens(phrase))
            table.setdefault(key, [])
            if concept.key not in table[key]:
                table[key].append(concept.key)
    longest: dict[str, int] = {}
    for key in table:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return {key: tuple(value) for key, value in table.items()}, longest


def concept_spans(stems: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Concept phrases found in stemmed words, left to right, longest phrase first and never overlapping:
    (start, end, concept keys) with ``stems[start:end]`` the phrase. Shared by similarity and search."""
    table, longest = _phrase_table()
    spans = []
    i = 0
    while i < len(stems):
        for length in range(min(longest.get(stems[i], 0), len(stems) - i), 0, -1):
            keys = table.get(tuple(stems[i : i + length]))
            if keys:
                spans.append((i, i + length, keys))
                i += length
                break
        else:
            i += 1
    return spans


@lru_cache(maxsize=1 << 17)  # search reads the same texts on every page run
def concept_words(text: str) -> dict[str, str]:
    """Concept key -> the first words of ``text`` that name it, as written (lower case): {"law_enforcement":
    "front line"} for "Ensure that front-line law enforcement officials …"."""
    words = utils.default_process(str(text)).split()
    found: dict[str, str] = {}
    for start, end, keys in concept_spans([stem(w) for w in words]):
        for key in keys:
            found.setdefault(key, " ".join(words[start:end]))
    return found


@lru_cache(maxsize=1)
def _openers_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Stemmed openers grouped by their first word, longest first."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for opener in sorted({tuple(tokens(o)) for o in OPENERS}, key=len, reverse=True):
        grouped.setdefault(opener[0], []).append(opener)
    return {first: tuple(openers) for first, openers in grouped.items()}


def _strip_openers(words: list[str]) -> list[str]:
    by_first = _openers_by_first_word()
    while words:
        opener = next((o for o in by_first.get(words[0], ()) if tuple(words[: len(o)]) == o), None)
        if opener is None:
            return words
        words = words[len(opener) :]
    return words


_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Normalised:
    """What similarity sees of one text.

    ``terms``: content stems (openers and stop words gone); ``concepts``: concept keys found;
    ``fuzzy``: the string rapidfuzz compares, with each concept phrase replaced by its concept key so
    that synonyms compare equal; ``surface``: stem -> a word as written, to show terms to people.
    """

    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    fuzzy: str
    surface: dict[str, str]


def normalise(text: str) -> Normalised:
    """Strip openers and stop words, stem, and find concepts; deterministic and independent of corpus."""
    raw_words = utils.default_process(str(text)).split()
    surface: dict[str, str] = {}
    stems = []
    for word in raw_words:
        s = stem(word)
        stems.append(s)
        surface.setdefault(s, word)
    stems = _strip_openers(stems)
    spans = {start: (end, keys) for start, end, keys in concept_spans(stems)}
    concepts: list[str] = []
    fuzzy: list[str] = []
    terms: list[str] = []
    i = 0
    while i < len(stems):
        if i in spans:
            end, keys = spans[i]
            concepts.extend(k for k in keys if k not in concepts)
            fuzzy.extend(keys)
            terms.extend(s for s in stems[i:end] if s not in STOP_WORDS)
            i = end
            continue
        word = stems[i]
        if word not in STOP_WORDS and not _DIGITS.match(word) and len(word) > 1:
            terms.append(word)
            fuzzy.append(word)
        i += 1
    return Normalised(tuple(terms), tuple(concepts), " ".join(fuzzy), surface)


def lexicon_table() -> pd.DataFrame:
    """The lexicon as people read it (About page): one row per concept, its kind in words."""
    return pd.DataFrame(
        [
            (c.label, c.key, CONCEPT_KINDS[c.kind], c.family.replace("_", " "), SEPARATOR.join(c.phrases))
            for c in concepts().concepts
        ],
        columns=["Concept", "Key", "Kind", "Family", "Phrases"],
    )
