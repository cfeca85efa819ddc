"""The sidebar at a person's pace in Chromium: every pick, removal, search, row tick, page switch and step back
leaves every other filter as it was, and the page, the address and the chips agree with the core at every step."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.search import search
from tests import reference as ref
from tests.browser.person import Person

DATA = load_dataset()
LABELS = {key: dim.labels(DATA.codebook, DATA.events) for key, dim in DIMENSIONS.items()}
PAGE_KEYS = {
    "explore": {"record"},
    "crosstab": {"row", "col", "measure", "cell_row", "cell_col"},
    "recurring_ideas": {"threshold", "group"},
    "vienna_echoes": {"min"},
}


def label(dim_key: str, value: str) -> str:
    return LABELS[dim_key].get(value) or value


def searched(query: str) -> set[str] | None:
    """The ids a search matches (None without one): search is ranked and has no plain reference; it is checked
    against hand-picked records in tests/test_search.py."""
    return set(search(DATA.records, query, DATA.codebook)["id"]) if query.strip() else None


def expected(model: flt.Filters) -> list[dict]:
    """The records the plain reference (tests/reference.py) selects for the model: never the core's filter."""
    chosen = {key: list(getattr(model, dim.field)) for key, dim in DIMENSIONS.items()}
    return ref.select(chosen=chosen, theme_mode=model.theme_mode, ids=searched(model.query))


def check(person: Person, model: flt.Filters, page_keys: set[str] = frozenset()) -> None:
    """What the page shows agrees with what the person set: the address holds exactly the model's filters (no key
    that nobody set), "Showing N" is the reference's count, each filter's chips are the model's values with the
    number of records shown that hold them (never "Children (0)" beside children on the page)."""
    address = person.address()
    assert set(address) <= set(flt.URL_KEYS.values()) | set(page_keys), address
    assert person.filters_in_address(DATA) == model, (person.page.url, model)
    shown = expected(model)
    assert person.showing() == len(shown), person.page.url
    for key, dim in DIMENSIONS.items():
        chosen = getattr(model, dim.field)
        chips = person.chips(key)
        assert list(chips) == [label(key, v) for v in chosen], (key, chips)
        held = ref.count(shown, key)
        assert chips == {label(key, v): held.get(v, 0) for v in chosen}, (key, chips)


@pytest.fixture
def person(page, app_server):
    return Person(page, app_server, pace=(1.0, 3.0), seed=9)


def test_second_and_third_picks_keep_the_scope_on_the_briefing(person, tmp_path):
    person.open("briefing")
    model = flt.Filters()
    person.pick("theme", "Protection")
    model = replace(model, themes=("protection",))
    check(person, model)
    assert person.address() == {"theme": ["protection"]}
    person.pick("target_group", "Women")
    model = replace(model, target_groups=("women",))
    check(person, model)
    assert "source" not in person.address()
    assert not person.page.locator("[data-testid='stSidebar'] details[open]").count(), "More filters opened"
    person.pick("target_group", "Children")
    model = replace(model, target_groups=("women", "children"))
    check(person, model)
    # The briefing file says the scope on screen.
    with person.page.expect_download() as info:
        person.page.get_by_role("button", name="Download the briefing (HTML)").click()
    document = tmp_path / "b.html"
    info.value.save_as(document)
    scope = flt.describe(model, DATA.codebook, DATA.events)
    assert scope == "Theme: Protection · Target group: Women, Children"
    assert scope in document.read_text(encoding="utf-8").replace("&#39;", "'")


def test_a_value_inside_another_and_all_themes_at_a_persons_pace(person):
    """Picks where a wrong rule gives another count: "communities" is inside "religious_communities" (substring
    matching would show 20, not 6), and a record with a third theme stays under "all chosen themes" (read as
    "exactly these", Kampala (d) would go: 3, not 4)."""
    person.open("explore")
    person.pick("actor", label("actor", "communities"))
    check(person, flt.Filters(actors=("communities",)), PAGE_KEYS["explore"])
    assert person.showing() == 6
    person.remove("actor", label("actor", "communities"))
    person.pick("source", label("source", "section-v"))  # inside "section-vi"
    person.remove("source", label("source", "annex-ii"))
    check(person, flt.Filters(sources=("section-v",)), PAGE_KEYS["explore"])
    assert person.showing() == 4
    person.reset()
    person.pick("theme", "Protection")
    person.pick("theme", "Prosecution")
    person.theme_mode("all")
    model = flt.Filters(themes=("protection", "prosecution"), theme_mode="all")
    check(person, model, PAGE_KEYS["explore"])
    assert person.showing() == 4


