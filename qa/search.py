"""Hybrid search over chunks and facts: dense cosine (FAISS) and BM25 (bm25s over MeCab tokens).

Fusion: a weighted sum of per-query min-max normalised scores (`dense_weight` · dense + (1 − w) · BM25).
Reciprocal-rank fusion was measured too (README, "Retrieval"); it lost to the weighted mix on
paraphrased questions, where BM25 ranks noise highly and RRF gives that noise full weight.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from qa.index import Index
from qa.models import Hit
from qa.tokenize import tokens


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def signal_scores(index: Index, query: str) -> tuple[np.ndarray | None, np.ndarray]:
    """(dense cosine or None, BM25) for every text of the index, chunks first then facts."""
    n = len(index.chunks) + len(index.facts)
    dense = None
    if index.faiss is not None and index.embedder is not None and n:
        q = index.embedder.encode_queries([query])
        scores, ids = index.faiss.search(q, n)
        dense = np.zeros(n, dtype=np.float32)
        dense[ids[0]] = scores[0]
    q_tokens = [t for t in tokens(query) if t in index.bm25.vocab_dict]
    if q_tokens:
        bm25 = np.asarray(index.bm25.get_scores(q_tokens), dtype=np.float32)[:n]
    else:
        bm25 = np.zeros(n, dtype=np.float32)
    return dense, bm25


def fuse(dense: np.ndarray | None, bm25: np.ndarray, dense_weight: float,
         method: Literal["weighted", "rrf"] = "weighted") -> np.ndarray:
    """One score per text from the two signals (BM25 alone when there is no dense model)."""
    if dense is None:
        return _minmax(bm25)
    if method == "rrf":
        def ranks(x: np.ndarray) -> np.ndarray:
            r = np.empty(x.size)
            r[np.argsort(-x, kind="stable")] = np.arange(1, x.size + 1)
            return r
        rrf = 1 / (60 + ranks(dense)) + np.where(bm25 > 0, 1 / (60 + ranks(bm25)), 0)
        return rrf
    return dense_weight * _minmax(dense) + (1 - dense_weight) * _minmax(bm25)


def search(index: Index, query: str, k: int = 5, dense_weight: float = 0.6,
           kinds: tuple[str, ...] = ("chunk", "fact"), method: Literal["weighted", "rrf"] = "weighted") -> list[Hit]:
    """The k best chunks and/or facts for `query`, best first."""
    dense, bm25 = signal_scores(index, query)
    fused = fuse(dense, bm25, dense_weight, method)
    n_chunks = len(index.chunks)
    order = np.argsort(-fused, kind="stable")
    hits: list[Hit] = []
    for i in order:
        i = int(i)
        kind = "chunk" if i < n_chunks else "fact"
        if kind not in kinds:
            continue
        if kind == "chunk":
            c = index.chunks[i]
            hid, doc, path, lines, text = c.id, c.doc, c.section_path, c.lines, c.text
        else:
            f = index.facts[i - n_chunks]
            hid, doc, path, lines, text = f.id, f.doc, f.section_path, f.lines, f.sentence()
        hits.append(Hit(kind=kind, id=hid, doc=doc, section_path=path, lines=lines, text=text,
                        score=float(fused[i]), dense=float(dense[i]) if dense is not None else None,
                        bm25=float(bm25[i])))
        if len(hits) >= k:
            break
    return hits
