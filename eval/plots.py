"""Figures of the harness's results (matplotlib, imported lazily): accuracy per kind and latency per system.

Reads `eval/results.py`'s records; `bench.py` draws its own figure with `pyplot()`. Every function returns
None when matplotlib is not installed (it comes with the `test` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eval.results import KINDS, Result
from eval.score import Metrics

KIND_JA = {"figure": "数値", "period": "期間", "text": "記述", "list": "列挙", "derived": "計算",
           "paraphrase": "言い換え", "followup": "追質問", "abstain": "回答不能"}


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


def pyplot():  # type: ignore[no-untyped-def]
    """matplotlib.pyplot on the Agg backend with a CJK font when one is installed; and whether one is.

    ImportError when matplotlib is missing.
    """
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
        plt, cjk = pyplot()
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
        plt, cjk = pyplot()
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
