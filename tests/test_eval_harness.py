"""The eval harness's scorer and the naive baseline's chunker, as a spec (no full eval run: CI gates that)."""

from __future__ import annotations

import itertools

import pytest

from eval.baselines import document_windows, line_of, windows
from eval.bench import synthetic_document
from eval.results import Result
from eval.run import gate
from eval.score import EvalQuestion, aggregate, answer_correct, answer_key, gold_rank, percentile, score
from qa.models import Answer, Citation
from qa.parse import parse_document

# --- answer matching ----------------------------------------------------------------------------------

KEYS = [
    ("１３，０６２件", "13062件"),  # full-width digits and comma
    ("13,062 件", "13062件"),
    ("約2億406万件", "約2億406万件"),
    ("Ｇ　Ｓｕｉｔｅ\nBusiness", "GSuiteBusiness"),  # ideographic space and newline
    ("令 和 2 年", "令和2年"),  # letter-spacing
]


@pytest.mark.parametrize(("text", "key"), KEYS)
def test_answer_key(text, key):
    assert answer_key(text) == key


def q(expected=("13,062件",), expected_all=None, section="旅券発給", kind="figure", history=None) -> EvalQuestion:
    return EvalQuestion(
        id="tst-001",
        question="旅券発行件数は？",
        expected=list(expected),
        expected_all=list(expected_all) if expected_all else None,
        section=section,
        kind=kind,
        history=history,
    )


ANSWERS = [
    # (row, answer text, abstained, correct)
    (q(), "13,062件（令和2年）", False, True),
    (q(), "１３，０６２件です", False, True),  # NFKC and commas on the answer side
    (q(expected=["13062件"]), "13,062件", False, True),  # and on the expected side
    (q(), "旅券発行件数は 13, 062 件", False, True),  # whitespace anywhere
    (q(), "13,061件", False, False),
    (q(), "x" * 195 + "13,062件", False, False),  # outside the first 200 characters
    (q(), "x" * 190 + "13,062件", False, True),
    (q(expected=["41回", "４１回"]), "41回", False, True),  # any one expected string
    (q(), "13,062件", True, False),  # an abstention never answers an answerable row
    # expected_all: every one must appear, and one of expected too
    (q(expected=["A"], expected_all=["A", "B"]), "A と B", False, True),
    (q(expected=["A"], expected_all=["A", "B"]), "A のみ", False, False),
    (
        q(expected=["令和2年11月29日"], expected_all=["11月29日", "12月5日"]),
        "11月29日～12月5日",
        False,
        False,
    ),
    (
        q(expected=["令和2年11月29日"], expected_all=["11月29日", "12月5日"]),
        "令和2年11月29日～12月5日",
        False,
        True,
    ),
    # a figure matches only as a whole number: 「7日間」 is not in 「17日間」
    (q(expected=["7日間"]), "17日間（令和3年1月26日～2月11日）", False, False),
    (q(expected=["7日間"]), "7日間（令和3年1月27日～2月2日）", False, True),
    # abstain rows: right iff abstained, whatever the text
    (q(expected=[], section=None, kind="abstain"), "記載が見つかりませんでした", True, True),
    (q(expected=[], section=None, kind="abstain"), "13,062件", False, False),
]


@pytest.mark.parametrize(("row", "text", "abstained", "correct"), ANSWERS)
def test_answer_correct(row, text, abstained, correct):
    assert answer_correct(row, text, abstained) is correct


# --- citations ----------------------------------------------------------------------------------------

PASSPORT = ["第2 知事戦略", "5 地域外交費", "(4) 旅券発給"]
FURUSATO = ["第2 知事戦略", "1 知事戦略管理費", "(8) 未来創生", "② ふるさと納税推進", "ア ぐんまふるさと納税"]

RANKS = [
    # (gold section, citation paths, rank)
    ("旅券発給", [PASSPORT], 1),
    ("旅 券 発 給", [PASSPORT], 1),  # whitespace-insensitive
    ("旅券発給", [["(4) 旅 券 発 給"]], 1),
    ("(４) 旅券発給", [PASSPORT], 1),  # NFKC
    ("地域外交費", [PASSPORT], 1),  # an ancestor heading counts: it is in the breadcrumb
    ("旅券発給", [FURUSATO, FURUSATO, PASSPORT], 3),
    ("旅券発給", [FURUSATO] * 3 + [PASSPORT], 4),
    ("旅券発給", [FURUSATO], None),
    (["ぐんまふるさと納税", "ふるさと納税推進"], [FURUSATO], 1),  # any alternative
    (["企業版ふるさと納税", "ふるさと納税推進"], [PASSPORT, FURUSATO], 2),
    (["企業版ふるさと納税", "旅券"], [FURUSATO], None),
]


