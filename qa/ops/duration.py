"""duration: 「何日間」 asked of a period the report writes as a range (「令和3年1月26日～2月11日」): the days from the
first to the last, both counted, with the range shown. The report gives no such figure; the range is its own.
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


def asks_days(q: Question) -> bool:
    return q.unit == "日" and bool(re.search(r"何日間|日数", q.norm))


def _year(era: str, n: str) -> int:
    return _ERA_BASE[era] + (1 if n == "元" else int(n))


def duration(ev: Evidence, q: Question, hits: list[Hit]) -> Answer | None:
    """The length of the period the best passage gives as a range, or None when it gives none."""
    found = passage_answer(ev, replace(q, want="date", unit=None), hits)
    if found.abstained or not found.citations:
        return None
    m = _RANGE.search(found.text) or _RANGE.search(found.citations[0].text)
    if m is None:
        return None
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
