"""Section-aware chunks: passages that never cross a section, sized in MeCab words, each led by
its breadcrumb so the embedder and BM25 see where it stands in the report.
"""

from __future__ import annotations

import re

from qa.facts import table_layout
from qa.models import Chunk, Document, Lines
from qa.text import nfkc
from qa.tokenize import count

# e5-small reads 512 model tokens; 200 MeCab words of Japanese stay well inside it, breadcrumb included,
# and keep a passage about one topic.
MAX_WORDS = 200
# MeCab counts a long Latin or digit run as one word that e5 splits into many pieces. e5's tokenizer
# makes at most one token per NFKC character, so a passage of 450 NFKC characters always fits 512.
MAX_CHARS = 450
# A breadcrumb is capped by heading lengths, but a deep one must still leave room for a body.
_MIN_BODY_WORDS = 40
_SENTENCE = re.compile(r"(?<=。)")


def breadcrumb(path: list[str]) -> str:
    return " › ".join(path)


def _size(text: str) -> tuple[int, int]:
    return count(text), len(nfkc(text))


def _measure(text: str, words: int, chars: int) -> tuple[int, int]:
    """_size(text), or a size over both budgets without measuring when `text` cannot fit anyway."""
    # Four times the character budget cannot fit (NFKC shrinks text by far less); measuring the whole rest
    # of a long run after every cut would be quadratic.
    return _size(text) if len(text) <= 4 * chars else (words + 1, chars + 1)


def _cut(text: str, words: int, chars: int) -> list[str]:
    """`text` in pieces of at most `words` MeCab words and `chars` NFKC characters: at 、 when it can,
    else by length (a run with no 、, such as a list pasted as one line)."""
    pieces: list[str] = []
    piece = ""
    for part in re.split(r"(?<=、)", text):
        joined = piece + part
        n, c = _measure(joined, words, chars)
        if n <= words and c <= chars:
            piece = joined
            continue
        if piece:
            pieces.append(piece)
        piece = part
        n, c = _measure(piece, words, chars)
        while n > words or c > chars:
            size = max(1, min(len(piece) * words // max(n, 1), chars // 2))
            while size > 1 and (_size(piece[:size])[0] > words or len(nfkc(piece[:size])) > chars):
                size = size * 3 // 4
            pieces.append(piece[:size])
            piece = piece[size:]
            n, c = _measure(piece, words, chars)
    if piece:
        pieces.append(piece)
    return pieces


def chunk_document(document: Document, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """All chunks of a document in order, ids `<doc>:c<n>`."""
    out: list[Chunk] = []
    for section in document.sections:
        before = len(out)
        crumb = breadcrumb(section.path)
        # The room left for the body once the breadcrumb line is counted.
        words = max(max_words - count(crumb), _MIN_BODY_WORDS)
        chars = max(max_chars - len(nfkc(crumb)) - 1, _MIN_BODY_WORDS)
        units: list[tuple[str, Lines]] = []
        if section.budget and section.budget_lines:
            units.append((f"決算額 {section.budget.raw}", section.budget_lines))
        for block in section.blocks:
            if block.kind == "table" and block.table is not None:
                # Text before the table is packed first, so chunks keep the section's order. Its last line,
                # when it reads as a title (「・県有施設におけるWi-Fi環境の整備状況」), is what every row is about.
                title = _table_title(units)
                _pack(out, document.doc, section.path, crumb, units, words, chars)
                units = []
                # A table row stands alone, its header repeated as 「header: value」 pairs so the row
                # reads on its own. Headers come collapsed from the parser; collapsing again would glue a
                # merged header to its sub-header (「男女別 男」 → 「男女別男」).
                for row in table_layout(block.table, section.title):
                    pairs = [
                        f"{nfkc(h)}: {c}" if h else c
                        for h, c in row.cells[row.label_cols :] if c
                    ]
                    for body in _row_bodies(row.label, pairs, words, chars):
                        out.append(
                            Chunk(id="", doc=document.doc, section_path=section.path, lines=row.row.lines,
                                  text=f"{crumb}\n{title + chr(10) if title else ''}{body}", body=body,
                                  kind="table_row")
                        )
            elif block.kind == "bullet":
                units.append((f"・{block.text}", block.lines))
            else:
                for sentence in _SENTENCE.split(block.text):
                    if sentence.strip():
                        units.append((sentence.strip(), block.lines))
        _pack(out, document.doc, section.path, crumb, units, words, chars)
        # Chunks of this section are the ones added since `before` (scanning all of `out` is quadratic).
        if len(out) == before:
            # A heading with nothing of its own still gets a chunk, so a search can land on it. It cites
            # the heading line only: the rest of the span belongs to the children's own chunks.
            heading_line = (section.lines[0], section.lines[0])
            out.append(Chunk(id="", doc=document.doc, section_path=section.path, lines=heading_line,
                             text=crumb, body=section.heading))
    return [c.model_copy(update={"id": f"{document.doc}:c{i}"}) for i, c in enumerate(out)]


def _row_bodies(label: str, pairs: list[str], words: int, chars: int) -> list[str]:
    """The row as 「label — header: value / …」; a row too long for one chunk is split between its
    pairs (a long cell at 、), each piece led by the row label so it still reads on its own."""
    whole = f"{label} — " + " / ".join(pairs) if pairs else label
    n, c = _size(whole)
    if n <= words and c <= chars:
        return [whole]
    lead = f"{label} — "
    room_w, room_c = words - _size(lead)[0], chars - len(nfkc(lead))
    if room_w < _MIN_BODY_WORDS // 2 or room_c < _MIN_BODY_WORDS:
        # A label as long as the chunk: the label is cut like any text.
        lead, room_w, room_c = "", words, chars
        pairs = [label, *pairs]
    parts = [p for pair in pairs for p in _cut(pair, room_w, room_c)]
    bodies: list[str] = []
    group = ""
    for part in parts:
        joined = f"{group} / {part}" if group else part
        if group and (_size(joined)[0] > room_w or len(nfkc(joined)) > room_c):
            bodies.append(lead + group)
            joined = part
        group = joined
    if group:
        bodies.append(lead + group)
    return bodies


# A line before a table is its title when it is this short and ends no sentence.
TABLE_TITLE_CHARS = 40


def _table_title(units: list[tuple[str, Lines]]) -> str:
    """The title line written just before a table (「・県有施設におけるWi-Fi環境の整備状況」), else ""."""
    if not units:
        return ""
    text = units[-1][0].strip()
    if len(text) > TABLE_TITLE_CHARS or text.endswith("。") or text.startswith("決算額"):
        return ""
    return text


def _pack(out: list[Chunk], doc: str, path: list[str], crumb: str, units: list[tuple[str, Lines]],
          words: int, chars: int) -> None:
    group: list[tuple[str, Lines]] = []
    size = (0, 0)

    def emit() -> None:
        if group:
            body = "\n".join(t for t, _ in group)
            lines = (min(s[0] for _, s in group), max(s[1] for _, s in group))
            out.append(Chunk(id="", doc=doc, section_path=path, lines=lines, text=f"{crumb}\n{body}", body=body))

    for text, lines in units:
        for piece in _cut(text, words, chars):
            n, c = _size(piece)
            # +1 character for the newline that joins units.
            if group and (size[0] + n > words or size[1] + c + 1 > chars):
                emit()
                group, size = [], (0, 0)
            group.append((piece, lines))
            size = (size[0] + n, size[1] + c + (1 if len(group) > 1 else 0))
    emit()
