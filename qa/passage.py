"""Answers that are words, not figures (いつ・どこ・誰・何という・どんな): the segment of a passage that
holds the key terms, cut down to the clause that answers, or the items a list question asks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import fuzz

from qa.abstain import abstain, not_stated, undated
from qa.analyze import Question, asks_why, expand, person_asked, with_terms
from qa.evidence import Evidence
from qa.models import Answer, Chunk, Citation, Hit
from qa.text import find_periods, norm
from qa.lexicon import answer_type_patterns, lexicon
from qa.tokenize import person_names, proper_nouns, tokens

# The best passages a passage answer looks in, and the longest answer text it shows.
PASSAGE_HITS = 8
MAX_SHOWN = 180

# A passage splits into segments at sentence ends, line breaks, table-cell pairs (「 / 」) and list items
# (「・」 after a space and before a word); a segment into clauses at 、 and before a 「label：」.
_SEGMENT = re.compile(r"(?<=。)|\n| / |(?:^|(?<![A-Za-z])\s)・\s?(?=\S)")
_CLAUSE = re.compile(r"(?<=[、。])|\s(?=[^\s:：]{1,10}[:：])|(?<=[)）])\s")
FULL_DATE = re.compile(r"(令和|平成|R|H)(元|\d{1,2})年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日")
YEAR = re.compile(r"(令和|平成|R|H)(元|\d{1,2})([~～〜-](令和|平成)?(元|\d{1,2}))?年度?|\d{1,2}月")
# Any word that says when (a date, a month, a year, a season, a time of day, a weekday).
WHEN = re.compile(r"\d{1,2}月|\d{1,2}日|年度|\d{4}年|(令和|平成|昭和)(元|\d)|[RH]\d|上旬|中旬|下旬|[春夏秋冬]|毎[週月年日]|曜|"
                  r"\d{1,2}時|当初|以降|以来|まで|から|第\d+回|定例会|臨時会|会期")
_DAY = re.compile(r"\d{1,2}月\d{1,2}日")
TIME = re.compile(r"午[前後]\d{1,2}時|\d{1,2}時(\d{1,2}分)?")
# Purpose and means clauses (「…を図るため、」「…として、」「…ように、」) come before the act itself.
_LEAD = re.compile(r"^.*(?:ため|として|ように|よう|ほか)、")
# A clause that ends on its purpose (「…を支援するため」「…できるように」).
_PURPOSE = re.compile(r"(ため|ように|よう)[、,]?$")
# The pull of a clause holding a word of the kind a which-question asks for (「どこの国」 → 各国).
KIND_BONUS = 0.2
# A katakana mark stands apart (「ア 庁外から…」); 「オンライン…」 begins with a word, not a mark.
_ITEM_MARK = re.compile(r"^(?:[ア-ト]\s+|[①-⑳]\s*)")


def segments(body: str) -> list[str]:
    out: list[str] = []
    for s in _SEGMENT.split(body):
        if not s or not s.strip():
            continue
        # A table cell's header (「事業量:」) belongs with the item that follows it.
        if out and re.search(r"[:：—]$", out[-1]):
            out[-1] = out[-1] + " " + s.strip()
        else:
            out.append(s.strip())
    return out


def clauses(segment: str) -> list[str]:
    """The clauses of a segment, split after 、 and 。 and before a label, but never inside brackets
    (「各国（米、仏）から来日した」 is one clause)."""
    depth, inside = 0, []
    for ch in segment:
        depth = max(0, depth + (ch in "(（「『") - (ch in ")）」』"))
        inside.append(depth > 0)
    cuts = [m.start() for m in _CLAUSE.finditer(segment) if 0 < m.start() < len(segment)
            and not inside[m.start() - 1]]
    pieces = [segment[a:b] for a, b in zip([0, *cuts], [*cuts, len(segment)], strict=True)]
    return [c.strip(" 、") for c in pieces if c and c.strip(" 、")]


# How a sentence gives a reason: 「…により」「…ため」「…ことから」「…が多かったため」.
_REASON = re.compile(r"ため|により|によって|ことから|ので|が原因|の影響")


def _holds_kind(kind: str, text: str) -> bool:
    """Whether the text has a word of the kind asked: the noun itself or a word ending in it (小学校 for
    学校, 各国 for 国), or for a compound, the word before its last character (群馬テレビ for テレビ局)."""
    forms = {f for k in expand(kind) for f in ({k} | ({k[:-1]} if len(k) >= 3 else set()))}  # 高校: 高等学校
    # A word the tokenizer cuts (高等学校 → 高等 + 学校) is still found whole.
    return any(t.endswith(f) for t in tokens(norm(text)) for f in forms) or any(
        len(k) >= 2 and k in norm(text) for k in expand(kind))


_COMPOUND = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffa-z0-9]{4,}")


def _unasked(q: Question, text: str) -> str:
    """The text without the names the question itself writes (「北関東磐越五県知事会議はどの県で」: its 県 is
    no answer to どの県)."""
    t = norm(text)
    for name in sorted(_COMPOUND.findall(q.norm), key=len, reverse=True):
        t = t.replace(name, " ")
    return t


def kind_bonus_applies(q: Question) -> bool:
    """A which-question asking for a kind of thing (国, 学校), not a date, a reason or a generic item."""
    return bool(q.kind_asked) and not asks_why(q.norm) and q.want != "date" and q.kind_asked not in lexicon().item_nouns


# The noun a question ends on, what it asks of the thing (「ALTの配置先は？」 → 配置先).
_ASKED_NOUN = re.compile(r"([^\s、。のはがをに?？]{2,8})(?:は|って|を教えて|を知りたい)?[?？]?$")


def shape_bonus(q: Question, text: str) -> float:
    """How much a segment looks like the kind of answer asked for."""
    if kind_bonus_applies(q):
        # 「どこの国から」: a clause naming a country answers it, whichever clause the question's words are in.
        return KIND_BONUS if _holds_kind(q.kind_asked, _unasked(q, text)) else 0.0
    if asks_why(q.norm):
        return 0.15 if _REASON.search(text) else 0.0
    if q.want == "date":
        if "何時" in q.norm:
            return 0.4 if TIME.search(text) else 0.0
        # A line labelled as a date (【日時】, 期日：) is the report's own answer to いつ.
        label = 0.2 if re.search(r"(日時|期日|時期|開催日|期間|日程)\s*[】:：]", text) else 0.0
        if FULL_DATE.search(text):
            return 0.35 + label
        return 0.15 + label if YEAR.search(text) else 0.0
    if q.want in {"name", "place"}:
        bonus = 0.1 if re.search(r"[:：]", text) else 0.0
        labels = [norm(m.group(1)) for m in re.finditer(r"([^\s:：、。（(]{2,8})[:：]", text)]
        asked = _ASKED_NOUN.search(q.norm)
        if asked and any(asked.group(1) in label for label in labels):
            bonus += 0.1  # 「配置先は」: the value labelled 配置先 (「（配置先：県、10市10町2村）」)
        return bonus + (0.05 if re.search(r"[「」]", text) else 0.0)
    return 0.0


def predicate_bonus(q: Question, text: str) -> float:
    """The question's last content word (「いつ実施された」 → 実施) says which of several clauses answers."""
    return 0.15 if q.predicate and any(w in norm(text) for w in expand(q.predicate)) else 0.0  # 貰う: 受領


