"""compare: a figure against the threshold the question names (「40回以上？」), or two named figures
against each other (「AはBより多い？」).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from qa.analyze import part_unit, unit_family
from qa.evidence import Evidence
from qa.lookup import figure_answer
from qa.models import Answer, Figure, Hit
from qa.ops.structure import finish
from qa.plan import Plan
from qa.text import find_periods, format_number


def compare_parts(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「AはBより多い？」: both figures looked up, then compared."""
    found = _looked_up(ev, plan, hits)
    if found is None:
        return None
    (a, b) = found
    # 「AとB、Bのほうが大きい？」: the item named before のほう is the one the question is about.
    subject = re.search(r"([^、,]*)のほう", plan.question.norm)
    if subject and "より" not in subject.group(1) and plan.parts[1].norm and plan.parts[1].norm in subject.group(1):
        a, b = b, a  # (「BよりAのほう」 was split A first: qa.plan)
    fa, fb = a.figures[0], b.figures[0]  # type: ignore[union-attr]
    families = {unit_family(fa.unit), unit_family(fb.unit)}
    if len(families) > 1 and families & {"円", "%", "秒", "日"}:
        return None  # an amount, a rate or a time against a count is no comparison (10市 against 10町 is)
    more = not re.search(r"より(少な|小さ|低)|下回|のほうが[^。、]{0,10}(少な|小さ|低)", plan.question.norm)
    va, vb = Decimal(fa.value), Decimal(fb.value)
    ok = va > vb if more else va < vb
    gap = ""
    if fa.unit == fb.unit and va != vb:
        # How far apart, in the report's figures: the larger less the smaller.
        big, small = (fa, fb) if va > vb else (fb, fa)
        gap = f"、差は{format_number(abs(va - vb))}{fa.unit}（{big.raw} − {small.raw}）"
    text = (f"{'はい' if ok else 'いいえ'}。{fa.label}：{fa.raw}、{fb.label}：{fb.raw}{gap}"
            f"（{a.citations[0].section_path[-1]}）")  # type: ignore[union-attr]
    citations = [a.citations[0]] + ([b.citations[0]] if b.citations[0] != a.citations[0] else [])  # type: ignore[union-attr]
    return finish(ev, plan, text, citations, hits, [fa, fb])


def _looked_up(ev: Evidence, plan: Plan, hits: list[Hit], same_unit: bool = True) -> list[Answer] | None:
    found: list[Answer | None] = []
    for p in plan.parts:
        p = replace(p, terms=[t for t in p.terms if t != "倍"], groups=[g for t, g in zip(p.terms, p.groups) if t != "倍"])
        if not same_unit:
            p = replace(p, unit=None)  # each figure in its own unit: the question's counter is one side's
        if own := part_unit(p.norm):
            p = replace(p, unit=own)  # 「市の数は町の数より」: each side counts in its own counter
        # The second figure is in the first one's unit (「旅券発給にかかったお金は東京事務所運営より」).
        first = found[0] if found else None
        if same_unit and first is not None and first.figures and not p.unit:
            p = replace(p, unit=unit_family(first.figures[0].unit))
        found.append(figure_answer(ev, p, hits))
    if any(a is None or not a.figures or a.abstained for a in found):
        return None
    return found  # type: ignore[return-value]


