"""`python -m qa` subcommands. Thin: parse arguments, call the pipeline, print, map errors to exit codes.

Exit codes: 0 ok; 1 unexpected error; 2 bad input or configuration; 3 no readable corpus;
4 stale or damaged index with --no-rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
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
        # Counted once per path: counting per section is quadratic on a document of thousands of sections.
        facts_at = Counter(tuple(f.section_path) for f in facts)
        chunks_at = Counter(tuple(c.section_path) for c in chunks)
        for s in doc.sections:
            n_facts, n_chunks = facts_at[tuple(s.path)], chunks_at[tuple(s.path)]
            budget = f"  決算額 {s.budget.raw}" if s.budget else ""
            print(
                f"{'  ' * (s.level + 1)}{s.heading}  [{s.lines[0]}-{s.lines[1]}]"
                f"  blocks={len(s.blocks)} facts={n_facts} chunks={n_chunks}{budget}"
            )
    return 0


class _Utf8Stdout:
    """stdout as UTF-8 whatever the locale, for CSV: the spreadsheet reads the BOM, not the terminal's locale."""

    def write(self, text: str) -> int:
        sys.stdout.flush()  # anything printed before stays before
        return sys.stdout.buffer.write(text.encode("utf-8"))

    def flush(self) -> None:
        sys.stdout.buffer.flush()


def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    from qa.facts import extract_facts
    from qa.parse import load_corpus
    from qa.text import norm

    docs, _ = load_corpus(settings.corpus_dir)
    wanted = norm(args.section) if args.section else None
    facts = [f for doc in docs for f in extract_facts(doc)
             if not wanted or any(wanted in norm(h) for h in f.section_path)]
    if args.csv:
        from qa.spreadsheet import FACT_COLUMNS, fact_row, write_rows

        out = _Utf8Stdout()
        write_rows(out, FACT_COLUMNS, (fact_row(f) for f in facts))
        out.flush()
        return 0
    for fact in facts:
        if args.json:
            _print_json(fact.model_dump(mode="json"))
        else:
            period = f" {fact.period_raw}" if fact.period_raw else ""
            attr = f" [{fact.attribute}]" if fact.attribute else ""
            print(f"{fact.lines[0]}\t{fact.section_path[-1]}\t{fact.label}{attr}{period}\t{fact.raw}")
    return 0


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from qa.index import load_index

    start = time.perf_counter()
    index = load_index(settings, force=args.force)
    m = index.manifest
    weights = m.embedder.weights
    dense = f"{m.built_with}（重み {weights[:19]}…）" if weights else "なし（BM25 と事実のみ）"
    print(
        f"インデックス: {settings.index_dir}  chunks={m.counts.chunks} facts={m.counts.facts}"
        f"  埋め込み={dense}  ({time.perf_counter() - start:.1f}s)"
    )
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import clean_question
    from qa.index import load_index
    from qa.search import search

    query = clean_question(args.query, settings.max_question_chars)
    index = load_index(settings, rebuild=not args.no_rebuild)
    for hit in search(index, query, k=args.k, dense_weight=settings.dense_weight):
        if args.json:
            _print_json(hit.model_dump(mode="json"))
        else:
            print(f"{hit.score:.3f}\t{hit.kind}\t{' › '.join(hit.section_path)}\t{hit.lines[0]}-{hit.lines[1]}")
            print("\t" + hit.text.splitlines()[-1][:120])
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import Assistant
    from qa.errors import InvalidQuestion

    assistant = Assistant.load(settings, rebuild=not args.no_rebuild)
    if args.csv:
        return _ask_csv(assistant, args.question)
    if args.question == "-":
        # Batch: one question per line in, one JSON object per line out, in order; a bad line gets an
        # error object and the batch goes on.
        # Bytes that are not UTF-8 become U+FFFD: under a strict locale they would end the batch with a
        # traceback, and under surrogateescape they would be echoed into the output as invalid UTF-8.
        if hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        for line in sys.stdin:
            question = line.rstrip("\n")
            try:
                answer = assistant.ask(question)
                out = answer.model_dump(mode="json") if args.json else {"question": question, "text": answer.text}
            except InvalidQuestion as err:
                out = {"question": question, "error": str(err)}
            except Exception as err:  # noqa: BLE001 - one bad line must not end the batch
                out = {"question": question, "error": f"内部エラー: {type(err).__name__}: {err}"}
            _print_json(out)
        return 0
    answer = assistant.ask(args.question)
    if args.json:
        _print_json(answer.model_dump(mode="json"))
        return 0
    print(answer.text)
    for f in answer.figures:
        if f.formula:
            print(f"  計算: {f.formula}")
    shown = answer.related if answer.abstained and answer.related else answer.citations
    if shown:
        print("出典:" if not answer.abstained else "関連しそうな箇所:")
        for c in shown[:3]:
            print(f"  {' › '.join(c.section_path)}（{c.doc} {c.lines[0]}–{c.lines[1]}行）")
    return 0


