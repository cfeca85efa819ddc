"""The briefing: every record in scope quoted verbatim with its citation, nothing loaded from outside, data escaped;
and the `briefing` / `export` commands."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import openpyxl
import pytest

from gift_dash import cli
from gift_dash.briefing import PdfUnavailable, briefing_html, html_to_pdf, render_briefing
from gift_dash.citation import citation
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror=alert(2)> & "quotes"'
FETCHING_ATTRIBUTES = {"src", "href", "srcset", "action", "data", "poster", "xlink:href", "background", "formaction"}


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


class Briefing(HTMLParser):
    """The parts of a briefing a test checks: tags and attributes, record quotes and citations, style text."""

    def __init__(self, document: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.records: dict[str, dict[str, str]] = {}  # record id -> {"text": ..., "cite": ...}
        self.styles: list[str] = []
        self._record: str | None = None
        self._capture: str | None = None
        self._depth = 0
        self.feed(document)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if tag == "div" and "record" in classes:
            self._record = attributes["id"].removeprefix("r-")
            self.records[self._record] = {"text": "", "cite": ""}
        elif self._record and ((tag == "q" and "text" in classes) or (tag == "p" and "cite" in classes)):
            self._capture = "text" if tag == "q" else "cite"
        elif tag == "style":
            self._capture = "style"

    def handle_endtag(self, tag):
        if tag in ("q", "p", "style"):
            self._capture = None
        if tag == "div":
            self._record = None

    def handle_data(self, data):
        if self._capture == "style":
            self.styles.append(data)
        elif self._capture:
            self.records[self._record][self._capture] += data


def assert_loads_nothing(document: str) -> None:
    parsed = Briefing(document)
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


@pytest.mark.parametrize("filters", [
    Filters(themes=("protection",)),
    Filters(themes=("prevention", "cooperation"), theme_mode="all", sources=()),
    Filters(events=("vienna-2008", "egypt-2007"), sources=()),
], ids=["protection", "prevention-and-cooperation-all-sources", "not-annex-ii"])
def test_briefing_quotes_every_record_in_scope_verbatim_with_its_citation(dataset, filters):
    document = briefing_html(dataset, filters, generated_at=WHEN)
    in_scope = apply(dataset.records, dataset.events, filters)
    assert len(in_scope) > 0
    quoted = Briefing(document).records
    assert sorted(quoted) == sorted(in_scope["id"])
    for record in in_scope.to_dict("records"):
        assert quoted[record["id"]]["text"] == record["text"]
        assert quoted[record["id"]]["cite"] == citation(record, dataset.events)
    assert_loads_nothing(document)


def test_briefing_states_its_scope_figures_and_date(dataset):
    filters = Filters(themes=("protection",))
    document = briefing_html(dataset, filters, generated_at=WHEN)
    records = apply(dataset.records, dataset.events, filters)
    text = re.sub(r"<[^>]+>", " ", document)
    assert "Scope: Theme: Protection" in re.sub(r"\s+", " ", text)
    assert f"Records per theme (n = {len(records)} records" in text
    assert "02 January 2026, 03:04 UTC" in text and dataset.version in text
    events = records["event_id"].nunique()
    assert re.search(rf"<b>{events}</b>events", document)


def test_a_sub_item_whose_parent_is_out_of_scope_is_shown_with_the_parent(dataset):
    parent = dataset.records.set_index("id").loc["kampala-2007-gen-h"]
    records = dataset.records[dataset.records["id"] == "kampala-2007-gen-h-ii"]
    document = render_briefing(records, dataset, "one sub-item")
    assert "Sub-item of item (h), which reads" in document and parent["text"] in document


def test_data_text_is_escaped_and_cannot_load_or_run_anything(dataset):
    records = dataset.records.head(3).copy()
    records["text"] = [HOSTILE, "javascript:alert(1)", "</q></div><style>@import url(https://evil.example)</style>"]
    records["section"] = HOSTILE
    document = render_briefing(records, dataset, scope=HOSTILE, generated_at=WHEN)
    parsed = Briefing(document)
    assert [tag for tag, _ in parsed.tags].count("style") == 1
    assert "img" not in [tag for tag, _ in parsed.tags]
    assert [parsed.records[i]["text"] for i in records["id"]] == list(records["text"])
    assert "&lt;script&gt;" in document
    # The hostile text holds an address, but only as escaped text: no tag or attribute carries it.
    assert_loads_nothing(document.replace("https://evil.example", "evil"))
    for tag, attributes in parsed.tags:
        assert not any("evil" in (v or "") for v in attributes.values()), tag


def test_an_empty_scope_says_so(dataset):
    document = briefing_html(dataset, Filters(query="zzzzqqqq"), generated_at=WHEN)
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


def test_briefing_command_writes_the_same_document_as_the_page(tmp_path, capsys, dataset):
    out = tmp_path / "b.html"
    code, stdout, _ = run(capsys, "briefing", "--theme", "protection", "--event", "Kampala", "--out", out)
    assert code == 0 and "Event: Kampala · Theme: Protection" in stdout
    expected = briefing_html(dataset, Filters(themes=("protection",), events=("kampala-2007",)), generated_at=WHEN)
    strip = re.compile(r"Generated [^·]+·")
    assert strip.sub("", out.read_text(encoding="utf-8")) == strip.sub("", expected)


@pytest.mark.parametrize("argv, listed", [
    (["--theme", "protecton"], "protection  (Protection)"),
    (["--event", "paris-2007"], "kampala-2007  (Kampala)"),
    (["--topic", "nope"], "training_capacity_building"),
    (["--target-group", "kids"], "children"),
    (["--source", "annex-3"], "all  (every source)"),
])
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
    code, _, _ = run(capsys, "export", "--theme", "prosecution", "--query", "law enforcment", "--format", "csv",
                     "--out", out)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    expected = apply(dataset.records, dataset.events, Filters(themes=("prosecution",), query="law enforcment"))
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
    out, pdf = tmp_path / "b.html", tmp_path / "b.pdf"
    code, stdout, _ = run(capsys, "briefing", "--event", "bangkok-2007", "--out", out, "--pdf", pdf)
    assert code == 0 and f"wrote {pdf}" in stdout
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_file_that_cannot_be_written_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "csv", "--out", tmp_path / "no" / "such" / "dir.csv")
    assert code == 2 and "cannot write" in err
