"""Questions that name a table cell of a company's report: which document, which row, which fiscal year.

「任天堂株式会社の2018年時点の連結決算における「売上高、経営指標等」は？」 and 「任天堂の2018年3月期の売上高は？」
read the same way: the subject on a document's cover picks the document (one absent from the corpus is
refused), the year picks the column whose fiscal year ends then (the latest when none is named, saying so),
the quoted label (or the noun before は) picks the row, and the words after 、 — the table, the section, the
rows above — break ties with 個別/連結. An XBRL member in the question (「CapitalStockMember」,
「ShigeruMiyamotoMember」) names the column or the row among the label's cells (qa/members.py). A question that
names no company answers each report's figure. Everything here reads the tables through qa/grid.py; the rest
of the answer layer is not involved. Active only over corpora whose documents have a cover (`Document.period`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from qa import members
from qa.grid import GridCell, caption, read_grid
from qa.models import Answer, Citation, Document, Figure, Section
from qa.periods import matches, question_period
from qa.text import format_number, nfkc

# How close a question's label must be to a row's (rapidfuzz ratio on squashed text): 「現金及び現金同等物の
# 残高」 is the row 「現金及び現金同等物の期末残高」 (0.92); 「売上原価」 is not 「売上総利益」 (0.5).
MIN_LABEL = 0.8
# A natural question that names no company (「2018年3月期の売上高は？」) is a cell question only when its noun is
# a row's name all but exactly; otherwise the general answer layer reads it.
STRICT_LABEL = 0.95
# Score parts: the label decides; the section/table words, the scope (個別/連結) and the period only rank
# rows that share it. The earliest table wins a tie (a report opens with its summary of key figures). A
# column dated the year asked weighs little against an undated table of the same report (it is of that year
# too): the words after 、 that place the table weigh more (dev: 銘柄数 of 非上場株式 is the table
# 「銘柄数及び貸借対照表計上額」, not the dated one of shares bought during the year).
W_CONTEXT, W_SCOPE, W_PERIOD = 0.5, 0.3, 0.1
# An XBRL member the question names (a column of the equity statement, an officer's row) outweighs the words
# after 、 and the scope: it names the one cell among the row's, where they only name the table.
W_MEMBER = 1.5
# A label that names a column (「所有株式数」 of 大株主の状況) matches every row's cell equally: its total row
# answers it. The column's own name (or its whole header) close to the label matches better than a header
# that merely holds the label's words (「…に対する所有株式数の割合」).
HEADER_MATCH, HEADER_PART, W_TOTAL, W_UNNAMED_ROW = 0.85, 0.82, 0.2, 1.0
_TOTAL_ROW = re.compile(r"(?:合計|計|総計|総数)")
# 「純資産」 asked of a member is that component's balance: the statement's 当期末残高 row (or the 当期首残高
# of the year after, or a row dated that day), not a row of that name.
EQUITY_TOTALS = frozenset({"純資産", "純資産合計", "純資産額", "資本", "資本合計", "持分合計"})
_BALANCE_DATE = re.compile(r"((?:19|20)\d\d)年\d{1,2}月\d{1,2}日(?:現在)?(?:残高)?$")
_QUOTED = re.compile(r"「([^「」]+)」")
_MEMBER = re.compile(r"の?([A-Z][A-Za-z0-9]*Member)")
_ASK = re.compile(r"(?:は|って|を教えて|を知りたい)?\s*(?:いくら|何|どれくらい)?(?:ですか|でしたか)?\s*[?？。]*\s*$")


# Spellings of one accounting word (the taxonomy writes 棚卸資産, a report たな卸資産).
_SPELLINGS = (("たな卸", "棚卸"), ("ソフトウエア", "ソフトウェア"), ("貸倒れ", "貸倒"), ("繰り延べ", "繰延"),
              ("売り上げ", "売上"), ("引き当て", "引当"))


@lru_cache(maxsize=65536)  # the same labels and headers are compared for every question
def squash(text: str) -> str:
    """Text for label comparison: NFKC, no spaces, one form of brackets and marks, one spelling."""
    t = re.sub(r"[\s【】]+", "", nfkc(text))
    for variant, canonical in _SPELLINGS:
        t = t.replace(variant, canonical)
    return t.replace("（", "(").replace("）", ")").replace("－", "-").replace("―", "-").replace("−", "-")


@dataclass(frozen=True)
class Located:
    document: Document
    section: Section
    cell: GridCell
    row_cells: tuple[GridCell, ...]
    table: int = 0  # the table's place in the corpus (earlier tables win ties)
    lead: str = ""  # the sentence before the table (「※１ 販売費及び一般管理費のうち主要な費目…」)
    above: str = ""  # the label of the row before (「工具、器具及び備品」 over its 「減価償却累計額」)
    rows: int = 1  # the table's body rows


@dataclass(frozen=True)
class Ask:
    """What a cell question names, read once."""

    documents: list[Document]
    year: int | None
    month: int | None
    scope: str | None  # "consolidated" | "individual" | None
    labels: list[str]  # rows asked for (several: 「売上高と経常利益」)
    context: list[str]  # the words after the label: table, section, rows above
    member: str | None = None  # an XBRL member naming the column or row (「CapitalStock」), without 'Member'
    deducted: bool = False  # 「…、一括控除」: the figure is deducted from the assets above it (a minus)
    strict: bool = False  # a natural question naming no company: only a row named all but exactly answers
    quoted: bool = False  # the template's 「label、context」: a row holding the label may answer it (a natural
    # question's noun held by a longer row name is more likely a question for the passages: 「事業内容は？」)


class Cells:
    """The grid cells of every document that has a cover, and the questions they answer."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = [d for d in documents if d.period is not None]
        self.texts = {d.doc: squash("\n".join(d.lines)) for d in self.documents}
        self.cells: list[Located] = []
        tables = 0
        for d in self.documents:
            for section in d.sections:
                for at, block in enumerate(section.blocks):
                    if block.table is None:
                        continue
                    tables += 1
                    unit, period = caption(d, section.blocks, at, section.title)
                    grid = read_grid(block.table, d, unit, period, block.lines)
                    rows: dict[int, list[GridCell]] = {}
                    for c in grid:
                        rows.setdefault(c.row, []).append(c)
                    lead = _lead(section.blocks, at)
                    for c in grid:
                        above = next((x.label for x in rows.get(c.row - 1, [])), "")
                        self.cells.append(Located(d, section, c, tuple(rows[c.row]), tables, lead, above, len(rows)))

        self.labels: dict[str, set[str]] = {}  # each document's row labels, squashed
        for loc in self.cells:
            if loc.cell.label:
                self.labels.setdefault(loc.document.doc, set()).add(squash(loc.cell.label))

    @property
    def active(self) -> bool:
        return bool(self.documents)

    def answer(self, question: str) -> Answer | None:
        """The cell the question names, a refusal for a subject the corpus lacks, or None (not a cell question)."""
        if not self.active:
            return None
        text = nfkc(question).strip()
        named = self._subject(text)
        if named is None:
            unknown = self._unknown_subject(text)
            if unknown:
                return Answer(question=question, abstained=True, op="lookup",
                              text=f"この資料には「{unknown}」の報告書が見つかりませんでした"
                                   f"（収録: {'、'.join(d.subject or d.doc for d in self.documents)}）")
        ask = self._read(text, named)
        if ask is None:
            return None
        if named is None and len(ask.documents) > 1:
            # No company named over several reports: each report's figure, under its company's name.
            per = []
            for d in ask.documents:
                one = replace(ask, documents=[d])
                found = [self._locate(one, label) for label in one.labels]
                if all(found):
                    per.append((one, [f for f in found if f]))
            if not per:
                return None
            answers = [_phrase(question, one, found) for one, found in per]
            if len(answers) == 1:
                return answers[0]
            return Answer(question=question, text="／".join(
                f"{found[0].document.subject or found[0].document.doc}: {a.text.rsplit('。', 1)[0]}"
                for a, (_, found) in zip(answers, per)) + "。",
                figures=[f for a in answers for f in a.figures], citations=[c for a in answers for c in a.citations],
                op="lookup")
        found = [self._locate(ask, label) for label in ask.labels]
        if not all(found):
            return None
        return _phrase(question, ask, [f for f in found if f])

    # --- reading the question ------------------------------------------------------------------------

    def _subject(self, text: str) -> tuple[Document, str] | None:
        best: tuple[Document, str] | None = None
        low = text.lower()
        for d in self.documents:
            for name in [d.subject or "", *d.aliases]:
                if name and name.lower() in low and (best is None or len(name) > len(best[1])):
                    best = (d, name)
        return best

    def _unknown_subject(self, text: str) -> str | None:
        """「トヨタの売上高は？」: a name before the first の that is no document's subject and no word of the corpus."""
        m = re.match(r"^([^のは「」\s]{2,20}?)の", text)
        if not m or re.search(r"\d", m.group(1)):
            return None
        name = squash(m.group(1))
        if any(name in t for t in self.texts.values()):
            return None
        return m.group(1)

    def _read(self, text: str, named: tuple[Document, str] | None) -> Ask | None:
        documents = [named[0]] if named else self.documents
        rest = text.replace(named[1], " ", 1) if named else text
        period = question_period(rest)
        scope = "individual" if "個別" in rest else "consolidated" if "連結" in rest else None
        quoted = _QUOTED.search(rest)
        strict = False
        if quoted:
            parts = [p.strip() for p in quoted.group(1).split("、") if p.strip()]
            if not parts:
                return None
            # 「法人税、住民税及び事業税、特別損失」: a row label may hold 、 itself; the longest run of parts
            # that names a row is the label, the rest its context.
            docs = {d.doc for d in documents}
            # The closest row name wins, the longer run on a tie: 「減価償却累計額、工具」 is only near 「減価償却
            # 累計額」, which the first part names exactly.
            sims = {k: self._row_similarity(squash("、".join(parts[:k])), docs) for k in range(len(parts), 0, -1)}
            k = max((k for k in sims if sims[k] >= MIN_LABEL or k == 1), key=lambda k: (round(sims[k], 2), k))
            labels = ["、".join(parts[:k])]
            context = _rejoin(parts[k:], lambda t: self._row_similarity(squash(t), docs) >= 0.95)
        else:
            strict = not named  # without a company the row must be named all but exactly
            body = _MEMBER.sub("", rest)
            body = re.sub(r"(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月期?)?度?(?:時点)?", " ", body)
            body = re.sub(r"(?:の)?(?:個別|連結)(?:決算)?", " ", body)
            body = _ASK.sub("", body)
            pieces = [p for p in re.split(r"[\s]*の[\s]*|\s+", body) if p.strip()]
            if not pieces:
                return None
            label = pieces[-1]
            labels = [x for x in re.split(r"と|、|及び|および", label) if x] if "と" in label or "、" in label else [label]
            context = pieces[:-1]
            # 「任天堂の売上高は？」 means the group's figure: a natural question reads 連結 unless it says 個別.
            scope = scope or "consolidated"
        # 「減価償却累計額、有形固定資産、一括控除」: the taxonomy's name of an amount deducted in one sum, which a
        # note writes without its sign.
        deducted = any(squash(p) in _DEDUCTED for p in context)
        context = [p for p in context if squash(p) not in _DEDUCTED]
        return Ask(documents, period[0] if period else None, period[1] if period else None, scope, labels, context,
                   members.find(rest), deducted, strict, quoted is not None)

    # --- finding the cell ------------------------------------------------------------------------------

    def _names_row(self, want: str, docs: set[str]) -> bool:
        return self._row_similarity(want, docs) >= MIN_LABEL

    def _row_similarity(self, want: str, docs: set[str]) -> float:
        """How close the nearest row label of these documents is to `want`."""
        labels = set().union(*(self.labels.get(d, set()) for d in docs))
        return max((_similarity(want, x) for x in labels), default=0.0)

    def _match(self, want: str, loc: Located) -> float:
        """How well the question's label names this cell: its row label, or 「row－column」 (「株主数－金融機関」),
        or, for a table whose rows are items, its column header alone (「提出日現在発行数（株）」)."""
        c = loc.cell
        sim = _similarity(want, squash(c.label)) if c.label else 0.0
        if "-" in want and c.label:
            # 「株主数－金融機関」 (row－column), 「監査証明業務に基づく報酬－連結子会社」 (column－row): the column
            # named beats the row's other cells, which the whole label only resembles.
            first, _, second = want.partition("-")
            for row, column in ((first, second), (second, first)):
                if column and _similarity(row, squash(c.label)) >= MIN_LABEL and _contains(squash(c.header), column):
                    return max(sim, 0.97)
            # Both parts over the column (「帳簿価額－建物及び構築物」: a header over a header): the column, whose
            # row the context, a member or the total names.
            header = squash(c.header)
            if first and second and first in header and second in header and sim < MIN_LABEL:
                return HEADER_MATCH
        if sim >= MIN_LABEL:
            return sim
        if c.header:
            # The column's own name (「所有株式数（千株）」) before a header that only holds the words (「…に対する
            # 所有株式数の割合」).
            if _similarity(want, squash(c.column)) >= 0.9 or _similarity(want, squash(c.header)) >= 0.9:
                return HEADER_MATCH
            if want in squash(c.header):
                return HEADER_PART
        return 0.0

    def _locate(self, ask: Ask, label: str) -> Located | None:
        found = self._best(ask, label, loose=False)
        if found is None and not ask.strict:
            # No row is named close enough: one whose name holds the label's, or is held by it (「継続事業からの
            # 税引前利益」, 「税引前利益」), answers rather than none, and never where a closer name exists.
            found = self._best(ask, label, loose=True)
        return found

    def _best(self, ask: Ask, label: str, loose: bool) -> Located | None:
        want = squash(label)
        docs = {d.doc for d in ask.documents}
        jp = [squash(x) for x in members.labels(ask.member)] if ask.member else []
        balance = bool(ask.member) and _UNIT_PAREN.sub("", want) in EQUITY_TOTALS
        best: tuple[tuple[float, str, int, int], Located] | None = None
        for order, loc in enumerate(self.cells):
            if loc.document.doc not in docs:
                continue
            c = loc.cell
            sim = (self._match(want, loc) if not loose else
                   _loose(want, squash(c.label), ask.quoted) if c.label else 0.0)
            shift: int | None = 0  # the balance rows: which year's column answers (None: the row's own date)
            if balance:
                kind = _balance(c.label)
                if kind is not None:
                    sim, shift = 1.0, {"end": 0, "start": 1, "dated": None}[kind]
            if sim < (STRICT_LABEL if ask.strict else MIN_LABEL):
                continue
            score = 2 * sim
            member = _member_score(loc, ask.member, jp) if ask.member else 0.0
            score += W_MEMBER * member
            if ask.context:
                score += W_CONTEXT * sum(_context(loc, squash(p)) for p in ask.context) / len(ask.context)
            if sim in (HEADER_MATCH, HEADER_PART) and (loc.rows > 1 or c.col == 0):
                # A column asked for without its row: its total row answers (大株主の状況 › 計); any other row only
                # when the question names it (a member, a cell of the row: 「宮本茂の役職名」). A record's first
                # column is its own name: 「会社名」 asks a 会社名 row, not the one subsidiary a table lists.
                if _TOTAL_ROW.fullmatch(squash(c.label)):
                    score += W_TOTAL
                elif not member and not any(_names_record(loc, squash(p)) for p in ask.context):
                    if not ask.quoted:
                        continue  # a user's 「任天堂の事業内容は？」 is not some row's cell of a column so named
                    score -= W_UNNAMED_ROW
            consolidated = "連結" in squash(" ".join(loc.section.path))
            if ask.scope == "consolidated":
                score += W_SCOPE * consolidated
            elif ask.scope == "individual":
                score += W_SCOPE * (not consolidated)
            else:
                # Without 連結/個別 a figure of both is the group's: in XBRL the company's own figures carry a
                # NonConsolidatedMember, which the template writes as 個別; a figure of one table only is that one.
                score += W_SCOPE / 2 * consolidated
            period = c.period or loc.document.period
            if ask.year is not None:
                if shift is None:
                    m = _BALANCE_DATE.search(squash(c.label))
                    if not m or int(m.group(1)) != ask.year:
                        continue
                elif period is None or not matches(period, ask.year + shift, ask.month if not shift else None):
                    continue
                score += W_PERIOD * (c.period is not None)
            # Two columns may end in the year asked (「2016年3月」 and 「2016年6月」 after a change of year end):
            # the year's figure is the later one.
            end = (period.end or "")[:7] if ask.year is not None and period is not None else ""
            # Otherwise the earliest table; within a row the later column (a statement of changes in equity
            # ends with its total, 純資産合計, the cell a question without a member asks for).
            key = (score, end, -loc.table, c.col)
            if best is None or key > best[0]:
                best = (key, loc)
        if best is None:
            return None
        loc = best[1]
        if ask.year is None:
            # No year named: the latest fiscal year of the row.
            dated = [c for c in loc.row_cells if c.period is not None and c.period.end]
            if dated:
                latest = max(dated, key=lambda c: c.period.end or "")
                loc = Located(loc.document, loc.section, latest, loc.row_cells)
        return loc


