"""qa.text: normalisation, letter-spacing, quantities, era dates and number display.

Each table reads as a spec: the report's wording on the left, what the tool must make of it on the right.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from qa.text import (
    collapse_spacing,
    find_periods,
    find_quantities,
    format_number,
    mask_dates,
    nfkc,
    norm,
    parse_period,
    parse_quantity,
    squash,
    yen_reading,
)

NFKC = [
    ("１３，０６２件", "13,062件"),
    ("ＩｏＴ・ＡＩ", "IoT・AI"),
    ("ｸﾞﾝﾏ", "グンマ"),  # half-width kana to full-width
    ("（令和２年度）", "(令和2年度)"),
    ("旅券発行件数　令和2年：13,062件", "旅券発行件数 令和2年:13,062件"),
]

SPACING = [
    # The PDF conversion letter-spaces table cells and titles; only that spacing goes.
    ("河 川 監 視 カメラによる ライブ配信", "河川監視カメラによるライブ配信"),
    ("I o T ・ A I", "IoT・AI"),
    ("I o T ・ A I等導入推進", "IoT・AI等導入推進"),
    ("G Suite Business", "G Suite Business"),
    ("電 子 申 請 受 付 シ ス テ ム", "電子申請受付システム"),
    ("令 和 2 年 度", "令和2年度"),
    ("第 2 知 事 戦 略", "第2知事戦略"),
    ("実 績（国 費 ベ ー ス）", "実績（国費ベース）"),
    ("データベースを 活 用 し た 病 害 虫 診 断", "データベースを活用した病害虫診断"),
    # A figure keeps the space that separates it from its label.
    ("令和2年度 1,105件", "令和2年度 1,105件"),
    ("FM GUNMA (1分)", "FM GUNMA (1分)"),
    ("", ""),
]

# (text, raw, value, unit, scale, approx): the first quantity in the text.
QUANTITIES = [
    ("13,062件", "13,062件", "13062", "件", 1, False),
    ("１３，０６２件", "１３，０６２件", "13062", "件", 1, False),  # raw keeps the report's characters
    ("約1.9万人", "約1.9万人", "19000", "人", 1, True),
    ("約2億406万件", "約2億406万件", "204060000", "件", 1, True),
    ("1,063,965千円", "1,063,965千円", "1063965", "千円", 1000, False),
    ("700,241,236円", "700,241,236円", "700241236", "円", 1, False),
    ("フォロワー数：約1.2万人", "約1.2万人", "12000", "人", 1, True),
    ("番組内コーナー(1分30秒)", "1分30秒", "90", "秒", 1, False),
    ("対応窓口数：7業務15窓口", "7業務", "7", "業務", 1, False),
    ("県有施設 2か所", "2か所", "2", "か所", 1, False),
    ("3千人", "3千人", "3000", "人", 1, False),
    # A scaled unit keeps its scale, and the marked parts before it are counted in that unit.
    ("401万6千円", "401万6千円", "4016", "千円", 1000, False),
    ("2億5,000万円", "2億5,000万円", "25000", "万円", 10000, False),
    ("2億円", "2億円", "200000000", "円", 1, False),
    ("増加率 1.5倍", "1.5倍", "1.5", "倍", 1, False),
    # Longer than Decimal's default 28 digits: exact, not rounded and no error.
    ("9" * 40 + "件", "9" * 40 + "件", "9" * 40, "件", 1, False),
]

# Texts whose every quantity is listed: dates, times, ordinals and codes are not counts.
ALL_QUANTITIES = [
    ("（製作本数：約7分×12話）", ["約7分", "12話"]),  # both parts of a product are kept
    ("15事業 700,241,236円", ["15事業", "700,241,236円"]),
    ("参加人数：48社73名", ["48社", "73名"]),
    ("203件（県：141、その他：62）", ["203件"]),  # bare numbers are facts.py's business (units inherit)
    ("令和3年1月8日 参加者：25人", ["25人"]),
    ("2回（6月、11月）開催", ["2回"]),
    ("実証実験を実施(第3回前期定例会)", []),
    ("第15次群馬県総合計画", []),
    ("R3年度当初予算で事業化", []),
    ("午後6時～", []),
    ("普通科1年生54名", ["54名"]),
    ("平成24～27年度", []),
    ("5千万円", []),  # 5千万 is not 5 千 + 万円: better no figure than a wrong one
    ("", []),
]

PERIODS = [
    ("令和2年度", "FY2020", 2020, True),
    ("令和２年度", "FY2020", 2020, True),
    ("令和元年", "2019", 2019, False),
    ("令和元年度", "FY2019", 2019, True),
    ("平成30年度", "FY2018", 2018, True),
    ("令和3年1月8日", "2021-01-08", 2021, False),
    ("令和2年12月", "2020-12", 2020, False),
    ("平成21年8月から", "2009-08", 2009, False),
    ("R3年度当初予算", "FY2021", 2021, True),
    ("旅券発行件数 令和2年：13,062件", "2020", 2020, False),
]

YEN = [
    (4016, 1000, "401万6千円"),
    (700241236, 1, "7億24万1,236円"),
    (1063965, 1000, "10億6,396万5千円"),
    (16, 1000, "1万6千円"),
    (0, 1, "0円"),
    (999, 1, "999円"),
]

NUMBERS = [
    ("13062", "13,062"),
    ("1.50", "1.5"),
    ("19000", "19,000"),
    ("1.9E+4", "19,000"),
    ("-1234.5", "-1,234.5"),
    ("0", "0"),
]


@pytest.mark.parametrize(("text", "expected"), NFKC)
def test_nfkc(text: str, expected: str) -> None:
    assert nfkc(text) == expected


@pytest.mark.parametrize(("text", "expected"), SPACING)
def test_collapse_spacing(text: str, expected: str) -> None:
    assert collapse_spacing(text) == expected


def test_norm_and_squash() -> None:
    assert norm("Ｉ ｏ Ｔ ・ Ａ Ｉ 導入促進") == "iot・ai導入促進"
    assert squash("１３，０６２ 件") == "13062件"


@pytest.mark.parametrize(("text", "raw", "value", "unit", "scale", "approx"), QUANTITIES)
def test_parse_quantity(text: str, raw: str, value: str, unit: str, scale: int, approx: bool) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert (q.raw, q.value, q.unit, q.scale, q.approx) == (raw, Decimal(value), unit, scale, approx)
    assert isinstance(q.value, Decimal)
    assert q.raw in text


@pytest.mark.parametrize(("text", "raws"), ALL_QUANTITIES)
def test_find_quantities(text: str, raws: list[str]) -> None:
    found = find_quantities(text)
    assert [q.raw for _, _, q in found] == raws
    for start, end, q in found:
        # Offsets address the NFKC text; raw is the source wording of the same span.
        assert nfkc(q.raw) == nfkc(text)[start:end]


def test_quantity_values_are_exact_decimals() -> None:
    q = parse_quantity("約1.9万人")
    assert q is not None and q.value == Decimal(19000) and str(q.value) == "19000"
    assert parse_quantity("日付のみ 令和3年1月8日") is None


@pytest.mark.parametrize(("text", "norm_", "year", "fiscal"), PERIODS)
def test_parse_period(text: str, norm_: str, year: int, fiscal: bool) -> None:
    p = parse_period(text)
    assert p is not None
    assert (p.norm, p.year, p.fiscal) == (norm_, year, fiscal)
    assert p.raw in text  # the report's own wording, full-width digits included


def test_find_periods_lists_every_date() -> None:
    found = find_periods("許諾件数実績：令和2年度 1,105件（令和元年度 1,317件／平成30年度 1,551件）")
    assert [p.norm for _, _, p in found] == ["FY2020", "FY2019", "FY2018"]


def test_mask_dates_keeps_length() -> None:
    text = "期 日：令和3年1月8日 参加者：25人"
    masked = mask_dates(nfkc(text))
    assert len(masked) == len(nfkc(text))
    assert "25人" in masked and "8日" not in masked


# A long run of digits (a table converted without separators, a file of junk) must cost time in proportion to its
# length. `\\d+次` and the quantity pattern used to retry at every digit of the run: 16k digits took seconds and a
# 1 MB line never finished, so the refresh thread of a running app spun on it.
LONG_RUNS = ["1" * 1_000_000, "１" * 1_000_000, "12年" * 250_000, "約" + "1," * 500_000]
_TIMED = """
import sys, time
from qa.parse import parse_document
from qa.facts import extract_facts
from qa.text import find_quantities, mask_dates
line = sys.stdin.read()
for name, fn in (("mask_dates", mask_dates), ("find_quantities", find_quantities),
                 ("parse+facts", lambda s: extract_facts(parse_document("(1) 数字\\n\\n" + s + "\\n", "d.md")))):
    for size in (len(line) // 10, len(line)):
        start = time.perf_counter()
        fn(line[:size])
        print(name, size, time.perf_counter() - start)
"""


@pytest.mark.parametrize("line", LONG_RUNS, ids=lambda s: f"{s[:4]}…x{len(s):,}")
def test_a_megabyte_line_of_digits_is_linear(line: str) -> None:
    # In a subprocess with a timeout: the quadratic version would otherwise hang the suite, not fail it.
    repo = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", _TIMED], input=line, cwd=repo, capture_output=True,
                            text=True, encoding="utf-8", timeout=120, env={**os.environ, "PYTHONPATH": str(repo)}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    took: dict[str, list[float]] = {}
    for row in result.stdout.splitlines():
        name, _, seconds = row.split(" ")
        took.setdefault(name, []).append(float(seconds))
    # Ten times the text takes about ten times as long when the work is linear, a hundred times when it is
    # quadratic (the old date mask took over 100 s on this line). The ratio holds on a loaded machine, where
    # absolute times do not; the subprocess timeout catches a hang.
    for name, (tenth, whole) in took.items():
        assert whole / max(tenth, 1e-3) < 30, (name, took)


@pytest.mark.parametrize(("value", "scale", "expected"), YEN)
def test_yen_reading(value: int, scale: int, expected: str) -> None:
    assert yen_reading(Decimal(value), scale) == expected


@pytest.mark.parametrize(("value", "scale", "expected"), YEN[:4])
def test_yen_reading_parses_back(value: int, scale: int, expected: str) -> None:
    # What the tool writes, it reads back to the same amount.
    q = parse_quantity(expected)
    assert q is not None and q.value * q.scale == Decimal(value) * scale


@pytest.mark.parametrize(("value", "expected"), NUMBERS)
def test_format_number(value: str, expected: str) -> None:
    assert format_number(Decimal(value)) == expected


@pytest.mark.parametrize(("question", "proper"), [
    ("委員会資料を作っています。県民幸福度アンケートはどこ？", "県民幸福度アンケートはどこ？"),
    ("念のため確認ですが、庁議は何回？", "庁議は何回？"),
    ("誹謗中傷の条例ができてから、相談は何件？", "誹謗中傷の条例ができてから、相談は何件？"),  # から dates what is asked
    ("庁議は何回開かれた？", "庁議は何回開かれた？"),
    ("上海事務所について。", "上海事務所について。"),  # a sentence alone is the question
])
def test_preamble_end(question, proper):
    from qa.text import preamble_end
    assert question[preamble_end(question):] == proper