def names_period(q: Question, text: str) -> bool:
    """Whether a segment names the period or the day the question names (「令和3年度は」「2021年2月22日に」)."""
    if q.period is not None and q.period.raw in text:
        return True
    t = norm(text)
    return any(re.fullmatch(r"\d+月\d+日", term) and term in t for term in q.terms)


# What a date is the date of: the word (two characters) right before a bracketed date (「会談配信(令和2年12月23日)」) or
# inside the bracket after one (「令和2年11月18日(会談実施日)」).
_DATED_EVENT = re.compile(r"(\S{0,2})[(（][^()（）]*\d+日[)）]|\d+日[(（]([^()（）]{1,12})[)）]")


def _event_bonus(q: Question, clause: str) -> float:
    if q.want != "date" or not q.predicate:
        return 0.0
    words = expand(q.predicate)
    for m in _DATED_EVENT.finditer(norm(clause)):
        event = m.group(1) or m.group(2) or ""
        if any(w in event for w in words):
            return 0.5
        return -0.2  # the date of another event
    return 0.0


def best_clause(q: Question, segment: str, coverage: Callable[[str], float]) -> str:
    """The clause of a long segment that answers a date/place/name question (with its label)."""
    parts = clauses(segment)
    if len(segment) <= 60 or len(parts) < 2:
        return segment
    if q.want == "date":
        # Only a clause with a date can say when; the clause after it, when it has no date or label of its own,
        # says what happened then (「時期：令和2年12月23日」「…動画メッセージ受領」).
        dated = [c + ("、" + parts[i + 1] if i + 1 < len(parts) and shape_bonus(q, parts[i + 1]) <= 0
                      and re.search(r"\w", parts[i + 1]) and not re.search(r"[:：]", parts[i + 1]) else "")
                 for i, c in enumerate(parts) if shape_bonus(q, c) > 0]
        # A date the question states (「12月23日に配信した会談、実際に話したのはいつ」) is what it knows, not the
        # answer: a clause dated otherwise answers.
        told = {m.group() for m in _DAY.finditer(q.norm)}
        unknown = [c for c in dated if {m.group() for m in _DAY.finditer(norm(c))} - told]
        parts = (unknown if told else dated) or dated or parts
    elif q.want == "place":
        # 「検証したのはどこの会議」: the clause naming a place or a body (「群馬の未来創生検証委員会において」).
        # A purpose clause (「製造現場…への導入を支援するため」) says what for, not where, unless it holds the act
        # asked (「どこへの導入を支援した」).
        kept = [c for c in parts if not _PURPOSE.search(c) or predicate_bonus(q, c)]
        parts = [c for c in kept if _names_place(q, c)] or kept or parts
    elif q.want == "name":
        # Only a clause that names something can say who or which (「…のためのサービスとして、グループウェア
        # サービス（G Suite Business）の利用契約を行った」: the second clause, though the first repeats more words).
        parts = [c for c in parts if names_something(q, c)] or parts
    scored = [(coverage(c) + shape_bonus(q, c) * 2 + 2 * predicate_bonus(q, c) + _event_bonus(q, c), -i)
              for i, c in enumerate(parts)]
    _, i = max(scored)
    return parts[-i]


