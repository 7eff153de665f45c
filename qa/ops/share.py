"""share: a part ÷ its whole: the figure a breakdown follows, the 決算額 of the section named or of the
parent, the sum of its 事業, a column total, or the sections beside; or two named figures.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from qa.analyze import Question, analyze, unit_family
from qa.arithmetic import percent
from qa.evidence import Evidence
from qa.lexicon import counter_alternation, whole_report, whole_words
from qa.models import Answer, Fact, Figure, Hit, Section
from qa.ops.structure import amount, ancestors, budget_siblings, column, finish, parallel, title_coverage
from qa.phrasing import figure, value_text
from qa.plan import Plan
from qa.ranking import score_facts
from qa.text import format_number, norm


def _inside(passage: str, whole: str, part: str) -> bool:
    """Whether a prose figure is written as a breakdown of the one before it: inside a bracket opened after it
    (「152回（内訳：イベント等63回、…）」) or after うち/内訳; not a figure beside it (「研修（5,782人受講）、
    訓練（約1,500人対象）」)."""
    start = passage.find(whole)
    end = passage.find(part, start + len(whole)) if start >= 0 else -1
    if end < 0:
        return False
    between = passage[start + len(whole) : end]
    depth = sum(between.count(c) for c in "(（") - sum(between.count(c) for c in ")）")
    return depth > 0 or bool(re.search(r"うち|内訳", between))


def _breakdown_whole(ev: Evidence, part: Fact) -> Fact | None:
    """The figure a breakdown follows (「出動回数：152回（内訳：…幼稚園等：57回…）」, 「203件（県：141、…）」): the
    first figure of the same passage or table cell, in the same unit family, larger than the part."""
    for f in ev.index.facts:
        if f is part or f.doc != part.doc or f.lines != part.lines or f.section_path != part.section_path:
            continue
        if part.table and (f.row != part.row or (f.attribute or "").split(" ")[0] != (part.attribute or "").split(" ")[0]):
            continue
        if part.table and " " in (part.attribute or "") and " " in (f.attribute or ""):
            continue  # 「男女別 男」 beside 「男女別 女」: two parts of the group, neither the other's whole
        if unit_family(f.unit or part.unit) == unit_family(part.unit or f.unit) and amount(f) > amount(part) and (
                part.table or _inside(ev.passage(part), f.raw, part.raw)):
            return f
        if f.id == part.id:
            break
    return None


def _whole(ev: Evidence, q: Question, part: Fact) -> tuple[Decimal, str] | None:
    """The whole a part is a share of: the figure its breakdown follows, the 決算額 of the section the
    question names (or of its parent), the sum of that section's 事業, or its table column's total."""
    if (f := _breakdown_whole(ev, part)) is not None:
        return amount(f), f"{f.label}：{value_text(f)}"
    above = ancestors(ev, part)
    named = [s for s in above if title_coverage(ev, q, s) > 0]
    section = named[0] if named else (above[0] if above else None)
    if part.source == "budget" and not named and "全体" in q.norm and (report := _report_whole(ev, part)):
        return report  # 「全体の決算額の何％」 with no section named: the report's, every 事業 added up
    if part.source == "budget" and section is not None:
        own = ev.budgets.get((section.doc, tuple(section.path)))
        if own is not None:
            return amount(own), f"{section.title}：{value_text(own)}"
        under = [f for _, f in budget_siblings(ev, section)]
        if len(under) >= 2:
            total = sum((amount(f) for f in under), Decimal(0))
            return total, f"{section.title}の事業の計：{format_number(total / part.scale)}{part.unit}"
    if part.table and " " in (part.attribute or ""):
        # A column under a group header (「男女別 女」): the whole is the group's columns of the row added up.
        group = (part.attribute or "").rsplit(" ", 1)[0]
        mates = [f for f in ev.index.facts if f.table == part.table and f.row == part.row and f.period == part.period
                 and (f.attribute or "").rsplit(" ", 1)[0] == group and " " in (f.attribute or "")
                 and unit_family(f.unit) == unit_family(part.unit)]
        if len(mates) >= 2:
            total = sum((amount(f) for f in mates), Decimal(0))
            return total, f"{group}の計：{format_number(total / part.scale)}{part.unit}"
    if part.table:
        figures = column(ev, part)
        if len(figures) >= 2:
            total = sum((amount(f) for f in figures), Decimal(0))
            return total, f"{part.attribute or '列'}の計：{format_number(total / part.scale)}{part.unit}"
    # The same figure in the sections beside this one (「寄附受入実績」 under 個人版 and 企業版): their sum.
    beside = parallel(ev, part)
    if len(beside) >= 2:
        total = sum((amount(f) for f in beside), Decimal(0))
        names = "＋".join(f.section_path[-1] for f in beside)
        return total, f"{names}の計：{format_number(total / part.scale)}{part.unit}"
    return None


def _own_name(label: str) -> str:
    """A label as a question names it: without its bracketed gloss (「主管課運営費(主管課経費)」)."""
    return norm(re.sub(r"[(（][^)）]*[)）]", "", label))


# 「XのうちY」「Xに占めるY」: the whole named before, the part after (a comma may set the part off).
_WHOLE_THEN_PART = re.compile(r"^(.+?)(?:に占める|に対する|に対して|のうち|の中で|の中の)、?(.+)$")
# The words that ask the share itself, left out of the part (「…の比率は何%」).
_SHARE_ASKED = re.compile(r"の?(?:比率|割合|シェア|構成比|占有率).*$|(?:は|って|が)?(?:何|どれ|どの|いくら|約)[^、。]*$")


def share(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = replace(plan.question, unit=None if plan.question.unit == "%" else plan.question.unit)
    if whole_report().search(q.norm) and (ans := _himoku_share(ev, plan, q, hits) or _share_of_report(ev, plan, q, hits)):
        return ans  # 「部全体の決算額の何割」: a 事業's 決算額 over all the report's 事業 added up
    asked, needed, from_grammar = q, ev.weights.min_fact_coverage, False
    if len(q.parts) != 2 and not whole_words().search(q.norm) and (m := _WHOLE_THEN_PART.match(q.norm)):
        # 「政策調査の決算額に占める政策プレゼン調査研究費の比率」: both figures named, in the question's grammar.
        part_text = _SHARE_ASKED.sub("", m.group(2)) or m.group(2)
        pieces = [analyze(m.group(1), []), analyze(part_text, [])]
        if all(p.terms for p in pieces):
            q, from_grammar = replace(q, parts=pieces), True
            # Parts read from the grammar must each be a figure's own (「県外から来た人」 is none of NETSUGEN's);
            # when one is not, the question is read as before (a named item and its whole).
            needed = ev.weights.min_coverage
            # A whole quoted with its figure (「記者会見203件のうち」) says the unit both figures are in.
            if q.unit is None and (said := re.search(r"\d[\d,]*\s*(" + counter_alternation() + ")", m.group(1))):
                q = replace(q, unit=unit_family(said.group(1)))
    if whole_words().search(q.norm):
        # 「全体のうち」「総額に対して」: the whole is a total the report may not print; the part is the item
        # named, ranked without the whole's words.
        q = replace(q, parts=[])
    found = None
    # Two figures named (「AのうちB」「Aに対するB」「AとBの比」); a comma alone sets a scene (「訓練で、…職員の割合」).
    if len(q.parts) == 2 and re.search(r"と|や|及び|および|のうち|うち|に対す|に対して|に占め|の中で|から見", q.norm):
        found = _named_pair(ev, q, hits, needed)
        if found is None and not from_grammar:
            return None
    if found is None:
        found = _named_part(ev, asked if from_grammar else q, hits)
        if found is None:
            return None
    part, score, whole = found
    if whole is None or not whole[0]:
        return None
    return _share_answer(ev, plan, hits, part, score, whole)


def _named_pair(ev: Evidence, q: Question, hits: list[Hit], needed: float
                ) -> tuple[Fact, float, tuple[Decimal, str]] | None:
    """Both figures named (「政策調査の決算額のうち、政策プレゼン調査研究費の割合」): a share is the smaller over the
    larger, whichever order the question names them in. A 費目 named whole (「業務プロセス改革費の決算のうち」) is
    the sum of its 事業 when it prints no total. None when a part is no figure's (covering less than `needed`)."""
    totals = [found[0] if (found := _untotalled(ev, p)) else None for p in q.parts]
    if sum(t is not None for t in totals) == 1:
        k = next(i for i, t in enumerate(totals) if t is not None)
        other = q.parts[1 - k]
        ranked = [s for s in score_facts(ev, replace(other, unit=q.unit or "円"), hits)]
        if ranked and ranked[0].coverage >= ev.weights.min_fact_coverage and ranked[0].fact.source == "budget":
            return ranked[0].fact, 1.0, totals[k]
    facts: list[Fact] = []
    for p in q.parts:
        unit = q.unit or (unit_family(facts[0].unit) if facts else None)
        ranked = [s for s in score_facts(ev, replace(p, unit=unit), hits) if s.fact not in facts]
        # A column of a breakdown (「有効期間別 5年」) the part does not name is no whole or part of its own.
        named = [s for s in ranked if " " not in (a := norm(s.fact.attribute or "")) or a.rpartition(" ")[2] in p.norm]
        ranked = named if named and named[0].coverage >= ev.weights.min_fact_coverage else ranked
        if not ranked or ranked[0].coverage < needed:
            return None  # a part no figure is of (「アンケートの回答者数」): nothing to take a share of
        facts.append(ranked[0].fact)
    part, whole_fact = sorted(facts, key=amount)
    return part, 1.0, (amount(whole_fact), f"{whole_fact.label}：{value_text(whole_fact)}")


