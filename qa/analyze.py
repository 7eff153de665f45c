"""Question analysis: what is asked (a quantity, a date, a name, a list, an operation), the key terms
(MeCab content words expanded by the synonym table in qa/data/synonyms.json) and the period.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from qa.lexicon import (
    answer_type_patterns,
    counter_alternation,
    counter_ask,
    lexicon,
    money_words,
    op_patterns,
)
from qa.models import Period
from qa.text import find_periods, nfkc, norm, preamble_end
from qa.tokenize import loose_words, tagged, tagged_pos3, tagged_tokens, tokens

# Words that say what kind of answer is wanted, not what it is about.
STOPWORDS = {
    "何", "なに", "なん", "いくら", "いくつ", "どれ", "どの", "どこ", "どう", "どんな", "誰", "だれ", "いつ", "教える",
    "知る", "くださる", "下さる", "ください", "する", "ある", "有る", "いる", "居る", "なる", "成る", "できる", "出来る", "れる", "られる",
    "思う", "言う", "いう", "たい", "くらい", "ぐらい", "程度", "こと", "もの", "の", "それ", "その", "これ", "この",
    "ほしい", "欲しい", "です", "ます", "か", "件", "回", "人", "名", "円", "千", "万", "億", "年", "度", "月", "日",
    "数", "値", "量", "額", "合計", "合わせる", "差", "増減", "減る", "増える", "前年", "比", "割合", "前年比",
    "昨年", "昨年度", "前年度", "今年", "今年度", "本年度", "去年", "去年度", "本年", "当該", "同年", "全体", "全部", "総数", "計", "トータル", "各", "について",
    "つく", "付く", "関する", "おく", "行う", "何件", "何回", "何人", "何名", "何台", "何本", "何社", "何か所",
    "令和", "平成", "元", "減少", "増加", "変化", "比べる", "違う", "違い", "比較", "以上", "以下", "それぞれ",
    "方", "あと", "また", "では", "じゃあ", "さらに", "一方", "ほう", "的", "実績", "状況", "結果", "はい", "いいえ",
    "見る", "分かる", "わかる", "調べる", "答える", "ござる", "おる", "よい", "良い", "多い", "少ない", "多く", "少なく",
    "為る", "せる", "させる", "頂く", "いただく", "年間", "公式", "ぜんぶ", "全て",
    "やる", "使う", "作る", "出す", "来る", "受ける", "行く", "大体", "およそ", "約", "程",
    "うち", "因る", "よる", "向け", "における", "なか", "中", "やつ", "奴", "ところ", "感じ", "そもそも", "よう",
}



def unit_family(unit: str) -> str:
    """The unit family of a unit or counter (千円 → 円, 名 → 人), from the lexicon's one counter list."""
    return lexicon().family(unit)


@dataclass
class Question:
    text: str  # as asked
    norm: str
    terms: list[str]  # content words of the question (normalised)
    groups: list[list[str]]  # each term with its synonyms: a group matches when any member matches
    want: str  # quantity | date | name | place | list | text
    unit: str | None  # the unit family a quantity question asks for (件, 円, 人, …)
    op: str | None  # diff | sum | ratio | change | None
    direction: str | None  # decrease | increase | None
    period: Period | None
    relative: str | None  # "previous" for 前年/昨年度, "current" for 今年度
    parts: list[Question] = field(default_factory=list)  # for 「AとBの合計」: one sub-question per item
    focus: list[str] = field(default_factory=list)  # terms a follow-up adds: the answer must match them
    periods: list[Period] = field(default_factory=list)  # every period named, in order
    measure: str | None = None  # the word a quantity question measures: 「面積はどれくらい」 → 面積
    units: list[str] = field(default_factory=list)  # every counter asked: 「何社・何人分」 → 社, 人
    predicate: str | None = None  # the question's last content word: 「いつ実施された」 → 実施
    # Terms that are loose wording (verbs, adverbs, hiragana words: 撮る, 実際): one the report never uses
    # does not count against a passage (qa.evidence.coverage).
    loose: frozenset[str] = frozenset()
    # Words only the asker's preamble holds (「委員会資料を作っています。」): like loose wording, one the report never
    # uses does not count against a passage; unlike it, a word of the report there may still name the topic.
    aside: frozenset[str] = frozenset()
    # The subject a part shares with the others (「ぐんま情報トッピング」 of 「…の番組の長さ、放送回数」): its figure
    # should be of it too (qa.ranking).
    about: list[str] = field(default_factory=list)
    # The kind of thing a which-question asks for (「どこの国から」 → 国, 「どういう学校」 → 学校): the answer is a
    # word of that kind, so the noun is no topic the evidence must name.
    kind_asked: str | None = None
    # Figures the asker states as known before asking (「約1,500人が対象だったそうですが、…は何人」): (value,
    # unit family) pairs; the answer is another figure.
    known: list[tuple[Decimal, str]] = field(default_factory=list)
    # What the asker says the answer is not (「ぐんまちゃんじゃなくて、県庁公式の…」「ぐんまちゃんのじゃない方」):
    # a figure of it is no answer (qa.ranking).
    negated: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, list[str]]:
    """The synonym table (question word → report words), keys and values normalised."""
    data = json.loads(resources.files("qa").joinpath("data/synonyms.json").read_text(encoding="utf-8"))
    return {norm(k): [norm(v) for v in vs] for k, vs in data.items() if not k.startswith("_")}


def expand(term: str) -> list[str]:
    """The term and the report's words for it."""
    out = [term]
    for key, values in synonyms().items():
        if term == key or (len(key) >= 2 and key in term):
            out.extend(v for v in values if v not in out)
    return out




def _without_periods(text: str, counters: bool = True) -> str:
    text = nfkc(text)
    if counters:
        text = counter_ask().sub(" ", text)  # 「何社・何人分」 asks; its counters are not topics
    for start, end, _ in reversed(find_periods(text)):
        text = text[:start] + " " + text[end:]
    return re.sub(r"(?<!\d)20\d\d年度?", " ", text)


def with_terms(q: Question, pairs: Iterable[tuple[str, list[str]]]) -> Question:
    """The question with only these (term, group) pairs of it, in their order."""
    kept = list(pairs)
    return replace(q, terms=[t for t, _ in kept], groups=[g for _, g in kept])


def groups_for(terms: list[str], question_norm: str) -> list[list[str]]:
    """Each term with its synonyms, including those of a multi-word key the term is part of
    (「目の不自由」 → 点字 for the term 不自由)."""
    groups = [expand(t) for t in terms]
    for key, values in synonyms().items():
        if len(key) < 2 or key not in question_norm:
            continue
        for g, t in zip(groups, terms):
            if len(t) >= 2 and t in key and t != key:
                g.extend(v for v in values if v not in g)
    return groups


def _adverbial(text: str) -> set[str]:
    """The nouns of the text that unidic reads as adverb-capable (結局, 実際, 全部, 今回)."""
    return {w for w, pos3 in tagged_pos3(_without_periods(text, counters=False)) if pos3 == "副詞可能"}


# 「どのようなプログラムですか」「どういう身分の人」: the noun a description is asked in terms of.
_DESCRIBED_AS = re.compile(r"(?:どのような|どんな|どういう|どういった)([^\s、。?？のはがを]{1,8}?)(?:の|です|でしょう|だ|なの|か|\?|。|$)")


def _described_as(norm_text: str) -> set[str]:
    """The noun after a describing which-word: the kind of answer, loose wording rather than topic."""
    return {m.group(1) for m in _DESCRIBED_AS.finditer(norm_text)}


