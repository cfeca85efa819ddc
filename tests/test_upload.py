"""Uploads: every file of the bad-file corpus gets its expected verdict from the page's function and from
`python -m gift_dash validate`; valid rows merge as source "uploaded", invalid rows are rejected and listed,
the shipped files are never written; the template validates; suggestions stay suggestions until accepted."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from gift_dash.cli import main
from gift_dash.data import DATA_DIR, MAX_FILE_BYTES, ReadError, load_dataset, read_table
from gift_dash.schema import RECORD_COLUMNS, VOCABULARIES, sheet_row, validate_records
from gift_dash.suggest import accept_suggestions, suggest_tags, suggestions_table
from gift_dash.upload import (
    UPLOADED,
    allowed_values,
    check_files,
    merge_upload,
    template_csv,
    template_frame,
    template_xlsx,
    verdict,
)

BAD_DIR = Path(__file__).resolve().parent / "data" / "bad"
_spec = importlib.util.spec_from_file_location("make_corpus", BAD_DIR / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

EXPECTED = pd.read_csv(BAD_DIR / "expected.csv", dtype=str, keep_default_na=False)
EXPECTED["exit_code"] = EXPECTED["exit_code"].astype(int)
BIG = set(corpus.BIG_NAMES)  # built only in a tmp dir
# A few files through a real subprocess: proves no traceback reaches a terminal, for each kind of verdict.
SUBPROCESS_FILES = ["utf16.csv", "unknown_vocabulary.csv", "png_renamed.csv", "unbalanced_quotes.csv", "over_limit.csv"]


@pytest.fixture(scope="module")
def shipped():
    return load_dataset()


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("big_corpus")
    files = corpus.big_files()
    assert set(files) == BIG
    corpus.write(directory, files)
    return directory


def corpus_path(name, big_dir):
    return (big_dir if name in BIG else BAD_DIR) / name


def test_the_committed_corpus_is_what_the_generator_makes():
    made = corpus.small_files()
    committed = {p.name for p in BAD_DIR.iterdir() if p.name not in ("make_corpus.py", "expected.csv")}
    assert committed == set(made)
    for name, content in made.items():
        assert (BAD_DIR / name).read_bytes() == content, name
    assert set(EXPECTED["file"]) == set(made) | BIG  # every file has a verdict, every verdict a file


def _in_process(path, dataset):
    """The page's verdict: (exit code, every message)."""
    try:
        merge = check_files(dataset, path)
    except ReadError as exc:
        return 2, str(exc)
    return verdict(merge.problems), "\n".join(map(str, merge.problems))


@pytest.mark.parametrize("case", EXPECTED.to_dict("records"), ids=list(EXPECTED["file"]))
def test_verdict_of_the_page_function_and_the_cli_agree_with_the_corpus(case, big_dir, shipped, capsys):
    path = corpus_path(case["file"], big_dir)
    before = {p.name: p.read_bytes() for p in DATA_DIR.glob("*.csv")}

    code, messages = _in_process(path, shipped)
    assert code == case["exit_code"]
    if code:
        assert case["message"] in messages

    assert main(["validate", str(path)]) == case["exit_code"]
    out = capsys.readouterr()
    assert case["message"] in out.out + out.err
    assert "Traceback" not in out.out + out.err
    assert {p.name: p.read_bytes() for p in DATA_DIR.glob("*.csv")} == before


