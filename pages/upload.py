"""Add records: a person's own records (and the events they refer to), checked against the codebook and merged
into this session's view only — never written to the shipped files, never seen by another session."""

from __future__ import annotations

import streamlit as st

import gift_ui
from gift_dash import response
from gift_dash.data import MAX_FILE_BYTES, MAX_ROWS, ReadError, read_table
from gift_dash.suggest import SUGGESTION_PREFIX, accept_suggestions, suggestions_table
from gift_dash.upload import (
    UPLOADED,
    allowed_values,
    merge_upload,
    problems_table,
    template_csv,
    template_xlsx,
    with_uploaded,
)

# Everything uploaded lives under these session_state keys: this session's, and no one else's.
UPLOAD_LINKS_SHOWN = 2_000  # records whose derived links the page lists (the rule runs on these only)
UPLOAD = "upload"  # {"records", "events", "names", "merge"} or {"error"}
GENERATION = "upload_generation"  # part of the uploaders' keys: a new number empties them
FILE_TYPES = ["csv", "tsv", "txt", "xlsx"]
MAX_MIB = MAX_FILE_BYTES // 2**20


def _uploader_key(kind: str) -> str:
    return f"upload_{kind}_file_{st.session_state.get(GENERATION, 0)}"


def _show_uploaded(show: bool) -> None:
    """Put "uploaded" into (or out of) the Source filter in the address, so every page shows (or hides) the rows."""
    gift_ui.write_filters(with_uploaded(gift_ui.current_filters(gift_ui.dataset()), show))


def _merge() -> None:
    upload = st.session_state[UPLOAD]
    records_name, events_name = upload["names"]
    merge = merge_upload(
        gift_ui.shipped_dataset(),
        upload["records"],
        upload["events"],
        file_name=records_name,
        events_file_name=events_name or "events upload",
    )
    upload["merge"] = merge
    # Once per file (or accepted batch), not on every rerun: each click in the suggestions table reruns the page.
    upload["suggestions"] = suggestions_table(upload["records"], gift_ui.shipped_dataset().codebook)
    if merge.accepted_ids:
        st.session_state[gift_ui.SESSION_DATASET_KEY] = merge.dataset
        _show_uploaded(True)
    else:
        _forget_merged()


def _forget_merged() -> None:
    if st.session_state.pop(gift_ui.SESSION_DATASET_KEY, None) is not None:
        _show_uploaded(False)


def _read_files() -> None:
    """Runs when a file is chosen or removed: read both files, then merge. A file that cannot be read is reported
    and nothing of it is merged."""
    state = st.session_state
    records_file, events_file = state.get(_uploader_key("records")), state.get(_uploader_key("events"))
    state.pop(UPLOAD, None)
    if records_file is None:
        _forget_merged()
        return
    try:
        records = read_table(records_file.getvalue(), records_file.name)
        events = read_table(events_file.getvalue(), events_file.name) if events_file else None
    except ReadError as exc:
        state[UPLOAD] = {"error": str(exc)}
        _forget_merged()
        return
    state[UPLOAD] = {
        "records": records,
        "events": events,
        "names": (records_file.name, events_file.name if events_file else None),
    }
    _merge()


def _accept(rows: list[int]) -> None:
    upload = st.session_state[UPLOAD]
    upload["records"] = accept_suggestions(upload["records"], upload["suggestions"], rows)
    _merge()


def _remove() -> None:
    st.session_state.pop(UPLOAD, None)
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    _forget_merged()


view, notices = gift_ui.page_setup("Add records")
gift_ui.show_notices(notices)
shipped = gift_ui.shipped_dataset()

st.markdown(
    f"Add your own records — outcomes of later events, a colleague's spreadsheet — and see them beside annex II on "
    f"every page. They are checked against the codebook, marked **source = {UPLOADED}**, and kept **only in this "
    f"browser session**: nothing is saved on the server, and no one else sees them. A CSV (UTF-8, UTF-16 or Latin-1; "
    f"comma, semicolon or tab) or an Excel workbook (first sheet), up to {MAX_MIB} MiB and {MAX_ROWS:,} rows. "
    "A new file replaces the previous one. Move between pages with the links on the left: reloading the page or "
    "opening a link in a new tab starts a new session, without your records."
)

with st.expander("Template and allowed values", expanded=UPLOAD not in st.session_state, icon=":material/description:"):
    st.markdown(
        "Required columns: **id, event_id, text, themes**. Several values in one cell are separated by "
        "'; '. Records may refer to the shipped events or to events you upload beside them: the records "
        "template's example row belongs to the events template's example event, so upload the two together "
        "(or give the row a shipped event's id, such as kampala-2007)."
    )
    left, middle, right = st.columns(3)
    left.download_button(
        "Template, Excel (.xlsx)",
        lambda: template_xlsx(shipped.codebook),
        file_name="gift-records-template.xlsx",
        icon=":material/table_view:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    middle.download_button(
        "Records template (CSV)",
        template_csv(),
        file_name="gift-records-template.csv",
        mime="text/csv",
        icon=":material/csv:",
    )
    right.download_button(
        "Events template (CSV)",
        template_csv("events"),
        file_name="gift-events-template.csv",
        mime="text/csv",
        icon=":material/csv:",
    )
    st.dataframe(allowed_values(shipped.codebook), hide_index=True, key="upload_allowed_values")

