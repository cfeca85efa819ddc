"""The published dataset over HTTP: read-only JSON and CSV under /api/, answered by the dashboard's own server.

``router`` holds the handlers; app.py mounts it at PREFIX beside the pages (st.App routes). ``openapi()`` describes
every address and parameter (served at /api/openapi.json); the README has examples.

- **A view's data address is its page address with another path.** The filters are the dashboard's URL keys
  (filters.URL_KEYS), parsed by the same function as the pages' (filters.from_query_params), so
  ``/explore?theme=protection`` and ``/api/records?theme=protection`` hold the same records, in the order the
  Explore page lists them by default (document order; best match first with a search).
- **Refused, not guessed.** Where a page leaves out what it does not understand with a notice, a script has nobody
  to read one: an unknown key, a repeated single-valued key or an invalid value is answered 400 with the list of
  what was not understood (parameter, value, problem, what is expected), and nothing else.
- **The published dataset only.** No follow-up data (statuses, notes, people: they need a sign-in), so the
  follow-up status key is refused with a 400 that says so; no uploads (they live in one browser session).
- **Bounded.** Lists come in pages (``limit``, ``offset``: the API's own keys; ``next`` is the following page).
- **Every answer says what it is**: the dataset version and the scope in words, in the JSON and in headers.
- CSV cells are formula-safe as in the exports (export.neutralise). No CORS headers: no other site's page can read
  the answers from a visitor's browser. Errors are JSON, never a traceback (the server log has the details).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import pandas as pd
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from gift_dash import export, response
from gift_dash import filters as flt
from gift_dash.citation import citations
from gift_dash.data import Dataset, ShippedDataError, data_dir, load_dataset
from gift_dash.dimensions import DIMENSIONS, JOINED
from gift_dash.schema import (
    CODEBOOK_COLUMNS,
    EVENT_COLUMNS,
    MULTI_VOCAB_COLUMNS,
    OPTIONAL_CODEBOOK_COLUMNS,
    RECORD_COLUMNS,
    RESPONSE_COLUMNS,
    WORKPLAN_COLUMNS,
    among,
    by_date,
    split_multi,
)
from gift_dash.search import search
from gift_dash.view import View, ranked

PREFIX = "/api"
CSV_SUFFIX = ".csv"
# The API's own keys, beside the filters. Paging: JSON pages are short, for scripts that follow "next"; a CSV page
# holds the most a page may, since Excel, Power BI and pandas.read_csv read one address and never see a "next".
LIMIT_KEY, OFFSET_KEY, BY_KEY = "limit", "offset", "by"
MAX_LIMIT = 1_000
DEFAULT_LIMIT = {"json": 100, "csv": MAX_LIMIT}
FORMATS = {"": "json", CSV_SUFFIX: "csv"}  # path suffix -> format
FOLLOW_UP_REFUSED = (
    "follow-up data (statuses, notes, people) is not served over HTTP: it needs a sign-in on the dashboard; "
    "these addresses serve the published dataset only"
)
NOT_A_PARAMETER = "not a parameter of this address"
FILTER_KEYS = tuple(key for key in flt.URL_KEYS.values() if key not in {d.key for d in JOINED})
# Columns of a records answer that hold ids or codebook values, with the labels people read: every dimension read
# from the records' own column (the programme is the events'; the follow-up status is joined from the store).
LABELLED = {d.column: d for d in DIMENSIONS.values() if not d.joined and d.event_column in (None, "event_id")}
COVERAGE_COLUMNS = {  # response.coverage's headings -> the names its answers use
    "Records": "records",
    "With a planned response": "with_response",
    "Share with a response (%)": "share_with_response_percent",
    "Explicit": "explicit",
    "Thematic only": "thematic_only",
    "No planned response": "no_response",
}
RESPONSE_ANSWER_COLUMNS = [*RESPONSE_COLUMNS, "activity", "pillar"]  # the activity a sub-item belongs to, its pillar
HEADERS = {"X-Content-Type-Options": "nosniff"}  # a browser shows JSON and CSV as what they are, never as a page

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Published:
    """The dataset of a data folder and its facets, loaded once per process (the folder is read-only to the
    program, as the pages' cache assumes too)."""

    folder: str
    dataset: Dataset
    facets: flt.Facets

    @functools.cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """Column -> value -> label, for the columns of LABELLED."""
        ds = self.dataset
        return {column: dim.labels(ds.codebook, ds.events) for column, dim in LABELLED.items()}

    @functools.cached_property
    def response_labels(self) -> dict[str, dict[str, str]]:
        """Column -> value -> label, for the columns of a response link that hold codebook values or ids."""
        workplan = self.dataset.workplan
        titles = dict(zip(workplan["workplan_id"], workplan["title"], strict=True))
        return {
            "strength": self.dataset.codebook.labels("response_strength"),
            "activity_id": titles,
            "activity": titles,
            "pillar": response.pillar_names(workplan).to_dict(),
        }


_LOADING = threading.Lock()  # one load per folder, not one per concurrent first request


@functools.lru_cache(maxsize=4)
def _published(folder: str) -> Published:
    dataset = load_dataset(Path(folder))
    return Published(folder, dataset, flt.Facets(dataset.records, dataset.events))


def published() -> Published:
    """The data folder the pages read ($GIFT_DATA_DIR or data/), loaded and checked; ShippedDataError if damaged."""
    with _LOADING:
        return _published(str(data_dir()))


@functools.lru_cache(maxsize=32)
def _matches(folder: str, version: str, query: str) -> pd.DataFrame:
    """search() of a query over a folder's records, scored once per dataset version and query (read-only)."""
    ds = _published(folder).dataset
    return search(ds.records, query, ds.codebook, fill=None)


def view_of(data: Published, filters) -> View:
    """The records ``filters`` select, worked out as the pages do."""
    ds = data.dataset
    matches = _matches(data.folder, ds.version, filters.query) if filters.query.strip() else None
    masks = flt.masks(ds.records, ds.events, filters, data.facets, ds.codebook, matches)
    return View.of(ds, filters, masks, matches=matches)


# ---------------------------------------------------------------------------------------------- the question


class BadRequest(Exception):
    """The query string holds something this address does not understand; ``problems`` say what (as JSON)."""

    def __init__(self, problems: list[dict]) -> None:
        super().__init__(problems)
        self.problems = problems


class NotFound(Exception):
    """Nothing at this address; the message says what was looked for."""


def problem(key: str, value: str | None, what: str, expected: list[str] | None = None) -> dict:
    """One thing not understood, as a 400 answer lists it."""
    return {"parameter": key, "value": value, "problem": what} | ({"expected": expected} if expected else {})


class Query:
    """One request's query string as one address reads it: its filters (when it takes them) and its own settings
    (``own`` keys), every problem gathered; ``check()`` raises them all at once."""

    def __init__(self, request: Request, ds: Dataset, own: tuple[str, ...] = (), filtered: bool = False) -> None:
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        self.accepted = [*(FILTER_KEYS if filtered else ()), *own]
        joined = [d.key for d in JOINED if d.key in params]
        self.problems = [problem(key, None, FOLLOW_UP_REFUSED) for key in joined]
        self.own: dict[str, str] = {}
        for key in own:
            notices: list[flt.Notice] = []
            value = flt.single_value(key, flt.url_strings(key, params.get(key, []), notices), notices)
            self.problems += [problem(n.key, n.value, n.problem) for n in notices]
            if value is not None:
                self.own[key] = value
        self.filters = flt.Filters()
        if filtered:
            self.filters, notices = flt.from_query_params(params, ds.codebook, ds.events, (*own, *joined))
            self.problems += [
                problem(
                    n.key,
                    n.value,
                    NOT_A_PARAMETER if n.problem == flt.UNKNOWN else n.problem,
                    self._expected(n.key, ds),
                )
                for n in notices
            ]
        else:
            self.problems += [
                problem(key, None, NOT_A_PARAMETER, self.accepted or None)
                for key in params
                if key not in own and key not in joined
            ]

    def _expected(self, key: str, ds: Dataset) -> list[str] | None:
        """What a filter key accepts, or the keys this address accepts when ``key`` is none of them."""
        if key == flt.THEME_MODE_KEY:
            return list(flt.THEME_MODES)
        if key in DIMENSIONS:
            values = DIMENSIONS[key].values(ds.codebook, ds.events)
            return [*values, flt.ALL_SOURCES] if DIMENSIONS[key].field == "sources" else values
        return None if key in self.accepted else self.accepted

    def number(self, key: str, default: int, low: int, high: int | None = None) -> int:
        """A whole number from ``low`` to ``high`` (None: no upper bound); ``default`` when the key is absent."""
        text = self.own.get(key)
        if text is None:
            return default
        if text.isascii() and text.isdigit() and int(text) >= low and (high is None or int(text) <= high):
            return int(text)
        within = f"from {low} to {high:,}" if high is not None else f"of {low} or more"
        self.problems.append(problem(key, flt.cut(text), f"expected a whole number {within}"))
        return default

    def choice(self, key: str, allowed: list[str]) -> str | None:
        """One of ``allowed``; None when the key is absent."""
        value = self.own.get(key)
        if value is None or value in allowed:
            return value
        self.problems.append(problem(key, flt.cut(value), f"expected one of {', '.join(allowed)}", allowed))
        return None

    def check(self) -> None:
        if self.problems:
            raise BadRequest(self.problems)


# ---------------------------------------------------------------------------------------------- the answers


@dataclass(frozen=True)
class Table:
    """A list answer before paging: rows with the data's own columns and values (a multi-valued cell as the files
    hold it, "a; b"), what they are, and what the JSON form adds."""

    frame: pd.DataFrame
    scope: str
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column -> value -> label, in JSON
    about: dict = field(default_factory=dict)  # further members of the JSON answer (the filters in force, ...)


def json_rows(frame: pd.DataFrame, labels: Mapping[str, Mapping[str, str]] | None = None) -> list[dict]:
    """The rows as JSON objects: the data's columns (a multi-valued one as a list), a missing number as null, and
    under "labels" the label of each id or codebook value."""
    multi = [column for column in frame.columns if column in MULTI_VOCAB_COLUMNS]
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        for column in multi:
            row[column] = split_multi(row[column])
        if labels:
            row["labels"] = {
                column: [names.get(v, v) for v in row[column]] if column in multi else names.get(row[column]) or None
                for column, names in labels.items()
            }
    return rows


def _headers(version: str, scope: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    # HTTP headers are Latin-1: the scope goes percent-encoded (urllib.parse.unquote gives the words back).
    return HEADERS | {"X-Dataset-Version": version, "X-Scope": quote(scope, safe=" ,:;'()")} | dict(extra or {})


def paged(request: Request, name: str, version: str, table: Table, fmt: str, limit: int, offset: int) -> Response:
    """One page of ``table`` as JSON or CSV, with the dataset version, the scope, the count and the next page."""
    count = len(table.frame)
    page = table.frame.iloc[offset : offset + limit]
    next_url = str(request.url.include_query_params(**{OFFSET_KEY: offset + limit})) if offset + limit < count else None
    headers = _headers(version, table.scope, {"X-Total-Count": str(count)})
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="gift-{name}-{version}.csv"'
        return Response(export.csv_bytes(page), media_type="text/csv; charset=utf-8", headers=headers)
    body = {
        "dataset_version": version,
        "scope": table.scope,
        **table.about,
        "count": count,
        "offset": offset,
        "limit": limit,
        "next": next_url,
        name: json_rows(page, table.labels),
    }
    return JSONResponse(body, headers=headers)


def _view(data: Published, filters) -> tuple[View, dict]:
    """The view ``filters`` select, and the filters as an answer repeats them (their URL form)."""
    return view_of(data, filters), {"filters": flt.to_query_params(filters)}


def records_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    view, about = _view(data, filters)
    records, _ = ranked(view)
    about["records_in_dataset"] = len(data.dataset.records)
    return Table(records[RECORD_COLUMNS], view.description, data.labels, about)


def events_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    view, about = _view(data, filters)
    events = by_date(data.dataset.events).reset_index(drop=True)[EVENT_COLUMNS]
    in_view = view.records["event_id"].value_counts()
    events = events.assign(records_in_view=events["event_id"].map(in_view).fillna(0).astype(int))
    return Table(events, view.description, about=about)


def responses_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    view, about = _view(data, filters)
    links = response.links(data.dataset)
    links = links[among(links["record_id"], view.records["id"])]
    return Table(links[RESPONSE_ANSWER_COLUMNS].reset_index(drop=True), view.description, data.response_labels, about)


def coverage_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    view, about = _view(data, filters)
    ds, by = data.dataset, settings[BY_KEY]
    table = response.coverage(view.records, ds, by)
    groups = table.iloc[:, 0]
    if by is None:
        values = pd.Series(None, index=table.index, dtype=object)
    else:  # the table names its groups by their labels; the answer gives each group's value too
        value_of = {label: value for value, label in DIMENSIONS[by].labels(ds.codebook, ds.events).items()}
        values = groups.map(value_of)
    frame = pd.DataFrame({"value": values, "label": groups}).join(table[list(COVERAGE_COLUMNS)])
    about |= {
        BY_KEY: by,
        "records_not_read_against_the_workplan": len(view.records) - len(response.in_scope(view.records)),
    }
    return Table(frame.rename(columns=COVERAGE_COLUMNS), view.description, about=about)


def workplan_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    ds = data.dataset
    return Table(
        ds.workplan[WORKPLAN_COLUMNS], "The whole annex I workplan", {"kind": ds.codebook.labels("workplan_kind")}
    )


def codebook_table(data: Published, filters, settings: Mapping[str, str | None]) -> Table:
    return Table(data.dataset.codebook.entries[CODEBOOK_COLUMNS + OPTIONAL_CODEBOOK_COLUMNS], "The whole codebook")


INTEGER, NUMBER_OR_NULL, TEXT_OR_NULL = {"type": "integer"}, {"type": ["number", "null"]}, {"type": ["string", "null"]}


@dataclass(frozen=True)
class TableAddress:
    """A list address, /api/NAME (JSON) and /api/NAME.csv: how its table is built, what it holds (for the
    OpenAPI description), and what it takes besides paging: the filters or not, and its ``own`` settings (key ->
    the values allowed)."""

    build: Callable[[Published, object, Mapping[str, str | None]], Table]
    summary: str
    columns: tuple[str, ...]  # its rows' columns, in order
    types: Mapping[str, dict] = field(default_factory=dict)  # JSON schema of the columns that are not text
    labelled: tuple[str, ...] = ()  # columns whose labels a JSON row gives under "labels"
    about: Mapping[str, dict] = field(default_factory=dict)  # JSON schema of the members its table's about adds
    filtered: bool = True
    own: Mapping[str, list[str]] = field(default_factory=dict)


TABLES = {
    "records": TableAddress(
        records_table,
        "The records a view selects, in the order the Explore page lists them by default (document order; best "
        "match first with a search).",
        tuple(RECORD_COLUMNS),
        types={column: {"type": "array", "items": {"type": "string"}} for column in MULTI_VOCAB_COLUMNS},
        labelled=tuple(LABELLED),
        about={"records_in_dataset": INTEGER},
    ),
    "events": TableAddress(
        events_table,
        "Every event, by date, with the number of the view's records from it (records_in_view).",
        (*EVENT_COLUMNS, "records_in_view"),
        types={"records_in_view": INTEGER},
    ),
    "responses": TableAddress(
        responses_table,
        "The response links of the view's records: which annex I workplan activity (or lettered sub-item) "
        "responds to which record, how strongly, and why (basis), in workplan order.",
        tuple(RESPONSE_ANSWER_COLUMNS),
        labelled=("strength", "activity_id", "activity", "pillar"),
    ),
    "coverage": TableAddress(
        coverage_table,
        "The share of the view's records with a planned response (explicit or thematic), overall or by event, "
        "theme or target group (by). Section V outcomes and uploaded records were not read against the workplan "
        "and are not counted.",
        ("value", "label", *COVERAGE_COLUMNS.values()),
        types={"value": TEXT_OR_NULL}
        | {c: INTEGER for c in COVERAGE_COLUMNS.values()}
        | {"share_with_response_percent": NUMBER_OR_NULL},
        about={BY_KEY: TEXT_OR_NULL, "records_not_read_against_the_workplan": INTEGER},
        own={BY_KEY: list(response.COVERAGE_DIMENSIONS)},
    ),
    "workplan": TableAddress(
        workplan_table,
        "The annex I workplan: pillars, outputs, activities and lettered sub-items.",
        tuple(WORKPLAN_COLUMNS),
        filtered=False,
        labelled=("kind",),
    ),
    "codebook": TableAddress(
        codebook_table,
        "Every codebook entry: vocabulary, value, label, definition, inclusion rule.",
        (*CODEBOOK_COLUMNS, *OPTIONAL_CODEBOOK_COLUMNS),
        filtered=False,
    ),
}


def _table_endpoint(name: str, fmt: str) -> Callable[[Request], Response]:
    address = TABLES[name]

    def answer(request: Request) -> Response:
        data = published()
        query = Query(request, data.dataset, (*address.own, LIMIT_KEY, OFFSET_KEY), address.filtered)
        settings = {key: query.choice(key, allowed) for key, allowed in address.own.items()}
        limit = query.number(LIMIT_KEY, DEFAULT_LIMIT[fmt], 1, MAX_LIMIT)
        offset = query.number(OFFSET_KEY, 0, 0)
        query.check()  # a table is built only for a question understood
        table = address.build(data, query.filters, settings)
        return paged(request, name, data.dataset.version, table, fmt, limit, offset)

    return answer


def record(request: Request) -> Response:
    """One record with its labels, citation and planned response (the links answering it)."""
    data = published()
    ds = data.dataset
    Query(request, ds).check()
    record_id = request.path_params["record_id"]
    found = ds.records[ds.records["id"] == record_id]
    if found.empty:
        raise NotFound(f"no record with id {flt.shown(record_id)}; {PREFIX}/records lists them")
    links = response.links(ds)
    scope = f"Record {record_id}"
    body = {
        "dataset_version": ds.version,
        "scope": scope,
        "record": json_rows(found[RECORD_COLUMNS], data.labels)[0],
        "citation": citations(found, ds.events).iloc[0],
        "responses": json_rows(
            links.loc[links["record_id"] == record_id, RESPONSE_ANSWER_COLUMNS], data.response_labels
        ),
    }
    return JSONResponse(body, headers=_headers(ds.version, scope))


def _plain(scope: str, build: Callable[[Published], dict]) -> Callable[[Request], Response]:
    """An address that takes no parameters and answers ``build(data)`` with the dataset version and ``scope``."""

    def answer(request: Request) -> Response:
        data = published()
        Query(request, data.dataset).check()
        version = data.dataset.version
        return JSONResponse(
            {"dataset_version": version, "scope": scope, **build(data)}, headers=_headers(version, scope)
        )

    return answer


def openapi_json(request: Request) -> Response:
    data = published()
    Query(request, data.dataset).check()
    return JSONResponse(openapi(data.dataset), headers=_headers(data.dataset.version, "This API's description"))


def not_found(request: Request) -> Response:
    raise NotFound(f"nothing at {flt.shown(request.url.path)}; {PREFIX}/ lists the addresses")


def _version() -> str | None:
    try:
        return published().dataset.version
    except ShippedDataError:
        return None


def _guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """A handler whose every failure is a JSON answer, never a traceback."""

    @functools.wraps(handler)
    def endpoint(request: Request) -> Response:
        try:
            return handler(request)
        except BadRequest as exc:
            body = {
                "error": "Some parameters were not understood, so nothing was answered.",
                "not_understood": exc.problems,
            }
            return _error(400, body, _version())
        except NotFound as exc:
            return _error(404, {"error": str(exc)}, _version())
        except ShippedDataError as exc:
            body = {
                "error": "The dashboard's data files are damaged, so nothing is served.",
                "problems": [p.as_dict() for p in exc.problems],
            }
            return _error(503, body)
        except Exception:
            log.exception("answering %s failed", request.url.path)
            return _error(500, {"error": "The server could not answer; its log has the details."})

    return endpoint


def _error(status: int, body: dict, version: str | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=HEADERS | ({"X-Dataset-Version": version} if version else {}))


def _health(data: Published) -> dict:
    return {"status": "ok", "records": len(data.dataset.records)}


def _index(data: Published) -> dict:
    paths = openapi(data.dataset)["paths"]
    return {
        "description": f"{PREFIX}/openapi.json",
        "addresses": {path: item["get"]["summary"] for path, item in paths.items()},
    }


# Paths relative to PREFIX (app.py mounts the router there). Sync handlers: Starlette runs them in worker threads,
# so pandas work never holds up the pages' websockets. GET and HEAD only (Starlette answers any other method 405).
ROUTES = [
    Route("/", _guarded(_plain("The addresses of the published dataset", _index))),
    *(
        Route(f"/{name}{suffix}", _guarded(_table_endpoint(name, fmt)))
        for name in TABLES
        for suffix, fmt in FORMATS.items()
    ),
    Route("/records/{record_id}", _guarded(record)),
    Route("/health", _guarded(_plain("The published dataset", _health))),
    Route("/openapi.json", _guarded(openapi_json)),
    Route("/{path:path}", _guarded(not_found)),  # without it the app's own HTML page would answer, with a 200
]
router = Router(routes=ROUTES)


def data_address(filters, page_url: str | None = None, fmt: str = "json") -> str:
    """The address of a view's records as data: the page's own address (``page_url``, e.g. st.context.url) with the
    path of /api/records (or its CSV) and the query string the page's address has for these filters; a path alone
    when the page's address is unknown. The follow-up status is left out: the API does not serve it."""
    served = dataclasses.replace(filters, **{d.field: () for d in JOINED})
    query = urlencode(flt.to_query_params(served), doseq=True)
    path = f"{PREFIX}/records" + (CSV_SUFFIX if fmt == "csv" else "")
    parts = urlsplit(page_url or "")
    if not parts.scheme or not parts.netloc:
        return f"{path}?{query}" if query else path
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


# ---------------------------------------------------------------------------------------------- the description


def _parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def filter_parameters(ds: Dataset) -> list[dict]:
    """The filters as OpenAPI parameters: the dashboard's URL keys, with the values the data allows."""
    out = []
    for dim in DIMENSIONS.values():
        if dim.joined:
            continue
        values = dim.values(ds.codebook, ds.events)
        words = f"{dim.label}: the records holding any of these values (repeat the key for several)"
        if dim.field == "themes":
            words += "; all of them with theme_mode=all"
        if dim.field == "sources":
            values = [*values, flt.ALL_SOURCES]
            words += f". Absent: annex II alone, as on the pages; '{flt.ALL_SOURCES}': every source"
        item = {"type": "string", "enum": values}
        schema = {"type": "array", "items": item, "maxItems": flt.MAX_VALUES_PER_KEY}
        out.append(_parameter(dim.key, words, schema) | {"style": "form", "explode": True})
    out.append(
        _parameter(
            flt.QUERY_KEY,
            'Search the text as the sidebar\'s search box does (typos, synonyms, codebook tags; "a phrase" in quotes)',
            {"type": "string", "maxLength": flt.MAX_QUERY_CHARS},
        )
    )
    out.append(
        _parameter(
            flt.THEME_MODE_KEY,
            "How several themes combine: records with any of them, or with all of them",
            {"type": "string", "enum": list(flt.THEME_MODES), "default": "any"},
        )
    )
    return out


def _paging_parameters(fmt: str) -> list[dict]:
    return [
        _parameter(
            LIMIT_KEY,
            f"Rows per page (at most {MAX_LIMIT:,})",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT[fmt]},
        ),
        _parameter(
            OFFSET_KEY,
            "Rows to skip: the next page starts at offset + limit",
            {"type": "integer", "minimum": 0, "default": 0},
        ),
    ]


def _row_schema(address: TableAddress) -> dict:
    properties = {column: address.types.get(column, {"type": "string"}) for column in address.columns}
    if address.labelled:
        properties["labels"] = {
            "type": "object",
            "description": "The label people read for each id or codebook value (a list for a list)",
            "properties": {c: {"type": ["string", "array", "null"]} for c in address.labelled},
        }
    return {"type": "object", "properties": properties, "required": list(properties)}


PAGE_HEADERS = {
    "X-Dataset-Version": {"description": "The dataset's fingerprint", "schema": {"type": "string"}},
    "X-Scope": {"description": "The scope in words, percent-encoded UTF-8", "schema": {"type": "string"}},
    "X-Total-Count": {"description": "Rows in all pages", "schema": {"type": "integer"}},
    "Link": {"description": '<the next page>; rel="next", while there is one', "schema": {"type": "string"}},
}


FILTERS_SCHEMA = {
    "type": "object",
    "description": "The filters in force, in their URL form (defaults left out)",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _page_schema(name: str, address: TableAddress) -> dict:
    properties = {
        "dataset_version": {"type": "string"},
        "scope": {"type": "string", "description": "The filters in words (filters.describe)"},
        **({"filters": FILTERS_SCHEMA} if address.filtered else {}),
        **address.about,
        "count": {"type": "integer", "description": "Rows in all pages"},
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "next": {"type": ["string", "null"], "description": "The next page's address; null on the last page"},
        name: {"type": "array", "items": {"$ref": f"#/components/schemas/{name}_row"}},
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _responses(ok: dict, bad_request: bool = True) -> dict:
    out = {"200": ok}
    if bad_request:
        out["400"] = {
            "description": "Parameters not understood",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/not_understood"}}},
        }
    out["503"] = {
        "description": "The data files are damaged",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/damaged"}}},
    }
    return out


def openapi(ds: Dataset) -> dict:
    """The OpenAPI 3.1 description of every address under /api/ (a test checks it names every route and every
    parameter the handlers accept). Parameter values come from the data: the codebook's and the events'."""
    filters = filter_parameters(ds)
    paths: dict[str, dict] = {}
    for name, address in TABLES.items():
        own = [
            _parameter(key, f"One of {', '.join(allowed)}", {"type": "string", "enum": allowed})
            for key, allowed in address.own.items()
        ]
        for suffix, fmt in FORMATS.items():
            content = (
                {
                    "text/csv": {
                        "schema": {
                            "type": "string",
                            "description": "UTF-8 with a byte-order mark; a header row, then one row per record; formula-safe cells",
                        }
                    }
                }
                if fmt == "csv"
                else {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}_page"}}}
            )
            paths[f"{PREFIX}/{name}{suffix}"] = {
                "get": {
                    "summary": address.summary + (" As CSV." if fmt == "csv" else ""),
                    "parameters": (filters if address.filtered else []) + own + _paging_parameters(fmt),
                    "responses": _responses({"description": "One page", "headers": PAGE_HEADERS, "content": content}),
                }
            }
    record_ok = {
        "description": "The record",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/record"}}},
    }
    paths[f"{PREFIX}/records/{{record_id}}"] = {
        "get": {
            "summary": "One record by its id, with its labels, citation and planned response.",
            "parameters": [{"name": "record_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": _responses(record_ok)
            | {
                "404": {
                    "description": "No record with this id",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
                }
            },
        }
    }
    plain = {"description": "The answer", "content": {"application/json": {"schema": {"type": "object"}}}}
    for path, summary in (
        ("/", "The addresses of the published dataset, each with its summary."),
        ("/health", "Whether the data can be served: 200 with the dataset version, 503 with what is damaged."),
        ("/openapi.json", "This description."),
    ):
        paths[f"{PREFIX}{path}"] = {"get": {"summary": summary, "responses": _responses(plain)}}
    schemas = {f"{name}_row": _row_schema(address) for name, address in TABLES.items()}
    schemas |= {f"{name}_page": _page_schema(name, address) for name, address in TABLES.items()}
    schemas |= {
        "record": {
            "type": "object",
            "properties": {
                "dataset_version": {"type": "string"},
                "scope": {"type": "string"},
                "record": {"$ref": "#/components/schemas/records_row"},
                "citation": {"type": "string"},
                "responses": {"type": "array", "items": {"$ref": "#/components/schemas/responses_row"}},
            },
        },
        "not_understood": {
            "type": "object",
            "properties": {
                "error": {"type": "string"},
                "not_understood": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "parameter": {"type": "string"},
                            "value": {
                                "type": ["string", "null"],
                                "description": "As given (cut); null when the key is the problem",
                            },
                            "problem": {"type": "string"},
                            "expected": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["parameter", "value", "problem"],
                    },
                },
            },
        },
        "error": {"type": "object", "properties": {"error": {"type": "string"}}},
        "damaged": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "object"}}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{export.APP_TITLE}: the published dataset",
            "version": ds.version,
            "description": (
                "Read-only. The filters are the dashboard's own URL keys, so a view's page address and its data "
                "address differ only in the path. Anything not understood is answered 400 with a list naming it. "
                f"The follow-up status key ({', '.join(d.key for d in JOINED)}) is refused: {FOLLOW_UP_REFUSED}."
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
