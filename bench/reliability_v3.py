"""Codebook v3 reliability (issue 22): a fresh blind reader codes the tags of 20 annex II records, the tags of the
workplan's activities and sub-items, and the response links of the 20 records; this script writes the packet and
scores the reader's files against the project's.

    .venv/bin/python -m bench.reliability_v3 packet [--round 2] [--out FOLDER]
    .venv/bin/python -m bench.reliability_v3 score [--round 2] [--coding FOLDER] [--ref COMMIT]

The blind reader's coding of December 2026 is kept in bench/reliability_v3_coding/ (with the codebook.md it read)
and was made from the packet of commit df410e2: score it with ``--ref df410e2`` for the figures before
adjudication.

The sample is drawn, not chosen: random.Random(22).sample(pool, 20), where the pool is the annex II ids in file
order less (a) the samples of the earlier rounds (bench/reliability.py rounds 1 and 2, seeds 2026 and 2027;
bench/response_agreement.py, seed 13) and (b) the records issue 22 names. The packet holds the v3 codebook and its
rules (link rule included) as markdown, the workplan's ids, titles and texts WITHOUT its tags, and the sample's
ids, list lead-ins, parent texts and verbatim texts WITHOUT any tag or link.

The round-2 reader's coding (December 2026) is kept in bench/reliability_v3_coding_r2/ (with the codebook.md it read)
and was made from the packet of commit 66cd375: score it with ``--round 2 --ref 66cd375``.

Round 2 (``--round 2``), after the rules W1, G12, G13, G18, G20 and G21 were sharpened from round 1's disagreements,
codes every record no round has seen: the annex II pool above less round 1's sample (5 records left), the 10 key
findings of the Vienna Forum (section VI) and the 4 section V outcome statements, in file order; none is chosen, all
are taken. Section V is outside the link scope (response.LINKED_SOURCES): its records get tags, no links. The packet
goes to bench/out/reliability_v3_packet_r2 and the coding is read from bench/reliability_v3_coding_r2.

``score`` compares against the project's data at ``--ref`` (default: the working tree), so the figures before
adjudication are those of the commit the reader's packet was made from. Printed:
- links, per record x activity (a lettered sub-item counts as its activity, the strongest link per pair): the
  project's precision and recall against the reader, and the share of shared pairs with the same strength;
- record tags: mean Jaccard and exact agreement per field (both empty = agreement), Cohen's kappa of the primary
  theme; all 20 records and those the codebook does not name;
- workplan tags: mean Jaccard per field over the 32 activities and sub-items.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from bench.reliability import _table, field_agreement
from bench.reliability import sample_ids as tag_round_sample
from bench.response_agreement import sample_records as link_round_sample
from gift_dash import response
from gift_dash.data import Dataset, load_dataset, read_table
from gift_dash.rules import rules_tables
from gift_dash.schema import MULTI_VOCAB_COLUMNS

SEED = 22
SAMPLE_SIZE = 20
HERE = Path(__file__).resolve().parent
PACKET = HERE / "out" / "reliability_v3_packet"  # bench/out is not kept in git: a packet is made, handed out, coded
CODING = HERE / "reliability_v3_coding"
ROUNDS = (1, 2)
# Where each round's packet is written and its coding read.
PACKETS = {1: PACKET, 2: HERE / "out" / "reliability_v3_packet_r2"}
CODINGS = {1: CODING, 2: HERE / "reliability_v3_coding_r2"}
# The records issue 22 names (its decisive cases and the tag annotator's examples): argued about, so never sampled.
NAMED_IN_ISSUE = {
    "kampala-2007-gen-d",
    "kampala-2007-gen-h-i",
    "kampala-2007-rap-a",
    "new-delhi-2007-pri-d",
    "new-delhi-2007-pri-h",
    "abidjan-2007-pre-a",
    "cape-town-2007-rel-g",
    "cape-town-2007-rel-l",
}
RECORD_FIELDS = ["themes", "primary_theme", "ta_areas", "target_groups", "actors", "exploitation_forms", "topics"]
WORKPLAN_FIELDS = ["ta_areas", "target_groups", "actors", "topics"]
LINK_COLUMNS = ["record_id", "activity_id", "strength", "basis"]


def pool(records: pd.DataFrame) -> list[str]:
    """Annex II ids, in file order, that no earlier round sampled and the issue does not name."""
    earlier = set(tag_round_sample(records, 1)) | set(tag_round_sample(records, 2))
    earlier |= set(link_round_sample(records)["id"])
    annex = records.loc[records["source"] == "annex-ii", "id"].tolist()
    return [i for i in annex if i not in earlier and i not in NAMED_IN_ISSUE]


def sample_ids(records: pd.DataFrame, round_: int = 1) -> list[str]:
    """Round 1: random.Random(22).sample of the pool, 20 records. Round 2: all that is left of the pool, then every
    section VI and section V record, in file order (records no round sampled and the issue does not name)."""
    first = random.Random(SEED).sample(pool(records), SAMPLE_SIZE)
    if round_ == 1:
        return first
    rest = [i for i in pool(records) if i not in first]
    later = records.loc[records["source"].isin(["section-vi", "section-v"]), "id"].tolist()
    return rest + later


def linked_ids(records: pd.DataFrame, ids: list[str]) -> list[str]:
    """Those of ``ids`` in the link scope (annex II and section VI; section V is tagged, not linked)."""
    scope = set(response.in_scope(records)["id"])
    return [i for i in ids if i in scope]


def codebook_markdown(dataset: Dataset) -> str:
    entries = dataset.codebook.entries
    tables = rules_tables(dataset.codebook.rules, dataset.records)
    written = tables["written rules"]
    parts = [
        "# Codebook v3 of the GIFT recommendations dataset, with its link rule\n",
        "Three things are coded with this codebook: (1) the tags of annex II records, (2) the tags of the workplan's "
        "activities and lettered sub-items (annex I), and (3) the response links between them. `INSTRUCTIONS.md` "
        "says which files to write.\n",
        "Order of work for a record: (1) copy the parent item's tags to a sub-item (rule I1) and the lead-in's "
        "values (rules L); (2) add the values the record's own words give; (3) add what the implications require "
        "(rules R and T); (4) choose the primary theme (G1). For a workplan row: rules W1 and W2, then the "
        "implications into ta_areas, target_groups and actors (workplan rows carry no theme). For links: rules "
        "LK1-LK9.\n",
        "## Values\n",
    ]
    for vocabulary in [
        "themes",
        *[v for v in MULTI_VOCAB_COLUMNS.values() if v != "themes"],
        "measure_type",
        "response_strength",
    ]:
        part = entries[entries["vocabulary"] == vocabulary]
        parts.append(f"### {vocabulary}\n")
        parts.append(_table(part[["value", "label", "definition", "inclusion_rule", "near_synonyms"]]) + "\n")
    for title, kinds in (
        ("Written rules for tags (G), inheritance (I) and renamed values", ("G", "I", "N")),
        ("Rules for reading the workplan (W)", ("W",)),
        ("The link rule (LK)", ("LK",)),
    ):
        part = written[written["rule"].str.match("|".join(f"^{k}\\d" for k in kinds))]
        parts.append(f"## {title}\n")
        parts.append(_table(part[["rule", "applies to", "rule in words", "example record"]]) + "\n")
    parts.append("## Measure types of the topics (LK1; a topic not listed is no measure)\n")
    parts.append(_table(tables["measure types (link rule LK1)"]) + "\n")
    broad = dataset.codebook.rules.of_kind("no_group_link")
    parts.append(
        "Values too broad to make a link by a group alone (LK2): "
        + ", ".join(f"{c} {v}" for c, v in zip(broad["column"], broad["value"], strict=True))
        + ".\n"
    )
    parts.append("## Lead-ins that pass values to every item of their list\n")
    parts.append(_table(tables["lead-ins"][["rule", "list", "column", "every item carries", "why"]]) + "\n")
    parts.append("## Implications (if … then …; 'or' means at least one of)\n")
    parts.append(_table(tables["implications"][["rule", "if", "then", "why"]]) + "\n")
    return "\n".join(parts)


INSTRUCTIONS = """# Coding task (codebook v3, issue 22{round_title})

