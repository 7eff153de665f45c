"""eval/load.py at a small scale: 5 threads × 10 questions on one Assistant and 5 gradio_client clients
× 10 questions on app.py (the full run, 20 × 50 each, is `python -m eval.load`). No timing is asserted:
only that nothing failed and every answer equals the single-threaded one.
"""

from __future__ import annotations

import pytest

from eval.load import assignment, load_test
from eval.results import load_questions

pytestmark = pytest.mark.slow(reason="starts app.py in a subprocess and 5 gradio_client clients")


def test_assignment_reads_the_question_set_cyclically() -> None:
    questions = load_questions()
    first, last = assignment(questions, 0, 10), assignment(questions, 30, 10)
    assert [q.id for q in first] == [q.id for q in questions[:10]]
    assert len(last) == 10 and last[0] is questions[300 % len(questions)]


def test_small_load_has_no_error_and_identical_answers(assistant, index_dir) -> None:
    # 5 × 10 (not the 20 × 50 of the full run) keeps this under a minute on 2 shared cores.
    result = load_test(clients=5, threads=5, per_worker=10, seed=index_dir, progress=lambda _m: None)
    runs = {r["run"]: r for r in result["runs"]}
    assert set(runs) == {"single thread (reference)", "5 threads on one Assistant", "5 gradio_client clients on app.py"}
    for name, run in runs.items():
        assert run["errors"] == 0 and run["mismatches"] == 0, (name, result["examples"][name])
        assert run["answered"] == run["requests"]
        assert run["p50_ms"] is not None and run["p95_ms"] >= run["p50_ms"] and run["throughput_qps"] > 0
    assert runs["5 threads on one Assistant"]["requests"] == 50
    assert result["ok"] is True
