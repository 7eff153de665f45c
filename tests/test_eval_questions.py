"""Validate eval/questions.jsonl against the report (schema, grounding, section coverage)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
REPORT = ROOT / "corpus" / "gunma_r2_chiji_senryaku.md"

KINDS = {
    "figure", "period", "text", "list", "derived", "paraphrase", "followup", "abstain",
    # Shapes of question beyond one lookup.
    "count", "superlative", "multipart", "aggregate", "compare", "locate", "describe",
    # Ways people type, and near-domain questions the report cannot answer.
    "kana", "width", "seireki", "kanjinum", "colloquial", "typo", "refusal",
}
# Rows whose right answer is an abstention.
ABSTAIN_KINDS = {"abstain", "refusal"}
# Rows whose first expected value is computed (a count, an average, a share, はい/いいえ), not printed.
COMPUTED_KINDS = {"derived", "count", "aggregate", "compare"}
MIN_COUNTS = {
    "count": 15,
    "superlative": 20,
    "multipart": 15,
    "aggregate": 20,
    "compare": 10,
    "locate": 10,
    "describe": 10,
    "kana": 10,
    "width": 10,
    "seireki": 10,
    "kanjinum": 5,
    "colloquial": 15,
    "typo": 10,
    "refusal": 20,
    "figure": 62,
    "period": 12,
    "text": 16,
    "list": 6,
    "derived": 12,
    "paraphrase": 22,
    "followup": 6,
    "abstain": 18,
}
MIN_ROWS = 150
REQUIRED = {"id", "question", "expected", "section", "kind"}
OPTIONAL = {"expected_all", "history"}

# The 22 "(N)" sections of the report, by title.
N_SECTIONS = [
    "庁議",
    "総務調整費",
    "社会参加費",
    "記者室運営",
    "政策調査",
    "戦略企画推進",
    "連携推進",
    "未来創生",
    "若者定着促進",
    "データ分析・活用推進",
    "東京事務所運営",
    "メディア・コンテンツ推進",
    "広報活動",
    "インターネット広報",
    "デジタルトランスフォーメーション推進",
    "業務プロセス改革推進",
    "情報化推進・セキュリティ対策",
    "県庁情報基盤整備",
    "国際政策推進",
    "上海事務所運営",
    "国際交流推進",
    "旅券発給",
]

N_HEADING = re.compile(r"^\(\d+\)")
# Heading-like lines: (N), circled numbers, ア/イ… items, 【…】 labels.
ANY_HEADING = re.compile(r"^(\(\d+\)|[\u2460-\u2473]|[ア-ン]\s|【)")


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"[,\s]", "", s)


def _sections(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    out = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:  # pragma: no cover
                    pytest.fail(f"line {n}: invalid JSON: {e}")
    return out


@pytest.fixture(scope="module")
def report_lines() -> list[str]:
    return REPORT.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def report_norm(report_lines) -> str:
    return norm("\n".join(report_lines))


@pytest.fixture(scope="module")
def n_ranges(report_lines) -> list[tuple[str, int, int]]:
    """(normalised (N) heading, first line index, last line index) for each (N) section."""
    starts = [i for i, ln in enumerate(report_lines) if N_HEADING.match(ln.strip())]
    ranges = []
    for k, i in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(report_lines) - 1
        ranges.append((norm(report_lines[i]), i, end))
    return ranges


def test_report_has_22_numbered_sections(n_ranges):
    assert len(n_ranges) == 22
    for title, (heading, _, _) in zip(N_SECTIONS, n_ranges):
        assert norm(title) in heading, (title, heading)


def test_schema(rows):
    assert len(rows) >= MIN_ROWS
    ids = [r.get("id") for r in rows]
    dupes = [i for i, c in Counter(ids).items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    for r in rows:
        rid = r.get("id")
        missing = REQUIRED - r.keys()
        assert not missing, f"{rid}: missing {missing}"
        extra = r.keys() - REQUIRED - OPTIONAL
        assert not extra, f"{rid}: unknown fields {extra}"
        assert isinstance(rid, str) and re.fullmatch(r"[a-z]{3}-\d{3,5}", rid), rid
        assert r["kind"] in KINDS, f"{rid}: bad kind {r['kind']}"
        assert isinstance(r["question"], str) and r["question"].strip(), rid
        assert isinstance(r["expected"], list), rid
        assert all(isinstance(e, str) and e.strip() for e in r["expected"]), rid
        if "expected_all" in r:
            ea = r["expected_all"]
            assert isinstance(ea, list) and ea and all(isinstance(e, str) and e.strip() for e in ea), rid
        if r["kind"] in ABSTAIN_KINDS:
            assert r["expected"] == [], f"{rid}: abstain rows expect []"
            assert r["section"] is None, f"{rid}: abstain rows have section null"
            assert "expected_all" not in r, rid
        else:
            assert r["expected"], f"{rid}: expected must not be empty"
            secs = _sections(r["section"])
            assert secs and all(isinstance(s, str) and s.strip() for s in secs), f"{rid}: bad section"
        if r["kind"] == "followup":
            h = r.get("history")
            assert isinstance(h, list) and h and all(isinstance(q, str) and q.strip() for q in h), rid
        else:
            assert "history" not in r, f"{rid}: history only on followup rows"
        if r["kind"] == "list":
            assert 2 <= len(r.get("expected_all", [])) <= 4, f"{rid}: list rows need 2-4 expected_all"


def test_min_counts(rows):
    counts = Counter(r["kind"] for r in rows)
    short = {k: (counts.get(k, 0), n) for k, n in MIN_COUNTS.items() if counts.get(k, 0) < n}
    assert not short, f"too few rows per kind (have, need): {short}"


def test_expected_strings_occur_in_report(rows, report_norm):
    bad = []
    for r in rows:
        if r["kind"] in ABSTAIN_KINDS:
            continue
        # A computed value is not in the report, but the names and figures it comes with are.
        own = r["expected"] if r["kind"] not in COMPUTED_KINDS else []
        for e in own + r.get("expected_all", []):
            if norm(e) not in report_norm:
                bad.append((r["id"], e))
    assert not bad, f"expected strings not found in report: {bad}"


def test_derived_values_are_not_copied(rows, report_norm):
    """Derived answers are computed; the first expected value should not just be a report figure."""
    copied = [r["id"] for r in rows if r["kind"] == "derived" and norm(r["expected"][0]) in report_norm]
    assert not copied, f"derived rows whose answer is printed in the report: {copied}"


def test_sections_occur_in_report(rows, report_norm):
    bad = []
    for r in rows:
        secs = _sections(r["section"])
        if secs and not any(norm(s) in report_norm for s in secs):
            bad.append((r["id"], r["section"]))
    assert not bad, f"sections not found in report: {bad}"


def _covered(section: str, report_lines, n_ranges) -> set[str]:
    """The (N) headings whose range holds a heading line containing `section`."""
    s = norm(section)
    out = set()
    for i, ln in enumerate(report_lines):
        if ANY_HEADING.match(ln.strip()) and s in norm(ln):
            for heading, a, b in n_ranges:
                if a <= i <= b:
                    out.add(heading)
    return out


# The chapter line (「第2 知事戦略」), a 費目 line (「1 知事戦略管理費」) or a 【…】 label: headings above or beside the "(N)" sections, which
# questions about a whole 費目 (its largest 事業, how many 事業 it has) cite.
UPPER_HEADING = re.compile(r"^(\d\s|【|第\d)")


def test_sections_are_headings(rows, report_lines, n_ranges):
    bad = []
    for r in rows:
        for s in _sections(r["section"]):
            upper = any(UPPER_HEADING.match(ln.strip()) and norm(s) in norm(ln) for ln in report_lines)
            if not _covered(s, report_lines, n_ranges) and not upper:
                bad.append((r["id"], s))
    assert not bad, f"section values that match no heading inside a (N) section: {bad}"


def test_every_numbered_section_is_covered(rows, report_lines, n_ranges):
    covered: set[str] = set()
    for r in rows:
        for s in _sections(r["section"]):
            covered |= _covered(s, report_lines, n_ranges)
    missing = [h for h, _, _ in n_ranges if h not in covered]
    assert not missing, f"(N) sections with no question: {missing}"
