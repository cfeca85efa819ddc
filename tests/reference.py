"""A deliberately plain reference for the counts the dashboard shows, written without the code under test.

data/recommendations.csv and data/events.csv are read with the `csv` module; a multi-valued cell is split on ';'
and compared value by value (whole values, never substrings); a record counts once under each value it holds.
Nothing here imports gift_dash: when the core and this file agree, it is not because they share a mistake.
Keep it small and obvious; speed does not matter.

Search is ranked (gift_dash.search) and has no plain reference: a caller passes the ids a search matched
(``ids``), and the search itself is checked against hand-picked records in tests/test_search.py.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
NOT_STATED = "not stated"
NO_ENTRY = "no_entry"  # the follow-up status of a record the store says nothing about


def read_csv(name: str, folder: Path = DATA) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


RECORDS = read_csv("recommendations.csv")
EVENTS = {event["event_id"]: event for event in read_csv("events.csv")}

# URL key -> the records column it reads; "event" and "programme" go through events.csv, "status" through the
# statuses a test gives.
COLUMNS = {
    "theme": "themes",
    "primary_theme": "primary_theme",
    "ta_area": "ta_areas",
    "target_group": "target_groups",
    "actor": "actors",
    "exploitation_form": "exploitation_forms",
    "topic": "topics",
    "record_type": "record_type",
    "source": "source",
}


def values_of(record: dict, key: str, statuses: dict[str, str] | None = None) -> set[str]:
    """The whole values a record holds in one dimension (an empty set where the cell is blank)."""
    if key == "event":
        cell = record["event_id"]
    elif key == "programme":
        cell = EVENTS[record["event_id"]]["programme"] if record["event_id"] in EVENTS else ""
    elif key == "status":
        cell = (statuses or {}).get(record["id"], NO_ENTRY)
    else:
        cell = record.get(COLUMNS[key]) or ""
    return {part.strip() for part in cell.split(";") if part.strip()}


def select(
    records: list[dict] | None = None,
    chosen: dict[str, list[str]] | None = None,
    theme_mode: str = "any",
    ids: set[str] | None = None,
    statuses: dict[str, str] | None = None,
) -> list[dict]:
    """The records a person sees with these choices (URL key -> values).

    Values of one key: a record holding any of them; themes in "all" mode: a record holding every one. Keys
    combine with AND. No "source" key means annex II alone; ``source=[]`` means every source. ``ids``: the
    records a search matched (None: no search)."""
    records = RECORDS if records is None else records
    chosen = dict(chosen or {})
    chosen.setdefault("source", ["annex-ii"])
    out = []
    for record in records:
        keep = ids is None or record["id"] in ids
        for key, wanted in chosen.items():
            if not wanted:
                continue
            held = values_of(record, key, statuses)
            if key == "theme" and theme_mode == "all":
                keep = keep and set(wanted) <= held
            else:
                keep = keep and bool(set(wanted) & held)
        if keep:
            out.append(record)
    return out


def count(records: list[dict], key: str, statuses: dict[str, str] | None = None) -> dict[str, int]:
    """value -> number of records holding it."""
    out: dict[str, int] = {}
    for record in records:
        for value in values_of(record, key, statuses):
            out[value] = out.get(value, 0) + 1
    return out


def option_count(
    chosen: dict[str, list[str]],
    key: str,
    value: str,
    theme_mode: str = "any",
    ids: set[str] | None = None,
    statuses: dict[str, str] | None = None,
) -> int:
    """The number a filter's option reads: a chosen value, how many records in view hold it; another, how many
    records the view would show if it were chosen too."""
    chosen = {"source": ["annex-ii"], **chosen}
    if value in chosen.get(key, []):
        shown = select(None, chosen, theme_mode, ids, statuses)
        return sum(value in values_of(r, key, statuses) for r in shown)
    more = {**chosen, key: [*chosen.get(key, []), value]}
    return len(select(None, more, theme_mode, ids, statuses))


def crosstab(records: list[dict], row: str, column: str) -> dict[tuple[str, str], int]:
    """(row value, column value) -> records counted there; a blank dimension counts as "not stated"."""
    out: dict[tuple[str, str], int] = {}
    for record in records:
        for r in values_of(record, row) or {NOT_STATED}:
            for c in values_of(record, column) or {NOT_STATED}:
                out[r, c] = out.get((r, c), 0) + 1
    return out


def row_percent(records: list[dict], row: str, column: str, row_value: str, column_value: str) -> float:
    """The share of the row's records that fall in the cell, in %, one decimal."""
    in_row = [r for r in records if row_value in (values_of(r, row) or {NOT_STATED})]
    in_cell = [r for r in in_row if column_value in (values_of(r, column) or {NOT_STATED})]
    return round(100 * len(in_cell) / len(in_row), 1)


