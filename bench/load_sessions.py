"""Load (issue 10): K concurrent browser sessions (K = 1, 5, 10) walking the dashboard's pages with random filters.

    .venv/bin/python -m bench.load_sessions [--k 1 5 10] [--steps 8] [--deadline 300] [--idle 150] [--seed 10]

Each session opens a page with random filters in the address (a page load), then types a word into the sidebar's
search (an interaction), and so on for --steps operations, each timed from the action until the script has finished
and the page's "Showing N of M records" caption is drawn. Reported per K: p50/p95/max of page and interaction
latency, operations over 5 s, errors (an exception on the page, a timeout), the server's RSS before and at its peak
and its CPU use; after the last K, the RSS once idle for --idle seconds (the closed sessions' TTL passed).

Loopback only (`streamlit run app.py` on 127.0.0.1, Debian's Chromium, one browser with a context per session),
bounded by --steps and by --deadline seconds per K. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.server_stats import Sampler, cpu_seconds, rss_mib
from tests.browser.harness import (
    APP_READY,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    EXCEPTION,
    StreamlitServer,
)

ROOT = Path(__file__).resolve().parents[1]

RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
WORDS = ["police", "victims", "training", "traficking", "labour", "children", "shelter", "border", "media", ""]
SLOW = 5.0


def random_address(rng: random.Random, pages: list[str], dataset) -> str:
    """A page and random filters, spelt as the app writes them (filters.to_query_params)."""
    from gift_dash import filters as flt

    codebook = dataset.codebook
    chosen = flt.Filters(
        events=tuple(rng.sample(list(dataset.events["event_id"]), rng.choice([0, 0, 1, 2]))),
        themes=tuple(rng.sample(codebook.values("themes"), rng.choice([0, 1, 1, 2]))),
        topics=tuple(rng.sample(codebook.values("topics"), rng.choice([0, 0, 1]))),
        query=rng.choice(WORDS[:4] + [""] * 6),
    )
    return f"{rng.choice(pages)}?{urlencode(flt.to_query_params(chosen), doseq=True)}"


async def _settled(page, timeout_ms: float) -> None:
    """Until the run the action started has finished and the page's caption is drawn."""
    try:
        await page.wait_for_selector(RUNNING, state="attached", timeout=1500)
    except Exception:  # the run may have finished before we looked
        pass
    await page.wait_for_selector(APP_READY, state="attached", timeout=timeout_ms)
    await page.get_by_text("Showing", exact=False).first.wait_for(timeout=timeout_ms)
    await page.wait_for_selector(APP_READY, state="attached", timeout=timeout_ms)


async def walk(
    browser, base: str, rng: random.Random, pages: list[str], dataset, steps: int, deadline: float, results: dict
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        for step in range(steps):
            if time.monotonic() > deadline:
                results["cut"] += steps - step
                return
            kind = "page" if step % 2 == 0 else "interaction"
            start = time.perf_counter()
            try:
                if kind == "page":
                    address = random_address(rng, pages, dataset)
                    await page.goto(f"{base}/{address}", wait_until="domcontentloaded")
                else:
                    box = page.locator("[data-testid='stSidebar']").get_by_label("Search the text", exact=True)
                    await box.fill(rng.choice(WORDS), timeout=15_000)
                    await box.press("Enter")
                await _settled(page, timeout_ms=max(1000, (deadline - time.monotonic()) * 1000))
            except Exception as exc:  # counted, and the walk goes on from the next page load
                results["errors"].append(
                    f"{kind} on {page.url.split('/')[-1][:60]}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
                )
                continue
            results[kind].append(time.perf_counter() - start)
            if await page.locator(EXCEPTION).count():
                results["errors"].append(f"{kind}: an exception on the page")
    finally:
        await context.close()


def _quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values):5.2f} s  p95 {p95:5.2f} s  max {values[-1]:5.2f} s  (n={len(values)})"


async def run_k(browser, base: str, k: int, args, pages, dataset, server_pid: int, sampler: Sampler) -> None:
    results = {"page": [], "interaction": [], "errors": [], "cut": 0}
    rng = random.Random(args.seed * 100 + k)
    before, cpu_before = rss_mib(server_pid), cpu_seconds(server_pid)
    sampler.reset()
    start = time.monotonic()
    deadline = start + args.deadline
    await asyncio.gather(
        *(
            walk(browser, base, random.Random(rng.random()), pages, dataset, args.steps, deadline, results)
            for _ in range(k)
        )
    )
    wall = time.monotonic() - start
    cpu = cpu_seconds(server_pid) - cpu_before
    done = results["page"] + results["interaction"]
    print(f"K={k:2}: {len(done)} operations in {wall:.0f} s; server CPU {cpu:.0f} s ({cpu / wall:.0%} of one core)")
    print(f"  page loads     {_quantiles(results['page'])}")
    print(f"  interactions   {_quantiles(results['interaction'])}")
    print(
        f"  over {SLOW:.0f} s: {sum(t > SLOW for t in done)} of {len(done)}; errors: {len(results['errors'])}; "
        f"not done by the deadline: {results['cut']}"
    )
    for error in results["errors"][:5]:
        print(f"    {error}")
    print(f"  server RSS before {before:.0f} MiB, peak {sampler.peak:.0f} MiB")


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    from gift_dash.data import load_dataset
    from gift_ui.navigation import available_pages

    pages = [url_path for *_, url_path in available_pages()]
    dataset = load_dataset()
    server = StreamlitServer(ROOT / "app.py", cwd=ROOT)
    try:
        base = server.start()
        pid = server.proc.pid
        sampler = Sampler(pid)
        sampler.start()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            warm = await browser.new_context()  # the shipped data loaded and cached, as on any running server
            page = await warm.new_page()
            await page.goto(base)
            await _settled(page, 120_000)
            await warm.close()
            print(f"server RSS after a warm-up visit {rss_mib(pid):.0f} MiB; pages: {', '.join(pages)}")
            for k in args.k:
                await run_k(browser, base, k, args, pages, dataset, pid, sampler)
            await browser.close()
        print(f"idle {args.idle} s (closed sessions' TTL, then the sweep) ...")
        await asyncio.sleep(args.idle)
        print(f"server RSS after idle {rss_mib(pid):.0f} MiB (peak over the run {sampler.peak:.0f} MiB)")
        sampler.running = False
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 5, 10], help="concurrent sessions, one run each")
    parser.add_argument("--steps", type=int, default=8, help="operations per session (page loads and interactions)")
    parser.add_argument("--deadline", type=float, default=300, help="seconds per K before remaining steps are cut")
    parser.add_argument("--idle", type=int, default=150)
    parser.add_argument("--seed", type=int, default=10)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
