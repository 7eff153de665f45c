"""Where figures stand: the section a question names, the 事業 of a 費目, a table column or a packed cell,
the sections beside one, thresholds and ranks. Every operation ranges over these.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TypeVar

from qa.analyze import EXAMPLES, Question, examples_of, expand, unit_family, with_terms
from qa.evidence import Evidence
from qa.lexicon import counter_alternation, lexicon, whole_report
from qa.models import Answer, Citation, Fact, Figure, Hit, Section
from qa.plan import Plan, Threshold
from qa.ranking import score_facts, siblings, target_year
from qa.text import format_number, norm
from qa.tokenize import tagged_tokens, tokens


def title_coverage(ev: Evidence, q: Question, section: Section) -> float:
    """IDF-weighted share of the question's term groups found in the section's own title."""
    return ev.coverage(q, section.title)


_RANGE = re.compile(r"([^、。,\s]{2,30}?)から([^、。,\s]{2,30}?)まで")
_FROM = re.compile(r"([^、。,\sはにでをが]{2,30}?)から(?:数え|順に|始ま)")


def examples_in(q: Question) -> str:
    """The examples a question gives of a whole (「全国知事会議とか関東の知事会議とか」「（STEAMとか…）」), joined."""
    return examples_of(q.norm)


def without_items(q: Question) -> Question:
    """The question without the nouns that name what is counted or ranked (事業, 取組): they name no scope."""
    nouns = set(lexicon().item_nouns)
    # The first and last items of a range (「庁議から東京事務所まで」) are items in scope, not its name.
    ends = " ".join(m.group(1) + " " + m.group(2) for m in _RANGE.finditer(q.norm))
    ends += " " + " ".join(m.group(1) for m in _FROM.finditer(q.norm))  # 「(1)の庁議から数えて」: the first item
    # A rank (「2番目」「3位」) is no name either.
    # Examples that describe the whole (「広報活動（広報紙・テレビ・ラジオ等）の中で」) pick none of it out.
    examples = " ".join(next(g for g in m.groups() if g) for m in EXAMPLES.finditer(q.norm))
    keep = [(t, g) for t, g in zip(q.terms, q.groups)
            if t not in nouns and not re.fullmatch(r"\d*(番目?|位|目)", t) and t not in ends
            and not (t in examples and t not in EXAMPLES.sub(" ", q.norm))]
    return with_terms(q, keep)


_QUOTED = re.compile(r"[「『\"]([^」』\"]{1,40})[」』\"]")


def quoted(q: Question) -> list[str]:
    """What the question quotes (「移住者相互親睦、生活援護指導」となっている): a value to match, not a name of
    where to look."""
    # The ends of a range (「キャラバン隊から「ぐんま応援びと」まで」) say where the items run to; they match none.
    ends = " ".join(m.group(1) + " " + m.group(2) for m in _RANGE.finditer(q.norm))
    return [v for m in _QUOTED.finditer(q.text) if (v := norm(m.group(1))) not in ends]


def _in_quotes(q: Question, term: str) -> bool:
    return any(term in s for s in quoted(q))


# The suffix of an open list: it names nothing.
_ET_CETERA = frozenset({"等", "など", "ほか"})


def as_written(q: Question, term: str, group: list[str]) -> str:
    """The longest word of a term's group that holds the term and that the question writes (「知事会議」 for
    知事, 「広報紙」 for 広報); the term itself when none does."""
    return max((a for a in group if term in a and a in q.norm), key=len, default=term)


def named_scope(ev: Evidence, q: Question, hits: list[Hit]) -> Section | None:
    """The section the question names by its title (the best title match; ties go to the better-retrieved);
    None when the question names the whole report or no section."""
    if whole_report().search(q.norm):
        return None
    # The values it quotes (「移住者相互親睦」となっている) are looked for in the sections' text; the names no
    # title holds, in the names of their figures (「ラジオの広報」: ラジオ heads rows of 広報活動's table).
    titles = ev.titles_text
    measures = {w for words in lexicon().measures.values() for w in words} | set(lexicon().counters)
    # The report's own subject (知事戦略部) names no row (「知事戦略部2課」 of 社会参加費), as it names no title.
    own = " ".join(o for o in ev.own if len(o) >= 3 and o in q.norm)
    untitled = {t for t, g in zip(q.terms, q.groups) if len(t) >= 2 and t not in q.loose and t not in measures
                and not ev.unknown(g) and not any(a in titles for a in g) and t not in own}
    inside = [(t, g) for t, g in zip(q.terms, q.groups) if _in_quotes(q, t)]
    values = with_terms(q, inside)
    rows = [(t, g) for t, g in zip(q.terms, q.groups) if t in untitled]
    row_names = with_terms(q, rows)
    q = without_items(q)
    # A piece of a compound the question writes (知事 of 「知事会議」) names a title as the compound does, when
    # some title holds the compound (「広報紙」 is in none: its piece 広報 still names 広報活動).
    q = replace(q, groups=[[w, *(a for a in g if a != t)] if (w := as_written(q, t, g)) != t and w in titles
                           else g for t, g in zip(q.terms, q.groups)])
    # Words the report never uses (「分野」) cannot name one of its sections: they do not count against a title.
    # Nor can the report's own subject (「知事戦略部の事業の中で」 is every 事業, not 知事戦略管理費's).
    named_titles = [title for s in ev.sections
                    if s.level > 0 and (title := ev.title_norms[(s.doc, tuple(s.path))]) in q.norm]
    subject = " ".join(o for o in ev.own if len(o) >= 3 and o in q.norm and not any(o in t for t in named_titles))
    # A one-character piece of a longer word of the question (金 of お金) is that word's: it names no title (交付金).
    # Nor does 等 (「県人会等の中で」 names no 企画会議等運営).
    # A rank word (「決算額がトップなのは」) says which end is wanted, not which section (5 トップセールス); in a
    # compound (「トップ外交」) it is the topic's.
    known = [(t, g) for t, g in zip(q.terms, q.groups) if not ev.unknown(g) and t not in subject
             and not (len(t) == 1 and any(t in o and o != t for o in q.terms)) and t not in _ET_CETERA
             and not (t in lexicon().rank_words and not re.search(re.escape(t) + "[一-龥ァ-ヴ]", q.norm))]
    whole = with_terms(q, known)
    # A name no title holds does not decide between the titles that hold the others; it still counts when
    # the best title is checked for naming the question at all.
    named = [(t, g) for t, g in zip(whole.terms, whole.groups) if t not in untitled]
    q = with_terms(whole, named)
    rank = {}
    for i, h in enumerate(hits):
        rank.setdefault(tuple(h.section_path), i)
    # 「メディア関係の経費3つの中で」: of the sections the question's words name, one with that many items.
    stated = stated_count(whole)
    best, best_key = None, (False, 0.0, 0.0)
    for s in ev.sections:
        if s.level == 0:
            continue
        cov = title_coverage(ev, q, s)
        # A section names the question's words by its title or by its rows (「ラジオ番組は」: ラジオ heads rows of
        # 広報活動's table): one coverage over both.
        in_rows = ev.coverage(row_names, ev.section_labels.get((s.doc, tuple(s.path)), "")) if row_names.terms else 0.0
        # Rows alone name a section only when no word of the question is in any title.
        if cov <= 0 and (q.terms or in_rows <= 0):
            continue
        text = ev.coverage(values, ev.section_text(s.doc, s.path)) if values.terms else 0.0
        if row_names.terms:
            w_named, w_rows = sum(map(ev.weight, q.groups)), sum(map(ev.weight, row_names.groups))
            cov = (cov * w_named + in_rows * w_rows) / ((w_named + w_rows) or 1.0)
        # The headings above name what the title does not (「重点施策のうち」).
        own_title = ev.title_norms[(s.doc, tuple(s.path))]
        # A piece of a compound the question writes (知事 of 知事会議) is matched above as the compound.
        rest = [(t, [w] if (w := as_written(whole, t, g)) != t else g) for t, g in zip(whole.terms, whole.groups)
                if not any(a in own_title for a in g)]
        above = ev.coverage(with_terms(whole, rest),
                            " ".join(s.path[:-1])) if rest else 0.0
        path_above = norm(" ".join(s.path[:-1]))
        if (mine := [g for g in whole.groups if any(a in own_title for a in g)]) and all(
                any(a in path_above for a in g) for g in mine):
            continue  # 「教育イノベーションのプロジェクト」: ア STEAM教育推進PJ adds no word to the ② above it
        score = round(cov + ev.weights.scope_text_weight * text + ev.weights.scope_path_weight * above, 6)
        fits = stated is not None and score >= ev.weights.min_scope_coverage and stated in (
            len(ev.children(s)), len(row_texts(ev, s)))
        key = (fits, score, -rank.get(tuple(s.path), len(hits) + 1))
        if key > best_key:
            best, best_key = s, key
    # A title that shares only a minor word with the question (「2番目」 and 「番号」) names nothing.
    if best is None:
        return described_scope(ev, whole)
    # A quoted value (「移住者相互親睦」となっている) helps tell sections apart but need not be in the title.
    title = norm(best.title)
    q = whole
    kept = [(t, g) for t, g in zip(q.terms, q.groups) if not _in_quotes(q, t) or any(a in title for a in g)]
    if kept:
        q = with_terms(q, kept)
    # A word its rows hold (「ラジオ」 of 広報活動's table) names a section as its title does.
    named_by = best.title + " " + " ".join(t for t in row_names.terms if any(
        a in ev.section_labels.get((best.doc, tuple(best.path)), "") for a in expand(t)))
    if (named_cov := ev.coverage(q, named_by)) >= ev.weights.min_scope_coverage:
        if named_cov < ev.weights.titled_scope_coverage and (described := described_scope(ev, whole)) is not None and (
                described.path[: len(best.path)] != best.path) and (
                ev.coverage(q, described.title + " " + " ".join(ev.lead(described)))
                >= named_cov + ev.weights.described_scope_margin):
            # A title sharing a word or two (行政 of 「① 行政改革推進」) names less than a section the question
            # describes by what it does (「行政の困りごとをデジタルで解決する実証」: 地域活性化ラボラトリー).
            return described
        return best
    return described_scope(ev, whole)


def described_scope(ev: Evidence, q: Question) -> Section | None:
    """The section the question names by what it does rather than by its title (「行政課題を新しい技術で解決する
    実証実験」 for 地域活性化ラボラトリー, whose lead says 「各分野の行政課題を解決するための実証事業を実施した」):
    the one whose title and lead sentences hold most of the question's words, when they hold enough of them
    and no other section holds as many. None when no section is described so."""
    measures = {w for words in lexicon().measures.values() for w in words} | set(lexicon().counters)
    # Words of most passages (事業, 県), the report's own subject and the words for its items describe nothing.
    # Nor do words about the report itself (報告書, 載る) or a rank (一番), nor any word but a noun (小さい).
    asides = set(lexicon().locate_words) | set(lexicon().rank_words)
    kept = [(t, g) for t, g in zip(q.terms, q.groups)
            if len(t) >= 2 and t not in measures and t not in lexicon().item_nouns
            and t not in asides and not any(t in o for o in ev.own) and not ev.unknown(g)
            and ev.weight(g) >= ev.weights.generic_measure_weight
            and (tags := tagged_tokens(t)) and tags[0][1] == "名詞"]
    if len(kept) < 2:
        return None  # one word is a name, not a description
    words = with_terms(q, kept)
    described = [(s, norm(s.title + " " + " ".join(lead))) for s in ev.sections
                 if s.level > 0 and (lead := ev.lead(s))]
    scored = sorted(((ev.coverage(words, text), s, text) for s, text in described), key=lambda x: -x[0])
    if not scored or scored[0][0] < ev.weights.described_scope_coverage:
        return None
    text = scored[0][2]
    if sum(1 for g in words.groups if any(a in text for a in g)) < 2:
        return None  # one shared word (部内 of 「部内共通経費」) is a coincidence, not a description
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - ev.weights.described_scope_margin:
        return None  # two sections described alike: the question does not say which
    return scored[0][1]


def titled(ev: Evidence, q: Question, scope: Section | None) -> bool:
    """Whether the question names this section by its title, rather than sharing a few words with it."""
    if scope is None:
        return False
    return (ev.title_norms[(scope.doc, tuple(scope.path))] in q.norm
            or title_coverage(ev, q, scope) >= ev.weights.titled_scope_coverage)


T = TypeVar("T")


def narrow(ev: Evidence, q: Question, items: list[T], text_of: Callable[[T], str],
           scope: Section | None = None, least: int = 1) -> list[T]:
    """The items the question picks out by a word some of them hold and others not (「ラジオの番組」 among
    all the media, 「香港とハノイの」 among nine associations, 「「刊行物」に分類される」); all of them when no
    question word tells them apart. Words that name the scope, a counter or loose wording pick nothing;
    words that each pick some are all required, or, when no item holds them all, any one is enough.
    """
    if len(items) < 2:
        return items
    every = bool(re.search(lexicon().every_item, q.norm))
    stated = stated_count(q)
    q = without_items(q)
    texts = [norm(text_of(i)) for i in items]
    if every:
        # 「ラジオの番組全部で」: every item of the group named (the group word that heads their labels), else
        # every item there is.
        heads = [norm(text_of(i).strip().split(" ", 1)[0]) for i in items]
        groups = [g for t, g in zip(q.terms, q.groups) if len(t) >= 2 and any(a == h for a in g for h in heads)]
        listing = [w for m in re.finditer(r"[^\s、。,・]+(?:・[^\s、。,・]+)+", q.norm) for w in m.group().split("・")]
        if any(not any(a in w for g in groups for a in g) for w in listing) and any(
                a in w for g in groups for a in g for w in listing):
            return items  # 「広報紙・番組は全部で」: kinds listed, not all of them a group: every item
        hit = {k for k, h in enumerate(heads) if any(a == h for g in groups for a in g)}
        if groups and 2 <= len(hit) < len(items):
            return [items[k] for k in sorted(hit)]
        if groups or listing:
            return items
        # 「記者会見は全部で何件」: no group is named; the words narrow as without 全部 (else every item).
    where = norm(" ".join(scope.path)) if scope is not None else ""
    lead = ev.lead(scope) if scope is not None else []
    # Question words that no item holds (「トップ外交」 of rows titled by the talks themselves).
    unheld = [g for t, g in zip(q.terms, q.groups)
              if len(t) >= 2 and t not in q.loose and not any(a in x for a in g for x in texts)]
    # Kinds listed together (「番組・枠」「番組や媒体」) of which one names no item are a way of calling the
    # items, not a choice among them: none of them picks.
    word = r"[\u4e00-\u9fff\u30a1-\u30ffa-z0-9]+"
    kinds = [w for m in re.finditer(rf"{word}(?:(?:・|や|とか){word})+", q.norm)
             for w in re.split("・|や|とか", m.group())]
    if any(not any(k in t for t in texts) for k in kinds):
        q = with_terms(q, [(t, g) for t, g in zip(q.terms, q.groups) if not any(t in k for k in kinds)])
    picks: list[set[int]] = []
    for term, group in zip(q.terms, q.groups):
        # A compound the question writes (「広報紙」, read as 広報 + 紙) names the scope only when it is in it.
        written = as_written(q, term, group)
        names_scope = written in where if written != term else any(a in where for a in group)
        if names_scope and scope is not None and _one_kind_of_title(q, group, scope):
            # A title naming two kinds (「海外県人会、海外ぐんまサポーターズとの連携」): a word of one of them picks
            # its items (「ぐんまサポーターズで」 → 香港, ハノイ), unless the question names the others too.
            names_scope = False
        # A quoted value picks items, unless the quote is the scope's own title (「「知事戦略管理費」の下には」).
        quoted_pick = any(term in v and v.replace(" ", "") not in where.replace(" ", "") for v in quoted(q))
        if len(term) < 2 or term in q.loose or (names_scope and not quoted_pick):
            continue
        if any(term in own for own in ev.own) and not _in_quotes(q, term):
            continue  # 「群馬の県人会」: the report's own prefecture picks out none of its items
        if _describes_all(lead, group, unheld) and not _in_quotes(q, term):
            # 「オンラインのトップ外交の取組」: the scope's own lead says what all its items are (「オンラインを
            # 活用したトップ外交を実施し」, then the table); a word of that phrase picks none of them.
            continue
        hit = {k for k, t in enumerate(texts) if any(a in t for a in group)}
        if hit and len(hit) < len(items):
            picks.append(hit)
    for value in quoted(q):
        # A quoted value is matched whole (「群馬県人会」, not 群馬 and 県 and 人 and 会); ○○ stands for any name
        # (「○○群馬県人会」: the names ending so).
        blank = re.split(r"[○〇●◯×]+|x{2,}", value)
        pattern = re.compile(".*".join(map(re.escape, blank))) if len(blank) > 1 else None
        hit = {k for k, t in enumerate(texts) if (pattern.search(t) if pattern else value in t)}
        if hit and len(hit) < len(items):
            picks.append(hit)
    own_years = set(ev.fiscal_years.values())
    for period in q.periods:
        # 「令和3年度にどうするか書いてある実証」: the items that name a year other than the report's own.
        hit = {k for k, t in enumerate(texts) if norm(period.raw) in t}
        if period.year not in own_years and hit and len(hit) < len(items):
            picks.append(hit)
    if not picks:
        return items
    chosen = set.intersection(*picks) or set.union(*picks)
    if stated == len(items) != len(chosen):
        return items  # 「9団体の平均」 over nine: every one of them
    return [items[k] for k in sorted(chosen)] if len(chosen) >= least else items


def _one_kind_of_title(q: Question, group: list[str], scope: Section) -> bool:
    """Whether the scope's title names two kinds or more (「A、Bとの連携」「A及びB」), the word names one of them
    only, and no other word of the question names another."""
    kinds = [k for k in re.split(r"[、,]|及び|並びに", norm(scope.title)) if k.strip()]
    if len(kinds) < 2:
        return False
    mine = [k for k in kinds if any(a in k for a in group)]
    if len(mine) != 1:
        return False
    # Another kind is named by any two characters of it that the named kind does not share (県人 of 海外県人会).
    return not any(k[i: i + 2] in q.norm and k[i: i + 2] not in mine[0]
                   for k in kinds if k is not mine[0] for i in range(len(k) - 1))


def _describes_all(lead: list[str], group: list[str], unheld: list[list[str]]) -> bool:
    """Whether a lead sentence writes the word together with a question word no item holds: the two name
    what the whole list is, not which of its items."""
    return any(any(a in x for a in group) and any(a in x for g in unheld if g is not group for a in g)
               for x in lead)


@lru_cache(maxsize=1)
def _stated_pattern() -> re.Pattern[str]:
    counters = counter_alternation()
    # 「ラジオの広報3つ、事業費を合計」: the count set off by a comma before what is asked of the items.
    return re.compile(rf"(?<![\d,.])(\d+)\s*(?:{counters}|つ)(?:の|、|を?(?:合わせ|あわせ|足し|足す|合計)|とも|全部)")


def stated_count(q: Question) -> int | None:
    """The number of items the question says there are (「5団体の」「3つの知事会議」「3つ合わせた」), or None."""
    m = _stated_pattern().search(q.norm)
    return int(m.group(1)) if m else None


def finish(ev: Evidence, plan: Plan, text: str, citations: list[Citation], hits: list[Hit],
            figures: list[Figure] | None = None) -> Answer:
    citations = citations + ev.citations_from_hits(hits, citations, max(0, ev.top_k - len(citations)))
    return Answer(question=plan.question.text, text=text, figures=figures or [], citations=citations, op=plan.op)


# Scales of amount units a threshold may be written in (「1,000万円」).
SCALES = {"千円": 1000, "万円": 10_000, "億円": 100_000_000}


def row_labels(ev: Evidence, section: Section) -> list[str]:
    return list(row_texts(ev, section))


def row_texts(ev: Evidence, section: Section) -> dict[str, str]:
    """Each table row of the section by its label, with the row's whole text (every cell)."""
    return dict(ev.table_rows.get((section.doc, tuple(section.path)), {}))


