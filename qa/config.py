"""One settings object, read from QA_* environment variables (documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    embed_model: str | None = None  # None: the bundled e5-small; else a sentence-transformers folder
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    top_k: int = Field(default=5, ge=1, le=50)
    dense_weight: float = Field(default=0.6, ge=0.0, le=1.0)
    max_question_chars: int = 1000
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:pass[,user2:pass2]"
    feedback_log: Path | None = None  # default: index_dir / "feedback.jsonl"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from QA_* variables (unset or empty variables keep the defaults)."""
        env = dict(os.environ if env is None else env)
        names = {
            "QA_CORPUS_DIR": "corpus_dir",
            "QA_INDEX_DIR": "index_dir",
            "QA_EMBED_MODEL": "embed_model",
            "QA_QUERY_PROMPT": "query_prompt",
            "QA_PASSAGE_PROMPT": "passage_prompt",
            "QA_TOP_K": "top_k",
            "QA_DENSE_WEIGHT": "dense_weight",
            "QA_HOST": "host",
            "QA_PORT": "port",
            "QA_AUTH": "auth",
            "QA_FEEDBACK_LOG": "feedback_log",
        }
        values: dict[str, object] = {field: env[var] for var, field in names.items() if env.get(var)}
        values.update(overrides)
        return cls(**values)

    @property
    def feedback_path(self) -> Path:
        return self.feedback_log or self.index_dir / "feedback.jsonl"
