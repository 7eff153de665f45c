"""max / min over the parts of a section (「DX推進の取組のうち、事業費が最も大きかったのは」): each child section
measured by the figures it gives in the column the question names, added up when it gives several (① gives
three 事業費 rows, ② one). Used when the figures stand in each child's own table, not in one table of the scope.
"""

from __future__ import annotations

from decimal import Decimal

from qa.analyze import unit_family
from qa.evidence import Evidence
from qa.lexicon import lexicon
from qa.models import Answer, Fact, Figure, Hit, Section
from qa.ops.structure import amount, finish, ordinal
from qa.phrasing import value_text
from qa.plan import Plan
from qa.ranking import score_facts
from qa.text import format_number, norm


def _under(fact: Fact, section: Section) -> bool:
    return fact.doc == section.doc and fact.section_path[: len(section.path)] == section.path


def _column(fact: Fact) -> str:
    return (fact.attribute or "").rpartition(" ")[2]


def child_extreme(ev: Evidence, plan: Plan, hits: list[Hit], scope: Section | None,
                  thing: str | None = None) -> Answer | None:
    q = plan.question
    children = ev.children(scope) if scope is not None else []
    if scope is None or len(children) < 2:
        return None
    if thing and len(thing) >= 3 and thing not in lexicon().item_nouns and not any(
            thing in norm(c.title) for c in children):
        return None  # 「寄附が多かった政策メニューは」: ア 個人版 and イ 企業版 are no menus; nothing ranks menus
    ranked = [s for s in score_facts(ev, q, hits)
              if s.fact.source != "budget" and any(_under(s.fact, c) for c in children)]
    if not ranked or ranked[0].score < ev.weights.min_fact_score:
        return None
    head = ranked[0].fact
    column, family = _column(head), unit_family(head.unit)
    rows: list[tuple[Section, Decimal, list[Fact]]] = []
    for child in children:
        facts = [f for f in ev.index.facts if _under(f, child) and f.source != "budget"
                 and _column(f) == column and unit_family(f.unit) == family and f.period == head.period]
        if facts:
            rows.append((child, sum((amount(f) for f in facts), Decimal(0)), facts))
    if len(rows) < 2 or len({(f.section_path[-1], f.table) for _, _, facts in rows for f in facts}) < 2:
        return None  # one table after all: the column's own ranking answers it
    ordered = sorted(rows, key=lambda r: r[1], reverse=plan.op == "max")
    rank = min(ordinal(q.norm), len(ordered))
    top, second = ordered[rank - 1], ordered[rank] if rank < len(ordered) else ordered[rank - 2]

    def shown(row: tuple[Section, Decimal, list[Fact]]) -> str:
        _, total, facts = row
        value = total / facts[0].scale
        unit = facts[0].unit
        return f"{format_number(value)}{unit}"

    def formula(row: tuple[Section, Decimal, list[Fact]]) -> str:
        facts = row[2]
        return " + ".join(value_text(f) for f in facts) + f" = {shown(row)}" if len(facts) > 1 else shown(row)

    big = plan.op == "max"
    word = ("最大" if big else "最小") if rank == 1 else f"{'大きい' if big else '小さい'}方から{rank}番目"
    text = (f"{top[0].heading}：{shown(top)}（{scope.heading}の{len(rows)}項目の{column or '数値'}で{word}。"
            f"{'次いで' if rank == 1 else 'ほかに'}{second[0].heading}：{shown(second)}）"
            + (f"。{formula(top)}" if len(top[2]) > 1 else ""))
    listing = " / ".join(f"{r[0].title}：{formula(r)}" for r in ordered)
    fig = Figure(label=top[0].title, attribute=column or None, value=format(top[1] / top[2][0].scale, "f"),
                 unit=top[2][0].unit, raw=shown(top), derived=len(top[2]) > 1,
                 formula=formula(top) if len(top[2]) > 1 else None)
    citations = [ev.citation_for_fact(top[2][0], 1.0), ev.section_citation(scope, listing)]
    return finish(ev, plan, text, citations, hits, [fig])
