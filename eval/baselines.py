"""Baselines the assistant is measured against, each small and honest, each answering with an Answer.

- `NaiveBM25`: the common recipe. Fixed 500-character windows with 50 characters of overlap over the raw
  report text, BM25 (bm25s) over the project's MeCab tokens, the top window's text as the answer.
- `NaiveDense`: the same windows, ranked by cosine with the bundled embedder.
- `ChunksOnly`: this project's index and hybrid search with the facts left out; the answer is the top
  chunk's body.

A baseline cites each retrieved window by the deepest section whose line span holds the window's first
line. Baselines never abstain unless they retrieve nothing. None of them reads the conversation history
as a conversation: for a follow-up, the earlier questions are prepended to the query, which is what a
naive retrieval pipeline does with a chat transcript.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.config import Settings
from qa.models import Answer, Citation, Document, Section
from qa.tokenize import tokens

CHUNK_CHARS = 500
OVERLAP_CHARS = 50
TOP_K = 5
NOTHING = "該当する箇所が見つかりませんでした。"


class System(Protocol):
    """Anything the harness can ask: the assistant or a baseline."""

    def ask(self, question: str, history: list[str] | None = None) -> Answer: ...


@dataclass(frozen=True)
class Window:
    """A fixed-size character window of one document, with the 1-based lines it spans."""

    doc: str
    start: int  # character offset in the document text, inclusive
    end: int  # exclusive
    text: str
    lines: tuple[int, int]
    section_path: list[str]


def windows(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[tuple[int, int]]:
    """(start, end) character offsets of fixed windows: `size` long, each starting `size - overlap` after
    the previous one; the last window ends at the end of the text."""
    if size <= overlap:
        raise ValueError(f"window size {size} must be larger than the overlap {overlap}")
    out: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        out.append((start, end))
        if end == len(text):
            break
        start += size - overlap
    return out


def line_of(text: str, offset: int) -> int:
    """The 1-based line holding character `offset` of `text` ("\\n" separates lines)."""
    return text.count("\n", 0, offset) + 1


def section_at(document: Document, line: int) -> Section:
    """The deepest section whose line span holds `line` (its path names every ancestor too)."""
    holding = [s for s in document.sections if s.lines[0] <= line <= s.lines[1]]
    if not holding:
        return document.sections[0]
    # The narrowest span is the deepest section; on a tie the later (child) one.
    return min(reversed(holding), key=lambda s: s.lines[1] - s.lines[0])


def document_windows(document: Document, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Window]:
    """The naive chunks of one document, each with its line span and citing section."""
    # The raw text as the parser read it: line i of Document.lines is line i of the file.
    text = "\n".join(document.lines)
    out = []
    for start, end in windows(text, size, overlap):
        first, last = line_of(text, start), line_of(text, max(start, end - 1))
        out.append(Window(document.doc, start, end, text[start:end], (first, last),
                          list(section_at(document, first).path)))
    return out


def _query(question: str, history: list[str] | None) -> str:
    return " ".join([*(history or []), question])


def _answer(question: str, ranked: list[tuple[Window, float]], t0: float) -> Answer:
    elapsed = (time.perf_counter() - t0) * 1000
    if not ranked:
        return Answer(question=question, text=NOTHING, abstained=True, elapsed_ms=elapsed)
    citations = [Citation(doc=w.doc, section_path=w.section_path, lines=list(w.lines), text=w.text, score=s)
                 for w, s in ranked]
    return Answer(question=question, text=ranked[0][0].text, citations=citations, elapsed_ms=elapsed)


class NaiveBM25:
    """Fixed 500/50 character windows ranked by BM25 over MeCab tokens; answers with the top window."""

    name = "naive-bm25"

    def __init__(self, documents: list[Document]) -> None:
        import bm25s

        self.windows = [w for d in documents for w in document_windows(d)]
        self.bm25 = bm25s.BM25()
        self.bm25.index([tokens(w.text) or [""] for w in self.windows], show_progress=False)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        # bm25s rejects tokens outside its vocabulary; a query with none of them retrieves nothing.
        q = [t for t in tokens(_query(question, history)) if t in self.bm25.vocab_dict]
        scores = np.asarray(self.bm25.get_scores(q), dtype=np.float32) if q else np.zeros(len(self.windows))
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:TOP_K] if scores[i] > 0]
        return _answer(question, [(self.windows[i], float(scores[i])) for i in order], t0)


class NaiveDense:
    """The same windows ranked by cosine similarity with the given embedder."""

    name = "naive-dense"

    def __init__(self, documents: list[Document], embedder) -> None:  # type: ignore[no-untyped-def]
        self.windows = [w for d in documents for w in document_windows(d)]
        self.embedder = embedder
        batches = [embedder.encode_passages([w.text for w in self.windows[i : i + 16]])
                   for i in range(0, len(self.windows), 16)]
        self.vectors = np.vstack(batches).astype(np.float32)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        q = self.embedder.encode_queries([_query(question, history)])[0]
        scores = self.vectors @ q  # cosine: both sides are L2-normalised
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:TOP_K]]
        return _answer(question, [(self.windows[i], float(scores[i])) for i in order], t0)


class ChunksOnly:
    """This project's chunks and hybrid search without facts; answers with the top chunk's body.

    Used when the assistant has no switch to leave facts out: it measures what the section-aware chunks
    and the hybrid ranking give on their own, with no fact lookup, arithmetic or follow-up handling.
    """

    name = "chunks-only"

    def __init__(self, index, settings: Settings) -> None:  # type: ignore[no-untyped-def]
        self.index = index
        self.settings = settings
        self.bodies = {c.id: c.body for c in index.chunks}

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        from qa.search import search

        t0 = time.perf_counter()
        hits = search(self.index, _query(question, history), k=TOP_K, dense_weight=self.settings.dense_weight,
                      kinds=("chunk",))
        elapsed = (time.perf_counter() - t0) * 1000
        if not hits:
            return Answer(question=question, text=NOTHING, abstained=True, elapsed_ms=elapsed)
        citations = [Citation(doc=h.doc, section_path=h.section_path, lines=list(h.lines), text=h.text,
                              score=h.score) for h in hits]
        return Answer(question=question, text=self.bodies[hits[0].id], citations=citations, elapsed_ms=elapsed)
