"""Vienna Forum echoes: for each finding of the Vienna Forum (section VI), the regional recommendations that echo it."""

import streamlit as st

import gift_ui
from gift_dash.dimensions import ANNEX_II, SECTION_VI
from gift_dash.echoes import FINDING, SCORE, WHY, copies_note
from gift_ui.sliders import url_select_slider

MIN_SCORES = [round(0.05 * i, 2) for i in range(13)]  # 0.00 … 0.60
DEFAULT_MIN_SCORE = 0.30
ECHOES_PER_FINDING = 5
PAGE_COLUMNS = (FINDING, SCORE, WHY)  # what the page adds to an export of the echoes

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

columns = gift_ui.table_columns(view, ("event", "item", "text"))
tables = gift_ui.echoes_in_view(view, regional, ECHOES_PER_FINDING, columns)
st.caption(
    f"{len(findings)} findings ({len(tables)} distinct texts); echoes drawn from {len(regional):,} annex II "
    f"record(s) in view ({regional['text'].nunique():,} distinct texts)."
)
# One export for the page, not one per finding: each record's row names the finding it echoes, with the score and
# the reason. Ten rows of buttons and popovers were most of the page's run and of what the browser drew.
exported = gift_ui.echoes_export(view, ECHOES_PER_FINDING, columns, min_score, tables)
gift_ui.export_buttons(
    view,
    exported.drop(columns=list(PAGE_COLUMNS)),
    "ve",
    part=f"Echoes of the Vienna Forum findings scoring at least {min_score:.2f}",
    extra=exported[list(PAGE_COLUMNS)],
)
for echo in tables:
    shown = echo.rows(min_score)
    with st.container(border=True):
        st.markdown(f"**Finding ({gift_ui.md_escape(echo.finding['item'] or 'item not stated')})**")
        st.text(echo.finding["text"])
        if len(echo.finding_ids) > 1:
            st.caption(f"The same finding text: {copies_note(echo.finding_ids)}.")
        if not shown.any():
            st.caption(f"No regional record in view echoes this finding with a score of {min_score:.2f} or more.")
            continue
        kept = shown.to_numpy()
        gift_ui.records_grid(
            echo.table[kept], [i for i, k in zip(echo.ids, kept, strict=True) if k], f"ve_{echo.finding}"
        )