def compare_times(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「AはBの2倍以上ある？」: A against N × B, with the product shown."""
    t = plan.threshold
    # B is first read in A's unit: 「トッピングの事業費はワイグルPREFの2倍」 names the measure once. A ratio may
    # still set a count against a count of another kind (19日 against 8回): then each side keeps its own, as
    # it does when the shared unit found one figure for both sides (a figure is no measure of itself).
    found = _looked_up(ev, plan, hits)
    if found is None or found[0].figures[0] == found[1].figures[0]:
        found = _looked_up(ev, plan, hits, same_unit=False)
    if t is None or found is None:
        return None
    a, b = found
    fa, fb = a.figures[0], b.figures[0]
    money = {unit_family(fa.unit), unit_family(fb.unit)} & {"円"}
    if money and unit_family(fa.unit) != unit_family(fb.unit):
        return None
    scale_of = {"千円": 1000, "万円": 10_000, "億円": 100_000_000}
    va = Decimal(fa.value) * (scale_of.get(fa.unit, 1) if money else 1)
    vb = Decimal(fb.value) * (scale_of.get(fb.unit, 1) if money else 1)
    ratio_of = {"ge": va >= t.value * vb, "gt": va > t.value * vb, "le": va <= t.value * vb, "lt": va < t.value * vb}
    ok = ratio_of[t.comparator]
    product = f"{fb.raw} × {format_number(t.value)} = {format_number(Decimal(fb.value) * t.value)}{fb.unit}"
    text = (f"{'はい' if ok else 'いいえ'}。{fa.label}：{fa.raw}、{fb.label}：{fb.raw}（{product}）"
            f"（{a.citations[0].section_path[-1]}）")
    citations = [a.citations[0]] + ([b.citations[0]] if b.citations[0] != a.citations[0] else [])
    return finish(ev, plan, text, citations, hits, [fa, fb])


def compare(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    t = plan.threshold
    if t is None:
        return compare_parts(ev, plan, hits)
    if plan.parts and t.unit == "倍":
        return compare_times(ev, plan, hits)
    q = plan.question
    unit = unit_family(t.unit) if t.unit else q.unit
    # The threshold is the question's own figure, not a word to match.
    looked = replace(q, unit=unit, want="quantity", op=None, parts=[])
    found = figure_answer(ev, looked, hits)
    if found is None or not found.figures or found.abstained:
        return None
    fig = found.figures[0]
    value = Decimal(fig.value)
    limit = t.value
    # Amounts are compared in one scale: 「1万円以上」 against 「4,016千円」.
    scale_of = {"千円": 1000, "万円": 10_000, "億円": 100_000_000}
    if unit == "円":
        value *= scale_of.get(fig.unit, 1)
        limit *= scale_of.get(t.unit, 1)
    ok = {"ge": value >= limit, "gt": value > limit, "le": value <= limit, "lt": value < limit}[t.comparator]
    verdict = "はい" if ok else "いいえ"
    words = {"ge": "以上です", "gt": "を超えています", "le": "以下です", "lt": "未満です"}
    not_words = {"ge": "に届いていません", "gt": "を超えていません", "le": "を超えています", "lt": "未満ではありません"}
    limit_text = f"{format_number(t.value)}{t.unit}"
    tail = words[t.comparator] if ok else not_words[t.comparator]
    text = f"{verdict}。{fig.raw}{'（' + fig.period + '）' if fig.period else ''}で、{limit_text}{tail}。" + found.text
    return Answer(question=q.text, text=text, figures=found.figures, citations=found.citations, op=plan.op)


# A yes/no question about a change against an earlier figure (「令和元年度より増えた？」「前年より減った？」): the
# direction it asks, after より; a question word (何件, いくら, どれくらい) asks how much instead.
_CHANGE_ASKED = re.compile(r"より[^?？。]{0,8}?(増え|増加|多|上回|伸び|高|上が|減っ|減少|少な|下回|低|下が)")
_HOW_MUCH = re.compile(r"何|いくら|いくつ|どれ|どの|どう|どんだけ")


def verdict_on_change(q_norm: str, ans: Answer) -> Answer:
    """A difference of two periods' figures (new − old) answered as the yes/no asked: 「いいえ。13,062件（令和2年）で、
    令和元年の49,251件より36,189件少なくなっています。」 followed by the working; the answer as it is otherwise."""
    asked = _CHANGE_ASKED.search(q_norm)
    periods = [f for f in ans.figures if not f.derived and f.period]
    if asked is None or _HOW_MUCH.search(q_norm) or len(periods) != 2 or ans.abstained:
        return ans
    # The figure named before より is the one compared against; unnamed (「前年より」), the earlier one.
    before = q_norm[: asked.start()]
    named = [f for f in periods if f.period and f.period in before]
    ref = named[0] if len(named) == 1 else min(periods, key=_year)
    new = next(f for f in periods if f is not ref)
    a, b = Decimal(new.value), Decimal(ref.value)
    up = not re.match(r"減|少|下|低", asked.group(1))
    ok = a > b if up else a < b
    moved = "同じです" if a == b else f"{format_number(abs(a - b))}{new.unit}{'多く' if a > b else '少なく'}なっています"
    text = f"{'はい' if ok else 'いいえ'}。{new.raw}（{new.period}）で、{ref.period}の{ref.raw}より{moved}。" + ans.text
    return ans.model_copy(update={"text": text})


def _year(f: Figure) -> int:
    found = find_periods(f.period or "")
    return found[0][2].year if found else 0
