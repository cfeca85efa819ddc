"""The filters a person sets: a frozen `Filters`, applying it to records, and its URL form (parse and serialise)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process, utils

from gift_dash.schema import Codebook, event_names

DEFAULT_SOURCES = ("annex-ii",)
ALL_SOURCES = "all"  # URL value meaning "no source restriction"; absent means the default (annex II)
THEME_MODES = ("any", "all")

# Filters field -> (URL key, records column or None, codebook vocabulary or None, multi-valued column?)
# One place names every filter in the URL; the page, the parser and describe() all read this table.
_FIELDS: dict[str, tuple[str, str, str | None, bool]] = {
    "events": ("event", "event_id", None, False),
    "programmes": ("programme", "programme", None, False),
    "themes": ("theme", "themes", "themes", True),
    "primary_themes": ("primary_theme", "primary_theme", "themes", False),
    "ta_areas": ("ta_area", "ta_areas", "ta_areas", True),
    "target_groups": ("target_group", "target_groups", "target_groups", True),
    "actors": ("actor", "actors", "actors", True),
    "exploitation_forms": ("exploitation_form", "exploitation_forms", "exploitation_forms", True),
    "topics": ("topic", "topics", "topics", True),
    "record_types": ("record_type", "record_type", "record_type", False),
    "sources": ("source", "source", "source", False),
}
URL_KEYS = {field: spec[0] for field, spec in _FIELDS.items()} | {"theme_mode": "theme_mode", "query": "q"}
FIELD_COLUMNS = {field: spec[1] for field, spec in _FIELDS.items()}
FIELD_VOCABULARIES = {field: spec[2] for field, spec in _FIELDS.items()}
MULTI_VALUED = {field for field, spec in _FIELDS.items() if spec[3]}
# Names people read (sidebar, describe()).
FIELD_LABELS = {
    "events": "Event", "programmes": "Programme / region", "themes": "Theme", "primary_themes": "Primary theme",
    "ta_areas": "TA area", "target_groups": "Target group", "actors": "Actor",
    "exploitation_forms": "Exploitation form", "topics": "Topic", "record_types": "Record type",
    "sources": "Source",
}

# Limits on untrusted URL input. No vocabulary has more than 44 values, so 100 per key is generous.
MAX_VALUE_CHARS = 200
MAX_VALUES_PER_KEY = 100
MAX_QUERY_CHARS = 200
_SHOWN_CHARS = 40  # how much of a rejected value a notice repeats

# Fuzzy search. Text and query are normalised alike (rapidfuzz default_process: lower case, punctuation to
# spaces), spelling variants are mapped to one form, and each word is lightly stemmed. A query word matches a
# text word when their stems score fuzz.ratio >= SEARCH_THRESHOLD, or the text word starts with the query word
# (query words of 4+ letters: "child" finds "children"), or the query word starts with a text word of 5+ letters
# ("prevention" finds "prevent"). 90 admits one slip in a word of 7+ letters ("traficking" 93, "protcol" 92)
# but not a different word of similar shape ("protection" vs "prosecution" 86, vs "prevention" 70).
# Words of 3 letters or fewer must match exactly. A record matches when EVERY query word matches (AND).
SEARCH_THRESHOLD = 90
_MIN_FUZZY_CHARS = 4
_MIN_PREFIX_CHARS = 5
_STOPWORDS = frozenset("a an and for in of on or the to with by at".split())
# British/American and split/joined spellings, after normalisation. Longer phrases first.
_VARIANTS = {
    "peace keepers": "peacekeepers", "peace keeper": "peacekeeper", "peace keeping": "peacekeeping",
    "awareness raising": "awarenessraising", "capacity building": "capacitybuilding",
    "labour": "labor", "programme": "program", "programmes": "programs", "centre": "center", "centres": "centers",
    "counselling": "counseling", "judgement": "judgment", "behaviour": "behavior", "defence": "defense",
    "favour": "favor", "honour": "honor", "neighbouring": "neighboring", "co operation": "cooperation",
    "co ordination": "coordination", "co ordinate": "coordinate",
}
_VARIANT_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _VARIANTS), key=len, reverse=True)) + r")\b")
_ISE_RE = re.compile(r"\b(\w{3,})is(ation|ations|e|ed|es|ing)\b")  # sensitisation -> sensitization
_ISE_KEEP = frozenset({"advise", "advised", "advises", "advising", "exercise", "exercised", "exercises",
                       "promise", "promised", "promises", "otherwise", "precise", "concise", "expertise",
                       "franchise", "merchandise", "compromise", "compromised", "premise", "premises"})
_SUFFIXES = ("ings", "ing", "ers", "er", "ed", "es", "s")


@dataclass(frozen=True)
class Filters:
    """What a person has chosen. Empty tuples mean "no restriction"; ``sources=()`` means every source."""

    events: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    theme_mode: str = "any"
    primary_themes: tuple[str, ...] = ()
    ta_areas: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    exploitation_forms: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    record_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = DEFAULT_SOURCES
    query: str = ""


# ---------------------------------------------------------------------------------------------- applying

def normalise(text: str) -> str:
    """Lower case, punctuation as spaces, spelling variants mapped to one form (used on text and query alike)."""
    clean = utils.default_process(text)
    clean = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group(1)], clean)
    return _ISE_RE.sub(lambda m: m.group(0) if m.group(0) in _ISE_KEEP else f"{m.group(1)}iz{m.group(2)}", clean)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_FUZZY_CHARS:
            return word[: -len(suffix)]
    return word


def _query_words(query: str) -> list[str]:
    return [w for w in normalise(query).split() if w not in _STOPWORDS]


def _matching_words(word: str, vocabulary: list[str]) -> list[str]:
    """The text words (from ``vocabulary``) that a query word finds."""
    if len(word) < _MIN_FUZZY_CHARS:
        return [v for v in vocabulary if v == word]
    stem = _stem(word)
    hits = {v for v in vocabulary if v.startswith(word) or (len(v) >= _MIN_PREFIX_CHARS and word.startswith(v))}
    stems = [_stem(v) for v in vocabulary]
    for _, _, index in process.extract(stem, stems, scorer=fuzz.ratio, score_cutoff=SEARCH_THRESHOLD, limit=None):
        hits.add(vocabulary[index])
    return sorted(hits)


def search_mask(texts: pd.Series, query: str) -> pd.Series:
    """True where the text matches every word of the query, tolerating typos and spelling variants."""
    words = _query_words(query)
    if not words:
        return pd.Series(True, index=texts.index)
    normalised = texts.astype(str).map(normalise)
    vocabulary = sorted(set(" ".join(normalised).split()))
    mask = pd.Series(True, index=texts.index)
    for word in words:
        found = _matching_words(word, vocabulary)
        if not found:
            return pd.Series(False, index=texts.index)
        pattern = r"\b(?:" + "|".join(map(re.escape, found)) + r")\b"
        mask &= normalised.str.contains(pattern, regex=True)
    return mask


def value_mask(column: pd.Series, values: Iterable[str], multi: bool, require_all: bool = False) -> pd.Series:
    """True where the cell holds one of ``values`` (all of them with ``require_all``); multi-valued cells are
    split on ';' so "protection" never matches inside "victim_protection"."""
    values = list(values)
    cells = column.fillna("").astype(str)
    if not multi:
        return cells.str.strip().isin(values)
    holds = [cells.str.contains(r"(?:^|;)\s*" + re.escape(v) + r"\s*(?:;|$)", regex=True) for v in values]
    combined = pd.concat(holds, axis=1)
    return combined.all(axis=1) if require_all else combined.any(axis=1)


def masks(records: pd.DataFrame, events: pd.DataFrame, filters: Filters) -> dict[str, pd.Series]:
    """One boolean mask per active restriction (field name -> mask), so facet counts can lift one at a time."""
    out: dict[str, pd.Series] = {}
    for field, (_, column, _, multi) in _FIELDS.items():
        chosen = getattr(filters, field)
        if not chosen:
            continue
        if field == "programmes":
            ids = events.loc[events["programme"].isin(chosen), "event_id"]
            out[field] = records["event_id"].isin(ids)
        else:
            out[field] = value_mask(records[column], chosen, multi, field == "themes" and filters.theme_mode == "all")
    if filters.query.strip():
        out["query"] = search_mask(records["text"], filters.query)
    return out


def combine(records: pd.DataFrame, found: Mapping[str, pd.Series], skip: str | None = None) -> pd.Series:
    """AND of the masks, leaving out ``skip``."""
    mask = pd.Series(True, index=records.index)
    for field, part in found.items():
        if field != skip:
            mask &= part
    return mask


def apply(records: pd.DataFrame, events: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The records that pass every filter, in their original order (a copy)."""
    return records[combine(records, masks(records, events, filters))].copy()


