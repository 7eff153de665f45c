"""Question files scored by the value of one cell (`gold`), as the securities corpus's organisers score them.

A row is `{"id", "question", "doc_id", "gold"}`: `gold` is the answering cell in base units (「1,055,682」
under 百万円 is `1055682000000`, 29.5 % is `0.295`), a dash for a 「－」 cell, or text. The split is by
report, never by row: the documents named by `doc_id`, sorted, first half `dev` (tuned on), second half
`test` (read once per change), so no report is seen from both sides.

Rules (the corpus README, in code):
- value: the answer's first figure × its unit's scale (百万円 ×10⁶, 千円 ×10³, a % ÷100) equals `gold` to
  4 decimal places; without a figure, the first number of the answer text read the organisers' way
  (NFKC; spaces and commas out; △/▲ minus; 百万円/千円 scaled; % ÷100; a trailing 円/株/個/倍/人/年 dropped).
  A dash gold needs an answer that is a dash; a text gold must stand in the first 200 characters.
- refused: the system abstained.
- cited: the gold cell stands in one of the top 3 citations (a number of the citation's text that, read in
  one of the scales above, is `gold`; a dash or the text for the others).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from qa.models import Answer

ANSWER_WINDOW = 200
CITATION_TOP = 3
PLACES = Decimal("0.0001")
DASHES = frozenset("-－―—‐ー")
# The organisers' scales; units not listed count as base units (円, 株, 人, 倍 are dropped as suffixes).
UNIT_SCALE = {"百万円": Decimal(10) ** 6, "千円": Decimal(1000), "千株": Decimal(1000), "万円": Decimal(10) ** 4,
              "億円": Decimal(10) ** 8, "%": Decimal("0.01"), "％": Decimal("0.01")}
# The scales a cell's written number may stand in, for "the gold cell is cited".
CELL_SCALES = (Decimal(1), Decimal(1000), Decimal(10) ** 6, Decimal("0.01"))
_NUMBER = re.compile(r"[△▲-]?\d[\d,]*(?:\.\d+)?")


class GoldQuestion(BaseModel):
    """One row of a gold-value question file (securities/questions.jsonl)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    question: str
    doc_id: str
    gold: str


class GoldScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    value_ok: bool
    refused: bool
    cited: bool
    latency_ms: float
    error: str | None = None


def is_gold_file(path: Path) -> bool:
    """Whether a question file holds gold-value rows (its first row has `gold` and `doc_id`)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                return "gold" in row and "doc_id" in row
    return False


def load(path: Path) -> list[GoldQuestion]:
    with path.open(encoding="utf-8") as f:
        return [GoldQuestion.model_validate_json(line) for line in f if line.strip()]


def splits(questions: Sequence[GoldQuestion]) -> dict[str, str]:
    """doc_id → `dev` | `test`: the sorted reports, first half dev (blind to their content)."""
    docs = sorted({q.doc_id for q in questions})
    half = (len(docs) + 1) // 2
    return {d: ("dev" if i < half else "test") for i, d in enumerate(docs)}


def _key(text: str) -> str:
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", text))


def organiser_value(text: str) -> Decimal | None:
    """A written value read the organisers' way: 「△ 3,689百万円」 → -3689000000, 「29.5%」 → 0.295."""
    t = _key(text).replace("△", "-").replace("▲", "-")
    scale = Decimal(1)
    for unit, factor in (("百万円", Decimal(10) ** 6), ("千円", Decimal(1000))):
        if t.endswith(unit):
            t, scale = t[: -len(unit)], factor
            break
    else:
        if t.endswith("%"):
            t, scale = t[:-1], Decimal("0.01")
        else:
            t = re.sub(r"[円株個倍人年]$", "", t)
    try:
        return Decimal(t) * scale
    except InvalidOperation:
        return None


def _same(a: Decimal, b: Decimal) -> bool:
    return a.quantize(PLACES) == b.quantize(PLACES)


def _is_dash(text: str) -> bool:
    t = _key(text)
    return bool(t) and t[0] in DASHES and not re.match(r"-\d", t)


def _gold_number(q: GoldQuestion) -> Decimal | None:
    try:
        return Decimal(q.gold)
    except InvalidOperation:
        return None


