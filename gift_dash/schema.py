"""The dataset's schema: columns, the codebook's vocabularies, and validation that names file, row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

SEPARATOR = "; "
NOT_STATED = "not stated"  # what every view shows where the document is silent


def among(values: pd.Series | pd.Index, allowed) -> np.ndarray:
    """Which of ``values`` are in ``allowed``, as a boolean array: ``values.isin(allowed)`` by a hash lookup. pandas
    3's isin on text converts every allowed value in Python: 90 ms for 20,000 ids on every run, here 4 ms."""
    return pd.Index(pd.unique(pd.Series(allowed))).get_indexer(values) >= 0


def event_names(events: pd.DataFrame) -> dict[str, str]:
    """event_id -> the short name charts and tables show."""
    return dict(zip(events["event_id"], events["short_name"], strict=True))


def date_order(events: pd.DataFrame) -> list[int]:
    """The positions of the events in date order (then by name); those without a stated date last."""
    # Sorted in Python: a dozen rows, and pandas' keyed sort of string columns cost milliseconds on every run.
    keys = [
        tuple(v if isinstance(v, str) and v else "~" for v in pair)
        for pair in zip(events["start_date"], events["short_name"], strict=True)
    ]
    return sorted(range(len(keys)), key=keys.__getitem__)


def by_date(events: pd.DataFrame) -> pd.DataFrame:
    """Events in date order (then by name); those without a stated date last."""
    return events.iloc[date_order(events)]


# Columns of data/recommendations.csv, in file order. Multi-valued columns hold codebook values joined by SEPARATOR.
RECORD_COLUMNS = [
    "id",
    "event_id",
    "source",
    "record_type",
    "list_id",
    "section",
    "item",
    "parent_id",
    "text",
    "themes",
    "primary_theme",
    "ta_areas",
    "target_groups",
    "actors",
    "exploitation_forms",
    "topics",
]
REQUIRED_RECORD_COLUMNS = ["id", "event_id", "text", "themes"]
# column -> codebook vocabulary it draws from
SINGLE_VOCAB_COLUMNS = {"primary_theme": "themes", "record_type": "record_type", "source": "source"}
MULTI_VOCAB_COLUMNS = {
    "themes": "themes",
    "ta_areas": "ta_areas",
    "target_groups": "target_groups",
    "actors": "actors",
    "exploitation_forms": "exploitation_forms",
    "topics": "topics",
}
VOCABULARIES = {**MULTI_VOCAB_COLUMNS, **SINGLE_VOCAB_COLUMNS}  # every column drawn from the codebook

EVENT_COLUMNS = [
    "event_id",
    "short_name",
    "title",
    "programme",
    "city",
    "country",
    "country_iso3",
    "start_date",
    "end_date",
    "date_as_stated",
    "organisers",
    "focus",
    "outcome",
    "latitude",
    "longitude",
    "in_annex_ii",
    "source",
    "location_basis",
]
REQUIRED_EVENT_COLUMNS = ["event_id", "short_name"]

MAX_TEXT_CHARS = 10_000
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
_VALUE_LIST_LIMIT = 8  # how many allowed values a message spells out before saying "see the codebook"


def sheet_row(position: int) -> int:
    """The row a spreadsheet shows for the row at ``position`` (0-based) of a table read from it: the header is
    row 1, so the first row of data is row 2. Readers keep blank rows, so positions and rows stay in step; every row
    number a person is shown comes from here."""
    return position + 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located precisely enough for a person to fix it.

    ``row`` is the row a spreadsheet shows (``sheet_row``): the header is row 1, the first record row 2.
    ``row`` is None for problems with the whole file (a missing column, no rows).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    record_id: str = ""
    severity: str = "error"  # "error" rejects the row; "warning" is reported and the row is kept

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (id {self.record_id})" if self.record_id else ""))
        if self.column:
            where.append(f"column {self.column}")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{', '.join(where)}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "id": self.record_id,
            "problem": self.message,
        }


CHANGE_COLUMNS = ["version", "record", "field", "before", "after", "rule", "why"]  # "why" from codebook v3 on
RULE_COLUMNS = ["rule_id", "kind", "column", "value", "then_column", "then_values", "list_id", "rule", "example_id"]
# "link", "measure_type" and "no_group_link" are the response-link rule (codebook v3): written rules, which measure
# type(s) each topic is, and the values too broad to make a link by a shared group alone.
RULE_KINDS = (
    "guideline",
    "implies",
    "inherit_parent",
    "inherit_lead_in",
    "renamed",
    "link",
    "measure_type",
    "no_group_link",
    "may_imply",
    "needs_basis",
)