def test_searches_one_after_another_keep_the_source_on_explore(person):
    person.open("explore")
    person.search("children")
    check(person, flt.Filters(query="children"), PAGE_KEYS["explore"])
    person.search("training")
    check(person, flt.Filters(query="training"), PAGE_KEYS["explore"])
    person.search("law enforcement")
    check(person, flt.Filters(query="law enforcement"), PAGE_KEYS["explore"])
    assert "source" not in person.address()


def test_a_second_search_keeps_the_theme_on_the_cross_tab(person):
    person.open("crosstab?theme=protection")
    person.search("victims")
    check(person, flt.Filters(themes=("protection",), query="victims"), PAGE_KEYS["crosstab"])
    person.search("children")
    check(person, flt.Filters(themes=("protection",), query="children"), PAGE_KEYS["crosstab"])


def test_ticking_a_row_after_a_pick_keeps_the_filters_and_the_row(person):
    person.open("explore")
    person.pick("event", "Kampala")
    model = flt.Filters(events=("kampala-2007",))
    person.tick_row("explore_table")
    check(person, model, PAGE_KEYS["explore"])
    first = expected(model)[0]["id"]
    assert person.address().get("record") == [first]
    person.pick("theme", "Prevention")
    model = replace(model, themes=("prevention",))
    check(person, model, PAGE_KEYS["explore"])
    assert person.address().get("record") == [first], "the record read stays open"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("recurring_ideas?threshold=0.50&threshold=0.30", "threshold"),
        ("explore?record=kampala-2007-gen-a&record=kampala-2007-gen-b", "record"),
    ],
)
def test_a_repeated_page_key_gives_a_notice(person, path, key):
    person.open(path)
    notice = person.page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
    assert f"'{key}' appears 2 times" in notice
    assert len(person.address()[key]) == 1


def _random_step(rng: random.Random, model: flt.Filters, page: str) -> tuple[str, tuple, flt.Filters]:
    """One thing a person might do next, and the filters it should leave."""
    dims = ["event", "theme", "target_group", "topic", "actor", "record_type"]
    chosen = [(k, v) for k in dims for v in getattr(model, DIMENSIONS[k].field)]
    roll = rng.random()
    if chosen and roll < 0.25:
        key, value = rng.choice(chosen)
        field = DIMENSIONS[key].field
        return (
            "remove",
            (key, label(key, value)),
            replace(model, **{field: tuple(v for v in getattr(model, field) if v != value)}),
        )
    if roll < 0.6:
        key = rng.choice(dims)
        dim = DIMENSIONS[key]
        options = [v for v in dim.values(DATA.codebook, DATA.events) if v not in getattr(model, dim.field)]
        value = rng.choice(options)
        return "pick", (key, label(key, value)), replace(model, **{dim.field: getattr(model, dim.field) + (value,)})
    if roll < 0.72:
        words = rng.choice(["children", "training", "victims", "law", "cooperation", "awareness", ""])
        return "search", (words,), replace(model, query=words)
    if roll < 0.8:
        mode = "all" if model.theme_mode == "any" else "any"
        return "theme_mode", (mode,), replace(model, theme_mode=mode)
    if roll < 0.84:
        return "reset", (), flt.Filters()
    if roll < 0.92 and page == "explore":
        return "tick_row", ("explore_table",), model
    target = rng.choice(
        [("Explore records", "explore"), ("Cross-tab", "crosstab"), ("Briefing", "briefing"), ("Overview", "")]
    )
    return "switch_page", target, model


def test_a_random_walk_of_forty_steps_never_changes_a_filter_by_itself(person):
    """A seeded walk: pick, remove, search, clear, switch theme mode, reset, tick a row, switch page and go back,
    with pauses like a person's; after every step the page, the address and the chips agree with the model."""
    rng = random.Random(2026)
    person.pace = (0.5, 2.0)
    person.open("explore")
    page, model = "explore", flt.Filters()
    history: list[tuple[str, flt.Filters]] = []
    done: list[tuple] = []  # the steps so far, for the message of a failure
    for step in range(44):
        if history and rng.random() < 0.08:
            page, model = history.pop()
            person.back()
            action = ("back",)
        else:
            name, args, after = _random_step(rng, model, page)
            if name == "pick" and not expected(after) and rng.random() < 0.7:
                continue  # people rarely pick their way into an empty view; sometimes they do
            history.append((page, model))
            if name == "switch_page":
                args, page = (args[0],), args[1]
            getattr(person, name)(*args)
            model, action = after, (name, *args)
        done.append(action)
        try:
            check(person, model, PAGE_KEYS.get(page, set()))
        except AssertionError as exc:
            raise AssertionError(f"after step {step} of {done}: {exc}") from None
        assert re.search(r"/" + re.escape(page) + r"(\?|$)", person.page.url), (step, action, person.page.url)
