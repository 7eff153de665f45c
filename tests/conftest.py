"""Shared fixtures: settings on temporary folders, the assistant, and a running app on a free port."""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa.config import Settings

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "corpus" / "gunma_r2_chiji_senryaku.md"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

if str(REPO) not in sys.path:  # app.py lives at the repository root, outside the qa package
    sys.path.insert(0, str(REPO))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test app: QA_* variables of the caller's shell apply, except auth (tests set it)."""
    overrides.setdefault("auth", None)
    return Settings.from_env(index_dir=index_dir, host="127.0.0.1", port=free_port(), **overrides)


def load_assistant(settings: Settings):
    """The assistant the app serves (builds the index in settings.index_dir on first use)."""
    from qa.assistant import Assistant

    return Assistant.load(settings)


@pytest.fixture(scope="session")
def report():
    """The real report, parsed once per session (the corpus reads without a warning)."""
    from qa.parse import load_corpus

    docs, warnings = load_corpus(REPORT.parent)
    assert warnings == []
    return next(d for d in docs if d.doc == REPORT.name)


def hash_settings(root: Path) -> Settings:
    """Settings over `root`/corpus and `root`/index with the deterministic hash embedder (fast builds)."""
    return Settings.from_env(embed_model="hash", index_dir=root / "index", corpus_dir=root / "corpus")


@pytest.fixture(scope="session")
def hash_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus and its hash-embedder index, built once per session; tests work on copies."""
    from qa.index import load_index

    root = tmp_path_factory.mktemp("hash-template")
    shutil.copytree(REPO / "corpus", root / "corpus")
    load_index(hash_settings(root), notice=lambda _msg: None)
    return root


@pytest.fixture
def hash_copy(hash_template: Path, tmp_path: Path) -> Settings:
    """A private copy of the corpus and its built hash index, free to edit or damage."""
    shutil.copytree(hash_template / "corpus", tmp_path / "corpus")
    shutil.copytree(hash_template / "index", tmp_path / "index")
    return hash_settings(tmp_path)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def assistant(index_dir: Path):
    """One assistant over the real report for the whole session (the index is built once)."""
    return load_assistant(make_settings(index_dir))


@contextmanager
def running_app(assistant, settings: Settings) -> Iterator[str]:
    """Serve the UI in this process on settings.port; yields its URL and stops it afterwards."""
    import app

    demo, url = app.serve(assistant, settings, block=False)
    try:
        yield url
    finally:
        demo.close()
