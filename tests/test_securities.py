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
    # An XBRL member names the column of a statement of changes in equity; 「純資産」 is its balance (2018年:
    # the 当期首残高 of the year after).
    ("任天堂株式会社の2018年時点の連結決算のCapitalStockMemberにおける「純資産」は？", "10,065百万円", "10,065"),
    ("株式会社キーエンスの2020年の連結決算のForeignCurrencyTranslationAdjustmentMemberにおける"
     "「株主資本以外の項目の当期変動額（純額）」は？", "-3,140百万円", "△3,140"),
    ("株式会社キーエンスの2020年時点の個別決算のRetainedEarningsBroughtForwardMemberにおける「純資産」は？",
     "176,604百万円", "176,604"),
    # … or a class of officers (a row), or an officer by the romaji of the name.
    ("任天堂株式会社の2020年のOutsideDirectorsAndOtherOfficersMemberにおける「固定報酬、役員区分ごとの報酬等」は？",
     "28百万円", "社外役員"),
    ("任天堂株式会社の2020年時点のShinyaTakahashiMemberにおける「生年月日、役員の状況（取締役（及び監査役））」は？",
     "1963-11-09", "1963年11月9日生"),
    ("任天堂株式会社の2020年のShigeruMiyamotoMemberにおける「連結報酬等の総額、役員ごとの連結報酬等」は？",
     "192百万円", "192"),
    ("任天堂の宮本茂の役職名は？", "代表取締役 フェロー", "代表取締役 フェロー"),
    # Two columns end in 2016 (a change of year end): the year's figure is the later one.
    ("株式会社キーエンスの2016年における「配当性向、経営指標等」は？", "10％（2016年6月期", "10.0"),
    # A figure of both the 連結 and the 提出会社 summary, asked without 個別, is the group's.
    ("任天堂株式会社の2018年時点における「総資産額、経営指標等」は？", "1,633,474百万円", "1,633,474"),
    # The sentence before a note's table says what it holds (販売費及び一般管理費 of 研究開発費).
    ("任天堂株式会社の2020年の個別決算における「研究開発費、販売費及び一般管理費」は？", "86,590百万円", "86,590"),
    # A flat balance sheet: 「投資その他の資産」 holds the rows up to its total.
    ("株式会社キーエンスの2019年時点の個別決算における「貸倒引当金、投資その他の資産、一括控除」は？", "-61百万円", "△61"),
    # A column asked for without a row is its total; 所有株式数 (shares) is not 所有株式数 (単元).
    ("株式会社キーエンスの2020年時点における「所有株式数」は？", "120,570千株", "120,570"),
    ("株式会社キーエンスの2020年時点のOrdinaryShareMemberにおける「所有株式数（単元）－計」は？", "2,430,661単元",
     "2,430,661"),
    ("株式会社キーエンスの2019年時点の個別決算における「棚卸資産」は？", "28,999百万円", "28,999"),
    # No row is named by the label itself: the IFRS wording of a J-GAAP row (売上収益: 売上高), or a row whose
    # name holds the label's.
    ("任天堂の2018年3月期の売上収益は？", "1,055,682百万円", "1,055,682"),
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


# --- XBRL members --------------------------------------------------------------------------------------

from qa import members  # noqa: E402

MEMBERS = [
    # (question part, member, the report's words)
    ("…のCapitalStockMemberにおける「純資産」", "CapitalStock", "資本金"),
    ("…のNonControllingInterestsIFRSMemberにおける", "NonControllingInterestsIFRS", "非支配持分"),
    ("…のOutsideDirectorsAndOtherOfficersMemberにおける", "OutsideDirectorsAndOtherOfficers", "社外役員"),
]


@pytest.mark.parametrize(("text", "member", "label"), MEMBERS)
def test_standard_members_read_as_the_reports_words(text, member, label):
    assert members.find(text) == member and label in members.labels(member)


ROMAJI = [
    # (member, the report's word, matches)
    ("ShigeruMiyamoto", "宮  本      茂", True),
    ("ShinyaTakahashi", "高  橋  伸  也", True),
    ("ShinyaTakahashi", "古  川  俊太郎", False),
    ("SprintBusiness", "スプリント事業", True),
    ("Sprint", "ソフトバンク", False),
]


