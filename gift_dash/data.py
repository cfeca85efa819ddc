"""Reading CSV/XLSX files of any common encoding and dialect, and loading the codebook and the validated dataset."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path

import pandas as pd

# DATA_DIR, MAX_FILE_BYTES, ReadError and data_dir live in safe_io (file access in one place) and are used from here.
from gift_dash.safe_io import DATA_DIR, MAX_FILE_BYTES, ReadError, data_dir, read_bytes, too_big  # noqa: F401
from gift_dash.schema import (
    CHANGE_COLUMNS,
    CODEBOOK_COLUMNS,
    EVENT_COLUMNS,
    LEXICON_COLUMNS,
    LEXICON_FILE,
    NO_RULES,
    OPTIONAL_CODEBOOK_COLUMNS,
    RECORD_COLUMNS,
    RESPONSE_COLUMNS,
    RULE_COLUMNS,
    RULE_KINDS,
    RULES_FILE,
    WORKPLAN_COLUMNS,
    Codebook,
    Problem,
    Rules,
    Sheet,
    sheet_row,
    validate_events,
    validate_lexicon,
    validate_records,
    validate_responses,
    validate_workplan,
)

SOURCE_DOCUMENT = DATA_DIR / "source" / "ungift-work-programme-2008.txt"
DOCUMENT_TITLE = (
    "Work programme of the Global Initiative to Fight Human Trafficking (UN.GIFT), United Nations, May 2008"
)

MAX_ROWS = 100_000

_XLSX_MAGIC = b"PK\x03\x04"
_MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES
# A cell may be as long as the file; the csv module's default limit (128 KiB) would call a long cell malformed.
csv.field_size_limit(MAX_FILE_BYTES)
_KNOWN_BINARY = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
}


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{name}: starts like UTF-8 but is not valid UTF-8 (byte {exc.start + 3}); save it again as CSV UTF-8"
            ) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"{name}: starts like UTF-16 but is not valid UTF-16 ({exc.reason})") from None
    head = raw[:4096]
    if b"\x00" in head:
        # UTF-16 saved without a byte-order mark: text in Latin script has a NUL in every other byte.
        for encoding, nuls in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if nuls.count(0) >= 0.9 * len(nuls):
                try:
                    return raw.decode(encoding)
                except UnicodeDecodeError:
                    break
        raise ReadError(f"{name}: contains binary data (NUL bytes); expected a CSV text file or an .xlsx workbook")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so it is the last resort; cp1252 first for Windows "smart quotes".
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_binary(text: str, name: str) -> None:
    """Binary junk decodes as Latin-1 without error; in real text control characters are rare."""
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise ReadError(f"{name}: looks like binary data, not text; expected a CSV text file or an .xlsx workbook")


# A header with none of the delimiters names one column: its cells must not be split at a comma they contain.
# NUL is no text character, so as a "delimiter" it splits nothing (a stray NUL makes its line one cell too many).
_ONE_COLUMN = "\x00"


def _sniff_delimiter(text: str) -> str:
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else _ONE_COLUMN


def read_table(source: Path | bytes, name: str | None = None) -> pd.DataFrame:
    """A frame of strings (no NaN, whitespace kept) from CSV or XLSX bytes or a path.

    Encodings: UTF-8 with or without BOM, UTF-16 with or without BOM, cp1252/Latin-1. Delimiters: comma,
    semicolon, tab. Row i of the frame is row ``sheet_row(i)`` of a spreadsheet: blank lines are kept as blank
    rows (validators skip them) so that row numbers in messages match what a person sees.
    Raises ReadError, and nothing else, for anything that is not a readable table.
    """
    if isinstance(source, (str, Path)):
        name = name or str(source)
        raw = read_bytes(source, MAX_FILE_BYTES, name)  # regular files only, never more than the limit
    else:
        raw = bytes(source)
        name = name or "upload"
    if len(raw) > MAX_FILE_BYTES:
        raise ReadError(too_big(name, len(raw), MAX_FILE_BYTES))
    if not raw.strip():
        raise ReadError(f"{name}: the file is empty; expected a header row and at least one record")
    for magic, what in _KNOWN_BINARY.items():
        if raw.startswith(magic):
            raise ReadError(f"{name}: this is {what}, not a table; expected a CSV text file or an .xlsx workbook")
    header, rows = _read_xlsx(raw, name) if raw.startswith(_XLSX_MAGIC) else _read_csv(raw, name)
    return _frame(header, rows, name)


def _frame(header: list[str], rows: list[list[str]], name: str) -> pd.DataFrame:
    columns = [str(c).strip() for c in header]
    if not any(columns):
        raise ReadError(f"{name}: the header row is empty; expected column names on the first line")
    columns = [c or f"(column {i + 1} has no name)" for i, c in enumerate(columns)]
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise ReadError(f"{name}: the header names column '{column[:60]}' twice; each column name must appear once")
        seen.add(column)
    return pd.DataFrame(rows, columns=columns, dtype=str)


def _fit_row(cells: list[str], width: int, line: int, name: str, strict: bool) -> list[str]:
    """Pad short rows (spreadsheets drop trailing empty cells). A CSV row longer than the header (``strict``) is
    refused even when its extra cells are empty: an unquoted delimiter inside a value has shifted its cells.
    A worksheet row may run on in empty formatted cells."""
    if len(cells) > width:
        if strict or any(c.strip() for c in cells[width:]):
            raise ReadError(
                f"{name}: line {line} has {len(cells)} cells but the header has {width}; "
                "a value that contains the delimiter must be enclosed in double quotes"
            )
        return cells[:width]
    return cells + [""] * (width - len(cells))


def _too_many_rows(name: str) -> ReadError:
    return ReadError(f"{name}: more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} rows are accepted")


def _read_xlsx(raw: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """The first sheet of a workbook, every cell as text (dates as YYYY-MM-DD, formulas as written)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise ReadError(
                    f"{name}: a ZIP archive, not an .xlsx workbook; expected a CSV text file or an .xlsx workbook"
                )
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > _MAX_UNPACKED_BYTES:  # a "zip bomb" would exhaust memory while loading
            raise ReadError(
                f"{name}: the workbook unpacks to {unpacked / 2**20:.0f} MiB; "
                f"at most {_MAX_UNPACKED_BYTES // 2**20} MiB is accepted"
            )
        # data_only=False: a formula cell reads as its formula text ("=1+1"), as the same cell of a CSV would;
        # its cached value may be missing (files written by tools) and nothing here ever computes it.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        try:
            lines = workbook.worksheets[0].iter_rows(values_only=True)
            header = [_cell_text(v) for v in next(lines, ())]
            while header and not header[-1].strip():
                header.pop()
            rows = []
            for values in lines:
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(name)
                cells = [_cell_text(v) for v in values]
                rows.append(_fit_row(cells, len(header), sheet_row(len(rows)), name, strict=False))
        finally:
            workbook.close()
    except ReadError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for damaged workbooks
        raise ReadError(f"{name}: the workbook cannot be read ({type(exc).__name__}: {str(exc)[:120]})") from None
    while rows and not any(c.strip() for c in rows[-1]):  # formatting often extends a sheet past its data
        rows.pop()
    return header, rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(raw: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    text = _decode(raw, name)
    _refuse_binary(text, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True)
    rows: list[list[str]] = []
    row_start = 1
    try:
        header = next(reader, [])
        if not any(c.strip() for c in header):
            raise ReadError(f"{name}: the first line is empty; expected column names on the first line")
        row_start = reader.line_num + 1
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(name)
            rows.append(_fit_row(cells, len(header), row_start, name, strict=True))
            row_start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise ReadError(
                f"{name}: not a well-formed CSV: a double quote opened in the row starting on line "
                f"{row_start} is never closed; check for an unbalanced double quote"
            ) from None
        raise ReadError(
            f"{name}: not a well-formed CSV at line {reader.line_num} ({exc}); a double quote inside "
            'a quoted value must be doubled ("")'
        ) from None
    return header, rows


def _read_rows(path: Path) -> pd.DataFrame:
    """The rows of a data file that are not blank, read as every table is (``read_table``); the index keeps each
    row's position, so ``sheet_row(index)`` is the row a person sees in messages."""
    frame = read_table(path)
    return frame[~Sheet.of(frame).blank]


def load_rules(path: Path) -> Rules:
    frame = _read_rows(path)
    missing = [c for c in RULE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: rules file lacks columns {', '.join(missing)}")
    for position, kind in zip(frame.index.tolist(), frame["kind"], strict=True):
        if kind not in RULE_KINDS:
            raise ValueError(
                f"{path}: row {sheet_row(position)}, column kind: '{kind}' is not one of {', '.join(RULE_KINDS)}"
            )
    return Rules(frame[RULE_COLUMNS].reset_index(drop=True))


def load_codebook(path: Path) -> Codebook:
    """The codebook and, when the folder has one, its rules file and its change lists."""
    frame = _read_rows(path)
    missing = [c for c in CODEBOOK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: codebook lacks columns {', '.join(missing)}")
    dupes = frame[frame.duplicated(["vocabulary", "value"], keep=False)]
    if len(dupes):
        raise ValueError(
            f"{path}: codebook repeats {', '.join(sorted(set(dupes['vocabulary'] + ':' + dupes['value'])))}"
        )
    for column in OPTIONAL_CODEBOOK_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    rules_path = path.parent / RULES_FILE
    rules = load_rules(rules_path) if rules_path.exists() else NO_RULES
    entries = frame[CODEBOOK_COLUMNS + OPTIONAL_CODEBOOK_COLUMNS].reset_index(drop=True)
    return Codebook(entries, rules, load_changes(path.parent))


def load_lexicon(path: Path) -> pd.DataFrame:
    """The concept lexicon's rows (schema.LEXICON_COLUMNS), read as every table is. Raises ShippedDataError with
    the problems when it has an error, so search and similarity never apply a damaged lexicon."""
    sheet = Sheet.of(read_table(path, path.name))
    errors = [p for p in validate_lexicon(sheet, path.name).problems if p.severity == "error"]
    if errors:
        raise ShippedDataError(path.parent, errors)
    return _rows_of(sheet, LEXICON_COLUMNS)


def _version_key(path: Path) -> tuple[int, ...]:
    """'v2.1' -> (2, 1): versions compare by number, so v2.1 comes after v2 and v10 after v9."""
    return tuple(int(n) for n in re.findall(r"\d+", path.stem))


def load_changes(data_dir: Path) -> pd.DataFrame:
    """Every change list in data_dir/changes/, newest version first; empty when there is none."""
    frames = []
    for path in sorted((data_dir / "changes").glob("*.csv"), key=_version_key, reverse=True):
        frame = _read_rows(path).assign(version=path.stem)
        if "why" not in frame.columns:  # lists before codebook v3 give the rule only
            frame["why"] = ""
        missing = [c for c in CHANGE_COLUMNS if c not in frame.columns]
        if missing:  # a KeyError in the concat below would be a traceback instead of a message
            raise ValueError(f"{path}: change list lacks columns {', '.join(missing)}")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[CHANGE_COLUMNS] if frames else pd.DataFrame(columns=CHANGE_COLUMNS)


@dataclass(frozen=True)
class Dataset:
    """The loaded data. Frames are read-only by convention: filter into copies, never mutate."""

    records: pd.DataFrame
    events: pd.DataFrame
    codebook: Codebook
    ta_needs: pd.DataFrame
    # The annex I workplan and the links from records to the activities that respond to them.
    workplan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WORKPLAN_COLUMNS, dtype=str))
    responses: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESPONSE_COLUMNS, dtype=str))

    @cached_property
    def version(self) -> str:
        """A short fingerprint of the data, recorded in exports so a reader knows which data they came from, and
        the key of the app's caches. Every table counts, not only the records: a cache keyed by it (the response
        links, a page's figures) must not serve another workplan, events file or codebook. Hashed once per Dataset
        (about 10 ms at 20,000 records)."""
        digest = hashlib.sha256()
        for frame in (self.records, self.events, self.workplan, self.responses, self.codebook.entries):
            digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
        return digest.hexdigest()[:12]