# A listed item: a bullet, or a paragraph led by an item mark (「ア 職員への…」, 「① …」).
ITEM_MARK = re.compile(r"^([ア-ン]|[①-⑳])\s")


# A numbered label leading a line (「新曲①：「…」」「会場2：…」): the items of one list share the label's stem.
NUMBERED_LABEL = re.compile(r"^([^\s：:、。]{1,12}?)\s*(?:[①-⑳]|\d{1,2})\s*[：:]")


def listed(section: Section) -> list[str]:
    marked = [b.text for b in section.blocks if b.kind == "paragraph" and ITEM_MARK.match(b.text)]
    if len(marked) >= 2:
        return [ITEM_MARK.sub("", t).split("、")[0][:30] for t in marked]
    bullets = [b.text.strip("・ ") for b in section.blocks if b.kind == "bullet"]
    if bullets:
        return bullets
    labelled = [(m.group(1), b.text) for b in section.blocks if b.kind == "paragraph"
                and (m := NUMBERED_LABEL.match(b.text))]
    stems = Counter(stem for stem, _ in labelled)
    return [text[:40] for stem, text in labelled if stems[stem] >= 2]


def jigyo(ev: Evidence) -> list[Section]:
    """Every 事業 of the report: the children of a numbered 費目 (「1 知事戦略管理費」 › 「(1) 庁議」)."""
    return ev.jigyo


