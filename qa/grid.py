"""Tables as HTML-to-Markdown converters write them: every merged cell repeated, units and periods in rows,
columns, captions and header cells of their own, rows indented by the column their label starts in (or,
in a flat table, standing under a heading row until its total), and tables of records whose every column is
an attribute (役員一覧).

A securities report's 「売上高 | (百万円) | 504,459 | …」 under 「決算年月 | 決算年月 | 2016年3月 | …」 and
(単位：百万円) above 「| | | 現金及び預金 | 現金及び預金 | … | 844,550 | 890,402 |」 both read here as cells
that know their row (with the rows it stands under), their column (with its fiscal year), their unit and
scale. The prefectural report's tables never look like this (`is_grid` says which) and keep their reading in
qa/facts.py.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from qa.models import Document, Period, Row, Table
from qa.periods import find_period
from qa.text import collapse_spacing, nfkc

# Units of such reports with their scale to the base unit. 百万円 is 10⁶ 円; a percentage stays in %.
UNIT_SCALES = {
    "百万円": 10**6, "千円": 1000, "万円": 10**4, "億円": 10**8, "円": 1, "十億円": 10**9,
    "千株": 1000, "百株": 100, "株": 1, "千株数": 1000, "%": 1, "倍": 1, "人": 1, "名": 1, "社": 1, "個": 1, "年": 1,
    "百万米ドル": 10**6, "十億米ドル": 10**9, "千米ドル": 1000, "米ドル": 1, "単元": 1,
}
_UNITS = "|".join(sorted((re.escape(u) for u in UNIT_SCALES), key=len, reverse=True))
# 「(百万円)」, 「（％）」, 「(単位：百万円)」, 「単位：千株」: a unit standing alone in a cell or a caption.
UNIT_CELL = re.compile(rf"^[(（]?\s*(?:単位\s*[:：]\s*)?({_UNITS})\s*[)）]?$")
CAPTION_UNIT = re.compile(rf"単位\s*[:：]\s*({_UNITS})")
HEADER_UNIT = re.compile(rf"[(（]\s*(?:単位\s*[:：]\s*)?({_UNITS})\s*[)）]")
DASHES = frozenset({"-", "―", "－", "—", "‐", "─"})
# A figure as these tables write it: footnote marks first (「※１ 75,031」, 「※1 , ※3 699,370」), △/▲ for minus,
# parentheses around an inner figure (「( 30.00 )」), a unit after it (「6,200人」).
_MARKS = re.compile(r"^(?:\s*[※*]\s*\d*\s*[,、，]?)+")
_FIGURE = re.compile(rf"^(?P<sign>[△▲\-−])?\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?\s*(?P<unit>{_UNITS})?$")


class Value(NamedTuple):
    value: Decimal | None  # None for a dash (「―」: none) or text
    unit: str
    none: bool  # 「―」, 「－」: nothing to report, an answer in its own right
    raw: str  # the cell as written


class GridCell(NamedTuple):
    row: int  # 0-based body row of the table
    col: int
    label: str  # the row's own label (「その他」)
    chain: tuple[str, ...]  # the rows it stands under, outermost first (「資産の部」, 「流動資産」)
    header: str  # the column's header, its distinct cells joined (「前連結会計年度 (2019年3月31日)」)
    period: Period | None  # the column's (or the table's) fiscal year
    value: Value
    scale: int
    lines: tuple[int, int]
    column: str = ""  # the column's own name: its lowest header cell (「繰越利益 剰余金」 under 「利益剰余金」)


def is_grid(table: Table, caption_unit: str | None) -> bool:
    """Whether a table is written the converters' way: a unit caption or unit column, or merged cells repeated."""
    if caption_unit:
        return True
    rows = [*table.header, *(r.cells for r in table.rows)]
    for cells in rows:
        if any(UNIT_CELL.match(nfkc(c).strip()) for c in cells[1:3] if c):
            return True
        if any(a and a == b for a, b in zip(cells, cells[1:])):
            return True
    return False


