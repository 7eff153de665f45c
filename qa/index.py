"""Build, save, load and check `index/`: FAISS + BM25 over chunks and facts, as plain files plus a manifest.

index/
  faiss.index      IndexFlatIP over L2-normalised vectors: rows 0..C-1 chunks, C..C+F-1 facts; written by
                   FAISS, served as the float32 matrix it holds (`qa.index_files.FlatVectors`)
  bm25/            bm25s arrays (.npy, no pickle) and JSON vocabulary over the same texts' tokens; written by
                   bm25s, served with numpy alone (`qa.index_files.SavedBM25`)
  chunks.jsonl     one Chunk per line (ensure_ascii=False)
  facts.jsonl      one Fact per line
  manifest.json    a `qa.models.Manifest`: sha256 of every corpus file and of every artifact above, the
                   embedding model's weights (a checksum), dimension and passage prompt, the runtime that
                   embedded them (for people, never compared), package and format version, a fingerprint of
                   the package's source and the libraries that shape the index, build time
  model/           the weights' checksums and the onnxruntime graph of the bundled model (made once)
  .lock            flock: held exclusively only while a build moves its files into place, shared by readers
  .build.lock      flock: held exclusively by a builder for the whole build (one build at a time)

Loading compares the manifest with the corpus, the model's weights and the code; anything stale, missing or
damaged is rebuilt (or refused with --no-rebuild). The weights, not the runtime, name the model: an index
built by onnxruntime or by sentence-transformers on a GPU from the exported folder is served by the bundled
engine without a rebuild, and the reverse. Artifacts are written to a temporary folder and
moved into place with the manifest last, so a crash mid-write leaves a manifest that no longer matches
and the next load rebuilds. A reader holds `.lock` shared while it checks and reads, so it never sees a
build half moved into place; it does not wait for a build's parsing and embedding (tens of seconds with
the real model), only for the move. A folder that cannot be written is an IndexFolderError naming it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from qa import __version__
from qa.chunk import chunk_document
from qa.config import Settings
from qa.embed import MODEL_CACHE, Embedder, build_encoder, load_embedder, weights_id
from qa.errors import IndexFolderError, StaleIndex
from qa.facts import extract_facts
from qa.index_files import FlatVectors, SavedBM25
from qa.model_weights import file_sha256
from qa.models import Chunk, Document, EmbedderId, Fact, IndexCounts, IndexedDocument, Manifest
from qa.parse import corpus_files, load_corpus
from qa.tokenize import tokens

log = logging.getLogger(__name__)

FORMAT = 4  # 3: the manifest names the model by its weights' checksum; 4: facts carry `when`, a Period
ARTIFACTS = ("faiss.index", "chunks.jsonl", "facts.jsonl")
BM25_DIR = "bm25"
LOCK = ".lock"
BUILD_LOCK = ".build.lock"
# The libraries whose behaviour is baked into the files: a changed tokenizer or BM25 makes an index built
# before it wrong even though the corpus and the package did not change. The package's own code is hashed
# whole (`code_fingerprint`), so no list of its modules can fall behind the code.
_SHAPING_LIBRARIES = ("bm25s", "fugashi", "unidic-lite", "faiss-cpu")
PACKAGE = Path(__file__).resolve().parent


def indexed_texts(chunks: Sequence[Chunk], facts: Sequence[Fact]) -> list[str]:
    """The texts the index embeds and BM25 scores, in row order: every chunk, then every fact's sentence.

    Row i of faiss.index and of the BM25 matrix is text i; a fact is indexed by its short sentence (the
    deepest heading only), which e5 embeds twice as fast as the full breadcrumb.
    """
    return [c.text for c in chunks] + [f.sentence(full_path=False) for f in facts]


@dataclass(frozen=True)
class Index:
    """Everything search and answer need, in memory."""

    documents: list[Document]
    chunks: list[Chunk]
    facts: list[Fact]
    faiss: FlatVectors | None  # faiss.index's vectors, chunks then facts; None when no dense model can load
    bm25: SavedBM25
    embedder: Embedder | None
    manifest: Manifest
    warnings: list[str]

    @cached_property
    def texts(self) -> list[str]:
        """`indexed_texts` of this index: text i is row i of `faiss` and of `bm25`."""
        return indexed_texts(self.chunks, self.facts)


def _corpus_digest(path: Path) -> str:
    # An unreadable file is skipped by load_corpus with a warning; it must not crash the build here.
    # Its marker changes into a digest once it becomes readable, which makes the index stale.
    try:
        return file_sha256(path)
    except OSError as err:
        return f"unreadable:{err.errno}"


def corpus_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 of every file under the corpus folder (what a rebuild depends on)."""
    if not corpus_dir.is_dir():
        return {}
    return {p.relative_to(corpus_dir).as_posix(): _corpus_digest(p) for p in corpus_files(corpus_dir)[0]}


