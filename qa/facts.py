"""Facts: every figure of the report as a typed record with its label, attribute, unit, period and lines.

Sources: budget lines (「決算額 4,016千円」), table cells (row label with its inherited group, column header,
unit inherited down the column), and figures in bullets and paragraphs (「旅券発行件数 令和2年：13,062件」,
「（令和2年度寄附受入実績：1,298件、30,245,843円）」, 「【Twitter】フォロワー数：約1.9万人」).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from qa.grid import caption, is_grid, read_grid
from qa.models import Block, Document, Fact, Lines, Period, Quantity, Row, Section, Table
from qa.text import (
    BARE_NUMBER,
    PERIOD,
    collapse_spacing,
    find_periods,
    find_quantities,
    mask_dates,
    nfkc,
    nfkc_map,
    source_span,
)

# Where a label ends, reading backwards from a figure.
_DELIMS = "。、，,()（）「」『』/／:：;；\n"
_TRAILING_PERIOD = re.compile(rf"(?:{PERIOD.pattern})[\s:：]*$")
# How far back from a figure its label and period are looked for. Labels are cut at a delimiter and
# capped at 30 characters; reading the whole text before every figure is quadratic on a long paragraph.
_LABEL_WINDOW = 200
# What a figure counts, written right after it (see _text_facts).
_AFTER = re.compile(r"の([^、。,，()（）「」『』\s:：]{1,8}?)(?:が|を|は|に|で|と|の|、|。|$)")


def extract_facts(document: Document) -> list[Fact]:
    """All facts of a document, in document order, with ids `<doc>:f<n>`."""
    out: list[Fact] = []
    tables = 0
    for section in document.sections:
        if section.budget and section.budget_lines:
            out.append(_budget_fact(document, section))
        for at, block in enumerate(section.blocks):
            if block.kind == "table" and block.table is not None:
                table_id = f"{document.doc}:t{tables}"
                tables += 1
                unit, period = caption(document, section.blocks, at, section.title)
                found = (_grid_facts(document, section, block.table, unit, period, block.lines) if is_grid(block.table, unit)
                         else _table_facts(document, section, block.table))
                out.extend(f.model_copy(update={"table": table_id}) for f in found)
            else:
                out.extend(_text_facts(document, section, block))
    return [f.model_copy(update={"id": f"{document.doc}:f{i}"}) for i, f in enumerate(out)]


def _fact(document: Document, section: Section, q: Quantity, lines: Lines, **kw: object) -> Fact:
    return Fact(
        id="", doc=document.doc, section_path=section.path, value=q.value, unit=q.unit, scale=q.scale,
        raw=q.raw, approx=q.approx, lines=lines, **kw,
    )


def _budget_fact(document: Document, section: Section) -> Fact:
    assert section.budget and section.budget_lines
    q = section.budget
    # The amount may sit on the line after 「決算額」; raw is the amount as written.
    raw_line = "\n".join(document.lines[section.budget_lines[0] - 1 : section.budget_lines[1]])
    raw = _find_raw(raw_line, q.raw) or q.raw
    return _fact(
        document, section, q.model_copy(update={"raw": raw}), section.budget_lines,
        label=section.title, attribute="決算額", source="budget",
    )


def _find_raw(source: str, normalised: str) -> str | None:
    text, index = nfkc_map(source)
    pos = text.find(normalised)
    return source_span(source, index, pos, pos + len(normalised)) if pos >= 0 else None


# --- tables ------------------------------------------------------------------------------------


def _grid_facts(document: Document, section: Section, table: Table, unit: str | None,
                period: Period | None, lines: tuple[int, int] | None = None) -> list[Fact]:
    """Facts of a converter-written table (qa/grid.py): one per figure cell, labelled by its row, attributed to
    its column, with the column's fiscal year and the unit from wherever the table wrote it."""
    out = []
    for cell in read_grid(table, document, unit, period, lines):
        v = cell.value
        if v.value is None:
            continue  # a dash or text: qa/grid.py reads it where a question asks for that cell
        q = Quantity(raw=v.raw, value=v.value, unit=v.unit, scale=cell.scale)
        p = cell.period
        out.append(_fact(document, section, q, cell.lines, label=cell.label or section.title,
                         attribute=cell.header or None, period=p.norm if p else None,
                         period_raw=p.raw if p else None, source="table", row=cell.row))
    return out


