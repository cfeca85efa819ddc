"""Follow-up: what has been done on the recommendations in view — status by theme, event and pillar, overdue
items, and each entry with its history (changing one needs signing in as an editor)."""

from datetime import UTC, datetime

import streamlit as st

import gift_ui
from gift_ui import followup as fu

view, notices = gift_ui.page_setup(
    "Follow-up",
    page_keys=("record",),
    intro="What has been done on each recommendation in view: its status, who is responsible, by when, and the "
    "evidence. Narrow it by follow-up status, like anything else, in the sidebar. Anyone can read; changing an "
    "entry needs an editor's account.",
)
ds = view.dataset
chosen_id = gift_ui.page_param("record", ds.records["id"].tolist(), "", notices)
gift_ui.show_notices(notices)
eng = fu.engine()
if eng is None or view.followup is None:  # fu.engine says why the store cannot be opened
    st.stop()
user = fu.account_box(eng)
fu.accounts_panel(eng, user)

stamp, entries = view.followup
shown = fu.in_view(view, stamp, entries, datetime.now(UTC).date())
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
    col.metric(label, f"{shown.figures[key]:,}", help=help_text, border=True)

if not shown.ids:
    st.info("No records match these filters. Remove a filter (or a follow-up status) in the sidebar.")
    st.stop()

# One below the other, each the page's width: side by side, half a page cut off the last statuses and n.
st.subheader("Status by theme", anchor=False)
st.dataframe(shown.by_theme, key="fu_by_theme")
st.caption("A record with several themes counts under each; n is the number of records in the row.")
st.subheader("Status by event", anchor=False)
st.dataframe(shown.by_event, key="fu_by_event")
if shown.by_pillar is not None:
    st.subheader("Workplan activities: status by pillar", anchor=False)
    st.dataframe(shown.by_pillar, key="fu_by_pillar")

st.subheader(f"Overdue ({shown.n_overdue:,})", anchor=False)
if not shown.n_overdue:
    st.caption("Nothing in view is past its target date.")
else:
    if shown.n_overdue > fu.OVERDUE_SHOWN:
        st.caption(
            f"The {fu.OVERDUE_SHOWN} longest overdue of {shown.n_overdue:,}; choose the follow-up status 'In "
            "progress' or 'Planned' in the sidebar and narrow the filters to see others in the table below."
        )
    st.dataframe(
        shown.overdue,
        hide_index=True,
        key="fu_overdue",
        row_height=gift_ui.ROW_HEIGHT,
        column_config=fu.record_columns(),
    )

st.subheader("Records and their follow-up", anchor=False)
st.caption("Choose a row to see its entry and history" + (" and change it." if fu.can_edit(user) else "."))
gift_ui.selectable_table(
    shown.records,
    shown.ids,
    "fu_records",
    "record",
    chosen_id or None,
    height=5 * gift_ui.ROW_HEIGHT + 40,
    row_height=gift_ui.ROW_HEIGHT,  # the verbatim text wraps instead of being cut off
    column_config=fu.record_columns(),
)
if chosen_id:
    st.divider()
    record = ds.records[ds.records["id"] == chosen_id].iloc[0]
    st.subheader(gift_ui.md_escape(f"{chosen_id}"), anchor=False)
    st.text(record["text"])
    fu.entry_panel("record", chosen_id, sign_in=False)
