"""qa.render: chat bubble, evidence panel and report browser as strings. Report text is always escaped."""

from __future__ import annotations

import pytest

from qa.models import Answer, Block, Citation, Document, Figure, Quantity, Row, Section, Table
from qa.render import (
    NO_RECORD,
    answer_markdown,
    clean_text,
    evidence_html,
    fiscal_label,
    format_value,
    highlight,
    lines_label,
    md_escape,
    section_html,
    section_tree,
    table_html,
    title_text,
)

HOSTILE = "注意：<script>alert(1)</script> と <img src=x onerror=alert(1)> を含む段落"
HOSTILE_ESCAPED = (
    "注意：&lt;script&gt;alert(1)&lt;/script&gt; と &lt;img src=x onerror=alert(1)&gt; を含む段落"
)
PATH = ["第2 知事戦略", "5 国際戦略推進費", "(4) 旅券発給"]

# --- small helpers ------------------------------------------------------------------------------------

LINES_CASES = [
    ([532, 532], "532行"),
    ([12, 15], "12–15行"),
    ([7], "7行"),
    ([], ""),
]

VALUE_CASES = [
    ("13062", "13,062"),
    ("4016", "4,016"),
    ("1.9", "1.9"),
    ("619000", "619,000"),
    ("-36610", "-36,610"),
    ("不明", "不明"),
]

FISCAL_CASES = [
    (2020, "令和2年度"),
    (2019, "令和元年度"),
    (2018, "平成30年度"),
    (1989, "平成元年度"),
]

