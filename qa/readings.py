"""The report's own words, by how they read: what a question typed in kana, or with the wrong kanji, means.

Built once per index from every line of every document (titles, table cells and body text alike, NFKC'd
with letter-spacing collapsed): each run of 1–4 consecutive content words gives its reading (unidic's
katakana `kana`, folded to hiragana) → the report's surface, the most frequent when several share one
reading. Words the report writes in kana are kept apart, so a question's グンマチャン finds ぐんまちゃん
as the report spells it rather than a kanji word that reads the same.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise

import jaconv

from qa.models import Document
from qa.notation import notation
from qa.text import collapse_spacing, nfkc
from qa.tokenize import readings

# Nouns, their prefixes and suffixes, and adjectival nouns make up a name (社会+参加+費, 企画+会議);
# numerals (数詞) are figures, not names.
CONTENT_POS = {"名詞", "接頭辞", "接尾辞", "形状詞"}
_GRAMMAR_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}
_KANJI_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_KANA = "\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc\u30fd\u30fe"
KANA_RUN = re.compile(f"[{_KANA}]+")
_ALL_KANA = re.compile(f"^[{_KANA}]+$")
_DIGIT = re.compile(r"\d")
KANJI_NUMERAL = re.compile("[〇一二三四五六七八九十百千万億]+")


def fold(text: str) -> str:
    """Katakana folded to hiragana (ケッサン → けっさん), the key both scripts are compared on."""
    return jaconv.kata2hira(text)


def is_kana(text: str) -> bool:
    return bool(_ALL_KANA.match(text))


@dataclass(frozen=True)
class Word:
    """A MeCab word of a question or a report line with its offsets in that text."""

    surface: str
    pos1: str
    pos2: str
    reading: str  # katakana, "" when unidic does not know the word
    start: int
    end: int

    @property
    def content(self) -> bool:
        # A kanji the dictionary knows only as a symbol (活働 → 活 + 働/記号) is part of a mistyped word.
        kanji_symbol = self.pos1 == "記号" and bool(_KANJI_ONLY.fullmatch(self.surface))
        return (self.pos1 in CONTENT_POS or kanji_symbol) and self.pos2 != "数詞" and not _DIGIT.search(self.surface)


def words(text: str) -> list[Word]:
    """Every MeCab word of `text` with its (start, end) offsets in `text`."""
    out: list[Word] = []
    cursor = 0
    for surface, pos1, pos2, reading in readings(text):
        start = text.find(surface, cursor)
        if start < 0:  # MeCab never rewrites a surface; stay safe if it ever does
            continue
        cursor = start + len(surface)
        out.append(Word(surface, pos1, pos2, reading or _latin_reading(surface), start, cursor))
    return out


def reading(text: str) -> str:
    """The dictionary's reading of `text` (katakana; a word it does not know as written)."""
    return "".join(w.reading or w.surface for w in words(text))


def _latin_reading(surface: str) -> str:
    """The kana a name in Latin letters is typed as when it is romanised Japanese (NETSUGEN → ネツゲン,
    tsulunos → ツルノス); "" for an English word whose letters do not spell kana."""
    if not re.fullmatch(r"[A-Za-z]+", surface):
        return ""
    kana = jaconv.alphabet2kana(surface.lower())
    # Only a spelling that romanises back to itself is romanised Japanese (Twitter → とぃってっ is not).
    if len(surface) >= 3 and is_kana(kana) and jaconv.kana2alphabet(kana) == surface.lower():
        return jaconv.hira2kata(kana)
    if len(surface) <= 4:
        # A short name spelt letter by letter (e of eラーニング, IoT, SNS): the letters' names.
        names = notation().letter_names
        return "".join(names[c] for c in surface.lower())
    return ""


def content_runs(ws: list[Word], numerals: bool = False) -> list[list[Word]]:
    """Maximal runs of adjacent content words: the noun compounds of a text.

    With `numerals`, kanji numerals join the run too: a place may have one in its name (九戸村, 十日町市).
    """
    runs: list[list[Word]] = []
    current: list[Word] = []
    for w in ws:
        keep = w.content or (numerals and w.pos2 == "数詞" and bool(KANJI_NUMERAL.fullmatch(w.surface)))
        if keep and current and current[-1].end == w.start:
            current.append(w)
            continue
        if current:
            runs.append(current)
        current = [w] if keep else []
    if current:
        runs.append(current)
    return runs


# At most this many readings of one n-gram: each alternate kanji multiplies them.
_MAX_READINGS = 8


def _readings_of(part: list[Word]) -> list[str]:
    """The dictionary's reading of the words, and those with a kanji's other readings in compounds
    (qa/data/notation.json: alternate_readings; 県+人+会 → ケンニンカイ, ケンジンカイ)."""
    alternates = notation().alternate_readings
    out = [""]
    for w in part:
        options = alternates.get(w.surface, [w.reading])
        options = [w.reading, *(o for o in options if o != w.reading)]
        out = [r + o for r in out for o in options][:_MAX_READINGS]
    return out


def report_text(documents: list[Document]) -> str:
    """Every line of every document, NFKC'd with letter-spacing collapsed and without the converter's HTML
    markup (「<ul style="list-style-type: none">」 in a cell): what 'in the report' means."""
    return "\n".join(collapse_spacing(nfkc(_MARKUP.sub(" ", line))) for d in documents for line in d.lines)


