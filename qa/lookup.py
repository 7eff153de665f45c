"""Lookups: the figure a question asks for (with its other periods, its breakdown, or every column of a
「…別」 group), several counts at once, and the arithmetic the analyser names (差・合計・比・前年比) over
two named figures, two periods, or a whole column, each with its formula in the report's figures.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from itertools import product

from qa.abstain import abstain, not_stated
from qa.analyze import Question, expand, unit_family, with_terms
from qa.arithmetic import derive
from qa.evidence import Evidence
from qa.lexicon import counted_in, lexicon, money_words, whole_report
from qa.models import Answer, Fact, Figure, Hit, Section
from qa.parse import number_value
from qa.phrasing import figure, figure_text, more_by, plain, subject, topic, value_text
from qa.ranking import Scored, score_facts, siblings, target_year
from qa.text import norm
from qa.tokenize import tokens

# A number of times is counted in 件 or in 回; a question that says 件数 or 回数 (not 何件) takes either.
_TIMES = {"件": "回", "回": "件"}
_TIMES_WORD = re.compile(r"[件回]数")
_TIMES_ASKED = re.compile(r"何[件回]")
# Two periods written as a span (「平成30年度から令和2年度まで」「H30～R2」): the years between are in it.
_SPAN = re.compile(r"から[^、。]{0,12}(まで|の間)|[～〜~]")


def figure_answer(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """The best figure for a quantity question, or None when no figure answers it well enough."""
    w = ev.weights
    if len(q.units) >= 2 and not q.op:
        return several_units(ev, q, hits)
    if q.unit and q.unit not in ev.unit_families:
        if q.unit in lexicon().strict_units:
            return None  # a rate or an area the report never writes (and no share computed): no count answers
        # A counter no figure of the report is counted in (何冊 for 旅券, 何ライセンス): the figure, if any,
        # is in another unit; the thresholds and the grounding check still decide.
        q = replace(q, unit=None)
    scored = score_facts(ev, q, hits)
    if q.unit in _TIMES and _TIMES_WORD.search(q.norm) and not _TIMES_ASKED.search(q.norm):
        # 「相談した件数ってどんくらい」: a number of times is written in 件 or in 回 (83回); only 何件 picks one.
        other = score_facts(ev, replace(q, unit=_TIMES[q.unit]), hits)
        if other and (not scored or other[0].score > scored[0].score + w.other_times_unit_margin):
            scored = other
    # A follow-up (「男性は？」) must match its own new words; the earlier subject is context.
    needed = w.min_fact_coverage / 2 if q.focus else w.min_fact_coverage

    def fits(s: Scored) -> bool:
        return s.score >= w.min_fact_score - (w.follow_up_relief if q.focus else 0.0) and s.coverage >= needed

    if (not scored or not fits(scored[0])) and (alternates := lexicon().counter_alternates.get(q.unit or "")):
        # 「調査研究は何本」: no figure in 本 fits; things counted in 本 are written in 件 too (対象調査研究数 4件).
        scored = next((other for u in alternates if (other := score_facts(ev, replace(q, unit=u), hits))
                       and fits(other[0])), scored)
    if not scored:
        return None
    best = scored[0]
    if not fits(best):
        return None
    if best.coverage < w.min_coverage and elsewhere_titled(ev, q, best.fact):
        return None
    if _searched_elsewhere(ev, q, hits, best.fact):
        return None
    if (left_out := _LEFT_OUT.search(q.norm)) and left_out.group(1) in norm(best.fact.label).replace(" ", "") and (
            "その他" not in norm(f"{best.fact.label} {best.fact.attribute or ''}")):
        return None  # 「参加している市町村（県以外）」 over 「県と市町村等 38団体」: the figure counts what is left out
    if best.why.get("measure", 0.0) < 0 and q.measure and (
            _row_names(ev, best.fact, q.measure)
            or (q.unit and _named_uncounted(ev, best.fact, q.measure, q.unit))):
        # The thing measured is named beside the figure and counted nowhere: in another cell of its row
        # (「パラグアイの会が推薦した研修生は何人」 against the 県人会's 構成員数 124, whose 主な活動 cell says
        # 研修生推薦), or in an item beside its own that writes no number in the unit asked (「テレワーク用の大型
        # ディスプレイは何台」 against 「モバイルルータ（323台）」). The figure counts something else.
        where = ev.citation_for_fact(best.fact, best.score)
        return not_stated(ev, q, hits, where, "数" if q.measure in topic(q.text, "") else f"{q.measure}の数")
    target = target_year(ev, q, best.fact.doc)
    if target is not None and q.period is not None:
        # The figure is chosen by what it is, then its period: a better-matching figure that the report gives
        # for other years only (「令和元年度の電子申請の利用件数」) means the asked year is not given; a figure
        # of something else that happens to have that year is no answer.
        neutral = score_facts(ev, replace(q, period=None, periods=[], relative=None), hits)
        if neutral and neutral[0].fact is not best.fact and (
            neutral[0].why["lexical"] > best.why["lexical"] + w.period_match / 2
        ) and not any(ev.fact_year(f) == target for f in siblings(ev, neutral[0].fact)):
            return abstain(ev, q, hits, f"{q.period.raw}の")
    group = siblings(ev, best.fact)
    # The asked period, or the report's own year first with the others after it.
    primary = best.fact
    if target is not None:
        # Else the figure whose sentence names the year asked (「R3年度当初予算で事業化」 for 令和3年度).
        matching = [f for f in group if ev.fact_year(f) == target] or [
            f for f in group if q.period is not None and ev.sentence_names(f, q.period)]
        if not matching:
            # The figure exists, but not for the period asked: say so rather than give another year's.
            return abstain(ev, q, hits, f"{q.period.raw}の" if q.period else "前年の")
        primary = matching[0]
    others = [f for f in group if f is not primary]
    text = figure_text(primary)
    if not primary.period_raw and (cell := _cell_text(ev, primary)):
        # 「48社73名」「約7分×12話」: one cell counts in two units; the figure asked is shown with the cell.
        text += f"（{cell}）"
    if others:
        text += "（" + "、".join(f"{f.period_raw}：{value_text(f)}" for f in others if f.period_raw) + "）"
    about = ""
    group_word = (primary.attribute or "").split(" ")[0]
    rest = q.norm.replace(norm(group_word), " ") if group_word else q.norm
    if group_word.endswith("別") and norm(group_word) in q.norm and not any(
        norm(x) in rest for x in (primary.attribute or "").split(" ")[1:]
    ):
        # 「男女別の発行件数は」 names the breakdown, not one of its columns: give every column of it.
        parts = [f for f in ev.index.facts if f.lines == primary.lines and f.label == primary.label
                 and (f.attribute or "").split(" ")[0] == group_word]
        primary, others = parts[0], parts[1:]
        text = "、".join(f"{(f.attribute or '').split(' ', 1)[-1]}：{value_text(f)}" for f in parts)
        about = f"{primary.label}［{group_word}］ — {primary.section_path[-1]}"
    elif re.search(r"内訳|内容別|それぞれ", q.norm):
        # 「出動回数の内訳」: the figures written with this one, in the report's order.
        parts = [f for f in ev.index.facts if f.lines == primary.lines and f.section_path == primary.section_path
                 and f is not primary and unit_family(f.unit) == unit_family(primary.unit)]
        if parts:
            others += parts
            text += "（内訳：" + "、".join(f"{f.label}{value_text(f)}" for f in parts) + "）"
    text += f"。{about or subject(primary)}"
    figures = [figure(primary)] + [figure(f) for f in others]
    citations = [ev.citation_for_fact(primary, best.score)]
    citations += ev.citations_from_hits(hits, citations, ev.top_k - 1)
    return Answer(question=q.text, text=text, figures=figures, citations=citations)


def _only_own_year(ev: Evidence, best: Scored, group: list[Fact], year: int | None) -> bool:
    """Whether the figure a change is asked of fits the question and is given for `year` alone."""
    return (year is not None and best.score >= ev.weights.min_fact_score
            and all(ev.fact_year(f) in {None, year} for f in group))


def _row_names(ev: Evidence, fact: Fact, word: str) -> bool:
    """Whether a table figure's row names `word` (or a synonym) in a cell other than the figure's own."""
    if fact.source != "table":
        return False
    i = ev.fact_position[fact.id]
    own = ev.fact_phrases[i].partition(" — ")[2]
    header = own.partition(": ")[0]
    # Cells under the figure's own header (「事業量: 番組内コーナー(1分30秒) / 事業量: 208」) describe the figure.
    others = [c for c in ev.fact_clauses[i].partition(" — ")[2].split(" / ") if c.partition(": ")[0] != header]
    return bool(own) and any(a in c and a not in own for c in others for a in expand(word))


def _named_uncounted(ev: Evidence, fact: Fact, measure: str, family: str) -> bool:
    """Whether an item of the figure's section (a 「ア」「エ」 or bullet paragraph beside the figure's own) names the
    thing measured (or a synonym) and no paragraph that names it writes a number in the unit family asked
    (「エ …大型ディスプレイ、ウェブカメラを整備した。」 for 何台, beside 「イ …モバイルルータ（323台）」). A lead
    paragraph naming it is the section's topic (「「始動人Jr. キャンプ」を実施した」), not a thing beside the figure."""
    counted = counted_in(family)
    section = ev.section_by_path.get((fact.doc, tuple(fact.section_path)))
    if section is None:
        return False
    words = expand(measure)
    texts = [norm(b.text) for b in section.blocks if b.kind in {"paragraph", "bullet"}]
    naming = [t for t in texts if any(a in t for a in words)]
    return bool(naming) and all(_ITEM.match(t) for t in naming) and not any(counted.search(t) for t in naming) \
        and fact.raw not in " ".join(naming)


