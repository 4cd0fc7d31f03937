"""The app's event handlers: each calls the library and returns what the page shows.

Answers come from ``Assistant.ask``; uploads go through ``qa.ingest.upload``;
markup through
``qa.render.html``, which escapes every piece of document text. Errors become
readable notices; tracebacks go to the server log only.
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr
from gradio import utils as gradio_utils

from qa.answer.question import validate_question
from qa.app.common import readable
from qa.assistant import Assistant, make_filters, retrieval_query
from qa.errors import QAError
from qa.index.builds import file_sha256
from qa.ingest.upload import add_documents
from qa.library.conversations import Turn
from qa.library.documents import restrict_to_kinds
from qa.library.pending import Indexing
from qa.library.spelling import suggestion
from qa.render.html import (
    conversation_to_html,
    document_to_html,
    sources_to_html,
    status_to_html,
    viewer_placeholder,
)
from qa.render.page_image import cited_page_png
from qa.render.text import format_date
from qa.types import Document

log = logging.getLogger(__name__)


class Handlers:
    """The app's event handlers, bound to one assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.indexing = Indexing()  # uploads being indexed now, named in answers given meanwhile

    def ask(
        self,
        question: str,
        turns: list[Turn],
        sources: list[str] | None,
        kinds: list[str] | None,
        since: str,
        until: str,
    ):
        """Answer a question in the context of the conversation; show progress first."""
        turns = list(turns or [])
        try:
            cleaned = validate_question(question or "", self.assistant.settings.answer)
            filters = self.filters(sources, kinds, since, until)
        except QAError as exc:
            yield show_turns(turns, notice=str(exc)), gr.update(), turns, gr.update(), gr.update()
            return
        yield show_turns(turns, pending=cleaned), "", turns, gr.update(), gr.update()
        history = [t.question for t in turns]
        searched_for = retrieval_query(cleaned, history)
        try:
            answer = None
            # While uploads are being indexed, a name no indexed document writes may be in one of them.
            pending = bool(self.indexing.names())
            # A written answer arrives sentence by sentence (each checked before it is shown), under its quotes.
            for answer in self.assistant.ask_stream(cleaned, filters=filters, history=history, pending=pending):
                if answer.written is not None and not answer.written.complete:
                    yield show_turns([*turns, Turn(cleaned, searched_for, answer)]), "", turns, gr.update(), gr.update()
        except Exception as exc:  # noqa: BLE001 - shown as a notice, logged in full
            notice = readable(exc, "answering the question")
            yield show_turns(turns, notice=notice), question, turns, gr.update(), gr.update()
            return
        turns.append(Turn(cleaned, searched_for, answer))
        turn = len(turns) - 1
        yield (
            show_turns(turns, notice=self.notices(cleaned)),
            "",
            turns,
            sources_to_html(answer, turn),
            viewer_placeholder(),
        )

    def notices(self, question: str) -> str | None:
        """What to add under an answer: a spelling suggestion, documents still being indexed."""
        try:
            tip = suggestion(self.assistant.index(), question)
        except Exception:  # noqa: BLE001 - a suggestion is a nicety; never let it cost the answer
            log.exception("Could not check the spelling")
            tip = None
        return " ".join(filter(None, [tip, self.indexing.notice()])) or None

    def filters(self, sources: list[str] | None, kinds: list[str] | None, since: str | None, until: str | None):
        """The Filters for the chosen documents, types of document and date range."""
        if kinds:
            sources = list(restrict_to_kinds(self.assistant.index().documents.values(), sources or (), kinds))
        return make_filters(sources or (), since or None, until or None)

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
        return panel, document_to_html(document, citation, turn, *self._page_image(document, citation))

    def _page_image(self, document: Document, citation) -> tuple[bytes | None, bool]:
        """A PDF's cited page as an image with the quote highlighted, if the file is still the one indexed."""
        if not citation.page or not document.source.lower().endswith(".pdf"):
            return None, False
        path = self.assistant.settings.corpus_dir / document.source
        try:
            if file_sha256(path) != document.sha256:
                return None, False
            return cited_page_png(path, citation.page, citation.text, sha256=document.sha256) or (None, False)
        except Exception:  # noqa: BLE001 - the text view still works
            log.exception("Could not render page %s of %s", citation.page, document.source)
            return None, False

    def clear(self):
        """Start a new conversation."""
        return (
            conversation_to_html([]),
            [],
            sources_to_html(None, 0),
            viewer_placeholder(),
            gr.update(value=None, visible=False),
        )

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
            with self.indexing.running(names or [Path(p).name for p in paths or []]):
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
            gr.Warning(readable(exc, "listing the documents"))
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
            pending = bool(self.indexing.names())
            return self.assistant.ask(question, filters=filters, history=history or (), pending=pending).to_dict()
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(readable(exc, "answering the question"), print_exception=False) from None

    def documents_api(self) -> list[dict]:
        """The indexed documents: source file, title, date, publisher and type."""
        try:
            documents = self.assistant.index().documents.values()
        except Exception as exc:  # noqa: BLE001
            raise gr.Error(readable(exc, "listing the documents"), print_exception=False) from None
        return [
            {"source": d.source, "title": d.title, "date": d.date, "publisher": d.publisher, "type": d.kind}
            for d in documents
        ]


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


def show_turns(turns: list[Turn], pending: str | None = None, notice: str | None = None) -> str:
    """The conversation as HTML, each follow-up with what it searched for."""
    return conversation_to_html(
        [t.answer for t in turns], pending=pending, notice=notice, searched=[t.searched_for for t in turns]
    )
