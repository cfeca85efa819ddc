"""One record in full: what it completes, its verbatim text, its citation with a permanent address, its tags and
the records most like it. Shown in Explore's detail panel and on the record's own page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gift_dash import response, similarity
from gift_dash.citation import citation, short_labels
from gift_dash.present import context, permalink, tags
from gift_dash.view import View
from gift_ui.followup import entry_panel
from gift_ui.state import similarity_index
from gift_ui.tables import show_records


def record_heading(view: View, record_id: str) -> str:
    """ "Kampala 2007 · General recommendations (e)", the label a reader recognises."""
    record = view.dataset.records[view.dataset.records["id"] == record_id]
    return short_labels(record, view.dataset.events).iloc[0]


def show_record(view: View, record_id: str, key: str) -> None:
    """The record with its context, citation and tags, and its neighbours from other lists (``key`` names the
    neighbours' table)."""
    ds = view.dataset
    record = ds.records[ds.records["id"] == record_id].iloc[0]
    lead_in, parent = context(record, ds.records)
    text_col, tags_col = st.columns([3, 2], gap="large")
    with text_col:
        if lead_in:
            st.markdown("**The list it belongs to opens with**")
            st.text(lead_in)
        if parent is not None:
            st.markdown("**It completes the item**")
            st.text(parent["text"])
        st.markdown("**Verbatim text**")
        st.text(record["text"])
        address = permalink(st.context.url, record_id)
        st.markdown("**Cite as** (copy with the icon at the right)")
        st.code(f"{citation(record, ds.events)} {address}", language=None, wrap_lines=True)
        st.page_link(
            "pages/record.py",
            label="This record's own page (a permanent address)",
            query_params={"id": record_id},
            icon=":material/link:",
        )
    with tags_col:
        st.markdown("**Tags**")
        st.dataframe(
            pd.DataFrame(tags(record, ds.codebook), columns=["Tag", "Values"]), hide_index=True, key=f"{key}_tags"
        )
        entry_panel("record", record_id)

    st.markdown("**Planned response** (annex I workplan, 2008–2009; see the Planned response page)")
    planned = response.responses_for(record_id, ds)
    read = record["source"] in response.LINKED_SOURCES
    if planned.empty:
        st.text(
            "None planned." if read else f"None by the {response.LINK_RULE}; no person has read it for explicit links."
        )
    else:
        if not read:
            st.caption(
                f"Thematic links derived by the {response.LINK_RULE} from this record's tags; no person has read it "
                "against the workplan, so it has no explicit link yet."
            )
        st.dataframe(
            planned,
            hide_index=True,
            key=f"{key}_planned",
            column_config={"Basis": st.column_config.TextColumn(width="large")},
        )
    if not read:
        suggested = response.suggested_explicit(record, ds)
        st.markdown("**Suggested explicit links** (for a person to read and accept)")
        if suggested.empty:
            st.text("None: no activity linked by the rule shares a content word of its title with the text.")
        else:
            st.caption(
                "Activities the rule links this record to whose title shares a content word with its text (rule "
                "LK7). A suggestion, not a link: accept it by reading both and writing the explicit link with its "
                "quoted basis."
            )
            st.dataframe(suggested, hide_index=True, key=f"{key}_suggested")

    st.markdown("**Similar records from other lists**")
    near = similarity.neighbours(similarity_index(ds), record_id, k=5)
    if near.empty:
        st.text("None found.")
        return
    others = ds.records.set_index("id").loc[near["neighbour_id"]].reset_index()
    show_records(
        view,
        others,
        key=key,
        part=f"Records similar to {record_id}",
        columns=("event", "item", "text"),
        leading={"Score": near["score"].round(2)},
        trailing={"Why similar": near["reason"]},
    )
