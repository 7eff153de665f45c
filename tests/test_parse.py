"""qa.parse: the report's Markdown → a section tree with line-addressed blocks.

Quirks of the PDF conversion are tiny excerpts in parametrize tables; the real report (corpus/) checks
the whole tree. Bad input goes through load_corpus; the CLI side is in test_cli_inspect.py.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from qa.chunk import chunk_document
from qa.errors import CorpusError
from qa.facts import extract_facts
from qa.models import Document, Section
from qa.parse import load_corpus, parse_document, read_text, section_text

REPORT = Path(__file__).resolve().parents[1] / "corpus" / "gunma_r2_chiji_senryaku.md"

# The five 費目 of the report and how many 「(N)」 sections each holds.
HIMOKU = [
    ("1 知事戦略管理費", 11),
    ("2 メディアプロモーション費", 3),
    ("3 デジタル改革費", 1),
    ("4 業務プロセス改革費", 3),
    ("5 地域外交費", 4),
]

# (line, heading it opens or None when it is body text).
HEADINGS = [
    ("第2 知事戦略", "第2 知事戦略"),
    ("1 知事戦略管理費", "1 知事戦略管理費"),
    ("(1)メディア・コンテンツ推進", "(1) メディア・コンテンツ推進"),  # no space after (1)
    ("(4) 旅券発給", "(4) 旅券発給"),
    ("① 企画会議等運営", "① 企画会議等運営"),  # circled numbers are not NFKC'd into a 費目 number
    ("⑤ I o T ・ A I 導入促進", "⑤ IoT・AI導入促進"),  # letter-spacing collapsed in titles
    ("ア STEAM教育推進PJ", "ア STEAM教育推進PJ"),
    ("【令和2年度に実施した重点施策及び主な取組】", "【令和2年度に実施した重点施策及び主な取組】"),
    # Body text that looks like a heading.
    (
        "ア 職員への新型コロナウイルス感染症の感染拡大防止、業務継続確保を図るため、在宅勤務に対応できる環境を整備した。",
        None,
    ),
    ("アーティスト：内田彩（女性声優、歌手、太田市出身）", None),
    ("【日時】令和3年2月22日（月）午後6時～", None),
    ("新曲①：「∞リボンをギュッと∞（ぐんまちゃんダンス）」", None),
    ("2 つの河川において実証試験を実施した。", None),
]

# (excerpt, heading of the first section, budget raw, budget lines).
BUDGETS = [
    ("(2) 総務調整費 決算額 4,016千円\n\n部内共通経費に支出した。", "(2) 総務調整費", "4,016千円", (1, 1)),
    ("(7) 連携推進\n\n決算額 32,001千円\n\n① 各種知事会議", "(7) 連携推進", "32,001千円", (3, 3)),
    # Split over two lines: 「決算額」 then the amount.
    (
        "(1) デジタルトランスフォーメーション推進\n\n決算額\n\n59,184千円\n\n① 地域活性化ラボラトリー",
        "(1) デジタルトランスフォーメーション推進",
        "59,184千円",
        (3, 5),
    ),
    ("(3) 社会参加費 決算額 １６千円", "(3) 社会参加費", "16千円", (1, 1)),  # full-width figures
    # A 「決算額」 with no amount after it cites nothing.
    ("(1) 予算なし\n\n決算額\n\n本文。", "(1) 予算なし", None, None),
]

# (excerpt, header rows, body rows' cells, body rows' lines).
TABLES = [
    pytest.param(
        "| 区分 | 金額 |\n|---|---|\n| 主管課運営費（主管課経費） | 1,419千円 |\n| 部局調整費（備品購入等） | 2,597 |",
        [["区分", "金額"]],
        [["主管課運営費（主管課経費）", "1,419千円"], ["部局調整費（備品購入等）", "2,597"]],
        [(3, 3), (4, 4)],
        id="header-and-rows",
    ),
    pytest.param(
        # Letter-spaced header; merged group cells: a blank first cell continues 「刊行物」.
        "| 区 分 | | 事 業 量 | | 事 業 費 |\n|---|---|---|---|---|\n"
        "| 刊行物 | ぐんま広報 | 630,000部/回 | 1回 6 5 | 98,555千円 |\n| | 点字広報 | 398部 | 12 | 2,378 |",
        [["区分", "", "事業量", "", "事業費"]],
        [
            ["刊行物", "ぐんま広報", "630,000部/回", "1回 6 5", "98,555千円"],
            ["", "点字広報", "398部", "12", "2,378"],
        ],
        [(3, 3), (4, 4)],
        id="merged-group-cells",
    ),
    pytest.param(
        # The next page repeats the header; its parenthesised first row continues the last row.
        "| 区 分 | 事 業 量 | 事 業 費 |\n|--|---|---|\n| 啓発広告 | ・新聞広告 | 6,839 |\n\n"
        "| 区 分 | 事 業 量 | 事 業 費 |\n|---|---|---|\n| (啓発広告) | ・SNS広告 Twitter 3,162,878回 | |\n"
        "| 次の行 | 5件 | 10 |",
        [["区分", "事業量", "事業費"]],
        [["啓発広告", "・新聞広告 ・SNS広告 Twitter 3,162,878回", "6,839"], ["次の行", "5件", "10"]],
        [(3, 7), (8, 8)],
        id="continued-across-page",
    ),
    pytest.param(
        # A second header row: the first body row holds no figure and fills the merged header's blanks.
        "| 男 女 別 | | 有 効 期 間 別 | | |\n|---|---|---|---|---|\n| 男 | 女 | 10年 | 5年 | その他 |\n"
        "| 6,641件 | 6,421件 | 7,582件 | 5,476件 | 4件 |",
        [["男女別", "", "有効期間別", "", ""], ["男", "女", "10年", "5年", "その他"]],
        [["6,641件", "6,421件", "7,582件", "5,476件", "4件"]],
        [(4, 4)],
        id="second-header-row",
    ),
    pytest.param(
        # List markup the converter left in cells goes; other text stays.
        "| 区 分 | 構成員数 | 主な活動 |\n|---|---|---|\n"
        '| 在パラグアイ群馬県人会 | 124 | <ul style="list-style-type: none"> ・移住者相互親睦 ・研修生推薦 </ul> |\n'
        "| a<br>b | <li>1</li> | <b>太字</b> |",
        [["区分", "構成員数", "主な活動"]],
        [["在パラグアイ群馬県人会", "124", "・移住者相互親睦 ・研修生推薦"], ["a b", "1", "<b>太字</b>"]],
        [(3, 3), (4, 4)],
        id="ul-markup",
    ),
    pytest.param(
        "| a | b |\n| 1 | 2 |",  # no separator row: no header
        [],
        [["a", "b"], ["1", "2"]],
        [(1, 1), (2, 2)],
        id="no-separator",
    ),
]


def sections_by_heading(document: Document) -> dict[str, Section]:
    return {s.heading: s for s in document.sections}


def children(document: Document, section: Section) -> list[Section]:
    return [s for s in document.sections if s.parent == section.id]


# --- excerpts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "heading"), HEADINGS)
def test_heading_lines(line: str, heading: str | None) -> None:
    doc = parse_document(f"{line}\n\n本文です。", "x.md")
    if heading is None:
        assert len(doc.sections) == 1 and doc.sections[0].number == ""  # the document's own section
        assert doc.sections[0].blocks[0].kind == "paragraph"
    else:
        assert doc.sections[0].heading == heading
        assert doc.sections[0].blocks[0].text == "本文です。"


@pytest.mark.parametrize(("text", "heading", "raw", "lines"), BUDGETS)
def test_budget_lines(text: str, heading: str, raw: str | None, lines: tuple[int, int] | None) -> None:
    section = parse_document(text, "x.md").sections[0]
    assert section.heading == heading
    assert (section.budget.raw if section.budget else None) == raw
    assert section.budget_lines == lines
    assert all("決算額" not in b.text for b in section.blocks)


@pytest.mark.parametrize(("text", "header", "cells", "lines"), TABLES)
def test_tables(
    text: str, header: list[list[str]], cells: list[list[str]], lines: list[tuple[int, int]]
) -> None:
    doc = parse_document(text, "x.md")
    tables = [b for s in doc.sections for b in s.blocks if b.kind == "table"]
    assert len(tables) == 1
    table = tables[0].table
    assert table is not None
    assert table.header == header
    assert [r.cells for r in table.rows] == cells
    assert [r.lines for r in table.rows] == lines


def test_letter_spaced_title_is_not_a_second_chapter() -> None:
    doc = parse_document("第2 知事戦略\n\n第 2 知 事 戦 略\n\n本文。\n\n1 知事戦略管理費\n\n(1) 庁議", "x.md")
    assert [s.heading for s in doc.sections] == ["第2 知事戦略", "1 知事戦略管理費", "(1) 庁議"]
    assert doc.title == "第2 知事戦略"


def test_block_list_does_not_swallow_the_himoku() -> None:
    text = (
        "第2 知事戦略\n\n【重点施策】\n\n1 政策立案・検証\n\n- ・総合計画の策定\n\n2 戦略的な情報発信\n\n"
        "- ・ブランド力強化\n\n1 知事戦略管理費\n\n(1) 庁議\n\n2 メディアプロモーション費\n"
    )
    doc = parse_document(text, "x.md")
    by = sections_by_heading(doc)
    chapter, block = by["第2 知事戦略"], by["【重点施策】"]
    assert [s.heading for s in children(doc, block)] == ["1 政策立案・検証", "2 戦略的な情報発信"]
    assert [s.heading for s in children(doc, chapter)] == [
        "【重点施策】",
        "1 知事戦略管理費",
        "2 メディアプロモーション費",
    ]
    assert by["(1) 庁議"].parent == by["1 知事戦略管理費"].id


def test_enumerated_sentences_are_paragraphs() -> None:
    text = (
        "④ テレワーク推進\n\nア 在宅勤務に対応できる環境を整備した。\n\n"
        "イ 接続できる閉域LTE網とし\n\nて、モバイルルータ（323台）を整備した。\n\nウ 利用契約を行った。"
    )
    section = parse_document(text, "x.md").sections
    assert len(section) == 1
    assert [(b.kind, b.lines) for b in section[0].blocks] == [
        ("paragraph", (3, 3)),
        ("paragraph", (5, 7)),
        ("paragraph", (9, 9)),
    ]
    assert section[0].blocks[1].text == "イ 接続できる閉域LTE網として、モバイルルータ（323台）を整備した。"


def test_bullets_drop_their_markers() -> None:
    doc = parse_document("① 企画会議等運営\n\n・開催回数 10回\n- ・旅券申請件数 令和2年：12,741件", "x.md")
    assert [(b.kind, b.text) for b in doc.sections[0].blocks] == [
        ("bullet", "開催回数 10回"),
        ("bullet", "旅券申請件数 令和2年：12,741件"),
    ]


# --- the real report ---------------------------------------------------------------------------


def test_report_tree_has_the_five_himoku(report: Document) -> None:
    chapters = [s for s in report.sections if s.number.startswith("第")]
    assert [s.heading for s in chapters] == ["第2 知事戦略"]  # the letter-spaced repeat is not a chapter
    assert report.title == "第2 知事戦略" and report.fiscal_year == 2020
    himoku = [s for s in children(report, chapters[0]) if re.fullmatch(r"\d+", s.number)]
    assert [(s.heading, len(children(report, s))) for s in himoku] == HIMOKU
    for s in himoku:
        kids = children(report, s)
        assert [k.number for k in kids] == [f"({i})" for i in range(1, len(kids) + 1)]


def test_report_block_keeps_its_own_list(report: Document) -> None:
    block = next(s for s in report.sections if s.title.startswith("【"))
    assert block.heading == "【令和2年度に実施した重点施策及び主な取組】"
    assert block.lines == (11, 38)
    assert [k.number for k in children(report, block)] == ["1", "2", "3", "4", "5"]
    assert all(not k.title.endswith("費") for k in children(report, block))


@pytest.mark.parametrize(
    ("heading", "raw", "lines"),
    [
        ("(2) 総務調整費", "4,016千円", (50, 50)),  # on the heading line
        ("(7) 連携推進", "32,001千円", (100, 100)),  # on the next line
        ("(1) デジタルトランスフォーメーション推進", "59,184千円", (327, 329)),  # split over two lines
        ("(3) 県庁情報基盤整備", "1,063,965千円", (428, 428)),
        ("(1) 庁議", None, None),
    ],
)
def test_report_budgets(
    report: Document, heading: str, raw: str | None, lines: tuple[int, int] | None
) -> None:
    section = sections_by_heading(report)[heading]
    assert (section.budget.raw if section.budget else None) == raw
    assert section.budget_lines == lines


def test_report_telework_sentences(report: Document) -> None:
    section = sections_by_heading(report)["④ テレワーク推進"]
    assert children(report, section) == []
    assert [(b.kind, b.lines) for b in section.blocks] == [
        ("paragraph", (444, 444)),
        ("paragraph", (446, 448)),
        ("paragraph", (450, 450)),
        ("paragraph", (452, 452)),
    ]
    assert "閉域LTE網として、モバイルルータ（323台）" in section.blocks[1].text


def test_report_table_continued_across_page(report: Document) -> None:
    section = sections_by_heading(report)["① 動画・放送スタジオ運営"]
    tables = [b for b in section.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].lines == (303, 311)
    rows = tables[0].table.rows
    assert [r.lines for r in rows] == [(305, 305), (306, 306), (307, 311)]
    assert "ラジオ広告 FM GUNMA (1分)" in rows[-1].cells[1]
    assert "Yahoo! 772,218回" in rows[-1].cells[1]
    assert rows[-1].cells[2] == "6,839"


def test_report_passport_table_has_two_header_rows(report: Document) -> None:
    section = sections_by_heading(report)["(4) 旅券発給"]
    (table,) = [b.table for b in section.blocks if b.kind == "table"]
    assert table.header == [["男女別", "", "有効期間別", "", ""], ["男", "女", "10年", "5年", "その他"]]
    assert [r.cells for r in table.rows] == [["6,641件", "6,421件", "7,582件", "5,476件", "4件"]]


def test_report_cells_have_no_markup(report: Document) -> None:
    cells = [c for s in report.sections for b in s.blocks if b.table for r in b.table.rows for c in r.cells]
    assert cells and not any(re.search(r"</?(ul|li|br)\b", c) for c in cells)
    assert "・移住者相互親睦、生活援護指導 ・次年度子弟支援事業に研修生推薦" in cells


def test_report_spans_nest(report: Document) -> None:
    by_id = {s.id: s for s in report.sections}
    n = len(report.lines)
    for s in report.sections:
        assert 1 <= s.lines[0] <= s.lines[1] <= n
        assert s.doc == report.doc and s.id.startswith(report.doc + "#")
        # The heading line is the section's first line.
        assert s.number in report.lines[s.lines[0] - 1].replace(" ", "") or s.number.startswith("第")
        if s.parent:
            parent = by_id[s.parent]
            assert parent.lines[0] < s.lines[0] and s.lines[1] <= parent.lines[1]
            assert s.path[:-1] == parent.path and s.level == parent.level + 1
        for b in s.blocks:
            assert s.lines[0] <= b.lines[0] <= b.lines[1] <= s.lines[1]
        if s.budget_lines:
            assert s.lines[0] <= s.budget_lines[0] <= s.budget_lines[1] <= s.lines[1]
        kids = children(report, s)
        for a, b in pairwise(kids):
            assert a.lines[1] < b.lines[0]  # siblings do not overlap
        for b in s.blocks:  # own blocks are outside every child
            assert all(not (k.lines[0] <= b.lines[0] <= k.lines[1]) for k in kids)


def test_section_text_is_own_lines(report: Document) -> None:
    s = sections_by_heading(report)["(6) 戦略企画推進"]
    assert section_text(report, s) == "(6) 戦略企画推進 決算額 3,443千円"


# --- bad input ---------------------------------------------------------------------------------


def test_empty_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("(1) 庁議\n\n本文。", encoding="utf-8")
    docs, warnings = load_corpus(tmp_path)
    assert [d.doc for d in docs] == ["ok.md"]
    assert len(warnings) == 1 and "empty.md" in warnings[0]


def test_binary_file_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "scan.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CorpusError, match="scan.md"):
        read_text(tmp_path / "scan.md")
    (tmp_path / "ok.md").write_text("本文。", encoding="utf-8")
    docs, warnings = load_corpus(tmp_path)
    assert [d.doc for d in docs] == ["ok.md"]
    assert len(warnings) == 1 and "scan.md" in warnings[0] and "binary" in warnings[0]


def test_only_bad_files_raise_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match="empty.md"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="QA_CORPUS_DIR"):
        load_corpus(tmp_path / "missing")


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    text = "(4) 旅券発給\n\n決算額 21,001千円\n\n- ・旅券発行件数 令和2年：13,062件\n"
    (tmp_path / "sjis.md").write_bytes(text.encode(encoding))
    docs, warnings = load_corpus(tmp_path)
    assert warnings == []
    (doc,) = docs
    assert doc.sections[0].heading == "(4) 旅券発給" and doc.sections[0].budget.raw == "21,001千円"
    assert [f.raw for f in extract_facts(doc)] == ["21,001千円", "13,062件"]


def test_file_without_headings_is_one_section(tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text("会議メモ\n\n参加者は12名だった。\n\n次回は未定。\n", encoding="utf-8")
    (doc,) = load_corpus(tmp_path)[0]
    assert len(doc.sections) == 1
    (section,) = doc.sections
    assert section.heading == "会議メモ" and section.lines == (1, 5)
    assert [b.lines for b in section.blocks] == [(1, 1), (3, 3), (5, 5)]
    assert [f.raw for f in extract_facts(doc)] == ["12名"]
    assert chunk_document(doc)


def test_second_document(tmp_path: Path) -> None:
    """A copy of the report for the next year, with some figures changed: both load side by side."""
    text = REPORT.read_text(encoding="utf-8")
    # Shift every era year by one, latest first so no year is shifted twice.
    next_year = text.replace("令和3", "令和4").replace("令和2", "令和3").replace("令和元", "令和2")
    next_year = next_year.replace("13,062件", "21,345件").replace("4,016千円", "5,120千円")
    (tmp_path / REPORT.name).write_text(text, encoding="utf-8")
    (tmp_path / "gunma_r3_chiji_senryaku.md").write_text(next_year, encoding="utf-8")

    docs, warnings = load_corpus(tmp_path)
    assert warnings == []
    assert [(d.doc, d.fiscal_year) for d in docs] == [
        (REPORT.name, 2020),
        ("gunma_r3_chiji_senryaku.md", 2021),
    ]
    ids: set[str] = set()
    for doc in docs:
        facts, chunks = extract_facts(doc), chunk_document(doc)
        assert all(s.doc == doc.doc for s in doc.sections)
        assert all(f.doc == doc.doc for f in facts) and all(c.doc == doc.doc for c in chunks)
        for record in [*doc.sections, *facts, *chunks]:
            assert record.id.startswith(doc.doc) and record.id not in ids
            ids.add(record.id)
    old, new = ({f.raw: f for f in extract_facts(d) if f.label == "旅券発行件数"} for d in docs)
    assert old["13,062件"].period_raw == "令和2年" and new["21,345件"].period_raw == "令和3年"
    budgets = [sections_by_heading(d)["(2) 総務調整費"].budget.raw for d in docs]
    assert budgets == ["4,016千円", "5,120千円"]
