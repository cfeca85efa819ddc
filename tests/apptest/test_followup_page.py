"""The Follow-up page and Explore's follow-up block through AppTest: counts per status, the status filter from the
address, and no edit form for a visitor who is not signed in."""

from datetime import date

import pytest

from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.followup import db, store, users


@pytest.fixture
def entries(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path))
    engine = db.engine_for()
    users.add_user(engine, "ann", "editor", "correct horse battery staple")
    store.save(engine, "record", "kampala-2007-gen-a", {"status": "completed"}, 0, "ann")
    store.save(
        engine, "record", "kampala-2007-gen-b", {"status": "planned", "target_date": date(2009, 1, 31)}, 0, "ann"
    )
    yield engine
    db.dispose()


def test_the_page_counts_entries_and_lists_what_is_overdue(open_page, entries):
    at = open_page("pages/followup.py", event="kampala-2007")
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["With an entry"], metrics["Completed"], metrics["Overdue"]) == ("2", "1", "1")
    assert "Overdue (1)" in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.label == "Save"]


def test_a_save_from_another_session_shows_on_the_next_run(open_page, entries):
    at = open_page("pages/followup.py", event="kampala-2007")
    assert {m.label: m.value for m in at.metric}["Completed"] == "1"
    store.save(entries, "record", "kampala-2007-gen-c", {"status": "completed"}, 0, "ann")  # as another process
    at.run()
    assert {m.label: m.value for m in at.metric}["Completed"] == "2"


def test_the_status_filter_is_read_from_the_address(open_page, entries):
    at = open_page("pages/followup.py", status="completed")
    assert {m.label: m.value for m in at.metric}["Records"] == "1"


def test_explore_shows_the_status_of_the_chosen_record_without_an_edit_form(open_page, entries):
    at = open_page("pages/explore.py", record="kampala-2007-gen-a")
    assert any("Follow-up status: Completed" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "Save"]


def test_an_unknown_status_in_the_address_is_dropped_with_a_notice(open_page, entries):
    at = open_page("pages/followup.py", status="finished")
    assert any("Ignored status='finished'" in w.value for w in at.warning)
    ds = load_dataset()
    in_view = len(flt.apply(ds.records, ds.events, flt.Filters()))
    assert {m.label: m.value for m in at.metric}["Records"] == f"{in_view:,}"
