"""The cue words of question analysis, loaded once from qa/data/lexicon.json (data, not code branches)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

# Tried in this order: a yes/no threshold, then arithmetic and superlatives (their cues are specific), then
# the structural questions whose cues are loose (「事業はどれ」 is a locate question unless it asks the largest).
OPS = ("compare", "change_rate", "max", "min", "average", "share", "count", "locate", "describe")


class Lexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    counters: dict[str, str]  # counter → unit family
    counter_sums: dict[str, list[str]]  # 市町村 → 市, 町, 村: a count that adds up counts in other counters
    counter_alternates: dict[str, list[str]]  # 本 → 件: other counters the same things are counted in
    counter_items: dict[str, str]  # 紙 → 新聞: a counter no figure uses, and the word its items end in
    measures: dict[str, list[str]]  # unit family → words that ask for an amount of it
    operations: dict[str, list[str]]  # op → cue patterns
    separators: list[str]
    each: list[str]
    answer_types: dict[str, list[str]]
    item_nouns: list[str]  # nouns that name what a count counts (事業, 項目, 取組): never its scope
    loose_nouns: list[str]  # the asker's words for people (先生, 人たち): loose wording, not topic
    frame_nouns: list[str]  # the asker's words for the answer's form (名前, 記述): loose wording, not topic
    generic_latin: frozenset[str]  # Latin-script words for a kind of thing (sns, web): no one thing's name
    whole_report: list[str]  # patterns that widen a count or a superlative to the whole report
    list_cue: str  # a pattern for words that point at a listing (表, 一覧, 載って)
    whole_words: str  # a pattern for words that name a whole (全体, 総額, 合計)
    every_item: str  # a pattern for words that ask about every item in scope (全部で, 9団体の)
    locate_words: list[str]  # words that ask where something is written (報告書, 項目, 載る)
    money_words: list[str]  # words that ask about money without asking an amount (一番安く)
    budget_cue: str  # a pattern for words that ask a 事業's budget (決算, 予算, 経費), not a table's 事業費
    other_budget_figures: str  # a pattern for budget figures other than the 決算額 (当初予算額, 執行率)
    strict_units: frozenset[str]  # unit families no other counter stands in for (%, ㎡): never another unit's figure
    time_extremes: dict[str, str]  # min / max → a pattern for the earliest / latest (一番早い, 一番新しい)
    measure_verbs: dict[str, str]  # a verb after the question word → the report's word for what it measures
    count_qualifiers: frozenset[str]  # words that say how a count is taken (延べ, 累計): never what is counted
    implied_acts: frozenset[str]  # acts a count of people at an event implies (参加, 受講): no word to find
    contrasts: list[list[str]]  # words that exclude each other (国内 / 海外): never the other one's figure
    prior_cue: str  # a pattern for asking the count before the year's addition (整備する前は)
    running_total: str  # a pattern for the label of a running total (累計)
    item_counters: dict[str, str]  # 柱 → つ: the counter a count of an item noun is given in
    rank_words: list[str]  # nouns a superlative is asked with (トップ, 最大): no topic
    year_span_words: str  # a pattern for the span of the report's year (1年で, 年間): no period, no topic
    layout_words: str  # a pattern for phrases about the report's layout (番号付き, 見出し): no topic
    method_cue: str  # a pattern for words that ask how something was done (どうやって)
    activity_cue: str  # a pattern for words that ask what a body does (普段何をしてる): its 活動 cell
    cell_labels: dict[str, str]  # answer type → a pattern for the header of the cell that answers it (整備場所)
    described_cells: dict[str, list[str]]  # 状況 → 結果, …: the cell labels that answer 「どういう状況」

    def family(self, unit: str) -> str:
        """The unit family of a unit or counter (千円 → 円, 名 → 人); an unknown unit is its own family."""
        return self.counters.get(unit, unit)


def _entries(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = json.loads(resources.files("qa").joinpath("data/lexicon.json").read_text(encoding="utf-8"))
    return Lexicon(
        counters=_entries(data["counters"]),
        counter_sums=_entries(data["counter_sums"]),
        counter_alternates=_entries(data["counter_alternates"]),
        counter_items=_entries(data["counter_items"]),
        measures=_entries(data["measures"]),
        operations=_entries(data["operations"]),
        separators=data["multipart"]["separators"],
        each=data["multipart"]["each"],
        answer_types=_entries(data["answer_types"]),
        item_nouns=data["item_nouns"]["nouns"],
        loose_nouns=data["loose_nouns"]["nouns"],
        frame_nouns=data["frame_nouns"]["nouns"],
        generic_latin=frozenset(data["generic_latin"]["words"]),
        whole_report=data["whole_report"]["patterns"],
        list_cue=data["list_cue"]["pattern"],
        whole_words=data["whole_words"]["pattern"],
        every_item=data["every_item"]["pattern"],
        budget_cue=data["budget_cue"]["pattern"],
        other_budget_figures=data["other_budget_figures"]["pattern"],
        strict_units=frozenset(data["strict_units"]["families"]),
        locate_words=data["locate_words"]["words"],
        money_words=data["money_words"]["words"],
        time_extremes=_entries(data["time_extremes"]),
        measure_verbs=_entries(data["measure_verbs"]),
        count_qualifiers=frozenset(data["count_qualifiers"]["words"]),
        implied_acts=frozenset(data["implied_acts"]["words"]),
        contrasts=data["contrasts"]["groups"],
        prior_cue=data["prior_cue"]["pattern"],
        running_total=data["prior_cue"]["total_words"],
        item_counters=_entries(data["item_counters"]),
        rank_words=data["rank_words"]["words"],
        year_span_words=data["year_span_words"]["pattern"],
        layout_words=data["layout_words"]["pattern"],
        method_cue=data["method_cue"]["pattern"],
        activity_cue=data["activity_cue"]["pattern"],
        cell_labels=_entries(data["cell_labels"]),
        described_cells=_entries(data["described_cells"]),
    )


@lru_cache(maxsize=1)
def op_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(op, compiled cue) in the order they are tried."""
    ops = lexicon().operations
    return tuple((op, re.compile("|".join(f"(?:{p})" for p in ops[op]))) for op in OPS if op in ops)


