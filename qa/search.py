"""Hybrid search over chunks and facts: dense cosine (e5 vectors) and BM25 (bm25s over MeCab tokens).

Fusion: a weighted sum `dense_weight` · dense + (1 − w) · lexical, where dense is the per-query min-max of
the cosines and lexical is BM25 scaled by how much of the question the report's vocabulary covers:
Σ_t bm25_t(text) / Σ_t max bm25_t × (question terms found in the index / question terms). A question in
the report's own words gets full lexical weight; a paraphrase, whose words are mostly not in the report,
leans on the dense model instead of letting one stray word that does match (「応援」 in 「故郷を応援する
寄付」) take the top BM25 score. Measured against plain min-max BM25 and reciprocal-rank fusion in the
README ("Retrieval"): RRF lost on paraphrased questions, where BM25 ranks noise highly and RRF gives that
noise full weight.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from qa.index import Index
from qa.models import Hit
from qa.tokenize import tokens

Method = Literal["weighted", "rrf"]


class Signals(NamedTuple):
    """Per-text scores for one query, chunks first then facts."""

    dense: np.ndarray | None  # cosine, or None without a dense model
    bm25: np.ndarray  # raw BM25 (sum over the question's distinct terms)
    lexical: np.ndarray  # BM25 scaled into [0, 1] by term maxima and vocabulary coverage (module docstring)


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


# Decimals of a cosine that count in ranking (see signal_scores).
DENSE_DECIMALS = 3


def _dense_scores(vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The cosine of `q` with each stored vector (rows of `vectors`, L2-normalised), in index order.

    Fusion needs the cosine of every text (min-max over all of them), not a ranking: one matrix-vector
    product gives them, where FAISS's `search(q, n)` would also sort all n (~40 ms of a ×100 search, 33,600
    texts, against ~5 ms for the product on the 2-core machine). Both agree to float32 rounding (≤ 1e-6).
    `np.einsum`, not `vectors @ q`: BLAS spreads the product over OpenBLAS's threads, which then spin on
    both cores while the next query is embedded (+12 ms a query at ×100); einsum runs in the calling thread.
    """
    return np.einsum("ij,j->i", vectors, np.asarray(q, dtype=np.float32))


def signal_scores(index: Index, query: str) -> Signals:
    """The dense, BM25 and scaled BM25 scores of every text of the index for `query`."""
    n = len(index.chunks) + len(index.facts)
    dense = None
    if index.faiss is not None and index.embedder is not None and n:
        q = index.embedder.encode_queries([query])
        # Rounded to DENSE_DECIMALS: an index built by another runtime on the same weights agrees to cosine
        # 0.9999, and a near-tie must not rank two passages differently on the fourth decimal.
        dense = np.round(_dense_scores(index.faiss.vectors, q[0]), DENSE_DECIMALS)
    terms = list(dict.fromkeys(tokens(query)))  # a repeated word is one term, as in the texts' BM25
    known = [t for t in terms if t in index.bm25.vocab_dict]
    if not known or not n:
        zeros = np.zeros(n, dtype=np.float32)
        return Signals(dense, zeros, zeros.copy())
    per_term = np.stack([np.asarray(index.bm25.get_scores([t]), dtype=np.float32)[:n] for t in known])
    bm25 = per_term.sum(axis=0)
    top = float(per_term.max(axis=1).sum())
    lexical = bm25 / top * (len(known) / len(terms)) if top > 0 else np.zeros_like(bm25)
    return Signals(dense, bm25, lexical)


def fuse(signals: Signals, dense_weight: float, method: Method = "weighted") -> np.ndarray:
    """One score per text from the two signals (the lexical one alone when there is no dense model)."""
    dense, bm25, lexical = signals
    if dense is None:
        return lexical
    if method == "rrf":
        def ranks(x: np.ndarray) -> np.ndarray:
            r = np.empty(x.size)
            r[np.argsort(-x, kind="stable")] = np.arange(1, x.size + 1)
            return r
        # k = 60 as in Cormack et al.; texts without any BM25 match get no lexical share.
        return 1 / (60 + ranks(dense)) + np.where(bm25 > 0, 1 / (60 + ranks(bm25)), 0)
    return dense_weight * _minmax(dense) + (1 - dense_weight) * lexical


def _best(scores: np.ndarray, k: int, spans: list[tuple[int, int]]) -> list[int]:
    """The k best positions within `spans` (index ranges), best first, ties in index order.

    The same as the first k of a stable argsort of −scores over those positions, without sorting them all
    (a full sort was ~10 ms of a search at ×100, 33,600 texts): every position scoring at least the k-th
    best is a candidate, and only the candidates are sorted.
    """
    positions = np.concatenate([np.arange(a, b) for a, b in spans]) if spans else np.zeros(0, np.int64)
    if positions.size == 0 or k <= 0:
        return []
    values = scores[positions]
    if positions.size > k:
        kth = np.partition(values, positions.size - k)[positions.size - k]  # the k-th largest
        keep = values >= kth
        positions, values = positions[keep], values[keep]
    return [int(i) for i in positions[np.argsort(-values, kind="stable")][:k]]


def search(index: Index, query: str, k: int = 5, dense_weight: float = 0.6,
           kinds: tuple[str, ...] = ("chunk", "fact"), method: Method = "weighted") -> list[Hit]:
    """The k best chunks and/or facts for `query`, best first."""
    signals = signal_scores(index, query)
    fused = fuse(signals, dense_weight, method)
    dense, bm25 = signals.dense, signals.bm25
    n_chunks = len(index.chunks)
    hits: list[Hit] = []
    for i in _best(fused, k, [(0, n_chunks)] * ("chunk" in kinds) + [(n_chunks, fused.size)] * ("fact" in kinds)):
        kind = "chunk" if i < n_chunks else "fact"
        if kind == "chunk":
            c = index.chunks[i]
            hid, doc, path, lines, text = c.id, c.doc, c.section_path, c.lines, c.text
        else:
            f = index.facts[i - n_chunks]
            hid, doc, path, lines, text = f.id, f.doc, f.section_path, f.lines, f.sentence()
        hits.append(Hit(kind=kind, id=hid, doc=doc, section_path=path, lines=lines, text=text,
                        score=float(fused[i]), dense=float(dense[i]) if dense is not None else None,
                        bm25=float(bm25[i])))
    return hits
