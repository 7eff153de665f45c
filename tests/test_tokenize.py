"""qa.tokenize: the BM25 tokens. Each table reads as a spec: the text on the left, its tokens on the right."""

from __future__ import annotations

import pytest

from qa.tokenize import count, tokens

SAME_TOKENS = [
    # The PDF conversion letter-spaces table cells; full-width letters and digits are NFKC-folded.
    ("電 子 申 請", "電子申請"),
    ("電 子 申 請 受 付 シ ス テ ム", "電子申請受付システム"),
    ("I o T ・ A I", "IoT・AI"),
    ("ＩｏＴ", "IoT"),
    ("１３，０６２件", "13,062件"),
    ("令 和 2 年 度", "令和2年度"),
]

TOKENS = [
    # particles, auxiliaries and punctuation carry no topic
    ("旅券の申請", ["旅券", "申請"]),
    ("県政情報を届ける", ["県政", "情報", "届ける"]),
    ("「企画会議」を開催し、", ["企画", "会議", "開催"]),
    # verbs as their lemma, so inflection does not split them
    ("減った", ["減る"]),
    ("届けた", ["届ける"]),
    ("取り組んだ", ["取り組む"]),
    ("集まって", ["集まる"]),
    # light verbs and question words say nothing about the topic
    ("開催された", ["開催"]),
    ("パスポートの申請はどれくらいあった？", ["パスポート", "申請"]),
    ("何人が参加した？", ["人", "参加"]),
    ("いつ開設された？", ["開設"]),
    ("どこに開設された？", ["開設"]),
    # nouns keep their surface (unidic's lemma would rewrite loanwords: パスポート-passport)
    ("パスポート", ["パスポート"]),
    ("IoT・AI導入促進", ["iot", "ai", "導入", "促進"]),
    # a Latin word with inner punctuation is one token
    ("Wi-Fi環境", ["wi-fi", "環境"]),
    ("", []),
    ("、。？", []),
]


@pytest.mark.parametrize(("spaced", "plain"), SAME_TOKENS)
def test_letter_spacing_and_width_do_not_change_tokens(spaced: str, plain: str) -> None:
    assert tokens(spaced) == tokens(plain)


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_count_counts_every_word() -> None:
    # Chunk sizes are set in MeCab words of all parts of speech, particles included.
    assert count("旅券の申請") == 3
    assert count("") == 0
