"""The briefing pack: one self-contained, print-ready HTML document for a scope (and a PDF of it via Chromium).

The HTML loads nothing: styles are inline, charts are inline SVG drawn here, fonts are the reader's system
fonts, and a Content-Security-Policy forbids scripts and every fetch, so the file works offline, prints the
same everywhere and cannot run anything even if data text were hostile (all data text is html-escaped too).
Why SVG rather than plotly: a plotly chart needs plotly.js inlined (~4.6 MB and a script) to work offline;
two bar charts in SVG are a few kilobytes, print as sharp vectors and need no script at all.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from gift_dash import filters as filtering
from gift_dash.charts import NEUTRAL, THEME_COLOURS
from gift_dash.citation import citations, item_label, place
from gift_dash.data import DOCUMENT_TITLE, Dataset
from gift_dash.schema import event_names, split_multi
from gift_dash.similarity import build_index, group_summary
from gift_dash.similarity import groups as similarity_groups
from gift_dash.tabulate import NOT_STATED, by_date, facet_counts, headline

TITLE = "Briefing: recommendations from the UN.GIFT regional events"
MAX_IDEAS = 12

_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; color: #555; }
  @bottom-left { content: "UN.GIFT recommendations briefing"; font: 8pt system-ui, sans-serif; color: #555; } }
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; line-height: 1.2; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; border-bottom: 1.5px solid #1a1a1a; padding-bottom: 1mm; }
h3 { font-size: 11.5pt; margin: 6mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 4mm 0 1.5mm; font-weight: 600; }
h2, h3, h4 { break-after: avoid; }
.scope { font-size: 12pt; margin: 0 0 2mm; }
.meta { color: #555; font-size: 9pt; margin: 0; }
.figures { display: flex; gap: 4mm; margin: 4mm 0; }
.figure { border: 1px solid #bbb; border-radius: 2mm; padding: 2mm 4mm; min-width: 28mm; }
.figure b { display: block; font-size: 18pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9.5pt; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #ccc; }
th { border-bottom: 1.5px solid #1a1a1a; }
td.n, th.n { text-align: right; white-space: nowrap; }
thead { display: table-header-group; }
tr, figure, .record { break-inside: avoid; }
figure { margin: 3mm 0 5mm; }
figcaption { font-weight: 600; margin-bottom: 1mm; }
.note { color: #444; font-size: 9pt; }
svg { display: block; max-width: 100%; height: auto; font-family: inherit; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; border: 1px solid #666; }
.appendix { break-before: page; }
.list-lead { font-style: italic; }
.record { margin: 0 0 3.5mm; padding-left: 3mm; border-left: 2px solid #999; }
.record.sub { margin-left: 8mm; }
.record blockquote { margin: 0; white-space: pre-wrap; }
.record .item { font-weight: 600; }
.record .cite { font-size: 8.5pt; color: #333; margin: 0.8mm 0 0; }
.context { font-size: 9pt; color: #444; margin: 0 0 1mm 0; }
.record .tags { font-size: 8.5pt; color: #555; margin: 0.3mm 0 0; }
@media screen { body { padding: 10mm 6mm; } }
"""

