"""A briefing note a trainer can hand out: chosen answers as Markdown, Word (.docx) and PDF, on A4.

The note opens with the collection's title, when and by whom it was prepared,
and a short list of key points (the best quote of each answer, the one that
scored highest, with its source). Then each answer in turn: headed by the question
(a follow-up by how it was read, with what was asked beneath), and its quotes, each given once with its title, date and page. A quote already
given under an earlier answer is referred to, not repeated. A written answer's
own sentences (which are not quotes) keep their [n] markers, with the quotes
they rest on listed beneath them.

The note is built once as plain data (:func:`build_note`) and each format renders that.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from qa.render.note import (
    APP_NAME,
    DEFAULT_TITLE,
    INTRO,
    Claim,
    Entry,
    Note,
    Quote,
    Section,
    build_note,
    one_line,
    source_line,
)

__all__ = [  # the note's model lives in qa.render.note; it is named here too, where the formats are
    "APP_NAME",
    "DEFAULT_TITLE",
    "INTRO",
    "Claim",
    "Entry",
    "Note",
    "Quote",
    "Section",
    "briefing_docx",
    "briefing_markdown",
    "build_note",
    "escape_markdown",
    "one_line",
    "source_line",
    "write_briefing",
]

# Characters that Markdown (and HTML inside Markdown) would interpret.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# Markdown


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax so quoted text shows literally (HTML included)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def briefing_markdown(note: Note) -> str:
    """The note as Markdown."""
    md = escape_markdown
    lines = [f"# {md(note.title)}", "", f"Briefing note. {md(note.prepared)} {INTRO}", ""]
    if not note.sections:
        return "\n".join([*lines, "No answers were chosen.", ""])
    if note.key_points:
        lines += ["## Key points", ""]
        for number, citation in note.key_points:
            lines.append(f"- “{md(one_line(citation.text))}” ({md(source_line(citation))}; answer {number})")
        lines.append("")
    for section in note.sections:
        lines += [f"## {section.number}. {md(section.heading)}", ""]
        if section.asked_as:
            lines += [f"*{md(section.asked_as)}*", ""]
        if not section.items:
            lines += [f"**{md(section.notice)}**", ""]
        for item in section.items:
            if isinstance(item, Claim):
                lines += [f"{md(item.text)} {item.markers}".rstrip(), ""]
            elif item.given_under is not None:
                lines += [
                    f"- [{item.citation.n}] Quoted under answer {item.given_under}: {md(source_line(item.citation))}.",
                    "",
                ]
            else:
                lines += [f"> {md(part)}" if part.strip() else ">" for part in item.citation.text.strip().splitlines()]
                lines += [">", f"> — [{item.citation.n}] {md(source_line(item.citation))}", ""]
        if section.items and section.notice:
            lines += [md(section.notice), ""]
    return "\n".join(lines).rstrip() + "\n"


# Word


def briefing_docx(note: Note, author: str | None = None) -> bytes:
    """The note as a Word document on A4 paper."""
    from docx import Document as WordDocument
    from docx.shared import Mm

    doc = WordDocument()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
    doc.core_properties.title = _xml_safe(note.title)
    doc.core_properties.author = _xml_safe(author or APP_NAME)  # never python-docx's own default
    doc.core_properties.last_modified_by = _xml_safe(author or APP_NAME)
    doc.core_properties.comments = ""
    doc.add_heading(_xml_safe(note.title), level=0)
    doc.add_paragraph(_xml_safe(f"Briefing note. {note.prepared} {INTRO}"))
    if not note.sections:
        doc.add_paragraph("No answers were chosen.")
    if note.key_points:
        doc.add_heading("Key points", level=1)
        for number, citation in note.key_points:
            doc.add_paragraph(
                _xml_safe(f"“{one_line(citation.text)}” ({source_line(citation)}; answer {number})"),
                style="List Bullet",
            )
    for section in note.sections:
        doc.add_heading(_xml_safe(f"{section.number}. {section.heading}"), level=1)
        if section.asked_as:
            doc.add_paragraph().add_run(_xml_safe(section.asked_as)).italic = True
        if not section.items:
            doc.add_paragraph().add_run(_xml_safe(section.notice)).bold = True
        for item in section.items:
            if isinstance(item, Claim):
                doc.add_paragraph(_xml_safe(f"{item.text} {item.markers}".rstrip()))
            elif item.given_under is not None:
                doc.add_paragraph(
                    _xml_safe(
                        f"[{item.citation.n}] Quoted under answer {item.given_under}: {source_line(item.citation)}."
                    ),
                    style="List Bullet",
                )
            else:
                doc.add_paragraph(_xml_safe(item.citation.text.strip()), style="Quote")
                doc.add_paragraph(_xml_safe(f"— [{item.citation.n}] {source_line(item.citation)}"))
        if section.items and section.notice:
            doc.add_paragraph(_xml_safe(section.notice))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_briefing(
    entries: Sequence[Entry],
    folder: Path,
    when: datetime | None = None,
    title: str = DEFAULT_TITLE,
    author: str | None = None,
) -> tuple[Path, Path, Path]:
    """Write the note as ``briefing-note-<date-time>`` .md, .docx and .pdf into ``folder``; return the three paths."""
    from qa.render.briefing_pdf import briefing_pdf

    when = when or datetime.now()
    note = build_note(entries, title, author, when)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-note-{when:%Y-%m-%d-%H%M}"
    markdown, word, pdf = (folder / f"{stem}{suffix}" for suffix in (".md", ".docx", ".pdf"))
    markdown.write_text(briefing_markdown(note), encoding="utf-8")
    word.write_bytes(briefing_docx(note, author))
    pdf.write_bytes(briefing_pdf(note, author))
    return markdown, word, pdf


def _xml_safe(text: str) -> str:
    """Drop characters that Word documents (XML) cannot hold."""
    return _XML_INVALID.sub("", text)
