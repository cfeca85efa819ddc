"""Explore: filter (sidebar), read the records, open one to see its verbatim text, tags, citation and neighbours."""

import streamlit as st

import gift_ui
from gift_dash.view import ORDERS, View, default_order, ranked, search_columns
from gift_ui.record import record_heading, show_record

view, notices = gift_ui.page_setup(
    "Explore the records",
    page_keys=("record", "order"),
    intro="Narrow the records with the filters on the left; each option shows how many records it would give. "
    "Choose a row to read it in full and copy its citation.",
)
gift_ui.show_notices(notices)


@st.fragment
def records_and_record(view: View) -> None:
    """The order control, the tables and the ticked record. A new order or a tick changes only this part of the
    page, so it runs alone (the sidebar's counts and the view stay as they are); it reads its own settings from
    the address each time, where their widgets' callbacks wrote them."""
    ds, records = view.dataset, view.records
    own: list[str] = []
    chosen_id = gift_ui.page_param("record", ds.records["id"].tolist(), "", own)
    orders = [o for o in ORDERS if o != "relevance" or view.filters.query.strip()]
    order = gift_ui.page_param("order", orders, default_order(view), own)
    gift_ui.show_notices(own)

    closest = view.closest is not None and not view.closest.empty
    if records.empty and closest:
        st.info(
            "No record matches the search with confidence: nothing is counted. The closest matches are listed below."
        )
    elif records.empty:
        st.info("No records match these filters. Remove a filter or shorten the search in the sidebar.")
    if not (records.empty and closest):  # with nothing counted, only the closest matches are worth a table
        st.selectbox(
            "Order the records by",
            orders,
            format_func=ORDERS.get,
            width=320,
            help="Kept in the address, so a shared link opens the table in the same order.",
            **gift_ui.page_widget("order", order, default_order(view)),
        )
        ordered, _ = ranked(view, order)
        gift_ui.show_records(
            view,
            ordered,
            key="explore_table",
            select="record",
            chosen=chosen_id,
            height=520,
            trailing=None if view.matches is None else search_columns(view, ordered).to_dict("series"),
        )

    if closest:
        st.subheader(f"Closest matches ({len(view.closest):,}, not counted)", anchor=False)
        st.caption(
            "Records close in meaning to the search, or linked to it by the lexicon or a tag, that do not match it "
            "with confidence: listed so a question in other words never comes back empty, and counted in no "
            "figure. The last column says why each came close."
        )
        gift_ui.show_records(
            view,
            view.closest,
            key="explore_closest",
            select="record",
            chosen=chosen_id,
            height=min(520, 80 * len(view.closest) + 40),
            part="closest matches of the search (not counted in the view)",
            trailing=search_columns(view, view.closest).to_dict("series"),
        )

    st.divider()
    if not chosen_id:
        st.info("Choose a row (the box at its left) to read the record in full, with its tags and citation.")
        return
    st.subheader(gift_ui.md_escape(record_heading(view, chosen_id)), anchor=False)
    show_record(view, chosen_id, key="explore_neighbours")


records_and_record(view)
