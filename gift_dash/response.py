"""The annex I workplan as the response to the recommendations: links per record, coverage, gaps and flows."""

from __future__ import annotations

import pandas as pd

# Sources whose records were read against the workplan: annex II and the Vienna Forum findings (section VI).
# Section V outcomes and uploaded records were not, so they are outside every coverage figure.
LINKED_SOURCES = ("annex-ii", "section-vi")


def activity_of(workplan_id: str, workplan: pd.DataFrame) -> str:
    """The activity a workplan row belongs to: a lettered sub-item's parent, an activity itself."""
    row = workplan.loc[workplan["workplan_id"] == workplan_id]
    if len(row) and row["kind"].iloc[0] == "sub_item":
        return row["parent_id"].iloc[0]
    return workplan_id
