"""Facts and answers as CSV (`qa/spreadsheet.py`, `facts --csv`, `ask --csv`, the UI's download).

Each file is read back through the `csv` module as a spreadsheet would open it (UTF-8 with BOM) and must
hold every fact exactly: id, section, label, attribute, both periods, the Decimal value, unit, scale, raw
text and lines. The CLI runs as a subprocess; `ask` on the hash embedder's index (fast, deterministic).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from qa.config import Settings
from qa.models import Answer, Fact
from qa.spreadsheet import (
    ANSWER_COLUMNS,
    BOM,
    FACT_COLUMNS,
    SEP,
    answer_row,
    cell,
    facts_csv,
    facts_under,
    read_cell,
    table_rows,
)

REPO = Path(__file__).resolve().parent.parent

CELL_CASES = [
    # (value, cell text): formulas made inert, numbers and ordinary text left alone
    ("旅券発行件数", "旅券発行件数"),
    (None, ""),
    (Decimal("13062"), "13062"),
    ("-36610", "-36610"),  # a negative number stays a number
    ("1.9", "1.9"),
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+81-27", "'+81-27"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-・項目", "'-・項目"),
    ("'quoted", "'quoted"),  # an apostrophe of the report's own is kept
]


@pytest.mark.parametrize(("value", "expected"), CELL_CASES)
def test_cell_makes_formulas_inert_and_read_cell_undoes_it(value: object, expected: str) -> None:
    assert cell(value) == expected
    assert read_cell(cell(value)) == ("" if value is None else str(value))


def run_qa(*args: str, settings: Settings | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(PYTHONPATH=str(REPO), QA_CORPUS_DIR=str(REPO / "corpus"))
    if settings is not None:
        env.update(QA_EMBED_MODEL="hash", QA_INDEX_DIR=str(settings.index_dir),
                   QA_CORPUS_DIR=str(settings.corpus_dir))
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=REPO, env=env, capture_output=True,
                          input=stdin.encode("utf-8") if stdin is not None else None, timeout=300, check=False)


def read_csv(data: bytes) -> list[list[str]]:
    """The file as a spreadsheet opens it: a UTF-8 BOM first, then CSV rows."""
    assert data.startswith(BOM.encode("utf-8")), data[:20]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def fact_from_row(row: list[str]) -> dict:
    v = dict(zip(FACT_COLUMNS, (read_cell(c) for c in row)))
    return {
        "id": v["ID"], "doc": v["文書"], "section_path": v["節"].split(SEP), "label": v["項目"],
        "attribute": v["属性"] or None, "period_raw": v["期間"] or None, "period": v["期間（正規化）"] or None,
        "value": Decimal(v["値"]), "unit": v["単位"], "scale": int(v["倍率"]), "raw": v["原文"],
        "lines": (int(v["開始行"]), int(v["終了行"])),
    }


def fact_fields(f: Fact) -> dict:
    return {"id": f.id, "doc": f.doc, "section_path": f.section_path, "label": f.label, "attribute": f.attribute,
            "period_raw": f.period_raw, "period": f.period, "value": f.value, "unit": f.unit, "scale": f.scale,
            "raw": f.raw, "lines": tuple(f.lines)}


@pytest.fixture(scope="module")
def facts() -> list[Fact]:
    from qa.facts import extract_facts
    from qa.parse import load_corpus

    docs, _ = load_corpus(REPO / "corpus")
    return [f for d in docs for f in extract_facts(d)]


def test_facts_csv_holds_every_fact_exactly(facts: list[Fact]) -> None:
    run = run_qa("facts", "--csv")
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.startswith(b"\xef\xbb\xbf" + "ID,文書,節".encode())  # Excel reads the BOM as UTF-8
    rows = read_csv(run.stdout)
    assert tuple(rows[0]) == FACT_COLUMNS
    assert [fact_from_row(r) for r in rows[1:]] == [fact_fields(f) for f in facts]
    assert b"\r\n" in run.stdout  # rows end as Excel writes them
    assert run.stdout == facts_csv(facts)  # the UI's download holds the same bytes


def test_facts_csv_of_a_section_and_the_flags_that_exclude_each_other() -> None:
    run = run_qa("facts", "--csv", "--section", "旅券")
    rows = read_csv(run.stdout)[1:]
    assert len(rows) == 10 and all("旅券" in r[2] for r in rows)
    assert any(r[7] == "13062" and r[10] == "13,062件" and r[5] == "令和2年" and r[6] == "2020" for r in rows)
    both = run_qa("facts", "--csv", "--json")
    assert both.returncode == 2 and b"not allowed" in both.stderr


QUESTIONS = ["旅券発行件数は？", "", "知事の趣味は？", "=1+1", "x" * 1200, "庁議の開催件数は？"]


def test_ask_csv_gives_one_row_per_question_like_the_json_contract(hash_copy: Settings) -> None:
    stdin = "\n".join(QUESTIONS) + "\n"
    run = run_qa("ask", "--csv", "-", settings=hash_copy, stdin=stdin)
    assert run.returncode == 0, run.stderr.decode()
    rows = read_csv(run.stdout)
    assert tuple(rows[0]) == ANSWER_COLUMNS
    asked = [q for q in QUESTIONS if q]  # a blank line is skipped
    assert [read_cell(r[0]) for r in rows[1:]] == asked
    by_question = {read_cell(r[0]): dict(zip(ANSWER_COLUMNS, r)) for r in rows[1:]}
    passport = by_question["旅券発行件数は？"]
    assert (passport["数値"], passport["単位"], passport["期間"], passport["回答不能"]) == ("13062", "件", "令和2年", "いいえ")
    assert passport["出典"].endswith("(4) 旅券発給") and int(passport["開始行"]) <= 532 <= int(passport["終了行"])
    assert by_question["知事の趣味は？"]["回答不能"] == "はい" and by_question["知事の趣味は？"]["出典"] == ""
    assert rows[3][0] == "'=1+1"  # a question typed as a formula stays text in the sheet
    assert "長すぎます" in by_question["x" * 1200]["エラー"] and by_question["x" * 1200]["回答"] == ""
    # Each answered row is exactly the JSON contract's answer, made a row.
    js = run_qa("ask", "--json", "-", settings=hash_copy, stdin="\n".join(asked) + "\n")
    answers = [json.loads(line) for line in js.stdout.decode("utf-8").splitlines()]
    for row, obj in zip(rows[1:], answers):
        if "error" not in obj:
            assert row == answer_row(Answer.model_validate(obj))


def test_ask_csv_for_one_question(hash_copy: Settings) -> None:
    run = run_qa("ask", "旅券発行件数は？", "--csv", settings=hash_copy)
    rows = read_csv(run.stdout)
    assert len(rows) == 2 and rows[1][2] == "13062"


# --- the 報告書 tab: figures of a section and their CSV -----------------------------------------------------


def test_figures_of_a_section_include_its_subsections(facts: list[Fact], report) -> None:  # type: ignore[no-untyped-def]
    passport = next(s for s in report.sections if s.heading == "(4) 旅券発給")
    chapter = passport.path[:2]
    under = facts_under(facts, report.doc, passport.path)
    assert len(under) == 10 and all(f.section_path[: len(passport.path)] == passport.path for f in under)
    assert len(facts_under(facts, report.doc, chapter)) > len(under)
    assert facts_under(facts, "other.md", passport.path) == []
    rows = table_rows(under)
    assert ["旅券発行件数", "", "令和2年", "13,062件", "件", "532"] in rows


def test_the_report_tab_shows_a_sections_figures_and_downloads_them(report, facts: list[Fact]) -> None:  # type: ignore[no-untyped-def]
    import app

    class Facade:
        documents = [report]

        def __init__(self) -> None:
            self.facts = facts

    demo = app.build_ui(Facade(), Settings())
    handlers = {f.name: f.fn for f in demo.fns.values()}
    passport = next(s for s in report.sections if s.heading == "(4) 旅券発給")
    rows, path = handlers["section_figures"](passport.id)
    assert ["旅券発行件数", "", "令和2年", "13,062件", "件", "532"] in rows
    data = Path(path).read_bytes()
    under = facts_under(facts, report.doc, passport.path)
    assert data == facts_csv(under)
    assert [fact_from_row(r) for r in read_csv(data)[1:]] == [fact_fields(f) for f in under]
    assert Path(path).name.endswith(".csv") and "旅券発給" in Path(path).name
    empty_rows, empty_path = handlers["section_figures"]("no-such-section")
    assert empty_rows == [] and empty_path is None