Use nothing but the files of this folder: `codebook.md`, `workplan.csv`, `records.csv`. Do not open the project's
repository, its data or any other file, and do not look for the project's tags or links. Code first, then hand the
three files back; nothing is compared before you are done.

## What you have
- `codebook.md`: the vocabularies, the rules for tagging records (G, I, L, R, T), for reading the workplan (W1, W2)
  and the link rule (LK1-LK9), the measure types (LK1) and the implications.
- `workplan.csv`: annex I of the 2008 document, one row per pillar, output, activity and lettered sub-item:
  `workplan_id, kind, parent_id, marker, title, text`. Only rows of kind `activity` or `sub_item` are tagged and
  linked.
- `records.csv`: {sample}: `id, lead_in` (the words that open its list), `parent_text` (for a sub-item, the item it
  completes), `text` (verbatim).

## What you write (UTF-8 CSV, a header row, several values in a cell separated by `; `)
1. `tags.csv`: one row per record of `records.csv`, columns
   `id, themes, primary_theme, ta_areas, target_groups, actors, exploitation_forms, topics`. Values from the
   codebook only; `themes` and `primary_theme` never empty, `primary_theme` one of the record's themes.
2. `workplan_tags.csv`: one row per activity and lettered sub-item of `workplan.csv` (32 rows), columns
   `workplan_id, ta_areas, target_groups, actors, topics`. A field stays empty when the row's words name nothing
   for it (W1).
