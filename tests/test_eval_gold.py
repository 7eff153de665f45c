"""The gold-value scorer (securities questions): the organisers' reading of a value, as a spec."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from eval.gold import GoldQuestion, cell_cited, is_gold_file, organiser_value, splits, value_correct
from qa.models import Answer, Citation, Figure

SECURITIES = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra" / "securities"

VALUES = [
    ("1,055,682百万円", Decimal("1055682000000")),
    ("△ 3,689百万円", Decimal("-3689000000")),
    ("▲12", Decimal("-12")),
    ("29.5%", Decimal("0.295")),
    ("6,200人", Decimal("6200")),
    ("40.32倍", Decimal("40.32")),
    ("４，８４８千円", Decimal("4848000")),
]


@pytest.mark.parametrize(("text", "value"), VALUES)
def test_organiser_value(text, value):
    assert organiser_value(text) == value


def gq(gold: str) -> GoldQuestion:
    return GoldQuestion(id="t1", question="任天堂の2018年3月期の売上高は？", doc_id="S100ITKB", gold=gold)


def fig(value: str, unit: str, raw: str) -> Figure:
    return Figure(label="売上高", value=value, unit=unit, raw=raw)


CASES = [
    ("1055682000000", Answer(question="", text="1,055,682百万円", figures=[fig("1055682", "百万円", "1,055,682")]), True),
    ("1055682000000", Answer(question="", text="1,055,682", figures=[fig("1055682", "", "1,055,682")]), False),
    ("1055682000000", Answer(question="", text="1,055,682百万円（2018年3月）"), True),
    ("0.295", Answer(question="", text="29.5％", figures=[fig("29.5", "％", "29.5")]), True),
    ("－", Answer(question="", text="―（該当なし）", figures=[fig("0", "", "―")]), True),
    ("－", Answer(question="", text="0円", figures=[fig("0", "円", "0")]), False),
    ("任天堂株式会社", Answer(question="", text="任天堂株式会社（【会社名】）"), True),
    ("1055682000000", Answer(question="", text="見つかりません", abstained=True), False),
]


@pytest.mark.parametrize(("gold", "answer", "ok"), CASES)
def test_value_correct(gold, answer, ok):
    assert value_correct(gq(gold), answer) is ok


def test_cell_cited_reads_the_cell_in_any_scale():
    cite = Citation(doc="x", section_path=["売上高"], lines=[1, 1], text="売上高 — 2018年3月: 1,055,682", score=1.0)
    other = Citation(doc="x", section_path=["売上高"], lines=[1, 1], text="売上高 — 2019年3月: 1,200,560", score=1.0)
    assert cell_cited(gq("1055682000000"), Answer(question="", text="", citations=[other, cite]))
    assert not cell_cited(gq("1055682000000"), Answer(question="", text="", citations=[other]))


def test_split_is_by_report():
    qs = [GoldQuestion(id=str(i), question="q", doc_id=d, gold="1") for i, d in enumerate("DCBA")]
    assert splits(qs) == {"A": "dev", "B": "dev", "C": "test", "D": "test"}


@pytest.mark.skipif(not SECURITIES.is_dir(), reason="the securities development corpus is not on this machine")
def test_the_securities_file_is_a_gold_file():
    assert is_gold_file(SECURITIES / "questions.jsonl")
