"""Screenshots of every page at the two sizes people use (a laptop, 1400×1000; a projector, 1280×720), to look at.

For each page and size: ``<page>-<W>x<H>.png`` (the first screen, what a person sees before scrolling) and
``<page>-<W>x<H>-full.png`` (the whole page: Streamlit scrolls inside its own container, so the viewport is grown
to the content's height). A few pages also get a view a person builds (the cross-tab Event × Target group, row %;
a sub-item's record page). Run on demand; it asserts nothing.

    .venv/bin/python -m bench.screenshots [OUT_DIR]      # default bench/out/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.browser.harness import (
    APP_READY,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    StreamlitServer,
    is_external,
    wait_for_app,
    wait_for_charts,
)

ROOT = Path(__file__).resolve().parents[1]

SIZES = ((1400, 1000), (1280, 720))
# Views beyond each page's default: (name, url path with its query).
EXTRA_VIEWS = (
    ("crosstab-event-x-target-group-row", "crosstab?row=event&col=target_group&measure=row"),
    ("record-bangkok-sub-item", "record?id=bangkok-2007-pri-c-i"),
    ("explore-plain-question", "explore?q=send+victims+home+safely"),
)


def views() -> list[tuple[str, str]]:
    from gift_ui.navigation import available_pages

    # The first page is the default one, served at "/" (its own url path is not registered).
    pages = available_pages()
    return [(url, "" if (path, title, icon, url) == pages[0] else url) for path, title, icon, url in pages] + list(
        EXTRA_VIEWS
    )


def settle(page) -> None:
    """The script has finished and every chart on the page has drawn (or there is none)."""
    wait_for_app(page, timeout=90_000, settle_ms=500)
    wait_for_charts(page)
    page.wait_for_timeout(400)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--only", nargs="*", default=None, help="names of the views to take (default: all)")
    parser.add_argument("--size", choices=[f"{w}x{h}" for w, h in SIZES], help="one size only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with StreamlitServer(ROOT / "app.py", cwd=ROOT) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        for width, height in SIZES:
            if args.size and args.size != f"{width}x{height}":
                continue
            context = browser.new_context(viewport={"width": width, "height": height})
            blocked: list[str] = []
            context.route(
                "**/*",
                lambda route, blocked=blocked: (
                    (blocked.append(route.request.url), route.abort())
                    if is_external(route.request.url)
                    else route.continue_()
                ),
            )
            page = context.new_page()
            for name, path in views():
                if args.only is not None and name not in args.only:
                    continue
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{url}/{path}")
                settle(page)
                first = args.out / f"{name}-{width}x{height}.png"
                page.screenshot(path=first)
                tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
                page.set_viewport_size({"width": width, "height": max(height, min(int(tall) + 40, 12_000))})
                page.wait_for_timeout(600)  # charts redraw at the new width/height
                page.wait_for_selector(APP_READY, state="attached")
                page.screenshot(path=args.out / f"{name}-{width}x{height}-full.png")
                print(f"{first.name} (+ -full, {tall}px)")
            context.close()
            if blocked:
                print(f"blocked {len(blocked)} outside request(s) at {width}x{height}: {sorted(set(blocked))[:5]}")
        browser.close()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
