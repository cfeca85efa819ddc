"""Property tests of the follow-up store (SQLite): export then import gives back the same entries, and applying
the history to an empty store gives the entries as they are."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gift_dash.followup import db, store, transfer, users
from gift_dash.followup.targets import Targets
from tests.followup_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")

TARGET_IDS = ("kampala-2007-gen-a", "kampala-2007-gen-b", "p1-a3", "p2-a1")
# Text a person may type: any printable character, line breaks, formula triggers and markup included.
TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\n", "\r\n", "\t", "=", "+", "-", "@", "'", '"', ";", ",", "<script>"]),
    max_size=12,
).map("".join)
VALUES = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(store.statuses())),
        "responsible": TEXT,
        "notes": TEXT,
        "evidence": TEXT,
        "target_date": st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31)),
        "withdrawn_reason": TEXT,
    }
).map(
    lambda v: {
        **v,
        "withdrawn": bool(v["withdrawn_reason"].strip()),
        "withdrawn_reason": v["withdrawn_reason"] if v["withdrawn_reason"].strip() else "",
    }
)
TARGET = st.tuples(st.sampled_from(["record", "activity"]), st.sampled_from(TARGET_IDS))
ANY_TARGET = Targets(frozenset(TARGET_IDS), None)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fresh_store(folder: Path):
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    engine = db.engine_for(url)
    users.add_user(engine, "ann", "editor", PASSWORD)
    return url, engine


@PROPERTY
@given(st.dictionaries(TARGET, VALUES, min_size=1, max_size=4))
def test_export_then_import_into_an_empty_store_gives_the_same_entries(entries):
    with tempfile.TemporaryDirectory() as folder:
        first_url, first = _fresh_store(Path(folder) / "a")
        for (kind, target_id), values in entries.items():
            store.save(first, kind, target_id, values, 0, "ann")
        data, count = transfer.export_csv(first)
        result = transfer.import_csv(_fresh_store(Path(folder) / "b")[1], data, "ann", ANY_TARGET, name="x.csv")
        second = db.engine_for(f"sqlite:///{Path(folder) / 'b' / 'store.sqlite3'}")
        try:
            assert [p for p in result.problems if p.severity == "error"] == []
            assert result.saved == count == len(entries)
            fields = ["target_kind", "target_id", *store.FIELDS]
            assert store.entries_frame(second)[fields].equals(store.entries_frame(first)[fields])
        finally:
            db.dispose(first_url)
            db.dispose(str(second.url))


@PROPERTY
@given(
    st.lists(
        st.tuples(
            TARGET,
            VALUES.flatmap(lambda v: st.sets(st.sampled_from(list(v))).map(lambda keys: {k: v[k] for k in keys})),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_replaying_the_history_from_empty_gives_the_current_entries(saves):
    with tempfile.TemporaryDirectory() as folder:
        url, engine = _fresh_store(Path(folder))
        try:
            for (kind, target_id), changes in saves:
                current = store.get(engine, kind, target_id)
                merged = {f: changes.get(f, getattr(current, f)) for f in store.FIELDS}
                # Keep a partial change storable: withdrawn and its reason go together.
                merged["withdrawn"] = bool(str(merged["withdrawn_reason"]).strip())
                if not merged["withdrawn"]:
                    merged["withdrawn_reason"] = ""
                store.save(engine, kind, target_id, merged, current.version, "ann")
            assert store.replay(store.history_frame(engine)).equals(store.entries_frame(engine))
        finally:
            db.dispose(url)
