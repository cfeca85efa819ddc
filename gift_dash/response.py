"""The annex I workplan as the response to the recommendations: links per record, coverage, gaps and flows."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from gift_dash.data import Dataset
from gift_dash.dimensions import ANNEX_II, DIMENSIONS, SECTION_VI, UPLOADED
from gift_dash.schema import (
    MULTI_VOCAB_COLUMNS,
    NOT_STATED,
    RESPONDING_KINDS,
    Codebook,
    among,
    event_names,
    split_multi,
)
from gift_dash.tabulate import dimension_values, ordered_values

# Sources whose records a person read against the workplan for explicit links: annex II and the Vienna Forum
# findings (section VI). Coverage counts them only. Thematic links are derived by the rule for every record
# (section V outcomes and uploaded records too), but no person read those for explicit links.
LINKED_SOURCES = (ANNEX_II, SECTION_VI)
STRENGTHS = ("explicit", "thematic")  # strongest first
# The rule's name wherever a coverage figure is shown: the figure depends on it, so it travels with it.
LINK_RULE = "codebook v3 link rule"
GROUP_COLUMNS = ("target_groups", "actors")
# Common words a suggestion (LK7) does not count as shared: function words and words every row of the workplan or
# every record uses.
_COMMON = set(
    """about above after against among and another any are been being between both but can could development
    develop during each either every for from further have having human including into its more most must
    need needs other over persons same shall should some such than that the their them then there these they
    this those through towards trafficking under upon very were what when where which while will with within
    without would ensure strengthen promote encourage increase establish provide undertake effective national
    international victim victims child children trafficked women""".split()
)  # the groups too: a group shared is LK2's business, a suggestion is for the measure
NO_RESPONSE = "No planned response"
# Dimensions coverage is offered by: key of the registry -> heading
COVERAGE_DIMENSIONS = {key: DIMENSIONS[key].label for key in ("event", "theme", "target_group")}
FLOW_SOURCES = {"event": "Event", "theme": "Theme"}


def activity_of(workplan_id: str, workplan: pd.DataFrame) -> str:
    """The activity a workplan row belongs to: a lettered sub-item's parent, an activity itself."""
    row = workplan.loc[workplan["workplan_id"] == workplan_id]
    if len(row) and row["kind"].iloc[0] == "sub_item":
        return row["parent_id"].iloc[0]
    return workplan_id


def pillar_names(workplan: pd.DataFrame) -> pd.Series:
    """pillar number -> "Pillar 1: Global and collective advocacy efforts" (the heading section VII gives it)."""
    pillars = workplan[workplan["kind"] == "pillar"]
    return pd.Series(
        ("Pillar " + pillars["pillar"] + ": " + pillars["short_title"]).to_numpy(), index=pillars["pillar"]
    )


def measure_types(topics: list[str], codebook: Codebook) -> list[str]:
    """The measure types (codebook v3, rule LK1) of these topics, in order, each once."""
    types = codebook.rules.measure_types
    return list(dict.fromkeys(t for topic in topics for t in types.get(topic, ())))


def _names_value(title: str, names: list[str]) -> bool:
    """Whether ``title`` names a value by one of ``names`` (its label or a near-synonym), as whole words, a plural
    s allowed ('victim' names 'victims')."""
    return any(re.search(rf"(?<!\w){re.escape(name)}s?(?!\w)", title, re.IGNORECASE) for name in names if name)


def title_groups(workplan: pd.DataFrame, codebook: Codebook) -> dict[str, list[tuple[str, str]]]:
    """workplan id -> the (column, value) groups and actors of the row that its own title names (for a sub-item
    read with its lead-in's title: W2), less those too broad to make a link alone: what LK2 links by."""
    entries = codebook.entries
    names = {
        (vocabulary, value): [label, *[n.strip() for n in str(synonyms).split(",")]]
        for vocabulary, value, label, synonyms in zip(
            entries["vocabulary"], entries["value"], entries["label"], entries["near_synonyms"], strict=True
        )
    }
    titles = dict(zip(workplan["workplan_id"], workplan["title"], strict=True))
    out: dict[str, list[tuple[str, str]]] = {}
    for row in workplan.to_dict("records"):
        if row["kind"] not in RESPONDING_KINDS:
            continue
        title = row["title"] + (" " + titles.get(row["parent_id"], "") if row["kind"] == "sub_item" else "")
        out[row["workplan_id"]] = [
            (column, value)
            for column in GROUP_COLUMNS
            for value in split_multi(row.get(column, ""))
            if (column, value) not in codebook.rules.no_group_link
            and _names_value(title, names.get((column, value), []))
        ]
    return out


