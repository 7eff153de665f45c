"""The scorer: one question's answer against its gold row, and the aggregate metrics over many.

Every system (the assistant and the baselines) is scored by these functions and nothing else, so the
numbers in the report compare like with like.

Rules (the README of the eval, in code):
- answer: an expected string occurs in the first 200 characters of the answer text, both sides NFKC
  with commas and all whitespace removed; with `expected_all`, every one of those must occur too.
  An abstention never answers an answerable question; on an abstain row the answer is right iff the
  system abstained.
- citation: a gold section (any alternative) occurs in " › ".join(section_path) of one of the top 3
  citations, both sides NFKC with whitespace removed. Not defined on abstain rows.
- strict: answer and citation both right; on abstain rows, strict = abstained.
- retrieval: the 1-based rank of the first citation whose path holds the gold section, over the whole
  citations list (recall@1/3/5, MRR).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from qa.models import Answer

ANSWER_WINDOW = 200
# Rows the report cannot answer: the right answer is an abstention.
ABSTAIN_KINDS = frozenset({"abstain", "refusal"})
# Share of rows in the held-out `test` split. Weights and thresholds are chosen on `dev` only; `test` is read
# once per change, to measure, and the CI gate runs on it.
TEST_SHARE = 0.5
CITATION_TOP = 3
_WS = re.compile(r"\s+")


class EvalQuestion(BaseModel):
    """One row of eval/questions.jsonl (named apart from `qa.analyze.Question`, what the assistant reads)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    question: str
    expected: list[str]
    expected_all: list[str] | None = None
    section: str | list[str] | None
    kind: str
    history: list[str] | None = None

    @property
    def sections(self) -> list[str]:
        if self.section is None:
            return []
        return [self.section] if isinstance(self.section, str) else list(self.section)

    @property
    def answerable(self) -> bool:
        return self.kind not in ABSTAIN_KINDS

    @property
    def split(self) -> str:
        """`dev` or `test`, fixed by a hash of the id: stable as rows are added, blind to their content."""
        return split_of(self.id)


def split_of(row_id: str) -> str:
    """The split a question id belongs to (SHA-256 of the id; the first 8 hex digits as a fraction)."""
    x = int(hashlib.sha256(row_id.encode("utf-8")).hexdigest()[:8], 16) / 0x1_0000_0000
    return "test" if x < TEST_SHARE else "dev"


class Score(BaseModel):
    """How one system did on one question."""

    model_config = ConfigDict(frozen=True)

    answer_ok: bool
    citation_ok: bool | None  # None on abstain rows
    strict_ok: bool
    abstained: bool
    rank: int | None  # 1-based rank of the first citation in the gold section; None if none is
    latency_ms: float
    error: str | None = None


def answer_key(text: str) -> str:
    """Text for answer matching: NFKC, no commas, no whitespace (「１３，０６２ 件」 → 「13062件」)."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).replace(",", "")


def section_key(text: str) -> str:
    """Text for section matching: NFKC, no whitespace (the report letter-spaces its headings)."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def answer_correct(q: EvalQuestion, text: str, abstained: bool) -> bool:
    """Whether the answer text (or the abstention) is right for the row."""
    if not q.answerable:
        return abstained
    if abstained:
        return False
    head = answer_key(text[:ANSWER_WINDOW])
    if not any(_occurs(answer_key(e), head) for e in q.expected):
        return False
    return all(_occurs(answer_key(e), head) for e in q.expected_all or [])


def _occurs(expected: str, head: str) -> bool:
    """Whether the expected string stands in the answer's head; a figure only as a whole number (「7日間」 is not
    in 「17日間」, nor 「5件」 in 「15件」)."""
    if not expected[:1].isdigit():
        return expected in head
    return re.search(r"(?<![\d.])" + re.escape(expected), head) is not None


def section_matches(q: EvalQuestion, section_path: Sequence[str]) -> bool:
    """Whether a citation's breadcrumb holds one of the row's gold sections."""
    crumb = section_key(" › ".join(section_path))
    return any(section_key(s) in crumb for s in q.sections)


def gold_rank(q: EvalQuestion, paths: Sequence[Sequence[str]]) -> int | None:
    """1-based rank of the first citation path in the gold section, or None."""
    for i, path in enumerate(paths, 1):
        if section_matches(q, path):
            return i
    return None


def score(q: EvalQuestion, answer: Answer, latency_ms: float) -> Score:
    """Score one answer; latency is the harness's wall clock around `ask`, the same for every system."""
    paths = [c.section_path for c in answer.citations]
    ok = answer_correct(q, answer.text, answer.abstained)
    if not q.answerable:
        return Score(answer_ok=ok, citation_ok=None, strict_ok=answer.abstained, abstained=answer.abstained,
                     rank=None, latency_ms=latency_ms)
    rank = gold_rank(q, paths)
    cited = rank is not None and rank <= CITATION_TOP
    return Score(answer_ok=ok, citation_ok=cited, strict_ok=ok and cited, abstained=answer.abstained,
                 rank=rank, latency_ms=latency_ms)


def failed(latency_ms: float, error: str, q: EvalQuestion) -> Score:
    """The score of a question whose `ask` raised: wrong on every count."""
    return Score(answer_ok=False, citation_ok=None if not q.answerable else False, strict_ok=False,
                 abstained=False, rank=None, latency_ms=latency_ms, error=error)


class Metrics(BaseModel):
    """Aggregates over a set of scored questions (None where a metric has no rows to average)."""

    n: int
    answer: float | None
    citation: float | None
    strict: float | None
    abstain_precision: float | None
    abstain_recall: float | None
    recall_at: dict[int, float | None] = Field(default_factory=dict)
    mrr: float | None
    p50_ms: float | None
    p95_ms: float | None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile with linear interpolation (numpy's default), or None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(flags: Sequence[bool | float]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def aggregate(rows: Sequence[tuple[EvalQuestion, Score]]) -> Metrics:
    """Metrics over (question, score) pairs. Abstention: positive = the system abstained."""
    answerable = [(q, s) for q, s in rows if q.answerable]
    abstained = [(q, s) for q, s in rows if s.abstained]
    should = [(q, s) for q, s in rows if not q.answerable]
    ranks = [s.rank for _, s in answerable]
    latencies = [s.latency_ms for _, s in rows]
    return Metrics(
        n=len(rows),
        answer=_mean([s.answer_ok for _, s in rows]),
        citation=_mean([bool(s.citation_ok) for _, s in answerable]),
        strict=_mean([s.strict_ok for _, s in rows]),
        abstain_precision=_mean([not q.answerable for q, _ in abstained]),
        abstain_recall=_mean([s.abstained for _, s in should]),
        recall_at={k: _mean([r is not None and r <= k for r in ranks]) for k in (1, 3, 5)},
        mrr=_mean([1 / r if r else 0.0 for r in ranks]),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
    )
