"""Draw ten random recurring-idea groups for a blind reader (issue 21): the groups as the app shows them
(similarity.groups on the annex II records at the default threshold, second groups on), ten of those with two or
more records drawn with random.Random(SEED); each member's id and verbatim text, members in a shuffled order, no
label and no score. Writes groups.md (the reader's packet) and key.csv (packet group -> the project's group and
label, never shown to the reader) into the round's folder.

    .venv/bin/python -m bench.group_judgement.make_packet ROUND_FOLDER SEED
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from gift_dash import similarity
from gift_dash.data import load_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("seed", type=int)
    args = parser.parse_args(argv)
    dataset = load_dataset()
    annex = dataset.records[dataset.records["source"] == "annex-ii"].reset_index(drop=True)
    text = dict(zip(annex["id"], annex["text"], strict=True))
    grouped = similarity.groups(similarity.build_index(annex, codebook=dataset.codebook))
    sizes = grouped.groupby("group").size()
    rng = random.Random(args.seed)
    drawn = rng.sample(sorted(int(g) for g in sizes[sizes >= 2].index), 10)
    args.folder.mkdir(parents=True, exist_ok=True)
    packet, key = [], []
    for number, group in enumerate(drawn, start=1):
        members = grouped[grouped["group"] == group]
        rows = list(zip(members["id"], members["label"], members["also"], strict=True))
        rng.shuffle(rows)
        packet.append(f"## Group {number}\n\n" + "\n".join(f"- **{i}**: {text[i]}" for i, _, _ in rows) + "\n")
        key += [(number, group, label, i, bool(also)) for i, label, also in rows]
    (args.folder / "groups.md").write_text("\n".join(packet), encoding="utf-8")
    with open(args.folder / "key.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["packet_group", "group", "label", "id", "also"])
        writer.writerows(key)
    print(f"{len(drawn)} groups of {len(sizes[sizes >= 2])} drawn with seed {args.seed}: {args.folder}/groups.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