3. `links.csv`: every response link of {linked}, one row per link, columns
   `record_id, activity_id, strength, basis`. `activity_id` is an activity or a lettered sub-item (the most
   specific row, LK8); `strength` is `explicit` (the activity's words name what the record asks for, for the same
   group in the same role: LK4, LK5; quote those words in `basis` between ‘ and ’) or `thematic` (what the link
   rule LK1-LK2 gives from the tags as you read them; `basis` says what is shared). A record with no link gets no
   row. Do not list a thematic link for a pair you link as explicit.

Figures are computed per record x activity (a sub-item counts as its activity), so choosing an activity or one of
its sub-items for the same link is not a disagreement; the strength is.

## Where
Write the three files, and a `notes.md` with how you worked and every rule you found unclear or hard to apply (each
with the record or workplan row where it bit), into a folder `coding` next to this packet folder.
"""


SAMPLES = {
    1: "20 annex II records drawn at random (`random.Random(22)`, from the records no earlier round\n  sampled)",
    2: "{n} records no earlier round coded, all of them, none chosen: the {annex} annex II records left after\n"
    "  the earlier rounds, the 10 key findings of the Vienna Forum (section VI of the document, ids\n"
    "  `vienna-2008-fin-…`) and the 4 outcome statements of section V (ids ending in `-outcome`).\n  Columns",
}
LINKED = {
    1: "the 20 records",
    2: "the {n_linked} records of annex II and section VI (the section V\n   outcome statements, ids ending in "
    "`-outcome`, are tagged in `tags.csv` but get no links: the workplan is not\n   read against them)",
}


def instructions(records: pd.DataFrame, round_: int) -> str:
    ids = sample_ids(records, round_)
    annex = records.loc[records["id"].isin(ids) & (records["source"] == "annex-ii"), "id"]
    return INSTRUCTIONS.format(
        round_title="" if round_ == 1 else f", round {round_}",
        sample=SAMPLES[round_].format(n=len(ids), annex=len(annex)),
        linked=LINKED[round_].format(n_linked=len(linked_ids(records, ids))),
    )


def write_packet(out: Path, round_: int = 1) -> None:
    dataset = load_dataset()
    records = dataset.records.set_index("id", drop=False)
    ids = sample_ids(dataset.records, round_)
    out.mkdir(parents=True, exist_ok=True)
    (out / "codebook.md").write_text(codebook_markdown(dataset), encoding="utf-8")
    dataset.workplan[["workplan_id", "kind", "parent_id", "marker", "title", "text"]].to_csv(
        out / "workplan.csv", index=False
    )
    rows = []
    for rid in ids:
        r = records.loc[rid]
        rows.append(
            {
                "id": rid,
                "lead_in": r["section"],
                "parent_text": records.loc[r["parent_id"], "text"] if r["parent_id"] else "",
                "text": r["text"],
            }
        )
    pd.DataFrame(rows).to_csv(out / "records.csv", index=False)
    (out / "INSTRUCTIONS.md").write_text(instructions(dataset.records, round_), encoding="utf-8")
    print(f"round {round_} packet written to {out}: {len(ids)} records (pool of {len(pool(dataset.records))})")


def project_dataset(ref: str | None) -> Dataset:
    """The project's data as at ``ref`` (a commit), or the working tree's."""
    if not ref:
        return load_dataset()
    root = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="gift-v3-"))
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", ref, "data"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.split()
    for name in names:
        target = folder / Path(name).relative_to("data")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(
            subprocess.run(["git", "show", f"{ref}:{name}"], cwd=root, check=True, capture_output=True).stdout
        )
    return load_dataset(folder)


def _activity(workplan: pd.DataFrame):
    parent = dict(zip(workplan["workplan_id"], workplan["parent_id"], strict=True))
    kind = dict(zip(workplan["workplan_id"], workplan["kind"], strict=True))
    return lambda wid: parent[wid] if kind.get(wid) == "sub_item" else wid


def strongest_pairs(links: pd.DataFrame, workplan: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(record, activity) -> its strongest link ('explicit' before 'thematic')."""
    activity = _activity(workplan)
    out: dict[tuple[str, str], str] = {}
    for rid, wid, strength in zip(links["record_id"], links["activity_id"], links["strength"], strict=True):
        key = (str(rid).strip(), activity(str(wid).strip()))
        strength = str(strength).strip()
        if out.get(key) != "explicit":
            out[key] = strength
    return out