# A unit in parentheses at the end of a label (「株主数（人）」, 「所有株式数（単元）」) is no part of its name.
_UNIT_PAREN = re.compile(r"\((?:人|株|単元|%|百万円|千円|円|千株|名|社|倍|年|歳|ヶ月|か月)\)$")


_PARENS = re.compile(r"\([^()]*\)")
# 「経常利益又は経常損失(△)」 is the taxonomy's name of the row a table writes 「経常利益」.
_OR_LOSS = re.compile(r"又は.*$")
_AMOUNT = re.compile(r"金額$")
_DEDUCTED = frozenset({"一括控除", "控除"})


@lru_cache(maxsize=262144)  # a row's label is compared once per column otherwise
def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.endswith("(単元)") != b.endswith("(単元)"):
        # A count of trading units (所有株式数(単元)) is another figure than the count of shares.
        return fuzz.ratio(a, b) / 100 * 0.9
    a, b = _UNIT_PAREN.sub("", a), _UNIT_PAREN.sub("", b)
    if a == b:
        return 0.98
    # 「1株当たり配当額(内、1株当たり中間配当額)」, 「発行済株式総数(普通株式)」: a parenthesised note is no part
    # of the name; nor is the loss half of 「…又は…損失(△)」.
    for x, y in ((a, _PARENS.sub("", b)), (_PARENS.sub("", a), b), (_PARENS.sub("", a), _PARENS.sub("", b)),
                 (_OR_LOSS.sub("", a), _OR_LOSS.sub("", b)),
                 # 「1株当たり当期純利益金額」 is the taxonomy's 「1株当たり当期純利益又は当期純損失(△)」.
                 (_AMOUNT.sub("", _OR_LOSS.sub("", a)), _AMOUNT.sub("", _OR_LOSS.sub("", b)))):
        if x and x == y:
            return 0.96
    # A group row (「無形固定資産」) has no figures of its own: its total row (「無形固定資産合計」) stands for it.
    if re.sub(r"(?:合計|計)$", "", b) == a:
        return 0.95
    return fuzz.ratio(a, b) / 100


