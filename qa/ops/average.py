"""average: an amount ÷ the count written with it (「1件あたり」), or the mean of a figure's peers or of
the 事業 of a 費目, with the formula in the report's figures.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from qa.analyze import Question, unit_family, with_terms
from qa.evidence import Evidence
from qa.lexicon import lexicon, money_words
from qa.models import Answer, Fact, Figure, Hit
from qa.ops.structure import (
    amount,
    budget_siblings,
    finish,
    named_scope,
    narrow,
    nearby,
    peers,
    rounded,
    title_coverage,
    without_items,
)
from qa.phrasing import figure, value_text
from qa.plan import Plan
from qa.ranking import score_facts
from qa.text import format_number, norm
from qa.tokenize import tokens

_COUNTERS = "件|回|人|名|社|本|台|か所|事業|団体|課|部|日|校"
# 「1本あたり」「1本いくら」「1本につき」「本数で割ると」: the counter the amount is spread over.
_PER = (re.compile(rf"(?:1|一|ひと)({_COUNTERS}|つ)(?:あたり|当たり|当り|につき|で?いくら|で?何円)"),
        re.compile(rf"({_COUNTERS})(?:あたり|当たり|当り|平均)"),
        re.compile(rf"({_COUNTERS})数で割"))


# What an amount is divided by, as the question names it (「令和2年の発行件数で割ると」 → 発行件数).
_DIVIDED_BY = re.compile(r"([^、。をはがの\s]{2,12})で割")
_COUNT_WORDS = {"件数", "回数", "人数", "本数", "数"}


def _per_counter(q: Question) -> str | None:
    return next((m.group(1) for p in _PER if (m := p.search(q.norm))), None)


def _mean_of_peers(ev: Evidence, plan: Plan, hits: list[Hit], ranked: list) -> Answer | None:  # type: ignore[type-arg]
    """「3媒体で平均すると1媒体何回」: the mean of the figures the best one stands among."""
    if not ranked:
        return None
    best = ranked[0]
    where = ev.section_by_path.get((best.fact.doc, tuple(best.fact.section_path)))
    group = narrow(ev, plan.question, peers(ev, best.fact), lambda f: f"{f.label} {f.attribute or ''}", where, least=2)
    if len(group) < 2:
        return None
    total = sum((f.value for f in group), Decimal(0))
    exact = total / len(group)
    shown = rounded(exact)
    approx = shown != exact
    unit = best.fact.unit
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = (f"({' + '.join(value_text(f) for f in group)}) ÷ {len(group)} "
               f"{'≈' if approx else '='} {format_number(shown)}{unit}")
    text = f"{result}（{formula}）。{'、'.join(f.label for f in group)}の平均 — {best.fact.section_path[-1]}"
    fig = Figure(label=best.fact.label, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                 approx=approx, derived=True, formula=formula)
    return finish(ev, plan, text, [ev.citation_for_fact(best.fact, best.score)], hits, [fig])


def _mean_of_siblings(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「地域外交費の事業の決算額の平均」: the mean of the 事業 the question names, with the sum shown."""
    q = plan.question
    scope = named_scope(ev, q, hits)
    pairs = budget_siblings(ev, scope)
    if scope is not None and len(pairs) < 2 and title_coverage(ev, without_items(q), scope) < ev.weights.min_title_coverage:
        scope = None  # no section with 事業 is named: every 事業 of the report
        pairs = budget_siblings(ev, scope)
    if len(pairs) < 2:
        return None
    if scope is None:
        scope = next(s for s in ev.sections if s.level == 0)
    facts = [f for _, f in pairs]
    total = sum((amount(f) for f in facts), Decimal(0))
    scale, unit = facts[0].scale, facts[0].unit
    exact = total / len(facts) / scale
    shown = rounded(exact)
    approx = shown != exact
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = (f"({' + '.join(value_text(f) for f in facts)}) ÷ {len(facts)}事業 "
               f"{'≈' if approx else '='} {format_number(shown)}{unit}")
    text = f"{result}（{formula}）。{scope.heading}の事業の決算額の平均"
    fig = Figure(label=scope.title, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                 approx=approx, derived=True, formula=formula)
    citations = [ev.section_citation(scope, " / ".join(f"{s.title}：{value_text(f)}" for s, f in pairs))]
    return finish(ev, plan, text, citations, hits, [fig])


# 「月に何回」「1か月あたり」: a year's figure spread over its twelve months.
_PER_MONTH = re.compile(r"(?<![\d年])(1|一|ひと)?(か|ヶ|カ|ケ)?月(に|あたり|当たり|ごと|平均)")
MONTHS = Decimal(12)


