"""A record's own page, at a permanent address (record?id=…): the text with what it completes, the citation,
the tags and the records most like it."""

import streamlit as st

import gift_ui
from gift_ui.record import record_heading, show_record

view, notices = gift_ui.page_setup("Record", page_keys=("id",))
ds = view.dataset
record_id = gift_ui.page_param("id", ds.records["id"].tolist(), "", notices)
gift_ui.show_notices(notices)
if not record_id:
    st.info("No record named in the address. Find one in Explore records; each row links to its page.")
    st.page_link("pages/explore.py", label="Explore records", icon=":material/search:")
    st.stop()
st.header(gift_ui.md_escape(record_heading(view, record_id)), anchor=False)
show_record(view, record_id, key="record_neighbours")
