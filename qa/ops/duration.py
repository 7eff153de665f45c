"""duration: 「何日間」 asked of a period the report writes as a range (「令和3年1月26日～2月11日」): the days from the
first to the last, both counted, with the range shown; 「何年間」 of a range of years (「平成28～令和元年度」): the
years, both counted. The report gives no such figure; the range is its own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from qa.analyze import Question
from qa.evidence import Evidence
from qa.models import Answer, Figure, Hit
from qa.passage import passage_answer

# The first year of each era in the Gregorian calendar, less one (令和1年 = 2019).
_ERA_BASE = {"令和": 2018, "平成": 1988}
_RANGE = re.compile(r"(令和|平成)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日[^～~〜\-－]{0,8}?[～~〜\-－]\s*"
                    r"(?:(令和|平成)(元|\d{1,2})年)?(?:(\d{1,2})月)?(\d{1,2})日")


# A range of (fiscal) years: 「平成24～27年度」「平成28～令和元年度」.
_YEAR_RANGE = re.compile(r"(令和|平成)(元|\d{1,2})(?:年度?)?\s*[～~〜\-－]\s*(令和|平成)?(元|\d{1,2})年度?")
# The words before a range that tell whose it is (「第2次群馬県国際戦略（平成28～…」).
_BEFORE_RANGE = 24


# How many of the search's passages a range of days is looked for in.
_RANGED_HITS = 8


def asks_days(q: Question) -> bool:
    return q.unit == "日" and bool(re.search(r"何日間|日数", q.norm))


def asks_years(q: Question) -> bool:
    return bool(re.search(r"何年間|何(?:か|ヶ|カ|ケ)年", q.norm))


def _nearest(q: Question, text: str) -> re.Match[str] | None:
    """Of the ranges of days a passage writes, the one the question's words stand right before (「LINE 2,766,068回
    掲載期間：令和3年1月27日～2月2日」 for LINE, not Twitter's range before it); the first when none is named."""
    ranges = list(_RANGE.finditer(text))
    if not ranges:
        return None
    # The words between this range and the one before it (after its last 日) are this range's.
    best = max(ranges, key=lambda m: _held(q, text.lower(), m, after="日"))
    return best if _held(q, text.lower(), best, after="日") > 0 else ranges[0]


def _held(q: Question, text: str, m: re.Match[str], after: str | None = None) -> int:
    """How much of the question's words stand in the text just before a range (after the last `after` there)."""
    before = text[max(0, m.start() - _BEFORE_RANGE): m.start()]
    if after is not None and after in before:
        before = before[before.rfind(after) + 1:]
    return sum(len(t) for t in q.terms if t.lower() in before)


def years(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """The number of years of the range the best passage gives beside the question's words (both ends counted),
    or None when it gives none."""
    found = passage_answer(ev, replace(q, want="text", unit=None), hits)
    if found.abstained or not found.citations:
        return None
    text = found.citations[0].text
    ranges = list(_YEAR_RANGE.finditer(text))
    if not ranges:
        return None
    # The range whose preceding words hold most of the question's (an ordinal, 第2次, picks one of a series).
    m = max(ranges, key=lambda r: _held(q, text, r))
    start = _year(m.group(1), m.group(2))
    end = _year(m.group(3) or m.group(1), m.group(4))
    if end < start:
        return None
    n = end - start + 1
    formula = f"{m.group()}：{start}年度から{end}年度まで、両端を含めて{n}年"
    text_out = f"{n}年間（{m.group()}、両端の年度を含めて数えた）（{found.citations[0].section_path[-1]}）"
    fig = Figure(label=found.citations[0].section_path[-1], attribute="期間の年数", value=str(n), unit="年間",
                 raw=f"{n}年間", derived=True, formula=formula)
    return Answer(question=q.text, text=text_out, figures=[fig], citations=found.citations, op="lookup")


def _year(era: str, n: str) -> int:
    return _ERA_BASE[era] + (1 if n == "元" else int(n))


def duration(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """The length of the period the best passage gives as a range, or None when it gives none."""
    found = passage_answer(ev, replace(q, want="date", unit=None), hits)
    if found.abstained or not found.citations:
        return None
    m = _nearest(q, found.citations[0].text) or _RANGE.search(found.text)
    if m is None:
        # 「何日間」 asks of a range: of the passages found, the one that writes a range and covers the question best
        # (the 「ぐんまベトナムオンラインWEEK (令和2年11月29日～12月5日)」 row, not a dated row beside it).
        ranged = [(ev.coverage(q, " ".join(h.section_path) + " " + h.text), h) for h in hits[:_RANGED_HITS]
                  if h.kind == "chunk" and _RANGE.search(h.text)]
        ranged = [(c, h) for c, h in ranged if c >= ev.weights.min_coverage]
        if not ranged:
            return None
        hit = max(ranged, key=lambda ch: ch[0])[1]
        m = _nearest(q, hit.text)
        found = found.model_copy(update={"citations": ev.citations_from_hits([hit], [], 1)})
    start = date(_year(m.group(1), m.group(2)), int(m.group(3)), int(m.group(4)))
    end_year = _year(m.group(5), m.group(6)) if m.group(5) else start.year
    end_month = int(m.group(7)) if m.group(7) else start.month
    end = date(end_year, end_month, int(m.group(8)))
    if end < start:
        return None
    days = (end - start).days + 1
    formula = f"{m.group()}：{start.isoformat()} から {end.isoformat()} まで、両日を含めて{days}日"
    text = f"{days}日間（{m.group()}、両日を含めて数えた）（{found.citations[0].section_path[-1]}）"
    fig = Figure(label=found.citations[0].section_path[-1], attribute="期間の日数", value=str(days), unit="日間",
                 raw=f"{days}日間", derived=True, formula=formula)
    return Answer(question=q.text, text=text, figures=[fig], citations=found.citations, op="lookup")
