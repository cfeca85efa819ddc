"""Reading CSV/XLSX files of any common encoding and dialect, and loading the validated dataset."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gift_dash.schema import (
    EVENT_COLUMNS, RECORD_COLUMNS, Codebook, Problem, load_codebook, validate_events, validate_records,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SOURCE_DOCUMENT = DATA_DIR / "source" / "ungift-work-programme-2008.txt"
DOCUMENT_TITLE = "Work programme of the Global Initiative to Fight Human Trafficking (UN.GIFT), United Nations, May 2008"

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

_XLSX_MAGIC = b"PK\x03\x04"
_KNOWN_BINARY = {b"\x89PNG": "a PNG image", b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive",
                 b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image"}


class ReadError(Exception):
    """The file cannot be read as a table at all; the message says why and what was expected."""


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"{name}: starts like UTF-16 but is not valid UTF-16 ({exc.reason})") from None
    if b"\x00" in raw[:4096]:
        raise ReadError(f"{name}: contains binary data (NUL bytes); expected a CSV text file or an .xlsx workbook")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so it is the last resort; cp1252 first for Windows "smart quotes".
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(source: Path | bytes, name: str | None = None) -> pd.DataFrame:
    """A frame of strings (no NaN, whitespace kept) from CSV or XLSX bytes or a path.

    Encodings: UTF-8 with or without BOM, UTF-16 with BOM, cp1252/Latin-1. Delimiters: comma, semicolon, tab.
    Raises ReadError for anything that is not a readable table.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ReadError(f"{name}: the file is {size / 1e6:.1f} MB; at most {MAX_FILE_BYTES // 2**20} MiB is accepted")
            raw = path.read_bytes()
        except OSError as exc:
            raise ReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    else:
        raw = bytes(source)
        name = name or "upload"
    if len(raw) > MAX_FILE_BYTES:
        raise ReadError(f"{name}: the file is {len(raw) / 1e6:.1f} MB; at most {MAX_FILE_BYTES // 2**20} MiB is accepted")
    if not raw.strip():
        raise ReadError(f"{name}: the file is empty; expected a header row and at least one record")
    for magic, what in _KNOWN_BINARY.items():
        if raw.startswith(magic):
            raise ReadError(f"{name}: this is {what}, not a table; expected a CSV text file or an .xlsx workbook")
    frame = _read_xlsx(raw, name) if raw.startswith(_XLSX_MAGIC) else _read_csv(raw, name)
    if len(frame) > MAX_ROWS:
        raise ReadError(f"{name}: {len(frame):,} rows; at most {MAX_ROWS:,} rows are accepted")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_xlsx(raw: bytes, name: str) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise ReadError(f"{name}: a ZIP archive, not an .xlsx workbook; expected a CSV text file or an .xlsx workbook")
        frame = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl")
    except ReadError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise ReadError(f"{name}: the workbook cannot be read ({type(exc).__name__}: {str(exc)[:120]})") from None
    return frame.fillna("").astype(str)


def _read_csv(raw: bytes, name: str) -> pd.DataFrame:
    text = _decode(raw, name).replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, engine="python",
            quoting=csv.QUOTE_MINIMAL, on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        raise ReadError(f"{name}: no header row; expected column names on the first line") from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ReadError(f"{name}: not a well-formed CSV ({str(exc).strip()[:200]}); check for unbalanced quotes "
                        "or rows with more cells than the header") from None
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed and len(unnamed) == len(frame.columns):
        raise ReadError(f"{name}: the header row is empty; expected column names on the first line")
    return frame


@dataclass(frozen=True)
class Dataset:
    """The loaded data. Frames are read-only by convention: filter into copies, never mutate."""

    records: pd.DataFrame
    events: pd.DataFrame
    codebook: Codebook
    ta_needs: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def version(self) -> str:
        """A short fingerprint of the data, recorded in exports so a reader knows which data they came from."""
        digest = hashlib.sha256(pd.util.hash_pandas_object(self.records, index=False).values.tobytes())
        return digest.hexdigest()[:12]


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Load and validate the shipped files. Problems are returned on the Dataset, not raised, so the app can
    show them; the CLI's ``validate`` turns them into an exit code."""
    codebook = load_codebook(data_dir / "codebook.csv")
    events = read_table(data_dir / "events.csv")
    records = read_table(data_dir / "recommendations.csv")
    ta_needs = pd.read_csv(data_dir / "ta_needs.csv", dtype={"ta_area": str, "label_as_stated": str})
    problems = validate_events(events, "events.csv")
    problems += validate_records(records, codebook, set(events["event_id"]), "recommendations.csv")
    return Dataset(_with_columns(records, RECORD_COLUMNS), _with_columns(events, EVENT_COLUMNS), codebook, ta_needs, problems)


def _with_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with every schema column (missing optional ones empty), in schema order."""
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = ""
    return out[columns].reset_index(drop=True)
