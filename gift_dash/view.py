"""A view: the dataset, the filters a person set, the records they select and the scope in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from gift_dash import filters as flt
from gift_dash.data import Dataset
from gift_dash.search import search


@dataclass(frozen=True)
class View:
    """What a page needs: the data, the filters in force, and the records they select."""

    dataset: Dataset
    filters: flt.Filters
    records: pd.DataFrame
    description: str

    @classmethod
    def of(cls, dataset: Dataset, filters: flt.Filters, found: Mapping[str, pd.Series] | None = None) -> View:
        """The view ``filters`` select; ``found`` are their masks when the caller already has them."""
        records = dataset.records
        found = flt.masks(records, dataset.events, filters, codebook=dataset.codebook) if found is None else found
        return cls(
            dataset,
            filters,
            records[flt.combine(records, found)].copy(),
            flt.describe(filters, dataset.codebook, dataset.events),
        )

    @property
    def shows_other_sources(self) -> bool:
        """True when the view is not annex II alone, so tables say each record's source."""
        return self.filters.sources != flt.DEFAULT_SOURCES


def ranked(view: View) -> tuple[pd.DataFrame, pd.Series | None]:
    """The view's records with the best search match first, and why each matched (aligned with them); without a
    search, the records in document order and None."""
    if not view.filters.query.strip():
        return view.records, None
    results = search(view.records, view.filters.query, view.dataset.codebook).set_index("id")
    records = view.records.set_index("id", drop=False).loc[results.index].reset_index(drop=True)
    return records, results["reason"].reset_index(drop=True)


def export_scope(view: View, frame: pd.DataFrame, part: str | None = None) -> str:
    """The filters in words, and which part of the view a table shows when it is not all of it (``part``,
    e.g. "Recurring idea: Victim assistance", or a generic word)."""
    if part:
        return f"{view.description} · {part}"
    if len(frame) == len(view.records) and frame["id"].tolist() == view.records["id"].tolist():
        return view.description
    return f"{view.description} · the {len(frame)} record(s) listed in one table of the page"
