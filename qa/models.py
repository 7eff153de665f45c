"""Typed records passed between the pipeline stages.

parse → Document/Section/Block/Table; facts → Fact; chunk → Chunk; search → Hit;
answer → Answer/Figure/Citation. Records built from files or user input forbid extra fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Lines = tuple[int, int]  # 1-based, inclusive line span in the source file


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quantity(_Record):
    """A number with its unit as the report writes it (「約1.9万人」 → 19000 人, approx)."""

    raw: str
    value: Decimal
    unit: str = ""
    scale: int = 1  # multiply value by scale to get the base unit (千円 → 1000 円)
    approx: bool = False


class Period(_Record):
    """An era date normalised: 令和2年度 → FY2020, 令和元年 → 2019, 令和3年1月8日 → 2021-01-08."""

    raw: str
    norm: str  # "FY2020" | "2019" | "2021-01" | "2021-01-08"
    year: int  # calendar or fiscal year number
    fiscal: bool = False
    # The last day (or month) a fiscal year covers, ISO: "2020-03-31" for 2020年3月期 (FY2019). Set for the
    # 西暦 periods of company reports (qa/periods.py), whose questions name the year a fiscal year ends in.
    end: str | None = None

    @classmethod
    def from_norm(cls, norm: str, raw: str | None = None) -> Period:
        """The period a normalised string names (「FY2020」 → fiscal 2020, 「2021-01-08」 → 2021)."""
        fiscal = norm.startswith("FY")
        return cls(raw=raw or norm, norm=norm, year=int(norm.removeprefix("FY")[:4]), fiscal=fiscal)


class Row(_Record):
    cells: list[str]
    lines: Lines


class Table(_Record):
    """A pipe table: header rows (letter-spacing collapsed) and body rows (raw cell text)."""

    header: list[list[str]]
    rows: list[Row]


class Block(_Record):
    kind: Literal["paragraph", "bullet", "table"]
    text: str  # source text (bullets without the "- ・" marker); tables as their source lines
    lines: Lines
    table: Table | None = None


class Section(_Record):
    id: str  # "<doc>#<n>", stable within a build
    doc: str
    level: int  # 0 chapter 第N, 1 費目 N, 2 (N), 3 ①, 4 ア, 5 【…】
    number: str  # "第2", "5", "(4)", "①", "ア", "" for a document without headings
    title: str  # letter-spacing collapsed, budget removed: "旅券発給"
    heading: str  # "(4) 旅券発給": the number and the title, as shown in breadcrumbs
    path: list[str]  # headings from the chapter down to this section
    lines: Lines  # the whole section, children included
    budget: Quantity | None = None  # 「決算額 4,016千円」 on the heading line or the lines after it
    budget_lines: Lines | None = None
    blocks: list[Block] = Field(default_factory=list)  # own blocks, children excluded
    parent: str | None = None


class Document(_Record):
    doc: str  # path relative to the corpus folder, e.g. "gunma_r2_chiji_senryaku.md"
    title: str
    fiscal_year: int | None  # FY the report covers, detected from its text (令和2年度 → 2020)
    # Whom or what the report is about: the company on its cover (「任天堂株式会社」), or the department and
    # year of a prefectural report; questions naming a subject are answered from its document.
    subject: str | None = None
    aliases: list[str] = Field(default_factory=list)  # other names of the subject (「任天堂」, its English name)
    period: Period | None = None  # the fiscal year its cover names (【事業年度】), with its end
    term: int | None = None  # the number of that fiscal year (第80期 → 80)
    sections: list[Section]  # document order; sections[0] is the root
    lines: list[str]  # source lines; lines[i - 1] is line i
    sha256: str


class Fact(_Record):
    id: str
    doc: str
    section_path: list[str]
    label: str  # what is counted: 「旅券発行件数」, 「ぐんま広報」, or the section title for 決算額
    attribute: str | None = None  # the column or measure: 「事業費」, 「決算額」, 「男女別 男」
    value: Decimal
    unit: str
    scale: int = 1
    raw: str  # exact source text of the figure
    # The figure's period, typed: its wording (令和2年), normalised (FY2020, 2019) and year number; or None.
    when: Period | None = None
    approx: bool = False
    lines: Lines
    source: Literal["table", "budget", "bullet", "text"] = "text"
    # Where a table fact stands: the table (`<doc>:t<n>`, document order), its body row (0-based) and its
    # row label as the table writes it. The figures it stands among (a column, a row) are then exact.
    table: str | None = None
    row: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _period_strings(cls, data: object) -> object:
        # A Fact built the earlier way, `period="FY2020", period_raw="令和2年度"`, still validates: the two
        # strings become `when`. Kept while modules written against the strings are moved to `when`.
        if isinstance(data, dict) and ("period" in data or "period_raw" in data) and "when" not in data:
            data = dict(data)
            norm, raw = data.pop("period", None), data.pop("period_raw", None)
            data["when"] = Period.from_norm(norm, raw) if norm else None
        return data

    @property
    def period(self) -> str | None:
        """The period normalised (「FY2020」, 「2019」), or None: `when.norm`, for code that compares strings."""
        return self.when.norm if self.when else None

    @property
    def period_raw(self) -> str | None:
        """The report's own wording of the period (「令和2年」), or None: `when.raw`."""
        return self.when.raw if self.when else None

    def sentence(self, full_path: bool = True) -> str:
        """The fact as one short sentence: breadcrumb, label, attribute, period, value with unit.

        `full_path=False` keeps only the deepest heading: the text that is embedded and indexed, half as
        long (e5 runs twice as fast on it) and free of the headings every fact of a chapter shares.
        """
        parts = [" › ".join(self.section_path if full_path else self.section_path[-1:]), self.label]
        if self.attribute:
            parts.append(self.attribute)
        if self.period_raw:
            parts.append(self.period_raw)
        return " ".join(parts) + f"：{self.raw}"


