"""Size and time of exports and briefings: the shipped data, and the shipped records repeated to 20,000.

    .venv/bin/python -m bench.bench_exports [--size 20000] [--no-pdf]

Figures are printed; nothing is asserted. The PDF (headless Chromium) is made for the shipped scopes only:
a briefing of 20,000 records is an appendix of thousands of pages, which nobody prints.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from gift_dash.briefing import PdfUnavailable, html_to_pdf, render_briefing
from gift_dash.data import load_dataset
from gift_dash.export import export_view
from gift_dash.filters import Filters, apply, describe

ROOT = Path(__file__).resolve().parent.parent


def briefing(dataset, filters: Filters) -> str:
    """The briefing as the page and the briefing command make it."""
    records = apply(dataset.records, dataset.events, filters)
    return render_briefing(records, dataset, describe(filters, dataset.codebook, dataset.events))


def repeated(records: pd.DataFrame, size: int) -> pd.DataFrame:
    """``size`` records cycling through the shipped ones, ids (and parent ids) made unique per copy."""
    copies = -(-size // len(records))
    parts = []
    for copy in range(copies):
        part = records.copy()
        part["id"] = part["id"] + f"-c{copy}"
        part["parent_id"] = part["parent_id"].where(part["parent_id"] == "", part["parent_id"] + f"-c{copy}")
        parts.append(part)
    return pd.concat(parts, ignore_index=True).head(size)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args(argv)
    shipped = load_dataset()
    big = replace(shipped, records=repeated(shipped.records, args.size))
    print(f"{'what':<44}{'records':>9}{'seconds':>9}{'size':>12}")
    for label, dataset in (("shipped", shipped), (f"{args.size:,} records", big)):
        for fmt in ("csv", "xlsx"):
            data, seconds = timed(
                export_view,
                dataset.records,
                dataset.events,
                dataset.codebook,
                fmt=fmt,
                scope="bench",
                dataset_version=dataset.version,
            )
            print(f"{f'export {fmt}, {label}':<44}{len(dataset.records):>9,}{seconds:>9.2f}{len(data) / 1e3:>10.0f} kB")
        document, seconds = timed(briefing, dataset, Filters(sources=()))
        print(
            f"{f'briefing HTML, all sources, {label}':<44}{len(dataset.records):>9,}{seconds:>9.2f}"
            f"{len(document) / 1e3:>10.0f} kB"
        )
    if args.no_pdf:
        return 0
    for name, filters in (
        ("theme protection", Filters(themes=("protection",))),
        ("annex II", Filters()),
        ("all sources", Filters(sources=())),
    ):
        document = briefing(shipped, filters)
        try:
            pdf, seconds = timed(html_to_pdf, document)
        except PdfUnavailable as exc:
            print(f"no PDF: {exc}")
            return 0
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
        print(
            f"{f'briefing PDF, {name}':<44}{'':>9}{seconds:>9.2f}{len(pdf) / 1e3:>10.0f} kB  {pages} pages"
            f" (HTML {len(document) / 1e3:.0f} kB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
