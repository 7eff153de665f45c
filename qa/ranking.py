"""Fact ranking: which figures of the report answer a question, best first, each with why it won.

score = fact_lexical · lexical match (label/column > heading > passage > ancestor heading)
      + fact_section · how well its section was retrieved + fact_dense · the fact's own hybrid score
      ± focus, measure, unit and period (qa/weights.py names each weight and says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from qa.analyze import Question, expand, groups_for, unit_family, with_terms
from qa.evidence import Evidence, year_of
from qa.lexicon import lexicon
from qa.models import Fact, Hit
from qa.text import norm
from qa.tokenize import tokens

# A name in Latin script (YouTube, LINE, NETSUGEN, TikTok), as a normalised key term.
LATIN_NAME = re.compile(r"[a-z][a-z0-9.+!-]{2,}")


@dataclass
class Scored:
    fact: Fact
    score: float
    coverage: float  # share of the question's term weight the fact's fields hold
    why: dict[str, float] = field(default_factory=dict)  # the parts of the score, by name


def target_year(ev: Evidence, q: Question, doc: str) -> int | None:
    """The year the question asks a figure for: a named period, or the year before the report's."""
    if q.period is not None and q.period.norm.count("-") == 2:
        return None  # a full date (令和3年3月5日) names an event, not the period of a figure
    if q.period is not None:
        return q.period.year
    if q.relative == "previous" and q.op is None:
        fy = ev.fiscal_years.get(doc)
        return fy - 1 if fy else None
    return None


def period_fit(ev: Evidence, q: Question, fact: Fact) -> float:
    w = ev.weights
    target = target_year(ev, q, fact.doc)
    if target is None:
        # No period asked: the report's own year first.
        fy = ev.fiscal_years.get(fact.doc)
        return w.own_year_bonus if fact.period is None or year_of(fact.period) == fy else 0.0
    if ev.fact_year(fact) == target:
        return w.period_match
    if q.period is not None and ev.sentence_names(fact, q.period):
        # 「令和3年度当初予算で事業化されたのは」: the year the sentence itself names (R3年度当初予算), not the
        # period of the figure.
        return w.period_match
    return w.period_mismatch


# Words that ask for a count of some kind (件数, 回数, 人数): lexicon measures ending in 数.
_COUNT_WORDS = frozenset(w for words in lexicon().measures.values() for w in words if w.endswith("数"))
_KANJI = re.compile(r"[\u4e00-\u9fff]")


def _paired(ev: Evidence, q: Question) -> Question:
    """Two one-kanji words written together that make a word of the report are that word (庁 + 議 → 庁議):
    alone, each matches any word that holds it (議 in 企画会議)."""
    terms, groups = list(q.terms), [list(g) for g in q.groups]
    k = 0
    while k + 1 < len(terms):
        a, b = terms[k], terms[k + 1]
        pair = a + b
        alone = (k == 0 or not _KANJI.fullmatch(terms[k - 1]) or terms[k - 1] + a not in q.norm) and (
            k + 2 >= len(terms) or not _KANJI.fullmatch(terms[k + 2]) or b + terms[k + 2] not in q.norm)
        if _KANJI.fullmatch(a) and _KANJI.fullmatch(b) and alone and pair in q.norm and not ev.unknown([pair]):
            terms[k : k + 2], groups[k : k + 2] = [pair], [expand(pair)]
        k += 1
    if len(terms) == len(q.terms):
        return q
    return replace(q, terms=terms, groups=groups)


def _without_unit_words(q: Question) -> Question:
    """A count word of the unit asked (回数 of 何回, 件数 of 何件) says no more than the unit does: 「動画の再生回数」
    is the column 動画再生 in 回 as much as the column 再生回数."""
    if not q.unit:
        return q
    words = {w for w in lexicon().measures.get(q.unit, []) if w.endswith("数")}
    kept = [(t, g) for t, g in zip(q.terms, q.groups) if t not in words]
    if not kept or len(kept) == len(q.terms):
        return q
    return with_terms(q, kept)


def _contrary(asked: list[tuple[str, list[str]]], own: str) -> bool:
    """Whether a figure's own words name the other of a pair the question asks one of (国内 for 海外)."""
    return any(w not in own and any(o in own for o in others) for w, others in asked)


