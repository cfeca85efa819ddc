"""The Vienna echoes page's tables and its one export (gift_dash.echoes), on data where every record comes three
times, checked against the CSV read with the csv module."""

from __future__ import annotations

import csv

import pytest

from bench.bench_pages import repeated_data_dir
from gift_dash.data import load_dataset
from gift_dash.echoes import FINDING, SAME_TEXT, SCORE, echo_tables, echoes_export, vienna_echoes
from gift_dash.similarity import build_index

COLUMNS = ("event", "item", "text")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return repeated_data_dir(tmp_path_factory.mktemp("data"), copies=3)


@pytest.fixture(scope="module")
def held(folder) -> dict[tuple[str, str], list[str]]:
    """(source, text) -> the ids of the records that hold it, from the CSV."""
    out: dict[tuple[str, str], list[str]] = {}
    with open(folder / "recommendations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault((row["source"], row["text"]), []).append(row["id"])
    return out


@pytest.fixture(scope="module")
def tables(folder):
    ds = load_dataset(folder)
    findings = ds.records[ds.records["source"] == "section-vi"]
    regional = ds.records[ds.records["source"] == "annex-ii"]
    near = vienna_echoes(build_index(ds.records, codebook=ds.codebook), findings, regional, 5)
    return echo_tables(near, ds.records, ds.events, ds.codebook, {}, COLUMNS)


def test_each_table_shows_a_text_once_with_the_records_that_hold_it(tables, held):
    assert tables
    for table in tables:
        shown = table.table
        assert list(shown.columns) == ["Page", SCORE, "Event", "Item", "Text (verbatim)", "Why alike", SAME_TEXT]
        assert shown["Text (verbatim)"].is_unique
        for text, note in zip(shown["Text (verbatim)"], shown[SAME_TEXT], strict=True):
            assert note.startswith(f"×{len(held[('annex-ii', text)])} records: ")
        assert table.finding["text"] in {text for (source, text) in held if source == "section-vi"}


@pytest.mark.parametrize("min_score", [0.0, 0.3, 0.45])
def test_the_export_holds_every_record_of_each_echo_at_the_score(tables, held, min_score):
    exported = echoes_export(tables, min_score)
    expected = sorted(
        (table.finding["id"], record_id)
        for table in tables
        for text, score in zip(table.table["Text (verbatim)"], table.scores, strict=True)
        if score >= min_score
        for record_id in held[("annex-ii", text)]
    )
    assert sorted(zip(exported[FINDING], exported["id"], strict=True)) == expected
    assert (exported[SCORE] >= round(min_score, 2)).all()
    text_of = {record_id: text for (_, text), ids in held.items() for record_id in ids}
    assert [text_of[i] for i in exported["id"]] == exported["text"].tolist()  # verbatim


def test_a_higher_score_leaves_fewer_records(tables):
    assert 0 < len(echoes_export(tables, 0.45)) < len(echoes_export(tables, 0.0))