def _is_figure_cell(cell: str) -> bool:
    """A cell that is mostly a figure (「1,419千円」, 「2,597」, 「41回」), not a label."""
    text = nfkc(cell).strip()
    if not text or text in {"-", "―", "－"}:
        return True
    covered = sum(e - s for s, e, _ in find_quantities(text))
    covered += sum(len(m.group()) for m in BARE_NUMBER.finditer(mask_dates(text)))
    return covered >= len(text.replace(" ", "")) * 0.5


def _column_headers(table: Table, ncols: int, label_cols: int) -> list[str]:
    rows = [r + [""] * (ncols - len(r)) for r in table.header]
    if not rows:
        return [""] * ncols
    if len(rows) == 1 and label_cols and any(not c for c in rows[0]):
        named = [c for c in rows[0] if c]
        # The converter writes a merged header cell as a blank, sometimes at the end of the row
        # (「区分 | 事業量 | 事業費 | 」 over label, label, value, value): when the named headers after
        # the first match the value columns one to one, use them in order.
        if len(named) - 1 == ncols - label_cols:
            return [named[0]] * label_cols + named[1:]
    # A blank header cell belongs to the merged cell on its left; a second header row names the
    # sub-columns (「男女別」 over 「男」「女」).
    top, last, headers = rows[0], "", []
    for i in range(ncols):
        last = top[i] or last
        sub = rows[1][i] if len(rows) > 1 else ""
        headers.append(" ".join(x for x in (last, sub) if x))
    return headers


class TableRow(NamedTuple):
    row: Row
    label: str  # the row's name: inherited group + label cells, or the section title
    cells: list[tuple[str, str]]  # (column header, raw cell) for every column
    label_cols: int


def table_layout(table: Table, section_title: str) -> list[TableRow]:
    """Each body row with its label and its cells paired with their column headers."""
    if not table.rows:
        return []
    ncols = max([len(r.cells) for r in table.rows] + [len(h) for h in table.header])
    cells = [r.cells + [""] * (ncols - len(r.cells)) for r in table.rows]
    # Label columns: the first column when it holds names, plus the columns after it that a merged
    # 「区分」 header spans (one blank header cell each) while they hold names too.
    blanks = sum(1 for c in table.header[0] if not c) if len(table.header) == 1 else 0
    label_cols = 0
    for col in range(ncols - 1):
        column = [c[col] for c in cells if c[col]]
        names = bool(column) and sum(not _is_figure_cell(c) for c in column) * 2 > len(column)
        if names and (col == 0 or col <= blanks):
            label_cols += 1
        else:
            break
    headers = _column_headers(table, ncols, label_cols)
    out: list[TableRow] = []
    group = ""
    first_values = [c[label_cols] for c in cells if label_cols < ncols - 1 and c[label_cols]]
    figure_column = bool(first_values) and sum(map(_is_figure_cell, first_values)) * 3 >= len(first_values) * 2
    for row, row_cells in zip(table.rows, cells):
        if (label_cols and figure_column and not row_cells[0] and row_cells[1]
                and not _is_figure_cell(row_cells[label_cols]) and row_cells[label_cols + 1]
                and _is_figure_cell(row_cells[label_cols + 1])):
            # A merged group cell the conversion wrote one column to the right (「| | テレビ | 県広報番組
            # 「ぐんま一番」 | 30分番組 | 39 |」): a name where the column holds figures, and the figure after
            # it. The row's cells move back, the group first, the figure into its own column.
            row_cells = [*row_cells[1:label_cols + 2], "", *row_cells[label_cols + 2:]]
        if label_cols:
            # An empty first cell continues the group above (the PDF merged the cell vertically).
            group = row_cells[0] or group
            parts = [group] + [c for c in row_cells[1:label_cols] if c]
            label = " ".join(collapse_spacing(nfkc(p)) for p in parts if p)
        else:
            label = section_title
        out.append(TableRow(row, label, list(zip(headers, row_cells)), label_cols))
    return out