# A place written as a name with its kind (「太田市」「近代美術館」「県庁32階展望フロア」) or held online.
_PLACE = re.compile(r"[^\s、。,（(「」)）]{1,15}(市|町|村|県|都|府|国|州|館|所|室|階|会場|センター|ホール|大学|学校|"
                    r"パーク|フロア|事務所|省|庁|委員会|協議会|協会|機構|財団|法人|会社|現場)|オンライン|web|ウェブ")
# A labelled value (「アーティスト：内田彩」「視察先：鈴木工業株式会社」), a quoted title or a name in brackets
# (「情報システム（番号連携サーバー）」); a label that only introduces a description or a figure (「事業内容：」
# 「実績：14件」) names nothing.
_LABELLED = re.compile(r"([^\s:：、。]*)[:：]\s*([^\s、。\d][^\s、。]+)|「([^」]{2,})」|[（(]([^）)\d:：]+)[)）]")
_PLAIN_LABELS = re.compile(r"(内容|概要|実績|事業量|時期|期間|日時)$")


def _names_place(q: Question, text: str) -> bool:
    asked = q.norm.replace(" ", "")
    # A place word inside a longer compound (「群馬県版総合戦略」) names no place; a short one followed by the
    # places it stands for (「各国（米、仏）」) does.
    t = norm(text)
    places = ((m.group().lstrip("・-"), t[m.end():m.end() + 1]) for m in _PLACE.finditer(t)
              if not re.match(r"[\u4e00-\u9fff]", t[m.end():m.end() + 1]))
    # 「16か所」 is a count of places, not a place (「県庁32階展望フロア」 is one).
    return any((len(p) >= 3 or (len(p) == 2 and after == "(")) and not re.search(r"\d\s*[かヶカケ箇]?所$", p)
               and p not in asked for p, after in places)


