"""The full citation of a record: document, part, event, place, dates, list and item — one wording everywhere."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from gift_dash.data import DOCUMENT_TITLE
from gift_dash.dimensions import ANNEX_II, SECTION_V, SECTION_VI
from gift_dash.schema import NOT_STATED

# Where in the document each source value sits, as the document names its parts.
SOURCE_PART = {
    ANNEX_II: "annex II (Key findings and recommendations from regional events organized in the framework "
                "of the Global Initiative to Fight Human Trafficking)",
    SECTION_VI: "section VI (Vienna Forum to Fight Human Trafficking)",
    SECTION_V: "section V (Preparatory phase of the Global Initiative to Fight Human Trafficking)",
}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def item_label(item: object) -> str:
    """"g.i" -> "(g)(i)", the way the document numbers sub-items; "" when the record has no item letter."""
    parts = [p for p in _text(item).split(".") if p]
    return "".join(f"({p})" for p in parts)


def place(event: Mapping[str, str]) -> str:
    """"Kampala, Uganda"; "city not stated, Egypt" when the document names no city."""
    return ", ".join(p for p in (event.get("city") or f"city {NOT_STATED}", event.get("country") or "") if p)


def _events_by_id(events: pd.DataFrame) -> dict[str, dict[str, str]]:
    return {_text(row["event_id"]): {k: _text(v) for k, v in row.items()} for row in events.to_dict("records")}


def citation(record: Mapping[str, object], events: pd.DataFrame) -> str:
    """A citation a person can paste into a briefing, e.g.

    Work programme of … (UN.GIFT), United Nations, May 2008, annex II (…), "First Regional …", Kampala, Uganda,
    from 19 to 22 June 2007, list "General recommendations of the Conference were as follows:", item (g)(i).

    Dates are quoted as the document states them; a missing city or date reads "not stated", never a guess.
    Uploaded records (not from the document) say so instead of naming the document.
    """
    return _cite(record, _events_by_id(events))


def _cite(record: Mapping[str, object], events_by_id: Mapping[str, Mapping[str, str]]) -> str:
    source = _text(record.get("source"))
    event_id = _text(record.get("event_id"))
    event = events_by_id.get(event_id, {})
    if source in SOURCE_PART:
        parts = [DOCUMENT_TITLE, SOURCE_PART[source]]
    else:
        parts = [f"{source or 'unknown source'} record (not from the {DOCUMENT_TITLE})"]
    title = event.get("title") or event.get("short_name") or event_id
    parts.append(f"\u201c{title}\u201d" if event else f"event {event_id or NOT_STATED}")
    if event:
        parts.append(place(event))
        parts.append(event.get("date_as_stated") or f"dates {NOT_STATED}")
    lead_in = _text(record.get("section"))
    # Section V records carry the section heading as their list lead-in; the part above already names it.
    if lead_in and lead_in.split(". ", 1)[-1] not in SOURCE_PART.get(source, ""):
        parts.append(f"list \u201c{lead_in}\u201d")
    item = item_label(record.get("item"))
    if item:
        parts.append(f"item {item}")
    return ", ".join(parts) + "."


def citations(records: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """citation() for every row, aligned with ``records``' index."""
    by_id = _events_by_id(events)
    return pd.Series([_cite(row, by_id) for row in records.to_dict("records")], index=records.index, dtype=str)