@pytest.mark.parametrize(("section", "paths", "rank"), RANKS)
def test_gold_rank(section, paths, rank):
    assert gold_rank(q(section=section), paths) == rank


def _answer(text: str, paths: list[list[str]], abstained: bool = False) -> Answer:
    cites = [Citation(doc="r.md", section_path=p, lines=[1, 1], text="", score=1.0) for p in paths]
    return Answer(question="?", text=text, abstained=abstained, citations=cites)


SCORES = [
    # (row, answer, answer_ok, citation_ok, strict_ok)
    (q(), _answer("13,062件", [PASSPORT]), True, True, True),
    (q(), _answer("13,062件", [FURUSATO] * 3 + [PASSPORT]), True, False, False),  # gold at rank 4: not top 3
    (q(), _answer("49,251件", [PASSPORT]), False, True, False),
    (q(), _answer("13,062件", []), True, False, False),
    (
        q(expected=[], section=None, kind="abstain"),
        _answer("見つかりません", [PASSPORT], True),
        True,
        None,
        True,
    ),
    (q(expected=[], section=None, kind="abstain"), _answer("13,062件", [PASSPORT]), False, None, False),
]


@pytest.mark.parametrize(("row", "answer", "answer_ok", "citation_ok", "strict_ok"), SCORES)
def test_score(row, answer, answer_ok, citation_ok, strict_ok):
    s = score(row, answer, 1.0)
    assert (s.answer_ok, s.citation_ok, s.strict_ok) == (answer_ok, citation_ok, strict_ok)


def test_aggregate_abstention_and_retrieval():
    abstain = q(expected=[], section=None, kind="abstain")
    rows = [
        (q(), score(q(), _answer("13,062件", [PASSPORT]), 10)),  # rank 1
        (q(), score(q(), _answer("?", [FURUSATO, PASSPORT]), 20)),  # rank 2
        (q(), score(q(), _answer("?", [PASSPORT], abstained=True), 30)),  # a wrong abstention, rank 1
        (abstain, score(abstain, _answer("?", [], abstained=True), 40)),  # a right one
        (abstain, score(abstain, _answer("?", [PASSPORT]), 50)),  # a missed one
    ]
    m = aggregate(rows)
    assert m.n == 5
    assert m.answer == pytest.approx(2 / 5)  # row 1 and the right abstention
    assert m.citation == pytest.approx(1.0)  # all three answerable rows cite 旅券発給 in the top 3
    assert m.strict == pytest.approx(2 / 5)
    assert m.abstain_precision == pytest.approx(1 / 2)
    assert m.abstain_recall == pytest.approx(1 / 2)
    assert m.recall_at == {1: pytest.approx(2 / 3), 3: pytest.approx(1.0), 5: pytest.approx(1.0)}
    assert m.mrr == pytest.approx((1 + 0.5 + 1) / 3)
    assert m.p50_ms == pytest.approx(30)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([5], 95, 5),
        ([], 50, None),
        (list(range(1, 101)), 95, 95.05),
    ],
)
def test_percentile(values, p, expected):
    assert percentile(values, p) == (pytest.approx(expected) if expected is not None else None)


def test_gate_exit_status(capsys):
    good = Result(
        "assistant", q(), _answer("13,062件", [PASSPORT]), score(q(), _answer("13,062件", [PASSPORT]), 1)
    )
    bad = Result("assistant", q(), _answer("?", [PASSPORT]), score(q(), _answer("?", [PASSPORT]), 1))
    assert gate([good, bad], 0.5) == 0
    assert gate([good, bad], 0.6) == 1
    assert gate([good, bad], 60) == 1  # a percentage means the same
    assert "tst-001" in capsys.readouterr().err


# --- the naive baseline's chunker --------------------------------------------------------------------

WINDOWS = [
    # (text length, size, overlap, expected (start, end) offsets)
    (0, 500, 50, []),
    (300, 500, 50, [(0, 300)]),
    (500, 500, 50, [(0, 500)]),
    (501, 500, 50, [(0, 500), (450, 501)]),
    (950, 500, 50, [(0, 500), (450, 950)]),
    (951, 500, 50, [(0, 500), (450, 950), (900, 951)]),
    (1400, 500, 50, [(0, 500), (450, 950), (900, 1400)]),
    (10, 4, 1, [(0, 4), (3, 7), (6, 10)]),
]


@pytest.mark.parametrize(("length", "size", "overlap", "spans"), WINDOWS)
def test_windows(length, size, overlap, spans):
    assert windows("あ" * length, size, overlap) == spans