@dataclass(frozen=True)
class Rules:
    """The codebook's rules (data/codebook_rules.csv), one row per rule or per column or value it applies to:

    - ``guideline``: a written rule with an example record, for people (About page, annotator's packet);
    - ``implies``: a record with ``value`` in ``column`` has at least one of ``then_values`` in ``then_column``;
    - ``inherit_parent``: a sub-item carries every value of its parent item in ``column``;
    - ``inherit_lead_in``: every item of list ``list_id`` carries ``value`` in ``column`` (its lead-in names it);
    - ``renamed``: ``value`` of ``column`` is now ``then_values``;
    - ``may_imply``: a record with ``value`` in ``column`` may carry ``then_values`` in ``then_column`` (a basis, not
      a requirement: legislation may give pre_ratification or criminal_justice, G7);
    - ``needs_basis``: every value of ``column`` needs a basis (G13): an implication or a ``may_imply`` from the
      record's own values, its parent item's values (I1), or, for a parent item that names no measure, the values
      all its sub-items share (G14).
    """

    table: pd.DataFrame

    def of_kind(self, kind: str) -> pd.DataFrame:
        return self.table[self.table["kind"] == kind]

    @cached_property  # closure (rules.closed) reads it on every pass, for every suggestion
    def implications(self) -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
        """(rule_id, column, value, then_column, then_values) for every implication."""
        return tuple(
            (r.rule_id, r.column, r.value, r.then_column, tuple(split_multi(r.then_values)))
            for r in self.of_kind("implies").itertuples()
        )

    @cached_property
    def implied_by(self) -> dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]]:
        """(column, value) -> [(rule_id, then_column, then_values)]: a record's rules are found from its own values
        (a file of 100,000 rows is checked in about a second)."""
        out: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {}
        for rule_id, column, value, then_column, then_values in self.implications:
            out.setdefault((column, value), []).append((rule_id, then_column, then_values))
        return out

    @cached_property
    def bases(self) -> dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]]:
        """(column, value) -> [(then_column, then_values)] the value implies or may give: what it is a basis for."""
        out: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        for _, column, value, then_column, then_values in self.implications:
            out.setdefault((column, value), []).append((then_column, then_values))
        for r in self.of_kind("may_imply").itertuples():
            out.setdefault((r.column, r.value), []).append((r.then_column, tuple(split_multi(r.then_values))))
        return out

    @cached_property
    def needs_basis(self) -> dict[str, str]:
        """column -> rule id, for the columns whose every value needs a basis (G13: TA areas)."""
        part = self.of_kind("needs_basis")
        return dict(zip(part["column"], part["rule_id"], strict=False))

    @cached_property
    def inherited_columns(self) -> dict[str, str]:
        """column -> rule id, for the columns a sub-item inherits from its parent."""
        part = self.of_kind("inherit_parent")
        return dict(zip(part["column"], part["rule_id"], strict=False))

    @cached_property
    def lead_ins(self) -> dict[str, list[tuple[str, str, str]]]:
        """list_id -> [(rule_id, column, value)] that every item of the list carries."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        for r in self.of_kind("inherit_lead_in").itertuples():
            out.setdefault(r.list_id, []).append((r.rule_id, r.column, r.value))
        return out

    @cached_property
    def measure_types(self) -> dict[str, tuple[str, ...]]:
        """topic -> the measure type(s) it is, for the link rule (LK1); topics not listed are no measure."""
        return {r.value: tuple(split_multi(r.then_values)) for r in self.of_kind("measure_type").itertuples()}

    @cached_property
    def no_group_link(self) -> set[tuple[str, str]]:
        """(column, value) too broad to make a link by a shared group or actor alone (LK2)."""
        return {(r.column, r.value) for r in self.of_kind("no_group_link").itertuples()}

    @cached_property
    def renamed(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(column, old value) -> (rule id, new value)."""
        return {(r.column, r.value): (r.rule_id, r.then_values) for r in self.of_kind("renamed").itertuples()}


NO_RULES = Rules(pd.DataFrame(columns=RULE_COLUMNS))


@dataclass(frozen=True)
class Codebook:
    """Controlled vocabularies read from data/codebook.csv: vocabulary -> value -> definition row; and the rules
    that relate tags to each other and to parent items and lead-ins (data/codebook_rules.csv)."""

    entries: pd.DataFrame
    rules: Rules = NO_RULES
    # What each codebook revision changed in the records (data/changes/<version>.csv): record, field, before,
    # after, rule, version. Kept with the codebook so that it travels with the data through uploads.
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        """vocabulary -> value -> label, in codebook order (built once: pages ask thousands of times a run)."""
        out: dict[str, dict[str, str]] = {}
        for vocabulary, value, label in zip(
            self.entries["vocabulary"], self.entries["value"], self.entries["label"], strict=True
        ):
            out.setdefault(vocabulary, {})[value] = label
        return out

    def values(self, vocabulary: str) -> list[str]:
        return list(self._labels.get(vocabulary, {}))

    def label(self, vocabulary: str, value: str) -> str:
        return self._labels.get(vocabulary, {}).get(value, value)

    def labels(self, vocabulary: str) -> dict[str, str]:
        return dict(self._labels.get(vocabulary, {}))

    @property
    def vocabularies(self) -> list[str]:
        return list(dict.fromkeys(self.entries["vocabulary"]))