SHOWN_PROBLEMS = 20  # in a ShippedDataError's message; `python -m gift_dash validate` lists every one


class ShippedDataError(Exception):
    """The files of the data folder cannot be used. ``problems`` says which file, row and column is wrong and what
    was expected; ``str()`` is the message for a person (the first SHOWN_PROBLEMS of them)."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        self.folder = folder
        self.problems = [p for p in problems if p.severity == "error"]
        super().__init__(folder, self.problems)

    def __str__(self) -> str:
        lines = [f"the data in {self.folder} cannot be used: {len(self.problems)} problem(s) in its files"]
        lines += [f"  {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS} more")
        lines.append(
            "Restore the files from the release (or from version control) and check them with: "
            "python -m gift_dash validate"
        )
        return "\n".join(lines)


TA_NEEDS_COLUMNS = ["ta_area", "label_as_stated", "percentage"]


def _read_ta_needs(path: Path) -> pd.DataFrame:
    frame = _read_rows(path)
    missing = [c for c in TA_NEEDS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"required column(s) {', '.join(missing)} missing; expected {', '.join(TA_NEEDS_COLUMNS)}")
    return frame


def _ta_needs_checked(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The table with its percentages as numbers (charts and the crosstab compute with them), and a problem for
    each cell that is not a number from 0 to 100, quoted as written."""
    numbers = pd.to_numeric(frame["percentage"], errors="coerce")
    problems = [
        Problem(
            "ta_needs.csv",
            sheet_row(position),
            "percentage",
            f"'{written[:40]}' is not a percentage; expected a number between 0 and 100",
        )
        for position, written, ok in zip(
            frame.index.tolist(), frame["percentage"], numbers.between(0, 100), strict=True
        )
        if not ok
    ]
    return frame.assign(percentage=numbers).reset_index(drop=True), problems


