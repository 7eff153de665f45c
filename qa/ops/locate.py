"""locate: the section path of the best evidence; describe: the description paragraph of the section the
question names.
"""

from __future__ import annotations

import re

from qa.analyze import Question, with_terms
from qa.grounding import theme
from qa.evidence import Evidence
from qa.lexicon import lexicon
from qa.models import Answer, Hit, Section
from qa.ops.structure import finish, named_scope, title_coverage, without_items
from qa.plan import Plan


def _best_chunk_section(ev: Evidence, q: Question, hits: list[Hit]) -> tuple[Section, Hit] | None:
    best = None
    for rank, h in enumerate(hits[:10]):
        text = " ".join(h.section_path) + " " + (ev.chunk_text(h) or h.text)
        score = ev.coverage(q, text) + ev.weights.passage_hit * h.score - ev.weights.passage_rank_step * rank
        if best is None or score > best[0]:
            best = (score, h)
    if best is None:
        return None
    h = best[1]
    section = ev.section_by_path.get((h.doc, tuple(h.section_path)))
    return (section, h) if section is not None else None


def _topic(q: Question) -> Question:
    """The question without the words that ask where (報告書, 項目, 見れば), its loose wording and its preamble."""
    # Nor the measure asked of it (「作った費用は、どの事業に」: 費用 is in every 事業).
    asking = set(lexicon().locate_words) | {w for words in lexicon().measures.values() for w in words}
    # A verbal noun said as a verb (「商標を出願した話」) is still what the passage is about.
    keep = [(t, g) for t, g in zip(q.terms, q.groups)
            if t not in asking and t not in q.aside and (t not in q.loose or re.fullmatch(r"[\u4e00-\u9fff]{2,}", t))]
    return with_terms(q, keep) if keep else q


def locate(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = _topic(plan.question)
    found = _best_chunk_section(ev, q, hits)

    def covered(f: tuple[Section, Hit], words: Question = q) -> float:
        return ev.coverage(words, " ".join(f[0].path) + " " + (ev.chunk_text(f[1]) or ""))

    if found is not None and covered(found) < ev.weights.min_coverage and q.terms:
        # The whole question's search leant to loose words (ぐんまちゃん of every ① – ⑧): search the topic alone,
        # and keep what it finds when that covers the topic better.
        again = _best_chunk_section(ev, q, ev.search(" ".join(q.terms)))
        topic = without_items(q)  # the words the passage pointed at must hold (below)
        found = again if again is not None and covered(again, topic) > covered(found, topic) else found
    if found is None:
        return None
    section, hit = found
    path = [p for p in section.path[1:]] or section.path
    # Words the report never uses (「人の流れ」 for 人流) cannot be pointed at: the others must be found. A name
    # the report lacks still refuses (qa.grounding).
    topic = without_items(q)
    known = [(t, g) for t, g in zip(topic.terms, topic.groups) if not ev.unknown(g)]
    if known:
        topic = with_terms(topic, known)
    # The theme of the sections beside it is what this one is about too (ぐんまちゃん over ① – ⑧ of
    # メディア・コンテンツ推進, though 「⑦ 着ぐるみ製作」 leaves it out of its title).
    titles = ev.sibling_titles(section.doc, section.path)
    themed = " ".join(t for t in topic.terms if theme(t, titles))
    text = " ".join(section.path) + " " + (ev.chunk_text(hit) or hit.text) + " " + themed
    if ev.coverage(topic, text) < ev.weights.min_coverage:
        return None
    text = f"{' › '.join(path)}に記載があります（{section.doc} {section.lines[0]}–{section.lines[1]}行）。"
    return finish(ev, plan, text, ev.citations_from_hits([hit], [], 1), hits)


def _description(section: Section) -> str | None:
    paragraphs = [b.text for b in section.blocks if b.kind == "paragraph"]
    return paragraphs[0] if paragraphs else None


def describe(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    q = plan.question
    scope = named_scope(ev, q, hits)
    root = next((s for s in ev.sections if s.level == 0), None)
    if scope is None and root is not None and (
            title_coverage(ev, without_items(q), root) >= ev.weights.min_title_coverage
            or any(len(o) >= 3 and o in q.norm for o in ev.own)):
        scope = root  # 「知事戦略部とは」「知事戦略部はどんな役割の部署」: the chapter's own opening paragraph
    if scope is None or (scope is not root and title_coverage(ev, without_items(q), scope) < ev.weights.min_title_coverage):
        return None
    text = _description(scope)
    if text is None:
        return None
    text = text.strip()
    shown = text if len(text) <= 180 else text[:179] + "…"
    cit = ev.section_citation(scope, text)
    return finish(ev, plan, f"{shown}（{scope.heading}）", [cit], hits)
