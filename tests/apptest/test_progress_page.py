"""The Follow-up progress page through AppTest: the period and the filters from the address, the figures of a history
written here, a bad date left out with a notice, an empty period, and every file offered."""

from datetime import UTC, date, datetime

import pytest

from gift_dash.followup import db, store, users

PASSWORD = "correct horse battery staple"
PAGE = "pages/progress.py"


@pytest.fixture
def history(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path))
    engine = db.engine_for()
    users.add_user(engine, "ann", "editor", PASSWORD)
    users.add_user(engine, "bob", "editor", PASSWORD)
    march = datetime(2008, 3, 10, tzinfo=UTC)
    store.save(
        engine,
        "record",
        "kampala-2007-gen-a",
        {"status": "planned", "target_date": date(2008, 3, 15)},
        0,
        "ann",
        now=datetime(2008, 2, 1, tzinfo=UTC),
    )
    store.save(engine, "record", "kampala-2007-gen-a", {"evidence": "minutes"}, 1, "bob", now=march)
    store.save(engine, "record", "brasilia-2007-pri-a", {"status": "completed"}, 0, "ann", now=march)
    yield engine
    db.dispose()


def figures(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_counts_the_period_in_the_address(open_page, history):
    at = open_page(PAGE, since="2008-03-01", until="2008-03-31")
    assert figures(at) == {
        "Entries created": "1",
        "Saves": "2",
        "Fields changed": "2",
        "Status transitions": "1",
        "Became overdue": "1",
        "Evidence lines added": "1",
        "People who saved": "2",
    }
    assert at.date_input(key="page_since").value == date(2008, 3, 1)
    labels = [b.label for b in at.get("download_button")]
    assert labels[:4] == ["Report (HTML)", "CSV", "JSON", "Excel (.xlsx)"]


def test_the_filters_narrow_the_report(open_page, history):
    at = open_page(PAGE, since="2008-03-01", until="2008-03-31", event="kampala-2007")
    assert figures(at)["Saves"] == "1" and figures(at)["Status transitions"] == "0"


def test_a_bad_date_is_left_out_with_a_notice_and_an_empty_period_says_so(open_page, history):
    at = open_page(PAGE, since="2008-02-30", until="2008-05-31")
    assert any("since" in w.value and "YYYY-MM-DD" in w.value.replace("\\", "") for w in at.warning)
    assert "since" not in at.query_params
    at = open_page(PAGE, since="2008-05-01", until="2008-05-31")
    assert set(figures(at).values()) == {"0"}
    assert any(c.value == "None in this period." for c in at.caption)


def test_choosing_a_date_writes_it_to_the_address(open_page, history):
    at = open_page(PAGE, since="2008-03-01", until="2008-03-31")
    at.date_input(key="page_since").set_value(date(2008, 3, 11)).run()
    assert at.query_params["since"] in ("2008-03-11", ["2008-03-11"])
    assert figures(at)["Saves"] == "0"


def test_the_overview_says_as_of_which_day_its_progress_line_is(open_page, history):
    at = open_page("pages/overview.py")
    today = datetime.now(UTC).date()
    (line,) = [m.value for m in at.markdown if m.value.startswith("**Response:**")]
    assert f"as of {today.day} {today:%B %Y} (UTC), follow-up recorded for **2** of" in line