def _values(frame: pd.DataFrame, id_column: str, column: str) -> pd.DataFrame:
    """(id, value) for each value of a multi-valued column, vectorised (100,000 uploaded records: no Python loop)."""
    if column not in frame.columns:
        return pd.DataFrame({"id": pd.Series(dtype=str), "value": pd.Series(dtype=str)})
    cells = frame[column].fillna("").astype(str).str.split(";")
    out = pd.DataFrame({"id": frame[id_column].to_numpy(), "value": cells.to_numpy()}).explode("value")
    out["value"] = out["value"].str.strip()
    return out[out["value"].notna() & (out["value"] != "")]


def _keys(frame: pd.DataFrame, codebook: Codebook, groups_of=None) -> pd.DataFrame:
    """One row per (id, what may link it): ("measure", type) for each measure type of its topics (LK1), and
    ("group", column:value) for each group or actor, only when it has a measure type (LK2). ``groups_of`` (workplan
    rows) gives the groups instead: those its title names."""
    id_column = "id" if "id" in frame.columns else "workplan_id"
    types = pd.Series(codebook.rules.measure_types, dtype=object)
    topics = _values(frame, id_column, "topics")
    measures = topics.assign(key=topics["value"].map(types)).explode("key").dropna(subset=["key"])
    measures = measures.drop_duplicates(["id", "key"]).assign(by="measure")[["id", "by", "key"]]
    if groups_of is not None:
        groups = pd.DataFrame(
            [(wid, "group", f"{c}:{v}") for wid, values in groups_of.items() for c, v in values],
            columns=["id", "by", "key"],
        )
    else:
        parts = [_values(frame, id_column, c).assign(key=lambda f, c=c: c + ":" + f["value"]) for c in GROUP_COLUMNS]
        groups = pd.concat(parts, ignore_index=True)
        broad = {f"{c}:{v}" for c, v in codebook.rules.no_group_link}
        groups = groups[~groups["key"].isin(broad) & among(groups["id"], measures["id"])]
        groups = groups.assign(by="group")[["id", "by", "key"]]
    return pd.concat([measures, groups], ignore_index=True)


