"""Merging a person's own records (and events) into this session's view of the data, and the template to fill.

The shipped files are never written: ``merge_upload`` returns a new Dataset. Every verdict comes from
``gift_dash.schema``'s validators, so the page, the CLI (``python -m gift_dash validate FILE``) and the tests agree.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from gift_dash.data import Dataset, read_table, with_schema_columns
from gift_dash.dimensions import UPLOADED
from gift_dash.filters import DEFAULT_SOURCES, Filters
from gift_dash.schema import (
    EVENT_COLUMNS,
    MULTI_VOCAB_COLUMNS,
    RECORD_COLUMNS,
    SEPARATOR,
    VOCABULARIES,
    Checked,
    Codebook,
    Problem,
    Sheet,
    sheet_row,
    split_multi,
    validate_events,
    validate_records,
)

# One example row each, valid against the shipped codebook; the example record belongs to the example event, so
# the two templates uploaded together make a whole new event (tests/test_upload.py checks this).
EXAMPLE_EVENT = {
    "event_id": "my-workshop-2009",
    "short_name": "My workshop",
    "title": "Title of the event as stated",
    "programme": "",
    "city": "Geneva",
    "country": "Switzerland",
    "country_iso3": "CHE",
    "start_date": "2009-03-02",
    "end_date": "2009-03-04",
    "date_as_stated": "2 to 4 March 2009",
    "organisers": "",
    "focus": "",
    "outcome": "",
    "latitude": "46.2",
    "longitude": "6.15",
    "in_annex_ii": "no",
    "source": UPLOADED,
    "location_basis": "",
}
EXAMPLE_RECORD = {
    "id": "my-workshop-2009-rec-1",
    "event_id": EXAMPLE_EVENT["event_id"],
    "source": UPLOADED,
    "record_type": "recommendation",
    "list_id": "my-workshop-2009-rec",
    "section": "Participants recommended:",
    "item": "1",
    "parent_id": "",
    "text": "Train labour inspectors to identify victims of trafficking and refer them to assistance",
    "themes": "protection; prevention",
    "primary_theme": "protection",
    "ta_areas": "victim_protection",
    "target_groups": "victims; workers",
    "actors": "law_enforcement",
    "exploitation_forms": "forced_labour",
    "topics": "victim_identification; training_capacity_building",
}


class Merge(NamedTuple):
    """What ``merge_upload`` returns; unpacks as ``dataset, problems, accepted_ids, rejected_rows``."""

    dataset: Dataset
    problems: list[Problem]
    accepted_ids: list[str]
    rejected_rows: pd.DataFrame  # the rejected rows as uploaded, with "row" (spreadsheet row) and "problems"


def merge_upload(
    dataset: Dataset,
    records_frame: pd.DataFrame,
    events_frame: pd.DataFrame | None = None,
    file_name: str = "upload",
    events_file_name: str = "events upload",
) -> Merge:
    """The dataset with the valid uploaded rows added as source "uploaded"; invalid rows are rejected and listed.

    Uploaded ids that clash with loaded ids are duplicates. Records may refer to shipped events and to the
    accepted uploaded events; a parent_id may point at a shipped record or at an accepted uploaded one.
    """
    problems: list[Problem] = []
    events = dataset.events
    if events_frame is not None:
        events_sheet = Sheet.of(events_frame)
        checked = _check_events(events_sheet, events, events_file_name)
        problems += checked.problems
        added = _normalised(events_sheet, EVENT_COLUMNS, checked.accepted)
        added["source"] = UPLOADED
        # Annex II is the source document's list; an event added here cannot be in it.
        added["in_annex_ii"] = "no"
        events = pd.concat([events, added], ignore_index=True)

    sheet = Sheet.of(records_frame)
    shipped_ids = set(dataset.records["id"])
    already = _already_shipped(sheet, dataset.records)
    repeated_ids = set(sheet.cells.loc[already, "id"]) if already.any() else set()
    labelled = sheet.with_value("source", UPLOADED)
    checked = validate_records(
        labelled,
        dataset.codebook,
        set(events["event_id"]),
        file_name,
        known_ids=shipped_ids - repeated_ids,
        known_records=dataset.records,
    )
    record_problems = checked.problems + _source_replaced(sheet.cells[~already], file_name)
    if repeated_ids:
        record_problems.append(
            Problem(
                file_name,
                None,
                None,
                f"{int(already.sum())} row(s) are identical to records already in the shipped "
                f"data (e.g. {min(repeated_ids)}) and are not added again",
                severity="warning",
            )
        )
    orphans = _orphans(sheet, checked.accepted & ~already, shipped_ids, file_name)
    record_problems += orphans.problems
    problems += record_problems

    added = _normalised(labelled, RECORD_COLUMNS, orphans.accepted)
    merged = replace(  # the workplan and response links go with the shipped data
        dataset,
        records=pd.concat([dataset.records, added], ignore_index=True),
        events=events.reset_index(drop=True),
    )
    rejected = _rejected(sheet, checked.refused | orphans.refused, record_problems)
    return Merge(merged, problems, added["id"].tolist(), rejected)


def _check_events(sheet: Sheet, loaded: pd.DataFrame, file_name: str) -> Checked:
    """An uploaded events table checked against the loaded events: its ids must be new."""
    checked = validate_events(sheet, file_name, known_ids=set(loaded["event_id"]))
    return replace(checked, problems=checked.problems + _source_replaced(sheet.cells, file_name))


def _already_shipped(sheet: Sheet, shipped: pd.DataFrame) -> pd.Series:
    """Rows that repeat a shipped record exactly (same id, same value in every schema column the file has, source
    aside): a copy of the shipped file, or a colleague's file that includes it, is not a clash of ids."""
    columns = [c for c in RECORD_COLUMNS if c in sheet.cells.columns and c != "source"]
    if "id" not in columns:
        return pd.Series(False, index=sheet.cells.index)
    uploaded = sheet.cells[columns]
    shipped_by_id = shipped.drop_duplicates("id").set_index("id")[[c for c in columns if c != "id"]]
    same = pd.Series(uploaded["id"].isin(shipped_by_id.index), index=uploaded.index)
    for column in shipped_by_id.columns:
        same &= uploaded[column].eq(uploaded["id"].map(shipped_by_id[column])).fillna(False)
    return same.astype(bool)


