"""count: the child sections, table rows, listed items or columns in the scope the question names, and
their names (「3件：全国知事会議、関東地方知事会議、北関東磐越五県知事会議」); what passes a threshold.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from qa.analyze import Question, analyze, measure_of, unit_family, with_terms
from qa.evidence import Evidence
from qa.lexicon import counter_alternation, counter_sum_patterns, lexicon, whole_report
from qa.lookup import arithmetic, figure_answer, heading_range
from qa.models import Answer, Figure, Hit, Section
from qa.ops.structure import (
    budget_siblings,
    column_group,
    described_scope,
    examples_in,
    finish,
    jigyo,
    listed,
    named_scope,
    quoted,
    narrow,
    passes,
    peers,
    row_texts,
    stated_count,
    titled,
    without_items,
)
from qa.plan import Plan
from qa.ranking import score_facts
from qa.text import format_number, nfkc, norm


# How many of the counted items that are sections are cited after the scope (the top citations are read).
ITEM_CITATIONS = 2
# How many of the best passages are read for the names a count in a counter no figure uses (何紙) counts.
NAME_HITS = 3
_TABLE_WORDS = re.compile(r"表|一覧|リスト|区分|内訳")


def count(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    if (ranged := heading_range(ev, q)) is not None:
        # 「2〜5の費目にある事業は」: the 事業 under the 費目 of the range; 「管理費〜地域外交費 いくつ」: the headings.
        inner = all(s.level == 1 for s in ranged) and re.search(r"事業(?!費)", q.norm) is not None
        items = [c.heading for s in ranged for c in ev.children(s)] if inner else [s.heading for s in ranged]
        where = ev.section_by_path.get((ranged[0].doc, tuple(ranged[0].path[:-1])))
        if where is not None:
            return _count_answer(ev, plan, hits, where, items)
    if (given := _filled_budgets(ev, plan, hits, _himoku_scope(ev, q))) is not None:
        return given  # 「決算額が書かれている事業はいくつ」: the 事業 that give one
    if (summed := _counter_sum(ev, plan, hits)) is not None:
        return summed
    if (marked := _marked_items(ev, plan, hits)) is not None:
        return marked
    if (labelled := _labelled_in_hits(ev, plan, hits)) is not None:
        return labelled  # 「いくつの配置先」 over 「（配置先：県、前橋市、富岡市）」
    if (enumerated := _enumerated(ev, plan, hits)) is not None:
        return enumerated  # 「意見を集めたやり方（懇談会とかパブコメとか）は何種類」 over 「懇談会や…、パブリックコメント等を実施」
    if plan.threshold is None and (in_cell := _cell_items(ev, plan, hits)) is not None:
        return in_cell  # 「ぐんまベトナムオンラインWEEKでやった中身は何種類」: the ・ items of the row's cell
    valued = _value_scope(ev, q)  # 「208回のもの」「6月に開かれた」: items picked by a value in their cells
    scope = _quoted_scope(ev, q) or valued or _scope(ev, q, hits)
    if (filled := _filled_rows(ev, plan, hits, scope)) is not None:
        return filled  # 「事業費の金額が書いてあるのは何件」: the rows with a figure in that column
    if re.search(r"表[にでの]", q.norm) and (scope is None or len(row_texts(ev, scope)) < 2):
        # 「…として表に挙がっている取組」: the items are a table's rows; a scope without a table is the wrong
        # one (the 重点施策 bullet that names the same トップ外交), and no scope names none: the section with a
        # table that says it.
        scope = _tabled_scope(ev, q) or scope
    if plan.threshold is None and (columns := column_group(ev, q, scope)):
        # 「有効期間別に見ると何区分」: the columns under the group header the question names.
        group, subs, section = columns
        return _count_answer(ev, plan, hits, section, subs)
    if plan.threshold is None and valued is None:
        # 「地方創生拠点整備交付金は何事業？」: a figure in the counter's unit answers it, unless the question
        # points at a listing (「表に何件載っている」).
        # A count is never of yen: 「予算がついてる事業っていくつ」 counts 事業.
        counted = (q.unit if q.unit != "円" else None) or _asked_counter(q) or _counted_noun(q)
        if (counted and counted in lexicon().counters and unit_family(counted) in ev.unit_families
                and not re.search(lexicon().list_cue, q.norm)):
            # A figure answers from inside a section named by its title, never from another (15事業 of the
            # 交付金 for 「地域外交費の事業はいくつ」, 上海事務所's 実績 for 「地域活性化ラボラトリーの実証は全部で」);
            # a scope only guessed at from some words decides nothing.
            def inside(found: Answer) -> bool:
                return not titled(ev, q, scope) or not found.citations or (
                    found.citations[0].section_path[: len(scope.path)] == scope.path  # type: ignore[union-attr]
                    and not _deeper_unasked(ev, q, scope, found))

            if q.op == "sum" and not whole_report().search(q.norm) and (
                    added := arithmetic(ev, replace(q, unit=unit_family(counted), parts=[]), hits)) and inside(added) and (
                    ev.coverage(_without_counted(q), " ".join(added.citations[0].section_path) + " " + added.citations[0].text)
                    >= ev.weights.min_coverage):
                # 「交付金の対象事業は合わせていくつ」: 15事業 + 4事業, the column added up; figures of another topic
                # (上海事務所's 件 for 「困りごとを解決する実証実験、全部で何件」) are no count of it.
                return added
            found = figure_answer(ev, replace(q, unit=unit_family(counted)), hits)
            if found is not None and inside(found):
                return found
    if plan.threshold is not None:
        # 「決算額が1,000万円を超えているものはいくつ」: the 事業 (or a column's rows) the threshold lets through.
        # A table's own column (「広報活動の表で、事業費が…以上の媒体」) is not the 事業's 決算額.
        column = re.search(r"決算額|予算", q.norm) is None and (re.search(r"表[にでの]", q.norm) is not None or (
            re.search(r"事業費|金額", q.norm) is not None and scope is not None and len(budget_siblings(ev, scope)) < 2))
        pairs = [] if column else budget_siblings(ev, scope)
        if not column and len(pairs) < 2 and scope is not None and unit_family(plan.threshold.unit or "円") == "円":
            scope, pairs = None, budget_siblings(ev, None)  # a section without 事業 of its own: the report's
        if len(pairs) >= 2 and unit_family(plan.threshold.unit or "円") == "円":
            kept = [s.heading for s, f in pairs if passes(f, plan.threshold)]
            where = scope if scope is not None else next(s for s in ev.sections if s.level == 0)
            return _count_answer(ev, plan, hits, where, kept)
        # 「構成員50人未満のところは何団体」: the rows of the column measured in the threshold's unit.
        unit = unit_family(plan.threshold.unit) if plan.threshold.unit else None
        ranked = [s for s in score_facts(ev, replace(q, unit=unit), hits) if len(peers(ev, s.fact)) >= 2]
        if not ranked:
            return None
        column_figures = peers(ev, ranked[0].fact)
        kept = [f for f in column_figures if passes(f, plan.threshold)]
        # Figures of one label (the 緊急啓発広告's Twitter, LINE, Yahoo!) are told apart by their columns.
        alike = len({f.label for f in column_figures}) < len(column_figures)
        kept = [(f.attribute or f.label).rpartition(" ")[2] if alike else f.label for f in kept]
        section = ev.section_by_path.get((ranked[0].fact.doc, tuple(ranked[0].fact.section_path)))
        return _count_answer(ev, plan, hits, section, kept) if section is not None else None
    if "費目" in q.norm and (scope is None or scope.level == 0 or re.search(r"(いくつの|何)費目|費目(は|が|って|の数)", q.norm)):
        # 「費目はいくつ」: the numbered top headings (「1 知事戦略管理費」).
        himoku = ev.himoku
        root = next(s for s in ev.sections if s.level == 0)
        return _count_answer(ev, plan, hits, root, [s.heading for s in himoku]) if himoku else None
    if (held := _items_holding(ev, q, scope)) is not None:
        # 「知事会議は表にいくつ」「交付金は何種類」: the one list whose items are named by the counted word.
        return _count_answer(ev, plan, hits, *held)
    if scope is None and (by_cells := _rows_scope(ev, q)) is not None:
        # No section is named, but a table's cells say what the question picks (「主な活動に移住者相互親睦…が入って
        # る県人会等」): its rows that say it, when that is some of them and more than one.
        texts = row_texts(ev, by_cells)
        rows = narrow(ev, _without_counted(q), list(texts), lambda label: texts[label], by_cells)
        if 2 <= len(rows) < len(texts):
            return _count_answer(ev, plan, hits, by_cells, rows)
    if scope is None or scope.level == 0:
        return _report_items(ev, plan, hits)
    # Each kind of item, narrowed to those the question picks out (「「刊行物」に分類される」).
    # The word counted (「ラジオの番組はいくつ」: 番組) is what every item is; it picks none of them.
    picker = _without_counted(q)
    children = [c.heading for c in narrow(ev, picker, ev.children(scope), lambda c: c.heading, scope)]
    texts = row_texts(ev, scope)
    rows = narrow(ev, picker, list(texts), lambda label: texts[label], scope)
    bullets = narrow(ev, picker, listed(scope), lambda b: b, scope)
    # A table the question points at (「表には」「区分」), else the sub-sections, else the rows, else bullets.
    if rows and len(texts) >= 2 and (_TABLE_WORDS.search(q.norm) or len(children) < 2):
        items = rows
    elif len(ev.children(scope)) >= 2:
        items = children
        kids, levels = ev.children(scope), re.split("及び|並びに", norm(scope.title))
        # The item word, or the level the question quotes (「「主な取組」として挙がっている項目」).
        word = next((v for v in quoted(q) if len(levels) == 2 and v in levels[1]), None) or _item_word(q)
        if all(listed(c) for c in kids) and ((
                word and len(levels) == 2 and word in levels[1] and word not in levels[0]
                and not any(word in norm(c.heading) for c in kids)) or stated_count(q) == len(kids)):
            # A title naming two levels (「重点施策及び主な取組」) and the second asked, or the sub-sections
            # counted already (「5つの分野を合わせて全部で何項目」): the items listed under each of them.
            items = [i for c in kids for i in listed(c)]
    elif len(texts) >= 2:
        items = rows
    elif len(listed(scope)) >= 2:
        items = bullets
    else:
        # A section with nothing to count in it (「東京事務所運営」 for 「県の事務所は何か所」): the report's 事業
        # whose titles hold the question's words; more than the one section named, or it answers nothing.
        found = _report_items(ev, plan, hits)
        return found if found is not None and found.figures and found.figures[0].value not in {"0", "1"} else None
    return _count_answer(ev, plan, hits, scope, items)


def _quoted_scope(ev: Evidence, q: Question) -> Section | None:
    """The section with a list (sub-sections, table rows, listed items) of which some hold a value the question
    quotes (「トップ外交のうち「湯けむりフォーラム」がらみのもの」: the talks' table, two of whose rows name it), the one
    whose path the question covers best; None when nothing is quoted or no list holds it."""
    # A quoted title (「「知事戦略管理費」の下には」) names the scope itself; _scope finds it.
    values = [v for v in (norm(v) for v in quoted(q)) if len(v) >= 2 and v not in ev.titles_text]
    holders = [(ev.coverage(q, " ".join(s.path)), k, s) for k, s in enumerate(ev.sections) for items in _item_sets(ev, s)
               if len(items) >= 2 and any(v in norm(i) for i in items for v in values)]
    return max(holders, key=lambda h: (h[0], -h[1]))[2] if holders else None


def _deeper_unasked(ev: Evidence, q: Question, scope: Section | None, found: Answer) -> bool:
    """Whether a stated count from below the section the question names is about something the question does
    not ask: 「知事戦略管理費って、中に事業がいくつ」 is not answered by 「15事業」 of the 交付金 under (8) 未来創生,
    which no word of the question names (beyond the 費目's own title and the word counted)."""
    if scope is None or not found.figures or len(found.citations[0].section_path) <= len(scope.path):
        return False
    title = ev.title_norms[(scope.doc, tuple(scope.path))]
    skip = {*lexicon().item_nouns, *lexicon().counters}
    own = [g for t, g in zip(q.terms, q.groups) if t not in title and t not in skip and t not in q.loose]
    below = norm(" ".join([found.figures[0].label, *found.citations[0].section_path[len(scope.path):]]))
    return not any(a in below for g in own for a in g)


def _counter_sum(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """「配置先の市町村はいくつ」: the counts written together in the counters it names (10市10町2村), added."""
    q = plan.question
    for name, parts in lexicon().counter_sums.items():
        if not counter_sum_patterns()[name].search(q.norm):
            continue
        ranked = [s for s in score_facts(ev, replace(q, unit=None), hits) if s.fact.unit in parts]
        if not ranked:
            return None
        best = ranked[0].fact
        # The topic, not the counter (市, 町, 村 of 市町村), must be what the figures are about: 「セキュリティクラウド
        # に参加している市町村」 is not the ALT's 10市10町2村.
        topic = [(t, g) for t, g in zip(q.terms, q.groups) if t not in name]
        about = with_terms(q, topic) if topic else q
        if ev.coverage(about, " ".join(best.section_path) + " " + ev.passage(best)) < ev.weights.min_coverage:
            return None
        together = [f for f in ev.index.facts if f.doc == best.doc and f.lines == best.lines
                    and f.label == best.label and f.unit in parts]
        if len({f.unit for f in together}) < 2:
            return None
        total = sum((f.value for f in together), Decimal(0))
        shown = " + ".join(f.raw for f in together)
        text = f"{format_number(total)}{name}（{shown} = {format_number(total)}{name}）。{together[0].label}（{best.section_path[-1]}）"
        fig = Figure(label=best.label, value=str(total), unit=name, raw=f"{format_number(total)}{name}",
                     derived=True, formula=f"{shown} = {format_number(total)}{name}")
        return finish(ev, plan, text, [ev.citation_for_fact(best, ranked[0].score)], hits, [fig])
    return None


# How a question says its items are marked: 「(1)庁議から最後まで」, 「ア、イ…で」, 「①から何番まで」 (① is 1 once
# normalised), 「・で始まる項目」. Each names the numbering of the sections counted, or the bullets.
_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\(\d{1,2}\)(?:[^、。?()]{0,12}?から[^、。?()]{0,12}?まで)?"), r"\(\d+\)"),
    (re.compile(r"(?<![ァ-ヴー])ア(?:[、,・]\s*イ|から(?:[イ-ン]|いくつ|何|どこ))[^、。?()何]{0,6}"), r"[ア-ン]"),
    (re.compile(r"(?:丸|まる|○)(?:付き|つき|囲み)?(?:の)?数字(?:の|が付いた|がついた|付きの)?"), r"[①-⑳]"),
    (re.compile(r"\d{1,2}(?:番)?から(?:\d{1,2}|何)番?まで|何番まで"), r".+"),
    (re.compile(r"・(?:で|から)?始ま[^、。?()]{0,6}|・(?:印|付き)の?"), "bullet"),
)


def _marked_items(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The items a question points at by their marks, below the scope it names without the marks: the first
    level of sections numbered that way, or every bullet."""
    q = plan.question
    for pattern, numbering in _MARKS:
        if (m := pattern.search(q.norm)) is None:
            continue
        rest = re.sub(r"\(\s*\)", "", q.norm[: m.start()] + q.norm[m.end():])
        scope = named_scope(ev, analyze(rest, []), hits)
        if scope is None:
            return None
        if numbering == "bullet":
            below = [scope, *_descendants(ev, scope)]
            items = [b.text.strip("・ ") for s in below for b in s.blocks if b.kind == "bullet"]
        else:
            items, level = [], [scope]
            while level and not items:
                level = [c for s in level for c in ev.children(s)]
                items = [c.heading for c in level if re.fullmatch(numbering, c.number)]
            if not items and numbering == r"[ア-ン]":
                items = listed(scope)  # 「ア …」「イ …」 paragraphs of the section itself (④ テレワーク推進)
        return _count_answer(ev, plan, hits, scope, items) if len(items) >= 2 else None
    return None


# Rows picked by whether a column of theirs is filled: 「事業費の金額が書いてあるのは」「決算額の記載がないのは」.
_FILLED = re.compile(r"(?:書いて|書かれて|記載されて|記載が|載って|示されて|出て)(い|あ)?(る|ない|な)[^。?？]{0,4}?(?:のは|もの|ところ|行)")


# 「決算額が書かれている事業」「決算額の記載がない事業」: the 事業 that give (or lack) a 決算額 of their own.
_BUDGET_GIVEN = re.compile(r"決算額(?:が|の|は)?[^。?？、]{0,4}?(?:書いて|書かれて|記載されて|記載が|記載の|載って|示されて|出て)"
                           r"(?:い|あ|お)?(る|ない|な|ません|ありません)")


def _himoku_scope(ev: Evidence, q: Question) -> Section | None:
    """The one 費目 the question names by its title, or None."""
    named = [h for h in ev.himoku if norm(h.title) in q.norm]
    return named[0] if len(named) == 1 else None


def _filled_budgets(ev: Evidence, plan: Plan, hits: list[Hit], scope: Section | None) -> Answer | None:
    """The 事業 of the 費目 in scope (of the report when none is) that give, or with ない lack, a 決算額: counted."""
    q = plan.question
    if plan.threshold is not None or (m := _BUDGET_GIVEN.search(q.norm)) is None or not re.search(r"事業(?!費)", q.norm):
        return None
    jigyo = ev.children(scope) if scope is not None and scope in ev.himoku else ev.jigyo
    if len(jigyo) < 2:
        return None
    lacking = m.group(1) not in {"る"}
    items = [s.heading for s in jigyo if ((s.doc, tuple(s.path)) in ev.budgets) != lacking]
    where = scope if scope is not None and scope in ev.himoku else next(s for s in ev.sections if s.level == 0)
    return _count_answer(ev, plan, hits, where, items) if items else None


def _filled_rows(ev: Evidence, plan: Plan, hits: list[Hit], scope: Section | None) -> Answer | None:
    """The rows of the scope's table with (or, asked with ない, without) a figure in the column the question
    names by its header (「事業費」), counted; None when the question picks rows otherwise."""
    q = plan.question
    if (m := _FILLED.search(q.norm)) is None or scope is None or len(rows := row_texts(ev, scope)) < 2:
        return None
    facts = [f for f in ev.index.facts if f.doc == scope.doc and f.section_path == scope.path and f.label in rows]
    # The columns the question names: a header (the last word of a figure's attribute) it writes.
    named = {own for f in facts if len(own := norm(f.attribute or "").rpartition(" ")[2]) >= 2 and own in q.norm}
    if not named:
        return None
    holding = {f.label for f in facts if norm(f.attribute or "").rpartition(" ")[2] in named}
    empty = m.group(2) in {"ない", "な"}
    items = [label for label in rows if (label in holding) != empty]
    return _count_answer(ev, plan, hits, scope, items) if items else None


def _cell_items(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The ・ items listed in one cell of the table row the question names by its label (two or more), counted;
    None when no row found is named that well or none of its cells lists items."""
    q = _without_counted(plan.question)
    for h in hits[:ev.top_k]:
        chunk = ev.chunk(h.id) if h.kind == "chunk" else None
        if chunk is None or chunk.kind != "table_row" or " — " not in chunk.body:
            continue
        label, _, cells = chunk.body.partition(" — ")
        cover = ev.coverage(q, label)
        section = ev.section_by_path.get((chunk.doc, tuple(chunk.section_path)))
        if cover < ev.weights.row_label_share or section is None:
            continue
        if any(ev.coverage(q, r) >= cover for r in row_texts(ev, section) if r != label):
            return None  # 「南米の群馬県人会は」 names a kind of row, not this one
        for cell in cells.split(" / "):
            value = cell.partition(": ")[2]
            items = [i.strip() for i in value.split("・") if i.strip()]
            if len(items) >= 2 and value.lstrip().startswith("・"):
                return _count_answer(ev, plan, hits, section, items)
        return None
    return None


def _descendants(ev: Evidence, section: Section) -> list[Section]:
    out = []
    for c in ev.children(section):
        out += [c, *_descendants(ev, c)]
    return out


def _items_holding(ev: Evidence, q: Question, scope: Section | None) -> tuple[Section, list[str]] | None:
    """The child sections or table rows whose names hold the word counted (「知事会議」 → 全国知事会議,
    関東地方知事会議, …), when the scope named has no two such items of its own. Among several such lists,
    the one whose headings share most of the question's words."""
    word = _item_word(q)
    if word is None:
        return None
    if scope is not None and any(len(_holding(word, items)) >= 2 for items in _item_sets(ev, scope)):
        return None  # the named scope has them: the scope's own count narrows them
    best: tuple[tuple[float, int], Section, list[str]] | None = None
    for s in ev.sections:
        for items in _item_sets(ev, s):
            if len(held := _holding(word, items)) < 2:
                continue
            key = (ev.coverage(q, " ".join(s.path)), len(held))
            if best is None or key > best[0]:
                best = (key, s, held)
    if best is None:
        return None
    # The list must be about what the question is about (「誹謗中傷の相談件数」 is not 上海事務所's 来所相談 rows);
    # the report's own subject (「知事戦略部が参加した」) is what every list is about.
    subject = " ".join(o for o in ev.own if len(o) >= 3 and o in q.norm)
    # Nor do the words that point at the listing (表, 載って) or the asker's loose wording name a topic.
    listing = re.compile(lexicon().list_cue)
    topic = [(t, g) for t, g in zip(q.terms, q.groups) if t not in subject and t not in q.loose
             and not listing.fullmatch(t)] or list(zip(q.terms, q.groups))
    about = with_terms(q, topic)
    if ev.coverage(about, " ".join(best[1].path) + " " + " ".join(best[2])) < ev.weights.min_coverage:
        return None
    return best[1], best[2]


def _item_word(q: Question) -> str | None:
    """The word the counted items are named by: the noun right before the question word (「交付金は何種類」);
    when that only points at a listing (「表にいくつ」), the item noun before it (「知事会議は表にいくつ」 → 会議)."""
    asked = measure_of(q.norm)
    word = asked if asked and not _TABLE_WORDS.fullmatch(asked) else _counted_noun(q)
    return norm(word) if word and len(word) >= 2 else None


def _item_sets(ev: Evidence, s: Section) -> list[list[str]]:
    """The lists a section holds: its sub-sections, its table rows, its listed items."""
    return [[c.heading for c in ev.children(s)], list(row_texts(ev, s)), listed(s)]


def _holding(word: str, items: list[str]) -> list[str]:
    return [i for i in items if word in norm(i)]


def named_items(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """A count no figure answers (「新曲は何曲」 where the report writes 新曲①, 新曲②): the items of one list
    named by the counted word, in the scope named, else wherever the report lists them; None when no list
    holds two such items."""
    q = plan.question
    word = _item_word(q)
    scope = named_scope(ev, q, hits)
    if (named := _names_in_passage(ev, q, hits)) is not None:
        return _count_answer(ev, plan, hits, *named)
    if columns := column_group(ev, q, scope):
        # 「SNS広告を出したのは何種類のサービス」: the figures written under that heading in one cell or table
        # (SNS広告 Twitter, LINE, Yahoo!) are the kinds.
        _, subs, section = columns
        return _count_answer(ev, plan, hits, section, subs)
    # In the scope named, the counter itself names the items too (「新しい歌は何曲」 over 新曲①, 新曲②), when
    # the report writes no figure in it (件 is in every other label).
    counter = norm(q.unit or "") if q.unit not in ev.unit_families else ""
    if scope is not None:
        for w in filter(None, (word, counter)):
            for items in _item_sets(ev, scope):
                if len(held := _holding(w, items)) >= 2:
                    return _count_answer(ev, plan, hits, scope, held)
    if word is None:
        return None
    if scope is not None and (titled(ev, q, scope) or described_scope(ev, q) == scope):
        # 「地域活性化ラボラトリーで行われた実証は何件」: the section named by its title (or described by what it
        # does) says what its table lists (「実証事業を実施した」, column 実証結果); its rows are the items.
        rows = row_texts(ev, scope)
        own = norm(" ".join(b.text for b in scope.blocks if b.kind == "paragraph") + " " + " ".join(rows.values()))
        if len(rows) >= 2 and word in own and not ev.children(scope):
            return _count_answer(ev, plan, hits, scope, list(rows))
    found = _items_holding(ev, q, scope)
    return _count_answer(ev, plan, hits, *found) if found is not None else None


def _names_in_passage(ev: Evidence, q: Question, hits: list[Hit]) -> tuple[Section, list[str]] | None:
    """「新聞広告は何紙」: the names ending in the counter's word (上毛新聞, 読売新聞) in the passage on the topic,
    each once; None for another counter or when no passage on the topic names one."""
    kind = lexicon().counter_items.get(q.unit or "")
    if not kind:
        return None
    name = re.compile(rf"[\u4e00-\u9fff\u30a1-\u30fa\u30fcA-Za-z]{{1,10}}{re.escape(kind)}")
    asked = set(q.terms)
    for h in [h for h in hits if h.kind == "chunk"][:NAME_HITS]:
        chunk = ev.chunk(h.id)
        if ev.coverage(q, " ".join(chunk.section_path) + " " + chunk.body) < ev.weights.min_coverage:
            continue
        found = [m.group() for m in name.finditer(nfkc(chunk.body)) if m.group() not in asked]
        section = ev.section_by_path.get((chunk.doc, tuple(chunk.section_path)))
        if found and section is not None:
            return section, list(dict.fromkeys(found))
    return None


def _report_items(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The 事業 of the whole report (「報告書に事業はいくつ」), or those whose titles hold a word of the
    question (「運営費が載っている県の事務所は何か所」 → the two 事務所運営)."""
    q = plan.question
    every = jigyo(ev)
    picked = narrow(ev, q, every, lambda s: s.heading)
    if not every or not (re.search("事業", q.norm) or len(picked) < len(every)):
        return None
    root = next(s for s in ev.sections if s.level == 0)
    return _count_answer(ev, plan, hits, root, [s.heading for s in picked])


# The word right before the count's question word names the items counted (「…書いてある実証は何件」), or the
# word a comma sets as the topic of the clause that asks (「…解決する実証実験、ラボでいくつやった」); not when
# the question word names the thing counted itself (「実証、いくつの川で」).
_COUNTED = (r"(?:は|が|って|、(?:[^、。?]{0,8}?(?:で|では|に|には|は))?)"
            r"(?:全部で|全部|全体で|合わせて|あわせて|合計で)?(?:何|いくつ)(?!の)")


# The counted word right before the question word, or before 「、全部で」 (no clause of its own between).
_STRAIGHT_COUNTED = r"(?:は|が|って|、)?(?:全部で|全部|全体で|合わせて|あわせて|合計で)?(?:何|いくつ)(?!の)"


# An example the question gives of the items counted (「Xみたいな」「Xのような」「Xといった」).
# An example of the items (「知事戦略管理費みたいな」), or one of them said to be included (「STEAM教育推進を含めて」
# 「県を含めて」): what is counted, not where.
_EXAMPLE = re.compile(r"[^、。,()「」はがの]{1,30}?(?:みたいな|みたいの|のような|といった|(?:を|も)含め(?:て|ると|たら)|込みで)")


def _without_counted(q: Question) -> Question:
    """The question without the word right before its question word (「番組はいくつ」 → 番組)."""
    # One of a list of kinds (「セミナー・講座は何件」) still picks its own.
    counted = [m for t in q.terms if (m := re.search(r"(?<![・とや])" + re.escape(t) + _STRAIGHT_COUNTED, q.norm))]
    # The whole compound counted right before the question word (「実証実験、全部で何件」: 実証 as well as 実験;
    # not 「トップ外交、表には何件」, where the table's items are counted).
    before = {q.norm[: m.start()] for m in counted}
    compound = {t for t in q.terms if any(b.endswith(t) and re.search(r"[\u4e00-\u9fff\u30a1-\u30ff]$", t)
                                          for b in before)}
    kept = [(t, g) for t, g in zip(q.terms, q.groups)
            if t not in compound and not re.search(r"(?<![・とや])" + re.escape(t) + _COUNTED, q.norm)]
    # Kinds listed together (「番組や媒体はいくつ」「セミナー・講座は何件」) are alternatives: an item that is any
    # one of them is counted, so they pick as one group.
    for k in range(len(kept) - 1, 0, -1):
        (a, ga), (b, gb) = kept[k - 1], kept[k]
        if re.search(re.escape(a) + _ALTERNATIVE + re.escape(b) + _COUNTED, q.norm):
            kept[k - 1:k + 1] = [(a, [*ga, *(x for x in gb if x not in ga)])]
    return with_terms(q, kept) if kept else q


# What joins kinds named as alternatives (「AやB」「A・B」「AとかB」「AかB」).
_ALTERNATIVE = r"(?:や|・|とか|か|、)"


def _scope(ev: Evidence, q: Question, hits: list[Hit]) -> Section | None:
    """The section a count ranges over, named by the question's other words when they name one: the counted
    word is what the items are (実証), not where they are (ロボット導入実証)."""
    if m := _EXAMPLE.search(q.norm):
        # 「費目（知事戦略管理費みたいな大見出し）はいくつ」: the example shows what is counted, not where.
        q = analyze(q.norm[: m.start()] + q.norm[m.end():], [])
    # Words that say where items are written (「…として書かれている取組」) name no scope.
    written = set(lexicon().locate_words) - set(lexicon().item_nouns)
    if any(t in written for t in q.terms) and (kept := [(t, g) for t, g in zip(q.terms, q.groups) if t not in written]):
        q = with_terms(q, kept)
    counted = [t for t in q.terms if re.search(re.escape(t) + _COUNTED, q.norm)]
    if counted:
        kept = [(t, g) for t, g in zip(q.terms, q.groups) if t not in counted]
        if kept:
            scope = named_scope(ev, with_terms(q, kept), hits)
            if scope is not None:
                return scope
    return named_scope(ev, q, hits)


def _rows_scope(ev: Evidence, q: Question) -> Section | None:
    """The section with a table whose path and rows (every cell) cover the question as a passage must, the
    best: 「主な活動に移住者相互親睦・生活援護指導が入ってる県人会等は」 names the rows by what their cells say."""
    q = _without_counted(q)
    best, best_cov = None, ev.weights.min_coverage
    for s in ev.sections:
        if len(rows := row_texts(ev, s)) < 2:
            continue
        if (cov := ev.coverage(q, " ".join([*s.path, *rows.values()]))) > best_cov:
            best, best_cov = s, cov
    return best


def _tabled_scope(ev: Evidence, q: Question) -> Section | None:
    """The section with a table of two rows or more whose title, path and own text cover the question best,
    when they cover it at least as well as a scope must."""
    q = without_items(q)
    best, best_cov = None, ev.weights.min_scope_coverage
    for s in ev.sections:
        if len(row_texts(ev, s)) < 2:
            continue
        own = " ".join(b.text for b in s.blocks if b.kind == "paragraph")
        cov = ev.coverage(q, " ".join(s.path) + " " + own)
        if cov > best_cov:
            best, best_cov = s, cov
    return best


def _asked_counter(q: Question) -> str | None:
    """The counter right after 何 (「何件出てる」 → 件)."""
    for m in re.finditer("何", q.norm):
        rest = q.norm[m.end():]
        found = [c for c in lexicon().counters if rest.startswith(c)]
        if found:
            return max(found, key=len)
    return None


def _counted_noun(q: Question) -> str | None:
    """The item noun nearest before the question word (「事業の中には取組がいくつ」 → 取組), or the counter right
    after 「いくつの」 (「いくつの業務」 → 業務)."""
    if m := re.search(r"いくつの(\S+)", q.norm):
        # A counter the report writes figures in (業務, 窓口); an item noun (事業) names its sections instead.
        after = [c for c in lexicon().counters if len(c) >= 2 and m.group(1).startswith(c)
                 and c not in lexicon().item_nouns]
        if after:
            return max(after, key=len)
    # A counter the report writes figures in, named right before the question word (「窓口はいくつ」).
    if before := _named_counter(q, nouns=False):
        return before
    ask = re.search(r"いくつ|何", q.norm)
    end = ask.start() if ask else len(q.norm)
    found = [(q.norm.rfind(n, 0, end), n) for n in lexicon().item_nouns if q.norm.rfind(n, 0, end) >= 0]
    return max(found)[1] if found else None


def _named_counter(q: Question, nouns: bool = True) -> str | None:
    """The longest counter of two characters or more right before いくつ or ending the question with 数 (「団体は
    いくつ」「団体数は？」「窓口数はいくつ」 → 団体, 窓口); with nouns false,
    not one that names items (事業)."""
    found = [c for c in lexicon().counters if len(c) >= 2 and (nouns or c not in lexicon().item_nouns)
             and re.search(re.escape(c) + r"(?:(は|が|って|も)?いくつ|数(は|って|が)?(?:いくつ|[?？]|$))", q.norm)]
    return max(found, key=len) if found else None


def _own_text(ev: Evidence, section: Section) -> str:
    """A section's own passages as the report writes them."""
    return " ".join(c.body for c in ev.index.chunks if c.doc == section.doc and c.section_path == section.path)


# A figure a question picks items by (「208回のもの」「2回開いた会議」), and a month (「6月に開かれた」): values
# written in the items' cells, which the question's terms (periods and figures left out) never hold.
_MONTH = re.compile(r"(?<![\d年])(\d{1,2})月(?![\d日])")
# A bare number picks a cell that gives it without its counter (「事業量: 208」) only when it is this long: short
# numbers (2, 10) stand in too many cells for any other reason.
MIN_BARE_DIGITS = 3


def _value_patterns(q: Question) -> list[re.Pattern[str]]:
    """The months and figures a question picks items by, as patterns over an item's (NFKC) text."""
    patterns = [re.compile(rf"(?<![\d年])(?<!令和)(?<!平成){m.group(1)}月(?![\d日])") for m in _MONTH.finditer(q.norm)]
    for m in re.finditer(rf"(?<![\d,.])(\d[\d,]*)({counter_alternation()})", q.norm):
        # A figure right before the question word states what the count is of (「7業務でいくつの窓口」), no pick.
        if re.match(r"[でにのはが、]{0,2}(?:何|いくつ)", q.norm[m.end():]) or m.group(2) in lexicon().item_counters \
                or m.group(2) == "つ":
            continue
        number = m.group(1).replace(",", "")
        bare = len(number) >= MIN_BARE_DIGITS
        patterns.append(re.compile(rf"(?<![\d,.]){',?'.join(number)}(?![\d,.])" + ("" if bare else re.escape(m.group(2)))))
    return patterns


def _item_text(ev: Evidence, scope: Section, sections: bool = True) -> Callable[[str], str]:
    """An item's text: its table row, its section's own text (with `sections`), or the item itself."""
    rows = row_texts(ev, scope)
    under = {c.heading: c for c in ev.children(scope)}
    # A row's figures in their units (「構成員数: 50」 of a column in 人 is 50人).
    figures: dict[str, list[str]] = {}
    for f in (ev.index.facts if rows else []):
        if f.doc != scope.doc or f.section_path != scope.path:
            continue
        if f.label in rows and f.unit:
            figures.setdefault(f.label, []).append(f"{format_number(f.value)}{f.unit}")

    def text_of(item: str) -> str:
        own = rows[item] if item in rows else _own_text(ev, under[item]) if item in under and sections else item
        return nfkc(" ".join([own, *figures.get(item, [])]))

    return text_of


def _picked_by_value(ev: Evidence, q: Question, scope: Section, items: list[str]) -> list[str]:
    """The items whose text holds a month or a figure the question names, when some hold it and others not;
    every item otherwise."""
    text_of = _item_text(ev, scope)
    texts = [text_of(i) for i in items]
    for pattern in _value_patterns(q):
        held = [k for k, t in enumerate(texts) if pattern.search(t)]
        if 0 < len(held) < len(items):
            items, texts = [items[k] for k in held], [texts[k] for k in held]
    return items


def _value_scope(ev: Evidence, q: Question) -> Section | None:
    """The section with a list some (not all) of whose items hold a month or figure the question picks by
    (「208回のもの」: the programmes' table), the one whose path the question covers best, when it covers it as
    well as a scope must; None when the question picks by no value."""
    if not (patterns := _value_patterns(q)):
        return None
    best, best_cov = None, ev.weights.min_scope_coverage
    for s in ev.sections:
        # A sub-section's whole text holds every value of its own lists: the lists themselves are looked in.
        text_of = _item_text(ev, s, sections=False)
        for items in _item_sets(ev, s):
            texts = [text_of(i) for i in items]
            if len(items) >= 2 and any(0 < sum(bool(p.search(t)) for t in texts) < len(items) for p in patterns) and (
                    cov := ev.coverage(q, " ".join(s.path) + " " + " ".join(texts))) > best_cov:
                best, best_cov = s, cov
    return best


def _count_answer(ev: Evidence, plan: Plan, hits: list[Hit], scope: Section, items: list[str]) -> Answer:
    q = plan.question
    if plan.threshold is None:
        items = _picked_by_value(ev, q, scope, items)
    # The question's own counter (何団体 → 団体, 団体はいくつ → 団体, いくつ → つ), else 件.
    nouns = sorted({*lexicon().counters, *lexicon().item_nouns}, key=len, reverse=True)
    # 何分野 before 何分; 「いくつの事業」 counts in 事業.
    asked = re.search("(?:何の?|いくつの)(" + "|".join(map(re.escape, nouns)) + ")", q.norm)
    named = _named_counter(q)
    kinds = "種類" if re.search(r"の種類(は|を|って|\?|$)", q.norm) else None  # 「交付金の種類は」
    counter = asked.group(1) if asked else named or kinds or ("つ" if "いくつ" in q.norm else "件")
    if written := re.search(re.escape(counter), nfkc(q.text), re.IGNORECASE):
        counter = written.group()  # as the question writes it (「4PJ」, not the normalised 「4pj」)
    counter = lexicon().item_counters.get(counter, counter)  # 「いくつの柱」: 5つ
    if counter == "つ" and len(items) >= 10:
        counter = "件"  # つ counts to nine (ここのつ); 「12つ」 is no Japanese
    listed = items[:ev.weights.max_listed]
    names = "、".join(listed) + ("、…" if len(items) > len(listed) else "")
    said = f"{len(items)}{counter}"
    if "いくつ" in q.norm and counter != "つ" and len(items) < 10:
        said = f"{len(items)}つ（{said}）"  # 「ラジオの番組・媒体はいくつ」: 3つ, in the question's own word, then 3媒体
    text = f"{said}：{names}（{scope.heading}）"
    cits = [ev.section_citation(scope, " / ".join(items))]
    # Items that are sections (「社会参加費、若者定着促進」 of a threshold over the whole report) are cited too.
    under = {s.heading: s for s in ev.sections if s.doc == scope.doc and s.path[: len(scope.path)] == scope.path}
    cits += [ev.section_citation(under[i], _own_text(ev, under[i]) or i)
             for i in items if i in under and under[i] is not scope][:ITEM_CITATIONS]
    fig = Figure(label=scope.title, value=str(len(items)), unit=counter, raw=f"{len(items)}{counter}",
                    derived=True, formula=f"{scope.heading}に挙げられた{len(items)}項目を数えた")
    return finish(ev, plan, text, cits, hits, [fig])


# The noun a count asks about, right before its question word (「配置先は何か所」 → 配置先).
_ASKED_NOUN = re.compile(r"([\u4e00-\u9fff\u30a1-\u30ff]{1,8})(?:は|って|の数は)[、,]?(?:全部で|合わせて)?(?:何|いくつ)")


def labelled_list(ev: Evidence, plan: Plan, hits: list[Hit], passage: Answer) -> Answer | None:
    """「国際交流員の配置先は何か所」 over 「（配置先：県、前橋市、富岡市）」: the items the passage lists after
    the noun asked, counted; None when it lists none."""
    if passage.abstained or not passage.citations or not (noun := _labelled_noun(plan.question)):
        return None
    cit = passage.citations[0]
    return _listed_after(ev, plan, hits, noun, cit.text, cit.doc, cit.section_path)


def _labelled_noun(q: Question) -> str | None:
    """The noun a count asks of (「配置先は何か所」「いくつの配置先」 → 配置先)."""
    text = _EXAMPLE.sub("", q.norm)  # 「配置先は県を含めて何か所」
    m = re.search(r"いくつの([\u4e00-\u9fff\u30a1-\u30ff]{2,8})", text) or _ASKED_NOUN.search(text)
    return m.group(1) if m else None


def _labelled_in_hits(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The same list found in the best passages on the question's topic, before any other way of counting."""
    q = plan.question
    if (noun := _labelled_noun(q)) is None or noun in lexicon().item_nouns:
        return None
    for h in [h for h in hits if h.kind == "chunk"][:NAME_HITS]:
        chunk = ev.chunk(h.id)
        if ev.coverage(q, " ".join(chunk.section_path) + " " + chunk.text) < ev.weights.min_coverage:
            continue
        if found := _listed_after(ev, plan, hits, noun, chunk.body, chunk.doc, chunk.section_path):
            return found
    return None


# A list of nouns a sentence does something to (「大型ディスプレイ、ウェブカメラを整備した」「懇談会や地域別懇談会、
# パブリックコメント等を実施し」): the members before を or が, and the words of the verb after it.
_ENUMERATION = re.compile(r"([^。\n]+?)(?:等|など)?(?:を|が)([^、。\n]{1,12})")
_MEMBER_SEP = re.compile(r"、|や|及び|および|並びに|(?<=[\u4e00-\u9fff\u30a1-\u30ffA-Za-z0-9）)])と(?=[\u4e00-\u9fff\u30a1-\u30ffA-Za-z0-9])")
# A member is a noun phrase: no kana but the の and katakana of names (「行えるように」 ends the list).
_MEMBER = re.compile(r"[\u4e00-\u9fff\u30a1-\u30ffー・A-Za-z0-9０-９（）()の\s]+")


def _enumerations(text: str) -> list[tuple[list[str], str]]:
    """Every list of two or more nouns a sentence of `text` puts before を or が, with the words after it."""
    out = []
    for sentence in re.split(r"[。\n]", nfkc(text)):
        for m in _ENUMERATION.finditer(sentence):
            pieces = _MEMBER_SEP.split(m.group(1))
            members: list[str] = []
            for piece in reversed(pieces):
                # The first member after a cell's label (「概要：中国江蘇省蘇州市本会場、東京会場…」).
                piece = re.sub(r"^.*[:：]", "", piece).strip()
                if not piece or not _MEMBER.fullmatch(piece) or len(piece) > 30:
                    break
                members.insert(0, piece)
            if len(members) >= 2:
                out.append((members, m.group(2)))
    return out


# A bullet mark in a cell: 「・」 at the start or after a space, not the 「・」 of a letter-spaced word (「I o T ・ A I」).
_BULLET = re.compile(r"(?:^|(?<=\s))(?<![A-Za-z]\s)・\s*")


def _cell_bullets(body: str) -> list[tuple[str, list[str]]]:
    """The row label of a table row's passage and each of its cells that lists two or more 「・」 bullets, as the
    bullets' first words (「主な内容: ・YouTubeの…動画発信 ・日本人学生と…交流会実施」)."""
    label, sep, cells = body.partition(" — ")
    if not sep:
        return []
    out = []
    for cell in cells.split(" / "):
        value = cell.partition(":")[2]
        pieces = _BULLET.split(value)
        # The words before the first bullet lead the list; they are none of its items.
        bullets = [b.strip() for b in (pieces if value.lstrip().startswith("・") else pieces[1:]) if b.strip()]
        if len(bullets) >= 2:
            out.append((label, [b if len(b) <= 30 else b[:29] + "…" for b in bullets]))
    return out


@lru_cache(maxsize=1)
def _item_counted() -> re.Pattern[str]:
    """An item noun right before the question word (「取組（①〜）がいくつ」「事業、何個」)."""
    # Not つ, the counter, which starts verbs too (「つないだ会場はいくつ」).
    items = "|".join(sorted((re.escape(n) for n in lexicon().item_nouns if n != "つ"), key=len, reverse=True))
    return re.compile(rf"(?:{items})(?:\s*[(（][^)）]*[)）])?[^。]{{0,6}}?(?:いくつ|何)")


def _enumerated(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """A count of the things a sentence lists, when the question names them by example or by what was done to
    them: 「意見を集めたやり方（懇談会とかパブコメとか）、何種類」 counts 「総合計画策定懇談会や地域別懇談会、パブリッ
    クコメント等を実施し」 (3). The list must hold a word the question gives as an example or the verb after it
    must be the question's; None when no one list of the best passages is picked out so."""
    q = plan.question
    # Kinds of things (何種類, いくつ, 何本), not a counter the report writes figures in (何回, 何事業: those figures
    # and sections answer), nor a threshold's filter.
    counter = _asked_counter(q) or ("つ" if re.search("いくつ", q.norm) else None)
    if plan.threshold is None and counter is not None and (bracketed := _bracketed_list(ev, q, counter, hits)):
        return _count_answer(ev, plan, hits, *bracketed)
    if plan.threshold is not None or counter is None or (
            counter in ev.unit_families and counter not in {"つ", "個"}) or counter in {"事業", "項目", "費目"}:
        return None
    if _item_counted().search(q.norm):
        return None  # 「番号付きの取組がいくつ」「並んでる事業、何個」: sections or rows, counted elsewhere
    examples = norm(examples_in(q))
    wanted = [(t, g) for t, g in zip(q.terms, q.groups) if len(t) >= 2 and not ev.unknown(g)]
    # The act done to the things counted (「整備した機器」「評価・検証した計画」): a verbal noun the question writes
    # before する.
    acts = [(t, g) for t, g in wanted if re.search(re.escape(t) + "(?:し|する|され|を)", q.norm)]
    found: list[tuple[int, list[str], Hit]] = []
    for h in [h for h in hits if h.kind == "chunk"][:NAME_HITS]:
        chunk = ev.chunk(h.id)
        for label, members in _cell_bullets(chunk.body) if chunk.kind == "table_row" else []:
            # 「ベトナムオンラインWEEKで実施した企画は何個」: the bullets of a cell of the row the question names.
            row, bullets = norm(label), [norm(m) for m in members]
            named_row = sum(1 for t, g in wanted if any(a in row for a in g))
            # A noun the question shares with one bullet only (「SNS広告、何の媒体に」) asks inside that bullet.
            inside = any(t not in q.loose and not any(a in row for a in g)
                         and sum(1 for m in bullets if any(a in m for a in g)) == 1 for t, g in wanted)
            if named_row and not inside:
                found.append((2 * named_row, members, h))
        for members, after in _enumerations(chunk.body):
            text = norm(" ".join(members))
            named = sum(1 for t, g in wanted if t in examples and any(a in text for a in g))
            done = any(a in norm(after) for t, g in acts for a in g if len(a) >= 2)
            held = sum(1 for t, g in wanted if any(a in text for a in g))
            # The word counted (「会場いくつ」「何会場」) that every member is (「蘇州市本会場、東京会場、群馬会場を結んだ」).
            tail = _common_tail([norm(m) for m in members])
            each = len(tail) >= 2 and bool(re.search(
                rf"{re.escape(tail)}(?:は|が|って|を|の数)?(?:全部で|合わせて)?(?:いくつ|何)|何{re.escape(tail)}", q.norm))
            if (named and (done or held >= 2)) or (done and not examples) or (each and held >= 2):
                found.append((2 * named + int(done) + int(each) + held, members, h))
    if not found:
        return None
    found.sort(key=lambda f: -f[0])
    if len(found) > 1 and found[1][0] == found[0][0] and found[1][1] != found[0][1]:
        return None  # two lists picked out alike: no telling which is counted
    _, members, h = found[0]
    section = ev.section_by_path.get((ev.chunk(h.id).doc, tuple(ev.chunk(h.id).section_path)))
    return _count_answer(ev, plan, hits, section, members) if section is not None else None


def _common_tail(words: list[str]) -> str:
    """The longest ending all the words share."""
    return os.path.commonprefix([w[::-1] for w in words])[::-1]


# A noun followed by the things it stands for in brackets (「各国（米、仏）」「問題点（視界不良、可動域の制限など）」):
# the head, and the bracket's contents.
_BRACKETED = re.compile(r"([\u4e00-\u9fff\u30a1-\u30fa\u30fc]{1,12})[(（]([^()（）]{2,80})[)）]")
# What is no item of such a list: a figure's breakdown (「県：141」), a date (「6月」), a count.
_NOT_MEMBER = re.compile(r"[:：]|^\d")


def _bracketed_list(ev: Evidence, q: Question, counter: str, hits: list[Hit]) -> tuple[Section, list[str]] | None:
    """「国際交流員は何か国から」: the things a noun of the question stands for, written in brackets after it in
    the best passages on the topic (各国（米、仏） → 2); the head must hold the counter's noun (国 of か国) or a
    word of the question that names what is counted."""
    own_noun = re.sub(r"^[かヶカケ箇]", "", counter)
    before = re.search(r"([\u4e00-\u9fff\u30a1-\u30fa\u30fc]{2,12})(?:は|が|って|も)?(?:いくつ|何)", q.norm)
    asked = before.group(1) if before else (measure_of(q.norm) or "")
    for h in [h for h in hits if h.kind == "chunk"][:NAME_HITS]:
        chunk = ev.chunk(h.id)
        if ev.coverage(q, " ".join(chunk.section_path) + " " + chunk.body) < ev.weights.min_coverage:
            continue
        for m in _BRACKETED.finditer(nfkc(chunk.body)):
            head = norm(m.group(1))
            if not ((len(own_noun) and head.endswith(own_noun) and own_noun not in {"つ", "個", "件", "種類"})
                    or (len(asked) >= 2 and norm(asked) in head)):
                continue
            members = [re.sub(r"(など|等)$", "", i).strip() for i in re.split(r"[、,]", m.group(2))]
            members = [i for i in members if i]
            if len(members) >= 2 and not any(_NOT_MEMBER.search(i) for i in members):
                section = ev.section_by_path.get((chunk.doc, tuple(chunk.section_path)))
                return (section, members) if section is not None else None
    return None


def _listed_after(ev: Evidence, plan: Plan, hits: list[Hit], noun: str, text: str, doc: str,
                  path: list[str]) -> Answer | None:
    """The items a text lists after 「noun：」 (「配置先：県、前橋市、富岡市」), counted in the section at `path`;
    None for fewer than two."""
    listed = re.search(re.escape(noun) + r"\s*[:：]\s*([^）)。\n/]+)", nfkc(text))
    if not listed:
        return None
    items = [i.strip() for i in re.split(r"[、,・]", listed.group(1)) if i.strip()]
    section = ev.section_by_path.get((doc, tuple(path)))
    if len(items) < 2 or section is None:
        return None
    return _count_answer(ev, plan, hits, section, items)
