"""Abstention: an honest 「この報告書には…の記載がありません」 that names what is missing, with the nearest
passages in `Answer.related`, and the grounding check that turns an answer about another body into one.
"""

from __future__ import annotations

import re

from qa import grounding
from qa.analyze import Question, expand
from qa.evidence import Evidence
from qa.lexicon import lexicon
from qa.models import Answer, Citation, Hit
from qa.phrasing import topic
from qa.text import nfkc, norm
from qa.tokenize import tokens

# How many nearby passages an abstention lists.
NEAR = 3


def _near(ev: Evidence, hits: list[Hit]) -> list[Citation]:
    return ev.citations_from_hits([h for h in hits if h.kind == "chunk"], [], NEAR, distinct_sections=True)


def abstain(ev: Evidence, q: Question, hits: list[Hit], what: str) -> Answer:
    """The report holds no answer: say so in the question's own words (`what`: 「令和4年度の」)."""
    subject = topic(q.text, what) or "お尋ねの内容"
    near = _near(ev, hits)
    text = f"この報告書には{what}{subject}の記載が見つかりませんでした。"
    named = [(t, g) for t, g in zip(q.terms, q.groups) if t not in q.loose and t in norm(subject)]
    if not what and subject != "お尋ねの内容" and named and all(not ev.unknown(g) for _, g in named):
        # Every word of the topic is in the report (「始動人Jr.キャンプはどこの会場で」): what it lacks is the
        # answer, not the topic; saying the topic is absent would mislead.
        text = f"この報告書には、{subject}について、お尋ねの内容の記載が見つかりませんでした。"
    return Answer(question=q.text, text=text, abstained=True, citations=near, related=near)


def undated(ev: Evidence, q: Question, hits: list[Hit], where: Citation) -> Answer:
    """The passage on the topic says nothing of when (「庁議はいつ開かれた」): say so, citing it."""
    return not_stated(ev, q, hits, where, "時期・日付")


def not_stated(ev: Evidence, q: Question, hits: list[Hit], where: Citation, what: str) -> Answer:
    """The passage on the topic does not give what is asked of it (a date, the 県 it was held in): say so,
    citing it."""
    subject = topic(q.text, "") or "お尋ねの内容"
    text = f"この報告書には{subject}の{what}の記載はありません（該当箇所：{where.section_path[-1]}）。"
    near = [where, *(c for c in _near(ev, hits) if c.section_path != where.section_path)][:NEAR]
    return Answer(question=q.text, text=text, abstained=True, citations=near, related=near)


def refuse(ev: Evidence, q: Question, names: list[str], citations: list[Citation], op: str | None = None) -> Answer:
    """The question names something the report does not cover: never another one's figure."""
    subject = "』『".join(names)
    text = f"この報告書（{ev.report_label}）に『{subject}』の記載はありません。"
    return Answer(question=q.text, text=text, abstained=True, citations=citations, related=citations, op=op)


def refuse_unknown(ev: Evidence, q: Question, hits: list[Hit], names: list[str]) -> Answer:
    """A body the normaliser found nowhere in the report (「長野県」, 「健康福祉部」)."""
    return refuse(ev, q, names, _near(ev, hits))


# A part of a whole, asked by 分 (「うち市町村分」「女性の分は」).
_PART_OF = re.compile(r"(?:のうち|うち)、?([\u4e00-\u9fff\u30a1-\u30fa\u30fc]{1,8}?)の?分(?!析|野|類|割|担|布|間|かる|から)|"
                      r"([\u4e00-\u9fff\u30a1-\u30fa\u30fc]{1,8}?)の分(?:は|って|が|を)")


# A part of a whole picked out by a name (「…のうちフランスから来た人」「うち上海の分」).
_NAMED_PART = re.compile(r"うち、?([\u4e00-\u9fff\u30a1-\u30fa\u30fca-z]{2,10}?)(?:から|出身|在住|の人|の方)")


# 「Xにかかった費用」「Xに使ったお金」: the thing an amount was spent on.
_SPENT_ON = re.compile(r"([\u4e00-\u9fff\u30a1-\u30ff]{2,8})に(?:かかった|掛かった|使った|要した)(?:費用|経費|お金|金額|コスト)")