class Chunk(_Record):
    id: str
    doc: str
    section_path: list[str]
    lines: Lines
    text: str  # breadcrumb line + body: what is embedded and tokenised
    body: str  # the passage as shown to a reader
    kind: Literal["text", "table_row"] = "text"


class EmbedderId(_Record):
    """What an index's vectors depend on: the weights (a checksum), their dimension and the passage prompt."""

    weights: str | None  # "sha256:…" of the weights as float32; a test embedder's name; None: no dense model
    dim: int
    prompt: str | None


class IndexedDocument(_Record):
    doc: str
    title: str
    fiscal_year: int | None


class IndexCounts(_Record):
    chunks: int
    facts: int


class Manifest(_Record):
    """`index/manifest.json`: what an index was built from, by what, and the checksum of every file in it."""

    format: int  # the layout of the index folder and of this record (qa.index.FORMAT)
    version: str  # the package version that built it
    built_at: str
    embedder: EmbedderId
    built_with: str | None  # the runtime that embedded the passages: for people, never compared
    code: str  # qa.index.code_fingerprint(): the source of the package and the libraries that shape the files
    corpus: dict[str, str]  # corpus file (relative path) → sha256, or "unreadable:<errno>"
    documents: list[IndexedDocument]
    counts: IndexCounts
    warnings: list[str]
    artifacts: dict[str, str]  # index file (relative path) → sha256


class Hit(_Record):
    kind: Literal["chunk", "fact"]
    id: str
    doc: str
    section_path: list[str]
    lines: Lines
    text: str
    score: float  # fused
    dense: float | None = None
    bm25: float | None = None


class Figure(BaseModel):
    label: str
    attribute: str | None = None
    period: str | None = None  # the report's wording (令和2年), or None
    value: str  # Decimal as a string, unscaled (4016 for 4,016千円)
    unit: str
    raw: str
    approx: bool = False
    derived: bool = False
    formula: str | None = None


class Citation(BaseModel):
    doc: str
    section_path: list[str]
    lines: list[int]  # [start, end]
    text: str
    score: float


class Answer(BaseModel):
    """The JSON contract shared by the CLI, the UI and the eval harness."""

    question: str
    text: str
    abstained: bool = False
    figures: list[Figure] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    elapsed_ms: float = 0.0
    op: str | None = None  # the plan's operation: lookup, count, max, share, compare, locate, …
    related: list[Citation] = Field(default_factory=list)  # an abstention's nearest passages
    notes: list[str] = Field(default_factory=list)  # how the question was read: 「『奨学金変換』→『奨学金返還』」


RewriteReason = Literal["width", "reading", "kanji_numeral", "seireki", "relative", "colloquial", "fuzzy", "english"]


class Rewrite(_Record):
    """One change the question normaliser made: 「ｹｯｻﾝｶﾞｸ」 → 「ケッサンガク」 (width) → 「決算額」 (reading)."""

    source: str
    target: str
    reason: RewriteReason


class NormalizedQuestion(_Record):
    """A question as asked and as the analyser reads it, with every rewrite that led there.

    Answers quote the report and show `original`, never `text`.
    """

    original: str
    text: str  # NFKC'd, rewrites applied
    rewrites: list[Rewrite] = Field(default_factory=list)
    unknown_entities: list[str] = Field(default_factory=list)  # named in the question, absent from the report
