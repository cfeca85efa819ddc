"""Property-based tests (hypothesis) of everything that reads untrusted input: the loader (read_table), the
validator and merge (validate_records, merge_upload) and the URL-state parser (filters.from_query_params)."""

from __future__ import annotations

import csv
import io
from dataclasses import fields

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gift_dash import filters as flt
from gift_dash.data import ReadError, load_dataset, read_table
from gift_dash.dimensions import DIMENSIONS
from gift_dash.schema import RECORD_COLUMNS, among, sheet_row, validate_records
from gift_dash.upload import merge_upload

DATASET = load_dataset()
EVENT_IDS = set(DATASET.events["event_id"])
PROGRAMMES = set(DATASET.events["programme"]) - {""}
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------------- loader


def _is_text_frame(frame: pd.DataFrame) -> bool:
    return (
        frame.columns.is_unique
        and all(isinstance(c, str) for c in frame.columns)
        and all(isinstance(v, str) for column in frame.columns for v in frame[column])
    )


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_give_a_text_frame_or_a_read_error(raw):
    try:
        frame = read_table(raw, "x.csv")
    except ReadError as exc:
        assert str(exc).startswith("x.csv: ")
        return
    assert _is_text_frame(frame)


# Bytes that look like the start of real files, so the deeper branches (BOMs, zip, quotes) are reached too.
PREFIXES = st.sampled_from(
    [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"id,text\n", b'"', b"id;text\r\n", b"\x89PNG"]
)


@SETTINGS
@given(PREFIXES, st.binary(max_size=1024))
def test_bytes_after_a_plausible_start_give_a_text_frame_or_a_read_error(prefix, rest):
    try:
        frame = read_table(prefix + rest, "x.csv")
    except ReadError:
        return
    assert _is_text_frame(frame)


HEADER_NAMES = st.text(st.characters(categories=["L", "N"], include_characters="_ -"), min_size=1, max_size=12)
CELL = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"], include_characters="\n\r\t\"';,"), max_size=40)


@SETTINGS
@given(
    st.lists(HEADER_NAMES, min_size=1, max_size=5, unique_by=str.strip),
    st.data(),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_text_written_as_csv_reads_back_unchanged(header, data, delimiter, encoding):
    assume(all(h.strip() for h in header))
    # Delimiter sniffing reads the header: names must not hold another candidate delimiter more often.
    assume(not any(d in "".join(header) for d in ",;\t"))
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # "\r\n" lines: cells holding \r or \n get quoted
    writer.writerow(header)
    writer.writerows(rows)
    frame = read_table(out.getvalue().encode(encoding), "x.csv")
    assert frame.columns.tolist() == [h.strip() for h in header]
    assert frame.values.tolist() == rows


# --------------------------------------------------------------------------------------- validator + merge

COLUMN_NAMES = st.sampled_from(RECORD_COLUMNS + ["notes", "Id", ""])
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        sorted(EVENT_IDS)
        + DATASET.codebook.entries["value"].tolist()
        + ["kampala-2007-gen-a", "prevention; protection", "x-1", "x-2", " ", "=1+1", "<b>x</b>"]
    ),
)


@st.composite
def string_frames(draw):
    columns = draw(st.lists(COLUMN_NAMES, min_size=0, max_size=8, unique=True))
    rows = draw(st.lists(st.lists(VALUES, min_size=len(columns), max_size=len(columns)), max_size=6))
    return pd.DataFrame(rows, columns=columns, dtype=str) if columns else pd.DataFrame(index=range(len(rows)))


@SETTINGS
@given(string_frames())
def test_validation_never_raises_and_every_problem_is_located(frame):
    checked = validate_records(frame, DATASET.codebook, EVENT_IDS, "up.csv", known_ids=set(DATASET.records["id"]))
    for problem in checked.problems:
        assert problem.file == "up.csv" and problem.severity in ("error", "warning") and problem.message
        if problem.row is not None:  # else a problem with the whole file
            assert 2 <= problem.row <= len(frame) + 1
            assert problem.column in RECORD_COLUMNS


def _blank(frame: pd.DataFrame) -> list[bool]:
    """Rows with no text in any cell, worked out here cell by cell (not with the code under test)."""
    return [not any(str(v).strip() for v in row if not pd.isna(v)) for row in frame.itertuples(index=False)]


@SETTINGS
@given(string_frames())
def test_each_rows_verdict_is_that_of_its_own_row(frame):
    checked = validate_records(frame, DATASET.codebook, EVENT_IDS, "up.csv", known_ids=set(DATASET.records["id"]))
    assert len(checked.accepted) == len(checked.refused) == len(frame)
    errors = {p.row for p in checked.problems if p.severity == "error"}
    blank = _blank(frame)
    for position, (accepted, refused) in enumerate(zip(checked.accepted, checked.refused, strict=True)):
        assert refused == (sheet_row(position) in errors)  # refused exactly when its own row has an error
        assert not (accepted and (refused or blank[position]))
        if None not in errors:  # no error with the whole file: every row not blank is accepted or refused
            assert accepted or refused or blank[position]
        else:
            assert not accepted


