"""The router: one question through normalise → analyse → plan → evidence → operation → phrasing, or a
grounded refusal. Each step lives in its own module:

- qa/normalize.py: how people type (kana, 西暦, typos, colloquial endings) → the text to analyse
- qa/analyze.py + qa/plan.py: what is asked, decided once (the op, its terms, units, periods, parts)
- qa/evidence.py: the index and what is derived from it once (term weights, passages, citations)
- qa/ranking.py: which figures answer, with why; qa/lookup.py: lookups and arithmetic
- qa/ops/: count, max/min, average, share, compare, locate, describe, multi-part (a module each)
- qa/passage.py: answers that are words; qa/abstain.py + qa/grounding.py: honest refusals
- qa/phrasing.py: the Japanese sentence, in the report's own figures
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa import ops
from qa.abstain import abstain, ground, refuse_unknown
from qa.analyze import Question, analyze, asks_why, expand, groups_for, role_asked, with_terms
from qa.cells import Cells
from qa.evidence import Evidence
from qa.index import Index
from qa.lexicon import counted_in, lexicon, time_extreme
from qa.lookup import (
    another_sections_budget,
    arithmetic,
    described_budget,
    figure_answer,
    himoku_total,
    part_of_budget,
    prior_total,
)
from qa.models import Answer, Hit
from qa.normalize import Normalizer, known_words
from qa.ops.compare import verdict_on_change
from qa.ops.count import labelled_list, named_items
from qa.ops.duration import asks_days, asks_years, duration, years
from qa.passage import passage_answer
from qa.plan import Plan, make_plan, split_questions
from qa.ranking import LATIN_NAME, score_facts
from qa.text import norm, preamble_end
from qa.tokenize import tokens

# Words that name a total the report may write as a row of its own (「令和2年度末累計」「合計」).
_TOTAL_WORDS = re.compile(lexicon().running_total + "|合計|総計")


def _stated_total(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """「令和2年度末の累計は何か所」: the total the question names is a figure the report writes (「令和2年度末累計
    21」), which answers it; the rows are neither added up nor counted."""
    words = {t for t in tokens(q.norm) if _TOTAL_WORDS.fullmatch(t)}  # a word: 総合計画 holds no 合計
    if not words:
        return None
    plain = replace(q, op=None, parts=[])
    scored = score_facts(ev, plain, hits)
    if not scored or scored[0].score < ev.weights.min_fact_score:
        return None
    top = scored[0].fact
    if words & set(tokens(norm(f"{top.label} {top.attribute or ''}"))):
        return figure_answer(ev, plain, hits)
    # 「令和2年度末の時点で合計」: a total up to a year's end is the running total the report writes (累計) beside the
    # year's own figure in the same table.
    running = next((s.fact for s in scored if s.fact.table and s.fact.table == top.table
                    and "累計" in tokens(norm(f"{s.fact.label} {s.fact.attribute or ''}"))), None)
    if running is None or "末" not in q.norm:
        return None
    return figure_answer(ev, replace(plain, terms=[*plain.terms, "累計"], groups=[*plain.groups, ["累計"]]), hits)


def _names_a_figure(ev: Evidence, q: Question) -> bool:
    """Whether the word a question ends on (「フォロワーは？」) is the label or column of a figure about the
    question's other words; 「…動画メッセージのテーマは？」 is not 「ぐんま応援びと」's count of テーマ."""
    about = with_terms(q, [(t, g) for t, g in zip(q.terms, q.groups) if t != q.predicate])
    return any((q.predicate in label or q.predicate in attr) and (
        not about.groups or ev.coverage(about, " ".join([label, attr, *path, text])) >= ev.weights.min_coverage)
        for label, attr, path, text in ev.fact_fields)


class Answerer:
    """Answers questions over one loaded Index (built once per index; safe to share between threads)."""

    def __init__(self, index: Index, dense_weight: float = 0.6, top_k: int = 5) -> None:
        self.evidence = Evidence(index, dense_weight, top_k)
        # The question normaliser over this index's documents (readings, vocabulary, the report's year).
        self.normalizer = Normalizer.from_documents(index.documents)
        # Company reports (a cover with 【会社名】 and 【事業年度】): questions naming a cell (qa/cells.py).
        self.cells = Cells(index.documents)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Normalise, analyse, plan and answer one (cleaned) question; history: earlier questions."""
        ev = self.evidence
        if (cell := self.cells.answer(question)) is not None:
            return cell
        read = self.normalizer.normalize(question)
        earlier = [self.normalizer.normalize(h).text for h in history or []]
        q = analyze(read.text, earlier)
        # A body named only in the asker's preamble (「工学部の大学3年生です。…」) is who asks, not what is asked.
        asked = read.text[preamble_end(read.text):]
        if unknown := [e for e in read.unknown_entities if e in asked]:
            # 「長野県の…」「健康福祉部の…」: a body this report does not cover; never another body's figure.
            return refuse_unknown(ev, q, ev.search(read.text), unknown)
        ans = self._several(read.text, earlier) or self.answer(q)
        notes = [f"『{r.source}』を『{r.target}』と読み替えました" for r in read.rewrites if r.reason in {"fuzzy", "english"}]
        if notes and not ans.abstained:
            ans.text += "（" + "。".join(notes) + "）"
        ans.notes = [f"{r.source} → {r.target}（{r.reason}）" for r in read.rewrites]
        return ans

    def _several(self, text: str, earlier: list[str]) -> Answer | None:
        """「いつ配信して、何回再生された？」: each question answered on its own, together; None for one question
        or when a part cannot be answered (the whole question is then answered as one)."""
        parts = split_questions(text)
        if len(parts) < 2:
            return None
        # A later part leaves its subject unsaid (「国際交流員は何名で、どこの国から来てる」): it follows the parts
        # before it, as a follow-up question does.
        answers = [self.answer(analyze(p, earlier + parts[:k])) for k, p in enumerate(parts)]
        if any(a.abstained for a in answers):
            return None
        shown = []
        for a in answers:
            fig = a.figures[0] if a.figures else None
            if len(a.figures) > 1 and "／" in a.text:
                # A question of several figures itself (「イベントと幼稚園の内訳も」): each of them.
                shown.append(_CITED_SECTION.sub("", a.text))
                continue
            shown.append(f"{fig.raw}{'（' + fig.period + '）' if fig and fig.period and not fig.derived else ''}"
                         if fig else _CITED_SECTION.sub("", a.text)[:80])
        if len(set(shown)) < len(shown):
            return None  # two questions with one answer: one of them was not understood
        sections = list(dict.fromkeys(a.citations[0].section_path[-1] for a in answers if a.citations))
        text_out = "／".join(shown) + (f"（{'、'.join(sections)}）" if sections else "")
        citations = []
        for a in answers:
            if a.citations and a.citations[0] not in citations:
                citations.append(a.citations[0])
        figures = [f for a in answers for f in a.figures[:1]]
        return Answer(question=text, text=text_out, figures=figures, citations=citations, op="lookup")

    def answer(self, q: Question) -> Answer:
        """The answer to an analysed question, or an abstention naming what its evidence lacks."""
        return ground(self.evidence, q, self._route(q))

    def _route(self, q: Question) -> Answer:
        ev = self.evidence
        query = q.text if not q.focus and not q.parts else " ".join(q.terms) + " " + q.text
        # The report's words for the asker's words it never uses (幹部会議 → 庁議) are searched for too.
        said = {a for t, g in zip(q.terms, q.groups) if ev.unknown([t]) for a in g[1:] if a not in q.norm}
        hits = ev.search(query + (" " + " ".join(sorted(said)) if said else ""))
        # Of a year and the report's own fiscal year, the fiscal year is the figure's; the year dates an event
        # (「2013年に開設された上海事務所、2020年度の決算額」).
        fiscal = [p for p in q.periods if p.fiscal and p.year in ev.fiscal_years.values()]
        if q.op is None and q.period is not None and not q.period.fiscal and len(fiscal) == 1 and all(
                p.fiscal or p is q.period for p in q.periods):
            q = replace(q, period=fiscal[0])
        # A period the corpus does not cover (令和4年度 against a 令和2年度 report) has no answer.
        if q.period is not None and q.period.year not in ev.years:
            return abstain(ev, q, hits, f"{q.period.raw}の")
        if _unknown_name(ev, q) or _only_subject(ev, q):
            return abstain(ev, q, hits, "")
        if q.want == "name" and (role := role_asked(q.norm)) and role not in lexicon().loose_nouns and ev.unknown(
                groups_for([role], q.norm)[0]):
            # 「上海事務所の所長は誰」: the report never names a 所長; any name it gives is someone else's.
            return refuse_unknown(ev, q, hits, [role])
        if q.want == "text" and q.predicate and not re.search(r"何|どの|どこ|どう|どんな|誰|いつ", q.norm) and not asks_why(
            q.norm) and not re.search(lexicon().activity_cue, q.norm) and _names_a_figure(ev, q):
            q = replace(q, want="quantity")  # 「フォロワーは？」, 「有効期間5年のものは？」: the word names a figure
        plan = make_plan(q)
        q = plan.question
        if plan.op in {"sum", "count"} and (stated := _stated_total(ev, q, hits)):
            return stated
        if ans := ops.execute(ev, plan, hits):
            return ans
        if asks_years(q) and (span := years(ev, q, hits)):
            return span  # 「第2次国際戦略は何年間の計画」: the range of years the report writes, counted
        if plan.op in {"lookup", "sum"} and (ans := himoku_total(ev, q, hits)):
            return ans  # 「地域外交費の決算額は」: its 事業 added up (the report gives no 費目 totals)
        if q.op and (ans := arithmetic(ev, q, hits)):
            return verdict_on_change(q.norm, ans) if q.op == "diff" else ans
        if q.want == "quantity" or q.op:
            if ans := prior_total(ev, q, hits):
                return ans  # 「整備する前は何か所」: the running total less the year's addition
            if q.unit and not q.op and q.unit not in ev.unit_families and (items := named_items(ev, plan, hits)):
                return items  # 「新曲は何曲」: no figure of the report is in 曲; the items it names (新曲①②) are
            if ans := figure_answer(ev, q, hits):
                if not q.op and plan.op == "lookup" and _counts_another(ev, q, ans):
                    # 「上海事務所の職員は何人」 over the 上海群馬県人会's 構成員数 (a row that names 上海事務所): the
                    # figure counts something else.
                    return abstain(ev, q, hits, "")
                if plan.op in {"max", "min"} and time_extreme(q.norm) is None and (
                        asked := _ASKED_THING.search(q.norm)) and asked.group(1) not in ans.text:
                    # 「いちばん寄附が多かった政策メニューは」: nothing ranked the menus, and the one figure found is
                    # not of a menu: no answer.
                    return abstain(ev, q, hits, "")
                return part_of_budget(ev, q, ans) or another_sections_budget(ev, q, ans) or ans
            if budget := described_budget(ev, q, hits):
                return budget  # 「ネットワークやらパソコンやらの維持費」: a 事業 whose parts are named
            if q.period is not None and figure_answer(ev, replace(q, period=None, periods=[]), hits) is not None:
                # The figure is there, for another year only (令和3年度 of a 令和2年度 report): no answer.
                return abstain(ev, q, hits, f"{q.period.raw}の")
            if q.unit or q.op:
                # A count or an amount is asked and no figure of that kind matches: only a passage that
                # writes a figure in the unit asked can hold it (「2つの河川」 is no table figure).
                if asks_days(q) and (days := duration(ev, q, hits)):
                    return days  # 「何日間掲載された」: the range the report writes, counted
                if q.unit and not q.op:
                    ans = passage_answer(ev, q, hits)
                    if not ans.abstained and _holds_figure(ans.text, q.unit) and not _measure_unknown(ev, q):
                        return ans
                    if (items := named_items(ev, plan, hits)) and (q.unit != "人" or _all_people(items)):
                        # 「新曲は何曲」: no figure in 曲; the report lists 新曲①, 新曲②. People are counted by the
                        # people named, not by a table's rows (「来場者数等の状況、交流事業の開催…」 is no 3人).
                        return items
                    if listed := labelled_list(ev, plan, hits, ans):
                        return listed  # 「配置先は何か所」: 「配置先：県、前橋市、富岡市」 counted
                    if q.unit in COUNTED_UNITS and plan.op == "lookup" and (counted := _counted(ev, plan, hits)):
                        return counted  # 「地域活性化ラボの実証、何件やった」: no figure says it; the rows do
                return abstain(ev, q, hits, "")
        ans = passage_answer(ev, q, hits)
        if _ADDRESS_ASKED.search(q.norm) and not ans.abstained and not _ADDRESS.search(_CITED_SECTION.sub("", ans.text)):
            # 「東京事務所の所在地は」: an address is a town, a ward, a floor; 「県と各省庁（をつなぐ）」 is none.
            return abstain(ev, q, hits, "")
        if plan.op in {"max", "min"} and time_extreme(q.norm) is None and not ans.abstained and not _RANKED.search(ans.text):
            # 「一番寄附が集まったメニューは」: nothing the report gives ranks them, and the passage found says
            # nothing of which is first; another sentence about the topic is no answer.
            return abstain(ev, q, hits, "")
        if plan.op == "average" and not ans.abstained and not _PER_ITEM.search(ans.text):
            # 「モバイルルータ、1台あたりの価格は」: no amount and count to divide, and the passage found states no
            # average either; the sentence about the routers is no price.
            return abstain(ev, q, hits, "")
        if q.want == "quantity" and plan.op not in {"locate", "describe", "list"} and not ans.abstained and not re.search(r"\d", _CITED_SECTION.sub("", ans.text)):
            # 「幸福度の平均点はいくつ」: a number is asked and the passage found writes none; it says what was done,
            # not how much.
            return abstain(ev, q, hits, "")
        return ans