def thematic_links(records: pd.DataFrame, workplan: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The thematic links the codebook v3 link rule derives from the tags of ``records`` and of the workplan's
    activities and sub-items: a shared measure type (LK1), or a group or actor the row's title names while the record
    asks for a measure (LK2); the most specific row only (LK8). The same function for shipped and uploaded records,
    so anyone can rerun it. Columns: record_id, activity_id, strength ('thematic'), basis (what is shared, by rule)."""
    columns = ["record_id", "activity_id", "strength", "basis"]
    if "topics" not in workplan.columns or records.empty:
        return pd.DataFrame(columns=columns)
    rows = workplan[workplan["kind"].isin(RESPONDING_KINDS)]
    mine = _keys(records, codebook)
    theirs = _keys(rows, codebook, title_groups(workplan, codebook))
    pairs = mine.merge(theirs, on=["by", "key"], suffixes=("_record", "_row"))
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    # LK8: a lettered sub-item linked to a record makes its activity's own link redundant.
    parent = rows.set_index("workplan_id")["parent_id"].where(rows.set_index("workplan_id")["kind"] == "sub_item")
    subs = pairs.assign(activity=pairs["id_row"].map(parent)).dropna(subset=["activity"])
    redundant = pd.MultiIndex.from_arrays([subs["id_record"], subs["activity"]])
    pairs = pairs[~pd.MultiIndex.from_arrays([pairs["id_record"], pairs["id_row"]]).isin(redundant)]
    # The basis in words, built per pair from what it shares (joined in C, not a Python call per pair).
    labels = {f"measure {v}": codebook.label("measure_type", v) for v in codebook.values("measure_type")}
    for column in GROUP_COLUMNS:
        vocabulary = column
        labels.update({f"group {column}:{v}": codebook.label(vocabulary, v) for v in codebook.values(vocabulary)})
    pairs = pairs.assign(label=(pairs["by"] + " " + pairs["key"]).map(labels).fillna(pairs["key"]))
    pairs = pairs.sort_values(["id_record", "id_row", "by"], ascending=[True, True, False], kind="stable")
    # One pass over plain lists: pandas' grouped string join costs a Python call per pair (13 s at 100,000 records).
    shared: dict[tuple[str, str], dict[str, list[str]]] = {}
    for record_id, row_id, by, label in zip(
        pairs["id_record"].tolist(),
        pairs["id_row"].tolist(),
        pairs["by"].tolist(),
        pairs["label"].tolist(),
        strict=True,
    ):
        shared.setdefault((record_id, row_id), {}).setdefault(by, []).append(label)
    words = {
        "measure": "same measure type: {} (LK1)",
        "group": "a group the activity's title names: {} (LK2)",
    }
    out = pd.DataFrame(
        [
            (
                record_id,
                row_id,
                f"{LINK_RULE}: " + "; ".join(words[by].format(", ".join(found)) for by, found in what.items()) + ".",
            )
            for (record_id, row_id), what in shared.items()
        ],
        columns=["record_id", "activity_id", "basis"],
    )
    out["strength"] = "thematic"
    return out[columns]


def suggested_explicit(record: pd.Series, dataset: Dataset) -> pd.DataFrame:
    """Explicit links to suggest for a record no person has read (LK7): the rows the rule links it to whose own
    title shares a content word with its text (four letters or more, not a common word, a final s dropped). A
    suggestion for a person to read and accept, never a link. Columns: Activity, Shared words."""

    def words(text: str) -> set[str]:
        found = (w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", str(text)))
        return {w.removesuffix("s") for w in found if w not in _COMMON}

    part = links_of(dataset.records[dataset.records["id"] == record["id"]], dataset)
    part = part[part["strength"] == "thematic"]
    titles = dataset.workplan.set_index("workplan_id")["title"]
    own = words(record["text"])
    rows = []
    for wid, label in zip(part["activity_id"], part["label"], strict=True):
        shared = sorted(own & words(titles[wid]))
        if shared:
            rows.append({"Activity": label, "Shared words": ", ".join(shared)})
    return pd.DataFrame(rows, columns=["Activity", "Shared words"])


def links(dataset: Dataset) -> pd.DataFrame:
    """Every response link of the shipped records with what it points at: the explicit links a person read
    (data/responses.csv) and the thematic links the rule derives (thematic_links; none where an explicit link joins
    the same pair), the row linked (activity or sub-item), its activity and pillar, in workplan order then record
    order. Built once per dataset version (every view of the page asks for it). Uploaded records' links are derived
    by the same function when asked for (links_of), so a large upload costs nothing until someone looks."""
    if dataset.version not in _LINKS:
        if len(_LINKS) >= 8:
            _LINKS.pop(next(iter(_LINKS)))
        shipped = dataset.records[dataset.records["source"] != UPLOADED]
        _LINKS[dataset.version] = _links(shipped, dataset)
    return _LINKS[dataset.version]


def links_of(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """links() of these records, uploaded ones included (their thematic links derived now, by the same rule)."""
    shipped = links(dataset)
    shipped = shipped[among(shipped["record_id"], records["id"])]
    uploaded = records[records["source"] == UPLOADED]
    if uploaded.empty:
        return shipped
    return pd.concat([shipped, _links(uploaded, dataset)], ignore_index=True)


_LINKS: dict[str, pd.DataFrame] = {}  # dataset version -> links(); read-only frames, a few datasets at most


def _links(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    workplan = dataset.workplan.set_index("workplan_id", drop=False)
    explicit = dataset.responses[among(dataset.responses["record_id"], records["id"])]
    derived = thematic_links(records, dataset.workplan, dataset.codebook)
    read = set(zip(explicit["record_id"], explicit["activity_id"], strict=True))
    derived = derived[[pair not in read for pair in zip(derived["record_id"], derived["activity_id"], strict=True)]]
    out = pd.concat([explicit, derived], ignore_index=True)
    linked = workplan.reindex(out["activity_id"]).reset_index(drop=True)
    sub_item = linked["kind"] == "sub_item"
    marker = (linked["marker"].fillna("") + " ").where(sub_item, "")
    out["label"] = linked["workplan_id"] + " " + marker + linked["title"]
    out["activity"] = linked["parent_id"].where(sub_item, linked["workplan_id"])
    out["activity_title"] = out["activity"].map(workplan["title"])
    out["pillar"] = linked["pillar"]
    out["pillar_name"] = out["pillar"].map(pillar_names(dataset.workplan))
    order = pd.Series(range(len(workplan)), index=workplan["workplan_id"].to_numpy())
    out["_order"] = out["activity_id"].map(order)
    out["_record"] = pd.Index(records["id"]).get_indexer(out["record_id"])
    return out.sort_values(["_order", "_record"]).drop(columns=["_order", "_record"]).reset_index(drop=True)


def in_scope(records: pd.DataFrame) -> pd.DataFrame:
    """The records the links were read for (annex II and the Vienna findings) among ``records``."""
    return records[records["source"].isin(LINKED_SOURCES)]


def best_strength(records: pd.DataFrame, dataset: Dataset) -> pd.Series:
    """Per record (indexed like ``records``): its strongest response, or NO_RESPONSE."""
    rank = {s: i for i, s in enumerate(STRENGTHS)}
    responses = links(dataset)
    best = (
        responses.assign(rank=responses["strength"].map(rank))
        .groupby("record_id")["rank"]
        .min()
        .map(dict(enumerate(STRENGTHS)))
    )
    return records["id"].map(best).fillna(NO_RESPONSE)


def link_table(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The links of these records as people read them, in ``records``' order and workplan order within a record:
    record id, event, the record's text, the workplan row, its pillar, strength and basis."""
    part = links_of(records, dataset)
    # Positions looked up by index, not dicts built by iterating every record (20,000 records: ~4 ms, not ~60 ms).
    position = pd.Index(records["id"]).get_indexer(part["record_id"])
    order = position.argsort(kind="stable")
    part, linked = part.iloc[order], records.iloc[position[order]]
    names = event_names(dataset.events)
    return pd.DataFrame(
        {
            "Record id": part["record_id"].to_numpy(),
            "Event": [names.get(e) or e or NOT_STATED for e in linked["event_id"].tolist()],
            "Text (verbatim)": linked["text"].to_numpy(),
            "Activity": part["label"].to_numpy(),
            "Pillar": part["pillar_name"].to_numpy(),
            "Strength": part["strength"].map(dataset.codebook.labels("response_strength")).to_numpy(),
            "Basis": part["basis"].to_numpy(),
        }
    )


def responses_for(record_id: str, dataset: Dataset) -> pd.DataFrame:
    """What the workplan plans in response to one record: the row linked, its pillar, strength and basis (no rows
    when none, or when the record is unknown)."""
    record = dataset.records[dataset.records["id"] == record_id]
    return link_table(record, dataset)[["Activity", "Pillar", "Strength", "Basis"]]


def coverage(records: pd.DataFrame, dataset: Dataset, by: str | None = None) -> pd.DataFrame:
    """Share of records with at least one response (explicit or thematic), with n, over the records in scope;
    ``by`` (a key of COVERAGE_DIMENSIONS) gives one row per value (a record with several values counts in each),
    None one row for all."""
    scoped = in_scope(records)
    strength = best_strength(scoped, dataset)
    if by is None:
        groups = pd.Series("All records in scope", index=scoped.index)
        order = ["All records in scope"]
    else:
        groups = dimension_values(scoped, dataset.events, by, dataset.codebook)
        order = ordered_values(groups, by, dataset.codebook, dataset.events)
    frame = pd.DataFrame({"group": groups, "strength": strength.reindex(groups.index).to_numpy()})
    table = pd.crosstab(frame["group"], frame["strength"]).reindex(order, fill_value=0)
    table = table.reindex(columns=[*STRENGTHS, NO_RESPONSE], fill_value=0)
    records_n = table.sum(axis=1)
    answered = table["explicit"] + table["thematic"]
    out = pd.DataFrame(
        {
            COVERAGE_DIMENSIONS.get(by, "Scope"): table.index,
            "Records": records_n.to_numpy(),
            "With a planned response": answered.to_numpy(),
            "Share with a response (%)": (100 * answered / records_n.where(records_n > 0)).round(1).to_numpy(),
            "Explicit": table["explicit"].to_numpy(),
            "Thematic only": table["thematic"].to_numpy(),
            "No planned response": table[NO_RESPONSE].to_numpy(),
        }
    )
    return out


def unanswered(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The records in scope with no planned response, in ``records``' order."""
    scoped = in_scope(records)
    return scoped[best_strength(scoped, dataset) == NO_RESPONSE]


def unanswered_table(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The records in scope with no planned response as people read them: id, event, verbatim text."""
    gaps = unanswered(records, dataset)
    names = event_names(dataset.events)
    return pd.DataFrame(
        {
            "Record id": gaps["id"],
            "Event": gaps["event_id"].map(lambda e: names.get(e) or e or NOT_STATED),
            "Text (verbatim)": gaps["text"],
        }
    ).reset_index(drop=True)


def answered_by(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Every activity of the workplan (sub-items folded into their activity) with the records among ``records``
    it answers: n explicit, n thematic, and the record ids, in workplan order. Activities answering none stay."""
    ids = in_scope(records)["id"]
    part = links(dataset)
    part = part[among(part["record_id"], ids)]
    rank = {s: i for i, s in enumerate(STRENGTHS)}
    # One row per (activity, record answered), its strongest link, records in the view's order.
    best = (
        part.assign(rank=part["strength"].map(rank))
        .groupby(["activity", "record_id"])["rank"]
        .min()
        .map(dict(enumerate(STRENGTHS)))
        .rename("strength")
        .reset_index()
    )
    best = best.assign(order=pd.Index(ids).get_indexer(best["record_id"])).sort_values("order")
    by_activity = dict(tuple(best.groupby("activity")))
    workplan = dataset.workplan
    activities = workplan[workplan["kind"] == "activity"]
    pillars = pillar_names(workplan)
    empty = best.iloc[:0]
    rows = []
    for activity in activities.to_dict("records"):
        mine = by_activity.get(activity["workplan_id"], empty)
        rows.append(
            {
                "Activity id": activity["workplan_id"],
                "Pillar": pillars[activity["pillar"]],
                "Output": f"Output {activity['output']}",
                "Activity": activity["title"],
                "Records answered": len(mine),
                "Explicit": int((mine["strength"] == "explicit").sum()),
                "Thematic": int((mine["strength"] == "thematic").sum()),
                "Record ids": "; ".join(mine["record_id"]),
            }
        )
    return pd.DataFrame(rows)


WORKPLAN_TAGS = {"topics": "Topics", "ta_areas": "TA areas", "target_groups": "Target groups", "actors": "Actors"}


def workplan_reading(dataset: Dataset) -> pd.DataFrame:
    """The workplan as the codebook reads it (rules W1, W2): every activity and lettered sub-item, in workplan order,
    with the measure types of its topics (LK1) and its tags as codebook labels, each cell's values in the file's
    order joined by "; " ("" where the row names nothing). Thematic links are derived from exactly these."""
    workplan = dataset.workplan
    codebook = dataset.codebook
    rows = []
    for row in workplan[workplan["kind"].isin(RESPONDING_KINDS)].to_dict("records"):
        marker = f"{row['marker']} " if row["kind"] == "sub_item" else ""
        topics = split_multi(row.get("topics", ""))
        shown = {
            "Row": f"{row['workplan_id']} {marker}{row['title']}",
            "Measure types (LK1)": "; ".join(
                codebook.label("measure_type", t) for t in measure_types(topics, codebook)
            ),
        }
        for column, heading in WORKPLAN_TAGS.items():
            vocabulary = MULTI_VOCAB_COLUMNS[column]
            shown[heading] = "; ".join(codebook.label(vocabulary, v) for v in split_multi(row.get(column, "")))
        rows.append(shown)
    return pd.DataFrame(rows, columns=["Row", "Measure types (LK1)", *WORKPLAN_TAGS.values()])


def flow(records: pd.DataFrame, dataset: Dataset, by: str = "event") -> pd.DataFrame:
    """Records flowing from an event or theme (``by``) to the pillars whose activities answer them, and to
    NO_RESPONSE: one row per (from, to) with the number of records (a record counts once per pillar it reaches
    and once per theme it has)."""
    scoped = in_scope(records)
    source = dimension_values(scoped, dataset.events, by, dataset.codebook)
    order = ordered_values(source, by, dataset.codebook, dataset.events)
    part = links(dataset)
    reached = part[["record_id", "pillar_name"]].drop_duplicates().rename(columns={"pillar_name": "to"})
    frame = pd.DataFrame({"id": scoped["id"].reindex(source.index).to_numpy(), "from": source.to_numpy()})
    joined = frame.merge(reached[["record_id", "to"]], left_on="id", right_on="record_id", how="left")
    joined["to"] = joined["to"].fillna(NO_RESPONSE)
    table = joined.groupby(["from", "to"]).size().rename("Records").reset_index()
    targets = [*pillar_names(dataset.workplan), NO_RESPONSE]
    table["_from"] = table["from"].map({v: i for i, v in enumerate(order)})
    table["_to"] = table["to"].map({v: i for i, v in enumerate(targets)})
    table = table.sort_values(["_from", "_to"]).drop(columns=["_from", "_to"]).reset_index(drop=True)
    return table.rename(columns={"from": FLOW_SOURCES[by], "to": "Responded to by"})


@dataclass(frozen=True)
class InView:
    """What the Planned response page shows of the records in scope: tables ready to draw (read-only, shared)."""

    overall: pd.Series  # coverage() of all of them
    coverage: dict[str, pd.DataFrame]  # COVERAGE_DIMENSIONS key -> coverage() by it
    gaps: pd.DataFrame  # unanswered()
    links: pd.DataFrame  # link_table()
    activities: pd.DataFrame  # answered_by()
    flows: dict[str, pd.DataFrame]  # FLOW_SOURCES key -> flow() from it


def _as_categories(table: pd.DataFrame, keep: tuple[str, ...]) -> pd.DataFrame:
    """``table`` with every column but ``keep`` as categories, for drawing. A record's text repeats on each of its
    links and a basis on many, so the grid is sent each value once (Arrow dictionaries): at 20,000 records the link
    table went from 37 MB a run to 3 MB, and serialising and hashing it from most of the page's run to a few ms."""
    return table.astype({column: "category" for column in table.columns if column not in keep})


def in_view(records: pd.DataFrame, dataset: Dataset) -> InView:
    """The Planned response page's tables for the records in scope among ``records`` (in_scope: not empty)."""
    scoped = in_scope(records)
    return InView(
        overall=coverage(scoped, dataset).iloc[0],
        coverage={by: coverage(scoped, dataset, by) for by in COVERAGE_DIMENSIONS},
        gaps=unanswered(scoped, dataset),
        links=_as_categories(link_table(scoped, dataset), keep=("Record id",)),
        activities=answered_by(scoped, dataset),
        flows={by: flow(scoped, dataset, by) for by in FLOW_SOURCES},
    )


PLANNED_HEADING = "Planned response"
NONE_PLANNED = "none planned"
NOT_READ = "not read against the workplan"


def planned_response(records: pd.DataFrame, dataset: Dataset) -> pd.Series:
    """Per record (indexed like ``records``), the workplan rows that respond to it in words ("p1-a1 Awareness-raising
    to support prevention efforts (explicit); ..."), NONE_PLANNED, or NOT_READ for a record outside the links' scope
    (section V, uploaded) that the rule links to nothing either. The column exports carry."""
    part = links_of(records, dataset)
    texts = (part["label"] + " (" + part["strength"] + ")").groupby(part["record_id"]).agg("; ".join)
    out = records["id"].map(texts)
    read = records["source"].isin(LINKED_SOURCES)
    return out.where(out.notna(), read.map({True: NONE_PLANNED, False: NOT_READ})).rename(PLANNED_HEADING)


def briefing_rows(records: pd.DataFrame, dataset: Dataset) -> list[tuple[str, str, str, str]]:
    """(record id, workplan id, its title, strength) of every link answering these records, in workplan order:
    the briefing's "Planned response" section."""
    linked = links_of(records, dataset)
    titles = dataset.workplan.set_index("workplan_id")["title"]
    return list(
        zip(
            linked["record_id"],
            linked["activity_id"],
            linked["activity_id"].map(titles),
            linked["strength"],
            strict=True,
        )
    )
