"""西暦 periods of a company's report, in the one `Period` model the era dates use.

A securities report names its fiscal years four ways: a date or month (「2020年3月」, 「(2019年3月31日)」),
a range (「自 2019年4月1日 至 2020年3月31日」), a term (「第80期」) and a relative name (「当連結会計年度」,
「前事業年度」). All become the fiscal year they end: `Period(norm="FY2019", year=2019, fiscal=True,
end="2020-03-31")` for the year April 2019 – March 2020, as 令和元年度 is FY2019. A term or a relative name
is resolved against the document's own fiscal year, read from its cover (【事業年度】 第80期(自 … 至 …)).
"""

from __future__ import annotations

import re

from qa.models import Period
from qa.text import nfkc

_DATE = r"(?P<{p}y>\d{{4}})\s*年\s*(?P<{p}m>\d{{1,2}})\s*月(?:\s*(?P<{p}d>\d{{1,2}})\s*日)?"
RANGE = re.compile(r"自\s*" + _DATE.format(p="s") + r"\s*至\s*" + _DATE.format(p="e"))
MONTH = re.compile(r"(?<!\d)" + _DATE.format(p=""))
TERM = re.compile(r"第\s*(\d{1,3})\s*期")
RELATIVE = re.compile(r"(当|前|前々)(?:連結)?(?:会計年度|事業年度|期)")
# 「2018年3月期」, 「2018年度」, 「2018年」 in a question: the fiscal year that ends then.
QUESTION_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*年(?:\s*(?P<m>\d{1,2})\s*月期?)?(?P<fy>度)?")


def fiscal(end_year: int, end_month: int, end_day: int | None, raw: str) -> Period:
    """The 12-month fiscal year that ends in that month: March 2020 → FY2019 (it began in April 2019)."""
    start_year = end_year if end_month == 12 else end_year - 1
    end = f"{end_year}-{end_month:02d}" + (f"-{end_day:02d}" if end_day else "")
    return Period(raw=raw, norm=f"FY{start_year}", year=start_year, fiscal=True, end=end)


def shifted(period: Period, years: int, raw: str) -> Period:
    """The fiscal year `years` later (negative: earlier) than `period`, with `raw` as its wording."""
    assert period.end is not None
    y, rest = int(period.end[:4]) + years, period.end[4:]
    return Period(raw=raw, norm=f"FY{period.year + years}", year=period.year + years, fiscal=True, end=f"{y}{rest}")


def cover_period(text: str) -> tuple[Period, int | None] | None:
    """The fiscal year a cover line names (「第80期(自 2019年4月1日 至 2020年3月31日)」) and its term (80)."""
    t = nfkc(text)
    m = RANGE.search(t)
    if not m:
        return None
    term = TERM.search(t)
    period = fiscal(int(m.group("ey")), int(m.group("em")), int(m.group("ed") or 0) or None, text.strip())
    return period, int(term.group(1)) if term else None


def find_period(text: str, current: Period | None = None, term: int | None = None) -> Period | None:
    """The fiscal year a header, caption or heading names, or None.

    `current` and `term` are the document's own fiscal year and its number, for 「第78期」 and 「前連結会計年度」.
    """
    t = nfkc(text)
    if m := RANGE.search(t):
        return fiscal(int(m.group("ey")), int(m.group("em")), int(m.group("ed") or 0) or None, m.group().strip())
    if m := MONTH.search(t):
        return fiscal(int(m.group("y")), int(m.group("m")), int(m.group("d") or 0) or None, m.group().strip())
    if current is not None and current.end is not None:
        if (m := TERM.search(t)) and term is not None:
            return shifted(current, int(m.group(1)) - term, m.group())
        if m := RELATIVE.search(t):
            back = {"当": 0, "前": -1, "前々": -2}[m.group(1)]
            return shifted(current, back, m.group())
    return None


def question_period(text: str) -> tuple[int, int | None] | None:
    """(year, month) the question names in 西暦 (「2018年3月期」 → (2018, 3), 「2019年」 → (2019, None)).

    The year is the one a fiscal year ends in: 2018年 means the column 2018年3月. 「2018年度」 began in 2018, so
    it ends in the year after (a March year end, the usual one).
    """
    m = QUESTION_YEAR.search(nfkc(text))
    if not m:
        return None
    year = int(m.group("y"))
    if m.group("fy"):
        return year + 1, None
    return year, int(m.group("m")) if m.group("m") else None


def matches(period: Period, year: int, month: int | None = None) -> bool:
    """Whether a fiscal year ends in that year (and month)."""
    if period.end is None:
        return period.year == year
    if int(period.end[:4]) != year:
        return False
    return month is None or int(period.end[5:7]) == month
