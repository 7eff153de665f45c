"""The harness's records: loading the question set, running a system over it, and metrics by kind.

The bottom layer of `eval/` above the scorer (`eval/score.py`): `tables.py` and `plots.py` format what this
module returns, `run.py` is the command line over all of them, and nothing here imports those.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.baselines import ChunksOnly, NaiveBM25, NaiveDense, System
from eval.score import EvalQuestion, Metrics, Score, aggregate, failed, score
from qa.config import Settings
from qa.models import Answer

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS = EVAL_DIR / "questions.jsonl"
RESULTS = EVAL_DIR / "results"
MAIN = "assistant"
SYSTEMS = (MAIN, "naive-bm25", "naive-dense", "no-facts")
# Question kinds, in report order: the lookups, the operations (count … describe), the ways people type
# (kana … typo), and the rows the report cannot answer.
KINDS = ("figure", "period", "text", "list", "derived", "paraphrase", "followup",
         "count", "superlative", "multipart", "aggregate", "compare", "locate", "describe",
         "kana", "width", "seireki", "kanjinum", "colloquial", "typo", "abstain", "refusal")
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Result:
    """One system's answer to one question, and its score."""

    system: str
    question: EvalQuestion
    answer: Answer
    score: Score


def load_questions(path: Path = QUESTIONS) -> list[EvalQuestion]:
    """Every row of the question file, validated."""
    with path.open(encoding="utf-8") as f:
        return [EvalQuestion.model_validate_json(line) for line in f if line.strip()]


def progress(msg: str) -> None:
    """A progress line on stderr (stdout carries the tables)."""
    print(msg, file=sys.stderr, flush=True)


def run_system(name: str, system: System, questions: Sequence[EvalQuestion],
               progress: Callable[[str], None] | None = None) -> list[Result]:
    """Ask every question once (after one untimed warm-up ask) and score the answers."""
    if questions:
        # Lazy imports and first-call caches are not what latency should measure; a crash shows up below.
        with contextlib.suppress(Exception):
            system.ask(questions[0].question)
    out = []
    for i, q in enumerate(questions, 1):
        t0 = time.perf_counter()
        try:
            answer = system.ask(q.question, list(q.history) if q.history else None)
            ms = (time.perf_counter() - t0) * 1000
            s = score(q, answer, ms)
        except Exception as err:  # noqa: BLE001 - one crashing question is a failure, not the end of the run
            ms = (time.perf_counter() - t0) * 1000
            answer = Answer(question=q.question, text=f"[error] {type(err).__name__}: {err}")
            s = failed(ms, f"{type(err).__name__}: {err}", q)
        out.append(Result(name, q, answer, s))
        if progress and i % 50 == 0:
            progress(f"  {name}: {i}/{len(questions)}")
    return out


def build_systems(names: Sequence[str], settings: Settings,
                  progress: Callable[[str], None]) -> tuple[dict[str, System], dict[str, str]]:
    """The requested systems, loaded; and a note per system on how it was built."""
    from qa.assistant import Assistant
    from qa.embed import load_embedder
    from qa.parse import load_corpus

    systems: dict[str, System] = {}
    notes: dict[str, str] = {}
    assistant = None
    if MAIN in names or "no-facts" in names:
        progress("loading the assistant (builds the index if it is stale)")
        assistant = Assistant.load(settings)
    if MAIN in names:
        systems[MAIN] = assistant
        notes[MAIN] = "qa.assistant.Assistant, default settings"
    if "naive-bm25" in names or "naive-dense" in names:
        documents, _ = load_corpus(settings.corpus_dir)
        if "naive-bm25" in names:
            systems["naive-bm25"] = NaiveBM25(documents)
            notes["naive-bm25"] = "500/50-character windows, BM25 (bm25s) over MeCab tokens, top window as answer"
        if "naive-dense" in names:
            progress("embedding the naive windows")
            embedder = load_embedder(settings)
            if embedder is None:
                notes["naive-dense"] = "skipped: no dense embedder can load here"
            else:
                systems["naive-dense"] = NaiveDense(documents, embedder)
                notes["naive-dense"] = f"the same windows, cosine with {embedder.name}, top window as answer"
    if "no-facts" in names:
        systems["no-facts"], notes["no-facts"] = _no_facts(assistant, settings)
    return systems, notes


def _no_facts(assistant, settings: Settings) -> tuple[System, str]:  # type: ignore[no-untyped-def]
    """The assistant's index and search with facts left out (the Assistant has no switch for it)."""
    index = getattr(assistant, "index", None)
    if index is None:
        from qa.index import load_index

        index = load_index(settings)
    return ChunksOnly(index, settings), (
        "the Assistant has no switch to disable facts, so this is its index and hybrid search "
        "restricted to chunks (`search(index, q, kinds=(\"chunk\",))`), answering with the top chunk's body"
    )


def metrics_by(results: Sequence[Result]) -> dict[str, dict[str, Metrics]]:
    """{system: {"all" | kind: Metrics}}."""
    out: dict[str, dict[str, Metrics]] = {}
    for name in dict.fromkeys(r.system for r in results):
        rows = [(r.question, r.score) for r in results if r.system == name]
        out[name] = {"all": aggregate(rows)}
        for kind in KINDS:
            sub = [(q, s) for q, s in rows if q.kind == kind]
            if sub:
                out[name][kind] = aggregate(sub)
    return out


def strict_share(results: Sequence[Result], system: str = MAIN) -> float | None:
    """The system's strict accuracy over these results (None when it has none)."""
    mine = [r for r in results if r.system == system]
    return sum(r.score.strict_ok for r in mine) / len(mine) if mine else None