def _embedder_id(settings: Settings, embedder: Embedder | None) -> EmbedderId:
    """What the vectors depend on: the weights (a checksum), their dimension and the passage prompt."""
    if embedder is None:
        return EmbedderId(weights=None, dim=0, prompt=None)
    return EmbedderId(weights=weights_id(embedder, settings.index_dir / MODEL_CACHE), dim=embedder.dim,
                      prompt=getattr(embedder, "passage_prompt", ""))


def _short(weights: object) -> str:
    return f"{weights[:19]}…" if isinstance(weights, str) and len(weights) > 20 else str(weights)


def package_digest(package: Path = PACKAGE) -> str:
    """sha256 over every source and data file of the package (path and bytes), in path order.

    The whole package, not a list of the modules that shape the index: a list falls behind when a module
    is added or split, and a stale index then answers from the old code's facts. A change that does not
    touch the files costs a rebuild that reuses every vector (a few seconds).
    """
    h = hashlib.sha256()
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".json"}
                   and "__pycache__" not in p.parts)
    for p in files:
        h.update(p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@cache
def _running_package_digest() -> str:
    # Once per process: the code that runs is the code that was imported, even if the files change later.
    return package_digest()


def code_fingerprint() -> str:
    """sha256 over the package's source and the versions of the libraries that shape the index."""
    from importlib import metadata

    h = hashlib.sha256()
    h.update(_running_package_digest().encode() + b"\0")
    for lib in _SHAPING_LIBRARIES:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}=={version}\0".encode())
    return h.hexdigest()


def _changed_files(old: object, new: dict[str, str]) -> str:
    old = old if isinstance(old, dict) else {}
    names = sorted(set(old) | set(new))
    changed = [n for n in names if old.get(n) != new.get(n)]
    shown = "、".join(changed[:3]) + (f" ほか{len(changed) - 3}件" if len(changed) > 3 else "")
    return shown


