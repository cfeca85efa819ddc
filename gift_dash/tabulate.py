"""Counting records: facet counts, cross-tabs over single- and multi-valued columns, and the overview's figures."""

from __future__ import annotations

import pandas as pd

from gift_dash.dimensions import DIMENSIONS
from gift_dash.schema import NOT_STATED, Codebook, among, event_names, split_multi

MEASURES = {"count": "Number of records", "row": "Row %", "column": "Column %"}


def exploded(series: pd.Series, multi: bool) -> pd.Series:
    """One entry per (record, value): multi-valued cells split on ';', blanks as NOT_STATED; index kept."""
    cells = series.fillna("").astype(str)
    if multi:
        # Each distinct cell split once: far fewer tag combinations than records (20,000 records: 60,000 splits).
        split = {cell: list(dict.fromkeys(split_multi(cell))) for cell in cells.unique()}
        cells = cells.map(split).explode().fillna("")
    else:
        cells = cells.str.strip()
    return cells.mask(cells == "", NOT_STATED)


def value_counts(cells: pd.Series, multi: bool = False) -> pd.Series:
    """value -> number of cells holding it (a record with two values counts once under each), most first."""
    # Count distinct cells first: there are far fewer tag combinations than records, so splitting them is cheap
    # even at 20,000 records (the sidebar asks for eleven of these on every run).
    counts: dict[str, int] = {}
    for cell, n in cells.fillna("").astype(str).value_counts().items():
        for value in dict.fromkeys(split_multi(cell) if multi else [cell.strip()]):
            if value:
                counts[value] = counts.get(value, 0) + int(n)
    return pd.Series(counts, dtype="int64").sort_values(ascending=False, kind="stable")


def facet_counts(records: pd.DataFrame, column: str, multi: bool = False) -> pd.Series:
    """value -> number of records holding it in ``column``."""
    return value_counts(records[column], multi)


def dimension_values(records: pd.DataFrame, events: pd.DataFrame, key: str, codebook: Codebook) -> pd.Series:
    """The readable values of a dimension, one entry per (record, value), indexed like ``records``."""
    dim = DIMENSIONS[key]
    labels = dim.labels(codebook, events)
    values = exploded(dim.cells(records, events), dim.multi)
    return values.map({v: labels.get(v) or v for v in values.unique()})  # each distinct value looked up once


def ordered_values(values: pd.Series, key: str, codebook: Codebook, events: pd.DataFrame) -> list[str]:
    """Categories in a meaningful order: codebook order, events by date, anything else alphabetically."""
    present = set(values.unique())
    dim = DIMENSIONS[key]
    labels = dim.labels(codebook, events)
    order = list(dict.fromkeys(labels.get(v) or v for v in dim.values(codebook, events)))
    known = [v for v in order if v in present]
    return known + sorted(present - set(known) - {NOT_STATED}) + ([NOT_STATED] if NOT_STATED in present else [])


def crosstab(
    records: pd.DataFrame, events: pd.DataFrame, codebook: Codebook, row: str, column: str, measure: str = "count"
) -> pd.DataFrame:
    """Records counted by two dimensions; a record with several values counts in each of its cells.

    ``measure``: "count", "row" (% of each row's records) or "column" (% of each column's records). The
    percentages divide by the number of distinct records in the row (column), so with multi-valued dimensions
    a row's percentages can add up to more than 100.
    """
    rows = dimension_values(records, events, row, codebook).rename("row")
    cols = dimension_values(records, events, column, codebook).rename("col")
    pairs = pd.merge(rows, cols, left_index=True, right_index=True).reset_index(names="record")
    counts = pd.crosstab(pairs["row"], pairs["col"]) if len(pairs) else pd.DataFrame(dtype="int64")
    counts = counts.reindex(
        index=ordered_values(rows, row, codebook, events),
        columns=ordered_values(cols, column, codebook, events),
        fill_value=0,
    )
    if measure == "count":
        table = counts
    elif measure == "row":
        totals = pairs.groupby("row")["record"].nunique().reindex(counts.index)
        table = counts.div(totals, axis=0).mul(100).round(1)
    elif measure == "column":
        totals = pairs.groupby("col")["record"].nunique().reindex(counts.columns)
        table = counts.div(totals, axis=1).mul(100).round(1)
    else:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    table.index.name, table.columns.name = DIMENSIONS[row].label, DIMENSIONS[column].label
    return table