def names_something(q: Question, clause: str, latin: bool = True) -> bool:
    """Whether a clause names something the question does not: a proper noun, a Latin-script name (unless
    `latin` is false: 「tsulunos PLUS」 is no place), a labelled value or a quoted title, or (for どこ) a place."""
    asked = q.norm.replace(" ", "")
    text = norm(clause)
    if any(p not in asked and p not in {"令和", "平成", "昭和"} for p in proper_nouns(text)):
        return True  # an era name is a date's, not a name
    if latin and any(w not in asked for w in re.findall(r"[a-z][a-z0-9.+!-]{1,}", text)):
        return True
    for m in _LABELLED.finditer(text):
        if m.group(2) and _PLAIN_LABELS.search(m.group(1) or ""):
            continue
        value = m.group(2) or m.group(3) or m.group(4)
        if value.replace(" ", "") not in asked:
            return True
    if q.want == "name" and _FOR_WHOM.search(asked) and _CLASS_OF_PEOPLE.search(text):
        return True  # 「誰を対象にした補助金」: a class of people or bodies (「中小企業等を支援する」) answers
    return q.want == "place" and _names_place(q, text)


def _names_person(q: Question, text: str) -> bool:
    """Whether the text names a person the question does not (「アーティスト：内田彩」「ホルコム知事」)."""
    asked = q.norm.replace(" ", "")
    if any(p not in asked for p in person_names(text)):
        return True
    return any(m.group(1) not in asked for m in _TITLED_PERSON.finditer(norm(text)))


# A name written before a person's title (「ホルコム知事」「ミン副首相」), which unidic may not know for a name.
_TITLED_PERSON = re.compile(r"([ァ-ヴー]{2,})(?=(?:副)?(?:知事|首相|大統領|大臣|大使|市長|氏|さん|先生))")


# 「誰を対象に」「誰向け」: who a measure is for, which a class of people or bodies answers, not only a name; so
# does who did it (「誰が運用してる」 → 県と市町村等38団体).
# So does whom something was given or sent to (「誰に配ってる」 → 冊子購入者に頒布).
_FOR_WHOM = re.compile(r"誰(を|が|の)?(対象|向け|のため)|対象(は|って)誰|誰に|(誰|だれ|どこ)が|"
                       r"(もらう|貰う|もらえる|受け取る|受ける|受けられる)の(は|って)(誰|だれ|どこ)")
_CLASS_OF_PEOPLE = re.compile(r"企業|事業者|団体|法人|県民|住民|職員|市町村|学校|生徒|児童|学生|若者|高齢者|障害者|外国人|"
                              r"[\u4e00-\u9fff]{2,4}者(?!数)")


def main_clause(sentence: str) -> str:
    """A list item without its purpose clause: 「…ため、在宅勤務に対応できる環境を整備した。」→ the act."""
    text = _ITEM_MARK.sub("", sentence.strip())
    cut = _LEAD.sub("", text)
    return cut if len(cut) >= 6 else text


def list_items(chunk: Chunk, q: Question, coverage: Callable[[str], float]) -> list[str]:
    """The segments of a passage that belong to the answer of a list question, in order."""
    segs = segments(chunk.body)
    if not segs:
        return []
    scores = [coverage(s) for s in segs]
    top = max(scores)
    keep = [main_clause(s) for s, c in zip(segs, scores) if c >= top * 0.5 and c > 0]
    return keep or [main_clause(segs[scores.index(top)])]


# --- the passage answer --------------------------------------------------------------------------


# A label numbered in a run of its kind (「新曲①：」「新曲②：」).
_NUMBERED = re.compile(r"([^\s:：、。①-⑳]{1,10})[①-⑳]\s*[:：]")
# A question asking what a thing is or does, in words (「どんな取組を定めている」「どういう内容」).
_DESCRIBING = re.compile(r"どんな|どういう|どのような|どういった|何を|なにを|内容")
# How alike a short segment and a heading must be for the segment to be only the heading restated.
TITLE_COPY_SIMILARITY = 90


def _copies_title(ev: Evidence, seg: str) -> bool:
    """Whether a short segment only restates a section's title (「・インターネット上の誹謗中傷等の被害者支援等に
    関する条例の制定」 of ⑤ 「群馬県インターネット上の…条例」の制定): a headline, not what the section says."""
    t = norm(seg).lstrip("・-* ")
    return 6 <= len(t) <= 60 and any(
        len(title) >= 0.8 * len(t) and fuzz.partial_ratio(t, title) >= TITLE_COPY_SIMILARITY
        for title in ev.title_norms.values())


