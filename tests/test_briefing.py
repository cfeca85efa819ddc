"""The briefing as its reader relies on it: a one-page summary first, every record in scope quoted verbatim under
its list's full citation (given once per list) and cited elsewhere by its short label, recurring ideas by what
they are about, no internal id on the page, every data field escaped, nothing loaded from outside; and the
`briefing` / `export` commands."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from gift_dash import cli
from gift_dash.briefing import (
    PdfUnavailable,
    Response,
    html_to_pdf,
    ideas_in_scope,
    render_briefing,
)
from gift_dash.citation import citation, item_label, short_labels
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply, describe
from gift_dash.schema import Codebook
from gift_dash.similarity import build_index, groups
from gift_dash.tabulate import facet_counts
from gift_dash.upload import EXAMPLE_EVENT, EXAMPLE_RECORD, merge_upload

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror=alert(2)> & "quotes"'
FETCHING_ATTRIBUTES = {"src", "href", "srcset", "action", "data", "poster", "xlink:href", "background", "formaction"}
VOID = {"meta", "br", "img", "link", "col", "hr", "input", "source", "wbr"}
BLOCKS = {"p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "figcaption", "blockquote", "title"}
PROTECTION = Filters(themes=("protection",))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def top_ideas(dataset, records):
    """The recurring ideas the briefing names for these records, as the core ranks them."""
    return ideas_in_scope(records, groups(build_index(dataset.records, codebook=dataset.codebook)))


def briefing(dataset, filters: Filters, **sections) -> str:
    """The briefing as the page and the command make it: the records the filters select, the filters in words."""
    records = apply(dataset.records, dataset.events, filters)
    return render_briefing(
        records, dataset, describe(filters, dataset.codebook, dataset.events), generated_at=WHEN, **sections
    )


class Briefing(HTMLParser):
    """What a reader sees in a briefing: the visible text of each section (by its class), the appendix's lists
    (heading citation, and per item its quote and short label), the headings of the recurring ideas; and the
    tags and style text, for the checks that nothing loads or runs."""

    def __init__(self, document: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self.text: dict[str, str] = {}
        self.lists: list[dict] = []  # {"cite": str, "records": {id: {"text": str, "label": str}}}
        self.records: dict[str, dict[str, str]] = {}
        self.ideas: list[str] = []
        self._section = "head"
        self._record: str | None = None
        self._open: list[str | None] = []  # per open element: what its text is part of

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        part = self._open[-1] if self._open else None
        if tag == "section":
            self._section = classes[0]
        elif tag == "div" and "list-head" in classes:
            self.lists.append({"cite": "", "records": {}})
        elif tag == "div" and "record" in classes:
            self._record = attributes["id"].removeprefix("r-")
            self.records[self._record] = self.lists[-1]["records"][self._record] = {"text": "", "label": ""}
        elif tag == "p" and "cite" in classes and self.lists:
            part = "cite"
        elif self._record and ((tag == "q" and "text" in classes) or (tag == "p" and "label" in classes)):
            part = "text" if tag == "q" else "label"
        elif tag == "h3" and self._section == "part":
            part = "idea"
            self.ideas.append("")
        elif tag == "style":
            part = "style"
        if tag not in VOID:
            self._open.append(part)

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()
        if tag in BLOCKS:  # what a reader sees as separate words
            self.text[self._section] = self.text.get(self._section, "") + " "
        if tag == "div":
            self._record = None

    def handle_data(self, data):
        part = self._open[-1] if self._open else None
        if part == "style":
            self.styles.append(data)
            return
        self.text[self._section] = self.text.get(self._section, "") + data
        if part == "cite":
            self.lists[-1]["cite"] += data
        elif part in ("text", "label"):
            self.records[self._record][part] += data
        elif part == "idea":
            self.ideas[-1] += data

    def section(self, name: str) -> str:
        return re.sub(r"\s+", " ", self.text.get(name, ""))

    def visible(self) -> str:
        return re.sub(r"\s+", " ", " ".join(text for name, text in self.text.items() if name != "head"))


def parse(document: str) -> Briefing:
    parsed = Briefing(document)
    parsed.feed(document)
    return parsed


def assert_loads_nothing(document: str) -> None:
    parsed = parse(document)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "iframe" not in tags and "object" not in tags and "embed" not in tags
    assert not [a for tag, a in parsed.tags if tag == "link"], "no <link>: styles are inline"
    for tag, attributes in parsed.tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}>"
            if name in FETCHING_ATTRIBUTES:
                assert value.startswith("#"), f"<{tag} {name}={value!r}> could fetch something"
    style = "".join(parsed.styles)
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    # No address at all in markup; in text it would be harmless, and this data has none.
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", document, re.I)
    csp = [a["content"] for tag, a in parsed.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


# ---------------------------------------------------------------------------------------------- what a reader relies on


@pytest.mark.parametrize(
    "filters",
    [
        PROTECTION,
        Filters(themes=("prevention", "cooperation"), theme_mode="all", sources=()),
        Filters(events=("vienna-2008", "egypt-2007"), sources=()),
    ],
    ids=["protection", "prevention-and-cooperation-all-sources", "not-annex-ii"],
)
def test_every_record_is_quoted_verbatim_under_its_lists_full_citation_and_labelled_short(dataset, filters):
    document = briefing(dataset, filters)
    in_scope = apply(dataset.records, dataset.events, filters).set_index("id", drop=False)
    assert len(in_scope) > 0
    parsed = parse(document)
    assert sorted(parsed.records) == sorted(in_scope["id"])
    short_names = dict(zip(dataset.events["event_id"], dataset.events["short_name"], strict=True))
    for heading in parsed.lists:
        for record_id, quoted in heading["records"].items():
            record = in_scope.loc[record_id].to_dict()
            assert quoted["text"] == record["text"]
            # The heading is the record's full citation up to the item: heading and item label cite it in full.
            assert heading["cite"] == citation({**record, "item": ""}, dataset.events)
            assert citation(record, dataset.events).startswith(heading["cite"].removesuffix("."))
            # "Kampala 2007 · General recommendations (e) · Themes: …"
            event, list_name, *_ = quoted["label"].split(" · ")
            assert re.fullmatch(rf"{re.escape(short_names[record['event_id']])} 20\d\d", event)
            assert list_name.endswith(f" {item_label(record['item'])}" if record["item"] else "")
    cites = [heading["cite"] for heading in parsed.lists]
    assert len(cites) == len(set(cites)) == in_scope["list_id"].nunique(), "one heading per list"
    for cite in cites:
        assert parsed.section("appendix").count(cite) == 1 and parsed.section("sources").count(cite) == 1
    assert_loads_nothing(document)


@pytest.mark.parametrize(
    "record_id, label",
    [
        ("kampala-2007-gen-e", "Kampala 2007 · General recommendations (e)"),
        ("bangkok-2007-pri-c-iv", "Bangkok 2007 · Priority actions (c)(iv)"),
        ("egypt-2007-outcome", "Egypt (LAS) 2007 · Preparatory phase"),  # no start date: the year its dates state
        ("vienna-2008-fin-j", "Vienna Forum 2008 · Key findings and recommendations (j)"),
    ],
)
def test_a_record_is_labelled_by_event_year_list_and_item(dataset, record_id, label):
    record = dataset.records[dataset.records["id"] == record_id]
    parsed = parse(render_briefing(record, dataset, "one record"))
    assert parsed.records[record_id]["label"].startswith(f"{label} · Themes: ")


def test_the_citation_is_not_repeated_under_each_item(dataset):
    """The review found the 4–5-line citation under every item: two-thirds of the appendix was boilerplate."""
    parsed = parse(briefing(dataset, PROTECTION))
    records = apply(dataset.records, dataset.events, PROTECTION)
    title = "Work programme of the Global Initiative"
    lists = records["list_id"].nunique()
    assert len(parsed.records) == len(records) and len(parsed.lists) == lists > 5
    assert parsed.section("appendix").count(title) == parsed.section("sources").count(title) == lists


def test_the_summary_comes_first_with_scope_figures_themes_ideas_and_a_line_in_short(dataset):
    document = briefing(dataset, PROTECTION)
    parsed = parse(document)
    records = apply(dataset.records, dataset.events, PROTECTION)
    assert list(parsed.text)[:2] == ["head", "summary"]
    summary = parsed.section("summary")
    assert "Scope: Theme: Protection" in summary
    assert "02 January 2026, 03:04 UTC" in summary and dataset.version in summary
    kinds = records["record_type"].value_counts()
    for kind, n in kinds.items():
        label = dataset.codebook.label("record_type", kind).lower()
        assert re.search(rf"\b{n} {re.escape(label)}s?\b", summary), (kind, n)
    events = records["event_id"].value_counts()
    assert f"from {len(events)} events held from June 2007 to November 2007: " in summary
    for event_id, n in events.items():
        event = dataset.events.set_index("event_id").loc[event_id]
        assert f"{event['short_name']} 2007 ({n})" in summary
    assert re.search(r"<b>6</b>events", document) and re.search(rf"<b>{len(records)}</b>records", document)
    assert f"Records per theme (n = {len(records)} records" in summary
    topics = facet_counts(records, "topics", multi=True)
    top_topic, top_n = dataset.codebook.label("topics", topics.index[0]), int(topics.iloc[0])
    assert f"Protection ({len(records)} records), most often about: {top_topic} ({top_n});" in summary
    top = top_ideas(dataset, records).iloc[0]
    names = dict(zip(dataset.events["event_id"], dataset.events["short_name"], strict=True))
    assert (
        f"{top['label']}: {top['n_events']} events ({', '.join(sorted(names[e] for e in top['events']))}), "
        f"{top['n_members']} records"
    ) in summary
    most = dataset.events.set_index("event_id").loc[events.index[0], "short_name"]
    assert (
        f"In one line: {len(events)} events made {len(records)} records in scope, {most} 2007 the most "
        f"({events.iloc[0]}); the topic they raise most often is {top_topic} ({top_n} of {len(records)} records); "
        f"the idea raised at the most events is “{top['label']}” ({top['n_events']} events)."
    ) in summary
    # The summary has its page: the rest starts on the next one (the browser test measures that it fits one).
    assert re.search(r"\.part \{ break-before: page; \}", "".join(parsed.styles))
    assert list(parsed.text)[2] == "part"


def test_recurring_ideas_are_named_by_label_and_their_records_by_event_list_and_item(dataset):
    parsed = parse(briefing(dataset, PROTECTION))
    part = parsed.section("part")
    records = apply(dataset.records, dataset.events, PROTECTION)
    ideas = top_ideas(dataset, records)
    assert parsed.ideas == list(ideas["label"].head(len(parsed.ideas))) and len(parsed.ideas) >= 3
    # Members by event, list and item label, never by id; the quoted one by its short label.
    labels = short_labels(records, dataset.events).set_axis(records["id"])
    first = ideas.iloc[0]
    assert f"— {labels[first['representative_id']]}" in part
    for member in first["member_ids"]:
        event, rest = labels[member].split(" · ", 1)
        assert f"{event}: " in part and rest.rsplit(" ", 1)[0] in part


@pytest.mark.parametrize("filters", [PROTECTION, Filters(), Filters(sources=())], ids=["protection", "annex-ii", "all"])
def test_no_internal_id_is_shown_anywhere(dataset, filters):
    visible = parse(briefing(dataset, filters)).visible()
    ids = set(dataset.records["id"]) | set(dataset.records["list_id"]) | set(dataset.events["event_id"])
    assert not {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", visible)}


def test_a_sub_item_whose_parent_is_out_of_scope_is_shown_with_the_parent(dataset):
    parent = dataset.records.set_index("id").loc["kampala-2007-gen-h"]
    records = dataset.records[dataset.records["id"] == "kampala-2007-gen-h-ii"]
    document = render_briefing(records, dataset, "one sub-item")
    assert "Sub-item of item (h), which reads" in document and parent["text"] in document


def test_a_sub_item_quoted_for_a_recurring_idea_keeps_its_parent(dataset):
    """Bangkok (c)(iv) is quoted for "Victims as witnesses": read alone there, it needs the item it completes."""
    parsed = parse(briefing(dataset, Filters(events=("bangkok-2007", "abidjan-2007"))))
    parent = dataset.records.set_index("id").loc["bangkok-2007-pri-c", "text"]
    assert f"Sub-item of item (c), which reads: {parent}" in parsed.section("part")


# ---------------------------------------------------------------------------------------------- escaping


def payload(field: str) -> str:
    """A hostile value naming the field it was put in (no dot, so an item label keeps it whole)."""
    return f'<script>alert("{field}")</script>"onmouseover="alert(1)'


KEYS = ("id", "event_id", "parent_id", "list_id")  # one payload on both sides of a join keeps the rows joined
CODES = ("vocabulary", "value")  # the codebook's keys stay as they are, so tags still find their labels
SHOWN = {  # the fields a reader sees somewhere in the briefing: each must reach it, as text
    "records": ["text", "section", "item", "themes", "record_type", "source"],
    "events": ["short_name", "title", "city", "country", "date_as_stated", "organisers"],
    "codebook": ["label"],
}


def tainted(frame: pd.DataFrame, name: str, untouched: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every string field with a payload appended (keys only where set, so a blank parent stays blank)."""
    out = frame.copy()
    for column in out.columns:
        if column not in untouched and out[column].map(lambda v: isinstance(v, str)).all():
            mark = payload("key") if column in KEYS else payload(f"{name}-{column}")
            out[column] = out[column].map(lambda v, m=mark, key=column in KEYS: v + m if v or not key else v)
    return out


