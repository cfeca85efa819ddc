"""About the data: what it is, where it comes from, the events, the codebook, and the full dataset to download."""

import streamlit as st

import gift_ui
from gift_dash.data import DOCUMENT_TITLE
from gift_dash.dimensions import ANNEX_II, SECTION_V, SECTION_VI
from gift_dash.present import COLUMN_HEADINGS

view, notices = gift_ui.page_setup("About the data")
gift_ui.show_notices(notices)
ds = view.dataset
tables = gift_ui.about_tables(ds)
records, events = ds.records, ds.events
annex_events = events[events["in_annex_ii"] == "yes"]
others = events[
    (events["in_annex_ii"] != "yes")
    & (events["event_id"].isin(records.loc[records["source"] == SECTION_V, "event_id"]))
]
counts = records["source"].value_counts()

st.markdown(f"""
The records come from one document: **{gift_ui.md_escape(DOCUMENT_TITLE)}**.

- **Annex II** lists the key findings and recommendations of the regional events held under UN.GIFT in 2007:
  **{counts.get(ANNEX_II, 0)} records** from **{len(annex_events)} events**. *Annex II holds six regional events;
  the brief for this dashboard spoke of eight.* The document itself lists six, and so does this dashboard.
- **Section VI** gives the key findings of the Vienna Forum to Fight Human Trafficking (February 2008):
  **{counts.get(SECTION_VI, 0)} records**.
- **Section V** describes the preparatory phase, including {len(others)} further events with one outcome each:
  **{counts.get(SECTION_V, 0)} records**.

Every record's text is **verbatim** from the document, never paraphrased. The tags (themes, TA areas, target groups,
actors, exploitation forms, topics) are this project's reading, following the codebook below. Where the document
does not state something (a city, a date), the dashboard says **not stated** rather than guess.
The views show annex II alone unless the *Source* filter (under *More filters*) says otherwise.
""")

st.subheader(f"The events ({len(events)})", anchor=False)
preparatory = events[~events["source"].str.contains("section VI")]
st.markdown(
    f"The {len(preparatory)} events of the preparatory phase (2007) — the {len(annex_events)} of annex II and "
    f"{len(preparatory) - len(annex_events)} more that section V describes — and the Vienna Forum (2008)."
)
st.dataframe(tables["events"], hide_index=True, height=36 * (len(events) + 1) + 4)

st.subheader("The codebook", anchor=False)
st.markdown("Each vocabulary: its values, what they mean, and when a record gets them.")
vocabularies = ds.codebook.vocabularies
# Each vocabulary is named after the record column that draws on it, so the column's heading names its tab.
for tab, vocabulary in zip(st.tabs([COLUMN_HEADINGS.get(v, v) for v in vocabularies]), vocabularies, strict=True):
    with tab:
        st.dataframe(tables[f"vocabulary {vocabulary}"], hide_index=True)

st.subheader("The concept lexicon", anchor=False)
st.markdown(
    "The words that name one idea in different ways (*sensitization* ~ *awareness-raising*, *penal code* ~ "
    "*legislation*): search finds a record through them and recurring ideas compare records by the measures they "
    "name. It is data (`data/lexicon.csv`), checked by the validator like the codebook, so it can be read and "
    "extended without touching the program. Concepts of one family find each other, more weakly, in search."
)
st.dataframe(tables["lexicon"], hide_index=True, column_config={"Phrases": st.column_config.TextColumn(width="large")})

st.subheader("The codebook's rules", anchor=False)
st.markdown(
    "How two readers apply the codebook alike. The validator checks every implication and inheritance rule "
    "on the shipped data and on every upload: a record that breaks one is reported by row and column, with "
    "the rule and what to add, and is not added."
)
changes = ds.codebook.changes
tab_rules, tab_implies, tab_lead, tab_types, tab_changes = st.tabs(
    ["Written rules", "Implications", "Lead-ins", "Measure types (link rule)", f"What changed ({len(changes)} changes)"]
)
with tab_rules:
    st.dataframe(tables["rules written rules"], hide_index=True)
with tab_implies:
    st.caption("A record with the value on the left must have the value on the right ('or': at least one of them).")
    st.dataframe(tables["rules implications"], hide_index=True)
with tab_lead:
    st.caption(
        "A list's lead-in passes these values to every item of the list; a sub-item carries every tag of its "
        "parent item (rule I1)."
    )
    st.dataframe(tables["rules lead-ins"], hide_index=True)
with tab_types:
    st.caption(
        "Two rows that share a measure type are linked thematically (rule LK1 of the codebook v3 link rule); a "
        "topic not listed is no measure and links nothing."
    )
    st.dataframe(tables["rules measure types (link rule LK1)"], hide_index=True)
with tab_changes:
    st.caption(
        "Every tag and response link the re-reading of all records against a codebook revision changed, with the "
        "rule that decided it and (from v3) why."
    )
    st.dataframe(tables["changes"], hide_index=True)

st.subheader("Priority needs named by field offices (section VII.4)", anchor=False)
st.dataframe(tables["needs"], hide_index=True)

st.subheader("Download the full dataset", anchor=False)
gift_ui.download_dataset(ds)
