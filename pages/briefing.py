"""Briefing: a print-ready pack for the records in scope (the sidebar filters) — preview, HTML and PDF downloads."""

from datetime import UTC, datetime

import streamlit as st

import gift_ui
from gift_dash import briefing
from gift_dash import filters as flt
from gift_dash.export import export_filename
from gift_dash.tabulate import headline

view, notices = gift_ui.page_setup(
    "Briefing",
    intro="A few pages to take into a meeting: a one-page summary (scope, key figures, themes, the ideas "
    "that recur), then every record in scope quoted verbatim, list by list, with its citation. Choose the scope "
    "with the filters in the sidebar.",
)
gift_ui.show_notices(notices)
ds = view.dataset


@st.cache_data(max_entries=16, show_spinner="Writing the briefing …")
def _document(version: str, scope_key: dict, followup_key: str, _view, _entries) -> str:
    """The briefing HTML, once per dataset version, scope and state of the follow-up store (the underscore
    arguments are not hashed), over the records the page already selected and the similarity groups the app
    already cached."""
    return briefing.render_briefing(
        _view.records,
        _view.dataset,
        _view.description,
        groups=gift_ui.idea_groups(_view.dataset),
        responses=briefing.planned_responses(_view.records, _view.dataset),
        followup=briefing.followup_summary(_view.records, _entries),
    )


if view.records.empty:
    st.info("No records match these filters, so there is nothing to brief on. Remove a filter in the sidebar.")
    st.stop()

figures = headline(view.records, ds.events)
FIGURES = (("records", "Records"), ("events", "Events"), ("lists", "Lists"), ("countries", "Countries"))
for column, (key, label) in zip(st.columns(len(FIGURES)), FIGURES, strict=True):
    column.metric(label, f"{figures[key]:,}")

stamp, entries = view.followup or ("no store", None)
document = _document(ds.version, flt.to_query_params(view.filters), stamp, view, entries)
stamp = datetime.now(UTC)
with st.container(horizontal=True, vertical_alignment="center", key="briefing_downloads"):
    st.download_button(
        "Download the briefing (HTML)",
        document.encode("utf-8"),
        file_name=export_filename("html", stamp, stem="gift-briefing"),
        mime="text/html",
        key="briefing_html",
        icon=":material/description:",
        on_click="ignore",
        type="primary",
        help="One self-contained file for A4: open it in any browser, even offline, and print "
        "it (Ctrl+P; choose 'Save as PDF' for a PDF).",
    )
    if briefing.find_chromium() is None:
        st.caption(
            "A PDF needs Chromium on the server, which is not installed here: print the HTML from your "
            "browser instead (Ctrl+P, then 'Save as PDF')."
        )
    elif st.button("Make a PDF", key="briefing_make_pdf", icon=":material/picture_as_pdf:"):
        try:
            with st.spinner("Printing the briefing to PDF …"):
                st.session_state["briefing_pdf"] = (document, briefing.html_to_pdf(document))
        except briefing.PdfUnavailable as exc:
            st.warning(f"No PDF this time: {gift_ui.md_escape(exc)}. The HTML prints to PDF from any browser.")
    made = st.session_state.get("briefing_pdf")
    if made and made[0] == document:  # only the PDF of the scope on screen
        st.download_button(
            "Download the PDF",
            made[1],
            file_name=export_filename("pdf", stamp, stem="gift-briefing"),
            mime="application/pdf",
            key="briefing_pdf_download",
            icon=":material/download:",
            on_click="ignore",
        )

gift_ui.export_buttons(view, view.records, key="briefing_records")

st.subheader("Preview", anchor=False)
st.caption(
    "The document as it prints. All text from the data is escaped and the document forbids scripts, so "
    "nothing in it can run."
)
st.iframe(document, height=900)