def assert_escaped(document: str, shown: list[str]) -> None:
    assert "<script" not in document.lower() and '"onmouseover=' not in document
    parsed = parse(document)
    assert {tag for tag, _ in parsed.tags}.isdisjoint({"script", "img"})
    assert not [(tag, name) for tag, attributes in parsed.tags for name in attributes if name.startswith("on")]
    text = " ".join(parsed.text.values())
    assert not [field for field in shown if payload(field) not in text], "fields that never reached the text"


def test_every_text_field_of_records_events_and_labels_reaches_the_document_escaped(dataset):
    hostile = replace(
        dataset,
        records=tainted(dataset.records, "records"),
        events=tainted(dataset.events, "events"),
        codebook=Codebook(tainted(dataset.codebook.entries, "codebook", CODES)),
    )
    records = hostile.records[hostile.records["source"].str.startswith("annex-ii")]
    responses = [
        Response(records["id"].iloc[0], payload("activity_id"), payload("activity_title"), payload("strength"))
    ]
    document = render_briefing(
        records, hostile, payload("scope"), generated_at=WHEN, responses=responses, followup={payload("status"): 3}
    )
    assert "Recurring ideas" in document
    assert_escaped(
        document,
        [f"{name}-{field}" for name, fields in SHOWN.items() for field in fields]
        + ["scope", "activity_id", "activity_title", "strength", "status"],
    )
    # The charts too: their labels and titles carry theme labels and event names.
    charts = "".join(re.findall(r"<svg.*?</svg>", document, re.S))
    assert "&lt;script&gt;alert(&#34;codebook-label&#34;)" in charts
    assert "&lt;script&gt;alert(&#34;events-short_name&#34;)" in charts


