"""qa.index: the plain files, the manifest, staleness, damage, --no-rebuild, no pickle, concurrent builds.

The hash embedder keeps these fast; the real model's index is covered by tests/test_search.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import qa
import qa.index
from qa.config import Settings
from qa.embed import HashEmbedder
from qa.errors import IndexFolderError, StaleIndex
from qa.index import ARTIFACTS, load_index, stale_reason
from qa.models import Chunk, Fact

from conftest import hash_settings

REPO = Path(__file__).resolve().parent.parent
REBUILD = "インデックスを再構築します"
# What the manifest records of the hash embedder: it has no weights, so its name stands for them.
HASH_ID = {"weights": "hash-bigram-256", "dim": 256, "prompt": ""}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_qa(*args: str, settings: Settings, timeout: float = 600, unprivileged: bool = False
           ) -> subprocess.CompletedProcess[str]:
    """`python -m qa ARGS` on the settings' folders with the hash embedder, no other QA_* variables.

    unprivileged: as user nobody when the tests run as root (root writes into read-only folders).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(PYTHONPATH=str(REPO), QA_EMBED_MODEL="hash", QA_INDEX_DIR=str(settings.index_dir),
               QA_CORPUS_DIR=str(settings.corpus_dir))
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if unprivileged and os.geteuid() == 0 else []
    return subprocess.run([*drop, sys.executable, "-m", "qa", *args], check=False,
                          cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def rebuild_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if REBUILD in line]


@pytest.fixture
def settings(hash_copy: Settings) -> Settings:
    return hash_copy


@pytest.fixture
def report(settings: Settings) -> Path:
    return settings.corpus_dir / "gunma_r2_chiji_senryaku.md"


def load(settings: Settings, **kwargs: object) -> tuple[qa.index.Index, list[str]]:
    notices: list[str] = []
    index = load_index(settings, notice=notices.append, **kwargs)  # type: ignore[arg-type]
    return index, notices


# --- what a build writes -------------------------------------------------------------------------------


