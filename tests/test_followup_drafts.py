"""An editor's unsaved changes (gift_dash.followup.drafts) and saving them: a save writes only what the person
changed, on top of the version it was made against; after someone else's save, only the fields both changed wait
for the person's choice. The expected entries are written out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from gift_dash.followup import drafts, store

pytestmark = pytest.mark.usefixtures("cheap_hashes")

RECORD = "kampala-2007-gen-a"
OPENED = store.Entry(
    "record",
    RECORD,
    status="in_progress",
    responsible="Ministry of Justice",
    target_date=date(2027, 3, 31),
    notes="Working group set up",
    evidence="Decree 12/2026",
    version=3,
    changed_by="ann",
)


def form(**changes):
    """The form as the person submits it: what it showed (the opened entry) with ``changes`` typed in."""
    values = {name: getattr(OPENED, name) for name in store.FIELDS}
    values.update(changes)
    return values


def test_a_form_submitted_as_shown_changes_nothing():
    assert drafts.submitted(drafts.Draft(OPENED), form()).mine == {}


def test_only_the_fields_the_person_changed_are_theirs_trimmed():
    draft = drafts.submitted(
        drafts.Draft(OPENED), form(notes="  Budget approved \n", responsible="Ministry of Justice ")
    )
    assert draft.mine == {"notes": "Budget approved"}


def test_a_reason_for_withdrawal_counts_only_when_the_entry_is_withdrawn():
    assert drafts.submitted(drafts.Draft(OPENED), form(withdrawn_reason="typed, box not ticked")).mine == {}
    assert drafts.submitted(drafts.Draft(OPENED), form(withdrawn=True, withdrawn_reason="merged")).mine == {
        "withdrawn": True,
        "withdrawn_reason": "merged",
    }


def test_the_form_shows_the_stored_version_with_the_persons_changes_on_top():
    draft = drafts.Draft(OPENED, {"notes": "mine"})
    assert drafts.form_values(draft) == {
        "status": "in_progress",
        "responsible": "Ministry of Justice",
        "target_date": date(2027, 3, 31),
        "notes": "mine",
        "evidence": "Decree 12/2026",
        "withdrawn": False,
        "withdrawn_reason": "",
    }


THEIRS = store.Entry(
    "record",
    RECORD,
    status="completed",  # they changed the status
    responsible="Ministry of Justice",
    target_date=date(2027, 3, 31),
    notes="Their note",  # and the notes
    evidence="Decree 12/2026\nReport 2027",  # and the evidence
    version=4,
    changed_by="bob",
)


def test_moving_onto_a_newer_version_keeps_mine_takes_theirs_and_asks_where_both_changed():
    mine = drafts.Draft(OPENED, {"notes": "My note", "responsible": "Police", "status": "completed"})
    moved = drafts.rebase(mine, THEIRS)
    assert moved.base == THEIRS
    # status: both set it to "completed": nothing to decide, nothing of mine left to write.
    assert moved.mine == {"notes": "My note", "responsible": "Police"}
    assert moved.undecided == {"notes"}
    shown = drafts.form_values(moved)
    assert (shown["status"], shown["responsible"], shown["notes"], shown["evidence"]) == (
        "completed",  # theirs
        "Police",  # mine: they did not touch it
        "Their note",  # both changed it: the stored one until the person chooses
        "Decree 12/2026\nReport 2027",  # theirs
    )
    assert {(c.field, c.opened, c.now, c.by) for c in moved.theirs} == {
        ("status", "in_progress", "completed", "bob"),
        ("notes", "Working group set up", "Their note", "bob"),
        ("evidence", "Decree 12/2026", "Decree 12/2026\nReport 2027", "bob"),
    }


def test_a_draft_without_changes_simply_follows_the_store():
    assert drafts.rebase(drafts.Draft(OPENED), THEIRS) == drafts.Draft(THEIRS)
    assert drafts.rebase(drafts.Draft(OPENED, {"notes": "x"}), OPENED) == drafts.Draft(OPENED, {"notes": "x"})


@pytest.mark.parametrize(("keep_mine", "notes"), [(True, "My note"), (False, "Their note")])
def test_the_person_decides_a_field_both_changed(keep_mine, notes):
    moved = drafts.rebase(drafts.Draft(OPENED, {"notes": "My note"}), THEIRS)
    decided = drafts.decide(moved, "notes", keep_mine)
    assert decided.undecided == frozenset()
    assert drafts.form_values(decided)["notes"] == notes


def test_submitting_with_an_undecided_field_left_as_shown_keeps_it_undecided_and_editing_it_decides():
    moved = drafts.rebase(drafts.Draft(OPENED, {"notes": "My note"}), THEIRS)
    shown = drafts.form_values(moved)
    left = drafts.submitted(moved, shown)
    assert (left.mine, left.undecided) == ({"notes": "My note"}, {"notes"})
    edited = drafts.submitted(moved, {**shown, "notes": "Both notes, merged"})
    assert (edited.mine, edited.undecided) == ({"notes": "Both notes, merged"}, frozenset())


def test_a_third_save_keeps_what_the_person_saw_when_they_opened():
    moved = drafts.rebase(drafts.Draft(OPENED, {"notes": "My note"}), THEIRS)
    later = store.Entry(**{**THEIRS.__dict__, "notes": "Third note", "version": 5, "changed_by": "cy"})
    again = drafts.rebase(moved, later)
    notes = next(c for c in again.theirs if c.field == "notes")
    assert (notes.opened, notes.now, notes.by) == ("Working group set up", "Third note", "cy")
    assert again.undecided == {"notes"}


def test_after_a_conflict_saving_again_writes_only_mine_on_top_of_the_other_editors_version(team):
    """The issue's second sequence: editor 2's save after a refusal must not revert editor 1."""
    engine = team
    opened = store.save(
        engine,
        "record",
        RECORD,
        {"status": "in_progress", "responsible": "Ministry", "evidence": "Decree 12"},
        0,
        "ann",
    )
    bob = drafts.Draft(opened)  # bob opens version 1
    store.save(engine, "record", RECORD, {"status": "completed", "evidence": "Decree 12\nReport"}, 1, "ann")
    bob = drafts.submitted(bob, {**drafts.form_values(bob), "notes": "Bob's note"})
    with pytest.raises(store.Conflict) as refused:
        store.save(engine, "record", RECORD, dict(bob.mine), bob.base.version, "bob")
    bob = drafts.rebase(bob, refused.value.current)
    assert bob.undecided == frozenset()
    bob = drafts.submitted(bob, drafts.form_values(bob))  # he presses Save again
    saved = store.save(engine, "record", RECORD, dict(bob.mine), bob.base.version, "bob")
    assert (saved.status, saved.responsible, saved.evidence, saved.notes, saved.version) == (
        "completed",
        "Ministry",
        "Decree 12\nReport",
        "Bob's note",
        3,
    )
    fields_bob_wrote = set(store.history_frame(engine, "record", RECORD).query("version == 3")["field"])
    assert fields_bob_wrote == {"notes"}