CODEBOOK_COLUMNS = ["vocabulary", "value", "label", "definition", "inclusion_rule", "frame"]
OPTIONAL_CODEBOOK_COLUMNS = ["near_synonyms"]  # words that count as naming the value (codebook v2, rule G9)


RULES_FILE = "codebook_rules.csv"  # beside codebook.csv; a data folder without one has no rules

# data/lexicon.csv: the concept lexicon search and similarity apply (gift_dash.lexicon), one concept a row, its
# phrases separated by "; ". A domain expert extends it here, never in Python.
LEXICON_FILE = "lexicon.csv"
LEXICON_COLUMNS = ["concept", "label", "kind", "family", "phrases"]
# What a concept names. Recurring ideas compare records by the measures they ask for only (gift_dash.similarity):
# sharing who acts, whom it concerns, where or an approach does not make two records one idea.
CONCEPT_KINDS = {
    "measure": "a measure records ask for (training, legislation, repatriation, …)",
    "actor": "who acts (police, judges, the private sector, the media, …)",
    "group": "whom a measure concerns (children, victims)",
    "setting": "where or in what situation (conflict, migration)",
    "form": "a form of exploitation",
    "approach": "an approach that runs across measures (human rights, gender)",
}


def missing_columns(frame: pd.DataFrame, needed: tuple[str, ...], what: str) -> str | None:
    """The message for a table that lacks some of the ``needed`` columns for ``what`` (a command or a feature), or
    None when it has them all."""
    missing = [c for c in needed if c not in frame.columns]
    if not missing:
        return None
    return (
        f"missing column(s) {', '.join(missing)}; {what} needs at least {' and '.join(repr(c) for c in needed)} "
        f"(columns present: {', '.join(map(str, frame.columns)) or 'none'})"
    )


def split_multi(cell: object) -> list[str]:
    """Values of a multi-valued cell, in order, without blanks ("a; b" -> ["a", "b"])."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _allowed(codebook: Codebook, vocabulary: str) -> str:
    values = codebook.values(vocabulary)
    if not values:  # a codebook.csv whose rows of a vocabulary were all deleted
        return f"(none: the codebook lists no {vocabulary} values)"
    shown = ", ".join(values[:_VALUE_LIST_LIMIT])
    more = f" … ({len(values)} values; see the codebook)" if len(values) > _VALUE_LIST_LIMIT else ""
    return shown + more


@dataclass(frozen=True, eq=False)  # frames and Series have no single truth value to compare by
class Sheet:
    """A table as read (``data.read_table``), normalised once for every check and for the merge that follows.

    ``text`` holds the cells as written (no NaN, positions 0..n-1, so ``sheet_row(position)`` is the row a person
    sees), ``cells`` the same cells stripped, ``blank`` the rows with no text in any cell: spreadsheets leave them,
    they are not records, and they still count in row numbers.
    """

    text: pd.DataFrame
    cells: pd.DataFrame
    blank: pd.Series

    @classmethod
    def of(cls, table: pd.DataFrame | Sheet) -> Sheet:
        """The one place a table is decoded into text and stripped; a Sheet is returned as it is."""
        if isinstance(table, Sheet):
            return table
        text = table.fillna("").astype(str).reset_index(drop=True)
        cells = text.apply(lambda column: column.str.strip())
        return cls(text, cells, ~cells.ne("").any(axis=1))

    def __len__(self) -> int:
        return len(self.text)

    def positions(self) -> list[int]:
        """The positions of the rows that are not blank, the rows a validator checks."""
        return [position for position, blank in enumerate(self.blank.tolist()) if not blank]

    def column(self, name: str) -> list[str]:
        """A column's stripped cells as a list (row-wise checks index it fast); empty for a column the table lacks."""
        return self.cells[name].tolist() if name in self.cells.columns else [""] * len(self)

    def with_value(self, column: str, value: str) -> Sheet:
        """The rows with every cell of ``column`` set to ``value``; which rows are blank stays as read, so a value
        the program adds (an upload's source) does not turn a blank row into a record."""
        return replace(self, text=self.text.assign(**{column: value}), cells=self.cells.assign(**{column: value}))


@dataclass(frozen=True, eq=False)  # frames and Series have no single truth value to compare by
class Checked:
    """What a validator returns: every problem, and each row's verdict as a boolean Series aligned with the table's
    positions. A merge takes ``accepted`` rows and lists ``refused`` ones; it never reads row numbers back."""

    problems: list[Problem]
    refused: pd.Series  # rows with an error of their own
    accepted: pd.Series  # rows that may be used: not blank, not refused, in a file with no error of its own