CODEBOOK = read_csv("codebook.csv")
# records column -> codebook vocabulary, for the columns whose values tables show as labels
VOCABULARY = {column: column for column in ("themes", "ta_areas", "target_groups", "actors", "exploitation_forms")}
VOCABULARY |= {"topics": "topics", "primary_theme": "themes", "record_type": "record_type", "source": "source"}
HEADINGS = {
    "id": "Record id",
    "event_id": "Event",
    "source": "Source",
    "record_type": "Record type",
    "parent_id": "Part of record",
    "text": "Text (verbatim)",
    "themes": "Themes",
    "primary_theme": "Primary theme",
    "ta_areas": "TA areas",
    "target_groups": "Target groups",
    "actors": "Actors",
    "exploitation_forms": "Exploitation forms",
    "topics": "Topics",
}


def label(vocabulary: str, value: str) -> str:
    for entry in CODEBOOK:
        if entry["vocabulary"] == vocabulary and entry["value"] == value:
            return entry["label"]
    return value


def shown_row(record: dict) -> dict[str, str]:
    """heading -> what a table or an export shows for the record: labels in the cell's order joined by "; ", the
    event's short name, "not stated" for a blank tag cell, the text as it is."""
    out = {}
    for column, heading in HEADINGS.items():
        cell = record.get(column) or ""
        if column == "event_id":
            out[heading] = EVENTS[cell]["short_name"]
        elif column in VOCABULARY:
            parts = [p.strip() for p in cell.split(";") if p.strip()]
            out[heading] = "; ".join(label(VOCABULARY[column], p) for p in parts) or NOT_STATED
        else:
            out[heading] = cell
    return out


# ------------------------------------------------------------------------------------------- planned responses
# data/responses.csv (explicit links a person read) and the codebook v3 link rule (LK1, LK2, LK8) written again from
# its words; coverage counted record by record over the records a person read against the workplan.

LINKED_SOURCES = ("annex-ii", "section-vi")
NO_RESPONSE = "No planned response"
WORKPLAN = {row["workplan_id"]: row for row in read_csv("workplan.csv")}
EXPLICIT = read_csv("responses.csv")