def test_windows_overlap_and_cover():
    text = "".join(chr(0x3042 + i % 80) for i in range(2345))
    spans = windows(text)
    assert all(e - s == 500 for s, e in spans[:-1])
    assert all(b[0] == a[1] - 50 for a, b in itertools.pairwise(spans))  # exactly 50 characters shared
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_windows_reject_overlap_not_smaller_than_size():
    with pytest.raises(ValueError, match="larger than the overlap"):
        windows("abc", 50, 50)


@pytest.mark.parametrize(
    ("text", "offset", "line"),
    [
        ("a\nb\nc", 0, 1),
        ("a\nb\nc", 1, 1),
        ("a\nb\nc", 2, 2),
        ("a\nb\nc", 4, 3),
        ("\n\nx", 2, 3),
    ],
)
def test_line_of(text, offset, line):
    assert line_of(text, offset) == line


REPORT = (
    """第2 知事戦略

1 知事戦略管理費

(1) 庁議 決算額 0千円

"""
    + "庁議を開催した。" * 60
    + """

(4) 旅券発給 決算額 10,000千円

| 旅券発行件数 | 13,062件 |
"""
    + "旅券を発給した。" * 60
    + "\n"
)


def test_document_windows_cite_the_section_of_their_first_line():
    doc = parse_document(REPORT, "r.md")
    text = "\n".join(doc.lines)
    ws = document_windows(doc)
    assert [(w.start, w.end) for w in ws] == [(0, 500), (450, 950), (900, len(text))]
    for w in ws:
        assert w.text == text[w.start : w.end]
        assert w.lines == (text.count("\n", 0, w.start) + 1, text.count("\n", 0, w.end - 1) + 1)
    # Line 1 is the chapter heading; window 2 starts inside 庁議's paragraph (line 7), window 3 inside
    # 旅券発給's (line 12): each cites the deepest section holding its first line.
    assert [w.lines for w in ws] == [(1, 7), (7, 12), (12, 12)]
    assert [w.section_path[-1] for w in ws] == ["第2 知事戦略", "(1) 庁議", "(4) 旅券発給"]
    assert ws[1].section_path == ["第2 知事戦略", "1 知事戦略管理費", "(1) 庁議"]


# --- the bench's synthetic replicas ------------------------------------------------------------------


def test_synthetic_replicas_differ_but_parse_alike():
    original = parse_document(REPORT, "r.md")
    replica = synthetic_document(REPORT, 3)
    assert synthetic_document(REPORT, 0) == REPORT
    assert replica == synthetic_document(REPORT, 3)  # deterministic
    assert replica != synthetic_document(REPORT, 4)
    assert "13,062件" not in replica and "(4) 旅券発給" in replica
    parsed = parse_document(replica, "s.md")
    assert [s.title for s in parsed.sections] == [s.title for s in original.sections]


# --- the layers of eval/ ------------------------------------------------------------------------------------

# Each module of eval/ and the eval modules it may import: a layer reads only the layers under it.
EVAL_LAYERS = {
    "score": set(),
    "baselines": set(),
    "gold": set(),
    "results": {"score", "baselines"},
    "tables": {"results", "score"},
    "plots": {"results", "score"},
    "run": {"results", "score", "tables", "plots", "gold"},
    "bench": {"results", "score", "tables", "plots"},
    "load": {"results", "score"},
    "__main__": {"run", "bench"},
    "__init__": set(),
}


def eval_imports(path) -> set[str]:  # type: ignore[no-untyped-def]
    """The eval modules a source file imports, at any depth of the file (lazy imports included)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "eval":
                found |= {a.name for a in node.names}
            elif node.module.startswith("eval."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("eval.")}
    return found


def test_eval_modules_import_in_layers_without_a_cycle() -> None:
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "eval"
    graph = {p.stem: eval_imports(p) for p in sorted(folder.glob("*.py"))}
    assert set(graph) == set(EVAL_LAYERS), "a new module of eval/: give it its layer in EVAL_LAYERS"
    for module, imported in graph.items():
        assert imported <= EVAL_LAYERS[module], f"eval/{module}.py imports {sorted(imported - EVAL_LAYERS[module])}"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(m == goal or (m not in seen and reaches(m, goal, seen | {m})) for m in graph.get(start, ()))

    assert [m for m in graph if reaches(m, m, set())] == []
    # No module reaches into another's private names (bench.py used report's _md_table and _pyplot).
    private = [(p.name, n) for p in folder.glob("*.py") for n in _private_eval_names(p)]
    assert private == []


def _private_eval_names(path) -> list[str]:  # type: ignore[no-untyped-def]
    import ast

    return [a.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("eval")
            for a in node.names if a.name.startswith("_")]
