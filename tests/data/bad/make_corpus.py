"""The corpus of messy and hostile upload files, generated deterministically.

    .venv/bin/python tests/data/bad/make_corpus.py            # rewrite the small files committed here
    .venv/bin/python tests/data/bad/make_corpus.py --big DIR  # also the large ones (100k rows, > 20 MiB, xlsx) in DIR

expected.csv (beside this script) gives each file's verdict: the exit code of `python -m gift_dash validate FILE`
(0 valid, 1 invalid, 2 unreadable) and a substring its output must contain. The large files are never committed:
tests generate them in a temporary directory.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
HEADER = ["id", "event_id", "record_type", "text", "themes", "primary_theme", "target_groups", "topics"]
GOOD = [
    [
        "test-upload-1",
        "kampala-2007",
        "recommendation",
        "Train border officials to recognise victims of trafficking",
        "protection; prevention",
        "protection",
        "victims",
        "victim_identification",
    ],
    [
        "test-upload-2",
        "vienna-2008",
        "finding",
        "Café owners and naïve travellers — “smart quotes” survive",
        "prevention",
        "prevention",
        "travellers",
        "awareness_raising",
    ],
    [
        "test-upload-3",
        "kampala-2007",
        "recommendation",
        "Strengthen regional cooperation, with partners; and more",
        "cooperation",
        "cooperation",
        "",
        "coordination",
    ],
]
GOOD_ROWS = 100_000  # the "100,000 rows" case (MAX_ROWS): accepted
BIG_CELL_CHARS = 1_000_000


def _csv(rows: list[list[str]], header: list[str] = HEADER, sep: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    pd.DataFrame(rows, columns=header).to_csv(out, index=False, sep=sep, lineterminator=newline)
    return out.getvalue()


def _with(row: int = 0, **cells: str) -> list[list[str]]:
    """The good rows with some cells of one row changed."""
    rows = [list(r) for r in GOOD]
    for column, value in cells.items():
        rows[row][HEADER.index(column)] = value
    return rows


def small_files() -> dict[str, bytes]:
    good = _csv(GOOD)
    zip_bytes = io.BytesIO()
    with zipfile.ZipFile(zip_bytes, "w") as archive:
        archive.writestr(zipfile.ZipInfo("notes.txt", date_time=(2008, 5, 1, 0, 0, 0)), "not a table")
    return {
        "utf8_bom.csv": b"\xef\xbb\xbf" + good.encode("utf-8"),
        "utf16.csv": good.encode("utf-16"),
        "utf16_no_bom.csv": good.encode("utf-16-le"),
        "latin1.csv": good.replace("“", '"').replace("”", '"').replace("—", "-").encode("latin-1"),
        "cp1252.csv": good.encode("cp1252"),
        "semicolon.csv": _csv(GOOD, sep=";").encode(),
        "tab_delimited.csv": _csv(GOOD, sep="\t").encode(),
        "crlf.csv": _csv(GOOD, newline="\r\n").encode(),
        "blank_lines.csv": (good + "\n,,,,,,,\n\n").encode(),
        "empty.csv": b"",
        "whitespace_only.csv": b" \r\n\t\n",
        "header_only.csv": (",".join(HEADER) + "\n").encode(),
        "missing_columns.csv": _csv([r[:3] for r in GOOD], HEADER[:3]).encode(),
        "extra_columns.csv": _csv([r + ["x"] for r in GOOD], HEADER + ["my notes"]).encode(),
        "unbalanced_quotes.csv": (
            good + 'test-upload-4,kampala-2007,recommendation,"Never closed,prevention,'
            "prevention,,\ntest-upload-5,kampala-2007,,x,prevention,prevention,,\n"
        ).encode(),
        "too_many_cells.csv": (
            good + "test-upload-4,kampala-2007,recommendation,Train police, judges,prevention,prevention,,\n"
        ).encode(),
        "duplicate_header.csv": _csv(
            GOOD, ["id", "event_id", "record_type", "text", "themes", "themes", "target_groups", "topics"]
        ).encode(),
        "duplicate_ids.csv": _csv(_with(1, id="test-upload-1")).encode(),
        "shipped_id.csv": _csv(_with(id="kampala-2007-gen-a")).encode(),
        "bad_id.csv": _csv(_with(id="my record 1")).encode(),
        "unknown_vocabulary.csv": _csv(_with(themes="prevention; peace")).encode(),
        "comma_separated_tags.csv": _csv(_with(2, topics="coordination, awareness_raising")).encode(),
        "unknown_record_type.csv": _csv(_with(record_type="wish")).encode(),
        "blank_text.csv": _csv(_with(text="   ")).encode(),
        "missing_themes.csv": _csv(
            _with(1, themes="", primary_theme="", text="Raise awareness among travellers of the risks of trafficking")
        ).encode(),
        "primary_not_in_themes.csv": _csv(_with(primary_theme="prosecution")).encode(),
        "unknown_parent.csv": _csv(
            [r + [p] for r, p in zip(GOOD, ["", "no-such-record", ""], strict=True)], HEADER + ["parent_id"]
        ).encode(),
        "unknown_event.csv": _csv(_with(event_id="atlantis-2007")).encode(),
        "source_column.csv": _csv([r + ["annex-ii"] for r in GOOD], HEADER + ["source"]).encode(),
        "html_script.csv": _csv(
            _with(text='<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> <b>bold</b> &amp;')
        ).encode(),
        "formula_cells.csv": _csv(
            _with(text='=HYPERLINK("http://example.com","click")')
            + [
                [
                    "test-upload-4",
                    "kampala-2007",
                    "recommendation",
                    "+1 more training",
                    "protection",
                    "protection",
                    "",
                    "",
                ],
                [
                    "test-upload-5",
                    "kampala-2007",
                    "recommendation",
                    "@SUM(A1) -2 plus",
                    "prevention",
                    "prevention",
                    "",
                    "",
                ],
            ]
        ).encode(),
        "binary_junk.csv": bytes((i * 37 + 11) % 256 for i in range(4096)),
        "binary_no_nul.csv": bytes(128 + (i * 7) % 128 for i in range(4096)),
        "png_renamed.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
        "zip_renamed.csv": zip_bytes.getvalue(),
        "pdf_renamed.csv": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    }


BIG_NAMES = (
    "rows_100k.csv",
    "rows_100k_plus_one.csv",
    "big_cell.csv",
    "over_limit.csv",
    "records.xlsx",
    "xlsx_renamed.csv",
)


def big_files() -> dict[str, bytes]:
    """The large cases (BIG_NAMES): built in memory, written only to a temporary directory."""
    many = "".join(
        f'test-row-{i},kampala-2007,recommendation,"Train police and prosecutors, case {i}",prosecution,prosecution,,'
        "training_law_enforcement\n"
        for i in range(GOOD_ROWS)
    )
    header = ",".join(HEADER) + "\n"
    one_more = f"test-row-{GOOD_ROWS},kampala-2007,,x,prevention,prevention,,\n"
    workbook = io.BytesIO()
    pd.DataFrame(GOOD, columns=HEADER).to_excel(workbook, index=False, sheet_name="records")
    return {
        "rows_100k.csv": (header + many).encode(),
        "rows_100k_plus_one.csv": (header + many + one_more).encode(),
        "big_cell.csv": _csv(_with(text="a" * BIG_CELL_CHARS)).encode(),
        "over_limit.csv": (header + many * 2).encode(),
        "records.xlsx": workbook.getvalue(),
        "xlsx_renamed.csv": workbook.getvalue(),
    }


def write(directory: Path, files: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)


if __name__ == "__main__":
    write(HERE, small_files())
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        write(Path(sys.argv[2]), big_files())