def score_links(project: dict, reader: dict) -> dict[str, float]:
    shared = set(project) & set(reader)
    return {
        "project links": len(project),
        "reader links": len(reader),
        "shared": len(shared),
        "precision (project against reader)": len(shared) / len(project) if project else float("nan"),
        "recall (project against reader)": len(shared) / len(reader) if reader else float("nan"),
        "same strength on shared pairs": sum(project[p] == reader[p] for p in shared) / len(shared)
        if shared
        else float("nan"),
    }


def named_in_codebook(packet: Path) -> set[str]:
    text = (packet / "codebook.md").read_text(encoding="utf-8")
    return set(re.findall(r"[a-z-]+-20\d\d-(?:outcome\b|[a-z]+-[a-z]+(?:-[ivx]+)?)", text))


def score(coding: Path, ref: str | None, round_: int = 1) -> None:
    dataset = project_dataset(ref)
    ids = sample_ids(dataset.records, round_)
    linked = linked_ids(dataset.records, ids)
    records = dataset.records[dataset.records["id"].isin(linked)]
    project_links = strongest_pairs(response.links_of(records, dataset), dataset.workplan)
    reader = read_table(coding / "links.csv")
    reader_links = strongest_pairs(reader[reader["record_id"].str.strip().isin(linked)], dataset.workplan)
    print(
        f"Round {round_} sample: {len(ids)} records ({len(linked)} linked); project data at {ref or 'the working tree'}\n"
    )
    print("Links (record x activity, strongest per pair):")
    for key, value in score_links(project_links, reader_links).items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    project = dataset.records.set_index("id")
    tags = read_table(coding / "tags.csv")
    tags["id"] = tags["id"].str.strip()
    tags = tags.set_index("id")
    # the codebook the reader read: kept with the coding, else the round's packet as this commit writes it
    read = coding if (coding / "codebook.md").exists() else PACKETS[round_]
    named = named_in_codebook(read) if (read / "codebook.md").exists() else set()
    unnamed = [i for i in ids if i not in named]
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(f"\nRecord tags, all {len(ids)} records:")
        print(field_agreement(project, tags, ids, RECORD_FIELDS).to_string(index=False))
        print(f"\nRecord tags, the {len(unnamed)} records the codebook does not name:")
        print(field_agreement(project, tags, unnamed, RECORD_FIELDS).to_string(index=False))
        plan = dataset.workplan[dataset.workplan["kind"].isin(["activity", "sub_item"])].set_index("workplan_id")
        theirs = read_table(coding / "workplan_tags.csv")
        theirs["workplan_id"] = theirs["workplan_id"].str.strip()
        theirs = theirs.set_index("workplan_id")
        print(f"\nWorkplan tags, {len(plan)} activities and sub-items:")
        print(field_agreement(plan, theirs, list(plan.index), WORKPLAN_FIELDS).to_string(index=False))
    disagreements = sorted(
        (p, project_links.get(p, "none"), reader_links.get(p, "none"))
        for p in set(project_links) | set(reader_links)
        if project_links.get(p) != reader_links.get(p)
    )
    print(f"\nLink disagreements ({len(disagreements)}): record, activity, project, reader")
    for (rid, aid), ours, theirs_ in disagreements:
        print(f"  {rid}, {aid}, {ours}, {theirs_}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    packet = sub.add_parser("packet")
    packet.add_argument("--out", type=Path, help="default: bench/out/reliability_v3_packet[_r2]")
    scoring = sub.add_parser("score")
    scoring.add_argument(
        "--coding", type=Path, help="the folder with tags.csv, workplan_tags.csv, links.csv (default: the round's)"
    )
    scoring.add_argument("--ref", help="the commit whose data is the project's (default: the working tree)")
    for command in (packet, scoring):
        command.add_argument("--round", type=int, choices=ROUNDS, default=1, dest="round_")
    args = parser.parse_args()
    if args.command == "packet":
        write_packet(args.out or PACKETS[args.round_], args.round_)
    else:
        score(args.coding or CODINGS[args.round_], args.ref, args.round_)


if __name__ == "__main__":
    main()
