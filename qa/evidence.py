"""Evidence: what one loaded index offers the answer layer, computed once per index.

Term weights (IDF over every indexed text), the passage around each figure, section texts, citations, the
years the corpus speaks of, and the report's own subject. Every later stage (ranking, lookups, operations,
passages, abstention) reads this and never searches or tokenises the corpus again.
"""

from __future__ import annotations

import math
import re
from functools import cached_property

from qa.analyze import Question, unit_family
from qa.index import Index
from qa.models import Chunk, Citation, Fact, Hit, Period, Section
from qa.normalize import entities, wareki
from qa.search import search
from qa.text import find_periods, norm
from qa.weights import WEIGHTS, Weights

# The running text of a section that explains its figures (a table row 「来場者数等の状況」 is explained by
# the paragraph above the table): this many characters of it.
SECTION_CONTEXT_CHARS = 400
# Term document frequencies are cached per term group; a long-running app meets many words.
DF_CACHE_MAX = 100_000


def year_of(period: str | None) -> int | None:
    """The year number of a normalised period (FY2020 → 2020, 2021-01-08 → 2021)."""
    if not period:
        return None
    m = re.search(r"(\d{4})", period)
    return int(m.group(1)) if m else None


def _clause(passage: str, raw: str) -> str:
    """The sentence or line of a passage that holds `raw` (the whole passage when it is not found)."""
    for piece in re.split(r"(?<=。)|\n", passage):
        if raw in piece:
            return piece
    return passage


def _phrase(clause: str, raw: str) -> str:
    """The part of a clause between the commas around `raw` (the clause when `raw` is not in it)."""
    for piece in clause.split("、"):
        if raw in piece:
            return piece
    return clause


def _own_cell(row: str, raw: str) -> str:
    """A table row's clause (「名 — 列: 値 / 列: 値」) cut to its name and the cell holding `raw`."""
    name, sep, cells = row.partition(" — ")
    own = [c for c in cells.split(" / ") if raw in c]
    return f"{name}{sep}{own[0]}" if sep and len(own) == 1 else row


