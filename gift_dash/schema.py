"""The dataset's schema: columns, the codebook's vocabularies, and validation that names file, row and column."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from gift_dash.safe_io import read_bytes

SEPARATOR = "; "
NOT_STATED = "not stated"  # what every view shows where the document is silent


def event_names(events: pd.DataFrame) -> dict[str, str]:
    """event_id -> the short name charts and tables show."""
    return dict(zip(events["event_id"], events["short_name"], strict=True))

# Columns of data/recommendations.csv, in file order. Multi-valued columns hold codebook values joined by SEPARATOR.
RECORD_COLUMNS = [
    "id", "event_id", "source", "record_type", "list_id", "section", "item", "parent_id", "text",
    "themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics",
]
REQUIRED_RECORD_COLUMNS = ["id", "event_id", "text", "themes"]
# column -> codebook vocabulary it draws from
SINGLE_VOCAB_COLUMNS = {"primary_theme": "themes", "record_type": "record_type", "source": "source"}
MULTI_VOCAB_COLUMNS = {
    "themes": "themes", "ta_areas": "ta_areas", "target_groups": "target_groups", "actors": "actors",
    "exploitation_forms": "exploitation_forms", "topics": "topics",
}
TAG_COLUMNS = list(MULTI_VOCAB_COLUMNS)
VOCABULARIES = {**MULTI_VOCAB_COLUMNS, **SINGLE_VOCAB_COLUMNS}  # every column drawn from the codebook

EVENT_COLUMNS = [
    "event_id", "short_name", "title", "programme", "city", "country", "country_iso3", "start_date", "end_date",
    "date_as_stated", "organisers", "focus", "outcome", "latitude", "longitude", "in_annex_ii", "source",
    "location_basis",
]
REQUIRED_EVENT_COLUMNS = ["event_id", "short_name"]

MAX_TEXT_CHARS = 10_000
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
_VALUE_LIST_LIMIT = 8  # how many allowed values a message spells out before saying "see the codebook"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located precisely enough for a person to fix it.

    ``row`` is the line a spreadsheet would show: the header is row 1, the first record row 2.
    ``row`` is None for problems with the whole file (a missing column, no rows).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    record_id: str = ""
    severity: str = "error"  # "error" rejects the row; "warning" is reported and the row is kept

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (id {self.record_id})" if self.record_id else ""))
        if self.column:
            where.append(f"column {self.column}")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{', '.join(where)}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity, "file": self.file, "row": self.row, "column": self.column,
            "id": self.record_id, "problem": self.message,
        }


@dataclass(frozen=True)
class Codebook:
    """Controlled vocabularies read from data/codebook.csv: vocabulary -> value -> definition row."""

    entries: pd.DataFrame

    def values(self, vocabulary: str) -> list[str]:
        return self.entries.loc[self.entries["vocabulary"] == vocabulary, "value"].tolist()

    def label(self, vocabulary: str, value: str) -> str:
        hit = self.entries[(self.entries["vocabulary"] == vocabulary) & (self.entries["value"] == value)]
        return hit["label"].iloc[0] if len(hit) else value

    def labels(self, vocabulary: str) -> dict[str, str]:
        part = self.entries[self.entries["vocabulary"] == vocabulary]
        return dict(zip(part["value"], part["label"]))

    @property
    def vocabularies(self) -> list[str]:
        return list(dict.fromkeys(self.entries["vocabulary"]))


CODEBOOK_COLUMNS = ["vocabulary", "value", "label", "definition", "inclusion_rule", "frame"]


def load_codebook(path: Path) -> Codebook:
    frame = pd.read_csv(io.BytesIO(read_bytes(path)), dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CODEBOOK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: codebook lacks columns {', '.join(missing)}")
    dupes = frame[frame.duplicated(["vocabulary", "value"], keep=False)]
    if len(dupes):
        raise ValueError(f"{path}: codebook repeats {', '.join(sorted(set(dupes['vocabulary'] + ':' + dupes['value'])))}")
    return Codebook(frame[CODEBOOK_COLUMNS].copy())


def split_multi(cell: object) -> list[str]:
    """Values of a multi-valued cell, in order, without blanks ("a; b" -> ["a", "b"])."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _allowed(codebook: Codebook, vocabulary: str) -> str:
    values = codebook.values(vocabulary)
    shown = ", ".join(values[:_VALUE_LIST_LIMIT])
    more = f" … ({len(values)} values; see the codebook)" if len(values) > _VALUE_LIST_LIMIT else ""
    return shown + more