_ASK_WORD = re.compile(r"何|なん|いくら|いくつ|どれ|どの|どん")

def _preamble_words(q: str) -> set[str]:
    """The words of the question's preamble that the question proper does not repeat: the asker's situation
    (委員会, 資料, 念), loose wording as a verb is."""
    if not (end := preamble_end(q)):
        return set()
    asked = set(tokens(q[end:]))
    return {t for t in tokens(q[:end]) if t not in asked}


def _measure_verb(q: str) -> str | None:
    """The report's word for a verb after the question word (「どれくらい見られた」 → 再生), or None."""
    ask = _ASK_WORD.search(q)
    if ask is None:
        return None
    verbs, rest = lexicon().measure_verbs, q[ask.end():]
    # 「出てきた」: 来る after て only says how something came about (the auxiliary), not a visit.
    return next((verbs[t] for t, pos in tagged_tokens(rest) if pos in {"動詞", "名詞"} and t in verbs
                 and not (t == "来る" and re.search("て(き|来|く)", rest))), None)


_ROLE = re.compile(r"([\u4e00-\u9fff\u30a1-\u30ff]{2,8})(?:は|って|が|を|に)?(?:務めた|やった|担当した)?(?:の)?(?:は)?(?:誰|だれ|どなた)")


# A person's name asked (「国際交流員3名の名前」「知事の氏名」「講師は誰」): a noun for people, then the name asked.
_PERSON_ASKED = re.compile(r"(?:者|員|長|官|師|知事|大臣|首相|大使|先生|講師|アーティスト|タレント|ゲスト)(?:\d+(?:名|人))?"
                           r"(?:の)?(?:名前|氏名|フルネーム)|(?:者|員|長|官|師|知事|大臣|首相|大使|先生|講師)(?:は|って)(?:誰|だれ|どなた)")


def person_asked(norm_text: str) -> bool:
    """Whether the question asks for a person's name, which only a person's name answers."""
    return _PERSON_ASKED.search(norm_text) is not None


def role_asked(norm_text: str) -> str | None:
    """The role a who-question asks about (「所長は誰」 → 所長, 「講師は誰でしたか」 → 講師), or None."""
    m = _ROLE.search(norm_text)
    return m.group(1) if m else None


def measure_of(text: str) -> str | None:
    """The noun a quantity question measures: the content word right before 何人/いくら/数は/どれくらい."""
    words = tagged(_without_periods(text, counters=False))
    asks = re.compile(r"^(何|なん|いくら|いくつ|どれ|どのくらい|どれほど)")
    for i, (surface, _) in enumerate(words):
        if asks.match(surface) or (surface in {"数", "総数"} and i + 1 < len(words) and words[i + 1][0] in {"は", "を", "?", "？"}):
            after = _counted_after(words, i)
            if after is not None:
                return after if after not in STOPWORDS and after not in lexicon().item_nouns else None
            j = _noun_before(words, i)
            while j >= 0 and words[j][0] in lexicon().count_qualifiers:
                # 「参加者は延べ何人」: 延べ says how 参加者 are counted. Past a comma (「講座、延べ何人参加」)
                # the noun is the topic, not what is counted.
                if j > 0 and words[j - 1][1] == "補助記号":
                    return None
                j = _noun_before(words, j)
            if re.fullmatch(r"には?", "".join(w for w, _ in words[j + 1 : i])):
                return None  # 「正確には何台」「実際には何人」: a noun made an adverb by に says how it is asked
            k = j  # where the compound ending at j begins
            while k - 1 >= 0 and words[k - 1][1] in {"名詞", "接頭辞", "接尾辞"}:
                k -= 1
            if "".join(w for w, _ in words[j + 1 : i]) == "で" and re.search(
                    r"\d\s*[^\d\s]{1,3}の$", "".join(w for w, _ in words[max(0, k - 4) : k])):
                return None  # 「4件の調査研究でいくら出した」: the things counted, what the money went on
            if j >= 0 and words[j][1] == "名詞" and words[j][0] in _adverbial(text):
                return None  # 「ルータは結局何台」「それぞれ何回」: an adverb-like noun says how it is asked, not what
            if j >= 0 and words[j][1] in {"名詞", "接尾辞"}:
                # A compound ending here (「登録者」, 「職員」): the nouns that form it (words[k : j + 1], above).
                noun = "".join(w for w, _ in words[k : j + 1])
                noun = re.sub(r"(数|件数|回数|人数|額|金額)$", "", noun)
                if words[k][0] == "さ" and k > 0 and words[k - 1][1] == "形容詞":
                    noun = words[k - 1][0] + noun  # 「長さ」 is 長 (an adjective) + さ
                if not noun or any(noun in ws for family, ws in lexicon().measures.items() if family != "円"):
                    # 「件数ってどれくらい」「長さはどれくらい」: a count or a dimension word alone says what kind of
                    # figure (the unit asked says it too), not of what
                    return None
                if re.search(r"(あたり|当たり|当り)$", noun):
                    return None  # 「1回あたり何部」: a rate's denominator, not the thing measured
                # 「事業はどれくらいお金が」: a word that names what is counted or asked about is no measure.
                return noun if noun not in STOPWORDS and noun not in lexicon().item_nouns else None
            return None
    return None


def _noun_before(words: list[tuple[str, str]], i: int) -> int:
    """The index of the last word before `i` that is no particle, symbol or auxiliary (-1 if none)."""
    j = i - 1
    while j >= 0 and words[j][1] in {"助詞", "補助記号", "助動詞"}:
        j -= 1
    return j


def _counted_after(words: list[tuple[str, str]], i: int) -> str | None:
    """The noun a question word counts when it comes first (「何人のスタッフ」「いくつの事業」), or None."""
    k = i + 1
    if k < len(words) and words[k][1] == "接尾辞":
        k += 1  # the counter: 何「人」の
    if k + 1 >= len(words) or words[k][0] != "の" or words[k + 1][1] != "名詞":
        return None
    end = k + 1
    while end + 1 < len(words) and words[end + 1][1] in {"名詞", "接尾辞"}:
        end += 1
    return "".join(w for w, _ in words[k + 1 : end + 1])


def _content_terms(text: str) -> list[str]:
    terms: list[str] = []
    for t, pos in tagged_tokens(_without_periods(text)):
        t = re.sub(r"^[^\w]+|[^\w!]+$", "", norm(t))  # 「STEAM×」 → steam
        if pos == "接頭辞":
            continue  # 「不」自由, 「各」部局: a prefix alone names nothing
        # A lone letter (「%s」 → s) matches inside any Latin word: it names nothing.
        # 「両方」「それぞれ」 say each item is wanted; they name none.
        if t in STOPWORDS or t in lexicon().each or re.fullmatch(
                r"[\d,.]+|[?？!！。、・:：()（）]+|[\u3041-\u309f]|[a-z0-9]", t) or not t.strip():
            continue
        if t not in terms:
            terms.append(t)
    # A number with its counter names a column or a row (「有効期間5年」 → 5年): keep it whole.
    for m in re.finditer(r"(?<![\d.,])\d+(年|か月|ヶ月|歳|分|秒)|第\d+(次|期|回|号)", _without_periods(text)):
        if m.group() not in terms:
            terms.append(m.group())
    # A date names the event it is the date of (「令和3年3月5日の先進企業視察」): keep it as a term, as its
    # month and day (a range in the report, 「令和3年1月22日～2月4日」, writes the year once).
    for _, _, p in find_periods(text):
        if "-" in p.norm:
            parts = [int(x) for x in p.norm.split("-")[1:]]
            word = f"{parts[0]}月" + (f"{parts[1]}日" if len(parts) > 1 else "")
            if word not in terms:
                terms.append(word)
    # A quoted word (「その他」) is one term, however the tokenizer splits it.
    for m in re.finditer(r"[「『\"]([^」』\"]{1,20})[」』\"]", nfkc(text)):
        word = norm(m.group(1))
        inside = "".join(t for t in terms if t in word)
        if word and word not in terms and len(inside) < len(re.sub(r"\W", "", word)):
            terms.append(word)
    # Whole question words the tokenizer splits (ふるさと納税, インスタ) get their synonyms too.
    q = norm(text)
    for key in synonyms():
        if len(key) < 2 or key not in q or any(key in t for t in terms if len(t) >= 2):
            continue
        pieces = [t for t in terms if t in key and t != key]
        if pieces and "".join(pieces) == key and re.fullmatch(r"[\u30a1-\u30faー]+", key):
            # A loanword split into katakana pieces (インスタ → イン + スタ): the pieces are no words; the whole is.
            terms = [key if t == pieces[0] else t for t in terms if t not in pieces[1:]]
        elif not any(t in key for t in terms if len(t) >= 2):
            terms.append(key)
    return terms


