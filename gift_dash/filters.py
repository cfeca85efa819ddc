"""The view state a person sets: `Filters` (derived from the dimension registry), applying it to records, option
counts that tell what a pick would give, and its URL form (parse untrusted parameters, serialise)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import field as dc_field
from dataclasses import fields, make_dataclass, replace

import numpy as np
import pandas as pd

from gift_dash.dimensions import ANNEX_II, BY_FIELD, DIMENSIONS, JOINED, Dimension
from gift_dash.schema import Codebook, among, split_multi
from gift_dash.search import CONFIDENT, search_mask

DEFAULT_SOURCES = (ANNEX_II,)
ALL_SOURCES = "all"  # URL value meaning "no source restriction"; absent means the default (annex II)
THEME_MODES = ("any", "all")
QUERY_KEY, THEME_MODE_KEY = "q", "theme_mode"  # the two settings that are not dimensions
# Filters field -> URL key, for every setting a person makes in the sidebar.
URL_KEYS = {d.field: d.key for d in DIMENSIONS.values()} | {"theme_mode": THEME_MODE_KEY, "query": QUERY_KEY}
DEFAULTS = {"sources": DEFAULT_SOURCES}

# Limits on untrusted URL input. No vocabulary has more than 44 values, so 100 per key is generous.
MAX_VALUE_CHARS = 200
MAX_VALUES_PER_KEY = 100
MAX_QUERY_CHARS = 200
_SHOWN_CHARS = 40  # how much of a rejected value a notice repeats
UNKNOWN = "not a known setting"

# What a person has chosen: one tuple of values per dimension (empty = no restriction; ``sources=()`` means every
# source), how several themes combine, and the search. Made from the registry so a new dimension is a new field.
Filters = make_dataclass(
    "Filters",
    [(d.field, tuple[str, ...], dc_field(default=DEFAULTS.get(d.field, ()))) for d in DIMENSIONS.values()]
    + [("theme_mode", str, dc_field(default="any")), ("query", str, dc_field(default=""))],
    frozen=True,
)
Filters.__module__ = __name__  # so it pickles and reprs as gift_dash.filters.Filters
Filters.__doc__ = "The view state a person sets (see gift_dash.dimensions for the fields)."


# ---------------------------------------------------------------------------------------------- applying


class Facets:
    """Which records hold which value, per dimension: a boolean matrix (records × distinct values) built once per
    set of records, so a filter is a column lookup and an option count a column sum."""

    def __init__(self, records: pd.DataFrame, events: pd.DataFrame) -> None:
        self.index = records.index
        self.columns: dict[str, dict[str, int]] = {}
        self.matrix: dict[str, np.ndarray] = {}
        for dim in DIMENSIONS.values():
            self._build(dim, records, events)

    def _build(self, dim: Dimension, records: pd.DataFrame, events: pd.DataFrame) -> None:
        # Split each distinct cell once: far fewer tag combinations than records. A multi-valued cell is split
        # on ';', so "protection" never matches inside "victim_protection".
        codes, cells = pd.factorize(dim.cells(records, events), use_na_sentinel=False)
        held = [split_multi(cell) if dim.multi else [str(cell).strip()] if str(cell).strip() else [] for cell in cells]
        columns = {value: i for i, value in enumerate(dict.fromkeys(v for values in held for v in values))}
        per_cell = np.zeros((len(cells), len(columns)), dtype=bool)
        for row, values in enumerate(held):
            per_cell[row, [columns[v] for v in values]] = True
        self.matrix[dim.field] = per_cell[codes] if len(cells) else np.zeros((len(records), 0), dtype=bool)
        self.columns[dim.field] = columns

    def rejoined(self, records: pd.DataFrame, events: pd.DataFrame) -> Facets:
        """These facets with the joined dimensions (dimensions.JOINED) built again from ``records``: the same rows,
        now with the joined columns. The others are kept as built (once per dataset)."""
        out = copy.copy(self)
        out.matrix, out.columns = dict(self.matrix), dict(self.columns)
        for dim in JOINED:
            out._build(dim, records, events)
        return out

    def holds(self, field: str, values: Iterable[str], require_all: bool = False) -> pd.Series:
        """True where the record holds one of ``values`` (all of them with ``require_all``)."""
        wanted = [self.columns[field].get(v) for v in dict.fromkeys(values)]
        if require_all and None in wanted:
            return pd.Series(False, index=self.index)
        columns = self.matrix[field][:, [w for w in wanted if w is not None]]
        return pd.Series(columns.all(axis=1) if require_all else columns.any(axis=1), index=self.index)

    def counts(self, field: str, mask: pd.Series | np.ndarray) -> dict[str, int]:
        """value -> number of records under ``mask`` holding it."""
        sums = self.matrix[field][np.asarray(mask, dtype=bool)].sum(axis=0)
        return {value: int(sums[i]) for value, i in self.columns[field].items()}


def _requires_all(filters, dim: Dimension) -> bool:
    return dim.field == "themes" and filters.theme_mode == "all"


def masks(
    records: pd.DataFrame,
    events: pd.DataFrame,
    filters,
    facets: Facets | None = None,
    codebook: Codebook | None = None,
    matches: pd.DataFrame | None = None,
) -> dict[str, pd.Series]:
    """One boolean mask per active restriction (field name -> mask), so option counts can lift one at a time.
    ``facets`` are ``Facets(records, events)`` when the caller keeps them (the app does, per dataset); the search
    also matches the ``codebook``'s tag labels (gift_dash.search). ``matches`` are ``search(records,
    filters.query, codebook)`` when the caller has them (a view keeps them to rank by): the search is scored once.
    Only the search's confident matches pass: its closest matches are listed apart, never counted."""
    facets = Facets(records, events) if facets is None else facets
    out: dict[str, pd.Series] = {}
    for dim in DIMENSIONS.values():
        chosen = getattr(filters, dim.field)
        if chosen:
            out[dim.field] = facets.holds(dim.field, chosen, _requires_all(filters, dim))
    if filters.query.strip():
        out["query"] = (
            search_mask(records, filters.query, codebook)
            if matches is None
            else pd.Series(
                among(records["id"].astype(str), matches.loc[matches["match"] == CONFIDENT, "id"]), index=records.index
            )
        )
    return out