# A paragraph that is one item of a list (「ア …」「① …」「・…」).
_ITEM = re.compile(r"^\s*(?:[ア-ン]|[①-⑳]|[・-])\s*")


# 「県以外」「上海以外」: the word left out by the question (as qa.analyze reads it).
_LEFT_OUT = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffa-z0-9]+)以外")


def _searched_elsewhere(ev: Evidence, q: Question, hits: list[Hit], fact: Fact) -> bool:
    """Whether the passage the search puts first is in the section titled by the question's most telling word
    (「自我作古の勉強会」 → ③ 寺子屋・自我作古開催支援), and the figure is from another section that never writes
    that word: the section asked about gives no such figure, and another's is no answer."""
    if (group := ev.telling(q)) is None:
        return False
    top = next((h for h in hits if h.kind == "chunk"), None)
    if top is None or not top.section_path or list(top.section_path) == list(fact.section_path):
        return False
    if not any(a in norm(top.section_path[-1]) for a in group):
        return False
    return elsewhere_titled(ev, q, fact)


def elsewhere_titled(ev: Evidence, q: Question, fact: Fact) -> bool:
    """Whether the question's most telling word (Evidence.telling) is nowhere near the figure (「着ぐるみ、1体
    いくら」 against a ふるさと納税 amount: ⑦ 着ぐるみ製作 gives no cost). Asked of a figure that covers little of
    the question: one that covers most of it is the answer, whatever word the asker added (「パソコンで受ける」)."""
    if (group := ev.telling(q, rows=True)) is None:
        return False
    # The figure's section holds its sub-sections (a 事業's 決算額 covers ② 政策アドバイザー設置 under it).
    under = [s.title for s in ev.sections if s.doc == fact.doc and s.path[: len(fact.section_path)] == fact.section_path]
    context = norm(" ".join([fact.label, fact.attribute or "", *fact.section_path, *under,
                             ev.section_text(fact.doc, fact.section_path)]))
    return not any(a in context for a in group)