def column(ev: Evidence, fact: Fact) -> list[Fact]:
    """The main figure of each row in the fact's table column (the first figure a row gives there); for a
    cell that packs several labelled figures (「Twitter 3,162,878回 … LINE 2,766,068回」), those figures."""
    out: dict[int | None, Fact] = {}
    for f in ev.index.facts:
        if (f.table == fact.table and f.attribute == fact.attribute
                and unit_family(f.unit) == unit_family(fact.unit) and f.row not in out):
            out[f.row] = f
    if len(out) >= 2:
        return list(out.values())
    head = (fact.attribute or "").split(" ")[0]
    return [f for f in ev.index.facts
            if f.table == fact.table and f.row == fact.row and f.lines == fact.lines
            and (f.attribute or "").split(" ")[0] == head and unit_family(f.unit) == unit_family(fact.unit)]


def peers(ev: Evidence, fact: Fact) -> list[Fact]:
    """The figures a fact stands among: its table column; else the facts of its section in the same unit
    family and source with other labels (「【Twitter】フォロワー数」 beside 「【Instagram】フォロワー数」), one
    per label, in the report's year."""
    if fact.table:
        return column(ev, fact)
    out: dict[str, Fact] = {}
    for f in ev.index.facts:
        if (f.doc == fact.doc and f.section_path == fact.section_path and f.source == fact.source
                and unit_family(f.unit) == unit_family(fact.unit) and f.label not in out
                and (f.period is None or f.period == fact.period)):
            out[f.label] = f
    return list(out.values())