def _ask_csv(assistant, question: str) -> int:  # type: ignore[no-untyped-def]
    """`ask --csv`: one row per question (stdin's lines for "-"), UTF-8 with BOM; a bad line gets its error."""
    import csv

    from qa.errors import InvalidQuestion
    from qa.spreadsheet import ANSWER_COLUMNS, BOM, answer_row, error_row

    out = _Utf8Stdout()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow(ANSWER_COLUMNS)
    if question == "-":
        if hasattr(sys.stdin, "reconfigure"):  # as for --json: bytes that are not UTF-8 become U+FFFD
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        questions = (line.rstrip("\r\n") for line in sys.stdin)
    else:
        questions = iter([question])
    for q in questions:
        if question == "-" and not q.strip():
            continue  # a blank line of a pasted column is not a question
        try:
            row = answer_row(assistant.ask(q))
        except InvalidQuestion as err:
            row = error_row(q, str(err))
        except Exception as err:  # noqa: BLE001 - one bad line must not end the batch
            row = error_row(q, f"内部エラー: {type(err).__name__}: {err}")
        writer.writerow(row)
        out.flush()  # a row per answer as it comes: a long batch shows progress in a pipe
    return 0


def cmd_export_model(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from qa.tools.export_model import export_model

    path = export_model(Path(args.dir))
    print(f"sentence-transformers 形式で書き出しました: {path}  (QA_EMBED_MODEL={path} で使えます)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qa", description="報告書QA: answers with exact figures and citations")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inspect", help="the section tree with line spans and counts of blocks, facts, chunks")
    p.set_defaults(func=cmd_inspect)
    p = sub.add_parser("facts", help="every fact, one per line")
    p.add_argument("--section", help="only facts whose section path contains this text")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per line")
    fmt.add_argument("--csv", action="store_true", help="CSV for a spreadsheet (UTF-8 with BOM), one row per fact")
    p.set_defaults(func=cmd_facts)
    p = sub.add_parser("build", help="build or refresh index/")
    p.add_argument("--force", action="store_true", help="rebuild even when the index is fresh")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("search", help="hybrid search over chunks and facts")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of hits (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per hit per line")
    p.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("ask", help="answer a question (\"-\" reads one question per line from stdin)")
    p.add_argument("question")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the JSON contract, one object per line")
    fmt.add_argument("--csv", action="store_true",
                     help="CSV for a spreadsheet (UTF-8 with BOM): one row per question; with -, one per stdin line")
    p.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("export-model", help="write the bundled e5-small as a sentence-transformers folder")
    p.add_argument("dir")
    p.set_defaults(func=cmd_export_model)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) < 1:
        parser.error("-k must be at least 1")
    try:
        settings = Settings.from_env()
    except ValueError as err:
        print(f"設定エラー: {err}", file=sys.stderr)
        return 2
    try:
        code = int(args.func(args, settings))
        sys.stdout.flush()  # a full disk shows here, as a message, rather than at exit as a traceback
        return code
    except QAError as err:
        print(f"エラー: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        _discard_stdout()
        return 0
    except OSError as err:
        _discard_stdout()
        where = f"{err.filename}: " if err.filename else "出力を書き込めません: "
        print(f"エラー: {where}{err.strerror or err}（空き容量と書き込み権限を確かめてください）", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the README promises one line, never a traceback
        print(f"エラー: 予期しないエラーです（{type(err).__name__}: {_first_line(err)}）", file=sys.stderr)
        return 1


def _discard_stdout() -> None:
    # What is still buffered would fail again when the interpreter flushes it at exit, with a traceback.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [""])[0][:300]
