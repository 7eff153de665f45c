"""The operations a plan names, executed over the report's structure and facts, in exact Decimal, each
with its working in the report's own figures.

- count: the child sections, table rows or listed items in the scope the question names.
- max / min: the largest or smallest figure among siblings: a table column, or the 決算額 of a 費目's 事業.
- average: an amount ÷ a count from the same table row or section (「1件あたり」).
- share: a part ÷ its whole (the parent's 決算額, or the sum of the siblings when the parent states none).
- compare: a figure against the threshold the question names (「40回以上？」).
- locate: the section path of the best evidence.
- describe: the description paragraph of the section the question names.
- multi-part: each part looked up on its own.

Every function takes the Evidence of one index (term weights, fact ranking, citations) and returns an
Answer, or None when the operation has nothing to range over (the router then falls back to a lookup).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from qa.analyze import Question, split_parts, unit_family
from qa.arithmetic import percent
from qa.evidence import Evidence
from qa.lexicon import lexicon, money_words, whole_report, whole_words
from qa.lookup import figure_answer
from qa.models import Answer, Citation, Fact, Figure, Hit, Section
from qa.phrasing import figure, value_text
from qa.plan import Plan, Threshold
from qa.ranking import score_facts, siblings, target_year
from qa.text import format_number, norm

# A 費目 (「1 知事戦略管理費」) is a level-1 section with a plain number; its children are its 事業.
_ITEM_NOUNS = re.compile(r"事業|取組|取り組み|項目|プロジェクト|pj|施策|会議|区分|団体|県人会|もの|内容|テーマ")
_TABLE_WORDS = re.compile(r"表|一覧|リスト|区分|内訳")


def title_coverage(ev: Evidence, q: Question, section: Section) -> float:
    """IDF-weighted share of the question's term groups found in the section's own title."""
    return ev.coverage(q, section.title)


def _without_items(q: Question) -> Question:
    """The question without the nouns that name what is counted or ranked (事業, 取組): they name no scope."""
    nouns = set(lexicon().item_nouns)
    # A rank (「2番目」「3位」) is no name either.
    keep = [(t, g) for t, g in zip(q.terms, q.groups) if t not in nouns and not re.fullmatch(r"\d*(番目?|位|目)", t)]
    return replace(q, terms=[t for t, _ in keep], groups=[g for _, g in keep])


def named_scope(ev: Evidence, q: Question, hits: list[Hit]) -> Section | None:
    """The section the question names by its title (the best title match; ties go to the better-retrieved);
    None when the question names the whole report or no section."""
    if whole_report().search(q.norm):
        return None
    q = _without_items(q)
    # Words the report never uses (「分野」) cannot name one of its sections: they do not count against a title.
    known = [(t, g) for t, g in zip(q.terms, q.groups) if not ev.unknown(g)]
    q = replace(q, terms=[t for t, _ in known], groups=[g for _, g in known])
    rank = {}
    for i, h in enumerate(hits):
        rank.setdefault(tuple(h.section_path), i)
    best, best_key = None, (0.0, 0.0)
    for s in ev.sections:
        if s.level == 0:
            continue
        cov = title_coverage(ev, q, s)
        if cov <= 0:
            continue
        key = (round(cov, 6), -rank.get(tuple(s.path), len(hits) + 1))
        if key > best_key:
            best, best_key = s, key
    # A title that shares only a minor word with the question (「2番目」 and 「番号」) names nothing.
    return best if best_key[0] >= ev.weights.min_scope_coverage else None


def _finish(ev: Evidence, plan: Plan, text: str, citations: list[Citation], hits: list[Hit],
            figures: list[Figure] | None = None) -> Answer:
    citations = citations + ev.citations_from_hits(hits, citations, max(0, ev.top_k - len(citations)))
    return Answer(question=plan.question.text, text=text, figures=figures or [], citations=citations, op=plan.op)


# Scales of amount units a threshold may be written in (「1,000万円」).
_SCALES = {"千円": 1000, "万円": 10_000, "億円": 100_000_000}

# --- count -------------------------------------------------------------------------------------


def _row_labels(ev: Evidence, section: Section) -> list[str]:
    rows = [c for c in ev.index.chunks if c.section_path == section.path and c.kind == "table_row"]
    return list(dict.fromkeys(r.body.split(" — ")[0] for r in rows))


# A listed item: a bullet, or a paragraph led by an item mark (「ア 職員への…」, 「① …」).
_ITEM_MARK = re.compile(r"^([ア-ン]|[①-⑳])\s")


def _listed(section: Section) -> list[str]:
    marked = [b.text for b in section.blocks if b.kind == "paragraph" and _ITEM_MARK.match(b.text)]
    if len(marked) >= 2:
        return [_ITEM_MARK.sub("", t).split("、")[0][:30] for t in marked]
    return [b.text.strip("・ ") for b in section.blocks if b.kind == "bullet"]


def _jigyo(ev: Evidence) -> list[Section]:
    """Every 事業 of the report: the children of a numbered 費目 (「1 知事戦略管理費」 › 「(1) 庁議」)."""
    sections = ev.sections
    himoku = {s.id for s in sections if s.level == 1 and s.number.isdigit()}
    return [s for s in sections if s.parent in himoku]


def count(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    scope = named_scope(ev, q, hits)
    if plan.threshold is None and (columns := _column_group(ev, q, scope)):
        # 「有効期間別に見ると何区分」: the columns under the group header the question names.
        group, subs, section = columns
        return _count_answer(ev, plan, hits, section, subs)
    if plan.threshold is None:
        # 「地方創生拠点整備交付金は何事業？」: a figure in the counter's unit answers it, unless the question
        # points at a listing (「表に何件載っている」).
        counted = q.unit or _counted_noun(q)
        if (counted and counted in lexicon().counters and unit_family(counted) in ev.unit_families
                and not re.search(lexicon().list_cue, q.norm)):
            found = figure_answer(ev, replace(q, unit=unit_family(counted)), hits)
            if found is not None:
                return found
    if plan.threshold is not None:
        # 「決算額が1,000万円を超えているものはいくつ」: the 事業 (or a column's rows) the threshold lets through.
        pairs = _budget_siblings(ev, scope)
        if len(pairs) >= 2 and unit_family(plan.threshold.unit or "円") == "円":
            kept = [s.heading for s, f in pairs if passes(f, plan.threshold)]
            where = scope if scope is not None else next(s for s in ev.sections if s.level == 0)
            return _count_answer(ev, plan, hits, where, kept)
        # 「構成員50人未満のところは何団体」: the rows of the column measured in the threshold's unit.
        unit = unit_family(plan.threshold.unit) if plan.threshold.unit else None
        ranked = [s for s in score_facts(ev, replace(q, unit=unit), hits) if len(_peers(ev, s.fact)) >= 2]
        if not ranked:
            return None
        peers = _peers(ev, ranked[0].fact)
        kept = [f.label for f in peers if passes(f, plan.threshold)]
        section = ev.section_by_path.get((ranked[0].fact.doc, tuple(ranked[0].fact.section_path)))
        return _count_answer(ev, plan, hits, section, kept) if section is not None else None
    if "費目" in q.norm and (scope is None or scope.level == 0):
        # 「費目はいくつ」: the numbered top headings (「1 知事戦略管理費」).
        himoku = [s for s in ev.sections if s.level == 1 and s.number.isdigit()]
        root = next(s for s in ev.sections if s.level == 0)
        return _count_answer(ev, plan, hits, root, [s.heading for s in himoku]) if himoku else None
    if scope is None or scope.level == 0:
        # Nothing narrower named: the 事業 of the whole report.
        jigyo = _jigyo(ev)
        if not jigyo or not re.search("事業", q.norm):
            return None
        items = [s.heading for s in jigyo]
        root = next(s for s in ev.sections if s.level == 0)
        return _count_answer(ev, plan, hits, root, items)
    children = [c.heading for c in ev.children(scope)]
    rows = _row_labels(ev, scope)
    bullets = _listed(scope)
    # A table the question points at (「表には」「区分」), else the sub-sections, else the rows, else bullets.
    if rows and len(rows) >= 2 and (_TABLE_WORDS.search(q.norm) or len(children) < 2):
        items = rows
    elif len(children) >= 2:
        items = children
    elif len(rows) >= 2:
        items = rows
    elif len(bullets) >= 2:
        items = bullets
    else:
        return None
    return _count_answer(ev, plan, hits, scope, items)


def _column_group(ev: Evidence, q: Question, scope: Section | None) -> tuple[str, list[str], Section] | None:
    """A table's group header the question names (「男女別」「有効期間別」) with its columns, in order."""
    for f in ev.index.facts:
        group, _, sub = (f.attribute or "").rpartition(" ")
        if not group or not sub or norm(group) not in q.norm or len(norm(group)) < 2:
            continue
        if scope is not None and f.section_path[: len(scope.path)] != scope.path:
            continue
        subs = list(dict.fromkeys(
            (g.attribute or "").rpartition(" ")[2] for g in ev.index.facts
            if g.table == f.table and (g.attribute or "").rpartition(" ")[0] == group))
        section = ev.section_by_path.get((f.doc, tuple(f.section_path)))
        if len(subs) >= 2 and section is not None:
            return group, subs, section
    return None


