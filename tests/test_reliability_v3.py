"""The codebook v3 reliability rounds (bench/reliability_v3.py): which records each round samples, and that a packet
holds the texts and the codebook but nothing of the project's answers (no tag, no link, no change list)."""

from __future__ import annotations

import csv

from bench import reliability_v3 as rel
from gift_dash.data import load_dataset
from tests import reference as ref

# The five annex II records no round sampled and issue 22 does not name, as the README lists them.
LEFT_AFTER_ROUND_1 = [
    "kampala-2007-gen-e",
    "brasilia-2007-pri-c",
    "new-delhi-2007-pri-l",
    "abidjan-2007-pre-e",
    "abidjan-2007-pre-j",
]
TAG_COLUMNS = ["themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics"]


def test_round_2_takes_what_no_round_coded():
    records = load_dataset().records
    later = [r["id"] for r in ref.RECORDS if r["source"] in ("section-vi", "section-v")]
    assert len(later) == 14
    second = rel.sample_ids(records, 2)
    assert second == LEFT_AFTER_ROUND_1 + later
    first = rel.sample_ids(records, 1)
    assert len(first) == 20 and not set(first) & set(second)
    assert sorted(first + LEFT_AFTER_ROUND_1) == sorted(rel.pool(records))
    # section V is tagged, not linked: 15 of the 19 get links
    linked = [r["id"] for r in ref.RECORDS if r["id"] in second and r["source"] != "section-v"]
    assert rel.linked_ids(records, second) == linked and len(linked) == 15


def test_the_round_2_packet_holds_texts_and_rules_and_no_answer(tmp_path):
    rel.write_packet(tmp_path, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "INSTRUCTIONS.md",
        "codebook.md",
        "records.csv",
        "workplan.csv",
    ]
    with open(tmp_path / "records.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = {r["id"]: r["text"] for r in ref.RECORDS}
    assert [r["id"] for r in rows] == LEFT_AFTER_ROUND_1 + [
        r["id"] for r in ref.RECORDS if r["source"] in ("section-vi", "section-v")
    ]
    assert all(r["text"] == texts[r["id"]] for r in rows)
    assert list(rows[0]) == ["id", "lead_in", "parent_text", "text"]
    with open(tmp_path / "workplan.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["workplan_id", "kind", "parent_id", "marker", "title", "text"]
    codebook = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert "link p" not in codebook and "before,after" not in codebook  # no change list
    instructions = (tmp_path / "INSTRUCTIONS.md").read_text(encoding="utf-8")
    assert "round 2" in instructions and "19 records" in instructions and "the 15 records" in instructions
    assert not any(column in rows[0] for column in TAG_COLUMNS)
