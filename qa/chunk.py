"""Section-aware chunks: passages that never cross a section, sized in MeCab words, each led by
its breadcrumb so the embedder and BM25 see where it stands in the report.
"""

from __future__ import annotations

import re

from qa.facts import table_layout
from qa.models import Chunk, Document, Lines
from qa.text import collapse_spacing, nfkc
from qa.tokenize import count

# e5-small reads 512 model tokens; 200 MeCab words of Japanese stay well inside it, breadcrumb included,
# and keep a passage about one topic.
MAX_WORDS = 200
_SENTENCE = re.compile(r"(?<=。)")


def breadcrumb(path: list[str]) -> str:
    return " › ".join(path)


def chunk_document(document: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    """All chunks of a document in order, ids `<doc>:c<n>`."""
    out: list[Chunk] = []
    for section in document.sections:
        crumb = breadcrumb(section.path)
        units: list[tuple[str, Lines]] = []
        if section.budget and section.budget_lines:
            units.append((f"決算額 {section.budget.raw}", section.budget_lines))

        def flush() -> None:
            if units:
                _pack(out, document.doc, section.path, crumb, units, max_words)
                units.clear()

        for block in section.blocks:
            if block.kind == "table" and block.table is not None:
                flush()
                # A table row stands alone, its header repeated as 「header: value」 pairs so the row
                # reads on its own.
                for row in table_layout(block.table, section.title):
                    pairs = [
                        f"{collapse_spacing(nfkc(h))}: {c}" if h else c
                        for h, c in row.cells[row.label_cols :] if c
                    ]
                    body = f"{row.label} — " + " / ".join(pairs) if pairs else row.label
                    out.append(
                        Chunk(id="", doc=document.doc, section_path=section.path, lines=row.row.lines,
                              text=f"{crumb}\n{body}", body=body, kind="table_row")
                    )
            elif block.kind == "bullet":
                units.append((f"・{block.text}", block.lines))
            else:
                for sentence in _SENTENCE.split(block.text):
                    if sentence.strip():
                        units.append((sentence.strip(), block.lines))
        flush()
        if not any(c.section_path == section.path for c in out):
            # A heading with nothing of its own still gets a chunk, so a search can land on it.
            out.append(Chunk(id="", doc=document.doc, section_path=section.path, lines=section.lines,
                             text=crumb, body=section.heading))
    return [c.model_copy(update={"id": f"{document.doc}:c{i}"}) for i, c in enumerate(out)]


def _pack(out: list[Chunk], doc: str, path: list[str], crumb: str, units: list[tuple[str, Lines]],
          max_words: int) -> None:
    budget = max_words - count(crumb)
    group: list[tuple[str, Lines]] = []
    size = 0

    def emit() -> None:
        if group:
            body = "\n".join(t for t, _ in group)
            lines = (min(l[0] for _, l in group), max(l[1] for _, l in group))
            out.append(Chunk(id="", doc=doc, section_path=path, lines=lines, text=f"{crumb}\n{body}", body=body))

    for text, lines in units:
        n = count(text)
        if group and size + n > budget:
            emit()
            group, size = [], 0
        if n > budget:
            # One over-long sentence: cut it at 、 boundaries into pieces that fit.
            piece = ""
            for part in re.split(r"(?<=、)", text):
                if piece and count(piece + part) > budget:
                    group.append((piece, lines))
                    emit()
                    group, piece = [], ""
                piece += part
            text, n = piece, count(piece)
        group.append((text, lines))
        size += n
    emit()