def budget_siblings(ev: Evidence, scope: Section | None) -> list[tuple[Section, Fact]]:
    """The 事業 under a scope with their 決算額 facts: a 費目's children, or every 事業 of the report."""
    pool = jigyo(ev) if scope is None or scope.level == 0 else ev.children(scope)
    return [(s, ev.budgets[(s.doc, tuple(s.path))]) for s in pool if (s.doc, tuple(s.path)) in ev.budgets]


def amount(f: Fact) -> Decimal:
    return f.value * f.scale


def ordinal(text: str) -> int:
    """「2位」「2番目に多い」「ランキング3位」: the rank asked for (1 when none is named)."""
    m = re.search(r"(\d+)\s*(位|番目)", text)
    if m:
        return max(1, int(m.group(1)))
    # 「一番少ないのは…だと思うけど、その次に少ないのは」: the one after the first.
    return 2 if re.search(r"(その|の)次に?[^。?]{0,4}(多|少な|大き|小さ|高|低|安)", text) else 1


def threshold_text(t: Threshold) -> str:
    """「1億円未満」「40回以上」「300万円台」: a threshold in plain words."""
    if t.below is not None:
        return t.raw
    word = {"ge": "以上", "gt": "超", "le": "以下", "lt": "未満"}[t.comparator]
    return f"{format_number(t.value)}{t.unit}{word}"


