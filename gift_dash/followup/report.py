"""Progress from the follow-up history: what changed in a period for a scope, and each entry's state as of any moment.

Everything is read from the append-only history (one row per changed field of a save), never from the entries as
they are now, so a report for a past period says what was true then. Pure pandas over rows the store hands over
(``read_history``); no Streamlit.

A period is whole days in UTC, both ends included: [since 00:00, until + 1 day 00:00). A moment ("as of") is a
point in time: the state as of it is every change made strictly before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, String, and_, case, cast, literal, or_, select

from gift_dash.dimensions import NO_ENTRY, WITHDRAWN
from gift_dash.followup.db import reading
from gift_dash.followup.store import ENTRY_COLUMNS, FIELD_LABELS, FIELDS, TRUE_TEXT, statuses
from gift_dash.followup.summary import DONE, status_labels
from gift_dash.followup.tables import entries, history
from gift_dash.schema import split_multi

# The fields whose values the report reads: the state (status, withdrawn, target date) is read over the whole
# history up to the period's end, to know what held at its start; evidence only within the period. Of the other
# fields (notes, responsible, the reason for withdrawing) only who changed them and when: their text stays in the
# store, which keeps a report over 100,000 history rows within a second.
STATE_FIELDS = ("status", "withdrawn", "target_date")
VALUE_FIELDS = (*STATE_FIELDS, "evidence")
ROW_COLUMNS = (
    "entry_id",
    "target_kind",
    "target_id",
    "version",
    "changed_by",
    "changed_at",
    "field",
    "before",
    "after",
)


@dataclass(frozen=True)
class Period:
    """Whole days in UTC, both ends included."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise ValueError(f"the period ends ({self.until}) before it starts ({self.since})")

    @property
    def start(self) -> datetime:
        return start_of(self.since)

    @property
    def end(self) -> datetime:
        """The first moment after the period: the next day's midnight."""
        return start_of(self.until + timedelta(days=1))

    @property
    def words(self) -> str:
        since, until = (f"{d.day} {d:%B %Y}" for d in (self.since, self.until))
        return since if since == until else f"{since} to {until}"


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def read_history(engine: Engine, period: Period) -> pd.DataFrame:
    """The history rows a report on ``period`` needs (ROW_COLUMNS, in the order they were written): every change
    to a state field up to the period's end, and every other change within it; ``before``/``after`` only of
    VALUE_FIELDS (others ""). changed_at as UTC timestamps."""
    valued = history.c.field.in_(VALUE_FIELDS)
    # Text only where it is read: notes can be 10,000 characters a row.
    text = [
        case((valued, column), else_=literal("")).label(column.name) for column in (history.c.before, history.c.after)
    ]
    where = and_(
        history.c.changed_at < period.end,
        or_(history.c.field.in_(STATE_FIELDS), history.c.changed_at >= period.start),
    )
    return _read(engine, text, where)


def history_rows(engine: Engine) -> pd.DataFrame:
    """Every history row with every value (ROW_COLUMNS): what as_of and the replay check read."""
    return _read(engine, [history.c.before, history.c.after], None)


def _read(engine: Engine, text: list, where) -> pd.DataFrame:
    # The moment is fetched as text (SQLite keeps it so; PostgreSQL writes it with its offset) and parsed by column:
    # through the column's type, row by row, it took most of the time of a report over 100,000 rows. The
    # targets are read once per entry and looked up, not joined onto every history row.
    query = select(
        history.c.entry_id,
        history.c.version,
        history.c.changed_by,
        cast(history.c.changed_at, String).label("changed_at"),
        history.c.field,
        *text,
    ).order_by(history.c.id)
    if where is not None:
        query = query.where(where)
    with reading(engine) as connection:
        # Every column selected is a number or text as the driver gives it (the moment is cast to text), so the
        # driver's plain tuples are the values: SQLAlchemy's rows cost a third of the read at 100,000 rows.
        rows = connection.execute(query).cursor.fetchall()
        targets = connection.execute(select(entries.c.id, entries.c.target_kind, entries.c.target_id)).all()
    return frame_of(rows, targets)


