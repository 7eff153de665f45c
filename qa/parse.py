"""Markdown (converted from the report's PDF) → `Document`: a section tree with line-addressed blocks.

The report numbers its sections 第N › N › (N) › ① › ア and opens blocks with 【…】 lines. The PDF
conversion adds quirks that each rule below names where it handles them.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import CorpusError
from qa.models import Block, Document, Lines, Quantity, Row, Section, Table
from qa.periods import cover_period
from qa.text import collapse_spacing, find_periods, find_quantities, nfkc, squash

log = logging.getLogger(__name__)

# Heading kinds, from the outermost; a 【…】 block ranks just below the section that holds it.
RANK = {"chapter": 0.0, "himoku": 1.0, "paren": 2.0, "circled": 3.0, "kana": 4.0}
_CHAPTER = re.compile(r"^第\s*(\d+)\s*(\S.{0,30})$")
_HIMOKU = re.compile(r"^(\d{1,2})\s+(\S.{0,60})$")
_PAREN = re.compile(r"^\((\d{1,2})\)\s*(\S.{0,80})$")
_CIRCLED = re.compile(r"^([\u2460-\u2473])\s*(\S.{0,80})$")
_KANA = re.compile(r"^([アイウエオカキクケコサシスセソタチツテト])\s+(\S.*)$")
_BLOCK = re.compile(r"^【([^】]{1,40})】$")
# A Markdown heading (「### １ 【主要な経営指標等の推移】」): what HTML- and PDF-to-Markdown tools write.
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Markdown headings outrank the report's own numbered lines, whatever their number: a plain 「(1) 連結経営
#指標等」 line nests under 「### １ 【主要な経営指標等の推移】」 instead of closing it.
_MD_RANK = -10.0
_BUDGET = re.compile(r"\s*決算額\s*(?P<amount>[\d,]+千円)?\s*$")
_AMOUNT_ONLY = re.compile(r"^[\d,]+千円$")
_SEPARATOR = re.compile(r"^:?-+:?$")
# List markup the converter left inside table cells; any other tag is report text and stays as text.
_CELL_TAGS = re.compile(r"</?(?:ul|ol|li|br)(?:\s[^>]*)?/?>", re.IGNORECASE)
_SENTENCE_END = tuple("。」）)")

MAX_BYTES = 20_000_000
_MAX_TITLE = 60  # characters of a first line used as a document's title


@dataclass
class _Node:
    kind: str
    rank: float
    number: str
    title: str
    start: int
    parent: _Node | None
    budget: Quantity | None = None
    budget_lines: Lines | None = None
    blocks: list[Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    end: int = 0

    @property
    def heading(self) -> str:
        if not self.number:
            return self.title
        return f"{self.number} {self.title}"


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else CP932, as Japanese offices often save.

    Raises CorpusError naming the file when it is binary, too large or undecodable.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"{path}: 読み込めません ({err.strerror})") from err
    if len(data) > MAX_BYTES:
        raise CorpusError(f"{path}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit per document")
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{path}: binary file (NUL bytes); the corpus takes Markdown or text only")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{path}: neither UTF-8 nor CP932 (Shift_JIS); re-save it as UTF-8")


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[str]]:
    """Every file under `corpus_dir` (sorted; hidden names skipped), and the names of those left out because
    they resolve outside the folder.

    A symbolic link to /etc/passwd named passwd.md would otherwise be indexed and quoted in answers: what
    the tool reads is what the folder holds. Links to directories are not followed (pathlib's rglob).
    """
    try:
        root = corpus_dir.resolve()
        paths = sorted(corpus_dir.rglob("*"))
    except OSError:
        return [], []
    files: list[Path] = []
    outside: list[str] = []
    for p in paths:
        rel = p.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        try:
            if not p.is_file():
                continue
            inside = p.resolve().is_relative_to(root)
        except OSError:  # removed meanwhile, or a link loop
            continue
        if inside:
            files.append(p)
        else:
            outside.append(rel.as_posix())
    return files, outside


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[str]]:
    """Every readable `*.md`/`*.txt` under `corpus_dir` (README.md excepted) as a Document, and warnings.

    An empty or unreadable file is skipped with a warning naming it; the rest still loads.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: set QA_CORPUS_DIR to a folder of .md files")
    docs: list[Document] = []
    all_files, outside = corpus_files(corpus_dir)
    warnings = [
        f"{name}: a link to a file outside the corpus folder, skipped; copy the file into {corpus_dir} instead"
        for name in outside
        if Path(name).suffix.lower() in {".md", ".txt"}
    ]
    files = [p for p in all_files if p.suffix.lower() in {".md", ".txt"} and p.name.lower() != "readme.md"]
    for path in files:
        name = path.relative_to(corpus_dir).as_posix()
        try:
            text = read_text(path)
        except CorpusError as err:
            warnings.append(str(err))
            continue
        if not text.strip():
            warnings.append(f"{name}: empty file, skipped")
            continue
        docs.append(parse_document(text, name))
    for w in warnings:
        log.warning(w)
    if not docs:
        raise CorpusError(f"no readable document in {corpus_dir}: " + ("; ".join(warnings) or "no .md files"))
    return docs, warnings


def _heading(line: str) -> tuple[str, str, str] | None:
    """(kind, number, title) when `line` (stripped source text) is a section heading.

    Patterns run on the NFKC text, except circled numbers (NFKC turns 「①」 into 「1」, which would
    read as a 費目) and the letter-spaced chapter title (「第 2 知 事 戦 略」), matched once collapsed.
    """
    if m := _CIRCLED.match(line):
        return "circled", m.group(1), collapse_spacing(nfkc(m.group(2)))
    line = nfkc(line)
    for kind, pattern in (("block", _BLOCK), ("paren", _PAREN), ("himoku", _HIMOKU), ("kana", _KANA)):
        if m := pattern.match(line):
            if kind == "block":
                return kind, "", f"【{collapse_spacing(m.group(1))}】"
            number = f"({m.group(1)})" if kind == "paren" else m.group(1)
            return kind, number, collapse_spacing(m.group(2))
    if m := _CHAPTER.match(collapse_spacing(line)):
        return "chapter", f"第{m.group(1)}", m.group(2)
    return None


def _is_sentence(title: str) -> bool:
    # 「ア 職員への…環境を整備した。」 is an enumerated sentence, not a heading: headings in this
    # report are short phrases without 。.
    return "。" in title or len(title) > 45


def _split_cells(line: str) -> list[str]:
    body = line.strip().removeprefix("|").removesuffix("|")
    cells = [_CELL_TAGS.sub(" ", c) for c in body.split("|")]
    return [re.sub(r"\s+", " ", c).strip() for c in cells]


def number_value(number: str) -> int | None:
    digits = re.sub(r"\D", "", number)
    if digits:
        return int(digits)
    if len(number) == 1 and "\u2460" <= number <= "\u2473":
        return ord(number) - 0x2460 + 1
    if len(number) == 1 and number in "アイウエオカキクケコサシスセソタチツテト":
        return "アイウエオカキクケコサシスセソタチツテト".index(number) + 1
    return None


def parse_document(text: str, doc: str) -> Document:
    """Parse one report into a Document. Never raises on odd content: unknown lines are paragraphs."""
    raw_lines = text.splitlines()
    root = _Node("root", -1.0, "", "", 1, None)
    stack: list[_Node] = [root]
    pending_budget: tuple[_Node, int] | None = None  # a 「決算額」 line (node, line) whose amount follows
    kana_items = False  # inside a run of ア/イ/ウ enumerated sentences
    table_rows: list[tuple[int, str]] = []
    # (start, end, pieces) of the paragraph being read; pieces are joined once at the end, since
    # appending to one string per continued line is quadratic on a long document.
    para: tuple[int, int, list[str]] | None = None

    def current() -> _Node:
        return stack[-1]

    def flush_para() -> None:
        nonlocal para
        if para:
            start, end, pieces = para
            current().blocks.append(Block(kind="paragraph", text="".join(pieces), lines=(start, end)))
            para = None

    def flush_table() -> None:
        if table_rows:
            block = _table_block(table_rows)
            if block is not None:
                _append_table(current(), block)
            table_rows.clear()

    def open_section(kind: str, number: str, title: str, lineno: int, md_level: int = 0) -> _Node:
        if md_level:
            rank = _MD_RANK + md_level
            while len(stack) > 1 and current().rank >= rank:
                stack.pop()
        elif kind == "block":
            # A 【…】 block ends where the next one begins: blocks are siblings, never nested (a run of
            # them would otherwise nest thousands deep and overflow the recursion that closes the tree).
            while current().kind == "block":
                stack.pop()
            rank = current().rank + 0.5
        else:
            rank = RANK[kind]
            while len(stack) > 1 and current().rank >= rank:
                stack.pop()
            # A 【…】 block holds its own numbered list (「1 政策立案・検証」…「5 トップセールス」); when the
            # numbering restarts (「1 知事戦略管理費」) the block has ended.
            top = current()
            if top.kind == "block":
                same = [c for c in top.children if c.kind == kind]
                n = number_value(number)
                if same and n is not None and n <= (number_value(same[-1].number) or 0):
                    stack.pop()
                    while len(stack) > 1 and current().rank >= rank:
                        stack.pop()
        node = _Node(kind, rank, number, title, lineno, current())
        current().children.append(node)
        stack.append(node)
        return node

    for lineno, raw in enumerate(raw_lines, start=1):
        line = nfkc(raw).strip()
        if not line:
            # A table ends at a blank line; a table that continues on the next page is joined
            # back by _append_table.
            flush_table()
            continue
        if not line.startswith("|"):
            flush_table()
        if line.startswith("|"):
            flush_para()
            table_rows.append((lineno, raw))
            continue

        collapsed = collapse_spacing(line)
        # A budget on its own line(s) under a heading: 「決算額 32,001千円」 or 「決算額」 then 「59,184千円」.
        if m := _BUDGET.fullmatch(collapsed):
            flush_para()
            node = current()
            if m.group("amount"):
                _set_budget(node, m.group("amount"), lineno, lineno)
            else:
                pending_budget = (node, lineno)
            continue
        if pending_budget is not None and _AMOUNT_ONLY.match(collapsed):
            # budget_lines is only set with an amount: a bare 「決算額」 line with none after it cites nothing.
            _set_budget(pending_budget[0], collapsed, pending_budget[1], lineno)
            pending_budget = None
            continue
        pending_budget = None

        if (md := _MD_HEADING.match(raw.strip())) and md.group(2):
            inner = md.group(2)
            numbered = _heading(inner)
            kind, number, title = numbered or ("markdown", "", collapse_spacing(nfkc(inner)))
            if not _is_sentence(title) or "。" not in title:
                # 「#### 当連結会計年度末において、流動比率は422％…です。」: a sentence marked as a heading is text.
                flush_para()
                kana_items = False
                open_section(kind, number, title, lineno, md_level=len(md.group(1)))
                continue
            raw = inner
            line = nfkc(inner).strip()
        head = _heading(raw.strip())
        if head and head[0] == "kana":
            if head[1] == "ア":
                kana_items = _is_sentence(head[2])
            if kana_items or _is_sentence(head[2]):
                head = None
        if head and head[0] in {"himoku", "paren", "circled"} and _is_sentence(head[2]):
            head = None
        if head:
            kind, number, title = head
            if kind == "chapter" and any(
                n.kind == "chapter" and n.number == number for n in stack
            ):
                # The title page repeats the chapter heading, once letter-spaced (「第 2 知 事 戦 略」).
                continue
            flush_para()
            if kind != "kana":
                kana_items = False
            budget = None
            if bm := re.search(r"\s*決算額\s*(?P<amount>[\d,]+千円)?\s*$", title):
                title, budget = title[: bm.start()].strip(), bm.group("amount")
            node = open_section(kind, number, title, lineno)
            if budget:
                _set_budget(node, budget, lineno, lineno)
            elif bm:
                pending_budget = (node, lineno)
            continue

        is_bullet = line.startswith(("- ", "* ", "・"))
        body = re.sub(r"^[-*]\s+", "", raw.strip())
        if is_bullet:
            flush_para()
            body = re.sub(r"^[・･]\s*", "", body)
            current().blocks.append(Block(kind="bullet", text=body, lines=(lineno, lineno)))
            continue
        # A sentence cut by a PDF page break continues on the next text line, which then starts
        # with a particle or okurigana (「閉域LTE網とし」 / 「て、モバイルルータ…」).
        if para and not para[2][-1].endswith(_SENTENCE_END) and re.match(r"[\u3041-\u3096]", line):
            para[2].append(raw.strip())
            para = (para[0], lineno, para[2])
            continue
        flush_para()
        para = (lineno, lineno, [raw.strip()])
    flush_para()
    flush_table()
    return _build_document(doc, text, raw_lines, root)


def _set_budget(node: _Node, amount: str, start: int, end: int) -> None:
    found = find_quantities(amount)
    if found:
        node.budget = found[0][2]
        node.budget_lines = (start, end)


def _table_block(rows: list[tuple[int, str]]) -> Block | None:
    parsed = [(n, _split_cells(r)) for n, r in rows]
    body = [(n, c) for n, c in parsed if not all(_SEPARATOR.match(x) or not x for x in c) or not any(c)]
    body = [(n, c) for n, c in body if any(c)]
    has_separator = any(all(_SEPARATOR.match(x) or not x for x in c) and any(c) for _, c in parsed)
    if not body:
        return None
    header: list[list[str]] = []
    if has_separator:
        header.append([collapse_spacing(c) for c in body[0][1]])
        body = body[1:]
    # A merged header (「男 女 別 | | 有 効 期 間 別 | |」) leaves blank header cells that the first body
    # row fills with sub-headings (「男 | 女 | 10年 | 5年 | その他」): a row with no figure is a header row.
    if header and body and any(not c for c in header[0]) and not any(
        find_quantities(c) for c in body[0][1]
    ) and all(body[0][1]):
        header.append([collapse_spacing(c) for c in body[0][1]])
        body = body[1:]
    table = Table(header=header, rows=[Row(cells=c, lines=(n, n)) for n, c in body])
    text = "\n".join(r for _, r in rows)
    return Block(kind="table", text=text, lines=(rows[0][0], rows[-1][0]), table=table)


def _append_table(node: _Node, block: Block) -> None:
    """Append a table, joining it to the previous one when it continues it across a page break."""
    prev = node.blocks[-1] if node.blocks else None
    if (
        prev is not None and prev.kind == "table" and prev.table and block.table
        and prev.table.header == block.table.header and block.table.header
    ):
        # The next page repeats the header; its first row, when its label is the previous row's label
        # in parentheses (「(新型コロナウイルス感染症拡大防止緊急啓発広告)」), continues that row.
        rows = list(prev.table.rows)
        new_rows = list(block.table.rows)
        if rows and new_rows:
            label = squash(new_rows[0].cells[0]) if new_rows[0].cells else ""
            if label.startswith("(") and label.endswith(")") and label[1:-1] == squash(rows[-1].cells[0]):
                last, cont = rows[-1], new_rows.pop(0)
                width = max(len(last.cells), len(cont.cells))
                cells = [
                    " ".join(x for x in (_at(last.cells, i), _at(cont.cells, i) if i else "") if x)
                    for i in range(width)
                ]
                rows[-1] = Row(cells=cells, lines=(last.lines[0], cont.lines[1]))
        table = Table(header=prev.table.header, rows=rows + new_rows)
        node.blocks[-1] = Block(
            kind="table", text=prev.text + "\n" + block.text, lines=(prev.lines[0], block.lines[1]), table=table
        )
        return
    node.blocks.append(block)


def _at(cells: list[str], i: int) -> str:
    return cells[i] if i < len(cells) else ""


def _build_document(doc: str, text: str, lines: list[str], root: _Node) -> Document:
    n_lines = len(lines)
    title = next((collapse_spacing(nfkc(line)) for line in lines if line.strip()), doc)
    if len(title) > _MAX_TITLE:
        # A first line that is a whole paragraph (or the whole file) would become every breadcrumb.
        title = title[:_MAX_TITLE] + "…"
    if not root.children or root.blocks:
        # Content before the first heading (or a file with no headings at all) becomes a section
        # named after the document, so every block has a section.
        stem = Path(doc).stem
        intro = _Node("intro", -0.5, "", title if not root.children else f"{stem}", 1, root, blocks=root.blocks)
        root.blocks = []
        if not root.children:
            root.children = [intro]
        else:
            root.children.insert(0, intro)

    def close(node: _Node, end: int) -> None:
        node.end = end
        for i, child in enumerate(node.children):
            nxt = node.children[i + 1].start - 1 if i + 1 < len(node.children) else end
            close(child, nxt)

    close(root, n_lines)
    sections: list[Section] = []
    counter = 0

    def trim(start: int, end: int) -> int:
        while end > start and not lines[end - 1].strip():
            end -= 1
        return end

    def emit(node: _Node, path: list[str], parent: str | None) -> None:
        nonlocal counter
        sid = f"{doc}#{counter}"
        counter += 1
        heading = node.heading
        my_path = path + [heading]
        own_end = trim(node.start, node.end)
        sections.append(
            Section(
                id=sid, doc=doc, level=len(path), number=node.number, title=node.title, heading=heading,
                path=my_path, lines=(node.start, max(own_end, node.start)), budget=node.budget,
                budget_lines=node.budget_lines, blocks=node.blocks, parent=parent,
            )
        )
        for child in node.children:
            emit(child, my_path, sid)

    for top in root.children:
        emit(top, [], None)
    chapters = [s for s in sections if s.number.startswith("第")]
    doc_title = chapters[0].heading if chapters else title
    years = Counter(p.year for _, _, p in find_periods(text) if p.fiscal)
    fiscal_year = years.most_common(1)[0][0] if years else None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cover = _cover(sections)
    subject, aliases, period, term = doc_title, [], None, None
    if cover.get("会社名"):
        # A company's report names the company and its fiscal year on its cover (【会社名】, 【事業年度】).
        subject = collapse_spacing(nfkc(cover["会社名"]))
        aliases = _aliases(subject, cover.get("英訳名"))
        if found := cover_period(cover.get("事業年度", "")):
            period, term = found
            fiscal_year = period.year
        doc_title = subject
    return Document(doc=doc, title=doc_title, fiscal_year=fiscal_year, sections=sections, lines=lines, sha256=sha,
                    subject=subject, aliases=aliases, period=period, term=term)


# 「株式会社キーエンス」 is asked about as 「キーエンス」: the legal form is no part of the name people use.
_LEGAL_FORMS = re.compile(r"^(?:株式会社|\(株\)|㈱)|(?:株式会社|\(株\)|㈱)$")


def _cover(sections: list[Section]) -> dict[str, str]:
    """The cover's 【item】 | value rows (the first of each), from the first tables of the document."""
    out: dict[str, str] = {}
    for section in sections[:3]:
        for block in section.blocks:
            if block.table is None:
                continue
            for cells in [*block.table.header, *(r.cells for r in block.table.rows)]:
                if len(cells) >= 2 and (m := re.fullmatch(r"【(.+?)】", nfkc(cells[0]).strip())) and cells[1].strip():
                    out.setdefault(m.group(1), cells[1].strip())
    return out


def _aliases(subject: str, english: str | None) -> list[str]:
    out = []
    short = _LEGAL_FORMS.sub("", subject).strip()
    if short and short != subject:
        out.append(short)
    if english:
        out.append(collapse_spacing(nfkc(english)).strip())
    return out


def section_text(document: Document, section: Section) -> str:
    """The section's own source lines (heading, budget and blocks, children excluded)."""
    starts = [s.lines[0] for s in document.sections if s.parent == section.id]
    end = (min(starts) - 1) if starts else section.lines[1]
    return "\n".join(document.lines[section.lines[0] - 1 : end]).strip()