@lru_cache(maxsize=1)
def counter_alternation() -> str:
    """Every counter of the lexicon as one regex alternation, longest first (「か所」 before 「か」)."""
    return "|".join(sorted(map(re.escape, lexicon().counters), key=len, reverse=True))


@lru_cache(maxsize=64)
def counted_in(family: str) -> re.Pattern[str]:
    """A number written in a counter of this unit family (「2つ」 for つ, 「54名」 for 人); the family itself when
    no counter of the lexicon belongs to it."""
    counters = [c for c, f in lexicon().counters.items() if f == family] or [family]
    words = "|".join(sorted(map(re.escape, counters), key=len, reverse=True))
    return re.compile(rf"\d[\d,.]*\s*(?:{words})")


@lru_cache(maxsize=1)
def counter_ask() -> re.Pattern[str]:
    """何<counter>(分)?: a question asking for a count in a unit; longest counters first."""
    names = sorted(lexicon().counters, key=len, reverse=True)
    return re.compile("何(" + "|".join(re.escape(n) for n in names) + ")(分)?")


@lru_cache(maxsize=1)
def money_words() -> re.Pattern[str]:
    """Words that ask about an amount of money (決算額, 予算, いくら, 安く)."""
    words = [w for w in lexicon().measures["円"] if w not in {"円", "額"}] + lexicon().money_words
    return re.compile("|".join(re.escape(w) for w in words))


@lru_cache(maxsize=1)
def whole_report() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in lexicon().whole_report))


@lru_cache(maxsize=1)
def whole_words() -> re.Pattern[str]:
    """Words that name a whole without naming it (全体, 総額, 合計): a share of a total."""
    return re.compile(lexicon().whole_words)


@lru_cache(maxsize=1)
def answer_type_patterns() -> dict[str, re.Pattern[str]]:
    """Answer type → one compiled pattern of its question words."""
    return {t: re.compile("|".join(f"(?:{w})" for w in words)) for t, words in lexicon().answer_types.items()}


@lru_cache(maxsize=1)
def _time_extremes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((d, re.compile(lexicon().time_extremes[d])) for d in ("min", "max"))


def time_extreme(text: str) -> str | None:
    """"min" when the text asks for the earliest item (早い, 古い, 最初に), "max" for the latest, else None."""
    return next((d for d, pattern in _time_extremes() if pattern.search(text)), None)


@lru_cache(maxsize=1)
def counter_sum_patterns() -> dict[str, re.Pattern[str]]:
    """Each counter that names several, asked for: 「何市町村」, 「市町村…いくつ」, 「市町村は何」 but not 「市町村等は
    何団体」 (a counter of its own after 何 counts in that one)."""
    out = {}
    for name, parts in lexicon().counter_sums.items():
        others = "|".join(sorted((re.escape(c) for c in lexicon().counters if c not in parts), key=len, reverse=True))
        # The counters named one by one (「市と町と村、合計で」) ask the same as the name that joins them.
        joined = f"(?:{name}|{'(?:と|・|、|や|,)'.join(map(re.escape, parts))})"
        out[name] = re.compile(rf"何{name}|{joined}[^。?何]{{0,16}}?(いくつ|何(?!{others}))")
    return out
