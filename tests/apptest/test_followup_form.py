"""The follow-up form through AppTest, as two editors use it: switching rows never refills it from defaults, a save
after a refusal writes only the person's own fields on top of the other's, a field both changed waits for an
explicit choice, and typed changes outlive the end of a sign-in. Every expected entry is written out by hand."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from gift_dash.followup import db, store, users
from gift_ui import followup as fu
from tests.apptest.conftest import APP
from tests.followup_fixtures import ENTRY as SAVED
from tests.followup_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")

A, B = "kampala-2007-gen-a", "kampala-2007-gen-b"


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(db.DATABASE_URL_ENV, raising=False)
    engine = db.engine_for()
    for name in ("ann", "bob"):
        users.add_user(engine, name, "editor", PASSWORD)
    store.save(engine, "record", A, SAVED, 0, "ann")
    yield engine
    db.dispose()


def editor(engine, name: str, record: str = A) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state[fu.TOKEN_KEY] = users.sign_in(engine, name, PASSWORD).token
    at.query_params["record"] = record
    at.switch_page("pages/followup.py")
    return run(at)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def key(field: str, record: str = A) -> str:
    return f"fu_record_{record}_{field}"


def shown(at: AppTest, record: str = A) -> dict:
    return {
        "status": at.selectbox(key=key("status", record)).value,
        "responsible": at.text_input(key=key("responsible", record)).value,
        "target_date": at.date_input(key=key("target_date", record)).value,
        "notes": at.text_area(key=key("notes", record)).value,
        "evidence": at.text_area(key=key("evidence", record)).value,
    }


def save(at: AppTest) -> AppTest:
    at.button(key=f"FormSubmitter:fu_form_record_{A}-Save").click()
    return run(at)


def stored(engine) -> dict:
    entry = store.get(engine, "record", A)
    return {field: getattr(entry, field) for field in SAVED}


def test_switching_rows_and_back_shows_the_stored_entry_and_a_save_changes_only_what_was_typed(engine):
    at = editor(engine, "ann")
    assert shown(at) == SAVED
    at.query_params["record"] = B
    run(at)
    at.query_params["record"] = A
    run(at)
    assert shown(at) == SAVED  # it showed Not started, empty fields and today's date
    at.text_area(key=key("notes")).input("Budget approved")
    save(at)
    assert stored(engine) == {**SAVED, "notes": "Budget approved"}
    assert set(store.history_frame(engine, "record", A).query("version == 2")["field"]) == {"notes"}


def test_another_editors_save_shows_in_the_form_when_the_row_is_opened_again(engine):
    at = editor(engine, "ann")
    at.query_params["record"] = B
    run(at)
    store.save(engine, "record", A, {"status": "completed"}, 1, "bob")
    at.query_params["record"] = A
    run(at)
    assert shown(at) == {**SAVED, "status": "completed"}


def test_saving_again_after_a_refusal_keeps_the_other_editors_changes(engine):
    ann, bob = editor(engine, "ann"), editor(engine, "bob")
    ann.selectbox(key=key("status")).set_value("completed")
    ann.text_area(key=key("evidence")).input("Decree 12/2026\nFinal report 2027")
    save(ann)
    bob.text_area(key=key("notes")).input("Bob: budget pending")
    save(bob)
    assert any("Not saved: ann saved this entry after you opened it" in w.value for w in bob.warning)
    (theirs,) = [d.value for d in bob.dataframe if "Saved since by ann" in d.value.columns]
    assert theirs.set_index("Field")["Saved since by ann"].to_dict() == {
        "Status": "Completed",
        "Evidence": "Decree 12/2026\nFinal report 2027",
    }
    assert shown(bob) == {
        **SAVED,
        "status": "completed",
        "evidence": "Decree 12/2026\nFinal report 2027",
        "notes": "Bob: budget pending",
    }
    save(bob)
    assert stored(engine) == {
        **SAVED,
        "status": "completed",
        "evidence": "Decree 12/2026\nFinal report 2027",
        "notes": "Bob: budget pending",
    }


@pytest.mark.parametrize(("choice", "notes"), [("True", "Bob's note"), ("False", "Ann's note")])
def test_a_field_both_changed_is_saved_only_after_the_person_chooses(engine, choice, notes):
    ann, bob = editor(engine, "ann"), editor(engine, "bob")
    ann.text_area(key=key("notes")).input("Ann's note")
    save(ann)
    bob.text_area(key=key("notes")).input("Bob's note")
    bob.text_input(key=key("responsible")).input("Police")
    save(bob)
    save(bob)  # pressing Save again without choosing saves nothing
    assert any(fu.UNDECIDED in e.value for e in bob.error)
    assert stored(engine) == {**SAVED, "notes": "Ann's note"}
    bob.button(key=key(f"decide_notes_{choice}")).click()
    run(bob)
    save(bob)
    assert stored(engine) == {**SAVED, "notes": notes, "responsible": "Police"}


def test_changes_typed_when_the_sign_in_ended_come_back_after_signing_in_again(engine):
    at = editor(engine, "bob")
    at.text_area(key=key("notes")).input("Typed before the sign-in ended")
    users.sign_out(engine, at.session_state[fu.TOKEN_KEY])
    save(at)
    assert any("you are not signed in" in e.value and "Your changes are kept" in e.value for e in at.error)
    assert stored(engine) == SAVED
    at.session_state[fu.TOKEN_KEY] = users.sign_in(engine, "bob", PASSWORD).token
    run(at)
    assert shown(at)["notes"] == "Typed before the sign-in ended"
    assert any("Not saved yet, kept in this tab" in i.value for i in at.info)
    save(at)
    assert stored(engine) == {**SAVED, "notes": "Typed before the sign-in ended"}


def test_discarding_unsaved_changes_shows_the_stored_entry_again(engine):
    at = editor(engine, "bob")
    at.text_area(key=key("notes")).input("Typed")
    users.sign_out(engine, at.session_state[fu.TOKEN_KEY])
    save(at)
    at.session_state[fu.TOKEN_KEY] = users.sign_in(engine, "bob", PASSWORD).token
    run(at)
    at.button(key=key("discard")).click()
    run(at)
    assert shown(at) == SAVED
    assert stored(engine) == SAVED
