"""multi-part: each part of 「AとBは？」 looked up on its own, with a citation each.
"""

from __future__ import annotations

from qa.evidence import Evidence
from qa.lookup import figure_answer
from qa.models import Answer, Citation, Hit
from qa.ops.structure import finish
from qa.plan import Plan


def multipart(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    answers = []
    used: set[str] = set()
    for part in plan.parts:
        ans = figure_answer(ev, part, hits)
        if ans is None or not ans.figures or ans.abstained:
            return None
        key = ans.figures[0].raw + ans.citations[0].section_path[-1] + (ans.figures[0].label or "")
        if key in used:
            return None
        used.add(key)
        answers.append((part, ans))
    text = "／".join(f"{a.figures[0].label}{'［' + a.figures[0].attribute + '］' if a.figures[0].attribute else ''}："
                     f"{a.figures[0].raw}{'（' + a.figures[0].period + '）' if a.figures[0].period else ''}"
                     for _, a in answers)
    sections = list(dict.fromkeys(a.citations[0].section_path[-1] for _, a in answers))
    text += f"（{'、'.join(sections)}）"
    citations: list[Citation] = []
    for _, a in answers:
        if a.citations[0] not in citations:
            citations.append(a.citations[0])
    figures = [a.figures[0] for _, a in answers]
    return finish(ev, plan, text, citations, hits, figures)