def _read_shipped(folder: Path) -> tuple[Dataset | None, list[Problem]]:
    """The dataset of ``folder`` and every problem of its files; no dataset when a file cannot be read at all."""
    problems: list[Problem] = []

    def read(file_name: str, reader):
        path = folder / file_name
        try:
            return reader(path)
        except (ReadError, ValueError) as exc:  # the loaders raise ValueError for missing columns, repeats
            message = str(exc).removeprefix(f"{path}: ").removeprefix(f"{file_name}: ")
            problems.append(Problem(file_name, None, None, message))
            return None

    codebook = read("codebook.csv", load_codebook)
    events = read("events.csv", lambda path: read_table(path, path.name))
    records = read("recommendations.csv", lambda path: read_table(path, path.name))
    ta_needs = read("ta_needs.csv", _read_ta_needs)
    workplan = read("workplan.csv", lambda path: read_table(path, path.name))
    responses = read("responses.csv", lambda path: read_table(path, path.name))
    if ta_needs is not None:
        ta_needs, ta_needs_problems = _ta_needs_checked(ta_needs)
        problems += ta_needs_problems
    # Each file is normalised once (Sheet.of); its check and the dataset's rows use the same Sheet.
    if events is not None:
        events = Sheet.of(events)
        problems += validate_events(events, "events.csv").problems
    lexicon = read(LEXICON_FILE, lambda path: read_table(path, path.name))
    if lexicon is not None:
        problems += validate_lexicon(lexicon, LEXICON_FILE).problems
    if any(frame is None for frame in (codebook, events, records, ta_needs, workplan, responses, lexicon)):
        return None, problems
    records, workplan, responses = Sheet.of(records), Sheet.of(workplan), Sheet.of(responses)
    event_ids = set(events.text["event_id"]) if "event_id" in events.text.columns else set()
    problems += validate_records(records, codebook, event_ids, "recommendations.csv").problems
    problems += validate_workplan(workplan, codebook, "workplan.csv").problems
    problems += validate_responses(
        responses, codebook, set(records.text.get("id", ())), workplan.text, "responses.csv"
    ).problems
    dataset = Dataset(
        _rows_of(records, RECORD_COLUMNS),
        _rows_of(events, EVENT_COLUMNS),
        codebook,
        ta_needs,
        _rows_of(workplan, WORKPLAN_COLUMNS),
        _rows_of(responses, RESPONSE_COLUMNS),
    )
    return dataset, problems


