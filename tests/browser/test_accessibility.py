"""axe-core (installed from npm by scripts/test.sh into .cache/axe, injected from disk: no CDN) on every page of
the app, and on two views a person builds: no violation of the WCAG 2.0/2.1 A and AA rules."""

from __future__ import annotations

import pytest

from gift_ui.navigation import available_pages
from tests.browser.harness import REPO_ROOT, assert_no_exception, wait_for_app, wait_for_charts

AXE = REPO_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWS = ["" if path == available_pages()[0][0] else url for path, _, _, url in available_pages()] + [
    "crosstab?row=event&col=target_group&measure=row",
    "record?id=bangkok-2007-pri-c-i",
]


def violations(page) -> list[str]:
    """axe's WCAG 2 A/AA violations on the page as it is now, one line per rule with its first elements."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. "
        + "; ".join(
            " ".join(n["target"]) + ": " + (n.get("failureSummary") or "").replace("\n", " ")[:160]
            for n in v["nodes"][:3]
        )
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p or "overview")
def test_no_wcag_2_a_or_aa_violation_on_the_page(page, app_server, path):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `bash scripts/test.sh` (installs axe-core@4 from npm)", pytrace=False)
    page.goto(f"{app_server}/{path}")
    wait_for_app(page)
    wait_for_charts(page)  # check the charts as a person sees them
    assert_no_exception(page)
    found = violations(page)
    assert found == [], f"/{path}:\n" + "\n".join(found)
    assert page.external_requests == []
