"""read_table: one frame of text whatever the encoding or dialect; row i is spreadsheet row i + 2; anything that is
not a readable table is a ReadError naming the file and what was expected."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook

from gift_dash import data
from gift_dash.data import MAX_ROWS, ReadError, read_table

ROWS = [["id", "text"], ["a-1", "Café, “quoted” and naïve"], ["a-2", 'He said "no"; then left']]


def as_csv(rows, sep=",", newline="\n") -> str:
    out = io.StringIO()
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(out, index=False, sep=sep, lineterminator=newline)
    return out.getvalue()


EXPECTED = pd.DataFrame(ROWS[1:], columns=ROWS[0])


@pytest.mark.parametrize(
    "raw",
    [
        as_csv(ROWS).encode("utf-8"),
        b"\xef\xbb\xbf" + as_csv(ROWS).encode("utf-8"),
        as_csv(ROWS).encode("utf-16"),
        as_csv(ROWS).encode("utf-16-le"),
        as_csv(ROWS).encode("utf-16-be"),
        as_csv(ROWS).encode("cp1252"),
        as_csv(ROWS, sep=";").encode("utf-8"),
        as_csv(ROWS, sep="\t").encode("utf-8"),
        as_csv(ROWS, newline="\r\n").encode("utf-8"),
        as_csv(ROWS, newline="\r").encode("utf-8"),
    ],
    ids=["utf8", "bom", "utf16", "utf16le-no-bom", "utf16be-no-bom", "cp1252", "semicolon", "tab", "crlf", "cr"],
)
def test_every_encoding_and_dialect_gives_the_same_frame(raw):
    pd.testing.assert_frame_equal(read_table(raw, "x.csv"), EXPECTED)


def test_latin1_bytes_that_cp1252_lacks_still_decode():
    assert read_table("id,text\n1,\x81 caf\xe9\n".encode("latin-1"))["text"][0] == "\x81 café"


def test_cells_are_text_never_nan_and_short_rows_are_padded():
    frame = read_table(b"id,text,themes\n1\n2,,\n007,0.50,NA\n")
    assert frame.to_dict("list") == {"id": ["1", "2", "007"], "text": ["", "", "0.50"], "themes": ["", "", "NA"]}


def test_blank_lines_are_kept_so_rows_match_the_spreadsheet():
    frame = read_table(b"id,text\na,1\n\nb,2\n")
    assert frame["id"].tolist() == ["a", "", "b"]  # b is on spreadsheet row 4 = position 2 + 2


def test_a_multi_line_cell_is_one_row():
    frame = read_table(b'id,text\na,"line one\nline two"\nb,x\n')
    assert frame["text"].tolist() == ["line one\nline two", "x"]


def test_header_names_are_trimmed_and_unnamed_columns_named():
    assert read_table(b" id ,,text\n1,2,3\n").columns.tolist() == ["id", "(column 2 has no name)", "text"]


def test_a_long_cell_is_read_whole():
    assert len(read_table(b"id,text\n1," + b"x" * 500_000 + b"\n")["text"][0]) == 500_000


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"id,text\n1,2,3\n", "line 2 has 3 cells but the header has 2"),
        (b"id,text\n1,2,\n", "line 2 has 3 cells but the header has 2"),
        (b'id,text\n1,"open\n2,x\n', "row starting on line 2 is never closed"),
        (b'id,text\n1,"a"b"\n', 'must be doubled ("")'),
        (b"id,id\n1,2\n", "names column 'id' twice"),
        (b"\n\nid,text\n", "the first line is empty"),
        (b"\xef\xbb\xbf", "the first line is empty"),
        (b"\xff\xfe\x00", "not valid UTF-16"),
        (b"\xef\xbb\xbfid\xff\n", "not valid UTF-8"),
        (b"GIF89a\x01\x00", "a GIF image"),
        (b"\x1f\x8b\x08\x00", "a gzip archive"),
    ],
)
def test_unreadable_files_say_why(raw, message):
    with pytest.raises(ReadError, match="x.csv: ") as caught:
        read_table(raw, "x.csv")
    assert message in str(caught.value)


def test_too_many_rows_is_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(data, "MAX_ROWS", 3)
    assert len(read_table(b"id\n1\n2\n3\n")) == 3
    with pytest.raises(ReadError, match="at most 3 rows are accepted"):
        read_table(b"id\n1\n2\n3\n4\n")
    assert MAX_ROWS == 100_000


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_bytes(b"id,text\n1,abcdef\n")
    for source in (path, path.read_bytes()):
        with pytest.raises(ReadError, match="at most 0 MiB"):
            read_table(source)


def test_a_missing_path_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="cannot be read"):
        read_table(tmp_path / "nope.csv")


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("second").append(["ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_read_as_a_person_sees_them():
    raw = workbook_bytes(
        [
            ["id", "start_date", "item", "latitude", "text", None],
            ["a", datetime(2007, 6, 19), 3, 0.35, "=1+1", None],
            [None, None, None, None, None, None],
            ["b", date(2008, 2, 13), None, -15.0, "x", None],
            [None] * 6,
        ]
    )
    frame = read_table(raw, "book.xlsx")
    assert frame.columns.tolist() == ["id", "start_date", "item", "latitude", "text"]
    assert frame.to_dict("records") == [
        {"id": "a", "start_date": "2007-06-19", "item": "3", "latitude": "0.35", "text": "=1+1"},
        {"id": "", "start_date": "", "item": "", "latitude": "", "text": ""},
        {"id": "b", "start_date": "2008-02-13", "item": "", "latitude": "-15", "text": "x"},
    ]


def test_a_worksheet_cell_beyond_the_header_is_refused():
    with pytest.raises(ReadError, match="line 2 has 3 cells but the header has 2"):
        read_table(workbook_bytes([["id", "text"], ["a", "b", "stray"]]), "book.xlsx")


def test_a_damaged_workbook_and_a_zip_bomb_are_read_errors(monkeypatch):
    raw = workbook_bytes([["id"], ["a"]])
    with pytest.raises(ReadError, match="the workbook cannot be read"):
        read_table(raw[: len(raw) // 2], "book.xlsx")
    monkeypatch.setattr(data, "_MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ReadError, match="unpacks to"):
        read_table(raw, "book.xlsx")


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/other.xml", "<x/>")
    with pytest.raises(ReadError, match="a ZIP archive, not an .xlsx workbook"):
        read_table(out.getvalue())


def test_a_one_column_file_keeps_commas_in_its_cells():
    assert read_table(b"id\r\nx,y\r\n").values.tolist() == [["x,y"]]
