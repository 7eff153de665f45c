"""Security promises of SECURITY.md: loopback by default, never shared, no pickle, nothing from a request
reaches the file system, report text and questions shown as text, an append-only feedback log.

The login (QA_AUTH) is tested in test_app_api.py, hostile report text in a real browser in test_browser.py.
"""

from __future__ import annotations

import builtins
import io
import os
import re
from pathlib import Path

import pytest
from conftest import REPO, REPORT

from qa.config import Settings
from qa.feedback import append_feedback
from qa.parse import load_corpus

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


class FakeAssistant:
    """The facade's surface app.py uses, over real parsed documents, with no index behind it."""

    def __init__(self, documents) -> None:  # type: ignore[no-untyped-def]
        self.documents = documents
        self.asked: list[str] = []

    def ask(self, question, history=None):  # type: ignore[no-untyped-def]
        from qa.assistant import clean_question
        from qa.models import Answer

        text = clean_question(question)
        self.asked.append(text)
        return Answer(question=text, text=f"この報告書には{text}の記載が見つかりませんでした。", abstained=True)

    def refresh(self) -> bool:
        return False


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / REPORT.name).write_bytes(REPORT.read_bytes())
    # A report whose title line is hostile: it becomes the page heading.
    (corpus / "zz.md").write_text(f"第9 {IMG}![x](http://example.invalid/x.png)\n\n(1) 窓口\n\n{SCRIPT}\n",
                                  encoding="utf-8")
    return load_corpus(corpus)[0]


@pytest.fixture(scope="module")
def handlers(documents):
    import app

    demo = app.build_ui(FakeAssistant(documents), Settings())
    return {f.name: f.fn for f in demo.fns.values()}


# --- where the server listens ------------------------------------------------------------------------


def test_settings_bind_loopback_by_default() -> None:
    assert Settings().host == "127.0.0.1"
    assert Settings.from_env(env={}).host == "127.0.0.1"
    assert Settings.from_env(env={"QA_HOST": ""}).host == "127.0.0.1"  # an empty variable is unset
    assert Settings.from_env(env={"QA_HOST": "0.0.0.0"}).host == "0.0.0.0"  # only when told


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_serve_listens_where_the_settings_say_and_never_shares(documents, monkeypatch, host: str) -> None:
    import gradio as gr

    import app

    seen: dict = {}

    def launch(self, **kwargs):  # type: ignore[no-untyped-def]
        seen.update(kwargs)
        return None, f"http://{host}:7860/", None

    monkeypatch.setattr(gr.Blocks, "launch", launch)
    app.serve(FakeAssistant(documents), Settings(host=host), block=False)
    assert seen["server_name"] == host and seen["share"] is False
    assert seen["auth"] is None  # no QA_AUTH: no login page (a shared login when set, see SECURITY.md)


# --- no pickle -----------------------------------------------------------------------------------------

_PICKLE = re.compile(
    r"\b(?:import\s+(?:c?pickle|joblib|dill|cloudpickle|shelve|marshal)|from\s+(?:c?pickle|joblib|dill|shelve)\b"
    r"|pickle\.loads?|allow_pickle|torch\.load|marshal\.loads?|shelve\.open)"
)


def test_no_pickle_anywhere_in_the_code() -> None:
    files = [*sorted((REPO / "qa").rglob("*.py")), REPO / "app.py", *sorted((REPO / "eval").rglob("*.py"))]
    offenders = [
        f"{p.relative_to(REPO)}:{n}: {line.strip()}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _PICKLE.search(line)
    ]
    assert offenders == []


# --- nothing from a request reaches the file system -----------------------------------------------------

CRAFTED_IDS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2fetc%2fpasswd",
    "file:///etc/passwd",
    f"{REPORT.name}#99999",
    f"../{REPORT.name}#0",
    "corpus/" + REPORT.name,
    "\x00",
    SCRIPT,
    "x" * 10_000,
]


@pytest.fixture
def no_file_access(monkeypatch: pytest.MonkeyPatch):
    """Any open or stat while the handler runs fails the test."""
    touched: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def fn(*args, **kwargs):  # type: ignore[no-untyped-def]
            touched.append(f"{name}{args[:1]}")
            raise AssertionError(f"{name} called with {args[:1]}")
        return fn

    for target, name in ((builtins, "open"), (io, "open"), (os, "open"), (os, "stat"), (os, "lstat"),
                         (os, "listdir"), (os, "scandir"), (Path, "open"), (Path, "read_text"),
                         (Path, "read_bytes"), (Path, "stat"), (Path, "exists")):
        monkeypatch.setattr(target, name, refuse(name))
    return touched


@pytest.mark.parametrize("section_id", CRAFTED_IDS, ids=lambda s: repr(s[:30]))
def test_a_crafted_section_id_is_looked_up_never_opened(handlers, no_file_access, section_id: str) -> None:
    html = handlers["show_section"](section_id)
    assert no_file_access == []
    assert "見つかりません" in html
    assert "<script" not in html and "root:" not in html
    assert len(html) < 1000  # the id is shown cut short, not echoed whole


