"""The plan: what a question asks for, decided once from its analysis and the cue words of
qa/data/lexicon.json, before any evidence is looked at.

「記者室運営で事業量が一番多い区分は？」 → Plan(op="max", ...); 「庁議は40回以上開かれた？」 → Plan(op="compare",
threshold=40 回, comparator="ge"); 「庁議の開催件数と付議件数は？」 → Plan(op="lookup", parts=[…, …]).
"""

from __future__ import annotations

import re
from dataclasses import replace as dc_replace
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from qa.analyze import Question, asks_why, split_ahead, split_over, split_parts, split_versus, with_terms
from qa.lexicon import counter_alternation, counter_sum_patterns, lexicon, op_patterns, time_extreme
from qa.text import nfkc, to_decimal

Op = Literal["lookup", "list", "count", "max", "min", "sum", "average", "share", "difference", "change_rate",
             "compare", "locate", "describe"]
Comparator = Literal["ge", "gt", "le", "lt"]

# Words that add figures up (「合わせると」「足すと」), unlike 「全部で」, which may count items.
_ADDED = re.compile(r"合わせ|あわせ|合計|足す|足し|トータル|総計")
# The operations the analyser's arithmetic already names (差・合計・比・前年比).
_ARITHMETIC = {"diff": "difference", "sum": "sum", "ratio": "share", "change": "change_rate"}
_COMPARATORS: tuple[tuple[str, Comparator], ...] = (
    ("以上", "ge"), ("に達", "ge"), ("に届", "ge"), ("届", "ge"), ("を超え", "gt"), ("超え", "gt"), ("超", "gt"),
    ("より多", "gt"), ("より上", "gt"), ("を上回", "gt"), ("上回", "gt"), ("未満", "lt"), ("より少な", "lt"), ("を下回", "lt"),
    ("下回", "lt"), ("より下", "lt"), ("以下", "le"), ("に満たな", "lt"), ("に届かな", "lt"),
    # Reached or went over, denied: 「100万円に届いていない」「1万件を超えてない」.
    ("届いてな", "lt"), ("届いていな", "lt"), ("達してな", "lt"), ("達していな", "lt"), ("超えてな", "le"), ("超えていな", "le"),
    # Spoken: 「1万人いってる？」「100件のった？」「200件こえてる」 (reached, went over).
    ("いっ", "ge"), ("行っ", "ge"), ("のっ", "ge"), ("乗っ", "ge"), ("突破", "gt"),
    ("こえ", "gt"), ("越え", "gt"),
)
_MULTIPLIERS = {"万": Decimal(10_000), "千": Decimal(1000), "億": Decimal(100_000_000)}


