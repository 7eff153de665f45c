"""sum over the figures a question picks out of a column by a word they hold (「「群馬県人会」と名の付く5団体の構成
員の合計」): the column of the best figure, narrowed as a count is. Named items (「AとBの合計」), a 費目's 事業 and
a whole column are summed by qa.lookup.arithmetic; this runs when the question narrows the column or states
how many items it holds (「2つの交付金の実績額を合計」).
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.evidence import Evidence
from qa.lexicon import lexicon
from qa.lookup import derived
from qa.models import Answer, Hit
from qa.ops.structure import budget_siblings, narrow, peers, stated_count
from qa.plan import Plan
from qa.ranking import score_facts


def total(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    if q.parts:
        stated = stated_count(q)
        if stated is None or stated <= len(q.parts):
            return None  # the items are named: arithmetic adds them
        # 「海外県人会・サポーターズ9団体の」: more items than parts named; the parts are kinds, not the items.
        q = replace(q, parts=[])
    if told := re.search(r"(\d+)事業", q.norm):
        # 「…費の3事業の決算額を合計」: the 事業 are sections with budgets, not a table's rows: those of the heading
        # that has that many, the one the question's words cover best (「海外との交流・外交関係の4事業」 → 5 地域外交費).
        return _counted_jigyo(ev, plan, hits, int(told.group(1)))
    if re.search(lexicon().budget_cue, q.norm) and (n := stated_count(q)) and (ans := _counted_jigyo(ev, plan, hits, n)):
        return ans  # 「メディア関係の経費、3つ合わせた決算額」: a budget summed over that many 事業
    ranked = [s for s in score_facts(ev, q, hits) if len(peers(ev, s.fact)) >= 2]
    if not ranked or ranked[0].score < ev.weights.min_fact_score:
        return None
    best = ranked[0]
    column = peers(ev, best.fact)
    home = ev.section_by_path.get((best.fact.doc, tuple(best.fact.section_path)))
    group = narrow(ev, q, column, lambda f: f"{f.label} {f.attribute or ''}", home, least=2)
    if len(group) == len(column) and stated_count(q) != len(column):
        return None  # no word narrows it and no stated count names it whole: arithmetic decides
    return derived(ev, q, group, best.score, hits)


def _counted_jigyo(ev: Evidence, plan: Plan, hits: list[Hit], n: int) -> Answer | None:
    q = plan.question
    best, best_cov = None, ev.weights.min_scope_coverage
    for section in ev.sections:
        pairs = budget_siblings(ev, section) if section.level > 0 else []
        if len(pairs) != n:
            continue
        cov = ev.coverage(q, " ".join(section.path) + " " + " ".join(s.title for s, _ in pairs))
        if cov > best_cov:
            best, best_cov = pairs, cov
    if best is None:
        return None  # no heading has that many: arithmetic decides
    return derived(ev, q, [f for _, f in best], 1.0, hits)
