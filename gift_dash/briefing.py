"""The briefing pack: one self-contained, print-ready HTML document for a scope (and a PDF of it via Chromium).

The content is computed here as plain data; the markup is in ``gift_dash/templates/`` (Jinja2, autoescaped, so
no data text reaches the document unescaped, in the SVG charts either). The HTML loads nothing: styles are inline,
charts are inline SVG, fonts are the reader's system fonts, and a Content-Security-Policy forbids scripts and
every fetch, so the file works offline, prints the same everywhere and cannot run anything even if data text
were hostile. Why SVG rather than plotly: a plotly chart needs plotly.js inlined (~4.6 MB and a script) to work
offline; a bar chart in SVG is a few kilobytes, prints as sharp vectors and needs no script at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from gift_dash import response
from gift_dash.citation import (
    event_label,
    item_label,
    list_citations,
    list_name,
    place,
    short_labels,
)
from gift_dash.data import DOCUMENT_TITLE, Dataset
from gift_dash.palette import NEUTRAL, THEME_COLOURS
from gift_dash.schema import NOT_STATED, among, by_date, split_multi
from gift_dash.similarity import build_index, group_summary
from gift_dash.similarity import groups as similarity_groups
from gift_dash.tabulate import event_span, facet_counts, headline

TITLE = "Briefing: recommendations from the UN.GIFT regional events"
MAX_IDEAS = 12  # in the recurring-ideas section
SUMMARY_IDEAS = 5  # on the one-page summary
TOPICS_PER_THEME = 3

# Every template is HTML (the SVG is inline HTML too), so autoescaping is on for all of them, not by extension.
_TEMPLATES = Environment(
    loader=PackageLoader("gift_dash", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# No scripts, no fetches of any kind: only the inline style sheet (and data: images, none used today).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_template(name: str, **context) -> str:
    """A template of gift_dash/templates/ rendered with the briefing's environment (autoescaped, strict): every
    print-ready document of the project (the briefing, the follow-up progress report) looks and escapes alike."""
    return _TEMPLATES.get_template(name).render(csp=CSP, **context)


class Response(NamedTuple):
    """A planned activity answering a record (from the workplan): shown in the "Planned response" section."""

    record_id: str
    activity_id: str
    activity_title: str
    strength: str


# ---------------------------------------------------------------------------------------------- content


def bar_chart(bars: Sequence[tuple[str, int, str]], title: str, width: int = 640) -> dict:
    """Geometry of a horizontal bar chart for the SVG template: (label, count, colour) per bar, each bar labelled
    with its count, so nothing is read from colour alone. Sizes are CSS pixels (the chart prints at 1:1)."""
    label_w, value_w, row_h, top = 190, 40, 22, 2
    peak = max([n for _, n, _ in bars], default=0) or 1
    scale = (width - label_w - value_w) / peak
    rows = [
        {
            "label": label if len(label) <= 30 else label[:29] + "\u2026",
            "full_label": label,
            "count": n,
            "colour": colour,
            "y": top + i * row_h,
            "bar_width": round(max(n * scale, 1), 1),
            "count_x": round(label_w + n * scale + 5, 1),
        }
        for i, (label, n, colour) in enumerate(bars)
    ]
    return {
        "title": title,
        "width": width,
        "height": top + row_h * len(bars) + 2,
        "label_w": label_w,
        "row_h": row_h,
        "rows": rows,
    }


def _theme_counts(records: pd.DataFrame, dataset: Dataset) -> list[dict]:
    """Every theme with records, in the codebook's order: its label, records, and the topics its records carry
    most often (label and records), which say what was asked for under it."""
    counts = facet_counts(records, "themes", multi=True)
    topics = dataset.codebook.labels("topics")
    out = []
    for value in dataset.codebook.values("themes"):
        if not counts.get(value, 0):
            continue
        within = records[records["themes"].map(lambda cell, v=value: v in split_multi(cell))]
        top = facet_counts(within, "topics", multi=True).drop(NOT_STATED, errors="ignore")
        top = top.sort_values(ascending=False, kind="stable").head(TOPICS_PER_THEME)
        out.append(
            {
                "value": value,
                "label": dataset.codebook.label("themes", value),
                "records": int(counts[value]),
                "colour": THEME_COLOURS.get(value, NEUTRAL),
                "topics": [{"label": topics.get(t, t), "records": int(n)} for t, n in top.items()],
            }
        )
    return out


def _events_in_scope(records: pd.DataFrame, events: pd.DataFrame) -> list[dict]:
    counts = records["event_id"].value_counts()
    held = by_date(events[events["event_id"].isin(counts.index)])
    return [
        {
            "id": e["event_id"],
            "label": event_label(e),
            "title": e["title"] or NOT_STATED,
            "place": place(e),
            "dates": e["date_as_stated"] or NOT_STATED,
            "organisers": e["organisers"] or NOT_STATED,
            "records": int(counts[e["event_id"]]),
        }
        for e in held.to_dict("records")
    ]


def _period(events: pd.DataFrame) -> str:
    """ "June 2007 to February 2008", the span the Overview states too (tabulate.event_span), in a sentence's
    words; "" when no event has a date."""
    span = event_span(events)
    if span is None:
        return ""
    first, last = f"{span[0]:%B %Y}", f"{span[1]:%B %Y}"
    return first if first == last else f"{first} to {last}"


def _record_kinds(records: pd.DataFrame, dataset: Dataset) -> str:
    """ "22 recommendations, 12 conclusions and 6 priority actions": record types by count, in words."""
    kinds = records["record_type"].value_counts()
    words = [
        f"{n} {dataset.codebook.label('record_type', kind).lower()}{'s' if n > 1 else ''}"
        if kind
        else f"{n} record{'s' if n > 1 else ''} of no stated type"
        for kind, n in kinds.items()
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def ideas_in_scope(records: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Groups of similar records (``groups``: similarity.groups over the whole dataset, so a group means the same
    in every scope) as seen within ``records``: those spanning more than one event in scope, or, when the scope
    holds one event, those with more than one member. Columns as similarity.group_summary."""
    summary = group_summary(records, groups)
    several_events = records["event_id"].nunique() > 1
    return summary[summary["n_events"] > 1] if several_events else summary[summary["n_members"] > 1]


