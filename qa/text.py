"""Japanese text normalisation: NFKC, letter-spacing, quantities and era dates.

Matching always happens on normalised text; answers show the report's own wording, so every
parser here keeps the raw text it read.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, localcontext

from qa.models import Period, Quantity

# Kana, kanji, the prolonged-sound mark and Japanese punctuation (after NFKC).
_CJK = r"\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ"
_CJK_PAIR = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_NAKAGURO = re.compile(r" *・ *")
# A single Latin letter or digit between spaces: 「I o T」, 「令 和 2 年 度」.
_SINGLE = r"(?<![A-Za-z0-9,.])[A-Za-z0-9](?![A-Za-z0-9,.])"
_SINGLE_PAIR = re.compile(rf"({_SINGLE}) +(?={_SINGLE})")
_LETTER_CJK = re.compile(rf"(?<![A-Za-z0-9,.])([A-Za-z]) +(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u3000]+")
_ASCII_OR_NOT = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def nfkc(text: str) -> str:
    """NFKC-normalised text (full-width digits and Latin to ASCII, half-width kana to full-width)."""
    return unicodedata.normalize("NFKC", text)


def nfkc_map(text: str) -> tuple[str, list[int]]:
    """NFKC text and, for each of its characters, the index of the source character it came from.

    Lets a match found in normalised text be reported with the report's own characters.
    """
    out: list[str] = []
    index: list[int] = []
    # ASCII is its own NFKC form: a run of it maps one to one, without a call per character (a 1 MB line
    # of digits took a second and a half one character at a time).
    for m in _ASCII_OR_NOT.finditer(text):
        start, run = m.start(), m.group()
        if run.isascii():
            out.append(run)
            index.extend(range(start, start + len(run)))
            continue
        for i, ch in enumerate(run, start):
            n = unicodedata.normalize("NFKC", ch)
            out.append(n)
            index.extend([i] * len(n))
    return "".join(out), index


def source_span(text: str, index: list[int], start: int, end: int) -> str:
    """The source characters behind normalised offsets [start, end)."""
    return text[index[start] : index[end - 1] + 1] if end > start else ""


def collapse_spacing(text: str) -> str:
    """Remove the letter-spacing the PDF conversion put inside Japanese runs.

    「河 川 監 視 カメラによる ライブ配信」→「河川監視カメラによるライブ配信」, 「I o T ・ A I」→「IoT・AI」,
    while 「G Suite Business」 keeps its spaces: only spaces between two Japanese characters, between
    single letters, or around ・ are letter-spacing.
    """
    text = _SPACES.sub(" ", text).strip()
    text = _NAKAGURO.sub("・", text)
    text = _CJK_PAIR.sub("", text)
    # A spaced-out acronym ends before the Japanese word it qualifies: 「A I 導入」→「A I導入」.
    text = _LETTER_CJK.sub(r"\1", text)
    text = _SINGLE_PAIR.sub(r"\1", text)
    # A lone digit or letter inside a spaced Japanese run (「令 和 2 年 度」): only when both sides
    # are spaced, so 「令和2年度 1,105件」 keeps the space before its figure.
    text = re.sub(rf"(?<=[{_CJK}]) ({_SINGLE}) (?=[{_CJK}])", r"\1", text)
    text = _CJK_PAIR.sub("", text)
    # An abbreviation's period runs on into the Japanese word it belongs to: 「始動人Jr. キャンプ」.
    text = re.sub(rf"(?<=[A-Za-z]\.) (?=[{_CJK}])", "", text)
    return text


def norm(text: str) -> str:
    """Text for matching: NFKC, letter-spacing collapsed, lower-cased Latin."""
    return collapse_spacing(nfkc(text)).lower()


def squash(text: str) -> str:
    """Text for loose comparison: NFKC with every space and thousands separator removed."""
    return re.sub(r"[\s,]", "", nfkc(text))


# --- quantities -----------------------------------------------------------------------------

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# Longest units first so 「千円」 wins over 「円」 and 「日間」 over 「日」.
UNITS = sorted(
    [
        "百万円", "千円", "万円", "億円", "円", "千株", "株", "件", "人", "名", "回", "本", "部/回", "部", "事業", "社", "日間",
        "日", "体", "台", "か所", "箇所", "ヶ所", "カ所", "団体", "話", "テーマ", "窓口", "業務", "区分",
        "課", "市", "町", "村", "つ", "%", "倍", "時間", "世帯", "校", "店舗", "者", "組", "作品", "種類",
        "分", "秒",
    ],
    key=len,
    reverse=True,
)
SCALES = {"千円": 1000, "万円": 10_000, "百万円": 1_000_000, "億円": 100_000_000, "千株": 1000}
_UNIT = "|".join(re.escape(u) for u in UNITS)
# 「約2億406万件」, 「1.9万人」, 「13,062件」, 「1分30秒」, 「3千人」. A mark right before 円 is part of the
# unit (「401万6千円」 is 401万 + 6 千円), so the unit keeps its scale; 「5千万」 is left alone.
QUANTITY = re.compile(
    rf"(?P<approx>約|およそ)?"
    # Only from the first digit of a run: a start inside the run cannot match where the run's start did not,
    # and trying every one made a long run of digits quadratic.
    rf"(?<!\d)(?P<num>(?:{_NUM}億)?(?:{_NUM}万(?!円))?(?:{_NUM}千(?![万億円]))?(?:{_NUM})?)"
    rf"(?P<unit>{_UNIT})"
    rf"(?:(?P<sec>\d+)秒)?"
)
BARE_NUMBER = re.compile(rf"(?<![\d.,]){_NUM}(?![\d.,])")


def to_decimal(num: str, scale: int = 1) -> Decimal:
    """「2億406万」 → 204060000, 「1.9万」 → 19000, 「13,062」 → 13062.

    With a scaled unit the result is in that unit: 「2億5,000万」 before 万円 (scale 10000) → 25000.
    """
    rest = num.replace(",", "")
    # Decimal's default 28 digits would round (or raise on) a long figure: size the context to the text.
    with localcontext() as ctx:
        ctx.prec = max(28, 2 * len(rest) + 12)
        total = Decimal(0)
        for mark, factor in (("億", Decimal(100_000_000)), ("万", Decimal(10_000)), ("千", Decimal(1000))):
            if mark in rest:
                head, rest = rest.split(mark, 1)
                total += Decimal(head) * factor
        # The marked parts are counted in base units, the unmarked tail in the unit's scale.
        total = total / scale + (Decimal(rest) if rest else 0)
        # 「1.9万」 is exactly 19000: drop the trailing 「.0」 the multiplication leaves.
        return total.quantize(Decimal(1)) if total == total.to_integral_value() else total


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in `text` (NFKC first), or None: 「１３，０６２件」 → 13062 件."""
    found = find_quantities(text)
    return found[0][2] if found else None