def cell_records(
    records: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    row: str,
    row_value: str,
    column: str,
    column_value: str,
) -> pd.DataFrame:
    """The records counted in one cross-tab cell."""
    rows = dimension_values(records, events, row, codebook)
    cols = dimension_values(records, events, column, codebook)
    hit = set(rows[rows == row_value].index) & set(cols[cols == column_value].index)
    return records[records.index.isin(hit)]


def headline(records: pd.DataFrame, events: pd.DataFrame) -> dict[str, int]:
    """The overview's figures for the records in view."""
    held = events[among(events["event_id"], records["event_id"])]
    return {
        "events": int(records["event_id"].nunique()),
        "records": len(records),
        "countries": int(held["country"].replace("", pd.NA).nunique()),
        "lists": int(records["list_id"].replace("", pd.NA).nunique()),
    }


def event_span(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first stated start and the last stated day (an end date, or a start where no end is stated) of the
    events; None when none has a date. The Overview and the briefing both say their period from it."""
    # The schema's date form (validated with date.fromisoformat); anything else is no stated date.
    starts = pd.to_datetime(events["start_date"], format="%Y-%m-%d", errors="coerce").dropna()
    if starts.empty:
        return None
    ends = pd.to_datetime(events["end_date"], format="%Y-%m-%d", errors="coerce").dropna()
    return starts.min(), max(ends.max() if len(ends) else starts.max(), starts.max())


def story(records: pd.DataFrame, events: pd.DataFrame, codebook: Codebook) -> dict:
    """What the overview's headline says, for the records in view: headline()'s figures, the period of the
    events' stated dates (``undated``: events in view without exact dates), and (label, n) per record type and
    per theme (most first; a record with several themes counts under each)."""
    held = events[among(events["event_id"], records["event_id"])]
    span, period = event_span(held), ""
    if span:
        first, last = span
        if (first.year, first.month) == (last.year, last.month):
            period = f"{last:%B %Y}"
        else:
            period = f"{first:%B}–{last:%B %Y}" if first.year == last.year else f"{first:%B %Y}–{last:%B %Y}"

    def labelled(column: str, vocabulary: str, multi: bool) -> list[tuple[str, int]]:
        return [(codebook.label(vocabulary, v), int(n)) for v, n in facet_counts(records, column, multi).items()]

    return {
        **headline(records, events),
        "period": period,
        "undated": int(len(held) - held["start_date"].astype(bool).sum()),
        "record_types": labelled("record_type", "record_type", False),
        "themes": labelled("themes", "themes", True),
    }


def theme_mix(records: pd.DataFrame, events: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Long frame event, theme, theme_value, records: how many records of each event carry each theme, events in
    the cross-tab's (date) order, so the chart lists them as the cross-tab does."""
    table = crosstab(records, events, codebook, "event", "theme")
    long = table.reset_index().melt(id_vars=table.index.name, var_name="theme", value_name="records")
    long = long.rename(columns={table.index.name: "event"})
    position = {event: i for i, event in enumerate(table.index)}
    long = long.sort_values("event", key=lambda column: column.map(position), kind="stable")
    values = {codebook.label("themes", v): v for v in codebook.values("themes")}
    long["theme_value"] = long["theme"].map(values).fillna("")
    return long[long["records"] > 0].reset_index(drop=True)


def recurring_ideas(records: pd.DataFrame, events: pd.DataFrame, summary: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """The ideas (similarity groups, from similarity.group_summary over ``records``) spanning the most events,
    at least two. Columns: idea, events, members, event_names, representative_text."""
    names = event_names(events)
    shared = summary[summary["n_events"] >= 2].head(top)
    return pd.DataFrame(
        {
            "idea": shared["label"],
            "events": shared["n_events"],
            "members": shared["n_members"],
            "event_names": shared["events"].map(lambda ids: ", ".join(names.get(e, e) for e in ids)),
            "representative_text": shared["representative_text"],
        }
    ).reset_index(drop=True)


def needs_vs_records(records: pd.DataFrame, ta_needs: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per TA area: the % of field offices naming it a priority (section VII.4) beside the % of records in
    view tagged with it. Columns: ta_area, label, needs_pct, records, records_pct."""
    counts = facet_counts(records, "ta_areas", multi=True)
    out = ta_needs[["ta_area", "percentage"]].rename(columns={"percentage": "needs_pct"}).copy()
    out["label"] = out["ta_area"].map(lambda v: codebook.label("ta_areas", v))
    out["records"] = out["ta_area"].map(counts).fillna(0).astype(int)
    out["records_pct"] = (out["records"] / len(records) * 100).round(1) if len(records) else 0.0
    return out[["ta_area", "label", "needs_pct", "records", "records_pct"]].reset_index(drop=True)