def combine(
    records: pd.DataFrame | pd.Index, masks_in_force: Mapping[str, pd.Series], skip: str | None = None
) -> pd.Series:
    """AND of the masks, leaving out ``skip`` (over the rows of ``records``, a frame or its index)."""
    index = records if isinstance(records, pd.Index) else records.index
    return pd.Series(_combined(len(index), masks_in_force, skip), index=index)


def _combined(rows: int, masks_in_force: Mapping[str, pd.Series], skip: str | None = None) -> np.ndarray:
    # On the arrays: the sidebar combines the masks twice per filter on every run, and pandas' aligned & on Series
    # cost a millisecond each time.
    mask = np.ones(rows, dtype=bool)
    for name, part in masks_in_force.items():
        if name != skip:
            mask &= part.to_numpy(dtype=bool)
    return mask


def apply(records: pd.DataFrame, events: pd.DataFrame, filters, codebook: Codebook | None = None) -> pd.DataFrame:
    """The records that pass every filter, in their original order (a copy)."""
    return records[combine(records, masks(records, events, filters, codebook=codebook))].copy()


def option_counts(
    facets: Facets, filters, masks_in_force: Mapping[str, pd.Series], field: str, values: Iterable[str]
) -> dict[str, int]:
    """value -> the "Showing N" an option stands for, for each of ``values`` of one dimension.

    An option not chosen: how many records the view would hold if it were added, the other filters unchanged
    (values of one dimension combine with OR, or with AND for themes in "all" mode). A chosen option: how many
    records of the view hold it, what it contributes. ``masks_in_force`` is ``masks(records, events, filters, facets)``.
    """
    dim = BY_FIELD[field]
    chosen = set(getattr(filters, field))
    rows = len(facets.index)
    in_view = _combined(rows, masks_in_force)
    held = facets.counts(field, in_view)
    if not chosen:
        base, gained = 0, facets.counts(field, _combined(rows, masks_in_force, skip=field))
    elif _requires_all(filters, dim):
        base, gained = 0, held
    else:  # OR: the view keeps its records and gains those holding the value and none of the chosen ones
        base = int(in_view.sum())
        others = _combined(rows, masks_in_force, skip=field) & ~masks_in_force[field].to_numpy(dtype=bool)
        gained = facets.counts(field, others)
    return {v: held.get(v, 0) if v in chosen else base + gained.get(v, 0) for v in values}


