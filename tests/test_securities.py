"""Securities reports (有価証券報告書) from the development corpus: Markdown headings, units, periods, subjects.

The real files live in ../shared/corpus-extra/securities/ (outside the repository); the tests on them are
skipped where that folder is absent. Only the dev reports (キーエンス, 任天堂) are looked at here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from qa.models import Document
from qa.parse import parse_document, read_text

SECURITIES = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra" / "securities"
NINTENDO = SECURITIES / "S100ITKB_任天堂株式会社.md"
KEYENCE = SECURITIES / "S100IS40_株式会社キーエンス.md"
real = pytest.mark.skipif(not NINTENDO.is_file(), reason="the securities development corpus is not on this machine")


@lru_cache(maxsize=4)
def document(path: Path) -> Document:
    return parse_document(read_text(path), path.name)


# --- Markdown headings ------------------------------------------------------------------------------

HEADINGS = [
    # (markdown, the deepest section's path)
    ("# 第一部 【企業情報】\n\n## 第１ 【企業の概況】\n\n### １ 【主要な経営指標等の推移】\n\n(1) 連結経営指標等\n\n本文。\n",
     ["第一部【企業情報】", "第1 【企業の概況】", "1 【主要な経営指標等の推移】", "(1) 連結経営指標等"]),
    ("## 第２ 【事業の状況】\n\n#### (1) 会社の経営の基本方針\n\n本文。\n",
     ["第2 【事業の状況】", "(1) 会社の経営の基本方針"]),
    # A sentence marked as a heading is text of the section above.
    ("## 第２ 【事業の状況】\n\n#### 当連結会計年度末において、流動比率は422％です。\n",
     ["第2 【事業の状況】"]),
]


@pytest.mark.parametrize(("text", "path"), HEADINGS)
def test_markdown_headings_are_sections(text, path):
    assert parse_document(text, "x.md").sections[-1].path == path


@real
def test_real_report_has_its_heading_tree():
    paths = [s.path for s in document(NINTENDO).sections]
    assert ["第一部【企業情報】", "第1 【企業の概況】", "1 【主要な経営指標等の推移】", "(1) 連結経営指標等"] in paths
    assert any(p[-1] == "① 【連結貸借対照表】" for p in paths)


# --- periods: the fiscal year a header names -------------------------------------------------------------

from qa.cells import Cells  # noqa: E402
from qa.grid import parse_value  # noqa: E402
from qa.models import Period  # noqa: E402
from qa.parse import load_corpus  # noqa: E402
from qa.periods import cover_period, find_period, matches, question_period  # noqa: E402

CURRENT = Period(raw="第80期", norm="FY2019", year=2019, fiscal=True, end="2020-03-31")
PERIODS = [
    # (header, norm, end)
    ("2018年3月", "FY2017", "2018-03"),
    ("前連結会計年度 (2019年3月31日)", "FY2018", "2019-03-31"),
    ("当連結会計年度 (自 2019年4月1日 至 2020年3月31日)", "FY2019", "2020-03-31"),
    ("第78期", "FY2017", "2018-03-31"),
    ("当事業年度", "FY2019", "2020-03-31"),
    ("前事業年度", "FY2018", "2019-03-31"),
    ("2019年12月", "FY2019", "2019-12"),
]


@pytest.mark.parametrize(("header", "norm", "end"), PERIODS)
def test_header_periods(header, norm, end):
    p = find_period(header, CURRENT, 80)
    assert p is not None and (p.norm, p.end) == (norm, end)


def test_cover_period():
    period, term = cover_period("第80期(自  2019年4月1日  至  2020年3月31日)")
    assert (period.norm, period.end, term) == ("FY2019", "2020-03-31", 80)


QUESTION_PERIODS = [("任天堂の2018年3月期の売上高は？", (2018, 3)), ("2019年時点の", (2019, None)),
                    ("2018年度の", (2019, None)), ("従業員数は？", None)]


@pytest.mark.parametrize(("question", "expected"), QUESTION_PERIODS)
def test_question_periods(question, expected):
    assert question_period(question) == expected


def test_a_question_year_is_the_year_a_fiscal_year_ends():
    p = find_period("2018年3月")
    assert matches(p, 2018) and matches(p, 2018, 3) and not matches(p, 2017)


# --- cells: figures, minus, none, footnote marks ------------------------------------------------------------

CELLS = [
    ("1,055,682", Decimal("1055682"), "", False),
    ("△ 3,689", Decimal("-3689"), "", False),
    ("▲12", Decimal("-12"), "", False),
    ("※1 135,470", Decimal("135470"), "", False),
    ("※1 , ※3 699,370", Decimal("699370"), "", False),
    ("( 30.00 )", Decimal("30.00"), "", False),
    ("12,909百万円", Decimal("12909"), "百万円", False),
    ("―", None, "", True),
    ("－", None, "", True),
]


@pytest.mark.parametrize(("cell", "value", "unit", "none"), CELLS)
def test_cell_values(cell, value, unit, none):
    v = parse_value(cell)
    assert v is not None and (v.value, v.unit, v.none) == (value, unit, none)


def test_text_is_no_figure():
    assert parse_value("取引関係の維持・発展のため") is None


# --- the real reports -----------------------------------------------------------------------------------


@real
def test_cover_names_subject_and_fiscal_year():
    d = document(NINTENDO)
    assert d.subject == "任天堂株式会社" and "任天堂" in d.aliases
    assert d.period is not None and d.period.end == "2020-03-31" and d.term == 80
    assert document(KEYENCE).aliases[0] == "キーエンス"


@real
def test_unit_column_and_period_row_reach_the_facts():
    from qa.facts import extract_facts

    facts = [f for f in extract_facts(document(NINTENDO)) if f.label == "売上高" and f.period == "FY2017"]
    first = facts[0]
    assert (first.value, first.unit, first.scale, first.period_raw) == (Decimal(1055682), "百万円", 10**6, "2018年3月")


@lru_cache(maxsize=1)
def cells() -> Cells:
    return Cells(load_corpus(SECURITIES)[0])


ASKS = [
    # (question, in the answer, the cited row holds)
    ("任天堂の2018年3月期の売上高は？", "1,055,682百万円", "1,055,682"),
    ("任天堂の従業員数は？", "6,200人（最新の2020年3月期", "6,200"),
    ("キーエンスの2019年の売上高と経常利益は？", "587,095百万円", "319,860"),
    ("任天堂株式会社の2020年時点の個別決算における「その他、流動資産」は？", "86,074百万円", "86,074"),
    ("任天堂株式会社の2019年の個別決算における「法人税、住民税及び事業税」は？", "75,842百万円", "75,842"),
    ("株式会社キーエンスの2020年時点のOrdinaryShareMemberにおける「株主数－金融機関」は？", "102人", "102"),
    ("株式会社キーエンスの2020年時点における「会社名、表紙」は？", "株式会社キーエンス", "株式会社キーエンス"),
]


@real
@pytest.mark.parametrize(("question", "answer", "cited"), ASKS)
def test_cell_questions(question, answer, cited):
    ans = cells().answer(question)
    assert ans is not None and not ans.abstained
    assert answer in ans.text
    assert any(cited in c.text for c in ans.citations)


@real
def test_two_figures_in_one_question_are_both_answered():
    ans = cells().answer("キーエンスの2019年の売上高と経常利益は？")
    assert "587,095百万円" in ans.text and "319,860百万円" in ans.text and "2019年3月期" in ans.text


@real
def test_a_company_not_in_the_corpus_is_refused():
    ans = cells().answer("トヨタの売上高は？")
    assert ans is not None and ans.abstained and "トヨタ" in ans.text


@real
def test_prefectural_report_has_no_cells():
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert not Cells(load_corpus(corpus)[0]).active