class _Cited:
    """What the document needs to say about each record in scope: short label, list, parent context."""

    def __init__(self, records: pd.DataFrame, dataset: Dataset):
        self.labels = dict(zip(records["id"], short_labels(records, dataset.events), strict=True))
        self._parents = dataset.records.set_index("id")[["item", "text"]]
        self._records = records.set_index("id")
        self._position = {record_id: i for i, record_id in enumerate(records["id"])}
        self.in_scope = self._position.keys()
        self._events = {e["event_id"]: event_label(e) for e in dataset.events.to_dict("records")}

    def parent(self, record_id: str, always: bool = False) -> dict | None:
        """The parent item a sub-item completes, quoted with it (item label and text); only when the parent is
        not shown just above it (out of scope), unless ``always``."""
        parent_id = self._records.at[record_id, "parent_id"]
        if not parent_id or parent_id not in self._parents.index or (parent_id in self.in_scope and not always):
            return None
        parent = self._parents.loc[parent_id]
        return {"item": item_label(parent["item"]), "text": parent["text"]}

    def in_order(self, ids: Iterable[str]) -> list[str]:
        """``ids`` in the order of the records in scope (the document's)."""
        return sorted(ids, key=self._position.__getitem__)

    def members_by_event(self, ids: Sequence[str]) -> list[dict]:
        """Records grouped the way a reader finds them: per event, per list, the items (label and anchor)."""
        out: dict[str, dict[str, list[dict]]] = {}
        for record_id in ids:
            record = self._records.loc[record_id]
            event = self._events.get(record["event_id"], record["event_id"] or f"event {NOT_STATED}")
            lists = out.setdefault(event, {})
            lists.setdefault(list_name(record), []).append(
                {"anchor": record_id, "item": item_label(record["item"]) or "(the whole entry)"}
            )
        return [
            {"event": event, "lists": [{"name": name, "entries": entries} for name, entries in lists.items()]}
            for event, lists in out.items()
        ]