def test_a_real_section_id_shows_the_section(handlers, documents, no_file_access) -> None:
    passport = next(s for s in documents[0].sections if s.heading == "(4) 旅券発給")
    html = handlers["show_section"](passport.id)
    assert no_file_access == [] and "13,062件" in html and "見つかりません" not in html
    assert "節を選んでください" in handlers["show_section"]("")


# --- report text and questions are shown as text ------------------------------------------------------


def test_page_title_from_a_hostile_report_is_escaped(documents) -> None:
    import app

    md = app.title_markdown(documents)
    assert md.startswith("# 報告書QA")
    assert "<img" not in md and "&lt;img" in md
    assert "![x](" not in md and "\\!\\[x\\]\\(" in md  # no Markdown image fetched from the title


def test_the_chat_echoes_a_question_as_text(handlers) -> None:
    question = f"{IMG} **太字** [link](javascript:alert(1))"
    _, messages, turns, _evidence = handlers["respond"](question, [])
    user, bot = messages
    assert "<img" not in user["content"] and "&lt;img" in user["content"]
    assert "](javascript" not in user["content"] and "**" not in user["content"]
    assert "<img" not in bot["content"]
    assert turns[0]["question"] == question  # the conversation keeps the question as typed


# Names render.py interpolates into markup without escaping, each safe by construction.
SAFE_NAMES = {
    "n": "the citation's ordinal (enumerate)",
    "h": "a constant column header",
    "tag": "h3…h6, computed from the depth",
    "k": "a colspan (int)",
}
ESCAPING = re.compile(r"^(?:esc|_cell|highlight|_with_breaks\((?:esc|highlight))\(")


def test_render_interpolates_nothing_unescaped() -> None:
    """Every f-string of qa/render.py that writes a tag interpolates escaped text or a SAFE_NAMES value."""
    source = (REPO / "qa" / "render.py").read_text(encoding="utf-8")
    checked, suspicious = 0, []
    for n, line in enumerate(source.splitlines(), 1):
        for single, double in re.findall(r"f'([^']*)'|f\"([^\"]*)\"", line):
            text = single or double
            if "<" not in text:
                continue
            for expr in re.findall(r"\{([^{}]+)\}", text):
                checked += 1
                if not (ESCAPING.match(expr) or expr in SAFE_NAMES):
                    suspicious.append(f"render.py:{n}: {{{expr}}}")
    assert checked > 10 and suspicious == []


# --- the feedback log -----------------------------------------------------------------------------------


def test_feedback_log_is_only_ever_appended_to(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "feedback.jsonl"
    append_feedback(log, {"vote": "up", "question": "旅券発行件数は？"})
    first = log.read_bytes()
    append_feedback(log, {"vote": "down", "question": "x" * 100_000})
    assert log.read_bytes().startswith(first)
    source = (REPO / "qa" / "feedback.py").read_text(encoding="utf-8")
    assert "O_APPEND" in source and "O_TRUNC" not in source
    assert not re.search(r"""open\([^)]*["'][wx+]""", source) and "write_text" not in source


def test_feedback_path_comes_from_settings_only(documents, tmp_path: Path, monkeypatch) -> None:
    """A vote writes to QA_FEEDBACK_LOG whatever the request's payload says."""
    import gradio as gr

    import app

    log = tmp_path / "fb.jsonl"
    demo = app.build_ui(FakeAssistant(documents), Settings(feedback_log=log))
    fns = {f.name: f.fn for f in demo.fns.values()}
    _, _, turns, _ = fns["respond"]("../../etc/passwd", [])
    monkeypatch.setattr(gr, "Info", lambda *a, **k: None)
    for index in ([0, "../../x"], -1, 99, "../../etc/passwd", [10**9, 0]):
        fns["on_like"](turns, gr.LikeData(None, {"index": index, "value": "x", "liked": True}))
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"question": "../../etc/passwd"' in lines[0]
    assert not (tmp_path / "x").exists()


# --- the running server ---------------------------------------------------------------------------------


@pytest.mark.slow(reason="starts the app's server")
def test_the_server_serves_no_file_from_the_disk(assistant, index_dir, tmp_path) -> None:
    import httpx
    from conftest import make_settings, running_app

    settings = make_settings(index_dir, feedback_log=tmp_path / "fb.jsonl")
    with running_app(assistant, settings) as url:
        assert url.startswith("http://127.0.0.1:")
        for path in ("/etc/passwd", "../../etc/passwd", "..%2f..%2fetc%2fpasswd", str(REPORT),
                     str(settings.feedback_path), str(index_dir / "manifest.json"), str(REPO / "app.py")):
            for prefix in ("gradio_api/file=", "file="):
                response = httpx.get(url + prefix + path)
                assert response.status_code in (403, 404, 405), (prefix + path, response.status_code)
                assert "root:" not in response.text and "知事戦略" not in response.text
