"""`python -m qa search`: JSON lines with the hit fields, -k checks, on the real report and bundled model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import Settings
from qa.index import load_index

REPO = Path(__file__).resolve().parent.parent
HIT_FIELDS = {"kind", "id", "doc", "section_path", "lines", "text", "score", "dense", "bm25"}


@pytest.fixture(scope="module")
def env(index_dir: Path) -> dict[str, str]:
    """The subprocess environment: conftest's session index, built here first, and no other QA_* variable."""
    load_index(Settings.from_env(embed_model=None, index_dir=index_dir, corpus_dir=REPO / "corpus"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(PYTHONPATH=str(REPO), QA_INDEX_DIR=str(index_dir), QA_CORPUS_DIR=str(REPO / "corpus"))
    return env


def run_qa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa", *args], check=False,
                          cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


def test_search_json_prints_one_hit_per_line(env: dict[str, str]) -> None:
    result = run_qa(env, "search", "旅券", "-k", "3", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    hits = [json.loads(line) for line in lines]
    for hit in hits:
        assert set(hit) == HIT_FIELDS
        assert hit["kind"] in {"chunk", "fact"} and isinstance(hit["dense"], float)
        assert len(hit["lines"]) == 2
    assert "(4) 旅券発給" in hits[0]["section_path"]
    assert "旅券" in result.stdout  # Japanese as is, not \u escapes
    assert "再構築" not in result.stderr


def test_search_text_output_shows_score_kind_breadcrumb_and_lines(env: dict[str, str]) -> None:
    result = run_qa(env, "search", "上海事務所の現地メディアへの露出回数", "-k", "2", "--no-rebuild")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # a header line and a text line per hit
    score, kind, crumb, span = lines[0].split("\t")
    assert float(score) > 0 and kind in {"chunk", "fact"} and "上海事務所運営" in crumb and "-" in span


@pytest.mark.parametrize("k", ["0", "-1"])
def test_k_below_one_exits_2_with_a_message(env: dict[str, str], k: str) -> None:
    result = run_qa(env, "search", "旅券", "-k", k)
    assert result.returncode == 2
    assert "-k must be at least 1" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_exits_2(env: dict[str, str], query: str) -> None:
    result = run_qa(env, "search", query)
    assert result.returncode == 2 and "質問を入力してください" in result.stderr