def _ideas(records: pd.DataFrame, dataset: Dataset, groups: pd.DataFrame, cited: _Cited) -> dict:
    ideas = ideas_in_scope(records, groups)
    several_events = records["event_id"].nunique() > 1
    shown = ideas.head(MAX_IDEAS)
    names = {e["event_id"]: e["short_name"] for e in dataset.events.to_dict("records")}
    rows = [
        {
            "label": i["label"],
            "n_events": int(i["n_events"]),
            "n_members": int(i["n_members"]),
            "events": [names.get(e, e) for e in i["events"]],
            "quote": {
                "anchor": i["representative_id"],
                "label": cited.labels[i["representative_id"]],
                "text": i["representative_text"],
                "parent": cited.parent(i["representative_id"], always=True),
            },
            "members": cited.members_by_event(i["member_ids"]),
        }
        for i in shown.to_dict("records")
    ]
    return {"several_events": several_events, "total": len(ideas), "rows": rows}


def _appendix(records: pd.DataFrame, dataset: Dataset, held: list[dict], cited: _Cited) -> list[dict]:
    """Per event (date order), per list (document order): the list's full citation once, then its items."""
    themes = dataset.codebook.labels("themes")
    framed = records.assign(_citation=list_citations(records, dataset.events))
    out = []
    for event in held:
        lists = []
        mine = framed[framed["event_id"] == event["id"]]
        for (_, lead_in), items in mine.groupby(["list_id", "section"], sort=False):
            lists.append(
                {
                    "name": list_name(items.iloc[0]),
                    "lead_in": lead_in,
                    "citation": items["_citation"].iloc[0],
                    "entries": [
                        {
                            "id": r["id"],
                            "item": item_label(r["item"]),
                            "text": r["text"],
                            "label": cited.labels[r["id"]],
                            "sub": bool(r["parent_id"]),
                            "parent": cited.parent(r["id"]),
                            "themes": [themes.get(t, t) for t in split_multi(r["themes"])] or [NOT_STATED],
                        }
                        for r in items.to_dict("records")
                    ],
                }
            )
        out.append({**event, "lists": lists})
    return out


def _responses(responses: Sequence[Response], cited: _Cited, strengths: Mapping[str, str]) -> list[dict]:
    """One row per workplan activity (or lettered sub-activity) answering records in scope, in the order given: the
    activity, then for each strength of link, strongest first and named as the codebook names it (``strengths``),
    the records by event, list and item. (A row per record and activity repeated one activity down whole pages.)
    Responses to records outside the scope are left out."""
    rank = {strength: i for i, strength in enumerate(response.STRENGTHS)}
    by_activity: dict[str, dict] = {}
    for r in responses:
        if r.record_id in cited.in_scope:
            row = by_activity.setdefault(r.activity_id, {"title": r.activity_title, "ids": {}})
            row["ids"].setdefault(r.strength, set()).add(r.record_id)
    return [
        {
            "activity_id": activity_id,
            "activity_title": row["title"],
            "links": [
                {
                    "strength": strengths.get(strength, strength),
                    "n": len(ids),
                    "members": cited.members_by_event(cited.in_order(ids)),
                }
                for strength, ids in sorted(row["ids"].items(), key=lambda item: rank.get(item[0], len(rank)))
            ],
        }
        for activity_id, row in by_activity.items()
    ]


def _coverage(records: pd.DataFrame, dataset: Dataset) -> dict | None:
    """The coverage line of the "Planned response" section: records in scope answered, explicit and thematic only
    apart, and the rule they follow; None when no record in scope was read against the workplan."""
    if response.in_scope(records).empty:
        return None
    row = response.coverage(records, dataset).iloc[0]
    return {
        "records": int(row["Records"]),
        "answered": int(row["With a planned response"]),
        "share": f"{row['Share with a response (%)']:.1f}",
        "explicit": int(row["Explicit"]),
        "thematic": int(row["Thematic only"]),
        "rule": response.LINK_RULE,
    }


