"""The codebook's rules as data (data/codebook_rules.csv): written guidelines, implications between tags,
inheritance from parent items and list lead-ins, and renamed values; the checks that report a record breaking one.

Kinds of rule (column ``kind``):

- ``guideline``: a written rule with an example record; for people (the About page, the annotator's packet).
- ``implies``: a record with ``value`` in ``column`` must have at least one of ``then_values`` in ``then_column``.
- ``inherit_parent``: a sub-item carries every value of its parent item in ``column``.
- ``inherit_lead_in``: every item of list ``list_id`` carries ``value`` in ``column`` (its lead-in names it).
- ``renamed``: ``value`` of ``column`` was renamed ``then_values``; an old value gets a message saying so.

Kept apart from schema.py's per-cell checks because these rules relate cells to each other and to other records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gift_dash.schema import MULTI_VOCAB_COLUMNS, SEPARATOR, split_multi

RULE_COLUMNS = ["rule_id", "kind", "column", "value", "then_column", "then_values", "list_id", "rule", "example_id"]
KINDS = ("guideline", "implies", "inherit_parent", "inherit_lead_in", "renamed")


@dataclass(frozen=True)
class Rules:
    """The rules file, one row per rule (or per column or value a rule applies to)."""

    table: pd.DataFrame

    def of_kind(self, kind: str) -> pd.DataFrame:
        return self.table[self.table["kind"] == kind]

    @property
    def implications(self) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
        """(rule_id, column, value, then_column, then_values) for every implication."""
        part = self.of_kind("implies")
        return [(r.rule_id, r.column, r.value, r.then_column, tuple(split_multi(r.then_values)))
                for r in part.itertuples()]

    @property
    def inherited_columns(self) -> dict[str, str]:
        """column -> rule id, for the columns a sub-item inherits from its parent."""
        part = self.of_kind("inherit_parent")
        return dict(zip(part["column"], part["rule_id"]))

    @property
    def lead_ins(self) -> dict[str, list[tuple[str, str, str]]]:
        """list_id -> [(rule_id, column, value)] that every item of the list carries."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        for r in self.of_kind("inherit_lead_in").itertuples():
            out.setdefault(r.list_id, []).append((r.rule_id, r.column, r.value))
        return out

    @property
    def renamed(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(column, old value) -> (rule id, new value)."""
        return {(r.column, r.value): (r.rule_id, r.then_values) for r in self.of_kind("renamed").itertuples()}


EMPTY_RULES = Rules(pd.DataFrame(columns=RULE_COLUMNS))


def load_rules(path: Path) -> Rules:
    """The rules file; a missing file is no rules (older data folders have none). A malformed one raises
    ValueError naming the file and row, as load_codebook does."""
    if not path.exists():
        return EMPTY_RULES
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in RULE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: rules file lacks columns {', '.join(missing)}")
    for position, kind in enumerate(frame["kind"]):
        if kind not in KINDS:
            raise ValueError(f"{path}: row {position + 2}, column kind: '{kind}' is not one of {', '.join(KINDS)}")
    return Rules(frame[RULE_COLUMNS].copy())


@dataclass(frozen=True)
class Breach:
    """A record that breaks a rule: where (frame position, column), which rule, and what would fix it."""

    position: int
    column: str
    rule_id: str
    message: str


def _quote(values: tuple[str, ...] | list[str]) -> str:
    return " or ".join(f"'{v}'" for v in values)


def breaches(records: pd.DataFrame, rules: Rules, parents: Callable[[str], dict[str, list[str]] | None]) -> list[Breach]:
    """Every rule a records frame breaks. ``parents(id)`` gives a parent record's tags by column (None when the id
    is unknown: schema.py reports that). Renamed values are reported by ``renamed_value`` with the cell check."""
    out: list[Breach] = []
    implications = rules.implications
    inherited = rules.inherited_columns
    lead_ins = rules.lead_ins
    columns = [c for c in MULTI_VOCAB_COLUMNS if c in records.columns]
    cells = {c: records[c].fillna("").astype(str).tolist() for c in columns}
    list_ids = records["list_id"].fillna("").astype(str).str.strip().tolist() if "list_id" in records else []
    parent_ids = records["parent_id"].fillna("").astype(str).str.strip().tolist() if "parent_id" in records else []
    for position in range(len(records)):
        tags = {c: split_multi(cells[c][position]) for c in columns}
        for rule_id, column, value, then_column, then_values in implications:
            if value in tags.get(column, ()) and then_column in tags and not set(then_values) & set(tags[then_column]):
                fix = f"add {then_values[0]}" if len(then_values) == 1 else f"add one of {', '.join(then_values)}"
                where = "" if then_column == column else f" in {then_column}"
                out.append(Breach(position, then_column, rule_id,
                                  f"'{value}' in {column} implies {_quote(then_values)}{where} (rule {rule_id}); {fix}"))
        parent = parent_ids[position] if parent_ids else ""
        parent_tags = parents(parent) if parent else None
        if parent_tags:
            for column, rule_id in inherited.items():
                lacking = [v for v in parent_tags.get(column, []) if v not in tags.get(column, [])]
                if column in tags and lacking:
                    out.append(Breach(position, column, rule_id,
                                      f"its parent {parent} has {_quote(lacking).replace(' or ', ', ')}; a sub-item "
                                      f"carries its parent's tags (rule {rule_id}); add {', '.join(lacking)}"))
        for rule_id, column, value in lead_ins.get(list_ids[position] if list_ids else "", []):
            if column in tags and value not in tags[column]:
                out.append(Breach(position, column, rule_id,
                                  f"the lead-in of list {list_ids[position]} names '{value}', which every item of the "
                                  f"list carries (rule {rule_id}); add {value}"))
    return out


def renamed_value(rules: Rules, column: str, value: str) -> str | None:
    """The message for a value the codebook renamed, or None."""
    hit = rules.renamed.get((column, value))
    if hit is None:
        return None
    rule_id, new = hit
    return f"'{value}' was renamed '{new}' in codebook v2 (rule {rule_id}); write {new}"


def closed(tags: dict[str, list[str]], rules: Rules) -> dict[str, list[str]]:
    """The tags with everything their implications require added (the first of several alternatives), repeated
    until nothing changes: what a suggestion must carry so that accepting it breaks no rule."""
    out = {column: list(values) for column, values in tags.items()}
    changed = True
    while changed:
        changed = False
        for _, column, value, then_column, then_values in rules.implications:
            if value in out.get(column, []) and then_column in out and not set(then_values) & set(out[then_column]):
                out[then_column].append(then_values[0])
                changed = True
    return out


def rules_tables(rules: Rules, records: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rules as tables people read (About page, annotator's packet): guidelines and inheritance with their
    example record's verbatim text, implications grouped by what they imply."""
    texts = dict(zip(records["id"], records["text"])) if len(records) else {}

    def example(row) -> str:
        return texts.get(row.example_id, "") if row.example_id else ""

    written = rules.table[rules.table["kind"].isin(["guideline", "inherit_parent", "inherit_lead_in", "renamed"])]
    written = written.drop_duplicates(["rule_id", "rule"])
    guidelines = pd.DataFrame({
        "rule": written["rule_id"], "applies to": written["column"].where(written["kind"] != "inherit_parent",
                                                                          "every tag column but primary_theme"),
        "list": written["list_id"], "rule in words": written["rule"], "example record": written["example_id"],
        "example text (verbatim)": [example(r) for r in written.itertuples()],
    })
    implies = rules.of_kind("implies")
    implications = pd.DataFrame({
        "rule": implies["rule_id"], "if": implies["column"] + " has " + implies["value"],
        "then": implies["then_column"] + " has " + implies["then_values"].str.replace(SEPARATOR, " or ", regex=False),
        "why": implies["rule"], "example record": implies["example_id"],
    })
    lead = rules.of_kind("inherit_lead_in")
    lead_ins = pd.DataFrame({"rule": lead["rule_id"], "list": lead["list_id"], "column": lead["column"],
                             "every item carries": lead["value"]})
    return {"written rules": guidelines.reset_index(drop=True), "implications": implications.reset_index(drop=True),
            "lead-ins": lead_ins.reset_index(drop=True)}
