"""One settings object, read from QA_* environment variables (documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

# Host names that always mean this machine; the server listens on loopback unless QA_HOST says otherwise.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

ENV = {
    "QA_CORPUS_DIR": "corpus_dir",
    "QA_INDEX_DIR": "index_dir",
    "QA_EMBED_MODEL": "embed_model",
    "QA_EMBED_DEVICE": "embed_device",
    "QA_QUERY_PROMPT": "query_prompt",
    "QA_PASSAGE_PROMPT": "passage_prompt",
    "QA_TOP_K": "top_k",
    "QA_DENSE_WEIGHT": "dense_weight",
    "QA_HOST": "host",
    "QA_PORT": "port",
    "QA_AUTH": "auth",
    "QA_FEEDBACK_LOG": "feedback_log",
    "QA_ALLOWED_HOSTS": "allowed_hosts",
    "QA_RATE_LIMIT": "rate_limit",
    "QA_LOGIN_DELAY": "login_delay",
}
# What to write instead, per setting, when a value is refused.
_HINTS = {
    "top_k": "1 から 50 までの整数を指定してください",
    "dense_weight": "0 から 1 までの数を指定してください（例: 0.6）",
    "port": "1 から 65535 までの整数を指定してください（例: 7860）",
    "rate_limit": "1 分あたりの回数を 0 以上の整数で指定してください（0 で無効）",
    "login_delay": "秒数を 0 以上の数で指定してください（例: 1）",
    "embed_device": "auto、cpu、cuda または cuda:0 のように指定してください",
}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    embed_model: str | None = None  # None: the bundled e5-small; else a sentence-transformers folder
    # Where a sentence-transformers model runs: auto = cuda when torch sees a GPU, else cpu. The bundled
    # model always runs on the CPU (its engine and the onnxruntime build route).
    embed_device: str = Field(default="auto", pattern=r"^(auto|cpu|cuda(:[0-9]+)?)$")
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    top_k: int = Field(default=5, ge=1, le=50)
    dense_weight: float = Field(default=0.6, ge=0.0, le=1.0)
    max_question_chars: int = 1000
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    auth: str | None = None  # "user:pass[,user2:pass2]"
    feedback_log: Path | None = None  # default: index_dir / "feedback.jsonl"
    allowed_hosts: tuple[str, ...] = ()  # Host header names accepted besides this machine's; "*": any
    rate_limit: int | None = Field(default=None, ge=0)  # requests a minute per client; None: automatic
    login_delay: float = Field(default=1.0, ge=0.0)  # seconds after a first failed login, doubling

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from QA_* variables (unset or empty variables keep the defaults).

        A value that does not fit raises ConfigError: one line naming the variable and what to write instead.
        """
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {field: env[var] for var, field in ENV.items() if env.get(var)}
        if isinstance(values.get("allowed_hosts"), str):
            values["allowed_hosts"] = tuple(h.strip() for h in str(values["allowed_hosts"]).split(",") if h.strip())
        values.update(overrides)
        try:
            return cls(**values)
        except ValidationError as err:
            raise _config_error(err, env, overrides) from None

    @property
    def feedback_path(self) -> Path:
        return self.feedback_log or self.index_dir / "feedback.jsonl"

    @property
    def on_loopback(self) -> bool:
        """True when the server listens on this machine only."""
        return self.host in LOOPBACK or self.host.startswith("127.")

    @property
    def requests_per_minute(self) -> int:
        """The per-client rate limit in force: QA_RATE_LIMIT, else off on loopback and 60 beyond it."""
        if self.rate_limit is not None:
            return self.rate_limit
        return 0 if self.on_loopback else 60


def _config_error(err: ValidationError, env: dict[str, str], overrides: dict[str, object]) -> ConfigError:
    first = err.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else ""
    var = next((v for v, f in ENV.items() if f == field), field)
    if var == "QA_AUTH":  # never echo a password
        where = var
    elif field in overrides or var not in env:
        where = f"{field}={overrides.get(field)!r}"
    else:
        where = f"{var}={env[var]!r}"
    hint = _HINTS.get(field, "README の設定の表を見て直してください")
    return ConfigError(f"{where} は使えません（{first['msg']}）。{hint}")
