"""max / min over the report's 費目 (its numbered top headings, 「1 知事戦略管理費」), each measured by what its
事業 come to: the sum of their 決算額 (the default: a 費目 spends what its 事業 spend), their mean
(「1事業あたり」「平均」) or how many there are (「事業の数」). The report gives no 費目 totals, so each one is
derived, with its formula in the report's figures.
"""

from __future__ import annotations

import re
from decimal import Decimal

from qa.evidence import Evidence
from qa.models import Answer, Figure, Hit, Section
from qa.ops.structure import amount, budget_siblings, finish, ordinal, rounded
from qa.phrasing import value_text
from qa.plan import Plan
from qa.text import format_number, norm

_GROUP = re.compile("費目")
_MEAN = re.compile(r"平均|あたり|当たり")
_COUNT = re.compile(r"(事業|項目|取組)の?(数|件数)|何事業|いくつ|多く(の事業|並)")


def groups(ev: Evidence) -> list[Section]:
    """The 費目: the numbered top headings of the report."""
    return ev.himoku


def group_extreme(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「事業の決算額を合計して一番大きい費目」「1事業あたりの平均決算額が最も高い費目」「事業の数が最も少ない費目」."""
    q = plan.question
    himoku = groups(ev)
    if not _GROUP.search(q.norm) or len(himoku) < 2:
        return None
    named = [k for k, s in enumerate(himoku) if norm(s.title) in q.norm]
    if len(named) == 1:
        return None  # a 費目 named by its title: its own 事業 are ranked, not the 費目
    if len(named) >= 2:
        # 「知事戦略管理費〜地域外交費のうち」: the range written; 「AとBで」: the ones named.
        spans = re.search(r"[〜~～]|から", q.norm)
        himoku = himoku[named[0]: named[-1] + 1] if spans else [himoku[k] for k in named]
    kind = "count" if _COUNT.search(q.norm) else "mean" if _MEAN.search(q.norm) else "sum"
    rows: list[tuple[Section, Decimal, str, str]] = []  # 費目, value, shown, formula
    for s in himoku:
        pairs = budget_siblings(ev, s)
        if kind == "count":
            n = len(ev.children(s))
            rows.append((s, Decimal(n), f"{n}事業", f"{s.title}の事業を数えた：{n}事業"))
            continue
        if not pairs:
            continue
        facts = [f for _, f in pairs]
        unit, scale = facts[0].unit, facts[0].scale
        total = sum((amount(f) for f in facts), Decimal(0)) / scale
        terms = " + ".join(value_text(f) for f in facts)
        if kind == "sum":
            shown = f"{format_number(total)}{unit}"
            formula = f"{terms} = {shown}" if len(facts) > 1 else f"{shown}（事業は1つ）"
            rows.append((s, total, shown, formula))
        else:
            exact = total / len(facts)
            mean = rounded(exact)
            shown = f"{'約' if mean != exact else ''}{format_number(mean)}{unit}"
            formula = f"({terms}) ÷ {len(facts)}事業 {'≈' if mean != exact else '='} {format_number(mean)}{unit}"
            rows.append((s, exact, shown, formula))
    if len(rows) < 2:
        return None
    ordered = sorted(rows, key=lambda r: r[1], reverse=plan.op == "max")
    rank = min(ordinal(q.norm), len(ordered))
    (top, value, shown, formula) = ordered[rank - 1]
    (second, _, shown2, _) = ordered[rank] if rank < len(ordered) else ordered[rank - 2]
    measure = {"sum": "事業の決算額の合計", "mean": "1事業あたりの決算額の平均", "count": "事業の数"}[kind]
    big = plan.op == "max"
    word = ("最大" if big else "最小") if rank == 1 else f"{'大きい' if big else '小さい'}方から{rank}番目"
    text = (f"{top.heading}：{shown}（{measure}。{len(rows)}費目で{word}。{'次いで' if rank == 1 else 'ほかに'}"
            f"{second.heading}：{shown2}）。{formula}")
    listing = " / ".join(f"{s.title}：{v}" for s, _, v, _ in ordered)
    root = next(s for s in ev.sections if s.level == 0)
    citations = [ev.section_citation(top, formula), ev.section_citation(root, listing)]
    fig = Figure(label=top.title, attribute=measure, value=format(value, "f"), unit=shown.lstrip("約")
                 .lstrip("0123456789,."), raw=shown, approx=shown.startswith("約"), derived=True, formula=formula)
    return finish(ev, plan, text, citations, hits, [fig])
