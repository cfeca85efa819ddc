"""Follow-up in the browser, at a person's pace: a visitor who is not signed in sees no edit control; an editor's
change appears in the history; two people editing one entry: the second gets the conflict message; text with
<script> in notes and evidence stays text on every page that shows it.

The app runs against a store of its own in a temporary GIFT_STATE_DIR (accounts made through the store's API)."""

from __future__ import annotations

import pytest

from gift_dash.followup import store, users
from tests.browser.harness import assert_no_exception, wait_for_app
from tests.browser.store_app import app_on_a_store
from tests.browser.store_app import sign_in as store_sign_in

PASSWORD = "correct horse battery staple"
RECORD = "kampala-2007-gen-a"
HOSTILE_RECORD = "kampala-2007-gen-b"
SCRIPT = "<script>window.__xss=1</script>"
ONERROR = '<img src=x onerror="window.__xss=2">'


def _fill(engine) -> None:
    for name, role in (("ann", "editor"), ("bob", "editor"), ("vic", "viewer")):
        users.add_user(engine, name, role, PASSWORD)
    store.save(
        engine,
        "record",
        HOSTILE_RECORD,
        {
            "status": "in_progress",
            "notes": SCRIPT + ONERROR,
            "evidence": f"https://example.org/report\njavascript:alert(1)\n{SCRIPT}",
        },
        0,
        "ann",
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(base URL, engine) of the app running on a fresh store with editors ann and bob and viewer vic."""
    with app_on_a_store(tmp_path_factory, _fill) as running:
        yield running


def open_page(page, url: str) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    wait_for_app(page)
    assert_no_exception(page)
    return dialogs


def sign_in(page, name: str) -> None:
    store_sign_in(page, name, PASSWORD)


def open_record_signed_in(page, base: str, name: str, record: str = RECORD) -> None:
    open_page(page, f"{base}/followup?record={record}")
    sign_in(page, name)
    page.get_by_role("button", name="Save").wait_for(timeout=30_000)


def save_notes(page, text: str) -> None:
    notes = page.get_by_label("Notes")
    notes.fill(text)
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Save").click()
    wait_for_app(page)


def test_a_visitor_who_is_not_signed_in_sees_no_edit_control(app, page):
    base, _ = app
    for url in (f"{base}/followup?record={RECORD}", f"{base}/explore?record={RECORD}"):
        open_page(page, url)
        page.get_by_text("Follow-up status:").first.wait_for()
        assert page.get_by_role("button", name="Save").count() == 0
        assert page.get_by_label("Notes").count() == 0
    # A viewer's account reads but does not edit either.
    open_page(page, f"{base}/followup?record={RECORD}")
    sign_in(page, "vic")
    assert page.get_by_role("button", name="Save").count() == 0
    assert page.external_requests == []


def test_an_editors_change_appears_in_the_history(app, page):
    base, engine = app
    open_record_signed_in(page, base, "ann")
    before = store.get(engine, "record", RECORD).version
    assert before == 0
    # A new entry: saved without a status, it is refused (nobody chose "Not started"); with one, it is saved.
    save_notes(page, "Working group met on 3 March")
    page.get_by_text("a new entry needs a status: choose one").wait_for(timeout=30_000)
    assert store.get(engine, "record", RECORD).version == 0
    status = page.get_by_role("combobox", name="Status", exact=True)
    assert status.input_value() == ""
    status.click()
    page.keyboard.type("Plann", delay=60)
    page.get_by_role("option", name="Planned", exact=True).click()
    page.get_by_role("button", name="Save").click()
    page.get_by_text(f"Saved (version {before + 1})").wait_for(timeout=30_000)
    assert store.get(engine, "record", RECORD).status == "planned"
    page.get_by_text("History of this entry").click()
    history = page.locator("[data-testid='stExpander']").filter(has_text="History of this entry")
    history.locator("[role='gridcell']").filter(has_text="Working group met on 3 March").first.wait_for(
        state="attached"
    )
    assert store.get(engine, "record", RECORD).notes == "Working group met on 3 March"
    cells = "\n".join(history.locator("[role='gridcell']").all_text_contents())
    assert "Working group met on 3 March" in cells and "ann" in cells
    assert_no_exception(page)


def test_two_people_editing_one_entry_the_second_sees_both_and_chooses(app, browser):
    base, engine = app
    first, second = browser.new_context(), browser.new_context()
    try:
        ann, bob = first.new_page(), second.new_page()
        open_record_signed_in(ann, base, "ann")
        open_record_signed_in(bob, base, "bob")  # both opened the same version
        save_notes(ann, "Ann's report: budget approved")
        ann.get_by_text("Saved (version").wait_for(timeout=30_000)
        save_notes(bob, "Bob's report: budget pending")
        bob.get_by_text("Not saved: ann saved this entry after you opened it").wait_for(timeout=30_000)
        assert store.get(engine, "record", RECORD).notes == "Ann's report: budget approved"
        choice = bob.locator(f".st-key-fu_record_{RECORD}_choice_notes")
        assert "Ann's report: budget approved" in choice.inner_text()
        assert "Bob's report: budget pending" in choice.inner_text()
        bob.get_by_role("button", name="Keep mine (notes)").click()
        wait_for_app(bob)
        assert bob.get_by_label("Notes").input_value() == "Bob's report: budget pending"
        bob.get_by_role("button", name="Save").click()
        bob.get_by_text("Saved (version").wait_for(timeout=30_000)
        assert store.get(engine, "record", RECORD).notes == "Bob's report: budget pending"
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("path", ["followup", "explore"])
def test_script_in_notes_and_evidence_stays_text(app, page, path):
    base, _ = app
    dialogs = open_page(page, f"{base}/{path}?record={HOSTILE_RECORD}")
    page.get_by_text("Follow-up status:").first.wait_for()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and dialogs == []
    body = page.locator("[data-testid='stMain']").inner_text()
    assert SCRIPT in body and ONERROR in body and "javascript:alert(1)" in body
    links = page.locator("[data-testid='stMain'] a[href]").evaluate_all("els => els.map(e => e.href)")
    assert "https://example.org/report" in links
    assert not [href for href in links if href.startswith("javascript:")]
    assert page.external_requests == []


def test_a_save_after_the_sign_in_ended_is_refused_and_the_typing_comes_back_after_signing_in(app, page):
    """The form on screen is no licence: every save checks the sign-in and the role in the store again. What the
    person typed stays in the tab and is in the form again once they are signed in."""
    base, engine = app
    users.add_user(engine, "dan", "editor", PASSWORD)
    open_record_signed_in(page, base, "dan")
    before = store.get(engine, "record", RECORD)
    users.deactivate(engine, "dan", by=users.COMMAND_LINE)  # ends every sign-in of the account
    save_notes(page, "Written after deactivation")
    page.get_by_text("Not saved: you are not signed in").wait_for(timeout=30_000)
    assert store.get(engine, "record", RECORD) == before
    assert page.get_by_role("button", name="Save").count() == 0
    users.reactivate(engine, "dan", by=users.COMMAND_LINE)
    sign_in(page, "dan")
    assert page.get_by_label("Notes").input_value() == "Written after deactivation"
    page.get_by_text("Not saved yet, kept in this tab").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved (version").wait_for(timeout=30_000)
    assert store.get(engine, "record", RECORD).notes == "Written after deactivation"


def test_the_records_table_fits_a_projector_without_scrolling_sideways(app, page):
    # At 1280 px with the sidebar open, every column of the follow-up records table is in view: the verbatim text
    # wraps in what the follow-up columns leave, instead of running off to the right.
    base, _ = app
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"{base}/followup")
    table = page.locator("[class*='st-key-fu_records'] [data-testid='stDataFrame']").first
    table.scroll_into_view_if_needed()
    headers = table.locator("[role='columnheader']")  # the grid's accessible layer (the cells are a canvas)
    headers.first.wait_for(state="attached")
    headers = headers.all_text_contents()
    assert [h for h in headers if h.strip()] == ["Record id", "Status", "Responsible", "Target date", "Text (verbatim)"]
    scroller = table.locator(".dvn-scroller").first
    overflow = scroller.evaluate("s => s.scrollWidth - s.clientWidth")
    assert overflow <= 1, f"the table scrolls sideways by {overflow} px"
