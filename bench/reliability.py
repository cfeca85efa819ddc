"""Inter-annotator reliability of the codebook (v2): an independent annotator codes a random sample of annex II
records from the codebook alone; this script compares that coding with the project's tags.

    .venv/bin/python bench/reliability.py packet [--out /work/annot12]   # the annotator's packet
    .venv/bin/python bench/reliability.py score [--coding /work/annot12/coding.csv] [--against FILE]
    .venv/bin/python bench/reliability.py disagreements   # writes bench/adjudication_v2.csv to fill in

The sample is drawn, not chosen: random.Random(SEED).sample of the annex II ids in file order. The packet holds
the codebook and its rules as markdown and the sample's texts (with lead-in and parent item) WITHOUT any tag.
``score`` prints, per tag column, mean Jaccard and exact-set agreement, and Cohen's kappa for the primary theme.
By default it compares with the shipped tags; ``--against`` names another records file (e.g. the tags as they were
before adjudication, kept by the adjudication commit's parent), so both figures can be reported.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from gift_dash.data import load_dataset, read_table
from gift_dash.rules import rules_tables
from gift_dash.schema import MULTI_VOCAB_COLUMNS, split_multi

SEED = 2026
SAMPLE_SIZE = 40
PACKET = Path("/work/annot12")
FIELDS = ["themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics"]


def sample_ids(records: pd.DataFrame) -> list[str]:
    annex = records.loc[records["source"] == "annex-ii", "id"].tolist()
    return random.Random(SEED).sample(annex, SAMPLE_SIZE)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def codebook_markdown(dataset, rules) -> str:
    entries = dataset.codebook.entries
    parts = [
        "# Codebook v2 of the GIFT recommendations dataset\n",
        "You code each record of `sample.csv` from its text, read with its list's lead-in and (for a sub-item) its "
        "parent item, following this codebook. Columns to fill, values separated by `;`: themes, primary_theme "
        "(exactly one of the record's themes), ta_areas, target_groups, actors, exploitation_forms, topics. A column "
        "may stay empty when no value applies (themes and primary_theme never).\n",
        "Order of work that follows the rules: (1) copy the parent item's tags to a sub-item (rule I1) and the "
        "lead-in's values (rules L); (2) add the values the record's own words give; (3) add what the implications "
        "require (rules R and T); (4) choose the primary theme (G1).\n",
        "## Values\n",
    ]
    for vocabulary in ["themes", *[v for v in MULTI_VOCAB_COLUMNS.values() if v != "themes"]]:
        part = entries[entries["vocabulary"] == vocabulary]
        parts.append(f"### {vocabulary}\n")
        parts.append(_table(part[["value", "label", "definition", "inclusion_rule", "near_synonyms"]]) + "\n")
    tables = rules_tables(rules, dataset.records)
    parts.append("## Written rules, inheritance and renamed values\n")
    parts.append(
        _table(
            tables["written rules"][
                ["rule", "applies to", "rule in words", "example record", "example text (verbatim)"]
            ]
        )
        + "\n"
    )
    parts.append("## Lead-ins that pass values to every item of their list\n")
    parts.append(_table(tables["lead-ins"][["rule", "list", "column", "every item carries", "why"]]) + "\n")
    parts.append("## Implications (if … then …; 'or' means at least one of)\n")
    parts.append(_table(tables["implications"][["rule", "if", "then", "why"]]) + "\n")
    return "\n".join(parts)


def write_packet(out: Path) -> None:
    dataset = load_dataset()
    rules = dataset.codebook.rules
    records = dataset.records.set_index("id", drop=False)
    ids = sample_ids(dataset.records)
    out.mkdir(parents=True, exist_ok=True)
    (out / "codebook.md").write_text(codebook_markdown(dataset, rules), encoding="utf-8")
    rows = []
    for rid in ids:
        r = records.loc[rid]
        parent = records.loc[r["parent_id"], "text"] if r["parent_id"] else ""
        rows.append(
            {
                "id": rid,
                "event": r["event_id"],
                "list_id": r["list_id"],
                "lead_in": r["section"],
                "parent_id": r["parent_id"],
                "parent_text": parent,
                "text": r["text"],
            }
        )
    pd.DataFrame(rows).to_csv(out / "sample.csv", index=False)
    header = ["id", *FIELDS]
    pd.DataFrame({"id": ids, **{f: "" for f in FIELDS}}, columns=header).to_csv(
        out / "coding_template.csv", index=False
    )
    (out / "INSTRUCTIONS.md").write_text(
        "# Coding task\n\nRead `codebook.md`, then code every record of `sample.csv` (id, event, list_id, lead_in, "
        "parent_id, parent_text, text). Use nothing but these two files: do not open the project's repository, "
        "its data or any other file. Write `coding.csv` in this folder with the columns "
        f"{', '.join(header)} (start from `coding_template.csv`), one row per sample record, several values in a cell "
        "separated by `;`. Use only values the codebook defines.\n",
        encoding="utf-8",
    )
    print(f"packet written to {out}: {len(ids)} records, seed {SEED}")


def jaccard(a: set[str], b: set[str]) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def cohen_kappa(x: list[str], y: list[str]) -> float:
    n = len(x)
    observed = sum(a == b for a, b in zip(x, y, strict=True)) / n
    cx, cy = Counter(x), Counter(y)
    expected = sum(cx[k] * cy[k] for k in set(cx) | set(cy)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _frames(coding_path: Path, against: Path | None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    dataset = load_dataset()
    project = (read_table(against) if against else dataset.records).set_index("id")
    coding = read_table(coding_path)
    coding["id"] = coding["id"].str.strip()
    coding = coding.set_index("id")
    ids = [i for i in sample_ids(dataset.records) if i in coding.index]
    return project, coding, ids


def named_in_packet(packet: Path) -> set[str]:
    """Record ids the annotator's codebook (the packet's codebook.md, as they read it) names: their coding was
    argued there, so figures are also given without them."""
    text = (packet / "codebook.md").read_text(encoding="utf-8")
    return set(re.findall(r"[a-z-]+-20\d\d-[a-z]+-[a-z]+(?:-[ivx]+)?", text))


def score(coding_path: Path, against: Path | None, exclude: set[str] = frozenset()) -> pd.DataFrame:
    project, coding, ids = _frames(coding_path, against)
    ids = [i for i in ids if i not in exclude]
    rows = []
    for field in FIELDS:
        pairs = [(set(split_multi(project.loc[i, field])), set(split_multi(coding.loc[i, field]))) for i in ids]
        row = {
            "field": field,
            "records": len(ids),
            "mean Jaccard": sum(jaccard(a, b) for a, b in pairs) / len(ids),
            "exact agreement": sum(a == b for a, b in pairs) / len(ids),
        }
        if field == "primary_theme":
            row["kappa"] = cohen_kappa(
                [project.loc[i, field] for i in ids], [coding.loc[i, field].strip() for i in ids]
            )
        rows.append(row)
    return pd.DataFrame(rows)


ADJUDICATION = Path(__file__).resolve().parent / "adjudication_v2.csv"
ADJUDICATION_COLUMNS = ["id", "field", "project", "annotator", "verdict", "reason"]


def disagreements(coding_path: Path, against: Path | None) -> pd.DataFrame:
    """One row per record and field where the two codings differ, with any verdict already written kept."""
    project, coding, ids = _frames(coding_path, against)
    rows = []
    for i in ids:
        for field in FIELDS:
            mine, theirs = split_multi(project.loc[i, field]), split_multi(coding.loc[i, field])
            if set(mine) != set(theirs):
                rows.append({"id": i, "field": field, "project": "; ".join(mine), "annotator": "; ".join(theirs)})
    table = pd.DataFrame(rows, columns=ADJUDICATION_COLUMNS[:4])
    if ADJUDICATION.exists():
        done = read_table(ADJUDICATION)[["id", "field", "verdict", "reason"]]
        table = table.merge(done, on=["id", "field"], how="left").fillna("")
    else:
        table["verdict"], table["reason"] = "", ""
    return table[ADJUDICATION_COLUMNS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    packet = sub.add_parser("packet")
    packet.add_argument("--out", type=Path, default=PACKET)
    scoring = sub.add_parser("score")
    scoring.add_argument("--coding", type=Path, default=PACKET / "coding.csv")
    scoring.add_argument("--against", type=Path)
    listing = sub.add_parser("disagreements", help=f"write {ADJUDICATION.name} (verdicts already written are kept)")
    listing.add_argument("--coding", type=Path, default=PACKET / "coding.csv")
    listing.add_argument("--against", type=Path)
    args = parser.parse_args()
    if args.command == "packet":
        write_packet(args.out)
    elif args.command == "disagreements":
        table = disagreements(args.coding, args.against)
        table.to_csv(ADJUDICATION, index=False)
        print(f"{len(table)} disagreements in {table['id'].nunique()} records written to {ADJUDICATION}")
    else:

        def show(title: str, table: pd.DataFrame) -> None:
            print(f"{title}: {int(table['records'].iloc[0])} records")
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))

        against = args.against or "shipped data"
        print(f"seed {SEED}; annotator ({args.coding}) vs {against}")
        show("all sampled annex II records", score(args.coding, args.against))
        show(
            "without the records the annotator's codebook names as examples",
            score(args.coding, args.against, named_in_packet(args.coding.parent)),
        )


if __name__ == "__main__":
    main()
