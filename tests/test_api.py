"""The data over HTTP (gift_dash.api) through Starlette's TestClient, mounted as app.py mounts it.

Expected values come from the data files read here with the csv module and counted by hand (a record holds a value
when the value is one of its cell's ';'-separated parts), never from gift_dash.filters or the handlers.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from gift_dash import api
from gift_dash import filters as flt
from gift_dash.filters import URL_KEYS
from tests.test_response import ALL as ALL_LINKS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def rows(name: str, folder: Path = DATA) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


RECORDS, EVENTS, CODEBOOK = rows("recommendations"), rows("events"), rows("codebook")
# Every response link: the explicit ones read from the file and the v3 rule's thematic ones written again in plain
# Python (tests/test_response.py), never through the code under test.
WORKPLAN, RESPONSES = rows("workplan"), ALL_LINKS
PROGRAMME = {e["event_id"]: e["programme"] for e in EVENTS}
MULTI = ("themes", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics")


def parts(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def by_hand(**chosen: list[str]) -> list[str]:
    """Ids of the records a set of URL filters selects, in file order, worked out from the files alone."""
    sources = chosen.pop("source", ["annex-ii"])
    mode = chosen.pop("theme_mode", ["any"])[0]
    column = {"theme": "themes", "target_group": "target_groups", "topic": "topics", "actor": "actors"}
    out = []
    for record in RECORDS:
        if sources != ["all"] and record["source"] not in sources:
            continue
        ok = True
        for key, values in chosen.items():
            if key == "event":
                held = [record["event_id"]]
            elif key == "programme":
                held = [PROGRAMME[record["event_id"]]]
            else:
                held = parts(record[column.get(key, key)])
            hits = [v in held for v in values]
            ok &= all(hits) if key == "theme" and mode == "all" else any(hits)
        if ok:
            out.append(record["id"])
    return out


@pytest.fixture(scope="module")
def client():
    app = Starlette(routes=[Mount(api.PREFIX, app=api.router)])  # as app.py mounts it
    with TestClient(app) as c:
        yield c


def get_all(client, path: str, **params) -> list[dict]:
    """Every row of a list address, page after page through "next"."""
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    name = path.rsplit("/", 1)[-1]
    out = list(body[name])
    while body["next"]:
        body = client.get(body["next"]).json()
        out += body[name]
    return out


VIEWS = [
    {},
    {"theme": ["protection"]},
    {"theme": ["protection", "prosecution"]},
    {"theme": ["protection", "prosecution"], "theme_mode": ["all"]},
    {"event": ["kampala-2007"], "target_group": ["children"]},
    {"programme": ["UN.GIFT West Africa"]},
    {"source": ["all"]},
    {"source": ["section-vi", "section-v"]},
    {"topic": ["training_law_enforcement", "victim_identification"], "actor": ["law_enforcement"], "source": ["all"]},
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "&".join(f"{k}={'+'.join(x)}" for k, x in v.items()) or "default")
def test_records_are_those_the_filters_select_in_document_order(client, view):
    expected = by_hand(**{k: list(v) for k, v in view.items()})
    assert expected, "a view with records, or the test says nothing"
    got = get_all(client, "/api/records", **view, limit="7")  # several pages, followed through "next"
    assert [r["id"] for r in got] == expected
    body = client.get("/api/records", params=view).json()
    assert body["count"] == len(expected) and body["records_in_dataset"] == len(RECORDS)
    assert body["filters"] == {k: v for k, v in view.items() if (k, v) != ("source", ["annex-ii"])}


def test_a_record_has_the_files_columns_and_values_with_labels_alongside(client):
    labels = {(c["vocabulary"], c["value"]): c["label"] for c in CODEBOOK}
    short = {e["event_id"]: e["short_name"] for e in EVENTS}
    source = {r["id"]: r for r in RECORDS}
    for record in get_all(client, "/api/records", source="all", limit="1000"):
        row = source[record["id"]]
        assert list(record) == [*row, "labels"]  # the file's own columns, in its order
        for column, cell in row.items():
            assert record[column] == (parts(cell) if column in MULTI else cell)
        assert record["labels"]["event_id"] == short[row["event_id"]]
        assert record["labels"]["themes"] == [labels["themes", v] for v in parts(row["themes"])]
        assert record["labels"]["primary_theme"] == labels["themes", row["primary_theme"]]
        assert record["labels"]["record_type"] == labels["record_type", row["record_type"]]


def test_the_csv_is_the_records_file_for_the_same_view(client):
    answer = client.get("/api/records.csv", params={"theme": "protection", "event": "kampala-2007"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    got = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    expected = by_hand(theme=["protection"], event=["kampala-2007"])
    source = {r["id"]: r for r in RECORDS}
    assert got == [source[i] for i in expected]  # no formula-like cell in the shipped records: unchanged
    assert answer.headers["x-total-count"] == str(len(expected))
    assert unquote(answer.headers["x-scope"]) == "Event: Kampala · Theme: Protection"


def test_every_answer_says_the_dataset_version_and_the_scope(client):
    version = client.get("/api/health").json()["dataset_version"]
    answer = client.get("/api/records", params={"event": "abidjan-2007", "q": "children"})
    body = answer.json()
    assert body["dataset_version"] == answer.headers["x-dataset-version"] == version and len(version) == 12
    assert body["scope"] == "Event: Abidjan · Search: 'children'"
    for path in ("/api/events.csv", "/api/codebook", "/api/records/kampala-2007-gen-a", "/api/openapi.json"):
        assert client.get(path).headers["x-dataset-version"] == version, path


def test_a_search_finds_every_record_naming_the_word(client):
    # The ranking is the search module's; what a person can check by hand is that a plain word finds each record
    # whose text holds it, and that the best match comes first (Explore's default order with a search).
    got = [r["id"] for r in get_all(client, "/api/records", q="children", source="all")]
    naming = {r["id"] for r in RECORDS if "children" in r["text"].lower().split()}
    assert naming and naming <= set(got)
    assert len(got) == len(set(got))


@pytest.mark.parametrize(
    "params, default",
    [({}, 100), ({"limit": "1000"}, 1000)],
)
def test_json_pages_default_to_100_and_stop_at_1000(client, params, default):
    body = client.get("/api/records", params={"source": "all", **params}).json()
    assert body["limit"] == default and len(body["records"]) == min(default, len(RECORDS))
    assert (body["next"] is None) == (default >= len(RECORDS))


def test_a_csv_page_holds_up_to_1000_records_since_spreadsheets_never_see_next(client):
    answer = client.get("/api/records.csv", params={"source": "all"})
    assert len(list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))) == len(RECORDS)
    assert "link" not in answer.headers


def test_next_links_keep_the_filters_and_page_on(client):
    body = client.get("/api/records", params={"theme": "protection", "limit": "10"}).json()
    assert body["next"] == "http://testserver/api/records?theme=protection&limit=10&offset=10"
    last = client.get("/api/records", params={"theme": "protection", "limit": "10", "offset": "30"}).json()
    assert last["next"] is None and len(last["records"]) == len(by_hand(theme=["protection"])) - 30
    csv_answer = client.get("/api/records.csv", params={"theme": "protection", "limit": "10"})
    assert (
        csv_answer.headers["link"]
        == '<http://testserver/api/records.csv?theme=protection&limit=10&offset=10>; rel="next"'
    )


@pytest.mark.parametrize(
    "path, query, named",
    [
        ("/api/records", "theme=protectoin", [("theme", "protectoin")]),
        ("/api/records", "colour=red", [("colour", None)]),
        ("/api/records", "q=one&q=two", [("q", None)]),
        ("/api/records", "theme_mode=any&theme_mode=all", [("theme_mode", None)]),
        ("/api/records", "theme_mode=most", [("theme_mode", "most")]),
        ("/api/records", "limit=0", [("limit", "0")]),
        ("/api/records", "limit=1001", [("limit", "1001")]),
        ("/api/records", "limit=ten", [("limit", "ten")]),
        ("/api/records", "offset=-1", [("offset", "-1")]),
        ("/api/records", "offset=1&offset=2", [("offset", None)]),
        ("/api/records.csv", "event=atlantis&source=nowhere", [("event", "atlantis"), ("source", "nowhere")]),
        ("/api/records", "status=planned", [("status", None)]),
        ("/api/events", "theme=protection&order=event", [("order", None)]),
        ("/api/coverage", "by=actor&limit=x", [("by", "actor"), ("limit", "x")]),
        ("/api/codebook", "theme=protection", [("theme", None)]),
        ("/api/workplan.csv", "source=all", [("source", None)]),
        ("/api/records/kampala-2007-gen-a", "limit=5", [("limit", None)]),
        ("/api/health", "x=1", [("x", None)]),
    ],
)
def test_what_is_not_understood_is_refused_with_a_400_naming_it(client, path, query, named):
    answer = client.get(f"{path}?{query}")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert [(p["parameter"], p["value"]) for p in body["not_understood"]] == named
    assert all(p["problem"] for p in body["not_understood"])


def test_a_400_says_what_is_expected(client):
    (theme,) = client.get("/api/records?theme=protectoin").json()["not_understood"]
    assert theme["expected"] == [c["value"] for c in CODEBOOK if c["vocabulary"] == "themes"]
    (key,) = client.get("/api/records?colour=red").json()["not_understood"]
    assert key["problem"] == "not a parameter of this address"
    assert set(key["expected"]) == set(URL_KEYS.values()) - {"status"} | {"limit", "offset"}
    (status,) = client.get("/api/records?status=no_entry").json()["not_understood"]
    assert "follow-up data" in status["problem"] and "sign-in" in status["problem"]


def test_the_follow_up_status_is_refused_even_beside_good_filters(client):
    answer = client.get("/api/records.csv?theme=protection&status=no_entry")
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"


def test_one_record_with_its_citation_and_planned_response(client):
    body = client.get("/api/records/kampala-2007-gen-a").json()
    row = next(r for r in RECORDS if r["id"] == "kampala-2007-gen-a")
    assert body["record"]["text"] == row["text"] and body["scope"] == "Record kampala-2007-gen-a"
    assert "Kampala" in body["citation"] and "item (a)" in body["citation"]
    linked = [(r["activity_id"], r["strength"]) for r in RESPONSES if r["record_id"] == "kampala-2007-gen-a"]
    assert sorted((r["activity_id"], r["strength"]) for r in body["responses"]) == sorted(linked) and linked


@pytest.mark.parametrize("path", ["/api/records/no-such-record", "/api/nothing-here", "/api/records/a/b"])
def test_unknown_addresses_are_a_json_404_not_the_apps_page(client, path):
    answer = client.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
    assert "error" in answer.json()


def test_events_count_the_views_records(client):
    expected = by_hand(theme=["protection"])
    per_event = {e["event_id"]: 0 for e in EVENTS}
    for record in RECORDS:
        if record["id"] in expected:
            per_event[record["event_id"]] += 1
    events = get_all(client, "/api/events", theme="protection")
    assert {e["event_id"]: e["records_in_view"] for e in events} == per_event
    assert [e["start_date"] for e in events if e["start_date"]] == sorted(
        e["start_date"] for e in EVENTS if e["start_date"]
    )


def test_events_csv_cells_are_formula_safe_as_the_exports(client):
    got = list(csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode("utf-8-sig"))))
    brasilia = next(e for e in got if e["event_id"] == "brasilia-2007")
    assert (brasilia["latitude"], brasilia["longitude"]) == ("'-15.79", "'-47.88")  # a leading '-' runs in Excel
    assert (
        next(e for e in client.get("/api/events").json()["events"] if e["event_id"] == "brasilia-2007")["latitude"]
        == "-15.79"
    )  # JSON as written: no program runs a JSON string


@pytest.mark.parametrize("view", [{}, {"event": ["cape-town-2007"]}, {"theme": ["prosecution"], "source": ["all"]}])
def test_responses_are_the_links_of_the_views_records(client, view):
    ids = set(by_hand(**{k: list(v) for k, v in view.items()}))
    expected = sorted((r["record_id"], r["activity_id"]) for r in RESPONSES if r["record_id"] in ids)
    got = get_all(client, "/api/responses", **view)
    assert sorted((r["record_id"], r["activity_id"]) for r in got) == expected
    assert all(r["labels"]["strength"] for r in got)


@pytest.mark.parametrize("view", [{}, {"event": ["bangkok-2007"]}, {"source": ["all"]}])
def test_coverage_counts_the_views_records_with_a_response(client, view):
    ids = by_hand(**{k: list(v) for k, v in view.items()})
    source = {r["id"]: r["source"] for r in RECORDS}
    read = [i for i in ids if source[i] in ("annex-ii", "section-vi")]  # the records read against the workplan
    strengths = {i: {r["strength"] for r in RESPONSES if r["record_id"] == i} for i in read}
    (row,) = client.get("/api/coverage", params=view).json()["coverage"]
    assert row["records"] == len(read)
    assert row["with_response"] == sum(bool(s) for s in strengths.values())
    assert row["explicit"] == sum("explicit" in s for s in strengths.values())
    assert row["thematic_only"] == sum(s == {"thematic"} for s in strengths.values())
    assert row["no_response"] == sum(not s for s in strengths.values())
    body = client.get("/api/coverage", params=view).json()
    assert body["records_not_read_against_the_workplan"] == len(ids) - len(read)


def test_coverage_by_theme_gives_each_themes_value_and_label(client):
    body = client.get("/api/coverage", params={"by": "theme"}).json()
    themes = [(c["value"], c["label"]) for c in CODEBOOK if c["vocabulary"] == "themes"]
    assert [(r["value"], r["label"]) for r in body["coverage"]] == themes
    ids = set(by_hand())
    protection = next(r for r in body["coverage"] if r["value"] == "protection")
    assert protection["records"] == sum("protection" in parts(r["themes"]) for r in RECORDS if r["id"] in ids)


@pytest.mark.parametrize("name, source", [("workplan", WORKPLAN), ("codebook", CODEBOOK)])
def test_reference_tables_are_whole_and_paged(client, name, source):
    got = get_all(client, f"/api/{name}", limit="40")
    # JSON gives a multi-valued cell (the workplan's codebook v3 tags) as a list of its values, as for records.
    expected = [{k: parts(v) if k in MULTI else v for k, v in row.items()} for row in source]
    assert [{k: r[k] for k in source[0]} for r in got] == expected
    answer = client.get(f"/api/{name}.csv")
    assert list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))) == source


def test_only_get_and_head_are_answered(client):
    assert client.head("/api/records").status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/api/records").status_code == 405


def test_no_cross_origin_access(client):
    for path in ("/api/records", "/api/records.csv", "/api/records?theme=nope"):
        answer = client.get(path, headers={"Origin": "https://elsewhere.example"})
        assert not [h for h in answer.headers if h.lower().startswith("access-control-")], path
    assert client.options("/api/records", headers={"Origin": "https://elsewhere.example"}).status_code == 405


def test_a_failure_is_json_without_a_traceback(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(api, "ranked", broken)
    answer = client.get("/api/records")
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert "secret detail" not in answer.text and "Traceback" not in answer.text


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the data folder, read through $GIFT_DATA_DIR as the pages read it."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("source"))
    monkeypatch.setenv("GIFT_DATA_DIR", str(folder))
    return folder


def write_rows(path: Path, table: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(client, data_copy):
    changed = [dict(r) for r in RECORDS]
    changed[0]["text"] = '=HYPERLINK("http://example.com/x","click")'
    write_rows(data_copy / "recommendations.csv", changed)
    record_id = changed[0]["id"]
    got = list(csv.DictReader(io.StringIO(client.get("/api/records.csv").content.decode("utf-8-sig"))))
    assert next(r for r in got if r["id"] == record_id)["text"] == "'" + changed[0]["text"]
    as_json = client.get(f"/api/records/{record_id}").json()["record"]["text"]
    assert as_json == changed[0]["text"]


def test_damaged_data_is_a_503_naming_the_file_row_and_column(client, data_copy):
    changed = [dict(r) for r in RECORDS]
    changed[4]["themes"] = "nonsense"
    write_rows(data_copy / "recommendations.csv", changed)
    for path in ("/api/health", "/api/records"):
        answer = client.get(path)
        assert answer.status_code == 503 and answer.headers["content-type"] == "application/json"
        problems = answer.json()["problems"]
        assert {"file": "recommendations.csv", "row": 6, "column": "themes"}.items() <= problems[0].items()


# ------------------------------------------------------------------------------------------------ the description


def routed_paths() -> set[str]:
    return {api.PREFIX + r.path for r in api.ROUTES if isinstance(r, Route) and r.path != "/{path:path}"}


def test_the_openapi_description_names_every_route_and_nothing_else(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == routed_paths()
    for item in spec["paths"].values():
        assert item["get"]["summary"] and "200" in item["get"]["responses"]


def test_the_filters_are_exactly_the_dashboards_url_keys_and_paging_is_the_apis_own():
    spec = api.openapi(api.published().dataset)
    records = {p["name"] for p in spec["paths"]["/api/records"]["get"]["parameters"]}
    assert records == set(URL_KEYS.values()) - {"status"} | {"limit", "offset"}
    assert not {"limit", "offset", "by"} & set(URL_KEYS.values())


@pytest.mark.parametrize("path", sorted(p for p in routed_paths() if "{" not in p))
def test_every_described_parameter_is_understood(client, path):
    spec = api.openapi(api.published().dataset)
    for parameter in spec["paths"][path]["get"].get("parameters", []):
        schema = parameter["schema"]
        example = {"array": lambda s: s["items"]["enum"][0], "integer": lambda s: str(s["minimum"])}.get(
            schema["type"], lambda s: s.get("enum", ["training"])[0]
        )(schema)
        answer = client.get(path, params={parameter["name"]: example})
        assert answer.status_code == 200, (parameter["name"], answer.text)


def test_the_json_rows_hold_the_columns_the_description_gives(client):
    spec = client.get("/api/openapi.json").json()
    for name in api.TABLES:
        row = client.get(f"/api/{name}", params={"limit": "1"}).json()[name][0]
        described = spec["components"]["schemas"][f"{name}_row"]["properties"]
        assert list(row) == list(described), name
        assert list(row.get("labels", {})) == list(described.get("labels", {}).get("properties", {})), name


# ------------------------------------------------------------------------------------------------ the page's side


@pytest.mark.parametrize(
    "page_url, fmt, expected",
    [
        (None, "json", "/api/records"),
        ("http://127.0.0.1:8501/explore", "csv", "http://127.0.0.1:8501/api/records.csv"),
    ],
)
def test_the_default_views_data_address(page_url, fmt, expected):
    assert api.data_address(flt.Filters(), page_url, fmt) == expected


def test_a_views_data_address_is_its_page_address_with_another_path():
    filters, _ = flt.from_query_params(
        {"theme": ["protection", "prevention"], "event": "kampala-2007", "q": "police training", "source": "all"},
        api.published().dataset.codebook,
        api.published().dataset.events,
    )
    address = api.data_address(filters, "https://gift.example.org:8501/crosstab")
    assert address == (
        "https://gift.example.org:8501/api/records?event=kampala-2007&theme=protection&theme=prevention"
        "&source=all&q=police+training"
    )
    statuses = dataclasses.replace(filters, statuses=("planned",))
    assert api.data_address(statuses, "https://gift.example.org:8501/crosstab") == address  # not served


def test_starting_the_server_does_not_import_the_api():
    # app.py mounts gift_dash.api lazily: importing it (pandas, the core) as the server starts would delay every
    # start by most of a second, which the warm-up (app._lifespan) exists to avoid.
    code = (
        "import runpy, sys\n"
        f"found = runpy.run_path({str(ROOT / 'app.py')!r})\n"
        "print(sorted(m for m in ('pandas', 'gift_dash.api') if m in sys.modules), type(found['app']).__name__)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "App"]