class _Verdicts:
    """A validator's problems as it finds them, and the rows their errors refuse."""

    def __init__(self, sheet: Sheet, file: str, problems: list[Problem]) -> None:
        self.sheet, self.file, self.problems = sheet, file, problems
        self.refused = [False] * len(sheet)

    @property
    def file_refused(self) -> bool:
        """An error concerns the whole file (a missing column, no rows): no row of it can be used."""
        return any(p.row is None and p.severity == "error" for p in self.problems)

    def add(self, position: int, column: str, message: str, record_id: str = "", severity: str = "error") -> None:
        self.problems.append(Problem(self.file, sheet_row(position), column, message, record_id, severity))
        if severity == "error":
            self.refused[position] = True

    def checked(self) -> Checked:
        refused = pd.Series(self.refused, index=self.sheet.blank.index, dtype=bool)
        return Checked(self.problems, refused, ~self.sheet.blank & ~refused & (not self.file_refused))


def _missing_columns(frame: pd.DataFrame, required: list[str], file: str) -> list[Problem]:
    return [
        Problem(
            file, None, column, f"required column '{column}' is missing; expected columns include {', '.join(required)}"
        )
        for column in required
        if column not in frame.columns
    ]


def _extra_columns(frame: pd.DataFrame, known: list[str], file: str) -> list[Problem]:
    return [
        Problem(file, None, str(column), "unknown column, ignored", severity="warning")
        for column in frame.columns
        if column not in known
    ]


def _start(table: pd.DataFrame | Sheet, required: list[str], known: list[str], file: str, noun: str) -> _Verdicts:
    """A validator's start: the table as a Sheet and the problems of the file as a whole. Its rows are checked only
    when none of those is an error (``file_refused``: a required column is missing, or every row is blank)."""
    sheet = Sheet.of(table)
    verdicts = _Verdicts(
        sheet, file, _missing_columns(sheet.text, required, file) + _extra_columns(sheet.text, known, file)
    )
    if not verdicts.file_refused and sheet.blank.all():
        verdicts.problems.append(Problem(file, None, None, f"no {noun}: the file has a header but no rows"))
    return verdicts


def rule_breaches(
    tags: dict[str, list[str]],
    list_id: str,
    parent_id: str,
    parent_tags: dict[str, list[str]] | None,
    rules: Rules,
    shared_by_items: dict[str, set[str]] | None = None,
) -> list[tuple[str, str]]:
    """(column, message) for every codebook rule one record breaks: implications, inheritance from its parent
    item (``parent_tags``, None when the parent is unknown) and from its list's lead-in, and a value with no basis
    (``needs_basis``; ``shared_by_items``: what all of a parent item's sub-items share, by column). Each message
    names the rule and what to add or remove."""
    out = []
    for column, rule_id in rules.needs_basis.items():
        if column not in tags or (parent_id and parent_tags is None):
            continue  # not coded, or the parent that may carry it is unknown (its own error)
        basis = set((parent_tags or {}).get(column, [])) | (shared_by_items or {}).get(column, set())
        for own, values in tags.items():
            for value in values:
                for then_column, then_values in rules.bases.get((own, value), ()):
                    if then_column == column:
                        basis.update(then_values)
        for value in tags[column]:
            if value not in basis:
                out.append(
                    (
                        column,
                        f"'{value}' in {column} has no basis: no value of this record implies or may give it, "
                        f"and no parent item carries it (rule {rule_id}); remove {value}, or add the topic of the "
                        "measure that asks for it",
                    )
                )
    implied = [
        (column, value, *rule)
        for column, values in tags.items()
        for value in values
        for rule in rules.implied_by.get((column, value), ())
    ]
    for column, value, rule_id, then_column, then_values in implied:
        if then_column in tags and not set(then_values) & set(tags[then_column]):
            wanted = " or ".join(f"'{v}'" for v in then_values)
            where = "" if then_column == column else f" in {then_column}"
            source = f"'{value}'" if then_column == column else f"'{value}' in {column}"
            fix = then_values[0] if len(then_values) == 1 else f"one of {', '.join(then_values)}"
            out.append((then_column, f"{source} implies {wanted}{where} (rule {rule_id}); add {fix}"))
    if parent_tags is not None:
        for column, rule_id in rules.inherited_columns.items():
            lacking = [v for v in parent_tags.get(column, []) if v not in tags.get(column, [])]
            if column in tags and lacking:
                out.append(
                    (
                        column,
                        f"its parent {parent_id} has {', '.join(lacking)}: a sub-item carries its parent's "
                        f"tags (rule {rule_id}); add {', '.join(lacking)}",
                    )
                )
    for rule_id, column, value in rules.lead_ins.get(list_id, []):
        if column in tags and value not in tags[column]:
            out.append(
                (
                    column,
                    f"the lead-in of list {list_id} names '{value}', which every item of the list carries "
                    f"(rule {rule_id}); add {value}",
                )
            )
    return out


def _tags_by_id(frames: list[pd.DataFrame], allowed: dict[str, set[str]]) -> dict[str, dict[str, list[str]]]:
    """id -> tags by column, first occurrence winning, for looking up parent items. Only codebook values: a
    parent's unknown value is the parent's error, not one its sub-items should repeat."""
    out: dict[str, dict[str, list[str]]] = {}
    for frame in frames:
        if "id" not in frame.columns:
            continue
        columns = [c for c in MULTI_VOCAB_COLUMNS if c in frame.columns]
        for rid, *cells in zip(frame["id"].astype(str).str.strip(), *(frame[c] for c in columns), strict=False):
            out.setdefault(
                rid,
                {
                    c: [v for v in split_multi(cell) if v in allowed.get(MULTI_VOCAB_COLUMNS[c], ())]
                    for c, cell in zip(columns, cells, strict=True)
                },
            )
    return out