def _rows_of(sheet: Sheet, columns: list[str]) -> pd.DataFrame:
    """A checked file's rows as the dataset holds them: the blank lines the validators skip are not records (a
    spreadsheet leaves them), so they are not counted either."""
    return with_schema_columns(sheet.text[~sheet.blank.to_numpy()], columns)


def check_shipped(folder: Path | None = None) -> list[Problem]:
    """Every problem of the data folder's files (default ``data_dir()``), each naming file, row and column; empty
    when the data can be used. What ``python -m gift_dash validate`` prints."""
    return _read_shipped(folder or data_dir())[1]


def load_dataset(folder: Path | None = None) -> Dataset:
    """The validated data of ``folder`` (default ``data_dir()``: $GIFT_DATA_DIR or data/).

    Raises ShippedDataError listing the problems when a file cannot be read or has an error, so no command and no
    page ever works on damaged data (the CLI exits 2 with the message; the app shows it instead of the page).
    """
    folder = folder or data_dir()
    dataset, problems = _read_shipped(folder)
    if dataset is None or any(p.severity == "error" for p in problems):
        raise ShippedDataError(folder, problems)
    return dataset


def with_schema_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with every schema column (missing optional ones empty), in schema order."""
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = ""
    return out[columns].reset_index(drop=True)