def _orphans(sheet: Sheet, accepted: pd.Series, shipped_ids: set[str], file: str) -> Checked:
    """The ``accepted`` rows checked once more, now that the rejected rows are known: a row whose parent is an
    uploaded row that was rejected is refused too, as adding it would leave a dangling parent_id. Repeated until no
    more fall, so a rejected grandparent takes its whole branch with it."""
    refused = pd.Series(False, index=accepted.index)
    if not accepted.any() or "parent_id" not in sheet.cells.columns:
        return Checked([], refused, accepted)
    ids, parents = sheet.column("id"), sheet.column("parent_id")
    kept = {position for position, ok in enumerate(accepted.tolist()) if ok}
    problems: list[Problem] = []
    while True:
        kept_ids = {ids[p] for p in kept} | shipped_ids
        fallen = sorted(p for p in kept if parents[p] and parents[p] not in kept_ids)
        if not fallen:
            return Checked(problems, refused, accepted & ~refused)
        problems += [
            Problem(
                file,
                sheet_row(position),
                "parent_id",
                f"parent '{parents[position][:60]}' was rejected (see its row); fix it first",
                ids[position],
            )
            for position in fallen
        ]
        refused.iloc[fallen] = True
        kept -= set(fallen)


def _source_replaced(cells: pd.DataFrame, file: str) -> list[Problem]:
    """A warning when the file's own source column (``cells``: stripped) named something else: uploaded rows are
    always "uploaded"."""
    if "source" not in cells.columns:
        return []
    stated = cells["source"]
    other = stated[(stated != "") & (stated != UPLOADED)]
    if other.empty:
        return []
    counts = other.value_counts()
    named = ", ".join(f"'{value[:40]}' ({n} rows)" for value, n in counts.head(5).items())
    return [
        Problem(
            file,
            None,
            "source",
            f"the file's source column says {named}; rows added here are marked '{UPLOADED}' instead",
            severity="warning",
        )
    ]


def _normalised(sheet: Sheet, columns: list[str], accepted: pd.Series) -> pd.DataFrame:
    """The accepted rows in schema columns: cells trimmed (text kept verbatim: it is the record's wording),
    multi-valued cells joined by SEPARATOR, a missing optional column empty."""
    rows = sheet.cells[accepted]
    if "text" in rows.columns:
        rows = rows.assign(text=sheet.text.loc[accepted, "text"])
    out = with_schema_columns(rows, columns).astype(str)
    for column in columns:
        if column in MULTI_VOCAB_COLUMNS:
            out[column] = out[column].map(lambda cell: SEPARATOR.join(split_multi(cell)))
    return out


