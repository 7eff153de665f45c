"""`python -m eval`: the command line over the harness. Parse options, run, print the tables, write the
report, apply the CI gate.

The layers below it, each importing only those under it: `score.py` (one answer against its gold row) ·
`results.py` (records, loading, running, metrics by kind) · `tables.py` (formatting) · `plots.py` (figures).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from eval import gold, plots, tables
from eval.results import (
    MAIN,
    QUESTIONS,
    RESULTS,
    SPLITS,
    SYSTEMS,
    Result,
    build_systems,
    load_questions,
    metrics_by,
    progress,
    run_system,
    strict_share,
)
from eval.score import Metrics
from qa.config import Settings


def write(results: Sequence[Result], by: dict[str, dict[str, Metrics]], notes: dict[str, str],
          out: Path) -> list[Path]:
    """Write report.md, results.csv, accuracy.png and latency.png into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [tables.write_csv(results, out / "results.csv")]
    drawn = [p for p in (plots.plot_accuracy(by, out / "accuracy.png"),
                         plots.plot_latency(results, out / "latency.png")) if p]
    report = out / "report.md"
    report.write_text(tables.markdown(results, by, notes, [p.name for p in drawn]), encoding="utf-8")
    return [report, *paths, *drawn]


def gate(results: Sequence[Result], min_strict: float, system: str = MAIN) -> int:
    """Exit status for CI: 1 (with the failing questions listed) when strict accuracy < min_strict."""
    strict = strict_share(results, system)
    if strict is None:
        print(f"gate: no results for {system!r}", file=sys.stderr)
        return 1
    threshold = min_strict / 100 if min_strict > 1 else min_strict  # 0.8 and 80 mean the same
    if strict >= threshold:
        print(f"gate passed: strict {100 * strict:.1f}% ≥ {100 * threshold:.1f}%")
        return 0
    print(f"gate FAILED: strict {100 * strict:.1f}% < {100 * threshold:.1f}%; failing questions:", file=sys.stderr)
    for r in results:
        if r.system == system and not r.score.strict_ok:
            print(f"  {r.question.id} [{r.question.kind}] {r.question.question} → "
                  f"{tables.flat(r.answer.text)[:80]}", file=sys.stderr)
    return 1


def corpus_settings(corpus: Path | None) -> Settings:
    """Settings from the environment; with `corpus`, over that folder, indexed in index/corpora/<name>
    (unless QA_INDEX_DIR says where), so another corpus never replaces the default index."""
    if corpus is None:
        return Settings.from_env()
    base = Settings.from_env()
    index_dir = base.index_dir if os.environ.get("QA_INDEX_DIR") else base.index_dir / "corpora" / corpus.resolve().name
    return Settings.from_env(corpus_dir=corpus, index_dir=index_dir)


def main(argv: Sequence[str]) -> int:
    """`python -m eval [options]`; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m eval", description="Score the assistant and baselines")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated: " + ", ".join(SYSTEMS))
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
    unknown = set(names) - set(SYSTEMS)
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
    print(tables.text_table(tables.COLUMNS, tables.table_rows(by)))
    if args.split == "all":
        for split in SPLITS:
            part = [r for r in results if r.system == MAIN and r.question.split == split]
            if part:
                print(f"\n{MAIN}, {split} split")
                print(tables.text_table(tables.COLUMNS, tables.table_rows(metrics_by(part))))
    if not args.no_write:
        written = write(results, by, notes, args.out)
        progress("wrote " + ", ".join(str(p) for p in written))
    if args.min_strict is not None:
        return gate(results, args.min_strict)
    return 0