def parse_value(cell: str) -> Value | None:
    """A cell's figure: 「△ 3,689」 → -3689, 「※1 , ※3 699,370」 → 699370, 「―」 → none; None for text."""
    text = nfkc(cell).strip()
    if text in DASHES or text in {"-", "—"}:
        return Value(None, "", True, cell.strip())
    text = _MARKS.sub("", text).strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if text in DASHES:
        return Value(None, "", True, cell.strip())
    m = _FIGURE.match(text.replace(" ", "") if re.fullmatch(r"[△▲\-−]\s+\d.*", text) else text)
    if not m:
        return None
    try:
        value = Decimal((m.group("num") + (m.group("frac") or "")).replace(",", ""))
    except InvalidOperation:
        return None
    if m.group("sign"):
        value = -value
    return Value(value, m.group("unit") or "", False, cell.strip())


_INNER = re.compile(r"[(（]\s*(?:内|うち)\s*[、,，]?\s*([^()（）]+?)\s*[)）]")


def _figure_row(cells: list[str]) -> bool:
    rest = [c for c in cells[1:] if c.strip() and not _unit_of(c)]
    return bool(rest) and sum(parse_value(c) is not None and not parse_value(c).none for c in rest) >= 0.5 * len(rest)


def _unit_of(cell: str) -> str | None:
    m = UNIT_CELL.match(nfkc(cell).strip())
    return m.group(1) if m else None


def _distinct(cells: list[str]) -> list[str]:
    out: list[str] = []
    for c in cells:
        c = collapse_spacing(nfkc(c)).strip()
        if c and c not in out:
            out.append(c)
    return out


