"""CSV, Excel and JSON exports of records (a view, or the whole dataset) with their scope, safe from formula injection.

Layout of a CSV export (decided for spreadsheet users; see ``CSV_LAYOUT``)::

    # GIFT Recommendations Dashboard,Export of records
    # Scope,"Theme: Protection"
    ...
    # Table starts on line,9
    Record id,Event,...
    kampala-2007-gen-d,Kampala,...

XLSX: a "Records" sheet (header row frozen, filter on) and an "About this export" sheet with the same metadata.
JSON: ``{"metadata": {key: value}, "columns": [heading, ...], "records": [{heading: text}, ...]}``, the same
columns and metadata, text verbatim (no apostrophe: no program runs a JSON string as a formula).
Every cell is neutralised (``neutralise``): the export is the only place text is altered; the app shows it as is.
An .xlsx cannot hold a bare carriage return (XML reads it back as a line feed) nor most control characters,
U+FFFE/U+FFFF or lone surrogates (each replaced by U+FFFD); the CSV keeps every character.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from gift_dash.data import DOCUMENT_TITLE, Dataset
from gift_dash.present import COLUMN_HEADINGS, display_frame
from gift_dash.schema import Codebook

APP_TITLE = "GIFT Recommendations Dashboard"
FORMATS = ("csv", "xlsx", "json")
MIME_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

COLUMN_NOTES = {
    "Record id": "stable id of the record in data/recommendations.csv",
    "Event": "short name of the event the record comes from",
    "List": "the lead-in sentence of the list the item belongs to, as the document words it",
    "Item": "the item's letter in the document; (c)(ii) is sub-item ii of item c",
    "Part of record": "for a sub-item, the id of the item it belongs to",
    "Text (verbatim)": "the wording of the document, unchanged",
    "Citation": "document, part, event, place, dates, list and item",
    "Planned response": "the annex I workplan activities (or lettered sub-items) that respond to the record, each "
    "with its strength (explicit or thematic; rule in the codebook, vocabulary response_strength)",
}

# OWASP CSV injection: a cell starting with one of these runs as a formula (or DDE) in spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISED_NOTE = (
    "Cells that began with = + - @, a tab or a carriage return start with an added apostrophe (') "
    "so that spreadsheet programs show them as text instead of running them as formulas; "
    "the dashboard shows the text without it."
)
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CSV_LAYOUT = (
    # Why a commented header rather than a sidecar file: a sidecar is lost the moment the CSV is e-mailed on
    # its own, while lines at the top travel with the data and are the first thing a person sees in Excel or
    # LibreOffice (each line is a "# key,value" row, so keys and values sit in columns A and B). The price is
    # that naive readers take the first line as the header; the "# Table starts on line" row says how many
    # lines to skip (pandas: skiprows=N-1), and the .xlsx export keeps the metadata on a sheet of its own.
    "metadata rows '# key,value' first, then the header row and the records"
)


def neutralise(value: object) -> str:
    """The cell text as it must be written to a spreadsheet file: formula-leading text gets a leading apostrophe."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_table(
    records: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    columns: Sequence[str] | None = None,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The records as the app shows them (present.display_frame: same headings, labels and "not stated"), with
    every column by default. ``columns`` (keys of COLUMN_HEADINGS) picks and orders them. Text unchanged.
    ``extra`` (columns indexed like ``records``, e.g. follow_up_columns) is added last."""
    keys = tuple(columns) if columns is not None else tuple(COLUMN_HEADINGS)
    unknown = [k for k in keys if k not in COLUMN_HEADINGS]
    if unknown:
        raise ValueError(
            f"unknown export column(s) {', '.join(unknown)}; expected some of {', '.join(COLUMN_HEADINGS)}"
        )
    table = display_frame(records, events, codebook, keys)
    if extra is not None:
        table = table.join(extra)
    return table.reset_index(drop=True)


def follow_up_columns(records: pd.DataFrame, dataset, entries: pd.DataFrame | None = None) -> pd.DataFrame:
    """What was planned and done about each record, indexed like ``records``: the planned response (workplan
    activities answering it) and, given the follow-up store's entries, its status, responsible bodies and
    target date."""
    from gift_dash import response
    from gift_dash.followup import summary

    out = response.planned_response(records, dataset).to_frame()
    if entries is not None:
        done = summary.export_columns(records, entries).set_index(records.index).drop(columns="Record id")
        out = out.join(done)
    return out


def export_metadata(
    *,
    scope: str,
    dataset_version: str,
    n_records: int,
    exported_at: datetime | None = None,
    what: str = "Export of records",
) -> list[tuple[str, str]]:
    """(key, value) pairs that say what an export holds; written above a CSV and on the XLSX "About" sheet."""
    when = (exported_at or datetime.now(UTC)).astimezone(UTC)
    return [
        (APP_TITLE, what),
        ("Scope", scope or "all records"),
        ("Exported (UTC)", when.strftime("%Y-%m-%d %H:%M")),
        ("Dataset version", dataset_version),
        ("Records", str(n_records)),
        ("Source document", DOCUMENT_TITLE),
        ("Formulas", NEUTRALISED_NOTE),
    ]


def csv_bytes(table: pd.DataFrame, metadata: Sequence[tuple[str, str]] = ()) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents right); metadata rows first, see CSV_LAYOUT."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if metadata:
        # One physical line per metadata row, so "Table starts on line" is true for line-based readers too.
        rows = [(f"# {key}", " ".join(str(value).split())) for key, value in metadata]
        rows.append(("# Table starts on line", str(len(rows) + 2)))
        writer.writerows([neutralise(key), neutralise(value)] for key, value in rows)
    writer.writerow([neutralise(c) for c in table.columns])
    writer.writerows([neutralise(v) for v in row] for row in table.itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_text(value: object) -> str:
    # Characters XML 1.0 cannot hold: openpyxl refuses the control characters, and writes U+FFFE/U+FFFF and lone
    # surrogates into a workbook nothing can open. Show that one was there (U+FFFD) rather than fail.
    return XML_ILLEGAL.sub("\ufffd", neutralise(value))


def json_bytes(table: pd.DataFrame, metadata: Sequence[tuple[str, str]]) -> bytes:
    """UTF-8 JSON (see the module's docstring); every cell as the text the table holds, unchanged."""
    about = {key: value for key, value in metadata if key != "Formulas"}  # nothing is neutralised in JSON
    rows = [
        dict(zip(table.columns, ("" if pd.isna(v) else str(v) for v in row), strict=True))
        for row in table.itertuples(index=False, name=None)
    ]
    return json.dumps(
        {"metadata": about, "columns": [str(c) for c in table.columns], "records": rows}, ensure_ascii=False, indent=2
    ).encode("utf-8")


def _write_sheet(sheet, rows: Iterable[Sequence[object]], widths: Sequence[int], header: bool) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # One shared Alignment: openpyxl keeps one copy of it for every cell (public API; copying a cell's private
    # style array was about twice as fast, 0.46 s against 0.87 s CPU per 85,000 cells).
    wrapped = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=_xlsx_text(value))
            cell.data_type = "s"  # text, never a formula, whatever the cell starts with
            cell.alignment = wrapped
    if header:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    if header:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions


