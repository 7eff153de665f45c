"""Every weight and threshold of the answer layer, in one record, each with the reason it has its value.

The values were chosen on the `dev` split of eval/questions.jsonl (eval/README.md, "Splits"); the `test`
split only measures them. Change one here, never as a bare number in a branch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Weights(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- when the report is taken to hold the answer ---
    # Below this IDF-weighted share of the question's terms in the best passage, a passage answer abstains:
    # half the question's weight missing means the passage is about something else.
    min_coverage: float = 0.5
    # A question word the report never uses counts for this share of the rarest words' weight in coverage: no
    # passage holds it, so it cannot tell which passage is meant, only that the asker words things differently.
    unknown_term_share: float = 0.5
    # A figure's own fields and passage must hold at least this share of the question's term weight.
    min_fact_coverage: float = 0.28
    # A figure scoring below this (see fact_* below) is not an answer: a lookup abstains or falls back.
    min_fact_score: float = 0.52
    # A question asking a 件数 (not 何件) takes a figure in 回 only when it fits clearly better than the best in
    # 件 (「コーディネーターに相談した件数」 → 83回), so the unit it names still decides between near equals.
    other_times_unit_margin: float = 0.1
    # The candidate figures per part tried when several parts are matched to distinct figures at once: a part's
    # own figure is among its best few (「関東」 ranks 北関東磐越五県 first and 関東地方 second); more only
    # multiplies the combinations.
    part_candidates: int = 4
    # A question word this rare (IDF weight; a word in one or two passages) that titles a section tells which
    # section the figure must come from: a figure whose passage lacks it is another thing's (「着ぐるみ、1体
    # いくら」 against a ふるさと納税 amount). Common words (事業 1.0, 会議 3.4) tell nothing.
    telling_term_weight: float = 4.5
    # A follow-up (「男性は？」) carries its subject from earlier questions: its own words need less.
    follow_up_relief: float = 0.1
    # A describe question names its section: at least this share of its terms must be in the title.
    min_title_coverage: float = 0.3
    # A count or a superlative ranges over a section the question names only when its title holds at least
    # this share of the question's term weight; else the whole report.
    min_scope_coverage: float = 0.2
    # A section counts as named by its title (not guessed from a few words) when its title is in the question
    # or covers this much of it: 「地域活性化ラボ」 names 地域活性化ラボラトリー (0.76); 「テレワーク用に」 does not name
    # 庁内ネットワーク用パソコン等整備 (0.26). A count's figure must then come from inside it.
    titled_scope_coverage: float = 0.6
    # A question that names no title may describe a section instead (「行政課題を新しい技術で解決する実証実験」 for
    # 地域活性化ラボラトリー): its words must be mostly in one section's title and lead sentences, and clearly more
    # there than in any other section's, or the whole report is meant.
    described_scope_coverage: float = 0.5
    described_scope_margin: float = 0.1
    # Between titles that match alike, the section whose own text holds the values the question quotes
    # (「移住者相互親睦」となっている団体) is the one meant; the title still decides first.
    scope_text_weight: float = 0.3
    # Between titles that match alike (「業務プロセス改革推進」 as a 事業 and as a 重点施策), the one under the
    # headings the question also names (「重点施策のうち」). Small: the section's own title decides first.
    scope_path_weight: float = 0.1

    # --- fact ranking: score = lexical + section + dense, ± unit, period, measure ---
    # The figure's own words decide most; how well its section was retrieved next; its own embedding last
    # (a fact sentence is short, so its dense score alone is noisy).
    fact_lexical: float = 0.5
    fact_section: float = 0.35
    fact_dense: float = 0.15
    # Where a question term is found: the label or column counts in full, the figure's own heading nearly
    # so, the passage around it less, an ancestor heading least.
    found_in_heading: float = 0.8
    found_in_passage: float = 0.6
    found_in_ancestor: float = 0.4
    # A figure written beside one the question quotes (「15事業のほう」 → 「15事業 700,241,236円」) is of the row
    # the quote picks out. Above a column named (0.03): a quoted figure names its row exactly; no more than the unit
    # bonus (equal to it), so a figure of the kind asked still comes first.
    stated_figure_bonus: float = 0.05
    # A follow-up's new words (「男性は？」) must name the figure itself, not only its context.
    focus_penalty: float = 0.3
    # A part of a multi-part question whose figure is not of the subject the parts share (「ぐんま情報トッピング
    # の番組の長さ、放送回数」: 放送回数 of another programme). Half the focus penalty: the part's own words
    # still decide between figures of the subject.
    subject_penalty: float = 0.15
    # The IDF-weighted share of the shared subject's words a figure's own fields must hold.
    min_subject_coverage: float = 0.5
    # The figure is not of the thing measured (「群馬県の面積は」 against a count of visitors) …
    measure_penalty: float = 0.25
    # … and more so when the report never names that thing at all.
    unknown_measure_penalty: float = 0.1
    # A measure word this common (IDF weight; 県 1.29, 事業 1.03, against 会議 3.4) is in most passages: it
    # names no particular thing a figure must be of (「自主勉強会って、県は何回…支援した」).
    generic_measure_weight: float = 1.5
    # The figure is in the unit family asked for (何件 → 件).
    unit_bonus: float = 0.05
    # 「対応窓口数は」 counts 窓口: a unit that completes the measure word.
    measure_unit_bonus: float = 0.1
    # The question writes the figure's own column whole (「配信回数」 beside 「再生回数」 in one row): small, it
    # only orders figures that match otherwise alike.
    column_named_bonus: float = 0.03
    # A part of a row's total (「その他：62」 beside 「203件」) that the question does not name: the total is
    # what 「記者会見の件数」 asks. Small, like the bonus above.
    breakdown_unasked_penalty: float = 0.03
    # The figure is of the period asked for / of another period / the report's own year when none is asked.
    period_match: float = 0.25
    period_mismatch: float = -0.3
    own_year_bonus: float = 0.05

    # --- passages ---
    # A passage segment: coverage + hit score × this − rank × step: retrieval breaks ties, coverage decides.
    passage_hit: float = 0.3
    passage_rank_step: float = 0.02
    # Hit scores are compared to this many decimals, and passages whose scores round alike share a rank: two
    # embedders on the same weights (cosine 0.9999) move scores in the third decimal and must not reorder.
    passage_hit_decimals: int = 2
    # Between passages that score alike, a table row whose label holds this share of the question's words
    # is about what is asked; a sentence that mentions it is not.
    row_label_share: float = 0.5
    # A segment that names the asked period (「令和3年度はどうする？」).
    passage_period: float = 0.2
    # A year other than the report's own (「令和3年度はどうなる」 of a 令和2年度 report) is what the question is
    # about: every passage is about the report's year, so only a segment naming the other one answers it.
    passage_other_period: float = 0.4
    # いつ: a segment with a full date answers when its coverage is at least this share of the best one's.
    dated_share: float = 0.6
    # 「どこの国から」: a segment with a word of the kind asked (各国) answers when its coverage is at least this
    # share of the best one's (the same bar as a date: on topic, if not the closest wording).
    kind_share: float = 0.6
    # なぜ / 何のため: a segment that gives a reason or a purpose (「…を図るため、」) answers when its coverage is
    # at least this share of the best one's (the same bar again; a caption repeating the question says no why).
    why_share: float = 0.6
    # どんな / どういう: a segment that only restates a heading (a summary bullet) says nothing of what the section
    # did; it gives way to the section's own sentences, which cover the question about as well.
    title_copy_penalty: float = 0.2
    # A list question that names a section lists its sub-sections or rows when the heading covers this much.
    list_heading_coverage: float = 0.5

    # --- operations ---
    # At most this many names are listed after a count; the citation holds the rest.
    max_listed: int = 12
    # How many of the best-ranked amounts an average looks at for one with a count beside it.
    average_candidates: int = 5
    # A same-row amount and count are preferred among figures scoring within this of the best (「大学連携の講座で
    # 1回あたり」 is 56名 ÷ 8回, not a table row of another 事業 far down the ranking).
    average_row_margin: float = 0.1
    # How many of the best-ranked figures a share looks at for the one the question names.
    share_candidates: int = 20


WEIGHTS = Weights()
