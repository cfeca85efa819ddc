"""The follow-up status in the sidebar, in Chromium at a person's pace: a status picked, then a theme, both stay
(in the chips and the address), the count is the plain reference's (tests/reference.py, over the statuses this
test saved), and they follow the person to another page.

The app runs against a store of its own in a temporary GIFT_STATE_DIR, seeded through the store's API."""

from __future__ import annotations

import pytest

from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.followup import store, users
from tests import reference as ref
from tests.browser.person import Person
from tests.browser.store_app import app_on_a_store

PASSWORD = "correct horse battery staple"
DATA = load_dataset()
ANNEX_II = [r["id"] for r in ref.select()]
PLANNED = ANNEX_II[:30]  # a Kampala-to-Brasilia stretch: some about protection, some not
COMPLETED = ANNEX_II[30:40]
# record id -> the status this module saved for it (the others have no entry)
STATUSES = {record_id: "planned" for record_id in PLANNED} | {record_id: "completed" for record_id in COMPLETED}


def _fill(engine) -> None:
    users.add_user(engine, "ann", "editor", PASSWORD)
    for ids, status in ((PLANNED, "planned"), (COMPLETED, "completed")):
        for record_id in ids:
            store.save(engine, "record", record_id, {"status": status}, 0, "ann")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(base URL, engine) of the app on a store where 30 annex II records are planned and 10 completed."""
    with app_on_a_store(tmp_path_factory, _fill) as running:
        yield running


def expected(model: flt.Filters) -> int:
    """What "Showing N" must say: the reference's count over the statuses this module saved."""
    chosen = {key: list(getattr(model, dim.field)) for key, dim in DIMENSIONS.items()}
    return len(ref.select(chosen=chosen, theme_mode=model.theme_mode, statuses=STATUSES))


def test_a_status_then_a_theme_both_stay_and_the_count_is_the_cores(app, page):
    base, _ = app
    person = Person(page, base, pace=(1.0, 3.0), seed=14)
    person.open("explore")
    assert person.chips("status") == {}
    person.pick("status", "Planned")
    planned = flt.Filters(statuses=("planned",))
    assert person.address() == {"status": ["planned"]}
    assert person.showing() == expected(planned) == len(PLANNED)
    assert person.chips("status") == {"Planned": len(PLANNED)}

    person.pick("theme", "Protection")
    both = flt.Filters(statuses=("planned",), themes=("protection",))
    assert person.filters_in_address(DATA) == both
    shown = expected(both)
    assert shown == 3, "the theme narrows the planned records"
    assert person.showing() == shown
    assert person.chips("status") == {"Planned": shown}
    assert list(person.chips("theme")) == ["Protection"]

    # A second status widens the view within the theme, as options of one filter do.
    person.pick("status", "Completed")
    either = flt.Filters(statuses=("planned", "completed"), themes=("protection",))
    assert person.filters_in_address(DATA) == either
    assert person.showing() == expected(either) == 3 + 3
    assert list(person.chips("status")) == ["Planned", "Completed"]

    person.switch_page("Cross-tab")
    assert person.filters_in_address(DATA) == either
    assert person.showing() == expected(either)
    person.remove("status", "Planned")
    completed = flt.Filters(statuses=("completed",), themes=("protection",))
    assert person.filters_in_address(DATA) == completed
    assert person.showing() == expected(completed) == 3
    assert page.external_requests == []


def test_a_save_shows_in_the_counts_of_a_status_already_picked(app, page):
    base, engine = app
    person = Person(page, base, pace=(0.5, 1.5), seed=15)
    person.open("overview?status=completed")
    before = person.showing()
    assert before == expected(flt.Filters(statuses=("completed",))) == len(COMPLETED)
    record_id = ANNEX_II[50]
    store.save(engine, "record", record_id, {"status": "completed"}, 0, "ann")  # someone else, elsewhere
    STATUSES[record_id] = "completed"
    person.open("overview?status=completed")
    assert person.showing() == before + 1 == expected(flt.Filters(statuses=("completed",)))
