"""The operations a plan names, executed over the report's structure and facts in exact Decimal, each with
its working in the report's own figures; one module per operation:

- count.py: items, rows, columns or 事業 in a scope · extreme.py: max / min (ranks, thresholds, runner-up),
  with dates.py (the earliest / latest item by its dates), children.py (a section's parts, each by its own
  table) and groups.py (費目 by what their 事業 come to)
- breakdown.py: a figure split by the group header it stands under (「男女別だと」)
- average.py · share.py · total.py (a sum over a narrowed column) · compare.py · locate.py (locate and describe) · multipart.py
- structure.py: where figures stand (scopes, columns, peers, a 費目's 事業, thresholds)

Every operation takes the Evidence of one index and returns an Answer, or None when it has nothing to range
over (the router then falls back to a lookup). A new operation is one module here, one entry in
qa/data/lexicon.json and one row in tests/test_operations.py.
"""

from __future__ import annotations

from qa.evidence import Evidence
from qa.models import Answer, Hit
from qa.ops.average import average
from qa.ops.breakdown import breakdown
from qa.ops.compare import compare
from qa.ops.count import count
from qa.ops.extreme import extreme
from qa.ops.locate import describe, locate
from qa.ops.multipart import multipart
from qa.ops.share import share
from qa.ops.total import total
from qa.plan import Plan


OPERATIONS = {
    "count": count, "max": extreme, "min": extreme, "average": average, "share": share,
    "compare": compare, "locate": locate, "describe": describe, "sum": total,
}


def execute(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """The plan's operation over the evidence, or None when it has nothing to range over."""
    if plan.parts and plan.op == "lookup":
        return multipart(ev, plan, hits)
    if plan.op == "lookup" and (plan.question.want == "quantity" or "内訳" in plan.question.norm):
        return breakdown(ev, plan, hits)
    fn = OPERATIONS.get(plan.op)
    return fn(ev, plan, hits) if fn else None
