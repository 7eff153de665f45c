"""Pure rendering helpers for the UI: an Answer as a chat bubble and an evidence panel, a report section as HTML.

No gradio here, so every function is unit-tested with plain strings. HTML comes from the Jinja2 templates in
`qa/templates/`, rendered with autoescaping on: this module prepares plain text (breadcrumbs, line labels,
the spans of an answer's figures) and the templates place it, so report text, the question and anything
derived from them is escaped by the template engine, never by remembering to call an escaping function. A
corpus paragraph holding `<script>` or `<img onerror=…>` is shown as text. The chat bubble is Markdown, not
HTML, and is escaped for Markdown by `md_escape`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from qa.models import Answer, Block, Citation, Document, Figure, Section, Table

SEP = " › "
NO_RECORD = "この報告書には、ご質問に該当する記載が見つかりませんでした。"
RELATED = "関連しそうな箇所"
TEMPLATES = Path(__file__).resolve().parent / "templates"
FIGURE_HEADERS = ("項目", "期間", "値", "単位", "出典")


@cache
def environment() -> Environment:
    """The templates of `qa/templates/`, autoescaped; an undefined name is an error, not an empty string.

    Every template is compiled here, once, and never reloaded: a request renders from memory and touches no
    file (the report browser's handlers are tested to open and stat nothing).
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True,
                      undefined=StrictUndefined, auto_reload=False)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    return env


def render(template: str, **context: Any) -> str:
    """A template of `qa/templates/` rendered with `context` (autoescaped)."""
    return environment().get_template(template).render(**context)


def _macro(name: str):  # type: ignore[no-untyped-def]
    return getattr(environment().get_template("macros.html").module, name)


EMPTY_EVIDENCE = render("empty_evidence.html")

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start emphasis, links,
# lists, headings, tables, code or (in the Chatbot) LaTeX. <, > and & become entities instead, because a
# backslash before an entity would print the entity literally.
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|~$")
# Markdown is not HTML: the Chatbot's Markdown is escaped here, by hand, character by character.
_HTML_SPECIAL = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#x27;"}

# The converter left a few HTML lists inside table cells (「<ul style="list-style-type: none"> ・…」).
# They are turned into line breaks in the *text* before escaping; any other tag stays visible as text.
_CELL_TAG = re.compile(r"</?(?:ul|ol|li|br)\b[^>]*>", re.IGNORECASE)


def md_escape(text: str) -> str:
    """`text` made inert for the Chatbot's Markdown: punctuation backslash-escaped, HTML characters as entities."""
    out = []
    for ch in text:
        if ch in _HTML_SPECIAL:
            out.append(_HTML_SPECIAL[ch])
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def lines_label(lines: Sequence[int]) -> str:
    """「532行」 for one line, 「12–15行」 for a span."""
    if not lines:
        return ""
    start, end = lines[0], lines[-1]
    return f"{start}行" if start == end else f"{start}–{end}行"


def breadcrumb(path: Sequence[str]) -> str:
    """Section path as plain text joined with " › " (escape before use in markup)."""
    return SEP.join(path)


def figure_display(fig: Figure) -> str:
    """The figure as the reader should see it: the report's own wording when there is one."""
    if fig.raw:
        return fig.raw
    value = format_value(fig.value)
    return ("約" if fig.approx else "") + value + fig.unit


def format_value(value: str) -> str:
    """Decimal string with thousands separators (13062 → 13,062); anything unparsable unchanged."""
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    return f"{number:,}"


def _figure_caption(fig: Figure) -> str:
    parts = [fig.label]
    if fig.attribute:
        parts.append(fig.attribute)
    if fig.period:
        parts.append(fig.period)
    return "・".join(p for p in parts if p)


def answer_markdown(ans: Answer) -> str:
    """The chat bubble: the figure first, then the answer, formulas of derived figures and the source.

    An abstention says plainly that the report has no such record and lists the passages that came closest.
    """
    if ans.abstained:
        lead = ans.text.strip() or NO_RECORD
        out = [md_escape(lead)]
        related = ans.related or ans.citations
        if related:
            out.append(f"**{RELATED}**")
            out.append("\n".join(f"- {_citation_ref(c)}" for c in related))
        return "\n\n".join(out)

    out = []
    if ans.figures:
        fig = ans.figures[0]
        caption = _figure_caption(fig)
        head = f"**{md_escape(figure_display(fig))}**"
        out.append(head + (f"（{md_escape(caption)}）" if caption else ""))
    if ans.text.strip():
        out.append(md_escape(ans.text.strip()))
    for fig in ans.figures:
        if fig.derived and fig.formula:
            out.append(f"計算式：{md_escape(fig.formula)}")
    if ans.citations:
        out.append(f"出典：{_citation_ref(ans.citations[0])}")
    return "\n\n".join(out)