def stale_reason(settings: Settings, embedder: Embedder | None) -> str | None:
    """Why the index on disk cannot be used as it is, or None when it matches corpus, model and code."""
    d = settings.index_dir
    manifest_path = d / "manifest.json"
    if not manifest_path.is_file():
        return f"{manifest_path} がありません"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{manifest_path} を読めません"
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    # A hand-edited or foreign manifest must not skip checks: every artifact must be listed with a digest.
    if not isinstance(artifacts, dict) or not all(name in artifacts for name in ARTIFACTS) or not any(
        name.startswith(f"{BM25_DIR}/") for name in artifacts
    ):
        return f"{manifest_path} を読めません（形式が違います）"
    # The format says what the rest of the record looks like: checked before the record is read as one.
    if manifest.get("format") != FORMAT or manifest.get("version") != __version__:
        return f"{manifest_path} は別のバージョン ({manifest.get('version')}) のものです"
    try:
        m = Manifest.model_validate(manifest)
    except ValidationError:
        return f"{manifest_path} を読めません（形式が違います）"
    current = _embedder_id(settings, embedder)
    if m.embedder != current:
        built = m.built_with or "?"
        if m.embedder.weights != current.weights:
            return (f"{manifest_path} は別の埋め込みモデルの重み ({_short(m.embedder.weights)}、{built} で作成) の"
                    f"ものです。今のモデル ({embedder.name if embedder else 'なし'}) の重みは "
                    f"{_short(current.weights)} です。同じ重みのモデルを QA_EMBED_MODEL に指定すれば"
                    "作り直さずに使えます")
        return (f"{manifest_path} は別の埋め込みモデルの設定 (次元 {m.embedder.dim}、接頭辞 {m.embedder.prompt!r}) "
                "のものです")
    if m.code != code_fingerprint():
        return "インデックスを作るコード（トークナイザ、チャンク分割など）が変わりました"
    corpus = corpus_hashes(settings.corpus_dir)
    if m.corpus != corpus:
        return f"コーパスが変更されています: {_changed_files(m.corpus, corpus)}"
    for name, digest in m.artifacts.items():
        path = d / name
        if not path.is_file():
            return f"{path} がありません"
        if file_sha256(path) != digest:
            return f"{path} が壊れています（チェックサム不一致）"
    return None


def folder_error(index_dir: Path, err: OSError) -> IndexFolderError:
    """The error for an index folder that cannot be created or written (read-only, a file, a full disk)."""
    if index_dir.exists() and not index_dir.is_dir():
        reason = "フォルダではなくファイルです"
    else:
        reason = err.strerror or type(err).__name__
    return IndexFolderError(
        f"インデックスのフォルダ {index_dir} に書き込めません（{reason}）。"
        "QA_INDEX_DIR に書き込めるフォルダを指定するか、空き容量と権限を確かめてください"
    )


@contextlib.contextmanager
def _lock(index_dir: Path, exclusive: bool, name: str = LOCK) -> Iterator[None]:
    # Exclusive: a builder (BUILD_LOCK: the second waits, then finds the first one's index fresh) or a build
    # moving its files into place (LOCK: readers would see them half moved); readers share LOCK. The lock
    # files live inside the index folder: next to it would litter the folder that holds it (the repository
    # root, by default).
    try:
        if exclusive:
            index_dir.mkdir(parents=True, exist_ok=True)
        f = (index_dir / name).open("a")
    except OSError as err:
        if exclusive:
            raise folder_error(index_dir, err) from None
        # A read-only or missing index folder: nobody can be building there, read without a lock.
        yield
        return
    with f:
        fcntl.flock(f, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _fresh(settings: Settings, embedder: Embedder | None) -> tuple[Index | None, str]:
    """The index on disk when it is up to date, else None and why (under the shared lock)."""
    with _lock(settings.index_dir, exclusive=False):
        reason = stale_reason(settings, embedder)
        if reason is None:
            try:
                return _read(settings, embedder), ""
            except (OSError, ValueError, RuntimeError) as err:
                # Damaged in a way the checksums did not catch: rebuild.
                reason = str(err)
    return None, reason


def load_index(settings: Settings, rebuild: bool = True, force: bool = False, notice=None) -> Index:
    """The index for the current corpus and embedder, rebuilt first when stale (or StaleIndex)."""
    notice = notice or (lambda msg: print(msg, file=sys.stderr))
    embedder = load_embedder(settings)
    if not force:
        index, reason = _fresh(settings, embedder)
        if index is not None:
            return index
        if not rebuild:
            raise StaleIndex(f"インデックスが使えません: {reason}。`python -m qa build` で再構築してください")
    with _lock(settings.index_dir, exclusive=True, name=BUILD_LOCK):
        if not force:
            # Another process may have rebuilt it while this one waited for the build lock.
            index, reason = _fresh(settings, embedder)
            if index is not None:
                return index
        notice(f"インデックスを再構築します（{'--force' if force else reason}）")
        _remove_leftovers(settings.index_dir)
        build_index(settings, embedder)
        with _lock(settings.index_dir, exclusive=False):
            return _read(settings, embedder)


def _remove_leftovers(index_dir: Path) -> None:
    # A build killed mid-way leaves its temporary folder behind; under the exclusive lock none is live.
    for p in index_dir.glob(".build-*"):
        shutil.rmtree(p, ignore_errors=True)


def _bm25(texts: list[str]):  # type: ignore[no-untyped-def]
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokens(t) or [""] for t in texts], show_progress=False)
    return retriever