def _named_part(ev: Evidence, q: Question, hits: list[Hit]) -> tuple[Fact, float, tuple[Decimal, str]] | None:
    """The item the question names by its own name is the part: after 「のうち」 when the question has it
    (「総務調整費のうち主管課運営費の」, 「…合計のうち、広報活動は」); its whole as _whole finds it."""
    ranked = score_facts(ev, q, hits)
    if not ranked:
        return None
    after = q.norm.find("のうち")
    start = after + len("のうち") if after >= 0 else 0
    named = [s for s in ranked[: ev.weights.share_candidates]
             if len(name := _own_name(s.fact.label)) >= 2 and q.norm.find(name, start) >= 0]
    best = (named or ranked)[0]
    if not named and best.coverage < ev.weights.min_fact_coverage:
        return None  # 「電子決裁率は何%」: no figure of what is asked, so nothing to take a share of
    whole = _whole(ev, q, best.fact)
    return (best.fact, best.score, whole) if whole is not None else None


def _share_of_report(ev: Evidence, plan: Plan, q: Question, hits: list[Hit]) -> Answer | None:
    """A 事業's 決算額 as a share of the whole report's (every 事業 added up, the report printing no total)."""
    ranked = [s for s in score_facts(ev, replace(q, unit="円", parts=[]), hits) if s.fact.source == "budget"]
    if not ranked or ranked[0].coverage < ev.weights.min_fact_coverage:
        return None
    part = ranked[0].fact
    whole = _report_whole(ev, part)
    return _share_answer(ev, plan, hits, part, ranked[0].score, whole) if whole is not None else None