def validate_records(
    records: pd.DataFrame | Sheet,
    codebook: Codebook,
    event_ids: set[str],
    file: str = "recommendations.csv",
    known_ids: set[str] = frozenset(),
    known_records: pd.DataFrame | None = None,
) -> Checked:
    """Every problem in a records table, and each row's verdict. ``known_ids`` are ids already loaded, e.g. the shipped
    records when validating an upload: a clash with them is a duplicate, and a parent_id may point at them;
    ``known_records`` are those records, whose tags a sub-item inherits (codebook rules).
    Rows with every cell blank are skipped; row numbers still count them, as a spreadsheet does.
    A broken codebook rule (an implication, inheritance) is an error: a record tagged girls but not children
    would be missing from every "children" view, a wrong answer nobody sees."""
    verdicts = _start(records, REQUIRED_RECORD_COLUMNS, RECORD_COLUMNS, file, "records")
    if verdicts.file_refused:
        return verdicts.checked()
    sheet = verdicts.sheet
    cells = {column: sheet.column(column) for column in RECORD_COLUMNS}
    allowed = {vocabulary: set(codebook.values(vocabulary)) for vocabulary in codebook.vocabularies}
    # Every vocabulary a column draws from, also one the codebook lacks: its values are all unknown.
    expected = {vocabulary: _allowed(codebook, vocabulary) for vocabulary in VOCABULARIES.values()}
    ids = [cells["id"][position] for position in sheet.positions()]
    id_counts = pd.Series(ids, dtype=str).value_counts().to_dict()
    all_ids = set(ids) | set(known_ids)
    event_ids = set(event_ids)
    rules = codebook.rules
    # A sub-item's parent item is looked up for the values it inherits and for those its own values may have their
    # basis in (needs_basis); a file without sub-items, or a codebook with neither rule, needs no lookup.
    parents = (
        _tags_by_id([sheet.cells] + ([known_records] if known_records is not None else []), allowed)
        if (len(rules.of_kind("inherit_parent")) or rules.needs_basis) and any(cells["parent_id"])
        else {}
    )
    present = [column for column in MULTI_VOCAB_COLUMNS if column in sheet.cells.columns]
    # G14: what all the sub-items of each parent item in this file share, by column (a basis for the parent's values)
    shared: dict[str, dict[str, set[str]]] = {}
    if rules.needs_basis:
        for position in sheet.positions():
            parent = cells["parent_id"][position]
            if parent:
                mine = {c: set(split_multi(cells[c][position])) for c in rules.needs_basis if c in present}
                shared[parent] = {c: shared[parent][c] & v for c, v in mine.items()} if parent in shared else mine
    uncoded: set[str] = set()
    for position in sheet.positions():

        def cell(column: str) -> str:
            return cells[column][position]

        rid = cell("id")

        def add(column: str, message: str, severity: str = "error") -> None:
            verdicts.add(position, column, message, rid, severity)

        if not rid:
            add("id", "id is empty; expected a unique id such as kampala-2007-gen-a")
        elif not _ID_RE.match(rid):
            add(
                "id",
                f"id '{rid[:60]}' is not valid; expected letters, digits, '.', '_', ':' or '-', no spaces, at most 100 characters",
            )
        elif id_counts.get(rid, 0) > 1:
            add("id", f"duplicate id '{rid}' (appears {id_counts[rid]} times); ids must be unique")
        elif rid in known_ids:
            add(
                "id",
                f"duplicate id '{rid}': a record with this id is already loaded, with other content; "
                "give this record a new id",
            )

        event = cell("event_id")
        if not event:
            add("event_id", "event_id is empty; expected an event id from events.csv")
        elif event not in event_ids:
            add(
                "event_id", f"unknown event '{event[:60]}'; expected an event id from events.csv or the uploaded events"
            )

        text = cell("text")
        if not text:
            add("text", "text is empty; expected the recommendation's verbatim wording")
        elif len(text) > MAX_TEXT_CHARS:
            add("text", f"text has {len(text):,} characters; at most {MAX_TEXT_CHARS:,} are accepted")

        parent = cell("parent_id")
        if parent and parent == rid:
            add("parent_id", "a record cannot be its own parent")
        elif parent and parent not in all_ids:
            add("parent_id", f"parent '{parent[:60]}' does not exist; expected the id of another record")

        for column, vocabulary in SINGLE_VOCAB_COLUMNS.items():
            value = cell(column)
            if value and value not in allowed.get(vocabulary, ()):
                add(column, f"unknown {column} '{value[:60]}'; expected one of {expected[vocabulary]}")

        themes = split_multi(cell("themes"))
        if not themes:
            add("themes", f"no theme; expected at least one of {expected['themes']}")
        for column, vocabulary in MULTI_VOCAB_COLUMNS.items():
            values = split_multi(cell(column))
            for value in values:
                if (column, value) in rules.renamed:
                    rule_id, new = rules.renamed[(column, value)]
                    add(
                        column,
                        f"{vocabulary} value '{value}' was renamed '{new}' in codebook v2 (rule {rule_id}); "
                        f"write {new}",
                    )
                elif value not in allowed.get(vocabulary, ()):
                    hint = " (separate values with '; ')" if "," in value else ""
                    add(column, f"unknown {vocabulary} value '{value[:60]}'{hint}; expected {expected[vocabulary]}")
            if len(values) != len(set(values)):
                add(column, "a value is repeated; list each value once", "warning")

        # Only the columns the file has: a column left out is not coded at all (one warning below), which is
        # not a record contradicting itself.
        tags = {column: split_multi(cell(column)) for column in present}
        # A record without a parent_id has none (not the row whose id is empty, which is its own error).
        parent_tags = parents.get(parent) if parent else None
        breaches = rule_breaches(tags, cell("list_id"), parent, parent_tags, rules, shared.get(rid))
        for column, message in breaches:
            add(column, message)
        uncoded.update(
            then
            for column, values in tags.items()
            for value in values
            for _, then, _ in rules.implied_by.get((column, value), ())
            if then not in present
        )

        primary = cell("primary_theme")
        if themes and not primary:
            add("primary_theme", "primary_theme is empty; expected one of this record's themes")
        elif primary and themes and primary not in themes:
            add(
                "primary_theme",
                f"primary_theme '{primary[:60]}' is not among this record's themes ({'; '.join(themes)})",
            )
    verdicts.problems += [
        Problem(
            file,
            None,
            column,
            f"the file has no {column} column, so the values the codebook's "
            f"implications give there are not checked; its rows will not appear under {column} filters",
            severity="warning",
        )
        for column in sorted(uncoded)
    ]
    return verdicts.checked()


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validate_events(
    events: pd.DataFrame | Sheet, file: str = "events.csv", known_ids: set[str] = frozenset()
) -> Checked:
    """Every problem in an events table, and each row's verdict. ``known_ids`` are event ids already loaded: a clash
    is a duplicate."""
    verdicts = _start(events, REQUIRED_EVENT_COLUMNS, EVENT_COLUMNS, file, "events")
    if verdicts.file_refused:
        return verdicts.checked()
    cells = {column: verdicts.sheet.column(column) for column in EVENT_COLUMNS}
    counts = pd.Series(cells["event_id"], dtype=str).value_counts()
    for position in verdicts.sheet.positions():
        eid = cells["event_id"][position]

        def add(column: str, message: str) -> None:
            verdicts.add(position, column, message, eid)

        if not eid:
            add("event_id", "event_id is empty; expected a unique id such as kampala-2007")
        elif not _ID_RE.match(eid):
            add(
                "event_id",
                f"event_id '{eid[:60]}' is not valid; expected letters, digits, '.', '_', ':' or '-', no spaces",
            )
        elif counts[eid] > 1:
            add("event_id", f"duplicate event_id '{eid}'; ids must be unique")
        elif eid in known_ids:
            add("event_id", f"duplicate event_id '{eid}': an event with this id is already loaded")
        if not cells["short_name"][position]:
            add("short_name", "short_name is empty; expected the name charts show, e.g. Kampala")
        start = end = None
        for column in ("start_date", "end_date"):
            value = cells[column][position]
            if value:
                parsed = _parse_date(value)
                if parsed is None:
                    add(
                        column,
                        f"'{value[:40]}' is not a date; expected YYYY-MM-DD, or empty when the source does not state it",
                    )
                elif column == "start_date":
                    start = parsed
                else:
                    end = parsed
        if start and end and end < start:
            add("end_date", f"end_date {end} is before start_date {start}")
        coords = {c: cells[c][position] for c in ("latitude", "longitude")}
        if bool(coords["latitude"]) != bool(coords["longitude"]):
            add("latitude", "latitude and longitude must both be given or both be empty")
        for column, bound in (("latitude", 90), ("longitude", 180)):
            value = coords[column]
            if not value:
                continue
            try:
                number = float(value)
            except ValueError:
                number = None
            if number is None or not -bound <= number <= bound:
                add(column, f"'{value[:40]}' is not a {column}; expected a number from -{bound} to {bound}")
        flag = cells["in_annex_ii"][position]
        if flag not in ("", "yes", "no"):
            add("in_annex_ii", f"'{flag[:40]}' is not allowed; expected yes or no")
    return verdicts.checked()