def find_quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """Every quantity in `text` with its (start, end) offsets in the NFKC form of `text`.

    Era dates, month/day dates, times and ordinals (第3回) are not quantities and are skipped.
    `raw` is the report's own characters behind the match (「１３，０６２件」 stays full-width).
    """
    source = text
    text, index = nfkc_map(source)
    masked = mask_dates(text)
    out: list[tuple[int, int, Quantity]] = []
    for m in QUANTITY.finditer(masked):
        num = m.group("num")
        if not num or not re.search(r"\d", num):
            continue
        start, end = m.span()
        # An ordinal (第3回, 第15次) or part of a larger code/word (R3, PJ2) is not a count.
        if start > 0 and masked[start - 1] == "第":
            continue
        if m.group("approx") is None and start > 0 and re.match(r"[A-Za-z.]", masked[start - 1]):
            continue
        unit = m.group("unit")
        value = to_decimal(num, SCALES.get(unit, 1))
        if m.group("sec") is not None and unit == "分":
            # 「1分30秒」 is one duration: keep it whole, in seconds.
            value, unit = value * 60 + Decimal(m.group("sec")), "秒"
        elif m.group("sec") is not None:
            end = m.start("sec")
        raw = source_span(source, index, start, end)
        out.append(
            (start, end, Quantity(raw=raw, value=value, unit=unit, scale=SCALES.get(unit, 1),
                                  approx=m.group("approx") is not None))
        )
    return out


