"""Build, save, load and check `index/`: FAISS + BM25 over chunks and facts, as plain files plus a manifest.

index/
  faiss.index      IndexFlatIP over L2-normalised vectors: rows 0..C-1 chunks, C..C+F-1 facts
  bm25/            bm25s arrays (.npy, no pickle) and JSON vocabulary over the same texts' tokens
  chunks.jsonl     one Chunk per line (ensure_ascii=False)
  facts.jsonl      one Fact per line
  manifest.json    sha256 of every corpus file and of every artifact above, embedder name and dimension,
                   package and format version, build time

Loading compares the manifest with the corpus, the embedder and the code; anything stale, missing or
damaged is rebuilt (or refused with --no-rebuild). Artifacts are written to a temporary folder and
moved into place with the manifest last, so a crash mid-write leaves a manifest that no longer matches
and the next load rebuilds.
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import __version__
from qa.chunk import chunk_document
from qa.config import Settings
from qa.embed import Embedder, load_embedder
from qa.errors import StaleIndex
from qa.facts import extract_facts
from qa.models import Chunk, Document, Fact
from qa.parse import load_corpus
from qa.tokenize import tokens

log = logging.getLogger(__name__)

FORMAT = 1
ARTIFACTS = ("faiss.index", "chunks.jsonl", "facts.jsonl")
BM25_DIR = "bm25"


@dataclass
class Index:
    """Everything search and answer need, in memory."""

    documents: list[Document]
    chunks: list[Chunk]
    facts: list[Fact]
    faiss: object | None  # faiss.IndexFlatIP, or None when no dense model can load
    bm25: object  # bm25s.BM25
    embedder: Embedder | None
    manifest: dict
    warnings: list[str]

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.chunks] + [f.sentence() for f in self.facts]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 of every file under the corpus folder (what a rebuild depends on)."""
    if not corpus_dir.is_dir():
        return {}
    return {
        p.relative_to(corpus_dir).as_posix(): _sha256(p)
        for p in sorted(corpus_dir.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    }


def _embedder_id(embedder: Embedder | None) -> dict:
    return {"name": embedder.name, "dim": embedder.dim} if embedder else {"name": None, "dim": 0}


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
    if manifest.get("format") != FORMAT or manifest.get("version") != __version__:
        return f"{manifest_path} は別のバージョン ({manifest.get('version')}) のものです"
    if manifest.get("embedder") != _embedder_id(embedder):
        return f"{manifest_path} は別の埋め込みモデル ({manifest.get('embedder', {}).get('name')}) のものです"
    if manifest.get("corpus") != corpus_hashes(settings.corpus_dir):
        return "コーパスが変更されています"
    for name, digest in manifest.get("artifacts", {}).items():
        path = d / name
        if not path.is_file():
            return f"{path} がありません"
        if _sha256(path) != digest:
            return f"{path} が壊れています（チェックサム不一致）"
    return None


@contextlib.contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    # Two processes building at once: the second waits here, then finds the first one's index fresh.
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    with lock_path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def load_index(settings: Settings, rebuild: bool = True, force: bool = False, notice=None) -> Index:
    """The index for the current corpus and embedder, rebuilt first when stale (or StaleIndex)."""
    notice = notice or (lambda msg: print(msg, file=sys.stderr))
    embedder = load_embedder(settings)
    reason = "--force" if force else stale_reason(settings, embedder)
    if reason:
        if not rebuild:
            raise StaleIndex(f"インデックスが使えません: {reason}。`python -m qa build` で再構築してください")
        with _build_lock(settings.index_dir):
            # Another process may have rebuilt it while this one waited for the lock.
            reason = "--force" if force else stale_reason(settings, embedder)
            if reason:
                notice(f"インデックスを再構築します（{reason}）")
                build_index(settings, embedder)
    try:
        return _read(settings, embedder)
    except (OSError, ValueError, RuntimeError) as err:
        # Damaged in a way the checksums did not catch (or changed since): rebuild once.
        if not rebuild:
            raise StaleIndex(f"インデックスを読めません: {err}") from err
        with _build_lock(settings.index_dir):
            notice(f"インデックスを再構築します（{err}）")
            build_index(settings, embedder)
        return _read(settings, embedder)


def _bm25(texts: list[str]):  # type: ignore[no-untyped-def]
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokens(t) or [""] for t in texts], show_progress=False)
    return retriever


def build_index(settings: Settings, embedder: Embedder | None) -> None:
    """Parse the corpus, extract facts and chunks, embed them and write index/ atomically."""
    import faiss

    documents, warnings = load_corpus(settings.corpus_dir)
    chunks = [c for d in documents for c in chunk_document(d)]
    facts = [f for d in documents for f in extract_facts(d)]
    texts = [c.text for c in chunks] + [f.sentence() for f in facts]
    target = settings.index_dir
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target))
    try:
        if embedder is not None:
            vectors = _embed(embedder, texts)
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
        artifacts = {name: _sha256(tmp / name) for name in ARTIFACTS}
        for p in sorted((tmp / BM25_DIR).iterdir()):
            artifacts[f"{BM25_DIR}/{p.name}"] = _sha256(p)
        manifest = {
            "format": FORMAT,
            "version": __version__,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "embedder": _embedder_id(embedder),
            "corpus": corpus_hashes(settings.corpus_dir),
            "documents": [{"doc": d.doc, "title": d.title, "fiscal_year": d.fiscal_year} for d in documents],
            "counts": {"chunks": len(chunks), "facts": len(facts)},
            "warnings": warnings,
            "artifacts": artifacts,
        }
        (target / "manifest.json").unlink(missing_ok=True)  # from here on, a crash means "stale"
        for name in ARTIFACTS:
            os.replace(tmp / name, target / name)
        if (target / BM25_DIR).exists():
            shutil.rmtree(target / BM25_DIR)
        os.replace(tmp / BM25_DIR, target / BM25_DIR)
        manifest_tmp = tmp / "manifest.json"
        manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(manifest_tmp, target / "manifest.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _embed(embedder: Embedder, texts: list[str], batch: int = 16) -> np.ndarray:
    from tqdm import tqdm

    out = []
    for i in tqdm(range(0, len(texts), batch), desc="埋め込み", unit="batch", file=sys.stderr,
                  disable=not sys.stderr.isatty()):
        out.append(embedder.encode_passages(texts[i : i + batch]))
    return np.vstack(out).astype(np.float32) if out else np.zeros((0, embedder.dim), np.float32)


def _read(settings: Settings, embedder: Embedder | None) -> Index:
    import bm25s
    import faiss

    d = settings.index_dir
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    chunks = [Chunk.model_validate_json(line) for line in _lines(d / "chunks.jsonl")]
    facts = [Fact.model_validate_json(line) for line in _lines(d / "facts.jsonl")]
    dense = None
    if embedder is not None:
        dense = faiss.read_index(str(d / "faiss.index"))
        if dense.ntotal != len(chunks) + len(facts) or dense.d != embedder.dim:
            raise ValueError(f"{d / 'faiss.index'} holds {dense.ntotal} vectors for {len(chunks) + len(facts)} texts")
    bm25 = bm25s.BM25.load(str(d / BM25_DIR), load_corpus=False, show_progress=False)
    documents, warnings = load_corpus(settings.corpus_dir)
    return Index(documents, chunks, facts, dense, bm25, embedder, manifest, warnings)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