def _rejected(sheet: Sheet, refused: pd.Series, problems: list[Problem]) -> pd.DataFrame:
    """The refused rows as uploaded, each with its spreadsheet row and its errors, one per line."""
    messages: dict[int, list[str]] = {}
    for problem in problems:
        if problem.severity == "error" and problem.row is not None:
            column = f"{problem.column}: " if problem.column else ""
            messages.setdefault(problem.row, []).append(column + problem.message)
    out = sheet.text[refused].copy()
    rows = [sheet_row(position) for position in out.index]
    out.insert(0, "row", rows)
    out["problems"] = ["\n".join(messages[row]) for row in rows]
    return out.reset_index(drop=True)


PROBLEM_COLUMNS = ["severity", "row", "column", "id", "problem"]


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a table people read: errors first, then by row; "row" is empty for the whole file."""
    table = pd.DataFrame([p.as_dict() for p in problems], columns=[*PROBLEM_COLUMNS, "file"])
    table["row"] = table["row"].astype("Int64")
    table["column"] = table["column"].fillna("")
    table = table.sort_values(
        ["severity", "row"],
        key=lambda c: c.ne("error") if c.name == "severity" else c,
        na_position="first",
        kind="stable",
    )
    return table.reset_index(drop=True)


def with_uploaded(filters: Filters, show: bool) -> Filters:
    """The filters with source "uploaded" added (``show``) or removed, other sources kept as they were.
    ``sources=()`` already means every source; removing "uploaded" from it is not possible, nor needed."""
    if not filters.sources:
        return filters
    others = tuple(s for s in filters.sources if s != UPLOADED)
    return replace(filters, sources=others + (UPLOADED,) if show else others or DEFAULT_SOURCES)


def verdict(problems: list[Problem]) -> int:
    """The exit code of ``python -m gift_dash validate``: 0 valid, 1 invalid (2, unreadable, is a ReadError)."""
    return 1 if any(p.severity == "error" for p in problems) else 0


def check_files(
    dataset: Dataset,
    records: Path | bytes,
    events: Path | bytes | None = None,
    records_name: str | None = None,
    events_name: str | None = None,
) -> Merge:
    """Read and merge files as the page does. Raises ReadError when a file is not a readable table."""
    records_frame = read_table(records, records_name)
    events_frame = None if events is None else read_table(events, events_name)
    return merge_upload(
        dataset,
        records_frame,
        events_frame,
        file_name=records_name or (str(records) if isinstance(records, Path) else "upload"),
        events_file_name=events_name or (str(events) if isinstance(events, Path) else "events upload"),
    )


def check_events(dataset: Dataset, events: Path | bytes, name: str | None = None) -> list[Problem]:
    """The problems of an events file on its own (``validate --events FILE``), as it would be checked beside
    records. Raises ReadError when it is not a readable table."""
    name = name or (str(events) if isinstance(events, Path) else "events upload")
    return _check_events(Sheet.of(read_table(events, name)), dataset.events, name).problems


def template_frame(kind: str = "records") -> pd.DataFrame:
    """Header and one example row of the records or events schema."""
    columns, example = (RECORD_COLUMNS, EXAMPLE_RECORD) if kind == "records" else (EVENT_COLUMNS, EXAMPLE_EVENT)
    return pd.DataFrame([example], columns=columns)


def template_csv(kind: str = "records") -> bytes:
    """The template as UTF-8 CSV. Allowed values are in ``template_xlsx``'s second sheet and on the page:
    a CSV has no comment syntax that every spreadsheet program ignores."""
    return template_frame(kind).to_csv(index=False).encode("utf-8")


def allowed_values(codebook: Codebook) -> pd.DataFrame:
    """Which values each record column accepts, with labels and definitions, for the template and the page."""
    rows = []
    for column, vocabulary in VOCABULARIES.items():
        part = codebook.entries[codebook.entries["vocabulary"] == vocabulary]
        many = "several, separated by '; '" if column in MULTI_VOCAB_COLUMNS else "one"
        rows += [
            {"column": column, "how many": many, "value": r.value, "label": r.label, "definition": r.definition}
            for r in part.itertuples()
        ]
    return pd.DataFrame(rows, columns=["column", "how many", "value", "label", "definition"])


def template_xlsx(codebook: Codebook) -> bytes:
    """A workbook: "records" (header + example; the sheet uploads read), "events", and "allowed values"."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        template_frame("records").to_excel(writer, sheet_name="records", index=False)
        template_frame("events").to_excel(writer, sheet_name="events", index=False)
        allowed_values(codebook).to_excel(writer, sheet_name="allowed values", index=False)
    return out.getvalue()