def build_index(settings: Settings, embedder: Embedder | None, encoder: Embedder | None = None) -> None:
    """Parse the corpus, extract facts and chunks, embed them and write index/ atomically.

    `encoder` embeds the passages; by default `qa.embed.build_encoder` (the fast route for the bundled
    model). It must hold the same weights as `embedder`, which the index records and queries use.
    Everything is written into a temporary folder without holding `.lock`; only moving the files into
    place takes it, so readers keep answering from the old index while this one embeds.
    """
    documents, warnings = load_corpus(settings.corpus_dir)
    chunks = [c for d in documents for c in chunk_document(d)]
    facts = [f for d in documents for f in extract_facts(d)]
    target = settings.index_dir
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target))
    except OSError as err:
        raise folder_error(target, err) from None
    try:
        _write_artifacts(settings, embedder, tmp, documents, warnings, chunks, facts, encoder)
        with _lock(target, exclusive=True):
            _move_into_place(tmp, target)
    except OSError as err:  # a full disk, a folder made read-only mid-build
        raise folder_error(target, err) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_artifacts(settings: Settings, embedder: Embedder | None, tmp: Path, documents: list[Document],
                     warnings: list[str], chunks: list[Chunk], facts: list[Fact],
                     encoder: Embedder | None = None) -> None:
    """Embed and write every artifact and the manifest that describes them into `tmp`."""
    import faiss

    texts = indexed_texts(chunks, facts)
    built_with = None
    if embedder is not None:
        encoder = encoder or build_encoder(settings, embedder)
        vectors = _embed(encoder, texts, _previous_vectors(settings, embedder))
        built_with = encoder.name
        index = faiss.IndexFlatIP(embedder.dim)  # inner product = cosine on normalised vectors
        index.add(vectors)
        faiss.write_index(index, str(tmp / "faiss.index"))
    else:
        (tmp / "faiss.index").write_bytes(b"")
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n")
    with (tmp / "facts.jsonl").open("w", encoding="utf-8") as f:
        for fact in facts:
            f.write(json.dumps(fact.model_dump(mode="json"), ensure_ascii=False) + "\n")
    _bm25(texts).save(str(tmp / BM25_DIR), show_progress=False)
    artifacts = {name: file_sha256(tmp / name) for name in ARTIFACTS}
    for p in sorted((tmp / BM25_DIR).iterdir()):
        artifacts[f"{BM25_DIR}/{p.name}"] = file_sha256(p)
    manifest = Manifest(
        format=FORMAT,
        version=__version__,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        embedder=_embedder_id(settings, embedder),
        built_with=built_with,
        code=code_fingerprint(),
        corpus=corpus_hashes(settings.corpus_dir),
        documents=[IndexedDocument(doc=d.doc, title=d.title, fiscal_year=d.fiscal_year) for d in documents],
        counts=IndexCounts(chunks=len(chunks), facts=len(facts)),
        warnings=warnings,
        artifacts=artifacts,
    )
    (tmp / "manifest.json").write_text(json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=1),
                                       encoding="utf-8")