def passage_answer(ev: Evidence, q: Question, hits: list[Hit]) -> Answer:
    """The segment of the best passages that holds the key terms and looks like the answer."""
    w = ev.weights
    chunk_hits = [h for h in hits if h.kind == "chunk"][:PASSAGE_HITS]
    candidates: list[tuple[float, float, Hit, str]] = []
    # Scores that round alike tie: the same rank, and the report's order decides between them (below).
    rounded = [round(h.score, w.passage_hit_decimals) for h in chunk_hits]
    levels = sorted(set(rounded), reverse=True)
    describing = q.want in {"text", "list"} and _DESCRIBING.search(q.norm) is not None
    for h, score in zip(chunk_hits, rounded, strict=True):
        rank = levels.index(score)
        chunk = ev.chunk(h.id)
        crumb = " ".join(chunk.section_path)
        if chunk.kind == "table_row" and chunk.text.endswith(chunk.body):
            crumb = chunk.text[: len(chunk.text) - len(chunk.body)]  # the path and the table's title
        # Every cell of a table row is about the row (「県議会…字幕表示 — 事業内容: … / 実証結果: …」).
        row = chunk.body.split(" — ")[0] if chunk.kind == "table_row" and " — " in chunk.body else ""
        for seg in segments(chunk.body):
            cov = ev.coverage(q, crumb + " " + seg)
            if row and not seg.startswith(row):
                cov = ev.coverage(q, crumb + " " + row + " " + seg)
            s = cov + w.passage_hit * score - w.passage_rank_step * rank + shape_bonus(q, seg)
            s += predicate_bonus(q, seg)
            if describing and _copies_title(ev, seg):
                s -= w.title_copy_penalty  # 「・…条例の制定」 in the summary restates ⑤'s title and says no more
            if names_period(q, seg):
                other = q.period is not None and q.period.year != ev.fiscal_years.get(chunk.doc)
                s += w.passage_other_period if other else w.passage_period  # 「令和3年度はどうする？」「2月22日に開かれた」: the segment that names it
            candidates.append((s, cov, h, seg))
    def order(c: tuple[float, float, Hit, str]) -> tuple[float, bool, int, float]:
        # Equal scores: a table row named by the question's words (「ぐんまベトナムオンラインWEEK — 主な内容」)
        # before a passage that mentions them, then the report's order; never the search's order of a tie.
        chunk = ev.chunk(c[2].id)
        label = chunk.body.split(" — ")[0] if chunk.kind == "table_row" else ""
        # Last, between the cells of one row (the table's title covers them alike): the cell's own words.
        own = c[3][len(label) :] if label and c[3].startswith(label) else c[3]
        return (round(c[0], 6), bool(label) and ev.coverage(q, label) >= w.row_label_share, -chunk.lines[0],
                ev.coverage(q, own))

    if q.want == "date" and not re.search(r"何年|から|まで|期間", q.norm):
        # いつ asks for a day or a month: a segment with a full date, when one is on topic, answers it.
        top_cov = max((c[1] for c in candidates), default=0.0)
        dated = [c for c in candidates if FULL_DATE.search(c[3])]
        # A date cell says little itself (「【日時】令和3年2月22日」): the segments with a date of the passage the
        # question covers best, when it covers it well (「オンラインでやった…バースデーイベント」 is ④ お誕生日会,
        # not ① 国際交流イベント); else the dated segments that cover about as much as the best.
        whole = {c[2].id: ev.coverage(q, " ".join(ch.section_path) + " " + ch.body)
                 for c in dated if (ch := ev.chunk(c[2].id))}
        best_whole = max(whole.values(), default=0.0)
        if best_whole >= w.min_coverage and sum(v >= best_whole for v in whole.values()) < len(whole):
            dated = [c for c in dated if whole[c[2].id] >= best_whole]
        else:
            dated = [c for c in dated if c[1] >= w.dated_share * top_cov]
        candidates = dated or candidates
    elif asks_why(q.norm):
        # なぜ / 何のため: only a segment that gives a reason or a purpose can say why; a caption repeating the
        # question's words (「・県有施設におけるWi-Fi環境の整備状況」) cannot.
        top_cov = max((c[1] for c in candidates), default=0.0)
        candidates = [c for c in candidates if _REASON.search(c[3]) and c[1] >= w.why_share * top_cov] or candidates
    kind_found = False
    on_topic = max(candidates, key=order) if candidates else None
    all_candidates = candidates  # before the kind filter below: where the topic may be found
    if kind_bonus_applies(q):
        # 「どこの国から」: only a segment naming a country can say which; one on topic answers it.
        # A line under the best passage's topic (「参加者：吾妻中央高等学校」 below the bullet naming the event) is
        # on topic too, though it repeats none of the question's words.
        top_cov = max((c[1] for c in candidates), default=0.0)
        best_chunk = max(candidates, key=order)[2].id if candidates else None
        of_kind = [c for c in candidates if _holds_kind(q.kind_asked or "", _unasked(q, c[3]))
                   and (c[1] >= w.kind_share * top_cov or c[2].id == best_chunk)]
        if not of_kind and best_chunk is not None:
            # The section's other passages (a table row the search did not reach: 「英語指導 — 英語圏各国から」).
            top = max(candidates, key=order)
            for ch in ev.index.chunks:
                if ch.doc == top[2].doc and ch.section_path == top[2].section_path and ch.id != best_chunk:
                    hit = top[2].model_copy(update={"id": ch.id, "lines": ch.lines, "text": ch.body})
                    of_kind += [(top[0], top[1], hit, seg) for seg in segments(ch.body)
                                if _holds_kind(q.kind_asked or "", _unasked(q, seg))]
        candidates, kind_found = of_kind or candidates, bool(of_kind)
    if not candidates:
        return abstain(ev, q, hits, "")
    telling = ev.telling(q)
    if (named := telling) is not None:
        # The question's most telling word titles a section (「…お誕生日会、配信はどういう形で」): a passage that holds
        # it and covers the question answers, before one that covers more words of another event (ベトナムの会談配信).
        def holds(c: tuple[float, float, Hit, str]) -> bool:
            ch = ev.chunk(c[2].id)
            return any(a in norm(" ".join(ch.section_path) + " " + ch.body) for a in named)

        held = [c for c in candidates if holds(c)]
        if held and max(c[1] for c in held) >= w.min_coverage:
            candidates = held
    _, _, hit, seg = max(candidates, key=order)
    if q.want == "place" and not names_something(q, seg, latin=False):
        # 「Wi-Fiを使えるようにした施設はどこ」: of the passage's segments, one that names a place answers where
        # (「観音山ファミリーパークと近代美術館に…整備した」), not the heading that repeats the question's words.
        placed = [c for c in candidates if c[2].id == hit.id and _names_place(q, c[3])] or [
            c for c in all_candidates if c[1] >= w.min_coverage and _names_place(q, c[3])]  # or another passage's
        if placed:
            _, _, hit, seg = max(placed, key=order)
    chunk = ev.chunk(hit.id)
    if q.want == "text" and (described := answer_type_patterns()["description"].search(q.norm)):
        # 「どんな結果になった」: the row's cell labelled with the word asked (「実証結果: …」), when it has one.
        # The noun asked (「どんな結果」 → 結果); 「今どうなってる」 names none and asks the state (状況).
        noun = m.group() if (m := re.search(r"[一-龥]{2}(?=(?:は|って|が)?(?:どう|どんな)?$)", described.group())) else "状況"
        endings = lexicon().described_cells.get(noun, [noun])
        for other in segments(chunk.body):
            label = re.match(r"([^\s:：、。（(—]{2,10})[:：]", other.strip())
            if label and norm(label.group(1)).replace(" ", "").endswith(tuple(endings)):
                seg = other
                break
    # 「整備した施設はどこ」 asks a name by どこ: the cell labelled as a place (整備場所) holds it.
    where = q.want == "name" and "どこ" in q.norm
    asked = "place" if where else q.want if q.want in {"place", "date"} else (
        "method" if re.search(lexicon().method_cue, q.norm)
        else "activity" if re.search(lexicon().activity_cue, q.norm) else None)
    labelled_cell = False
    if asked is not None and (chunk.kind == "table_row" or asked in {"method", "date"}):
        # 「どこに整備した」「どうやって配信した」: the segment labelled with the kind asked (「整備場所: …」,
        # 「【配信方法】…」), when the passage has one.
        header = re.compile(lexicon().cell_labels[asked])

        def labelled(text: str) -> bool:
            label = re.match(r"【([^】]{2,12})】|([^:：、。（(—【]{2,12})[:：]", text.strip())
            name = norm(label.group(1) or label.group(2)).replace(" ", "") if label else ""
            if not name or not (m := header.search(name)):
                return False
            # How it was done is a 方法 of the act asked (「配信方法」 for どうやって配信, not for どんな形で開いた).
            act = name[: m.start()]
            return asked != "method" or not act or act in q.norm

        answered = FULL_DATE.search(seg) if asked == "date" else labelled(seg)
        cells = [o for o in segments(chunk.body) if labelled(o)]
        if cells and not answered:
            seg = max(cells, key=lambda o: ev.coverage(q, o))  # the first of equals (max keeps it)
        labelled_cell = bool(cells) or bool(answered)
    context = chunk.text if chunk.kind == "table_row" else " ".join(chunk.section_path) + " " + chunk.body
    # The kind asked (「どこの会場」) is what the passage must hold; the rest of the question is its topic.
    topic = with_terms(q, [(t, g) for t, g in zip(q.terms, q.groups) if t not in (q.kind_asked or "")])
    # A kind the report has no word for (「なんていう名前」), or a word for the answer's form (「どんな形で」), is
    # what the answer is, not a word it must hold.
    asked_unknown = q.kind_asked is not None and (ev.unknown(expand(q.kind_asked)) or q.kind_asked in lexicon().frame_nouns)
    if ev.coverage(topic if asked_unknown else q, context) < w.min_coverage or (
            telling is not None and ev.coverage(topic, context) < w.min_coverage
            and not any(a in norm(context) for a in telling)):
        # Too little of the question, or of its topic without its most telling word (「お誕生日会はどこの会場」
        # against the 本会場 of an exchange in 蘇州): a passage about something else.
        if telling is not None:
            held = [c for c in all_candidates if any(a in norm(" ".join(ev.chunk(c[2].id).section_path) + " " + c[3])
                                                 for a in telling)]
            on_topic = max(held, key=order) if held else on_topic
        if on_topic is not None and kind_bonus_applies(q) and on_topic[2].id != hit.id:
            near = ev.chunk(on_topic[2].id)
            if ev.coverage(topic, " ".join(near.section_path) + " " + near.body) >= w.min_coverage:
                # 「北関東磐越五県知事会議はどの県で」: the passage on it names no 県; one elsewhere is no answer.
                return not_stated(ev, q, hits, Citation(doc=near.doc, section_path=near.section_path,
                                                        lines=list(near.lines), text=near.body,
                                                        score=round(on_topic[2].score, 4)), q.kind_asked or "")
        return abstain(ev, q, hits, "")
    dated = q.period is not None and q.period.raw in seg  # 「令和3年度はどうする」: that year's segment
    if (q.period is not None and q.period.year not in ev.fiscal_years.values()
            and not any(p.year == q.period.year for _, _, p in find_periods(chunk.body))):
        # 「令和3年度にWi-Fiを整備する予定の施設」 over a passage that says nothing of 令和3年度: another year's.
        return abstain(ev, q, hits, f"{q.period.raw}の")
    if q.want == "list" and not kind_found and not dated and not labelled_cell:
        text = "、".join(dict.fromkeys(_list_for(ev, q, chunk)))
    elif q.want in {"date", "place", "name"}:
        if q.want == "name" and re.search(r"誰|だれ|どなた", q.norm) and not _names_person(q, seg) and not any(
                ev.unknown(g) for t, g in zip(q.terms, q.groups) if t not in q.loose and len(t) >= 2):
            # Who: the passage's segment that names a person (「アーティスト：内田彩」), not the one that repeats the
            # question's examples (「新曲②：「ぐんまちゃんえかきうた」」); unless the question asks of a role the
            # report never names (「作詞をしたのは誰」: the artist is no lyricist).
            seg = max([o for o in segments(chunk.body) if _names_person(q, o)] or [seg], key=lambda o: ev.coverage(q, o))
        text = best_clause(q, seg, lambda c: ev.coverage(q, c))
        if q.want == "date" and not WHEN.search(seg):
            # 「施行日はいつ」「いつ開催された」 over a passage that dates nothing: the report does not say when.
            return undated(ev, q, hits, Citation(doc=chunk.doc, section_path=chunk.section_path,
                                                 lines=list(chunk.lines), text=chunk.body, score=round(hit.score, 4)))
        if q.want in {"place", "name"} and not names_something(q, text):
            # 「2社はどこの会社？」「アドバイザーは誰？」 over a passage that names no one: the report does not say.
            return abstain(ev, q, hits, "")
    else:
        text = seg
        if chunk.kind == "table_row" and q.want == "text" and not labelled_cell:
            # A row's cells all tell of it (「事業内容: …に頒布。 / 実証結果: 同時字幕は誤変換の問題が未解決…」):
            # the cell found first, then the row's other worded cells, as far as an answer shows.
            for other in segments(chunk.body):
                if other != seg and other not in seg and re.search(r"[\u3041-\u309f\u4e00-\u9fff]{4}", other) \
                        and len(text) + len(other) + 3 <= MAX_SHOWN:
                    text += " / " + other
    if (numbered := _NUMBERED.match(seg)) and not re.search(
            r"[①-⑳]|\d+(曲|つ|本|番)目|" + re.escape(norm(numbered.group(1))) + r"\s*\d", q.text + " " + q.norm):
        # 「新曲のタイトルは」 over 「新曲①：…」: the items numbered alike (新曲②：…) answer with it.
        alike = [o for o in segments(chunk.body) if (m := _NUMBERED.match(o)) and m.group(1) == numbered.group(1)]
        if len(alike) >= 2 and seg in alike:
            text = "／".join(alike)
    if person_asked(q.norm) and not _names_person(q, text):
        # 「知事の名前は」「国際交流員3名の名前」 over a passage that names no person: the report does not say.
        return abstain(ev, q, hits, "")
    if chunk.kind == "table_row" and (label := chunk.body.split(" — ")[0].strip()) and norm(label) not in norm(text):
        # A cell says what of which row (「主な活動: 上海事務所に各種情報を提供」 is 上海群馬県人会's): the row's
        # name comes first, and answers 「どの団体」「どの実証」.
        text = f"{label} — {text}"
    text = text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
    text += f"（{chunk.section_path[-1]}）"
    citations = [Citation(doc=chunk.doc, section_path=chunk.section_path, lines=list(chunk.lines),
                          text=chunk.body, score=round(hit.score, 4))]
    citations += ev.citations_from_hits(hits, citations, ev.top_k - 1)
    return Answer(question=q.text, text=text, citations=citations)


