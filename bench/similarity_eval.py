"""Measuring similarity against hand-labelled groups: pairwise precision/recall/F1 and neighbour recall@k,
for our method and for the plain-text baselines named in the issue.

Definitions (labelled records only; records absent from the labels are ignored):
- pairwise: every unordered pair of labelled records is "same" in the labels when both carry the same
  label group, and "same" in a prediction when both are in the same predicted group. Precision = pairs
  same in both / pairs same in the prediction; recall = pairs same in both / pairs same in the labels.
- recall@k: for each labelled record r whose label group has members in OTHER lists (its partners
  P(r)), the share |top-k neighbours of r ∩ P(r)| / min(k, |P(r)|), averaged over those records.
  The min(k, ·) keeps a record with more than k partners from being capped below 1.
  ``uncapped`` divides by |P(r)| instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float


def memberships(frame: pd.DataFrame) -> dict[str, frozenset]:
    """id -> the groups it is in. A frame may list an id once per group (a record carrying two ideas)."""
    out: dict[str, set] = {}
    for record_id, group in zip(frame["id"], frame["group"], strict=True):
        out.setdefault(record_id, set()).add(group)
    return {record_id: frozenset(groups) for record_id, groups in out.items()}


def read_labels(path, also: bool = True) -> pd.DataFrame:
    """A labelled set as id, group rows; with ``also``, a second row for each ``also_group`` (where the file has
    that column), so a record carrying two ideas is in both groups."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = frame[["id", "group"]]
    if also and "also_group" in frame.columns:
        second = frame.loc[frame["also_group"] != "", ["id", "also_group"]].rename(columns={"also_group": "group"})
        rows = pd.concat([rows, second], ignore_index=True)
    return rows.reset_index(drop=True)


def pairwise(labels: pd.DataFrame, predicted: pd.DataFrame) -> PairScores:
    """``labels``: id, group (gold); ``predicted``: id, group; either may list an id in several groups, and a
    pair is "same" when its two records share at least one group. See the module docstring."""
    gold, pred = memberships(labels), memberships(predicted)
    ids = sorted(i for i in gold if i in pred)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold, same_pred = bool(gold[a] & gold[b]), bool(pred[a] & pred[b])
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1)


def recall_at_k(
    labels: pd.DataFrame, records: pd.DataFrame, neighbour_frame: pd.DataFrame, k: int = 5, capped: bool = True
) -> float:
    """``neighbour_frame``: id, rank, neighbour_id (ranks 1..k used). See the module docstring; a record's
    partners are the records sharing any of its groups."""
    list_of = dict(zip(records["id"], records["list_id"], strict=True))
    groups_of = memberships(labels)
    members: dict[str, set] = {}
    for record_id, groups in groups_of.items():
        for group in groups:
            members.setdefault(group, set()).add(record_id)
    found = neighbour_frame[neighbour_frame["rank"] <= k].groupby("id")["neighbour_id"].apply(set).to_dict()
    shares = []
    for record_id, groups in sorted(groups_of.items()):
        partners = {m for g in groups for m in members[g] if list_of[m] != list_of[record_id]}
        if not partners:
            continue
        hits = len(found.get(record_id, set()) & partners)
        shares.append(hits / (min(k, len(partners)) if capped else len(partners)))
    return float(np.mean(shares)) if shares else 0.0


def dense_similarity_tfidf(texts: list[str]) -> np.ndarray:
    """Baseline: cosine of TF-IDF over raw lower-cased words (no stop words, no stemming)."""
    words = [utils.default_process(t).split() for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for ws in words for w in ws}))}
    counts = np.zeros((len(texts), len(vocab)))
    for row, ws in enumerate(words):
        for w in ws:
            counts[row, vocab[w]] += 1
    idf = np.log((1 + len(texts)) / (1 + (counts > 0).sum(axis=0))) + 1
    weights = counts * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    weights /= np.where(norms == 0, 1, norms)
    return weights @ weights.T


def dense_similarity_token_set(texts: list[str]) -> np.ndarray:
    """Baseline: rapidfuzz token_set_ratio / 100 on raw text (all pairs; fine for a few hundred records)."""
    return process.cdist(texts, texts, scorer=fuzz.token_set_ratio, processor=utils.default_process) / 100.0


def linkage_groups(ids: list[str], similarity: np.ndarray, threshold: float, method: str = "average") -> pd.DataFrame:
    """Clusters of a dense similarity matrix (scipy linkage ``method``), cut where similarity drops below
    ``threshold``."""
    distance = 1.0 - np.clip(similarity, 0, 1)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method=method)
    return pd.DataFrame({"id": ids, "group": fcluster(tree, t=1.0 - threshold, criterion="distance")})


def dense_neighbours(records: pd.DataFrame, similarity: np.ndarray, k: int) -> pd.DataFrame:
    """Top-k from other lists for every record, by a dense similarity matrix (baselines only)."""
    ids = records["id"].to_numpy()
    lists = records["list_id"].to_numpy()
    rows = []
    for i in range(len(ids)):
        candidates = [j for j in range(len(ids)) if lists[j] != lists[i]]
        candidates.sort(key=lambda j: (-similarity[i, j], ids[j]))
        rows += [(ids[i], rank, ids[j]) for rank, j in enumerate(candidates[:k], start=1)]
    return pd.DataFrame(rows, columns=["id", "rank", "neighbour_id"])


def sweep(
    labels: pd.DataFrame, grouper: Callable[[float], pd.DataFrame], thresholds: list[float]
) -> list[tuple[float, PairScores]]:
    """Pairwise scores of ``grouper(threshold)`` at each threshold."""
    return [(t, pairwise(labels, grouper(t))) for t in thresholds]
