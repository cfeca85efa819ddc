"""`python -m gift_dash validate`: exit 0 valid, 1 with problems named by row/column/value, 2 unreadable; no traceback."""

import subprocess
import sys

import pandas as pd
import pytest

from gift_dash.cli import main
from gift_dash.data import DATA_DIR

SHIPPED = DATA_DIR / "recommendations.csv"


@pytest.fixture
def shipped_copy():
    return pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)


def write(frame, tmp_path, name="records.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_shipped_data_is_valid(capsys):
    assert main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_a_copy_of_the_shipped_file_is_valid_on_its_own_path(tmp_path, shipped_copy, capsys):
    # Rows identical to shipped records are the same records, not clashes of ids (the page skips them too).
    assert main(["validate", str(write(shipped_copy, tmp_path))]) == 0
    assert "132 row(s) are identical to records already in the shipped data" in capsys.readouterr().out


def test_a_changed_record_under_a_shipped_id_clashes(tmp_path, shipped_copy, capsys):
    shipped_copy.loc[0, "text"] = "Something else entirely"
    assert main(["validate", str(write(shipped_copy, tmp_path))]) == 1
    out = capsys.readouterr().out
    assert (
        "row 2 (id kampala-2007-gen-a), column id: duplicate id 'kampala-2007-gen-a': a record with this id is already loaded"
        in out
    )
    assert "131 row(s) are identical" in out


def test_duplicate_id_is_rejected_naming_the_id_and_rows(tmp_path, shipped_copy, capsys):
    shipped_copy.loc[5, "id"] = shipped_copy.loc[4, "id"]
    assert main(["validate", str(write(shipped_copy, tmp_path))]) == 1
    out = capsys.readouterr().out
    duplicate = shipped_copy.loc[4, "id"]
    assert f"row 6 (id {duplicate}), column id: duplicate id '{duplicate}'" in out
    assert f"row 7 (id {duplicate}), column id: duplicate id" in out


def test_unknown_theme_is_rejected_naming_the_value_and_row(tmp_path, shipped_copy, capsys):
    shipped_copy.loc[10, "themes"] = "prevention; preventon"
    assert main(["validate", str(write(shipped_copy, tmp_path))]) == 1
    out = capsys.readouterr().out
    assert "row 12 (id kampala-2007-gen-h-i), column themes" in out
    assert "'preventon'" in out and "prevention, protection, prosecution, cooperation" in out


@pytest.mark.parametrize(
    "column,value,expected",
    [
        ("event_id", "atlantis-2007", "unknown event 'atlantis-2007'"),
        ("parent_id", "no-such-record", "parent 'no-such-record' does not exist"),
        ("text", "", "text is empty"),
        ("themes", "", "no theme"),
        ("primary_theme", "protection", "not among this record's themes"),
        ("topics", "awareness_raising, education", "separate values with '; '"),
        ("record_type", "wish", "unknown record_type 'wish'"),
    ],
)
def test_each_kind_of_problem_names_row_column_and_expectation(tmp_path, shipped_copy, capsys, column, value, expected):
    shipped_copy.loc[0, column] = value
    assert main(["validate", str(write(shipped_copy, tmp_path))]) == 1
    out = capsys.readouterr().out
    assert f"row 2 (id kampala-2007-gen-a), column {column}" in out
    assert expected in out


def test_missing_required_column_is_a_file_level_problem(tmp_path, shipped_copy, capsys):
    assert main(["validate", str(write(shipped_copy.drop(columns=["text"]), tmp_path))]) == 1
    assert "required column 'text' is missing" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\x00\x01\x02garbage\x00", "binary data"),
    ],
)
def test_unreadable_input_exits_2_with_a_reason(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_as_a_subprocess_there_is_never_a_traceback(tmp_path, shipped_copy):
    shipped_copy.loc[3, "themes"] = "=cmd|' /C calc'!A0"
    path = write(shipped_copy, tmp_path)
    result = subprocess.run([sys.executable, "-m", "gift_dash", "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "row 5 (id kampala-2007-gen-d), column themes" in result.stdout


def test_validation_never_writes_the_shipped_files(tmp_path, shipped_copy):
    before = {p.name: p.read_bytes() for p in DATA_DIR.glob("*.csv")}
    shipped_copy.loc[0, "id"] = shipped_copy.loc[1, "id"]
    main(["validate", str(write(shipped_copy, tmp_path))])
    assert {p.name: p.read_bytes() for p in DATA_DIR.glob("*.csv")} == before