# data/workplan.csv: the annex I workplan, one row per pillar, output, activity and lettered sub-item.
WORKPLAN_COLUMNS = [
    "workplan_id",
    "kind",
    "pillar",
    "output",
    "parent_id",
    "marker",
    "title",
    "short_title",
    "text",
    "definition",
    "ta_areas",
    "target_groups",
    "actors",
    "topics",
]
# The codebook's tags of an activity or sub-item (codebook v3): the same vocabularies as a record's, read from the
# activity's own words (rule W1); pillars and outputs carry none. Optional: a workplan without them links nothing
# by the rule.
WORKPLAN_TAG_COLUMNS = ["ta_areas", "target_groups", "actors", "topics"]
# short_title: for a pillar, the heading section VII gives it (charts show it); empty for other rows.
REQUIRED_WORKPLAN_COLUMNS = ["workplan_id", "kind", "pillar", "title", "text"]
# kind -> the kind of row its parent_id must name (a pillar has none)
WORKPLAN_PARENT_KIND = {"pillar": None, "output": "pillar", "activity": "output", "sub_item": "activity"}
# data/responses.csv: which activity (or sub-item) responds to which record, how strongly and why.
RESPONSE_COLUMNS = ["record_id", "activity_id", "strength", "basis"]
RESPONDING_KINDS = ("activity", "sub_item")
DERIVED_STRENGTHS = ("thematic",)  # computed by response.thematic_links, never a row of responses.csv