def test_an_uploaded_record_and_event_reach_the_document_escaped(dataset):
    free_text = {
        "records": ["text", "section"],
        "events": ["short_name", "title", "city", "date_as_stated", "organisers"],
    }
    record = {**EXAMPLE_RECORD, **{f: EXAMPLE_RECORD[f] + payload(f"records-{f}") for f in free_text["records"]}}
    event = {**EXAMPLE_EVENT, **{f: EXAMPLE_EVENT[f] + payload(f"events-{f}") for f in free_text["events"]}}
    record["event_id"] = event["event_id"]
    merge = merge_upload(dataset, pd.DataFrame([record]), pd.DataFrame([event]))
    assert merge.accepted_ids == [record["id"]], merge.problems
    uploaded = merge.dataset.records[merge.dataset.records["id"] == record["id"]]
    document = render_briefing(uploaded, merge.dataset, "uploaded", generated_at=WHEN)
    assert_escaped(document, [f"{name}-{field}" for name, fields in free_text.items() for field in fields])
    assert "uploaded record (not from the Work programme" in document
    # A list the document does not have is named by its record type.
    label = parse(document).records[record["id"]]["label"]
    assert label.startswith(f"{event['short_name']} 2009 · Recommendations (1) · ")


def test_data_text_cannot_load_or_run_anything(dataset):
    records = dataset.records.head(3).copy()
    records["text"] = [HOSTILE, "javascript:alert(1)", "</q></div><style>@import url(https://evil.example)</style>"]
    records["section"] = HOSTILE
    document = render_briefing(records, dataset, scope=HOSTILE, generated_at=WHEN)
    parsed = parse(document)
    assert [tag for tag, _ in parsed.tags].count("style") == 1
    assert "img" not in [tag for tag, _ in parsed.tags]
    assert [parsed.records[i]["text"] for i in records["id"]] == list(records["text"])
    # The hostile text holds an address, but only as escaped text: no tag or attribute carries it.
    assert_loads_nothing(document.replace("https://evil.example", "evil"))
    for tag, attributes in parsed.tags:
        assert not any("evil" in (v or "") for v in attributes.values()), tag


