"""Recurring ideas: groups of records that express the same idea, ranked by how many events they span."""

import streamlit as st

import gift_ui
from gift_dash import similarity
from gift_dash.schema import event_names
from gift_ui.sliders import url_select_slider

THRESHOLDS = [round(0.20 + 0.05 * i, 2) for i in range(11)]  # 0.20 … 0.70

view, notices = gift_ui.page_setup(
    "Recurring ideas",
    page_keys=("threshold", "group"),
    intro="Records from different events that ask for the same measure in other words, grouped. The score combines "
    "shared topics, a lexicon of synonyms (sensitization ~ awareness-raising, penal code ~ legislation) and the "
    "words of the texts; for tagged records, an offline language model's reading of each record's measure clause (what "
    f"it asks for, cut before its purpose or whom it concerns) weighs {similarity.EMBEDDING_WEIGHT:.0%} of the score. "
    "Topics that say who is involved or why (community leaders, civil society, root causes) "
    "and approaches (human rights, gender) do not make two records one idea, and two tagged records whose measure "
    f"clauses name different measures count {similarity.MEASURE_CONFLICT_FACTOR:.0%} of their score. A sub-item "
    "never joins the item it completes, and items of one list join only on stronger evidence. A group is named by "
    "the measure its "
    "records share. A record sits in the group its strongest idea pulls it into, and also in a second group when "
    "it clearly carries that idea too (it then counts in both).",
)
ds, records, events = view.dataset, view.records, view.dataset.events

threshold = url_select_slider(
    "Similarity threshold: how alike a group's records must be",
    THRESHOLDS,
    url_key="threshold",
    default=similarity.DEFAULT_THRESHOLD,
    notices=notices,
    help="Higher: fewer, tighter groups. Lower: broader groups that may mix related ideas. "
    f"Default {similarity.DEFAULT_THRESHOLD:.2f}.",
)

summary = gift_ui.ideas_in_view(view, threshold)
recurring = summary[summary["n_members"] >= 2].reset_index(drop=True)
group_param = gift_ui.page_param("group", [str(g) for g in recurring["group"]], "", notices)
gift_ui.show_notices(notices)

names = event_names(events)
if recurring.empty:
    st.info(
        "No two records in this selection are alike at this threshold. Lower the threshold or remove a "
        "filter in the sidebar."
    )
    st.stop()

alone = int((summary["n_members"] == 1).sum())
second = int(recurring["also_ids"].map(len).sum())
st.caption(
    f"**{len(recurring)}** groups of two or more records, ranked by the number of events they span; "
    f"{alone} record(s) of this selection stand alone at threshold {threshold:.2f}"
    + (f"; {second} record(s) also count in a second group, for a second idea" if second else "")
    + ". Choose a row to read its records in full."
)
table = recurring.assign(
    events_named=[", ".join(names.get(e, e) for e in evs) for evs in recurring["events"]],
)[["label", "n_events", "events_named", "n_members", "representative_text"]].rename(
    columns={
        "label": "Idea",
        "n_events": "Events",
        "events_named": "Where",
        "n_members": "Records",
        "representative_text": "Representative record (verbatim)",
    }
)
gift_ui.selectable_table(
    table,
    [str(g) for g in recurring["group"]],
    "ri_groups",
    "group",
    group_param or None,
    # Rows of ROW_HEIGHT wrap the idea's label and the places; the widths fit the page at 1280 px without
    # scrolling sideways (a long representative text shows its first four lines; choosing the row shows it all).
    row_height=gift_ui.ROW_HEIGHT,
    height=8 * gift_ui.ROW_HEIGHT + 40,  # eight groups before the table scrolls
    column_config={
        "Idea": st.column_config.TextColumn(width=180),
        "Events": st.column_config.NumberColumn(width="small"),
        "Where": st.column_config.TextColumn(width=160),
        "Records": st.column_config.NumberColumn(width="small"),
        "Representative record (verbatim)": st.column_config.TextColumn(width=300),
    },
)

if group_param:
    chosen = recurring[recurring["group"].astype(str) == group_param].iloc[0]
    st.subheader(
        f"{gift_ui.md_escape(chosen['label'])}: {chosen['n_members']} records from {chosen['n_events']} event(s)",
        anchor=False,
    )
    members = records.set_index("id").loc[chosen["member_ids"]].reset_index()
    in_group = gift_ui.idea_groups(ds, threshold)
    scores = in_group[in_group["group"] == chosen["group"]].set_index("id").loc[chosen["member_ids"], "score"]
    st.markdown(
        "The first record is the group's representative (the one closest to all the others). A record "
        "marked as here for a second idea belongs first to another group. Text verbatim."
    )
    gift_ui.show_records(
        view,
        members,
        key="ri_members",
        part=f"Recurring idea: {chosen['label']}",
        columns=("event", "section", "item", "text", "topics"),
        leading={
            "Similarity to the representative": scores.round(2),
            "Here for a second idea": ["yes" if i in chosen["also_ids"] else "" for i in chosen["member_ids"]],
        },
    )
