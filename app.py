"""報告書QA: the chat UI for call-centre operators. Only wiring: every answer comes from qa.assistant.

    python app.py        # http://127.0.0.1:7860 (QA_HOST / QA_PORT / QA_AUTH, see the README)

`build_ui(assistant, settings)` returns the gr.Blocks without launching it, and `serve()` launches it, so
tests start the app on a free port in-process.
"""

from __future__ import annotations

import functools
import html
import re
import sys
import tempfile
import traceback
from pathlib import Path
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import gradio as gr
from starlette.middleware import Middleware

from qa.config import Settings
from qa.errors import InvalidQuestion, QAError
from qa.feedback import feedback_record, flush_feedback
from qa.guard import Guard, HostCheck, LoginThrottle, RateLimit, check_listen
from qa.render import (
    EMPTY_EVIDENCE,
    answer_markdown,
    evidence_html,
    find_section,
    md_escape,
    section_html,
    section_not_found_html,
    section_placeholder_html,
    section_tree,
    title_text,
)
from qa.spreadsheet import TABLE_COLUMNS, facts_csv, facts_under, table_rows

P = ParamSpec("P")
R = TypeVar("R")

MAX_UNSENT = 100  # votes kept in a session while the log cannot be written

EXAMPLES = [
    "旅券発行件数は？",
    "旅券申請件数は前年から何件減った？",
    "tsulunosはいつ開設された？",
    "パスポートの申請はどれくらいあった？",
    "知事の趣味は？",
]

CSS = """
.qa-evidence, .qa-section { font-size: 0.95rem; line-height: 1.7; }
.qa-empty { color: var(--body-text-color-subdued); padding: 1em 0; }
.qa-h { font-size: 1rem; font-weight: 600; margin: 0.8em 0 0.4em; }
.qa-cite { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6em 0.8em; margin: 0.5em 0; }
.qa-crumb { font-weight: 600; }
.qa-n { display: inline-block; min-width: 1.5em; text-align: center; border-radius: 4px;
        background: var(--color-accent-soft); }
.qa-meta, .qa-lines { color: var(--body-text-color-subdued); font-size: 0.85em; font-weight: normal; }
.qa-passage { margin: 0.4em 0 0; padding-left: 0.8em; border-left: 3px solid var(--color-accent); }
.qa-evidence mark { background: #ffe58a; color: inherit; padding: 0 0.1em; }
.qa-figures, .qa-table { border-collapse: collapse; margin: 0.5em 0; }
.qa-figures th, .qa-figures td, .qa-table th, .qa-table td {
    border: 1px solid var(--border-color-primary); padding: 0.25em 0.6em; vertical-align: top; }
.qa-figures th, .qa-table th { background: var(--background-fill-secondary); }
.qa-budget { font-weight: 600; }
"""

# Gradio's copy buttons copy a message's Markdown source: an operator pasting an answer got 「約26\.5%」,
# 「\(4\) 旅券発給」 and 「**…**」. Right after Gradio writes the clipboard, this puts back the text as shown
# (the rendered bubble's innerText): one message for "Copy message", every message for "Copy conversation".
COPY_AS_SHOWN = """
() => {
  const shown = (row) => (row.querySelector(".message-content") || row).innerText.trim();
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("#qa-chat button") : null;
    if (!button || !/copy|コピー/i.test(button.getAttribute("aria-label") || "")) return;
    let text;
    const panel = button.closest(".message-buttons");
    if (panel) {
      let row = panel.previousElementSibling;
      while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
      if (!row) return;
      text = shown(row);
    } else {
      text = Array.from(button.closest("#qa-chat").querySelectorAll(".message-row")).map(shown).join("\\n\\n");
    }
    setTimeout(() => navigator.clipboard && navigator.clipboard.writeText(text), 50);
  }, true);
}
"""

# Local fonts only: the default theme fetches web fonts, which an offline call centre cannot reach.
THEME = gr.themes.Default(
    font=["Noto Sans CJK JP", "Hiragino Sans", "Meiryo", "sans-serif"],
    font_mono=["Noto Sans Mono CJK JP", "monospace"],
)