def passes(fact: Fact, t: Threshold) -> bool:
    """Whether a figure passes a threshold (amounts compared in yen)."""
    value = amount(fact)
    scale = SCALES.get(t.unit, 1) if unit_family(fact.unit) == "円" else 1
    limit = t.value * scale
    if t.below is not None and value >= t.below * scale:
        return False
    return {"ge": value >= limit, "gt": value > limit, "le": value <= limit, "lt": value < limit}[t.comparator]


def part_fact(ev: Evidence, part: Question, hits: list[Hit]) -> Fact | None:
    """The figure one named item stands for, in the year the question asks when it names one."""
    ranked = score_facts(ev, part, hits)
    if not ranked or ranked[0].score < ev.weights.min_fact_score:
        return None
    fact = ranked[0].fact
    target = target_year(ev, part, fact.doc)
    if target is not None:
        fact = next((f for f in siblings(ev, fact) if ev.fact_year(f) == target), fact)
    return fact


def nearby(ev: Evidence, fact: Fact) -> list[Fact]:
    """Facts that stand with this one: its table row first, then the rest of its section."""
    same_row = [f for f in ev.index.facts if f.table and f.table == fact.table and f.row == fact.row]
    same_section = [f for f in ev.index.facts if f.section_path == fact.section_path and f not in same_row]
    return [f for f in same_row + same_section if f is not fact]