def _per_month(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The year's figure ÷ 12, with the formula; the report's figures are for its fiscal year."""
    q = plan.question
    # The words that ask for the spread (「1か月あたり平均」) name no figure.
    span = m.group() if (m := _PER_MONTH.search(q.norm)) else ""
    keep = [(t, g) for t, g in zip(q.terms, q.groups) if t not in span and t != "平均"]
    q = with_terms(q, keep)
    ranked = [s for s in score_facts(ev, q, hits) if s.fact.unit and unit_family(s.fact.unit) not in {"%", "円"}]
    if not ranked or ranked[0].score < ev.weights.min_fact_score:
        return None
    fact = ranked[0].fact
    exact = fact.value / MONTHS
    shown = rounded(exact)
    approx = shown != exact
    result = f"{'約' if approx else ''}{format_number(shown)}{fact.unit}"
    formula = f"{value_text(fact)} ÷ 12か月 {'≈' if approx else '='} {format_number(shown)}{fact.unit}"
    text = f"月あたり{result}（{formula}）。{fact.label} — {fact.section_path[-1]}"
    fig = Figure(label=fact.label, attribute="月平均", value=format(shown, "f"), unit=fact.unit, raw=result,
                 approx=approx, derived=True, formula=formula)
    return finish(ev, plan, text, [ev.citation_for_fact(fact, ranked[0].score)], hits, [fig, figure(fact)])


def average(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    if _PER_MONTH.search(q.norm) and (monthly := _per_month(ev, plan, hits)) is not None:
        return monthly
    per = _per_counter(q)
    if per == "事業" or (per is None and re.search("事業", q.norm)):
        if (found := _mean_of_siblings(ev, plan, hits)) is not None:
            return found
    # What is averaged: money when the question asks about money, else the counter it asks in (「1媒体何回」).
    money = money_words().search(q.norm) or "円" in q.norm
    # A measure named by its act (「どれくらい再生された」) is that figure's, whatever its counter; else money.
    acted = not money and not q.unit and any(t in lexicon().measure_verbs.values() for t in q.terms)
    amount_q = replace(q, unit=None if acted else "円" if money or not q.unit or q.unit == per else q.unit)
    ranked = [s for s in score_facts(ev, amount_q, hits)[:ev.weights.average_candidates]
              if s.coverage >= ev.weights.min_fact_coverage]
    family = unit_family(per) if per else None

    def divisors(amount: Fact, any_count: bool = False) -> list[Fact]:
        # A count divides; a duration or a rate does not. The count written with the amount comes first
        # (「参加人数：48社73名」: 73名 over 48社, not over 「導入支援数：28社」 in the same cell).
        found = [f for f in nearby(ev, amount) if f.unit and f.value
                 and unit_family(f.unit) not in {"秒", "時間", "%", "円"}
                 and unit_family(f.unit) != unit_family(amount.unit)
                 and (family is None or any_count or unit_family(f.unit) == family)]
        # The count the question names (「発行件数で割ると」) before any other: 申請件数 stands beside it.
        return sorted(found, key=lambda f: (not named(f), f.attribute != amount.attribute or f.label != amount.label))

    by = _DIVIDED_BY.search(q.norm)
    by_words = [t for t in tokens(by.group(1)) if len(t) >= 2 and t not in _COUNT_WORDS] if by else []

    def named(f: Fact) -> bool:
        return bool(by_words) and all(t in norm(f"{f.label} {f.attribute or ''}") for t in by_words)

    # An amount and the count it is spread over stand in one table row when the report has such a row.
    # (Only among the figures that answer about as well as the best: a row far down the ranking is another topic.)
    close = [s for s in ranked if s.score >= ranked[0].score - ev.weights.average_row_margin]
    same_row = [(s, d[0]) for s in close if (d := divisors(s.fact)) and s.fact.table and d[0].row == s.fact.row
                and d[0].table == s.fact.table]
    # Elsewhere in the section only when the question names what divides (「1件あたり」).
    anywhere = [(s, d[0]) for s in ranked if (d := divisors(s.fact))] if per else []
    if per and not same_row and not anywhere and ranked and (d := divisors(ranked[0].fact, any_count=True)) and \
            d[0].lines == ranked[0].fact.lines and unit_family(d[0].unit) == "件":
        # 「1社あたり」 over 「寄附受入実績：14件、18,503,879円」: the one count written with the amount, in 件 (cases
        # of anything, one per company here; the formula shows which). 社 is no count of 人.
        anywhere = [(ranked[0], d[0])]
    chosen = (same_row or anywhere or [None])[0]
    if chosen is None:
        return _mean_of_peers(ev, plan, hits, ranked)
    best, divisor = chosen
    amount = best.fact
    exact = amount.value / divisor.value
    unit = amount.unit
    if amount.scale > 1 and abs(exact) < 100:
        # 「1本いくら」 over 3,449千円 ÷ 1,513本: 約2.3千円 hides the yen asked; the base unit shows them (約2,280円).
        exact, unit = exact * amount.scale, unit_family(amount.unit)
    shown = rounded(exact)
    approx = shown != exact
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = f"{value_text(amount)} ÷ {value_text(divisor)} {'≈' if approx else '='} {result.lstrip('約')}"
    text = f"{result}（{formula}）。1{divisor.unit}あたりの平均 — {amount.section_path[-1]}"
    fig = Figure(label=amount.label, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                    approx=approx, derived=True, formula=formula)
    citations = [ev.citation_for_fact(amount, best.score)]
    return finish(ev, plan, text, citations, hits, [fig, figure(amount), figure(divisor)])
