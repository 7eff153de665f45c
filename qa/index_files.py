"""The two files of `index/` that a build writes with FAISS and bm25s, read back with numpy alone to serve.

Serving needs only what those files hold, and importing their libraries was most of a cold
`python -m qa ask`'s index load on the 2-core machine (`python -X importtime`): bm25s pulls in scipy.sparse
(0.22–0.34 s) and FAISS takes 0.05–0.07 s and ~30 MB. Both formats are simple. Builds still write the files
with FAISS and bm25s (`qa.index`), so they stay those libraries' own; a file that does not read as
expected is a ValueError, and the index is rebuilt.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np


class FlatVectors:
    """The vectors of a FAISS IndexFlatIP file: `vectors` (n × d float32), with FAISS's `ntotal` and `d`."""

    # faiss.write_index of an IndexFlatIP: fourcc, d (int32), ntotal (int64), two unused int64, is_trained
    # (uint8), metric (int32), then the n × d floats as a vector (uint64 count first): 45 bytes of header.
    HEADER = struct.Struct("<4siqqqBiQ")
    FOURCC = b"IxFI"
    METRIC_INNER_PRODUCT = 0

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.ntotal, self.d = vectors.shape

    @classmethod
    def read(cls, path: Path) -> FlatVectors:
        with path.open("rb") as f:
            head = f.read(cls.HEADER.size)
            if len(head) < cls.HEADER.size:
                raise ValueError("ファイルが短すぎます")
            fourcc, d, ntotal, _, _, _, metric, count = cls.HEADER.unpack(head)
            if fourcc != cls.FOURCC or metric != cls.METRIC_INNER_PRODUCT:
                raise ValueError(f"内積の IndexFlatIP ではありません ({fourcc!r}, metric {metric})")
            size = os.fstat(f.fileno()).st_size
            if d <= 0 or ntotal < 0 or count != d * ntotal or size != cls.HEADER.size + 4 * count:
                raise ValueError(f"{ntotal} 件 × {d} 次元のベクトルの大きさが合いません")
            # Read into an array of numpy's own, not a view of the file's bytes: the floats start at byte
            # 45, and a product over unaligned floats runs 5-30× slower (18-118 ms instead of 4 at ×100).
            vectors = np.fromfile(f, dtype="<f4", count=count)
        if vectors.size != count:
            raise ValueError("ベクトルの途中で終わっています")
        return cls(vectors.reshape(ntotal, d))


class SavedBM25:
    """The BM25 index a build saved with bm25s: its vocabulary, and the score of any terms for every text.

    bm25s computes the score of every (term, text) pair when it indexes and saves them as CSC arrays (data,
    indices, indptr: one column per term) beside its vocabulary and parameters. Scoring a query only adds
    up the query terms' columns, which is all `bm25s.BM25.get_scores` does for the methods below, with the
    same float32 additions (`np.add.at`), so the scores are identical (tests/test_search.py).
    """

    # The methods whose scores are all in the saved columns; BM25L and BM25+ add a non-occurrence score.
    METHODS = ("lucene", "robertson", "atire")
    ARRAYS = ("data", "indices", "indptr")

    def __init__(self, folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in self.METHODS:
            raise ValueError(f"BM25 の方式 {params.get('method')!r} には読めない配列が要ります")
        if not isinstance(params.get("num_docs"), int):
            raise ValueError("params.index.json に文書数がありません")
        self.num_docs: int = params["num_docs"]
        self.dtype = np.dtype(params.get("dtype", "float32"))
        self.vocab_dict: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        # np.load with its defaults reads plain arrays only (an object array, which would unpickle, is refused).
        self.data, self.indices, self.indptr = (np.load(folder / f"{name}.csc.index.npy") for name in self.ARRAYS)

    def get_scores(self, query_tokens: list[str]) -> np.ndarray:
        """The BM25 score of every text for the terms (those outside the vocabulary add nothing).

        bm25s also keeps "" in its vocabulary (the token of a text without words) with no column of
        scores; asked for it, bm25s raises, and here it adds nothing either.
        """
        out = np.zeros(self.num_docs, dtype=self.dtype)
        for term in query_tokens:
            t = self.vocab_dict.get(term)
            if t is not None and t + 1 < len(self.indptr):
                start, end = self.indptr[t], self.indptr[t + 1]
                np.add.at(out, self.indices[start:end], self.data[start:end])
        return out
