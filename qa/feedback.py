"""The operators' 👍/👎 log: one JSON object per line, safe with several server threads or processes writing.

Created readable by its owner only (0600); records are only ever appended."""

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
    # 0600: the log holds what operators typed, which may be personal data (SECURITY.md).
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
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


def flush_feedback(path: Path | str, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], OSError | None]:
    """Append `records` in order; returns those not written (from the first failure on) and that failure.

    The UI keeps what is returned and tries again with the next vote, so a full disk or a log made
    read-only loses no vote while the session lasts.
    """
    for i, record in enumerate(records):
        try:
            append_feedback(path, record)
        except OSError as err:
            return records[i:], err
    return [], None
