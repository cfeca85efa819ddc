"""Quality of search against a question set (default: tests/data/search_dev_questions.csv).

    .venv/bin/python -m bench.eval_search [--show] [--questions CSV]

An independent annotator wrote 48 plain questions and 5 nonsense queries having read only the document and the
132 record texts, then judged every record for every question (tests/data/README.md). Two more sets were written
the same way by other annotators: search_heldout1_questions.csv (20 questions, 5 nonsense) and
search_heldout2_questions.csv (30 questions, 6 nonsense), search_heldout3_questions.csv (30 questions, 5 nonsense).
All four have been seen and tuned on (the first three since issue 21's third round, held-out 3 in its fourth), so all
give development figures; only a set nobody has read says what a stranger gets (bench/search_loso.py: each set
scored with settings chosen on the other three).

Fusion as shipped (gift_dash.search module docstring), recall@10 / MRR / questions answered with nothing / nonsense
queries answered:

| set | before the third round (0d61d89^) | after it (ab4ded4) | after the fourth round |
|---|---|---|---|
| dev (48) | 0.787 / 0.708 / 0 / 0 of 5 | 0.812 / 0.721 / 0 / 0 of 5 | 0.884 / 0.760 / 0 / 0 of 5 |
| held-out 1 (20) | 0.744 / 0.731 / 1 / 0 of 5 | 0.900 / 0.793 / 0 / 0 of 5 | 0.890 / 0.804 / 0 / 0 of 5 |
| held-out 2 (30) | 0.678 / 0.717 / 0 / 0 of 6 | 0.862 / 0.825 / 0 / 0 of 6 | 0.879 / 0.821 / 0 / 0 of 6 |
| held-out 3 (30) | 0.667 / 0.536 / 1 / 1 of 5 (4aa0468) | 0.713 / 0.555 / 0 / 1 of 5 | 0.744 / 0.608 / 0 / 0 of 5 |

Printed for three ways of answering, over all 132 records (the dashboard searches the whole dataset):
- today's search: the lexical scorer alone (words, concepts of the lexicon, tag labels), its matches only;
- the embedding alone: records by cosine with the question, those above the corpus's chance level;
- the embedding's ranking with no cut: every record by cosine (so it answers nonsense too): what the meaning ranking
  is worth apart from the chance level, which keeps most records of a question out of "the embedding alone";
- the fusion as shipped (gift_dash.search.search): confident matches, then the closest matches.

Per way: mean recall@10 (relevant records in the first ten / min(10, relevant), so a question with 29 relevant
records can reach 1; uncapped beside it), MRR (1 / rank of the first relevant record, 0 when none is listed),
questions answered with nothing, nonsense queries answered with anything.

Then an honest estimate for questions nobody tuned on, two ways:
- cross-validation of the fusion weights (search.LEXICAL_WEIGHT, search.TAG_WEIGHT): the questions split in two
  halves (odd and even positions); the weights best on one half (recall@10, less 0.1 per question answered with
  nothing) are scored on the other, both ways; the two held-out halves are reported together.
- ``--lexicon tests/data/lexicon_before_dev_questions.csv``: everything above with the concept lexicon as it stood
  before the development questions were written (git f9be2c3^, less the phrases added with those questions in
  view), so a question's words are as new to the lexicon as a stranger's.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from gift_dash import search as search_module
from gift_dash.data import DATA_DIR, load_dataset
from gift_dash.schema import LEXICON_FILE, split_multi
from gift_dash.search import MIN_SCORE, search, signals

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_dev_questions.csv"
K = 10
GRID = {"LEXICAL_WEIGHT": (1.0, 2.0, 3.0), "TAG_WEIGHT": (0.5, 1.0, 1.5)}
EMPTY_PENALTY = 0.1  # what a question answered with nothing costs when weights are chosen on half the questions


def todays(records: pd.DataFrame, query: str, codebook) -> list[str]:
    found = signals(records, query, codebook).assign(id=records["id"].to_numpy())
    found = found[found["lexical"] >= MIN_SCORE]
    return found.sort_values("lexical", ascending=False, kind="stable")["id"].tolist()


def embedding_alone(records: pd.DataFrame, query: str, codebook) -> list[str]:
    """Records by cosine with the query, those at or above the corpus's chance level."""
    found = signals(records, query, codebook).assign(id=records["id"].to_numpy())
    kept = found[found["cosine"] >= chance(records)]
    return kept.sort_values("cosine", ascending=False, kind="stable")["id"].tolist()


