"""`python -m qa inspect` and `python -m qa facts`, run as a user runs them (a subprocess with
QA_CORPUS_DIR), on the real report and on bad corpus folders: an exit code and a message, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

# Lines `inspect` prints for the real report: indentation shows depth, [start-end] the line span.
TREE_LINES = [
    "  第2 知事戦略  [3-537]",
    "    【令和2年度に実施した重点施策及び主な取組】  [11-38]",
    "      1 政策立案・検証  [13-17]",
    "    1 知事戦略管理費  [40-209]",
    "      (2) 総務調整費  [50-57]",
    "      (7) 連携推進  [98-152]",
    "        ② 教育イノベーション・プロジェクト  [112-138]",
    "          ア STEAM教育推進PJ  [114-120]",
    "    3 デジタル改革費  [323-376]",
    "      (1) デジタルトランスフォーメーション推進  [325-376]",
    "        ⑤ IoT・AI導入促進  [370-376]",
    "      (4) 旅券発給  [525-537]",
]

# (files written to the corpus folder, command, exit code, texts expected on stderr).
BAD_CORPUS = [
    pytest.param({"empty.md": b""}, ["inspect"], 3, ["empty.md"], id="only-empty"),
    pytest.param(
        {"scan.md": b"\x89PNG\r\n\x1a\n\x00\x00IHDR\x00"},
        ["facts"],
        3,
        ["scan.md", "binary"],
        id="only-binary",
    ),
    pytest.param(
        {"empty.md": b"\n\n", "ok.md": "(1) 庁議\n\n本文。".encode()},
        ["inspect"],
        0,
        ["警告", "empty.md"],
        id="empty-skipped",
    ),
    pytest.param(
        {"scan.txt": bytes(range(256)), "ok.md": "(1) 庁議\n\n本文。".encode()},
        ["facts", "--json"],
        0,
        ["scan.txt", "binary"],
        id="binary-skipped",
    ),
    pytest.param({"notes.pdf": b"%PDF-1.4"}, ["inspect"], 3, ["no .md files"], id="no-markdown"),
    pytest.param(
        {"bad.md": "(1) 庁議\n".encode() + b"\xff\xfe\xfa" * 10},
        ["inspect"],
        3,
        ["bad.md", "UTF-8"],
        id="undecodable",
    ),
]


def run_qa(*args: str, corpus: Path = CORPUS, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "QA_CORPUS_DIR": str(corpus), **env}
    return subprocess.run(
        [sys.executable, "-m", "qa", *args],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def inspect_out() -> str:
    run = run_qa("inspect")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return run.stdout


def test_inspect_first_line(inspect_out: str) -> None:
    first = inspect_out.splitlines()[0]
    assert first.startswith("gunma_r2_chiji_senryaku.md  「第2 知事戦略」 FY2020  sections=")


@pytest.mark.parametrize("line", TREE_LINES)
def test_inspect_tree_lines(inspect_out: str, line: str) -> None:
    assert any(out.startswith(line) for out in inspect_out.splitlines()), line


def test_inspect_shows_budgets(inspect_out: str) -> None:
    budgets = [line.split("決算額 ")[1] for line in inspect_out.splitlines() if "決算額" in line]
    assert "4,016千円" in budgets and "59,184千円" in budgets and len(budgets) == 21


def test_inspect_spans_nest(inspect_out: str) -> None:
    stack: list[tuple[int, int, int]] = []  # (indent, start, end)
    for line in inspect_out.splitlines()[1:]:
        indent = len(line) - len(line.lstrip(" "))
        span = line.split("  [")[1].split("]")[0]
        start, end = (int(x) for x in span.split("-"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            assert stack[-1][1] < start and end <= stack[-1][2], line
        stack.append((indent, start, end))


def test_facts_json_for_a_section() -> None:
    run = run_qa("facts", "--json", "--section", "旅券")
    assert run.returncode == 0, run.stderr
    facts = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(facts) == 10
    assert all(any("旅券" in h for h in f["section_path"]) for f in facts)
    assert all(isinstance(f["value"], str) for f in facts)
    first = next(f for f in facts if f["raw"] == "13,062件")
    assert first["value"] == "13062" and first["unit"] == "件" and first["when"]["norm"] == "2020"
    assert first["when"] == {"raw": "令和2年", "norm": "2020", "year": 2020, "fiscal": False, "end": None}
    assert first["lines"] == [532, 532] and first["source"] == "bullet"


def test_facts_text_output() -> None:
    run = run_qa("facts", "--section", "総務調整費")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "50\t(2) 総務調整費\t総務調整費 [決算額]\t4,016千円"


@pytest.mark.parametrize(("files", "args", "code", "messages"), BAD_CORPUS)
def test_bad_corpus(
    tmp_path: Path, files: dict[str, bytes], args: list[str], code: int, messages: list[str]
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    run = run_qa(*args, corpus=tmp_path)
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for m in messages:
        assert m in run.stderr


def test_missing_corpus_folder(tmp_path: Path) -> None:
    run = run_qa("inspect", corpus=tmp_path / "nowhere")
    assert run.returncode == 3
    assert "nowhere" in run.stderr and "QA_CORPUS_DIR" in run.stderr and "Traceback" not in run.stderr


# (variable, value): each is refused in one line that names the variable, with exit code 2.
BAD_SETTINGS = [
    ("QA_TOP_K", "abc"),
    ("QA_TOP_K", "0"),
    ("QA_DENSE_WEIGHT", "heavy"),
    ("QA_PORT", "99999"),
    ("QA_PORT", "abc"),
    ("QA_RATE_LIMIT", "-5"),
    ("QA_LOGIN_DELAY", "soon"),
]


@pytest.mark.parametrize(("var", "value"), BAD_SETTINGS, ids=[f"{v}={x}" for v, x in BAD_SETTINGS])
def test_bad_setting_is_one_line_naming_the_variable(var: str, value: str) -> None:
    run = run_qa("inspect", **{var: value})
    assert run.returncode == 2 and run.stdout == "", run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("設定エラー") and f"{var}={value!r}" in lines[0], run.stderr


def test_a_full_disk_is_one_line_not_a_traceback() -> None:
    """stdout on /dev/full: every write fails with ENOSPC, as on a full disk."""
    for args in (["inspect"], ["facts", "--json"]):
        with open("/dev/full", "w") as full:
            run = subprocess.run([sys.executable, "-m", "qa", *args], cwd=REPO, stdout=full, stderr=subprocess.PIPE,
                                 text=True, timeout=120, check=False, env={**os.environ, "QA_CORPUS_DIR": str(CORPUS)})
        lines = run.stderr.splitlines()
        assert run.returncode == 1 and len(lines) == 1, run.stderr
        assert lines[0].startswith("エラー: ") and "No space left on device" in lines[0]


def test_cp932_and_headingless_files(tmp_path: Path) -> None:
    (tmp_path / "sjis.md").write_bytes("(4) 旅券発給\n\n決算額 21,001千円\n".encode("cp932"))
    (tmp_path / "memo.txt").write_text("会議メモ\n\n参加者は12名だった。\n", encoding="utf-8")
    run = run_qa("inspect", corpus=tmp_path)
    assert run.returncode == 0 and run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0].startswith("memo.txt  「会議メモ」 年度不明  sections=1 facts=1")
    assert lines[1].startswith("  会議メモ  [1-3]")
    assert any(
        line.startswith("sjis.md  「(4) 旅券発給」 年度不明") for line in lines
    )  # no chapter: first line
    assert any("(4) 旅券発給  [1-3]" in line and "決算額 21,001千円" in line for line in lines)
