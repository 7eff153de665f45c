"""The facade: `Assistant.load()` then `ask(question, history)` → Answer (the JSON contract)."""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from pathlib import Path

from qa.answer import Answerer
from qa.config import Settings
from qa.errors import InvalidQuestion, QAError
from qa.index import Index, load_index, stale_reason
from qa.models import Answer, Document, Fact
from qa.parse import corpus_files

log = logging.getLogger(__name__)

# How often `ask` looks at the corpus files' sizes and modification times (a stat per file, no reading).
CHECK_INTERVAL = 2.0

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


# Earlier questions a follow-up can lean on: only the most recent are read (and cleaned).
MAX_HISTORY = 5
# Raw characters accepted before cleaning, as a multiple of the limit: control characters and padding
# are removed first, so a question may arrive longer than it reads, but not by this much.
RAW_SLACK = 4


def too_long(length: int, limit: int) -> InvalidQuestion:
    return InvalidQuestion(f"質問が長すぎます（{length:,}文字）。{limit:,}文字以内で入力してください")


def clean_question(question: object, limit: int = 1000) -> str:
    """The question with control characters removed, or InvalidQuestion with a message to show."""
    if not isinstance(question, str):
        raise InvalidQuestion("質問は文字列で入力してください")
    # Refused by its raw length before any per-character work: ten million characters used to cost
    # seconds and hundreds of megabytes of copies before they were refused.
    if len(question) > limit * RAW_SLACK:
        raise too_long(len(question), limit)
    text = _CONTROL.sub("", question).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs")  # lone surrogates
    text = text.strip()
    if not text:
        raise InvalidQuestion("質問を入力してください")
    if len(text) > limit:
        raise too_long(len(text), limit)
    return text


def corpus_signature(corpus_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime_ns) of every file the index depends on: cheap enough to take on every question."""
    out = []
    for p in corpus_files(corpus_dir)[0]:
        try:
            st = p.stat()
        except OSError:  # removed between the listing and the stat
            continue
        out.append((p.relative_to(corpus_dir).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(out)


class Assistant:
    """Loads (or builds) the index once and answers questions; safe to share between threads.

    `ask` notices a changed corpus by itself: at most every CHECK_INTERVAL seconds it compares the corpus
    files' sizes and mtimes with those it last saw, and when they differ the question that noticed
    rebuilds the index (`refresh`) and is answered from the new one. Questions asked meanwhile from other
    threads are answered from the old index; none waits for the build or fails because of it.
    """

    check_interval = CHECK_INTERVAL

    def __init__(self, settings: Settings, index: Index, auto_refresh: bool = True) -> None:
        self.settings = settings
        self.auto_refresh = auto_refresh  # False under --no-rebuild: never build behind the user's back
        self._index = index
        self._answerer = Answerer(index, settings.dense_weight, settings.top_k)
        self._lock = threading.Lock()  # one rebuild at a time
        self._check_lock = threading.Lock()  # one corpus check at a time
        self._signature = corpus_signature(settings.corpus_dir)
        self._checked = time.monotonic()

    @classmethod
    def load(cls, settings: Settings | None = None, rebuild: bool = True) -> Assistant:
        """An assistant over the current corpus; the index is rebuilt first when stale (unless rebuild=False)."""
        settings = settings or Settings.from_env()
        return cls(settings, load_index(settings, rebuild=rebuild), auto_refresh=rebuild)

    @property
    def documents(self) -> list[Document]:
        return self._index.documents

    @property
    def index(self) -> Index:
        return self._index

    @property
    def facts(self) -> list[Fact]:
        """Every figure of the loaded reports (the 報告書 tab's table and its CSV)."""
        return self._index.facts

    def refresh(self) -> bool:
        """Rebuild and swap in a new index when the corpus changed; True if it did. Requests keep running."""
        self._signature = corpus_signature(self.settings.corpus_dir)  # what this refresh has seen
        if stale_reason(self.settings, self._index.embedder) is None:
            return False
        with self._lock:
            if stale_reason(self.settings, self._index.embedder) is None:
                return False
            index = load_index(self.settings)
            answerer = Answerer(index, self.settings.dense_weight, self.settings.top_k)
            # One assignment each: a request in flight keeps the answerer it started with.
            self._index, self._answerer = index, answerer
        return True

    def _notice_changes(self) -> None:
        """Rebuild when the corpus files changed since the last look (throttled; never raises)."""
        now = time.monotonic()
        if not self.auto_refresh or now - self._checked < self.check_interval:
            return
        # Non-blocking: while one thread checks or rebuilds, the others answer from the current index.
        if not self._check_lock.acquire(blocking=False):
            return
        try:
            if now - self._checked < self.check_interval:
                return
            if corpus_signature(self.settings.corpus_dir) != self._signature:
                # refresh() records the new signature before it builds, so a failed rebuild is not retried
                # on every question: the next attempt comes with the next change (or the reload button).
                try:
                    self.refresh()
                except QAError as err:
                    log.warning("コーパスの変更を読み込めませんでした（以前の索引で回答を続けます）: %s", err)
                except Exception:  # a question must not fail because a rebuild did
                    log.exception("索引の再構築に失敗しました（以前の索引で回答を続けます）")
            self._checked = time.monotonic()
        finally:
            self._check_lock.release()

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Answer one question (history: earlier questions of the conversation, oldest first)."""
        start = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        earlier = []
        # Sliced before cleaning: a client may send any number of earlier questions; only these are read.
        for h in (history or [])[-MAX_HISTORY:]:
            try:
                earlier.append(clean_question(h, self.settings.max_question_chars))
            except InvalidQuestion:
                continue
        self._notice_changes()
        answerer = self._answerer
        answer = answerer.ask(text, earlier)
        answer.question = text
        answer.elapsed_ms = round((time.perf_counter() - start) * 1000, 2)
        return answer
