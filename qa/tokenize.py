"""The one place fugashi (MeCab with unidic-lite) lives: tokens for BM25 and token counts for chunking.

Choices, for BM25 over a Japanese report:
- text is NFKC-normalised, letter-spacing collapsed and lower-cased first, so 「電 子 申 請」 and
  「電子申請」, 「ＩｏＴ」 and 「IoT」 give the same tokens;
- nouns, proper nouns, numerals and suffixes keep their surface form (件数 → 件 + 数; names and
  figures must match exactly, and unidic lemmas rewrite loanwords: パスポート → パスポート-passport);
- verbs use the lemma's base form (減った → 減る), so inflection does not split them (adjectives keep
  their surface: unidic reads the ふる of ふるさと as the adjective 古い);
- particles, auxiliaries, symbols and whitespace are dropped: they carry no topic.
"""

from __future__ import annotations

import threading

from qa.text import norm

_DROP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}
_LEMMA_POS = {"動詞"}
_local = threading.local()


def _tagger():  # type: ignore[no-untyped-def]
    # A MeCab tagger is not safe to share between threads: one per thread.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


def tokens(text: str) -> list[str]:
    """Content tokens of `text` for BM25 and key-term matching (see the module docstring)."""
    out: list[str] = []
    for word in _tagger()(norm(text)):
        pos = word.feature.pos1
        if pos in _DROP_POS or not word.surface.strip():
            continue
        if pos in _LEMMA_POS and word.feature.lemma:
            out.append(word.feature.lemma.split("-")[0])
        else:
            out.append(word.surface)
    return out


def tagged(text: str) -> list[tuple[str, str]]:
    """(surface, part of speech) for every word of the normalised text, particles included."""
    return [(w.surface, w.feature.pos1 or "") for w in _tagger()(norm(text))]


def count(text: str) -> int:
    """The number of MeCab words in `text` (all parts of speech): the unit chunk sizes are set in."""
    return len(_tagger()(text))
