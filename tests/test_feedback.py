"""qa.feedback: one JSON line per vote, nothing lost or torn under concurrent writers."""

from __future__ import annotations

import json
import threading

import pytest

from qa.feedback import append_feedback, feedback_record

ANSWER = {
    "question": "旅券発行件数は？",
    "text": "令和2年の旅券発行件数は13,062件です。",
    "abstained": False,
    "figures": [{"label": "旅券発行件数", "value": "13062", "unit": "件", "raw": "13,062件"}],
    "citations": [{"doc": "r.md", "section_path": ["(4) 旅券発給"], "lines": [532, 532], "text": "…"}],
    "elapsed_ms": 12.5,
}


def test_record_holds_time_question_answer_figures_citations_and_vote(tmp_path):
    path = tmp_path / "deep" / "folder" / "feedback.jsonl"  # parents are created
    append_feedback(path, feedback_record(ANSWER, "down"))
    raw = path.read_text(encoding="utf-8")
    assert "旅券発行件数" in raw  # ensure_ascii=False: readable Japanese
    record = json.loads(raw)
    assert record["vote"] == "down"
    assert record["question"] == ANSWER["question"]
    assert record["answer"] == ANSWER["text"]
    assert record["figures"] == ANSWER["figures"]
    assert record["citations"] == ANSWER["citations"]
    assert record["time"][:2] == "20"


def test_time_is_added_when_missing(tmp_path):
    append_feedback(tmp_path / "f.jsonl", {"vote": "up"})
    assert set(json.loads((tmp_path / "f.jsonl").read_text())) == {"time", "vote"}


@pytest.mark.parametrize("vote", ["", "like", None])
def test_vote_must_be_up_or_down(vote):
    with pytest.raises(ValueError):
        feedback_record(ANSWER, vote)


def test_concurrent_writers_lose_no_line(tmp_path):
    path = tmp_path / "feedback.jsonl"
    threads, writes = 20, 25
    # Lines well above PIPE_BUF (4096 bytes), where O_APPEND alone would not keep writes whole.
    padding = "旅券" * 3000

    def writer(t: int) -> None:
        for w in range(writes):
            append_feedback(path, {"vote": "up", "id": f"{t}-{w}", "text": padding})

    pool = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == threads * writes
    ids = {json.loads(line)["id"] for line in lines}
    assert ids == {f"{t}-{w}" for t in range(threads) for w in range(writes)}