# The section a worded answer ends by citing (「…（③ 語学指導を…）」): dropped when parts are joined, and only it
# (「各国（米、仏）から」 keeps its own brackets).
_CITED_SECTION = re.compile(r"（[^（）]*(?:（[^（）]*）[^（）]*)*）$")

# The thing a superlative asks for, ending the question (「…が多かった政策メニューは？」 → 政策メニュー).
_ASKED_THING = re.compile(r"(?:た|い)([\u4e00-\u9fff\u30a1-\u30ff]{2,8})(?:は|って|はどれ|はどこ|はなに|は何)[?？]?$")

# An address asked (「所在地」「住所」), and what one is: a city, ward, town or village by name, a block, a floor.
_ADDRESS_ASKED = re.compile(r"所在地|住所")
_ADDRESS = re.compile(r"[\u4e00-\u9fff\u30a1-\u30ff]{1,8}(?:市|区|町|村|郡)(?![\u4e00-\u9fff])|丁目|番地|\d+階|フロア")

# Words by which a passage states an amount per item itself (「1人あたり」「平均」).
_PER_ITEM = re.compile(r"あたり|当たり|当り|平均|につき|単価")

# Words by which a passage itself says which is first (「最も多い」「第1位」).
_RANKED = re.compile(r"最も|一番|いちばん|最大|最多|最高|最小|最少|最低|最長|最短|トップ|首位|第1位|1位|最初|最後|初めて|初の")