def score_facts(ev: Evidence, q: Question, hits: list[Hit]) -> list[Scored]:
    """Facts ranked for the question; a quantity question with a unit only sees facts in that unit."""
    w = ev.weights
    q = _paired(ev, q)
    # Count words of the unit asked rank nothing, but a figure must still be named by them to cover the question.
    whole, q = q, _without_unit_words(q)
    unit_words = [(g, ev.weight(g)) for t, g in zip(whole.terms, whole.groups) if t not in q.terms]
    dense = {h.id: h.score for h in hits if h.kind == "fact"}
    section_score: dict[tuple[str, ...], float] = {}
    for h in hits:
        key = tuple(h.section_path)
        section_score[key] = max(section_score.get(key, 0.0), h.score)
    top = max(section_score.values(), default=1.0) or 1.0
    weights = [ev.weight(g) for g in q.groups]
    total = sum(weights) or 1.0
    # Loose wording the report never uses (「開かれた」) is the asker's: no figure is short of it (as in coverage).
    asker = sum(gw for t, g, gw in zip(q.terms, q.groups, weights) if (t in q.loose or t in q.aside) and ev.unknown(g))
    whole_total = (total - asker + sum(gw for _, gw in unit_words)) or 1.0
    # Loose wording the report never uses (「かかった」) is no word a figure must be named by.
    # A word inside another focus word (金 in お金) is matched when that one is, by it or its synonyms.
    # A count word (回数, 件数) says what kind of figure, not which: 「開催回数」 is the column 開催件数 in 回.
    focus = [(t, g) for t, g in zip(q.terms, q.groups) if t in q.focus and not (t in q.loose and ev.unknown(g))
             and not any(t != o and t in o for o in q.focus) and t not in _COUNT_WORDS]
    # Beside a word of the report (「STEAMの授業」), an item's word the report never uses is the asker's: no
    # figure can be named by it. An item named by such words alone (「引っかかった人」) is named by nothing.
    known = [g for t, g in focus if not ev.unknown(g)]
    focus = known or [g for _, g in focus]
    about = [(g, ev.weight(g)) for g in groups_for(q.about, q.norm)] if q.about else []
    about_total = sum(gw for _, gw in about) or 1.0
    measure = groups_for([q.measure], q.norm)[0] if q.measure else None
    if measure is not None and ev.weight(measure) < w.generic_measure_weight:
        measure = None  # 「県は何回…支援した」: a word of most passages names no particular thing measured
    # A compound measure (「LINE広告」) is matched by its whole or by all of its words; it is unknown when
    # the report uses none of its words.
    measure_words = [t for t in (tokens(q.measure) if q.measure else []) if t]
    measure_unknown = measure is not None and all(ev.unknown(expand(t)) for t in measure_words or [q.measure])
    # Of a compound measure, the words the report uses, with their synonyms: 「交流スタッフ」 is matched by 交流
    # (国際交流員), スタッフ being the asker's word; a compound of the asker's words alone is matched by none.
    # Only words of two characters or more pick a figure (「1回あたり」's 回 is in every 「全3回」).
    # When every word is the report's, the whole compound is asked, as before.
    reports = [t for t in measure_words if not ev.unknown(expand(t))]
    measure_known = [expand(t) for t in reports] if len(reports) < len(measure_words) and all(
        len(t) >= 2 for t in reports) else []
    # The act of a measure of people (受講者 → 受講, 参加者 → 参加): 「5,782人受講」 counts 受講者.
    measure_act = re.sub(r"(者|員)$", "", q.measure) if q.measure and re.search(r"..(者|員)$", q.measure) else None
    # A name in Latin script (YouTube, LINE, NETSUGEN) picks out one thing: a figure about something else
    # is not its answer, however well the rest matches.
    names = [g for t, g in zip(q.terms, q.groups) if LATIN_NAME.fullmatch(t)]
    generic = lexicon().generic_latin
    own_names = [g for t, g in zip(q.terms, q.groups) if LATIN_NAME.fullmatch(t) and t not in generic]
    # A follow-up naming another one (「インスタは？」 after 「…Twitterのフォロワーは？」) puts its name in place of
    # the earlier one's.
    if focus_names := [g for t, g in zip(q.terms, q.groups) if t in q.focus and any(LATIN_NAME.fullmatch(a) for a in g)]:
        names = own_names = focus_names
    # A figure quoted to pick a row is in another unit than the one asked (「15事業のほう、いくら」).
    stated = [f for f in _stated_figures(whole.norm) if not q.unit or unit_family(_counter_of(f)) != q.unit]
    # A name the question quotes (「ぐんま広報」) picks out the figures that hold it whole, when some do: 「ぐんま
    # 一番」 shares its words, not its name.
    quotes = [v for m in _QUOTE.finditer(whole.norm) if len(v := m.group(1).replace(" ", "")) >= 2]
    quotes = [v for v in quotes if any(v in (lab + " " + at + " " + cl).replace(" ", "")
                                       for (lab, at, _, _), cl in zip(ev.fact_fields, ev.fact_clauses))]
    # 「海外での商標出願」: the words the question asks of a pair that exclude each other (国内 / 海外).
    asked = [(w, [o for o in group if o != w]) for group in lexicon().contrasts for w in group if w in whole.norm]
    out: list[Scored] = []
    for fact, (label, attr, path, context), clause, phrase in zip(ev.index.facts, ev.fact_fields, ev.fact_clauses,
                                                                    ev.fact_phrases):
        if q.unit and unit_family(fact.unit) != q.unit and not (
            # 「開催件数は何件」 names the column (41回): a counter the question puts after 何 only asks a number.
            len(own := (attr or "").rpartition(" ")[2]) >= 3 and own.endswith("数") and own in q.norm
        ):
            continue
        if names and not all(any(a in f for a in g for f in (label, attr, *path, context)) for g in names):
            continue
        if own_names and not any(a in f for g in own_names for a in g for f in (label, attr, *path)) and any(
                m.group() not in generic for m in LATIN_NAME.finditer(label + " " + attr)):
            continue  # 「FM GUNMAのラジオ広告は何回」: the cell's 「SNS広告 Twitter」 figure is another name's
        if q.negated and any(norm(n) in f for n in q.negated for f in (label, attr, *path)):
            continue  # 「ぐんまちゃんじゃなくて、県庁公式のインスタ」: ぐんまちゃん's own accounts are set aside
        if asked and _contrary(asked, f"{label} {attr} {phrase}"):
            continue  # 「国内商標の出願（14区分）」 is no answer to 「海外での商標出願は」
        if (Decimal(fact.value), unit_family(fact.unit)) in q.known:
            continue  # 「約1,500人が対象だったそうですが、…は何人」: the figure the asker already has is not asked
        if quotes and not any(v in (label + " " + attr + " " + clause).replace(" ", "") for v in quotes):
            continue
        # A column under a group header (「男女別 男」): the group word is every column's, so only the
        # column's own word counts as the figure's own.
        group_word, _, own_attr = (fact.attribute or "").rpartition(" ")
        group_word, own_attr = norm(group_word), norm(own_attr)
        got = found = 0.0
        for g, gw in zip(q.groups, weights):
            if any(a in label or a in own_attr for a in g):
                got, found = got + gw, found + gw
            elif any(a in path[-1] or a in group_word for a in g):
                got, found = got + w.found_in_heading * gw, found + gw
            elif any(a in context for a in g):
                got, found = got + w.found_in_passage * gw, found + gw
            elif any(a in h for h in path[:-1] for a in g):
                got, found = got + w.found_in_ancestor * gw, found + gw
        why = {
            "lexical": w.fact_lexical * got / total,
            "section": w.fact_section * section_score.get(tuple(fact.section_path), 0.0) / top,
            "dense": w.fact_dense * dense.get(fact.id, 0.0),
        }
        if focus and not all(any(a in label or a in attr or a in path[-1] for a in g) for g in focus):
            why["focus"] = -w.focus_penalty
        # The subject may be named by the figure's own words or by its passage (「官民共創スペースの来場者数と、…」:
        # the NETSUGEN passage says 官民共創スペース once, for all its figures).
        if about and sum(gw for g, gw in about if any(a in f for a in g for f in (label, attr, path[-1], clause,
                                                                                   context))
                         ) / about_total < w.min_subject_coverage:
            why["subject"] = -w.subject_penalty
        # The thing measured must be what the figure's own sentence counts, not merely named nearby
        # (「大型ディスプレイは何台」 is not answered by 「モバイルルータ（323台）」 in the next sentence).
        fields = (label, attr, path[-1], phrase)
        if measure and not any(a in f for a in measure for f in fields) and not (
            measure_words and all(any(t in f for f in fields) for t in measure_words)
        ) and not (
            measure_known and all(any(a in f for a in g for f in fields) for g in measure_known)
        ) and not (measure_act and any(measure_act in f for f in fields)):
            # 「群馬県の面積は」: the figure must be of the thing measured, all the more when the report never
            # names that thing at all (面積, 人口).
            why["measure"] = -(w.measure_penalty + (w.unknown_measure_penalty if measure_unknown else 0.0))
        if q.unit:
            why["unit"] = w.unit_bonus
        elif q.measure and fact.unit and fact.unit in q.measure + "数":
            why["unit"] = w.measure_unit_bonus  # 「対応窓口数は」 counts 窓口, 「件数は」 counts 件
        if own_attr in q.terms or len(own_attr) >= 2 and all(t in q.norm for t in tokens(own_attr) or [own_attr]):
            why["column"] = w.column_named_bonus  # 「動画の再生回数」 names the column 動画再生
        elif group_word and own_attr not in q.norm and _part_of_total(ev, fact):
            why["column"] = -w.breakdown_unasked_penalty  # 「その他：62」 of 「203件」, not asked by name
        elif norm(fact.label) in _SUBSET_LABELS and (cut := clause.find(norm(fact.label))) >= 0:
            # 「10テーマの提案が行われ、うち1テーマが事業化された」: the part after うち answers a question that
            # says what sets the part apart (事業化), the whole before it one that does not.
            before, after = clause[:cut], clause[cut:]
            own = any(len(t) >= 2 and any(a in after for a in g) and not any(a in before for a in g)
                      for t, g in zip(q.terms, q.groups))
            why["column"] = w.column_named_bonus if own else -w.breakdown_unasked_penalty
        if any(f in clause and f != norm(fact.raw) for f in stated):
            # 「15事業のほう、国費でいくら」: the figure beside the one the question quotes (「15事業 700,241,236円」).
            why["stated"] = w.stated_figure_bonus
        why["period"] = period_fit(ev, q, fact)
        found += sum(gw for g, gw in unit_words if any(a in f for a in g for f in (label, attr, *path, context)))
        out.append(Scored(fact, sum(why.values()), found / whole_total, why))
    out.sort(key=lambda s: -s.score)
    return out