def want_of(q: str) -> tuple[str, str | None]:
    """What kind of answer a (normalised) question or part of one asks for, and the unit of a quantity."""
    return _want(q)


_EXPENSE_ASKED = re.compile(r"[^\s、。]{2,}(?:費|費用|予算額?)(?:は|って)?(?:いくら|を教えて(?:ください)?)?[?？。]?$")


def _word_starts(text: str) -> set[int]:
    """The offsets at which MeCab starts a word of `text`."""
    starts, cursor = set(), 0
    for surface, _ in tagged(text):
        at = text.find(surface, cursor)
        if at >= 0:
            starts.add(at)
            cursor = at + len(surface)
    return starts


def _want(q: str) -> tuple[str, str | None]:
    """(what kind of answer, the unit family of a quantity) from the question's wording (qa/data/lexicon.json)."""
    types = answer_type_patterns()
    counter = counter_ask().search(q)
    # 「どういう場所」「どんな団体」: the noun asked is described, not located or named.
    described = types["description"].search(q)
    for kind in ("date", "name", "place"):
        if (m := types[kind].search(q)) and not (described and described.start() <= m.start() < described.end()):
            if counter and not re.match(r"いつ|何|どこ|誰|だれ|どなた", m.group()) and unit_family(counter.group(1)) != "%":
                # 「有効期間が10年でもない旅券は何件」「配置先は何か所」: a noun of time or place qualifies what is
                # counted.
                continue
            return kind, None
    # A counter asked (何件, 何人分) or a word that asks an amount of a unit (件数, 決算額). 「何%」 is the unit
    # of a result: the figures it comes from are in the unit the question measures (「申請件数は何%減った」).
    if counter and unit_family(counter.group(1)) != "%":
        return "quantity", unit_family(counter.group(1))
    # An amount the question states (「社会参加費の16千円って」) asks nothing.
    unstated = re.sub(r"\d[\d,.]*\s*[千万億]?円", "", q)
    starts = _word_starts(unstated)
    for family, words in lexicon().measures.items():
        # 「予算化された」 is an act (a 事業 made), not an amount of 予算; 「どの予算で」「何の支払いに」 ask which
        # one, not how much. A measure word of two characters or more begins a word: 「会長さん」 holds no 長さ,
        # 「全部数える」 no 部数 (額 of 差額 is a suffix).
        if any(m.start() in starts or len(w) == 1 for w in words
               for m in re.finditer(r"(?<!どの)(?<!どんな)(?<!何の)(?<!なんの)(?<!どういう)" + re.escape(w) + "(?!化)",
                                    unstated)):
            return "quantity", family
    if counter:
        return "quantity", "%"
    # 〜者数, 〜員数 count people: 参加者数, 構成員数, 職員数.
    if re.search(r"(者|員)数", q):
        return "quantity", "人"
    if re.search(r"率|割合", q):
        return "quantity", "%"
    # A counter the lexicon does not know (何ライセンス, 何アカウント): a figure in that unit or none.
    if m := re.search(r"何([ァ-ヶー]{2,8})", q):
        return "quantity", m.group(1)
    # 「上海事務所の運営費は？」: an expense named last, with no question word, asks its amount.
    if _EXPENSE_ASKED.search(q):
        return "quantity", "円"
    if types["title"].search(q):
        return "name", None
    if types["quantity"].search(q):
        # 「どれくらい使った」「いくらかかった」: an amount of money.
        return "quantity", "円" if money_words().search(q) and not re.search(r"いくつ|何", q) else None
    if types["description"].search(q):
        return "text", None  # 「どんな結果になった」: what came of it, in the report's words, not a list of items
    if re.search(lexicon().activity_cue, q):
        return "text", None  # 「普段何をしてる」: what a body does, its 活動 cell, not a list of items
    if types["list"].search(q):
        return "list", None
    return "text", None


# Words that say what kind of answer is wanted (時期, 場所) are not what the question is about.
_ASK_NOUNS = {"時期", "場所", "名前", "名称", "期日", "日時", "期間", "日付", "内容", "テーマ", "タイトル"}
# What each of them asks for, when a part of a question ends on one (「テーマと日付は」).
# A theme or a title is a phrase of the passage, not a name: the passage answer (text) holds it.
ASK_NOUN_WANTS = {"時期": "date", "期日": "date", "日時": "date", "期間": "date", "日付": "date", "場所": "place",
                  "名前": "name", "名称": "name", "テーマ": "text", "タイトル": "text"}


def _predicate(terms: list[str]) -> str | None:
    """The last content word (a date or a number kept as a term is added after the words, wherever the question
    writes it: 「令和2年9月4日の…に参加した…書記の名前は」 ends on 書記, not 9月4日)."""
    content = [t for t in terms if t not in _ASK_NOUNS and not re.match(r"第?\d", t)]
    return content[-1] if content else None


def _asked_units(q: str) -> list[str]:
    """Every unit family the question asks a figure in, in order: 「何社・何人分」 → 社, 人; 「本数と、その事業費」
    → 本, 円."""
    found: list[tuple[int, str]] = []
    q = q.replace("の数", "数")  # 「会社の数」 asks like 「会社数」
    for m in counter_ask().finditer(q):
        found.append((m.start(), unit_family(m.group(1))))
    # 「団体数」「世帯数」: a counter of two characters or more before 数 asks a figure counted in it.
    for counter, family in lexicon().counters.items():
        if len(counter) >= 2 and (at := q.find(counter + "数")) >= 0:
            found.append((at, family))
    for family, words in lexicon().measures.items():
        for w in words:
            if m := re.search(re.escape(w) + "(?!化)", q):
                found.append((m.start(), family))
    units: list[str] = []
    for _, u in sorted(found):
        if u not in units:
            units.append(u)
    return units


# A question that asks why or what for (「なぜ減った」「どうして録画だけ」「誰のため」「何を目的に」) asks for the
# report's reason or purpose, never arithmetic.
_WHY = re.compile(r"なぜ|何故|どうして|なんで(?!す|しょう)|何で(?!す)|理由|原因|わけは|(?<!内)訳は|(何|なに|なん|誰|だれ)のため|何を目的|狙い|ねらい|(狙|ねら)っ|目的(は|って|が|を)|意図(は|って)")


def asks_why(text: str) -> bool:
    return _WHY.search(text) is not None


