"""The registry of dimensions: every way records can be filtered, counted and cross-tabulated, defined once.

A dimension names its records column, the codebook vocabulary its values come from (from `schema`), whether a
record can hold several values, its URL key (also its cross-tab key and CLI option), the labels people read, and
where the sidebar shows it. Filters, the URL form, cross-tabs, table headings, the CLI and the sidebar all derive
from `DIMENSIONS`; add a dimension here and each of them has it.

One dimension is not in the records file: the follow-up status (`Joined`) is joined onto the records from the
follow-up store before they are filtered (`gift_dash.followup.summary.joined`), and from then on it is a column
like the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gift_dash.schema import MULTI_VOCAB_COLUMNS, VOCABULARIES, Codebook, date_order, event_names

# The four sources of records, as the codebook's "source" vocabulary spells them. Named once: code that needs one
# of them imports it from here.
ANNEX_II, SECTION_V, SECTION_VI, UPLOADED = "annex-ii", "section-v", "section-vi", "uploaded"
# A record's follow-up state besides the statuses the store keeps: its entry was withdrawn, or it has none.
WITHDRAWN, NO_ENTRY = "withdrawn", "no_entry"


@dataclass(frozen=True)
class Joined:
    """Where a dimension that is not in the records file gets its values: the follow-up store, joined onto the
    records before they are filtered. Until the column is joined (no store) every record holds ``absent``, and
    the dimension is not offered (``available``)."""

    vocabulary: str  # the codebook vocabulary of the values the store keeps
    added: tuple[tuple[str, str], ...]  # (value, label) that the join itself gives, after the vocabulary's
    absent: str  # the value of a record the store says nothing about


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
    joined: Joined | None = None  # not in the records file: joined onto them from the follow-up store

    @property
    def vocabulary(self) -> str | None:
        if self.joined:
            return self.joined.vocabulary
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
        if self.joined and self.column not in records:
            return pd.Series(self.joined.absent, index=records.index)
        cells = records[self.column].fillna("").astype(str)
        if self.event_column and self.event_column != "event_id":
            lookup = dict(zip(events["event_id"], events[self.event_column].fillna("").astype(str), strict=True))
            cells = cells.map(lookup).fillna("")
        return cells

    def values(self, codebook: Codebook, events: pd.DataFrame) -> list[str]:
        """Every value a person can choose, in the order the sidebar and cross-tab show them."""
        if self.vocabulary:
            return codebook.values(self.vocabulary) + ([value for value, _ in self.joined.added] if self.joined else [])
        # Positions, not by_date's frame: every run asks (the sidebar, the address), and taking rows of the whole
        # events frame cost milliseconds each time.
        column = events[self.event_column].fillna("").tolist()
        return list(dict.fromkeys(column[i] for i in date_order(events) if column[i]))

    def labels(self, codebook: Codebook, events: pd.DataFrame) -> dict[str, str]:
        """value -> what people read."""
        if self.vocabulary:
            return codebook.labels(self.vocabulary) | (dict(self.joined.added) if self.joined else {})
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
    Dimension(
        "status",
        "statuses",
        "Follow-up status",
        "Follow-up statuses",
        "followup_status",
        help="What the follow-up store records for each record (the Follow-up page has the details); 'No entry "
        "yet' where nothing is recorded. Shown whenever the store can be opened.",
        joined=Joined("followup_status", ((WITHDRAWN, "Withdrawn"), (NO_ENTRY, "No entry yet")), NO_ENTRY),
    ),
)
# URL key -> Dimension, in the order the sidebar and the cross-tab offer them.
DIMENSIONS: dict[str, Dimension] = {d.key: d for d in _DIMENSIONS}
BY_FIELD: dict[str, Dimension] = {d.field: d for d in _DIMENSIONS}
JOINED = tuple(d for d in _DIMENSIONS if d.joined)
STATUS = DIMENSIONS["status"]


def available(records: pd.DataFrame) -> list[str]:
    """The keys of the dimensions these records can be filtered and counted by: all of them, but a joined one
    only once its column has been joined (without a store, "every record has no entry" would be a guess)."""
    return [key for key, dim in DIMENSIONS.items() if not dim.joined or dim.column in records]