def _move_into_place(tmp: Path, target: Path) -> None:
    # The manifest goes first and comes back last: a crash in between leaves an index that reads as stale.
    (target / "manifest.json").unlink(missing_ok=True)
    for name in ARTIFACTS:
        os.replace(tmp / name, target / name)
    if (target / BM25_DIR).exists():
        shutil.rmtree(target / BM25_DIR)
    os.replace(tmp / BM25_DIR, target / BM25_DIR)
    os.replace(tmp / "manifest.json", target / "manifest.json")


def _previous_vectors(settings: Settings, embedder: Embedder) -> dict[str, np.ndarray]:
    """text → vector from the index being replaced, when it is intact and from the same model.

    The same weights give the same vector for the same text (whichever runtime embedded it), so a rebuild
    after an edit or a code change embeds only the passages that changed.
    """
    d = settings.index_dir
    try:
        manifest = Manifest.model_validate_json((d / "manifest.json").read_text(encoding="utf-8"))
        if manifest.embedder != _embedder_id(settings, embedder):
            return {}
        for name in ARTIFACTS:
            if file_sha256(d / name) != manifest.artifacts[name]:
                return {}
        chunks = [Chunk.model_validate_json(line) for line in _lines(d / "chunks.jsonl")]
        facts = [Fact.model_validate_json(line) for line in _lines(d / "facts.jsonl")]
        old = FlatVectors.read(d / "faiss.index")
        texts = indexed_texts(chunks, facts)
        if old.ntotal != len(texts) or old.d != embedder.dim:
            return {}
    except Exception:  # noqa: BLE001 - any unusable previous index means: embed everything
        return {}
    return dict(zip(texts, old.vectors))


def _embed(embedder: Embedder, texts: list[str], known: dict[str, np.ndarray] | None = None,
           batch: int = 256) -> np.ndarray:
    # Large slices: the encoder sorts each slice by length and spreads it over the cores; the slice only
    # sets how often the progress bar moves.
    from tqdm import tqdm

    known = known or {}
    todo = list(dict.fromkeys(t for t in texts if t not in known))
    fresh: dict[str, np.ndarray] = {}
    for i in tqdm(range(0, len(todo), batch), desc="埋め込み", unit="batch", file=sys.stderr,
                  disable=not sys.stderr.isatty()):
        part = todo[i : i + batch]
        fresh.update(zip(part, embedder.encode_passages(part)))
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    return np.vstack([fresh[t] if t in fresh else known[t] for t in texts]).astype(np.float32)


def _read(settings: Settings, embedder: Embedder | None) -> Index:
    d = settings.index_dir
    with _naming(d / "manifest.json"):
        manifest = Manifest.model_validate_json((d / "manifest.json").read_text(encoding="utf-8"))
    with _naming(d / "chunks.jsonl"):
        chunks = [Chunk.model_validate_json(line) for line in _lines(d / "chunks.jsonl")]
    with _naming(d / "facts.jsonl"):
        facts = [Fact.model_validate_json(line) for line in _lines(d / "facts.jsonl")]
    n = len(chunks) + len(facts)
    dense = None
    if embedder is not None:
        with _naming(d / "faiss.index"):
            dense = FlatVectors.read(d / "faiss.index")
        if dense.ntotal != n or dense.d != embedder.dim:
            raise ValueError(f"{d / 'faiss.index'} は {dense.ntotal} 件 ({dense.d} 次元) のベクトルを持ちますが、"
                             f"テキストは {n} 件 ({embedder.dim} 次元) です")
    with _naming(d / BM25_DIR):
        bm25 = SavedBM25(d / BM25_DIR)
    if bm25.num_docs != n:
        raise ValueError(f"{d / BM25_DIR} は {bm25.num_docs} 件の文書を持ちますが、テキストは {n} 件です")
    documents, warnings = load_corpus(settings.corpus_dir)
    return Index(documents, chunks, facts, dense, bm25, embedder, manifest, warnings)


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    # pydantic errors run over several lines and do not say which file: one line that does.
    try:
        yield
    except (OSError, ValueError, RuntimeError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ValueError(f"{path} を読めません: {first}") from err


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