def _cells(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


def thematic_shared(records: list[dict] | None = None) -> dict[tuple[str, str], tuple[set[str], set[tuple[str, str]]]]:
    """(record id, workplan id) the rule links -> (the measure types they share, the (column, value) groups the row's
    title names that the record holds): a shared measure type; or a group or actor the row's title (a sub-item's with
    its lead-in's) names by label or near-synonym, not a broad one, while the record has a measure type; a sub-item's
    link makes its activity's redundant."""
    rules = read_csv("codebook_rules.csv")
    types = {r["value"]: set(_cells(r["then_values"])) for r in rules if r["kind"] == "measure_type"}
    broad = {(r["column"], r["value"]) for r in rules if r["kind"] == "no_group_link"}
    names = {
        (r["vocabulary"], r["value"]): [r["label"], *[n.strip() for n in r["near_synonyms"].split(",") if n.strip()]]
        for r in CODEBOOK
    }
    shared = {}
    for record in RECORDS if records is None else records:
        mine = set().union(*[types.get(t, set()) for t in _cells(record["topics"])])
        groups = {(c, v) for c in ("target_groups", "actors") for v in _cells(record[c])} if mine else set()
        for wid, row in WORKPLAN.items():
            if row["kind"] not in ("activity", "sub_item"):
                continue
            theirs = set().union(*[types.get(t, set()) for t in _cells(row["topics"])])
            title = row["title"] + (" " + WORKPLAN[row["parent_id"]]["title"] if row["kind"] == "sub_item" else "")
            named = {
                (c, v)
                for c in ("target_groups", "actors")
                for v in _cells(row[c])
                if (c, v) not in broad
                and any(re.search(rf"(?<!\w){re.escape(n)}s?(?!\w)", title, re.I) for n in names[(c, v)])
            }
            if mine & theirs or groups & named:
                shared[record["id"], wid] = (mine & theirs, groups & named)
    parent = {wid: row["parent_id"] for wid, row in WORKPLAN.items() if row["kind"] == "sub_item"}
    return {
        (r, w): why for (r, w), why in shared.items() if not any((r, s) in shared for s, p in parent.items() if p == w)
    }


def thematic_pairs(records: list[dict] | None = None) -> set[tuple[str, str]]:
    """(record id, workplan id) the rule links (thematic_shared)."""
    return set(thematic_shared(records))


SHARED = thematic_shared()
THEMATIC = set(SHARED)
_READ = {(r["record_id"], r["activity_id"]) for r in EXPLICIT}
# Every link: the explicit ones, and the rule's thematic ones where no explicit link joins the same pair.
LINKS = [{k: r[k] for k in ("record_id", "activity_id", "strength")} for r in EXPLICIT] + [
    {"record_id": r, "activity_id": w, "strength": "thematic"} for r, w in sorted(THEMATIC) if (r, w) not in _READ
]


def strength(record_id: str) -> str:
    """The record's strongest link: "explicit", "thematic" or NO_RESPONSE."""
    mine = {link["strength"] for link in LINKS if link["record_id"] == record_id}
    return "explicit" if "explicit" in mine else "thematic" if mine else NO_RESPONSE


def in_scope(records: list[dict]) -> list[dict]:
    return [r for r in records if r["source"] in LINKED_SOURCES]


def unanswered(records: list[dict]) -> list[str]:
    """Ids of the records in scope with no link, in the order given."""
    return [r["id"] for r in in_scope(records) if strength(r["id"]) == NO_RESPONSE]


def shown_values(record: dict, key: str) -> set[str]:
    """The values a coverage or flow row is named by: event short names, codebook labels, "not stated"."""
    values = values_of(record, key)
    if key == "event":
        return {EVENTS[v]["short_name"] for v in values}
    return {label(VOCABULARY[COLUMNS[key]], v) for v in values} or {NOT_STATED}


def coverage(records: list[dict], key: str | None = None) -> dict[str, dict[str, int]]:
    """value (or "All records in scope") -> Records, Explicit, Thematic only, No planned response, over the records
    in scope; a record counts under each value it holds."""
    out: dict[str, dict[str, int]] = {}
    for record in in_scope(records):
        best = {"explicit": "Explicit", "thematic": "Thematic only"}.get(strength(record["id"]), NO_RESPONSE)
        for value in shown_values(record, key) if key else {"All records in scope"}:
            row = out.setdefault(value, {"Records": 0, "Explicit": 0, "Thematic only": 0, NO_RESPONSE: 0})
            row["Records"] += 1
            row[best] += 1
    return out


def pillar_name(workplan_id: str) -> str:
    pillar = WORKPLAN[workplan_id]["pillar"]
    return f"Pillar {pillar}: {WORKPLAN['p' + pillar]['short_title']}"


def flow(records: list[dict], key: str) -> dict[tuple[str, str], int]:
    """(value, pillar name or NO_RESPONSE) -> records in scope holding the value that a link of the pillar reaches
    (or that nothing reaches)."""
    out: dict[tuple[str, str], int] = {}
    for record in in_scope(records):
        reached = {pillar_name(link["activity_id"]) for link in LINKS if link["record_id"] == record["id"]}
        for value in shown_values(record, key):
            for to in reached or {NO_RESPONSE}:
                out[value, to] = out.get((value, to), 0) + 1
    return out