for column, (kind, label) in zip(
    st.columns(2), (("records", "Records (CSV or .xlsx)"), ("events", "Events they refer to (optional)")), strict=True
):
    column.file_uploader(
        label, type=FILE_TYPES, key=_uploader_key(kind), on_change=_read_files, max_upload_size=MAX_MIB
    )

upload = st.session_state.get(UPLOAD)
if upload is None:
    st.info("No file yet: choose a records file above, or start from the template.", icon=":material/upload_file:")
elif "error" in upload:
    st.error(
        f"**The file cannot be read, so nothing was added.** {gift_ui.md_escape(upload['error'])}",
        icon=":material/block:",
    )
else:
    merge = upload["merge"]
    records_name, events_name = upload["names"]
    # Said in words: the uploader itself may show no file once the page has rerun.
    st.caption(
        f"Checked: **{gift_ui.md_escape(records_name)}** ({len(upload['records']):,} rows)"
        + (f" with events from **{gift_ui.md_escape(events_name)}**" if events_name else "")
        + ". Choose another file to replace it."
    )
    warnings = sum(p.severity == "warning" for p in merge.problems)
    counts = st.columns(3)
    counts[0].metric("Rows added", f"{len(merge.accepted_ids):,}")
    counts[1].metric("Rows rejected", f"{len(merge.rejected_rows):,}")
    counts[2].metric("Warnings", f"{warnings:,}")
    if merge.problems:
        st.subheader("Problems found", anchor=False)
        st.caption(
            "An error rejects its row (or, with no row, the whole file); a warning is reported and the row "
            "kept. Rows are numbered as in a spreadsheet: the header is row 1."
        )
        st.dataframe(problems_table(merge.problems), hide_index=True, key="upload_problems")
    if not merge.rejected_rows.empty:
        st.subheader("Rejected rows", anchor=False)
        st.caption("Not added. Fix them in your file and upload it again.")
        st.dataframe(merge.rejected_rows, hide_index=True, key="upload_rejected")

    suggestions = upload["suggestions"]
    if not suggestions.empty:
        st.subheader("Suggested tags for records without themes", anchor=False)
        st.caption(
            "**Suggestions only**, from the codebook's own words: nothing is tagged until you accept. "
            "Accepted suggestions fill only empty cells and are then checked like any other row."
        )
        picked = st.dataframe(
            suggestions,
            hide_index=True,
            key="upload_suggestions",
            on_select="rerun",
            selection_mode="multi-row",
            column_config={
                c: st.column_config.TextColumn(c, help="a suggestion, not a tag")
                for c in suggestions.columns
                if c.startswith(SUGGESTION_PREFIX)
            },
        )
        chosen = [int(suggestions["row"].iloc[i]) for i in picked.selection.rows]
        one, every = st.columns(2)
        one.button(
            f"Accept suggestions of the selected rows ({len(chosen)})",
            on_click=_accept,
            args=(chosen,),
            disabled=not chosen,
            icon=":material/check:",
        )
        every.button(
            f"Accept suggestions of every row ({len(suggestions):,})",
            on_click=_accept,
            args=(suggestions["row"].astype(int).tolist(),),
            icon=":material/done_all:",
        )

    if merge.accepted_ids:
        st.subheader("Your records in this session", anchor=False)
        added = view.dataset.records[view.dataset.records["source"] == UPLOADED]
        gift_ui.show_records(view, added, key="upload_added")
        st.subheader("What the workplan plans for your records", anchor=False)
        shown = added.head(UPLOAD_LINKS_SHOWN)
        planned = response.link_table(shown, view.dataset)
        st.caption(
            f"Thematic links derived by the {response.LINK_RULE} from your records' tags (a shared measure type, or "
            "a group the activity's title names), the same rule as for the shipped records; no person has read your "
            "records against the workplan, so none is explicit. Open a record for the explicit links it suggests."
            + (f" The first {UPLOAD_LINKS_SHOWN:,} records." if len(added) > UPLOAD_LINKS_SHOWN else "")
        )
        if planned.empty:
            st.info("The rule links none of your records to an activity of the workplan.")
        else:
            st.dataframe(planned.drop(columns=["Event", "Text (verbatim)"]), hide_index=True, key="upload_links")
        st.subheader("Download the merged data", anchor=False)
        st.caption("The shipped records with yours added (source = uploaded).")
        gift_ui.download_dataset(view.dataset)
    st.button("Remove my records from this session", on_click=_remove, icon=":material/delete:")