# ---------------------------------------------------------------------------------------------- sections to come


def test_planned_response_and_follow_up_appear_only_when_given(dataset):
    records = apply(dataset.records, dataset.events, PROTECTION)
    plain = parse(briefing(dataset, PROTECTION)).visible()
    assert "Planned response" not in plain and "Follow-up status" not in plain
    answered, outside = records["id"].iloc[0], "kampala-2007-gen-a"
    assert outside not in set(records["id"])
    given = parse(
        briefing(
            dataset,
            PROTECTION,
            followup={"Done": 3, "Planned": 5, "Not started": 32},
            responses=[
                Response(answered, "2.1", "Regional training workshops", "direct"),
                Response(outside, "9.9", "An activity for another scope", "partial"),
            ],
        )
    )
    part = given.section("part")
    label = given.records[answered]["label"].split(" · Themes")[0]  # "Kampala 2007 · General recommendations (d)"
    event, item = label.split(" · ", 1)
    # One row per activity, its records by event, list and item, each item linking to its text in the appendix.
    assert "Planned response" in part and f"2.1 Regional training workshops direct (1): {event}: {item}" in part
    assert "An activity for another scope" not in part, "only responses to records in scope"
    assert f'href="#r-{answered}"' in briefing(
        dataset, PROTECTION, responses=[Response(answered, "2.1", "t", "direct")]
    )
    assert "Follow-up status Status Records Done 3 Planned 5 Not started 32" in part
    empty = parse(briefing(dataset, PROTECTION, responses=[], followup={})).visible()
    assert "No activity of the workplan is linked to a record in this scope." in empty
    assert "No follow-up has been recorded for the records in this scope." in empty