def _citation_ref(c: Citation) -> str:
    return f"{md_escape(breadcrumb(c.section_path))}（{lines_label(c.lines)}）"


# --- evidence panel -----------------------------------------------------------------------------------


def _is_number_char(ch: str) -> bool:
    return ch.isdigit() or ch in ",.，．"


def find_spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the needles in `text`, longest needle first.

    A needle that begins or ends with a digit only matches as a whole number, so 「16千円」 is not marked
    inside 「316千円」 and 「13,062」 not inside 「13,0625」.
    """
    spans: list[tuple[int, int]] = []
    taken = [False] * len(text)
    for needle in sorted({n for n in needles if n and n.strip()}, key=len, reverse=True):
        start = 0
        while (i := text.find(needle, start)) != -1:
            j = i + len(needle)
            start = i + 1
            if needle[0].isdigit() and i > 0 and _is_number_char(text[i - 1]):
                continue
            if needle[-1].isdigit() and j < len(text) and text[j].isdigit():
                continue
            if any(taken[i:j]):
                continue
            taken[i:j] = [True] * (j - i)
            spans.append((i, j))
    return sorted(spans)


def segments(text: str, needles: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, marked) segments: marked where one of the needles stands (see find_spans)."""
    out, pos = [], 0
    for start, end in find_spans(text, needles):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out


def highlight(text: str, needles: Iterable[str]) -> str:
    """`text` as HTML (escaped), with every occurrence of the needles wrapped in <mark>."""
    return str(_macro("marked")(segments(text, needles), False))


