"""Explore: filter (sidebar), read the records, open one to see its verbatim text, tags, citation and neighbours."""

import pandas as pd
import streamlit as st

import gift_ui
from gift_dash import similarity
from gift_ui.followup import entry_panel
from gift_dash.citation import citation, item_label
from gift_dash.present import display_frame, tags

view, notices = gift_ui.page_setup(
    "Explore the records", page_keys=("record",),
    intro="Narrow the records with the filters on the left; each option shows how many records it would give. "
          "Choose a row to read it in full and copy its citation.")
ds, records = view.dataset, view.records
chosen_id = gift_ui.page_param("record", list(ds.records["id"]), "", notices)
gift_ui.show_notices(notices)

if records.empty:
    st.info("No records match these filters. Remove a filter or shorten the search in the sidebar.")
selected = gift_ui.show_records(view, records, key="explore_table", select=True, height=520)
if selected:
    chosen_id = selected
gift_ui.set_page_params(record=chosen_id or None)

st.divider()
if not chosen_id:
    st.info("Choose a row (the box at its left) to read the record in full, with its tags and citation.")
    st.stop()

record = ds.records[ds.records["id"] == chosen_id].iloc[0]
events = ds.events
event_name = events.loc[events["event_id"] == record["event_id"], "short_name"]
heading = (f"{event_name.iloc[0] if len(event_name) else record['event_id']} · "
           f"{ds.codebook.label('record_type', record['record_type']) or 'not stated'} {item_label(record['item'])}")
st.subheader(gift_ui.md_escape(heading), anchor=False)
text_col, tags_col = st.columns([3, 2], gap="large")
with text_col:
    st.caption("Verbatim text")
    st.text(record["text"])
    st.caption("Cite as (copy with the icon at the right)")
    st.code(citation(record, events), language=None, wrap_lines=True)
with tags_col:
    st.caption("Tags")
    st.dataframe(pd.DataFrame(tags(record, ds.codebook), columns=["Tag", "Values"]), hide_index=True)
    entry_panel("record", chosen_id)

st.caption("Similar records from other lists")
near = similarity.neighbours(gift_ui.similarity_index(ds), chosen_id, k=5)
if near.empty:
    st.text("None found.")
else:
    others = ds.records.set_index("id").loc[near["neighbour_id"]].reset_index()
    shown = display_frame(others, events, ds.codebook, ("event", "item", "text"))
    shown.insert(0, "Score", near["score"].round(2).to_numpy())
    shown["Why similar"] = near["reason"].to_numpy()
    st.dataframe(shown, hide_index=True, column_config={"Text (verbatim)": st.column_config.TextColumn(width="large")})
