"""Question normaliser: the stage before analysis, writing a question the way the report writes things.

Steps, each driven by `qa/data/notation.json`, `qa/data/entities.json` or the report itself:
1. NFKC (full-width digits and Latin to ASCII, half-width kana to full-width);
2. colloquial endings to plain question forms (「〜って何回」 → 「〜は何回」, 「教えて」 dropped);
3. kanji numerals to digits where they count something (四十回 → 40回, never 一方 or 統一);
4. 西暦 and era abbreviations to the report's 和暦 (2020年度, FY2020, R2年度 → 令和2年度);
5. relative years against the report's own fiscal year (昨年度 → 令和元年度);
6. kana (and half-width kana) to the report's words by reading (けっさんがく → 決算額);
7. an unknown noun compound to the report's word it most likely misspells (奨学金変換 → 奨学金返還);
8. organisations and places the question names but the report does not, listed for the answerer.

`original` stays as asked: answers show the report's wording and the user's, never the rewritten text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import NamedTuple

from kanjize import kanji2number
from pydantic import BaseModel, ConfigDict
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qa.analyze import WHICH_WORDS, synonyms
from qa.lexicon import lexicon
from qa.models import Document, NormalizedQuestion, Rewrite, RewriteReason
from qa.notation import DATE_RULES, Years, entities, notation, wareki
from qa.readings import (
    KANA_RUN,
    KANJI_NUMERAL,
    ReadingIndex,
    Word,
    content_runs,
    fold,
    is_kana,
    reading,
    report_text,
    words,
)
from qa.text import UNITS, nfkc
from qa.tokenize import is_grammar


class Thresholds(BaseModel):
    """Every threshold of the normaliser, each with why it is where it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # One kana is okurigana or a particle (取り組み, の), never a word someone typed in kana.
    min_kana_run: int = 2
    # Two-kana readings (カイ, ケン, シ) each stand for dozens of words: any kana string would be "covered".
    min_reading_chars: int = 3
    # ...unless the report has one word only that reads so (キフ → 寄附): then two kana are that word.
    min_unique_reading_chars: int = 2
    # 社会+参加+費, 奨学+金+返還+支援: the report's names run up to four MeCab words before a new name starts.
    max_ngram: int = 4
    # Two-character words have too many homophones and one-character neighbours to guess which was meant.
    fuzzy_min_chars: int = 3
    # ...but a two-character kanji word the report lacks, read like one word of the report's and no other,
    # is that word in the wrong kanji (町議 → 庁議, 公報 → 広報: the IME's first choice).
    homophone_min_chars: int = 2
    # At most one wrong character in five: 奨学返還 → 奨学金返還 (0.8), while 大阪事務所 / 上海事務所 (0.6) differ.
    fuzzy_min_similarity: float = 0.8
    # A kana run the lexicon cannot cover whole (「ぜんこくちじかいぎはなんかいひらかれた」: ひらかれた is a
    # verb no list holds) is still read, word by word, when its words cover at least this share of it; the
    # kana left over stays as typed.
    min_kana_covered: float = 0.6
    # 平成 and 令和: a 西暦 year outside them is a figure or a code, not a date of this report.
    years: tuple[int, int] = (1989, 2099)


THRESHOLDS = Thresholds()


# --- the normaliser ------------------------------------------------------------------------------

_ASKS_NOTHING = re.compile(r"[\s?。!、,.]*")
# The long-vowel mark ー is written in hiragana runs too (「ついったー」), so it belongs to either script.
_SCRIPT = re.compile("[\u3041-\u3096\u309d\u309e\u30fc]+|[\u30a1-\u30fa\u30fc\u30fd\u30fe]+")


# Who claims a kana key, strongest first (a tie in piece count goes to the stronger): the report's own kana
# spelling (ぐんまちゃん stays as written), a question word, a particle or ending kept as typed, a reading.
_REPORT_KANA, _QUESTION_WORD, _GRAMMAR, _READING = 3, 2, 1, 0
# Parts of speech that carry no topic (particles, endings, adverbs), and the question words among them: kana
# the tokenizer reads as these alone, asking with one of them (「だとどう」: だ + と + どう), is ordinary Japanese.
_GRAMMAR_POS = frozenset({"助詞", "助動詞", "副詞", "接続詞", "感動詞", "代名詞", "連体詞"})
_ASKING = frozenset({"どう", "どこ", "どれ", "どの", "どんな", "いつ", "だれ", "なぜ", "いくつ", "いくら"})


