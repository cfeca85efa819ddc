"""The codebook's rules (data/codebook_rules.csv) for people and for suggestions: the closure of a record's tags
under the implications, and the rules as tables to read. The rules' type and the checks the validator runs are in
schema.py with the other checks."""

from __future__ import annotations

import pandas as pd

from gift_dash.schema import SEPARATOR, Rules


def closed(tags: dict[str, list[str]], rules: Rules) -> dict[str, list[str]]:
    """The tags with everything their implications require added (the first of several alternatives), repeated
    until nothing changes: what a suggestion must carry so that accepting it breaks no implication."""
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
    """The rules as tables people read (About page, annotator's packet): written rules (guidelines, inheritance,
    renamed values) with their example record's verbatim text, the lead-ins, and the implications."""
    texts = dict(zip(records["id"], records["text"], strict=False)) if len(records) else {}
    written = rules.table[
        ~rules.table["kind"].isin(["implies", "measure_type", "no_group_link", "may_imply", "needs_basis"])
    ]
    written = written.drop_duplicates(["rule_id", "rule"])
    written = written[written["kind"] != "inherit_lead_in"].drop_duplicates("rule_id")
    applies = written["column"].where(written["kind"] != "inherit_parent", "every tag column but primary_theme")
    guidelines = pd.DataFrame(
        {
            "rule": written["rule_id"],
            "applies to": applies,
            "rule in words": written["rule"],
            "example record": written["example_id"],
            "example text (verbatim)": [texts.get(rid, "") for rid in written["example_id"]],
        }
    )
    lead = rules.of_kind("inherit_lead_in")
    lead_ins = pd.DataFrame(
        {
            "rule": lead["rule_id"],
            "list": lead["list_id"],
            "column": lead["column"],
            "every item carries": lead["value"],
            "why": lead["rule"],
            "example record": lead["example_id"],
        }
    )
    implies = rules.of_kind("implies")
    implications = pd.DataFrame(
        {
            "rule": implies["rule_id"],
            "if": implies["column"] + " has " + implies["value"],
            "then": implies["then_column"]
            + " has "
            + implies["then_values"].str.replace(SEPARATOR, " or ", regex=False),
            "why": implies["rule"],
        }
    )
    types = rules.of_kind("measure_type")
    measure_types = pd.DataFrame(
        {
            "topic": types["value"],
            "measure type(s)": types["then_values"].str.replace(SEPARATOR, " and ", regex=False),
        }
    )
    return {
        "written rules": guidelines.reset_index(drop=True),
        "lead-ins": lead_ins.reset_index(drop=True),
        "implications": implications.reset_index(drop=True),
        "measure types (link rule LK1)": measure_types.reset_index(drop=True),
    }