def ground(ev: Evidence, q: Question, answer: Answer) -> Answer:
    """The answer, or an abstention naming a salient term of the question its evidence lacks."""
    if answer.abstained:
        return answer
    names = grounding.salient_terms(q.text)  # read once: the checks below share them
    missing = grounding.missing_terms(names, answer, ev.own, ev.section_text, ev.sibling_titles, q.kind_asked)
    # A breakdown the report never makes (「年代別」「20代」): its words are nowhere in the report.
    # The report's own structure words (費目, 事業) are known whatever its text says.
    structure = {*lexicon().item_nouns, *lexicon().counters}
    # A time breakdown (「月別」「週ごと」) the report never writes is missing too, though its stem is a word.
    for b in grounding.breakdowns(q.norm):
        if b in structure or b in missing:
            continue
        if ev.unknown(expand(b)):  # by the report's word for it too (有効期限別 → 有効期間別)
            missing.append(b)
        elif b in grounding.TIME_GRAINS and ev.unknown([b + "別", b + "ごと"]):
            missing.append(b + "別")
    # A part asked of a figure (「交付金のうち市町村分」「女性の分」) must be one the figure itself names (its
    # label, its column), not only the section around it (「県及び市町村申請のとりまとめ」).
    if _PART_OF.search(q.norm):
        evidence = norm(" ".join([answer.text, *(f"{f.label} {f.attribute or ''}" for f in answer.figures)]))
        for m in _PART_OF.finditer(q.norm):
            part = m.group(1) or m.group(2)
            # 「県以外の分」 is what a table calls その他 (as qa.analyze reads 以外).
            alternatives = [*expand(part), *(["その他"] if part.endswith("以外") else [])]
            if not any(norm(a) in evidence for a in alternatives) and part + "分" not in missing:
                missing.append(part + "分")
    # A named part of a whole (「国際交流員のうちフランスから来た人」): the figure must be that part's, named by
    # its label or its column, not a total whose sentence lists the part among others (「各国（米、仏）から…3名」).
    for m in _NAMED_PART.finditer(q.norm):
        part = m.group(1)
        if part in names and answer.figures and part not in missing and not any(
                norm(a) in norm(f"{f.label} {f.attribute or ''}") for f in answer.figures for a in expand(part)):
            missing.append(part)
    missing += [t for t in _other_rows(ev, names, answer) if t not in missing]
    # What money was spent on (「返礼品にかかった費用」), when the report never names it: a figure found by the
    # question's other words is the cost of something else.
    for m in _SPENT_ON.finditer(q.norm):
        thing = m.group(1)
        # (A typo of a known name, 「記者室運栄」, still holds words the report uses: 記者.)
        if thing not in q.loose and ev.unknown(expand(thing)) and thing not in missing and all(
                ev.unknown(expand(t)) for t in tokens(thing) if len(t) >= 2):
            missing.append(thing)
    # A budget figure the report does not give (「当初予算額」「執行率」): a 決算額 (an amount in 千円, or a share of
    # one) is no answer to it.
    if (other := re.search(lexicon().other_budget_figures, q.norm)) and re.search(r"決算額|千円", answer.text) and (
            other.group() not in missing):
        missing.append(other.group())
    if not missing:
        return answer
    # Named as the question writes them (「NETSUGEN」, not the normalised 「netsugen」).
    written = [w.group() if (w := re.search(re.escape(m), nfkc(q.text), re.IGNORECASE)) else m for m in missing]
    if all(not ev.unknown([m]) for m in missing):
        missing = written
        # The report names it (新曲②「ぐんまちゃんえかきうた」) but not with what is asked of it.
        names = "』『".join(missing)
        text = f"この報告書（{ev.report_label}）に『{names}』は出てきますが、お尋ねの内容の記載はありません。"
        return Answer(question=q.text, text=text, abstained=True, citations=answer.citations[:NEAR],
                      related=answer.citations[:NEAR], op=answer.op)
    return refuse(ev, q, written, answer.citations[:NEAR], answer.op)


def _other_rows(ev: Evidence, names: list[str], answer: Answer) -> list[str]:
    """The question's names (`names`) that another row of the answer's table holds, and the answer's own row and
    section do not: 「ベトナムのオンラインWEEKの参加者」 answered by the 蘇州 row's 300名 beside the ベトナム row
    is another entity's figure, though the section around it names ベトナム."""
    out: list[str] = []
    if not names or answer.op not in {None, "lookup"} or len(answer.figures) != 1:
        return out  # a comparison, a sum or a ranking stands on several rows, which the question names
    for figure, citation in zip([f for f in answer.figures if not f.derived], answer.citations, strict=False):
        rows = [norm(r) for r in ev.table_rows.get((citation.doc, tuple(citation.section_path)), {})]
        label = norm(figure.label)
        if label not in rows:
            continue  # not a table row's figure
        own = norm(" ".join([figure.label, figure.attribute or "", *citation.section_path]))
        out += [n for n in names if n not in out and not any(a in own for a in expand(n))
                and any(a in r for r in rows if r != label for a in expand(n))]
    return out