class _Entry(NamedTuple):
    target: str | None  # None: keep the question's own characters
    priority: int  # when two segmentations have as many pieces, the one of higher priority wins


class _Edit(NamedTuple):
    start: int
    end: int
    target: str
    reason: RewriteReason


# A which-word right before a name: 「どこの」「どの」「どういう」 ask for a body of that kind.
_WHICH_BEFORE = re.compile("(" + "|".join(WHICH_WORDS) + ")の?$")


def _apply(text: str, edits: list[_Edit], rewrites: list[Rewrite]) -> str:
    """`text` with non-overlapping edits applied; each one that changes something is recorded in order."""
    out, cursor = [], 0
    for e in sorted(edits):
        if e.start < cursor:
            continue
        source = text[e.start : e.end]
        out.append(text[cursor : e.start])
        out.append(e.target)
        cursor = e.end
        if source != e.target:
            rewrites.append(Rewrite(source=source, target=e.target, reason=e.reason))
    out.append(text[cursor:])
    return "".join(out)


def _particle_starts(text: str) -> set[int]:
    """The offsets at which MeCab starts a particle; and the って after a compound noun's last kanji that MeCab
    reads as a verb's て-form (「県人会って」「出身者の会って」 as 会う: 「会っ」 after a kanji or の is a noun and the
    topic って; after に or を it is the verb)."""
    ws = words(text)
    starts = {w.start for w in ws if w.pos1 == "助詞"}
    starts |= {w.start + 1 for w in ws if w.pos1 == "動詞" and len(text[w.start:w.end]) == 2
               and text[w.start + 1:w.end] == "っ" and w.start > 0 and re.match(r"[\u4e00-\u9fffの]", text[w.start - 1])}
    return starts


def _replace(m: re.Match[str], replace: str, starts: set[int] | None) -> str | None:
    """A colloquial rule's replacement, unless the rule wants a particle where MeCab sees none."""
    return replace if starts is None or m.start() in starts else None


def _dated(m: re.Match[str], rule: Callable[[re.Match[str], Years], str | None], years: Years) -> str | None:
    return rule(m, years)


def _kanji_value(numeral: str) -> int | None:
    try:
        return int(kanji2number(numeral))
    except ValueError:  # a malformed run (十十, 万万): leave it as written
        return None