def _list_for(ev: Evidence, q: Question, chunk: Chunk) -> list[str]:
    """Items for 「どんな…」: the sub-sections' titles when the question names the section itself, the row
    names of its table, or the matching segments of the passage."""
    w = ev.weights
    sections = [s for s in ev.sections if s.doc == chunk.doc]
    by_id = {s.id: s for s in sections}
    here = next((s for s in sections if s.path == chunk.section_path), None)
    # The section the question names may be the passage's or one of its ancestors
    # (「教育イノベーション・プロジェクトではどんなPJを」 lands in ア… under it).
    chain = []
    while here is not None:
        chain.append(here)
        here = by_id.get(here.parent) if here.parent else None
    chain = [s for s in chain if s.level >= 2] or chain[:1]
    here = max(chain, key=lambda s: ev.coverage(q, s.heading), default=None)
    if here is not None:
        heading_cov = ev.coverage(q, " ".join(here.path))
        children = [s for s in sections if s.parent == here.id]
        if len(children) >= 2 and heading_cov >= w.list_heading_coverage:
            return [c.title for c in children]
        rows = [c for c in ev.index.chunks if c.section_path == here.path and c.kind == "table_row"]
        labels = [r.body.split(" — ")[0] for r in rows]
        if len(rows) >= 2 and heading_cov >= w.list_heading_coverage and not any(
            ev.coverage(q, lab) >= w.list_heading_coverage for lab in labels
        ):
            return labels
    return list_items(chunk, q, lambda c: ev.coverage(q, c))
