"""earliest / latest: the item of a table, a section's children or a list whose date comes first or last
(「時期がいちばん早かったのは」「配信日が一番新しい取組は」「開催時期が一番遅い会議は」).

An item's dates are the era dates in its text (令和2年9月4日); with none, its bare months, read in the report's
fiscal year (4月 … 12月, then 1月 … 3月). The earliest item is the one with the earliest date of its own, the
latest the one with the latest.
"""

from __future__ import annotations

import re

from qa.evidence import Evidence
from qa.lexicon import time_extreme
from qa.models import Answer, Hit, Section
from qa.ops.structure import finish, listed, named_scope, narrow, row_texts
from qa.plan import Plan
from qa.text import find_periods, nfkc

# (year, month, day) of a date; a bare month is placed in the fiscal year (1–3月 after 12月) with year 0.
When = tuple[int, int, int]

# How many of the best hits are looked at for a section that dates its items, when the one named does not.
DATED_HITS = 5

_MONTH = re.compile(r"(?<![\d年])(1[0-2]|[1-9])月")


def _dates(text: str) -> list[When]:
    found: list[When] = []
    for _, _, p in find_periods(text):
        parts = p.norm.split("-")
        if len(parts) >= 2 and parts[0].isdigit():
            found.append((int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else 0))
    if found:
        return found
    # 「6月、10月開催」: months of the report's fiscal year.
    return [(0, int(m) + (12 if int(m) <= 3 else 0), 0) for m in _MONTH.findall(nfkc(text))]


def _items(ev: Evidence, scope: Section) -> list[tuple[str, str]]:
    """(name, text) of the table rows, the child sections or the listed items of a section: the first kind
    with two or more dated items."""
    rows = row_texts(ev, scope)
    children = [(c.heading, c.heading + " " + ev.section_text(c.doc, c.path)) for c in ev.children(scope)]
    bullets = [(b, b) for b in listed(scope)]
    for items in ([(label, text) for label, text in rows.items()], children, bullets):
        if sum(1 for _, text in items if _dates(text)) >= 2:
            return items
    return []


def _shown(when: When, text: str) -> str:
    """The date as the report writes it: the first period in the text that is this date."""
    for _, _, p in find_periods(text):
        parts = p.norm.split("-")
        if len(parts) >= 2 and (int(parts[0]), int(parts[1])) == when[:2]:
            return p.raw
    month = when[1] - 12 if when[1] > 12 else when[1]
    return f"{month}月"


def date_extreme(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    direction = time_extreme(q.norm)
    if direction is None:
        return None
    scope = named_scope(ev, q, hits)
    if scope is None:
        top = next((h for h in hits if h.kind == "chunk"), None)
        scope = ev.section_by_path.get((top.doc, tuple(top.section_path))) if top is not None else None
    items: list[tuple[str, str]] = []
    named = scope
    while scope is not None and not (items := _items(ev, scope)):
        scope = next((s for s in ev.sections if s.id == scope.parent and s.doc == scope.doc), None)
    if (scope is None or scope.level == 0) and named is not None:
        # The section named dates nothing (the 重点施策 line 「オンラインを活用したトップ外交の実施」): the
        # best-retrieved section that dates its items is where they are.
        for h in (h for h in hits[:DATED_HITS] if h.kind == "chunk"):
            found = ev.section_by_path.get((h.doc, tuple(h.section_path)))
            if found is not None and len(dated := _items(ev, found)) >= 2:
                scope, items = found, dated
                break
    if scope is None or len(items) < 2:
        return None
    items = narrow(ev, q, items, lambda item: item[1], scope)
    pick = min if direction == "min" else max
    dated = [(pick(_dates(text)), name, text) for name, text in items if _dates(text)]
    if len(dated) < 2:
        return None
    dated.sort(key=lambda d: d[0], reverse=direction == "max")
    (when, name, text), (next_when, next_name, next_text) = dated[0], dated[1]
    word = "最も早い" if direction == "min" else "最も遅い"
    shown = _shown(when, text)
    answer = (f"{name}：{shown}（{scope.heading}で{word}。次いで{next_name}：{_shown(next_when, next_text)}）")
    return finish(ev, plan, answer, [ev.section_citation(scope, text)], hits)
