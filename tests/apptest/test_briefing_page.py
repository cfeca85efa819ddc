"""The Briefing page: scope from the shared filters, key figures, downloads and a preview of the same document."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from gift_dash import cli
from gift_dash.briefing import find_chromium
from tests import reference as ref

PAGE = "pages/briefing.py"


@pytest.fixture
def briefing(open_page):
    """The Briefing page after its first run, with URL parameters (the shared open_page of conftest.py)."""
    return lambda **params: open_page(PAGE, **params)


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def labels(at: AppTest, kind: str) -> list[str]:
    return [element.proto.label for element in at.get(kind)]


def preview(at: AppTest) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


def test_the_page_briefs_on_the_default_scope(briefing):
    at = briefing()
    assert figures(at)["Records"] == "118"
    assert "Download the briefing (HTML)" in labels(at, "download_button")
    assert {"CSV", "Excel (.xlsx)"} <= set(labels(at, "download_button"))
    assert "Scope:</b> All annex II records" in preview(at)


def test_a_filter_in_the_address_changes_the_scope_and_the_document(briefing):
    at = briefing(theme="protection", event="kampala-2007")
    expected = ref.select(chosen={"theme": ["protection"], "event": ["kampala-2007"]})
    assert figures(at)["Records"] == str(len(expected)) == "2"
    document = preview(at)
    assert "Event: Kampala · Theme: Protection" in document
    assert document.count('class="record') == len(expected)


def test_the_briefing_command_writes_the_document_the_page_shows(briefing, tmp_path, capsys):
    at = briefing(theme="protection", event="kampala-2007")
    out = tmp_path / "b.html"
    assert cli.main(["briefing", "--theme", "protection", "--event", "Kampala", "--out", str(out)]) == 0
    assert "Event: Kampala · Theme: Protection" in capsys.readouterr().out
    stamp = re.compile(r"Generated [^·]+·")
    assert stamp.sub("", out.read_text(encoding="utf-8")) == stamp.sub("", preview(at))


def test_a_bad_parameter_gives_a_notice_not_an_error(briefing):
    at = briefing(theme="not-a-theme")
    assert any("theme='not-a-theme'" in w.value.replace("\\", "") for w in at.warning)
    assert figures(at)["Records"]


def test_an_empty_scope_says_there_is_nothing_to_brief_on(briefing):
    at = briefing(q="zzzzqqqqxx")
    assert any("nothing to brief on" in i.value for i in at.info)
    assert not at.get("iframe")


def test_make_a_pdf_offers_the_pdf(briefing):
    assert find_chromium() is not None, (
        "Chromium is needed to print the briefing to PDF: run `bash scripts/test.sh` (installs Debian's chromium) "
        "or set CHROMIUM_PATH. This test is never skipped."
    )
    at = briefing(event="bangkok-2007")
    at.button(key="briefing_make_pdf").click().run()
    assert not at.exception
    assert "Download the PDF" in labels(at, "download_button")


def test_without_chromium_no_pdf_is_offered(briefing, monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    at = briefing(event="bangkok-2007")
    assert "Make a PDF" not in labels(at, "button")
    assert any("A PDF needs Chromium on the server" in c.value for c in at.caption)
    assert "Download the briefing (HTML)" in labels(at, "download_button")


def test_the_records_of_a_recurring_idea_can_be_exported(open_page):
    at = open_page("pages/recurring_ideas.py", group="1")
    assert {"CSV", "Excel (.xlsx)"} <= set(labels(at, "download_button"))