def _counted_noun(q: Question) -> str | None:
    """The item noun nearest before the question word (「事業の中には取組がいくつ」 → 取組)."""
    ask = re.search(r"いくつ|何", q.norm)
    end = ask.start() if ask else len(q.norm)
    found = [(q.norm.rfind(n, 0, end), n) for n in lexicon().item_nouns if q.norm.rfind(n, 0, end) >= 0]
    return max(found)[1] if found else None


def _count_answer(ev: Evidence, plan: Plan, hits: list[Hit], scope: Section, items: list[str]) -> Answer:
    q = plan.question
    asked = re.search(r"何(事業|団体|会議|項目|区分|種類|テーマ|件|個|つ)", q.norm)
    counter = asked.group(1) if asked else "件"
    listed = items[:ev.weights.max_listed]
    names = "、".join(listed) + ("、…" if len(items) > len(listed) else "")
    text = f"{len(items)}{counter}：{names}（{scope.heading}）"
    cit = ev.section_citation(scope, " / ".join(items))
    fig = Figure(label=scope.title, value=str(len(items)), unit=counter, raw=f"{len(items)}{counter}",
                    derived=True, formula=f"{scope.heading}に挙げられた{len(items)}項目を数えた")
    return _finish(ev, plan, text, [cit], hits, [fig])


