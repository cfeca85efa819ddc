"""Every file of the data folder goes through the one reader (data.read_table), the codebook, its rules, its change
lists and the TA needs included: a blank line is skipped and still counted in row numbers, a file saved by a
spreadsheet in another encoding or dialect reads the same, and a damaged file is a message naming the file (and its
row and column where it has one), never a traceback."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR, ShippedDataError, check_shipped, load_dataset, read_table

SHIPPED = load_dataset(DATA_DIR)
READ_BY_PANDAS_BEFORE = ["codebook.csv", "codebook_rules.csv", "changes/v2.csv", "ta_needs.csv"]


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _write_with_blank_line_after_header(frame: pd.DataFrame, path) -> None:
    header, rest = frame.to_csv(index=False).split("\n", 1)
    path.write_text(f"{header}\n\n{rest}\n", encoding="utf-8")


def _codebook_frames(dataset) -> list[pd.DataFrame]:
    return [dataset.codebook.entries, dataset.codebook.rules.table, dataset.codebook.changes, dataset.ta_needs]


def test_blank_lines_in_the_codebook_its_rules_changes_and_ta_needs_change_nothing(folder):
    for name in READ_BY_PANDAS_BEFORE:
        _write_with_blank_line_after_header(read_table(DATA_DIR / name), folder / name)
    assert check_shipped(folder) == []
    for loaded, shipped in zip(_codebook_frames(load_dataset(folder)), _codebook_frames(SHIPPED), strict=True):
        pd.testing.assert_frame_equal(loaded, shipped)


def test_a_codebook_saved_as_unicode_text_reads_as_the_shipped_one(folder):
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated. pandas' UTF-8 reading refused it.
    (folder / "codebook.csv").write_bytes(
        read_table(DATA_DIR / "codebook.csv").to_csv(index=False, sep="\t").encode("utf-16")
    )
    pd.testing.assert_frame_equal(load_dataset(folder).codebook.entries, SHIPPED.codebook.entries)


def test_a_bad_percentage_below_a_blank_line_is_named_at_its_spreadsheet_row(folder):
    (folder / "ta_needs.csv").write_text("ta_area,label_as_stated,percentage\nx,X,50\n\ny,Y,lots\n")
    assert [str(p) for p in check_shipped(folder)] == [
        "ta_needs.csv, row 4, column percentage: 'lots' is not a percentage; expected a number between 0 and 100"
    ]


def test_an_unknown_rule_kind_below_a_blank_line_is_named_at_its_spreadsheet_row(folder):
    rules = read_table(DATA_DIR / "codebook_rules.csv")
    rules.loc[1, "kind"] = "implys"
    _write_with_blank_line_after_header(rules, folder / "codebook_rules.csv")
    (problem,) = check_shipped(folder)
    assert problem.file == "codebook.csv"
    assert "codebook_rules.csv: row 4, column kind: 'implys' is not one of guideline, implies" in problem.message


def test_a_change_list_without_its_columns_is_a_message(folder):
    (folder / "changes" / "v2.csv").write_text("record,field\nx,themes\n")
    with pytest.raises(ShippedDataError) as caught:
        load_dataset(folder)
    assert "changes/v2.csv: change list lacks columns before, after, rule" in str(caught.value)


def test_a_codebook_that_is_an_image_is_named_as_such(folder):
    (folder / "codebook.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert [str(p) for p in check_shipped(folder)] == [
        "codebook.csv: this is a PNG image, not a table; expected a CSV text file or an .xlsx workbook"
    ]


@pytest.mark.parametrize("name", ["recommendations.csv", "events.csv", "workplan.csv", "responses.csv"])
def test_a_blank_line_in_a_data_file_is_not_a_record_and_is_not_counted(folder, name):
    # Blank lines and lines of commas only, as a spreadsheet leaves them: the validators skip them, and the
    # dataset must not hold them either (an empty record would add one to every count).
    lines = (DATA_DIR / name).read_text(encoding="utf-8").split("\n")
    lines[3:3] = ["", "," * (lines[0].count(","))]
    (folder / name).write_text("\n".join(lines), encoding="utf-8")
    assert check_shipped(folder) == []
    loaded, shipped = load_dataset(folder), SHIPPED
    for frame in ("records", "events", "workplan", "responses"):
        pd.testing.assert_frame_equal(getattr(loaded, frame), getattr(shipped, frame))


def test_the_dataset_version_changes_with_any_of_its_tables():
    # The app's caches (response links, page figures) are keyed by the version: one file changed, the records
    # alone kept, must not serve the old figures.
    from dataclasses import replace

    changed = SHIPPED.workplan.copy()
    changed.loc[0, "title"] += " (revised)"
    events = SHIPPED.events.copy()
    events.loc[0, "city"] = "Elsewhere"
    versions = {
        SHIPPED.version,
        replace(SHIPPED, workplan=changed).version,
        replace(SHIPPED, events=events).version,
        replace(SHIPPED, responses=SHIPPED.responses.iloc[1:]).version,
    }
    assert len(versions) == 4
    assert load_dataset(DATA_DIR).version == SHIPPED.version  # the same files, the same version


# ------------------------------------------------------------------------------------------- refusal messages, whole


def test_each_bad_response_link_is_named_in_full():
    """Every message written out by hand: file, spreadsheet row, record id, column, what was expected. The unknown
    record id and the activity id are 70 characters, cut at 60 in the message."""
    from gift_dash.schema import validate_responses

    long_id = "x" * 70
    bad = pd.DataFrame(
        [
            {"record_id": long_id, "activity_id": "p" * 70, "strength": "explicit", "basis": "shared words"},
            {"record_id": "kampala-2007-gen-e", "activity_id": "p4-a3-e", "strength": "explicit", "basis": "a"},
        ]
    )
    records = set(SHIPPED.records["id"])
    checked = validate_responses(bad, SHIPPED.codebook, records, SHIPPED.workplan)
    assert [p.severity for p in checked.problems] == ["error", "error"]  # errors, not warnings: the row is refused
    problems = [str(p) for p in checked.problems]
    assert problems == [
        f"responses.csv, row 2 (id {long_id}), column record_id: unknown record '{'x' * 60}'; expected an id from "
        "recommendations.csv",
        f"responses.csv, row 2 (id {long_id}), column activity_id: '{'p' * 60}' is not an activity or lettered sub-item of "
        "workplan.csv; expected an id such as p4-a3 or p4-a3-e",
    ]
    # Another file name; a file with the columns but only a blank row, named as response links.
    named = validate_responses(bad.iloc[:1], SHIPPED.codebook, records, SHIPPED.workplan, file="links.xlsx")
    assert str(named.problems[0]).startswith("links.xlsx, row 2")
    blank = pd.DataFrame([{"record_id": "", "activity_id": "", "strength": "", "basis": ""}])
    empty = validate_responses(blank, SHIPPED.codebook, records, SHIPPED.workplan).problems
    assert [str(p) for p in empty] == ["responses.csv: no response links: the file has a header but no rows"]


def test_a_warning_says_so_before_its_message():
    from gift_dash.schema import Problem

    # a kept row's warning, as the Add records page prints it (written out by hand)
    warning = Problem("upload", 2, "ta_areas", "column not coded", "my-1", "warning")
    assert str(warning) == "upload, row 2 (id my-1), column ta_areas: warning: column not coded"
    assert (
        str(Problem("upload", 2, "ta_areas", "bad value", "my-1"))
        == "upload, row 2 (id my-1), column ta_areas: bad value"
    )


def test_a_repeated_phrase_in_the_lexicon_is_a_warning_not_an_error():
    from gift_dash.schema import validate_lexicon

    lexicon = pd.read_csv(DATA_DIR / "lexicon.csv", dtype=str, keep_default_na=False)
    lexicon.loc[0, "phrases"] = "train; train; " + lexicon.loc[0, "phrases"]  # row 2 of the file: awareness
    problems = validate_lexicon(lexicon).problems
    assert [(str(p), p.severity) for p in problems] == [
        (
            "lexicon.csv, row 2 (id awareness), column phrases: warning: phrase(s) train repeated; list each phrase once",
            "warning",
        )
    ]