# Everyday verbs for a fall and a rise (「落ち込んだ」「下がった」「伸びた」), beside 減 and 増; as verbs only (拡大 is
# also a name: 感染拡大防止).
_FELL = r"下回|下がっ|下がり|落ち込ん|落ちた|低下し"
_ROSE = r"上回|上がっ|上がり|伸びた|伸び率|上昇し"


def _op(q: str) -> tuple[str | None, str | None]:
    if _WHY.search(q):
        return None, None
    rate = re.search(r"比べて何%|何%|何パーセント|何割|何倍|割合|比率|増加率|減少率|伸び率|増減率", q)
    # 「前年比で何件減った」: against the year before, an amount in the figure's own unit: a difference.
    if rate or (re.search(r"前年比|前年度比|昨年比|昨年度比|対前年", q)
                and not re.search(r"何(?=[^\s、。]{1,3}(減|増|多|少))|いくら(減|増|多|少)", q)):
        if re.search(r"増加率|減少率|伸び率|増減率|何%増|何%減|パーセント減|パーセント増", q) or (
                re.search(r"何割|割合|何%|何パーセント", q) and re.search(rf"(減|増)(っ|り|え|少|加|た)|伸び|伸ば|{_FELL}|{_ROSE}", q)
                and not re.search(r"のうち|に占め|に対す|水準|程度まで|ほどまで", q)):
            # 「減り方は何割」「どのくらいの割合で減った」: a change; 「何%の水準まで落ち込んだ」, 「のうち」: a ratio.
            return "change", None
        return "ratio", None
    # 「前の年から何件減」: a terse 減 / 増 after the amount asked says the change as 減った does.
    if re.search(rf"減った|減少|減り|{_FELL}|何[^\s、。?]{{0,3}}減", q):
        return "diff", "decrease"
    if re.search(rf"増えた|増加|増え|{_ROSE}|何[^\s、。?]{{0,3}}増", q):
        return "diff", "increase"
    if re.search(r"差|増減|違い|違う|ちがう|ちがい|開き|比べ|比較|より(多|少な)|(何.{0,3}|いくら|どれだけ|どのくらい|どれくらい)"
                 r"(多い|少ない|多く|少なく|多かった|少なかった|高い|安い)", q):
        return "diff", None
    # 「総合計画」 is a plan, not a sum.
    if re.search(r"合計(?!画)|合わせ|あわせ|足す|足し|総計(?!画)|計は|トータル|通算|全部で|両方で|合算", q):
        return "sum", None
    return None, None


# The which-words: the noun after one is the kind of thing asked for (「どこのテレビ局」).
WHICH_WORDS = ("どこ", "どの", "どんな", "どう", "どういう", "どのような", "どちら", "何という", "なんという", "何て", "なんて")
_WHICH = re.compile("^(" + "|".join(WHICH_WORDS) + ")$")


def kind_asked(text: str) -> str | None:
    """The noun right after a which-word (「どこのテレビ局で」 → テレビ局, 「どういう学校で」 → 学校)."""
    words = tagged(nfkc(text))
    for i, (surface, _) in enumerate(words):
        if not _WHICH.match(surface):
            continue
        j = i + 1
        while j < len(words) and words[j][0] in {"の", "いう", "いった", "よう", "な", "ような"}:
            j += 1
        if surface == "どう" and j == i + 1:
            continue  # 「どうだった」: no which-word
        k = j
        while k < len(words) and words[k][1] in {"名詞", "接尾辞"} and not re.fullmatch(r"\d+", words[k][0]):
            k += 1
        noun = "".join(w for w, _ in words[j:k])
        rest = "".join(w for w, _ in words[k:])
        describing = surface in {"どんな", "どう", "どういう", "どのような"} or (
            surface == "どの" and i + 1 < len(words) and words[i + 1][0] == "よう")  # どの + よう + な
        if describing and re.fullmatch(r"(です|でしょう|だ|なの|なん|か|の|\?|。)*", rest):
            continue  # 「始動人Jr.キャンプってどういうプログラム？」: what the thing is, described
        if noun and noun not in STOPWORDS and noun not in {"くらい", "ぐらい", "辺", "あたり", "方", "ほう"}:
            return norm(noun)
    return None


# A bracket of examples ending in 等/など: what the whole takes in, written after its name; a list of examples
# after a comma, members given as such (「…を含めて」「…のような」), one example after the topic (「プロジェクト
# ってSTEAMのとか全部で」).
EXAMPLES = re.compile(r"[(（]([^()（）]+)(?:等|など|とか)[)）]"
                      r"|[、,]([^、。,()（）]+?(?:や|と)[^、。,()（）]+?)(?:など|等|とか)[、,]"
                      r"|([^、。,()（）はがの]{1,30}?)(?:を|も)含め(?:て|ると|たら)"
                      r"|([^、。,()（）「」はがの]{2,30}?)(?:のような|みたいな|といった)"
                      r"|(?<=って)([^、。,()（）「」\s]{2,20}?)の?(?:とか|など)(?=全部|全て|すべて|合わせ|[、,])")
# 「全国知事会議とか関東の知事会議とか」「全国知事会議や関東地方知事会議など、」: members given as examples of all of
# them, which still name where they are (so they are not in EXAMPLES, whose words name no scope).
_SUCH_AS = re.compile(r"([^、。,()（）「」]+?とか[^、。,()（）「」]+?)とか|^([^、。,()（）]+?や[^、。,()（）]+?)(?:など|等)[、,]")


def examples_of(norm_text: str) -> str:
    """The examples a (normalised) question gives of a whole, joined."""
    return " ".join(next(g for g in m.groups() if g) for pattern in (EXAMPLES, _SUCH_AS)
                    for m in pattern.finditer(norm_text))


# A clause the asker leads with to say what they know already, before the question proper: hearsay or a
# concession after a predicate (「…整備したと聞きましたが、」「…対象だったそうですが、」「…あったけど、」).
_PREAMBLE = re.compile(r"^(.+?(?:と聞(?:いた|きました|いています|いてます|いてる)|そう(?:です|だ)|らしい(?:です)?|"
                       r"(?:た|だ|です|ます|でした|ました|ている|てる|ある|いる))(?:けど|けれど|けれども|が))[、,]")


@lru_cache(maxsize=1)
def _whole_stated() -> re.Pattern[str]:
    counters = counter_alternation()
    # 「10テーマのうち」, also with what they were between (「10テーマ提案された政策プレゼンのうち」).
    return re.compile(rf"(?P<n>\d[\d,]*)\s*(?P<c>{counters})(?:[^、。?？\d]{{0,15}}?)の?(?:うち|中で|中)")


_DATE_UNITS = frozenset({"年", "年度", "月", "日"})


def _stated_before(text: str) -> tuple[str, list[tuple[Decimal, str]]]:
    """The question without the figures its preamble states (「三百台以上整備したと聞きましたが、正確には何台」 →
    「…整備したと聞きましたが、正確には何台」), and those figures: they are neither a threshold nor the answer."""
    m = _PREAMBLE.match(nfkc(text))
    if not m or any(op in {"average", "share", "change_rate"} and pattern.search(norm(text))
                    for op, pattern in op_patterns()):
        return text, []  # 「152回出動したそうですが、ならすと月に何回」: the stated figure is what is computed with
    counters = counter_alternation()
    figure = re.compile(rf"(?:約|およそ|ほぼ)?(\d[\d,]*(?:\.\d+)?)\s*({counters})"
                        r"(?:以上|以下|超え|超|未満|くらい|ぐらい|程度|ほど|強|弱)?(?:が|は|を|も)?")
    found = [f for f in figure.finditer(m.group(1)) if f.group(2) not in _DATE_UNITS]
    if not found:
        return text, []
    known = [(Decimal(f.group(1).replace(",", "")), lexicon().family(f.group(2))) for f in found]
    preamble = figure.sub(lambda f: f.group() if f.group(2) in _DATE_UNITS else "", m.group(1))
    return preamble + nfkc(text)[m.end(1):], known