@pytest.mark.parametrize(("member", "word", "matches"), ROMAJI)
def test_other_members_match_by_reading(member, word, matches):
    assert (members.romaji_match(member, word) > 0.75) is matches


# --- tables as converters write them -------------------------------------------------------------------------

from qa.grid import read_grid  # noqa: E402
from qa.models import Row, Table  # noqa: E402


@real
def test_a_labelled_row_of_figures_is_no_header():
    table = Table(header=[["", "前事業年度", "前事業年度", "当事業年度", "当事業年度"],
                          ["研究開発費", "70,359", "百万円", "86,590", "百万円"]],
                  rows=[Row(cells=["販売手数料", "12,580", "百万円", "17,009", "百万円"], lines=(5, 5))])
    grid = read_grid(table, document(NINTENDO))
    assert [(c.label, c.value.raw, c.value.unit) for c in grid][:2] == [("研究開発費", "70,359", "百万円"),
                                                                         ("研究開発費", "86,590", "百万円")]


@real
def test_flat_heading_rows_group_the_rows_up_to_their_total():
    rows = [["資産の部", "", ""], ["流動資産", "", ""], ["現金及び預金", "1", "2"], ["貸倒引当金", "△1", "△1"],
            ["流動資産合計", "3", "4"], ["投資その他の資産", "", ""], ["貸倒引当金", "△6", "△6"],
            ["投資その他の資産合計", "7", "8"]]
    table = Table(header=[["", "前事業年度", "当事業年度"]],
                  rows=[Row(cells=r, lines=(i, i)) for i, r in enumerate(rows, 1)])
    chains = {(c.label, c.chain) for c in read_grid(table, document(KEYENCE), "百万円")}
    assert ("貸倒引当金", ("資産の部", "流動資産")) in chains
    assert ("貸倒引当金", ("資産の部", "投資その他の資産")) in chains


@real
def test_officers_table_is_read_as_records():
    grid = [c for c in cells().cells if c.section.heading.endswith("役員一覧") and c.document.doc == NINTENDO.name]
    assert grid
    names = {"".join(c.cell.value.raw.split()) for c in grid if c.cell.column == "氏名"}
    assert {"宮本茂", "高橋伸也"} <= names


@real
def test_a_question_naming_no_company_gets_each_reports_figure():
    ans = cells().answer("2018年3月期の売上高は？")
    assert ans is not None and not ans.abstained
    assert "株式会社キーエンス: 526,847百万円" in ans.text and "任天堂株式会社: 1,055,682百万円" in ans.text
    assert cells().answer("社長の名前は？") is None  # no row of that name: the general answer layer's


@real
def test_a_users_question_is_no_unnamed_rows_cell():
    # 「事業内容」 is held by row names and resembles column names; a user's question of it is for the passages.
    assert cells().answer("任天堂の事業内容は？") is None


@real
def test_a_note_number_column_is_no_figure():
    table = Table(header=[["", "", "前事業年度", "当事業年度"], ["区分", "注記 番号", "金額（百万円）", "金額（百万円）"]],
                  rows=[Row(cells=["材料費", "", "72,395", "65,261"], lines=(3, 3)),
                        Row(cells=["他勘定振替高", "2", "5,691", "5,436"], lines=(4, 4))])
    grid = read_grid(table, document(KEYENCE))
    assert [c.value.raw for c in grid if c.label == "他勘定振替高"] == ["5,691", "5,436"]