# --- max / min ---------------------------------------------------------------------------------


def _column(ev: Evidence, fact: Fact) -> list[Fact]:
    """The main figure of each row in the fact's table column (the first figure a row gives there); for a
    cell that packs several labelled figures (「Twitter 3,162,878回 … LINE 2,766,068回」), those figures."""
    out: dict[int | None, Fact] = {}
    for f in ev.index.facts:
        if (f.table == fact.table and f.attribute == fact.attribute
                and unit_family(f.unit) == unit_family(fact.unit) and f.row not in out):
            out[f.row] = f
    if len(out) >= 2:
        return list(out.values())
    head = (fact.attribute or "").split(" ")[0]
    return [f for f in ev.index.facts
            if f.table == fact.table and f.row == fact.row and f.lines == fact.lines
            and (f.attribute or "").split(" ")[0] == head and unit_family(f.unit) == unit_family(fact.unit)]


def _peers(ev: Evidence, fact: Fact) -> list[Fact]:
    """The figures a fact stands among: its table column; else the facts of its section in the same unit
    family and source with other labels (「【Twitter】フォロワー数」 beside 「【Instagram】フォロワー数」), one
    per label, in the report's year."""
    if fact.table:
        return _column(ev, fact)
    out: dict[str, Fact] = {}
    for f in ev.index.facts:
        if (f.doc == fact.doc and f.section_path == fact.section_path and f.source == fact.source
                and unit_family(f.unit) == unit_family(fact.unit) and f.label not in out
                and (f.period is None or f.period == fact.period)):
            out[f.label] = f
    return list(out.values())


def _budget_siblings(ev: Evidence, scope: Section | None) -> list[tuple[Section, Fact]]:
    """The 事業 under a scope with their 決算額 facts: a 費目's children, or every 事業 of the report."""
    pool = _jigyo(ev) if scope is None or scope.level == 0 else ev.children(scope)
    return [(s, ev.budgets[(s.doc, tuple(s.path))]) for s in pool if (s.doc, tuple(s.path)) in ev.budgets]


def _amount(f: Fact) -> Decimal:
    return f.value * f.scale


def ordinal(text: str) -> int:
    """「2位」「2番目に多い」「ランキング3位」: the rank asked for (1 when none is named)."""
    m = re.search(r"(\d+)\s*(位|番目)", text)
    return max(1, int(m.group(1))) if m else 1


def threshold_text(t: Threshold) -> str:
    """「1億円未満」「40回以上」: a threshold in plain words."""
    word = {"ge": "以上", "gt": "超", "le": "以下", "lt": "未満"}[t.comparator]
    return f"{format_number(t.value)}{t.unit}{word}"


