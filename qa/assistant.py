"""The facade: `Assistant.load()` then `ask(question, history)` → Answer (the JSON contract)."""

from __future__ import annotations

import re
import threading
import time
import unicodedata

from qa.analyze import analyze
from qa.answer import Answerer
from qa.config import Settings
from qa.errors import InvalidQuestion
from qa.index import Index, load_index, stale_reason
from qa.models import Answer, Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_question(question: object, limit: int = 1000) -> str:
    """The question with control characters removed, or InvalidQuestion with a message to show."""
    if not isinstance(question, str):
        raise InvalidQuestion("質問は文字列で入力してください")
    text = _CONTROL.sub("", question).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs")  # lone surrogates
    text = text.strip()
    if not text:
        raise InvalidQuestion("質問を入力してください")
    if len(text) > limit:
        raise InvalidQuestion(f"質問が長すぎます（{len(text):,}文字）。{limit:,}文字以内で入力してください")
    return text


class Assistant:
    """Loads (or builds) the index once and answers questions; safe to share between threads."""

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self._index = index
        self._answerer = Answerer(index, settings.dense_weight, settings.top_k)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings | None = None, rebuild: bool = True) -> Assistant:
        """An assistant over the current corpus; the index is rebuilt first when stale (unless rebuild=False)."""
        settings = settings or Settings.from_env()
        return cls(settings, load_index(settings, rebuild=rebuild))

    @property
    def documents(self) -> list[Document]:
        return self._index.documents

    @property
    def index(self) -> Index:
        return self._index

    def refresh(self) -> bool:
        """Rebuild and swap in a new index when the corpus changed; True if it did. Requests keep running."""
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

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Answer one question (history: earlier questions of the conversation, oldest first)."""
        start = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        earlier = []
        for h in history or []:
            try:
                earlier.append(clean_question(h, self.settings.max_question_chars))
            except InvalidQuestion:
                continue
        answerer = self._answerer
        answer = answerer.answer(analyze(text, earlier[-5:]))
        answer.question = text
        answer.elapsed_ms = round((time.perf_counter() - start) * 1000, 2)
        return answer