def analyze(text: str, history: list[str] | None = None) -> Question:
    """Analyse a question; a follow-up without its own subject takes the subject of the earlier ones."""
    text, known = _stated_before(text)
    q = norm(text)
    # 「交流事業38回のうち、オンラインは何回」: the whole the question states is not the part it asks.
    known += [(Decimal(m.group("n").replace(",", "")), lexicon().family(m.group("c")))
              for m in _whole_stated().finditer(q) if m.group("c") not in _DATE_UNITS]
    want, unit = _want(q)
    if asks_why(q):
        want, unit = "text", None  # 「なぜ減ったのか」: the reason the report gives, in its words
    op, direction = _op(q)
    if want == "quantity" and re.search(r"いくつ|何個", q) and (
            whole := _whole_stated().search(q)) and whole.group("c") not in _DATE_UNITS:
        unit = lexicon().family(whole.group("c"))  # 「10テーマのうち…いくつ」: the part is counted as the whole is
    if op == "ratio" and unit == "倍":
        unit = None  # 「AはBの何倍」: 倍 is the answer's, not the unit of the figures compared
    # A date with its month (「令和3年1月8日に開いた」「平成25年4月に開設した」) names an event, not the period of
    # a figure: it stays a term to match; the figure's period is a year or a fiscal year.
    periods = [p for p in find_periods(text) if "-" not in p[2].norm]
    period = periods[0][2] if periods else None
    relative = None
    if re.search(r"前年|昨年|前年度|昨年度|去年", q):
        relative = "previous"
    m = re.search(r"(?<!\d)(20\d\d)年(度)?", nfkc(text))
    if period is None and m:
        year = int(m.group(1))
        period = Period(raw=m.group(), norm=f"FY{year}" if m.group(2) else str(year), year=year, fiscal=bool(m.group(2)))
    terms = _content_terms(text)
    if want in {"text", "list"} and (described := _described_as(q)):
        # 「始動人Jr.キャンプとはどのようなプログラム」: プログラム is what the answer is, not a word it must hold.
        terms = [t for t in terms if t not in described] or terms
    layout = " ".join(m.group() for pattern in (lexicon().layout_words, lexicon().year_span_words)
                      for m in re.finditer(pattern, q))
    if layout:
        # 「①から番号付きでいくつ」: 番号 says how the items are marked, not what they are about.
        terms = [t for t in terms if t not in layout] or terms
    if asks_why(q):
        # 「何のために」「作った理由」 frame the question; they name nothing.
        terms = [t for t in terms if t not in {"ため", "為", "理由", "原因", "目的", "狙い", "ねらい", "意図", "わけ", "訳"}] or terms
    if (m := _EXCEPT.search(q)) and not (re.search(r"(それ|これ|あれ)以外", q) and "その他" in q):
        # 「県以外の分」: the word before 以外 is what is left out; a table calls the rest その他.
        terms = [t for t in terms if t != m.group(1)] + ["その他"]
    elif m := _NEITHER.search(q):
        # 「10年でも5年でもない旅券」: neither is asked about; a table calls the rest その他.
        terms = [t for t in terms if t not in {m.group(1), m.group(2)}] + (["その他"] if "その他" not in q else [])
    negated = [m.group(1) for m in _NOT_THIS.finditer(q)]
    if negated:
        # 「ぐんまちゃんじゃなくて、県庁公式の」: the thing set aside is no topic.
        terms = [t for t in terms if not any(t in n for n in negated)] or terms
    measure = measure_of(text) if want == "quantity" and not op else None
    if want == "quantity" and unit in {None, "回"} and not money_words().search(q) and (said := _measure_verb(q)):
        # 「どれくらい見られた」「何回くらい見られた」: the verb after the question word names the measure (再生);
        # a counter of things (「何人来た」) or money (「いくら使った」) already says what is measured, while times
        # (回) are counted of any act.
        measure, terms = said, [*terms, said] if said not in terms else terms
    question = Question(text=text, norm=q, terms=terms, groups=groups_for(terms, q), want=want, unit=unit,
                        op=op, direction=direction, period=period, relative=relative,
                        periods=[p for _, _, p in periods],
                        measure=measure,
                        units=_asked_units(q), predicate=_predicate(terms),
                        loose=frozenset(terms) & (loose_words(text) | _described_as(q)),
                        aside=frozenset(terms) & _preamble_words(q), kind_asked=kind_asked(text),
                        known=known, negated=negated)
    if question.predicate is not None and question.predicate in _described_as(q):
        question.predicate = None  # 「…とはどのようなプログラム」: the kind it is described as, not a word to find
    if history and _is_follow_up(question):
        question = _inherit(question, [analyze(h) for h in history])
    if op and len(question.periods) < 2:
        question.parts = _split_items(text, question)
        if op == "sum" and question.parts and (examples := examples_of(q)) and all(
                re.sub(r"(など|等|とか)$", "", norm(p.text).strip(" 、,")) in examples for p in question.parts):
            question.parts = []  # 「全国知事会議や関東地方知事会議など、…合わせて」: examples of the whole summed
    return question


# 「企業版だとどう？」「海外の場合は？」: the same question asked of another thing.
_HOW_THEN = re.compile(r"(だと|では|の場合は?|なら)(どう|どうなる|どうなの|どうだった|どうですか)?[?？]?$")


def _is_follow_up(q: Question) -> bool:
    # 「男性は？」, 「令和元年は？」, 「では女性は？」: few content words of its own, or an explicit
    # pronoun pointing back.
    if re.match(r"^(それ|その|では|じゃあ|じゃ|また|一方|なら)", q.norm) or _HOW_THEN.search(q.norm):
        return True
    if re.search(r"の(もの|分|場合|ほう|方)は[?？]?$", q.norm) and len(q.norm) <= 16:
        return True
    return (len(q.terms) <= 1 and len(q.norm) <= 14) or (len(q.terms) <= 2 and len(q.norm) <= 8)


def _inherit(q: Question, earlier: list[Question]) -> Question:
    # The subject is the last earlier question that stood on its own; the follow-ups after it refine it.
    subject_at = max((i for i, e in enumerate(earlier) if not _is_follow_up(e)), default=None)
    if subject_at is None:
        return q
    base = earlier[subject_at]
    if q.terms:
        for refinement in earlier[subject_at + 1 :]:
            base = _merge(base, refinement)
    # A follow-up that only names a period (「令和元年は？」) asks for the subject in that period.
    return _merge(base, q, period_only=not q.terms)


def _merge(base: Question, q: Question, period_only: bool = False) -> Question:
    """`q` asked about `base`'s subject: its terms added to base's, and they are the focus."""
    new_terms = [t for t in q.terms if t not in base.terms]
    # A word the follow-up sets against one of base's (「個人版の…」 then 「企業版だと」) takes its place.
    against = {o for g in lexicon().contrasts for t in new_terms if t in g for o in g if o != t}
    terms = [t for t in base.terms if t not in against] + new_terms
    return Question(
        text=q.text, norm=base.norm + " " + q.norm, terms=terms, groups=groups_for(terms, base.norm + " " + q.norm),
        periods=q.periods, measure=q.measure, units=q.units, predicate=q.predicate or base.predicate,
        want=q.want if q.want != "text" and not _HOW_THEN.search(q.norm) else base.want, unit=q.unit or base.unit, op=q.op or None,
        direction=q.direction, period=q.period or (None if period_only else base.period),
        relative=q.relative, parts=[], focus=new_terms, loose=base.loose | q.loose, aside=base.aside | q.aside, kind_asked=q.kind_asked,
    )