class Evidence:
    """The index, and everything the answer layer derives from it once."""

    def __init__(self, index: Index, dense_weight: float = 0.6, top_k: int = 5,
                 weights: Weights = WEIGHTS) -> None:
        self.index = index
        self.dense_weight = dense_weight
        self.top_k = top_k
        self.weights = weights
        self.fiscal_years = {d.doc: d.fiscal_year for d in index.documents}
        self._texts = [norm(t) for t in index.texts]
        self._n = len(self._texts)
        self._df_cache: dict[str, int] = {}
        self.max_weight = math.log((self._n + 1) / 0.5)
        self._chunk_of_line: dict[tuple[str, tuple[str, ...], int], Chunk] = {}
        for c in index.chunks:
            for line in range(c.lines[0], c.lines[1] + 1):
                self._chunk_of_line.setdefault((c.doc, tuple(c.section_path), line), c)
        context: dict[tuple[str, tuple[str, ...]], str] = {}
        self._section_texts: dict[tuple[str, tuple[str, ...]], str] = {}
        for c in index.chunks:
            key = (c.doc, tuple(c.section_path))
            if c.kind == "text" and len(context.get(key, "")) < SECTION_CONTEXT_CHARS:
                context[key] = context.get(key, "") + c.body
            self._section_texts[key] = self._section_texts.get(key, "") + " " + norm(c.body)
        # Each section's table rows by label, with the row's whole text (every cell), in the report's order.
        self.table_rows: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
        for c in index.chunks:
            if c.kind == "table_row":
                rows = self.table_rows.setdefault((c.doc, tuple(c.section_path)), {})
                label = c.body.split(" — ")[0]
                rows[label] = rows.get(label, "") + " " + c.body
        # What a figure is about: its label, its column, its headings, and its passage with the running
        # text of its section.
        self.fact_fields = [
            (norm(f.label), norm(f.attribute or ""), [norm(h) for h in f.section_path],
             norm(self.passage(f) + " " + context.get((f.doc, tuple(f.section_path)), "")))
            for f in index.facts
        ]
        # The labels of each section's figures (its table's row names): what its rows are about.
        self.section_labels: dict[tuple[str, tuple[str, ...]], str] = {}
        for f, (label, _, _, _) in zip(index.facts, self.fact_fields):
            key = (f.doc, tuple(f.section_path))
            self.section_labels[key] = self.section_labels.get(key, "") + " " + label
        # The sentence (or table row) that holds each figure: what the figure is said to count.
        self.fact_clauses = [norm(_clause(self.passage(f), f.raw)) for f in index.facts]
        # The phrase of a prose figure: its clause cut at 、 (「研修やeラーニング（5,782人受講）」 of a sentence that
        # begins 「職員の…意識を高め、」); a table figure's is its row name and its own cell, not the row's
        # other cells (「構成員数: 124」 counts members, though the row's 主な活動 mentions 研修生).
        self.fact_phrases = [_phrase(c, norm(f.raw)) if f.source == "text"
                             else _own_cell(c, norm(f.raw)) if f.source == "table" else c
                             for f, c in zip(index.facts, self.fact_clauses)]
        self.facts_by_id = {f.id: f for f in index.facts}
        self.fact_position = {f.id: i for i, f in enumerate(index.facts)}  # into fact_fields, fact_clauses …
        self._chunks_by_id = {c.id: c for c in index.chunks}
        self.sections: list[Section] = [s for d in index.documents for s in d.sections]
        self.section_by_path = {(s.doc, tuple(s.path)): s for s in self.sections}
        self._children: dict[tuple[str, str | None], list[Section]] = {}
        for s in self.sections:
            self._children.setdefault((s.doc, s.parent), []).append(s)
        # The 費目 (the numbered top headings, 「1 知事戦略管理費」) and the 事業 under them (「(1) 庁議」).
        self.himoku = [s for s in self.sections if s.level == 1 and s.number.isdigit()]
        himoku_ids = {s.id for s in self.himoku}
        self.jigyo = [s for s in self.sections if s.parent in himoku_ids]
        # Each section's title, normalised once (scopes are matched against every title per question).
        self.title_norms = {(s.doc, tuple(s.path)): norm(s.title) for s in self.sections}
        self.titles_text = " ".join(self.title_norms.values())
        # The titles and what the tables' rows are about (「データベースを活用した病害虫診断」), normalised once: the
        # things the report names.
        self.named_text = self.titles_text + " " + " ".join(
            norm(c.body.split(" — ")[0]) for c in index.chunks if c.kind == "table_row" and " — " in c.body)
        self.unit_families = {unit_family(f.unit) for f in index.facts if f.unit}
        # The group headers table columns stand under (「男女別」 of 「男女別 男」), normalised once.
        self.group_headers = frozenset(norm(g).replace(" ", "") for f in index.facts
                                       if (g := (f.attribute or "").rpartition(" ")[0]))
        self.budgets = {(f.doc, tuple(f.section_path)): f for f in index.facts if f.source == "budget"}
        self._clause_periods: dict[str, frozenset[str]] = {}  # fact id → periods its sentence names (norm)
        self._leads: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # section → its lead sentences (norm)
        # The figures written in one cell (「48社73名」).
        self._cells: dict[tuple[str, tuple[int, int], str, str | None], list[Fact]] = {}
        for f in index.facts:
            self._cells.setdefault((f.doc, tuple(f.lines), f.label, f.attribute), []).append(f)
        # Each row's figures by column, to tell a total (「203件」 under 事業量) from its breakdown (事業量 県,
        # 事業量 その他).
        self.row_columns = {(f.doc, f.lines, f.label, f.attribute): f for f in index.facts}
        # The years the corpus speaks of: its reports' fiscal years, its facts' periods, any era year in
        # its text. A question about another year has no answer here.
        self.years = {fy for fy in self.fiscal_years.values() if fy}
        self.years |= {y for f in index.facts if f.period and (y := year_of(f.period))}
        self.years |= {p.year for d in index.documents for _, _, p in find_periods("\n".join(d.lines))}
        # The report's own subject (its prefecture, its department): every passage is about it, so a
        # question naming it needs no evidence that repeats the name.
        corpus = norm("\n".join("\n".join(d.lines) for d in index.documents))
        known = entities()
        self.own: set[str] = set()
        for name in known.prefectures + known.departments:
            if norm(name) in corpus:
                self.own |= {norm(name), norm(re.sub(r"[都道府県部]$", "", name))}
        years = sorted({d.fiscal_year for d in index.documents if d.fiscal_year})
        titles = "・".join(dict.fromkeys(d.title for d in index.documents))
        self.report_label = titles + (f"、{wareki(years[0], fiscal=True)}" if len(years) == 1 else "")

    # --- search ------------------------------------------------------------------------------

    def search(self, query: str, k: int = 30) -> list[Hit]:
        """The hybrid search hits for the question: done once per question."""
        return search(self.index, query, k=k, dense_weight=self.dense_weight)

    # --- term weights ------------------------------------------------------------------------

    def weight(self, group: list[str]) -> float:
        """IDF of a term group over all indexed texts; a term the report never uses weighs the most."""
        key = "\x00".join(group)
        if key not in self._df_cache:
            if len(self._df_cache) > DF_CACHE_MAX:
                self._df_cache.clear()
            self._df_cache[key] = sum(1 for t in self._texts if any(g in t for g in group))
        return math.log((self._n + 1) / (self._df_cache[key] + 0.5))

    def telling(self, q: Question, rows: bool = False) -> list[str] | None:
        """The question's most telling word when it is rare and titles a section (「着ぐるみ」 of ⑦ 着ぐるみ製作,
        「誕生」 of ④ ぐんまちゃんお誕生日会): an answer whose passage lacks it is about another thing. None when
        the rarest word is common, unknown to the report or titles nothing (with `rows`, nor heads a table row)."""
        # The kind of answer asked (「どこの会場」) is what the passage must hold, not what it is about.
        topical = [(self.weight(g), g) for t, g in zip(q.terms, q.groups)
                   if t not in q.loose and len(t) >= 2 and t not in (q.kind_asked or "")]
        if not topical:
            return None
        weight, group = max(topical, key=lambda x: x[0])
        if weight < self.weights.telling_term_weight or self.unknown(group):
            return None
        named = self.named_text if rows else self.titles_text
        return group if any(a in named for a in group) else None

    def unknown(self, group: list[str]) -> bool:
        """Whether the report never uses any word of the group."""
        return self.weight(group) >= self.max_weight - 1e-9

    def coverage(self, q: Question, text: str) -> float:
        """IDF-weighted share of the question's term groups found in `text` (normalised)."""
        if not q.groups:
            return 0.0
        t = norm(text)
        # Loose wording (「撮った」「そもそも」) and the preamble's words the report never uses are the asker's.
        groups = [g for term, g in zip(q.terms, q.groups) if not ((term in q.loose or term in q.aside) and self.unknown(g))]
        groups = groups or q.groups
        weights = [self.term_weight(g) for g in groups]
        total = sum(weights)
        found = sum(w for g, w in zip(groups, weights, strict=True) if any(a in t for a in g))
        return found / total if total else 0.0

    def term_weight(self, group: list[str]) -> float:
        """A question word's weight in what a passage or a figure must hold: its IDF weight; a word the report
        never uses cannot be found in any passage, so it weighs as the rarest words times `unknown_term_share`,
        not as the rarest word of all (「要人」「スーツ」 are the asker's words)."""
        return self.weight(group) * (self.weights.unknown_term_share if self.unknown(group) else 1.0)

    # --- passages and sections ---------------------------------------------------------------

    def chunk(self, cid: str) -> Chunk:
        return self._chunks_by_id[cid]

    def chunk_for(self, fact: Fact) -> Chunk | None:
        """The passage that holds the fact's first line."""
        return self._chunk_of_line.get((fact.doc, tuple(fact.section_path), fact.lines[0]))

    def passage(self, fact: Fact) -> str:
        chunk = self.chunk_for(fact)
        return chunk.body if chunk else fact.raw

    def sentence_names(self, fact: Fact, period: Period) -> bool:
        """Whether the sentence that gives the figure names the period itself (「うち1テーマがR3年度当初予算で
        事業化された」 for 令和3年度): the year the question asks about is written with it, whatever the figure's
        own period. Never so for a budget figure, whose year is the report's."""
        if fact.source == "budget":
            return False
        if (named := self._clause_periods.get(fact.id)) is None:
            named = frozenset(p.norm for _, _, p in find_periods(_clause(self.passage(fact), fact.raw)))
            self._clause_periods[fact.id] = named  # read once per figure, as questions first need it
        return period.norm in named

    @cached_property
    def money_paths(self) -> frozenset[tuple[str, tuple[str, ...]]]:
        """Every section (doc, path) that holds a figure in yen, itself or below it."""
        return frozenset((f.doc, tuple(f.section_path[:k])) for f in self.index.facts if unit_family(f.unit) == "円"
                         for k in range(1, len(f.section_path) + 1))

    def chunk_text(self, hit: Hit) -> str | None:
        """The passage a hit stands for: a chunk's body, or the passage around a fact."""
        if hit.kind == "chunk":
            return self._chunks_by_id[hit.id].body
        fact = self.facts_by_id.get(hit.id)
        return self.passage(fact) if fact else None

    def lead(self, section: Section) -> list[str]:
        """The sentences of a section's own paragraphs (its lead, not its tables or bullets), normalised; read
        once per section."""
        key = (section.doc, tuple(section.path))
        if (sentences := self._leads.get(key)) is None:
            sentences = [norm(x) for b in section.blocks if b.kind == "paragraph"
                         for x in re.split(r"[。]", b.text) if x.strip()]
            self._leads[key] = sentences
        return sentences

    def section_text(self, doc: str, path: list[str]) -> str:
        """The normalised text of a section's own passages (children excluded)."""
        return self._section_texts.get((doc, tuple(path)), "")

    def sibling_titles(self, doc: str, path: list[str]) -> list[str]:
        """The normalised titles of a section and the sections beside it (its parent's children)."""
        section = self.section_by_path.get((doc, tuple(path)))
        parent = next((s for s in self.sections if section is not None and s.id == section.parent), None)
        return [norm(c.title) for c in self.children(parent)] if parent is not None else []

    def cell_mates(self, fact: Fact) -> list[Fact]:
        """The other figures written in the same cell (「48社73名」: 48社 beside 73名)."""
        return [f for f in self._cells.get((fact.doc, tuple(fact.lines), fact.label, fact.attribute), [])
                if f.id != fact.id]

    def children(self, section: Section) -> list[Section]:
        return list(self._children.get((section.doc, section.id), []))

    def fact_year(self, fact: Fact) -> int | None:
        """A fact's year; a fact without a period belongs to its report's fiscal year."""
        return year_of(fact.period) if fact.period else self.fiscal_years.get(fact.doc)

    # --- citations ---------------------------------------------------------------------------

    def citation_for_fact(self, fact: Fact, score: float) -> Citation:
        """The passage that holds the figure, with the passage's own line span (it contains the fact's)."""
        chunk = self.chunk_for(fact)
        text, lines = (chunk.body, list(chunk.lines)) if chunk else (fact.raw, list(fact.lines))
        return Citation(doc=fact.doc, section_path=fact.section_path, lines=lines, text=text, score=round(score, 4))

    def section_citation(self, section: Section, text: str, score: float = 1.0) -> Citation:
        return Citation(doc=section.doc, section_path=section.path, lines=list(section.lines), text=text,
                        score=round(score, 4))

    def citations_from_hits(self, hits: list[Hit], exclude: list[Citation], limit: int,
                            distinct_sections: bool = False) -> list[Citation]:
        """Citations for the best hits, skipping passages (or, with distinct_sections, sections) already cited."""
        out: list[Citation] = []
        seen = {(c.doc, tuple(c.section_path), tuple(c.lines)) for c in exclude}
        sections = {(c.doc, tuple(c.section_path)) for c in exclude}
        for h in hits:
            if h.kind == "fact":
                cit = self.citation_for_fact(self.facts_by_id[h.id], h.score)
            else:
                cit = Citation(doc=h.doc, section_path=h.section_path, lines=list(h.lines),
                               text=self.chunk(h.id).body, score=round(h.score, 4))
            key = (cit.doc, tuple(cit.section_path), tuple(cit.lines))
            if key in seen or (distinct_sections and key[:2] in sections):
                continue
            seen.add(key)
            sections.add(key[:2])
            out.append(cit)
            if len(out) >= limit:
                break
        return out
