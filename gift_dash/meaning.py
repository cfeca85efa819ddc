"""How close two texts are in meaning: wordllama's offline embedding, loaded once per process, and the level a
query must reach to be more than chance.

wordllama 0.4 ships its 256-dimension weights inside its package, so the model is read from there with downloads
disabled: no request ever leaves the machine. It averages token vectors (no transformer), so a text costs about
0.1 ms: the shipped records embed in milliseconds and 20,000 distinct texts in about 2 s.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSIONS = 256
# The level a query's best match must reach to count as related: this percentile of the best cosine that strings
# of random tokens (the model's own vocabulary: words and word pieces of many languages, as typed gibberish and
# off-topic words are) reach against the same corpus. A query below it is no closer to any record than noise. 97
# (not 99) was chosen on every three of the four search question sets (bench/search_loso.py): with the rarity
# weights, 99 left two plain questions with nothing; the 16 nonsense queries stay 0.13 or more below it.
CHANCE_PERCENTILE = 97.0
_CHANCE_STRINGS = 500
_CHANCE_SEED = 2026
_CHUNK = 4096


# Where a record's measure clause ends: the first comma, semicolon, colon or parenthesis, or a word that starts its
# purpose, manner or setting ("… in order to …", "… in close alignment with …", "… that may exacerbate …").
_CLAUSE_END = re.compile(
    r"[,;:(]|\s(?:in order to|with a view to|so as to|so that|by way of|which|that may|in close alignment|"
    r"in alignment|in compliance|in collaboration|in partnership)\s",
    re.IGNORECASE,
)


def measure_clause(text: str) -> str:
    """The words of ``text`` that say what is asked, before any purpose, manner or list of whom it concerns:
    "Provide specialized training of peacekeeping forces on preventing and detecting trafficking" stays whole;
    "Involve the private sector more actively in conflict and post-conflict settings, by raising awareness …" ends
    at the comma. Grouping compares records by it (gift_dash.similarity), so that who and why weigh less."""
    return _CLAUSE_END.split(str(text), maxsplit=1)[0].strip()


@lru_cache(maxsize=1)
def model():
    """The wordllama model, read from its installed package (never downloaded); loaded on first use only, so a
    page that never compares meanings never pays the import."""
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(dim=DIMENSIONS, disable_download=True, cache_dir=Path(wordllama.__file__).parent)


def embed(texts: list[str], weights: np.ndarray | None = None) -> np.ndarray:
    """Unit vectors (float32, one row per text), so the cosine of two texts is their dot product; a text with no
    word gets a zero vector (close to nothing), where the model would give NaN. With ``weights`` (one per token of
    the model's vocabulary: ``rarity``) each token's vector counts that much in the text's, instead of the model's
    plain mean."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    worded = [i for i, text in enumerate(texts) if str(text).strip()]
    if worded and weights is None:
        found = np.asarray(model().embed([str(texts[i]) for i in worded], norm=True), dtype=np.float32)
        vectors[worded] = np.nan_to_num(found)
    elif worded:
        table = model().embedding
        for i in worded:
            ids = _token_ids(str(texts[i]))
            pooled = weights[ids] @ table[ids]
            vectors[i] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
    return vectors


def _token_ids(text: str) -> np.ndarray:
    return np.asarray(model().tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64)


@lru_cache(maxsize=8)
def rarity(texts: tuple[str, ...]) -> np.ndarray:
    """Per token of the model's vocabulary, how rare it is among ``texts`` (distinct texts): its inverse document
    frequency log((n + 1) / (texts holding it + 1)), so a token every text holds ("trafficking", "the") weighs about
    nothing and one no text holds weighs most. The model's plain mean lets such common tokens pull every text
    towards the corpus's average, so a question's own subject ("guns", "churches") is drowned in them: on the
    search question sets the texts' cosine ranking alone finds more relevant records in its first ten with these
    weights (recall@10 0.49-0.65 -> 0.53-0.75, bench/eval_search.py)."""
    held = np.zeros(model().embedding.shape[0])
    for text in texts:
        held[np.unique(_token_ids(str(text)))] += 1
    return np.log((len(texts) + 1) / (held + 1))


def pieces(word: str) -> frozenset[int]:
    """The ids of the word pieces the model's tokenizer cuts ``word`` into."""
    return frozenset(_token_ids(word).tolist())


def weight(text: str) -> float:
    """The length of the model's mean token vector for ``text`` before it is made a unit vector: how much the text
    says in the model's own terms. Averaging lets words of long vectors outweigh the others, and the model learnt
    long vectors for words of a subject ("churches" 20, "guns" 19) and short ones for words of any sentence ("get"
    6, "after" 8, "the" 2)."""
    return float(np.linalg.norm(model().embed([str(text)], norm=False)[0]))


@lru_cache(maxsize=8)  # one entry per dataset version in use (the shipped data, a session's upload, a CLI input)
def corpus(texts: tuple[str, ...]) -> tuple[np.ndarray, float]:
    """The vectors of ``texts`` (distinct texts: the caller collapses copies) and the corpus's chance level
    (``CHANCE_PERCENTILE``); computed once per distinct corpus and shared, so treat the array as read-only."""
    vectors = embed(list(texts))
    return vectors, chance_level(vectors)


@lru_cache(maxsize=8)
def in_context(
    texts: tuple[str, ...], lead_ins: tuple[str, ...], parents: tuple[str, ...], lead_in: float, parent: float
) -> tuple[np.ndarray, float]:
    """Like ``corpus``, each text read with its list's lead-in and the item it completes (``lead_ins``, ``parents``:
    "" where there is none): the unit vector of its own vector plus ``lead_in`` × the lead-in's and ``parent`` × the
    parent's. A sub-item ("Developing business codes of conduct") is a fragment of the sentence its list and its
    parent begin; read alone it loses what it is about. Lead-ins and parents repeat, so each distinct one is embedded
    once. Every token weighs its ``rarity`` among ``texts``: a query is to be embedded with the same weights."""
    weights = rarity(texts)
    vectors = embed(list(texts), weights)
    for share, context in ((lead_in, lead_ins), (parent, parents)):
        if share and any(context):
            distinct = list(dict.fromkeys(context))
            where = {c: i for i, c in enumerate(distinct)}
            vectors = vectors + share * embed(distinct, weights)[[where[c] for c in context]]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return vectors, chance_level(vectors, weights)


def chance_level(vectors: np.ndarray, weights: np.ndarray | None = None) -> float:
    """``CHANCE_PERCENTILE`` of the best cosine that random token strings (1 to 4 tokens, fixed seed) reach among
    ``vectors`` (the strings embedded with the corpus's token ``weights``, if any): deterministic for a corpus, and higher for a larger one, as the best of more records is."""
    if not len(vectors):
        return 1.0
    tokenizer = model().tokenizer
    rng = np.random.default_rng(_CHANCE_SEED)
    size = tokenizer.get_vocab_size()
    strings = [
        tokenizer.decode(rng.integers(0, size, size=int(rng.integers(1, 5))).tolist()) for _ in range(_CHANCE_STRINGS)
    ]
    return float(np.percentile(best_cosines(embed(strings, weights), vectors), CHANCE_PERCENTILE))


def best_cosines(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Each query's highest cosine among ``vectors``, in chunks (no queries × corpus matrix at scale)."""
    best = np.full(len(queries), -1.0, dtype=np.float32)
    for start in range(0, len(vectors), _CHUNK):
        best = np.maximum(best, (queries @ vectors[start : start + _CHUNK].T).max(axis=1))
    return best
