"""The progress report (report.Report) as files: print-ready HTML through the briefing's templates (and so its PDF),
CSV, JSON and Excel, each saying its period, scope, date and dataset version. Text is escaped in the HTML
(Jinja2 autoescaping) and neutralised in the spreadsheets (export.neutralise); JSON keeps it verbatim."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from gift_dash import export
from gift_dash.briefing import render_template
from gift_dash.followup.report import FIGURE_LABELS, Report

TITLE = "Follow-up progress report"
FORMATS = ("html", "csv", "json", "xlsx")
HTML_ROWS = 200  # per table in the HTML and PDF: a document to read; the data files hold every row
# The transition tables of the document: table name, heading, note.
BY_DIMENSION = (
    ("Transitions by theme", "By theme", "A record with several themes counts under each."),
    ("Transitions by event", "By event", ""),
    ("Transitions by pillar", "Workplan activities, by pillar", "Follow-up entries about workplan activities."),
)


def _when(moment: datetime | None) -> datetime:
    return (moment or datetime.now(UTC)).astimezone(UTC)


def metadata(report: Report, dataset_version: str, generated_at: datetime | None = None) -> list[tuple[str, str]]:
    """(key, value) pairs that say what the file holds: written above the CSV, on the workbook's About sheet and
    in the JSON's metadata."""
    return [
        (export.APP_TITLE, TITLE),
        ("Period", f"{report.period.since} to {report.period.until} (whole days, UTC, both included)"),
        ("Scope", report.scope),
        ("Exported (UTC)", f"{_when(generated_at):%Y-%m-%d %H:%M}"),
        ("Dataset version", dataset_version),
        ("Counted from", "the follow-up store's history of changes (one row per changed field of each save)"),
        ("Formulas", export.NEUTRALISED_NOTE),
    ]


def sentence(report: Report) -> str:
    """in_short as a sentence of its own."""
    text = in_short(report)
    return text[0].upper() + text[1:]


def in_short(report: Report) -> str:
    """The report in one sentence's words ("from 1 March 2008 to …, 2 people saved …")."""
    f = report.figures

    def n(count: int, one: str, many: str) -> str:
        return f"{count:,} {one if count == 1 else many}"

    return (
        f"from {report.period.words}, {n(f['people'], 'person', 'people')} saved {n(f['saves'], 'change', 'changes')} "
        f"({n(f['created'], 'new entry', 'new entries')}); {n(f['transitions'], 'status moved', 'statuses moved')}, "
        f"{n(f['overdue'], 'target', 'targets')} became overdue and {n(f['evidence_lines'], 'line', 'lines')} of "
        "evidence were added."
    )


def table_data(frame: pd.DataFrame, limit: int | None = None) -> dict:
    """A frame as the document's table macro reads it: headings, rows of text, which columns are counts and which
    hold several lines."""
    shown = frame if limit is None else frame.head(limit)
    numeric = [i for i, c in enumerate(frame.columns) if pd.api.types.is_integer_dtype(frame[c])]
    multiline = [i for i, c in enumerate(frame.columns) if c == "Evidence added"]
    rows = [
        ["" if v is None else f"{v:,}" if i in numeric else str(v) for i, v in enumerate(row)]
        for row in shown.itertuples(index=False, name=None)
    ]
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": rows,
        "numeric": numeric,
        "multiline": multiline,
        "more": len(frame) > len(shown),
        "total": len(frame),
    }


def render_html(report: Report, dataset_version: str, generated_at: datetime | None = None) -> str:
    """The report as one self-contained, print-ready HTML document (the briefing's look, loads nothing)."""
    return render_template(
        "progress.html",
        title=TITLE,
        period=report.period.words,
        since=f"{report.period.since.day} {report.period.since:%B %Y}",
        until=f"{report.period.until.day} {report.period.until:%B %Y}",
        scope=report.scope,
        generated=f"{_when(generated_at).day} {_when(generated_at):%B %Y, %H:%M} UTC",
        version=dataset_version,
        figures=[{"label": FIGURE_LABELS[k], "value": f"{v:,}"} for k, v in report.figures.items()],
        in_short=sentence(report),
        tables={name: table_data(frame, HTML_ROWS) for name, frame in report.tables().items()},
        by_dimension=BY_DIMENSION,
    )


def csv_bytes(report: Report, dataset_version: str, generated_at: datetime | None = None) -> bytes:
    """UTF-8 with a byte-order mark: the metadata as '# key,value' rows (as every export), then each table under a
    '# Table,NAME' row, its header and rows, a blank line between tables. Cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(
        [export.neutralise(f"# {k}"), export.neutralise(" ".join(str(v).split()))]
        for k, v in metadata(report, dataset_version, generated_at)
    )
    for name, frame in report.tables().items():
        writer.writerow([])
        writer.writerow(["# Table", export.neutralise(name)])
        writer.writerow([export.neutralise(c) for c in frame.columns])
        writer.writerows([export.neutralise(v) for v in row] for row in frame.itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8-sig")


def json_bytes(report: Report, dataset_version: str, generated_at: datetime | None = None) -> bytes:
    """``{"metadata": {...}, "figures": {label: count}, "tables": {name: [{heading: value}, ...]}}``; text verbatim
    (JSON runs no formula), counts as numbers."""
    about = {k: v for k, v in metadata(report, dataset_version, generated_at) if k != "Formulas"}
    tables = {
        name: [
            dict(zip(map(str, frame.columns), map(_json_value, row), strict=True))
            for row in frame.itertuples(index=False, name=None)
        ]
        for name, frame in report.tables().items()
        if name != "Figures"
    }
    figures = {FIGURE_LABELS[k]: int(v) for k, v in report.figures.items()}
    return json.dumps({"metadata": about, "figures": figures, "tables": tables}, ensure_ascii=False, indent=2).encode(
        "utf-8"
    )


def _json_value(value: object) -> object:
    """Counts as numbers, everything else as its text."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    return "" if value is None else str(value)


def xlsx_bytes(report: Report, dataset_version: str, generated_at: datetime | None = None) -> bytes:
    """A workbook with a sheet per table (Excel's 31-character limit on names is kept) and the About sheet."""
    return export.xlsx_bytes(
        {name[:31]: frame for name, frame in report.tables().items()}, metadata(report, dataset_version, generated_at)
    )


WRITERS = {"html": lambda *a: render_html(*a).encode("utf-8"), "csv": csv_bytes, "json": json_bytes, "xlsx": xlsx_bytes}
MIME_TYPES = {"html": "text/html", **{k: v for k, v in export.MIME_TYPES.items() if k in FORMATS}}


def report_bytes(report: Report, fmt: str, dataset_version: str, generated_at: datetime | None = None) -> bytes:
    if fmt not in WRITERS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return WRITERS[fmt](report, dataset_version, generated_at)


def filename(report: Report, fmt: str) -> str:
    return f"gift-progress-{report.period.since}-to-{report.period.until}.{fmt}"
