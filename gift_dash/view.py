"""A view: the dataset, the filters a person set, the records they select and the scope in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from gift_dash import filters as flt
from gift_dash.data import Dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.schema import among
from gift_dash.search import CLOSEST, CLOSEST_FILL, CONFIDENT, closest_fill, search


@dataclass(frozen=True)
class View:
    """What a page needs: the data, the filters in force, and the records they select."""

    dataset: Dataset
    filters: flt.Filters
    records: pd.DataFrame
    description: str
    # search(dataset's records, filters.query, fill=None): every match and closest-match candidate with its score
    # and reason, best first; None without a search. The search filter and the ranking both read it, so the query
    # is scored once per view.
    matches: pd.DataFrame | None = None
    # (fingerprint, entries) of the follow-up store the records were joined with, read once per run by the page's
    # setup, so the figures a page adds come from the same state of the store as its filters; None without one.
    followup: tuple[str, pd.DataFrame] | None = None
    # The closest matches of the search, listed below the view's records and never counted in them: candidates the
    # other filters keep, best first, until the list holds CLOSEST_FILL distinct texts; None without a search.
    closest: pd.DataFrame | None = None

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        filters: flt.Filters,
        masks_in_force: Mapping[str, pd.Series] | None = None,
        records: pd.DataFrame | None = None,
        matches: pd.DataFrame | None = None,
    ) -> View:
        """The view ``filters`` select; ``masks_in_force`` (with ``matches``, the search they were made with) are
        their masks when the caller already has them, and ``records`` the dataset's records with the joined
        columns (follow-up status) when the caller joined them."""
        records = dataset.records if records is None else records
        if matches is None and filters.query.strip():
            matches = search(records, filters.query, dataset.codebook, fill=None)
        masks_in_force = (
            flt.masks(records, dataset.events, filters, codebook=dataset.codebook, matches=matches)
            if masks_in_force is None
            else masks_in_force
        )
        return cls(
            dataset,
            filters,
            records[flt.combine(records, masks_in_force)].copy(),
            flt.describe(filters, dataset.codebook, dataset.events),
            matches,
            closest=None if matches is None else _closest(records, masks_in_force, matches),
        )

    @property
    def followup_entries(self) -> pd.DataFrame | None:
        """The follow-up store's entries the view was joined with, or None without a store."""
        return None if self.followup is None else self.followup[1]

    @property
    def shows_other_sources(self) -> bool:
        """True when the view is not annex II alone, so tables say each record's source."""
        return self.filters.sources != flt.DEFAULT_SOURCES


def _closest(records: pd.DataFrame, masks_in_force: Mapping[str, pd.Series], matches: pd.DataFrame) -> pd.DataFrame:
    """The closest matches a view lists below its records: among the records its other filters keep, the search's
    candidates in rank order, until the list (its confident matches first) holds CLOSEST_FILL distinct texts."""
    others = records[flt.combine(records, masks_in_force, skip="query")]
    ranked = matches[among(matches["id"], others["id"].astype(str))]
    texts = others.set_index(others["id"].astype(str))["text"].fillna("").astype(str).reindex(ranked["id"]).to_numpy()
    listed = closest_fill(ranked["match"], texts, CLOSEST_FILL) & (ranked["match"] == CLOSEST).to_numpy()
    return others.set_index(others["id"].astype(str), drop=False).loc[ranked["id"][listed]].reset_index(drop=True)


# How a records table can be ordered (a page setting in the address): key -> what people read.
ORDERS = {
    "relevance": "Best match first",
    "document": "Document order",
    "event": "Event, by date",
    "primary_theme": "Primary theme",
    "record_type": "Record type",
}


def default_order(view: View) -> str:
    return "relevance" if view.filters.query.strip() else "document"


def ranked(view: View, order: str | None = None) -> tuple[pd.DataFrame, pd.Series | None]:
    """The view's records in ``order`` (ORDERS; default: best search match first when there is a search, else
    document order: the confident matches, then the closest), and why each matched the search (aligned with them;
    None without a search). Other orders are stable: within an event, a theme or a type, records keep the
    document's order."""
    order = order or default_order(view)
    records, reasons = view.records.reset_index(drop=True), None
    if view.filters.query.strip():
        # Scored over the whole dataset, as the filter that made the view was: the same scores, the same records.
        results = view.matches.set_index("id")
        results = results[among(results.index, view.records["id"])]
        reasons = results["reason"]
        if order == "relevance":
            records = view.records.set_index("id", drop=False).loc[results.index].reset_index(drop=True)
    if order in DIMENSIONS:
        dim = DIMENSIONS[order]
        rank = {v: i for i, v in enumerate(dim.values(view.dataset.codebook, view.dataset.events))}
        records = records.iloc[
            dim.cells(records, view.dataset.events).map(rank).fillna(len(rank)).argsort(kind="stable")
        ].reset_index(drop=True)
    return records, None if reasons is None else reasons.reindex(records["id"]).reset_index(drop=True)


MATCH_WORDS = {CONFIDENT: "match", CLOSEST: "closest match"}


def search_columns(view: View, frame: pd.DataFrame) -> pd.DataFrame | None:
    """For the records of ``frame`` (indexed like it): whether each is a match of the view's search or one of the
    closest matches shown below them, and why; None without a search. Exports carry them, so a file says which
    records only came close."""
    if view.matches is None:
        return None
    found = view.matches.set_index("id").reindex(frame["id"].astype(str))
    return pd.DataFrame(
        {
            "Search": found["match"].map(MATCH_WORDS).fillna("").to_numpy(),
            "Why it matched": found["reason"].fillna("").to_numpy(),
        },
        index=frame.index,
    )


def export_scope(view: View, frame: pd.DataFrame, part: str | None = None) -> str:
    """The filters in words, and which part of the view a table shows when it is not all of it (``part``,
    e.g. "Recurring idea: Victim assistance", or a generic word)."""
    if part:
        return f"{view.description} · {part}"
    if len(frame) == len(view.records) and frame["id"].tolist() == view.records["id"].tolist():
        return view.description
    return f"{view.description} · the {len(frame)} record(s) listed in one table of the page"
