"""How far suggested tags (gift_dash.suggest) agree with the hand-coded tags of the shipped records.

    .venv/bin/python -m bench.suggest_agreement

In-sample: the thresholds in gift_dash/suggest.py were chosen on these same records, so read the figures as an
upper bound of what a new file will see.
"""

from __future__ import annotations

import pandas as pd

from gift_dash.data import load_dataset
from gift_dash.schema import MULTI_VOCAB_COLUMNS, Codebook, split_multi
from gift_dash.suggest import Lexicon


def agreement(records: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """How far suggestions agree with hand-coded tags: per column, precision and recall over all records."""
    lexicon = Lexicon.of(codebook)
    counts = {column: [0, 0, 0] for column in [*MULTI_VOCAB_COLUMNS, "primary_theme"]}
    for _, record in records.iterrows():
        tags = lexicon.tags(str(record["text"]))
        for column, tally in counts.items():
            coded, got = set(split_multi(record.get(column, ""))), set(tags[column])
            tally[0] += len(coded & got)
            tally[1] += len(got)
            tally[2] += len(coded)
    return pd.DataFrame(
        [
            {
                "column": column,
                "precision": hit / suggested if suggested else float("nan"),
                "recall": hit / coded if coded else float("nan"),
                "suggested": suggested,
                "coded": coded,
            }
            for column, (hit, suggested, coded) in counts.items()
        ]
    )


if __name__ == "__main__":
    dataset = load_dataset()
    table = agreement(dataset.records, dataset.codebook)
    print(f"{len(dataset.records)} shipped records, suggestions against hand coding:")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