def _find_all(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


Rule = Callable[[re.Match[str]], str | None]  # a match → its replacement, or None to leave it


def _sub(text: str, pattern: re.Pattern[str], fn: Rule, reason: RewriteReason, rewrites: list[Rewrite]) -> str:
    edits = []
    for m in pattern.finditer(text):
        target = fn(m)
        if target is not None:
            edits.append(_Edit(m.start(), m.end(), target, reason))
    return _apply(text, edits, rewrites)


# A run of hiragana before 県/府/都: a prefecture typed in kana (「ながの県」), when it reads as one.
_KANA_PREFECTURE = re.compile(r"([\u3041-\u3096]{2,6})(県|府|都)")


class Normalizer:
    """Rewrites questions into the report's notation; built once per index from its documents."""

    def __init__(self, index: ReadingIndex, fiscal_year: int | None,
                 thresholds: Thresholds = THRESHOLDS, wareki: bool = True,
                 written_counters: frozenset[str] = frozenset(), latin_written: frozenset[str] = frozenset()) -> None:
        self.index = index
        self.fiscal_year = fiscal_year
        # Whether 西暦 in a question becomes the reports' 和暦: not over reports that write 西暦 themselves.
        self.wareki = wareki
        self.t = thresholds
        n = notation()
        # Counters typed in the wrong kanji (何対) and those of the report's figures they stand for (体).
        self.counter_homophones = {k: meant for k, v in n.counter_homophones.items()
                                   if k not in written_counters and (meant := [c for c in v if c in written_counters])}
        self.homophone_counter = re.compile("何(" + "|".join(map(re.escape, self.counter_homophones)) + ")") \
            if self.counter_homophones else None
        self.colloquial = [(re.compile(c.pattern), c.replace, c.particle) for c in n.colloquial]
        # English words a learner mixes in, but none the reports write themselves (LINE, PLUS): longest first.
        self.english = {k: v for k, v in n.english.items() if k not in latin_written}
        self.english_pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(self.english, key=len, reverse=True))
            + r")(?![a-z0-9])", re.IGNORECASE) if self.english else None
        self.counters = sorted(set(UNITS) | set(n.numeral_counters), key=len, reverse=True)
        self.keep = n.kanji_numeral_keep
        guard = "".join(f"(?<!{re.escape(b)})" for b in n.relative_guard.before)
        after = "|".join(re.escape(a) for a in n.relative_guard.after)
        # A calendar word never takes the 度 of a fiscal one (昨年度比 must not become 令和元年度比).
        alternatives = [re.escape(r.word) + ("" if r.fiscal else "(?!度)")
                        for r in sorted(n.relative_years, key=lambda r: len(r.word), reverse=True)]
        self.relative_words = {r.word: r for r in n.relative_years}
        self.relative = re.compile(f"{guard}(?:{'|'.join(alternatives)})(?!{after})")
        # One lexicon for segmenting kana runs; the first source to claim a key keeps it.
        self.lexicon: dict[str, _Entry] = {}
        for key, surface in index.kana_words.items():
            self.lexicon.setdefault(key, _Entry(surface, _REPORT_KANA))
        for key, word in [*n.kana_question_words.items(), *n.kana_rates.items()]:
            self.lexicon.setdefault(fold(key), _Entry(word, _QUESTION_WORD))
        for key in [*n.particles, *n.endings]:
            self.lexicon.setdefault(fold(key), _Entry(None, _GRAMMAR))
        for key, surface in index.by_reading.items():
            if len(key) >= self.t.min_reading_chars or (
                len(key) >= self.t.min_unique_reading_chars and index.homophones.get(key) == 1
            ):
                self.lexicon.setdefault(key, _Entry(surface, _READING))
        # A synonym's katakana key typed in hiragana (「ぶらじる」 → ブラジル, the report's 伯).
        # A synonym's kanji key typed in kana (「きたひと」 → 来た人, the report's 来場者): read by its reading, after
        # every word of the report's own.
        for key in synonyms():
            if len(key) >= self.t.min_reading_chars and re.fullmatch("[\u30a1-\u30fa\u30fc]+", key):
                self.lexicon.setdefault(fold(key), _Entry(key, _READING))
            elif re.search("[\u4e00-\u9fff]", key) and len(said := fold(reading(key))) >= self.t.min_reading_chars \
                    and is_kana(said):
                self.lexicon.setdefault(said, _Entry(key, _READING))
        self.max_key = max((len(k) for k in self.lexicon), default=1)
        ents = entities()
        # A prefecture typed in kana before its 県/府/都 (「ながの県」 → 長野県): read so, and then judged as a body.
        self.kana_prefectures = {fold(reading(p[:-1])): p
                                 for p in ents.prefectures if p[-1] in "県府都"}
        self.entity_names = sorted({*ents.prefectures, *ents.departments, *ents.media}, key=len, reverse=True)
        self.entity_pattern = re.compile("|".join(re.escape(e) for e in self.entity_names))
        self.suffixes = set(n.entity_suffixes)
        self.longest_suffix = max(map(len, self.suffixes))
        self.generic_heads = set(n.generic_entity_heads)

    @classmethod
    def from_documents(cls, documents: list[Document]) -> Normalizer:
        """The normaliser for these documents: their reading index and their shared fiscal year.

        Relative years (昨年度) are resolved only when every document names the same year.
        """
        years = {d.fiscal_year for d in documents}
        fiscal_year = years.pop() if len(years) == 1 else None
        index = ReadingIndex.build(documents, THRESHOLDS.max_ngram, THRESHOLDS.min_reading_chars)
        # Company reports date everything in 西暦 (their cover period is read by qa/periods.py): a question's
        # 「2018年」 must stay 2018 there. A corpus with any other report keeps the 和暦 rewrite.
        wareki = not documents or any(d.period is None for d in documents)
        counters = {c for k, v in notation().counter_homophones.items() for c in (k, *v)}
        text = "\n".join(line for d in documents for line in d.lines)
        written = frozenset(c for c in counters if re.search(r"\d\s*" + re.escape(c), text))
        latin = frozenset(w.lower() for w in re.findall(r"[A-Za-z]+(?:\s+[A-Za-z]+)*", report_text(documents)))
        latin = frozenset({*latin, *(w for phrase in latin for w in phrase.split())})
        return cls(index, fiscal_year if wareki else None, wareki=wareki, written_counters=written,
                   latin_written=latin)

    def normalize(self, question: str) -> NormalizedQuestion:
        """The question as the analyser should read it, every rewrite, and the unknown entities it names."""
        rewrites: list[Rewrite] = []
        text = self._width(question, rewrites)
        if self.english_pattern is not None:
            # 「ぐんまちゃんの new song は何曲」: the learner's English word as the Japanese one.
            text = _sub(text, self.english_pattern, self._english, "english", rewrites)
        text = self._colloquial(text, rewrites)
        text = self._numerals(text, rewrites)
        for pattern, rule in DATE_RULES if self.wareki else ():
            text = _sub(text, pattern, partial(_dated, rule=rule, years=self.t.years), "seireki", rewrites)
        if self.fiscal_year is not None:
            text = _sub(text, self.relative, self._relative_sub, "relative", rewrites)
        text = self._kana(text, rewrites)
        if self.homophone_counter is not None:
            # 「着ぐるみを何対作った」: the report counts 着ぐるみ in 体 and writes no figure in 対.
            text = _sub(text, self.homophone_counter, lambda m: "何" + self.counter_homophones[m.group(1)][0],
                        "fuzzy", rewrites)
        text = _sub(text, _KANA_PREFECTURE, self._kana_prefecture, "reading", rewrites)
        ws = words(text)
        spans = self._entity_spans(text, ws)
        edits = self._fuzzy(text, ws, spans)
        unknown: list[str] = []
        for start, end, name in spans:
            if name in self.index or _WHICH_BEFORE.search(text[:start]):
                continue  # 「どこのテレビ局で」: the kind of body asked for, not one the question names
            # A misspelt name of the report's own (北関東盤越五県 → 北関東磐越五県) is read as that name; a
            # listed prefecture or department the report lacks (長野県) is never guessed at.
            near, span = None, (start, end)
            if name not in self.entity_names:
                # The whole compound the name stands in (北関東盤越五県知事会議) is compared too: the report
                # may use the name only inside it.
                run = next((r for r in content_runs(ws, numerals=True) if r[0].start <= start and end <= r[-1].end), None)
                for s_, e_ in ((start, end), (run[0].start, run[-1].end) if run else (start, end)):
                    if (near := self._near_spelling(text[s_:e_])) is not None:
                        span = (s_, e_)
                        break
            # A name written partly in kana (「ぐんま県」) that reads as a name of the report (群馬県) is that name.
            said = self.index.by_reading.get(fold(reading(name)))
            if near is None and said is not None and said in self.index:
                edits.append(_Edit(start, end, said, "reading"))
            elif near is not None:
                edits.append(_Edit(span[0], span[1], near, "fuzzy"))
            elif name not in unknown:
                unknown.append(name)
        text = _apply(text, sorted(edits, key=lambda e: e[0]), rewrites)
        return NormalizedQuestion(original=question, text=text, rewrites=rewrites, unknown_entities=unknown)

    def _english(self, m: re.Match[str]) -> str | None:
        """The Japanese word for an English one, not inside markup (「<ul style="list-style-type: none">」)."""
        inside_tag = m.string.rfind("<", 0, m.start()) > m.string.rfind(">", 0, m.start())
        return None if inside_tag else self.english[re.sub(r"\s+", " ", m.group().lower())]

    # 1. width ---------------------------------------------------------------------------------------

    @staticmethod
    def _width(question: str, rewrites: list[Rewrite]) -> str:
        # One rewrite per run of characters NFKC changes, so 「ｹｯｻﾝｶﾞｸ」 is one record, not seven.
        edits, start = [], None
        for i, ch in enumerate(question + "\0"):
            changes = i < len(question) and nfkc(ch) != ch
            if start is None and changes:
                start = i
            elif start is not None and not changes:
                edits.append(_Edit(start, i, nfkc(question[start:i]), "width"))
                start = None
        text = _apply(question, edits, rewrites)
        if text != nfkc(question):  # a composition across a run boundary: record the whole question once
            del rewrites[:]
            text = nfkc(question)
            rewrites.append(Rewrite(source=question, target=text, reason="width"))
        return text

    # 2. colloquial forms ----------------------------------------------------------------------------

    def _colloquial(self, text: str, rewrites: list[Rewrite]) -> str:
        for pattern, replace, particle in self.colloquial:
            if not pattern.search(text):
                continue
            # Where a rule wants a particle, the offsets at which MeCab starts one.
            starts = _particle_starts(text) if particle else None
            done = len(rewrites)
            rule = partial(_replace, replace=replace, starts=starts)
            plain = _sub(text, pattern, rule, "colloquial", rewrites)
            if _ASKS_NOTHING.fullmatch(plain):  # 「教えて」 alone stays: an empty question asks nothing
                del rewrites[done:]
            else:
                text = plain
        return text

    # 3. kanji numerals ------------------------------------------------------------------------------

    def _numerals(self, text: str, rewrites: list[Rewrite]) -> str:
        found = list(KANJI_NUMERAL.finditer(text))
        if not found:
            return text
        ws = words(text)
        edits = []
        for m in found:
            s, e = m.span()
            # 「3千円」, 「1万件」: a mark after digits is the report's own notation, not a kanji numeral.
            if s > 0 and text[s - 1].isdigit():
                continue
            # Only numerals MeCab reads as numerals, whole: 一方, 統一, 一般, 一部 are words of their own.
            inside = [w for w in ws if w.start < e and w.end > s]
            whole = bool(inside) and inside[0].start == s and inside[-1].end == e
            if not whole or any(w.pos2 != "数詞" for w in inside):
                continue
            # A number counts something: a counter or a unit follows (四十回, 三千円, 二〇二〇年度).
            if not any(text.startswith(c, e) for c in self.counters):
                continue
            # Idioms MeCab splits into a numeral and a counter: 十分, 一時, 一つ一つ.
            if any(p < e and p + len(k) > s for k in self.keep for p in _find_all(text, k)):
                continue
            # A numeral inside one of the report's own names (北関東磐越五県) stays as written; so does one
            # inside a place's or a body's name (十日町市, 六ヶ所村, 第二事務所).
            if text[max(0, s - 1) : e + 1] in self.index or self._in_a_name(text, ws, s):
                continue
            value = _kanji_value(m.group())
            if value is not None:
                edits.append(_Edit(s, e, str(value), "kanji_numeral"))
        return _apply(text, edits, rewrites)

    def _in_a_name(self, text: str, ws: list[Word], start: int) -> bool:
        """True when the compound running on from `start` ends in an organisation or place suffix."""
        end = start
        for w in ws:
            if w.start < start:
                continue
            if w.start != end or w.pos1 not in {"名詞", "接尾辞", "接頭辞"}:
                break
            end = w.end
        compound = text[start:end]
        return any(compound.endswith(suffix) and len(compound) > len(suffix) for suffix in self.suffixes)

    # 5. relative years -----------------------------------------------------------------------------

    def _relative_sub(self, m: re.Match[str]) -> str:
        r = self.relative_words[m.group()]
        assert self.fiscal_year is not None
        return wareki(self.fiscal_year + r.offset, fiscal=r.fiscal)

    # 6. kana ----------------------------------------------------------------------------------------

    def _segment(self, run: str, gaps: bool = False) -> list[tuple[int, int, _Entry]] | None:
        """The fewest lexicon pieces covering the whole kana `run`, or None when it cannot be covered; with
        `gaps`, the pieces covering most of it (kana no piece covers are skipped), or None when they cover less
        than min_kana_covered of it. A word of the report is never followed by skipped kana: a word typed in
        kana ends where a particle, an ending or another word starts (「かいひ」 of 「なんかいひらかれた」 is no
        word, 「ほじょ」 of 「ほじょをうけた」 is)."""
        key = fold(run)
        n = len(key)
        # Per position, the best reading from there on that starts with a piece (or ends there) and the best
        # that starts with skipped kana: (kana skipped, pieces, -priority, pieces).
        State = tuple[int, int, int, list[tuple[int, int, _Entry]]]
        piece: list[State | None] = [None] * (n + 1)
        gap: list[State | None] = [None] * (n + 1)
        piece[n] = (0, 0, 0, [])

        def better(a: State | None, b: State | None) -> State | None:
            return b if a is None or (b is not None and b[:3] < a[:3]) else a

        for i in range(n - 1, -1, -1):
            for j in range(min(n, i + self.max_key), i, -1):
                entry = self.lexicon.get(key[i:j])
                if entry is None:
                    continue
                word = entry.priority in (_READING, _REPORT_KANA)
                rest = piece[j] if word else better(piece[j], gap[j])
                if rest is None:
                    continue
                piece[i] = better(piece[i], (rest[0], rest[1] + 1, rest[2] - entry.priority, [(i, j, entry), *rest[3]]))
            if gaps and (rest := better(piece[i + 1], gap[i + 1])) is not None:
                gap[i] = (rest[0] + 1, rest[1], rest[2], rest[3])
        found = better(piece[0], gap[0]) if gaps else piece[0]
        if found is None or found[0] > (1 - self.t.min_kana_covered) * n:
            return None
        return found[3]

    def _kana(self, text: str, rewrites: list[Rewrite]) -> str:
        edits: list[_Edit] = []
        # Spans the tokenizer reads as grammar that asks (「だとどう」: だ + と + どう) or bends a word (「解決しよう」):
        # ordinary Japanese, never a word of the report read from kana (都道, 使用).
        ws = words(text)

        def grammar(start: int, end: int) -> bool:
            inside = [w for w in ws if w.start < end and w.end > start]
            if not inside or inside[0].start != start or inside[-1].end != end or not all(
                    w.pos1 in _GRAMMAR_POS or (w.pos1 == "動詞" and w.pos2 == "非自立可能") for w in inside):
                return False
            # A question word among them, or a light verb bending the word before it (「解決しよう」: しよう is
            # する, not 使用).
            return any(w.surface in _ASKING for w in inside) or (
                inside[0].pos1 == "動詞" and start > 0 and re.match(r"[\u4e00-\u9fff\u30a1-\u30fa]", text[start - 1]) is not None)

        for m in KANA_RUN.finditer(text):
            # A run covered whole is rewritten whole; otherwise its hiragana and katakana parts one by one.
            # So is a run that changes script: a katakana word after a particle is written as meant
            # (「事業費はワイグル」 is not 「ハワイ」 + 「グル」).
            mixed = bool(re.search("[\u3041-\u3096]", m.group()) and re.search("[\u30a1-\u30fa]", m.group()))
            whole = not mixed and self._segment(m.group()) is not None
            parts = [m] if whole else list(_SCRIPT.finditer(m.group()))
            for part in parts:
                run = part.group()
                offset = m.start() + (part.start() if part is not m else 0)
                if run not in self.index and _grammar_in_katakana(run):
                    # 「点字広報 ハ 何部 発行 シタノ」: particles and endings typed in katakana are read as such.
                    edits.append(_Edit(offset, offset + len(run), fold(run), "reading"))
                    continue
                if len(run) < self.t.min_kana_run or run in self.index:
                    continue
                # A run covered whole is read so with gaps allowed too (none are skipped when none need be).
                pieces = self._segment(run, gaps=True) or []
                # Kana is ordinary Japanese until a word of min_reading_chars says otherwise (とくに is not
                # と+国, もうない not 網+内); a question word alone only answers for itself (なにも stays 何も).
                anchored = any(e.target is not None and e.priority != _QUESTION_WORD
                               and j - i >= self.t.min_reading_chars for i, j, e in pieces)
                for i, j, entry in pieces:
                    if entry.target is not None and (anchored or entry.priority == _QUESTION_WORD) and (
                            entry.priority == _QUESTION_WORD or not grammar(offset + i, offset + j)):
                        edits.append(_Edit(offset + i, offset + j, entry.target, "reading"))
        # Two Latin words read from one kana run (つるのすぷらす → tsulunos PLUS) keep the space between them.
        for k in range(1, len(edits)):
            a, b = edits[k - 1], edits[k]
            if a[1] == b[0] and re.search("[A-Za-z]$", a[2]) and re.match("[A-Za-z]", b[2]):
                edits[k] = _Edit(b[0], b[1], " " + b[2], b[3])
        return _apply(text, edits, rewrites)

    def _kana_prefecture(self, m: re.Match[str]) -> str | None:
        name = self.kana_prefectures.get(fold(m.group(1)))
        return name if name is not None and name.endswith(m.group(2)) else None

    # 8. entities -----------------------------------------------------------------------------------

    def _entity_spans(self, text: str, ws: list[Word]) -> list[tuple[int, int, str]]:
        """(start, end, name) of every organisation or place the question names, in order."""
        spans = [(m.start(), m.end(), m.group()) for m in self.entity_pattern.finditer(text)]
        for run in content_runs(ws, numerals=True):
            head = 0
            for k in range(len(run)):
                for t in range(k, head, -1):
                    tail = text[run[t].start : run[k].end]
                    if len(tail) > self.longest_suffix:
                        break
                    if tail not in self.suffixes:
                        continue
                    name = run[head:t]
                    # A name needs a word of its own (長野, 健康福祉); 各部, 本県, 近隣県 name no one body.
                    if any(w.pos1 == "名詞" and w.pos2 != "数詞" for w in name) and name[0].surface not in self.generic_heads \
                            and "".join(w.surface for w in name) not in self.generic_heads:
                        spans.append((run[head].start, run[k].end, text[run[head].start : run[k].end]))
                    head = k + 1
                    break
        out: list[tuple[int, int, str]] = []
        for span in sorted(set(spans), key=lambda s: (s[0], -s[1])):
            if not any(o[0] <= span[0] and span[1] <= o[1] for o in out):
                out.append(span)
        return out

    # 7. fuzzy --------------------------------------------------------------------------------------

    def _fuzzy(self, text: str, ws: list[Word], entity_spans: list[tuple[int, int, str]]) -> list[_Edit]:
        edits: list[_Edit] = []
        for run in content_runs(ws):
            # An entity name is never guessed at (長野県 is not a misspelt 群馬県): fuzzy works between them.
            pieces: list[list[Word]] = [[]]
            for w in run:
                if any(s <= w.start and w.end <= e for s, e, _ in entity_spans):
                    pieces.append([])
                else:
                    pieces[-1].append(w)
            for piece in pieces:
                # A counter right after 何 or a digit (「何回出展した」: 回) counts; it is no part of a word typed.
                if piece and piece[0].start > 0 and re.match(r"[何\d]", text[piece[0].start - 1]) and (
                        piece[0].surface in lexicon().counters):
                    piece = piece[1:]
                if piece:
                    edits.extend(self._fuzzy_compound(text, piece))
        return edits

    def _near_spelling(self, surface: str) -> str | None:
        """The report word spelt most like `surface`, at or above the similarity threshold, or None."""
        # Compared with report words of neighbouring length only (a word longer or shorter by more than
        # `slack` characters cannot reach the similarity threshold).
        slack = int(len(surface) * (1 - self.t.fuzzy_min_similarity)) + 1
        lengths = range(len(surface) - slack, len(surface) + slack + 1)
        choices = [v for n in lengths for v in self.index.by_length.get(n, [])]
        # No score_cutoff: rapidfuzz turns it into a distance bound on the shorter string and loses an
        # exact 0.8 (奨学返還 / 奨学金返還); the threshold is checked on the score itself.
        best = process.extractOne(surface, choices, scorer=Levenshtein.normalized_similarity)
        if best is None or best[1] < self.t.fuzzy_min_similarity - 1e-9:
            return None
        return best[0]

    def _homophone(self, text: str, w: Word) -> _Edit | None:
        """A short kanji word the report lacks, read as exactly one word of the report's (町議 → 庁議)."""
        surf = text[w.start : w.end]
        if len(surf) < self.t.homophone_min_chars or surf in self.index or surf in known_words() or not w.reading:
            return None
        if not re.fullmatch(r"[\u4e00-\u9fff]+", surf):
            return None
        key = fold(w.reading)
        target = self.index.by_reading.get(key)
        if target and target != surf and len(target) == len(surf) and self.index.homophones.get(key) == 1 and (
                _meant(surf, target)):
            return _Edit(w.start, w.end, target, "fuzzy")
        return None

    def _fuzzy_compound(self, text: str, run: list[Word]) -> list[_Edit]:
        surface = text[run[0].start : run[-1].end]
        if surface in self.index or surface in known_words():
            return []
        if len(surface) < self.t.fuzzy_min_chars:
            edit = self._homophone(text, run[0]) if len(run) == 1 else None
            return [edit] if edit else []
        # A homophone first (the IME picked the wrong kanji): the longest unknown stretch reading as a
        # report word of at least fuzzy_min_chars characters.
        edits, i = [], 0
        while i < len(run):
            for j in range(min(len(run), i + self.t.max_ngram), i, -1):
                part = run[i:j]
                surf = text[part[0].start : part[-1].end]
                if len(surf) < self.t.fuzzy_min_chars or surf in self.index or surf in known_words():
                    continue
                if not all(w.reading for w in part):
                    continue
                target = self.index.by_reading.get(fold("".join(w.reading for w in part)))
                if target and target != surf and len(target) >= self.t.fuzzy_min_chars and _meant(surf, target):
                    edits.append(_Edit(part[0].start, part[-1].end, target, "fuzzy"))
                    i = j
                    break
            else:
                i += 1
        if edits:
            return edits
        candidate = self._near_spelling(surface)
        if candidate is None:
            return []
        last = text[run[-1].start : run[-1].end]
        if len(run) > 1 and last in self.index and not candidate.endswith(last):
            # 「ぐんまちゃんデザイン利用許諾件数」 → the title ぐんまちゃんのデザイン利用許諾 and the measure 件数 kept:
            # a report word ending the compound is no part of the typo.
            return self._fuzzy_compound(text, run[:-1])
        # A word that only adds or drops an affix (政策調査費 / 政策調査) is a different word, not a typo;
        # so is one dictionary word put for another of the same length (県外就職率 / 県内就職率): a typo
        # that keeps every word real and the length equal is a homophone, which the reading caught above.
        # Kana put for kana is spelling (インスタライヴ / インスタライブ) and stays a candidate.
        if candidate.replace("ー", "") == surface.replace("ー", "") and re.search(r"[ァ-ヶ]ー?$", surface):
            # 「モバイルルーター」 for the report's 「モバイルルータ」: a long-vowel mark is spelling, not another word.
            return [_Edit(run[0].start, run[-1].end, candidate, "fuzzy")]
        if candidate in surface or surface in candidate:
            return []
        # (A changed character in a one-character piece, 「広報活度」 → 広報 + 活 + 度, makes no word of its own: that
        # is a slip of the keys, not another word.)
        base = run[0].start
        if len(candidate) == len(surface) and all(w.reading for w in run) and any(
            a != b and not (is_kana(a) and is_kana(b)) for a, b in zip(surface, candidate, strict=True)
        ) and all(
            next((w.end - w.start >= 2 for w in run if w.start <= base + i < w.end), True)
            for i, (a, b) in enumerate(zip(surface, candidate, strict=True)) if a != b
        ):
            return []
        return [_Edit(run[0].start, run[-1].end, candidate, "fuzzy")]


def _meant(surface: str, target: str) -> bool:
    """Whether a homophone may stand for the word typed: not when the synonym table reads the word as others
    (工場 → ものづくり, 製造 is spelt as meant, not a misread 向上; 広報誌 → 広報紙 is the homophone itself)."""
    said = synonyms().get(surface)
    return said is None or target in said


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words the analysis knows though the report may not write them (社数, 費目, the counters): never a typo
    of a report word (社数 is no misspelt 者数)."""
    lex = lexicon()
    words = {w for ws in lex.measures.values() for w in ws} | set(lex.counters) | set(lex.item_nouns)
    return frozenset(w for w in words if len(w) >= 2)


def _grammar_in_katakana(run: str) -> bool:
    """Whether a short katakana run is grammar, not a word (ハ, ガ, シタノ, デスカ): in hiragana, it is only
    particles, auxiliaries and the light verb する."""
    if not re.fullmatch("[\u30a1-\u30fa\u30fc]{1,4}", run):
        return False
    return is_grammar(fold(run), written=run)