_SEPARATORS = {"と", "や", "及び", "および", "並びに", "、", ","}
# と before a verb of naming or saying quotes: 「…」と名の付く, と呼ばれる, となっている, と書かれた.
_QUOTATIVE = re.compile(r"^(名|言|い[うわっ]|呼|なっ|なる|し[てた]|書|記|題|銘)")
# A leading clause that sets the context of every part: 「記者会見のうち、」「ぐんまちゃんの情報発信で、」.
_CONTEXT = re.compile(r"^(.+?(?:のうち|の中で|の中|について|に関して|では|で|は))[、,]")
# 「職員の自主勉強会って、県は何回…」: a topic set with って before the comma, when several figures are asked.
_TOPIC = re.compile(r"^(.+?って)[、,]")


def split_parts(q: Question) -> list[Question]:
    """A question that asks several figures at once (「AとBは？」「AとB、それぞれ」): one part per item.

    Empty when the question asks one thing, an operation over several (those are `parts` of the analysis),
    or compares periods.
    """
    if q.op or len(q.periods) >= 2 or q.want not in {"quantity", "text", "date", "name"}:
        return []
    text = nfkc(q.text)
    # 「両方」「それぞれ」 say each is wanted; they name no item.
    text = re.sub("|".join(map(re.escape, lexicon().each)), "", text)
    # The clause that lists the items (「TwitterとInstagram」) is the one with the most separators; the clauses
    # around it (「ぐんまちゃんの」, 「フォロワーは」) qualify every item.
    text = re.sub(r"(と|や|及び|および|並びに)[、,]", r"\1", text)  # 「Aと、B」 is one list
    # 「AとB、それとC」「A、B、あとC」: a connective after the comma carries the list on.
    joined = _ADD_ON.search(text)
    text = _ADD_ON.sub("と", text)
    clauses = [c for c in re.split(r"[、,]", text) if c.strip()]
    listing = max(clauses, key=_list_marks, default=text)
    if len(clauses) > 1 and _list_marks(listing) and not joined:
        # A clause after the list that names a figure of its own (「AのXとBのY、CのZは」) is one more item.
        at = clauses.index(listing)
        more = [c for c in clauses[at + 1:] if _MEASURE_END.search(c.strip()) and re.match(r"^[^の]+の", c.strip())]
        context = " ".join(c for c in clauses if c is not listing and c not in more)
        text = "と".join([listing, *(c.strip() for c in more)])
    else:
        context = ""
        if m := _CONTEXT.match(text) or _TOPIC.match(text) or _PREAMBLE.match(text):
            context, text = m.group(1), text[m.end():]
    parts = _split_items(text, q, outside=context)
    if parts and not _list_marks(text) and any(pos == "動詞" for p in parts[:-1] for _, pos in tagged(p.text)):
        # 「行政課題を…解決する実証実験、令和2年度に取り組んだ実証は何件」: clauses set apart by a comma only,
        # with verbs of their own, describe one thing; a list of names has no verbs (the last item carries the
        # question's own: 「A、B、Cの参加人数をまとめて教えて」).
        return []
    # Each part asks in its own unit when it names one (「何回で、…何日」, 「本数と、その事業費」 → 本, 円); a
    # part that names none takes the one counter the whole question asks in (「個人版と企業版でそれぞれ何件」 →
    # 件 for both), else any (「開催件数」 is counted in 回).
    asked = {unit_family(m.group(1)) for m in counter_ask().finditer(q.norm)}
    shared = asked.pop() if len(asked) == 1 else None
    return [replace(p, unit=part_unit(p.norm) or shared) for p in parts]


# A connective that adds one more item to a list: 「、それと」「、あと」「、それから」「、さらに」「、加えて」.
_ADD_ON = re.compile(r"[、,]\s*(?:それと|それから|あと|さらに|加えて)[、,]?")


@lru_cache(maxsize=1)
def _measure_words_not_counts() -> tuple[str, ...]:
    return tuple(w for words in lexicon().measures.values() for w in words if not w.endswith(("数", "度")))


def _list_marks(clause: str) -> int:
    """How many list separators (と, や, 及び, ・ …) a clause holds, read as particles (not the と of まとめて)."""
    words = tagged(clause)
    return sum(1 for k, (surface, pos) in enumerate(words)
               if surface in _SEPARATORS - {"、", ","} | {"・"} and pos in {"助詞", "接続詞", "補助記号"}
               and not (surface == "と" and _QUOTATIVE.match("".join(w for w, _ in words[k + 1 : k + 3])))
               and not (surface == "と" and k + 1 < len(words) and words[k + 1][0] == "の"))


def part_unit(text: str) -> str | None:
    if m := counter_ask().search(text):
        return unit_family(m.group(1))
    # 「番組の長さ」 asks a time. A count word (件数, 回数) does not fix its counter: 開催件数 are counted in 回.
    if any(re.search(re.escape(w) + "(?!化)", text) for w in _measure_words_not_counts()) and (
            units := _asked_units(text)):
        return units[0]  # (「予算化された」 is an act, as in _asked_units)
    # 「団体数」「世帯数」「市の数」: a counter of its own before 数 (a one-character one leading the part).
    # 「動画の本数」: a one-character counter standing as its own word before 数.
    if counted := next((c for c in lexicon().counters if (len(c) >= 2 and c + "数" in text)
                        or re.match(rf"{re.escape(c)}の?数", text) or re.search(rf"の{re.escape(c)}数", text)), None):
        return unit_family(counted)
    # 「来場者数」「参加人数」: people, whatever counter the report writes them in (人, 名); 「開催回数」: times.
    # 「…の来場者と、事業費」: people named by 者 at the end of a part are counted too.
    if re.search(r"(者|人)の?数|人員|(?<!業)者(は|って)?[?？]?$", text):
        return unit_family("人")
    if "回数" in text:
        return unit_family("回")
    # 「予算化された」「事業化された」 are acts, not amounts.
    return "円" if money_words().search(re.sub(r"[\u4e00-\u9fff]+化", "", text)) else None


def split_versus(q: Question) -> list[Question]:
    """「AはBより多い？」: the two items compared."""
    return _split_items(q.text, replace(q, op="diff"))


def split_ahead(q: Question) -> list[Question]:
    """「(X は) BよりAのほうが多い？」: A, the item asked about, then B; X qualifies both. Empty for other shapes."""
    text = nfkc(q.text)
    if m := re.search(r"([^はが、,。]+?)より([^はが、,。]+?)のほう", text):
        return _split_items(f"{m.group(2)}と{m.group(1)}", replace(q, op="diff"), outside=text[: m.start()])
    return []


def split_over(q: Question) -> list[Question]:
    """「AはBの2倍以上？」: A, and B it is measured against."""
    return _split_items(q.text, replace(q, op="ratio"))


