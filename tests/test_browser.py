"""The UI in a real browser (slow: starts the app and headless Chromium).

Needs Debian `chromium` (at /usr/bin/chromium) and `fonts-noto-cjk` for legible screenshots; Playwright's own
browser download is not used.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, REPO, REPORT, load_assistant, make_settings, running_app

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
# A second document written like the report (so the parser makes sections of it) whose text is hostile.
HOSTILE_DOC = f"""第9 検証用文書

1 窓口案内

(1) 窓口の注意書き

窓口の注意書き：{SCRIPT} と {IMG} はそのまま文字として表示されること。
"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    context.close()


def ask(page, question: str) -> None:
    """Type the question and press Enter, then wait for the answer bubble."""
    before = page.locator("#qa-chat .message-row").count()
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-chat .message-row').length >= n + 2", arg=before
    )


def wait_for_lines(path: Path, n: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(lines := path.read_text(encoding="utf-8").splitlines()) >= n:
            return lines
        time.sleep(0.2)
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_question_answer_evidence_and_feedback(assistant, index_dir, tmp_path, page):
    log = tmp_path / "feedback.jsonl"
    with running_app(assistant, make_settings(index_dir, feedback_log=log)) as url:
        page.goto(url)
        ask(page, "旅券発行件数は？")
        page.locator("#qa-chat").get_by_text("13,062", exact=False).first.wait_for()
        page.locator("#qa-evidence").get_by_text("旅券発給", exact=False).first.wait_for()
        assert page.locator("#qa-evidence mark").count() >= 1

        # The thumbs are SVG icons; their label follows the browser locale (ja: いいね, en: Like).
        page.locator("#qa-chat").locator(
            "button[aria-label='いいね'], button[aria-label='Like']"
        ).last.click()
        lines = wait_for_lines(log, 1)
        time.sleep(1.0)  # a duplicate write would land by now
        lines = log.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1
        record = json.loads(lines[0])
        assert record["vote"] == "up"
        assert record["question"] == "旅券発行件数は？"
        assert "13,062" in record["answer"]

        page.get_by_text("フィードバックを記録しました", exact=False).first.wait_for()
        # The README screenshot shows the answer, not the toast: wait until it has gone (duration=4 s).
        page.locator(".toast-item").first.wait_for(state="detached", timeout=15_000)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "chat.png"
        page.screenshot(path=str(shot))
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "screenshot.png")
        assert page.dialogs == []


def test_copy_gives_the_text_as_shown_not_markdown(assistant, index_dir, tmp_path, page):
    """"Copy message" used to copy the Markdown source: 「\\(4\\) 旅券発給」, 「**13,062件**」."""
    with running_app(assistant, make_settings(index_dir, feedback_log=tmp_path / "fb.jsonl")) as url:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        page.goto(url)
        ask(page, "(4) 旅券発給の旅券発行件数は？")
        chat = page.locator("#qa-chat")
        chat.get_by_text("13,062", exact=False).first.wait_for()

        def copied(button) -> str:  # type: ignore[no-untyped-def]
            page.evaluate("navigator.clipboard.writeText('')")
            button.click()
            page.wait_for_function("async () => (await navigator.clipboard.readText()).length > 0")
            page.wait_for_timeout(300)  # the plain text replaces Gradio's Markdown right after
            return page.evaluate("navigator.clipboard.readText()")

        copy_buttons = chat.locator(".message-buttons").get_by_role("button", name="Copy message")
        question, answer = copied(copy_buttons.nth(0)), copied(copy_buttons.nth(1))
        assert question == "(4) 旅券発給の旅券発行件数は？"
        shown = chat.locator(".message-row .message-content").nth(1).inner_text().strip()
        assert answer == shown and answer.startswith("13,062件")
        assert "(4) 旅券発給" in answer and "\\" not in answer and "**" not in answer
        everything = copied(chat.get_by_role("button", name="Copy conversation"))
        assert everything == question + "\n\n" + answer
        assert page.dialogs == []


class Recording:
    """The real assistant, with the history each question came with written down."""

    def __init__(self, assistant) -> None:
        self._assistant = assistant
        self.calls: list[tuple[str, list[str]]] = []

    def ask(self, question: str, history: list[str] | None = None):
        self.calls.append((question, list(history or [])))
        return self._assistant.ask(question, history=history)

    def __getattr__(self, name: str):
        return getattr(self._assistant, name)


def test_follow_ups_clear_and_reload(assistant, index_dir, tmp_path, page):
    recording = Recording(assistant)
    with running_app(recording, make_settings(index_dir, feedback_log=tmp_path / "fb.jsonl")) as url:
        page.goto(url)
        ask(page, "旅券発行件数は？")
        ask(page, "パスポートの申請はどれくらいあった？")
        assert recording.calls[-1] == ("パスポートの申請はどれくらいあった？", ["旅券発行件数は？"])

        page.locator("#qa-clear").click()
        page.wait_for_function("() => document.querySelectorAll('#qa-chat .message-row').length === 0")
        ask(page, "知事の趣味は？")
        assert recording.calls[-1] == ("知事の趣味は？", [])  # a cleared chat starts a new conversation
        page.locator("#qa-chat").get_by_text("見つかりませんでした", exact=False).first.wait_for()

        page.locator("#qa-question textarea").fill("   ")
        page.locator("#qa-send").click()
        page.get_by_text("質問を入力してください").first.wait_for()  # a toast, not a traceback

        page.get_by_role("tab", name="報告書").click()
        page.locator("#qa-section-view").get_by_text("知事戦略部は", exact=False).first.wait_for()
        page.locator("#qa-reload").click()
        page.get_by_text("報告書に変更はありません", exact=False).first.wait_for()
        assert page.dialogs == []


def test_hostile_report_text_is_shown_as_text(tmp_path, page):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(REPORT, corpus / REPORT.name)
    (corpus / "zz_hostile.md").write_text(HOSTILE_DOC, encoding="utf-8")
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, feedback_log=tmp_path / "fb.jsonl")
    assistant = load_assistant(settings)

    with running_app(assistant, settings) as url:
        page.goto(url)
        ask(page, "窓口の注意書きには何と書いてある？")
        evidence = page.locator("#qa-evidence")
        evidence.get_by_text(SCRIPT, exact=False).first.wait_for()
        assert IMG in evidence.inner_text()
        assert evidence.locator("img, script").count() == 0

        page.get_by_role("tab", name="報告書").click()
        picker = page.locator("#qa-section-pick input")
        picker.click()
        # The document's root entry shows the whole document, the hostile paragraph included.
        picker.fill("検証用文書")
        page.get_by_role("option", name="検証用文書").first.click()
        view = page.locator("#qa-section-view")
        view.get_by_text(SCRIPT, exact=False).first.wait_for()
        assert IMG in view.inner_text()
        assert view.locator("img, script").count() == 0

        page.wait_for_timeout(1000)  # lets a would-be onerror handler fire, and the option list fade out
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hostile.png"))
        assert page.dialogs == []