def planned_responses(records: pd.DataFrame, dataset: Dataset) -> list[Response]:
    """The workplan activities answering these records (gift_dash.response), for render_briefing."""
    return [Response(*row) for row in response.briefing_rows(records, dataset)]


def followup_summary(records: pd.DataFrame, entries: pd.DataFrame | None) -> dict[str, int] | None:
    """Follow-up status (label) -> number of records in scope, in the codebook's order, for render_briefing;
    None when there is no store to read."""
    if entries is None:
        return None
    from gift_dash.followup import summary

    counts = summary.with_status(records, entries)["followup_status"].value_counts()
    return {label: int(counts[status]) for status, label in summary.status_labels().items() if status in counts}


def _whole_dataset_groups(dataset: Dataset, groups: pd.DataFrame | None) -> pd.DataFrame:
    return groups if groups is not None else similarity_groups(build_index(dataset.records, codebook=dataset.codebook))


def render_briefing(
    records: pd.DataFrame,
    dataset: Dataset,
    scope: str,
    generated_at: datetime | None = None,
    groups: pd.DataFrame | None = None,
    responses: Sequence[Response] | None = None,
    followup: Mapping[str, int] | None = None,
) -> str:
    """The briefing for these records. ``scope`` is the filters in words (filters.describe); ``groups`` is
    similarity.groups over the whole dataset, computed here when the caller has none cached.

    ``responses`` (planned workplan activities answering records; those outside the scope are left out) and
    ``followup`` (follow-up status -> number of records in scope) each add their section when given; None
    leaves the section out, an empty one says there is nothing to report.
    """
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    page = {
        "title": TITLE,
        "scope": scope,
        "csp": CSP,
        "generated": f"{when:%d %B %Y, %H:%M} UTC",
        "version": dataset.version,
        "document": DOCUMENT_TITLE,
        "empty": records.empty,
    }
    if records.empty:
        return _TEMPLATES.get_template("briefing.html").render(**page)
    themes = _theme_counts(records, dataset)
    held = _events_in_scope(records, dataset.events)
    cited = _Cited(records, dataset)
    ideas = _ideas(records, dataset, _whole_dataset_groups(dataset, groups), cited)
    n = len(records)
    figures = headline(records, dataset.events)
    theme_chart = bar_chart(
        [(t["label"], t["records"], t["colour"]) for t in themes],
        f"Records per theme (n = {n} records; a record with two themes counts in both)",
    )
    event_chart = bar_chart([(e["label"], e["records"], NEUTRAL) for e in held], f"Records per event (n = {n} records)")
    in_scope = dataset.events[among(dataset.events["event_id"], records["event_id"])]
    topics = facet_counts(records, "topics", multi=True).drop(NOT_STATED, errors="ignore")
    top_topic = (
        {"label": dataset.codebook.label("topics", topics.idxmax()), "records": int(topics.max())}
        if len(topics)
        else None
    )
    return _TEMPLATES.get_template("briefing.html").render(
        **page,
        figures=figures,
        kinds=_record_kinds(records, dataset),
        period=_period(in_scope),
        events=held,
        themes=themes,
        top_topic=top_topic,
        theme_chart=theme_chart,
        event_chart=event_chart,
        ideas=ideas,
        summary_ideas=ideas["rows"][:SUMMARY_IDEAS],
        appendix=_appendix(records, dataset, held, cited),
        responses=None
        if responses is None
        else _responses(responses, cited, dataset.codebook.labels("response_strength")),
        coverage=None if responses is None else _coverage(records, dataset),
        followup=None if followup is None else [{"status": k, "records": int(v)} for k, v in followup.items()],
    )


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
        raise PdfUnavailable(
            "no Chromium found (set CHROMIUM_PATH, or install the 'chromium' package); "
            "the HTML briefing prints to PDF from any browser instead"
        )
    with tempfile.TemporaryDirectory(prefix="gift-briefing-") as tmp:
        source, target = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium could not print the briefing ({exc})") from None
        if not target.is_file() or target.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(f"Chromium did not write a PDF (exit code {done.returncode}: {detail[0][:200]})")
        return target.read_bytes()