def value_correct(q: GoldQuestion, answer: Answer) -> bool:
    """Whether the answer's value is the gold cell's."""
    if answer.abstained:
        return False
    if _is_dash(q.gold):
        fig = answer.figures[0] if answer.figures else None
        return (_is_dash(fig.raw) if fig else False) or _is_dash(answer.text)
    gold = _gold_number(q)
    if gold is None:
        return _key(q.gold) in _key(answer.text[:ANSWER_WINDOW])
    if answer.figures:
        fig = answer.figures[0]
        try:
            value = Decimal(fig.value) * UNIT_SCALE.get(fig.unit, Decimal(1))
        except InvalidOperation:
            value = None
        if value is not None and _same(value, gold):
            return True
    m = re.search(r"[△▲-]?\s*\d[\d,]*(?:\.\d+)?\s*(?:百万円|千円|%|[円株個倍人年])?", unicodedata.normalize("NFKC", answer.text))
    value = organiser_value(m.group()) if m else None
    return value is not None and _same(value, gold)


def cell_cited(q: GoldQuestion, answer: Answer) -> bool:
    """Whether the gold cell stands in one of the top-3 citations."""
    texts = [c.text for c in answer.citations[:CITATION_TOP]]
    if _is_dash(q.gold):
        return any(re.search(r"[－―—‐]|(?<![\d\w])-(?!\d)", t) for t in texts)
    gold = _gold_number(q)
    if gold is None:
        return any(_key(q.gold) in _key(t) for t in texts)
    for t in texts:
        for m in _NUMBER.finditer(unicodedata.normalize("NFKC", t).replace("△ ", "△").replace("▲ ", "▲")):
            raw = m.group().replace(",", "").replace("△", "-").replace("▲", "-")
            try:
                v = Decimal(raw)
            except InvalidOperation:
                continue
            if any(_same(v * s, gold) for s in CELL_SCALES):
                return True
    return False


def score(q: GoldQuestion, answer: Answer, latency_ms: float) -> GoldScore:
    return GoldScore(value_ok=value_correct(q, answer), refused=answer.abstained, cited=cell_cited(q, answer),
                     latency_ms=latency_ms)


def _pct(flags: Sequence[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.1f}" if flags else "—"


def table(rows: Sequence[tuple[GoldQuestion, GoldScore]], split_of: dict[str, str]) -> str:
    """Value accuracy, refusal rate and cited cell per report, per split and overall."""
    groups: dict[str, list[GoldScore]] = {}
    for q, s in rows:
        for key in (f"{split_of[q.doc_id]} {q.doc_id}", split_of[q.doc_id], "all"):
            groups.setdefault(key, []).append(s)
    order = sorted(k for k in groups if " " in k) + [k for k in ("dev", "test", "all") if k in groups]
    lines = [f"{'rows':<22} {'n':>4} {'value %':>8} {'refused %':>10} {'cited top-3 %':>14}"]
    for k in order:
        ss = groups[k]
        lines.append(f"{k:<22} {len(ss):>4} {_pct([s.value_ok for s in ss]):>8} "
                     f"{_pct([s.refused for s in ss]):>10} {_pct([s.cited for s in ss]):>14}")
    return "\n".join(lines)


def run(system, questions: Sequence[GoldQuestion], split: str, out: Path | None,  # type: ignore[no-untyped-def]
        progress: Callable[[str], None]) -> list[tuple[GoldQuestion, GoldScore]]:
    """Ask every question of the split, print the table; with `out`, write one JSON line per question."""
    import time

    split_of = splits(questions)
    chosen = [q for q in questions if split == "all" or split_of[q.doc_id] == split]
    progress(f"running assistant over {len(chosen)} gold-value questions")
    rows: list[tuple[GoldQuestion, GoldScore]] = []
    answers: list[Answer] = []
    for i, q in enumerate(chosen, 1):
        t0 = time.perf_counter()
        try:
            answer = system.ask(q.question)
            s = score(q, answer, (time.perf_counter() - t0) * 1000)
        except Exception as err:  # noqa: BLE001 - one crashing question is a failure, not the end of the run
            answer = Answer(question=q.question, text=f"[error] {type(err).__name__}: {err}")
            s = GoldScore(value_ok=False, refused=False, cited=False,
                          latency_ms=(time.perf_counter() - t0) * 1000, error=f"{type(err).__name__}: {err}")
        rows.append((q, s))
        answers.append(answer)
        if i % 50 == 0:
            progress(f"  {i}/{len(chosen)}")
    print(table(rows, split_of))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "gold_results.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for (q, s), a in zip(rows, answers):
                f.write(json.dumps({"id": q.id, "split": split_of[q.doc_id], "doc_id": q.doc_id,
                                    "question": q.question, "gold": q.gold, **s.model_dump(),
                                    "answer": " ".join(a.text.split())[:ANSWER_WINDOW],
                                    "cited": [" › ".join(c.section_path) for c in a.citations[:CITATION_TOP]]},
                                   ensure_ascii=False) + "\n")
        progress(f"wrote {path}")
    return rows
