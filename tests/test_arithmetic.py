"""Arithmetic over facts: exact Decimal results and formulas in the report's own figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.arithmetic import derive
from qa.models import Fact


def fact(raw: str, value: str, unit: str, scale: int = 1, approx: bool = False) -> Fact:
    return Fact(id="f", doc="d.md", section_path=["第2"], label="x", value=Decimal(value), unit=unit, scale=scale,
                raw=raw, approx=approx, lines=(1, 1))


CASES = [
    # (op, facts, value, text, formula)
    ("diff", [fact("12,741件", "12741", "件"), fact("49,351件", "49351", "件")], "36610", "36,610件",
     "49,351件 − 12,741件 = 36,610件"),
    ("sum", [fact("30,245,843円", "30245843", "円"), fact("18,503,879円", "18503879", "円")], "48749722",
     "48,749,722円", "30,245,843円 + 18,503,879円 = 48,749,722円"),
    # 千円 and 円 are compared in 円
    ("sum", [fact("4,016千円", "4016", "千円", 1000), fact("500円", "500", "円")], "4016500", "4,016,500円",
     "4,016,000円 + 500円 = 4,016,500円"),
    ("ratio", [fact("2,000千円", "2000", "千円", 1000), fact("4,912千円", "4912", "千円", 1000)], None, "約40.7%",
     "2,000千円 ÷ 4,912千円 × 100 ≈ 40.7%"),
    ("change", [fact("12,741件", "12741", "件"), fact("49,351件", "49351", "件")], None, "約74.2%減",
     "(12,741件 − 49,351件) ÷ 49,351件 × 100 ≈ -74.2%"),
    ("times", [fact("21,258千円", "21258", "千円", 1000), fact("15,442千円", "15442", "千円", 1000)], None, "約1.38倍",
     "21,258千円 ÷ 15,442千円 ≈ 1.38倍"),
]


@pytest.mark.parametrize(("op", "facts", "value", "text", "formula"), CASES)
def test_derive(op, facts, value, text, formula):
    d = derive(op, facts)
    assert d is not None
    assert (d.text, d.formula) == (text, formula)
    if value is not None:
        assert d.value == Decimal(value)


def test_percentages_are_exact_underneath_and_marked_approximate():
    d = derive("ratio", [fact("1件", "1", "件"), fact("3件", "3", "件")])
    assert d.approx and d.unit == "%" and d.text == "約33.3%"
    assert d.value == Decimal(1) / Decimal(3) * 100  # not rounded


def test_zero_divisor_gives_no_result():
    assert derive("ratio", [fact("1件", "1", "件"), fact("0件", "0", "件")]) is None


def test_approximate_inputs_make_an_approximate_sum():
    assert derive("sum", [fact("約1.9万人", "19000", "人", approx=True), fact("3人", "3", "人")]).approx