# ---------------------------------------------------------------------------------------------- URL form


def to_query_params(filters) -> dict[str, list[str]]:
    """URL key -> values, defaults omitted, so the default view has a clean address."""
    params: dict[str, list[str]] = {}
    for dim in DIMENSIONS.values():
        values = list(getattr(filters, dim.field))
        if dim.field == "sources":
            if tuple(values) != DEFAULT_SOURCES:
                params[dim.key] = values or [ALL_SOURCES]
        elif values:
            params[dim.key] = values
    if filters.theme_mode != "any":
        params[THEME_MODE_KEY] = [filters.theme_mode]
    if filters.query.strip():
        params[QUERY_KEY] = [filters.query.strip()]
    return params


def cut(value: object) -> str:
    """A value from the address as a notice repeats it: cut to a readable length."""
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def shown(value: object) -> str:
    """A value from the address as a notice repeats it: quoted, cut to a readable length."""
    return repr(cut(value))


class Notice(str):
    """A notice a page shows (the string itself), and what it is about, for an answer that lists what was not
    understood (the data over HTTP, gift_dash.api, refuses the request with them): the URL ``key``, the ``value``
    as given (cut; None when the key itself, or all its values, are the problem) and the ``problem`` in words.
    A str, so a page keeps handling its notices as text."""

    key: str
    value: str | None
    problem: str

    def __new__(cls, text: str, key: object, value: object, problem: str) -> Notice:
        notice = super().__new__(cls, text)
        notice.key, notice.value, notice.problem = cut(key), None if value is None else cut(value), problem
        return notice


def ignored(key: object, value: object, problem: str) -> Notice:
    """The notice for a key (``value`` None) or one of its values left out of the view, and why."""
    what = shown(key) if value is None else f"{key}={shown(value)}"
    return Notice(f"Ignored {what} in the address: {problem}.", key, value, problem)


def url_strings(key: str, raw: object, notices: list[str], max_chars: int | None = MAX_VALUE_CHARS) -> list[str]:
    """The string values of one URL key; anything else (or longer than ``max_chars``) is dropped with a notice."""
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []

    def drop(value: str | None, problem: str) -> None:
        notices.append(Notice(f"Ignored a value of '{key}' in the address: {problem}.", key, value, problem))

    for item in items:
        if not isinstance(item, str):
            drop(None, f"expected text, got {type(item).__name__}")
        elif max_chars is not None and len(item) > max_chars:
            drop(item, f"{len(item):,} characters is too long; at most {max_chars:,}")
        else:
            out.append(item)
    if len(out) > MAX_VALUES_PER_KEY:
        problem = f"{len(out):,} values; at most {MAX_VALUES_PER_KEY}"
        notices.append(Notice(f"Ignored values of '{key}' beyond the first {MAX_VALUES_PER_KEY}.", key, None, problem))
        out = out[:MAX_VALUES_PER_KEY]
    return out


def single_value(key: str, values: list[str], notices: list[str]) -> str | None:
    """The one value of a key that takes one; a repeated key keeps its first value, with a notice."""
    if not values:
        return None
    if len(values) > 1:
        notices.append(
            Notice(
                f"'{key}' appears {len(values)} times in the address; used the first.",
                key,
                None,
                f"given {len(values)} times; it takes one value",
            )
        )
    return values[0]