def frame_of(rows, targets) -> pd.DataFrame:
    """History rows (entry_id, version, changed_by, changed_at, field, before, after) and the entries' targets
    (id, target_kind, target_id) as one frame in ROW_COLUMNS: changed_at UTC timestamps, version int64, text as
    Python strings (object columns: pandas' Arrow strings made each lookup and loop over them several times
    slower)."""
    names = ("entry_id", "version", "changed_by", "changed_at", "field", "before", "after")
    values = list(zip(*rows, strict=True)) or [()] * len(names)
    frame = pd.DataFrame({c: pd.Series(list(v), dtype=object) for c, v in zip(names, values, strict=True)})
    frame["changed_at"] = pd.to_datetime(frame["changed_at"], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    frame["version"] = frame["version"].astype("int64")
    frame["entry_id"] = frame["entry_id"].astype("int64")
    ids, kinds, target_ids = list(zip(*targets, strict=True)) or [(), (), ()]
    found = pd.DataFrame(
        {"target_kind": pd.Series(kinds, dtype=object), "target_id": pd.Series(target_ids, dtype=object)}
    ).set_index(pd.Index(ids, dtype="int64"))
    found = found.reindex(frame["entry_id"].to_numpy())
    for column in ("target_kind", "target_id"):
        frame[column] = pd.Series(found[column].to_numpy(), index=frame.index, dtype=object)
    return frame[list(ROW_COLUMNS)]


# ---------------------------------------------------------------------------------------------- as of a moment


def as_of(rows: pd.DataFrame, moment: datetime | None = None) -> pd.DataFrame:
    """The entries as they stood just before ``moment`` (None: after every row), rebuilt from history ``rows``
    alone: one row per target that had an entry by then, in ENTRY_COLUMNS as store.entries_frame gives them
    (with ``entry_id`` too). A field no row mentions reads as a new entry's history starts: empty."""
    if moment is not None:
        rows = rows[rows["changed_at"] < pd.Timestamp(moment)]
    keys = ["entry_id", "target_kind", "target_id"]
    last = rows.groupby("entry_id", sort=False).tail(1).set_index("entry_id")
    values = rows.drop_duplicates(["entry_id", "field"], keep="last").pivot(
        index="entry_id", columns="field", values="after"
    )
    out = last[keys[1:] + ["version", "changed_by", "changed_at"]].join(values.reindex(columns=list(FIELDS)))
    for name in FIELDS:
        out[name] = out[name].astype(object).fillna("")
    out["withdrawn"] = out["withdrawn"] == TRUE_TEXT
    out["target_date"] = _dates(out["target_date"])
    out = out.reset_index().sort_values(["target_kind", "target_id"], kind="stable").reset_index(drop=True)
    return out[["entry_id", *ENTRY_COLUMNS]]


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates (or "") as date objects (or None), each distinct one parsed once."""
    parsed = {v: date.fromisoformat(v) for v in text.unique() if v}
    return pd.Series([parsed.get(v) for v in text], index=text.index, dtype=object)


def replay_problems(rows: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """What differs between the entries (store.entries_frame) and replaying every history row: empty when the
    history holds every change. Each problem names the target and the field."""
    rebuilt = as_of(rows).set_index(["target_kind", "target_id"])
    stored = current.set_index(["target_kind", "target_id"])
    problems = [f"{kind} {target}: no history" for kind, target in stored.index.difference(rebuilt.index)]
    problems += [
        f"{kind} {target}: history without an entry" for kind, target in rebuilt.index.difference(stored.index)
    ]
    both = stored.index.intersection(rebuilt.index)
    for name in (*FIELDS, "version", "changed_by"):
        a, b = stored.loc[both, name].map(_text), rebuilt.loc[both, name].map(_text)
        for kind, target in both[(a != b).to_numpy()]:
            problems.append(
                f"{kind} {target}: {name} is {a[(kind, target)]!r}, the history gives {b[(kind, target)]!r}"
            )
    return problems


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value)  # None and NaN alike: nothing


def state(frame: pd.DataFrame) -> pd.Series:
    """Each entry's follow-up state as the status filter reads it: its status, or WITHDRAWN."""
    return frame["status"].where(~frame["withdrawn"].astype(bool), WITHDRAWN)


# ---------------------------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Scope:
    """What a report covers: the records the filters select (id, themes, event_id), the workplan activities in
    scope (id, pillar; None: every activity entry, for a store without a workplan), the scope in words, and the
    labels the tables use (theme, event and pillar -> what people read)."""

    records: pd.DataFrame
    activities: pd.DataFrame | None
    description: str
    themes: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    pillars: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """What changed in a period, for a scope. Tables are frames with the headings people read."""

    period: Period
    scope: str
    figures: dict[str, int]
    transitions: pd.DataFrame  # From, To, Changes
    by_theme: pd.DataFrame  # Theme, From, To, Changes
    by_event: pd.DataFrame  # Event, From, To, Changes
    by_pillar: pd.DataFrame  # Pillar, From, To, Changes (workplan activities)
    status_counts: pd.DataFrame  # Status, then targets at the start and at the end (records; activities if any)
    status_changes: pd.DataFrame  # each target whose state differs between the start and the end
    overdue: pd.DataFrame  # what became overdue in the period
    evidence: pd.DataFrame  # saves that added evidence lines
    people: pd.DataFrame  # who changed what

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by the name exports give it."""
        return {
            "Figures": pd.DataFrame({"Figure": list(FIGURE_LABELS.values()), "Count": list(self.figures.values())}),
            "Status transitions": self.transitions,
            "Transitions by theme": self.by_theme,
            "Transitions by event": self.by_event,
            "Transitions by pillar": self.by_pillar,
            "Status at start and end": self.status_counts,
            "Status changes": self.status_changes,
            "Became overdue": self.overdue,
            "Evidence added": self.evidence,
            "Who changed what": self.people,
        }


FIGURE_LABELS = {
    "created": "Entries created",
    "saves": "Saves",
    "fields": "Fields changed",
    "transitions": "Status transitions",
    "overdue": "Became overdue",
    "evidence_lines": "Evidence lines added",
    "people": "People who saved",
}


def _in_scope(rows: pd.DataFrame, scope: Scope) -> pd.Series:
    """Which rows are about a target in scope; decided once per entry, then by entry id (a lookup of integers)."""
    targets = rows.drop_duplicates("entry_id")
    records = (targets["target_kind"] == "record") & targets["target_id"].isin(set(scope.records["id"]))
    activity = targets["target_kind"] == "activity"
    if scope.activities is not None:
        activity &= targets["target_id"].isin(set(scope.activities["id"]))
    return rows["entry_id"].isin(targets.loc[records | activity, "entry_id"].to_numpy())


def _states_by_save(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per save that changed the status or withdrew (or restored) an entry: entry, target, version,
    when, who, and the state before and after it (NO_ENTRY before a new entry)."""
    changes = rows[rows["field"].isin(("status", "withdrawn"))]
    if changes.empty:
        columns = ["entry_id", "version", "target_kind", "target_id", "changed_at", "changed_by", "before", "after"]
        return pd.DataFrame(columns=columns).astype({"changed_at": "datetime64[us, UTC]"})
    saves = changes.drop_duplicates(["entry_id", "version", "field"], keep="last")
    wide = saves.pivot(index=["entry_id", "version"], columns="field", values="after").reindex(
        columns=["status", "withdrawn"]
    )
    wide = wide.sort_index()
    # A field a save left alone keeps the value of the save before it (of the same entry).
    filled = wide.astype(object).groupby(level="entry_id").ffill().fillna("")
    after = filled["status"].where(filled["withdrawn"] != TRUE_TEXT, WITHDRAWN)
    before = after.groupby(level="entry_id").shift(1).fillna(NO_ENTRY)
    first = saves.drop_duplicates(["entry_id", "version"]).set_index(["entry_id", "version"])
    out = first.loc[wide.index, ["target_kind", "target_id", "changed_at", "changed_by"]].assign(
        before=before, after=after
    )
    return out.reset_index()


def _transitions(saves: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    counts = saves.groupby(["before", "after"], sort=False).size().rename("Changes").reset_index()
    return _ordered(counts, labels).rename(columns={"before": "From", "after": "To"})


def _ordered(frame: pd.DataFrame, labels: dict[str, str], group: str | None = None, order=None) -> pd.DataFrame:
    """Transition counts in the codebook's order of statuses (and of ``group``'s values), labelled."""
    # A new entry's transition first ("No entry yet" is the store's last label, but every entry starts there).
    rank = {s: i for i, s in enumerate(labels)} | {NO_ENTRY: -1}
    keys = [frame["before"].map(rank), frame["after"].map(rank)]
    if group is not None:
        keys.insert(0, frame[group].map({v: i for i, v in enumerate(order)}))
    position = pd.DataFrame({i: k.to_numpy() for i, k in enumerate(keys)}).sort_values(list(range(len(keys)))).index
    out = frame.iloc[position].reset_index(drop=True)
    out["before"] = out["before"].map(labels)
    out["after"] = out["after"].map(labels)
    return out


def _by(saves: pd.DataFrame, targets: pd.DataFrame, column: str, multi: bool, names: dict, heading: str, labels):
    """Transition counts per value of ``column`` of the targets (id, column); a target with several values counts
    under each."""
    cells = targets[column].fillna("").astype(str)
    # Each distinct cell split once, then one row per target and value, joined to the saves by target.
    split = {cell: split_multi(cell) if multi else [cell.strip()] if cell.strip() else [] for cell in cells.unique()}
    values = pd.DataFrame({"target_id": targets["id"].to_numpy(), "value": cells.map(split).to_numpy()}).explode(
        "value"
    )
    long = saves[["target_id", "before", "after"]].merge(values.dropna(subset=["value"]), on="target_id")
    counts = long.groupby(["value", "before", "after"], sort=False).size().rename("Changes").reset_index()
    order = list(names) + sorted(set(counts["value"]) - set(names))
    out = _ordered(counts, labels, "value", order)
    out["value"] = out["value"].map(lambda v: names.get(v, v))
    return out.rename(columns={"value": heading, "before": "From", "after": "To"})[[heading, "From", "To", "Changes"]]


def _state_at(rows: pd.DataFrame, moment: datetime) -> pd.DataFrame:
    """(target_kind, target_id) -> state and target date just before ``moment``; ``rows`` of the STATE_FIELDS."""
    then = as_of(rows, moment)
    return then.assign(state=state(then)).set_index(["target_kind", "target_id"])[["state", "target_date", "status"]]


def _targets_state(kind: str, ids: pd.Series, at: pd.DataFrame) -> pd.Series:
    """Each target's state (NO_ENTRY without an entry then), indexed by target id."""
    has = kind in at.index.get_level_values(0)
    mine = at.xs(kind, level="target_kind")["state"] if has else pd.Series(dtype=object)
    return mine.reindex(ids.to_numpy()).fillna(NO_ENTRY)


def _status_counts(scope: Scope, start: pd.DataFrame, end: pd.DataFrame, period: Period, labels) -> pd.DataFrame:
    """Targets per state at the start and at the end of the period: the status as of two moments."""
    columns = {}
    kinds = [("record", "Records", scope.records["id"])]
    if scope.activities is not None and len(scope.activities):
        kinds.append(("activity", "Activities", scope.activities["id"]))
    for kind, word, ids in kinds:
        for moment, at in (("at the start", start), ("at the end", end)):
            columns[f"{word} {moment}"] = _targets_state(kind, ids, at).value_counts()
    table = pd.DataFrame(columns).reindex(list(labels)).fillna(0).astype("int64")
    table = table[(table != 0).any(axis=1) | table.index.isin(list(statuses()))]
    table.index = table.index.map(lambda s: labels.get(s, s)).rename("Status")
    return table.reset_index()


def _status_changes(scope: Scope, start: pd.DataFrame, end: pd.DataFrame, period: Period, labels) -> pd.DataFrame:
    out = []
    kinds = [("record", scope.records["id"])]
    if scope.activities is not None:
        kinds.append(("activity", scope.activities["id"]))
    for kind, ids in kinds:
        before, after = _targets_state(kind, ids, start), _targets_state(kind, ids, end)
        moved = before != after
        out.append(
            pd.DataFrame(
                {
                    "Kind": kind,
                    "Target": before.index[moved.to_numpy()],
                    "At the start": before[moved].map(labels).to_numpy(),
                    "At the end": after[moved].map(labels).to_numpy(),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _became_overdue(rows: pd.DataFrame, period: Period, end: pd.DataFrame, labels) -> pd.DataFrame:
    """Targets whose target date passed within the period while they were neither completed, not applicable nor
    withdrawn: overdue from the day after the date (summary.is_overdue), so a date from the day before the period
    to its last day but one. Each is checked against the state just before that day began."""
    columns = ["Kind", "Target", "Target date", "Overdue from", "Status then", "Still overdue at the end"]
    dated = rows[(rows["field"] == "target_date") & (rows["after"] != "")]
    first, last = (period.since - timedelta(days=1)).isoformat(), (period.until - timedelta(days=1)).isoformat()
    candidates = dated[(dated["after"] >= first) & (dated["after"] <= last)].drop_duplicates(["entry_id", "after"])
    if candidates.empty:
        return pd.DataFrame(columns=columns)
    left = pd.DataFrame(
        {
            "entry_id": candidates["entry_id"],
            "kind": candidates["target_kind"],
            "target": candidates["target_id"],
            "date": candidates["after"],
            # Overdue from the start of the next day: the state then is every change made before it.
            "moment": (pd.to_datetime(candidates["after"]).dt.tz_localize(UTC) + pd.Timedelta(days=1)).astype(
                "datetime64[us, UTC]"
            ),
        }
    ).sort_values("moment", kind="stable")
    for name in STATE_FIELDS:
        right = rows.loc[rows["field"] == name, ["entry_id", "changed_at", "after"]].rename(
            columns={"after": name, "changed_at": "moment"}
        )
        left = pd.merge_asof(
            left, right.sort_values("moment", kind="stable"), on="moment", by="entry_id", allow_exact_matches=False
        )
    late = left[
        (left["target_date"] == left["date"])
        & ~left["status"].isin(DONE)
        & left["status"].notna()
        & (left["withdrawn"].fillna("") != TRUE_TEXT)
    ]
    now = end.reindex(pd.MultiIndex.from_arrays([late["kind"], late["target"]]))
    due = [d.isoformat() if isinstance(d, date) else "" for d in now["target_date"]]
    still = [
        state not in (*DONE, WITHDRAWN) and "" < d < period.until.isoformat()
        for state, d in zip(now["state"], due, strict=True)
    ]
    out = pd.DataFrame(
        {
            "Kind": late["kind"].to_numpy(),
            "Target": late["target"].to_numpy(),
            "Target date": late["date"].to_numpy(),
            "Overdue from": (late["moment"].dt.date.map(date.isoformat)).to_numpy(),
            "Status then": late["status"].map(labels).to_numpy(),
            columns[-1]: ["yes" if s else "no" for s in still],
        }
    )
    return out.sort_values(["Target date", "Kind", "Target"], kind="stable").reset_index(drop=True)


def _lines(text: str) -> list[str]:
    """An evidence field's lines, as summary.evidence_items reads them (stripped, blank ones left out)."""
    return [line for line in (part.strip() for part in text.splitlines()) if line]


def _evidence(rows: pd.DataFrame) -> pd.DataFrame:
    """Saves in which the evidence gained lines: when, who, the target and the lines added."""
    changed = rows[rows["field"] == "evidence"]
    added = []
    for before, after in zip(changed["before"], changed["after"], strict=True):
        had = set(_lines(before))
        added.append([line for line in _lines(after) if line not in had])
    gained = pd.Series([bool(lines) for lines in added], index=changed.index, dtype=bool)
    part = changed[gained]
    kept = [lines for lines in added if lines]
    return pd.DataFrame(
        {
            "When (UTC)": part["changed_at"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            "Who": part["changed_by"].to_numpy(),
            "Kind": part["target_kind"].to_numpy(),
            "Target": part["target_id"].to_numpy(),
            "Lines added": [len(lines) for lines in kept],
            "Evidence added": ["\n".join(lines) for lines in kept],
        }
    )


def _people(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["Person", "Entries changed", "Saves", "Fields changed", "Which fields"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    by = rows.groupby("changed_by", sort=True)
    which = rows.groupby(["changed_by", "field"]).size()
    order = {f: i for i, f in enumerate(FIELDS)}
    words = {
        person: ", ".join(
            f"{FIELD_LABELS.get(f, f).lower()} {n}"
            for f, n in sorted(which.loc[person].items(), key=lambda item: order.get(item[0], len(order)))
        )
        for person in by.groups
    }
    out = pd.DataFrame(
        {
            "Entries changed": by["entry_id"].nunique(),
            "Saves": rows.drop_duplicates(["entry_id", "version"]).groupby("changed_by").size(),
            "Fields changed": by.size(),
        }
    )
    out["Which fields"] = out.index.map(words)
    return out.rename_axis("Person").reset_index()[columns]


def progress_report(rows: pd.DataFrame, period: Period, scope: Scope) -> Report:
    """What changed in ``period`` for the targets of ``scope``, from history ``rows`` (read_history)."""
    labels = status_labels()  # the codebook's statuses, then Withdrawn and No entry yet
    rows = rows[_in_scope(rows, scope)]
    within = rows[(rows["changed_at"] >= pd.Timestamp(period.start)) & (rows["changed_at"] < pd.Timestamp(period.end))]
    states = rows[rows["field"].isin(STATE_FIELDS)]  # read over and over below: selected once
    saves = _states_by_save(states)
    saves = saves[
        (saves["changed_at"] >= pd.Timestamp(period.start)) & (saves["changed_at"] < pd.Timestamp(period.end))
    ]
    saves = saves[saves["before"] != saves["after"]]
    records, activities = saves[saves["target_kind"] == "record"], saves[saves["target_kind"] == "activity"]
    start, end = _state_at(states, period.start), _state_at(states, period.end)
    overdue = _became_overdue(states, period, end, labels)
    evidence = _evidence(within)
    people = _people(within)
    activity_targets = (
        scope.activities
        if scope.activities is not None
        else pd.DataFrame({"id": activities["target_id"].unique(), "pillar": ""})
    )
    figures = {
        "created": int(within.loc[within["version"] == 1, "entry_id"].nunique()),
        "saves": int(len(within.drop_duplicates(["entry_id", "version"]))),
        "fields": len(within),
        "transitions": len(saves),
        "overdue": len(overdue),
        "evidence_lines": int(evidence["Lines added"].sum()),
        "people": len(people),
    }
    return Report(
        period=period,
        scope=scope.description,
        figures=figures,
        transitions=_transitions(saves, labels),
        by_theme=_by(records, scope.records, "themes", True, scope.themes, "Theme", labels),
        by_event=_by(records, scope.records, "event_id", False, scope.events, "Event", labels),
        by_pillar=_by(activities, activity_targets, "pillar", False, scope.pillars, "Pillar", labels),
        status_counts=_status_counts(scope, start, end, period, labels),
        status_changes=_status_changes(scope, start, end, period, labels),
        overdue=overdue,
        evidence=evidence,
        people=people,
    )


ACTIVITY_KINDS = ("activity", "sub_item")  # the workplan rows a follow-up entry of kind "activity" is about


def scope_of(dataset, records: pd.DataFrame, description: str, narrowed: bool) -> Scope:
    """The scope of a report on ``records`` (the filters' selection) of ``dataset``: with the workplan's activities
    (and lettered sub-items) that answer a record in scope when the filters narrow the records (``narrowed``),
    every one of them otherwise. Without a workplan, every activity entry counts."""
    from gift_dash import response
    from gift_dash.schema import by_date, event_names

    workplan = dataset.workplan
    activities = None
    if len(workplan):
        rows = workplan[workplan["kind"].isin(ACTIVITY_KINDS)]
        if narrowed:
            links = response.links(dataset)
            answering = links[links["record_id"].isin(records["id"])]
            rows = rows[rows["workplan_id"].isin(set(answering["activity_id"]) | set(answering["activity"]))]
        activities = pd.DataFrame({"id": rows["workplan_id"].to_numpy(), "pillar": rows["pillar"].to_numpy()})
    return Scope(
        records=records[["id", "themes", "event_id"]],
        activities=activities,
        description=description
        + (
            ""
            if activities is None
            else " · the workplan activities answering them"
            if narrowed
            else " · every workplan activity"
        ),
        themes=dataset.codebook.labels("themes"),
        events=event_names(by_date(dataset.events)),
        pillars=response.pillar_names(workplan).to_dict() if len(workplan) else {},
    )
