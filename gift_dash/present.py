"""Records in words: readable tables with codebook labels (same headings on screen and in exports), a record's tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

from gift_dash.citation import citations, item_label
from gift_dash.dimensions import DIMENSIONS
from gift_dash.schema import (
    MULTI_VOCAB_COLUMNS,
    NOT_STATED,
    VOCABULARIES,
    Codebook,
    by_date,
    event_names,
    split_multi,
)

# Record column -> heading, on screen and in exports (gift_dash.export), in export order. "event" and
# "citation" are derived from events.csv; the headings of dimension columns come from the registry.
_DIMENSION_HEADINGS = {d.column: d.heading for d in DIMENSIONS.values() if not d.event_column}
COLUMN_HEADINGS = {
    "id": "Record id",
    "event": DIMENSIONS["event"].label,
    "source": _DIMENSION_HEADINGS["source"],
    "record_type": _DIMENSION_HEADINGS["record_type"],
    "section": "List",
    "item": "Item",
    "parent_id": "Part of record",
    "text": "Text (verbatim)",
    **{
        column: _DIMENSION_HEADINGS[column]
        for column in ("themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics")
    },
    "citation": "Citation",
}
# What the record tables show by default (keys of COLUMN_HEADINGS); the detail panel shows the rest.
SCREEN_COLUMNS = ("event", "record_type", "item", "text", "themes", "target_groups", "topics")


def labelled(cell: object, vocabulary: str, codebook: Codebook) -> str:
    """A tag cell with codebook labels ("protection; prevention" -> "Protection; Prevention"), "not stated" if blank."""
    values = split_multi(cell)
    labels = codebook.labels(vocabulary)
    return "; ".join(labels.get(v, v) for v in values) if values else NOT_STATED


def display_frame(
    records: pd.DataFrame, events: pd.DataFrame, codebook: Codebook, columns: tuple[str, ...] = SCREEN_COLUMNS
) -> pd.DataFrame:
    """The records as people read them, under the same headings as the exports (gift_dash.export): event names,
    codebook labels, "not stated" for blank tags, the text verbatim. Keeps ``records``' index."""
    names = event_names(events)
    out: dict[str, list[str]] = {}
    for key in columns:
        if key == "citation":
            out[key] = citations(records, events).tolist()
            continue
        # On plain lists, each distinct cell worked out once: far fewer distinct cells than records (20k rows stay
        # fast), and a page of small tables (Vienna echoes draws ten) does not pay pandas' per-call cost.
        column = records["event_id" if key == "event" else key].tolist()
        cells = ["" if cell is None or cell != cell else str(cell) for cell in column]  # blank for a missing value
        if key == "event":
            lookup = {cell: names.get(cell) or cell for cell in set(cells)}
        elif key == "item":
            lookup = {cell: item_label(cell) for cell in set(cells)}
        elif key in VOCABULARIES:
            lookup = {cell: labelled(cell, VOCABULARIES[key], codebook) for cell in set(cells)}
        else:
            out[key] = cells
            continue
        out[key] = [lookup[cell] for cell in cells]
    # One frame from all the columns: adding them one by one costs pandas a copy of its block list each time.
    return pd.DataFrame({COLUMN_HEADINGS.get(key, key): column for key, column in out.items()}, index=records.index)


RECORD_LINK = "Page"  # the heading of a records table's first column: a link to each record's own page


def records_table(
    records: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    links: Mapping[str, str],
    columns: tuple[str, ...] = SCREEN_COLUMNS,
    leading: Mapping[str, Sequence] | None = None,
    trailing: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """A records table as the pages show it: a link to each record's page (``links``: id -> address, else a
    relative permalink), ``leading`` columns, the records' ``columns`` (display_frame), ``trailing`` columns.
    ``leading`` and ``trailing`` are computed by the page (a score, a reason), aligned with ``records``' rows."""
    described = display_frame(records, events, codebook, columns)
    # Built at once (pandas copies its list of columns on every insert).
    return pd.DataFrame(
        {
            RECORD_LINK: [
                links.get(record_id) or permalink(None, record_id) for record_id in records["id"].astype(str)
            ],
            **{heading: list(values) for heading, values in (leading or {}).items()},
            **{heading: described[heading].to_numpy() for heading in described.columns},
            **{heading: list(values) for heading, values in (trailing or {}).items()},
        }
    )


def tags(record: pd.Series, codebook: Codebook) -> list[tuple[str, str]]:
    """(heading, labels) for each tag column of one record, "not stated" where it has none."""
    return [
        (COLUMN_HEADINGS[column], labelled(record.get(column, ""), vocabulary, codebook))
        for column, vocabulary in MULTI_VOCAB_COLUMNS.items()
    ] + [(COLUMN_HEADINGS["primary_theme"], labelled(record.get("primary_theme", ""), "themes", codebook))]


def events_table(events: pd.DataFrame, in_view: pd.Series | None = None) -> pd.DataFrame:
    """The events as people read them, blanks as "not stated", ordered by date; with ``in_view`` (event_id ->
    records), a column of the records in view."""
    table = by_date(events)[
        ["event_id", "short_name", "title", "city", "country", "date_as_stated", "in_annex_ii", "programme"]
    ]
    table = table.rename(
        columns={
            "short_name": "Event",
            "title": "Title",
            "city": "City",
            "country": "Country",
            "date_as_stated": "Dates (as stated)",
            "in_annex_ii": "In annex II",
            "programme": "Programme",
        }
    )
    table = table.replace("", NOT_STATED)
    if in_view is not None:
        table["Records in view"] = table["event_id"].map(in_view).fillna(0).astype(int)
    return table.drop(columns="event_id").reset_index(drop=True)


def context(record: pd.Series, records: pd.DataFrame) -> tuple[str, pd.Series | None]:
    """What a record must be quoted with: its list's lead-in (as the document words it) and, for a sub-item, the
    parent item it completes (None when it has none, or the parent is not in ``records``)."""
    parent_id = str(record.get("parent_id") or "")
    parent = records[records["id"] == parent_id]
    return str(record.get("section") or ""), (parent.iloc[0] if parent_id and len(parent) else None)


def permalink(page_url: str | None, record_id: str) -> str:
    """The record page's address on the server the page was opened from ("http://host:8501/record?id=…"); a
    relative address when the server's is unknown (AppTest, a script)."""
    parts = urlsplit(page_url or "")
    query = urlencode({"id": record_id})
    if not parts.scheme or not parts.netloc:
        return f"record?{query}"
    return urlunsplit((parts.scheme, parts.netloc, "/record", query, ""))