@pytest.mark.parametrize("name", SUBPROCESS_FILES)
def test_the_command_as_a_subprocess(name, big_dir):
    case = EXPECTED.set_index("file").loc[name]
    result = subprocess.run(
        [sys.executable, "-m", "gift_dash", "validate", str(corpus_path(name, big_dir))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == case["exit_code"]
    assert case["message"] in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# ------------------------------------------------------------------------------------------------- merging

GOOD_TA_AREAS = ["victim_protection", "prevention_awareness", "strategic_planning"]


def frame(*rows, **columns):
    """A records frame of the corpus' good rows (or the given ones) with columns overridden."""
    base = pd.DataFrame([list(r) for r in (rows or corpus.GOOD)], columns=corpus.HEADER)
    if not rows:  # the TA areas the codebook's implications give the good rows (rules T), so they are complete
        base["ta_areas"] = GOOD_TA_AREAS
    for column, values in columns.items():
        base[column] = values
    return base


def test_valid_rows_are_added_as_uploaded_and_the_shipped_records_kept(shipped):
    merged, problems, accepted, rejected = merge_upload(shipped, frame(), file_name="mine.csv")
    assert problems == [] and rejected.empty
    assert accepted == ["test-upload-1", "test-upload-2", "test-upload-3"]
    assert len(merged.records) == len(shipped.records) + 3
    added = merged.records[merged.records["id"].isin(accepted)]
    assert set(added["source"]) == {UPLOADED}
    assert list(merged.records.columns) == RECORD_COLUMNS
    pd.testing.assert_frame_equal(merged.records.iloc[: len(shipped.records)], shipped.records)
    assert merged.version != shipped.version


def test_invalid_rows_are_rejected_and_listed_with_their_problems_while_valid_rows_merge(shipped):
    records = frame(
        themes=["protection; prevention", "peace", "cooperation"], primary_theme=["protection", "", "cooperation"]
    )
    merge = merge_upload(shipped, records, file_name="mine.csv")
    assert merge.accepted_ids == ["test-upload-1", "test-upload-3"]
    assert merge.rejected_rows["row"].tolist() == [3]
    assert merge.rejected_rows["id"].tolist() == ["test-upload-2"]
    assert "themes: unknown themes value 'peace'" in merge.rejected_rows["problems"].iloc[0]
    assert "test-upload-2" not in set(merge.dataset.records["id"])


def test_a_file_level_problem_rejects_every_row(shipped):
    merge = merge_upload(shipped, frame().drop(columns=["themes"]))
    assert merge.accepted_ids == [] and len(merge.dataset.records) == len(shipped.records)
    assert verdict(merge.problems) == 1


def test_text_is_kept_verbatim_and_codes_trimmed(shipped):
    text = "  =SUM(A1) <script>alert(1)</script>\n second line  "
    merge = merge_upload(
        shipped,
        frame(
            text=[text, "x", "y"],
            id=[" test-upload-1 ", "b-2", "b-3"],
            topics=["victim_identification;victim_assistance", "", ""],
        ),
    )
    row = merge.dataset.records.set_index("id").loc["test-upload-1"]
    assert row["text"] == text
    assert row["topics"] == "victim_identification; victim_assistance"


def test_a_source_column_saying_otherwise_is_overridden_with_a_warning(shipped):
    merge = merge_upload(shipped, frame(source="annex-ii"), file_name="mine.csv")
    assert verdict(merge.problems) == 0
    assert [p.severity for p in merge.problems] == ["warning"]
    assert "'annex-ii' (3 rows)" in merge.problems[0].message
    assert set(merge.dataset.records.tail(3)["source"]) == {UPLOADED}


def test_blank_rows_are_skipped_and_row_numbers_count_them(shipped):
    records = frame(*corpus.GOOD[:1], [""] * len(corpus.HEADER), corpus.GOOD[1])
    records.loc[2, "themes"] = "peace"
    merge = merge_upload(shipped, records)
    assert merge.accepted_ids == ["test-upload-1"]
    assert merge.rejected_rows["row"].tolist() == [4]  # spreadsheet row 4: header, record, blank, this


def test_a_file_with_blank_lines_names_the_bad_rows_spreadsheet_row_and_merges_exactly_the_good_ones(shipped, tmp_path):
    records = frame()
    records.loc[1, "themes"] = "peace"
    header, first, second, third = records.to_csv(index=False).splitlines()
    # Rows as a spreadsheet shows them: 1 header, 2 first, 3 empty line, 4 spaces and a tab, 5 second (bad),
    # 6 empty cells, 7 third.
    raw = "\n".join([header, first, "", " ,\t", second, ",,,", third, ""]).encode("utf-8")
    merge = check_files(shipped, raw, records_name="mine.csv")
    errors = [str(p) for p in merge.problems if p.severity == "error"]
    assert errors and all(e.startswith("mine.csv, row 5 (id test-upload-2), column ") for e in errors)
    assert any(
        e.startswith("mine.csv, row 5 (id test-upload-2), column themes: unknown themes value 'peace'") for e in errors
    )
    assert merge.accepted_ids == ["test-upload-1", "test-upload-3"]
    assert merge.rejected_rows["row"].tolist() == [5] and merge.rejected_rows["id"].tolist() == ["test-upload-2"]
    added = merge.dataset.records.iloc[len(shipped.records) :]
    assert added["text"].tolist() == [records.loc[0, "text"], records.loc[2, "text"]]  # verbatim, row for row

    path = tmp_path / "mine.csv"
    path.write_bytes(raw)
    assert main(["validate", str(path)]) == 1  # the command line names the same row


def test_each_rows_verdict_stands_at_its_own_position_blank_rows_included(shipped):
    blank, spaces = [""] * len(corpus.HEADER), [" "] * len(corpus.HEADER)
    records = frame(corpus.GOOD[0], blank, spaces, corpus.GOOD[1], corpus.GOOD[2])
    records.loc[3, "themes"] = "peace"
    event_ids = set(shipped.events["event_id"])
    checked = validate_records(records, shipped.codebook, event_ids, "mine.csv")
    assert checked.accepted.tolist() == [True, False, False, False, True]
    assert checked.refused.tolist() == [False, False, False, True, False]
    assert {p.row for p in checked.problems if p.severity == "error"} == {sheet_row(3)} == {5}
    # An error with the whole file: no row is used, and none is refused for its own sake.
    whole = validate_records(records.drop(columns="themes"), shipped.codebook, event_ids, "mine.csv")
    assert not whole.accepted.any() and not whole.refused.any()


def test_an_events_file_with_a_blank_row_adds_its_good_events_and_names_the_bad_ones_row(shipped):
    event = template_frame("events")
    events = pd.concat(
        [event, event.map(lambda _: ""), event.assign(event_id="bad-event", start_date="2009-13-45")],
        ignore_index=True,
    )
    records = frame(event_id=["my-workshop-2009", "bad-event", "kampala-2007"])
    merge = merge_upload(shipped, records, events, file_name="mine.csv", events_file_name="events.csv")
    event_errors = [p for p in merge.problems if p.file == "events.csv" and p.severity == "error"]
    assert [(p.row, p.column, p.record_id) for p in event_errors] == [(4, "start_date", "bad-event")]
    assert merge.dataset.events["event_id"].tolist()[len(shipped.events) :] == ["my-workshop-2009"]
    assert merge.accepted_ids == ["test-upload-1", "test-upload-3"]
    assert "unknown event 'bad-event'" in merge.rejected_rows.set_index("row").loc[3, "problems"]


def test_records_may_refer_to_uploaded_events_and_parents(shipped):
    events = template_frame("events")
    records = frame(event_id=["my-workshop-2009"] * 3, parent_id=["", "test-upload-1", "kampala-2007-gen-a"])
    # Sub-items carry their parent's tags (codebook rule I1): the second row's parent is the first, uploaded;
    # the third's is a shipped record (prevention; data_collection; research, conflict_settings).
    records.loc[1, ["themes", "ta_areas", "target_groups", "topics"]] = [
        "protection; prevention",
        "victim_protection; prevention_awareness",
        "victims; travellers",
        "victim_identification; awareness_raising",
    ]
    records.loc[2, ["themes", "primary_theme", "ta_areas", "topics"]] = [
        "prevention; cooperation",
        "cooperation",
        "data_collection; strategic_planning",
        "research; conflict_settings; coordination",
    ]
    merge = merge_upload(shipped, records, events)
    assert verdict(merge.problems) == 0, merge.problems
    assert merge.accepted_ids == ["test-upload-1", "test-upload-2", "test-upload-3"]
    added = merge.dataset.events.set_index("event_id").loc["my-workshop-2009"]
    assert added["source"] == UPLOADED and added["in_annex_ii"] == "no"
    assert len(merge.dataset.events) == len(shipped.events) + 1


def test_an_uploaded_event_clashing_with_a_shipped_one_is_a_duplicate_and_its_records_fall(shipped):
    events = template_frame("events").assign(event_id="kampala-2007")
    merge = merge_upload(shipped, frame(), events)
    assert any("an event with this id is already loaded" in p.message for p in merge.problems)
    assert len(merge.dataset.events) == len(shipped.events)


def test_children_of_a_rejected_row_are_rejected_too(shipped):
    # Each sub-item carries its parent's valid tags (rule I1), so only its parent's rejection rejects it.
    records = frame(
        parent_id=["", "test-upload-1", "test-upload-2"],
        themes=["peace", "prevention; protection", "cooperation; prevention; protection"],
        target_groups=["victims", "travellers; victims", "travellers; victims"],
        topics=[
            "victim_identification",
            "awareness_raising; victim_identification",
            "coordination; awareness_raising; victim_identification",
        ],
        ta_areas=[
            "victim_protection",
            "prevention_awareness; victim_protection",
            "strategic_planning; prevention_awareness; victim_protection",
        ],
    )
    merge = merge_upload(shipped, records)
    assert merge.accepted_ids == []
    assert "parent 'test-upload-2' was rejected" in merge.rejected_rows.set_index("row").loc[4, "problems"]


def test_merging_never_changes_the_dataset_it_is_given(shipped):
    before = shipped.records.copy()
    merge_upload(shipped, frame(source="annex-ii"))
    pd.testing.assert_frame_equal(shipped.records, before)


# ------------------------------------------------------------------------------------------------ template


@pytest.mark.parametrize("content", [template_csv(), "xlsx"], ids=["csv", "xlsx"])
def test_the_template_as_downloaded_uploads_cleanly(shipped, content):
    """Both templates as downloaded, uploaded together: the example record belongs to the example event."""
    raw = template_xlsx(shipped.codebook) if content == "xlsx" else content
    records, events = read_table(raw), read_table(template_csv("events"))
    assert records["event_id"].tolist() == events["event_id"].tolist() == ["my-workshop-2009"]
    merge = merge_upload(shipped, records, events)
    assert merge.problems == [] and len(merge.accepted_ids) == 1


def test_the_template_header_is_the_schema_and_the_workbook_lists_allowed_values(shipped):
    assert read_table(template_csv()).columns.tolist() == RECORD_COLUMNS
    sheets = pd.read_excel(pd.io.common.BytesIO(template_xlsx(shipped.codebook)), sheet_name=None, dtype=str)
    assert list(sheets) == ["records", "events", "allowed values"]
    allowed = sheets["allowed values"]
    assert set(allowed.loc[allowed["column"] == "themes", "value"]) == set(shipped.codebook.values("themes"))
    # Every value of the records' vocabularies once (themes twice: themes and primary_theme); the workplan's
    # vocabularies (workplan_kind, response_strength) are no record column's.
    record_vocabularies = set(VOCABULARIES.values()) - {"themes"}
    assert len(allowed_values(shipped.codebook)) == shipped.codebook.entries["vocabulary"].isin(
        record_vocabularies
    ).sum() + 2 * len(shipped.codebook.values("themes"))
    assert not allowed["value"].isin(shipped.codebook.values("response_strength")).any()


def test_the_events_template_validates(shipped):
    merge = merge_upload(shipped, frame().iloc[0:0], template_frame("events"))
    assert not [p for p in merge.problems if p.file == "events upload"]


# ---------------------------------------------------------------------------------------------- suggestions


def test_suggestions_come_from_the_codebook_words(shipped):
    tags = suggest_tags(
        "Train police and prosecutors to investigate traffickers and punish offenders", shipped.codebook
    )
    assert tags["primary_theme"] == ["prosecution"]
    assert "law_enforcement" in tags["actors"]
    tags = suggest_tags("Shelters and psychological assistance for child victims", shipped.codebook)
    assert tags["themes"][0] == "protection" and "children" in tags["target_groups"]
    assert suggest_tags("", shipped.codebook)["themes"] == []


def untagged():
    """A coded record, then two without themes (the second with a target group of its own)."""
    return frame(
        themes=["protection", "", ""],
        primary_theme=["protection", "", ""],
        text=["x", "Awareness campaigns in schools for children", "Regional cooperation task forces"],
        target_groups=["victims", "women", ""],
    )


def test_suggestions_are_only_offered_for_records_without_themes_and_fill_only_empty_cells(shipped):
    records = untagged()
    table = suggestions_table(records, shipped.codebook)
    assert table["row"].tolist() == [3, 4]
    first = merge_upload(shipped, records)
    assert first.accepted_ids == ["test-upload-1"]  # a suggestion is not a tag

    accepted = accept_suggestions(records, table, rows=[3])
    assert accepted.loc[1, "themes"] != "" and accepted.loc[1, "target_groups"] == "women"
    assert accepted.loc[2, "themes"] == ""
    second = merge_upload(shipped, accepted)
    assert second.accepted_ids == ["test-upload-1", "test-upload-2"]
    assert suggestions_table(accepted, shipped.codebook)["row"].tolist() == [4]
    assert suggestions_table(records, shipped.codebook, limit=1)["row"].tolist() == [3]


def test_a_suggestion_accepted_below_a_blank_row_fills_its_own_row(shipped):
    records = untagged()
    records = pd.concat([records.iloc[:1], records.iloc[:1].map(lambda _: ""), records.iloc[1:]], ignore_index=True)
    table = suggestions_table(records, shipped.codebook)
    assert table["row"].tolist() == [4, 5]  # header, first record, the blank row, then these two
    accepted = accept_suggestions(records, table, rows=[4])
    assert accepted.loc[2, "themes"] != "" and accepted.loc[2, "target_groups"] == "women"
    assert accepted.loc[1].eq("").all() and accepted.loc[3, "themes"] == ""
    assert merge_upload(shipped, accepted).accepted_ids == ["test-upload-1", "test-upload-2"]


def test_the_servers_upload_limit_is_the_readers_limit():
    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_FILE_BYTES  # Streamlit counts MiB
