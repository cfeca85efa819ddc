"""The data over HTTP from the real server (`streamlit run app.py`, as scripts/dashboard.sh runs it) on loopback:
read with urllib and with pandas.read_csv(url), as Excel's and Power BI's "From Web" read an address; and a view's
data address, copied from the page's "This view as data" (in its export popover), holds exactly the records the page
counts."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from tests.browser.harness import assert_no_exception, wait_for_app
from tests.browser.person import Person
from tests.test_api import RECORDS, by_hand

LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def fetch(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with LOCAL.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    # pandas.read_csv(url) opens it with urllib's defaults, which follow $http_proxy: loopback goes direct.
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.mark.parametrize(
    "query, view",
    [
        ("", {}),
        (
            "theme=protection&theme=prosecution&theme_mode=all",
            {"theme": ["protection", "prosecution"], "theme_mode": ["all"]},
        ),
        ("event=cape-town-2007&source=all", {"event": ["cape-town-2007"], "source": ["all"]}),
    ],
)
def test_json_and_csv_from_the_server_hold_the_views_records(app_server, query, view):
    expected = by_hand(**{k: list(v) for k, v in view.items()})
    status, headers, body = fetch(f"{app_server}/api/records?{query}&limit=1000")
    assert status == 200 and headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert [r["id"] for r in answer["records"]] == expected and answer["count"] == len(expected)
    frame = pd.read_csv(f"{app_server}/api/records.csv?{query}", dtype=str, keep_default_na=False)
    assert frame["id"].tolist() == expected
    assert frame.columns.tolist() == list(RECORDS[0])  # the records file's own columns
    status, headers, _ = fetch(f"{app_server}/api/records.csv?{query}")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("path", ["/api/not-an-address", "/api/records/no-such-record"])
def test_an_address_the_api_does_not_have_is_a_json_404_not_the_apps_page(app_server, path):
    status, headers, body = fetch(app_server + path)
    assert (status, headers["Content-Type"]) == (404, "application/json")
    assert "error" in json.loads(body)


def test_api_itself_leads_to_the_list_of_addresses(app_server):
    status, headers, body = fetch(f"{app_server}/api")
    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert "/api/records" in json.loads(body)["addresses"]


def test_bad_parameters_get_a_400_that_names_them(app_server):
    status, headers, body = fetch(f"{app_server}/api/records.csv?theme=protectoin&status=planned&limit=5000&colour=red")
    assert (status, headers["Content-Type"]) == (400, "application/json")
    named = [p["parameter"] for p in json.loads(body)["not_understood"]]
    assert sorted(named) == ["colour", "limit", "status", "theme"]


def test_no_cross_origin_headers_from_the_real_server(app_server):
    for path in ("/api/records", "/api/health", "/api/records?theme=nope"):
        _, headers, _ = fetch(app_server + path, {"Origin": "https://elsewhere.example"})
        assert not [h for h in headers if h.lower().startswith("access-control-")], path


def copied_addresses(page) -> list[str]:
    """What a person copies from "This view as data" (in the export popover): the JSON address, then the CSV one."""
    page.get_by_role("button", name="Export these").first.click()
    codes = page.locator("[data-testid='stPopoverBody'] [data-testid='stCode'] code")
    codes.first.wait_for(state="visible", timeout=10_000)
    return codes.all_inner_texts()


@pytest.mark.parametrize(
    "path",
    [
        "explore?theme=protection&event=abidjan-2007&q=children",
        "explore?target_group=children&topic=child_protection&theme_mode=all&source=all",
        "briefing?q=police%20training&theme=protection&theme=prosecution",
    ],
)
def test_a_views_data_address_returns_exactly_the_records_the_page_counts(page, app_server, path):
    page.goto(f"{app_server}/{path}")
    wait_for_app(page)
    assert_no_exception(page)
    shown = Person(page, app_server).showing()
    assert shown > 0
    # The same query string under /api/: the page's address and its data address differ only in the path.
    query = urlsplit(page.url).query
    assert json.loads(fetch(f"{app_server}/api/records?{query}")[2])["count"] == shown
    json_url, csv_url = copied_addresses(page)
    for url, path in ((json_url, "/api/records"), (csv_url, "/api/records.csv")):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == app_server + path
        assert parse_qs(parts.query) == parse_qs(query)  # in the registry's order, which a typed address may not be
    assert json.loads(fetch(json_url)[2])["count"] == shown
    assert len(pd.read_csv(csv_url, dtype=str, keep_default_na=False)) == shown
    assert page.external_requests == []


def test_a_view_built_by_clicks_gives_its_own_addresses(page, app_server):
    person = Person(page, app_server, pace=(0.3, 0.6))
    person.open("explore")
    person.pick("theme", "Protection")
    person.pick("event", "Kampala")
    person.search("police")
    shown = person.showing()
    json_url, csv_url = copied_addresses(page)
    assert json_url == f"{app_server}/api/records?{urlsplit(page.url).query}"  # written by the page: same order
    assert json.loads(fetch(json_url)[2])["count"] == shown
    assert len(pd.read_csv(csv_url, dtype=str, keep_default_na=False)) == shown
    assert page.external_requests == []