def several_units(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """「何社・何人分」 asks two counts: the best figure in each unit, from the same passage."""
    answers = [figure_answer(ev, replace(q, unit=u, units=[]), hits) for u in q.units]
    found = [a for a in answers if a is not None and a.figures]
    if not found:
        return None
    anchor = found[0].citations[0]
    found = [a for a in found if a.citations[0].section_path == anchor.section_path]
    raws = [a.figures[0].raw for a in found]
    # Counts written as one (「48社73名」) are shown as the report writes them.
    together = "".join(raws) if len(raws) > 1 and "".join(raws) in anchor.text.replace(" ", "") else "、".join(raws)
    text = together + "。" + found[0].text.split("。", 1)[-1]
    figures = [f for a in found for f in a.figures[:1]]
    return Answer(question=q.text, text=text, figures=figures, citations=found[0].citations)


def arithmetic(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """差・合計・比・前年比 over facts: across two named periods, across the items the question lists, over a
    whole column (「全部足すと」), or across the periods one figure is given for."""
    w = ev.weights
    if parts_name_a_title(ev, q.parts):
        q = replace(q, parts=[])  # 「県人会・サポーターズの構成員数の合計」: the section whose title lists them, whole
    scored = score_facts(ev, q, hits)
    if not scored and q.op == "change" and q.unit == "%":
        scored = score_facts(ev, replace(q, unit=None), hits)  # 「何%減」: % is the rate's, not the figures'
    best = scored[0] if scored else None
    if len(q.periods) == 1 and q.op in {"diff", "change", "ratio"} and best is not None and re.search(
            re.escape(q.periods[0].raw) + r"(から|と比べ|に比べ|より|の(何倍|何%|何パーセント))", q.norm):
        # 「平成30年度から何%減った」「令和元年の何倍」: the report's own year against the year named.
        # The figure is chosen by what it is, then its years: a figure of something else that happens to be given
        # for the year named is no answer (as in figure_answer).
        neutral = score_facts(ev, replace(q, period=None, periods=[], relative=None), hits)
        if neutral and neutral[0].fact is not best.fact and (
                neutral[0].why["lexical"] > best.why["lexical"] + w.period_match / 2):
            best = neutral[0]
        group = siblings(ev, best.fact)
        own = ev.fiscal_years.get(best.fact.doc)
        chosen = [next((f for f in group if ev.fact_year(f) == y), None) for y in (own, q.periods[0].year)]
        if all(chosen) and own != q.periods[0].year:
            return derived(ev, q, chosen, best.score, hits)  # type: ignore[arg-type]
        if _only_own_year(ev, best, group, own):
            # 「電子申請の利用件数、令和元年度から何%伸びた」: the figure is given for the report's year only; there
            # is nothing to set against it, whatever other figure shares its words.
            return abstain(ev, q, hits, f"{q.periods[0].raw}の")
    if q.relative == "previous" and len(q.periods) <= 1 and q.op in {"diff", "change", "ratio"} and best is not None:
        # 「令和2年度は前年度比で何%減」「前年比でどれくらい増えた」: the year named (else the report's own) against
        # the year before it.
        group = siblings(ev, best.fact)
        year = q.periods[0].year if q.periods else ev.fiscal_years.get(best.fact.doc)
        if year is not None:
            chosen = [next((f for f in group if ev.fact_year(f) == y), None) for y in (year, year - 1)]
            if all(chosen):
                return derived(ev, q, chosen, best.score, hits)  # type: ignore[arg-type]
            if _only_own_year(ev, best, group, year):
                # The figure is given for its year only: nothing to set the year before against.
                return abstain(ev, q, hits, "前年度の" if "年度" in q.norm else "前年の")
    if len(q.periods) >= 2 and best is not None:
        group = siblings(ev, best.fact)
        chosen = [next((f for f in group if ev.fact_year(f) == p.year), None) for p in q.periods[:2]]
        first, last = sorted(p.year for p in q.periods[:2])
        if q.op == "sum" and all(chosen) and _SPAN.search(q.norm):
            # 「平成30年度から令和2年度まで合計すると」: every year of the span, the ones between included.
            chosen = sorted((f for f in group if first <= (ev.fact_year(f) or 0) <= last),
                            key=lambda f: ev.fact_year(f) or 0)
        if all(chosen):
            if q.op == "change":
                # A rate of change runs from the earlier year to the later, whichever the question names first.
                chosen.sort(key=lambda f: -(ev.fact_year(f) or 0))  # type: ignore[union-attr]
            return derived(ev, q, chosen, best.score, hits)  # type: ignore[arg-type]
        return None
    if q.op == "sum" and (every := _named_jigyo(ev, q, hits)):
        # 「地域外交費の4事業、決算額の合計」「業務プロセス改革費の決算額の合計は」: the 決算額 of the 事業 of the
        # 費目 the question names.
        return derived(ev, q, every, 1.0, hits)
    if q.op == "sum" and best is not None and (re.search(r"全部|全て|すべて|総数|全体|総計", q.norm) or (
            not q.parts and re.search(r"(合わせ|あわせ)(ると|て(?=[^、。]{0,8}(いくつ|何|いくら|どれ)))|合計|足す|足し|合算|トータル|通算",
                                      q.norm))):
        # 「全部足すと」, or 「交付金の対象事業は合わせていくつ」 naming no items: the figure's whole column.
        column = [f for f in ev.index.facts if f.section_path == best.fact.section_path
                  and f.attribute == best.fact.attribute and unit_family(f.unit) == unit_family(best.fact.unit)
                  and f.period == best.fact.period]
        column = _group_named(q, column)
        # 「記者会見は全部で何件」: the question writes one row's whole label; 全部 is that row's total.
        whole_labels = {f.label for f in column if len(norm(f.label)) >= 2 and norm(f.label).replace(" ", "")
                        in q.norm.replace(" ", "")}
        if len({f.label for f in column}) >= 2 and len(whole_labels) != 1:
            return qualified_sum(ev, q, column, best.score, hits) or derived(ev, q, column, best.score, hits)
    if q.parts and not q.unit and (budgets := _named_budgets(ev, q.parts)):
        # 「東京事務所運営は上海事務所運営よりどれくらい多い」: two 事業 named by title, no measure: their 決算額.
        return derived(ev, q, budgets, 1.0, hits)
    if q.parts:
        facts = _matched_parts(ev, q.parts, hits)
        if facts is None:
            return None
        score = min(s.score for s in facts)
        facts = [s.fact for s in facts]
        if q.op == "sum" and (counted := qualified_sum(ev, q, facts, score, hits)):
            return counted  # 「AとBで、Web開催だったのは合わせて」: the occasions their notes name
        return derived(ev, q, facts, score, hits)
    if best is not None and best.score >= w.min_fact_score and q.op in {"diff", "ratio", "change"}:
        group = siblings(ev, best.fact)
        if len(group) >= 2:
            return derived(ev, q, group[:2], best.score, hits)
    return None


# A part that is the rest of another (「それ以外」「その他」「ほかの」).
_REST = re.compile(r"^\s*(それ|その|ほか|他)")


def _matched_parts(ev: Evidence, parts: list[Question], hits: list[Hit]) -> list[Scored] | None:
    """Each part's own figure, no figure twice, the set with the highest total score: 「全国・関東・北関東磐越」
    gives 関東 the 関東地方 row, which 北関東磐越 does not fit as well. None when a part has no figure that
    reaches the minimum score."""
    w = ev.weights
    if any(p.focus and not _REST.match(p.norm) and all(
            t in p.loose and ev.unknown(g) for t, g in zip(p.terms, p.groups) if t in p.focus) for p in parts):
        # 「訓練、引っかかった人は何%」: a part named only by the asker's loose wording, which the report never
        # uses, names no figure. (「それ以外」 is the rest of what the other part names.)
        return None
    first = score_facts(ev, parts[0], hits)
    unit = parts[0].unit or (unit_family(first[0].fact.unit) if first else None)
    ranked = [first] + [score_facts(ev, replace(p, unit=p.unit or unit), hits) for p in parts[1:]]
    # The few best candidates of each part are enough to find the best assignment, and keep it small.
    width = w.part_candidates if len(parts) <= 4 else 2
    options = [[s for s in r[:width] if s.score >= w.min_fact_score] for r in ranked]
    if not all(options):
        return None
    best: tuple[float, tuple[Scored, ...]] | None = None
    for combo in product(*options):
        if len({s.fact.id for s in combo}) < len(combo):
            continue
        total = sum(s.score for s in combo)
        if best is None or total > best[0] + 1e-9:
            best = (total, combo)
    return list(best[1]) if best else None


# A note after a figure in its cell (「2回（6月、10月）開催 ※6月は書面、10月はWeb開催」).
_NOTE = re.compile(r"[※＊]\s*(.+)$")
# A note that says which of the counted ones (「10月は…」「6月・10月は…」): the months or days named before は.
_WHICH_ONES = re.compile(r"((?:\d+月|\d+日)(?:[・と、](?:\d+月|\d+日))*)(?:は|に|が)")


def qualified_sum(ev: Evidence, q: Question, column: list[Fact], score: float, hits: list[Hit]) -> Answer | None:
    """「知事会議のうち、Web開催だったのは合計何回」: a count column whose cells say in a note which of their
    occasions were so (「※いずれもWeb開催」 all, 「※6月は書面、10月はWeb開催」 one); the occasions the notes
    name, added. None when no question word is found only in the column's notes."""
    # Matched normalised, shown as the report writes them.
    written = {f.id: (m.group(1) if (m := _NOTE.search(ev.passage(f))) else "") for f in column}
    notes = {k: norm(v) for k, v in written.items()}
    plain_text = " ".join(norm(f.label) + " " + _NOTE.sub("", norm(ev.passage(f))) for f in column)
    qualifier = [g for t, g in zip(q.terms, q.groups) if len(t) >= 2 and t not in q.loose
                 and any(a in n for a in g for n in notes.values()) and not any(a in plain_text for a in g)]
    if not qualifier or unit_family(column[0].unit) == "円":
        return None
    counted: list[tuple[Fact, int, str]] = []
    for f in column:
        said = [seg for seg in re.split(r"[、,，]", written[f.id]) if any(a in norm(seg) for g in qualifier for a in g)]
        if any("いずれも" in seg or "全て" in seg or "すべて" in seg for seg in said):
            n = int(f.value)
        else:
            n = sum(len(re.findall(r"\d+(?:月|日)", m.group(1))) for seg in said if (m := _WHICH_ONES.search(seg)))
            if said and n == 0:
                return None  # a note that names the kind but not which ones: no count to make
        counted.append((f, n, "・".join(said)))
    facts = [f.model_copy(update={"value": Decimal(n), "raw": f"{n}{f.unit}"}) for f, n, _ in counted]
    result = derive("sum", facts)
    if result is None:
        return None
    shown = "、".join(f"{f.label}：{n}{f.unit}（{said or '記載なし'}）" for f, n, said in counted)
    section = column[0].section_path[-1]
    text = f"{result.text}（{result.formula}）。{shown}（{section}）"
    fig = Figure(label=column[0].label, attribute=column[0].attribute, value=plain(result.value), unit=result.unit,
                 raw=result.text, derived=True, formula=result.formula)
    citations = [ev.citation_for_fact(f, score) for f in column]
    citations += ev.citations_from_hits(hits, citations, max(0, ev.top_k - len(citations)))
    return Answer(question=q.text, text=text, figures=[fig] + [figure(f) for f in column], citations=citations)


def derived(ev: Evidence, q: Question, facts: list[Fact], score: float, hits: list[Hit]) -> Answer | None:
    """The result of the question's arithmetic over these facts, with the formula; None for a zero divisor, or
    for one figure set against itself (「1,317件 − 1,317件」: two items that found the same figure)."""
    if len(facts) >= 2 and len({f.id for f in facts}) == 1:
        return None
    op = q.op or "diff"
    if op == "ratio" and re.search(r"何倍", q.norm):
        op = "times"  # 「AはBの何倍」: a quotient in 倍, not a percentage
    # Name each figure so the formula can be checked: by label, or by section when labels repeat
    # (「寄附受入実績」 under 個人版 and under 企業版).
    # A figure labelled by its measure alone (「【再生回数】18,358回」) is named by its section (お誕生日会).
    names = [re.sub(r"^[①-⑳ア-ン]\s*|^\(\d+\)\s*", "", f.section_path[-1])
             if re.fullmatch(r"[^\s]{0,2}(回数|件数|人数|者数|数|額)", f.label) else f.label for f in facts]
    if len({(f.label, f.period) for f in facts}) < len(facts):
        if len({f.attribute for f in facts}) == len(facts):
            # Columns of one row (男 and 女 of 旅券発行件数): the label with each column's own word.
            names = [f"{f.label} {(f.attribute or '').rpartition(' ')[2]}" for f in facts]
        else:
            names = [f.section_path[-1] if f.section_path[-1] not in names else f.label for f in facts]
    labels = [f"{n}{'（' + f.period_raw + '）' if f.period_raw else ''}" for n, f in zip(names, facts)]
    result = derive(op, facts)
    if result is None:
        return None
    label = facts[0].label if len({f.label for f in facts}) == 1 else "・".join(dict.fromkeys(labels))
    fig = Figure(label=label, attribute=facts[0].attribute, period=None, value=plain(result.value),
                 unit=result.unit, raw=result.text, approx=result.approx, derived=True, formula=result.formula)
    sections = list(dict.fromkeys(f.section_path[-1] for f in facts))
    lead = result.text
    if op == "diff" and len(facts) == 2 and re.search(r"どちら|どっち", q.norm) and facts[0].value != facts[1].value:
        # 「AとB、どちらが多い？何件違う？」: which one, and by how much.
        larger = max(zip(labels, facts), key=lambda p: p[1].value * p[1].scale)[0]
        lead = more_by(larger, result.text, facts[0].unit)
    text = f"{lead}（{result.formula}）。" + "、".join(
        f"{lab}：{value_text(f)}" for lab, f in zip(labels, facts)
    ) + (f"（{sections[0]}）" if len(sections) == 1 else "")
    citations = [ev.citation_for_fact(f, score) for f in facts]
    citations += ev.citations_from_hits(hits, citations, max(0, ev.top_k - len(citations)))
    return Answer(question=q.text, text=text, figures=[fig] + [figure(f) for f in facts], citations=citations)


# The longest stretch of report text shown as one cell holding figures in several units.
_MAX_CELL_CHARS = 24


def _cell_text(ev: Evidence, fact: Fact) -> str | None:
    """The report's own text of a cell holding this figure and one in another unit (「48社73名」), or None."""
    mates = [f for f in ev.cell_mates(fact) if f.unit != fact.unit]
    if not mates:
        return None
    passage = ev.passage(fact)
    spans = [(i, i + len(f.raw)) for f in [fact, *mates] if (i := passage.find(f.raw)) >= 0]
    if len(spans) != len(mates) + 1:
        return None
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    # A bracket the second figure stands in is closed with it (「3社（8名）」, not 「3社（8名」).
    while end < len(passage) and passage[end] in "）)" and passage.count("（", start, end) + passage.count(
            "(", start, end) > passage.count("）", start, end) + passage.count(")", start, end):
        end += 1
    cell = passage[start:end]
    return cell if len(cell) <= _MAX_CELL_CHARS and "|" not in cell and "\n" not in cell else None


def _group_named(q: Question, column: list[Fact]) -> list[Fact]:
    """The figures of the group the question names by the word heading their labels (「ラジオの番組全部で」:
    ラジオ of 「ラジオ ワイグルPREF」); the whole column when it names none, or all."""
    heads = [norm(f.label.strip().split(" ", 1)[0]) for f in column]
    named = {h for h in heads if any(h in g for g in q.groups if len(h) >= 2)}
    kept = [f for f, h in zip(column, heads, strict=True) if h in named]
    return kept if len(kept) >= 2 and len(kept) < len(column) else column


def himoku_total(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """「地域外交費の決算額は」: a 費目 the report gives no total for is what its 事業 come to, added up with
    the formula (none when the question also names one of its 事業, or asks about something else)."""
    if (q.op and q.op != "sum") or not money_words().search(q.norm):
        return None
    if ranged := heading_range(ev, q):
        # 「(2)〜(11)の決算額を全部足すと」「メディアプロモーション費〜地域外交費の決算額」: the 事業 of the range.
        jigyo = [c for s in ranged for c in ([s] if s.level >= 2 else ev.children(s))]
        every = [ev.budgets[(s.doc, tuple(s.path))] for s in jigyo if (s.doc, tuple(s.path)) in ev.budgets]
        ans = derived(ev, replace(q, op="sum", parts=[]), every, 1.0, hits) if len(every) >= 2 else None
        if ans is None:
            return None
        names = f"{ranged[0].heading}〜{ranged[-1].heading}"
        return ans.model_copy(update={"text": ans.text + f"（{names}の{len(every)}事業の決算額の合計）"})
    if q.parts:
        return None
    if any(s.level >= 2 and ev.title_norms[(s.doc, tuple(s.path))] in q.norm for s in ev.sections):
        return None
    himoku = _himoku_named(ev, q)
    whole = not himoku and _whole_report(ev, q)  # 「知事戦略部全体の決算額」: every 事業
    if not whole and (len(himoku) != 1 or (himoku[0].doc, tuple(himoku[0].path)) in ev.budgets):
        return None
    every = _named_jigyo(ev, replace(q, op="sum"), hits)
    ans = derived(ev, replace(q, op="sum"), every, 1.0, hits) if len(every) >= 2 else None
    if ans is None:
        return None
    what, total = ("報告書の全", "部") if whole else (f"{himoku[0].title}の", "費目")
    note = f"（{what}{len(every)}事業の決算額の合計。報告書に{total}の合計額の記載はありません）"
    return ans.model_copy(update={"text": ans.text + note})


# A range of numbered headings (「(2)〜(11)の決算額」「2〜5の費目」): never one of dates or of figures (「令和2〜3年」
# 「2〜3件」), so the number after the range is followed by a particle, a bracket or the end.
_NUMBER_RANGE = re.compile(r"(?<![\d和成年月])([(（])?(\d{1,2})[)）]?\s*(?:〜|~|～|から)\s*[(（]?(\d{1,2})([)）])?"
                           r"(?=[)）]|まで|の|に|で|を|は|が|と|、|,|\?|$)")
# The shortest piece of a title that may stand for it at either end of a range (「管理費〜地域外交費」).
MIN_RANGE_TITLE = 3


def heading_range(ev: Evidence, q: Question) -> list[Section] | None:
    """The sibling sections a question's range names, in the report's order: by number (「(2)〜(11)」 among the
    事業 of the 費目 it names, 「2〜5の費目」 among the 費目) or by the titles at either end (「知事戦略管理費〜地域
    外交費」「管理費から地域外交費まで」). None when it names no range of two or more headings."""
    groups = [ev.himoku, *(ev.children(h) for h in ev.himoku)]
    if m := _NUMBER_RANGE.search(q.norm):
        lo, hi = int(m.group(2)), int(m.group(3))
        if m.group(1) or m.group(4):
            # 「(2)〜(11)」 numbers the 事業 of the 費目 named, or of the one 費目 that has them all.
            named = _himoku_named(ev, q)
            groups = [ev.children(h) for h in (named if len(named) == 1 else ev.himoku)]
        else:
            groups = [ev.himoku]
        found = [picked for group in groups
                 if 2 <= len(picked := [s for s in group if (n := number_value(s.number)) is not None and lo <= n <= hi])
                 == hi - lo + 1]
        return found[0] if len(found) == 1 else None
    for m in re.finditer(r"〜|~|～|から", q.norm):
        left, right = q.norm[: m.start()], q.norm[m.end():]
        for group in groups:
            titles = [norm(s.title).replace(" ", "") for s in group]
            ends = [i for i, t in enumerate(titles) if any(left.endswith(t[k:]) for k in range(len(t) - MIN_RANGE_TITLE + 1))]
            starts = [j for j, t in enumerate(titles) if any(right.startswith(t[:k]) for k in range(len(t), MIN_RANGE_TITLE - 1, -1))]
            if ends and starts and (i := ends[-1]) < (j := starts[0]):
                return group[i : j + 1]
    return None


def _named_budgets(ev: Evidence, parts: list[Question]) -> list[Fact]:
    """The 決算額 of each part when every part is a 事業's title and nothing else (empty otherwise)."""
    out = []
    for part in parts:
        named = [f for f in ev.budgets.values() if norm(f.section_path[-1].split(" ", 1)[-1]) == part.norm.strip()]
        if len(named) != 1:
            return []
        out.append(named[0])
    return out


def _named_jigyo(ev: Evidence, q: Question, hits: list[Hit]) -> list[Fact]:
    """The 決算額 of the 事業 under the 費目 the question names by its title (empty when none is named, or when
    the question lists items of its own: 「…費のAとBの合計」)."""
    if q.parts and not any(n in q.norm for n in lexicon().item_nouns):
        return []
    if q.period is not None and q.period.year not in ev.fiscal_years.values():
        return []  # 「令和元年度の決算額の合計」: the 決算額 are the report's own year's only
    himoku = _himoku_named(ev, q)
    if not himoku and _whole_report(ev, q) and money_words().search(q.norm):
        chosen = ev.jigyo  # 「全事業の決算額の合計」: every 費目's 事業
    elif len(himoku) == 1:
        chosen = ev.children(himoku[0])
    else:
        return []
    return [ev.budgets[(s.doc, tuple(s.path))] for s in chosen if (s.doc, tuple(s.path)) in ev.budgets]


def _whole_report(ev: Evidence, q: Question) -> bool:
    """Whether the question asks about every 事業: 「報告書全体」「全事業」, or the department that wrote the report
    with every of its figures (「知事戦略部の決算、全部合わせると」)."""
    department = next((o for o in ev.own if o.endswith("部") and o in q.norm), None)
    if whole_report().search(q.norm):
        return True
    if department is None:
        return False
    if re.search(lexicon().every_item + "|合計|合わせ", q.norm):
        return True
    # 「知事戦略部の決算額は」: the department and a measure, nothing else (知事戦略部2課 names a row).
    measures = {w for words in lexicon().measures.values() for w in words}
    rest = [t for t in q.terms if t not in department and not any(t in m for m in measures) and t not in q.loose]
    return not rest and not re.search(re.escape(department) + r"[0-9一二三四五六七八九十]", q.norm)


def _himoku_named(ev: Evidence, q: Question) -> list[Section]:
    """The 費目 the question names by its title, whole or with の between its words (「知事戦略の管理費」)."""
    return [s for s in ev.himoku if norm(s.title) in q.norm or _title_words(norm(s.title)).search(q.norm)]


@lru_cache(maxsize=256)
def _title_words(title: str) -> re.Pattern[str]:
    """A title's words in order, の allowed between them (「知事戦略管理費」 → 知事の?戦略の?管理の?費); a 等 after a
    word may be left out (「企画会議の運営」 of 企画会議等運営)."""
    return re.compile("の?".join(re.escape(t) for t in tokens(title)).replace("等の?", "(?:等|の)?"))


def parts_name_a_title(ev: Evidence, parts: list[Question]) -> bool:
    """Whether the items a question lists are the words of one section's title (「海外県人会・サポーターズの」 of
    「海外県人会、海外ぐんまサポーターズとの連携」): the question names that section whole, not two items. The
    measure after the last item's の (「サポーターズの構成員数」) is no part of its name."""
    if len(parts) < 2:
        return False
    last = parts[-1]
    cut = last.norm.find("の")
    measure = {t for t in last.focus if cut >= 0 and last.norm.find(t, cut) > cut}
    # A part's name is what follows its last clause mark (「構成員数が最も少ない海外の県人会」 → 海外の県人会).
    # The last part's name comes before its の (「サポーターズの中で…」).
    tails = [re.split(r"[がをは、]", re.sub(r"[はがを]?[?？。]*$", "", p.norm))[-1] or p.norm for p in parts[:-1]]
    tails.append(last.norm[:cut] if cut >= 0 else last.norm)
    names = [[t for t in p.focus if t not in measure and not (t in p.loose and ev.unknown([t])) and t in tail]
             for p, tail in zip(parts, tails)]
    if not all(names):
        return False
    return any(all(all(t in norm(sec.title) for t in name) for name in names) for sec in ev.sections)


def prior_total(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """「令和2年度に整備する前は何か所」: a running total (「令和2年度末累計 21」) less the year's own addition
    (「令和2年度 2か所」) of the same column: what there was before; None when the question does not ask so or
    the report gives no running total on the topic."""
    total_word = re.compile(lexicon().running_total)
    ends = [p.year for p in q.periods if re.search(re.escape(p.raw) + r"末", q.norm)]  # 「令和元年度末で」
    if q.op or (total_word.search(q.norm) and not ends):
        return None  # 「累計何か所」 asks the running total itself (「令和元年度末の累計」 the one before it)
    cue = re.search(lexicon().prior_cue, q.norm)
    if not cue and not ends:
        return None
    for s in score_facts(ev, replace(q, unit=None, period=None, periods=[]), hits)[:PRIOR_CANDIDATES]:
        total = s.fact
        if not total_word.search(f"{total.label} {total.attribute or ''}") or not total.table:
            continue
        year = ev.fact_year(total)
        if not cue and (year is None or any(y != year - 1 for y in ends)):
            return None  # 「令和2年度末で」 is the total's own year: the running total answers
        added = [f for f in ev.index.facts if f.table == total.table and f.row != total.row
                 and f.attribute == total.attribute and unit_family(f.unit) == unit_family(total.unit)
                 and f.period == total.period and not total_word.search(f"{f.label} {f.attribute or ''}")]
        if len(added) != 1 or s.coverage < ev.weights.min_fact_coverage:
            return None
        facts = [total, added[0]]
        unit = added[0].unit or total.unit
        facts = [f if f.unit else f.model_copy(update={"unit": unit}) for f in facts]
        return derived(ev, replace(q, op="diff"), facts, s.score, hits)
    return None


# How many of the best-ranked figures are looked at for a running total.
PRIOR_CANDIDATES = 5


def part_of_budget(ev: Evidence, q: Question, answer: Answer) -> Answer | None:
    """「ビッグデータ分析にかかった費用は」 answered by (10) データ分析・活用推進's 決算額: the section named is one part of
    a 事業 whose 決算額 covers them all, and the report gives no figure of its own. Say so, with the whole's figure;
    None when the answer is not such a 決算額 or the question names the 事業 itself."""
    fig = answer.figures[0] if answer.figures else None
    if fig is None or fig.derived or not answer.citations or not (money_words().search(q.norm) or q.unit == "円"):
        return None
    path = answer.citations[0].section_path
    whole = ev.section_by_path.get((answer.citations[0].doc, tuple(path)))
    if whole is None or (whole.doc, tuple(whole.path)) not in ev.budgets:
        return None
    asked = q.norm.replace(" ", "")
    title = norm(whole.title).replace(" ", "")
    if title in asked and not re.search(re.escape(title) + r"[^、。?]{0,8}?(?:のうち|うち|の中で|の中の)", asked):
        return None  # the 事業 itself, not a part of it (「未来創生の決算額のうち総合計画の…」)
    # A part whose title is a piece of the whole's (「情報化推進」 of 情報化推進・セキュリティ対策) may name the whole.
    # The part named whole, or with の between its words (「アニメの製作費」 of ② アニメ製作).
    parts = [s for s in ev.sections if s.doc == whole.doc and s.path[: len(whole.path)] == whole.path
             and len(s.path) > len(whole.path) and (s.doc, tuple(s.path)) not in ev.budgets
             and len(t := norm(s.title).replace(" ", "")) >= MIN_PART_TITLE and t not in title
             and (t in asked or _title_words(t).search(asked))]
    if len(parts) != 1 or re.search(re.escape(norm(parts[0].title).replace(" ", "")) + r".{0,12}事業(?!費)", asked):
        return None  # 「アンケートとかビッグデータ分析やってる事業」: parts that describe the 事業 asked
    part = parts[0]
    text = (f"この報告書に『{part.title}』だけの費用の記載はありません。{whole.title}の決算額{fig.raw}は、"
            f"{part.title}を含む事業全体の額です。")
    return answer.model_copy(update={"text": text, "abstained": True, "related": answer.citations[:3]})


def another_sections_budget(ev: Evidence, q: Question, answer: Answer) -> Answer | None:
    """「庁議の運営にかかった経費」 answered by 東京事務所運営's 決算額: the question names by its title a section that
    has no money figure at all, and the figure found is another section's. Say the report gives none; None when
    the answer is not a money figure of a section or the question names no such section."""
    fig = answer.figures[0] if answer.figures else None
    if fig is None or fig.derived or not answer.citations or not money_words().search(q.norm) or (
            unit_family(fig.unit) != "円"):
        return None
    doc, path = answer.citations[0].doc, answer.citations[0].section_path
    asked = q.norm.replace(" ", "")
    related = [s for s in ev.sections if s.doc == doc and s.level > 0
               and (s.path[: len(path)] == path or path[: len(s.path)] == s.path)]
    if any(norm(s.title).replace(" ", "") in asked for s in related):
        return None  # the answer's own section, or one above or below it, is named
    moneyless = [s for s in ev.sections if s.doc == doc and s.level > 0
                 and len(t := norm(s.title).replace(" ", "")) >= 2 and t in asked
                 and (s.doc, tuple(s.path)) not in ev.money_paths]
    if not moneyless:
        return None
    named = max(moneyless, key=lambda s: len(s.title))
    text = f"この報告書に『{named.title}』の費用の記載はありません。"
    cited = ev.section_citation(named, " ".join(c.body for c in ev.index.chunks
                                                if c.doc == named.doc and c.section_path == named.path)[:200])
    return answer.model_copy(update={"text": text, "abstained": True, "citations": [cited],
                                     "related": answer.citations[:3]})


# A part's title this long, written whole in the question, names it (「ビッグデータ分析」, not 「PR」).
MIN_PART_TITLE = 4


def described_budget(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """「県庁のネットワークやら職員パソコンやらの維持費」: no figure is named by what the question asks about, but
    two parts or more of one 事業 are (① 県庁情報通信ネットワーク運用管理, ③ 庁内ネットワーク用パソコン等整備): the
    事業's 決算額 covers them. None for one part alone (its own cost is not given) or no such 事業."""
    if q.unit != "円" or q.op or q.parts:
        return None
    money = set(lexicon().measures.get("円", []))
    topic = [(t, g) for t, g in zip(q.terms, q.groups)
             if len(t) >= 2 and t not in q.loose and t not in money and not ev.unknown(g)]
    if not topic:
        return None
    about = with_terms(q, topic)
    # The parts are listed (「ネットワークやらパソコンやら」「AとB」): each piece of the list names its own part.
    pieces = [p for p in re.split(r"やら|とか|や|と|・", q.norm) if p.strip()]
    if len(pieces) < 2:
        return None
    best: tuple[float, Fact] | None = None
    for (doc, path), fact in ev.budgets.items():
        section = ev.section_by_path.get((doc, path))
        kids = ev.children(section) if section is not None else []
        own = norm(" ".join(path))
        named = [{k.id for k in kids for t, g in topic if t in piece and not any(a in own for a in g)
                  and any(a in norm(k.title) for a in g)} for piece in pieces]
        if sum(1 for n in named if n) < 2 or len(set().union(*named)) < 2 or any(
                len(n) == 1 and n == m for n in named for m in named if n is not m and n):
            continue  # fewer than two pieces, each naming a part of its own
        cov = ev.coverage(about, " ".join(path) + " " + " ".join(k.title for k in kids))
        if cov >= ev.weights.min_coverage and (best is None or cov > best[0]):
            best = (cov, fact)
    if best is None:
        return None
    fact = best[1]
    text = f"{figure_text(fact)}。{subject(fact)}"
    citations = [ev.citation_for_fact(fact, best[0])]
    citations += ev.citations_from_hits(hits, citations, ev.top_k - 1)
    return Answer(question=q.text, text=text, figures=[figure(fact)], citations=citations)
