"""Reviewers' verdicts in the app: thin handlers over :class:`qa.library.verdicts.VerdictStore`."""

from __future__ import annotations

import logging
from html import escape

import gradio as gr

from qa.app.common import readable, request_user
from qa.app.verdict_box import NOTHING_OPEN
from qa.assistant import Assistant
from qa.errors import QAError
from qa.library.audit import VERDICT, AuditLog
from qa.library.conversations import Turn
from qa.library.verdicts import LABELS, VerdictStore
from qa.render.html import status_to_html

log = logging.getLogger(__name__)
QUOTE_CHARS = 160


class VerdictHandlers:
    """Which citation the verdict box is about, and keeping the verdict given on it."""

    def __init__(self, assistant: Assistant, store: VerdictStore | None, audit: AuditLog | None = None) -> None:
        self.assistant = assistant
        self.store = store
        self.audit = audit

    def select(self, turns: list[Turn], event: gr.EventData):
        """A citation opened: the box is now about it, with nothing chosen yet."""
        try:
            turn, n = int(event.turn), int(event.n)
            citation = next(c for c in turns[turn].answer.citations if c.n == n)
        except (AttributeError, KeyError, ValueError, TypeError, IndexError, StopIteration):
            return None, NOTHING_OPEN, None, False, "", ""
        quote = " ".join(citation.text.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        heading = (
            f'<p class="verdict-for">Source [{n}] for “{escape(turns[turn].question)}”: <q>{escape(quote)}</q></p>'
        )
        return {"turn": turn, "n": n}, heading, None, False, "", ""

    def save(self, current, turns: list[Turn], verdict: str | None, unanswered: bool, note: str, request: gr.Request):
        """Keep the verdict on the open citation, with who gave it and the index build it was checked against."""
        if self.store is None:
            return status_to_html("Verdicts cannot be kept: the conversations folder is not writable.", error=True)
        try:
            turn = turns[int(current["turn"])]
            citation = next(c for c in turn.answer.citations if c.n == int(current["n"]))
        except (TypeError, KeyError, ValueError, IndexError, StopIteration):
            return status_to_html("Open a source first, then give your verdict on it.", error=True)
        if not verdict:
            return status_to_html("Choose whether the passage answers the question.", error=True)
        build, changed = self._build_of(citation)
        user = request_user(request)
        try:
            kept = self.store.record(
                user, turn.question, citation, verdict, note or "", query=turn.query, unanswered=unanswered, build=build
            )
            if self.audit is not None:
                self.audit.add(
                    user,
                    VERDICT,
                    question=turn.query,
                    documents=citation.source,
                    spans=f"{citation.source}:{citation.start}-{citation.end}",
                    detail=LABELS[verdict],
                )
        except Exception as exc:  # noqa: BLE001
            return status_to_html(readable(exc, "saving the verdict"), error=True)
        message = f"Saved: [{citation.n}] {LABELS[kept.verdict]}."
        if changed:
            message += " (The document has changed since this answer; the verdict is kept without an index build.)"
        return status_to_html(message)

    def _build_of(self, citation) -> tuple[str | None, bool]:
        """The live index build, if the cited passage still reads the same in it; and whether it has changed."""
        try:
            index = self.assistant.index()
        except QAError:
            return None, False
        document = index.documents.get(citation.source)
        if document is None or document.text[citation.start : citation.end] != citation.text:
            return None, True
        return str(index.manifest.get("build") or "") or None, False


def open_verdicts(settings) -> VerdictStore | None:
    """The verdict store beside the conversations; None (with a warning in the log) if it cannot be kept."""
    from qa.library.conversations import conversations_folder

    try:
        return VerdictStore(conversations_folder(settings))
    except QAError as exc:
        log.warning("%s", exc)
        return None
