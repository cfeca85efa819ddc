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
    Codebook,
    Problem,
    blank_mask,
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
        events_frame = _as_text(events_frame)
        event_problems = _event_problems(events_frame, events, events_file_name)
        problems += event_problems
        good = _accepted_positions(events_frame, event_problems)
        added = _normalised(events_frame, EVENT_COLUMNS, good)
        added["source"] = UPLOADED
        # Annex II is the source document's list; an event added here cannot be in it.
        added["in_annex_ii"] = "no"
        events = pd.concat([events, added], ignore_index=True)

    records_frame = _as_text(records_frame)
    shipped_ids = set(dataset.records["id"])
    already = _already_shipped(records_frame, dataset.records)
    repeated_ids = set(records_frame.loc[already, "id"].str.strip()) if already.any() else set()
    labelled = records_frame.assign(source=UPLOADED).mask(blank_mask(records_frame), "")
    record_problems = validate_records(
        labelled,
        dataset.codebook,
        set(events["event_id"]),
        file_name,
        known_ids=shipped_ids - repeated_ids,
        known_records=dataset.records,
    )
    record_problems += _source_replaced(records_frame.loc[~already], file_name)
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

    def accepted() -> list[int]:
        return [p for p in _accepted_positions(records_frame, record_problems) if not already.iloc[p]]

    record_problems += _orphans(records_frame, accepted(), shipped_ids, file_name)
    problems += record_problems
    good = accepted()

    added = _normalised(labelled, RECORD_COLUMNS, good)
    merged = replace(  # the workplan and response links go with the shipped data
        dataset,
        records=pd.concat([dataset.records, added], ignore_index=True),
        events=events.reset_index(drop=True),
    )
    return Merge(merged, problems, added["id"].tolist(), _rejected(records_frame, record_problems))


def _event_problems(frame: pd.DataFrame, loaded: pd.DataFrame, file_name: str) -> list[Problem]:
    """An uploaded events frame (as text) checked against the loaded events: its ids must be new."""
    problems = validate_events(frame, file_name, known_ids=set(loaded["event_id"]))
    return problems + _source_replaced(frame, file_name)


def _already_shipped(frame: pd.DataFrame, shipped: pd.DataFrame) -> pd.Series:
    """Rows that repeat a shipped record exactly (same id, same value in every schema column the file has, source
    aside): a copy of the shipped file, or a colleague's file that includes it, is not a clash of ids."""
    columns = [c for c in RECORD_COLUMNS if c in frame.columns and c != "source"]
    if "id" not in columns:
        return pd.Series(False, index=frame.index)
    mine = frame[columns].apply(lambda col: col.str.strip())
    theirs = shipped.drop_duplicates("id").set_index("id")[[c for c in columns if c != "id"]]
    same = pd.Series(mine["id"].isin(theirs.index), index=frame.index)
    for column in theirs.columns:
        same &= mine[column].eq(mine["id"].map(theirs[column])).fillna(False)
    return same.astype(bool)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.fillna("").astype(str).reset_index(drop=True)


def _error_rows(problems: list[Problem]) -> set[int] | None:
    """Spreadsheet rows with an error; None when an error concerns the whole file (nothing is accepted)."""
    errors = [p for p in problems if p.severity == "error"]
    if any(p.row is None for p in errors):
        return None
    return {p.row for p in errors}


def _accepted_positions(frame: pd.DataFrame, problems: list[Problem]) -> list[int]:
    bad = _error_rows(problems)
    if bad is None or frame.empty:
        return []
    blank = blank_mask(frame).tolist()
    return [position for position in range(len(frame)) if not blank[position] and sheet_row(position) not in bad]


def _orphans(frame: pd.DataFrame, good: list[int], shipped_ids: set[str], file: str) -> list[Problem]:
    """Rows whose parent is an uploaded row that was rejected: adding them would leave a dangling parent_id.
    Repeated until no more fall, so a rejected grandparent takes its whole branch with it."""
    if not good or "parent_id" not in frame.columns:
        return []
    ids = frame["id"].str.strip().tolist()
    parents = frame["parent_id"].str.strip().tolist()
    kept = set(good)
    problems: list[Problem] = []
    while True:
        kept_ids = {ids[p] for p in kept} | shipped_ids
        fallen = [p for p in kept if parents[p] and parents[p] not in kept_ids]
        if not fallen:
            return problems
        for position in sorted(fallen):
            problems.append(
                Problem(
                    file,
                    sheet_row(position),
                    "parent_id",
                    f"parent '{parents[position][:60]}' was rejected (see its row); fix it first",
                    ids[position],
                )
            )
        kept -= set(fallen)


def _source_replaced(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A warning when the file's own source column named something else: uploaded rows are always "uploaded"."""
    if "source" not in frame.columns:
        return []
    stated = frame["source"].str.strip()
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


def _normalised(frame: pd.DataFrame, columns: list[str], positions: list[int]) -> pd.DataFrame:
    """The accepted rows in schema columns: cells trimmed (text kept verbatim), multi-valued cells joined by
    SEPARATOR, a missing optional column empty."""
    out = with_schema_columns(frame.iloc[positions], columns).astype(str)
    for column in columns:
        if column in MULTI_VOCAB_COLUMNS:
            out[column] = out[column].map(lambda cell: SEPARATOR.join(split_multi(cell)))
        elif column != "text":
            out[column] = out[column].str.strip()
    return out


def _rejected(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    messages: dict[int, list[str]] = {}
    for problem in problems:
        if problem.severity == "error" and problem.row is not None:
            column = f"{problem.column}: " if problem.column else ""
            messages.setdefault(problem.row, []).append(column + problem.message)
    rows = sorted(messages)
    out = frame.iloc[[row - 2 for row in rows]].copy() if rows else frame.iloc[0:0].copy()
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
    return _event_problems(_as_text(read_table(events, name)), dataset.events, name)


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