# An item that names a measure, not a thing (「再生回数」「事業費」「番組の長さ」).
_MEASURE_END = re.compile(r"(数|額|費|長さ|期間|率|時間)(は|を|も)?[?？]?$")
# 「県以外」「上海以外」: the word right before 以外 (a name or a kanji word), left out by the question.
_EXCEPT = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffa-z0-9]+|[\u3041-\u3096]{1,4})以外")
# 「表にのってる」「一覧に載っている」「リストに出てくる」: where a list's items are written.
_ON_THE_TABLE = re.compile(r"(?:表|一覧|リスト)(?:に|で)(?:載|の|乗|出|挙が|並|書|記載さ)[^\s、,。]{0,5}?(?:る|た)(?=[^\s、,。])")
# 「Xじゃなくて」「Xではなく」「Xのじゃない方」: X is set aside (the run of words before it, up to a particle or a mark).
_NOT_THIS = re.compile(r"([^\s、,。()（）「」はがをにで]+?)の?(?:じゃなくて|じゃなく|ではなくて|ではなく|"
                       r"(?:じゃ|では|で)ない(?:方|ほう))")
_NEITHER = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffa-z0-9]+)でも([\u4e00-\u9fff\u30a0-\u30ffa-z0-9]+)でも(ない|なく)")
# A question word in a clause: the clause asks, it lists nothing.
_ASKING = re.compile(r"どちら|どっち|どれ|何|いくつ|いくら")


def _part_measure(q: Question, item: str, qn: str) -> str | None:
    """What a part measures: its own measure word, or the question's when the part names none (「AとBの参加者は
    何人」: A counts 参加者 too). A part that names a measure of its own (「放送回数と事業費」) is not given the
    other part's."""
    if not q.measure:
        return None
    return _item_measure(item) or (None if _MEASURE_END.search(qn) else q.measure)


def _item_measure(item: str) -> str | None:
    """The measure an item names itself (「NETSUGENの来場者数」 → 来場者), which is its own and not the one the
    question's last item names (「…と交流事業の参加者数は」 → 参加者)."""
    return measure_of(re.sub(r"[はをがの]?\s*[?？]?\s*$", "", nfkc(item)) + "は?")


@lru_cache(maxsize=1)
def _group_stated() -> re.Pattern[str]:
    """A count of items the question states before what they have (「4事業の」, not 「203件のうち」)."""
    nouns = "|".join(sorted(map(re.escape, [*lexicon().item_nouns, "つ"]), key=len, reverse=True))
    return re.compile(rf"(\d+)\s*(?:{nouns})の(?!うち)")