# An IFRS statement of changes in equity as converters write it (a note column, a member per column under
# 「親会社の所有者に帰属する持分」, dated balance rows): no dev report is IFRS, so this one is written here.
IFRS_REPORT = """| 【表紙】 |  |
|---|---|
| 【提出書類】 | 有価証券報告書 |
| 【事業年度】 | 第40期(自  2019年4月1日  至  2020年3月31日) |
| 【会社名】 | 架空ホールディングス株式会社 |

# 第一部 【企業情報】

## 第５ 【経理の状況】

#### ④【連結持分変動計算書】

前連結会計年度(自 2018年4月1日 至 2019年3月31日)

(単位：百万円)

|  | 注記 | 親会社の所有者に帰属する持分 | 親会社の所有者に帰属する持分 | 親会社の所有者に帰属する持分 | 親会社の所有者に帰属する持分 | 親会社の所有者に帰属する持分 | 非支配持分 | 資本合計 |
|---|---|---|---|---|---|---|---|---|
|  | 注記 | 資本金 | 資本剰余金 | 利益剰余金 | その他の資本の構成要素 | 合計 | 非支配持分 | 資本合計 |
| 2018年4月1日 |  | 100 | 200 | 300 | △50 | 550 | 10 | 560 |
| 当期利益 |  |  |  | 40 |  | 40 | 2 | 42 |
| その他の包括利益 |  |  |  |  | 5 | 5 |  | 5 |
| 当期包括利益 |  | － | － | 40 | 5 | 45 | 2 | 47 |
| 所有者との取引額等 |  |  |  |  |  |  |  |  |
| 剰余金の配当 | 25 |  |  | △20 |  | △20 |  | △20 |
| 所有者との取引額等合計 |  | － | － | △20 | － | △20 | － | △20 |
| 2019年3月31日 |  | 100 | 200 | 320 | △45 | 575 | 12 | 587 |
"""

IFRS_ASKS = [
    ("RetainedEarningsIFRSMemberにおける「資本」", "2019年時点", "320百万円"),  # the row dated that year
    ("ShareCapitalIFRSMemberにおける「資本」", "2018年時点", "100百万円"),
    ("EquityAttributableToOwnersOfParentIFRSMemberにおける「当期利益」", "2019年", "40百万円"),  # its 合計
    ("NonControllingInterestsIFRSMemberにおける「当期利益」", "2019年", "2百万円"),
    ("CapitalSurplusIFRSMemberにおける「所有者との取引額等合計」", "2019年", "―（該当なし）"),
]


@pytest.mark.parametrize(("member", "when", "answer"), IFRS_ASKS)
def test_ifrs_equity_statement_members(member, when, answer):
    doc = parse_document(IFRS_REPORT, "S999_架空.md")
    ans = Cells([doc]).answer(f"架空ホールディングス株式会社の{when}の{member}は？")
    assert ans is not None and ans.text.startswith(answer)


# Segment information: a member per segment column, read in romaji (スプリント事業 for SprintMember) or from the
# table of members (報告セグメント計, 調整額); a bare 「計」 closes the group 「売上高」.
SEGMENTS = IFRS_REPORT + """
#### セグメント情報

当連結会計年度(自 2019年4月1日 至 2020年3月31日)

(単位：百万円)

|  | 報告セグメント | 報告セグメント | 報告セグメント | 報告セグメント | その他 | 合計 | 調整額 | 連結 |
|---|---|---|---|---|---|---|---|---|
|  | ビジョン・ファンド事業 | スプリント事業 | アーム事業 | 計 | その他 | 合計 | 調整額 | 連結 |
| 売上高 |  |  |  |  |  |  |  |  |
| 外部顧客への売上高 | 10 | 20 | 30 | 60 | 5 | 65 | － | 65 |
| セグメント間の内部売上高又は振替高 | 1 | 2 | 3 | 6 | 1 | 7 | △7 | － |
| 計 | 11 | 22 | 33 | 66 | 6 | 72 | △7 | 65 |
| セグメント利益 | 4 | 5 | 6 | 15 | 1 | 16 | △2 | 14 |
"""

SEGMENT_ASKS = [
    ("SprintMemberにおける「セグメント利益」", "5百万円（2020年3月期、セグメント情報 › セグメント利益）"),
    ("VisionFundBusinessMemberにおける「外部顧客への売上高」", "10百万円"),
    ("ReportableSegmentsMemberにおける「セグメント利益」", "15百万円"),
    ("ReconcilingItemsMemberにおける「セグメント利益」", "-2百万円"),
    ("ArmMemberにおける「計、売上高」", "33百万円（2020年3月期、セグメント情報 › 売上高 › 計）"),
]


@pytest.mark.parametrize(("member", "answer"), SEGMENT_ASKS)
def test_segment_members(member, answer):
    doc = parse_document(SEGMENTS, "S999_架空.md")
    ans = Cells([doc]).answer(f"架空ホールディングス株式会社の2020年の{member}は？")
    assert ans is not None and ans.text.startswith(answer)