def validate_workplan(workplan: pd.DataFrame | Sheet, codebook: Codebook, file: str = "workplan.csv") -> Checked:
    """Every problem in the workplan table: ids unique, kinds from the codebook, each parent of the right kind and
    pillar, words present; an activity's or sub-item's tags from the codebook, closed under its implications, a
    sub-item carrying its lead-in's groups and actors (W2)."""
    verdicts = _start(workplan, REQUIRED_WORKPLAN_COLUMNS, WORKPLAN_COLUMNS, file, "workplan rows")
    if verdicts.file_refused:
        return verdicts.checked()
    cells = {column: verdicts.sheet.column(column) for column in WORKPLAN_COLUMNS}
    kinds = set(codebook.values("workplan_kind"))
    counts = pd.Series(cells["workplan_id"]).value_counts().to_dict()
    kind_of = dict(zip(cells["workplan_id"], cells["kind"], strict=False))
    pillar_of = dict(zip(cells["workplan_id"], cells["pillar"], strict=False))
    present = [c for c in WORKPLAN_TAG_COLUMNS if c in verdicts.sheet.cells.columns]
    allowed = {vocabulary: set(codebook.values(vocabulary)) for vocabulary in codebook.vocabularies}
    # An activity that introduces a list passes down the groups and actors it names (W2), nothing else.
    lead_in_groups = {
        wid: {c: split_multi(cells[c][i]) for c in ("target_groups", "actors") if c in present}
        for i, wid in enumerate(cells["workplan_id"])
        if cells["kind"][i] == "activity"
    }
    for position in verdicts.sheet.positions():
        wid = cells["workplan_id"][position]

        def add(column: str, message: str) -> None:
            verdicts.add(position, column, message, wid)

        if not wid or not _ID_RE.match(wid):
            add("workplan_id", f"workplan_id '{wid[:60]}' is not valid; expected a unique id such as p4-a3-b")
        elif counts[wid] > 1:
            add("workplan_id", f"duplicate workplan_id '{wid}' (appears {counts[wid]} times); ids must be unique")
        kind = cells["kind"][position]
        if kind not in kinds:
            add("kind", f"unknown kind '{kind[:60]}'; expected one of {', '.join(sorted(kinds))}")
        if not cells["pillar"][position]:
            add("pillar", "pillar is empty; expected the pillar number 1 to 4")
        for column in ("title", "text"):
            if not cells[column][position]:
                add(column, f"{column} is empty; expected the workplan's verbatim words")
        parent = cells["parent_id"][position]
        wanted = WORKPLAN_PARENT_KIND.get(kind)
        if kind in WORKPLAN_PARENT_KIND and wanted is None and parent:
            add("parent_id", f"a {kind} has no parent; expected parent_id empty")
        elif wanted and not parent:
            add("parent_id", f"parent_id is empty; expected the id of the {wanted} this {kind} belongs to")
        elif wanted and kind_of.get(parent) != wanted:
            add(
                "parent_id",
                f"parent '{parent[:60]}' is not a {wanted} of the workplan; expected the id of the "
                f"{wanted} this {kind} belongs to",
            )
        elif wanted and pillar_of[parent] != cells["pillar"][position]:
            add(
                "pillar",
                f"pillar {cells['pillar'][position]} differs from pillar {pillar_of[parent]} of parent '{parent}'",
            )
        tags = {column: split_multi(cells[column][position]) for column in present}
        if kind not in RESPONDING_KINDS and any(tags.values()):
            add(
                next(c for c in present if tags[c]),
                f"a {kind} carries no tags; only activities and lettered sub-items are read with the codebook (W1)",
            )
        for column in present:
            vocabulary = MULTI_VOCAB_COLUMNS[column]
            for value in tags[column]:
                if value not in allowed.get(vocabulary, ()):
                    add(column, f"unknown {vocabulary} value '{value[:60]}'; expected {_allowed(codebook, vocabulary)}")
        for column, message in rule_breaches(tags, "", "", None, codebook.rules):
            add(column, message)
        if kind == "sub_item" and parent in lead_in_groups:
            for column, values in lead_in_groups[parent].items():
                lacking = [v for v in values if v not in tags.get(column, [])]
                if column in tags and lacking:
                    add(
                        column,
                        f"its lead-in {parent} names {', '.join(lacking)}: a sub-item carries the groups and actors "
                        f"its lead-in names (rule W2); add {', '.join(lacking)}",
                    )
    return verdicts.checked()


