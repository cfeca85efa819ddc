"""Similar recommendations: nearest neighbours across lists, and groups of records expressing one idea.

Score of a pair of records, in [0, 1] (1 = the same idea in the same words); a weighted mean of components:

| component            | weight | weight, suggested tags | what it compares                                |
|----------------------|--------|------------------------|-------------------------------------------------|
| topics               | 0.46   | 0.33 | curated ``topics`` tags, IDF-weighted cosine (rare topics count more)     |
| concepts             | 0.19   | 0.33 | concept lexicon hits (gift_dash.lexicon), IDF-weighted cosine             |
| terms                | 0.28   | 0.19 | content words after opener/stop-word removal and stemming, TF-IDF cosine  |
| fuzzy                | 0.07   | 0    | rapidfuzz ``token_sort_ratio`` / 100 of the normalised texts              |
| target_groups        | 0      | 0.06 | tags, IDF-weighted cosine                                                 |
| actors               | 0      | 0.06 | tags, IDF-weighted cosine                                                 |
| exploitation_forms   | 0      | 0.03 | tags, IDF-weighted cosine                                                 |

To that mean, ``EMBEDDING_WEIGHT`` (0.2) of the cosine of the two records' measure clauses in wordllama's offline
embedding is added (gift_dash.meaning.measure_clause: the words that say what is asked, before its purpose, manner
or whom it concerns), so that records asking for one measure in other words come closer than records that only share
an actor or a setting. Pairs of records with suggested tags leave it out (it lowered both labelled sets there).
A group shares a measure: two records (curated tags) whose measure clauses both name measures of the concept lexicon,
none of which the other record names anywhere in its text, ask for different things, and their score is multiplied by
``MEASURE_CONFLICT_FACTOR`` (0.6), whatever topic, actor or word they share (an international awareness week beside
legal cooperation, both tagged international cooperation).

What a record asks for weighs more than what surrounds it (records with curated tags; issue 21's blind reader saw
groups held by a shared word, an umbrella item's mention of one of its measures, or a shared beneficiary): a topic
that the record's measure clause does not name in the codebook's own words (gift_dash.suggest, score at least
``NAMED_MIN_SCORE``) weighs ``CONTEXT_TOPIC_WEIGHT`` (0.3) in its topics (a manner, "by raising knowledge …"; a
purpose; the sub-measures an umbrella item lists after its colon), and a concept that names no measure (an actor,
a group such as victims, a setting, a form of exploitation) weighs ``NON_MEASURE_CONCEPT_WEIGHT`` (0.7) in its
concepts. Both are weights within a component, before its cosine is normalised.

A record with no tag at all (an upload of texts only) is compared through the tags the codebook's own words
suggest for its text (gift_dash.suggest), with the second set of weights; its data are not changed.
A tag or concept component counts for a pair only when both records have at least one value in it
(an empty cell means "not stated", not "different"); the weights of the counted components are
re-normalised to sum to 1. Weights and threshold (0.35) were chosen on the development set and checked on two
independent labellings (tests/data/README.md, bench/eval_similarity.py, which prints the figures and, for the
threshold, the choice each labelling's leave-one-out makes: 0.35 for all three on the pages' 0.05 steps). On the 118
annex II records, one group per record, at 0.35: pairwise F1 dev 0.625, independent 0.599, the former held-out
labelling (72 groups, much finer) 0.477; text only 0.511; cross-list recall@5 0.806 (independent); 30 groups of two
or more, 3.37 records on average. Of the 22 pairs the two blind readers of bench/group_judgement/ called different
ideas (both rounds, as listed), 16 are apart (development material since).

Duplicates: records whose texts normalise alike (case, punctuation, openers and stop words aside) and whose
tags are the same are one unit; everything pairwise works on units, so 1,500 copies of a text cost one.

Scale: candidates come from a sparse product of the combined feature matrix with itself, in row
chunks. Up to ``EXACT_UP_TO`` units every pair sharing any feature is a candidate (exact); above,
each unit keeps its top ``CANDIDATES`` partners, looked up through its ``MAX_QUERY_FEATURES``
strongest features that are not shared by very many records (those still count in scoring). Only
candidate pairs are scored with rapidfuzz (``process.cpdist``), so no n×n matrix is ever built.
The neighbours of one record are scored against every unit sharing a feature with it: exact at any size.

Groups (one idea each): average linkage on the sparse candidate graph — two clusters merge while the
mean score over all their cross pairs (a non-candidate pair counting 0) is at least the threshold. A
record therefore joins a group only when it is close to the group as a whole, so A~B~C chains do not
build giant groups. Each group's representative is its medoid (highest summed score to the others).
Its label is its commonest topic (more of its topics only where two groups would read alike, without the
name they share when all of them would take more than ``LABEL_WORDS`` words). A sub-item and the
item it completes never share a group (one idea would count twice), and a pair of one list's items counts
``SAME_LIST_MARGIN`` less, so a list's items join only on strong evidence.

A record that carries a second idea also joins the group of that idea (a second row, also=True) when its
mean score to that group's records is at least the threshold plus ``SECOND_MARGIN``; its other ideas remain
visible through ``neighbours``, which is not exclusive.
Everything is deterministic: ties are broken by record id.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from scipy import sparse
from scipy.sparse import csgraph

from gift_dash import meaning
from gift_dash.lexicon import Normalised, concepts, normalise
from gift_dash.meaning import measure_clause
from gift_dash.schema import NOT_STATED, Codebook, missing_columns, split_multi
from gift_dash.suggest import Lexicon

# Chosen on the development set (tests/data/similarity_dev_groups.csv) by bench/eval_similarity.py, and checked
# on the independent set, which they were not chosen on. Curated tags; the other tag vocabularies add nothing
# there, so they weigh 0 (they still name what two records share, in reasons).
WEIGHTS = {
    "topics": 0.46,
    "concepts": 0.19,
    "terms": 0.28,
    "fuzzy": 0.07,
    "target_groups": 0.0,
    "actors": 0.0,
    "exploitation_forms": 0.0,
}
# A pair where a record's tags are only suggested from its text (gift_dash.suggest): suggested topics are
# noisier, so they weigh less and the concepts more (chosen the same way, on records with their tags removed).
WEIGHTS_SUGGESTED = {
    "topics": 0.33,
    "concepts": 0.33,
    "terms": 0.19,
    "fuzzy": 0.0,
    "target_groups": 0.06,
    "actors": 0.06,
    "exploitation_forms": 0.03,
}
TAG_COMPONENTS = ("topics", "target_groups", "actors", "exploitation_forms")
# Topics that do not name a measure: approaches that run across measures of every kind ("a rights-based approach
# to …", "gender-sensitive …"; the "Human rights approach" group of issue 11), and who is involved or why
# (community leaders, civil society, root causes: the "leaders" and "causes" groups a blind reader rejected in
# issue 21). Sharing one does not make two records the same idea. They stay tags for filters; similarity leaves
# them out. Chosen on the development set (bench/eval_similarity.py prints the option with them counted): the
# last three moved dev F1 from 0.622 to 0.663 and text only from 0.558 to 0.576.
CROSS_CUTTING_TOPICS = frozenset(
    {"human_rights_approach", "gender_equality", "community_mobilization", "civil_society_partnership", "root_causes"}
)
# Concepts of these kinds (data/lexicon.csv) count in the concepts component. An approach (human rights, gender)
# runs across measures of every kind, like CROSS_CUTTING_TOPICS. Measures alone were tried: on the development
# set F1 fell from 0.663 to 0.610 (text only 0.576 to 0.507), so who acts and whom it concerns stay weak signals;
# the pairs a reader calls different ideas are kept apart by leaving out the topics that name no measure, and by
# the grouping's rules (a sub-item never with its parent; items of one list need SAME_LIST_MARGIN more).
COMPARED_CONCEPT_KINDS = frozenset({"measure", "form", "setting", "group", "actor"})
SET_COMPONENTS = ("concepts",) + TAG_COMPONENTS  # count only when both records have a value
# Each labelling left out, the other two pick it on the pages' 0.05 steps (bench/eval_similarity.py).
DEFAULT_THRESHOLD = 0.35
FUZZY_SCORER = fuzz.token_sort_ratio
DEFAULT_K = 5
CANDIDATES = 20  # partners kept per record by candidate generation (quality on the dev set flat from 15 to 30)
EXACT_UP_TO = 2000  # up to this many records every pair sharing a feature is scored: cheap, and exact
# A feature held by more records than this is too common to propose candidates (still scored).
MIN_BLOCKING_DF = 200
BLOCKING_DF_SHARE = 0.02
MAX_QUERY_FEATURES = 12  # strongest features of a record used to look up candidates
# A candidate pair's score is (1 - w) × the weighted mean above + w × the cosine (negatives as 0) of the two records'
# measure clauses (gift_dash.meaning.measure_clause: what is asked, before its purpose and whom it concerns) in
# wordllama's offline embedding. 0.10 until issue 21's third grouping round (then dev F1 0.593 → 0.659, independent
# 0.524 → 0.577 against none). With MEASURE_CONFLICT_FACTOR at 0.6 (bench/eval_similarity.py, t 0.35): 0.1: 0.631 /
# 0.574 / 0.462 (dev / independent / held-out), 14 judged pairs apart; 0.2: 0.625 / 0.599 / 0.477, 16; 0.3: 0.632 /
# 0.594 / 0.471, 15. Leaving one labelling out, the other two pick 0.25–0.3, but there the dev set's best threshold
# drops to 0.30 and the independents with it (at 0.25: 0.559 / 0.442); 0.2 holds from 0.325 to 0.35. Only candidates (pairs
# sharing a word, concept or tag) are scored, as before.
EMBEDDING_WEIGHT = 0.2
EMBEDDING_WEIGHT_SUGGESTED = 0.0
# A group shares a measure (what is asked for), not an actor, a beneficiary or a word. Two records whose measure
# clauses both name a measure of the concept lexicon (data/lexicon.csv, kind measure), none of which the other record
# names anywhere in its text, ask for different things (an international awareness week beside legal cooperation,
# both tagged international cooperation): their score is multiplied by this factor. Chosen with EMBEDDING_WEIGHT on
# the three labellings (bench/eval_similarity.py; every figure below at t 0.35, dev / independent / held-out F1,
# judged different-idea pairs apart of 22): 1.0: 0.633 / 0.588 / 0.468, 7 apart; 0.5 to 0.65: 0.625 / 0.599 / 0.477,
# 16 apart; 0.7 is as good at 0.35 but not at 0.325, the dev set's own best threshold (6 apart), where 0.6 keeps 14.
# Pairs with suggested tags keep 1.0: 0.9 there costs text only 0.511 → 0.497 (independent).
MEASURE_CONFLICT_FACTOR = 0.6
MEASURE_CONFLICT_FACTOR_SUGGESTED = 1.0
# A curated topic that the record's measure clause (gift_dash.meaning.measure_clause: what is asked, before its
# purpose, manner or whom it concerns) does not name weighs CONTEXT_TOPIC_WEIGHT in the record's topics: it is
# context (a manner, a beneficiary, an umbrella item's sub-measures passed down to it), not the measure asked for.
# Named: the codebook's own words give it at least NAMED_MIN_SCORE in the clause (gift_dash.suggest's scores; a
# word every definition uses, such as "trafficking", gives each topic a trace below it). The blind reader of
# bench/group_judgement/ saw umbrella items pulled towards whichever measure their wording mentions (Kampala (h),
# "Involve the private sector …, by raising knowledge …", beside awareness campaigns). Chosen on the development
# set, checked on both independent labellings (bench/eval_similarity.py), at t 0.30: dev F1 0.644 → 0.616,
# independent 0.532 → 0.561, held-out labelling 0.439 → 0.451, recall@5 0.815 → 0.819, and 5 of the reader's 11
# different-idea pairs apart instead of 1 (those pairs are development material now). Any trace counted as named:
# 0.602 / 0.553 / 0.450; weight 0.5: held-out 0.441; 0.4: 0.446; 0: independent 0.503, recall@5 0.726.
CONTEXT_TOPIC_WEIGHT = 0.3
NAMED_MIN_SCORE = 0.2
# A concept that names no measure (data/lexicon.csv kinds actor, group, setting, form: who acts, whom it concerns,
# where) weighs this much in a record with curated tags: the reader saw records grouped for sharing their
# beneficiaries (Cape Town (b), profits recouped "for the benefit of the victims", beside a victims' assistance
# scheme). Left out (0) on the development set: dev F1 fell (issue 21's first round: 0.663 to 0.610), so it only
# weighs less. Chosen on the development set with the threshold (0.35 there); against 1.0 at that set's best
# threshold: dev 0.616 → 0.623, independent 0.561 → 0.567, held-out labelling 0.451 → 0.455, recall@5
# 0.819 → 0.824, judged pairs apart 5 → 6 of 11 (0.5: 0.616 / 0.568 / 0.464, recall 0.809; 0.3: 0.609 / 0.561 /
# 0.458). Text-only pairs keep 1.0 (0.5 there: text only 0.511 → 0.446).
NON_MEASURE_CONCEPT_WEIGHT = 0.7
# Measured and not adopted (bench/eval_similarity.py prints it): a sub-item's clause read after its parent's.
SUB_ITEM_LEAD_IN = False
_CHUNK_ROWS = 2000
# A second group needs its threshold and this much more. Any second group costs pairwise F1 on both labelled
# sets (bench/eval_similarity.py); at 0.10 only the clearest few are kept.
SECOND_MARGIN = 0.10
LABEL_NAMES = 3  # topics a label may name where groups would otherwise read alike
LABEL_WORDS = 8  # a label names the idea in a few words
SAME_LIST_MARGIN = 0.05  # see _linkage_scores; chosen on the development set (bench/eval_similarity.py)
_SCORE_DECIMALS = 4


class SimilarityError(ValueError):
    """The input cannot be compared (e.g. a required column is missing); the message says what to fix."""


@dataclass(frozen=True)
class SimilarityIndex:
    """Everything computed once per corpus: features, candidate pairs and their scores.

    Records whose texts normalise alike and whose tags are the same (exact and near duplicates: case,
    punctuation, openers and stop words aside) are one *unit*; features and pairs are computed per unit, so a
    corpus that repeats a text 1,500 times costs what one copy costs. ``unit``: each record's unit;
    ``members``: each unit's record positions in id order. ``normalised``, ``matrices``, ``has_value``,
    ``fuzzy`` are per unit; ``left``, ``right``: unit positions of each candidate pair (left < right),
    ``scores`` their scores; ``partners``: per unit, its candidate units best first (itself first, at 1.0,
    when it has copies).
    """

    records: pd.DataFrame
    ids: np.ndarray
    lists: np.ndarray
    unit: np.ndarray
    members: tuple[np.ndarray, ...]
    normalised: tuple[Normalised, ...]
    matrices: dict[str, sparse.csr_matrix]
    has_value: dict[str, np.ndarray]
    fuzzy: list[str]
    vocab: dict[str, list[str]]
    idf: dict[str, np.ndarray]
    left: np.ndarray
    right: np.ndarray
    scores: np.ndarray
    partners: tuple[tuple[np.ndarray, np.ndarray], ...]
    combined: sparse.csr_matrix  # every component's features side by side, weighted: shares anything = dot > 0
    vectors: np.ndarray  # per unit: unit vector of its measure clause (gift_dash.meaning), zero when it has no word
    measures: tuple[sparse.csr_matrix, sparse.csr_matrix]  # per unit: measure concepts of its clause, of its text
    suggested: np.ndarray  # per unit: its tags are suggested from its text, not curated
    labels: dict[str, dict[str, str]]  # vocabulary -> value -> codebook label, for reasons and group labels

    @cached_property
    def multiplicity(self) -> np.ndarray:
        return np.array([len(m) for m in self.members], dtype=np.int64)

    @cached_property
    def unit_ids(self) -> np.ndarray:
        """Each unit's smallest record id: its name wherever a tie must not depend on the order of the rows."""
        return self.ids[[int(m[0]) for m in self.members]]

    def position(self, record_id: str) -> int:
        hits = np.flatnonzero(self.ids == record_id)
        if not len(hits):
            raise KeyError(f"no record with id {record_id!r}")
        return int(hits[0])


