"""Planned response: which recommendations in view the 2008–2009 workplan (annex I) answers, and which it leaves."""

import streamlit as st

import gift_ui
from gift_dash import response

view, notices = gift_ui.page_setup(
    "Planned response",
    page_keys=("flow",),
    intro="Which of these recommendations did the UN.GIFT workplan for 2008–2009 (annex I) plan to act on? "
    "**Explicit** links are a person's reading: the activity names what is asked, quoted in the basis. "
    "**Thematic** links are derived by the codebook v3 link rule from the tags of the record and of the activity "
    "(a shared measure type, or a group the activity's title names; rules LK1-LK9 in *About the data*), the same "
    "way for every record. Narrow the records with the filters on the left; the Vienna Forum findings count when "
    "*Source* includes section VI.",
)
records = view.records
flow_by = gift_ui.page_param("flow", list(response.FLOW_SOURCES), "event", notices)
gift_ui.show_notices(notices)

scoped = response.in_scope(records)
outside = len(records) - len(scoped)
if outside:
    st.caption(
        f"{outside:,} record(s) in view are not counted: section V outcomes and uploaded records were not "
        "read against the workplan."
    )
if scoped.empty:
    st.info("No annex II record or Vienna Forum finding matches these filters. Remove a filter in the sidebar.")
    st.stop()

shown = gift_ui.response_in_view(view)
overall = shown.overall
# Short labels and values: six metrics share a 1280-pixel screen with the sidebar.
for col, (label, value, help_text) in zip(
    st.columns(6),
    [
        ("Records", f"{overall['Records']:,}", "Annex II records and Vienna Forum findings in view"),
        (
            "Answered",
            f"{overall['With a planned response']:,}",
            "At least one explicit or thematic link to an activity",
        ),
        ("Share", f"{overall['Share with a response (%)']:.0f}%", "Answered records as a share of the records"),
        ("Explicit", f"{overall['Explicit']:,}", "At least one activity names what the record asks for"),
        (
            "Thematic",  # "Thematic only" and "Unanswered" were cut off at 1280 px
            f"{overall['Thematic only']:,}",
            f"Linked by the {response.LINK_RULE} only, no explicit link",
        ),
        ("No link", f"{overall['No planned response']:,}", "Unanswered: no activity of the workplan answers it"),
    ],
    strict=True,
):
    col.metric(label, value, help=help_text, border=True)

st.caption(
    f"Coverage by the {response.LINK_RULE}: {overall['With a planned response']:,} of {overall['Records']:,} "
    f"records ({overall['Share with a response (%)']:.1f}%) have a planned response, {overall['Explicit']:,} of "
    f"them an explicit one (a person's reading), {overall['Thematic only']:,} a thematic one only (derived by the "
    "rule)."
)
st.subheader("Coverage", anchor=False)
st.caption(
    "Share of the records in view with at least one explicit or thematic response, with n, explicit and thematic "
    f"apart ({response.LINK_RULE}). A record with several themes or target groups counts under each."
)
for tab, by in zip(st.tabs(list(response.COVERAGE_DIMENSIONS.values())), response.COVERAGE_DIMENSIONS, strict=True):
    tab.dataframe(shown.coverage[by], hide_index=True, key=f"coverage_{by}")

st.subheader(f"No planned response ({overall['No planned response']:,})", anchor=False)
gaps = shown.gaps
if gaps.empty:
    st.success("Every record in view has at least one planned response.")
else:
    with st.container(key="unanswered_box"):  # keyed containers let tests find a table by name
        gift_ui.show_records(view, gaps, key="unanswered", part="records with no planned response")

st.subheader("What answers these records", anchor=False)
st.caption(
    "Each link with its strength and its basis: an explicit link quotes the activity's words; a thematic link "
    "names what the rule found shared."
)
st.container(key="links_box").dataframe(
    shown.links,
    hide_index=True,
    key="links_in_view",
    row_height=gift_ui.ROW_HEIGHT,  # the verbatim text and the basis wrap instead of being cut off at one line
    column_config={
        "Text (verbatim)": st.column_config.TextColumn(width="large"),
        "Basis": st.column_config.TextColumn(width="large"),
    },
)

st.subheader("Each activity with what it answers", anchor=False)
st.caption(
    "The 21 activities of annex I; a link to a lettered sub-item counts for its activity. Numbers are records in view."
)
st.dataframe(shown.activities, hide_index=True, key="activities")

with st.expander("The workplan as the codebook reads it (rules W1, W2)"):
    st.caption(
        "Each activity and lettered sub-item tagged from its own words with the codebook's vocabularies: the "
        "measures it delivers, the groups it is for, the actors it trains or works with; passing mentions are not "
        "tagged (W1). The thematic links are derived from these tags and the records' (rules LK1-LK9, About the data)."
    )
    st.dataframe(response.workplan_reading(view.dataset), hide_index=True, key="workplan_reading")

st.subheader("From recommendations to pillars", anchor=False)
labels = response.FLOW_SOURCES
flow_by = st.radio(
    "Flow from",
    list(labels),
    format_func=labels.get,
    horizontal=True,
    **gift_ui.page_widget("flow", flow_by, "event"),
)
flow = shown.flows[flow_by]
n = f"n = {len(scoped)} records; band width = records; a record counts once for each pillar it reaches" + (
    " and each theme it has" if flow_by == "theme" else ""
)
gift_ui.chart(
    gift_ui.response_flow_chart(view, flow_by, f"{labels[flow_by]}s to the pillars that respond", n),
    flow,
    key=f"flow_{flow_by}",
)