def _missing_columns(frame: pd.DataFrame, required: list[str], file: str) -> list[Problem]:
    return [
        Problem(file, None, column, f"required column '{column}' is missing; expected columns include {', '.join(required)}")
        for column in required if column not in frame.columns
    ]


def _extra_columns(frame: pd.DataFrame, known: list[str], file: str) -> list[Problem]:
    return [
        Problem(file, None, str(column), "unknown column, ignored", severity="warning")
        for column in frame.columns if column not in known
    ]


def blank_mask(frame: pd.DataFrame) -> pd.Series:
    """True for rows with no text in any cell: spreadsheets leave them, and they are not records."""
    if frame.empty or not len(frame.columns):
        return pd.Series(True, index=frame.index, dtype=bool)
    return ~frame.apply(lambda column: column.fillna("").astype(str).str.strip() != "").any(axis=1)


def _blank_rows(frame: pd.DataFrame) -> set[int]:
    return {position for position, blank in enumerate(blank_mask(frame).tolist()) if blank}


def _cells(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[str]]:
    """Stripped text of each column (empty for a column the frame lacks), for fast row-wise checks."""
    empty = [""] * len(frame)
    return {c: frame[c].fillna("").astype(str).str.strip().tolist() if c in frame.columns else empty for c in columns}


def _file_problems(frame: pd.DataFrame, required: list[str], known: list[str], file: str,
                   noun: str) -> tuple[list[Problem], set[int] | None]:
    """Problems with the file as a whole, and the positions of its blank rows; None instead of the blank rows when
    no row can be checked (a required column is missing, or every row is blank)."""
    problems = _missing_columns(frame, required, file) + _extra_columns(frame, known, file)
    if any(p.row is None and p.severity == "error" for p in problems):
        return problems, None
    blank = _blank_rows(frame)
    if len(frame) == len(blank):
        return problems + [Problem(file, None, None, f"no {noun}: the file has a header but no rows")], None
    return problems, blank