_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")


_VOWELS = frozenset("aeiou")
_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
_ENGLISH_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?:-[A-Za-z]+)?(?![A-Za-z])")


def latin_reading(word: str) -> str | None:
    """The kana a Japanese name written in Latin letters is read as (tsulunos → つるのす, NETSUGEN → ねつげん):
    romaji with l read as r and a vowel after every bare consonant, as a Japanese reader says it. None for a
    word that is not letters only. English words come out as spelt (plus → ぷるす), which a fuzzy match of the
    kana may still reach."""
    w = word.lower()
    if not re.fullmatch(r"[a-z]{3,}", w):
        return None
    for a, b in (("l", "r"), ("c", "k"), ("q", "k"), ("v", "b"), ("x", "ks")):
        w = w.replace(a, b)
    out = ""
    for i, ch in enumerate(w):
        out += ch
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch in _VOWELS or (nxt and (nxt in _VOWELS or nxt == "y")):
            continue
        if ch == "n" or ch + nxt in ("ts", "sh", "ch") or (nxt == ch):
            continue  # ん, a consonant pair romaji writes, or a doubled consonant (jaconv writes っ)
        out += "o" if ch in "td" else "u"
    kana = jaconv.alphabet2kana(out)
    return kana if re.fullmatch(f"[{_KANA}]+", kana) else None


class ReadingIndex:
    """Reading → surface for the report's words, its kana words, and its vocabulary for fuzzy matching."""

    def __init__(self, text: str, by_reading: dict[str, str], kana_words: dict[str, str],
                 vocabulary: set[str], homophones: dict[str, int] | None = None) -> None:
        self.text = text
        self.by_reading = by_reading  # folded reading → surface: 「けっさんがく」 → 決算額
        self.homophones = homophones or {}  # folded reading → how many different surfaces read so
        self.kana_words = kana_words  # folded kana → the report's kana spelling: 「ぐんまちゃん」
        self.vocabulary = vocabulary
        # Fuzzy candidates by length: a candidate more than a few characters longer or shorter cannot reach
        # the similarity threshold, so only neighbouring lengths are compared.
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for v in sorted(vocabulary):
            self.by_length[len(v)].append(v)

    def __contains__(self, text: str) -> bool:
        """True when `text` occurs in the report as written (after NFKC and spacing collapse)."""
        return text in self.text

    @classmethod
    def build(cls, documents: list[Document], max_ngram: int, min_kana_word: int) -> ReadingIndex:
        """The index over every line of `documents`; n-grams of up to `max_ngram` content words.

        The report's kana words are kept from `min_kana_word` characters, starting and ending on a word
        that is not a particle or an auxiliary (ぐんまちゃん, ふるさと, アニメ; not た or のため).
        """
        text = report_text(documents)
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        kana: dict[str, Counter[str]] = defaultdict(Counter)
        vocabulary: set[str] = set()
        for line in text.split("\n"):
            if not line.strip() or set(line) <= set("|-: "):
                continue
            ws = words(line)
            for run in content_runs(ws):
                vocabulary.add("".join(w.surface for w in run))
                for i in range(len(run)):
                    for j in range(i + 1, min(len(run), i + max_ngram) + 1):
                        part = run[i:j]
                        surface = "".join(w.surface for w in part)
                        vocabulary.add(surface)
                        if all(w.reading for w in part):
                            for reading in _readings_of(part):
                                surfaces[fold(reading)][surface] += 1
            # A name in Latin letters (「tsulunos」「NETSUGEN」) is read as romaji: a question in kana reaches it.
            for m in _LATIN_WORD.finditer(line):
                if (latin := latin_reading(m.group())) is not None:
                    surfaces[fold(latin)][m.group()] += 1
            # An English word is typed as Japanese says it (PLUS → ぷらす), not as romaji.
            for m in _ENGLISH_WORD.finditer(line):
                if (said := notation().latin_readings.get(m.group().lower())) is not None:
                    surfaces[said][m.group()] += 1
            # The report's kana words may be any part of speech (ふるさと reads as an adjective to unidic).
            for i in range(len(ws)):
                for j in range(i + 1, min(len(ws), i + max_ngram) + 1):
                    part = ws[i:j]
                    if any(a.end != b.start for a, b in pairwise(part)):
                        break
                    surface = "".join(w.surface for w in part)
                    if not is_kana(surface):
                        break
                    if len(surface) >= min_kana_word and not {part[0].pos1, part[-1].pos1} & _GRAMMAR_POS:
                        kana[fold(surface)][surface] += 1
        for d in documents:
            vocabulary.update(collapse_spacing(nfkc(s.title)) for s in d.sections)
            for s in d.sections:
                for b in s.blocks:
                    if b.table is None:
                        continue
                    cells = [c for row in b.table.header for c in row]
                    cells += [r.cells[0] for r in b.table.rows if r.cells]
                    vocabulary.update(collapse_spacing(nfkc(c)) for c in cells)
        vocabulary = {v for v in vocabulary if v and not _DIGIT.search(v)}
        return cls(
            text=text,
            by_reading={r: c.most_common(1)[0][0] for r, c in surfaces.items()},
            kana_words={k: c.most_common(1)[0][0] for k, c in kana.items()},
            vocabulary=vocabulary,
            homophones={r: len(c) for r, c in surfaces.items()},
        )
