"""Follow-up: what has been done on the recommendations in view — status by theme, event and pillar, overdue
items, and each entry with its history (changing one needs signing in as an editor)."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

import gift_ui
from gift_dash.followup import summary, targets
from gift_dash.present import display_frame
from gift_dash.schema import event_names
from gift_ui import followup as fu

OVERDUE_SHOWN = 100  # the list is for acting on; the full set is in the records table below

view, notices = gift_ui.page_setup(
    "Follow-up",
    page_keys=("record",),
    intro="What has been done on each recommendation in view: its status, who is responsible, by when, and the "
    "evidence. Narrow it by follow-up status, like anything else, in the sidebar. Anyone can read; changing an "
    "entry needs an editor's account.",
)
ds = view.dataset
chosen_id = gift_ui.page_param("record", ds.records["id"].tolist(), "", notices)
labels = summary.status_labels()
gift_ui.show_notices(notices)
eng = fu.engine()
if eng is None:
    st.stop()
fu.accounts_panel(eng, fu.account_box(eng))

entries = gift_ui.followup_entries()
frame = summary.with_status(view.records, entries)
today = datetime.now(UTC).date()
figures = summary.progress(frame, today)
for col, (label, key, help_text) in zip(
    st.columns(5),
    [
        ("Records", "n", "Records in view (the filters in the sidebar, follow-up status included)"),
        ("With an entry", "with_entry", "Records whose follow-up has been recorded (withdrawn entries not counted)"),
        ("In progress", "in_progress", "Status 'in progress'"),
        ("Completed", "completed", "Status 'completed'"),
        ("Overdue", "overdue", "Target date passed, status neither completed nor not applicable"),
    ],
    strict=True,
):
    col.metric(label, f"{figures[key]:,}", help=help_text, border=True)

if frame.empty:
    st.info("No records match these filters. Remove a filter (or a follow-up status) in the sidebar.")
    st.stop()

themes, by_event = st.columns(2)
with themes:
    st.subheader("Status by theme", anchor=False)
    table = summary.status_counts(frame, "themes", multi=True, labels=labels)
    table.index = table.index.map(lambda v: ds.codebook.label("themes", v)).rename("Theme")
    st.dataframe(table, key="fu_by_theme")
    st.caption("A record with several themes counts under each; n is the number of records in the row.")
with by_event:
    st.subheader("Status by event", anchor=False)
    table = summary.status_counts(frame, "event_id", labels=labels)
    table.index = table.index.map(lambda v: event_names(ds.events).get(v, v)).rename("Event")
    st.dataframe(table, key="fu_by_event")

activities = targets.workplan(gift_ui.data_dir())
if activities is not None and "pillar" in activities.columns:
    st.subheader("Workplan activities: status by pillar", anchor=False)
    st.dataframe(
        summary.status_counts(
            summary.with_status(activities, entries, "activity", targets.activity_id_column(activities)),
            "pillar",
            labels=labels,
        ).rename_axis("Pillar"),
        key="fu_by_pillar",
    )


def entry_table(rows: pd.DataFrame) -> pd.DataFrame:
    shown = display_frame(rows, ds.events, ds.codebook, ("id", "event", "item", "text"))
    shown["Status"] = rows["followup_status"].map(labels).to_numpy()
    shown["Responsible"] = rows["responsible"].to_numpy()
    shown["Target date"] = summary.date_text(rows["target_date"]).to_numpy()
    return shown


late = summary.overdue(frame, today)
st.subheader(f"Overdue ({len(late):,})", anchor=False)
if late.empty:
    st.caption("Nothing in view is past its target date.")
else:
    if len(late) > OVERDUE_SHOWN:
        st.caption(
            f"The {OVERDUE_SHOWN} longest overdue of {len(late):,}; choose the follow-up status 'In progress' or "
            "'Planned' in the sidebar and narrow the filters to see others in the table below."
        )
    st.dataframe(entry_table(late.head(OVERDUE_SHOWN)), hide_index=True, key="fu_overdue")

st.subheader("Records and their follow-up", anchor=False)
st.caption("Choose a row to see its entry and history" + (" and change it." if fu.signed_in(eng) else "."))
gift_ui.selectable_table(
    entry_table(frame),
    frame["id"].tolist(),
    "fu_records",
    "record",
    chosen_id or None,
    height=420,
    column_config={"Text (verbatim)": st.column_config.TextColumn(width="large")},
)
if chosen_id:
    st.divider()
    record = ds.records[ds.records["id"] == chosen_id].iloc[0]
    st.subheader(gift_ui.md_escape(f"{chosen_id}"), anchor=False)
    st.text(record["text"])
    fu.entry_panel("record", chosen_id, sign_in=False)
