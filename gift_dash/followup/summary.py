"""What the follow-up entries say about a set of records: each record's status, counts by theme/event/pillar,
overdue items, the Overview's progress figure, status columns for exports and the briefing. Pure pandas."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from gift_dash.dimensions import NO_ENTRY, STATUS, WITHDRAWN
from gift_dash.followup.store import statuses
from gift_dash.schema import split_multi

DONE = ("completed", "not_applicable")  # statuses that cannot be overdue
COLUMN = STATUS.column  # each target's follow-up state, as with_status and joined add it


def status_labels() -> dict[str, str]:
    """Every value a record's follow-up state can take, in order: the codebook's statuses, then the two the
    store adds (the registry's status dimension)."""
    return {**statuses(), **dict(STATUS.joined.added)}


def of_kind(entries: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The entries (store.entries_frame) of one target kind, indexed by target id."""
    return entries[entries["target_kind"] == kind].set_index("target_id")


def with_status(
    targets: pd.DataFrame, entries: pd.DataFrame, kind: str = "record", id_column: str = "id"
) -> pd.DataFrame:
    """``targets`` (records, or workplan activities) with the follow-up columns of their entries:
    responsible, target_date, changed_by, changed_at, version and followup_status (a status, WITHDRAWN or
    NO_ENTRY)."""
    mine = of_kind(entries, kind)[
        ["status", "withdrawn", "responsible", "target_date", "changed_by", "changed_at", "version"]
    ]
    # Looked up by id and added as columns: a merge would copy every column of the targets as well.
    found = mine.reindex(targets[id_column].to_numpy()).set_axis(targets.index)
    withdrawn = found["withdrawn"].eq(True)
    return targets.assign(
        responsible=found["responsible"].astype(object).fillna(""),
        target_date=found["target_date"],
        changed_by=found["changed_by"].astype(object).fillna(""),
        changed_at=found["changed_at"],
        version=found["version"].fillna(0).astype(int),
        **{COLUMN: found["status"].astype(object).fillna(NO_ENTRY).where(~withdrawn, WITHDRAWN)},
    )


def joined(records: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the column the registry's status dimension reads (dimensions.Joined): what is joined from
    the store before records are filtered, so the sidebar, the address, cross-tabs and the CLI treat it as any
    other dimension."""
    return records.assign(**{COLUMN: with_status(records[["id"]], entries)[COLUMN]})


def status_counts(
    frame: pd.DataFrame, column: str, multi: bool = False, labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """Rows: the values of ``column`` (each value of a multi-valued cell counts: a record with two themes is in
    both rows); columns: the status labels, then n (targets in the row). ``frame`` comes from with_status."""
    labels = labels or status_labels()
    # Counted per distinct (cell, status) first, and each distinct cell split once: far fewer of those than rows.
    pairs = pd.DataFrame({"cell": frame[column].fillna("").astype(str), "status": frame[COLUMN]})
    counts: dict[str, dict[str, int]] = {}
    for (cell, status), n in pairs.value_counts(sort=False).items():
        for value in split_multi(cell) if multi else [cell.strip()] if cell.strip() else []:
            row = counts.setdefault(value, {})
            row[status] = row.get(status, 0) + int(n)
    table = pd.DataFrame.from_dict(counts, orient="index", columns=list(labels)).fillna(0).astype("int64").sort_index()
    table = table.loc[:, (table != 0).any() | table.columns.isin(list(statuses()))]
    table.columns = [labels[c] for c in table.columns]
    table["n"] = table.sum(axis=1)
    return table


def is_overdue(frame: pd.DataFrame, today: date) -> pd.Series:
    """True for the targets whose target date has passed while their status is neither completed nor not
    applicable (withdrawn entries excluded)."""
    dates = frame["target_date"]
    dated = dates.notna()
    late = pd.Series(False, index=frame.index)
    # Compared as the date objects they are: parsing them to timestamps cost more than the rest of the summary.
    late[dated] = dates[dated] < today
    return late & frame[COLUMN].isin([s for s in statuses() if s not in DONE])


def overdue(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """The overdue targets (is_overdue), earliest first."""
    late = frame["target_date"][is_overdue(frame, today)]
    return frame.loc[late.sort_values(kind="stable").index]  # ordered first: one copy of the wide frame


def progress(frame: pd.DataFrame, today: date) -> dict[str, int]:
    """The Overview's figure for donors: of n targets, how many have an entry, how many are in progress or
    completed, how many overdue (withdrawn ones count as without an entry)."""
    status = frame[COLUMN]
    return {
        "n": len(frame),
        "with_entry": int((~status.isin([NO_ENTRY, WITHDRAWN])).sum()),
        "in_progress": int((status == "in_progress").sum()),
        "completed": int((status == "completed").sum()),
        "overdue": int(is_overdue(frame, today).sum()),
    }


def date_text(dates: pd.Series) -> pd.Series:
    """Target dates (date objects or missing) as YYYY-MM-DD, "" where there is none; each distinct date once."""
    return dates.map({d: d.isoformat() for d in dates.dropna().unique()}).astype(object).fillna("")


def export_columns(records: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Record id -> its follow-up status (label), responsible bodies and target date, for exports and the
    briefing; records without an entry say so. Text is as stored (exports neutralise formulas when writing)."""
    frame = with_status(records[["id"]], entries)
    labels = status_labels()
    return pd.DataFrame(
        {
            "Record id": frame["id"],
            STATUS.heading: frame[COLUMN].map(labels),
            "Responsible": frame["responsible"],
            "Target date": date_text(frame["target_date"]),
        }
    )


_HTTP = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def evidence_items(text: str) -> list[tuple[str, str | None]]:
    """Each line of an evidence field: (the text, its URL when the line is one http(s) link, else None). Any
    other line, javascript: and data: URLs included, is a document reference shown as plain text."""
    items = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if line:
            items.append((line, line if _HTTP.fullmatch(line) else None))
    return items