def _check(records: pd.DataFrame) -> None:
    message = missing_columns(records, ("id", "text"), "similarity")
    if message:
        raise SimilarityError(message)
    ids = records["id"].astype(str)
    duplicated = ids[ids.duplicated()].unique()
    if len(duplicated):
        raise SimilarityError(
            f"column id: duplicate id(s) {', '.join(map(str, duplicated[:5]))}; each record needs a unique id"
        )


def _feature_matrix(
    rows: list[list[str]], sublinear_tf: bool, weights: list[dict[str, float]] | None = None
) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    """Rows of features -> L2-normalised TF-IDF (binary when not ``sublinear_tf``) CSR, vocabulary, idf.
    ``weights``: per row, a factor for some of its features (1 for the others), applied before normalising."""
    # Columns in name order, so that a feature's column never depends on the order of the records.
    vocab = {feature: j for j, feature in enumerate(sorted({f for row in rows for f in row}))}
    indptr, indices, data = [0], [], []
    for r, row in enumerate(rows):
        counts = Counter(row)
        factor = weights[r] if weights is not None else {}
        for feature in sorted(counts):
            indices.append(vocab[feature])
            data.append((1.0 + math.log(counts[feature]) if sublinear_tf else 1.0) * factor.get(feature, 1.0))
        indptr.append(len(indices))
    n = len(rows)
    matrix = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(n, len(vocab)),
    )
    df = np.bincount(matrix.indices, minlength=len(vocab))
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    return sparse.csr_matrix(matrix), list(vocab), idf