MD_CASES = [
    ("旅券発行件数は13,062件です。", "旅券発行件数は13,062件です。"),  # full-width punctuation is inert
    ("約1.9万人", "約1\\.9万人"),
    ("(4) 旅券発給", "\\(4\\) 旅券発給"),
    ("*強調*と_下線_", "\\*強調\\*と\\_下線\\_"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
    ("A & B", "A &amp; B"),
    ("$$x$$", "\\$\\$x\\$\\$"),
]

HIGHLIGHT_CASES = [
    # (passage, figures' raw text, expected HTML)
    (
        "令和2年：13,062件、令和元年：49,251件",
        ["13,062件"],
        "令和2年：<mark>13,062件</mark>、令和元年：49,251件",
    ),
    ("知事戦略部2課 316千円", ["16千円"], "知事戦略部2課 316千円"),  # not inside a longer number
    ("決算額 4,016千円", ["4,016", "4,016千円"], "決算額 <mark>4,016千円</mark>"),  # longest wins, once
    ("<b>13,062件</b>", ["13,062件"], "&lt;b&gt;<mark>13,062件</mark>&lt;/b&gt;"),
    (
        "開催件数 41回、付議件数 97件",
        ["41回", "97件"],
        "開催件数 <mark>41回</mark>、付議件数 <mark>97件</mark>",
    ),
    ("約1.9万人が参加", ["約1.9万人"], "<mark>約1.9万人</mark>が参加"),
    ("a<b", [""], "a&lt;b"),
]

CLEAN_CASES = [
    ('<ul style="list-style-type: none"> ・動画発信 ・交流会 </ul>', "・動画発信 ・交流会"),
    ("一行目<br>二行目", "一行目\n二行目"),
    ("<li>項目A</li><li>項目B</li>", "項目A\n項目B"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # left as text, escaped later
]


@pytest.mark.parametrize("lines, expected", LINES_CASES)
def test_lines_label(lines, expected):
    assert lines_label(lines) == expected


@pytest.mark.parametrize("value, expected", VALUE_CASES)
def test_format_value(value, expected):
    assert format_value(value) == expected


@pytest.mark.parametrize("year, expected", FISCAL_CASES)
def test_fiscal_label(year, expected):
    assert fiscal_label(year) == expected


@pytest.mark.parametrize("text, expected", MD_CASES)
def test_md_escape(text, expected):
    assert md_escape(text) == expected


@pytest.mark.parametrize("text, needles, expected", HIGHLIGHT_CASES)
def test_highlight(text, needles, expected):
    assert highlight(text, needles) == expected


@pytest.mark.parametrize("text, expected", CLEAN_CASES)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


# --- answers ------------------------------------------------------------------------------------------


def citation(
    text: str = "- ・旅券発行件数 令和2年：13,062件、令和元年：49,251件", lines=(532, 532)
) -> Citation:
    return Citation(
        doc="gunma_r2_chiji_senryaku.md", section_path=PATH, lines=list(lines), text=text, score=0.9
    )


ISSUED = Figure(label="旅券発行件数", period="令和2年", value="13062", unit="件", raw="13,062件")
DROP = Figure(
    label="旅券申請件数",
    attribute="前年差",
    period="令和2年",
    value="-36610",
    unit="件",
    raw="36,610件減",
    derived=True,
    formula="12,741件 − 49,351件 = −36,610件",
)
ANSWERED = Answer(
    question="旅券発行件数は？",
    text="令和2年の旅券発行件数は13,062件です。",
    figures=[ISSUED],
    citations=[citation()],
)
DERIVED = Answer(
    question="旅券申請件数は前年から何件減った？",
    text="令和2年の旅券申請件数は前年から36,610件減りました。",
    figures=[DROP],
    citations=[citation("- ・旅券申請件数 令和2年：12,741件、令和元年：49,351件", (531, 531))],
)
ABSTAINED = Answer(
    question="知事の趣味は？",
    text="この報告書には「知事の趣味」に関する記載が見つかりませんでした。",
    abstained=True,
    citations=[citation("令和2年4月24日に動画・放送スタジオ「tsulunos」を開設し", (301, 301))],
)
HOSTILE_ANSWER = Answer(question="注意は？", text=HOSTILE, citations=[citation(HOSTILE, (3, 5))])

MARKDOWN_CASES = [
    # (answer, substrings in order, substrings that must not appear)
    (
        ANSWERED,
        [
            "**13,062件**（旅券発行件数・令和2年）",
            "令和2年の旅券発行件数は13,062件です",
            "出典：",
            "旅券発給（532行）",
        ],
        ["計算式"],
    ),
    (DERIVED, ["**36,610件減**", "計算式：12,741件 − 49,351件 = −36,610件"], []),
    (
        ABSTAINED,
        [
            "この報告書には「知事の趣味」に関する記載が見つかりませんでした",
            "**関連しそうな箇所**",
            "（301行）",
        ],
        ["出典："],
    ),
    (Answer(question="x", text="", abstained=True), [NO_RECORD[:-1]], ["関連しそうな箇所"]),
    (
        ABSTAINED.model_copy(
            update={"text": "この報告書には知事の趣味の記載が見つかりませんでした。", "related": ABSTAINED.citations[:1]}
        ),
        ["この報告書には知事の趣味の記載が見つかりませんでした。\n\n**関連しそうな箇所**\n\n- 第2 知事戦略"],
        [],  # the related passages come from the record's field, with breadcrumbs and lines
    ),
    (HOSTILE_ANSWER, ["&lt;script&gt;", "&lt;img src=x onerror=alert\\(1\\)&gt;"], ["<script", "<img"]),
]


@pytest.mark.parametrize("ans, present, absent", MARKDOWN_CASES)
def test_answer_markdown(ans, present, absent):
    md = answer_markdown(ans)
    positions = [md.find(s) for s in present]
    assert -1 not in positions, md
    assert positions == sorted(positions), md  # in this order: the figure comes first
    for s in absent:
        assert s not in md


EVIDENCE_CASES = [
    (
        ANSWERED,
        [
            "第2 知事戦略 › 5 国際戦略推進費 › (4) 旅券発給",
            "532行",
            "<mark>13,062件</mark>",
            "<th>項目</th><th>期間</th><th>値</th><th>単位</th><th>出典</th>",
            "<td>旅券発行件数</td><td>令和2年</td><td>13,062</td><td>件</td><td>(4) 旅券発給（532行）</td>",
        ],
        ["<mark>49,251件</mark>"],
    ),
    (DERIVED, ["<td>旅券申請件数（前年差）</td>", "計算：12,741件 − 49,351件 = −36,610件"], ["<mark>"]),
    (ABSTAINED, ["関連しそうな箇所", "301行", "tsulunos"], ["数値", "<mark>"]),
    (HOSTILE_ANSWER, [HOSTILE_ESCAPED, "3–5行"], ["<script", "<img"]),
    (  # a passage already shown is not repeated
        ANSWERED.model_copy(
            update={"citations": [citation(), citation(lines=(527, 532)), citation("13,062件")]}
        ),
        ['<span class="qa-n">1</span>'],
        ['<span class="qa-n">2</span>'],
    ),
]


@pytest.mark.parametrize("ans, present, absent", EVIDENCE_CASES)
def test_evidence_html(ans, present, absent):
    out = evidence_html(ans)
    for s in present:
        assert s in out, out
    for s in absent:
        assert s not in out, out


def test_evidence_html_without_citations_is_the_placeholder():
    assert "質問すると" in evidence_html(Answer(question="x", text="", abstained=True))


# --- report browser -----------------------------------------------------------------------------------


def section(n: int, heading: str, path: list[str], parent: str | None, blocks: list[Block], **kw) -> Section:
    return Section(
        id=f"r.md#{n}",
        doc="r.md",
        level=len(path) - 1,
        number=heading.split(" ")[0] if " " in heading else "",
        title=heading.split(" ")[-1],
        heading=heading,
        path=path,
        lines=kw.pop("lines", (1, 20)),
        blocks=blocks,
        parent=parent,
        **kw,
    )


TABLE = Table(
    header=[["区分", "事業量", "事業費"]],
    rows=[
        Row(cells=["記者会見", "203件（県：141、その他：62）", "7,997千円"], lines=(10, 10)),
        Row(cells=["資料提供", '<ul style="list-style-type: none"> ・A ・B </ul>', ""], lines=(11, 11)),
    ],
)
DOC = Document(
    doc="r.md",
    title="第2 知事戦略",
    fiscal_year=2020,
    sections=[
        section(
            0,
            "第2 知事戦略",
            ["第2 知事戦略"],
            None,
            [Block(kind="paragraph", text="知事戦略部は…", lines=(3, 3))],
        ),
        section(
            1,
            "(4) 記者室運営",
            ["第2 知事戦略", "1 知事戦略管理費", "(4) 記者室運営"],
            "r.md#0",
            [
                Block(kind="paragraph", text=HOSTILE, lines=(8, 8)),
                Block(kind="bullet", text="開催回数 10回", lines=(9, 9)),
                Block(kind="bullet", text="参加者 54名", lines=(10, 10)),
                Block(kind="table", text="| 区分 | … |", lines=(10, 11), table=TABLE),
            ],
            lines=(7, 11),
            budget=Quantity(raw="7,997千円", value="7997", unit="円", scale=1000),
        ),
    ],
    lines=[""] * 20,
    sha256="0" * 64,
)

SECTION_CASES = [
    (
        "r.md#1",
        [
            "第2 知事戦略 › 1 知事戦略管理費",
            "(4) 記者室運営",
            "7–11行",
            "決算額 7,997千円",
            HOSTILE_ESCAPED,
            '<ul class="qa-bullets"><li>開催回数 10回</li><li>参加者 54名</li></ul>',
            "<thead><tr><th>区分</th><th>事業量</th><th>事業費</th></tr></thead>",
            "<td>203件（県：141、その他：62）</td>",
            "<td>・A ・B</td>",
        ],
        ["<script", "<img", "<ul style"],
    ),
    ("r.md#0", ["<h3", "知事戦略部は…", "<h4", "(4) 記者室運営", HOSTILE_ESCAPED], ["<script"]),
    ("r.md#99", ["節を選んでください"], []),
]


GROUPED = Table(
    header=[["男女別", "", "有効期間別", "", ""], ["男", "女", "10年", "5年", "その他"]],
    rows=[Row(cells=["6,641件", "6,421件", "7,582件", "5,476件", "4件"], lines=(536, 536))],
)
TABLE_CASES = [
    (
        GROUPED,
        (
            '<thead><tr><th colspan="2">男女別</th><th colspan="3">有効期間別</th></tr>'
            "<tr><th>男</th><th>女</th><th>10年</th><th>5年</th><th>その他</th></tr></thead>"
        ),
    ),
    (
        Table(header=[["", "計", ""], ["区分", "金額", "備考"]], rows=[]),
        '<thead><tr><th></th><th colspan="2">計</th></tr>',
    ),
    (TABLE, "<tr><th>区分</th><th>事業量</th><th>事業費</th></tr>"),  # the last header row is never merged
]


@pytest.mark.parametrize("table, expected", TABLE_CASES)
def test_table_html_groups_upper_header_cells(table, expected):
    assert expected in table_html(table)


@pytest.mark.parametrize("section_id, present, absent", SECTION_CASES)
def test_section_html(section_id, present, absent):
    out = section_html(DOC, section_id)
    for s in present:
        assert s in out, out
    for s in absent:
        assert s not in out, out


def test_section_tree_lists_sections_in_order_with_indent():
    assert section_tree([DOC]) == [("■ 第2 知事戦略", "r.md#0"), ("　　(4) 記者室運営", "r.md#1")]


TITLE_CASES = [
    ([DOC], "報告書QA — 『第2 知事戦略』（令和2年度）"),
    ([DOC.model_copy(update={"fiscal_year": None})], "報告書QA — 『第2 知事戦略』"),
    ([], "報告書QA"),
]


@pytest.mark.parametrize("docs, expected", TITLE_CASES)
def test_title_text(docs, expected):
    assert title_text(docs) == expected
