"""Grounded answers: every salient term of the question must stand in the evidence the answer rests on.

Salient terms are the names a question picks one thing out by: proper nouns (places, organisations,
programmes) and names in Latin script. 「長野県の旅券発行件数は？」 must not get Gunma's figure: 長野県 is
nowhere in the evidence, so the answer is an abstention that names it. The report's own subject (the
prefecture and the department that wrote it) needs no evidence: every passage is about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qa.analyze import expand
from qa.lexicon import lexicon
from qa.models import Answer
from qa.text import norm
from qa.tokenize import proper_nouns

# A name in Latin script of three letters or more (YouTube, LINE, NETSUGEN).
_LATIN = re.compile(r"[a-z][a-z0-9.+!-]{2,}")
# A proper noun shorter than this is too loose to demand (「日」, 「米」 tagged as names).
MIN_SALIENT_CHARS = 2
# A quoted title this long is a name to find (「ぐんま一番」); shorter quotes are words (「県」).
MIN_QUOTED_CHARS = 4
_QUOTED = re.compile(r"[「『]([^」』]{1,40})[」』]")
# A name is the theme of sections that stand together when at least half their titles hold it, and this many.
MIN_THEME_TITLES = 3


# An ordinal of a series (第3次, 第2回, 第80期): which one of the series is meant.
_ORDINAL = re.compile(r"第\d+(?:次|回|期|号|弾)")


# Era names are tagged as proper nouns; periods are checked on their own (qa.answer: the years covered).
_ERA = re.compile(r"^(令和|平成|昭和|大正|明治)$")


def salient_terms(question: str) -> list[str]:
    """The question's names, normalised: proper nouns and Latin-script names."""
    # A short run of hiragana tagged as a name (「けん」 of a question typed in kana) is a word not converted,
    # not a body the report must name.
    generic = lexicon().generic_latin  # 「PR」 tagged as a name is a word for a kind of thing
    terms = [t for t in proper_nouns(question) if len(t) >= MIN_SALIENT_CHARS and not _ERA.match(t)
             and not re.fullmatch(r"[\u3041-\u309f]{1,3}", t) and norm(t) not in generic]
    # A title the question quotes (新曲「ぐんまちゃんえかきうた」の再生回数) picks out one thing, as a name does.
    for m in _QUOTED.finditer(question):
        quoted = norm(m.group(1))
        if re.search(r"[○〇●◯×]|x{2,}", quoted):
            continue  # 「○○群馬県人会」: a pattern of names, not one
        if len(quoted) >= MIN_QUOTED_CHARS and quoted not in terms:
            terms.append(quoted)
    # An ordinal picks out one of a series (「第3次群馬県国際戦略」 is not the 第1次 or 第2次 the report names).
    for m in _ORDINAL.finditer(norm(question)):
        if m.group() not in terms:
            terms.append(m.group())
    for m in _LATIN.finditer(text := norm(question)):
        if re.fullmatch(r"[rh]\d+", m.group()):
            continue  # R2, H30: era years, not names
        # A number after the name that a counter follows is a count (「SNS2つ」), not part of the name.
        name = re.sub(r"(?<=[a-z])\d+$", "", m.group()) if re.match(r"[^\x00-\x7f]", text[m.end():]) else m.group()
        if len(name) < 3 or name in generic:
            continue  # a word for a kind of thing (SNS, LAN) names no one thing the evidence must hold
        if not any(name in t for t in terms):
            terms.append(name)
    return terms


# A breakdown asked for: 「年代別」 (its stem, 年代), an age band 「20代」, 「月ごとの」.
_BREAKDOWN = re.compile(r"([\u4e00-\u9fff\u30a1-\u30ff]{1,6})(?:別|ごと)|(?<![\d,.])(\d{1,2}0代)")


# Time grains a figure may be broken down by: the report's periods are years, so these are asked of it only
# when it writes such a breakdown (「月別」).
TIME_GRAINS = frozenset({"月", "週", "日", "曜日", "時間", "四半期", "時間帯"})


def breakdowns(norm_question: str) -> list[str]:
    """The breakdowns a (normalised) question asks for: the stem of X別 / Xごと, or an age band (20代)."""
    return [m.group(1) or m.group(2) for m in _BREAKDOWN.finditer(norm_question)]


def evidence_text(answer: Answer, section_text: Callable[[str, list[str]], str]) -> str:
    """What an answer rests on: its primary citations (one per figure it gives), the sections they stand in
    (their paths and text) and the figures' labels."""
    primary = answer.citations[: max(1, len([f for f in answer.figures if not f.derived]))]
    parts = [c.text + " " + " ".join(c.section_path) + " " + section_text(c.doc, c.section_path) for c in primary]
    parts += [f"{f.label} {f.attribute or ''}" for f in answer.figures]
    # The answer's own words are the report's (a count's items, 「ア STEAM教育推進PJ」 under the section cited).
    parts.append(answer.text)
    return norm(" ".join(parts))


def _found(term: str, evidence: str) -> bool:
    # Spacing is the converter's (「始動人Jr. キャンプ」): a name is found whatever the spaces in it.
    squashed = evidence.replace(" ", "")
    return any(w in evidence or w.replace(" ", "") in squashed for w in expand(term))


def themes(answer: Answer, sibling_titles: Callable[[str, list[str]], list[str]]) -> list[list[str]]:
    """The titles beside each primary citation's section: a name most of them hold (ぐんまちゃん over ①–⑧ of
    メディア・コンテンツ推進) is the theme of them all, even in the one title that leaves it out (⑦ 着ぐるみ製作)."""
    primary = answer.citations[: max(1, len([f for f in answer.figures if not f.derived]))]
    return [sibling_titles(c.doc, c.section_path) for c in primary]


def theme(term: str, titles: list[str]) -> bool:
    """Whether the term names the theme of these sibling titles (most of them, and at least MIN_THEME_TITLES, hold it)."""
    holding = sum(any(w in t for w in expand(term)) for t in titles)
    return holding >= MIN_THEME_TITLES and 2 * holding >= len(titles)


def missing_terms(names: list[str], answer: Answer, own: set[str], section_text: Callable[[str, list[str]], str],
                  sibling_titles: Callable[[str, list[str]], list[str]], kind: str | None = None) -> list[str]:
    """The salient terms of the question (`names`, from `salient_terms`) the answer's evidence does not hold
    (the report's own names and the theme of the sections beside excepted)."""
    evidence = evidence_text(answer, section_text)
    beside = themes(answer, sibling_titles)
    kind = kind or ""  # 「どこのテレビ局」 (Question.kind_asked): the kind of the answer, not a body it is about
    out = []
    for term in names:
        if term in own or any(term in o for o in own) or _found(term, evidence) or (kind and term in kind):
            continue
        if any(theme(term, titles) for titles in beside):
            continue
        out.append(term)
    return out