# ---------------------------------------------------------------------------------------------- URL form

def to_query_params(filters: Filters) -> dict[str, list[str]]:
    """URL key -> values, defaults omitted, so the default view has a clean address."""
    params: dict[str, list[str]] = {}
    for field in _FIELDS:
        values = getattr(filters, field)
        if field == "sources":
            if values != DEFAULT_SOURCES:
                params[URL_KEYS[field]] = list(values) or [ALL_SOURCES]
        elif values:
            params[URL_KEYS[field]] = list(values)
    if filters.theme_mode != "any":
        params["theme_mode"] = [filters.theme_mode]
    if filters.query.strip():
        params["q"] = [filters.query.strip()]
    return params


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


def _as_strings(key: str, raw: object, notices: list[str]) -> list[str]:
    """The string values of one URL key; anything else is dropped with a notice."""
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in items:
        if not isinstance(item, str):
            notices.append(f"Ignored a value of '{key}' in the address: expected text, got {type(item).__name__}.")
        elif len(item) > MAX_VALUE_CHARS and key != URL_KEYS["query"]:
            notices.append(f"Ignored a value of '{key}' in the address: {len(item):,} characters is too long.")
        else:
            out.append(item)
    if len(out) > MAX_VALUES_PER_KEY:
        notices.append(f"Ignored values of '{key}' beyond the first {MAX_VALUES_PER_KEY}.")
        out = out[:MAX_VALUES_PER_KEY]
    return out


