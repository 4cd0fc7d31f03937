"""The briefing-note export: choose answers, write Markdown, Word and PDF (:mod:`qa.render.briefing`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from qa.app.common import readable
from qa.library.conversations import Turn
from qa.render.briefing import Entry, write_briefing
from qa.settings import Settings


class ExportHandlers:
    """Export chosen answers of the conversation as a briefing note."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Briefing notes live in one folder removed when the app exits, not a new temp folder per export.
        self._exports = tempfile.TemporaryDirectory(prefix="qa-briefings-")

    @staticmethod
    def choices(turns: list[Turn]):
        """One checkbox per answer, each answered one ticked: the trainer unticks what the note should leave out.

        A question the documents did not answer is listed unticked, so a note holds no refusals unless asked to.
        """
        options, ticked = [], []
        for i, turn in enumerate(turns or []):
            answered = bool(turn.answer.statements)
            label = f"{i + 1}. {' '.join(turn.question.split())}" + ("" if answered else " (not answered)")
            options.append((label, i))
            if answered:
                ticked.append(i)
        return gr.update(choices=options, value=ticked)

    def export(self, turns: list[Turn], chosen: list[int] | None, request: gr.Request | None = None):
        """Write the chosen answers as a briefing note (.md, .docx, .pdf) for download."""
        turns = list(turns or [])
        picked = [turns[i] for i in sorted(set(chosen or [])) if isinstance(i, int) and 0 <= i < len(turns)]
        if not picked:
            gr.Warning("Choose at least one answer to include (ask a question first if there is none).")
            return gr.update(value=None, visible=False)
        author = getattr(request, "username", None) or self.settings.app.author
        entries = [Entry(t.question, t.answer, t.searched_for) for t in picked]
        try:
            folder = Path(tempfile.mkdtemp(dir=self._exports.name))
            paths = write_briefing(entries, folder, title=self.settings.app.collection_title, author=author)
        except Exception as exc:  # noqa: BLE001
            gr.Warning(readable(exc, "writing the briefing note"))
            return gr.update(value=None, visible=False)
        return gr.update(value=[str(p) for p in paths], visible=True)