def test_planned_response_lists_each_activity_once_with_its_records_by_strength(dataset):
    records = apply(dataset.records, dataset.events, PROTECTION)
    first, second, third = records["id"].iloc[:3]
    html = briefing(
        dataset,
        PROTECTION,
        responses=[
            Response(third, "4.2", "Joint programmes", "thematic"),
            Response(first, "4.2", "Joint programmes", "thematic"),
            Response(third, "4.2", "Joint programmes", "thematic"),  # the same link twice counts once
            Response(second, "4.2", "Joint programmes", "explicit"),
            Response(first, "1.1", "Awareness-raising", "explicit"),
        ],
    )
    part = parse(html).section("part")
    assert part.count("Joint programmes") == 1 and part.count("Awareness-raising") == 1
    assert part.index("Joint programmes") < part.index("Awareness-raising")  # in the order given (the workplan's)
    joint = part[part.index("Joint programmes") : part.index("Awareness-raising")]
    # strongest first, named as the codebook names the strengths, each with its number of records
    assert joint.index("Explicit response (1):") < joint.index("Thematic response (2):")
    # the records in the document's order, whatever the order of the links: first before third
    row = html[html.index("Joint programmes") : html.index("Awareness-raising")]
    thematic = row[row.index("Thematic response") :]
    assert thematic.index(f'href="#r-{first}"') < thematic.index(f'href="#r-{third}"')
    assert f'href="#r-{second}"' not in thematic


def test_an_empty_scope_says_so(dataset):
    document = briefing(dataset, Filters(query="zzzzqqqq"))
    assert "No record matches this scope." in document
    assert_loads_nothing(document)


def test_pdf_unavailable_without_chromium(monkeypatch, dataset):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    with pytest.raises(PdfUnavailable, match="prints to PDF from any browser"):
        html_to_pdf("<p>x</p>")


