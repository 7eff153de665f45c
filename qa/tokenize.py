"""The one place fugashi (MeCab with unidic-lite) lives: tokens for BM25 and token counts for chunking.

Choices, for BM25 over a Japanese report:
- text is NFKC-normalised, letter-spacing collapsed and lower-cased first, so 「電 子 申 請」 and
  「電子申請」, 「ＩｏＴ」 and 「IoT」 give the same tokens;
- nouns, proper nouns, numerals and suffixes keep their surface form (件数 → 件 + 数; names and
  figures must match exactly, and unidic lemmas rewrite loanwords: パスポート → パスポート-passport);
- verbs use the lemma's base form (減った → 減る), so inflection does not split them (adjectives keep
  their surface: unidic reads the ふる of ふるさと as the adjective 古い);
- particles, auxiliaries, symbols and whitespace are dropped: they carry no topic; so are pronouns and
  adnominals (どこ, この), question words (何, いくつ, いくら) and light verbs (する, ある, なる, できる): a
  question is full of them, the report hardly uses them, and a rare word that matches by chance is the
  loudest BM25 noise.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from qa.lexicon import lexicon
from qa.text import norm

_DROP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白", "代名詞", "連体詞"}
_LEMMA_POS = {"動詞"}
# Question words unidic tags as numerals, adverbs or adjectival nouns (何回 → 何, いくつ → 幾, いくら →
# 幾ら), and verbs that only carry grammar (開催された → 開催 + 為る): matching them says nothing about topic.
_DROP_LEMMAS = {"何", "幾", "幾ら", "如何", "何故", "為る", "有る", "居る", "成る", "出来る", "遣る"}
_local = threading.local()


def _tagger():  # type: ignore[no-untyped-def]
    # A MeCab tagger is not safe to share between threads: one per thread.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


# MeCab crashes the whole process (SIGSEGV) on an input of several hundred thousand characters, which a
# PDF converted without line breaks produces: longer text is fed to it in slices cut at a space or a
# punctuation mark, each slice parsed and read before the next (a node is only valid until then).
_MAX_SLICE = 20_000
_SLICE_CUTS = " \n、。，,"


def _slices(text: str) -> list[str]:
    if len(text) <= _MAX_SLICE:
        return [text]
    out, start = [], 0
    while len(text) - start > _MAX_SLICE:
        end = start + _MAX_SLICE
        cut = max(text.rfind(ch, start + _MAX_SLICE // 2, end) for ch in _SLICE_CUTS)
        cut = cut + 1 if cut >= 0 else end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


# A Latin word with inner hyphens or dots (wi-fi, yahoo!, g-suite) is one token: MeCab splits it.
_LATIN = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)+!?|[a-z]+!")


def tagged_tokens(text: str) -> list[tuple[str, str]]:
    """(token, part of speech) for the content words of `text` (see the module docstring)."""
    out: list[tuple[str, str]] = []
    t = norm(text)
    pos_ = 0
    for m in [*_LATIN.finditer(t), None]:
        end = m.start() if m else len(t)
        for piece in _slices(t[pos_:end]):
            for word in _tagger()(piece):
                pos = word.feature.pos1 or ""
                lemma = (word.feature.lemma or "").split("-")[0]
                if pos in _DROP_POS or lemma in _DROP_LEMMAS or not word.surface.strip():
                    continue
                out.append((lemma if pos in _LEMMA_POS and lemma else word.surface, pos))
        if m:
            out.append((m.group(), "名詞"))
            pos_ = m.end()
    return out


# Words that say how something was done or asked about, not what: verbs, adjectives, adverbs, adjectival
# nouns, adverbial nouns (実際, そもそも) and words written in hiragana only. A question words them freely.
_LOOSE_POS = {"動詞", "形容詞", "副詞", "形状詞"}


def loose_words(text: str) -> set[str]:
    """The content tokens of `text` (as `tokens` gives them) that are loose wording rather than topic: when
    the report never uses one, that says nothing about whether it holds the answer."""
    out: set[str] = set()
    for piece in _slices(norm(text)):
        ws = list(_tagger()(piece))
        for i, w in enumerate(ws):
            f = w.feature
            lemma = (f.lemma or "").split("-")[0]
            token = lemma if (f.pos1 or "") in _LEMMA_POS and lemma else w.surface
            if (f.pos1 or "") in _LOOSE_POS or f.pos3 == "副詞可能" or re.fullmatch(r"[\u3041-\u309f]+", w.surface):
                out.add(norm(token))
            elif f.pos3 == "サ変可能" and i + 1 < len(ws) and (ws[i + 1].feature.lemma or "") == "為る":
                # A verbal noun used as a verb (「実施した」「紹介されて」) says what was done to the thing asked
                # about, as any verb does; the same noun standing alone (「実施状況」) is a topic word.
                out.add(norm(w.surface))
    # The asker's words for people (「ALTの先生」) and for the answer's form (「何という名前」): loose as a verb is.
    out.update(norm(n) for n in (*lexicon().loose_nouns, *lexicon().frame_nouns) if norm(n) in norm(text))
    return out


def tokens(text: str) -> list[str]:
    """Content tokens of `text` for BM25 and key-term matching (see the module docstring)."""
    return [t for t, _ in tagged_tokens(text)]


def tagged(text: str) -> list[tuple[str, str]]:
    """(surface, part of speech) for every word of the normalised text, particles included."""
    return [(w.surface, w.feature.pos1 or "") for piece in _slices(norm(text)) for w in _tagger()(piece)]


def tagged_pos3(text: str) -> list[tuple[str, str]]:
    """(surface, third part-of-speech level: 副詞可能, サ変可能, …) for every word of the normalised text."""
    return [(w.surface, w.feature.pos3 or "") for piece in _slices(norm(text)) for w in _tagger()(piece)]


def is_grammar(text: str, written: str | None = None) -> bool:
    """Whether the text is only particles, auxiliaries and light verbs (は, したの, ですか): no word of its own.
    `written`, the same text as typed (in katakana), must not be a dictionary noun (タイトル is a word)."""
    if written and any((w.feature.pos1 or "") == "名詞" and w.feature.lemma for w in _tagger()(written)):
        return False
    ws = [w for piece in _slices(text) for w in _tagger()(piece)]
    return bool(ws) and all((w.feature.pos1 or "") in {"助詞", "助動詞"}
                            or (w.feature.lemma or "").split("-")[0] in {"為る", "居る", "有る"} for w in ws)


def count(text: str) -> int:
    """The number of MeCab words in `text` (all parts of speech): the unit chunk sizes are set in."""
    return sum(len(_tagger()(piece)) for piece in _slices(text))


def proper_nouns(text: str) -> list[str]:
    """The proper nouns of the normalised text (「長野」, 「上海」, 「フランス」), each once, as written."""
    return _words_where(text, lambda f: f.pos2 == "固有名詞")


def person_names(text: str) -> list[str]:
    """The words unidic takes for people's names in the normalised text (「内田」「彩」), each once."""
    return _words_where(text, lambda f: f.pos3 == "人名")


def _words_where(text: str, keep: Callable[[Any], bool]) -> list[str]:
    out: list[str] = []
    for piece in _slices(norm(text)):
        for w in _tagger()(piece):
            if keep(w.feature) and w.surface.strip() and w.surface not in out:
                out.append(w.surface)
    return out


def readings(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, pos1, pos2, reading) for every word of `text` as given (no normalisation here).

    The reading is unidic's katakana `kana` field (決算額 → ケッサン + ガク); "" for a word unidic does
    not know (Latin, digits, an unknown katakana word), so a caller can tell it has no reading.
    """
    out: list[tuple[str, str, str, str]] = []
    for piece in _slices(text):
        for w in _tagger()(piece):
            f = w.feature
            out.append((w.surface, f.pos1 or "", f.pos2 or "", getattr(f, "kana", None) or ""))
    return out
