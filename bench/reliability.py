"""Inter-annotator reliability of the codebook (v2): an independent annotator codes a random sample of annex II
records from the codebook alone; this script compares that coding with the project's tags.

    .venv/bin/python -m bench.reliability packet [--round 2] [--out DIR]   # the annotator's packet
    .venv/bin/python -m bench.reliability score [--round 2] [--coding DIR/coding.csv] [--against FILE]
    .venv/bin/python -m bench.reliability disagreements [--round 2]   # bench/adjudication_v2[_r2].csv to fill in

The sample is drawn, not chosen: random.Random(seed).sample of the annex II ids in file order. Round 1 used seed
2026; round 2 (after round 1's adjudication had changed the data and rules) draws with seed 2027 from the records
round 1 did not sample, so its annotator codes texts nobody has argued about. The packet holds
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

ROUNDS = {1: 2026, 2: 2027}  # round -> seed
SAMPLE_SIZE = 40
PACKETS = {1: Path("/work/annot12"), 2: Path("/work/annot12-r2")}
FIELDS = ["themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics"]


def sample_ids(records: pd.DataFrame, round_: int = 1) -> list[str]:
    annex = records.loc[records["source"] == "annex-ii", "id"].tolist()
    earlier = {i for r in ROUNDS if r < round_ for i in sample_ids(records, r)}
    return random.Random(ROUNDS[round_]).sample([i for i in annex if i not in earlier], SAMPLE_SIZE)


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


def write_packet(out: Path, round_: int) -> None:
    dataset = load_dataset()
    rules = dataset.codebook.rules
    records = dataset.records.set_index("id", drop=False)
    ids = sample_ids(dataset.records, round_)
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
    print(f"packet written to {out}: {len(ids)} records, round {round_}, seed {ROUNDS[round_]}")


def jaccard(a: set[str], b: set[str]) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def cohen_kappa(x: list[str], y: list[str]) -> float:
    n = len(x)
    observed = sum(a == b for a, b in zip(x, y, strict=True)) / n
    cx, cy = Counter(x), Counter(y)
    expected = sum(cx[k] * cy[k] for k in set(cx) | set(cy)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _frames(coding_path: Path, against: Path | None, round_: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    dataset = load_dataset()
    project = (read_table(against) if against else dataset.records).set_index("id")
    coding = read_table(coding_path)
    coding["id"] = coding["id"].str.strip()
    coding = coding.set_index("id")
    ids = [i for i in sample_ids(dataset.records, round_) if i in coding.index]
    return project, coding, ids


def named_in_packet(packet: Path) -> set[str]:
    """Record ids the annotator's codebook (the packet's codebook.md, as they read it) names: their coding was
    argued there, so figures are also given without them."""
    text = (packet / "codebook.md").read_text(encoding="utf-8")
    return set(re.findall(r"[a-z-]+-20\d\d-[a-z]+-[a-z]+(?:-[ivx]+)?", text))


def score(coding_path: Path, against: Path | None, round_: int, exclude: set[str] = frozenset()) -> pd.DataFrame:
    project, coding, ids = _frames(coding_path, against, round_)
    ids = [i for i in ids if i not in exclude]
    return field_agreement(project, coding, ids, FIELDS, unit="records")


def field_agreement(
    project: pd.DataFrame, coding: pd.DataFrame, ids: list[str], fields: list[str], unit: str = "n"
) -> pd.DataFrame:
    """Per field, over ``ids`` (the index of both frames): mean Jaccard and exact agreement of the value sets, and
    Cohen's kappa of the primary theme; ``unit`` heads the column of how many were compared."""
    rows = []
    for field in fields:
        pairs = [(set(split_multi(project.loc[i, field])), set(split_multi(coding.loc[i, field]))) for i in ids]
        row = {
            "field": field,
            unit: len(ids),
            "mean Jaccard": sum(jaccard(a, b) for a, b in pairs) / len(ids),
            "exact agreement": sum(a == b for a, b in pairs) / len(ids),
        }
        if field == "primary_theme":
            row["kappa"] = cohen_kappa(
                [str(project.loc[i, field]).strip() for i in ids], [str(coding.loc[i, field]).strip() for i in ids]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def adjudication_file(round_: int) -> Path:
    return Path(__file__).resolve().parent / (
        "adjudication_v2.csv" if round_ == 1 else f"adjudication_v2_r{round_}.csv"
    )


ADJUDICATION_COLUMNS = ["id", "field", "project", "annotator", "verdict", "reason"]


def disagreements(coding_path: Path, against: Path | None, round_: int) -> pd.DataFrame:
    """One row per record and field where the two codings differ, with any verdict already written kept."""
    project, coding, ids = _frames(coding_path, against, round_)
    rows = []
    for i in ids:
        for field in FIELDS:
            mine, theirs = split_multi(project.loc[i, field]), split_multi(coding.loc[i, field])
            if set(mine) != set(theirs):
                rows.append({"id": i, "field": field, "project": "; ".join(mine), "annotator": "; ".join(theirs)})
    table = pd.DataFrame(rows, columns=ADJUDICATION_COLUMNS[:4])
    if adjudication_file(round_).exists():
        done = read_table(adjudication_file(round_))[["id", "field", "verdict", "reason"]]
        table = table.merge(done, on=["id", "field"], how="left").fillna("")
    else:
        table["verdict"], table["reason"] = "", ""
    return table[ADJUDICATION_COLUMNS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    packet = sub.add_parser("packet")
    packet.add_argument("--out", type=Path)
    scoring = sub.add_parser("score")
    listing = sub.add_parser("disagreements", help="write the round's adjudication file (verdicts written are kept)")
    for command in (packet, scoring, listing):
        command.add_argument("--round", type=int, choices=sorted(ROUNDS), default=1, dest="round_")
    for command in (scoring, listing):
        command.add_argument("--coding", type=Path, help="default: the round's packet folder / coding.csv")
        command.add_argument("--against", type=Path)
    args = parser.parse_args()
    folder = args.out if args.command == "packet" and args.out else PACKETS[args.round_]
    if args.command == "packet":
        write_packet(folder, args.round_)
        return
    coding = args.coding or folder / "coding.csv"
    if args.command == "disagreements":
        table = disagreements(coding, args.against, args.round_)
        table.to_csv(adjudication_file(args.round_), index=False)
        print(
            f"{len(table)} disagreements in {table['id'].nunique()} records written to {adjudication_file(args.round_)}"
        )
    else:

        def show(title: str, table: pd.DataFrame) -> None:
            print(f"{title}: {int(table['records'].iloc[0])} records")
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))

        against = args.against or "shipped data"
        print(f"round {args.round_}, seed {ROUNDS[args.round_]}; annotator ({coding}) vs {against}")
        show("all sampled annex II records", score(coding, args.against, args.round_))
        show(
            "without the records the annotator's codebook names as examples",
            score(coding, args.against, args.round_, named_in_packet(coding.parent)),
        )


if __name__ == "__main__":
    main()