def _report_whole(ev: Evidence, part: Fact) -> tuple[Decimal, str] | None:
    """Every 事業 of the report added up (the report prints no total), in the part's unit."""
    every = [f for _, f in budget_siblings(ev, None)]
    if len(every) < 2:
        return None
    total = sum((amount(f) for f in every), Decimal(0))
    return total, f"報告書の全{len(every)}事業の決算額の計：{format_number(total / part.scale)}{part.unit}"


def _untotalled(ev: Evidence, p: Question) -> tuple[tuple[Decimal, str], Section] | None:
    """The sum of the 事業 of the section a part names by its whole title, when that section prints no 決算額
    of its own (a 費目), with the section; None otherwise."""
    named = [s for s in ev.sections if s.level >= 1 and len(t := norm(s.title)) >= 3 and t in p.norm.replace(" ", "")
             and (s.doc, tuple(s.path)) not in ev.budgets]
    if len(named) != 1:
        return None
    under = [f for _, f in budget_siblings(ev, named[0])]
    if len(under) < 2:
        return None
    total = sum((amount(f) for f in under), Decimal(0))
    return (total, f"{named[0].title}の事業の計：{format_number(total / under[0].scale)}{under[0].unit}"), named[0]


def _ratio(part: Decimal, whole: Decimal, scale: int, unit: str) -> tuple[Decimal, str, str]:
    """part ÷ whole in %, its rounded result and its formula in the report's unit (千円)."""
    exact = part / whole * 100
    formula = (f"{format_number(part / scale)}{unit} ÷ {format_number(whole / scale)}{unit} × 100 ≈ "
               f"{percent(exact)}%")
    return exact, f"約{percent(exact)}%", formula


def _himoku_share(ev: Evidence, plan: Plan, q: Question, hits: list[Hit]) -> Answer | None:
    """「部全体に対して、業務プロセス改革費の3事業の合計は何％」: a 費目 named whole (its 事業 added up, the report
    printing no 費目 total) as a share of the whole report's."""
    if (named := _untotalled(ev, q)) is None:
        return None
    (total, text), section = named
    under = budget_siblings(ev, section)  # two or more: _untotalled found them
    if (whole := _report_whole(ev, under[0][1])) is None:
        return None
    exact, result, formula = _ratio(total, whole[0], under[0][1].scale, under[0][1].unit)
    fig = Figure(label=section.title, attribute="割合", value=format(exact, "f"), unit="%", raw=result,
                 approx=True, derived=True, formula=formula)
    citation = ev.section_citation(section, " / ".join(f"{s.title}：{value_text(f)}" for s, f in under))
    return finish(ev, plan, f"{result}（{formula}）。{text}、{whole[1]}", [citation], hits, [fig])


def _share_answer(ev: Evidence, plan: Plan, hits: list[Hit], part: Fact, score: float,
                  whole: tuple[Decimal, str]) -> Answer:
    whole_value, whole_text = whole
    exact, result, formula = _ratio(amount(part), whole_value, part.scale, part.unit)
    text = f"{result}（{formula}）。{part.label}：{value_text(part)}、{whole_text}"
    fig = Figure(label=part.label, attribute="割合", value=format(exact, "f"), unit="%", raw=result,
                    approx=True, derived=True, formula=formula)
    return finish(ev, plan, text, [ev.citation_for_fact(part, score)], hits, [fig, figure(part)])