def _tag_rows(records: pd.DataFrame, column: str) -> list[list[str]]:
    if column not in records.columns:
        return [[] for _ in range(len(records))]
    return [split_multi(cell) for cell in records[column]]


def _id_rank(ids: np.ndarray) -> np.ndarray:
    """Each record's position in id order; used wherever a tie must not depend on the order of the rows."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return rank


def _top_per_row(rows: np.ndarray, vals: np.ndarray, tiebreak: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the ``limit`` largest ``vals`` of each row (ties: smaller ``tiebreak`` first)."""
    order = np.lexsort((tiebreak, -vals, rows))
    sorted_rows = rows[order]
    rank_in_row = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows, side="left")
    return order[rank_in_row < limit]


def _top_candidates(combined: sparse.csr_matrix, candidates: int, id_rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its ``candidates`` highest-dot-product partners, as pairs (left < right), unique.

    Unless every partner is wanted, only a record's ``MAX_QUERY_FEATURES`` strongest features that are not
    too common look partners up, which bounds the work per record however large the corpus. Ties go to
    the smaller id, so the result does not depend on row order.
    """
    n = combined.shape[0]
    query = combined
    if candidates < n - 1:
        df = np.bincount(combined.indices, minlength=combined.shape[1])
        max_df = max(MIN_BLOCKING_DF, int(BLOCKING_DF_SHARE * n))
        coo = combined.tocoo()
        usable = df[coo.col] <= max_df
        rows, cols, vals = coo.row[usable], coo.col[usable], coo.data[usable]
        keep = _top_per_row(rows, vals, cols, MAX_QUERY_FEATURES)  # feature index = name order: order-free
        query = sparse.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=combined.shape)
    index_t = combined.T.tocsr()
    lefts, rights = [], []
    for start in range(0, n, _CHUNK_ROWS):
        product = (query[start : start + _CHUNK_ROWS] @ index_t).tocsr()
        for offset in range(product.shape[0]):
            row = start + offset
            lo, hi = product.indptr[offset], product.indptr[offset + 1]
            cols, vals = product.indices[lo:hi], product.data[lo:hi]
            keep = cols != row
            cols, vals = cols[keep], vals[keep]
            if len(cols) > candidates:
                # A linear-time cut first (a row can hold thousands of partners), then an exact sort of the few.
                cut = np.partition(vals, len(vals) - candidates)[len(vals) - candidates]
                cols, vals = cols[vals >= cut], vals[vals >= cut]
                cols = cols[np.lexsort((id_rank[cols], -vals))[:candidates]]
            lefts.append(np.full(len(cols), row, dtype=np.int64))
            rights.append(cols.astype(np.int64))
    if not lefts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    a, b = np.concatenate(lefts), np.concatenate(rights)
    left, right = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique(left * n + right)
    return pairs // n, pairs % n


def _row_dot(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if not len(left):
        return np.empty(0)
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1)).ravel()


def _pair_scores(
    matrices: dict[str, sparse.csr_matrix],
    has_value: dict[str, np.ndarray],
    fuzzy: list[str],
    suggested: np.ndarray,
    vectors: np.ndarray,
    measures: tuple[sparse.csr_matrix, sparse.csr_matrix],
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """The combined score (module docstring) of each pair (left[i], right[i]); ``suggested``: units whose tags
    are suggested, not curated (their pairs use WEIGHTS_SUGGESTED); ``vectors``: each unit's measure clause
    embedded (weight ``EMBEDDING_WEIGHT``); ``measures``: the measure concepts of each unit's clause and of its
    whole text (``MEASURE_CONFLICT_FACTOR``)."""
    numerator = np.zeros(len(left))
    weight_sum = np.zeros(len(left))
    either = suggested[left] | suggested[right]

    def weight(name: str) -> np.ndarray:
        return np.where(either, WEIGHTS_SUGGESTED[name], WEIGHTS[name])

    for name, matrix in matrices.items():
        part = _row_dot(matrix, left, right)
        counted = has_value[name][left] & has_value[name][right] if name in SET_COMPONENTS else np.ones(len(left), bool)
        numerator += weight(name) * np.where(counted, part, 0.0)
        weight_sum += weight(name) * counted
    if len(left):
        ratios = process.cpdist(
            [fuzzy[i] for i in left], [fuzzy[j] for j in right], scorer=FUZZY_SCORER, dtype=np.float32
        )
        numerator += weight("fuzzy") * ratios / 100.0
        weight_sum += weight("fuzzy")
    cosine = np.clip(np.einsum("ij,ij->i", vectors[left], vectors[right]), 0.0, 1.0) if len(left) else 0.0
    share = np.where(either, EMBEDDING_WEIGHT_SUGGESTED, EMBEDDING_WEIGHT)
    score = (1.0 - share) * np.clip(numerator / weight_sum, 0.0, 1.0) + share * cosine
    factor = np.where(either, MEASURE_CONFLICT_FACTOR_SUGGESTED, MEASURE_CONFLICT_FACTOR)
    score *= np.where(_measures_differ(measures, left, right), factor, 1.0)
    return np.round(np.clip(score, 0.0, 1.0), _SCORE_DECIMALS)


def _measures_differ(
    measures: tuple[sparse.csr_matrix, sparse.csr_matrix], left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Per pair: both measure clauses name a measure of the lexicon, and neither's is named anywhere in the other
    record's text: the two ask for different things, whatever they share around it."""
    clause, whole = measures
    if not len(left):
        return np.zeros(0, dtype=bool)
    named = np.diff(clause.indptr) > 0

    def found_in_other(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(clause[a].multiply(whole[b]).sum(axis=1)).ravel() > 0

    return named[left] & named[right] & ~found_in_other(left, right) & ~found_in_other(right, left)


def _index_pair_scores(index: SimilarityIndex, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``_pair_scores`` of pairs of an index's units, scored off the candidates (exactly as candidates are)."""
    return _pair_scores(
        index.matrices, index.has_value, index.fuzzy, index.suggested, index.vectors, index.measures, left, right
    )


def _suggested_where_untagged(
    tags: dict[str, list[list[str]]], texts: list[str], codebook: Codebook | None
) -> tuple[dict[str, list[list[str]]], np.ndarray]:
    """Tag rows with, for each record that has no tag at all (an upload of texts only), the tags the codebook's
    own words suggest for its text (gift_dash.suggest), and which records got them. Used for comparing only:
    the record is not tagged."""
    flags = np.ones(len(texts), dtype=bool)
    for column in TAG_COMPONENTS:
        flags &= ~np.fromiter(map(bool, tags[column]), dtype=bool, count=len(texts))
    if codebook is None or not flags.any():
        return tags, np.zeros(len(texts), dtype=bool)
    untagged = np.flatnonzero(flags)
    distinct, which = Lexicon.of(codebook).tags_many(np.asarray(texts, dtype=object)[untagged].tolist())
    filled = {}
    for column, rows in tags.items():
        cells = pd.Series(rows, dtype=object).to_numpy(copy=True)
        if column in TAG_COMPONENTS:
            cells[untagged] = pd.Series([t.get(column, []) for t in distinct], dtype=object).to_numpy()[which]
        filled[column] = cells.tolist()
    return filled, flags


def _units(
    records: pd.DataFrame, ids: np.ndarray, codebook: Codebook | None
) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[Normalised, ...], dict[str, list[list[str]]], np.ndarray]:
    """Records that normalise alike with the same tags (curated or suggested alike), as one unit each (numbered
    in id order, so the result does not depend on the order of the rows): each record's unit, each unit's
    members, and each unit's normalised text, tag rows and whether its tags are suggested."""
    by_text: dict[str, Normalised] = {}
    texts = records["text"].fillna("").astype(str).tolist()
    normalised = [by_text[t] if t in by_text else by_text.setdefault(t, normalise(t)) for t in texts]
    tags, suggested = _suggested_where_untagged(
        {column: _tag_rows(records, column) for column in TAG_COMPONENTS}, texts, codebook
    )
    unit = np.empty(len(records), dtype=np.int64)
    number: dict[tuple, int] = {}
    for position in np.argsort(ids, kind="stable").tolist():
        n = normalised[position]
        key = (n.terms, n.concepts, n.fuzzy, *(tuple(sorted(tags[c][position])) for c in TAG_COMPONENTS))
        if not any(key):  # nothing to compare: an empty text is alike to nothing, not a copy of another empty one
            key = (position,)
        unit[position] = number.setdefault((*key, bool(suggested[position])), len(number))
    order = np.lexsort((_id_rank(ids), unit))
    members = tuple(np.split(order, np.flatnonzero(np.diff(unit[order])) + 1)) if len(order) else ()
    first = [int(m[0]) for m in members]
    return (
        unit,
        members,
        tuple(normalised[i] for i in first),
        {c: [tags[c][i] for i in first] for c in tags},
        suggested[first] if first else np.zeros(0, dtype=bool),
    )


def _partners(
    n_units: int,
    left: np.ndarray,
    right: np.ndarray,
    scores: np.ndarray,
    multiplicity: np.ndarray,
    unit_rank: np.ndarray,
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per unit, its candidate units and scores, best first (ties: smaller id); a unit with copies lists itself
    first at 1.0, as its copies are the same text."""
    selves = np.flatnonzero(multiplicity > 1)
    a = np.concatenate([left, right, selves])
    b = np.concatenate([right, left, selves])
    sc = np.concatenate([scores, scores, np.ones(len(selves))])
    order = np.lexsort((unit_rank[b], -sc, a))
    a, b, sc = a[order], b[order], sc[order]
    bounds = np.searchsorted(a, np.arange(n_units + 1))
    return tuple((b[bounds[u] : bounds[u + 1]], sc[bounds[u] : bounds[u + 1]]) for u in range(n_units))


def _clauses(records: pd.DataFrame, ids: np.ndarray, texts: np.ndarray, members) -> list[str]:
    """Each unit's measure clause (gift_dash.meaning.measure_clause); with ``SUB_ITEM_LEAD_IN``, a sub-item's is
    preceded by its parent's, as a sub-item completes the measure its parent item asks for."""
    own = [measure_clause(texts[int(m[0])]) for m in members]
    if not SUB_ITEM_LEAD_IN or "parent_id" not in records.columns:
        return own
    position = {record_id: p for p, record_id in enumerate(ids.tolist())}
    parents = records["parent_id"].fillna("").astype(str).to_numpy(dtype=object)
    out = []
    for u, m in enumerate(members):
        parent = parents[int(m[0])]
        out.append(f"{measure_clause(texts[position[parent]])} {own[u]}" if parent in position else own[u])
    return out


def _measure_matrices(
    clauses: list[str], normalised: tuple[Normalised, ...], kinds: dict[str, str]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Unit × measure-concept matrices (data/lexicon.csv, kind measure): the measures each unit's measure clause
    names, and those its whole text names (non-zero where named)."""
    rows = [
        [c for c in found if kinds.get(c) == "measure"]
        for found in [normalise(clause).concepts for clause in clauses] + [n.concepts for n in normalised]
    ]
    # Only which measures a unit names is read (a product's non-zeros), so the features' TF-IDF weights do no harm.
    matrix, _, _ = _feature_matrix(rows, sublinear_tf=False)
    return matrix[: len(clauses)], matrix[len(clauses) :]


def _topics_named(codebook: Codebook, clauses: list[str]) -> list[set[str]]:
    """Per clause, the topics the codebook's own words name in it (gift_dash.suggest's score at least
    ``NAMED_MIN_SCORE``)."""
    return Lexicon.of(codebook).named(clauses, "topics", NAMED_MIN_SCORE)


def build_index(
    records: pd.DataFrame, candidates: int | None = None, codebook: Codebook | None = None
) -> SimilarityIndex:
    """Compute features, candidate pairs and their scores for ``records`` (at least ``id`` and ``text``).
    ``candidates``: partners kept per unit (distinct text); default every partner up to EXACT_UP_TO units, else
    CANDIDATES. ``codebook`` names tag values in reasons and labels (without one they are shown as written),
    and supplies suggested tags for records that have none.
    IDF counts units, not records: a text repeated many times is one voice, and its words do not become common."""
    _check(records)
    records = records.reset_index(drop=True)
    ids = records["id"].astype(str).to_numpy()
    unit, members, normalised, tags, suggested = _units(records, ids, codebook)
    n_units = len(members)
    if candidates is None:
        candidates = n_units if n_units <= EXACT_UP_TO else CANDIDATES
    kinds = concepts().kinds
    texts = records["text"].fillna("").astype(str).to_numpy(dtype=object)
    clauses = _clauses(records, ids, texts, members)
    rows = {
        "terms": [list(n.terms) for n in normalised],
        "concepts": [[c for c in n.concepts if kinds.get(c) in COMPARED_CONCEPT_KINDS] for n in normalised],
        **tags,
        "topics": [[v for v in row if v not in CROSS_CUTTING_TOPICS] for row in tags["topics"]],
    }
    factors: dict[str, list[dict[str, float]]] = {}
    if NON_MEASURE_CONCEPT_WEIGHT != 1.0:
        factors["concepts"] = [
            {} if suggested[u] else {c: NON_MEASURE_CONCEPT_WEIGHT for c in row if kinds.get(c) != "measure"}
            for u, row in enumerate(rows["concepts"])
        ]
    if CONTEXT_TOPIC_WEIGHT != 1.0 and codebook is not None and not suggested.all():
        named = _topics_named(codebook, clauses)
        factors["topics"] = [
            {} if suggested[u] else {v: CONTEXT_TOPIC_WEIGHT for v in row if v not in named[u]}
            for u, row in enumerate(rows["topics"])
        ]
    matrices, vocab, idf, has_value = {}, {}, {}, {}
    for name, feature_rows in rows.items():
        matrices[name], vocab[name], idf[name] = _feature_matrix(
            feature_rows, sublinear_tf=name == "terms", weights=factors.get(name)
        )
        has_value[name] = np.array([bool(r) for r in feature_rows], dtype=bool)
    combined = sparse.hstack(
        [math.sqrt(max(WEIGHTS[name], WEIGHTS_SUGGESTED[name])) * m for name, m in matrices.items()], format="csr"
    )
    unit_rank = _id_rank(ids[[int(m[0]) for m in members]]) if n_units else np.empty(0, dtype=np.int64)
    left, right = _top_candidates(combined, candidates, unit_rank)
    fuzzy = [n.fuzzy for n in normalised]
    vectors = (
        meaning.embed(clauses)
        if EMBEDDING_WEIGHT or EMBEDDING_WEIGHT_SUGGESTED
        else np.zeros((n_units, meaning.DIMENSIONS), dtype=np.float32)
    )
    measures = _measure_matrices(clauses, normalised, kinds)
    scores = _pair_scores(matrices, has_value, fuzzy, suggested, vectors, measures, left, right)
    partners = _partners(n_units, left, right, scores, np.array([len(m) for m in members]), unit_rank)
    lists = (
        records["list_id"].fillna("").astype(str).to_numpy()
        if "list_id" in records.columns
        else np.array([""] * len(records), dtype=object)
    )
    labels = {vocab: codebook.labels(vocab) for vocab in TAG_COMPONENTS} if codebook is not None else {}
    return SimilarityIndex(
        records,
        ids,
        lists,
        unit,
        members,
        normalised,
        matrices,
        has_value,
        fuzzy,
        vocab,
        idf,
        left,
        right,
        scores,
        partners,
        combined,
        vectors,
        measures,
        suggested,
        labels,
    )


def _as_index(source: pd.DataFrame | SimilarityIndex) -> SimilarityIndex:
    return source if isinstance(source, SimilarityIndex) else build_index(source)


def _label(index: SimilarityIndex, vocabulary: str, value: str) -> str:
    if vocabulary == "concepts":
        return concepts().labels.get(value, value)
    return index.labels.get(vocabulary, {}).get(value) or value.replace("_", " ")


def _shared(index: SimilarityIndex, name: str, i: int, j: int) -> list[str]:
    """Features of component ``name`` held by both records, most informative (highest idf) first."""
    matrix = index.matrices[name]
    a = set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]])
    b = set(matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]])
    both = sorted(a & b, key=lambda f: (-index.idf[name][f], index.vocab[name][f]))
    return [index.vocab[name][f] for f in both]


def reason(index: SimilarityIndex, i: int, j: int, max_terms: int = 4) -> str:
    """Why records at positions i and j are similar, in words: shared topics, ideas and terms."""
    i, j = int(index.unit[i]), int(index.unit[j])
    if i == j:
        return "the same wording and tags"
    parts = []
    topics = _shared(index, "topics", i, j)
    if topics:
        parts.append("shared topics: " + ", ".join(_label(index, "topics", t) for t in topics))
    concepts = _shared(index, "concepts", i, j)
    if concepts:
        parts.append("shared ideas: " + ", ".join(_label(index, "concepts", c) for c in concepts[:max_terms]))
    terms = _shared(index, "terms", i, j)
    if terms:
        surface = index.normalised[i].surface
        parts.append("shared terms: " + ", ".join(surface.get(t, t) for t in terms[:max_terms]))
    for name in ("target_groups", "actors"):
        shared = _shared(index, name, i, j)
        if shared:
            parts.append(f"shared {name.replace('_', ' ')}: " + ", ".join(_label(index, name, v) for v in shared))
    return "; ".join(parts) or "similar wording"


NEIGHBOUR_COLUMNS = ["id", "rank", "neighbour_id", "score", "reason"]


def _all_partners(index: SimilarityIndex, unit: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Like ``index.partners[unit]``, but scored against every unit sharing a feature with it (among the units of
    ``allowed`` records), not only the candidates: exact however large the corpus."""
    others = np.unique(index.unit[allowed]) if allowed is not None else np.arange(len(index.members))
    shares = np.asarray((index.combined[others] @ index.combined[unit].T).todense()).ravel() > 0
    others = others[shares & (others != unit)]
    scores = _index_pair_scores(index, np.full(len(others), unit), others)
    if len(index.members[unit]) > 1:
        others, scores = np.r_[unit, others], np.r_[1.0, scores]
    order = np.lexsort((index.unit_ids[others], -scores))
    return others[order], scores[order]


def neighbours(
    source: pd.DataFrame | SimilarityIndex,
    record_id: str | None = None,
    k: int = DEFAULT_K,
    among: Iterable[str] | None = None,
    reasons: bool = True,
) -> pd.DataFrame:
    """Top-``k`` most similar records from OTHER lists (``list_id`` differs; without a ``list_id`` column
    every other record qualifies), for one record or (``record_id=None``) for every record. With ``among``,
    only records with those ids can be neighbours (e.g. annex II records under the current filters).

    Columns: id, rank (1 = most similar), neighbour_id, score (0–1), reason (empty when ``reasons`` is False,
    which saves time on large corpora). Records that share no word,
    concept or tag with any other have no rows. Raises KeyError for an unknown ``record_id``.
    Copies of a text are found like any other record (score 1.0), and cost no more than one record each.
    For one record the search is exact (every record sharing a feature is scored); for every record at once
    it reads the candidate pairs, which are exact up to EXACT_UP_TO distinct texts.
    """
    index = _as_index(source)
    if k < 1:
        raise ValueError("k must be at least 1")
    queries = range(len(index.ids)) if record_id is None else [index.position(str(record_id))]
    allowed = None
    if among is not None:
        # A set lookup per record: np.isin on object arrays of ids takes minutes at 20k records.
        wanted = among if isinstance(among, (set, frozenset)) else set(among)
        allowed = np.fromiter((i in wanted for i in index.ids), dtype=bool, count=len(index.ids))
    by_query: dict[tuple[int, str], list[int]] = {}  # records of one unit in one list get the same neighbours
    for position in queries:
        by_query.setdefault((int(index.unit[position]), str(index.lists[position])), []).append(position)
    columns: dict[str, list] = {"id": [], "rank": [], "neighbour_id": [], "score": [], "left": [], "right": []}
    for (unit, list_id), asking in by_query.items():
        need = k + 1  # one spare: a record's own copies are candidates, the record itself is not
        found, found_scores, count, last = [], [], 0, None
        partners = index.partners[unit] if record_id is None else _all_partners(index, unit, allowed)
        for other, score in zip(*partners, strict=True):
            if count >= need and score < last:
                break  # ties with the last one taken are still read, so that ids break them
            members = index.members[other]
            ok = (index.lists[members] != list_id) if list_id else np.ones(len(members), dtype=bool)
            if allowed is not None:
                ok &= allowed[members]
            members = members[ok][:need]
            found.append(members)
            found_scores.append(np.full(len(members), score))
            count, last = count + len(members), score
        if not count:
            continue
        found_at, scores = np.concatenate(found), np.concatenate(found_scores)
        order = np.lexsort((index.ids[found_at], -scores))
        found_at, scores = found_at[order], scores[order]
        for position in asking:
            keep = found_at != position
            near, near_scores = found_at[keep][:k], scores[keep][:k]
            columns["id"] += [index.ids[position]] * len(near)
            columns["rank"] += list(range(1, len(near) + 1))
            columns["neighbour_id"] += index.ids[near].tolist()
            columns["score"] += near_scores.tolist()
            columns["left"] += [position] * len(near)
            columns["right"] += near.tolist()
    frame = pd.DataFrame(
        {
            "id": pd.Series(columns["id"], dtype=object),
            "rank": pd.Series(columns["rank"], dtype=np.int64),
            "neighbour_id": pd.Series(columns["neighbour_id"], dtype=object),
            "score": pd.Series(columns["score"], dtype=np.float64),
            "reason": [reason(index, i, j) for i, j in zip(columns["left"], columns["right"], strict=True)]
            if reasons
            else "",
        },
        columns=NEIGHBOUR_COLUMNS,
    )
    return frame.sort_values(["id", "rank"], kind="stable").reset_index(drop=True)


GROUP_COLUMNS = ["id", "group", "label", "score", "also"]


def _parent_pairs(index: SimilarityIndex) -> list[tuple[int, int]]:
    """(unit of a sub-item, unit of the item it completes) for each record whose parent_id is a record here."""
    if "parent_id" not in index.records.columns:
        return []
    position = {record_id: p for p, record_id in enumerate(index.ids.tolist())}
    parents = index.records["parent_id"].fillna("").astype(str).tolist()
    return sorted(
        {
            (int(index.unit[child]), int(index.unit[position[parent]]))
            for child, parent in enumerate(parents)
            if parent in position and index.unit[child] != index.unit[position[parent]]
        }
    )


def _linkage_scores(index: SimilarityIndex) -> np.ndarray:
    """The candidate pairs' scores as grouping reads them: a pair of items of one list counts ``SAME_LIST_MARGIN``
    less, so items of a list join only on strong evidence (a list's items share its topic and wording, and
    merged into topic clusters: five Abidjan prevention items became "Education")."""
    lists = index.lists[[int(m[0]) for m in index.members]] if len(index.members) else np.empty(0, dtype=object)
    same = (lists[index.left] == lists[index.right]) & (lists[index.left] != "")
    return np.where(same, np.maximum(index.scores - SAME_LIST_MARGIN, 0.0), index.scores)


def _average_linkage(index: SimilarityIndex, threshold: float) -> np.ndarray:
    """Cluster id (a member position) for every record: average linkage on the sparse candidate graph.

    The similarity of two clusters is the mean score over all their cross pairs, a pair that is not a
    candidate counting 0; the closest two clusters merge while that mean is at least ``threshold``.
    Exact for the candidate graph, and it never chains: a record joins a cluster only when it is close
    to the cluster as a whole. Ties are broken by record id, so the result does not depend on row order.
    """
    n = len(index.members)
    rank = _id_rank(index.unit_ids)  # node key: results do not depend on the order of the records
    multiplicity = index.multiplicity[np.argsort(rank)].tolist()  # in node-key order; Python ints: a hot loop
    # A unit starts as a cluster of its copies (each pair of copies scoring 1.0): sizes are multiplicities and
    # the sum of scores between two units is their score times both sizes, so the means are those of records.
    # Two clusters can reach a mean at the threshold only if some pair between them is at the threshold, so
    # clusters never grow beyond the connected components of the pairs at the threshold: pairs between
    # components can be left out from the start (exact, and most of the work at scale).
    scores = _linkage_scores(index)
    strong = scores >= threshold
    graph = sparse.coo_matrix((np.ones(int(strong.sum())), (index.left[strong], index.right[strong])), shape=(n, n))
    _, component = csgraph.connected_components(graph, directed=False)
    inside = component[index.left] == component[index.right]
    links: list[dict[int, float]] = [{} for _ in range(n)]  # cluster -> neighbour cluster -> sum of scores
    apart: list[set[int]] = [set() for _ in range(n)]  # cluster -> clusters holding a parent or sub-item of it
    for i, j in _parent_pairs(index):
        apart[rank[i]].add(int(rank[j]))
        apart[rank[j]].add(int(rank[i]))
    for i, j, s in zip(
        rank[index.left[inside]].tolist(),
        rank[index.right[inside]].tolist(),
        scores[inside].tolist(),
        strict=True,
    ):
        links[i][j] = links[j][i] = s * multiplicity[i] * multiplicity[j]
    heap = [
        (-s / (multiplicity[i] * multiplicity[j]), i, j)
        for i, row in enumerate(links)
        for j, s in row.items()
        if i < j and s >= threshold * multiplicity[i] * multiplicity[j]
    ]
    heapq.heapify(heap)
    parent = list(range(n))  # lists, not arrays: this loop reads single items millions of times
    size = list(multiplicity)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or b not in links[a]:
            continue
        if abs(links[a][b] / (size[a] * size[b]) + negative) > 1e-12:
            continue  # stale entry: the pair's mean changed since it was pushed
        if b in apart[a]:
            continue  # a sub-item and the item it completes would count one idea twice
        survivor, gone = (a, b) if len(links[a]) >= len(links[b]) else (b, a)
        parent[gone] = survivor
        size[survivor] += size[gone]
        for other in apart[gone]:
            apart[other].discard(gone)
            apart[other].add(survivor)
        apart[survivor] |= apart[gone]
        apart[gone] = set()
        for other, total in links[gone].items():
            links[other].pop(gone)
            if other != survivor:
                links[survivor][other] = links[survivor].get(other, 0.0) + total
                links[other][survivor] = links[survivor][other]
        links[gone] = {}
        for other, total in links[survivor].items():
            mean = total / (size[survivor] * size[other])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(survivor, other), max(survivor, other)))
    for node in range(n):  # path compression: every node points at its cluster's root
        root = node
        while parent[root] != root:
            root = parent[root]
        parent[node] = root
    return np.asarray(parent)[rank]


def _representatives(index: SimilarityIndex, cluster: np.ndarray) -> tuple[dict[int, int], np.ndarray]:
    """Each cluster's medoid unit (the one with the highest summed score to the other members, copies counting
    1.0 each; id breaks ties) and every unit's score with its medoid (1.0 for the medoid and its copies; scored
    exactly, even off the candidates)."""
    n = len(index.members)
    multiplicity = index.multiplicity
    same = cluster[index.left] == cluster[index.right]
    within = np.bincount(index.left[same], weights=index.scores[same] * multiplicity[index.right[same]], minlength=n)
    within += np.bincount(index.right[same], weights=index.scores[same] * multiplicity[index.left[same]], minlength=n)
    within += multiplicity - 1
    order = np.lexsort((index.unit_ids, -np.round(within, _SCORE_DECIMALS), cluster))
    medoid: dict[int, int] = {}
    for node in order.tolist():
        medoid.setdefault(int(cluster[node]), node)
    others = np.array([node for node in range(n) if medoid[int(cluster[node])] != node], dtype=np.int64)
    centres = np.array([medoid[int(cluster[node])] for node in others], dtype=np.int64)
    score = np.ones(n)
    score[others] = _index_pair_scores(index, centres, others)
    return medoid, score


def _label_candidates(index: SimilarityIndex, members: list[int], limit: int = 2) -> list[str]:
    """The topics most members share (rarer topic on ties), best first; without topics, the measures of the
    lexicon they name most (a group is one measure; the actors and settings it shares do not name it)."""
    kinds = concepts().kinds
    for name in ("topics", "concepts"):
        matrix = index.matrices[name]
        counts = Counter()
        for m in members:
            counts.update(matrix.indices[matrix.indptr[m] : matrix.indptr[m + 1]].tolist())
        if name == "concepts":
            counts = Counter({f: c for f, c in counts.items() if kinds.get(index.vocab[name][f]) == "measure"})
        if counts:
            best = sorted(counts, key=lambda f: (-counts[f], -index.idf[name][f], index.vocab[name][f]))[:limit]
            return [_label(index, name, index.vocab[name][f]) for f in best]
    return []


def _group_labels(index: SimilarityIndex, units: dict[int, list[int]], centre_unit: dict[int, int]) -> dict[int, str]:
    """A label per group (``units``: group -> its records' units, a unit once per record) naming the idea its
    members share in a few words: its best topic, and the second best where two groups would read alike
    ("Training of law enforcement and security forces"). No tail of shared words: it named actors and settings
    ("Community mobilisation: leaders, alignment, society"), not the idea."""
    candidates = {}
    for c, group in units.items():
        rest = sorted(group)  # units are numbered in id order: the labels do not depend on the order of the rows
        rest.remove(centre_unit[c])
        candidates[c] = _label_candidates(index, [centre_unit[c]] + rest, LABEL_NAMES)
    labels = {c: names[0] if names else NOT_STATED for c, names in candidates.items()}
    shown = [c for c in sorted(units, key=lambda c: index.unit_ids[centre_unit[c]]) if len(units[c]) > 1]
    for length in range(2, LABEL_NAMES + 2):  # groups that would read alike name more of what they share
        seen = Counter(labels[c] for c in shown)
        for c in shown:
            if seen[labels[c]] > 1:
                names = candidates[c][:length]
                if length > LABEL_NAMES:
                    labels[c] = f"{labels[c]} ({shown.index(c) + 1})"
                elif len(" · ".join(names).split()) > LABEL_WORDS:
                    # Too long to read at a glance: what sets the group apart, without the name it shares with
                    # the groups it would read like ("Rehabilitation and reintegration", not "Disarmament,
                    # demobilization and reintegration (DDR) · Rehabilitation and reintegration").
                    labels[c] = " · ".join(names[1:])
                else:
                    labels[c] = " · ".join(names)
    return labels


def _second_groups(index: SimilarityIndex, cluster: np.ndarray, threshold: float) -> dict[int, int]:
    """Unit -> a second cluster for units that carry a second idea: the other cluster (of two or more records)
    to whose records the unit's mean score (non-candidates counting 0) is highest, when that mean is at least
    ``threshold + SECOND_MARGIN``: as close to that group as its members must be to each other, and then some."""
    n = len(index.members)
    if not len(index.left):
        return {}
    multiplicity = index.multiplicity
    rows = np.r_[index.left, index.right]
    towards = cluster[np.r_[index.right, index.left]]
    sums = sparse.coo_matrix(
        (np.r_[index.scores * multiplicity[index.right], index.scores * multiplicity[index.left]], (rows, towards)),
        shape=(n, n),
    ).tocsr()
    size = np.bincount(cluster, weights=multiplicity, minlength=n)
    apart: dict[int, set[int]] = {}
    for i, j in _parent_pairs(index):
        apart.setdefault(i, set()).add(int(cluster[j]))
        apart.setdefault(j, set()).add(int(cluster[i]))
    second = {}
    for unit in range(n):
        lo, hi = sums.indptr[unit], sums.indptr[unit + 1]
        clusters, totals = sums.indices[lo:hi], sums.data[lo:hi]
        means = totals / size[clusters]
        ok = (clusters != cluster[unit]) & (size[clusters] >= 2) & (means >= threshold + SECOND_MARGIN)
        ok &= ~np.isin(clusters, list(apart.get(unit, ())))
        if ok.any():
            candidates = np.flatnonzero(ok)
            best = candidates[np.lexsort((clusters[candidates], -means[candidates]))[0]]
            second[unit] = int(clusters[best])
    return second


def _event_ids(records: pd.DataFrame) -> np.ndarray:
    """Each record's event id, "" where none is stated (or the frame has no event_id column)."""
    if "event_id" not in records.columns:
        return np.full(len(records), "", dtype=object)
    return records["event_id"].fillna("").astype(str).str.strip().to_numpy(dtype=object)


def groups(
    source: pd.DataFrame | SimilarityIndex, threshold: float = DEFAULT_THRESHOLD, second: bool = True
) -> pd.DataFrame:
    """Every record with its group: columns id, group (1 = spans most events), label (what the members share),
    score (similarity to the group's representative; 1.0 for the representative itself), also (False for the
    record's own group). Records with no partner at ``threshold`` are groups of one. A record that also carries
    the idea of another group (``second``; see the module docstring) has a second row there, with also=True."""
    index = _as_index(source)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    cluster = _average_linkage(index, threshold)
    medoid, unit_score = _representatives(index, cluster)
    also_of = _second_groups(index, cluster, threshold) if second else {}
    centre_of_unit = np.array([medoid[int(c)] for c in cluster.tolist()], dtype=np.int64)
    first_record = np.array([int(m[0]) for m in index.members], dtype=np.int64)
    # One row per membership: (record, the centre unit of its group, score, also).
    rows = [(node, int(centre_of_unit[u]), float(unit_score[u]), False) for node, u in enumerate(index.unit.tolist())]
    if also_of:
        units = np.array(sorted(also_of), dtype=np.int64)
        centres = np.array([medoid[also_of[u]] for u in units.tolist()], dtype=np.int64)
        scores = dict(
            zip(
                units.tolist(),
                _index_pair_scores(index, centres, units).tolist(),
                strict=True,
            )
        )
        rows += [
            (node, medoid[also_of[u]], scores[u], True) for node, u in enumerate(index.unit.tolist()) if u in also_of
        ]
    events = _event_ids(index.records)
    members: dict[int, list[int]] = {}
    for node, centre, _, _ in rows:
        members.setdefault(centre, []).append(node)
    spans = {c: len(set(events[members[c]]) - {""}) for c in members}
    ranked = sorted(members, key=lambda c: (-spans[c], -len(members[c]), index.ids[first_record[c]]))
    group_of = {c: number for number, c in enumerate(ranked, start=1)}
    labels = _group_labels(
        index, {c: [int(index.unit[m]) for m in group] for c, group in members.items()}, {c: c for c in members}
    )
    frame = pd.DataFrame(
        {
            "id": index.ids[[node for node, _, _, _ in rows]],
            "group": [group_of[c] for _, c, _, _ in rows],
            "label": [labels[c] for _, c, _, _ in rows],
            "score": np.round([sc for _, _, sc, _ in rows], _SCORE_DECIMALS),
            "also": [also for _, _, _, also in rows],
        },
        columns=GROUP_COLUMNS,
    )
    frame = frame.sort_values(["group", "also", "score", "id"], ascending=[True, True, False, True], kind="stable")
    return frame.reset_index(drop=True)


SUMMARY_COLUMNS = [
    "group",
    "label",
    "representative_id",
    "representative_text",
    "events",
    "n_events",
    "n_members",
    "member_ids",
    "also_ids",
]


def group_summary(records: pd.DataFrame, groups_frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group, ranked by the number of events it spans (then members): representative (the member
    with the highest score: the medoid, unless the selection leaves it out) and its verbatim text, events
    (sorted list), counts and member ids (representative first, then by score). Only ids present in
    ``records`` are counted, so a filtered ``records`` frame gives the groups as seen within that selection.
    A record in a group through a second idea (``also``) counts there too, in members and events, like a record
    with two themes; ``also_ids`` lists those members."""
    merged = groups_frame.merge(
        pd.DataFrame({"id": records["id"].astype(str), "text": records["text"], "event_id": _event_ids(records)}),
        on="id",
        how="inner",
    )
    if "also" not in merged.columns:  # a groups frame written before records could carry two ideas
        merged["also"] = False
    merged = merged.sort_values(["group", "also", "score", "id"], ascending=[True, True, False, True], kind="stable")
    by_group = merged.groupby("group", sort=True)
    first = merged.drop_duplicates("group").set_index("group")
    summary = pd.DataFrame(
        {
            "label": first["label"],
            "representative_id": first["id"],
            "representative_text": first["text"],
            "n_members": by_group.size(),
            "member_ids": by_group["id"].agg(list),
            "also_ids": merged[merged["also"]].groupby("group")["id"].agg(list),
        }
    )
    summary["also_ids"] = [ids if isinstance(ids, list) else [] for ids in summary["also_ids"]]
    named = merged.loc[merged["event_id"] != "", ["group", "event_id"]].drop_duplicates()
    events = named.sort_values(["group", "event_id"]).groupby("group")["event_id"].agg(list)
    summary["events"] = [e if isinstance(e, list) else [] for e in events.reindex(summary.index)]
    summary["n_events"] = summary["events"].map(len)
    summary = summary.rename_axis("group").reset_index()[SUMMARY_COLUMNS]
    return summary.sort_values(
        ["n_events", "n_members", "group"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
