"""Facts and answers as CSV for a spreadsheet: `python -m qa facts --csv`, `ask --csv`, the UI's download.

UTF-8 with a byte-order mark, because Excel opens a CSV without one in the machine's legacy code page
(CP932 on a Japanese Windows) and the Japanese turns to mojibake; rows end in CRLF, as Excel writes them.
Values are the report's exact figures (`Decimal` as text, never a float), so a sheet holds what the
report holds. A text cell that a spreadsheet would run as a formula (「=…」, 「+…」, 「@…」, 「-…」 that
is not a number) gets a leading apostrophe, which Excel shows as text and does not display; `read_cell`
takes it off again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO

from qa.models import Answer, Fact

BOM = "\ufeff"
SEP = " › "
FACT_COLUMNS = ("ID", "文書", "節", "項目", "属性", "期間", "期間（正規化）", "値", "単位", "倍率", "原文",
                "開始行", "終了行")
ANSWER_COLUMNS = ("質問", "回答", "数値", "単位", "期間", "出典", "文書", "開始行", "終了行", "回答不能", "エラー")
# What the UI's figures table shows of a fact: the report's wording (the CSV has every field).
TABLE_COLUMNS = ("項目", "属性", "期間", "値", "単位", "行")

_FORMULA_START = tuple("=+-@\t\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def cell(value: object) -> str:
    """One CSV cell: None as empty, text that would start a formula made inert with a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def read_cell(text: str) -> str:
    """The text `cell` was given (the apostrophe it added taken off)."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START) and not _NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


def fact_row(f: Fact) -> list[str]:
    """A fact as one row of FACT_COLUMNS."""
    return [cell(x) for x in (f.id, f.doc, SEP.join(f.section_path), f.label, f.attribute, f.period_raw,
                              f.period, f.value, f.unit, f.scale, f.raw, f.lines[0], f.lines[1])]


def answer_row(a: Answer) -> list[str]:
    """An answer as one row of ANSWER_COLUMNS: its first figure and first citation (or nearest passage)."""
    fig = a.figures[0] if a.figures else None
    cited = a.citations[0] if a.citations else None
    return [cell(x) for x in (
        a.question, a.text, fig.value if fig else None, fig.unit if fig else None, fig.period if fig else None,
        SEP.join(cited.section_path) if cited and not a.abstained else None,
        cited.doc if cited and not a.abstained else None,
        cited.lines[0] if cited and not a.abstained else None,
        cited.lines[-1] if cited and not a.abstained else None,
        "はい" if a.abstained else "いいえ", None,
    )]


def error_row(question: str, message: str) -> list[str]:
    """The row of a question that could not be asked (empty, too long): its message in エラー."""
    return [cell(question), *[""] * (len(ANSWER_COLUMNS) - 2), cell(message)]


def write_rows(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]], bom: bool = True) -> None:
    """Header and rows as CSV on a text stream (the BOM first unless `bom=False`)."""
    if bom:
        out.write(BOM)
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(row)


def facts_csv(facts: Iterable[Fact]) -> bytes:
    """Every fact as a CSV file's bytes: UTF-8 with BOM, one row per fact."""
    buf = io.StringIO()
    write_rows(buf, FACT_COLUMNS, (fact_row(f) for f in facts))
    return buf.getvalue().encode("utf-8")


def facts_under(facts: Iterable[Fact], doc: str, path: Sequence[str]) -> list[Fact]:
    """The facts of a section and of every section under it, in document order."""
    n = len(path)
    return [f for f in facts if f.doc == doc and f.section_path[:n] == list(path)]


def table_rows(facts: Iterable[Fact]) -> list[list[str]]:
    """The UI's figures table: one row of TABLE_COLUMNS per fact, the figure as the report writes it."""
    return [[f.label, f.attribute or "", f.period_raw or "", f.raw, f.unit,
             str(f.lines[0]) if f.lines[0] == f.lines[1] else f"{f.lines[0]}–{f.lines[1]}"] for f in facts]