def _table_facts(document: Document, section: Section, table: Table) -> list[Fact]:
    out: list[Fact] = []
    column_unit: dict[int, Quantity] = {}
    for row_no, layout in enumerate(table_layout(table, section.title)):
        label, label_cols, row = layout.label, layout.label_cols, layout.row
        periods = find_periods(label)
        period = periods[0][2] if periods else None
        if period and label.replace(period.raw, "").strip() in {"", "末累計"}:
            # A row named only by its period (「令和2年度」, 「令和2年度末累計」) counts the section's subject.
            label = section.title + " " + label
        for col, (header, cell) in enumerate(layout.cells):
            if not cell:
                continue
            attribute = header or None
            # Label cells hold names: only figures with a unit (「知事戦略部2課」) are facts there.
            if col < label_cols:
                figures = [("", q) for _, _, q in find_quantities(cell)]
            else:
                figures = _cell_figures(cell, column_unit.get(col))
            for sub, q in figures:
                # A column states its unit in its first figure (「1,419千円」 then 「2,597」); a later cell
                # with a unit of its own (a row the conversion shifted into this column) keeps that unit
                # without redefining the column's.
                if col >= label_cols and q.unit and col not in column_unit:
                    column_unit[col] = q
                attr = " ".join(x for x in (attribute, sub) if x) or None
                # 「令和3年度に16か所に…」: a period written just before the figure in its cell is its period.
                own = _period_before(cell, q.raw) or period
                out.append(
                    _fact(
                        document, section, q, row.lines, label=label, attribute=attr,
                        when=own,
                        source="table", row=row_no,
                    )
                )
    return out


def _period_before(cell: str, raw: str) -> Period | None:
    pos = cell.find(raw)
    if pos < 0:
        return None
    clause = re.split(r"[。、,，・]", cell[:pos])[-1]
    found = find_periods(clause)
    return found[-1][2] if found and not found[-1][2].norm.count("-") else None


def _cell_figures(cell: str, column_unit: Quantity | None) -> list[tuple[str, Quantity]]:
    """(sub-label, quantity) for each figure in a cell.

    A column's unit is written once, in its first cell (「1,419千円」 then 「2,597」); packed cells write
    it once too (「630,000部/回 619,000 609,500」): a bare number takes the unit of the figure before
    it in the cell, else the column's.
    """
    text, index = nfkc_map(cell)
    masked = mask_dates(text)
    found = [(s, e, q) for s, e, q in find_quantities(cell)]
    spans = [(s, e) for s, e, _ in found]
    for m in BARE_NUMBER.finditer(masked):
        s, e = m.span()
        if any(a <= s < b for a, b in spans) or (s > 0 and masked[s - 1] in "第〓"):
            continue
        if e < len(masked) and re.match(r"[A-Za-z]", masked[e]) or (s > 0 and re.match(r"[A-Za-z]", masked[s - 1])):
            continue
        found.append((s, e, None))
    found.sort(key=lambda t: t[0])
    out: list[tuple[str, Quantity]] = []
    prev: Quantity | None = None
    prev_end, prev_sub = -1, ""
    # A cell listing several items as 「・title … ・ title …」 (a 「・」 after a space; in the spaced-out
    # 「I o T ・ A I」 the space follows a letter): each figure is qualified by its item's title.
    starts = [m.end() for m in re.finditer(r"(?:^|(?<![A-Za-z])\s)・\s?(?=\S)", text)]
    for s, e, q in found:
        raw = source_span(cell, index, s, e)
        if q is None:
            unit_from = prev or column_unit
            value = Decimal(text[s:e].replace(",", ""))
            q = Quantity(
                raw=raw, value=value, unit=unit_from.unit if unit_from else "",
                scale=unit_from.scale if unit_from else 1, approx=False,
            )
        else:
            q = q.model_copy(update={"raw": raw})
        sub = _lead_label(text[max(0, s - _LABEL_WINDOW):s])
        if not sub and prev_end >= 0 and re.fullmatch(r"[\s、,，]*", text[prev_end:s]):
            sub = prev_sub  # 「参加人数：48社73名」: figures written together share their label
        item_start = max((p for p in starts if p <= s), default=None)
        if item_start is not None:
            # The item's title is its first word once letter-spacing is undone (「I o T ・ A Iセミナー 開 催 日：…」).
            title = re.split(r"[\s:：]", collapse_spacing(text[item_start:s].strip()) + " ")[0]
            if title and title != sub and len(title) <= 30:
                sub = f"{title} {sub}".strip()
        out.append((sub, q))
        prev, prev_end, prev_sub = q, e, _lead_label(text[max(0, s - _LABEL_WINDOW):s]) or prev_sub
    return out


