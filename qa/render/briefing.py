"""Export a conversation as a dated briefing note, in Markdown and as a Word document.

Each entry holds the question, the answer, and for every citation its title,
date, source file, page and the quoted passage exactly as it appears in the
source, so a reader can check each statement.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from qa.render.text import format_date, grouped_statements, statement_markers, written_text
from qa.types import Answer, Citation

TITLE = "Briefing note"
INTRO = "Answers drawn from the document collection. Every statement is quoted word for word from the source cited."
WRITTEN = "Written answer by {model}; each sentence was checked against the quotes it cites, which follow it:"
# Characters that Markdown (and HTML inside Markdown) would interpret.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_MARKER = re.compile(r"\\\[(\d+)\\\]")  # an escaped [n] marker, shown as a marker again
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Turn = tuple[str, Answer]


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax so quoted text shows literally (HTML included)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def citation_line(citation: Citation) -> str:
    """'Title, 23 July 2018, file.txt, page 3' in plain text."""
    page = f", page {citation.page}" if citation.page else ""
    return f"{citation.title or citation.source}, {format_date(citation.date)}, {citation.source}{page}"


def briefing_markdown(turns: Sequence[Turn], when: datetime | None = None) -> str:
    """The conversation as a Markdown briefing note dated ``when`` (default: now)."""
    when = when or datetime.now()
    lines = [f"# {TITLE}", "", f"Prepared {_dated(when)}. {INTRO}", ""]
    if not turns:
        lines += ["No questions were asked.", ""]
    for i, (question, answer) in enumerate(turns, start=1):
        lines += [f"## {i}. {escape_markdown(_one_line(question))}", ""]
        if not answer.statements:
            lines.append(f"**{escape_markdown(answer.notice)}**")
        elif answer.written is not None and answer.written.shown:
            lines += [f"*{escape_markdown(WRITTEN.format(model=answer.written.model or 'a language model'))}*", ""]
            lines += [_MARKER.sub(r"[\1]", escape_markdown(line)) for line in written_text(answer.written).splitlines()] + [""]
        elif answer.written is not None and answer.written.notice:
            lines += [f"*{escape_markdown(answer.written.notice)}*", ""]
        for first, statements in grouped_statements(answer):
            if first is not None:
                lines += [f"**{escape_markdown(first.title)} ({escape_markdown(format_date(first.date))}):**"]
            for s in statements:
                lines.append(f"- {escape_markdown(_one_line(s.text))} {statement_markers(s)}")
        lines.append("")
        if answer.citations:
            lines += ["### Sources", ""]
            for c in answer.citations:
                lines.append(f"[{c.n}] {escape_markdown(citation_line(c))}, characters {c.start}–{c.end}:")
                lines.append("")
                lines += [f"> {escape_markdown(part)}" if part else ">" for part in c.text.splitlines()]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def briefing_docx(turns: Sequence[Turn], when: datetime | None = None) -> bytes:
    """The conversation as a Word (.docx) briefing note dated ``when`` (default: now)."""
    from docx import Document as WordDocument

    when = when or datetime.now()
    doc = WordDocument()
    doc.core_properties.title = TITLE
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(f"Prepared {_dated(when)}. {INTRO}")
    if not turns:
        doc.add_paragraph("No questions were asked.")
    for i, (question, answer) in enumerate(turns, start=1):
        doc.add_heading(_xml_safe(f"{i}. {_one_line(question)}"), level=1)
        if not answer.statements:
            doc.add_paragraph().add_run(_xml_safe(answer.notice)).bold = True
        elif answer.written is not None and answer.written.shown:
            doc.add_paragraph().add_run(_xml_safe(WRITTEN.format(model=answer.written.model or "a language model"))).italic = True
            for line in written_text(answer.written).splitlines():
                doc.add_paragraph(_xml_safe(line))
        elif answer.written is not None and answer.written.notice:
            doc.add_paragraph().add_run(_xml_safe(answer.written.notice)).italic = True
        for first, statements in grouped_statements(answer):
            if first is not None:
                doc.add_paragraph().add_run(_xml_safe(f"{first.title} ({format_date(first.date)}):")).bold = True
            for s in statements:
                doc.add_paragraph(_xml_safe(f"{_one_line(s.text)} {statement_markers(s)}"), style="List Bullet")
        if answer.citations:
            doc.add_heading("Sources", level=2)
            for c in answer.citations:
                doc.add_paragraph(_xml_safe(f"[{c.n}] {citation_line(c)}, characters {c.start}–{c.end}:"))
                doc.add_paragraph(_xml_safe(c.text), style="Quote")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_briefing(turns: Sequence[Turn], folder: Path, when: datetime | None = None) -> tuple[Path, Path]:
    """Write the note as ``briefing-note-<date-time>.md`` and ``.docx`` into ``folder``; return both paths."""
    when = when or datetime.now()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-note-{when:%Y-%m-%d-%H%M}"
    markdown = folder / f"{stem}.md"
    word = folder / f"{stem}.docx"
    markdown.write_text(briefing_markdown(turns, when), encoding="utf-8")
    word.write_bytes(briefing_docx(turns, when))
    return markdown, word


def _dated(when: datetime) -> str:
    return f"{format_date(when.date().isoformat())} at {when:%H:%M}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_safe(text: str) -> str:
    """Drop characters that Word documents (XML) cannot hold."""
    return _XML_INVALID.sub("", text)
