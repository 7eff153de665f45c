"""The operators' 👍/👎 log: one JSON object per line, safe with several server threads or processes writing."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Vote = Literal["up", "down"]


def feedback_record(answer: dict[str, Any], vote: Vote) -> dict[str, Any]:
    """A log record for a vote on an answer given as the Answer JSON contract."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    return {
        "time": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "vote": vote,
        "question": answer.get("question", ""),
        "answer": answer.get("text", ""),
        "abstained": answer.get("abstained", False),
        "figures": answer.get("figures", []),
        "citations": answer.get("citations", []),
    }


def append_feedback(path: Path | str, record: dict[str, Any]) -> None:
    """Append `record` as one JSON line to `path` (parent folders created; "time" added when missing)."""
    if "time" not in record:
        record = {"time": datetime.now(UTC).astimezone().isoformat(timespec="seconds"), **record}
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND makes each write land at the current end of file; the lock keeps a long line from
    # interleaving with another writer's (O_APPEND alone guarantees that only up to PIPE_BUF bytes on
    # some filesystems), and covers the rare short write that needs a second os.write.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
