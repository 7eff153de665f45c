"""Formatting the harness's results: terminal tables, Markdown tables, the report and the per-question CSV.

Reads `eval/results.py`'s records; never runs anything. `bench.py` formats its own report with `md_table`.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Sequence
from pathlib import Path

from eval.results import KINDS, MAIN, Result
from eval.score import ANSWER_WINDOW, CITATION_TOP, Metrics

COLUMNS = ("system", "kind", "n", "strict", "answer", "citation", "R@1", "R@3", "R@5", "MRR",
           "abst P", "abst R", "p50 ms", "p95 ms")
CSV_FIELDS = ("system", "id", "kind", "question", "history", "expected", "expected_all", "section",
              "answer_ok", "citation_ok", "strict_ok", "abstained", "rank", "latency_ms", "got", "cited", "error")


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal, or — when undefined."""
    return "—" if x is None else f"{100 * x:.1f}"


def ms(x: float | None) -> str:
    """Milliseconds: whole above 10, one decimal below, — when undefined."""
    return "—" if x is None else (f"{x:.0f}" if x >= 10 else f"{x:.1f}")


def flat(text: str) -> str:
    """`text` on one line, runs of whitespace as one space."""
    return " ".join(text.split())


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


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; pipes and line breaks inside cells are made inert."""
    def cell(c: object) -> str:
        return str(c).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cited(r: Result) -> str:
    """The breadcrumb of the answer's first citation, or empty."""
    return " › ".join(r.answer.citations[0].section_path) if r.answer.citations else ""


def write_csv(results: Sequence[Result], path: Path) -> Path:
    """One row per question per system: the gold row, the score and what the system said."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_FIELDS)
        for r in results:
            q, s = r.question, r.score
            w.writerow([r.system, q.id, q.kind, q.question, " / ".join(q.history or []), " | ".join(q.expected),
                        " | ".join(q.expected_all or []), " | ".join(q.sections), int(s.answer_ok),
                        "" if s.citation_ok is None else int(s.citation_ok), int(s.strict_ok), int(s.abstained),
                        s.rank or "", f"{s.latency_ms:.1f}", flat(r.answer.text)[:ANSWER_WINDOW], cited(r),
                        s.error or ""])
    return path


def markdown(results: Sequence[Result], by: dict[str, dict[str, Metrics]], notes: dict[str, str],
             plots: Sequence[str]) -> str:
    """`eval/results/report.md`: how scoring works, the systems, the tables, the plots and every failure."""
    n = len({r.question.id for r in results})
    parts = [
        "# 報告書QA evaluation",
        "",
        (f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `python -m eval` over {n} questions "
         "(`eval/questions.jsonl`). Every system is scored by `eval/score.py`:"),
        "",
        (f"- **answer**: an expected string occurs in the first {ANSWER_WINDOW} characters of the answer "
         "(NFKC, commas and whitespace removed on both sides); with `expected_all`, all of those too "
         "(and one of `expected`). An abstention is wrong on an answerable row; on an abstain row, right "
         "iff the system abstained."),
        (f"- **citation**: a gold section (any alternative) is in the breadcrumb of one of the top "
         f"{CITATION_TOP} citations (NFKC, whitespace-insensitive). n/a on abstain rows."),
        "- **strict**: answer and citation both right; on abstain rows, strict = abstained.",
        ("- **R@k / MRR**: rank of the first citation in the gold section, over the whole citations list "
         "(answerable rows)."),
        "- **abst P / R**: abstention precision and recall, positive = the system abstained.",
        "- **latency**: the harness's wall clock around `ask`, after one untimed warm-up question.",
        "",
        "## Systems",
        "",
        *(f"- `{name}`: {note}" for name, note in notes.items()),
        "",
        ("Reading the baselines: a naive window is judged like any answer, on its first "
         f"{ANSWER_WINDOW} characters, and cited by the section holding its first line, so a window that "
         "starts at the end of one section and goes on into the next cites the first one. That is the recipe, "
         "not a scoring quirk: it is what a user of such a system would be shown."),
        "",
        (f"1-minute load average when the report was written: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
         "CPUs (above the CPU count, other work shared the machine and latencies are inflated)."),
        "",
        "## Overall",
        "",
        md_table(COLUMNS, table_rows(by, kinds=False)),
        "",
    ]
    if MAIN in by:
        parts += [f"## `{MAIN}` per kind", "", md_table(COLUMNS, table_rows({MAIN: by[MAIN]})), ""]
    header = ["kind", *by]
    kinds = ["all", *(k for k in KINDS if any(k in per for per in by.values()))]
    for metric in ("strict", "answer", "citation"):
        rows = [[k, *(pct(getattr(per[k], metric)) if k in per else "—" for per in by.values())] for k in kinds]
        parts += [f"## {metric.capitalize()} accuracy per kind (%)", "", md_table(header, rows), ""]
    lat = [[name, ms(per["all"].p50_ms), ms(per["all"].p95_ms)] for name, per in by.items()]
    parts += ["## Latency (ms)", "", md_table(["system", "p50", "p95"], lat), ""]
    for p in plots:
        parts += [f"![{p}]({p})", ""]
    fails = [r for r in results if r.system == MAIN and not r.score.strict_ok]
    if fails:
        parts += [f"## Failures of `{MAIN}` ({len(fails)})", "",
                  "answer ✗ / citation ✗ say which half of strict failed.", ""]
        rows = []
        for r in fails:
            q, s = r.question, r.score
            why = ("abstained" if s.abstained and q.answerable else
                   "did not abstain" if not q.answerable else
                   " ".join(x for x, ok in (("answer ✗", s.answer_ok), ("citation ✗", s.citation_ok)) if not ok))
            question = (" → ".join([*q.history, q.question]) if q.history else q.question)
            expected = " | ".join(q.expected_all or q.expected) or "(abstain)"
            rows.append([q.id, q.kind, why, question, expected, flat(r.answer.text)[:120], cited(r)])
        parts.append(md_table(["id", "kind", "why", "question", "expected", "got (120 chars)", "cited"], rows))
        parts.append("")
    return "\n".join(parts)
