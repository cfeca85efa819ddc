"""The registry of dimensions: every way records can be filtered, counted and cross-tabulated, defined once.

A dimension names its records column, the codebook vocabulary its values come from (from `schema`), whether a
record can hold several values, its URL key (also its cross-tab key and CLI option), the labels people read, and
where the sidebar shows it. Filters, the URL form, cross-tabs, table headings, the CLI and the sidebar all derive
from `DIMENSIONS`; add a dimension here and each of them has it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gift_dash.schema import MULTI_VOCAB_COLUMNS, VOCABULARIES, Codebook, by_date, event_names

# The four sources of records, as the codebook's "source" vocabulary spells them. Named once: code that needs one
# of them imports it from here.
ANNEX_II, SECTION_V, SECTION_VI, UPLOADED = "annex-ii", "section-v", "section-vi", "uploaded"


@dataclass(frozen=True)
class Dimension:
    """One way of slicing the records.

    ``column`` is the records column; for a dimension read from events.csv (``event_column``), the records are
    joined on ``event_id`` and ``column`` is "event_id". Values are codebook values (``vocabulary``), event ids
    ("event") or the events' own values (programme).
    """

    key: str  # URL key, cross-tab key, CLI option (--target-group)
    field: str  # the `Filters` attribute holding the chosen values
    label: str  # singular, as a filter's name ("Target group")
    plural: str  # as a table heading for a multi-valued column ("Target groups")
    column: str
    event_column: str | None = None
    more: bool = False  # in the sidebar's "More filters"
    help: str | None = None

    @property
    def vocabulary(self) -> str | None:
        return None if self.event_column else VOCABULARIES.get(self.column)

    @property
    def multi(self) -> bool:
        return self.column in MULTI_VOCAB_COLUMNS

    @property
    def heading(self) -> str:
        """The column heading in tables and exports: plural where a record holds several values."""
        return self.plural if self.multi else self.label

    @property
    def cli_option(self) -> str:
        return "--" + self.key.replace("_", "-")

    def cells(self, records: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
        """The dimension's raw cells per record (event-derived ones joined on event_id), blanks as ""."""
        cells = records[self.column].fillna("").astype(str)
        if self.event_column and self.event_column != "event_id":
            lookup = dict(zip(events["event_id"], events[self.event_column].fillna("").astype(str), strict=True))
            cells = cells.map(lookup).fillna("")
        return cells

    def values(self, codebook: Codebook, events: pd.DataFrame) -> list[str]:
        """Every value a person can choose, in the order the sidebar and cross-tab show them."""
        if self.vocabulary:
            return codebook.values(self.vocabulary)
        dated = by_date(events)
        if self.event_column == "event_id":
            return list(dated["event_id"])
        return list(dict.fromkeys(v for v in dated[self.event_column].fillna("") if v))

    def labels(self, codebook: Codebook, events: pd.DataFrame) -> dict[str, str]:
        """value -> what people read."""
        if self.vocabulary:
            return codebook.labels(self.vocabulary)
        if self.event_column == "event_id":
            return event_names(events)
        return {v: v for v in self.values(codebook, events)}


_DIMENSIONS = (
    Dimension("event", "events", "Event", "Events", "event_id", event_column="event_id"),
    Dimension(
        "programme",
        "programmes",
        "Programme / region",
        "Programmes / regions",
        "event_id",
        event_column="programme",
        more=True,
    ),
    Dimension("theme", "themes", "Theme", "Themes", "themes"),
    Dimension("primary_theme", "primary_themes", "Primary theme", "Primary themes", "primary_theme", more=True),
    Dimension("ta_area", "ta_areas", "TA area", "TA areas", "ta_areas", more=True),
    Dimension("target_group", "target_groups", "Target group", "Target groups", "target_groups"),
    Dimension("actor", "actors", "Actor", "Actors", "actors", more=True),
    Dimension(
        "exploitation_form",
        "exploitation_forms",
        "Exploitation form",
        "Exploitation forms",
        "exploitation_forms",
        more=True,
    ),
    Dimension("topic", "topics", "Topic", "Topics", "topics"),
    Dimension("record_type", "record_types", "Record type", "Record types", "record_type", more=True),
    Dimension(
        "source",
        "sources",
        "Source",
        "Sources",
        "source",
        more=True,
        help="Annex II alone by default. Empty means every source.",
    ),
)
# URL key -> Dimension, in the order the sidebar and the cross-tab offer them.
DIMENSIONS: dict[str, Dimension] = {d.key: d for d in _DIMENSIONS}
BY_FIELD: dict[str, Dimension] = {d.field: d for d in _DIMENSIONS}
