"""Run systems over the question set, score them, print the table, apply the CI gate."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval import gold
from eval.baselines import ChunksOnly, NaiveBM25, NaiveDense, System
from eval.score import Metrics, Question, Score, aggregate, failed, score
from qa.config import Settings
from qa.models import Answer

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS = EVAL_DIR / "questions.jsonl"
RESULTS = EVAL_DIR / "results"
MAIN = "assistant"
# Question kinds, in report order: the lookups, the operations (count … describe), the ways people type
# (kana … typo), and the rows the report cannot answer.
KINDS = ("figure", "period", "text", "list", "derived", "paraphrase", "followup",
         "count", "superlative", "multipart", "aggregate", "compare", "locate", "describe",
         "kana", "width", "seireki", "kanjinum", "colloquial", "typo", "abstain", "refusal")
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Result:
    system: str
    question: Question
    answer: Answer
    score: Score


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Every row of the question file, validated."""
    with path.open(encoding="utf-8") as f:
        return [Question.model_validate_json(line) for line in f if line.strip()]


def run_system(name: str, system: System, questions: Sequence[Question],
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


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def ms(x: float | None) -> str:
    return "—" if x is None else (f"{x:.0f}" if x >= 10 else f"{x:.1f}")


COLUMNS = ("system", "kind", "n", "strict", "answer", "citation", "R@1", "R@3", "R@5", "MRR",
           "abst P", "abst R", "p50 ms", "p95 ms")


def table_rows(by: dict[str, dict[str, Metrics]], kinds: bool = True) -> list[list[str]]:
    """Rows of the main table: per system its overall row, then one row per kind."""
    rows = []
    for name, per in by.items():
        for kind, m in per.items():
            if kind != "all" and not kinds:
                continue
            overall = kind == "all"
            rows.append([name, kind, str(m.n), pct(m.strict), pct(m.answer),
                         pct(m.citation) if kind != "abstain" else "n/a",
                         *(pct(m.recall_at[k]) if kind != "abstain" else "n/a" for k in (1, 3, 5)),
                         f"{m.mrr:.3f}" if m.mrr is not None and kind != "abstain" else "n/a",
                         pct(m.abstain_precision) if overall else "", pct(m.abstain_recall) if overall else "",
                         ms(m.p50_ms), ms(m.p95_ms)])
    return rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table for the terminal."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        # Names left-aligned, numbers right-aligned.
        return "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def gate(results: Sequence[Result], min_strict: float, system: str = MAIN) -> int:
    """Exit status for CI: 1 (with the failing questions listed) when strict accuracy < min_strict."""
    mine = [r for r in results if r.system == system]
    if not mine:
        print(f"gate: no results for {system!r}", file=sys.stderr)
        return 1
    strict = sum(r.score.strict_ok for r in mine) / len(mine)
    threshold = min_strict / 100 if min_strict > 1 else min_strict  # 0.8 and 80 mean the same
    if strict >= threshold:
        print(f"gate passed: strict {100 * strict:.1f}% ≥ {100 * threshold:.1f}%")
        return 0
    print(f"gate FAILED: strict {100 * strict:.1f}% < {100 * threshold:.1f}%; failing questions:", file=sys.stderr)
    for r in mine:
        if not r.score.strict_ok:
            print(f"  {r.question.id} [{r.question.kind}] {r.question.question} → "
                  f"{_flat(r.answer.text)[:80]}", file=sys.stderr)
    return 1


def _flat(text: str) -> str:
    return " ".join(text.split())


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def corpus_settings(corpus: Path | None) -> Settings:
    """Settings from the environment; with `corpus`, over that folder, indexed in index/corpora/<name>
    (unless QA_INDEX_DIR says where), so another corpus never replaces the default index."""
    if corpus is None:
        return Settings.from_env()
    base = Settings.from_env()
    index_dir = base.index_dir if os.environ.get("QA_INDEX_DIR") else base.index_dir / "corpora" / corpus.resolve().name
    return Settings.from_env(corpus_dir=corpus, index_dir=index_dir)


def main(argv: Sequence[str]) -> int:
    import argparse

    from eval import report

    parser = argparse.ArgumentParser(prog="python -m eval", description="Score the assistant and baselines")
    parser.add_argument("--systems", default="assistant,naive-bm25,naive-dense,no-facts",
                        help="comma-separated: assistant, naive-bm25, naive-dense, no-facts")
    parser.add_argument("--min-strict", type=float, default=None,
                        help="exit 1 when the assistant's strict accuracy is below this (0.8 or 80)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS,
                        help="a question file: this set's rows, or gold-value rows (id, question, doc_id, gold)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="answer over this corpus folder (its index goes to index/corpora/<folder name>)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for report.md, results.csv, plots")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--kind", action="append", help="only questions of this kind (repeatable)")
    parser.add_argument("--split", choices=("all", *SPLITS), default="all",
                        help="dev: the rows weights are tuned on; test: the held-out rows (the CI gate)")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    unknown = set(names) - {MAIN, "naive-bm25", "naive-dense", "no-facts"}
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}")
    if args.min_strict is not None and MAIN not in names:
        parser.error("--min-strict gates the assistant: include it in --systems")
    settings = corpus_settings(args.corpus)
    if gold.is_gold_file(args.questions):
        # Rows scored by one cell's value (the securities corpus): the assistant only, split by report.
        from qa.assistant import Assistant

        progress(f"loading the assistant over {settings.corpus_dir} (builds the index if it is stale)")
        gold.run(Assistant.load(settings), gold.load(args.questions), args.split,
                 None if args.no_write else args.out, progress)
        return 0
    questions = load_questions(args.questions)
    if args.kind:
        questions = [q for q in questions if q.kind in args.kind]
    if args.split != "all":
        questions = [q for q in questions if q.split == args.split]
    systems, notes = build_systems(names, settings, progress)
    results: list[Result] = []
    for name, system in systems.items():
        progress(f"running {name} over {len(questions)} questions")
        results += run_system(name, system, questions, progress)
    by = metrics_by(results)
    print(text_table(COLUMNS, table_rows(by)))
    if args.split == "all":
        for split in SPLITS:
            part = [r for r in results if r.system == MAIN and r.question.split == split]
            if part:
                print(f"\n{MAIN}, {split} split")
                print(text_table(COLUMNS, table_rows(metrics_by(part))))
    if not args.no_write:
        written = report.write(results, by, notes, args.out)
        progress("wrote " + ", ".join(str(p) for p in written))
    if args.min_strict is not None:
        return gate(results, args.min_strict)
    return 0