# ---------------------------------------------------------------------------------------------- commands


def run(capsys, *argv):
    code = cli.main(list(map(str, argv)))
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out, out.err


@pytest.mark.parametrize(
    "argv, listed",
    [
        (["--theme", "protecton"], "protection  (Protection)"),
        (["--event", "paris-2007"], "kampala-2007  (Kampala)"),
        (["--topic", "nope"], "training_capacity_building"),
        (["--target-group", "kids"], "children"),
        (["--source", "annex-3"], "all  (every source)"),
    ],
)
@pytest.mark.parametrize("command", ["briefing", "export"])
def test_unknown_filter_values_exit_1_listing_the_allowed_values(tmp_path, capsys, argv, listed, command):
    extra = ["--format", "csv"] if command == "export" else []
    code, _, err = run(capsys, command, *argv, *extra, "--out", tmp_path / "x")
    assert code == 1
    assert "unknown value for --" in err and listed in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("content", [None, b"\x89PNG\r\n\x1a\nnot a table", b""], ids=["missing", "png", "empty"])
def test_export_of_an_unreadable_input_exits_2(tmp_path, capsys, content):
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_bytes(content)
    code, _, err = run(capsys, "export", "--input", source, "--format", "csv", "--out", tmp_path / "x.csv")
    assert code == 2 and "cannot read" in err


def test_export_of_an_invalid_input_exits_1_naming_row_and_column(tmp_path, capsys, dataset):
    source = tmp_path / "in.csv"
    broken = dataset.records.head(3).copy()
    broken.loc[1, "themes"] = "not-a-theme"
    broken.to_csv(source, index=False)
    code, _, err = run(capsys, "export", "--input", source, "--format", "csv", "--out", tmp_path / "x.csv")
    assert code == 1 and "row 3" in err and "column themes" in err


def test_export_command_writes_the_filtered_view(tmp_path, capsys, dataset):
    out = tmp_path / "x.csv"
    code, _, _ = run(
        capsys, "export", "--theme", "prosecution", "--query", "law enforcment", "--format", "csv", "--out", out
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    expected = apply(
        dataset.records, dataset.events, Filters(themes=("prosecution",), query="law enforcment"), dataset.codebook
    )
    body = [r for r in rows if r and not r[0].startswith("#")][1:]
    assert [r[0] for r in body] == list(expected["id"]) and len(body) > 0
    assert ["# Scope", "Theme: Prosecution · Search: 'law enforcment'"] in rows


def test_export_command_reads_another_records_file_with_every_source(tmp_path, capsys, dataset):
    source = tmp_path / "mine.csv"
    dataset.records[dataset.records["source"] != "annex-ii"].to_csv(source, index=False)
    out = tmp_path / "x.xlsx"
    code, _, _ = run(capsys, "export", "--input", source, "--format", "xlsx", "--out", out)
    assert code == 0
    sheet = openpyxl.load_workbook(out)["Records"]
    assert sheet.max_row - 1 == (dataset.records["source"] != "annex-ii").sum()


def test_briefing_pdf_without_chromium_says_so_and_keeps_the_html(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    out, pdf = tmp_path / "b.html", tmp_path / "b.pdf"
    code, _, err = run(capsys, "briefing", "--event", "bangkok-2007", "--out", out, "--pdf", pdf)
    assert code == 2 and "no PDF written" in err and "print it instead" in err
    assert out.is_file() and not pdf.exists()


def test_briefing_pdf_is_printed_by_chromium(tmp_path, capsys):
    from gift_dash.briefing import find_chromium

    assert find_chromium() is not None, (
        "Chromium is needed to print the briefing to PDF: run `bash scripts/test.sh` (installs Debian's chromium) "
        "or set CHROMIUM_PATH. This test is never skipped."
    )
    out, pdf = tmp_path / "b.html", tmp_path / "b.pdf"
    code, stdout, _ = run(capsys, "briefing", "--event", "bangkok-2007", "--out", out, "--pdf", pdf)
    assert code == 0 and f"wrote {pdf}" in stdout
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_file_that_cannot_be_written_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "csv", "--out", tmp_path / "no" / "such" / "dir.csv")
    assert code == 2 and "cannot write" in err
