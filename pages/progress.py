"""Follow-up progress: what changed in a period for the records in view, counted from the history of changes — entries
created, status changes by theme, event and pillar, what became overdue, evidence added, who changed what, and the
status at both ends of the period; the same report as HTML, PDF, CSV, JSON and Excel."""

from datetime import UTC, date, datetime, timedelta

import streamlit as st

import gift_ui
from gift_dash.briefing import PdfUnavailable, find_chromium, html_to_pdf
from gift_dash.followup import report_files
from gift_dash.followup.report import FIGURE_LABELS
from gift_ui import followup as fu

DEFAULT_DAYS = 90  # a quarter: the period a progress report usually covers
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

view, notices = gift_ui.page_setup(
    "Follow-up progress",
    page_keys=("since", "until"),
    intro="What changed in a period for the records in view, counted from the history of every save: new entries, "
    "status changes, what became overdue, evidence added and who did it, with the status at the start and the end. "
    "Narrow the records with the sidebar; workplan activities count when they answer a record in view.",
)
today = datetime.now(UTC).date()
until = gift_ui.page_date("until", today, notices, EARLIEST, LATEST)
default_since = until - timedelta(days=DEFAULT_DAYS - 1)
since = gift_ui.page_date("since", default_since, notices, EARLIEST, LATEST)
if since > until:
    notices.append(f"Ignored since={since}: it is after the period's end ({until}).")
    since = default_since
    gift_ui.set_page_params(since=None)
gift_ui.show_notices(notices)
eng = fu.engine()
if eng is None:  # fu.engine says why the store cannot be opened
    st.stop()

left, right, _ = st.columns([1, 1, 2])
left.date_input(
    "From (UTC)",
    min_value=EARLIEST,
    max_value=LATEST,
    format="YYYY-MM-DD",
    **gift_ui.page_widget("since", since, default_since, encode=date.isoformat),
)
right.date_input(
    "To (UTC), included",
    min_value=EARLIEST,
    max_value=LATEST,
    format="YYYY-MM-DD",
    **gift_ui.page_widget("until", until, today, encode=date.isoformat),
)

made = fu.progress(view, eng, since, until)
st.markdown(f"**{gift_ui.md_escape(report_files.sentence(made))}**")
# Four to a row: seven side by side cut their labels off at 1280 px ("Entries …", "Became…").
figures = list(FIGURE_LABELS.items())
for start in range(0, len(figures), 4):
    for column, (key, label) in zip(st.columns(4), figures[start : start + 4], strict=False):
        column.metric(label, f"{made.figures[key]:,}", border=True)

stamp = datetime.now(UTC)
with st.container(horizontal=True, vertical_alignment="center", key="progress_downloads"):
    for fmt, label in (("html", "Report (HTML)"), ("csv", "CSV"), ("json", "JSON"), ("xlsx", "Excel (.xlsx)")):
        st.download_button(
            label,
            lambda fmt=fmt: report_files.report_bytes(made, fmt, view.dataset.version, stamp),
            file_name=report_files.filename(made, fmt),
            mime=report_files.MIME_TYPES[fmt],
            key=f"progress_{fmt}",
            on_click="ignore",
            type="primary" if fmt == "html" else "secondary",
        )
    if find_chromium() is not None and st.button("Make a PDF", key="progress_make_pdf"):
        try:
            with st.spinner("Printing the report to PDF …"):
                st.session_state["progress_pdf"] = (
                    made,
                    html_to_pdf(report_files.render_html(made, view.dataset.version)),
                )
        except PdfUnavailable as exc:
            st.warning(f"No PDF this time: {gift_ui.md_escape(exc)}. The HTML prints to PDF from any browser.")
    pdf = st.session_state.get("progress_pdf")
    if pdf and pdf[0] is made:  # only the PDF of the report on screen
        st.download_button(
            "Download the PDF",
            pdf[1],
            file_name=report_files.filename(made, "pdf"),
            mime="application/pdf",
            key="progress_pdf_download",
            on_click="ignore",
        )

SECTIONS = (
    ("Status at start and end", "Status at the start and at the end", "Each target's status as the history had it."),
    ("Status transitions", "Status changes", "Every save that changed a status or withdrew an entry, from → to."),
    ("Transitions by theme", "Status changes by theme", "A record with several themes counts under each."),
    ("Transitions by event", "Status changes by event", None),
    ("Transitions by pillar", "Workplan activities: status changes by pillar", None),
    (
        "Became overdue",
        "Became overdue",
        "Target date passed in the period while neither completed, not applicable "
        "nor withdrawn (overdue from the next day).",
    ),
    ("Evidence added", "Evidence added", None),
    ("Who changed what", "Who changed what", None),
    ("Status changes", "Each target whose status moved", None),
)
tables = made.tables()
for name, heading, note in SECTIONS:
    st.subheader(heading, anchor=False)
    if note:
        st.caption(note)
    if tables[name].empty:
        st.caption("None in this period.")
    else:
        st.dataframe(tables[name], hide_index=True, key=f"progress_{name}")