def passes(fact: Fact, t: Threshold) -> bool:
    """Whether a figure passes a threshold (amounts compared in yen)."""
    value = _amount(fact)
    limit = t.value * _SCALES.get(t.unit, 1) if unit_family(fact.unit) == "円" else t.value
    return {"ge": value >= limit, "gt": value > limit, "le": value <= limit, "lt": value < limit}[t.comparator]


def _part_fact(ev: Evidence, part: Question, hits: list[Hit]) -> Fact | None:
    """The figure one named item stands for, in the year the question asks when it names one."""
    ranked = score_facts(ev, part, hits)
    if not ranked or ranked[0].score < ev.weights.min_fact_score:
        return None
    fact = ranked[0].fact
    target = target_year(ev, part, fact.doc)
    if target is not None:
        fact = next((f for f in siblings(ev, fact) if ev.fact_year(f) == target), fact)
    return fact


def extreme(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    # 「少ない方から数えて2番目」: a rank counts from the end the question names.
    largest = plan.op == "max" and not re.search(r"(少な|小さ|低|安)(い|く)?(方|ほう)?から", q.norm)
    scope = named_scope(ev, q, hits)
    candidates: list[tuple[str, Fact]] = []
    where = ""
    # Money asked by 決算額 ranges over the 事業's budgets; by a table's own column (「表の事業費」) over the table.
    # 「申請件数と発行件数のうちどれが多い」: the items named, each with its figure (in the asked year).
    named = [f for part in split_parts(q) if (f := _part_fact(ev, part, hits)) is not None]
    if len(named) >= 2 and len(named) == len(split_parts(q)):
        candidates = [(f.label, f) for f in named]
        where = "、".join(dict.fromkeys(f.section_path[-1] for f in named))
    # 「令和元年と令和2年で多かったのは」: one figure over the periods named.
    elif len(q.periods) >= 2:
        ranked = score_facts(ev, replace(q, period=None, periods=[]), hits)
        if ranked:
            years = {p.year for p in q.periods}
            candidates = [(f.period_raw or "", f) for f in siblings(ev, ranked[0].fact)
                          if f.period_raw and ev.fact_year(f) in years]
            where = f"{ranked[0].fact.label}（{ranked[0].fact.section_path[-1]}）"
    money = len(candidates) < 2 and bool(money_words().search(q.norm)) and not (
        re.search(r"事業費|金額", q.norm) and not re.search(r"決算額|予算", q.norm))
    if money and (scope is None or scope.level <= 1 or len(_budget_siblings(ev, scope)) >= 2):
        pairs = _budget_siblings(ev, scope)
        candidates = [(s.title, f) for s, f in pairs]
        where = f"{scope.heading}の事業" if scope is not None and scope.level > 0 else "報告書の全事業"
    if len(candidates) < 2 and q.want == "date":
        # 「一番多かったのはいつ」: one figure over the periods the report gives it for.
        ranked = score_facts(ev, replace(q, want="quantity"), hits)
        if ranked:
            group = siblings(ev, ranked[0].fact)
            candidates = [(f.period_raw or "", f) for f in group if f.period_raw]
            where = f"{ranked[0].fact.label}（{ranked[0].fact.section_path[-1]}）"
    if len(candidates) < 2:
        # 「対象事業の数が最大」: the figures compared are counted in the counter the question measures by.
        if q.unit is None and (m := re.search(r"(事業|件|人|回|社|団体|か所|本|台)の?数", q.norm)):
            q = replace(q, unit=unit_family(m.group(1)))
        ranked = [s for s in score_facts(ev, q, hits) if s.fact.source != "budget"]
        if scope is not None:
            # A superlative ranges over the scope the question names, never beyond it.
            ranked = [s for s in ranked if s.fact.section_path[: len(scope.path)] == scope.path]
        ranked = [s for s in ranked if len(_peers(ev, s.fact)) >= 2]
        if not ranked:
            return None
        candidates = [(f.label, f) for f in _peers(ev, ranked[0].fact)]
        head = ranked[0].fact
        where = f"{head.section_path[-1]}の{head.attribute or '表'}"
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
    ordered = sorted(candidates, key=lambda c: _amount(c[1]), reverse=largest)
    (name, top), (name2, second) = ordered[rank - 1], ordered[rank if rank < len(ordered) else rank - 2]
    word = ("最大" if largest else "最小") if rank == 1 else f"{'大きい' if largest else '小さい'}方から{rank}番目"
    tie = _amount(top) == _amount(second)
    text = (f"{name}：{value_text(top)}（{where}で{word}{'（同額あり）' if tie else ''}。"
            f"{'次いで' if rank == 1 else 'ほかに'}{name2}：{value_text(second)}）")
    figures = [figure(top), figure(second)]
    citations = [ev.citation_for_fact(top, 1.0)]
    if len({tuple(f.section_path) for _, f in candidates}) > 1 and scope is not None:
        listing = " / ".join(f"{n}：{value_text(f)}" for n, f in ordered)
        citations.append(ev.section_citation(scope, listing))
    return _finish(ev, plan, text, citations, hits, figures)


# --- average and share ---------------------------------------------------------------------------


def _per_counter(q: Question) -> str | None:
    m = re.search(r"(?:1|一|ひと)(件|回|人|名|社|本|か所|事業|団体|つ|課|部|日|校)(?:あたり|当たり|当り)", q.norm)
    if m:
        return m.group(1)
    m = re.search(r"(件|回|人|名|社|本|か所|事業|団体|課|部|日|校)(?:あたり|当たり|当り|平均)", q.norm)
    return m.group(1) if m else None


def _nearby(ev: Evidence, fact: Fact) -> list[Fact]:
    """Facts that stand with this one: its table row first, then the rest of its section."""
    same_row = [f for f in ev.index.facts if f.table and f.table == fact.table and f.row == fact.row]
    same_section = [f for f in ev.index.facts if f.section_path == fact.section_path and f not in same_row]
    return [f for f in same_row + same_section if f is not fact]


def _rounded(x: Decimal) -> Decimal:
    """A derived average as shown: exact when it is whole; else one decimal below 100 (2.7名), whole above
    (約23,302円). The formula beside it keeps the exact figures."""
    if x == x.to_integral_value():
        return x
    return x.quantize(Decimal("0.1") if abs(x) < 100 else Decimal(1), rounding=ROUND_HALF_UP)


def _mean_of_peers(ev: Evidence, plan: Plan, hits: list[Hit], ranked: list) -> Answer | None:  # type: ignore[type-arg]
    """「3媒体で平均すると1媒体何回」: the mean of the figures the best one stands among."""
    if not ranked:
        return None
    best = ranked[0]
    peers = _peers(ev, best.fact)
    if len(peers) < 2:
        return None
    total = sum((f.value for f in peers), Decimal(0))
    exact = total / len(peers)
    shown = _rounded(exact)
    approx = shown != exact
    unit = best.fact.unit
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = (f"({' + '.join(value_text(f) for f in peers)}) ÷ {len(peers)} "
               f"{'≈' if approx else '='} {format_number(shown)}{unit}")
    text = f"{result}（{formula}）。{'、'.join(f.label for f in peers)}の平均 — {best.fact.section_path[-1]}"
    fig = Figure(label=best.fact.label, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                 approx=approx, derived=True, formula=formula)
    return _finish(ev, plan, text, [ev.citation_for_fact(best.fact, best.score)], hits, [fig])


def _mean_of_siblings(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「地域外交費の事業の決算額の平均」: the mean of the 事業 the question names, with the sum shown."""
    q = plan.question
    scope = named_scope(ev, q, hits)
    pairs = _budget_siblings(ev, scope)
    if scope is not None and len(pairs) < 2 and title_coverage(ev, _without_items(q), scope) < ev.weights.min_title_coverage:
        scope = None  # no section with 事業 is named: every 事業 of the report
        pairs = _budget_siblings(ev, scope)
    if len(pairs) < 2:
        return None
    if scope is None:
        scope = next(s for s in ev.sections if s.level == 0)
    facts = [f for _, f in pairs]
    total = sum((_amount(f) for f in facts), Decimal(0))
    scale, unit = facts[0].scale, facts[0].unit
    exact = total / len(facts) / scale
    shown = _rounded(exact)
    approx = shown != exact
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = (f"({' + '.join(value_text(f) for f in facts)}) ÷ {len(facts)}事業 "
               f"{'≈' if approx else '='} {format_number(shown)}{unit}")
    text = f"{result}（{formula}）。{scope.heading}の事業の決算額の平均"
    fig = Figure(label=scope.title, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                 approx=approx, derived=True, formula=formula)
    citations = [ev.section_citation(scope, " / ".join(f"{s.title}：{value_text(f)}" for s, f in pairs))]
    return _finish(ev, plan, text, citations, hits, [fig])


def average(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    per = _per_counter(q)
    if per == "事業" or (per is None and re.search("事業", q.norm)):
        if (found := _mean_of_siblings(ev, plan, hits)) is not None:
            return found
    # What is averaged: money when the question asks about money, else the counter it asks in (「1媒体何回」).
    money = money_words().search(q.norm) or "円" in q.norm
    amount_q = replace(q, unit="円" if money or not q.unit or q.unit == per else q.unit)
    ranked = [s for s in score_facts(ev, amount_q, hits)[:ev.weights.average_candidates]
              if s.coverage >= ev.weights.min_fact_coverage]
    family = unit_family(per) if per else None

    def divisors(amount: Fact) -> list[Fact]:
        # A count divides; a duration or a rate does not. The count written with the amount comes first
        # (「参加人数：48社73名」: 73名 over 48社, not over 「導入支援数：28社」 in the same cell).
        found = [f for f in _nearby(ev, amount) if f.unit and f.value
                 and unit_family(f.unit) not in {"秒", "時間", "%", "円"}
                 and unit_family(f.unit) != unit_family(amount.unit)
                 and (family is None or unit_family(f.unit) == family)]
        return sorted(found, key=lambda f: (f.attribute != amount.attribute or f.label != amount.label))

    # An amount and the count it is spread over stand in one table row when the report has such a row.
    same_row = [(s, d[0]) for s in ranked if (d := divisors(s.fact)) and s.fact.table and d[0].row == s.fact.row
                and d[0].table == s.fact.table]
    # Elsewhere in the section only when the question names what divides (「1件あたり」).
    anywhere = [(s, d[0]) for s in ranked if (d := divisors(s.fact))] if per else []
    chosen = (same_row or anywhere or [None])[0]
    if chosen is None:
        return _mean_of_peers(ev, plan, hits, ranked)
    best, divisor = chosen
    amount = best.fact
    exact = amount.value / divisor.value
    shown = _rounded(exact)
    approx = shown != exact
    unit = amount.unit
    result = f"{'約' if approx else ''}{format_number(shown)}{unit}"
    formula = f"{value_text(amount)} ÷ {value_text(divisor)} {'≈' if approx else '='} {result.lstrip('約')}"
    text = f"{result}（{formula}）。{divisor.unit}あたりの平均 — {amount.section_path[-1]}"
    fig = Figure(label=amount.label, attribute="平均", value=format(shown, "f"), unit=unit, raw=result,
                    approx=approx, derived=True, formula=formula)
    citations = [ev.citation_for_fact(amount, best.score)]
    return _finish(ev, plan, text, citations, hits, [fig, figure(amount), figure(divisor)])


def _ancestor(ev: Evidence, fact: Fact) -> list[Section]:
    out = []
    for depth in range(len(fact.section_path) - 1, 0, -1):
        s = ev.section_by_path.get((fact.doc, tuple(fact.section_path[:depth])))
        if s is not None:
            out.append(s)
    return out


def _breakdown_whole(ev: Evidence, part: Fact) -> Fact | None:
    """The figure a breakdown follows (「出動回数：152回（内訳：…幼稚園等：57回…）」, 「203件（県：141、…）」): the
    first figure of the same passage or table cell, in the same unit family, larger than the part."""
    for f in ev.index.facts:
        if f is part or f.doc != part.doc or f.lines != part.lines or f.section_path != part.section_path:
            continue
        if part.table and (f.row != part.row or (f.attribute or "").split(" ")[0] != (part.attribute or "").split(" ")[0]):
            continue
        if unit_family(f.unit or part.unit) == unit_family(part.unit or f.unit) and _amount(f) > _amount(part):
            return f
        if f.id == part.id:
            break
    return None


def _whole(ev: Evidence, q: Question, part: Fact) -> tuple[Decimal, str] | None:
    """The whole a part is a share of: the figure its breakdown follows, the 決算額 of the section the
    question names (or of its parent), the sum of that section's 事業, or its table column's total."""
    if (f := _breakdown_whole(ev, part)) is not None:
        return _amount(f), f"{f.label}：{value_text(f)}"
    ancestors = _ancestor(ev, part)
    named = [s for s in ancestors if title_coverage(ev, q, s) > 0]
    section = named[0] if named else (ancestors[0] if ancestors else None)
    if part.source == "budget" and section is not None:
        own = ev.budgets.get((section.doc, tuple(section.path)))
        if own is not None:
            return _amount(own), f"{section.title}：{value_text(own)}"
        siblings = [f for _, f in _budget_siblings(ev, section)]
        if len(siblings) >= 2:
            total = sum((_amount(f) for f in siblings), Decimal(0))
            return total, f"{section.title}の事業の計：{format_number(total / part.scale)}{part.unit}"
    if part.table:
        column = _column(ev, part)
        if len(column) >= 2:
            total = sum((_amount(f) for f in column), Decimal(0))
            return total, f"{part.attribute or '列'}の計：{format_number(total / part.scale)}{part.unit}"
    # The same figure in the sections beside this one (「寄附受入実績」 under 個人版 and 企業版): their sum.
    parallel = _parallel(ev, part)
    if len(parallel) >= 2:
        total = sum((_amount(f) for f in parallel), Decimal(0))
        names = "＋".join(f.section_path[-1] for f in parallel)
        return total, f"{names}の計：{format_number(total / part.scale)}{part.unit}"
    return None


def _parallel(ev: Evidence, fact: Fact) -> list[Fact]:
    """The same label, unit and period in each child section of the fact's parent section."""
    if len(fact.section_path) < 2:
        return []
    parent = fact.section_path[:-1]
    out = [f for f in ev.index.facts
           if f.doc == fact.doc and f.section_path[:-1] == parent and len(f.section_path) == len(fact.section_path)
           and f.label == fact.label and f.unit == fact.unit and f.period == fact.period]
    return out if len({tuple(f.section_path) for f in out}) == len(out) else []


def share(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = replace(plan.question, unit=None if plan.question.unit == "%" else plan.question.unit)
    if whole_words().search(q.norm):
        # 「全体のうち」「総額に対して」: the whole is a total the report may not print; the part is the item
        # named, ranked without the whole's words.
        q = replace(q, parts=[])
    if len(q.parts) == 2:
        # Both figures named (「政策調査の決算額のうち、政策プレゼン調査研究費の割合」): a share is the smaller
        # over the larger, whichever order the question names them in.
        facts = []
        for p in q.parts:
            unit = q.unit or (unit_family(facts[0].unit) if facts else None)
            ranked = [s for s in score_facts(ev, replace(p, unit=unit), hits) if s.fact not in facts]
            if not ranked:
                return None
            facts.append(ranked[0].fact)
        part, whole_fact = sorted(facts, key=_amount)
        whole = (_amount(whole_fact), f"{whole_fact.label}：{value_text(whole_fact)}")
        score = 1.0
    else:
        ranked = score_facts(ev, q, hits)
        if not ranked:
            return None
        # The item the question names by its own name is the part: after 「のうち」 when the question has it
        # (「総務調整費のうち主管課運営費の」, 「…合計のうち、広報活動は」).
        after = q.norm.find("のうち")
        named = [s for s in ranked[: ev.weights.share_candidates]
                 if len(s.fact.label) >= 2 and q.norm.find(norm(s.fact.label)) > after]
        best = (named or ranked)[0]
        part, score = best.fact, best.score
        whole = _whole(ev, q, part)
    if whole is None or not whole[0]:
        return None
    whole_value, whole_text = whole
    exact = _amount(part) / whole_value * 100
    result = f"約{percent(exact)}%"
    formula = (f"{format_number(_amount(part) / part.scale)}{part.unit} ÷ "
               f"{format_number(whole_value / part.scale)}{part.unit} × 100 ≈ {percent(exact)}%")
    text = f"{result}（{formula}）。{part.label}：{value_text(part)}、{whole_text}"
    fig = Figure(label=part.label, attribute="割合", value=format(exact, "f"), unit="%", raw=result,
                    approx=True, derived=True, formula=formula)
    return _finish(ev, plan, text, [ev.citation_for_fact(part, score)], hits, [fig, figure(part)])


# --- compare -------------------------------------------------------------------------------------


def compare_parts(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「AはBより多い？」: both figures looked up, then compared."""
    found = [figure_answer(ev, p, hits) for p in plan.parts]
    if any(a is None or not a.figures or a.abstained for a in found):
        return None
    (a, b) = found  # type: ignore[misc]
    # 「AとB、Bのほうが大きい？」: the item named before のほう is the one the question is about.
    subject = re.search(r"([^、,]*)のほう", plan.question.norm)
    if subject and plan.parts[1].norm and plan.parts[1].norm in subject.group(1):
        a, b = b, a
    fa, fb = a.figures[0], b.figures[0]  # type: ignore[union-attr]
    if unit_family(fa.unit) != unit_family(fb.unit):
        return None
    more = not re.search(r"より(少な|小さ|低)|下回|のほうが[^。、]{0,10}(少な|小さ|低)", plan.question.norm)
    va, vb = Decimal(fa.value), Decimal(fb.value)
    ok = va > vb if more else va < vb
    text = (f"{'はい' if ok else 'いいえ'}。{fa.label}：{fa.raw}、{fb.label}：{fb.raw}"
            f"（{a.citations[0].section_path[-1]}）")  # type: ignore[union-attr]
    citations = [a.citations[0]] + ([b.citations[0]] if b.citations[0] != a.citations[0] else [])  # type: ignore[union-attr]
    return _finish(ev, plan, text, citations, hits, [fa, fb])


def compare(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    t = plan.threshold
    if t is None:
        return compare_parts(ev, plan, hits)
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


# --- locate and describe -------------------------------------------------------------------------


def _best_chunk_section(ev: Evidence, q: Question, hits: list[Hit]) -> tuple[Section, Hit] | None:
    best = None
    for rank, h in enumerate(hits[:10]):
        text = " ".join(h.section_path) + " " + (ev.chunk_text(h) or h.text)
        score = ev.coverage(q, text) + ev.weights.passage_hit * h.score - ev.weights.passage_rank_step * rank
        if best is None or score > best[0]:
            best = (score, h)
    if best is None:
        return None
    h = best[1]
    section = ev.section_by_path.get((h.doc, tuple(h.section_path)))
    return (section, h) if section is not None else None


def locate(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    found = _best_chunk_section(ev, q, hits)
    if found is None:
        return None
    section, hit = found
    path = [p for p in section.path[1:]] or section.path
    if ev.coverage(_without_items(q), " ".join(section.path) + " " + (ev.chunk_text(hit) or hit.text)) < ev.weights.min_coverage:
        return None
    text = f"{' › '.join(path)}に記載があります（{section.doc} {section.lines[0]}–{section.lines[1]}行）。"
    return _finish(ev, plan, text, ev.citations_from_hits([hit], [], 1), hits)


def _description(section: Section) -> str | None:
    paragraphs = [b.text for b in section.blocks if b.kind == "paragraph"]
    return paragraphs[0] if paragraphs else None


def describe(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    scope = named_scope(ev, q, hits)
    root = next((s for s in ev.sections if s.level == 0), None)
    if scope is None and root is not None and title_coverage(ev, _without_items(q), root) >= ev.weights.min_title_coverage:
        scope = root  # 「知事戦略部とは」: the chapter's own opening paragraph
    if scope is None or title_coverage(ev, _without_items(q), scope) < ev.weights.min_title_coverage:
        return None
    text = _description(scope)
    if text is None:
        return None
    text = text.strip()
    shown = text if len(text) <= 180 else text[:179] + "…"
    cit = ev.section_citation(scope, text)
    return _finish(ev, plan, f"{shown}（{scope.heading}）", [cit], hits)


# --- multi-part ----------------------------------------------------------------------------------


def multipart(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    answers = []
    used: set[str] = set()
    for part in plan.parts:
        ans = figure_answer(ev, part, hits)
        if ans is None or not ans.figures or ans.abstained:
            return None
        key = ans.figures[0].raw + ans.citations[0].section_path[-1] + (ans.figures[0].label or "")
        if key in used:
            return None
        used.add(key)
        answers.append((part, ans))
    text = "／".join(f"{a.figures[0].label}{'［' + a.figures[0].attribute + '］' if a.figures[0].attribute else ''}："
                     f"{a.figures[0].raw}{'（' + a.figures[0].period + '）' if a.figures[0].period else ''}"
                     for _, a in answers)
    sections = list(dict.fromkeys(a.citations[0].section_path[-1] for _, a in answers))
    text += f"（{'、'.join(sections)}）"
    citations: list[Citation] = []
    for _, a in answers:
        if a.citations[0] not in citations:
            citations.append(a.citations[0])
    figures = [a.figures[0] for _, a in answers]
    return _finish(ev, plan, text, citations, hits, figures)


OPERATIONS = {
    "count": count, "max": extreme, "min": extreme, "average": average, "share": share,
    "compare": compare, "locate": locate, "describe": describe,
}


def execute(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The plan's operation over the evidence, or None when it has nothing to range over."""
    if plan.parts and plan.op == "lookup":
        return multipart(ev, plan, hits)
    fn = OPERATIONS.get(plan.op)
    return fn(ev, plan, hits) if fn else None