def clean_text(text: str) -> str:
    """Report text with the converter's stray list tags turned into line breaks (still plain text)."""
    text = _CELL_TAG.sub("\n", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def evidence_html(ans: Answer) -> str:
    """The evidence panel: each cited passage with its breadcrumb and lines, figures marked; then the figures."""
    if not ans.citations and not ans.figures:
        return EMPTY_EVIDENCE
    needles = [f.raw for f in ans.figures if f.raw and not f.derived]
    citations = [
        {"crumb": breadcrumb(c.section_path), "doc": c.doc, "lines": lines_label(c.lines),
         "segments": segments(clean_text(c.text), needles)}
        for c in _distinct(ans.citations)
    ]
    figures = [
        [fig.label + (f"（{fig.attribute}）" if fig.attribute else ""), fig.period or "—",
         ("約" if fig.approx else "") + format_value(fig.value), fig.unit or "—",
         _figure_source(fig, ans.citations)]
        for fig in ans.figures
    ]
    return render("evidence.html", citations=citations, figures=figures, headers=FIGURE_HEADERS,
                  abstained=ans.abstained)


def _distinct(citations: Sequence[Citation]) -> list[Citation]:
    """Citations minus those whose passage an earlier one already shows (facts of one chunk repeat it)."""
    shown: list[Citation] = []
    for c in citations:
        if not any(c.doc == s.doc and c.text.strip() in s.text for s in shown):
            shown.append(c)
    return shown


def _figure_source(fig: Figure, citations: Sequence[Citation]) -> str:
    """Where a figure comes from: the first cited passage quoting it, or the formula of a derived figure."""
    if fig.derived:
        return f"計算：{fig.formula}" if fig.formula else "計算値"
    for c in citations:
        if fig.raw and find_spans(c.text, [fig.raw]):
            return f"{c.section_path[-1] if c.section_path else c.doc}（{lines_label(c.lines)}）"
    return "—"


# --- report browser -----------------------------------------------------------------------------------


def section_tree(documents: Sequence[Document]) -> list[tuple[str, str]]:
    """Dropdown choices (label, section id) in document order, indented by depth.

    A document's root section is labelled with the document's title so several reports stay apart.
    """
    choices: list[tuple[str, str]] = []
    for doc in documents:
        for sec in doc.sections:
            if sec.parent is None:
                label = f"■ {doc.title or doc.doc}"
            else:
                depth = max(len(sec.path) - 1, 1)
                label = "　" * depth + (sec.heading or sec.title)
            choices.append((label, sec.id))
    return choices


def find_section(documents: Sequence[Document], section_id: str) -> tuple[Document, Section] | None:
    """The document and section with this id, or None."""
    for doc in documents:
        for sec in doc.sections:
            if sec.id == section_id:
                return doc, sec
    return None


def section_not_found_html(section_id: object) -> str:
    """The report browser's message for an id that names no loaded section (ids are looked up, never opened)."""
    return render("section_message.html", missing=str(section_id)[:80])


def section_placeholder_html() -> str:
    """The report browser before a section is chosen."""
    return render("section_message.html", missing=None)


def section_html(document: Document, section_id: str) -> str:
    """One section of the report and everything under it, as the report shows it (tables as HTML tables)."""
    by_id = {s.id: s for s in document.sections}
    if section_id not in by_id:
        return section_placeholder_html()
    children: dict[str, list[Section]] = {}
    for s in document.sections:
        if s.parent is not None:
            children.setdefault(s.parent, []).append(s)

    top = by_id[section_id]
    parts: list[dict[str, Any]] = []

    def walk(sec: Section, depth: int) -> None:
        is_root = sec.parent is None
        budget = None
        if sec.budget is not None:
            raw = sec.budget.raw
            budget = raw if raw.startswith("決算額") else "決算額 " + raw
        parts.append({
            "level": min(3 + depth, 6),  # h3 for the chosen section, one deeper per level, h6 at most
            "title": document.title if is_root and document.title else (sec.heading or sec.title),
            "lines": lines_label(sec.lines),
            "budget": budget,
            "blocks": block_views(sec.blocks),
        })
        for child in children.get(sec.id, []):
            walk(child, depth + 1)

    walk(top, 0)
    return render("section.html", crumb=breadcrumb(top.path[:-1]), parts=parts)


def block_views(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """A section's own blocks as the template lays them out; consecutive bullets become one list."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        if block.kind == "bullet":
            if not out or out[-1]["kind"] != "bullets":
                out.append({"kind": "bullets", "entries": []})
            out[-1]["entries"].append(clean_text(block.text))
        elif block.kind == "table" and block.table is not None:
            out.append({"kind": "table", "table": table_view(block.table)})
        elif block.kind == "table":
            out.append({"kind": "source", "text": block.text})
        else:
            out.append({"kind": "paragraph", "text": block.text})
    return out


def table_view(table: Table) -> dict[str, Any]:
    """A report table for the template: header rows as (cell, colspan) pairs, body rows as cleaned cells."""
    header = [
        # Upper header rows group the columns below them: the converter writes 「男女別 | | 有効期間別 | |」,
        # so a blank cell continues the group on its left.
        [(clean_text(c), k) for c, k in (_group_spans(row) if n < len(table.header) - 1 else [(c, 1) for c in row])]
        for n, row in enumerate(table.header)
    ]
    return {"header": header, "rows": [[clean_text(c) for c in row.cells] for row in table.rows]}


def table_html(table: Table) -> str:
    """A report table: header rows as <th>, body rows as <td>, cell text escaped."""
    return str(_macro("table")(table_view(table)))


def _group_spans(row: Sequence[str]) -> list[tuple[str, int]]:
    """(cell, colspan) pairs: each blank cell after a filled one widens that one; leading blanks stay."""
    spans: list[tuple[str, int]] = []
    for cell in row:
        if not cell.strip() and spans and spans[-1][0].strip():
            spans[-1] = (spans[-1][0], spans[-1][1] + 1)
        else:
            spans.append((cell, 1))
    return spans


def title_text(documents: Sequence[Document]) -> str:
    """「報告書QA — 『第2 知事戦略』（令和2年度）」: what the tool is and which reports it holds."""
    names = [
        f"『{d.title or d.doc}』" + (f"（{fiscal_label(d.fiscal_year)}）" if d.fiscal_year else "")
        for d in documents
    ]
    return "報告書QA — " + "、".join(names) if names else "報告書QA"


def fiscal_label(year: int) -> str:
    """FY in the Japanese era: 2020 → 令和2年度, 2019 → 令和元年度, 2018 → 平成30年度."""
    if year >= 2019:
        n = year - 2018
        return f"令和{'元' if n == 1 else n}年度"
    if year >= 1989:
        n = year - 1988
        return f"平成{'元' if n == 1 else n}年度"
    return f"{year}年度"