@SETTINGS
@given(string_frames())
def test_merge_accounts_for_every_row_and_leaves_the_shipped_records_alone(frame):
    merge = merge_upload(DATASET, frame, file_name="up.csv")
    shipped = len(DATASET.records)
    pd.testing.assert_frame_equal(merge.dataset.records.iloc[:shipped], DATASET.records)
    added = merge.dataset.records.iloc[shipped:]
    assert added["id"].tolist() == merge.accepted_ids
    assert set(added["source"]) <= {"uploaded"}
    assert set(merge.accepted_ids).isdisjoint(DATASET.records["id"])
    rejected = merge.rejected_rows["row"].tolist()
    assert len(set(rejected)) == len(rejected) and all(2 <= r <= len(frame) + 1 for r in rejected)
    file_level = any(p.row is None and p.severity == "error" for p in merge.problems)
    blank = sum(_blank(frame))
    if not file_level:  # every row is accepted, rejected, or blank — exactly one of them
        assert len(merge.accepted_ids) + len(rejected) + blank == len(frame)
    else:
        assert merge.accepted_ids == []
    if merge.accepted_ids:  # what was merged passes validation as it is now stored
        stored = validate_records(added, DATASET.codebook, EVENT_IDS, "m")
        assert not [p for p in stored.problems if p.severity == "error"]


# ----------------------------------------------------------------------------------------------- URL state

KNOWN = {key: dim.values(DATASET.codebook, DATASET.events) for key, dim in DIMENSIONS.items()}
URL_KEYS = sorted(flt.URL_KEYS.values())
URL_VALUE = st.one_of(
    st.text(max_size=20),
    st.text(min_size=flt.MAX_VALUE_CHARS + 1, max_size=flt.MAX_VALUE_CHARS * 30),
    st.sampled_from([v for values in KNOWN.values() for v in values] + ["all", "any", "ALL", ""]),
)
ANYTHING = st.one_of(
    URL_VALUE,
    st.integers(),
    st.none(),
    st.binary(max_size=5),
    st.floats(),
    st.lists(URL_VALUE, max_size=150),
    st.lists(st.one_of(st.integers(), st.none()), max_size=3),
)
PARAMS = st.dictionaries(
    st.one_of(st.sampled_from(URL_KEYS), st.text(max_size=300), st.integers()), ANYTHING, max_size=8
)


def _parse(params):
    return flt.from_query_params(params, DATASET.codebook, DATASET.events)


@SETTINGS
@given(PARAMS)
def test_url_parsing_never_raises_and_keeps_only_known_values(params):
    filters, notices = _parse(params)
    assert all(isinstance(n, str) for n in notices)
    for field in fields(flt.Filters):
        value = getattr(filters, field.name)
        if field.name == "query":
            assert len(value) <= flt.MAX_QUERY_CHARS
        elif field.name == "theme_mode":
            assert value in flt.THEME_MODES
        else:
            assert set(value) <= set(KNOWN[flt.URL_KEYS[field.name]])
            assert len(value) == len(set(value)) <= flt.MAX_VALUES_PER_KEY


@SETTINGS
@given(PARAMS)
def test_everything_dropped_from_the_url_is_named_in_a_notice(params):
    _, notices = _parse(params)
    said = "\n".join(notices)
    for key, raw in params.items():
        if key not in URL_KEYS:
            assert repr(str(key)[:40])[:-1] in said
            continue
        values = raw if isinstance(raw, list) else [raw]
        if key in ("q", "theme_mode"):
            if len(values) > 1 or not all(isinstance(v, str) for v in values):
                assert f"'{key}'" in said or f"{key}=" in said
            continue
        known = set(KNOWN[key]) | ({"all"} if key == "source" else set())
        for value in values[: flt.MAX_VALUES_PER_KEY]:
            if not isinstance(value, str) or value not in known:
                assert f"'{key}'" in said or f"{key}=" in said, (key, value, notices)
        if len(values) > flt.MAX_VALUES_PER_KEY:
            assert f"beyond the first {flt.MAX_VALUES_PER_KEY}" in said


@pytest.mark.parametrize(
    "params",
    [
        {"theme": ["prevention", "prevention", "bogus"]},
        {"event": "kampala-2007", "event ": "x"},
        {"source": ["uploaded"]},
    ],
)
def test_repeated_and_near_miss_keys(params):
    filters, notices = _parse(params)
    assert filters.themes in ((), ("prevention",))
    assert all("prevention" not in n for n in notices)


# ------------------------------------------------------------------------------------------------- among


@SETTINGS
@given(
    values=st.lists(st.sampled_from(["a", "b", "", "kampala-2007", "Ü", "a b"]) | st.text(max_size=4), max_size=30),
    allowed=st.lists(st.sampled_from(["a", "", "kampala-2007", "x"]) | st.text(max_size=4), max_size=30),
)
def test_among_answers_as_isin_does(values, allowed):
    # schema.among replaces Series.isin on text where the allowed values are many (a hash lookup); same answers,
    # duplicates and blanks included, from a Series or an Index, against a Series or a list.
    series = pd.Series(values, dtype="str")
    expected = series.isin(allowed).to_numpy()
    assert (among(series, pd.Series(allowed, dtype="str")) == expected).all()
    assert (among(pd.Index(series), allowed) == expected).all()
