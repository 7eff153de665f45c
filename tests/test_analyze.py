"""Question analysis and the synonym table, as tables of (question, expected)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.analyze import analyze, expand, synonyms
from qa.text import norm

REPO = Path(__file__).resolve().parent.parent

WANT = [
    ("旅券発行件数は？", "quantity", "件"),
    ("庁議は何回開催された？", "quantity", "回"),
    ("南加群馬県人会の会員は何人？", "quantity", "人"),
    ("主管課運営費はいくら？", "quantity", "円"),
    ("モバイルルータは何台整備した？", "quantity", "台"),
    ("tsulunosはいつ開設された？", "date", None),
    ("新曲を歌ったのは誰？", "name", None),
    ("tsulunosはどこに開設された？", "place", None),
    ("各種知事会議にはどんなものがある？", "list", None),
    ("マイナンバーカードの交付率は？", "quantity", "%"),
]

OPS = [
    ("旅券申請件数は前年から何件減った？", "diff"),
    ("旅券発行件数は男性が女性より何件多い？", "diff"),
    ("個人版と企業版の寄附額の合計は？", "sum"),
    ("記者会見と資料提供をあわせると何件？", "sum"),
    ("令和2年の旅券発行件数は令和元年の何％？", "ratio"),
    ("新・群馬県総合計画はいつ策定された？", None),  # 総合計画 is not 合計
    ("旅券申請件数は前年比で何件減った？", "diff"),  # 前年比 with an amount in the figure's unit: a difference
    ("許諾件数は前年度から何%伸びた？", "change"),  # 伸びた: a rate of increase
    ("許諾件数 前の年から何件減", "diff"),  # a terse 減 after the amount asked
]

PERIODS = [
    ("令和元年の旅券発行件数は？", "2019"),
    ("平成30年度の許諾件数は？", "FY2018"),
    ("2020年の旅券申請件数は？", "2020"),
    ("令和4年度の決算額は？", "FY2022"),
    ("旅券発行件数は？", None),
]

MEASURES = [
    ("参加者は延べ何人？", "参加者"),  # 延べ says how they are counted, not what
    ("登録者は累計何人になった？", "登録者"),
    ("何人のスタッフで回してるの？", "スタッフ"),  # the question word first, the thing counted after の
    ("学生向け講座、延べ何人参加した？", None),  # past a comma the noun is the topic, not the thing counted
    ("いくつの事業がある？", None),  # 事業 names what a count counts: no measure
]

SYNONYMS = [
    ("パスポート", "旅券"),
    ("寄付", "寄附"),
    ("ツイッター", "twitter"),
    ("インスタ", "instagram"),
    ("ゆるキャラ", "ぐんまちゃん"),
    ("マスコット", "ぐんまちゃん"),
    ("中国", "上海"),
]


@pytest.mark.parametrize(("question", "want", "unit"), WANT)
def test_what_is_asked(question, want, unit):
    q = analyze(question)
    assert (q.want, q.unit) == (want, unit)


@pytest.mark.parametrize(("question", "op"), OPS)
def test_operations(question, op):
    assert analyze(question).op == op


@pytest.mark.parametrize(("question", "period"), PERIODS)
def test_periods(question, period):
    q = analyze(question)
    assert (q.period.norm if q.period else None) == period


@pytest.mark.parametrize(("word", "report_word"), SYNONYMS)
def test_synonyms_expand_to_the_reports_words(word, report_word):
    assert report_word in expand(norm(word))


@pytest.mark.parametrize(("question", "measure"), MEASURES)
def test_what_a_quantity_measures(question, measure):
    assert analyze(question).measure == measure


def test_a_part_naming_its_own_measure_keeps_it():
    # 「放送回数と事業費」: the first part counts broadcasts; 事業費 is the second part's measure only.
    from qa.analyze import split_parts

    parts = split_parts(analyze("県政インフォメーションの放送回数と事業費はどれくらい？"))
    assert [p.measure for p in parts] == [None, "事業費"]
    parts = split_parts(analyze("STEAMの授業と始動人Jr.キャンプの参加者は何人？"))
    assert len(parts) == 2 and all(p.measure == "参加者" for p in parts)  # a part naming none shares it


def test_key_terms_drop_question_words():
    q = analyze("パスポートの申請はどれくらいあった？")
    assert "パスポート" in q.terms and "申請" in q.terms
    assert not {"どれ", "くらい", "ある", "有る"} & set(q.terms)
    assert any("旅券" in g for g in q.groups)


def test_items_of_a_sum_share_the_words_after_them():
    q = analyze("個人版と企業版のふるさと納税の寄附額の合計は？")
    assert [p.focus for p in q.parts] == [["個人", "版"], ["企業", "版"]]
    assert all({"ふるさと", "納税", "寄附"} <= set(p.terms) for p in q.parts)


def test_follow_up_inherits_the_subject():
    q = analyze("男性は？", ["旅券発行件数は？"])
    assert {"旅券", "発行", "件数"} <= set(q.terms) and q.focus == ["男性"]
    q = analyze("令和元年は？", ["旅券発行件数は？", "男性は？"])
    assert q.period.norm == "2019" and "男性" not in q.terms


def test_synonym_table_is_well_formed_and_points_into_the_report():
    raw = json.loads((REPO / "qa" / "data" / "synonyms.json").read_text(encoding="utf-8"))
    table = {k: v for k, v in raw.items() if not k.startswith("_")}
    assert all(isinstance(v, list) and v and all(isinstance(x, str) for x in v) for v in table.values())
    report = norm((REPO / "corpus" / "gunma_r2_chiji_senryaku.md").read_text(encoding="utf-8"))
    # Every mapping reaches at least one word the report really uses; otherwise it maps to nothing.
    dead = [k for k, vs in synonyms().items() if not any(v in report for v in vs)]
    assert not dead, dead


def test_an_act_ending_in_ka_asks_no_amount():
    # 「予算化された」 is a 事業 made, not an amount of 予算: a part asking it has no unit (and does not crash).
    from qa.analyze import part_unit

    assert part_unit("うちいくつが予算化されましたか?") is None
    assert part_unit("事業費は") == "円"