def validate_records(
    records: pd.DataFrame, codebook: Codebook, event_ids: set[str], file: str = "recommendations.csv",
    known_ids: set[str] = frozenset(),
) -> list[Problem]:
    """Every problem in a records frame (all cells str). ``known_ids`` are ids already loaded, e.g. the shipped
    records when validating an upload: a clash with them is a duplicate, and a parent_id may point at them.
    Rows with every cell blank are skipped; row numbers still count them, as a spreadsheet does."""
    problems, blank = _file_problems(records, REQUIRED_RECORD_COLUMNS, RECORD_COLUMNS, file, "records")
    if blank is None:
        return problems

    cells = _cells(records, RECORD_COLUMNS)
    allowed = {vocabulary: set(codebook.values(vocabulary)) for vocabulary in codebook.vocabularies}
    expected = {vocabulary: _allowed(codebook, vocabulary) for vocabulary in codebook.vocabularies}
    ids = [rid for position, rid in enumerate(cells["id"]) if position not in blank]
    id_counts = pd.Series(ids, dtype=str).value_counts().to_dict()
    all_ids = set(ids) | set(known_ids)
    event_ids = set(event_ids)
    for position in range(len(records)):
        if position in blank:
            continue
        line = position + 2

        def cell(column: str) -> str:
            return cells[column][position]

        rid = cell("id")

        def add(column: str, message: str, severity: str = "error") -> None:
            problems.append(Problem(file, line, column, message, rid, severity))

        if not rid:
            add("id", "id is empty; expected a unique id such as kampala-2007-gen-a")
        elif not _ID_RE.match(rid):
            add("id", f"id '{rid[:60]}' is not valid; expected letters, digits, '.', '_', ':' or '-', no spaces, at most 100 characters")
        elif id_counts.get(rid, 0) > 1:
            add("id", f"duplicate id '{rid}' (appears {id_counts[rid]} times); ids must be unique")
        elif rid in known_ids:
            add("id", f"duplicate id '{rid}': a record with this id is already loaded, with other content; "
                "give this record a new id")

        event = cell("event_id")
        if not event:
            add("event_id", "event_id is empty; expected an event id from events.csv")
        elif event not in event_ids:
            add("event_id", f"unknown event '{event[:60]}'; expected an event id from events.csv or the uploaded events")

        text = cell("text")
        if not text:
            add("text", "text is empty; expected the recommendation's verbatim wording")
        elif len(text) > MAX_TEXT_CHARS:
            add("text", f"text has {len(text):,} characters; at most {MAX_TEXT_CHARS:,} are accepted")

        parent = cell("parent_id")
        if parent and parent == rid:
            add("parent_id", "a record cannot be its own parent")
        elif parent and parent not in all_ids:
            add("parent_id", f"parent '{parent[:60]}' does not exist; expected the id of another record")

        for column, vocabulary in SINGLE_VOCAB_COLUMNS.items():
            value = cell(column)
            if value and value not in allowed.get(vocabulary, ()):
                add(column, f"unknown {column} '{value[:60]}'; expected one of {expected[vocabulary]}")

        themes = split_multi(cell("themes"))
        if not themes:
            add("themes", f"no theme; expected at least one of {expected['themes']}")
        for column, vocabulary in MULTI_VOCAB_COLUMNS.items():
            values = split_multi(cell(column))
            for value in values:
                if value not in allowed.get(vocabulary, ()):
                    hint = " (separate values with '; ')" if "," in value else ""
                    add(column, f"unknown {vocabulary} value '{value[:60]}'{hint}; expected {expected[vocabulary]}")
            if len(values) != len(set(values)):
                add(column, "a value is repeated; list each value once", "warning")

        primary = cell("primary_theme")
        if themes and not primary:
            add("primary_theme", "primary_theme is empty; expected one of this record's themes")
        elif primary and themes and primary not in themes:
            add("primary_theme", f"primary_theme '{primary[:60]}' is not among this record's themes ({'; '.join(themes)})")
    return problems


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validate_events(events: pd.DataFrame, file: str = "events.csv", known_ids: set[str] = frozenset()) -> list[Problem]:
    """Every problem in an events frame. ``known_ids`` are event ids already loaded: a clash is a duplicate."""
    problems, blank = _file_problems(events, REQUIRED_EVENT_COLUMNS, EVENT_COLUMNS, file, "events")
    if blank is None:
        return problems
    counts = events["event_id"].fillna("").astype(str).str.strip().value_counts()
    for position, (_, row) in enumerate(events.fillna("").astype(str).iterrows()):
        if position in blank:
            continue
        line = position + 2
        eid = str(row["event_id"]).strip()

        def add(column: str, message: str) -> None:
            problems.append(Problem(file, line, column, message, eid))

        if not eid:
            add("event_id", "event_id is empty; expected a unique id such as kampala-2007")
        elif not _ID_RE.match(eid):
            add("event_id", f"event_id '{eid[:60]}' is not valid; expected letters, digits, '.', '_', ':' or '-', no spaces")
        elif counts[eid] > 1:
            add("event_id", f"duplicate event_id '{eid}'; ids must be unique")
        elif eid in known_ids:
            add("event_id", f"duplicate event_id '{eid}': an event with this id is already loaded")
        if not str(row["short_name"]).strip():
            add("short_name", "short_name is empty; expected the name charts show, e.g. Kampala")
        start = end = None
        for column in ("start_date", "end_date"):
            value = str(row.get(column, "")).strip()
            if value:
                parsed = _parse_date(value)
                if parsed is None:
                    add(column, f"'{value[:40]}' is not a date; expected YYYY-MM-DD, or empty when the source does not state it")
                elif column == "start_date":
                    start = parsed
                else:
                    end = parsed
        if start and end and end < start:
            add("end_date", f"end_date {end} is before start_date {start}")
        coords = {c: str(row.get(c, "")).strip() for c in ("latitude", "longitude")}
        if bool(coords["latitude"]) != bool(coords["longitude"]):
            add("latitude", "latitude and longitude must both be given or both be empty")
        for column, bound in (("latitude", 90), ("longitude", 180)):
            value = coords[column]
            if not value:
                continue
            try:
                number = float(value)
            except ValueError:
                number = None
            if number is None or not -bound <= number <= bound:
                add(column, f"'{value[:40]}' is not a {column}; expected a number from -{bound} to {bound}")
        flag = str(row.get("in_annex_ii", "")).strip()
        if flag not in ("", "yes", "no"):
            add("in_annex_ii", f"'{flag[:40]}' is not allowed; expected yes or no")
    return problems