# --- eras and dates --------------------------------------------------------------------------

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988}
_YEAR = r"(?P<era>令和|平成|昭和|R|H)(?P<year>元|\d{1,2})年(?P<fy>度)?"
PERIOD = re.compile(rf"{_YEAR}(?:(?P<month>\d{{1,2}})月(?:(?P<day>\d{{1,2}})日)?)?")
_DATE_NOISE = re.compile(
    r"(?:令和|平成|昭和|R|H)(?:元|\d{1,2})(?:[~～〜-](?:\d{1,2}))?年度?(?:末|度末)?"
    r"(?:\d{1,2}月(?:\d{1,2}日)?)?(?:[~～〜-]\d{1,2}月(?:\d{1,2}日)?)?"
    r"|\d{1,2}月\d{1,2}日|\d{1,2}月|午[前後]\d{1,2}時(?:\d{1,2}分)?|\d{1,2}時(?:\d{1,2}分)?"
    # Unbounded runs only from their first digit: retrying `\d+` at every digit of a long run is quadratic.
    r"|(?<!\d)\d+[年]生|(?<!\d)\d+年(?:番組|間)?|(?<!\d)\d+次|(?<!\d)\d+期"
)


def mask_dates(text: str) -> str:
    """`text` with dates, times and years replaced by 〓 (same length), so no date reads as a count."""
    return _DATE_NOISE.sub(lambda m: "\u3013" * len(m.group()), text)


def _year(m: re.Match[str]) -> int:
    n = 1 if m.group("year") == "元" else int(m.group("year"))
    return ERAS[m.group("era")] + n


def parse_period(text: str) -> Period | None:
    """The first era date in `text`: 令和2年度 → FY2020, 令和元年 → 2019, 令和3年1月8日 → 2021-01-08."""
    found = find_periods(text)
    return found[0][2] if found else None


def find_periods(text: str) -> list[tuple[int, int, Period]]:
    """Every era year or date in the NFKC form of `text`, with offsets; `raw` is the source wording."""
    source = text
    text, index = nfkc_map(source)
    out = []
    for m in PERIOD.finditer(text):
        year = _year(m)
        raw = source_span(source, index, m.start(), m.end())
        if m.group("month"):
            norm_ = f"{year}-{int(m.group('month')):02d}"
            if m.group("day"):
                norm_ += f"-{int(m.group('day')):02d}"
            period = Period(raw=raw, norm=norm_, year=year)
        elif m.group("fy"):
            period = Period(raw=raw, norm=f"FY{year}", year=year, fiscal=True)
        else:
            period = Period(raw=raw, norm=str(year), year=year)
        out.append((m.start(), m.end(), period))
    return out


# --- display ----------------------------------------------------------------------------------


def format_number(value: Decimal) -> str:
    """13062 → 「13,062」, 1.5 → 「1.5」: thousands separators, no rounding."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, _, frac = format(value, "f").partition(".")
    frac = frac.rstrip("0")
    return sign + f"{int(whole):,}" + (f".{frac}" if frac else "")


def yen_reading(value: Decimal, scale: int) -> str:
    """A plain reading of an amount of money: 4016 千円 → 「401万6千円」, 700241236 円 → 「7億24万1,236円」."""
    yen = value * scale
    if yen != yen.to_integral_value():
        return format_number(yen) + "円"
    yen_int = int(yen)
    parts = []
    for factor, mark in ((100_000_000, "億"), (10_000, "万")):
        if yen_int >= factor:
            parts.append(f"{yen_int // factor:,}{mark}")
            yen_int %= factor
    if yen_int:
        if yen_int % 1000 == 0 and parts:
            parts.append(f"{yen_int // 1000}千")
        else:
            parts.append(f"{yen_int:,}")
    return "".join(parts) + "円" if parts else "0円"


# What a question says before it asks (「委員会資料を作っています。」「念のため確認ですが、」「孫が見てるんだけど、」): a
# sentence, or a clause ending in a conjunction, that holds no question word. (「…ができてから、」 dates what is
# asked; it is no preamble.)
_PREAMBLE_END = re.compile(r"[。!！]|(?:ですが|ですけど|ですけれど(?:も)?|んだけど|んだけれど|けど|けれど(?:も)?|ので|んで)[、,]")
_ASKS = re.compile(r"何|なん|いくら|いくつ|どれ|どの|どこ|どう|どん|誰|だれ|いつ|なぜ|[?？]|教えて|知りたい")


def preamble_end(question: str, clauses: bool = True) -> int:
    """Where the question proper starts: after the sentences (and, with `clauses`, the conjunctive clauses)
    before it that ask nothing; 0 when it has no preamble."""
    end = 0
    for m in _PREAMBLE_END.finditer(question):
        if not clauses and m.group() not in "。!！":
            break
        if _ASKS.search(question[end:m.end()]) or m.end() >= len(question.rstrip("?？ 。")):
            break
        end = m.end()
    return end
