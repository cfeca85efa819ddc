"""What the follow-up entries say about a set of records: each record's status, counts by theme/event/pillar,
overdue items, the Overview's progress figure, status columns for exports and the briefing. Pure pandas."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from gift_dash.followup.store import statuses

NO_ENTRY, WITHDRAWN = "no_entry", "withdrawn"
DONE = ("completed", "not_applicable")  # statuses that cannot be overdue


def status_labels() -> dict[str, str]:
    """Every value a record's follow-up state can take, in order: the codebook's statuses, then the two the
    store adds."""
    return {**statuses(), WITHDRAWN: "Withdrawn", NO_ENTRY: "No entry yet"}


def of_kind(entries: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The entries (store.entries_frame) of one target kind, indexed by target id."""
    return entries[entries["target_kind"] == kind].set_index("target_id")


def with_status(
    targets: pd.DataFrame, entries: pd.DataFrame, kind: str = "record", id_column: str = "id"
) -> pd.DataFrame:
    """``targets`` (records, or workplan activities) with the follow-up columns of their entries:
    followup_status (a status, WITHDRAWN or NO_ENTRY), responsible, target_date, changed_by, changed_at."""
    mine = of_kind(entries, kind)[
        ["status", "withdrawn", "responsible", "target_date", "changed_by", "changed_at", "version"]
    ]
    out = targets.merge(mine, how="left", left_on=id_column, right_index=True)
    withdrawn = out.pop("withdrawn").fillna(False).astype(bool)
    out["followup_status"] = out.pop("status").fillna(NO_ENTRY).where(~withdrawn, WITHDRAWN)
    for column in ("responsible", "changed_by"):
        out[column] = out[column].astype(object).fillna("")
    out["version"] = out["version"].fillna(0).astype(int)
    return out


def status_counts(
    frame: pd.DataFrame, column: str, multi: bool = False, labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """Rows: the values of ``column`` (each value of a multi-valued cell counts: a record with two themes is in
    both rows); columns: the status labels, then n (targets in the row). ``frame`` comes from with_status."""
    labels = labels or status_labels()
    values = frame[column].astype(str)
    values = values.str.split(";") if multi else values.map(lambda v: [v])
    long = pd.DataFrame({"value": values, "status": frame["followup_status"]}).explode("value")
    long["value"] = long["value"].str.strip()
    long = long[long["value"].fillna("") != ""]
    table = long.groupby(["value", "status"]).size().unstack(fill_value=0).reindex(columns=list(labels), fill_value=0)
    table.columns.name = None
    table = table.loc[:, (table != 0).any() | table.columns.isin(list(statuses()))]
    table.columns = [labels[c] for c in table.columns]
    table["n"] = table.sum(axis=1)
    return table


def overdue(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """The targets whose target date has passed while their status is neither completed nor not applicable
    (withdrawn entries excluded), earliest first."""
    dates = pd.to_datetime(frame["target_date"], errors="coerce")
    late = (
        dates.notna()
        & (dates < pd.Timestamp(today))
        & frame["followup_status"].isin([s for s in statuses() if s not in DONE])
    )
    return frame[late].assign(_d=dates[late]).sort_values("_d").drop(columns="_d")


def progress(frame: pd.DataFrame, today: date) -> dict[str, int]:
    """The Overview's figure for donors: of n targets, how many have an entry, how many are in progress or
    completed, how many overdue (withdrawn ones count as without an entry)."""
    status = frame["followup_status"]
    return {
        "n": len(frame),
        "with_entry": int((~status.isin([NO_ENTRY, WITHDRAWN])).sum()),
        "in_progress": int((status == "in_progress").sum()),
        "completed": int((status == "completed").sum()),
        "overdue": len(overdue(frame, today)),
    }


def export_columns(records: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Record id -> its follow-up status (label), responsible bodies and target date, for exports and the
    briefing; records without an entry say so. Text is as stored (exports neutralise formulas when writing)."""
    frame = with_status(records[["id"]], entries)
    labels = status_labels()
    return pd.DataFrame(
        {
            "Record id": frame["id"],
            "Follow-up status": frame["followup_status"].map(labels),
            "Responsible": frame["responsible"],
            "Target date": frame["target_date"].map(lambda d: d.isoformat() if isinstance(d, date) else ""),
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
