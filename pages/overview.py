"""Overview: the story at a glance, first screen at 1280×720 (a projector): the numbers in one sentence, what the
events asked for by theme beside where they took place; then when, and the ideas that recur."""

from datetime import UTC, datetime

import streamlit as st

import gift_ui
from gift_dash import response

view, notices = gift_ui.page_setup("UN.GIFT recommendations")
gift_ui.show_notices(notices)
ds, records = view.dataset, view.records
events = ds.events
today = datetime.now(UTC).date()  # the day the Follow-up page counts overdue by, too
shown = gift_ui.overview_in_view(view, today, gift_ui.TOPOJSON_URL)
story = shown.story


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _counted(pairs: list[tuple[str, int]]) -> str:
    return " · ".join(f"{gift_ui.md_escape(label)} **{n:,}**" for label, n in pairs)


# One sentence instead of four number cards: the first screen keeps room for the charts. Every number has its n.
when = f", {story['period']}" if story["period"] else ""
if story["undated"]:
    when += f" ({story['undated']} without exact dates)"
figures = (
    _n(story["records"], "record", "records"),
    _n(story["events"], "event", "events"),
    _n(story["countries"], "country", "countries"),
)
headline = f"#### {' · '.join(figures)}{when}\n"
if story["records"]:
    headline += (
        f"{_counted(story['record_types'])}, from {_n(story['lists'], 'list', 'lists')}.  \n"
        f"By theme, a record counting under each of its themes: {_counted(story['themes'])}."
    )
st.markdown(headline)

if records.empty:
    st.info("No records match these filters. Remove a filter in the sidebar to see more.")

table = shown.events
# The theme panels need about 480 px and the map about 340 at 1280 px with the sidebar open (a projector).
themes_column, map_column = st.columns([6, 4], gap="small")
with themes_column:
    if records.empty:
        st.markdown("No theme to chart: no record in view.")
    else:
        gift_ui.chart(
            shown.themes,
            shown.mix,
            key="themes",
            note="A record with several themes counts under each of them.",
        )
with map_column:
    gift_ui.chart(shown.map, table, key="map")
    for _, event in events[events["latitude"].astype(str).str.strip() == ""].iterrows():
        st.caption(
            f"{gift_ui.md_escape(event['short_name'])} ({gift_ui.md_escape(event['country'] or 'country not stated')}): "
            "city not stated — not mapped."
        )

# What was planned and done in response, for donors: the workplan's coverage and the follow-up store's progress.
planned, progress = shown.planned, shown.progress
parts = []
if planned is not None:
    parts.append(
        f"**{planned['Share with a response (%)']:.0f}%** have a planned response in the 2008–2009 workplan "
        f"({planned['With a planned response']:,} of {planned['Records']:,}: {planned['Explicit']:,} explicit, "
        f"{planned['Thematic only']:,} thematic only; {response.LINK_RULE})"
    )
if progress is not None:
    parts.append(
        f"as of {today.day} {today:%B %Y} (UTC), follow-up recorded for **{progress['with_entry']:,}** of "
        f"{progress['n']:,} · {progress['in_progress']:,} in progress · {progress['completed']:,} completed · "
        f"{progress['overdue']:,} overdue"
    )
if parts:
    st.markdown("**Response:** " + "; ".join(parts) + ".")

gift_ui.chart(shown.timeline, table, key="timeline")
for _, event in events[events["start_date"].astype(str).str.strip() == ""].iterrows():
    stated = event["date_as_stated"] or "no date"
    st.caption(
        f"{gift_ui.md_escape(event['short_name'])}: the document says “{gift_ui.md_escape(stated)}” — "
        "no exact dates, so not on the timeline."
    )

if shown.ideas is not None:
    if shown.ideas_chart is None:
        st.info("No idea recurs across two or more events in this selection.")
    else:
        gift_ui.chart(
            shown.ideas_chart,
            shown.ideas,
            key="ideas",
            note="Each idea is a group of records in similar words or with "
            "the same tags (see Recurring ideas). 'representative_text' is one member, verbatim.",
        )
