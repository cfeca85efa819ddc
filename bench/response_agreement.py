"""Two readers' agreement on response links (data/responses.csv against a second reader's links on a sample).

    .venv/bin/python -m bench.response_agreement prepare /work/annot13   # writes the packet, without our links
    .venv/bin/python -m bench.response_agreement score /work/annot13/links.csv

The sample is drawn with a fixed seed from the records the links cover (annex II and the Vienna findings). Pairs are
compared per record and activity: a link to a lettered sub-item counts as a link to its activity, so two readers who
pick the activity and its sub-item agree. Printed: link-level precision, recall and F1 of the second reader against
data/responses.csv, and Cohen's kappa per pair on linked/not linked and on none/thematic/explicit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gift_dash.data import load_dataset
from gift_dash.response import LINKED_SOURCES, activity_of

SEED = 13
SAMPLE_SIZE = 36
LINK_COLUMNS = ["record_id", "activity_id", "strength"]


def sample_records(records: pd.DataFrame) -> pd.DataFrame:
    pool = records[records["source"].isin(LINKED_SOURCES)]
    return pool.sample(n=SAMPLE_SIZE, random_state=SEED).sort_index()


def prepare(out: Path) -> None:
    dataset = load_dataset()
    out.mkdir(parents=True, exist_ok=True)
    workplan = dataset.workplan[
        ["workplan_id", "kind", "pillar", "output", "parent_id", "marker", "title", "text", "definition"]
    ]
    workplan.to_csv(out / "workplan.csv", index=False)
    sample = sample_records(dataset.records)
    names = dict(zip(dataset.events["event_id"], dataset.events["short_name"], strict=False))
    packet = pd.DataFrame(
        {
            "record_id": sample["id"],
            "event": sample["event_id"].map(names),
            "list_lead_in": sample["section"],
            "text": sample["text"],
        }
    )
    packet.to_csv(out / "sample_records.csv", index=False)
    rule = dataset.codebook.entries[dataset.codebook.entries["vocabulary"] == "response_strength"]
    lines = ["# The rule for response links (data/codebook.csv, vocabulary response_strength)", ""]
    for _, row in rule.iterrows():
        lines += [
            f"## {row['value']}: {row['label']}",
            "",
            f"Definition: {row['definition']}",
            "",
            f"Inclusion rule: {row['inclusion_rule']}",
            "",
        ]
    (out / "RULE.md").write_text("\n".join(lines), encoding="utf-8")
    pd.DataFrame(columns=LINK_COLUMNS).to_csv(out / "links_template.csv", index=False)
    (out / "INSTRUCTIONS.md").write_text(
        "# Second reader: response links\n\n"
        f"Read each of the {len(sample)} records in sample_records.csv against every activity and lettered sub-item "
        "in workplan.csv (kinds activity and sub_item; pillars and outputs are context only). Follow RULE.md. For "
        "each record, write one row per activity or sub-item that responds to it, with strength explicit or "
        "thematic; a record with no response gets no row. Write the result to links.csv in this folder, with the "
        "columns of links_template.csv (record_id, activity_id, strength). Use only this folder.\n",
        encoding="utf-8",
    )
    print(f"packet for {len(sample)} records (seed {SEED}) written to {out}")


def kappa(first: pd.Series, second: pd.Series) -> float:
    """Cohen's kappa of two label series over the same items."""
    observed = (first == second).mean()
    p1, p2 = first.value_counts(normalize=True), second.value_counts(normalize=True)
    expected = sum(p1.get(label, 0) * p2.get(label, 0) for label in set(p1.index) | set(p2.index))
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def pair_labels(links: pd.DataFrame, records: list[str], activities: list[str], workplan: pd.DataFrame) -> pd.Series:
    """none/thematic/explicit for every record × activity pair; the stronger label where a reader gave two."""
    labels = pd.Series("none", index=pd.MultiIndex.from_product([records, activities]))
    rank = {"none": 0, "thematic": 1, "explicit": 2}
    for row in links.itertuples():
        key = (row.record_id, activity_of(row.activity_id, workplan))
        if key in labels.index and rank[row.strength] > rank[labels[key]]:
            labels[key] = row.strength
    return labels


def score(second_path: Path) -> None:
    dataset = load_dataset()
    sample = sample_records(dataset.records)["id"].tolist()
    activities = dataset.workplan.loc[dataset.workplan["kind"] == "activity", "workplan_id"].tolist()
    ours = dataset.responses[dataset.responses["record_id"].isin(sample)]
    theirs = pd.read_csv(second_path, dtype=str, keep_default_na=False)
    unknown = theirs[
        ~theirs["record_id"].isin(sample)
        | ~theirs["activity_id"].isin(dataset.workplan["workplan_id"])
        | ~theirs["strength"].isin(["explicit", "thematic"])
    ]
    if len(unknown):
        print(
            f"{len(unknown)} rows of {second_path} name a record outside the sample, an unknown activity or "
            f"strength; ignored:\n{unknown.to_string(index=False)}"
        )
        theirs = theirs.drop(unknown.index)
    first = pair_labels(ours, sample, activities, dataset.workplan)
    second = pair_labels(theirs, sample, activities, dataset.workplan)
    linked1, linked2 = first != "none", second != "none"
    both = (linked1 & linked2).sum()
    precision = both / linked2.sum() if linked2.sum() else float("nan")
    recall = both / linked1.sum() if linked1.sum() else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if both else 0.0
    print(f"sample: {len(sample)} records (seed {SEED}) x {len(activities)} activities = {len(first)} pairs")
    print(
        f"links: reader 1 (data/responses.csv) {linked1.sum()}, reader 2 ({second_path.name}) {linked2.sum()}, "
        f"both {both}"
    )
    print(f"reader 2 against reader 1: precision {precision:.2f}, recall {recall:.2f}, F1 {f1:.2f}")
    print(f"Cohen's kappa per pair, linked / not linked: {kappa(linked1, linked2):.2f}")
    print(f"Cohen's kappa per pair, none / thematic / explicit: {kappa(first, second):.2f}")
    strength_both = first[linked1 & linked2] == second[linked1 & linked2]
    if both:
        print(f"same strength on pairs both linked: {strength_both.sum()} of {both}")
    covered1 = set(r for r, _ in first[linked1].index)
    covered2 = set(r for r, _ in second[linked2].index)
    agree = sum((r in covered1) == (r in covered2) for r in sample)
    print(
        f"records covered: reader 1 {len(covered1)}, reader 2 {len(covered2)}, same answer on {agree} of {len(sample)}"
    )
    disagreements = pd.DataFrame({"reader_1": first, "reader_2": second})
    disagreements = disagreements[disagreements["reader_1"] != disagreements["reader_2"]]
    print(f"\n{len(disagreements)} pairs differ:")
    print(disagreements.rename_axis(["record_id", "activity_id"]).reset_index().to_string(index=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare").add_argument("folder", type=Path)
    sub.add_parser("score").add_argument("links", type=Path)
    args = parser.parse_args()
    prepare(args.folder) if args.command == "prepare" else score(args.links)