def _lead_label(before: str) -> str:
    """The words just before a figure inside a cell: 「動画再生 1,812,761回」 → 「動画再生」."""
    before = re.sub(r"[\s:：]+$", "", before)
    # Packed values (「630,000部/回 619,000」, 「年3回発行 619,000部/回」): a last word holding a figure is
    # no label. The word is cut at brackets and commas too, so 「203件（県：141」 still finds 「県」.
    if re.search(r"\d[^\s(（、,，]*$", before):
        return ""
    m = re.search(rf"([^{re.escape(_DELIMS)}\s・]+)$", before)
    return collapse_spacing(m.group(1)) if m and not re.fullmatch(r"[\d,.]+[^\d]*", m.group(1)) else ""


# --- bullets and paragraphs ----------------------------------------------------------------------


def _text_facts(document: Document, section: Section, block: Block) -> list[Fact]:
    source = block.text
    text, index = nfkc_map(source)
    out: list[Fact] = []
    prev_end = -1
    prev_label: str | None = None
    prev_period = None
    for s, e, q in find_quantities(source):
        before = text[max(0, s - _LABEL_WINDOW):s]
        period = None
        if m := _TRAILING_PERIOD.search(before):
            period = find_periods(m.group())[0][2]
            before = before[: m.start()]
        gap = text[prev_end:s] if prev_end >= 0 else None
        if gap is not None and re.fullmatch(r"[\s、,，/／(（×]*", _strip_period(gap)):
            # 「1,298件、30,245,843円」, 「令和2年：12,741件、令和元年：49,351件」: figures listed after one
            # label share it, and its period unless they name their own.
            label = prev_label
            period = period or prev_period
        else:
            label = _text_label(before)
            # 「令和2年度寄附受入実績：」: a period inside the label is the figure's period.
            if label and (inner := find_periods(label)):
                period = period or inner[0][2]
                label = label.replace(inner[0][2].raw, "").strip() or label
        if not label:
            label = section.title
        raw = source_span(source, index, s, e)
        # 「10テーマの提案が行われ」, 「5つのテーマで」: the noun right after a figure says what it counts.
        after = _AFTER.match(text, e)  # matched in place: slicing text[e:] per figure is quadratic
        out.append(
            _fact(
                document, section, q.model_copy(update={"raw": raw}), block.lines, label=label or section.title,
                attribute=after.group(1) if after else None,
                when=period,
                source="bullet" if block.kind == "bullet" else "text",
            )
        )
        prev_end, prev_label, prev_period = e, label, period
    return out


def _strip_period(gap: str) -> str:
    return PERIOD.sub("", gap).replace(":", "").replace("：", "")


def _text_label(before: str) -> str:
    """The label of a figure in running text: the phrase right before it, back to a delimiter.

    「旅券発行件数 令和2年：」 → 旅券発行件数, 「【Twitter】フォロワー数：」 → Twitter フォロワー数,
    「研修やeラーニング（」 → 研修やeラーニング, 「参加者：」 → 参加者.
    """
    before = re.sub(r"[\s]+$", "", before)
    trimmed = re.sub(r"[:：]$", "", before).rstrip()
    if trimmed.endswith(("(", "（", "：", ":")):
        trimmed = trimmed[:-1].rstrip()
    elif (trimmed != before and not trimmed) or (trimmed == before and before.endswith(tuple("、,，"))):
        return ""
    if gloss := re.search(rf"([^{re.escape(_DELIMS)}]+)[(（]([^()（）]{{1,12}})[)）]$", trimmed):
        # 「…及び県内学校の英語指導助手（ALT）125名」: the name with its gloss, after the figure before it.
        name = re.sub(r"^.*\d\S{0,3}?(及び|並びに|と)", "", gloss.group(1))
        name = re.sub(r"^[・\s]+", "", name)
        return collapse_spacing(f"{name}({gloss.group(2)})")[-30:]
    m = re.search(r"【([^】]+)】([^【】]*)$", trimmed)
    if m and not re.search(rf"[{re.escape(_DELIMS)}]", m.group(2)):
        return collapse_spacing(f"{m.group(1)} {m.group(2)}").strip()
    seg = re.split(rf"[{re.escape(_DELIMS)}]", trimmed)[-1]
    seg = re.sub(r"^[・\s]+|[\s約計全延べ]+$", "", seg)
    seg = collapse_spacing(seg)
    if len(seg) > 30:
        seg = seg[-30:]
    return seg