def _balance(label: str) -> str | None:
    """A balance row of a statement of changes in equity: "end" for the year's closing balance (当期末残高),
    "start" for an opening balance (当期首残高: the close of the year before, so the column of the year after),
    "dated" for a row dated the day it stands for (「2019年3月31日残高」); None otherwise."""
    t = squash(label)
    if re.search(r"期末残高$", t):
        return "end"
    if re.search(r"期首残高$", t):
        return "start"
    if _BALANCE_DATE.search(t):
        return "dated"
    return None


def _rejoin(parts: list[str], names_row) -> list[str]:  # type: ignore[no-untyped-def]
    """Context words split at a 、 that belongs to a row's name (「工具、器具及び備品」) joined again: the run
    must name a row all but exactly (「最寄りの連絡場所、表紙」 only resembles 「最寄りの連絡場所」)."""
    out: list[str] = []
    i = 0
    while i < len(parts):
        j = next((j for j in range(len(parts), i + 1, -1) if names_row("、".join(parts[i:j]))), i + 1)
        out.append("、".join(parts[i:j]))
        i = j
    return out


@lru_cache(maxsize=1)
def _equivalents() -> dict[str, list[str]]:
    import json
    from importlib import resources

    data = json.loads(resources.files("qa").joinpath("data/accounting.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for group in data["equivalents"]:
        names = [squash(x) for x in group]
        for n in names:
            out.setdefault(n, []).extend(x for x in names if x != n)
    return out


@lru_cache(maxsize=262144)
def _loose(want: str, label: str, held: bool = True) -> float:
    """The weak matches of the second pass: a name holding the other's, or the other wording of an accounting
    label (qa/data/accounting.json: 売上収益 for 売上高, 資本合計 for 純資産合計)."""
    if held and _held(want, label):
        return MIN_LABEL
    base = _PARENS.sub("", _OR_LOSS.sub("", want)) or want
    if any(_similarity(other, label) >= 0.9 for other in _equivalents().get(base, [])):
        return MIN_LABEL
    return 0.0


def _held(want: str, label: str) -> float:
    """A row name that holds the label's or is held by it, the shorter at least half the longer and 4 characters
    (「継続事業からの税引前利益」 and 「税引前利益」): MIN_LABEL, the weakest match; else 0."""
    a, b = _PARENS.sub("", want), _PARENS.sub("", label)
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and short in long_ and len(short) >= 0.5 * len(long_):
        return MIN_LABEL
    return 0.0


def _names_record(loc: Located, part: str) -> bool:
    return len(part) >= 2 and (part == squash(loc.cell.label) or any(
        part == squash(x.value.raw) for x in loc.row_cells if x.value.value is None))


def _lead(blocks: list, at: int) -> str:
    """The text just before a table that says what it holds (「※２ 有形固定資産の減価償却累計額は、次のとおりです。」)."""
    for block in reversed(blocks[max(0, at - 2):at]):
        if block.table is not None:
            return ""
        text = nfkc(block.text).strip()
        if text and not re.fullmatch(r"[(（]?\s*単位.*", text):
            return text[:120]
    return ""


def _member_score(loc: Located, member: str, jp: list[str]) -> float:
    """How well the cell stands where the question's XBRL member points: its column's own name or its row's
    label is the member's word (1), its total (0.9), holds it (0.6), or a header above holds it (0.4); a member
    the table of members lacks is read in romaji against the row's words (a person's name)."""
    c = loc.cell
    if jp:
        own, label = squash(c.column), squash(c.label)
        above = squash(c.header) + "".join(squash(x) for x in c.chain)
        best = 0.0
        for k, w in enumerate(jp):
            if w in (own, label):
                s = 1.0
            elif own in (w + "合計", w + "計") or label in (w + "合計", w + "計"):
                s = 0.9
            elif own in ("合計", "計", "小計") and w in squash(c.header):
                s = 0.9  # 「合計」 under 「親会社の所有者に帰属する持分」: that component's total
            elif w in own or w in label:
                s = 0.6
            elif w in above:
                s = 0.4
            else:
                s = 0.0
            best = max(best, s * (1 - 0.05 * k))
        return best
    texts = {c.label, c.column, *(x.value.raw for x in loc.row_cells if x.value.value is None and not x.value.none)}
    return max((members.romaji_match(member, t) for t in texts if t), default=0.0)


def _context(loc: Located, part: str) -> float:
    """How well a context word of the question names where the cell stands: a row above it or a heading
    exactly (1), inside one (0.7), or close (0.5)."""
    if not part:
        return 0.0
    names = [squash(x) for x in (*loc.cell.chain, *(s.split(" ", 1)[-1] for s in loc.section.path))]
    if any(part == n for n in names):
        return 1.0
    if loc.above and part == squash(loc.above):
        return 0.8  # 「減価償却累計額」 below 「工具、器具及び備品」 in a flat balance sheet
    if _names_record(loc, part):
        return 1.0  # a record named by one of its cells: 「宮本茂の役職名」 is the row whose 氏名 is 宮本 茂
    where = "".join(names) + squash(loc.cell.header) + squash(loc.lead)
    if part in where:
        return 0.7
    return 0.5 if fuzz.partial_ratio(part, where) >= 85 else 0.0


def _contains(where: str, part: str) -> float:
    if not part:
        return 0.0
    if part in where:
        return 1.0
    return 1.0 if fuzz.partial_ratio(part, where) >= 85 else 0.0


# --- the answer ----------------------------------------------------------------------------------------


def shown(cell: GridCell) -> str:
    """The cell as an answer: 「1,055,682百万円」, 「―（該当なし）」, or its text."""
    v = cell.value
    if v.none:
        return "―（該当なし）"
    if v.value is None:
        # A date cell (「1952年11月16日生」) also in ISO form, as dates are exchanged.
        if m := re.search(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", nfkc(v.raw)):
            return f"{v.raw}（{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}）"
        return v.raw
    if v.unit in _IN_BASE:
        base, k = _IN_BASE[v.unit]
        return f"{format_number(v.value * k)}{base}（{format_number(v.value)}{v.unit}）"
    return f"{format_number(v.value)}{v.unit if v.unit != '%' else '％'}"


# A count in hundreds of shares (「所有株式数(百株)」) is given in shares too: nobody adds up 百株.
_IN_BASE = {"百株": ("株", 100)}


def _figure_value(cell: GridCell) -> tuple[str, str]:
    v = cell.value
    if v.unit in _IN_BASE and v.value is not None:
        base, k = _IN_BASE[v.unit]
        return str(v.value * k), base
    return str(v.value), v.unit


def period_words(cell: GridCell) -> str:
    p = cell.period
    if p is None or not p.end:
        return ""
    return f"{int(p.end[:4])}年{int(p.end[5:7])}月期"


def row_text(loc: Located) -> str:
    """The cited row: 「売上高 — 2016年3月: 504,459 / …」, the rows above it first."""
    head = " › ".join([*loc.cell.chain, loc.cell.label])
    pairs = [f"{c.header}: {c.value.raw}" if c.header else c.value.raw for c in loc.row_cells]
    return f"{head} — " + " / ".join(pairs)


def _phrase(question: str, ask: Ask, found: list[Located]) -> Answer:
    parts, figures, citations = [], [], []
    for loc in found:
        c = loc.cell
        if ask.deducted and c.value.value is not None and c.value.value > 0:
            c = c._replace(value=c.value._replace(value=-c.value.value))
        when = period_words(c)
        latest = ask.year is None and bool(when)
        where = " › ".join([loc.section.heading, *c.chain, c.label])
        parts.append(f"{shown(c)}（{'最新の' if latest else ''}{when + '、' if when else ''}{where}）")
        if c.value.value is not None:
            value, unit = _figure_value(c)
            figures.append(Figure(label=c.label, attribute=c.header or None, period=c.period.raw if c.period else None,
                                  value=value, unit=unit, raw=c.value.raw))
        cite = Citation(doc=loc.document.doc, section_path=loc.section.path, lines=list(c.lines),
                        text=row_text(loc), score=1.0)
        if cite not in citations:
            citations.append(cite)
    subject = found[0].document.subject or found[0].document.doc
    return Answer(question=question, text="／".join(parts) + f"。{subject}", figures=figures,
                  citations=citations, op="lookup" if len(found) > 1 else None)