def from_query_params(
    params: Mapping[str, object], codebook: Codebook, events: pd.DataFrame, page_keys: Iterable[str] = ()
):
    """Filters from untrusted URL parameters, plus a notice (a `Notice`) for everything dropped. Never raises.

    ``params`` maps a key to a string or a list of strings (repeated keys). ``page_keys`` are keys a page reads
    itself (e.g. the cross-tab's dimensions); they are neither parsed nor reported as unknown.
    """
    notices: list[str] = []
    chosen: dict[str, object] = {}
    page_keys = set(page_keys)
    try:
        items = list(params.items())
    except Exception:  # a Mapping that cannot be iterated is no address we can read
        return Filters(), [Notice("The address could not be read; showing the default view.", "", None, "unreadable")]
    for key, raw in items:
        if not isinstance(key, str):
            notices.append(ignored(key, None, UNKNOWN))
            continue
        if key in page_keys:
            continue
        if key == QUERY_KEY:
            value = single_value(key, url_strings(key, raw, notices, max_chars=None), notices)
            if value is not None and len(value) > MAX_QUERY_CHARS:
                notices.append(
                    Notice(
                        f"The search in the address was cut to its first {MAX_QUERY_CHARS} characters.",
                        key,
                        value,
                        f"{len(value):,} characters is too long; at most {MAX_QUERY_CHARS}",
                    )
                )
                value = value[:MAX_QUERY_CHARS]
            if value is not None:
                chosen["query"] = value.strip()
            continue
        if key == THEME_MODE_KEY:
            value = single_value(key, url_strings(key, raw, notices), notices)
            if value in THEME_MODES:
                chosen["theme_mode"] = value
            elif value is not None:
                notices.append(ignored(key, value, "expected 'any' or 'all'"))
            continue
        dim = DIMENSIONS.get(key)
        if dim is None:
            notices.append(ignored(key, None, UNKNOWN))
            continue
        values = url_strings(key, raw, notices)
        valid = set(dim.values(codebook, events))
        kept: list[str] = []
        for value in values:
            if dim.field == "sources" and value == ALL_SOURCES:
                continue
            if value not in valid:
                notices.append(ignored(key, value, f"not a known {dim.label.lower()}"))
            elif value not in kept:
                kept.append(value)
        if dim.field == "sources" and not kept and ALL_SOURCES not in values:
            continue  # every source value was bad: keep the default rather than silently widening to all
        chosen[dim.field] = tuple(kept)
    return Filters(**chosen), notices


def with_values(filters, field: str, values: Iterable[str]):
    """``filters`` with one field replaced (values deduplicated, in the order given)."""
    return replace(filters, **{field: tuple(dict.fromkeys(values))})


# ---------------------------------------------------------------------------------------------- in words


def describe(filters, codebook: Codebook, events: pd.DataFrame) -> str:
    """The filters in words, e.g. "Theme: Protection · Event: Kampala · Search: 'training'"; the scope (annex II,
    or which sources) is always said, so a briefing or an export never leaves it to be guessed."""
    parts = []
    for dim in DIMENSIONS.values():
        values = getattr(filters, dim.field)
        if dim.field == "sources" or not values:
            continue
        labels = dim.labels(codebook, events)
        label = dim.label
        if dim.field == "themes" and len(values) > 1:
            label += " (all of)" if filters.theme_mode == "all" else " (any of)"
        parts.append(f"{label}: {', '.join(labels.get(v) or v for v in values)}")
    if filters.query.strip():
        parts.append(f"Search: '{filters.query.strip()}'")
    if filters.sources != DEFAULT_SOURCES:
        scope = ", ".join(codebook.label("source", s) for s in filters.sources) if filters.sources else "all sources"
        parts.append(f"Source: {scope}")
    if not parts:
        return "All annex II records"
    return " · ".join(parts)


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Filters))