def read_grid(table: Table, document: Document, caption_unit: str | None = None,
              caption_period: Period | None = None, lines: tuple[int, int] | None = None) -> list[GridCell]:
    """Every value cell of the table with its row chain, column header, period, unit and scale (`lines`: the
    table's span, for a row the parser took for a header)."""
    if not table.rows and (lines is None or len(table.header) < 2):
        return []
    ncols = max([len(r.cells) for r in table.rows] + [len(h) for h in table.header])
    body: list[Row] = [Row(cells=r.cells + [""] * (ncols - len(r.cells)), lines=r.lines) for r in table.rows]
    header = [h + [""] * (ncols - len(h)) for h in table.header]
    # A "second header row" that is a labelled row of figures (「研究開発費 | 70,359 | 百万円 | 86,590 | 百万円」
    # right under the column names; or the one row of a note's table) is a body row. The header keeps no
    # lines: it stands on the line before the first body row, or on the table's last line.
    while len(header) > 1 and header[-1][0].strip() and _figure_row(header[-1]):
        first = body[0].lines[0] - 1 if body else (lines[1] if lines else 0)
        body.insert(0, Row(cells=header.pop(), lines=(first, first)))
    if not body:
        return []
    # Unit columns: every filled cell a unit alone (「(百万円)」).
    # A repeat of the cell on its left is a merged cell (「決算年月 | 決算年月」), not this column's own.
    unit_cols = {c for c in range(1, ncols)
                 if (col := [r.cells[c] for r in body if r.cells[c] and r.cells[c] != r.cells[c - 1]])
                 and sum(bool(_unit_of(x)) for x in col) >= 0.8 * len(col)}
    # Value columns: most filled cells are figures or dashes. Label columns come before the first of them.
    def figure_share(c: int) -> float:
        col = [r.cells[c] for r in body if r.cells[c]]
        return sum(parse_value(x) is not None for x in col) / len(col) if col else 0.0

    value_cols = [c for c in range(1, ncols) if c not in unit_cols and figure_share(c) >= 0.5]
    numeric = bool(value_cols)
    first_value = value_cols[0] if value_cols else 1
    label_cols = [c for c in range(first_value) if c not in unit_cols]
    value_cols = [c for c in range(first_value, ncols) if c not in unit_cols]
    # Leading body rows whose value cells are all filled and none a figure are header rows (決算年月, 2016年3月).
    while numeric and body and all(body[0].cells[c] for c in value_cols) and not any(
        parse_value(body[0].cells[c]) for c in value_cols
    ) and len(body) > 1:
        header.append(body[0].cells)
        body = body[1:]
    # A column of note numbers (「注記 番号」, 「注記」: 「2」, 「※1」) holds references, not figures.
    notes = {c for c in value_cols if any(re.fullmatch(r"注記(?:番号)?", re.sub(r"\s", "", nfkc(h[c]))) for h in header)}
    value_cols = [c for c in value_cols if c not in notes]
    # A table of records (役員一覧: 役職名 | 氏名 | 生年月日 | 略歴 | 任期 | 所有株式数): the text columns before the
    # first figure each have a name of their own, so they are attributes of the row, not its nested labels.
    # Each is a cell too; the first column stays the row's label.
    last_header = header[-1] if header else []
    names = [collapse_spacing(nfkc(last_header[c])).strip() if last_header else "" for c in label_cols]
    # Records fill every such column on every row; a table grouped by its first column (区分 | 資産の種類,
    # 「有形固定資産」 written once over its rows) leaves it blank below and keeps its nested reading.
    full = sum(all(r.cells[c] for c in label_cols) for r in body)
    if (numeric and len(label_cols) >= 2 and all(names) and len(set(names)) == len(names)
            and all(r.cells[label_cols[0]] for r in body) and full >= 0.9 * len(body)):
        value_cols = label_cols + value_cols
        label_cols = label_cols[:1]
    headers = {c: " ".join(_distinct([h[c] for h in header])) for c in value_cols}
    own_names = {c: collapse_spacing(nfkc(header[-1][c])).strip() if header else "" for c in value_cols}
    label_headers = " ".join(_distinct([h[c] for h in header for c in label_cols]))
    col_periods = {c: find_period(headers[c], document.period, document.term) for c in value_cols}
    col_units = {c: m.group(1) for c in value_cols if (m := HEADER_UNIT.search(nfkc(headers[c])))}
    table_unit = caption_unit
    if not table_unit and (m := HEADER_UNIT.search(nfkc(label_headers))):
        table_unit = m.group(1)
    out: list[GridCell] = []
    # The rows above, for the chain: [depth, label, kind]. A row without figures is a "heading"; when the rows
    # after it stand at its own depth (a flat table: 「流動資産」, then 「現金及び預金」 …) it becomes an open
    # "group" that holds until its total (「流動資産合計」); rows after a deeper-indented heading are "row"s.
    stack: list[list] = []
    previous = ""  # the row label above, as written
    written: dict[int, str] = {}  # the first unit written in a column's cells
    for i, row in enumerate(body):
        # A unit written in a label cell (「売上高 | (百万円)」 where the column is not all units) is the row's unit.
        labels = [row.cells[c] if not _unit_of(row.cells[c]) else "" for c in label_cols]
        depth = next((k for k, x in enumerate(labels) if x), None)
        own = _distinct(labels)
        # 「有形固定資産 | 建物」: 建物 stands at the second column, so 「| 構築物」 below it is its sibling. A merged
        # label repeated over the columns to its right (「| | 現金及び預金 | 現金及び預金 |」) starts at its first.
        own_depth = next((k for k, x in enumerate(labels) if own and collapse_spacing(nfkc(x)).strip() == own[-1]),
                         depth)
        if depth is None or not own:
            label = ""
        else:
            label = own[-1]
            if stack and stack[-1][2] == "heading":
                stack[-1][2] = "group" if stack[-1][0] == depth else "row"
            while stack and (stack[-1][0] > depth or (stack[-1][0] == depth and stack[-1][2] != "group")):
                stack.pop()
        chain = tuple(x for _, x, _ in stack) + tuple(own[:-1])
        # 「1株当たり配当額 (内、1株当たり中間配当額)」 written on two rows, the second in parentheses (「( 30.00 )」),
        # or a row of its own 「(内、1株当たり中間配当額)」: that row is the part named inside.
        inner = _INNER.search(nfkc(label)) if label else None
        if inner and (nfkc(label).lstrip().startswith(("(", "（")) or (label == previous and all(
                re.fullmatch(r"\s*[(（].*[)）]\s*", row.cells[c]) for c in value_cols if row.cells[c]))):
            previous, label = label, collapse_spacing(inner.group(1)).strip()
        else:
            previous = label
        if label and (total := re.sub(r"\s+", "", label)) and (group := next(
                (k for k in range(len(stack) - 1, -1, -1) if stack[k][2] == "group"
                 and re.sub(r"\s+", "", stack[k][1]) + "合計" in (total, total.replace("計", "合計"))), None)) is not None:
            del stack[group:]  # 「流動資産合計」 closes the group 「流動資産」 (the total itself stood in it)
        elif label and re.sub(r"\s+", "", label) in ("計", "合計") and (group := next(
                (k for k in range(len(stack) - 1, -1, -1) if stack[k][2] == "group"), None)) is not None:
            del stack[group:]  # a bare 「計」 closes the innermost group (売上高: 外部顧客への売上高, …, 計)
        row_unit = next((u for c in sorted(unit_cols | set(label_cols)) if (u := _unit_of(row.cells[c]))), None)
        # A unit in the row label (「提出日現在発行数（株）」) counts for its row.
        if not row_unit and label and (m := HEADER_UNIT.search(nfkc(label))):
            row_unit = m.group(1)
        for c in value_cols:
            cell = row.cells[c]
            if not cell:
                continue
            v = parse_value(cell)
            if v is None:
                v = Value(None, "", False, cell.strip())  # text: a name, a date, a sentence
            # A column writes its unit in its first figure (「22,226百万円」 then 「5,674」), as the prefectural
            # report's tables do: a bare figure inherits the unit written above it.
            if v.unit:
                written.setdefault(c, v.unit)
            unit = v.unit or row_unit or col_units.get(c) or table_unit or written.get(c) or ""
            if v.value is None and not v.none:
                unit = ""
            period = col_periods.get(c) or caption_period
            out.append(GridCell(i, c, label, chain, headers[c], period, v._replace(unit=unit),
                                UNIT_SCALES.get(unit, 1), row.lines, own_names.get(c, "")))
        if label and depth is not None:
            empty = not any(row.cells[c] for c in value_cols if c not in label_cols)
            if len(own) > 1:
                stack.append([depth, own[-2], "row"])
            stack.append([own_depth, label, "heading" if empty else "row"])
    return out


