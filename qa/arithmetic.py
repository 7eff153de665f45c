"""Arithmetic over facts, never over free text: difference, sum, ratio and change, each with the formula
written in the report's own figures so a reader can check it (「49,351件 − 12,741件 = 36,610件」).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from qa.models import Fact
from qa.text import format_number


@dataclass(frozen=True)
class Derived:
    value: Decimal  # exact; a percentage is shown rounded, with 約 and ≈ saying so
    unit: str
    text: str  # the figure as the answer shows it: 「36,610件」, 「約26.5%」, 「約74.2%減」
    formula: str
    approx: bool


def percent(x: Decimal) -> str:
    """One decimal place for a percentage; the formula beside it shows the exact figures."""
    shown = x.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    whole, _, tenth = format(abs(shown), "f").partition(".")
    return ("-" if shown < 0 else "") + f"{int(whole):,}.{tenth or '0'}"  # 38.0 stays 38.0: one place, always


# Significant figures of a derived 倍 (the precision its operands rarely exceed).
TIMES_FIGURES = 3


def derive(op: str, facts: list[Fact]) -> Derived | None:
    """The result of `op` (sum | diff | ratio | change | times) over the facts' values, or None for a zero divisor.

    Amounts in 千円 and 円 are compared like with like: all are brought to the smallest scale first.
    diff is the larger minus the smaller (the question says the direction in words); ratio and change take
    the first fact over the second.
    """
    scale = min(f.scale for f in facts)
    unit = next(f.unit for f in facts if f.scale == scale)
    values = [f.value * f.scale / scale for f in facts]
    shown = [f"{format_number(v)}{unit}" for v in values]
    approx = any(f.approx for f in facts)
    if op == "sum":
        result = sum(values, Decimal(0))
        text = f"{'約' if approx else ''}{format_number(result)}{unit}"
        return Derived(result, unit, text, " + ".join(shown) + f" = {text}", approx)
    a, b = values[0], values[1]
    if op in {"ratio", "change", "times"}:
        if b == 0:
            return None
        if op == "times":
            # 「AはBの何倍」: A ÷ B to three significant figures from 1倍 up, to two places below it, no trailing
            # zero (約5.7倍, 約2.75倍, 約41.7倍, 約0.26倍); the exact quotient is in the formula's operands.
            exact = a / b
            places = max(0, TIMES_FIGURES - len(str(int(abs(exact))))) if abs(exact) >= 1 else TIMES_FIGURES - 1
            shown_x = format(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
            shown_x = shown_x.rstrip("0").rstrip(".") if "." in shown_x else shown_x
            return Derived(exact, "倍", f"約{shown_x}倍", f"{shown[0]} ÷ {shown[1]} ≈ {shown_x}倍", True)
        if op == "ratio":
            exact = a / b * 100
            formula = f"{shown[0]} ÷ {shown[1]} × 100 ≈ {percent(exact)}%"
            text = f"約{percent(exact)}%"
        else:
            exact = (a - b) / b * 100
            formula = f"({shown[0]} − {shown[1]}) ÷ {shown[1]} × 100 ≈ {percent(exact)}%"
            text = f"約{percent(abs(exact))}%{'減' if exact < 0 else '増'}"
        return Derived(exact, "%", text, formula, True)
    big, small = max(a, b), min(a, b)
    result = big - small
    # A difference of figures the report gives as 約 (約1.9万人 − 約1.2万人) is itself about so much.
    text = f"{'約' if approx else ''}{format_number(result)}{unit}"
    return Derived(result, unit, text, f"{format_number(big)}{unit} − {format_number(small)}{unit} = {text}", approx)
