"""breakdown: a figure split by the group header a table gives it under (「男女別だと」「有効期間別の内訳」): each
column of the group with its figure, in the report's order, cited once.
"""

from __future__ import annotations

from qa.evidence import Evidence
from qa.models import Answer, Hit
from qa.ops.structure import finish, group_facts
from qa.phrasing import figure, value_text
from qa.plan import Plan
from qa.text import norm


def breakdown(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    """Every column under the group header the question names whole, when it names none of the columns (「男性は」
    asks one); None otherwise."""
    q = plan.question
    asked = q.norm.replace(" ", "")
    if not any(g in asked for g in ev.group_headers):
        return None  # no group header named whole: nothing to split (checked before the per-fact search)
    found = group_facts(ev, q, None)
    if found is None:
        return None
    group, facts = found
    if norm(group).replace(" ", "") not in asked:
        return None  # named word by word (「広告を出したSNS」): a column is asked, not the split
    columns = [(f.attribute or "").rpartition(" ")[2] for f in facts]
    if any(norm(c) in q.norm for c in columns if c):
        return None
    shown = "、".join(f"{c} {value_text(f)}" for c, f in zip(columns, facts, strict=True))
    where = facts[0].section_path[-1]
    text = f"{group}：{shown}（{where}）"
    citation = ev.citation_for_fact(facts[0], 1.0)
    return finish(ev, plan, text, [citation], hits, [figure(f) for f in facts])
