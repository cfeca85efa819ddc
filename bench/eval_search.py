"""Quality of search against the development question set (tests/data/search_dev_questions.csv).

    .venv/bin/python -m bench.eval_search [--show]

An independent annotator wrote 48 plain questions and 5 nonsense queries having read only the document and the
132 record texts, then judged every record for every question (tests/data/README.md). The search was tuned on
this set: its figures are development figures, not held-out ones.

Printed for three ways of answering, over all 132 records (the dashboard searches the whole dataset):
- today's search: the lexical scorer alone (words, concepts of the lexicon, tag labels), its matches only;
- the embedding alone: records by cosine with the question, those above the corpus's chance level;
- the fusion as shipped (gift_dash.search.search): confident matches, then the closest matches.

Per way: mean recall@10 (relevant records in the first ten / min(10, relevant), so a question with 29 relevant
records can reach 1; uncapped beside it), MRR (1 / rank of the first relevant record, 0 when none is listed),
questions answered with nothing, nonsense queries answered with anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from gift_dash.data import load_dataset
from gift_dash.schema import split_multi
from gift_dash.search import MIN_SCORE, search, signals

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_dev_questions.csv"
K = 10


def todays(records: pd.DataFrame, query: str, codebook) -> list[str]:
    found = signals(records, query, codebook).assign(id=records["id"].to_numpy())
    found = found[found["lexical"] >= MIN_SCORE]
    return found.sort_values("lexical", ascending=False, kind="stable")["id"].tolist()


def embedding_alone(records: pd.DataFrame, query: str, codebook) -> list[str]:
    """Records by cosine with the query, those at or above the corpus's chance level."""
    found = signals(records, query, codebook).assign(id=records["id"].to_numpy())
    kept = found[found["cosine"] >= chance(records)]
    return kept.sort_values("cosine", ascending=False, kind="stable")["id"].tolist()


def chance(records: pd.DataFrame) -> float:
    from gift_dash import meaning

    return meaning.corpus(tuple(dict.fromkeys(records["text"].fillna("").astype(str))))[1]


def fused(records: pd.DataFrame, query: str, codebook) -> list[str]:
    return search(records, query, codebook)["id"].tolist()


def measure(answer, records: pd.DataFrame, questions: pd.DataFrame, codebook, show: bool) -> dict[str, float]:
    recalls, uncapped, reciprocal, empty, nonsense = [], [], [], 0, 0
    for _, q in questions.iterrows():
        listed = answer(records, q["question"], codebook)
        if q["kind"] == "nonsense":
            nonsense += bool(listed)
            continue
        relevant = set(split_multi(q["relevant_ids"].replace(";", "; ")))
        top = listed[:K]
        hits = len(relevant & set(top))
        recalls.append(hits / min(K, len(relevant)))
        uncapped.append(hits / len(relevant))
        first = next((rank for rank, i in enumerate(listed, start=1) if i in relevant), None)
        reciprocal.append(1 / first if first else 0.0)
        empty += not listed
        if show:
            missed = sorted(relevant - set(top))
            print(f"  {q['qid']} {q['question'][:44]:44s} r@10 {recalls[-1]:.2f} n={len(listed):3d} missed {missed}")
    return {
        "recall@10": float(np.mean(recalls)),
        "uncapped": float(np.mean(uncapped)),
        "MRR": float(np.mean(reciprocal)),
        "nothing": empty,
        "nonsense answered": nonsense,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print each question's recall and missed records")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="another question set of the same columns")
    args = parser.parse_args(argv)
    dataset = load_dataset()
    records = dataset.records.reset_index(drop=True)
    questions = pd.read_csv(args.questions, dtype=str, keep_default_na=False)
    n_questions = int((questions["kind"] != "nonsense").sum())
    print(
        f"{args.questions.name}: {n_questions} questions, {len(questions) - n_questions} nonsense queries; "
        f"{len(records)} records"
    )
    print(f"chance level of the embedding on this corpus: cosine {chance(records):.3f}")
    print(f"{'answer':28s} {'recall@10':>9s} {'uncapped':>9s} {'MRR':>6s} {'nothing':>8s} {'nonsense answered':>18s}")
    for name, answer in (("today's search", todays), ("embedding alone", embedding_alone), ("fusion (shipped)", fused)):
        if args.show:
            print(name)
        figures = measure(answer, records, questions, dataset.codebook, args.show)
        print(
            f"{name:28s} {figures['recall@10']:9.3f} {figures['uncapped']:9.3f} {figures['MRR']:6.3f} "
            f"{figures['nothing']:5d}/{n_questions} {figures['nonsense answered']:15d}/{len(questions) - n_questions}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