def _split_items(text: str, q: Question, outside: str = "") -> list[Question]:
    """The items an operation combines, each with the words they share.

    「個人版と企業版のふるさと納税の寄附額の合計」 → 個人版 / 企業版 (+ ふるさと納税 寄附),
    「男性が女性より何件多い」 → 男性 / 女性, 「補助金額は対象事業費の何％」 → 補助金額 / 対象事業費,
    「3事業（A、B、C）の決算額の合計」 → A / B / C. 「・」 separates items only when nothing else does
    (it also joins words: メディア・コンテンツ).
    """
    body = nfkc(text)
    body = re.sub(r"(の)?(合計|合わせ|あわせ|総計|トータル|全部|足す|足し|足さ|差|違い|何[%％件人回円]|何パーセント|いくら"
                  r"|割合|比率|シェア|占め|何割|何倍|\d+(?:\.\d+)?倍).*$", "", body)
    # 「AとBはどちらが多く、差はいくら」: the clause that asks which is no part of the second item.
    body = re.sub(r"(?:は|では|で)?[、,]?(?:どちら|どっち)(?:が|の方が|のほうが)?[^、,。]*[、,]?$", "", body)
    # 「AはBより多いですか」「AはBより放送回数が多かった？」: the measure between より and the comparison
    # qualifies both; 「AとB、Aのほうが大きい？」 names the subject after the list.
    if m := re.search(r"(?<=より)([^、。]{0,10}?)(?:が|の)?(多|少な|大き|小さ|高|低).*$", body):
        outside += " " + m.group(1)
        body = body[: m.start()]
    if m := re.search(r"[、,][^、,]*のほう.*$", body):
        if re.search(r"と|や", body[: m.start()]):  # 「AとB、Aのほうが…」: the list is before the comma
            body = body[: m.start()]
    inner = re.search(r"[(（]([^()（）]+)[)）]", body)
    if inner and re.search(r"[、,・と]", inner.group(1)):
        items_text, outside = inner.group(1), outside + " " + body[: inner.start()] + " " + body[inner.end() :]
    else:
        items_text = body
    # 「AとかBとか」 lists A and B as と does.
    items_text = re.sub(r"とか(?=[、,]?$)", "", items_text).replace("とか", "と")
    # 「表にのってる県人会とサポーターズの」: where the items are written qualifies them all; it is no part of the first.
    if m := _ON_THE_TABLE.match(items_text):
        outside, items_text = outside + " " + m.group(), items_text[m.end():]
    items: list[str] = []
    # 「男性が女性より」 compares two items; 「補助金額は対象事業費の」 puts one over the other.
    versus = re.search(r"([^はが、]+)(?:が|は)、?([^はが]+?)より$", items_text)
    over = re.match(r"^(.+)は([^は]+?)の?$", items_text)
    # 「AとBを比べて、Bは」: B is measured against A.
    against = re.match(r"^(.+?)(?:と|に)比べ(?:て|ると|た場合)、?(.+?)(?:は|が)?$", items_text)
    # 「Aの決算額はBを上回った？」「AはBを何%上回って」: A over B.
    # 「令和元年は発行件数が申請件数を上回った？」: the topic before は qualifies both; A is what stands before が.
    topic = re.match(r"^(.+?)は、?([^はが]+?)が、?([^はが]+?)を(?:何%|何パーセント)?(?:上回|下回)", items_text)
    exceed = re.match(r"^(.+?)(?:は|が)、?(.+?)を(?:何%|何パーセント)?(?:上回|下回)", items_text)
    if against and q.op in {"diff", "ratio", "change"}:
        items = [against.group(2), against.group(1)]
    elif topic and q.op in {"diff", "ratio", "change"}:
        items = [topic.group(2), topic.group(3)]
        outside += " " + topic.group(1)
    elif exceed and q.op in {"diff", "ratio", "change"}:
        items = [exceed.group(1), exceed.group(2)]
    elif versus and q.op in {"diff", "ratio", "change"}:
        items = [versus.group(1), versus.group(2)]
    elif over and q.op in {"ratio", "change"}:
        # 「ロボット導入調査支援補助の補助金額は」: the words before the last の name the context.
        context, sep, own = over.group(1).rpartition("の")
        other = over.group(2).strip("、, ")
        if sep and _MEASURE_END.search(own) and "の" in other and _MEASURE_END.search(other):
            # 「県LINEの友だち数は、県ツイッターのフォロワー数の何倍」: each side names its own thing and measure.
            items = [over.group(1), other]
        elif (sep and q.op == "ratio" and _MEASURE_END.search(own) and not _MEASURE_END.search(over.group(2))
                and not re.search(r"比べ|から|より|前年|昨年", over.group(2))):
            # 「東京事務所の決算額は上海事務所の何倍」: the measure is both items'; the names differ.
            items = [over.group(1), f"{over.group(2)}の{own}"]
        else:
            items = [own if sep else over.group(1), over.group(2)]
            outside += " " + (context if sep else "")
    else:
        if q.op != "ratio" and (m := _CONTEXT.match(items_text)) and not _list_marks(m.group(1)):
            # 「この報告書全体で、AとBの…」: a leading clause that lists nothing sets the context.
            outside, items_text = outside + " " + m.group(1), items_text[m.end():]
        clauses = [c for c in re.split(r"[、,]", items_text) if c.strip()]
        marks = [_list_marks(c) for c in clauses]
        if len(clauses) > 1 and sum(1 for n in marks if n) == 1:
            # 「寄附額、個人版と企業版を合わせると」: the one clause that lists is the list; the others qualify it.
            at = next(i for i, n in enumerate(marks) if n)
            if re.search(r"(と|や|及び|および|とか)$", clauses[at].strip()) and at + 1 < len(clauses):
                # 「AのXと、BのY、CのZを知りたい」: a clause ending in と runs on past the commas.
                outside += " " + " ".join(clauses[:at])
                items_text = "、".join(clauses[at:])
            else:
                listing = clauses[at]
                outside += " " + " ".join(c for c in clauses if c is not listing)
                items_text = listing
        current = ""
        words = tagged(items_text)
        for k, (surface, pos) in enumerate(words):
            after = "".join(w for w, _ in words[k + 1 : k + 3])
            if surface == "と" and (_QUOTATIVE.match(after) or after.startswith("の")):
                # 「「群馬県人会」と名の付く」: と quotes a name; 「海外との交流」: と is "with"; neither lists
                current += surface
            elif surface in _SEPARATORS and pos in {"助詞", "接続詞", "補助記号"}:
                items.append(current)
                current = ""
            elif re.match(r"[a-z0-9]", surface, re.IGNORECASE) and re.search(r"[a-z0-9]$", current, re.IGNORECASE):
                current += " " + surface  # 「tsulunos PLUS」: two Latin words stay two words
            else:
                current += surface
        items.append(current)
        if len([i for i in items if i.strip()]) < 2 and "・" in items_text:
            items = items_text.split("・")
    # 「動画の本数と、その再生回数」: その points back at what the first item is about; it names nothing.
    items = [re.sub(r"^\s*(その|それの|この|これの)", "", i) for i in items if i.strip()]
    # 「交付金、2種類を合計すると」: a count of the items is none of them.
    counters = counter_alternation()
    items = [i for i in items if i.strip() and not re.fullmatch(rf"\s*\d+\s*(?:{counters})(?:を|の|とも|は)?\s*", i)]
    # 「政策プレゼン調査研究費、4件の調査研究で」: a clause opening with a count the question states says how many
    # there were of what it is about; it is no item.
    stated = [i for i in items if re.match(rf"\s*\d+\s*(?:{counters})の", i)]
    if stated and len(items) == 2:
        outside += " " + " ".join(stated)
        items = [i for i in items if i not in stated]
    # 「全国・関東・北関東磐越五県の3つ」: the count after the last item states how many; it is no part of it.
    items = [re.sub(rf"の\s*\d+\s*(?:{counters})(?:を|の|とも|は)?\s*$", "", i) for i in items]
    broken_down = [bool(re.match(r"\s*[^\sの、]{1,6}(?:別|ごと)(?=の|に|で|は|[、,]|$)", i)) for i in items]
    if any(broken_down) and not all(broken_down):
        return []  # 「旅券発行、男女別の件数は」: a breakdown of the other item, not an item beside it
    # 「海外との交流・外交関係の4事業」: a count the question states of a group that is not its items' number
    # says the items are that group's, not the pieces the list marks cut.
    if (told := _group_stated().search(body)) and int(told.group(1)) != len(items) and len(items) >= 2:
        return []
    # 「AとBでは、構成員はどちらが」: a clause that asks is no item; its words qualify both.
    asking = [i for i in items if _ASKING.search(i)]
    # 「…新聞広告、何紙に載せた」: a clause that only asks (it starts with the question word) is never an item.
    only_asking = [i for i in asking if _ASKING.match(i.strip())]
    if only_asking and len(items) > len(only_asking):
        outside += " " + " ".join(only_asking)
        items = [i for i in items if i not in only_asking]
        asking = [i for i in asking if i not in only_asking]
    if asking and len(items) - len(asking) >= 2:
        outside += " " + " ".join(asking)
        items = [i for i in items if i not in asking]
    # 「A と、B、再生回数はどちらが」: a last item that is a bare measure, after items that are names, is the
    # measure of them all.
    bare = [bool(_MEASURE_END.search(i.strip())) and "の" not in i for i in items]
    if len(items) >= 3 and bare[-1] and not any(bare[:-1]):
        outside += " " + items[-1]
        items = items[:-1]
    if len(items) < 2:
        return []
    owns = [_content_terms(i) for i in items]
    # The words of the last item after its own noun (「個人版と企業版の ふるさと納税の寄附額」) and the words
    # outside the list qualify every item, when the other items are bare names; items that are whole
    # phrases (「観光誘客促進の件数は…ビジネス展開支援の件数より」) keep their words.
    about: list[str] = []  # the subject every item is about: each part's figure should be of it too
    head, sep, tail = items[-1].partition("の")
    if sep and _content_terms(head) and not any("の" in i for i in items[:-1]):
        owns[-1] = _content_terms(head)
    elif sep and _content_terms(head) and q.op is None and part_unit(tail) and not any(
            _MEASURE_END.search(i.strip()) or part_unit(i) for i in items[:-1]):
        # 「STEAMの授業、始動人Jr.キャンプ、大学連携講座の参加人数」: the last item's measure is every item's,
        # though the others are named with の; none of them names a measure of its own.
        owns[-1] = _content_terms(head)
    elif q.op is None and "の" in items[0] and not any("の" in i for i in items[1:]) and all(
        _asked_units(i) or _MEASURE_END.search(i) for i in items[1:]
    ):
        # 「「Ask知事!」の配信回数と再生回数」: the words before the first item's last の name what every item
        # is about; the item itself is the words after it.
        context, _, tail = items[0].rpartition("の")
        if _content_terms(tail) and _content_terms(context):
            owns[0] = _content_terms(tail)
            about = _content_terms(context)
    elif q.op is None and not any("の" in i for i in items) and len(owns[0]) >= 2 and all(
            _MEASURE_END.search(i.strip()) for i in items) and all(len(o) == 1 for o in owns[1:]):
        # 「個人版ふるさと納税 件数と金額」: a name set before the first measure by a space, not の; the measures
        # after it are each one word, and the name is what every one of them is about.
        owns[0], about = owns[0][-1:], owns[0][:-1]
    mine = {t for own in owns for t in own}
    shared = [t for t in q.terms if t not in mine] + [t for t in _content_terms(outside) if t not in mine]
    parts = []
    # 「事業費と令和3年度の設置予定か所数」: a period one item names is that item's, not the others'.
    # (A period in the first item leads the question and is every item's: 「令和元年の申請件数と発行件数」.)
    dated = [bool(find_periods(i)) for i in items]
    if q.want != "quantity" or not any(dated[1:]):
        dated = [True] * len(items)
    for item, own, has_period in zip(items, owns, dated, strict=True):
        if not own:
            continue
        terms = own + [t for t in dict.fromkeys(shared) if t not in own]
        qn = norm(item)
        unit = None if q.unit in {"%", "倍"} else q.unit
        if unit is None:
            # 「個人版の寄附額は企業版の何倍」: each figure is in the unit its own measure asks (寄附額 → 円).
            unit = next((family for family, words in lexicon().measures.items() if any(w in qn for w in words)), None)
        parts.append(Question(text=item, norm=qn, terms=terms, groups=groups_for(terms, qn + " " + q.norm),
                              want="quantity", unit=unit, op=None,
                              direction=None, period=q.period if has_period else None,
                              relative=q.relative, focus=own, measure=_part_measure(q, item, qn), about=about,
                              loose=frozenset(terms) & (q.loose | loose_words(text)), aside=frozenset(terms) & q.aside))
    return parts if len(parts) >= 2 else []