def rounded(x: Decimal) -> Decimal:
    """A derived average as shown: exact when it is whole; else one decimal below 100 (2.7名), whole above
    (約23,302円). The formula beside it keeps the exact figures."""
    if x == x.to_integral_value():
        return x
    return x.quantize(Decimal("0.1") if abs(x) < 100 else Decimal(1), rounding=ROUND_HALF_UP)


def ancestors(ev: Evidence, fact: Fact) -> list[Section]:
    out = []
    for depth in range(len(fact.section_path) - 1, 0, -1):
        s = ev.section_by_path.get((fact.doc, tuple(fact.section_path[:depth])))
        if s is not None:
            out.append(s)
    return out


def parallel(ev: Evidence, fact: Fact) -> list[Fact]:
    """The same label, unit and period in each child section of the fact's parent section."""
    if len(fact.section_path) < 2:
        return []
    parent = fact.section_path[:-1]
    out = [f for f in ev.index.facts
           if f.doc == fact.doc and f.section_path[:-1] == parent and len(f.section_path) == len(fact.section_path)
           and f.label == fact.label and f.unit == fact.unit and f.period == fact.period]
    return out if len({tuple(f.section_path) for f in out}) == len(out) else []


def column_group(ev: Evidence, q: Question, scope: Section | None) -> tuple[str, list[str], Section] | None:
    """A table's group header the question names (「男女別」「有効期間別」) with its columns, in order."""
    found = group_facts(ev, q, scope)
    if found is None:
        return None
    group, facts = found
    section = ev.section_by_path.get((facts[0].doc, tuple(facts[0].section_path)))
    subs = list(dict.fromkeys((f.attribute or "").rpartition(" ")[2] for f in facts))
    return (group, subs, section) if len(subs) >= 2 and section is not None else None


def group_facts(ev: Evidence, q: Question, scope: Section | None) -> tuple[str, list[Fact]] | None:
    """The figures under a table's group header the question names, in column order."""
    for f in ev.index.facts:
        group, _, sub = (f.attribute or "").rpartition(" ")
        if not group or not sub or len(norm(group)) < 2:
            continue
        # Named whole (「有効期間別」) or word by word (「広告を出したSNS」 for SNS広告).
        words = tokens(group.rpartition(" ")[2]) or [group]
        if norm(group) not in q.norm and not all(norm(w) in q.norm for w in words):
            continue
        if scope is not None and f.section_path[: len(scope.path)] != scope.path:
            continue
        facts = [g for g in ev.index.facts if g.table == f.table and (g.attribute or "").rpartition(" ")[0] == group]
        # A group has columns of its own (有効期間別: 10年, 5年, その他); one word under a header in one cell
        # (「年3回発行 619,000部/回」 → 事業量 年) is no group.
        if len({(g.attribute or "").rpartition(" ")[2] for g in facts}) >= 2:
            return group, facts
    return None

