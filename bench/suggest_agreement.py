"""How far suggested tags (gift_dash.suggest) agree with the hand-coded tags of the shipped records.

    .venv/bin/python bench/suggest_agreement.py

In-sample: the thresholds in gift_dash/suggest.py were chosen on these same records, so read the figures as an
upper bound of what a new file will see.
"""

from __future__ import annotations

from gift_dash.data import load_dataset
from gift_dash.suggest import agreement

if __name__ == "__main__":
    dataset = load_dataset()
    table = agreement(dataset.records, dataset.codebook)
    print(f"{len(dataset.records)} shipped records, suggestions against hand coding:")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
