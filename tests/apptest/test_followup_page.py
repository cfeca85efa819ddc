"""The Follow-up page and Explore's follow-up block through AppTest: counts per status, the status filter from the
address, and no edit form for a visitor who is not signed in."""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.followup import db, store, users
from gift_ui import followup as fu
from tests.apptest.conftest import APP

PASSWORD = "correct horse battery staple"


@pytest.fixture
def entries(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path))
    engine = db.engine_for()
    users.add_user(engine, "ann", "editor", PASSWORD)
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


@pytest.mark.parametrize(
    ("page", "params", "metric"),
    [
        ("pages/followup.py", {"event": "kampala-2007"}, "Completed"),
        # Planned response keeps its tables per view: under a status filter, a save by anyone changes which records
        # the view holds, and the next run must show it, not the tables of the view before the save.
        ("pages/response.py", {"status": "completed"}, "Records"),
    ],
)
def test_a_save_from_another_session_shows_on_the_next_run(open_page, entries, page, params, metric):
    at = open_page(page, **params)
    assert {m.label: m.value for m in at.metric}[metric] == "1"
    store.save(entries, "record", "kampala-2007-gen-c", {"status": "completed"}, 0, "ann")  # as another process
    at.run()
    assert {m.label: m.value for m in at.metric}[metric] == "2"


def test_the_status_filter_is_read_from_the_address(open_page, entries):
    at = open_page("pages/followup.py", status="completed")
    assert {m.label: m.value for m in at.metric}["Records"] == "1"


def status_filter(at):
    return [m for m in at.sidebar.multiselect if m.label == DIMENSIONS["status"].label]


@pytest.mark.parametrize("page", ["pages/explore.py", "pages/overview.py", "pages/crosstab.py", "pages/briefing.py"])
def test_the_status_filter_is_in_the_sidebar_of_every_page_and_narrows_it(open_page, entries, page):
    at = open_page(page, status=["completed", "planned"], event="kampala-2007")
    assert status_filter(at)[0].value == ["completed", "planned"]
    assert any(m.value.startswith("Showing **2** of") for m in at.markdown)


def test_an_empty_store_counts_every_record_as_without_an_entry(open_page, tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "empty"))
    at = open_page("pages/explore.py")
    (box,) = status_filter(at)
    in_view = len(flt.apply(load_dataset().records, load_dataset().events, flt.Filters()))
    assert box.options[-1] == f"{in_view:,} · No entry yet" and box.options[0] == "0 · Not started"
    db.dispose()


def test_without_a_store_there_is_no_status_filter_and_one_in_the_address_is_left_out(open_page, monkeypatch):
    monkeypatch.setenv(db.DATABASE_URL_ENV, "postgresql+psycopg://nobody@/gift?host=/nonexistent&connect_timeout=2")
    at = open_page("pages/explore.py", status="planned", event="kampala-2007")
    assert status_filter(at) == []
    assert any("Left out status=planned" in w.value and "store cannot be opened" in w.value for w in at.warning)
    assert dict(at.query_params) == {"event": "kampala-2007"}  # the address says what the view shows
    crosstab = open_page("pages/crosstab.py")
    assert DIMENSIONS["status"].label not in crosstab.selectbox[0].options


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


def signed_in_as(open_page, engine, name: str | None):
    """The Follow-up page as ``name`` sees it after signing in (None: a visitor who has not)."""
    if name is None:
        return open_page("pages/followup.py")
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state[fu.TOKEN_KEY] = users.sign_in(engine, name, PASSWORD).token
    at.switch_page("pages/followup.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def accounts_section(at):
    return [e for e in at.expander if e.label.startswith("Accounts")]


@pytest.mark.parametrize("who", [None, "vic", "ann"])
def test_only_an_admin_sees_the_accounts(open_page, entries, who):
    users.add_user(entries, "vic", "viewer", PASSWORD)
    at = signed_in_as(open_page, entries, who)
    assert accounts_section(at) == []
    assert not [b for b in at.button if b.key and b.key.startswith("fu_account_")]


def click(at, key: str):
    at.button(key=key).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_deactivates_an_account_after_confirming_and_not_their_own(open_page, entries):
    users.add_user(entries, "ada", "admin", PASSWORD)
    at = signed_in_as(open_page, entries, "ada")
    assert len(accounts_section(at)) == 1
    click(at, "fu_account_ada")
    assert at.button(key="fu_account_active").disabled  # not their own
    click(at, "fu_account_ann")
    click(at, "fu_account_active")
    assert users.sign_in(entries, "ann", PASSWORD).user is not None  # nothing yet: it asks first
    assert any("Deactivate **ann**?" in w.value for w in at.warning)
    click(at, "fu_account_cancel")
    assert not any("Deactivate **ann**?" in w.value for w in at.warning)
    click(at, "fu_account_active")
    click(at, "fu_account_confirm")
    assert any("ann deactivated" in s.value for s in at.success)
    assert users.sign_in(entries, "ann", PASSWORD).user is None
    assert at.button(key="fu_account_active").label == "Reactivate"
    click(at, "fu_account_active")
    click(at, "fu_account_confirm")
    assert users.sign_in(entries, "ann", PASSWORD).user is not None


def test_an_admin_changes_a_role_and_sets_a_password_in_the_dashboard(open_page, entries):
    users.add_user(entries, "ada", "admin", PASSWORD)
    at = signed_in_as(open_page, entries, "ada")
    click(at, "fu_account_ann")
    at.selectbox(key="fu_account_new_role").set_value("viewer")
    click(at, "FormSubmitter:fu_account_role-Change role")
    assert any("ann is now viewer" in s.value for s in at.success)
    at.text_input(key="fu_account_password_1").input("a new password here")
    at.text_input(key="fu_account_password_2").input("a different one!!")
    click(at, "FormSubmitter:fu_account_password-Set this password")
    assert any("the two passwords differ" in e.value for e in at.error)
    at.text_input(key="fu_account_password_1").input("a new password here")
    at.text_input(key="fu_account_password_2").input("a new password here")
    click(at, "FormSubmitter:fu_account_password-Set this password")
    assert users.sign_in(entries, "ann", "a new password here").user == users.User("ann", "viewer")
    history = [d.value for d in at.dataframe if "What" in d.value.columns][0]
    assert history["What"].tolist() == ["password", "role", "created"]


def test_the_workplan_activities_are_counted_by_pillar(open_page, entries):
    import csv
    from collections import Counter

    from gift_dash.data import DATA_DIR

    with open(DATA_DIR / "workplan.csv", encoding="utf-8") as handle:  # a plain reference: the file itself
        rows = [r for r in csv.DictReader(handle) if r["kind"] in ("activity", "sub_item")]
    expected = Counter(r["pillar"] for r in rows)
    at = open_page("pages/followup.py")
    assert "Workplan activities: status by pillar" in [s.value for s in at.subheader]
    (table,) = [d.value for d in at.dataframe if d.value.index.name == "Pillar"]
    assert {str(k): int(v) for k, v in table["n"].items()} == dict(expected)
    assert sum(expected.values()) == 32  # 21 activities and 11 lettered sub-items in annex I
