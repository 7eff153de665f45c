"""The notation a question may use, as data: the lexicon files and the date notations.

`qa/data/notation.json` (colloquial forms, kana question words, particles, relative years, entity suffixes)
and `qa/data/entities.json` (prefectures, departments) are validated records here; the date rules turn
西暦 and the abbreviations offices use (2020年度, FY2020, R2, H30) into the 和暦 a report writes.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict

# --- lexicon files ------------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Colloquial(_Data):
    pattern: str
    replace: str
    # The match must begin with a word MeCab tags as a particle: the topic って (決算額って), never the
    # て-form of a verb (使って, によって).
    particle: bool = False
    example: tuple[str, str]  # (question, what this rule alone makes of it)
    why: str


class RelativeYear(_Data):
    word: str
    offset: int  # years from the report's own year
    fiscal: bool  # 年度 (April–March) or calendar year


class RelativeGuard(_Data):
    before: list[str]  # 対前年度
    after: list[str]  # 前年度比, 前年同期


class Notation(_Data):
    colloquial: list[Colloquial]
    kana_question_words: dict[str, str]
    kana_rates: dict[str, str]  # いっかい → 1回: 'one <counter>' of a per-unit question
    particles: list[str]
    endings: list[str]
    kanji_numeral_keep: list[str]
    numeral_counters: list[str]
    relative_years: list[RelativeYear]
    relative_guard: RelativeGuard
    entity_suffixes: list[str]
    generic_entity_heads: list[str]
    alternate_readings: dict[str, list[str]]  # a kanji or a word → its readings in compounds or locally
    latin_readings: dict[str, str]  # an English word of the report (lower case) → its kana as typed
    letter_names: dict[str, str]  # a Latin letter (lower case) → its name in katakana (e → イー)
    counter_homophones: dict[str, list[str]]  # a counter in the wrong kanji → the counters of its reading
    english: dict[str, str]  # an English word a learner mixes in (lower case) → the Japanese word


class Entities(_Data):
    prefectures: list[str]
    departments: list[str]
    media: list[str]


def _load(name: str) -> dict[str, Any]:
    data = json.loads(resources.files("qa").joinpath(f"data/{name}").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def notation() -> Notation:
    """qa/data/notation.json, validated (an unknown or missing key is an error)."""
    return Notation.model_validate(_load("notation.json"))


@lru_cache(maxsize=1)
def entities() -> Entities:
    """qa/data/entities.json, validated."""
    return Entities.model_validate(_load("entities.json"))


# --- dates ---------------------------------------------------------------------------------------

Years = tuple[int, int]  # the 西暦 years a date rule accepts, inclusive
ERA_STARTS = (("令和", date(2019, 5, 1)), ("平成", date(1989, 1, 8)), ("昭和", date(1926, 12, 25)))
_ERA_YEAR0 = {era: start.year - 1 for era, start in ERA_STARTS}
# The last year number of each ended era: 平成31年, 昭和64年.
_ERA_LAST = {era: nxt.year - start.year + 1 for (_, nxt), (era, start) in pairwise(ERA_STARTS)}


def wareki(year: int, month: int | None = None, day: int | None = None, fiscal: bool = False) -> str:
    """The report's 和暦 for a 西暦 date: 2020, fiscal → 令和2年度; 2019-04 → 平成31年4月; 2019 → 令和元年.

    A year alone (or a fiscal year) takes the era it ends in, as offices write it (2019年度 = 令和元年度);
    a month takes the era its last day is in; a day, its own.
    """
    if month is None:
        when = date(year, 12, 31)
    else:
        when = date(year, month, day or calendar.monthrange(year, month)[1])
    era, start = next((e, s) for e, s in ERA_STARTS if s <= when)
    n = year - start.year + 1
    out = f"{era}{'元' if n == 1 else n}年" + ("度" if fiscal else "")
    if month is not None:
        out += f"{month}月" + (f"{day}日" if day else "")
    return out


def _valid(year: int, month: int | None, day: int | None, years: Years) -> bool:
    if not years[0] <= year <= years[1]:
        return False
    if month is not None and not 1 <= month <= 12:
        return False
    return day is None or (month is not None and 1 <= day <= calendar.monthrange(year, month)[1])


def _int(text: str | None) -> int | None:
    return int(text) if text else None


# FY2020 / FY 2020 (年度 after it is redundant).
_FY = re.compile(r"(?<![A-Za-z])FY ?(?P<y>\d{4})(?:年度)?(?!\d)", re.IGNORECASE)
# 2021年1月8日, 2020年度, 2019年1〜4月 (the month of a range is the first one's); not 2020年代, a decade.
_SEIREKI = re.compile(
    r"(?<![\d,.])(?P<y>\d{4})年(?!代)(?:(?P<fy>度)|(?P<m>\d{1,2})(?P<mk>月|(?=[~〜～-]\d{1,2}月))(?:(?P<d>\d{1,2})日)?)?"
)
# 2021/1/8, 2021/1, 2021-01-08, 2021.1.8 (a year and month alone only with a slash: 2020.5 is a number).
_SLASHED = re.compile(
    r"(?<![\d/.\-])(?P<y>\d{4})(?:/(?P<m1>\d{1,2})(?:/(?P<d1>\d{1,2}))?"
    r"|(?P<sep>[.\-])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))(?![\d/.\-])"
)
# R2, R2年度, H30, R2.4.1: the abbreviations offices use for 令和 and 平成.
_ABBREV = re.compile(
    r"(?<![A-Za-z0-9])(?P<era>[RH]) ?(?P<n>元|\d{1,2})"
    r"(?:(?P<nen>年)(?P<fy>度)?|\.(?P<m>\d{1,2})(?:\.(?P<d>\d{1,2}))?)?(?![A-Za-z0-9.])"
)
# 令和1年 → 令和元年; 平成31年度 → 令和元年度 (FY2019 was renamed); 平成32年 → 令和2年.
_ERA = re.compile(r"(?P<era>令和|平成)(?P<n>元|\d{1,2})年(?P<fy>度)?(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?")


def _fy_sub(m: re.Match[str], years: Years) -> str | None:
    year = int(m.group("y"))
    return wareki(year, fiscal=True) if _valid(year, None, None, years) else None


def _seireki_sub(m: re.Match[str], years: Years) -> str | None:
    year, month, day = int(m.group("y")), _int(m.group("m")), _int(m.group("d"))
    if not _valid(year, month, day, years):
        return None
    if m.group("fy"):
        return wareki(year, fiscal=True)
    if month is None:
        return wareki(year)
    out = wareki(year, month, day)
    return out if m.group("mk") else out[: -len("月")]  # 「2019年1〜4月」 keeps its range: 平成31年1〜4月


def _slashed_sub(m: re.Match[str], years: Years) -> str | None:
    year = int(m.group("y"))
    month = _int(m.group("m1") or m.group("m2"))
    day = _int(m.group("d1") or m.group("d2"))
    return wareki(year, month, day) if _valid(year, month, day, years) else None


def _abbrev_sub(m: re.Match[str], years: Years) -> str | None:
    era = "令和" if m.group("era") == "R" else "平成"
    n = 1 if m.group("n") == "元" else int(m.group("n"))
    month, day = _int(m.group("m")), _int(m.group("d"))
    year = _ERA_YEAR0[era] + n
    if n < 1 or not _valid(year, month, day, years):
        return None
    return wareki(year, month, day, fiscal=bool(m.group("fy")))


def _era_sub(m: re.Match[str], years: Years) -> str | None:
    era = m.group("era")
    n = 1 if m.group("n") == "元" else int(m.group("n"))
    year = _ERA_YEAR0[era] + n
    month, day = _int(m.group("m")), _int(m.group("d"))
    if n < 1 or not _valid(year, month, day, years):
        return None
    canonical = wareki(year, month, day, fiscal=bool(m.group("fy")))
    # A calendar year alone in its era's last year (平成31年) is a true date: only a year past the
    # era's end (平成32年) or a 1 for 元 is rewritten.
    if not m.group("fy") and month is None and not canonical.startswith(era):
        return canonical if n > _ERA_LAST.get(era, n) else None
    return canonical


# In order: abbreviations become era names first, so the era rule sees R1 and 令和1年 alike.
DATE_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Years], str | None]]] = [
    (_ABBREV, _abbrev_sub),
    (_ERA, _era_sub),
    (_FY, _fy_sub),
    (_SEIREKI, _seireki_sub),
    (_SLASHED, _slashed_sub),
]
