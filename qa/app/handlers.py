"""The app's event handlers: each calls the library and returns what the page shows.

Answers come from ``Assistant.ask``; uploads go through ``qa.ingest.upload``;
briefing notes through ``qa.render.briefing``; markup through
``qa.render.html``, which escapes every piece of document text. Errors become
readable notices; tracebacks go to the server log only.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio import utils as gradio_utils

from qa.answer.question import validate_question
from qa.assistant import Assistant, make_filters, retrieval_query
from qa.errors import QAError
from qa.ingest.upload import add_documents
from qa.render.briefing import write_briefing
from qa.render.html import (
    conversation_to_html,
    document_to_html,
    sources_to_html,
    status_to_html,
    viewer_placeholder,
)
from qa.render.text import format_date
from qa.types import Answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    """One exchange: the question as asked, the query retrieval used, and the answer."""

    question: str
    query: str
    answer: Answer


class Handlers:
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
            answer = None
            # A written answer arrives sentence by sentence (each checked before it is shown), under its quotes.
            for answer in self.assistant.ask_stream(cleaned, filters=filters, history=history):
                if answer.written is not None and not answer.written.complete:
                    yield conversation_to_html([*answers, answer]), "", turns, gr.update(), gr.update()
        except Exception as exc:  # noqa: BLE001 - shown as a notice, logged in full
            notice = readable(exc, "answering the question")
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
        try:
            # The page's "cite" event carries {turn, n}; EventData exposes an event's data as attributes.
            turn, n = int(event.turn), int(event.n)
            answer = turns[turn].answer
            citation = next(c for c in answer.citations if c.n == n)
        except (AttributeError, KeyError, ValueError, TypeError, IndexError, StopIteration):
            gr.Warning("That source is not part of this conversation any more. Ask the question again.")
            return gr.update(), gr.update()
        panel = sources_to_html(answer, turn, active=n)
        try:
            document = self.assistant.index().documents.get(citation.source)
        except Exception as exc:  # noqa: BLE001
            return panel, viewer_placeholder(readable(exc, "opening the source"))
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
            gr.Warning(readable(exc, "writing the briefing note"))
            return gr.update(value=None, visible=False)
        return gr.update(value=[str(markdown), str(word)], visible=True)

    def upload(self, entries: list | None, progress=gr.Progress()):  # noqa: B008 - Gradio's way to ask for a progress bar
        """The "Add to the collection" event: check each uploaded file on its own, then add the good ones."""
        paths, names, refused = [], [], {}
        for name, path in _uploaded_files(entries):
            if path is None:
                refused[name] = "it is not a file uploaded to this app; choose it again."
            else:
                paths.append(str(path))
                names.append(name)
        return self.add_files(paths, progress=progress, names=names, refused=refused)

    def add_files(
        self,
        paths: list[str] | None,
        progress=gr.Progress(),  # noqa: B008
        names: list[str] | None = None,
        refused: dict[str, str] | None = None,
    ):
        """Store and index files under the names the user gave them (default: their own), reporting progress
        and what was (not) added, ``refused`` ones included."""
        if not paths and not refused:
            return status_to_html("Choose one or more files first."), gr.update(), gr.update()

        def on_progress(fraction: float, message: str) -> None:
            progress(fraction, desc=message)

        progress(0.0, desc="Checking the files")
        try:
            result = add_documents(self.assistant, [Path(p) for p in paths or []], names, on_progress=on_progress)
        except Exception as exc:  # noqa: BLE001
            message = readable(exc, "adding the documents") + " Nothing already indexed was lost."
            return status_to_html(message, error=True), gr.update(), gr.update()
        result.rejected.update(refused or {})
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
            raise gr.Error(readable(exc, "answering the question"), print_exception=False) from None

    def documents_api(self) -> list[dict]:
        """The indexed documents: source file, title, date and publisher."""
        try:
            documents = self.assistant.index().documents.values()
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(readable(exc, "listing the documents"), print_exception=False) from None
        return [{"source": d.source, "title": d.title, "date": d.date, "publisher": d.publisher} for d in documents]


def _uploaded_files(entries: list | None) -> list[tuple[str, Path | None]]:
    """(name, path) for each {path, name} entry the page sent; path None unless it is a regular file in
    Gradio's upload folder, since a request can name any path."""
    folder = Path(gradio_utils.get_upload_folder()).resolve()
    out: list[tuple[str, Path | None]] = []
    for entry in entries if isinstance(entries, list) else []:
        raw = entry.get("path") if isinstance(entry, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(raw, str) or not raw:
            out.append((str(name or "a file"), None))
            continue
        path = Path(raw)
        name = name if isinstance(name, str) and name else path.name
        try:
            inside = path.resolve().is_relative_to(folder) and path.is_file() and not path.is_symlink()
        except (OSError, ValueError):
            inside = False
        out.append((name, path.resolve() if inside else None))
    return out


def readable(exc: Exception, doing: str) -> str:
    """A message for the user: the library's own for QAError, a generic one (traceback logged) otherwise."""
    if isinstance(exc, QAError):
        return str(exc)
    log.exception("Unexpected failure while %s", doing)
    return f"Something went wrong while {doing}. The details are in the server log; please try again."
