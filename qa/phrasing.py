"""Phrasing: a figure, its subject and a derived result as the answer shows them, in the report's words.

Nothing here decides what the answer is; it only writes it (「4,016千円（401万6千円）。総務調整費［決算額］ —
(2) 総務調整費」).
"""

from __future__ import annotations

import re
from decimal import Decimal

from qa.analyze import unit_family
from qa.models import Fact, Figure
from qa.text import preamble_end, yen_reading


def plain(x: Decimal) -> str:
    """A Decimal as plain digits, without exponent or trailing zeros of an integer."""
    return format(x.normalize(), "f") if x == x.to_integral_value() else format(x, "f")


def value_text(f: Fact) -> str:
    """The figure as the report writes it, with its unit (「2,597」 inherits 千円 → 「2,597千円」)."""
    return f.raw.strip() if f.unit and f.unit in f.raw else f"{f.raw.strip()}{f.unit}"


def figure_text(f: Fact) -> str:
    """The figure, a plain reading of an amount in 千円, and its period."""
    text = value_text(f)
    if unit_family(f.unit) == "円" and f.scale > 1:
        text += f"（{yen_reading(f.value, f.scale)}）"
    if f.period_raw:
        text += f"（{f.period_raw}）"
    return text


def subject(f: Fact) -> str:
    """What the figure is of, and where: 「旅券発行件数 — (4) 旅券発給」."""
    attr = f"［{f.attribute}］" if f.attribute else ""
    return f"{f.label}{attr} — {f.section_path[-1]}"


def figure(f: Fact) -> Figure:
    return Figure(label=f.label, attribute=f.attribute, period=f.period_raw, value=plain(f.value), unit=f.unit,
                  raw=value_text(f), approx=f.approx, derived=False, formula=None)


def more_by(name: str, gap: str, unit: str | None, larger: bool = True) -> str:
    """「旅券発行件数の方が321件多い」: which of two figures is larger (of money: 大きい) and by how much."""
    money = unit_family(unit) == "円"
    word = ("大きい" if money else "多い") if larger else ("小さい" if money else "少ない")
    return f"{name}の方が{gap}{word}"


def topic(question: str, period_words: str) -> str:
    """The question's subject in its own words: 「知事の趣味は？」 → 「知事の趣味」."""
    question = question.strip()
    text = re.sub(r"[?？!！。\s]+$", "", question[preamble_end(question, clauses=False):])  # not the asker's situation
    text = re.sub(r"(について|を|は|って|の|が|に|で)?[、,\s]*(教えて.*|知りたい.*|第?何.*|いくら.*|いくつ.*|いつ.*|どこ.*|誰.*|"
                  r"どれ.*|どんな.*|どの.*|どう.*|なん[でだ].*|なに.*)?$", "", text)
    text = re.sub(r"(について|を|は|って|が|に|で)?[、,\s]+$", "", text)  # 「…費用は、どの事業に」
    text = re.sub(r"(?<=[るたい])の$", "", text)  # 「1体作るのに」: the の of a verb, before 「の記載」
    if period_words:
        text = text.replace(period_words.rstrip("の"), "").lstrip("のはに ")
        text = re.sub(r"のの", "の", text)  # 「知事戦略部の令和元年度の決算額」 without its year
    return text.strip()