def _holds_figure(text: str, family: str) -> bool:
    """Whether the text writes a number in a counter of this unit family (「2つの河川」 for つ, 「54名」 for 人)."""
    return counted_in(family).search(text.split("（")[0] if "（" in text[-40:] else text) is not None


def _unknown_name(ev: Evidence, q: Question) -> bool:
    """A Latin-script name the report never uses (「TikTok」): the report cannot be about it."""
    generic = lexicon().generic_latin  # a word for a kind of thing (LAN, PC) is no name
    return any(LATIN_NAME.fullmatch(t) and t not in generic and ev.unknown(g) for t, g in zip(q.terms, q.groups))


# Counters that count items as well as figures: 「何件やった」 with no figure in 件 on the topic is a count of the
# items the report lists there.
COUNTED_UNITS = frozenset({"件", "つ", "個", "か所"})


def _counted(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The question as a count, when the count's scope is on its topic (covers it as a passage must)."""
    found = ops.execute(ev, Plan(op="count", question=plan.question), hits)
    if found is None or found.abstained or not found.citations or not found.figures:
        return None
    cit = found.citations[0]
    return found if ev.coverage(plan.question, " ".join([*cit.section_path, cit.text])) >= ev.weights.min_coverage else None


# A word for a group of people (職員, 会員, 研修生, 講師, コーディネーター, メンバー): what a count in 人 counts. Other
# words before 何人 name the topic the people belong to (「NETSUGENって何人」「ALTの先生って県全体で何人」).
_PEOPLE = r"[\u4e00-\u9fff]{1,4}(?:員|者|生|師)|[\u30a1-\u30fc]{2,}(?:ター|ナー|ザー|カー|バー|ワー)"


# People named by what they do or did (「会員登録している人」「メールを開いた人」): the act is what counts them.
_PEOPLE_BY_ACT = re.compile(r"([\u4e00-\u9fff\u30a1-\u30ff]{2,})(?:を|に)?(?:している|してる|してた|していた|した|する)(?:人|方)")


def _all_people(ans: Answer) -> bool:
    """Whether every item a count names (「3人：A、B、C（…）」) is a word for people."""
    listed = ans.text.split("：", 1)[1].rsplit("（", 1)[0] if "：" in ans.text else ""
    items = [i.strip() for i in re.split(r"[、,]", listed) if i.strip()]
    return bool(items) and all(re.search(f"(?:{_PEOPLE})$", i) for i in items)


def _counts_another(ev: Evidence, q: Question, ans: Answer) -> bool:
    """Whether the figure in 人 found is not of the people the question counts: the word for them (「上海事務所
    職員」 → 職員), a word of the report, is nowhere in the figure's label, column, section title or own sentence."""
    # The measure, or the people whose number is asked (「スタッフの人数」).
    measure = q.measure or (m.group(1) if (m := re.search(r"([\u4e00-\u9fff\u30a1-\u30ff]+)の(?:人数|数)", q.norm)) else None)
    if q.unit != "人" or not ans.figures or not ans.citations or ans.figures[0].derived:
        return False
    head = tokens(measure)[-1:] if measure and tokens(measure) else []
    if head and re.fullmatch(_PEOPLE, head[0]) and head[0] not in q.loose and head[0] not in lexicon().loose_nouns:
        group = expand(head[0])
    elif (act := _PEOPLE_BY_ACT.search(q.norm)) and not any(a in act.group(1) for a in lexicon().implied_acts):
        group = expand(act.group(1))  # 「会員登録している人」: people named by what they did, 登録
    else:
        return False
    if ev.unknown(group):
        return False  # a word the report never uses is judged elsewhere (_measure_unknown)
    fig, cit = ans.figures[0], ans.citations[0]
    # The figure's own words: its label, its column, its section's title and its sentence or listed item up to it
    # (「職員の…ため、研修やeラーニング（5,782人受講）」; not 「コーディネーターを配置し、… ・セミナー…参加人数：48社73名」,
    # which names コーディネーター, but not as what 73名 counts).
    text = norm(cit.text)
    at = text.find(norm(fig.raw))
    start = max((text.rfind(mark, 0, at) for mark in "。・/\n"), default=-1) + 1 if at >= 0 else 0
    near = text[start:at] if at >= 0 else text
    held = norm(" ".join([fig.label, fig.attribute or "", cit.section_path[-1], near]))
    return not any(a in held for a in group)


def _measure_unknown(ev: Evidence, q: Question) -> bool:
    """Whether the thing a count measures is a word the report never uses (「群馬県の人口は何人」): a figure in
    人 in a passage found by the question's other words counts something else."""
    # Loose wording (「ALTの先生」) and words left in kana (じっせきがく, not read as kanji) are the asker's.
    words = tokens(q.measure) if q.measure else []
    return bool(words) and all(t not in q.loose and t not in lexicon().loose_nouns and not re.fullmatch(
        r"[\u3041-\u309f]+", t) and ev.unknown(expand(t)) for t in words)


def _only_subject(ev: Evidence, q: Question) -> bool:
    """Whether the question names nothing of the report but its own subject, and asks a word the report never
    uses (「群馬県の面積は」): every passage is about 群馬県, and none about its 面積."""
    # Words the analysis knows though the report need not write them (費目, 合計額, トップ) ask about its
    # structure or its figures, not about something it lacks.
    topic = [(t, g) for t, g in zip(q.terms, q.groups) if t not in q.loose]
    if q.op or any(t in known_words() or t in lexicon().rank_words for t, _ in topic):
        return False
    return any(ev.unknown(g) for _, g in topic) and all(
        ev.unknown(g) or any(t in o for o in ev.own) for t, g in topic)