def validate_responses(
    responses: pd.DataFrame | Sheet,
    codebook: Codebook,
    record_ids: set[str],
    workplan: pd.DataFrame,
    file: str = "responses.csv",
) -> Checked:
    """Every problem in the response links: a known record, an activity or sub-item of the workplan, a strength
    from the codebook, a basis in words, each pair once."""
    verdicts = _start(responses, RESPONSE_COLUMNS, RESPONSE_COLUMNS, file, "response links")
    if verdicts.file_refused:
        return verdicts.checked()
    cells = {column: verdicts.sheet.column(column) for column in RESPONSE_COLUMNS}
    strengths = set(codebook.values("response_strength"))
    kind_of = dict(zip(workplan["workplan_id"], workplan["kind"], strict=False)) if "kind" in workplan.columns else {}
    pairs = (
        pd.Series([f"{r} {a}" for r, a in zip(cells["record_id"], cells["activity_id"], strict=False)])
        .value_counts()
        .to_dict()
    )
    for position in verdicts.sheet.positions():
        rid, aid = cells["record_id"][position], cells["activity_id"][position]

        def add(column: str, message: str) -> None:
            verdicts.add(position, column, message, rid)

        if rid not in record_ids:
            add("record_id", f"unknown record '{rid[:60]}'; expected an id from recommendations.csv")
        if kind_of.get(aid) not in RESPONDING_KINDS:
            add(
                "activity_id",
                f"'{aid[:60]}' is not an activity or lettered sub-item of workplan.csv; expected an "
                "id such as p4-a3 or p4-a3-e",
            )
        elif pairs[f"{rid} {aid}"] > 1:
            add("activity_id", f"the link {rid} -> {aid} appears {pairs[f'{rid} {aid}']} times; list each link once")
        if cells["strength"][position] not in strengths:
            add(
                "strength",
                f"unknown strength '{cells['strength'][position][:60]}'; expected one of "
                f"{', '.join(sorted(strengths))}",
            )
        elif cells["strength"][position] in DERIVED_STRENGTHS:
            add(
                "strength",
                f"'{cells['strength'][position]}' links are derived from the tags by the codebook's link rule "
                "(codebook v3, LK1-LK2), not written by hand; list only explicit links here",
            )
        if not cells["basis"][position]:
            add("basis", "basis is empty; expected in words what the recommendation and the activity share")
    return verdicts.checked()


def validate_lexicon(lexicon: pd.DataFrame | Sheet, file: str = LEXICON_FILE) -> Checked:
    """Every problem in the concept lexicon: concept keys valid and unique, a label, a known kind, phrases (none
    repeated within a concept), and families of at least two concepts (a family of one relates nothing)."""
    verdicts = _start(lexicon, LEXICON_COLUMNS, LEXICON_COLUMNS, file, "concepts")
    if verdicts.file_refused:
        return verdicts.checked()
    cells = {column: verdicts.sheet.column(column) for column in LEXICON_COLUMNS}
    counts = pd.Series(cells["concept"]).value_counts().to_dict()
    families = pd.Series([f for f in cells["family"] if f]).value_counts().to_dict()
    for position in verdicts.sheet.positions():
        key = cells["concept"][position]

        def add(column: str, message: str, severity: str = "error") -> None:
            verdicts.add(position, column, message, key, severity)

        if not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", key):
            add("concept", f"concept '{key[:60]}' is not valid; expected lower-case letters, digits and _")
        elif counts[key] > 1:
            add("concept", f"duplicate concept '{key}' (appears {counts[key]} times); each concept once")
        if not cells["label"][position]:
            add("label", "label is empty; expected the words people read for this concept")
        if cells["kind"][position] not in CONCEPT_KINDS:
            add(
                "kind",
                f"unknown kind '{cells['kind'][position][:60]}'; expected one of {', '.join(CONCEPT_KINDS)}",
            )
        family = cells["family"][position]
        if family and families[family] < 2:
            add(
                "family",
                f"family '{family[:60]}' has no other concept; name a family two concepts share or leave it empty",
            )
        phrases = [p.lower() for p in split_multi(cells["phrases"][position])]
        if not phrases:
            add("phrases", "no phrase; expected the words that name the concept, separated by '; '")
        repeated = sorted({p for p in phrases if phrases.count(p) > 1})
        if repeated:
            add("phrases", f"phrase(s) {', '.join(repeated)} repeated; list each phrase once", "warning")
    return verdicts.checked()
