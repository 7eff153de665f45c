"""qa.facts on the real report: the issue's Done-when as a table, invariants over every fact, and coverage
of every number in every table cell and bullet.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from qa.facts import extract_facts, table_layout
from qa.models import Document, Fact
from qa.parse import parse_document
from qa.text import nfkc, norm

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "corpus" / "gunma_r2_chiji_senryaku.md"

# (section heading, label contains, attribute, period as the report writes it, value, unit): exactly one
# fact of `qa facts --json` matches each row.
DONE_WHEN = [
    ("(4) 旅券発給", "旅券発行件数", None, "令和2年", "13062", "件"),
    ("(4) 旅券発給", "旅券発行件数", None, "令和元年", "49251", "件"),
    ("(4) 旅券発給", "旅券申請件数", None, "令和2年", "12741", "件"),
    ("(4) 旅券発給", "旅券発給", "男女別 男", None, "6641", "件"),
    ("(4) 旅券発給", "旅券発給", "有効期間別 10年", None, "7582", "件"),
    ("(2) 総務調整費", "主管課運営費", "金額", None, "1419", "千円"),
    ("(2) 総務調整費", "部局調整費", "金額", None, "2597", "千円"),  # 千円 inherited from the row above
    ("(2) 総務調整費", "総務調整費", "決算額", None, "4016", "千円"),
    (
        "(1) デジタルトランスフォーメーション推進",
        "デジタルトランスフォーメーション推進",
        "決算額",
        None,
        "59184",
        "千円",
    ),
    ("(2) 広報活動", "ぐんま広報", "事業費", None, "98555", "千円"),
    ("(2) 広報活動", "点字広報", "事業費", None, "2378", "千円"),
    # 208 sits under 「1回」 at the top of its column, not under the shifted 「30分番組」 of the row above.
    ("(2) 広報活動", "県政インフォメーション", "事業量", None, "208", "回"),
    ("② 海外県人会、海外ぐんまサポーターズとの連携", "在伯群馬県人文化協会", "構成員数", None, "109", "人"),
    ("② 海外県人会、海外ぐんまサポーターズとの連携", "南加群馬県人会", "構成員数", None, "69", "人"),
    ("③ 地方創生関係交付金", "地方創生推進交付金", "実績(国費ベース)", None, "15", "事業"),
    ("③ 地方創生関係交付金", "地方創生推進交付金", "実績(国費ベース)", None, "700241236", "円"),
    ("① ぐんまちゃんキャラバン隊", "イベント等", None, None, "63", "回"),
    ("④ ロボット導入実証", "ロボット導入調査支援補助", "対象事業費", None, "4912", "千円"),
    ("④ ロボット導入実証", "ロボット導入調査支援補助", "補助金額", None, "2000", "千円"),
    ("(4) 記者室運営", "記者会見", "事業量 県", None, "141", "件"),
    ("② 群馬県ホームページ運営", "県ホームページ", "事業量 全体アクセス件数", None, "204060000", "件"),
    ("⑤ ぐんまちゃんの情報発信", "Twitter フォロワー数", None, None, "19000", "人"),
    ("ア ぐんまふるさと納税(個人版ふるさと納税)", "寄附受入実績", None, "令和2年度", "30245843", "円"),
    ("④ テレワーク推進", "モバイルルータ", None, None, "323", "台"),  # a sentence across a page break
]

# Numbers in table cells and bullets that are not figures. Each rule names why; every rule must be used.
NOT_FIGURES = [
    (
        r"(?:令\s*和|平\s*成|R)\s*(?:\d+|元)\s*年\s*度?(?:末累計)?",
        "era year: a period, parsed by find_periods",
    ),
    (r"(?:\d{1,2}月)?\d{1,2}日|\d{1,2}月", "month or day of a date"),
    (r"第\d+回", "ordinal: the 3rd session, not a count"),
    (r"ニュースジャスト6", "name of a TV news programme"),
]


def numbers(text: str) -> list[tuple[int, int]]:
    """Spans of every digit run (with its separators) in the NFKC text."""
    return [m.span() for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text)]


@pytest.fixture(scope="module")
def facts(report: Document) -> list[Fact]:
    return extract_facts(report)


@pytest.fixture(scope="module")
def cli_facts() -> list[dict]:
    env = {**os.environ, "QA_CORPUS_DIR": str(REPORT.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "qa", "facts", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize(("section", "label", "attribute", "period", "value", "unit"), DONE_WHEN)
def test_done_when(
    cli_facts: list[dict],
    section: str,
    label: str,
    attribute: str | None,
    period: str | None,
    value: str,
    unit: str,
) -> None:
    found = [
        f
        for f in cli_facts
        if f["section_path"][-1] == section
        and norm(label) in norm(f["label"])
        and (norm(f["attribute"]) if f["attribute"] else None) == (norm(attribute) if attribute else None)
        and (f["when"]["raw"] if f["when"] else None) == period
        and f["value"] == value
        and f["unit"] == unit
    ]
    assert len(found) == 1, [f for f in cli_facts if f["section_path"][-1] == section]
    assert isinstance(found[0]["value"], str)  # exact: never a float


def test_fact_scale_and_approx(facts: list[Fact]) -> None:
    by_raw = {f.raw: f for f in facts}
    assert by_raw["1,063,965千円"].scale == 1000 and by_raw["1,063,965千円"].value == Decimal(1063965)
    assert by_raw["約2億406万件"].approx and by_raw["約2億406万件"].value == Decimal(204060000)
    assert not by_raw["13,062件"].approx


def test_every_raw_is_in_its_lines_inside_its_section(report: Document, facts: list[Fact]) -> None:
    spans = {tuple(s.path): s.lines for s in report.sections}
    assert len(facts) > 150
    for f in facts:
        assert f.doc == report.doc and f.id.startswith(report.doc + ":f")
        start, end = f.lines
        source = "\n".join(report.lines[start - 1 : end])
        assert f.raw and f.raw in source, f
        section = spans[tuple(f.section_path)]
        assert section[0] <= start <= end <= section[1], f
        assert f.value == f.value.to_integral_value() or "." in f.raw or "万" in f.raw


def test_fact_ids_are_unique_and_ordered(facts: list[Fact]) -> None:
    assert [f.id for f in facts] == [f"{facts[0].doc}:f{i}" for i in range(len(facts))]


def test_every_number_is_a_fact_or_explained(report: Document, facts: list[Fact]) -> None:
    """Walk every number of every table cell and bullet: a fact's raw covers it (same lines), or one
    rule of NOT_FIGURES explains it."""
    by_lines: dict[tuple[int, int], list[Fact]] = {}
    for f in facts:
        by_lines.setdefault(f.lines, []).append(f)
    places: list[tuple[tuple[int, int], str]] = []
    for s in report.sections:
        for b in s.blocks:
            if b.kind == "bullet":
                places.append((b.lines, b.text))
            elif b.table is not None:
                places += [(r.lines, c) for r in b.table.rows for c in r.cells]
    assert len(places) > 200

    used: set[str] = set()
    missed: list[str] = []
    for lines, cell in places:
        text = nfkc(cell)
        covered: list[tuple[int, int]] = []
        for f in by_lines.get(lines, []):
            raw = nfkc(f.raw)
            covered += [(m.start(), m.start() + len(raw)) for m in re.finditer(re.escape(raw), text)]
        for s, e in numbers(text):
            if any(a <= s and e <= b for a, b in covered):
                continue
            rule = next(
                (
                    p
                    for p, _ in NOT_FIGURES
                    if any(a <= s and e <= b for a, b in (m.span() for m in re.finditer(p, text)))
                ),
                None,
            )
            if rule is None:
                missed.append(f"line {lines[0]}: {text[s:e]!r} in {cell!r}")
            else:
                used.add(rule)
    assert missed == []
    assert used == {p for p, _ in NOT_FIGURES}, "drop the ignore rules nothing needs"


def test_no_fact_is_a_date(facts: list[Fact]) -> None:
    # 「ぐんまちゃんの活動延べ日数 19日」 counts days; no other fact may be in days, months or years.
    dated = [f.raw for f in facts if f.unit in {"日", "月", "年"} and "日数" not in f.label]
    assert dated == []


# --- layout and small excerpts -------------------------------------------------------------------

# (excerpt, [(label, attribute, raw, value, unit)]).
EXCERPTS = [
    pytest.param(
        "(1) 庁議\n\n| 開催件数 | 付議件数 |\n|---|---|\n| 41回 | 97件 |",
        [("庁議", "開催件数", "41回", "41", "回"), ("庁議", "付議件数", "97件", "97", "件")],
        id="row-without-label-takes-section-title",
    ),
    pytest.param(
        "(4) 記者室運営\n\n| 区分 | 事業量 |\n|---|---|\n| 記者会見 | 203件（県：141、その他：62） |",
        [
            ("記者会見", "事業量", "203件", "203", "件"),
            ("記者会見", "事業量 県", "141", "141", "件"),
            ("記者会見", "事業量 その他", "62", "62", "件"),
        ],
        id="packed-cell-sub-labels",
    ),
    pytest.param(
        "④ 情報化推進\n\n| 区 分 | 事 業 量 |\n|---|---|\n| 令 和 2 年 度 | 2か所 |\n| 令和2年度末累計 | 21 |",
        [
            ("情報化推進 令和2年度", "事業量", "2か所", "2", "か所"),
            ("情報化推進 令和2年度末累計", "事業量", "21", "21", "か所"),
        ],
        id="period-rows-count-the-section",
    ),
    pytest.param(
        "② アニメ製作\n\n（製作本数：約7分×12話）",
        [("製作本数", None, "約7分", "7", "分"), ("製作本数", None, "12話", "12", "話")],
        id="product-keeps-both-parts",
    ),
    pytest.param(
        "(4) 旅券発給\n\n- ・旅券発行件数 令和２年：１３，０６２件",
        [("旅券発行件数", None, "１３，０６２件", "13062", "件")],
        id="full-width-raw-kept",
    ),
]


@pytest.mark.parametrize(("text", "expected"), EXCERPTS)
def test_excerpt_facts(text: str, expected: list[tuple]) -> None:
    facts = extract_facts(parse_document(text, "x.md"))
    got = [(f.label, f.attribute, f.raw, str(f.value), f.unit) for f in facts]
    assert got == expected


def test_table_layout_pairs_headers(report: Document) -> None:
    section = next(s for s in report.sections if s.heading == "(2) 広報活動")
    (table,) = [b.table for b in section.blocks if b.table]
    rows = table_layout(table, section.title)
    assert [r.label for r in rows][:2] == ["刊行物 ぐんま広報", "刊行物 tsulunos PLUS"]
    assert rows[0].label_cols == 2
    assert [h for h, _ in rows[0].cells] == ["区分", "区分", "事業量", "事業量", "事業費"]


# --- the period as a typed record ---------------------------------------------------------------------------

PERIOD_CASES = [
    # (norm, raw, year, fiscal)
    ("FY2020", "令和2年度", 2020, True),
    ("2019", "令和元年", 2019, False),
    ("2021-01", "令和3年1月", 2021, False),
    ("2021-01-08", "令和3年1月8日", 2021, False),
]


@pytest.mark.parametrize(("norm_", "raw", "year", "fiscal"), PERIOD_CASES)
def test_a_fact_built_from_period_strings_gets_a_period(norm_: str, raw: str, year: int, fiscal: bool) -> None:
    from decimal import Decimal

    from qa.models import Fact, Period

    old_style = Fact(id="f", doc="d.md", section_path=["第2"], label="x", value=Decimal(1), unit="件", raw="1件",
                     lines=(1, 1), period=norm_, period_raw=raw)
    assert old_style.when == Period(raw=raw, norm=norm_, year=year, fiscal=fiscal)
    assert (old_style.period, old_style.period_raw) == (norm_, raw)  # the strings, read from `when`


def test_every_fact_period_is_a_period_record() -> None:
    from qa.facts import extract_facts
    from qa.models import Period
    from qa.parse import load_corpus

    docs, _ = load_corpus(REPO / "corpus")
    facts = [f for d in docs for f in extract_facts(d)]
    dated = [f for f in facts if f.when is not None]
    assert len(dated) >= 10  # 14 on the report: 令和2年 against 令和元年, FY columns, dated cells
    assert all(isinstance(f.when, Period) and f.period == f.when.norm and f.period_raw == f.when.raw for f in dated)
    assert all(f.period is None and f.period_raw is None for f in facts if f.when is None)
