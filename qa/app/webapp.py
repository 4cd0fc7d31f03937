"""The Gradio app: chat with cited answers, a sources panel, a source viewer, filters, upload and export.

A thin layer over the library. Answers come from ``Assistant.ask``; uploads go
through ``qa.upload``; briefing notes through ``qa.export``; markup through
``qa.render_html``, which escapes every piece of document text. Handlers turn
errors into readable notices; tracebacks go to the server log only.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from qa.answer.question import validate_question
from qa.render.text import format_date
from qa.assistant import Assistant, make_filters, retrieval_query
from qa.errors import QAError
from qa.app.examples import read_examples
from qa.render.briefing import write_briefing
from qa.render.html import (
    conversation_to_html,
    document_to_html,
    sources_to_html,
    status_to_html,
    viewer_placeholder,
)
from qa.settings import Settings
from qa.types import Answer
from qa.ingest.upload import add_documents

log = logging.getLogger(__name__)

TITLE = "Cited answers from the document collection"

# Clicking a citation marker or a source in the panel sends a "cite" event with its turn and number.
CITE_JS = """
if (!element.dataset.citeBound) {
  element.dataset.citeBound = "1";
  element.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-n]");
    if (button) trigger("cite", {turn: Number(button.dataset.turn), n: Number(button.dataset.n)});
  });
}
// In the sources panel, keep the selected source in view (scrolling the panel only, not the page).
watch("value", () => requestAnimationFrame(() => {
  const box = element.querySelector(".sources");
  const active = element.querySelector(".source-item.active");
  if (box && active) box.scrollTop = Math.max(0, active.offsetTop - 8);
}));
"""
# The source viewer scrolls the highlighted passage into view whenever it changes.
REVEAL_JS = """
const reveal = () => {
  const mark = element.querySelector("mark");
  if (mark) mark.scrollIntoView({block: "center"});
};
watch("value", () => requestAnimationFrame(reveal));
"""
CSS = """
.conversation { display: flex; flex-direction: column; gap: .6rem; }
.conversation .turn { padding: .6rem .9rem; border-radius: .6rem; }
.conversation .question { align-self: flex-end; max-width: 85%; background: var(--color-accent-soft); }
.conversation .question p { margin: 0; font-weight: 600; }
.conversation .answer { background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.conversation .answer p, .conversation .answer ul { margin: .2rem 0; }
.conversation .doc-heading { margin-top: .6rem !important; }
.conversation .pending { font-style: italic; opacity: .8; }
.conversation .landing { padding: .8rem; border: 1px dashed var(--border-color-primary); border-radius: .6rem; }
.notice { padding: .6rem .9rem; border-radius: .6rem; background: #fff4e5; color: #6b3d00; border: 1px solid #f0c36d; }
.status p { margin: .15rem 0; }
.status.error p { color: #8a1c1c; }
button.cite-marker, span.cite-marker {
  display: inline; padding: 0 .2rem; margin: 0 .1rem; border: none; border-radius: .3rem; cursor: pointer;
  background: var(--color-accent-soft); color: var(--color-accent); font-weight: 700; font-size: .85em;
}
button.cite-marker:hover, button.cite-marker:focus { outline: 2px solid var(--color-accent); }
.sources { max-height: 42vh; overflow-y: auto; position: relative; }
.sources ol { list-style: none; padding: 0; margin: 0; }
.sources li { margin: 0 0 .4rem 0; }
.sources .for { margin: 0 0 .4rem 0; font-size: .9em; }
button.source-item {
  display: block; width: 100%; text-align: left; cursor: pointer; padding: .45rem .6rem;
  font: inherit; font-size: .9em; font-weight: 400; line-height: 1.35; color: var(--body-text-color);
  border: 1px solid var(--border-color-primary); border-radius: .5rem; background: var(--background-fill-primary);
}
button.source-item:hover, button.source-item.active { border-color: var(--color-accent); background: var(--color-accent-soft); }
button.source-item .n { font-weight: 700; color: var(--color-accent); }
button.source-item .title { font-weight: 600; }
button.source-item .file { color: var(--body-text-color-subdued); word-break: break-all; }
button.source-item .quote {
  display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden;
  margin-top: .25rem; font-style: italic;
}
.viewer-head { font-size: .9em; padding-bottom: .4rem; border-bottom: 1px solid var(--border-color-primary); }
.viewer .doc-text { white-space: pre-wrap; max-height: 55vh; overflow-y: auto; padding: .5rem 0; line-height: 1.5; }
.viewer mark.cited { background: #ffe066; color: inherit; padding: .1rem 0; border-radius: .2rem; }
"""


@dataclass(frozen=True)
class Turn:
    """One exchange: the question as asked, the query retrieval used, and the answer."""

    question: str
    query: str
    answer: Answer


def build_app(assistant: Assistant, examples: tuple[str, ...] | None = None) -> gr.Blocks:
    """The Blocks app over ``assistant``; launch it with :func:`launch`.

    Example questions come from ``examples.json`` in the corpus folder unless given.
    """
    if examples is None:
        examples = read_examples(assistant.settings.corpus_dir / assistant.settings.app.examples_name)
    handlers = _Handlers(assistant)
    # offline: no usage reporting; Gradio's copies of uploads (refused ones too) are deleted after an hour
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        turns = gr.State([])
        gr.Markdown(
            f"# {TITLE}\nAsk in plain English. Answers quote the documents word for word; select a number to check it."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                conversation = gr.HTML(
                    conversation_to_html([]),
                    js_on_load=CITE_JS,
                    elem_id="conversation",
                    min_height=240,
                    max_height=640,
                    autoscroll=True,
                )
                with gr.Row():
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Ask a question, or a follow-up such as “and what about in 2020?”",
                        elem_id="question",
                        scale=5,
                        autofocus=True,
                    )
                    ask_button = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(text, size="sm", variant="secondary") for text in examples]
                with gr.Accordion("Filters: documents and dates", open=False, elem_id="filters"):
                    sources = gr.Dropdown(
                        label="Only these documents (leave empty for all)",
                        multiselect=True,
                        choices=[],
                        elem_id="sources-filter",
                    )
                    with gr.Row():
                        since = gr.Textbox(
                            label="From date", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="since"
                        )
                        until = gr.Textbox(label="To date", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="until")
                with gr.Accordion("Add documents", open=False, elem_id="upload"):
                    files = gr.File(
                        label="Text, Markdown, HTML, PDF or Word (.docx) files",
                        file_count="multiple",
                        type="filepath",
                        elem_id="upload-files",
                    )
                    upload_button = gr.Button("Add to the collection", elem_id="upload-button")
                    upload_status = gr.HTML(elem_id="upload-status")
                with gr.Row():
                    clear_button = gr.Button("New conversation", size="sm", elem_id="clear")
                    export_button = gr.Button("Export briefing note (.md and .docx)", size="sm", elem_id="export")
                export_files = gr.File(
                    label="Briefing note", file_count="multiple", visible=False, elem_id="export-files"
                )
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources_panel = gr.HTML(sources_to_html(None, 0), js_on_load=CITE_JS, elem_id="sources-panel")
                gr.Markdown("### Source document")
                viewer = gr.HTML(viewer_placeholder(), js_on_load=REVEAL_JS, elem_id="viewer")

        answer_outputs = [conversation, question, turns, sources_panel, viewer]
        ask_inputs = [question, turns, sources, since, until]
        private: dict[str, Any] = {"api_visibility": "private"}
        question.submit(handlers.ask, ask_inputs, answer_outputs, **private)
        ask_button.click(handlers.ask, ask_inputs, answer_outputs, **private)
        for button, text in zip(example_buttons, examples):
            button.click(lambda text=text: text, None, question, queue=False, **private).then(
                handlers.ask, ask_inputs, answer_outputs, **private
            )
        conversation.cite(handlers.open_citation, [turns], [sources_panel, viewer], **private)
        sources_panel.cite(handlers.open_citation, [turns], [sources_panel, viewer], **private)
        clear_button.click(handlers.clear, None, [conversation, turns, sources_panel, viewer, export_files], **private)
        export_button.click(handlers.export, [turns], [export_files], **private)
        upload_button.click(
            handlers.upload,
            [files],
            [upload_status, files, sources],
            concurrency_limit=1,
            concurrency_id="ingest",
            **private,
        )
        demo.load(handlers.document_choices, None, [sources], **private)

        gr.api(handlers.answer_api, api_name="answer")
        gr.api(handlers.documents_api, api_name="documents")
    return demo


class _Handlers:
    """The app's event handlers, bound to one assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        # Briefing notes live in one folder removed when the app exits, not a new temp folder per export.
        self._exports = tempfile.TemporaryDirectory(prefix="qa-briefings-")

    def ask(self, question: str, turns: list[Turn], sources: list[str] | None, since: str, until: str):
        """Answer a question in the context of the conversation; show progress first."""
        turns = list(turns or [])
        answers = [t.answer for t in turns]
        try:
            cleaned = validate_question(question or "", self.assistant.settings.answer)
            filters = make_filters(sources or (), since or None, until or None)
        except QAError as exc:
            yield conversation_to_html(answers, notice=str(exc)), gr.update(), turns, gr.update(), gr.update()
            return
        yield conversation_to_html(answers, pending=cleaned), "", turns, gr.update(), gr.update()
        history = [t.question for t in turns]
        try:
            answer = self.assistant.ask(cleaned, filters=filters, history=history)
        except Exception as exc:  # noqa: BLE001 - shown as a notice, logged in full
            notice = _readable(exc, "answering the question")
            yield conversation_to_html(answers, notice=notice), question, turns, gr.update(), gr.update()
            return
        turns.append(Turn(cleaned, retrieval_query(cleaned, history), answer))
        turn = len(turns) - 1
        yield (
            conversation_to_html([t.answer for t in turns]),
            "",
            turns,
            sources_to_html(answer, turn),
            viewer_placeholder(),
        )

    def open_citation(self, turns: list[Turn], event: gr.EventData):
        """Show the cited passage highlighted in its document, and that answer's sources."""
        data = event._data if isinstance(event._data, dict) else {}
        try:
            turn, n = int(data["turn"]), int(data["n"])
            answer = turns[turn].answer
            citation = next(c for c in answer.citations if c.n == n)
        except (KeyError, ValueError, TypeError, IndexError, StopIteration):
            gr.Warning("That source is not part of this conversation any more. Ask the question again.")
            return gr.update(), gr.update()
        panel = sources_to_html(answer, turn, active=n)
        try:
            document = self.assistant.index().documents.get(citation.source)
        except Exception as exc:  # noqa: BLE001
            return panel, viewer_placeholder(_readable(exc, "opening the source"))
        if document is None or document.text[citation.start : citation.end] != citation.text:
            message = f"{citation.source} has changed or left the collection since this answer. Ask the question again."
            return panel, viewer_placeholder(message)
        return panel, document_to_html(document, citation)

    def clear(self):
        """Start a new conversation."""
        return (
            conversation_to_html([]),
            [],
            sources_to_html(None, 0),
            viewer_placeholder(),
            gr.update(value=None, visible=False),
        )

    def export(self, turns: list[Turn]):
        """Write the conversation as a briefing note (Markdown and Word) for download."""
        if not turns:
            gr.Warning("Ask a question first: there is nothing to export yet.")
            return gr.update(value=None, visible=False)
        try:
            folder = Path(tempfile.mkdtemp(dir=self._exports.name))
            markdown, word = write_briefing([(t.question, t.answer) for t in turns], folder)
        except Exception as exc:  # noqa: BLE001
            gr.Warning(_readable(exc, "writing the briefing note"))
            return gr.update(value=None, visible=False)
        return gr.update(value=[str(markdown), str(word)], visible=True)

    def upload(self, paths: list[str] | None, progress=gr.Progress()):  # noqa: B008 - Gradio's way to ask for a progress bar
        """Store and index uploaded files, reporting progress and what was (not) added."""
        if not paths:
            return status_to_html("Choose one or more files first."), gr.update(), gr.update()

        def on_progress(fraction: float, message: str) -> None:
            progress(fraction, desc=message)

        progress(0.0, desc="Checking the files")
        try:
            result = add_documents(self.assistant, [Path(p) for p in paths], on_progress=on_progress)
        except Exception as exc:  # noqa: BLE001
            message = _readable(exc, "adding the documents") + " Nothing already indexed was lost."
            return status_to_html(message, error=True), gr.update(), gr.update()
        status = status_to_html(result.summary(), error=bool(result.rejected) and not result.added)
        return status, None, self.document_choices()

    def document_choices(self):
        """The documents filter's choices: 'Title (date)' labels for the indexed sources."""
        try:
            documents = self.assistant.index().documents.values()
        except QAError as exc:
            gr.Warning(str(exc))
            return gr.update(choices=[])
        ordered = sorted(documents, key=lambda d: (d.date is None, d.date or "", d.source))
        return gr.update(choices=[(f"{d.title or d.source} ({format_date(d.date)})", d.source) for d in ordered])

    def answer_api(
        self,
        question: str,
        sources: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        history: list[str] | None = None,
    ) -> dict:
        """Answer a question with citations. Optional: source files, a date range, earlier questions."""
        try:
            filters = make_filters(sources or (), since or None, until or None)
            return self.assistant.ask(question, filters=filters, history=history or ()).to_dict()
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(_readable(exc, "answering the question"), print_exception=False) from None

    def documents_api(self) -> list[dict]:
        """The indexed documents: source file, title, date and publisher."""
        try:
            documents = self.assistant.index().documents.values()
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(_readable(exc, "listing the documents"), print_exception=False) from None
        return [{"source": d.source, "title": d.title, "date": d.date, "publisher": d.publisher} for d in documents]


def _readable(exc: Exception, doing: str) -> str:
    """A message for the user: the library's own for QAError, a generic one (traceback logged) otherwise."""
    if isinstance(exc, QAError):
        return str(exc)
    log.exception("Unexpected failure while %s", doing)
    return f"Something went wrong while {doing}. The details are in the server log; please try again."


def auth_pairs(settings: Settings) -> list[tuple[str, str]] | None:
    """Login pairs from ``app.auth`` ('user:password') and ``app.auth_file`` (one per line); None if unset."""
    lines: list[tuple[str, str]] = []
    if settings.app.auth:
        lines.append(("QA_APP__AUTH", settings.app.auth))
    if settings.app.auth_file:
        try:
            text = Path(settings.app.auth_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise QAError(f"Cannot read the login file {settings.app.auth_file}: {exc.strerror or exc}.") from exc
        lines += [(str(settings.app.auth_file), line.strip()) for line in text.splitlines()]
    pairs = []
    for origin, line in lines:
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise QAError(f"A login in {origin} is not in the form 'user:password'. Fix it or unset it.")
        pairs.append((user.strip(), password))
    return pairs or None


def launch(demo: gr.Blocks, settings: Settings, prevent_thread_lock: bool = False) -> None:
    """Start serving ``demo`` with the queue on, as ``settings.app`` says."""
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=settings.app.host,
        server_port=settings.app.port,
        share=settings.app.share,
        auth=auth_pairs(settings),
        show_error=True,  # messages only: handlers never let a traceback through
        # Refuse oversized uploads at the door, before Gradio writes them to its temporary folder.
        max_file_size=int(settings.app.max_upload_mb * 1024 * 1024),
        prevent_thread_lock=prevent_thread_lock,
        ssr_mode=False,
        quiet=True,
        theme=gr.themes.Default(primary_hue="blue"),
        css=CSS,
        footer_links=["api"],
    )


def serve(settings: Settings, assistant: Assistant | None = None, prevent_thread_lock: bool = False) -> gr.Blocks:
    """Build the app over ``settings`` (or a given assistant) and serve it."""
    assistant = assistant or Assistant(settings)
    try:  # load the model and index now, so the first question is not the slow one
        assistant.index()
    except QAError as exc:
        log.warning("%s", exc)
    demo = build_app(assistant)
    if not prevent_thread_lock:
        print(f"Serving on http://{settings.app.host}:{settings.app.port} (Ctrl+C to stop)", flush=True)
    launch(demo, settings, prevent_thread_lock=prevent_thread_lock)
    return demo
