"""Answers from facts and passages, deterministically: fact selection, arithmetic, abstention, the
Japanese sentence and its citations. Nothing here names a particular question: the rules are patterns,
synonyms (qa/data/synonyms.json) and units.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from qa import grounding, operations, passage
from qa.analyze import Question, analyze, expand, groups_for, unit_family
from qa.arithmetic import derive
from qa.index import Index
from qa.models import Answer, Chunk, Citation, Fact, Figure, Hit
from qa.normalize import Normalizer, entities, wareki
from qa.plan import make_plan
from qa.search import search
from qa.text import find_periods, norm, yen_reading
from qa.tokenize import tokens

# Thresholds, chosen on eval/questions.jsonl (README, "Answers"): below MIN_COVERAGE of the question's
# key-term weight found in the best evidence, the report is taken not to hold the answer.
MIN_COVERAGE = 0.55  # passages
MIN_FACT_COVERAGE = 0.28
MIN_FACT_SCORE = 0.52
MEASURE_PENALTY = 0.25
# A name in Latin script (YouTube, LINE, NETSUGEN, TikTok), as a normalised key term.
LATIN_NAME = re.compile(r"[a-z][a-z0-9.+!-]{2,}")


@dataclass
class Scored:
    fact: Fact
    score: float
    coverage: float


class Answerer:
    """Turns an analysed question into an Answer over one loaded Index."""

    min_coverage = MIN_COVERAGE
    # A describe question names its section: at least this share of its terms must be in the title.
    min_title_coverage = 0.3

    def __init__(self, index: Index, dense_weight: float = 0.6, top_k: int = 5) -> None:
        self.index = index
        self.dense_weight = dense_weight
        self.top_k = top_k
        self.fiscal_years = {d.doc: d.fiscal_year for d in index.documents}
        texts = [norm(t) for t in index.texts]
        self._texts = texts
        self._n = len(texts)
        self._df_cache: dict[str, int] = {}
        self._chunk_of_line: dict[tuple[str, tuple[str, ...], int], Chunk] = {}
        for c in index.chunks:
            for line in range(c.lines[0], c.lines[1] + 1):
                self._chunk_of_line.setdefault((c.doc, tuple(c.section_path), line), c)
        section_text = {
            (c.doc, tuple(c.section_path)): "" for c in index.chunks
        }
        for c in index.chunks:
            key = (c.doc, tuple(c.section_path))
            if c.kind == "text" and len(section_text[key]) < 400:
                section_text[key] += c.body
        # What a figure is about: its own passage, and the running text of its section (a table row
        # 「来場者数等の状況」 is explained by the paragraph above the table).
        self._fact_fields = [
            (norm(f.label), norm(f.attribute or ""), [norm(h) for h in f.section_path],
             norm(self._passage(f) + " " + section_text.get((f.doc, tuple(f.section_path)), "")))
            for f in index.facts
        ]
        self._facts_by_id = {f.id: f for f in index.facts}
        self._section_texts: dict[tuple[str, tuple[str, ...]], str] = {}
        for c in index.chunks:
            key = (c.doc, tuple(c.section_path))
            self._section_texts[key] = self._section_texts.get(key, "") + " " + norm(c.body)
        self._chunks_by_id = {c.id: c for c in index.chunks}
        # The years the corpus speaks of: its reports' fiscal years, its facts' periods, any era year in
        # its text. A question about another year has no answer here.
        self._years = {fy for fy in self.fiscal_years.values() if fy}
        self._years |= {y for f in index.facts if f.period and (y := _year(f.period))}
        self._years |= {p.year for d in index.documents for _, _, p in find_periods("\n".join(d.lines))}
        self._max_weight = math.log((self._n + 1) / 0.5)
        # The question normaliser over this index's documents (readings, vocabulary, the report's year).
        self.normalizer = Normalizer.from_documents(index.documents)
        # The report's own subject (its prefecture, its department): every passage is about it, so a
        # question naming it needs no evidence that repeats the name.
        corpus = norm("\n".join("\n".join(d.lines) for d in index.documents))
        known = entities()
        self.own: set[str] = set()
        for name in known.prefectures + known.departments:
            if norm(name) in corpus:
                self.own |= {norm(name), norm(re.sub(r"[都道府県部]$", "", name))}
        years = sorted({d.fiscal_year for d in index.documents if d.fiscal_year})
        titles = "・".join(dict.fromkeys(d.title for d in index.documents))
        self.report_label = titles + (f"、{wareki(years[0], fiscal=True)}" if len(years) == 1 else "")

    # --- term weights -----------------------------------------------------------------------

    def weight(self, group: list[str]) -> float:
        """IDF of a term group over all indexed texts; a term the report never uses weighs the most."""
        key = "\x00".join(group)
        if key not in self._df_cache:
            if len(self._df_cache) > 100_000:
                self._df_cache.clear()  # a long-running app meets many words: keep the cache bounded
            self._df_cache[key] = sum(1 for t in self._texts if any(g in t for g in group))
        df = self._df_cache[key]
        return math.log((self._n + 1) / (df + 0.5))

    def coverage(self, q: Question, text: str) -> float:
        """IDF-weighted share of the question's term groups found in `text` (normalised)."""
        if not q.groups:
            return 0.0
        t = norm(text)
        total = sum(self.weight(g) for g in q.groups)
        found = sum(self.weight(g) for g in q.groups if any(a in t for a in g))
        return found / total if total else 0.0

    # --- facts -------------------------------------------------------------------------------

    def score_facts(self, q: Question, hits: list[Hit]) -> list[Scored]:
        """Facts ranked for the question; a quantity question with a unit only sees facts in that unit.

        score = 0.5 · lexical match (label/attribute > heading > the passage around the figure) +
        0.35 · how well its section was retrieved + 0.15 · the fact's own hybrid score, ± unit and period.
        """
        dense = {h.id: h.score for h in hits if h.kind == "fact"}
        section_score: dict[tuple[str, ...], float] = {}
        for h in hits:
            key = tuple(h.section_path)
            section_score[key] = max(section_score.get(key, 0.0), h.score)
        top = max(section_score.values(), default=1.0) or 1.0
        weights = [self.weight(g) for g in q.groups]
        total = sum(weights) or 1.0
        focus = [g for g in q.groups if g[0] in q.focus]
        measure = groups_for([q.measure], q.norm)[0] if q.measure else None
        # A compound measure (「LINE広告」) is matched by its whole or by all of its words; it is unknown
        # when the report uses none of its words.
        measure_words = [w for w in (tokens(q.measure) if q.measure else []) if w]
        measure_unknown = measure is not None and all(
            self.weight(expand(w)) >= self._max_weight - 1e-9 for w in measure_words or [q.measure]
        )
        # A name in Latin script (YouTube, LINE, NETSUGEN) picks out one thing: a figure about
        # something else is not its answer, however well the rest matches.
        names = [g for t, g in zip(q.terms, q.groups) if LATIN_NAME.fullmatch(t)]
        out: list[Scored] = []
        for fact, (label, attr, path, context) in zip(self.index.facts, self._fact_fields):
            if q.unit and unit_family(fact.unit) != q.unit:
                continue
            if names and not all(any(a in f for a in g for f in (label, attr, *path, context)) for g in names):
                continue
            got = found = 0.0
            for g, w in zip(q.groups, weights):
                if any(a in label or a in attr for a in g):
                    got, found = got + w, found + w
                elif any(a in path[-1] for a in g):
                    got, found = got + 0.8 * w, found + w
                elif any(a in context for a in g):
                    got, found = got + 0.6 * w, found + w
                elif any(a in h for h in path[:-1] for a in g):
                    got, found = got + 0.4 * w, found + w
            score = 0.5 * got / total
            score += 0.35 * section_score.get(tuple(fact.section_path), 0.0) / top
            score += 0.15 * dense.get(fact.id, 0.0)
            if focus and not all(any(a in label or a in attr or a in path[-1] for a in g) for g in focus):
                score -= 0.3
            fields = (label, attr, path[-1], context)
            if measure and not any(a in f for a in measure for f in fields) and not (
                measure_words and all(any(w in f for f in fields) for w in measure_words)
            ):
                # 「群馬県の面積は」: the figure must be of the thing measured, all the more when the report
                # never names that thing at all (面積, 人口).
                score -= MEASURE_PENALTY + (0.1 if measure_unknown else 0.0)
            if q.unit:
                score += 0.05
            elif q.measure and fact.unit and fact.unit in q.measure + "数":
                score += 0.1  # 「対応窓口数は」 counts 窓口, 「件数は」 counts 件
            score += self._period_fit(q, fact)
            out.append(Scored(fact, score, found / total))
        out.sort(key=lambda s: -s.score)
        return out

    def _period_fit(self, q: Question, fact: Fact) -> float:
        fy = self.fiscal_years.get(fact.doc)
        target = self._target_year(q, fact.doc)
        if target is None:
            # No period asked: the report's own year first.
            return 0.05 if fact.period is None or _year(fact.period) == fy else 0.0
        return 0.25 if self._fact_year(fact) == target else -0.3

    def _target_year(self, q: Question, doc: str) -> int | None:
        if q.period is not None and q.period.norm.count("-") == 2:
            return None  # a full date (令和3年3月5日) names an event, not the period of a figure
        if q.period is not None:
            return q.period.year
        if q.relative == "previous" and q.op is None:
            fy = self.fiscal_years.get(doc)
            return fy - 1 if fy else None
        return None

    def siblings(self, fact: Fact) -> list[Fact]:
        """The same figure for other periods (「令和2年：13,062件、令和元年：49,251件」), report's year first."""
        same = [
            f for f in self.index.facts
            if f.doc == fact.doc and f.section_path == fact.section_path and f.label == fact.label
            and f.attribute == fact.attribute and unit_family(f.unit) == unit_family(fact.unit)
        ]
        periods = {f.period for f in same}
        if len(same) < 2 or len(periods) < len(same):
            return [fact]
        fy = self.fiscal_years.get(fact.doc)
        return sorted(same, key=lambda f: (_year(f.period) != fy if f.period else False, -(_year(f.period) or 0)))

    # --- citations ---------------------------------------------------------------------------

    def _chunk_for(self, fact: Fact) -> Chunk | None:
        """The passage that holds the fact's first line."""
        return self._chunk_of_line.get((fact.doc, tuple(fact.section_path), fact.lines[0]))

    def _passage(self, fact: Fact) -> str:
        chunk = self._chunk_for(fact)
        return chunk.body if chunk else fact.raw

    def citation_for_fact(self, fact: Fact, score: float) -> Citation:
        # The passage that holds the figure, with the passage's own line span (it contains the fact's).
        chunk = self._chunk_for(fact)
        text, lines = (chunk.body, list(chunk.lines)) if chunk else (fact.raw, list(fact.lines))
        return Citation(doc=fact.doc, section_path=fact.section_path, lines=lines, text=text, score=round(score, 4))

    def citations_from_hits(self, hits: list[Hit], exclude: list[Citation], limit: int,
                            distinct_sections: bool = False) -> list[Citation]:
        out: list[Citation] = []
        seen = {(c.doc, tuple(c.section_path), tuple(c.lines)) for c in exclude}
        sections = {(c.doc, tuple(c.section_path)) for c in exclude}
        for h in hits:
            if h.kind == "fact":
                fact = self._facts_by_id[h.id]
                cit = self.citation_for_fact(fact, h.score)
            else:
                chunk = self._chunk(h.id)
                cit = Citation(doc=h.doc, section_path=h.section_path, lines=list(h.lines), text=chunk.body,
                               score=round(h.score, 4))
            key = (cit.doc, tuple(cit.section_path), tuple(cit.lines))
            if key in seen or (distinct_sections and key[:2] in sections):
                continue
            seen.add(key)
            sections.add(key[:2])
            out.append(cit)
            if len(out) >= limit:
                break
        return out

    def _chunk(self, cid: str) -> Chunk:
        return self._chunks_by_id[cid]

    def section_text(self, doc: str, path: list[str]) -> str:
        """The normalised text of a section's own passages (children excluded)."""
        return self._section_texts.get((doc, tuple(path)), "")

    def chunk_text(self, hit: Hit) -> str | None:
        """The passage a hit stands for: a chunk's body, or the passage around a fact."""
        if hit.kind == "chunk":
            return self._chunks_by_id[hit.id].body
        fact = self._facts_by_id.get(hit.id)
        return self._passage(fact) if fact else None

    @staticmethod
    def value_text(f: Fact) -> str:
        return _value_text(f)

    @staticmethod
    def figure(f: Fact) -> Figure:
        return _figure(f)

    # --- the answer ----------------------------------------------------------------------------

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Normalise, analyse, plan and answer one (cleaned) question; history: earlier questions."""
        read = self.normalizer.normalize(question)
        earlier = [self.normalizer.normalize(h).text for h in history or []]
        q = analyze(read.text, earlier)
        if read.unknown_entities:
            # 「長野県の…」「健康福祉部の…」: a body this report does not cover; never another body's figure.
            hits = search(self.index, read.text, k=30, dense_weight=self.dense_weight)
            return self.refuse(q, hits, read.unknown_entities)
        ans = self.answer(q)
        notes = [f"『{r.source}』を『{r.target}』と読み替えました" for r in read.rewrites if r.reason == "fuzzy"]
        if notes and not ans.abstained:
            ans.text += "（" + "。".join(notes) + "）"
        ans.notes = [f"{r.source} → {r.target}（{r.reason}）" for r in read.rewrites]
        return ans

    def refuse(self, q: Question, hits: list[Hit], names: list[str]) -> Answer:
        """An abstention that names what the report does not cover, with the nearest passages."""
        subject = "』『".join(names)
        near = self.citations_from_hits([h for h in hits if h.kind == "chunk"], [], 3, distinct_sections=True)
        text = f"この報告書（{self.report_label}）に『{subject}』の記載はありません。"
        if near:
            text += "関連しそうな箇所：" + "、".join(dict.fromkeys(c.section_path[-1] for c in near))
        return Answer(question=q.text, text=text, abstained=True, citations=near)

    def answer(self, q: Question) -> Answer:
        """The answer, or an abstention naming a salient term of the question its evidence lacks."""
        ans = self._answer(q)
        if ans.abstained:
            return ans
        missing = grounding.missing_terms(q.text, ans, self.own, self.section_text)
        if missing:
            refusal = self.refuse(q, [], missing)
            refusal.citations = ans.citations[:3]
            refusal.op = ans.op
            if refusal.citations:
                refusal.text += "関連しそうな箇所：" + "、".join(
                    dict.fromkeys(c.section_path[-1] for c in refusal.citations))
            return refusal
        return ans

    def _answer(self, q: Question) -> Answer:
        query = q.text if not q.focus and not q.parts else " ".join(q.terms) + " " + q.text
        hits = search(self.index, query, k=30, dense_weight=self.dense_weight)
        # A period the corpus does not cover (令和4年度 against a 令和2年度 report) has no answer.
        if q.period is not None and not self._period_covered(q):
            return self.abstain(q, hits, f"{q.period.raw}の")
        if self._unknown_name(q):
            return self.abstain(q, hits, "")
        if q.want == "text" and q.predicate and not re.search(r"何|どの|どこ|どう|誰|いつ", q.norm) and any(
            q.predicate in label or q.predicate in attr for label, attr, _, _ in self._fact_fields
        ):
            q = replace(q, want="quantity")  # 「フォロワーは？」, 「有効期間5年のものは？」: the word names a figure
        plan = make_plan(q)
        q = plan.question
        ans = operations.execute(self, plan, hits)
        if ans:
            return ans
        if q.op:
            ans = self.operation_answer(q, hits)
            if ans:
                return ans
        if q.want == "quantity" or q.op:
            ans = self.figure_answer(q, hits)
            if ans:
                return ans
            if q.unit or q.op:
                # A count or an amount is asked and no figure of that kind matches: the passage
                # around it cannot hold the answer either.
                return self.abstain(q, hits, "")
        return self.passage_answer(q, hits)

    def _unknown_name(self, q: Question) -> bool:
        """A Latin-script name the report never uses (「TikTok」): the report cannot be about it."""
        for term, group in zip(q.terms, q.groups):
            if LATIN_NAME.fullmatch(term) and self.weight(group) >= self._max_weight - 1e-9:
                return True
        return False

    def operation_answer(self, q: Question, hits: list[Hit]) -> Answer | None:
        """差・合計・比・前年比 over facts: across two named periods, across the items the question lists,
        over a whole column (「全部足すと」), or across the periods one figure is given for."""
        scored = self.score_facts(q, hits)
        best = scored[0] if scored else None
        if len(q.periods) >= 2 and best is not None:
            group = self.siblings(best.fact)
            chosen = [next((f for f in group if self._fact_year(f) == p.year), None) for p in q.periods[:2]]
            if all(chosen):
                return self._derived(q, chosen, best.score, hits)  # type: ignore[arg-type]
            return None
        if q.op == "sum" and re.search(r"全部|全て|すべて|総数|全体|総計", q.norm) and best is not None:
            column = [f for f in self.index.facts if f.section_path == best.fact.section_path
                      and f.attribute == best.fact.attribute and unit_family(f.unit) == unit_family(best.fact.unit)
                      and f.period == best.fact.period]
            if len({f.label for f in column}) >= 2:
                return self._derived(q, column, best.score, hits)
        if q.parts:
            facts: list[Fact] = []
            score = 1.0
            for part in q.parts:
                if facts:
                    part.unit = part.unit or unit_family(facts[0].unit)
                ranked = [s for s in self.score_facts(part, hits) if s.fact not in facts]
                if not ranked or ranked[0].score < MIN_FACT_SCORE:
                    return None
                facts.append(ranked[0].fact)
                score = min(score, ranked[0].score)
            return self._derived(q, facts, score, hits)
        if best is not None and best.score >= MIN_FACT_SCORE and q.op in {"diff", "ratio", "change"}:
            group = self.siblings(best.fact)
            if len(group) >= 2:
                return self._derived(q, group[:2], best.score, hits)
        return None

    def _period_covered(self, q: Question) -> bool:
        """Whether the corpus speaks of the asked period at all."""
        assert q.period is not None
        return q.period.year in self._years

    def figure_answer(self, q: Question, hits: list[Hit]) -> Answer | None:
        if len(q.units) >= 2 and not q.op:
            return self.several_units(q, hits)
        scored = self.score_facts(q, hits)
        if not scored:
            return None
        best = scored[0]
        # A follow-up (「男性は？」) must match its own new words; the earlier subject is context.
        needed = MIN_FACT_COVERAGE / 2 if q.focus else MIN_FACT_COVERAGE
        if best.score < MIN_FACT_SCORE - (0.1 if q.focus else 0.0) or best.coverage < needed:
            return None
        fact = best.fact
        group = self.siblings(fact)
        # The asked period, or the report's own year first with the others after it.
        target = self._target_year(q, fact.doc)
        primary = fact
        if target is not None:
            matching = [f for f in group if self._fact_year(f) == target]
            if not matching:
                # The figure exists, but not for the period asked: say so rather than give another year's.
                return self.abstain(q, hits, f"{q.period.raw}の" if q.period else "前年の")
            primary = matching[0]
        others = [f for f in group if f is not primary]
        text = _figure_text(primary)
        if others:
            text += "（" + "、".join(f"{f.period_raw}：{_value_text(f)}" for f in others if f.period_raw) + "）"
        subject = ""
        group_word = (primary.attribute or "").split(" ")[0]
        rest = q.norm.replace(norm(group_word), " ") if group_word else q.norm
        if group_word.endswith("別") and norm(group_word) in q.norm and not any(
            norm(w) in rest for w in (primary.attribute or "").split(" ")[1:]
        ):
            # 「男女別の発行件数は」 names the breakdown, not one of its columns: give every column of it.
            parts = [f for f in self.index.facts if f.lines == primary.lines and f.label == primary.label
                     and (f.attribute or "").split(" ")[0] == group_word]
            primary, others = parts[0], parts[1:]
            text = "、".join(f"{(f.attribute or '').split(' ', 1)[-1]}：{_value_text(f)}" for f in parts)
            subject = f"{primary.label}［{group_word}］ — {primary.section_path[-1]}"
        elif re.search(r"内訳|内容別|それぞれ", q.norm):
            # 「出動回数の内訳」: the figures written with this one, in the report's order.
            parts = [f for f in self.index.facts if f.lines == primary.lines and f.section_path == primary.section_path
                     and f is not primary and unit_family(f.unit) == unit_family(primary.unit)]
            if parts:
                others += parts
                text += "（内訳：" + "、".join(f"{f.label}{_value_text(f)}" for f in parts) + "）"
        text += f"。{subject or _subject(primary)}"
        figures = [_figure(primary)] + [_figure(f) for f in others]
        citations = [self.citation_for_fact(primary, best.score)]
        citations += self.citations_from_hits(hits, citations, self.top_k - 1)
        return Answer(question=q.text, text=text, figures=figures, citations=citations)

    def several_units(self, q: Question, hits: list[Hit]) -> Answer | None:
        """「何社・何人分」 asks two counts: the best figure in each unit, from the same passage."""
        answers = [self.figure_answer(replace(q, unit=u, units=[]), hits) for u in q.units]
        found = [a for a in answers if a is not None and a.figures]
        if not found:
            return None
        anchor = found[0].citations[0]
        found = [a for a in found if a.citations[0].section_path == anchor.section_path]
        text = "、".join(a.figures[0].raw for a in found) + "。" + found[0].text.split("。", 1)[-1]
        figures = [f for a in found for f in a.figures[:1]]
        return Answer(question=q.text, text=text, figures=figures, citations=found[0].citations)

    def _fact_year(self, fact: Fact) -> int | None:
        # A fact without a period belongs to its report's fiscal year.
        return _year(fact.period) if fact.period else self.fiscal_years.get(fact.doc)

    def _derived(self, q: Question, facts: list[Fact], score: float, hits: list[Hit]) -> Answer:
        op = q.op or "diff"
        # Name each figure so the formula can be checked: by label, or by section when labels repeat
        # (「寄附受入実績」 under 個人版 and under 企業版).
        names = [f.label for f in facts]
        if len({(f.label, f.period) for f in facts}) < len(facts):
            names = [f.section_path[-1] if f.section_path[-1] not in names else f.label for f in facts]
        labels = [f"{n}{'（' + f.period_raw + '）' if f.period_raw else ''}" for n, f in zip(names, facts)]
        result = derive(op, facts)
        if result is None:
            return self.passage_answer(q, hits)
        label = facts[0].label if len({f.label for f in facts}) == 1 else "・".join(dict.fromkeys(labels))
        figure = Figure(label=label, attribute=facts[0].attribute, period=None, value=_plain(result.value),
                        unit=result.unit, raw=result.text, approx=result.approx, derived=True,
                        formula=result.formula)
        sections = list(dict.fromkeys(f.section_path[-1] for f in facts))
        text = f"{result.text}（{result.formula}）。" + "、".join(
            f"{label}：{_value_text(f)}" for label, f in zip(labels, facts)
        ) + (f"（{sections[0]}）" if len(sections) == 1 else "")
        citations = [self.citation_for_fact(f, score) for f in facts]
        citations += self.citations_from_hits(hits, citations, max(0, self.top_k - len(citations)))
        return Answer(question=q.text, text=text, figures=[figure] + [_figure(f) for f in facts], citations=citations)

    def passage_answer(self, q: Question, hits: list[Hit]) -> Answer:
        """The segment of the best passages that holds the key terms and looks like the answer."""
        chunk_hits = [h for h in hits if h.kind == "chunk"][:8]
        candidates: list[tuple[float, float, Hit, str]] = []
        for rank, h in enumerate(chunk_hits):
            chunk = self._chunk(h.id)
            crumb = " ".join(chunk.section_path)
            for seg in passage.segments(chunk.body):
                cov = self.coverage(q, crumb + " " + seg)
                s = cov + 0.3 * h.score - 0.02 * rank + passage.shape_bonus(q, seg)
                s += passage.predicate_bonus(q, seg)
                if q.period is not None and q.period.raw in seg:
                    s += 0.2  # 「令和3年度はどうする？」: the segment that names that year
                candidates.append((s, cov, h, seg))
        if q.want == "date" and not re.search(r"何年|から|まで|期間", q.norm):
            # いつ asks for a day or a month: a segment with a full date, when one is on topic, answers it.
            top_cov = max((c[1] for c in candidates), default=0.0)
            dated = [c for c in candidates if passage.FULL_DATE.search(c[3]) and c[1] >= 0.6 * top_cov]
            candidates = dated or candidates
        best = max(candidates, key=lambda c: c[0]) if candidates else None
        best = (best[0], best[2], best[3]) if best else None
        if best is None:
            return self.abstain(q, hits, "")
        _, hit, seg = best
        chunk = self._chunk(hit.id)
        if self.coverage(q, " ".join(chunk.section_path) + " " + chunk.body) < MIN_COVERAGE:
            return self.abstain(q, hits, "")
        if q.want == "list":
            items = self._list_items(q, chunk)
            text = "、".join(dict.fromkeys(items))
        elif q.want in {"date", "place", "name"}:
            text = passage.best_clause(q, seg, lambda c: self.coverage(q, c))
        else:
            text = seg
        text = text if len(text) <= 180 else text[:179] + "…"
        text += f"（{chunk.section_path[-1]}）"
        citations = [Citation(doc=chunk.doc, section_path=chunk.section_path, lines=list(chunk.lines),
                              text=chunk.body, score=round(hit.score, 4))]
        citations += self.citations_from_hits(hits, citations, self.top_k - 1)
        return Answer(question=q.text, text=text, citations=citations)

    def _list_items(self, q: Question, chunk: Chunk) -> list[str]:
        """Items for 「どんな…」: the sub-sections' titles when the question names the section itself,
        the row names of its table, or the matching segments of the passage."""
        sections = [s for d in self.index.documents if d.doc == chunk.doc for s in d.sections]
        by_id = {s.id: s for s in sections}
        here = next((s for s in sections if s.path == chunk.section_path), None)
        # The section the question names may be the passage's or one of its ancestors
        # (「教育イノベーション・プロジェクトではどんなPJを」 lands in ア… under it).
        chain = []
        while here is not None:
            chain.append(here)
            here = by_id.get(here.parent) if here.parent else None
        chain = [s for s in chain if s.level >= 2] or chain[:1]
        here = max(chain, key=lambda s: self.coverage(q, s.heading), default=None)
        if here is not None:
            heading_cov = self.coverage(q, " ".join(here.path))
            children = [s for s in sections if s.parent == here.id]
            if len(children) >= 2 and heading_cov >= 0.5:
                return [c.title for c in children]
            rows = [c for c in self.index.chunks if c.section_path == here.path and c.kind == "table_row"]
            labels = [r.body.split(" — ")[0] for r in rows]
            if len(rows) >= 2 and heading_cov >= 0.5 and not any(self.coverage(q, lab) >= 0.5 for lab in labels):
                return labels
        return passage.list_items(chunk, q, lambda c: self.coverage(q, c))

    def abstain(self, q: Question, hits: list[Hit], what: str) -> Answer:
        subject = _topic(q.text, what) or "お尋ねの内容"
        near = self.citations_from_hits([h for h in hits if h.kind == "chunk"], [], 3, distinct_sections=True)
        text = f"この報告書には{what}{subject}の記載が見つかりませんでした。"
        if near:
            text += "関連しそうな箇所：" + "、".join(c.section_path[-1] for c in near)
        return Answer(question=q.text, text=text, abstained=True, citations=near)


def _topic(question: str, period_words: str) -> str:
    """The question's subject in its own words: 「知事の趣味は？」 → 「知事の趣味」."""
    text = re.sub(r"[?？!！。\s]+$", "", question.strip())
    text = re.sub(r"(について|を|は|って|の|が)?(教えて.*|知りたい.*|何.*|いくら.*|いつ.*|どこ.*|誰.*|どれ.*|どんな.*|"
                  r"どの.*|どう.*)?$", "", text)
    if period_words:
        text = text.replace(period_words.rstrip("の"), "").lstrip("のはに ")
    return text.strip()


def _year(period: str | None) -> int | None:
    if not period:
        return None
    m = re.search(r"(\d{4})", period)
    return int(m.group(1)) if m else None


def _plain(x: Decimal) -> str:
    return format(x.normalize(), "f") if x == x.to_integral_value() else format(x, "f")


def _value_text(f: Fact) -> str:
    return f.raw.strip() if f.unit and f.unit in f.raw else f"{f.raw.strip()}{f.unit}"


def _figure_text(f: Fact) -> str:
    text = _value_text(f)
    if unit_family(f.unit) == "円" and f.scale > 1:
        text += f"（{yen_reading(f.value, f.scale)}）"
    if f.period_raw:
        text += f"（{f.period_raw}）"
    return text


def _subject(f: Fact) -> str:
    attr = f"［{f.attribute}］" if f.attribute else ""
    return f"{f.label}{attr} — {f.section_path[-1]}"


def _figure(f: Fact) -> Figure:
    return Figure(label=f.label, attribute=f.attribute, period=f.period_raw, value=_plain(f.value), unit=f.unit,
                  raw=_value_text(f), approx=f.approx, derived=False, formula=None)
