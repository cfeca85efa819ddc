"""What a follow-up entry may be about: the dataset's record ids, and the workplan's activity ids when the
workplan file exists (without it any well-formed activity id is accepted)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gift_dash.data import DATA_DIR, ReadError, read_table
from gift_dash.followup.store import validate_target
from gift_dash.schema import RESPONDING_KINDS

WORKPLAN_FILE = "workplan.csv"
ID_COLUMN = "workplan_id"  # schema.REQUIRED_WORKPLAN_COLUMNS: what data/workplan.csv names its ids


@dataclass(frozen=True)
class Targets:
    records: frozenset[str]
    activities: frozenset[str] | None  # None: no workplan to check against

    def problem(self, kind: str, target_id: str) -> str | None:
        """What is wrong with a target (None when it exists, or cannot be checked)."""
        problem = validate_target(kind, target_id)
        if problem:
            return problem
        if kind == "record" and target_id not in self.records:
            return f"no record with id {target_id!r} in the dataset"
        if kind == "activity" and self.activities is not None and target_id not in self.activities:
            return f"no activity with id {target_id!r} in {WORKPLAN_FILE}"
        return None


def workplan(data_dir: Path = DATA_DIR):
    """The workplan's activities and lettered sub-items (a frame of strings: what follow-up can be about), or None
    when there is no readable workplan with ids (its own loader and validation belong to the workplan; this only
    needs the ids and pillars)."""
    path = data_dir / WORKPLAN_FILE
    if not path.is_file():
        return None
    try:
        frame = read_table(path)
    except ReadError:
        return None
    if ID_COLUMN not in frame.columns:
        return None
    return frame[frame["kind"].str.strip().isin(RESPONDING_KINDS)] if "kind" in frame.columns else frame


def workplan_activity_ids(data_dir: Path = DATA_DIR) -> frozenset[str] | None:
    frame = workplan(data_dir)
    if frame is None:
        return None
    return frozenset(frame[ID_COLUMN].str.strip()) - {""}


def targets(record_ids, data_dir: Path = DATA_DIR) -> Targets:
    """The targets of a dataset (its record ids) and of the workplan in ``data_dir``."""
    return Targets(frozenset(record_ids), workplan_activity_ids(data_dir))