def caption(document: Document, blocks: list, at: int, section_title: str) -> tuple[str | None, Period | None]:
    """The unit and the fiscal year written just before the table at `blocks[at]`: 「(単位：百万円)」 and
    「前連結会計年度(自 2018年4月1日 至 2019年3月31日)」 lines (or one-cell tables), else the section
    heading's period (「(当連結会計年度)」)."""
    unit: str | None = None
    period: Period | None = None
    for k in range(at - 1, max(-1, at - 4), -1):
        block = blocks[k]
        if block.table is not None and max((len(r.cells) for r in block.table.rows), default=0) > 1:
            if k == at - 1 and document.period is not None:
                # A table right after another (a wide statement cut into two: 「株主資本」 columns, then 「その他の
                # 包括利益累計額」 ones) stands under the first one's caption (in a report with a cover: a fiscal
                # year of its own).
                above_unit, above_period = caption(document, blocks, k, section_title)
                unit, period = unit or above_unit, period or above_period
            break
        text = nfkc(block.text)
        if unit is None and (m := CAPTION_UNIT.search(text)):
            unit = m.group(1)
        if period is None and len(text) <= 80:
            period = find_period(text, document.period, document.term)
    if period is None:
        period = find_period(section_title, document.period, document.term)
    return unit, period
