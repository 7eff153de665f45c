"""Write eval/results/: report.md (tables and failures), results.csv (one row per question per system),
accuracy.png and latency.png."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Sequence
from pathlib import Path

from eval.run import COLUMNS, KINDS, MAIN, Result, ms, pct, table_rows
from eval.score import ANSWER_WINDOW, CITATION_TOP, Metrics

KIND_JA = {"figure": "数値", "period": "期間", "text": "記述", "list": "列挙", "derived": "計算",
           "paraphrase": "言い換え", "followup": "追質問", "abstain": "回答不能"}


def write(results: Sequence[Result], by: dict[str, dict[str, Metrics]], notes: dict[str, str],
          out: Path) -> list[Path]:
    """Write every artifact; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_csv(results, out / "results.csv")]
    plots = plot_accuracy(by, out / "accuracy.png"), plot_latency(results, out / "latency.png")
    paths += [p for p in plots if p]
    report = out / "report.md"
    report.write_text(markdown(results, by, notes, [p.name for p in plots if p]), encoding="utf-8")
    return [report, *paths]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cited(r: Result) -> str:
    return " › ".join(r.answer.citations[0].section_path) if r.answer.citations else ""


def write_csv(results: Sequence[Result], path: Path) -> Path:
    fields = ["system", "id", "kind", "question", "history", "expected", "expected_all", "section",
              "answer_ok", "citation_ok", "strict_ok", "abstained", "rank", "latency_ms", "got", "cited",
              "error"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in results:
            q, s = r.question, r.score
            w.writerow([r.system, q.id, q.kind, q.question, " / ".join(q.history or []), " | ".join(q.expected),
                        " | ".join(q.expected_all or []), " | ".join(q.sections), int(s.answer_ok),
                        "" if s.citation_ok is None else int(s.citation_ok), int(s.strict_ok), int(s.abstained),
                        s.rank or "", f"{s.latency_ms:.1f}", _flat(r.answer.text)[:ANSWER_WINDOW], _cited(r),
                        s.error or ""])
    return path


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(c: object) -> str:
        return str(c).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: Sequence[Result], by: dict[str, dict[str, Metrics]], notes: dict[str, str],
             plots: Sequence[str]) -> str:
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
        _md_table(COLUMNS, table_rows(by, kinds=False)),
        "",
    ]
    if MAIN in by:
        parts += [f"## `{MAIN}` per kind", "", _md_table(COLUMNS, table_rows({MAIN: by[MAIN]})), ""]
    header = ["kind", *by]
    kinds = ["all", *(k for k in KINDS if any(k in per for per in by.values()))]
    for metric in ("strict", "answer", "citation"):
        rows = [[k, *(pct(getattr(per[k], metric)) if k in per else "—" for per in by.values())] for k in kinds]
        parts += [f"## {metric.capitalize()} accuracy per kind (%)", "", _md_table(header, rows), ""]
    lat = [[name, ms(per["all"].p50_ms), ms(per["all"].p95_ms)] for name, per in by.items()]
    parts += ["## Latency (ms)", "", _md_table(["system", "p50", "p95"], lat), ""]
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
            rows.append([q.id, q.kind, why, question, expected, _flat(r.answer.text)[:120], _cited(r)])
        parts.append(_md_table(["id", "kind", "why", "question", "expected", "got (120 chars)", "cited"], rows))
        parts.append("")
    return "\n".join(parts)


def cjk_font() -> str | None:
    """A CJK font family matplotlib can use, or None (then plots use ASCII labels)."""
    from matplotlib import font_manager

    for family in ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic"):
        try:
            font_manager.findfont(family, fallback_to_default=False)
            return family
        except ValueError:
            continue
    return None


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # no display in CI
    import matplotlib.pyplot as plt

    family = cjk_font()
    if family:
        plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    return plt, family is not None


def plot_accuracy(by: dict[str, dict[str, Metrics]], path: Path) -> Path | None:
    """Grouped bars: answer and strict accuracy per kind, one bar per system."""
    try:
        plt, cjk = _pyplot()
    except ImportError:
        return None
    kinds = ["all", *(k for k in KINDS if any(k in per for per in by.values()))]
    labels = [(f"{KIND_JA[k]}\n{k}" if cjk and k in KIND_JA else k) for k in kinds]
    fig, axes = plt.subplots(2, 1, figsize=(12, 8), sharex=True)
    width = 0.8 / max(1, len(by))
    for ax, metric in zip(axes, ("strict", "answer")):
        for j, (name, per) in enumerate(by.items()):
            values = [100 * (getattr(per[k], metric) or 0) if k in per else 0 for k in kinds]
            xs = [i + (j - (len(by) - 1) / 2) * width for i in range(len(kinds))]
            ax.bar(xs, values, width, label=name)
        ax.set_ylabel(f"{metric} accuracy (%)")
        ax.set_ylim(0, 105)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(ncol=len(by), loc="upper center", bbox_to_anchor=(0.5, 1.18))
    axes[1].set_xticks(range(len(kinds)), labels)
    fig.suptitle("報告書QA: accuracy per question kind" if cjk else "Accuracy per question kind", y=0.99)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_latency(results: Sequence[Result], path: Path) -> Path | None:
    """Latency distribution per system: box plots on a log axis."""
    try:
        plt, cjk = _pyplot()
    except ImportError:
        return None
    names = list(dict.fromkeys(r.system for r in results))[::-1]  # matplotlib draws the first box lowest
    data = [[max(r.score.latency_ms, 0.01) for r in results if r.system == n] for n in names]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.boxplot(data, vert=False, showfliers=True)
    ax.set_yticks(range(1, len(names) + 1), names)
    ax.set_xscale("log")
    ax.set_xlabel("latency per question (ms, log scale)")
    ax.grid(axis="x", alpha=0.3)
    fig.suptitle("報告書QA: latency distribution" if cjk else "Latency distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

