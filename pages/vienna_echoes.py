"""Vienna Forum echoes: for each finding of the Vienna Forum (section VI), the regional recommendations that echo it."""

import streamlit as st

import gift_ui
from gift_dash.dimensions import ANNEX_II, SECTION_VI
from gift_dash.echoes import copies_note
from gift_ui.sliders import url_select_slider

MIN_SCORES = [round(0.05 * i, 2) for i in range(13)]  # 0.00 … 0.60
DEFAULT_MIN_SCORE = 0.30
ECHOES_PER_FINDING = 5
SAME_TEXT = "Records with this text"

view, notices = gift_ui.page_setup(
    "Vienna Forum echoes",
    page_keys=("min",),
    intro="The Vienna Forum to Fight Human Trafficking summed up its findings. Under each finding (verbatim): "
    "the regional recommendations of annex II that say something alike, most alike first, with the reason. "
    "The sidebar filters choose which regional records may answer. A text that several records share is shown "
    "once, with how many records hold it.",
)
ds = view.dataset

min_score = url_select_slider(
    "Show echoes scoring at least",
    MIN_SCORES,
    url_key="min",
    default=DEFAULT_MIN_SCORE,
    notices=notices,
    help="Scores run from 0 (nothing in common) to 1 (the same words and tags).",
)
gift_ui.show_notices(notices)

findings = ds.records[ds.records["source"] == SECTION_VI]
regional = view.records[view.records["source"] == ANNEX_II]
if findings.empty:
    st.info(f"The loaded data has no Vienna Forum findings (source {SECTION_VI}).")
    st.stop()
if regional.empty:
    st.info(
        "No annex II records under these filters, so nothing can echo the findings. The sources filter "
        "must include annex II; remove a filter in the sidebar."
    )
    st.stop()

by_id = ds.records.set_index("id")
echoes = gift_ui.echoes_in_view(view, regional, ECHOES_PER_FINDING)
st.caption(
    f"{len(findings)} findings ({len(echoes)} distinct texts); echoes drawn from {len(regional):,} annex II "
    f"record(s) in view ({regional['text'].nunique():,} distinct texts)."
)
for echo in echoes:
    finding = by_id.loc[echo.finding]
    near = echo.near[echo.near["score"] >= min_score]
    with st.container(border=True):
        st.markdown(f"**Finding ({gift_ui.md_escape(finding['item'] or 'item not stated')})**")
        st.text(finding["text"])
        if len(echo.finding_ids) > 1:
            st.caption(f"The same finding text: {copies_note(echo.finding_ids)}.")
        if near.empty:
            st.caption(f"No regional record in view echoes this finding with a score of {min_score:.2f} or more.")
            continue
        gift_ui.show_records(
            view,
            by_id.loc[near["neighbour_id"]].reset_index(),
            key=f"ve_{echo.finding}",
            part=f"Echoes of Vienna Forum finding ({finding['item']})",
            columns=("event", "item", "text"),
            leading={"Score": near["score"].round(2)},
            trailing={"Why alike": near["reason"], SAME_TEXT: near["copies"].map(copies_note)},
            exported=by_id.loc[near["copies"].explode()].reset_index(),
        )
