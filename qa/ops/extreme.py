"""max / min: the largest or smallest figure among the items or years named, a 費目's 事業 by 決算額, a
table column or a packed cell; by rank (2番目) and within a threshold; with the runner-up.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.analyze import Question, split_parts, unit_family, with_terms
from qa.arithmetic import derive
from qa.lookup import parts_name_a_title
from qa.evidence import Evidence
from qa.lexicon import money_words, time_extreme
from qa.models import Answer, Fact, Hit
from qa.ops.children import child_extreme
from qa.ops.dates import date_extreme
from qa.ops.groups import group_extreme
from qa.ops.structure import (
    amount,
    budget_siblings,
    examples_in,
    finish,
    group_facts,
    named_scope,
    narrow,
    ordinal,
    part_fact,
    passes,
    peers,
    threshold_text,
)
from qa.phrasing import figure, more_by, value_text
from qa.plan import Plan
from qa.text import norm
from qa.ranking import score_facts, siblings


# A question that also asks how far apart the two are (「いくら違う」「差は」「何件多い」).
_HOW_FAR = re.compile(r"差|違う|違い|ちがう|ちがい|開き|(何|いくら|どれ(だけ|くらい|ぐらい)|どのくらい)[^?？、。]{0,3}(多|少な|高|安|大き|小さ)")


# What a 決算額 is given for: a superlative of money over other things (実証, 番組) ranks a table's own column.
_BUDGETED = frozenset({"事業", "費目", "取組", "取り組み", "施策", "項目", "部署", "分野", "もの", "ところ"})


_NOUN = r"[\u4e00-\u9fff\u30a1-\u30ff]{1,8}"


def _ranked_thing(ev: Evidence, q: Question) -> str | None:
    """The noun a superlative ranks, when the question names one: 「どの実証」「番組はどれ」「…大きい事業は？」
    「ラジオ番組で一番」 (a title named before 一番 is where, not what)."""
    if asked := re.search(rf"どの({_NOUN})|({_NOUN})(?:は|って)(?:どれ|どこ|何|なに)", q.norm):
        return asked.group(1) or asked.group(2)
    if last := re.search(rf"(?:い|た)({_NOUN})(?:は|って)[?？]?$", q.norm):
        return last.group(1)
    among = re.search(rf"({_NOUN})(?:の中で|の中では|のうち|で)(?:一番|いちばん|最も|もっとも)", q.norm)
    return among.group(1) if among and among.group(1) not in ev.titles_text else None


def extreme(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    if time_extreme(q.norm) is not None:
        return date_extreme(ev, plan, hits)  # 「時期がいちばん早い」: the dates of the items, not a figure
    if (by_group := group_extreme(ev, plan, hits)) is not None:
        return by_group  # 「事業の決算額を合計して一番大きい費目」: each 費目 by what its 事業 come to
    # 「少ない方から数えて2番目」: a rank counts from the end the question names.
    largest = plan.op == "max" and not re.search(r"((少な|小さ|低|安)(い|く)?(方|ほう)?|下)(から|順)", q.norm)
    # The thing ranked is what the items are, not where they are, when a title holds it (「どの実証」 is no
    # pointer at ④ ロボット導入実証; 「番組」 heads rows and still says where).
    thing = _ranked_thing(ev, q)
    where_terms = [(t, g) for t, g in zip(q.terms, q.groups) if not thing or t not in thing or t not in ev.titles_text]
    scope = named_scope(ev, with_terms(q, where_terms) if where_terms else q, hits)
    if scope is not None:
        # 「知事戦略管理費で一番少ないのは社会参加費だけど、その次は」: the item named stands in the range named above it.
        above = [ev.section_by_path.get((scope.doc, tuple(scope.path[:k]))) for k in range(len(scope.path) - 1, 1, -1)]
        named_above = [s for s in above if s is not None and norm(s.title) in q.norm]
        if named_above:
            scope = named_above[0]
    candidates: list[tuple[str, Fact]] = []
    where = ""
    # 「申請件数と発行件数のうちどれが多い」: the items named, each with its figure (in the asked year).
    parts = split_parts(q)
    if parts_name_a_title(ev, parts):
        parts = []  # 「海外県人会・サポーターズの中で」 names the section whose title lists them, not two items
    if parts and not re.search(r"どちら|どっち", q.norm) and (examples := examples_in(q)) and all(
            norm(p.text).strip(" 、,") in examples for p in parts):
        parts = []  # 「全国知事会議とか関東の知事会議とか、…いちばん少ない」: examples of all, not the two compared
    grouped = group_facts(ev, q, scope)
    named = [f for part in parts if (f := part_fact(ev, part, hits)) is not None]
    if grouped is not None and len({f.label for f in grouped[1]}) == 1:
        # 「有効期間別でいちばん多いのは」: the columns under the table's group header the question names.
        group, facts = grouped
        candidates = [((f.attribute or "").rpartition(" ")[2], f) for f in facts]
        where = f"{facts[0].section_path[-1]}の{group}"
    elif len(named) >= 2 and len(named) == len(parts) and len({f.id for f in named}) == len(named):
        # Each named item by its own name when its figure's label does not hold it (「英語指導助手」 over the
        # row 「語学指導を行う海外青年招致(JETプログラム)」).
        candidates = [(f.label if any(t in norm(f.label) for t in p.terms)
                       else re.sub(r"(の|で|では)?(どっち|どちら|どれ).*$", "", p.text).strip(" 、,?？"), f)
                      for p, f in zip(parts, named, strict=True)]
        where = "、".join(dict.fromkeys(f.section_path[-1] for f in named))
    # 「令和元年と令和2年で多かったのは」: one figure over the periods named.
    elif len(q.periods) >= 2:
        ranked = score_facts(ev, replace(q, period=None, periods=[]), hits)
        if ranked:
            years = {p.year for p in q.periods}
            candidates = [(f.period_raw or "", f) for f in siblings(ev, ranked[0].fact)
                          if f.period_raw and ev.fact_year(f) in years]
            where = f"{ranked[0].fact.label}（{ranked[0].fact.section_path[-1]}）"
    # Money asked by 決算額 ranges over the 事業's budgets; by a table's own column (「表の事業費」) over the table.
    money = len(candidates) < 2 and bool(money_words().search(q.norm)) and not (
        re.search(r"事業費|金額", q.norm) and not re.search(r"決算額|予算", q.norm)) and (
        thing is None or thing in _BUDGETED or re.search(r"決算額|予算", q.norm) is not None)
    if not money and len(candidates) < 2 and scope is not None and q.unit is None and not q.measure and len(
            budget_siblings(ev, scope)) >= 2 and all(any(a in norm(scope.title) for a in g)
                                                     for t, g in zip(q.terms, q.groups, strict=True) if t not in q.loose):
        # 「地域外交費の最大は」: a heading over 事業 named with nothing else to rank by ranks its 事業 by 決算額.
        money = True
    if money and scope is not None and scope.level > 1 and len(budget_siblings(ev, scope)) < 2 and re.search(
            r"決算額|予算", q.norm) and thing in _BUDGETED:
        # 「海外との交流や外交に関する経費の中で決算額が最も大きい事業」: a section without 事業 of its own (③ of
        # 国際交流推進) stands for the nearest heading above it that has them (5 地域外交費).
        above = [ev.section_by_path.get((scope.doc, tuple(scope.path[:k]))) for k in range(len(scope.path) - 1, 1, -1)]
        scope = next((s for s in above if s is not None and len(budget_siblings(ev, s)) >= 2), scope)
    if money and (scope is None or scope.level <= 1 or len(budget_siblings(ev, scope)) >= 2):
        pairs = budget_siblings(ev, scope)
        candidates = [(s.title, f) for s, f in pairs]
        where = f"{scope.heading}の事業" if scope is not None and scope.level > 0 else "報告書の全事業"
    if len(candidates) < 2 and q.want == "date":
        # 「一番多かったのはいつ」: one figure over the periods the report gives it for.
        ranked = score_facts(ev, replace(q, want="quantity"), hits)
        if ranked:
            group = siblings(ev, ranked[0].fact)
            candidates = [(f.period_raw or "", f) for f in group if f.period_raw]
            where = f"{ranked[0].fact.label}（{ranked[0].fact.section_path[-1]}）"
    if len(candidates) < 2 and (by_child := child_extreme(ev, plan, hits, scope, thing)) is not None:
        return by_child  # 「DX推進の取組のうち事業費が最も大きい」: each child by its own table's figures
    if len(candidates) < 2:
        # 「対象事業の数が最大」: the figures compared are counted in the counter the question measures by.
        if q.unit is None and (m := re.search(r"(事業|件|人|回|社|団体|か所|本|台)の?数", q.norm)):
            q = replace(q, unit=unit_family(m.group(1)))
        elif q.unit is None and re.search(r"(構成|職|会|人|参加|来場|受講|利用)(員|者)", q.norm):
            q = replace(q, unit=unit_family("人"))  # 「構成員が少ない」: people, counted in 人 or 名
        ranked = [s for s in score_facts(ev, q, hits) if s.fact.source != "budget"]
        if scope is not None:
            # A superlative ranges over the scope the question names, never beyond it.
            ranked = [s for s in ranked if s.fact.section_path[: len(scope.path)] == scope.path]
        ranked = [s for s in ranked if len(peers(ev, s.fact)) >= 2]
        if not ranked:
            return None
        home = scope or ev.section_by_path.get((ranked[0].fact.doc, tuple(ranked[0].fact.section_path)))
        group = narrow(ev, q, peers(ev, ranked[0].fact), lambda f: f"{f.label} {f.attribute or ''}", home, least=2)
        candidates = [(f.label, f) for f in group]
        head = ranked[0].fact
        where = f"{head.section_path[-1]}の{head.attribute or '表'}"
    # 「国際交流推進を除くと一番」「県庁情報基盤整備を別にすると」: the item set aside is not ranked.
    kept = [c for c in candidates if not re.search(re.escape(norm(c[0])) + r"(を|は)?(除|のぞ|別に)|" + re.escape(norm(c[0]))
                                                   + "以外", q.norm)]
    if len(kept) < len(candidates) and len(kept) >= 2:
        candidates = kept
    if plan.threshold is not None:
        # 「1,000万円に満たないものの中で最も大きい」: the candidates the threshold lets through.
        candidates = [c for c in candidates if passes(c[1], plan.threshold)]
        where += f"（{threshold_text(plan.threshold)}のもの）"
    rank = ordinal(q.norm)
    if len(candidates) < max(2, rank):
        return None
    if len({n for n, _ in candidates}) == 1:
        # Figures packed in one cell share the row's label; their own labels end their column path
        # (「事業量 SNS広告 LINE」), and the group they stand in is what comes before.
        candidates = [((f.attribute or n).rpartition(" ")[2] or n, f) for n, f in candidates]
        group = (candidates[0][1].attribute or "").rpartition(" ")[0]
        where = f"{candidates[0][1].section_path[-1]}の{group or '表'}"
    ordered = sorted(candidates, key=lambda c: amount(c[1]), reverse=largest)
    (name, top), (name2, second) = ordered[rank - 1], ordered[rank if rank < len(ordered) else rank - 2]
    word = ("最大" if largest else "最小") if rank == 1 else f"{'大きい' if largest else '小さい'}方から{rank}番目"
    tie = amount(top) == amount(second)
    text = (f"{name}：{value_text(top)}（{where}で{word}{'（同額あり）' if tie else ''}。"
            f"{'次いで' if rank == 1 else 'ほかに'}{name2}：{value_text(second)}）")
    figures = [figure(top), figure(second)]
    if len(candidates) == 2 and _HOW_FAR.search(q.norm) and (gap := derive("diff", [top, second])) is not None:
        # 「どっちが高い？いくら違う？」: the two asked about, and how far apart they are.
        text = f"{more_by(name, gap.text, top.unit, largest)}です（{gap.formula}）。" + text
    citations = [ev.citation_for_fact(top, 1.0)]
    if len({tuple(f.section_path) for _, f in candidates}) > 1 and scope is not None:
        listing = " / ".join(f"{n}：{value_text(f)}" for n, f in ordered)
        citations.append(ev.section_citation(scope, listing))
    return finish(ev, plan, text, citations, hits, figures)