def embedding_ranked(records: pd.DataFrame, query: str, codebook) -> list[str]:
    """Every record by cosine with the query, no cut: how good the meaning ranking is, apart from who is related."""
    found = signals(records, query, codebook).assign(id=records["id"].to_numpy())
    return found.sort_values("cosine", ascending=False, kind="stable")["id"].tolist()


def chance(records: pd.DataFrame) -> float:
    """The chance level of the texts as search embeds them: each with its lead-in and the item it completes."""
    from gift_dash import meaning

    lead_ins, parents = search_module._context_cells(records)
    texts = records["text"].fillna("").astype(str).tolist()
    distinct = list(dict.fromkeys(zip(texts, lead_ins, parents, strict=True)))
    return meaning.in_context(
        *(tuple(column) for column in zip(*distinct, strict=True)),
        search_module.LEAD_IN_WEIGHT,
        search_module.PARENT_WEIGHT,
    )[1]


def fused(records: pd.DataFrame, query: str, codebook) -> list[str]:
    return search(records, query, codebook)["id"].tolist()


@contextlib.contextmanager
def patched(**settings) -> Iterator[None]:
    """Fusion settings of gift_dash.search changed for one run, then put back."""
    before = {name: getattr(search_module, name) for name in settings}
    for name, value in settings.items():
        setattr(search_module, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(search_module, name, value)


def cross_validated(records: pd.DataFrame, questions: pd.DataFrame, codebook) -> None:
    """The fusion weights chosen on one half of the questions, scored on the other, both ways (module docstring)."""
    plain = questions[questions["kind"] != "nonsense"].reset_index(drop=True)
    nonsense = questions[questions["kind"] == "nonsense"]
    halves = [pd.concat([plain.iloc[start::2], nonsense]) for start in (0, 1)]
    settings = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    results = []
    for setting in settings:
        with patched(**setting):
            results.append([measure(fused, records, half, codebook, False) for half in halves])
    held_recall, held_empty, held_nonsense = 0.0, 0, 0
    for tuned, held in ((0, 1), (1, 0)):
        best = max(
            range(len(settings)),
            key=lambda i: results[i][tuned]["recall@10"] - EMPTY_PENALTY * results[i][tuned]["nothing"],
        )
        figures = results[best][held]
        n_held = int((halves[held]["kind"] != "nonsense").sum())
        print(
            f"  chosen on half {tuned + 1}: {settings[best]} -> half {held + 1}: recall@10 "
            f"{figures['recall@10']:.3f}, nothing {figures['nothing']}/{n_held}"
        )
        held_recall += figures["recall@10"] * n_held
        held_empty += figures["nothing"]
        held_nonsense = max(held_nonsense, figures["nonsense answered"])
    print(
        f"cross-validated (each half scored with weights chosen on the other): recall@10 "
        f"{held_recall / len(plain):.3f}, answered with nothing {held_empty}/{len(plain)}, "
        f"nonsense answered {held_nonsense}/{len(nonsense)}"
    )


def with_lexicon(path: Path) -> None:
    """Every later load reads the shipped data with ``path`` as its concept lexicon (a copy of the data folder)."""
    folder = Path(tempfile.mkdtemp(prefix="eval-search-")) / "data"
    shutil.copytree(DATA_DIR, folder)
    shutil.copyfile(path, folder / LEXICON_FILE)
    os.environ["GIFT_DATA_DIR"] = str(folder)


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
    parser.add_argument("--lexicon", type=Path, help="another concept lexicon (same columns as data/lexicon.csv)")
    args = parser.parse_args(argv)
    if args.lexicon:
        with_lexicon(args.lexicon)
        print(f"concept lexicon: {args.lexicon}")
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
    ways = (
        ("today's search", todays),
        ("embedding alone", embedding_alone),
        ("embedding ranking, no cut", embedding_ranked),
        ("fusion (shipped)", fused),
    )
    for name, answer in ways:
        if args.show:
            print(name)
        figures = measure(answer, records, questions, dataset.codebook, args.show)
        print(
            f"{name:28s} {figures['recall@10']:9.3f} {figures['uncapped']:9.3f} {figures['MRR']:6.3f} "
            f"{figures['nothing']:5d}/{n_questions} {figures['nonsense answered']:15d}/{len(questions) - n_questions}"
        )
    cross_validated(records, questions, dataset.codebook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
