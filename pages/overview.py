"""Overview: the story at a glance — the numbers, where and when the events took place, their themes, recurring ideas."""

import streamlit as st

import gift_ui
from gift_dash import charts, tabulate
from gift_dash.present import events_table

view, notices = gift_ui.page_setup("UN.GIFT regional recommendations, 2007–2008")
gift_ui.show_notices(notices)
ds, records = view.dataset, view.records
events = ds.events
figures = tabulate.headline(records, events)

for col, (label, key, help_text) in zip(st.columns(4), [
    ("Events", "events", "Events with at least one record in view"),
    ("Records", "records", "Recommendations, priority actions, conclusions and commitments in view"),
    ("Countries", "countries", "Host countries of those events"),
    ("Lists", "lists", "Lists in the document that the records come from"),
], strict=True):
    col.metric(label, f"{figures[key]:,}", help=help_text, border=True)

if records.empty:
    st.info("No records match these filters. Remove a filter in the sidebar to see more.")

in_view = records["event_id"].value_counts()
table = events_table(events, in_view)
gift_ui.chart(charts.event_map(events, in_view), table, key="map")
for _, event in events[events["latitude"].astype(str).str.strip() == ""].iterrows():
    st.caption(f"{gift_ui.md_escape(event['short_name'])} ({gift_ui.md_escape(event['country'] or 'country not stated')}): "
               "city not stated — not mapped.")
gift_ui.chart(charts.timeline(events, in_view), table, key="timeline")
for _, event in events[events["start_date"].astype(str).str.strip() == ""].iterrows():
    stated = event["date_as_stated"] or "no date"
    st.caption(f"{gift_ui.md_escape(event['short_name'])}: the document says “{gift_ui.md_escape(stated)}” — "
               "no exact dates, so not on the timeline.")

if not records.empty:
    mix = tabulate.theme_mix(records, events, ds.codebook)
    gift_ui.chart(charts.theme_mix(mix, len(records)), mix[["event", "theme", "records"]], key="themes",
                  note="A record with several themes counts under each of them.")

    summary = gift_ui.ideas_in_view(view)
    ideas = tabulate.recurring_ideas(records, events, summary)
    if ideas.empty:
        st.info("No idea recurs across two or more events in this selection.")
    else:
        fig = charts.ranked_bars(ideas, "idea", "events", "Ideas that recur across events: number of events",
                                 f"top {len(ideas)} groups of similar records; n = {len(records)} records",
                                 hover="event_names")
        gift_ui.chart(fig, ideas, key="ideas", note="Each idea is a group of records in similar words or with "
                      "the same tags (see Recurring ideas). 'representative_text' is one member, verbatim.")
