"""Securities reports (有価証券報告書) from the development corpus: Markdown headings, units, periods, subjects.

The real files live in ../shared/corpus-extra/securities/ (outside the repository); the tests on them are
skipped where that folder is absent. Only the dev reports (キーエンス, 任天堂) are looked at here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from qa.models import Document
from qa.parse import parse_document, read_text

SECURITIES = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra" / "securities"
NINTENDO = SECURITIES / "S100ITKB_任天堂株式会社.md"
KEYENCE = SECURITIES / "S100IS40_株式会社キーエンス.md"
real = pytest.mark.skipif(not NINTENDO.is_file(), reason="the securities development corpus is not on this machine")


@lru_cache(maxsize=4)
def document(path: Path) -> Document:
    return parse_document(read_text(path), path.name)


# --- Markdown headings ------------------------------------------------------------------------------

HEADINGS = [
    # (markdown, the deepest section's path)
    ("# 第一部 【企業情報】\n\n## 第１ 【企業の概況】\n\n### １ 【主要な経営指標等の推移】\n\n(1) 連結経営指標等\n\n本文。\n",
     ["第一部【企業情報】", "第1 【企業の概況】", "1 【主要な経営指標等の推移】", "(1) 連結経営指標等"]),
    ("## 第２ 【事業の状況】\n\n#### (1) 会社の経営の基本方針\n\n本文。\n",
     ["第2 【事業の状況】", "(1) 会社の経営の基本方針"]),
    # A sentence marked as a heading is text of the section above.
    ("## 第２ 【事業の状況】\n\n#### 当連結会計年度末において、流動比率は422％です。\n",
     ["第2 【事業の状況】"]),
]


@pytest.mark.parametrize(("text", "path"), HEADINGS)
def test_markdown_headings_are_sections(text, path):
    assert parse_document(text, "x.md").sections[-1].path == path


@real
def test_real_report_has_its_heading_tree():
    paths = [s.path for s in document(NINTENDO).sections]
    assert ["第一部【企業情報】", "第1 【企業の概況】", "1 【主要な経営指標等の推移】", "(1) 連結経営指標等"] in paths
    assert any(p[-1] == "① 【連結貸借対照表】" for p in paths)