def from_query_params(
    params: Mapping[str, object], codebook: Codebook, event_ids: Iterable[str], programmes: Iterable[str],
    page_keys: Iterable[str] = (),
) -> tuple[Filters, list[str]]:
    """Filters from untrusted URL parameters, plus a notice for everything dropped. Never raises.

    ``params`` maps a key to a string or a list of strings (repeated keys). ``page_keys`` are keys a page reads
    itself (e.g. the cross-tab's dimensions); they are neither parsed nor reported as unknown.
    """
    notices: list[str] = []
    allowed = {
        "events": set(event_ids), "programmes": {p for p in programmes if p},
    }
    chosen: dict[str, object] = {}
    by_key = {key: field for field, key in URL_KEYS.items()}
    ignored = set(page_keys)
    try:
        items = list(params.items())
    except Exception:  # a Mapping that cannot be iterated is no address we can read
        return Filters(), ["The address could not be read; showing the default view."]
    for key, raw in items:
        if not isinstance(key, str):
            notices.append(f"Ignored {_shown(key)} in the address: not a known setting.")
            continue
        if key in ignored:
            continue
        field = by_key.get(key)
        if field is None:
            notices.append(f"Ignored {_shown(key)} in the address: not a known setting.")
            continue
        values = _as_strings(key, raw, notices)
        if field in ("query", "theme_mode"):
            chosen[field] = _single(key, field, values, notices)
            continue
        valid = allowed[field] if field in allowed else set(codebook.values(FIELD_VOCABULARIES[field]))
        kept: list[str] = []
        for value in values:
            if field == "sources" and value == ALL_SOURCES:
                continue
            if value not in valid:
                notices.append(f"Ignored {key}={_shown(value)} in the address: not a known "
                               f"{FIELD_LABELS[field].lower()}.")
            elif value not in kept:
                kept.append(value)
        if field == "sources" and not kept and ALL_SOURCES not in values:
            continue  # every source value was bad: keep the default rather than silently widening to all
        chosen[field] = tuple(kept)
    return Filters(**{k: v for k, v in chosen.items() if v is not None}), notices


def _single(key: str, field: str, values: list[str], notices: list[str]) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        notices.append(f"'{key}' appears {len(values)} times in the address; used the first.")
    value = values[0]
    if field == "theme_mode":
        if value not in THEME_MODES:
            notices.append(f"Ignored theme_mode={_shown(value)} in the address: expected 'any' or 'all'.")
            return None
        return value
    if len(value) > MAX_QUERY_CHARS:
        notices.append(f"The search in the address was cut to its first {MAX_QUERY_CHARS} characters.")
        value = value[:MAX_QUERY_CHARS]
    return value.strip()


# ---------------------------------------------------------------------------------------------- in words

def describe(filters: Filters, codebook: Codebook, events: pd.DataFrame) -> str:
    """The filters in words, e.g. "Theme: Protection · Event: Kampala · Search: 'training'"."""
    names = event_names(events)
    parts = []
    for field in _FIELDS:
        values = getattr(filters, field)
        if field == "sources" or not values:
            continue
        vocab = FIELD_VOCABULARIES[field]
        shown = [names.get(v, v) if field == "events" else codebook.label(vocab, v) if vocab else v for v in values]
        label = FIELD_LABELS[field]
        if field == "themes" and len(values) > 1:
            label += " (all of)" if filters.theme_mode == "all" else " (any of)"
        parts.append(f"{label}: {', '.join(shown)}")
    if filters.query.strip():
        parts.append(f"Search: '{filters.query.strip()}'")
    if filters.sources != DEFAULT_SOURCES:
        scope = ", ".join(codebook.label("source", s) for s in filters.sources) if filters.sources else "all sources"
        parts.append(f"Source: {scope}")
    if not parts:
        return "All annex II records"
    return " · ".join(parts)