def parse_auth(spec: str | None) -> list[tuple[str, str]] | None:
    """QA_AUTH "user:pass[,user2:pass2]" as Gradio's list of (user, password) tuples; None when unset."""
    if not spec or not spec.strip():
        return None
    pairs = []
    for item in spec.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError(
                f"QA_AUTH entry {item.strip()!r} is not user:password; "
                'write QA_AUTH="user:pass" or "user1:pass1,user2:pass2"'
            )
        pairs.append((user, password))
    return pairs


# Toasts render their message as HTML: every message, which may quote a file name or report text, is
# escaped here, the one place the UI makes them.
def error(message: str, title: str = "エラー") -> gr.Error:
    """A gr.Error to raise, with its message shown as text."""
    return gr.Error(html.escape(message), title=html.escape(title), print_exception=False)


def info(message: str) -> None:
    gr.Info(html.escape(message), duration=4)


def warning(message: str) -> None:
    gr.Warning(html.escape(message), duration=10)


def shielded(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` with errors turned into gr.Error toasts: a domain error's own message, else a generic one.

    Operators must never see a traceback; unexpected errors are printed in the terminal instead.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except QAError as err:
            raise error(str(err), "入力エラー" if isinstance(err, InvalidQuestion) else "エラー") from None
        except Exception:  # noqa: BLE001 - anything else becomes a polite message, logged here
            traceback.print_exc()
            raise error("回答の作成中に問題が発生しました。もう一度お試しください。") from None

    return wrapper


def build_ui(assistant: Any, settings: Settings) -> gr.Blocks:
    """The app: 質問 tab (chat, evidence, feedback), 報告書 tab (section browser, 再読み込み) and the /ask API."""
    feedback_path = settings.feedback_path

    @shielded
    def ask(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question about the report: the Answer JSON (text, figures, citations)."""
        return assistant.ask(question, history=list(history or [])).model_dump(mode="json")

    @shielded
    def respond(message: str, turns: list[dict[str, Any]]):
        # Follow-ups ("前年からは？") need the conversation: earlier user questions, oldest first.
        ans = assistant.ask(message, history=[t["question"] for t in turns])
        turn = {"question": message, "answer": ans.model_dump(mode="json"), "md": answer_markdown(ans)}
        turns = [*turns, turn]
        return "", _messages(turns), turns, evidence_html(ans)

    def clear():
        return "", [], [], EMPTY_EVIDENCE

    @shielded
    def on_like(turns: list[dict[str, Any]], unsent: list[dict[str, Any]], data: gr.LikeData):
        """One vote per answer per session; a vote the log cannot take is kept in `unsent` and retried."""
        # Chat messages alternate user/assistant, so message i belongs to turn i // 2.
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        vote = {True: "up", False: "down"}.get(data.liked) if isinstance(data.liked, bool) else None
        # None when the operator takes a vote back ("") or the index is not an answer: nothing to log.
        if vote is None or not isinstance(index, int) or not 0 <= index // 2 < len(turns):
            return turns, unsent
        turn = turns[index // 2]
        already = "vote" in turn
        if not already:
            turns = [*turns[: index // 2], {**turn, "vote": vote}, *turns[index // 2 + 1 :]]
            unsent = [*unsent, feedback_record(turn["answer"], vote)][-MAX_UNSENT:]
        unsent, failure = flush_feedback(feedback_path, unsent)
        if failure is not None:
            warning(
                f"評価を記録できませんでした（{feedback_path.name}: {failure.strerror or failure}）。"
                f"評価 {len(unsent)} 件はこの画面で保持しており、次に評価したときに記録し直します。"
            )
        elif already:
            info("この回答はすでに評価済みです（評価は1つの回答につき1回です）。")
        else:
            info("フィードバックを記録しました。" + ("ありがとうございます。" if vote == "up" else "改善に役立てます。"))
        return turns, unsent

    # The CSV files the 報告書 tab offers for download: written here, then copied by Gradio into its cache.
    downloads = Path(tempfile.mkdtemp(prefix="qa-figures-"))

    def section_figures(section_id: str | None) -> tuple[list[list[str]], str | None]:
        """The figures of a section and the sections under it: the table's rows and a CSV file to download."""
        found = find_section(assistant.documents, section_id) if section_id else None
        if found is None:
            return [], None
        doc, sec = found
        facts = facts_under(assistant.facts, doc.doc, sec.path)
        # The file name says what it holds; only word characters of the heading, never a path.
        name = re.sub(r"\W+", "_", sec.heading or sec.title or doc.title).strip("_") or "report"
        path = downloads / f"数値_{name}.csv"
        path.write_bytes(facts_csv(facts))
        return table_rows(facts), str(path)

    def show_section(section_id: str | None) -> str:
        # The id is only ever compared with the loaded sections' ids: nothing from a request names a file.
        if not section_id:
            return section_placeholder_html()
        found = find_section(assistant.documents, section_id)
        return section_html(found[0], section_id) if found else section_not_found_html(section_id)

    @shielded
    def reload(section_id: str | None):
        rebuilt = assistant.refresh()
        choices = section_tree(assistant.documents)
        ids = {value for _, value in choices}
        keep = section_id if section_id in ids else (choices[0][1] if choices else None)
        status = (
            "報告書が更新されていたため、索引を再構築しました。" if rebuilt else "報告書に変更はありません。"
        )
        rows, csv_path = section_figures(keep)  # a rebuilt report may hold other figures
        return (
            title_markdown(assistant.documents),
            gr.Dropdown(choices=choices, value=keep),
            show_section(keep),
            status,
            rows,
            csv_path,
        )

    choices = section_tree(assistant.documents)
    first = choices[0][1] if choices else None
    first_rows, first_csv = section_figures(first)

    with gr.Blocks(title="報告書QA", analytics_enabled=False) as demo:
        title = gr.Markdown(title_markdown(assistant.documents))
        turns = gr.State([])
        unsent = gr.State([])  # votes the log could not take yet
        with gr.Tab("質問"), gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="回答",
                    height=520,
                    latex_delimiters=[],  # "$" in report text is not LaTeX
                    feedback_options=("Like", "Dislike"),
                    placeholder="報告書の内容について質問してください。数値は報告書の記載どおりに、出典とともに示します。",
                    buttons=["copy", "copy_all"],  # no "share": the tool runs offline
                    elem_id="qa-chat",
                )
                question = gr.Textbox(
                    label="質問",
                    placeholder="例：旅券発行件数は？（Enter で送信）",
                    lines=1,
                    max_lines=3,
                    max_length=settings.max_question_chars,
                    autofocus=True,
                    elem_id="qa-question",
                )
                with gr.Row():
                    send = gr.Button("送信", variant="primary", elem_id="qa-send")
                    clear_btn = gr.Button("クリア", elem_id="qa-clear")
                gr.Examples(EXAMPLES, inputs=[question], label="質問の例")
                gr.Markdown("各回答の下の高評価・低評価ボタンで、回答が役に立ったかどうかを記録できます。")
            with gr.Column(scale=2):
                evidence = gr.HTML(EMPTY_EVIDENCE, label="根拠", elem_id="qa-evidence")
        with gr.Tab("報告書"):
            with gr.Row():
                section = gr.Dropdown(
                    choices=choices,
                    value=first,
                    label="節",
                    filterable=True,
                    scale=4,
                    elem_id="qa-section-pick",
                )
                reload_btn = gr.Button("再読み込み", scale=1, elem_id="qa-reload")
            reload_status = gr.Markdown("")
            section_view = gr.HTML(show_section(first), elem_id="qa-section-view")
            with gr.Accordion("この節の数値（表・CSV）", open=False):
                figures = gr.Dataframe(
                    value=first_rows,
                    headers=list(TABLE_COLUMNS),
                    interactive=False,
                    wrap=True,
                    label="数値（報告書の記載どおり）",
                    elem_id="qa-figures-table",
                )
                download = gr.DownloadButton(
                    "CSV をダウンロード（Excel 用）", value=first_csv, elem_id="qa-figures-csv"
                )

        chat_io = {
            "fn": respond,
            "inputs": [question, turns],
            "outputs": [question, chatbot, turns, evidence],
        }
        question.submit(**chat_io, api_visibility="private")
        send.click(**chat_io, api_visibility="private")
        clear_btn.click(clear, outputs=[question, chatbot, turns, evidence], api_visibility="private")
        # The Chatbot's own trash icon empties the chat; the conversation state must follow.
        chatbot.clear(clear, outputs=[question, chatbot, turns, evidence], api_visibility="private")
        chatbot.like(on_like, inputs=[turns, unsent], outputs=[turns, unsent], api_visibility="private")
        section.change(show_section, inputs=[section], outputs=[section_view], api_visibility="private")
        section.change(section_figures, inputs=[section], outputs=[figures, download], api_visibility="private")
        reload_btn.click(
            reload,
            inputs=[section],
            outputs=[title, section, section_view, reload_status, figures, download],
            api_visibility="private",
        )
        gr.api(ask, api_name="ask")
    # Assistant.ask is thread-safe and takes milliseconds; several operators should not queue behind
    # one another (Gradio's default is one request at a time per event).
    demo.queue(default_concurrency_limit=8)
    return demo


def title_markdown(documents: Any) -> str:
    """The page heading: the reports' titles are report text, so they are escaped for Markdown."""
    return f"# {md_escape(title_text(documents))}"


def _messages(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for t in turns:
        # The Chatbot renders Markdown: the operator's own text is shown as typed, like the answers.
        out.append({"role": "user", "content": md_escape(t["question"])})
        out.append({"role": "assistant", "content": t["md"]})
    return out


def guard(settings: Settings) -> Middleware:
    """The checks in front of Gradio (qa/guard.py): host names, no uploads, body size, logins, rate."""
    per_minute = settings.requests_per_minute
    return Middleware(
        Guard,
        hosts=HostCheck.build(settings.host, settings.allowed_hosts),
        login=LoginThrottle(base=settings.login_delay) if settings.login_delay > 0 else None,
        rate=RateLimit(per_minute) if per_minute > 0 else None,
    )


def serve(assistant: Any, settings: Settings, *, block: bool = True) -> tuple[gr.Blocks, str]:
    """Launch the UI on settings.host:settings.port (never shared); returns the app and its local URL."""
    demo = build_ui(assistant, settings)
    _, url, _ = demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=parse_auth(settings.auth),
        auth_message="報告書QA：ユーザー名とパスワードを入力してください。",
        share=False,
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,
        footer_links=["api"],
        theme=THEME,
        css=CSS,
        js=COPY_AS_SHOWN,
        app_kwargs={"middleware": [guard(settings)]},
        max_file_size=1,  # no upload field; the route is closed by the guard as well
    )
    print(f"報告書QA: {url} で公開しています（Ctrl+C で終了）", flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            pass
    return demo, url


def main() -> None:
    """`python app.py`: load (or build) the index, then serve the UI until Ctrl+C.

    Every refusal (a setting, an unusable folder, a busy port) is one line on stderr and a non-zero exit.
    """
    from qa.assistant import Assistant

    try:
        settings = Settings.from_env()
        parse_auth(settings.auth)
        check_listen(settings.host, settings.port)
    except ValueError as err:  # ConfigError, and QA_AUTH's own message
        print(f"設定エラー: {err}", file=sys.stderr)
        sys.exit(2)
    print(f"報告書QA: 報告書を読み込んでいます（{settings.corpus_dir}）…", flush=True)
    try:
        assistant = Assistant.load(settings)
        serve(assistant, settings)
    except QAError as err:
        print(f"エラー: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except OSError as err:  # the port was taken meanwhile, or the address went away
        print(f"エラー: QA_HOST={settings.host!r} QA_PORT={settings.port} で起動できません（{err}）", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
