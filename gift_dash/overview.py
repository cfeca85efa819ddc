"""What the Overview shows of a view, worked out in one place so the app can keep it per view: the headline, the
charts' specs and tables, the workplan's coverage and the follow-up's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from gift_dash import response, tabulate, vega
from gift_dash.data import Dataset
from gift_dash.followup import summary
from gift_dash.present import events_table


@dataclass(frozen=True)
class Overview:
    story: dict  # tabulate.story()
    events: pd.DataFrame  # present.events_table(): the numbers behind the map and the timeline
    themes: dict | None  # vega.theme_panels(), None without records
    mix: pd.DataFrame | None  # the numbers behind it
    map: dict  # vega.event_map()
    timeline: dict  # vega.timeline()
    planned: pd.Series | None  # response.coverage() of all the records in scope, None without any
    progress: dict[str, int] | None  # summary.progress() on ``today``, None without a follow-up store
    ideas: pd.DataFrame | None  # tabulate.recurring_ideas(), None without records
    ideas_chart: dict | None  # vega.ranked_bars() of them, None when there is none


def of(
    records: pd.DataFrame,
    dataset: Dataset,
    ideas: pd.DataFrame | None,
    entries: pd.DataFrame | None,
    today: date,
    topojson_url: str,
) -> Overview:
    """The Overview of ``records`` (a view of ``dataset``); ``ideas`` is similarity.group_summary of them (None when
    there is none) and
    ``entries`` the follow-up store's entries (None without a store)."""
    events, codebook = dataset.events, dataset.codebook
    in_view = records["event_id"].value_counts()
    mix = None if records.empty else tabulate.theme_mix(records, events, codebook)
    recurring = None if records.empty or ideas is None else tabulate.recurring_ideas(records, events, ideas)
    return Overview(
        story=tabulate.story(records, events, codebook),
        events=events_table(events, in_view),
        themes=None if mix is None else vega.theme_panels(mix, len(records), codebook.values("themes")),
        mix=None if mix is None else mix[["event", "theme", "records"]],
        map=vega.event_map(events, in_view, topojson_url),
        timeline=vega.timeline(events, in_view),
        planned=response.coverage(records, dataset).iloc[0] if len(response.in_scope(records)) else None,
        progress=None if entries is None else summary.progress(summary.with_status(records, entries), today),
        ideas=recurring,
        ideas_chart=None
        if recurring is None or recurring.empty
        else vega.ranked_bars(
            recurring,
            "idea",
            "events",
            "Ideas that recur across events: number of events",
            f"top {len(recurring)} groups of similar records; n = {len(records)} records",
            detail="event_names",
        ),
    )
