"""`python -m qa` subcommands. Thin: parse arguments, call the pipeline, print, map errors to exit codes.

Exit codes: 0 ok; 1 unexpected error; 2 bad input or configuration; 3 no readable corpus;
4 stale or damaged index with --no-rebuild.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from qa.config import Settings
from qa.errors import QAError


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    from qa.chunk import chunk_document
    from qa.facts import extract_facts
    from qa.parse import load_corpus

    docs, warnings = load_corpus(settings.corpus_dir)
    for w in warnings:
        print(f"警告: {w}", file=sys.stderr)
    for doc in docs:
        facts = extract_facts(doc)
        chunks = chunk_document(doc)
        fy = f"FY{doc.fiscal_year}" if doc.fiscal_year else "年度不明"
        print(f"{doc.doc}  「{doc.title}」 {fy}  sections={len(doc.sections)} facts={len(facts)} chunks={len(chunks)}")
        for s in doc.sections:
            n_facts = sum(1 for f in facts if f.section_path == s.path)
            n_chunks = sum(1 for c in chunks if c.section_path == s.path)
            budget = f"  決算額 {s.budget.raw}" if s.budget else ""
            print(
                f"{'  ' * (s.level + 1)}{s.heading}  [{s.lines[0]}-{s.lines[1]}]"
                f"  blocks={len(s.blocks)} facts={n_facts} chunks={n_chunks}{budget}"
            )
    return 0


def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    from qa.facts import extract_facts
    from qa.parse import load_corpus
    from qa.text import norm

    docs, _ = load_corpus(settings.corpus_dir)
    wanted = norm(args.section) if args.section else None
    for doc in docs:
        for fact in extract_facts(doc):
            if wanted and not any(wanted in norm(h) for h in fact.section_path):
                continue
            if args.json:
                _print_json(fact.model_dump(mode="json"))
            else:
                period = f" {fact.period_raw}" if fact.period_raw else ""
                attr = f" [{fact.attribute}]" if fact.attribute else ""
                print(f"{fact.lines[0]}\t{fact.section_path[-1]}\t{fact.label}{attr}{period}\t{fact.raw}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qa", description="報告書QA: answers with exact figures and citations")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inspect", help="the section tree with line spans and counts of blocks, facts, chunks")
    p.set_defaults(func=cmd_inspect)
    p = sub.add_parser("facts", help="every fact, one per line")
    p.add_argument("--section", help="only facts whose section path contains this text")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_facts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as err:
        print(f"設定エラー: {err}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except QAError as err:
        print(f"エラー: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