def _column_width(heading: str, values: pd.Series) -> int:
    longest = max([len(heading), *values.astype(str).str.len().head(500).tolist()]) if len(values) else len(heading)
    return int(min(max(longest + 2, 10), 80))


def _add_table_sheet(book, title: str, table: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    rows = [list(table.columns), *table.itertuples(index=False, name=None)]
    _write_sheet(sheet, rows, [_column_width(c, table[c]) for c in table.columns], header=True)


def _add_about_sheet(book, metadata: Sequence[tuple[str, str]], notes: dict[str, str]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet("About this export")
    rows = [*metadata, ("", ""), ("Column", "What it holds"), *notes.items()]
    _write_sheet(sheet, rows, [24, 100], header=False)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.cell(row=len(metadata) + 2, column=1).font = Font(bold=True)


def xlsx_bytes(
    sheets: dict[str, pd.DataFrame], metadata: Sequence[tuple[str, str]], notes: dict[str, str] | None = None
) -> bytes:
    """A workbook with one sheet per table (in order) and an "About this export" sheet last."""
    from openpyxl import Workbook  # imported when a workbook is built: openpyxl costs the app's cold start

    book = Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        _add_table_sheet(book, title, table)
    _add_about_sheet(book, metadata, notes or {})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_view(
    records: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    *,
    fmt: str,
    scope: str,
    dataset_version: str,
    columns: Sequence[str] | None = None,
    exported_at: datetime | None = None,
    extra: pd.DataFrame | None = None,
) -> bytes:
    """The bytes of a CSV, XLSX or JSON file holding exactly these records (rows in this order), with their scope;
    ``extra`` as in export_table."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; expected one of {', '.join(FORMATS)}")
    table = export_table(records, events, codebook, columns, extra)
    metadata = export_metadata(
        scope=scope, dataset_version=dataset_version, n_records=len(table), exported_at=exported_at
    )
    if fmt == "csv":
        return csv_bytes(table, metadata)
    if fmt == "json":
        return json_bytes(table, metadata)
    notes = {heading: COLUMN_NOTES.get(heading, "") for heading in table.columns}
    return xlsx_bytes({"Records": table}, metadata, notes)


def export_filename(fmt: str, exported_at: datetime | None = None, stem: str = "gift-records") -> str:
    when = (exported_at or datetime.now(UTC)).astimezone(UTC)
    return f"{stem}-{when:%Y%m%d-%H%M}.{fmt}"


def _dataset_tables(dataset: Dataset) -> dict[str, pd.DataFrame]:
    return {
        "recommendations": dataset.records,
        "events": dataset.events,
        "codebook": dataset.codebook.entries,
        "ta_needs": dataset.ta_needs.astype(str),
    }


def _dataset_metadata(dataset: Dataset, exported_at: datetime | None) -> list[tuple[str, str]]:
    return export_metadata(
        scope="the whole dataset: every record, event and codebook entry",
        dataset_version=dataset.version,
        n_records=len(dataset.records),
        exported_at=exported_at,
        what="Full dataset and codebook",
    )


def dataset_zip(dataset: Dataset, exported_at: datetime | None = None) -> bytes:
    """The whole dataset as the CSV files it is kept in (same columns, so they can be edited and uploaded
    again), plus ABOUT.csv with the metadata. Cells are neutralised like every export."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "ABOUT.csv", csv_bytes(pd.DataFrame(_dataset_metadata(dataset, exported_at), columns=["key", "value"]))
        )
        for name, table in _dataset_tables(dataset).items():
            archive.writestr(f"{name}.csv", csv_bytes(table))
    return out.getvalue()


def dataset_xlsx(dataset: Dataset, exported_at: datetime | None = None) -> bytes:
    """The whole dataset as one workbook: a sheet per file (recommendations, events, codebook, ta_needs)."""
    return xlsx_bytes(_dataset_tables(dataset), _dataset_metadata(dataset, exported_at))
