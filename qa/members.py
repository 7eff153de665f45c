"""XBRL member names in a question, read as the report's own words.

Questions written from a report's XBRL name a column or a row by its member: 「CapitalStockMember」 is the
column 資本金 of the statement of changes in equity, 「OutsideDirectorsAndOtherOfficersMember」 the row 社外役員,
「ShigeruMiyamotoMember」 the officer 宮本 茂. Standard members are looked up in qa/data/members.json (general
taxonomy vocabulary). Any other member (a person, a segment named after a brand) is compared with the
report's words read in romaji: unidic's katakana reading of 「宮本　茂」 is ミヤモト シゲル, whose romaji folded
for long vowels is the member's words in either order.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

from qa.text import nfkc

MEMBER = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z0-9]*?)Member(?![a-z])")
# How close a word's romaji must be to the member's (rapidfuzz ratio after folding long vowels). A name read
# whole: 「タカハシ シンヤ」 against ShinyaTakahashi is 1.0, 「印藤 弘二」 (unidic: インドウ コウジ) against
# HirojiIndoh 0.78, other officers mostly below 0.6, and the best row of the table wins. A loanword's
# consonants: スポーツ against Sprint is 0.75, so they need more.
MIN_ROMAJI, MIN_SKELETON = 0.65, 0.8


@lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    data = json.loads(resources.files("qa").joinpath("data/members.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for group, entries in data.items():
        if group.startswith("_"):
            continue
        for name, labels in entries.items():
            if not name.startswith("_"):
                out.setdefault(name, [])
                out[name] += [x for x in labels if x not in out[name]]
    return out


def find(text: str) -> str | None:
    """The member a question names, without 'Member' (「CapitalStock」), or None."""
    m = MEMBER.search(text)
    return m.group(1) if m else None


def labels(member: str) -> list[str]:
    """The report's words for a standard member (most usual first); [] for one the table lacks."""
    table = _table()
    for name in (member, re.sub(r"IFRS$", "", member)):
        if name in table:
            return table[name]
    return []


def words(member: str) -> list[str]:
    """The member's words in lower case: 「ShigeruMiyamoto」 → ['shigeru', 'miyamoto']."""
    return [w.lower() for w in re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|\d+", re.sub(r"IFRS$", "", member))]


def fold(romaji: str) -> str:
    """Romaji with long vowels and spelling variants folded: 「shuntarou」, 「Indoh」 → 「shuntaro」, 「indo」."""
    t = romaji.lower()
    t = re.sub(r"xtsu([bcdfghjkmnprstvwz])", r"\1\1", t)
    t = re.sub(r"[^a-z]", "", t)
    t = re.sub(r"(?<=o)[uoh](?![aeiouy])", "", t)
    t = re.sub(r"(?<=u)u", "", t)
    t = re.sub(r"(?<=e)i(?![aeiou])", "", t)
    return t.replace("mb", "nb").replace("mp", "np")


@lru_cache(maxsize=65536)
def romaji(text: str) -> str:
    """A Japanese text read in folded romaji (unidic readings), "" when a word has no reading."""
    import jaconv

    from qa.tokenize import readings

    out = []
    for surface, _pos1, _pos2, kana in readings(re.sub(r"[\s　]+", "", nfkc(text))):
        if not kana:
            if re.fullmatch(r"[A-Za-z]+", surface):
                out.append(surface)
                continue
            return ""
        out.append(jaconv.kata2alphabet(kana))
    return fold("".join(out))


# Words of a member that name the kind of thing, not the thing (「SprintBusinessMember」 is the segment スプリント
# 事業), and their Japanese counterparts in a label.
GENERIC_WORDS = frozenset({"business", "businesses", "segment", "segments", "reportable", "operating", "and", "of",
                           "the", "total", "member"})
GENERIC_LABEL = re.compile(r"(?:事業|セグメント|部門)$")


def skeleton(text: str) -> str:
    """The consonants of a word spelt the romaji way: an English loanword and its katakana reading share them
    (Sprint, スプリント → 「supurinto」: both sprnt; SoftBank, ソフトバンク: sftbnk)."""
    t = text.lower()
    for a, b in (("ph", "f"), ("th", "s"), ("ck", "k"), ("gh", ""), ("v", "b"), ("l", "r"), ("q", "k"),
                 ("x", "ks"), ("c", "k"), ("shi", "s"), ("chi", "t"), ("tsu", "t"), ("fu", "f"), ("sh", "s"),
                 ("ch", "t"), ("j", "z"), ("y", "")):
        t = t.replace(a, b)
    return re.sub(r"[^bdfgkmnprstwz]", "", t)


def romaji_match(member: str, text: str) -> float:
    """How well a report's word reads as the member's words: a name in either order (「宮本　茂」 for
    ShigeruMiyamoto), or a loanword's consonants (「スプリント事業」 for SprintBusiness): 0 … 1."""
    if not text or len(text) > 40:
        return 0.0
    read = romaji(GENERIC_LABEL.sub("", re.sub(r"[\s　・]+", "", nfkc(text))) or text)
    ws = [fold(w) for w in words(member)]
    if not read or not ws:
        return 0.0
    forms = {"".join(ws), "".join(reversed(ws))}
    score = max(fuzz.ratio(read, f) for f in forms) / 100
    score = score if score >= MIN_ROMAJI else 0.0
    core = skeleton("".join(w for w in words(member) if w not in GENERIC_WORDS))
    if len(core) >= 4 and (consonants := fuzz.ratio(core, skeleton(read)) / 100) >= MIN_SKELETON:
        score = max(score, consonants)
    return score