class Threshold(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    raw: str  # 「40回以上」 as asked
    value: Decimal  # in `unit`
    unit: str  # the counter as asked ("" when none)
    comparator: Comparator
    # 「300万円台」: the figure is at least `value` and below this (value + one step of its leading digit).
    below: Decimal | None = None


class Plan(BaseModel):
    """One question's operation, its analysis and, for a question that asks several things, its parts."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    op: Op
    question: Question
    threshold: Threshold | None = None
    parts: tuple[Question, ...] = ()  # a multi-part question: one lookup each


def _cue(text: str, skip: set[str] | frozenset[str] = frozenset()) -> str | None:
    for op, pattern in op_patterns():
        if op not in skip and pattern.search(text):
            return op
    return None


# 「300万円台」「2,000万円台」「20人台」: a band from the figure to the next step of its leading digit. A bare
# 「300台」 is a count of machines, so a unit or a multiplier must stand before 台.
_BAND = re.compile(r"(\d[\d,]*)(万|千|億)?(円|人|件|回|名|社|本|日)台")


def _band(text: str) -> Threshold | None:
    m = _BAND.search(nfkc(text))
    if not m:
        return None
    digits = m.group(1).replace(",", "")
    value = Decimal(digits)
    step = Decimal(10) ** (len(digits) - 1)  # 300 → 100: 300〜399
    mult = m.group(2) or ""
    unit = mult + m.group(3) if mult and m.group(3) == "円" else m.group(3)
    if mult and m.group(3) != "円":
        value, step = value * _MULTIPLIERS[mult], step * _MULTIPLIERS[mult]
    return Threshold(raw=m.group(), value=value, unit=unit, comparator="ge", below=value + step)


# A number written with 億/万/千 marks between its digits (「1万5千」「2億406万」).
_COMPOUND = re.compile(r"(?<![\d.,])\d[\d,.]*(?:億(?:\d[\d,.]*)?)?(?:万(?:\d[\d,.]*)?)?(?:千(?:\d[\d,.]*)?)?")


def threshold(text: str) -> Threshold | None:
    """「40回以上」「1万件を超え」「200件超えてる」「300万円台」: the figure a question compares with."""
    if (band := _band(text)) is not None:
        return band
    pattern = dict(op_patterns()).get("compare")
    # 「1万5千件に届いた」: a figure written with two marks is one number (15000), not its last piece (5千).
    text = _COMPOUND.sub(lambda m: str(to_decimal(m.group())) if len(re.findall("[億万千]", m.group())) >= 2
                         or re.search(r"[億万千]\d", m.group()) else m.group(), nfkc(text))
    # The last figure named is the one meant: 「毎月1回以上、つまり年12回以上」.
    found = [m for m in pattern.finditer(text) if re.match(r"\d", m.group())] if pattern else []
    if not found:
        return None
    raw = found[-1].group()
    num = re.match(r"[\d,.]+", raw)
    if not num:
        return None
    value = Decimal(num.group().replace(",", ""))
    rest = raw[num.end():].lstrip()
    if rest[:1] in _MULTIPLIERS and not rest.startswith(("千円", "万円", "億円")):
        value *= _MULTIPLIERS[rest[0]]
        rest = rest[1:]
    unit = next((c for c in sorted(lexicon().counters, key=len, reverse=True) if rest.startswith(c)), "")
    # The longest cue first: 「に届かな」 (lt) before 「届」 (ge).
    comparator = next(c for w, c in sorted(_COMPARATORS, key=lambda wc: -len(wc[0])) if w in rest)
    return Threshold(raw=raw, value=value, unit=unit, comparator=comparator)


# The items that pass a threshold, counted: 「…を超えたのは何件」「…以上のところはいくつ」.
_PASSING_COUNTED = re.compile(r"(?:の|もの|ところ|とこ)(?:は|が|って)、?(?:全部で|合計で|合わせて)?"
                              r"(?:何(?!%|パーセント|割|倍)[^\d、。?？]{0,4}|いくつ)(?:[?？]|$|ある|あり|です|でしょう|か|だった)")


def _per_unit_figure(text: str) -> bool:
    """「1回あたりの部数」 when the report counts in 部/回: a figure per unit it writes, not an average to take."""
    for counter in lexicon().counters:
        amount, slash, per = counter.partition("/")
        if slash and re.search(rf"(?:1|一|ひと){re.escape(per)}(?:あたり|当たり|当り)の?[^、,。?？]{{0,6}}{re.escape(amount)}", text):
            return True
    return False


def make_plan(q: Question) -> Plan:
    """The plan of an analysed question (its normalised text has already been through qa.normalize)."""
    text = q.norm
    op: str | None = _cue(text)
    if (direction := time_extreme(text)) is not None and op in {None, "max", "min", "locate", "describe"}:
        op = direction  # 「時期がいちばん早かったのは」: the earliest of the items, by their dates
    if op == "describe" and q.want == "quantity" and (q.unit or re.search(r"どれ|どの(くらい|ぐらい|程度)|いくつ|いくら", text)) \
            and not re.search(r"どんな|どういう|どのよう|何に", text):
        op = None  # 「アクセス件数、ざっくりでいいから」: roughly how many, not a short description
    if op in {"max", "min"} and (ranked := [w for w in q.terms if w in lexicon().rank_words and re.search(
            re.escape(w) + r"(?![\u4e00-\u9fff\u30a1-\u30ff])", text)]) and len(ranked) < len(q.terms):
        # 「決算額トップは」: トップ says which end is asked; it names nothing to rank.
        kept = [(w, g) for w, g in zip(q.terms, q.groups) if w not in ranked]
        q = with_terms(q, kept)
    t = threshold(text)
    if t is not None and op in {"compare", "count", "max", "min"}:
        # A threshold beside a count or a superlative cue filters what is counted or ranked.
        filtered = _cue(text, skip={"compare"})
        if filtered in {"count", "max", "min"}:
            return Plan(op=filtered, question=q, threshold=t)  # type: ignore[arg-type]
    if t is not None and op == "compare" and _PASSING_COUNTED.search(text):
        # 「100万回を超えたのは何件」: how many of the figures pass the threshold, not whether one does.
        return Plan(op="count", question=q, threshold=t)
    if op == "average" and _per_unit_figure(text):
        # 「1回あたりの発行部数」: the report writes that figure itself (630,000部/回); あたり is its unit's.
        op = None
        kept = [(term, g) for term, g in zip(q.terms, q.groups) if term not in {"あたり", "当たり", "当り"}]
        q = with_terms(q, kept)
    if op in {None, "count", "sum"} and any(p.search(text) for p in counter_sum_patterns().values()):
        # 「配置先の市と町と村、合計でいくつ」: counts in the counters a joined one names, added: a count, not a sum
        # of three parts.
        return Plan(op="count", question=dc_replace(q, parts=[], op=None))
    if op in {"max", "min"} and q.op == "diff" and len(q.parts) == 2:
        op = None  # 「AとBではどちらが何人多い？」: the difference of the two, which names the larger
    if op == "count" and q.op in {"diff", "ratio"} and len(q.parts) == 2 and re.search(r"(差|違い|開き|比)は?いくつ", text):
        op = None  # 「10年ものと5年もの、差はいくつ」: いくつ asks the difference, not a count of items
    if op == "count" and q.op == "sum" and len(q.parts) >= 2 and _ADDED.search(text) and re.search(
            r"と|や|及び|および|並びに|・", re.sub(r"「[^」]*」|[(（][^()（）]*(?:等|など|とか)[)）]", "", text)) and not any(
            n in text for n in lexicon().counter_sums):
        # (「地方創生の交付金、対象になった事業は合わせて」 names a topic and a measure, no items: a count; so does
        # a quoted title that lists two levels, 「重点施策及び主な取組」, or examples in brackets, 「（STEAMとか
        # プログラミングとか）」.)
        op = "sum"  # 「AとBを合わせると何事業？」: the figures of the named items added, not items counted
    if op == "count" and any(w in text for w in lexicon().each) and len(each := split_parts(q)) >= 2:
        # 「AとB、それぞれ何事業」: each one's figure, in the counter asked.
        return Plan(op="lookup", question=q, parts=tuple(dc_replace(p, unit=p.unit or q.unit) for p in each))
    parts = split_parts(q) if op == "count" else []
    if len({p.unit for p in parts} - {None}) >= 2:
        # 「…の決算額と、…している団体数は？」: two figures in units of their own, not one count.
        return Plan(op="lookup", question=q, parts=tuple(parts))
    if op == "compare":
        if t is not None and t.unit == "倍" and len(versus := q.parts or split_over(q)) == 2:
            # 「AはBの2倍以上ある？」: A against N times B, both looked up.
            return Plan(op="compare", question=q, threshold=t, parts=tuple(versus))
        if t is not None:
            return Plan(op="compare", question=q, threshold=t)
        # 「BよりAのほうが多い？」: A is asked about, against B (the analyser's parts split at は and より).
        versus = split_ahead(q) or q.parts or split_versus(q)
        if len(versus) == 2:
            return Plan(op="compare", question=q, parts=tuple(versus))  # 「AはBより多い？」
        op = None
    if op == "change_rate" and (q.parts or len(q.periods) >= 2 or not q.op):
        # (new − old) ÷ old over two named figures or periods, or a figure and its other period: the
        # analyser's arithmetic computes it.
        return Plan(op="change_rate", question=dc_replace(q, op="change"))
    if q.op == "ratio" and "何倍" in text and op in {None, "share"}:
        return Plan(op="lookup", question=q)  # 「AはBの何倍」: A ÷ B in 倍, which the arithmetic gives
    if op is None and q.op:
        op = _ARITHMETIC[q.op]
    if op is None and asks_why(text):
        return Plan(op="lookup", question=q)  # a reason: the passage that gives it, not figures per part
    if op is None:
        parts = split_parts(q)
        if parts:
            return Plan(op="lookup", question=q, parts=tuple(parts))
        op = "list" if q.want == "list" else "lookup"
    return Plan(op=op, question=q)  # type: ignore[arg-type]


# Question words that each ask for one answer (「いつ配信して、何回再生された」 asks two).
_ASKS = re.compile(r"いつ|どこ|誰|だれ|いくら|いくつ|何(?:年|月|日|人|名|件|回|社|台|本|部|か所|事業|団体|テーマ|区分|"
                   r"種類|時間|分|秒|話|体|%|パーセント|割|倍)|どれくらい|(?:何|なに)(?=で[、,]|だった[、,]|[、,])")
# Where one question ends and the next begins: a clause end after its question word.
# (A て-form ends a clause without a comma too, when a word follows it: 「いつやって再生回数いくつ」.)
_CLAUSE_END = re.compile(r"(?:て|で|か|し|り)?[、,。?？]|それと|あと(?=[^でに])|また(?=[、,]?)|"
                         r"(?<=[っん])[てで](?=[\u4e00-\u9fff\u30a1-\u30ff])")


# A sentence asking one more thing along with the question (「事業費もあわせて知りたい」「あと場所も教えて」; the
# normaliser may have cut the request off: 「申請件数も」).
_ALSO = re.compile(r"(?:^|[。?？!！]\s*)(?:あと|それと|ついでに)?[、,]?([^。?？、,]{2,20}?)も(?:あわせて|合わせて|併せて|一緒に|ついでに)?"
                   r"(?:(?:知りたい|教えて|お願い|聞きたい)[^。?？]*)?[。?？]?\s*$")


# A word that names a measure (件数, 決算額, 事業費, 参加者数).
_MEASURED = re.compile(r"(数|額|費|率|回数|件数)$")


def split_questions(text: str) -> list[str]:
    """Two or more questions asked in one (「お誕生日会はいつ配信して、何回再生された？」): one text each, the later
    ones led by the first one's subject (「お誕生日会は何回再生された」). A single question comes back alone."""
    if (also := _ALSO.search(text)) and (_ASKS.search(prefix := re.sub(r"[\s、,]*(?:あと|それと|ついでに)?[\s、,]*$", "", text[: also.start(1)]))
                                         or re.search(r"[?？]$", prefix)):
        # 「…何本で、再生は何回？事業費もあわせて知りたい」: the measure asked along is one more question, about the
        # first one's subject (「旅券の発行件数は？申請件数も」: 旅券, the measure replaced).
        first = split_questions(prefix)
        # The topic ends at は, else at って (「使っていない事業は」 ends at は, not at the て-form before it).
        topic_end = re.search(r"は", first[0]) or re.search(r"(?<![\u3041-\u3096])って", first[0])
        lead = first[0][: topic_end.start()] if topic_end else ""
        if _MEASURED.search(also.group(1)) and _MEASURED.search(lead) and "の" in lead:
            lead = lead.rpartition("の")[0]
        return first + [f"{lead}の{also.group(1)}は？" if lead else f"{also.group(1)}は？"]
    asks = list(_ASKS.finditer(text))
    if len(asks) < 2:
        return [text]
    pieces, start = [], 0
    for ask in asks[:-1]:
        end = _CLAUSE_END.search(text, ask.end())
        nxt = next(a for a in asks if a.start() > ask.start())
        if end is None or end.start() > nxt.start():
            return [text]  # 「何社・何人分」: one clause asks both
        pieces.append(text[start : end.end()])
        start = end.end()
    pieces.append(text[start:])
    pieces = [p.strip(" 、,") for p in pieces if p.strip(" 、,?？。")]
    if len(pieces) < 2:
        return [text]
    # The subject is what the first question is about: up to its は (「JETの国際交流員は」), else its first の.
    subject = re.match(r"^([^はの、]+(?:の[^はの、]+)*?)(?:は|って|では)", pieces[0]) or re.match(r"^(.+?)の", pieces[0])
    lead = subject.group(1) if subject else ""
    if (first := _ASKS.search(pieces[0])) and subject and subject.end(1) > first.start():
        # 「誕生日会 いつやって」: the subject ends before the question word, not at the って of やって.
        lead = pieces[0][: first.start()].strip(" 、,はのがって")
    # 「何テーマが提案されて、そのうちいくつが…」: a part of the first one's count is counted in its counter.
    counters = counter_alternation()
    if asked := re.search(rf"何({counters})", pieces[0]):
        pieces = [pieces[0]] + [re.sub(r"いくつ", f"何{asked.group(1)}", p, count=1) if re.search(r"^(その)?うち", p) else p
                                for p in pieces[1:]]
    return [pieces[0]] + [p if lead and lead in p else f"{lead}の{p}" if lead else p for p in pieces[1:]]
