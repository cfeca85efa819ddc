"""The evaluation's metrics, on cases small enough to count by hand."""

import numpy as np
import pandas as pd
import pytest

from bench.similarity_eval import linkage_groups, pairwise, recall_at_k

LABELS = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "group": ["x", "x", "x", "y", "y"]})


def test_perfect_prediction():
    scores = pairwise(LABELS, LABELS.assign(group=["1", "1", "1", "2", "2"]))
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


def test_everything_in_one_group():
    # gold pairs: ab ac bc de = 4 of 10; predicted: all 10
    scores = pairwise(LABELS, LABELS.assign(group="1"))
    assert scores.precision == pytest.approx(0.4) and scores.recall == 1.0
    assert scores.f1 == pytest.approx(2 * 0.4 / 1.4)


def test_all_singletons_score_zero():
    scores = pairwise(LABELS, LABELS.assign(group=["1", "2", "3", "4", "5"]))
    assert (scores.precision, scores.recall, scores.f1) == (0.0, 0.0, 0.0)


def test_unlabelled_predicted_records_are_ignored():
    predicted = pd.concat([LABELS, pd.DataFrame({"id": ["z"], "group": ["x"]})])
    assert pairwise(LABELS, predicted).precision == 1.0


def test_recall_at_k_counts_only_partners_from_other_lists_capped_at_k():
    records = pd.DataFrame({"id": list("abcde"), "list_id": ["L1", "L2", "L3", "L1", "L2"]})
    near = pd.DataFrame({"id": ["a", "b", "c", "d"], "rank": [1, 1, 1, 1], "neighbour_id": ["b", "d", "a", "a"]})
    # a: partners b, c -> found b, cap min(1, 2) = 1 -> 1.0; b: partners a, c -> found d -> 0;
    # c: partners a, b -> found a -> 1.0; d: partner e (a is not its group) -> 0; e: partner d -> nothing -> 0
    assert recall_at_k(LABELS, records, near, k=1) == pytest.approx(2 / 5)
    assert recall_at_k(LABELS, records, near, k=1, capped=False) == pytest.approx((0.5 + 0 + 0.5 + 0 + 0) / 5)


def test_linkage_cuts_at_the_threshold():
    sim = np.array([[1, 0.9, 0.1], [0.9, 1, 0.1], [0.1, 0.1, 1]])
    groups = linkage_groups(["a", "b", "c"], sim, threshold=0.5)
    assert groups["group"].iloc[0] == groups["group"].iloc[1] != groups["group"].iloc[2]