_QUOTE = re.compile(r"[「『]([^」』]{2,30})[」』]")


def _stated_figures(norm_question: str) -> list[str]:
    """The figures a question quotes with their counter to pick something out (「15事業のほう」 → 15事業): not
    dates or years, nor a whole it asks a part of (「203件のうち」)."""
    counters = "|".join(sorted((re.escape(c) for c in lexicon().counters if c not in _DATE_COUNTERS),
                               key=len, reverse=True))
    return [m.group() for m in re.finditer(rf"(?<![\d,.])\d[\d,]*(?:\.\d+)?(?:{counters})(?!の?(?:うち|内|中))",
                                           norm_question)]


def _counter_of(figure: str) -> str:
    return re.sub(r"^[\d,.]+", "", figure)


# Counters of a date or a span of time: 「令和2年」「2月22日」 are periods, not figures quoted.
_DATE_COUNTERS = frozenset({"年", "年度", "月", "日", "時", "分", "秒", "年間", "か月", "ヶ月", "日間"})


# The label of a figure that is part of the one before it (「…10テーマ、うち1テーマ」).
_SUBSET_LABELS = ("うち",)


def _part_of_total(ev: Evidence, fact: Fact) -> bool:
    """Whether the fact is one part of a total its row gives under the group header (62 of 203件)."""
    total = ev.row_columns.get((fact.doc, fact.lines, fact.label, (fact.attribute or "").rpartition(" ")[0]))
    return (total is not None and unit_family(total.unit) == unit_family(fact.unit)
            and Decimal(total.value) > Decimal(fact.value))


def siblings(ev: Evidence, fact: Fact) -> list[Fact]:
    """The same figure for other periods (「令和2年：13,062件、令和元年：49,251件」), report's year first."""
    same = [
        f for f in ev.index.facts
        if f.doc == fact.doc and f.section_path == fact.section_path and f.label == fact.label
        and f.attribute == fact.attribute and unit_family(f.unit) == unit_family(fact.unit)
    ]
    periods = {f.period for f in same}
    if len(same) < 2 or len(periods) < len(same):
        return [fact]
    fy = ev.fiscal_years.get(fact.doc)
    return sorted(same, key=lambda f: (year_of(f.period) != fy if f.period else False, -(year_of(f.period) or 0)))