# No scripts, no fetches of any kind: only the inline style sheet (and data: images, none used today).
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def bar_chart_svg(bars: Sequence[tuple[str, int, str]], title: str, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG: (label, count, colour) per bar, each labelled with its count, so
    nothing is read from colour alone."""
    label_w, value_w, row_h, top = 190, 40, 24, 4
    peak = max([n for _, n, _ in bars], default=0) or 1
    scale = (width - label_w - value_w) / peak
    height = top + row_h * len(bars) + 4
    rows = []
    for i, (label, n, colour) in enumerate(bars):
        y = top + i * row_h
        shown = label if len(label) <= 30 else label[:29] + "\u2026"
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="12">{_e(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(n * scale, 1):.1f}" height="{row_h - 8}" '
            f'fill="{_e(colour)}"/>'
            f'<text x="{label_w + n * scale + 5:.1f}" y="{y + 16}" font-size="12">{n}</text>'
        )
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>{"".join(rows)}</svg>')


def _theme_counts(records: pd.DataFrame, dataset: Dataset) -> list[tuple[str, str, int]]:
    """(value, label, records) for every theme in the codebook's order, themes with no record left out."""
    counts = facet_counts(records, "themes", multi=True)
    return [(v, dataset.codebook.label("themes", v), int(counts.get(v, 0)))
            for v in dataset.codebook.values("themes") if counts.get(v, 0)]


def _events_in_scope(records: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    counts = records["event_id"].value_counts()
    held = events[events["event_id"].isin(counts.index)].copy()
    held["records"] = held["event_id"].map(counts).astype(int)
    return by_date(held).reset_index(drop=True)


def _key_figures(records: pd.DataFrame, dataset: Dataset, themes: list[tuple[str, str, int]]) -> str:
    figures = headline(records, dataset.events)
    boxes = "".join(f'<div class="figure"><b>{figures[k]}</b>{_e(label)}</div>' for k, label in
                    (("records", "records"), ("events", "events"), ("lists", "lists"), ("countries", "countries")))
    rows = "".join(
        f'<tr><td><span class="swatch" style="background:{_e(THEME_COLOURS.get(v, NEUTRAL))}"></span>'
        f'{_e(label)}</td><td class="n">{n}</td></tr>' for v, label, n in themes)
    return (f'<div class="figures">{boxes}</div>'
            f'<table><thead><tr><th>Theme</th><th class="n">Records</th></tr></thead><tbody>{rows}</tbody></table>'
            '<p class="note">A record can carry more than one theme and then counts under each, so the themes '
            'add up to more than the number of records.</p>')


def _charts(records: pd.DataFrame, themes: list[tuple[str, str, int]], held: pd.DataFrame) -> str:
    n = len(records)
    theme_title = f"Records per theme (n = {n} records; a record with two themes counts in both)"
    event_title = f"Records per event (n = {n} records)"
    theme_svg = bar_chart_svg([(label, c, THEME_COLOURS.get(v, NEUTRAL)) for v, label, c in themes],
                              theme_title)
    event_svg = bar_chart_svg([(r["short_name"], r["records"], NEUTRAL) for r in held.to_dict("records")],
                              event_title)
    return (f'<figure><figcaption>{_e(theme_title)}</figcaption>{theme_svg}'
            '<p class="note">The same figures are in the theme table above.</p></figure>'
            f'<figure><figcaption>{_e(event_title)}</figcaption>{event_svg}'
            '<p class="note">The same figures are in the table of events below.</p></figure>')


def _events_table(held: pd.DataFrame) -> str:
    rows = "".join(
        f'<tr><td>{_e(e["short_name"])}</td><td>{_e(e["title"] or NOT_STATED)}</td><td>{_e(place(e))}</td>'
        f'<td>{_e(e["date_as_stated"] or NOT_STATED)}</td><td class="n">{e["records"]}</td></tr>'
        for e in held.to_dict("records"))
    return ('<table><thead><tr><th>Event</th><th>Title</th><th>Place</th><th>Dates (as stated)</th>'
            f'<th class="n">Records</th></tr></thead><tbody>{rows}</tbody></table>')


def ideas_in_scope(records: pd.DataFrame, groups: pd.DataFrame, several_events: bool) -> pd.DataFrame:
    """Groups of similar records (``groups``: similarity.groups over the whole dataset, so a group means the same
    in every scope) as seen within ``records``: those spanning more than one event in scope, or, when the scope
    holds one event, those with more than one member. Columns as similarity.group_summary."""
    summary = group_summary(records, groups)
    return summary[summary["n_events"] > 1] if several_events else summary[summary["n_members"] > 1]


def _ideas_section(records: pd.DataFrame, dataset: Dataset, groups: pd.DataFrame) -> str:
    several_events = records["event_id"].nunique() > 1
    ideas = ideas_in_scope(records, groups, several_events)
    names = event_names(dataset.events)
    if several_events:
        intro = "Ideas raised at more than one event in this scope, by the number of events that raise them"
    else:
        intro = "This scope holds one event: ideas it raises in more than one item"
    shown = f"the first {MAX_IDEAS} of {len(ideas)}" if len(ideas) > MAX_IDEAS else f"{len(ideas)} in all"
    intro += (f" ({shown}). Each idea is a group of similar recommendations; one of them is quoted, and the "
              "record ids point to the others in the appendix.")
    if ideas.empty:
        return "<p>No idea recurs in this scope: no two records are similar enough to be grouped.</p>"
    rows = "".join(
        f'<tr><td><b>{_e(i["label"])}</b><br><q>{_e(i["representative_text"])}</q>'
        f'<br><span class="note">Records: {_e(", ".join(i["member_ids"]))}</span></td>'
        f'<td class="n">{i["n_events"]}</td><td class="n">{i["n_members"]}</td>'
        f'<td>{_e(", ".join(names.get(e, e) for e in i["events"]))}</td></tr>'
        for i in ideas.head(MAX_IDEAS).to_dict("records"))
    return (f'<p class="note">{_e(intro)}</p><table><thead><tr><th>Idea, and one record that states it</th>'
            f'<th class="n">Events</th><th class="n">Records</th><th>Raised at</th></tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def _parent_context(parent_id: str, in_scope: set[str], parents: pd.DataFrame) -> str:
    """A sub-item read alone can be cryptic ("Developing business codes of conduct"): when its parent item is
    not in scope, quote the parent above it."""
    if not parent_id or parent_id in in_scope or parent_id not in parents.index:
        return ""
    parent = parents.loc[parent_id]
    return (f'<p class="context">Sub-item of item {_e(item_label(parent["item"]))}, which reads: '
            f'<q>{_e(parent["text"])}</q></p>')


def _appendix(records: pd.DataFrame, dataset: Dataset, held: pd.DataFrame) -> str:
    cited = records.assign(_citation=citations(records, dataset.events))
    themes = dataset.codebook.labels("themes")
    in_scope = set(records["id"])
    parents = dataset.records.set_index("id")[["item", "text"]]
    parts = ['<section class="appendix"><h2>Appendix: every record in scope, verbatim</h2>'
             '<p class="note">Each record is quoted exactly as the document words it, followed by its full '
             'citation and its record id.</p>']
    for event in held.to_dict("records"):
        parts.append(f'<h3>{_e(event["short_name"])} \u2014 {_e(event["title"] or NOT_STATED)}</h3>')
        mine = cited[cited["event_id"] == event["event_id"]]
        for lead_in, items in mine.groupby("section", sort=False):
            parts.append(f'<h4 class="list-lead">{_e(lead_in or "List " + NOT_STATED)}</h4>')
            for record in items.to_dict("records"):
                item = item_label(record["item"])
                tags = ", ".join(themes.get(t, t) for t in split_multi(record["themes"])) or NOT_STATED
                parts.append(_parent_context(record["parent_id"], in_scope, parents))
                parts.append(
                    f'<div class="record{" sub" if record["parent_id"] else ""}" id="r-{_e(record["id"])}">'
                    f'<blockquote>{f"<span class=item>{_e(item)}</span> " if item else ""}'
                    f'<q class="text">{_e(record["text"])}</q></blockquote>'
                    f'<p class="cite">{_e(record["_citation"])}</p>'
                    f'<p class="tags">Themes: {_e(tags)} \u00b7 Record id: {_e(record["id"])}</p></div>')
    parts.append("</section>")
    return "".join(parts)


def _whole_dataset_groups(dataset: Dataset, groups: pd.DataFrame | None) -> pd.DataFrame:
    return groups if groups is not None else similarity_groups(build_index(dataset.records, codebook=dataset.codebook))


def render_briefing(records: pd.DataFrame, dataset: Dataset, scope: str, generated_at: datetime | None = None,
                    groups: pd.DataFrame | None = None) -> str:
    """The briefing for these records. ``scope`` is the filters in words (filters.describe); ``groups`` is
    similarity.groups over the whole dataset, computed here when the caller has none cached."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(TITLE)} \u2014 {_e(scope)}</title><style>{_CSS}</style></head><body>')
    intro = (f'<h1>{_e(TITLE)}</h1><p class="scope"><b>Scope:</b> {_e(scope)}</p>'
             f'<p class="meta">Generated {when:%d %B %Y, %H:%M} UTC \u00b7 dataset version {_e(dataset.version)}'
             f' \u00b7 source: {_e(DOCUMENT_TITLE)}</p>')
    if records.empty:
        return head + intro + "<h2>No records</h2><p>No record matches this scope.</p></body></html>"
    themes = _theme_counts(records, dataset)
    held = _events_in_scope(records, dataset.events)
    body = (f"<h2>Key figures</h2>{_key_figures(records, dataset, themes)}"
            f"<h2>Charts</h2>{_charts(records, themes, held)}"
            f"<h2>Events in scope</h2>{_events_table(held)}"
            f"<h2>Recurring ideas</h2>{_ideas_section(records, dataset, _whole_dataset_groups(dataset, groups))}"
            f"{_appendix(records, dataset, held)}")
    return head + intro + body + "</body></html>"


def briefing_html(dataset: Dataset, filters: filtering.Filters, generated_at: datetime | None = None) -> str:
    """The briefing for the records these filters select, with the filters in words as its scope."""
    records = filtering.apply(dataset.records, dataset.events, filters)
    return render_briefing(records, dataset, filtering.describe(filters, dataset.codebook, dataset.events),
                           generated_at)


# ---------------------------------------------------------------------------------------------- PDF

class PdfUnavailable(RuntimeError):
    """No PDF can be made here; the message says why and that the HTML prints from any browser."""


def find_chromium() -> str | None:
    """Chromium's path ($CHROMIUM_PATH, then the usual names on PATH), or None."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(document: str, timeout: float = 120.0) -> bytes:
    """The document printed to PDF by headless Chromium (A4 from the style sheet, no browser header/footer).

    Raises PdfUnavailable when Chromium is missing or fails. Network features are switched off; the document
    itself forbids fetches (CSP), so printing needs no network.
    """
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable("no Chromium found (set CHROMIUM_PATH, or install the 'chromium' package); "
                             "the HTML briefing prints to PDF from any browser instead")
    with tempfile.TemporaryDirectory(prefix="gift-briefing-") as tmp:
        source, target = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        source.write_text(document, encoding="utf-8")
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium could not print the briefing ({exc})") from None
        if not target.is_file() or target.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(f"Chromium did not write a PDF (exit code {done.returncode}: {detail[0][:200]})")
        return target.read_bytes()
