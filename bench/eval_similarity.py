"""Quality of similarity on a hand-labelled development set, beside the plain-text baselines.

    .venv/bin/python bench/eval_similarity.py [--labels tests/data/similarity_dev_groups.csv] [-k 5]

Corpus: the 118 annex II records. Prints pairwise precision / recall / F1 of groups at a range of
thresholds (ours: star groups on the combined score; baselines: average linkage on a dense matrix), and
recall@k of neighbours; definitions in gift_dash/similarity_eval.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from gift_dash.data import load_dataset, read_table  # noqa: E402
from gift_dash.similarity import DEFAULT_THRESHOLD, build_index, groups, neighbours  # noqa: E402
from bench.similarity_eval import (  # noqa: E402
    dense_neighbours,
    dense_similarity_tfidf,
    dense_similarity_token_set,
    linkage_groups,
    recall_at_k,
    sweep,
)

THRESHOLDS = [round(0.05 + 0.05 * i, 2) for i in range(16)]  # 0.05 .. 0.80


def _print_sweep(name: str, results) -> float:
    best = max(results, key=lambda r: r[1].f1)
    print(f"\n{name}")
    print("  threshold  precision  recall  F1")
    for t, s in results:
        mark = "  <- best" if t == best[0] else ""
        print(f"  {t:9.2f}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:.3f}{mark}")
    return best[1].f1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=ROOT / "tests" / "data" / "similarity_dev_groups.csv")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)

    records = load_dataset().records
    annex = records[records["source"] == "annex-ii"].reset_index(drop=True)
    labels = read_table(args.labels)[["id", "group"]]
    print(f"corpus: {len(annex)} annex II records; labels: {len(labels)} records in "
          f"{labels['group'].nunique()} groups ({args.labels.name})")

    index = build_index(annex)
    ids, texts = annex["id"].tolist(), annex["text"].tolist()
    summary = []
    ours_f1 = _print_sweep("ours: average linkage on the sparse candidate graph, combined score",
                           sweep(labels, lambda t: groups(index, t), THRESHOLDS))
    ours_at_default = sweep(labels, lambda t: groups(index, t), [DEFAULT_THRESHOLD])[0][1]

    def recalls(near):
        return (recall_at_k(labels, annex, near, args.k), recall_at_k(labels, annex, near, args.k, capped=False))

    summary.append(("ours (this method)", ours_f1, *recalls(neighbours(index, k=args.k, reasons=False))))
    # The same method blind to the curated tags: what text normalisation + lexicon + rapidfuzz achieve alone,
    # i.e. what to expect from a corpus that has only id and text.
    text_only = build_index(annex[["id", "text", "list_id", "event_id"]])
    text_f1 = _print_sweep("ours without tags (id, text, list_id only)",
                           sweep(labels, lambda t: groups(text_only, t), THRESHOLDS))
    summary.append(("ours without tags (text only)", text_f1, *recalls(neighbours(text_only, k=args.k, reasons=False))))
    for name, matrix in (("rapidfuzz token_set_ratio, raw text + average linkage", dense_similarity_token_set(texts)),
                         ("TF-IDF word cosine, raw text + average linkage", dense_similarity_tfidf(texts))):
        f1 = _print_sweep(name, sweep(labels, lambda t, m=matrix: linkage_groups(ids, m, t), THRESHOLDS))
        summary.append((name, f1, *recalls(dense_neighbours(annex, matrix, args.k))))

    print(f"\nours at the default threshold {DEFAULT_THRESHOLD}: precision {ours_at_default.precision:.3f}, "
          f"recall {ours_at_default.recall:.3f}, F1 {ours_at_default.f1:.3f}")
    print(f"\n{'method':58s} {'best F1':>8s} {f'recall@{args.k}':>9s} {'uncapped':>9s}")
    for name, f1, rec, unc in summary:
        print(f"{name:58s} {f1:8.3f} {rec:9.3f} {unc:9.3f}")
    print(f"\nrecall@{args.k}: mean over labelled records with partners in other lists of "
          f"|top-{args.k} ∩ partners| / min({args.k}, |partners|); uncapped divides by |partners|.")
    return 0


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    sys.exit(main())
