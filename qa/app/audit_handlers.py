"""The app's events, recorded in the audit log: each wraps the handler that does the work and notes who did what.

A question is recorded with its filters and what its answer cited; a change to the
collection with the documents it added, replaced or removed, read from the index
before and after, so the log says what happened, not what was asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import gradio as gr

from qa.app.common import request_user
from qa.app.handlers import Handlers
from qa.app.library_handlers import LibraryHandlers
from qa.assistant import Assistant, retrieval_query
from qa.errors import QAError
from qa.library.audit import DELETE, EDIT, REPLACE, UPLOAD, AuditLog
from qa.library.conversations import Turn
from qa.types import Answer, Citation

log = logging.getLogger(__name__)


def collection_state(assistant: Assistant) -> dict[str, str]:
    """Each indexed source with its content hash; empty when there is no index."""
    try:
        return {source: d.sha256 for source, d in assistant.index().documents.items()}
    except QAError:
        return {}


def collection_change(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], str]:
    """The documents that changed between two states, and a line saying how."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    replaced = sorted(s for s in set(before) & set(after) if before[s] != after[s])
    parts = [
        f"{label}: {', '.join(names)}"
        for label, names in (("added", added), ("replaced", replaced), ("removed", removed))
        if names
    ]
    return [*added, *replaced, *removed], "; ".join(parts) or "nothing changed"


class AuditedEvents:
    """The Ask and Library events that the audit log records, each delegating to the app's own handler."""

    def __init__(self, handlers: Handlers, library: LibraryHandlers, audit: AuditLog | None) -> None:
        self.handlers = handlers
        self.library = library
        self.audit = audit
        self.assistant = handlers.assistant

    def _record(self, write) -> None:
        if self.audit is None:
            return
        try:
            write(self.audit)
        except Exception:  # noqa: BLE001 - the user's action is done; a failed log line goes to the server log
            log.exception("Could not write the audit log")

    def ask(self, question, turns, sources, kinds, since, until, request: gr.Request) -> Iterator:
        """Answer (as the Ask handler does), then record the question and its citations."""
        before = len(turns or [])
        last = None
        for last in self.handlers.ask(question, turns, sources, kinds, since, until):
            yield last
        after: list[Turn] = last[2] if last is not None and isinstance(last[2], list) else []
        if len(after) > before:
            turn = after[-1]
            filters = {"sources": list(sources or []), "types": list(kinds or []), "since": since, "until": until}
            self._record(
                lambda audit: audit.asked(request_user(request), turn.question, turn.answer, filters, turn.query)
            )

    def answer_api(
        self,
        question: str,
        sources: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        history: list[str] | None = None,
        request: gr.Request = None,
    ) -> dict:
        """Answer a question with citations. Optional: source files, a date range, earlier questions."""
        data = self.handlers.answer_api(question, sources, since, until, history)
        filters = {"sources": list(sources or []), "since": since, "until": until}
        read_as = retrieval_query(question.strip(), [h for h in history or [] if isinstance(h, str)])
        # The answer as the API returns it carries all the log needs: its citations, and its notice when not found.
        answer = Answer(
            question=data["question"],
            found=data["found"],
            citations=[Citation(**c) for c in data["citations"]],
            notice="" if data["found"] else data["answer"],
        )
        self._record(lambda audit: audit.asked(request_user(request), question, answer, filters, read_as))
        return data

    def _changing(self, user: str, action: str, sent: Sequence[str], run, detail: str = ""):
        """Run a change to the collection and record which documents it added, replaced or removed.

        Nothing is recorded when nothing was chosen (a declined confirmation, an empty upload).
        """
        before = collection_state(self.assistant)
        result = run()
        if not sent:
            return result
        documents, change = collection_change(before, collection_state(self.assistant))
        line = "; ".join(filter(None, [change, detail, f"sent: {', '.join(sent)}"]))
        self._record(lambda audit: audit.changed(user, action, documents or list(sent), line))
        return result

    def upload(self, entries, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        names = [str(e.get("name") or "") for e in entries or [] if isinstance(e, dict)]
        return self._changing(
            request_user(request), UPLOAD, names, lambda: self.handlers.upload(entries, progress=progress)
        )

    def replace(self, source, file_path, query, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        run = lambda: self.library.replace(source, file_path, query, progress=progress)  # noqa: E731
        sent = [source] if source and file_path else []
        return self._changing(request_user(request), REPLACE, sent, run)

    def delete(self, source, query, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        run = lambda: self.library.delete(source, query, progress=progress)  # noqa: E731
        return self._changing(request_user(request), DELETE, [source] if source else [], run)

    def save_details(self, source, title, publisher, date, kind, query, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        run = lambda: self.library.save_details(source, title, publisher, date, kind, query, progress=progress)  # noqa: E731
        detail = f"title {title!r}, publisher {publisher!r}, date {date!r}, type {kind!r}"
        return self._changing(request_user(request), EDIT, [source] if source else [], run, detail)


def open_audit(settings) -> AuditLog | None:
    """The audit log beside the conversations; None (with a warning in the log) if it cannot be kept."""
    from qa.library.audit import audit_log

    try:
        return audit_log(settings)
    except QAError as exc:
        log.warning("%s", exc)
        return None