def test_build_writes_plain_files_and_a_manifest(settings: Settings) -> None:
    d = settings.index_dir
    for name in ARTIFACTS + ("manifest.json",):
        assert (d / name).is_file(), name
    bm25_files = sorted(p.name for p in (d / "bm25").iterdir())
    assert bm25_files and all(n.endswith((".npy", ".json")) for n in bm25_files), bm25_files

    # JSON Lines with the Japanese readable (ensure_ascii=False), each line a valid record.
    for name, model in (("chunks.jsonl", Chunk), ("facts.jsonl", Fact)):
        raw = (d / name).read_text(encoding="utf-8")
        assert "知事戦略" in raw and "\\u" not in raw, name
        records = [model.model_validate_json(line) for line in raw.splitlines()]
        assert records, name
    chunks = (d / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    facts = (d / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    assert any("旅券発行件数" in line and "13,062件" in line for line in facts)

    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    corpus_files = sorted(p for p in settings.corpus_dir.iterdir() if p.is_file())
    assert manifest["corpus"] == {p.name: sha256(p) for p in corpus_files}
    assert manifest["embedder"] == HASH_ID
    assert manifest["version"] == qa.__version__
    assert manifest["format"] == qa.index.FORMAT
    assert manifest["code"] == qa.index.code_fingerprint()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", manifest["built_at"])
    assert manifest["counts"] == {"chunks": len(chunks), "facts": len(facts)}
    assert manifest["artifacts"] == {
        name: sha256(d / name) for name in [*ARTIFACTS, *(f"bm25/{n}" for n in bm25_files)]
    }

    import faiss

    vectors = faiss.read_index(str(d / "faiss.index"))
    assert (vectors.ntotal, vectors.d) == (len(chunks) + len(facts), 256)
    assert stale_reason(settings, HashEmbedder()) is None


def test_index_folder_holds_no_pickle_and_no_stray_files(settings: Settings) -> None:
    d = settings.index_dir
    names = {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()}
    expected = {*ARTIFACTS, "manifest.json", ".lock", ".build.lock"} | {n for n in names if n.startswith("bm25/")}
    assert names == expected
    for p in (d / "bm25").glob("*.npy"):
        np.load(p, allow_pickle=False)  # raises on an object (pickled) array


def test_package_source_uses_no_pickle() -> None:
    pattern = re.compile(r"import (c?pickle|joblib|dill|cloudpickle)|pickle\.load|allow_pickle\s*=\s*True|torch\.load")
    offenders = [
        f"{p.relative_to(REPO)}:{n}"
        for p in sorted((REPO / "qa").rglob("*.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_lock_file_stays_inside_the_index_folder(settings: Settings) -> None:
    load(settings, force=True)
    assert not list(settings.index_dir.parent.glob(".*lock*"))


# --- reuse and staleness ---------------------------------------------------------------------------------


def test_second_load_does_not_rebuild(settings: Settings) -> None:
    d = settings.index_dir
    before = {p: (p.stat().st_mtime_ns, sha256(p)) for p in d.rglob("*") if p.is_file() and not p.name.endswith(".lock")}
    first, notices = load(settings)
    second, notices_again = load(settings)
    assert notices == notices_again == []
    assert first.manifest.built_at == second.manifest.built_at
    assert {p: (p.stat().st_mtime_ns, sha256(p)) for p in before} == before
    assert len(second.chunks) == second.manifest.counts.chunks


def test_cli_search_on_a_fresh_index_does_not_rebuild(settings: Settings) -> None:
    result = run_qa("search", "旅券", "-k", "1", settings=settings)
    assert result.returncode == 0, result.stderr
    assert rebuild_lines(result.stderr) == []


def test_changed_corpus_file_rebuilds_with_a_one_line_notice(settings: Settings, report: Path) -> None:
    report.write_text(report.read_text(encoding="utf-8") + "\n追記された一文。\n", encoding="utf-8")
    index, notices = load(settings)
    assert len(notices) == 1 and "\n" not in notices[0]
    assert REBUILD in notices[0] and "コーパスが変更されています" in notices[0] and report.name in notices[0]
    assert index.manifest.corpus[report.name] == sha256(report)
    assert load(settings)[1] == []


def test_added_corpus_file_rebuilds(settings: Settings) -> None:
    (settings.corpus_dir / "extra.md").write_text("# 追加の報告\n\n本文。\n", encoding="utf-8")
    index, notices = load(settings)
    assert len(notices) == 1 and "extra.md" in notices[0]
    assert "extra.md" in index.manifest.corpus


def test_cli_search_rebuilds_after_a_corpus_change(settings: Settings, report: Path) -> None:
    text = report.read_text(encoding="utf-8").replace("13,062件", "13,063件")
    report.write_text(text, encoding="utf-8")
    result = run_qa("search", "旅券発行件数", "-k", "3", "--json", settings=settings)
    assert result.returncode == 0, result.stderr
    notices = rebuild_lines(result.stderr)
    assert len(notices) == 1 and report.name in notices[0], result.stderr
    assert "13,063件" in result.stdout
    again = run_qa("search", "旅券発行件数", "-k", "1", settings=settings)
    assert again.returncode == 0 and rebuild_lines(again.stderr) == []


def test_changed_index_code_rebuilds(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new tokenizer or chunker makes an old index wrong although corpus and version are unchanged.
    monkeypatch.setattr(qa.index, "code_fingerprint", lambda: "another tokenizer")
    assert "コード" in (stale_reason(settings, HashEmbedder()) or "")
    _, notices = load(settings)
    assert len(notices) == 1


def test_the_code_fingerprint_covers_every_module_of_the_package(tmp_path: Path) -> None:
    """Not a list of modules that can fall behind: any source or data file of qa/, new or edited, counts."""
    copy = tmp_path / "qa"
    shutil.copytree(REPO / "qa", copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = qa.index.package_digest(copy)
    assert before == qa.index.package_digest(REPO / "qa")
    changes = [
        lambda: (copy / "ops" / "count.py").write_text("# an edit deep in the package\n", encoding="utf-8"),
        lambda: (copy / "new_stage.py").write_text("", encoding="utf-8"),
        lambda: (copy / "data" / "lexicon.json").write_text("{}", encoding="utf-8"),
    ]
    seen = {before}
    for change in changes:
        change()
        seen.add(qa.index.package_digest(copy))
    assert len(seen) == 1 + len(changes)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")  # not source: ignored
    assert qa.index.package_digest(copy) in seen


def test_the_manifest_on_disk_is_a_manifest_record(settings: Settings) -> None:
    from qa.models import Manifest

    path = settings.index_dir / "manifest.json"
    m = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    assert m.format == qa.index.FORMAT and m.embedder.model_dump() == HASH_ID
    assert json.loads(path.read_text(encoding="utf-8")) == m.model_dump(mode="json")
    index, _ = load(settings)
    assert index.manifest == m
    assert index.texts == qa.index.indexed_texts(index.chunks, index.facts)
    assert len(index.texts) == m.counts.chunks + m.counts.facts


# --- damage ------------------------------------------------------------------------------------------------


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGE = [
    ("faiss.index", corrupt),
    ("faiss.index", truncate),
    ("chunks.jsonl", truncate),
    ("facts.jsonl", truncate),
    ("bm25/vocab.index.json", corrupt),
    ("bm25/data.csc.index.npy", truncate),
    ("chunks.jsonl", Path.unlink),
    ("bm25/params.index.json", Path.unlink),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[f"{n}-{d.__name__}" for n, d in DAMAGE])
def test_damaged_artifact_is_rebuilt(settings: Settings, name: str, damage) -> None:  # type: ignore[no-untyped-def]
    damage(settings.index_dir / name)
    index, notices = load(settings)
    assert len(notices) == 1 and name in notices[0], notices
    assert stale_reason(settings, HashEmbedder()) is None
    assert index.faiss.ntotal == len(index.chunks) + len(index.facts)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["faiss.index", "chunks.jsonl"])
def test_damaged_artifact_with_no_rebuild_names_the_file_and_exits_4(settings: Settings, name: str) -> None:
    (corrupt if name == "faiss.index" else truncate)(settings.index_dir / name)
    result = run_qa("search", "旅券", "--no-rebuild", settings=settings)
    assert result.returncode == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(settings.index_dir / name) in lines[0] and "python -m qa build" in lines[0]
    assert result.stdout == ""
    with pytest.raises(StaleIndex, match=re.escape(name)):
        load(settings, rebuild=False)


def test_missing_index_with_no_rebuild_exits_4(tmp_path: Path) -> None:
    settings = Settings.from_env(embed_model="hash", index_dir=tmp_path / "index", corpus_dir=REPO / "corpus")
    result = run_qa("search", "旅券", "--no-rebuild", settings=settings)
    assert result.returncode == 4 and "manifest.json" in result.stderr, result.stderr


def test_damage_the_checksums_miss_is_named_and_rebuilt(settings: Settings) -> None:
    # A chunks.jsonl whose digest was recorded but whose records are not valid (written by a bug, say).
    d = settings.index_dir
    (d / "chunks.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    manifest["artifacts"]["chunks.jsonl"] = sha256(d / "chunks.jsonl")
    (d / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StaleIndex) as err:
        load(settings, rebuild=False)
    assert "chunks.jsonl" in str(err.value) and "\n" not in str(err.value)
    index, notices = load(settings)
    assert len(notices) == 1 and "chunks.jsonl" in notices[0] and "\n" not in notices[0]
    assert index.chunks


# --- a manifest from elsewhere ------------------------------------------------------------------------------


def _edit(**changes: object):  # type: ignore[no-untyped-def]
    def edit(manifest: dict) -> object:
        manifest.update(changes)
        return manifest
    return edit


MANIFESTS = [
    ("other weights", _edit(embedder={**HASH_ID, "weights": "sha256:" + "0" * 64}), "埋め込みモデルの重み"),
    ("other dimension", _edit(embedder={**HASH_ID, "dim": 128}), "埋め込みモデル"),
    ("other prompt", _edit(embedder={**HASH_ID, "prompt": "query: "}), "埋め込みモデル"),
    ("format 2 (named the runtime)", _edit(format=2, embedder={"name": "hash-bigram-256", "dim": 256}), "バージョン"),
    ("other version", _edit(version="0.0.1"), "バージョン"),
    ("other format", _edit(format=0), "バージョン"),
    ("other code", _edit(code="0" * 64), "コード"),
    ("no artifacts", lambda m: {k: v for k, v in m.items() if k != "artifacts"}, "manifest.json"),
    ("not an object", lambda m: [m], "manifest.json"),
]


@pytest.mark.parametrize(("case", "edit", "reason"), MANIFESTS, ids=[c for c, _, _ in MANIFESTS])
def test_manifest_from_another_model_or_version_rebuilds(settings: Settings, case: str, edit, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = settings.index_dir / "manifest.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    assert reason in (stale_reason(settings, HashEmbedder()) or "")
    index, notices = load(settings)
    assert len(notices) == 1 and reason in notices[0]
    assert index.manifest.embedder.model_dump() == HASH_ID
    assert stale_reason(settings, HashEmbedder()) is None


def test_unreadable_manifest_rebuilds(settings: Settings) -> None:
    (settings.index_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    _, notices = load(settings)
    assert len(notices) == 1 and "manifest.json" in notices[0]


def test_index_for_another_embedder_is_stale(settings: Settings) -> None:
    assert "埋め込みモデル" in (stale_reason(settings, HashEmbedder(dim=128)) or "")
    assert "埋め込みモデル" in (stale_reason(settings, None) or "")


def test_leftovers_of_a_killed_build_are_removed(settings: Settings) -> None:
    leftover = settings.index_dir / ".build-killed"
    leftover.mkdir()
    (leftover / "faiss.index").write_bytes(b"half")
    load(settings, force=True)
    assert not leftover.exists()


# --- concurrent builds -------------------------------------------------------------------------------------


def test_two_processes_building_at_once_both_succeed(tmp_path: Path) -> None:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = hash_settings(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(PYTHONPATH=str(REPO), QA_EMBED_MODEL="hash", QA_INDEX_DIR=str(settings.index_dir),
               QA_CORPUS_DIR=str(settings.corpus_dir))
    procs = [
        subprocess.Popen([sys.executable, "-m", "qa", "build"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "chunks=" in out
    # The lock serialises them: the first builds, the second waits and then finds the index fresh.
    assert sum(len(rebuild_lines(err)) for _, err in outputs) == 1, [err for _, err in outputs]
    assert stale_reason(settings, HashEmbedder()) is None
    assert not list(settings.index_dir.glob(".build-*"))
    index, notices = load(settings)
    assert notices == [] and index.chunks and index.facts


def test_reader_waits_for_a_build_moving_its_files_into_place(settings: Settings) -> None:
    """A load that starts while another process moves its new index into place reads the finished index."""
    import fcntl

    manifest = settings.index_dir / "manifest.json"
    with (settings.index_dir / ".lock").open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        manifest.rename(manifest.with_suffix(".moving"))  # mid-move: the manifest goes first
        env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
        env.update(PYTHONPATH=str(REPO), QA_EMBED_MODEL="hash", QA_INDEX_DIR=str(settings.index_dir),
                   QA_CORPUS_DIR=str(settings.corpus_dir))
        reader = subprocess.Popen([sys.executable, "-m", "qa", "search", "旅券", "-k", "1", "--no-rebuild"],
                                  cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # not a timing assertion: only gives the reader a chance to reach the lock
        assert reader.poll() is None  # still waiting
        manifest.with_suffix(".moving").rename(manifest)  # the "other process" finishes its move
        fcntl.flock(f, fcntl.LOCK_UN)
    out, err = reader.communicate(timeout=600)
    assert reader.returncode == 0, err
    assert out.strip()


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the passages it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += len(texts)
        return super().encode_passages(texts)


def test_rebuild_embeds_only_changed_texts_and_matches_a_clean_build(settings: Settings, tmp_path: Path) -> None:
    report = settings.corpus_dir / "gunma_r2_chiji_senryaku.md"
    report.write_text(report.read_text(encoding="utf-8").replace("13,062件", "13,063件"), encoding="utf-8")
    counting = CountingEmbedder()
    qa.index.build_index(settings, counting)
    index = load_index(settings, rebuild=False)
    n_texts = len(index.chunks) + len(index.facts)
    assert 0 < counting.passages < n_texts // 10, counting.passages  # only the edited passages
    # The reused vectors are exactly those a build from nothing gives.
    clean = Settings.from_env(embed_model="hash", index_dir=tmp_path / "clean", corpus_dir=settings.corpus_dir)
    fresh = CountingEmbedder()
    qa.index.build_index(clean, fresh)
    rebuilt = load_index(clean, rebuild=False)
    assert fresh.passages == len(set(rebuilt.texts))  # each distinct text once
    assert np.array_equal(index.faiss.vectors, rebuilt.faiss.vectors)


def test_a_reader_does_not_wait_for_another_process_embedding(settings: Settings, monkeypatch) -> None:
    """`ask --no-rebuild` answers from the index on disk while a build embeds; only the final move is locked."""
    import threading

    started, release = threading.Event(), threading.Event()
    real_embed = qa.index._embed

    def slow_embed(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(120)  # a long embedding: the real model takes tens of seconds
        return real_embed(*args, **kwargs)

    monkeypatch.setattr(qa.index, "_embed", slow_embed)
    builder = threading.Thread(target=load_index, args=(settings,), kwargs={"force": True, "notice": print})
    builder.start()
    try:
        assert started.wait(120)
        # Another process: it used to block on the lock until the embedding ended (27 s with e5).
        run = run_qa("ask", "旅券発行件数は？", "--no-rebuild", settings=settings, timeout=60)
        assert run.returncode == 0, run.stderr
        assert "13,062件" in run.stdout
    finally:
        release.set()
        builder.join(120)
    assert stale_reason(settings, HashEmbedder()) is None  # and the build still finished


def test_an_index_folder_that_is_a_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    settings = Settings.from_env(embed_model="hash", index_dir=Path("/etc/passwd"), corpus_dir=REPO / "corpus")
    for args in (["ask", "旅券発行件数は？"], ["build"], ["search", "旅券"]):
        run = run_qa(*args, settings=settings)
        lines = run.stderr.splitlines()
        assert run.returncode == 2 and run.stdout == "", run.stderr
        assert len(lines) == 1 and "/etc/passwd" in lines[0] and "QA_INDEX_DIR" in lines[0], run.stderr
    with pytest.raises(IndexFolderError, match="QA_INDEX_DIR"):
        load_index(settings)


def test_a_read_only_index_folder_with_a_stale_index_is_one_line(hash_template: Path) -> None:
    """A stale index in a folder this user cannot write: a message and exit 2 (or 4 with --no-rebuild)."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="qa-ro-"))  # not under pytest's tmp: that folder is private to root
    try:
        root.chmod(0o755)
        shutil.copytree(hash_template / "corpus", root / "corpus")
        shutil.copytree(hash_template / "index", root / "index")
        report = root / "corpus" / "gunma_r2_chiji_senryaku.md"
        report.write_text(report.read_text(encoding="utf-8").replace("13,062件", "13,063件"), encoding="utf-8")
        (root / "index").chmod(0o555)
        settings = hash_settings(root)
        named = str(root / "index")
        for args, code, says in ((["ask", "旅券発行件数は？"], 2, named), (["build"], 2, named),
                                 (["ask", "旅券", "--no-rebuild"], 4, "python -m qa build")):
            run = run_qa(*args, settings=settings, unprivileged=True)
            lines = run.stderr.splitlines()
            assert run.returncode == code and "Traceback" not in run.stderr, run.stderr
            assert len(lines) == 1 and says in lines[0], run.stderr
    finally:
        (root / "index").chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)
