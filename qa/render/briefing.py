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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qa.render.text import format_date, statement_markers
from qa.types import Answer, Citation

DEFAULT_TITLE = "Briefing note"
APP_NAME = "cited-qa"  # the Word and PDF files' author when no one is named
INTRO = "Answers drawn from the document collection. Every quote is word for word from the source named beneath it."
# Characters that Markdown (and HTML inside Markdown) would interpret.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    """One answer chosen for the note: the question as asked, how it was searched, the answer."""

    question: str
    answer: Answer
    searched_for: str | None = None


@dataclass(frozen=True)
class Quote:
    """A quote in the note: its citation, and the number of the earlier answer that already gave it (if any)."""

    citation: Citation
    given_under: int | None = None


@dataclass(frozen=True)
class Claim:
    """A written sentence of an answer (not a quote), with its [n] markers."""

    text: str
    markers: str


@dataclass
class Section:
    """One answer of the note, headed by its question or, for a follow-up, by how it was read."""

    number: int
    question: str
    searched_for: str | None
    notice: str
    items: list[Quote | Claim] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The question as read: a follow-up ("and in York?") by what it searched for."""
        return one_line(self.searched_for) if self.searched_for else self.question

    @property
    def asked_as(self) -> str | None:
        """'Asked as a follow-up: “and in York?”', under a heading that is not the question as asked."""
        return f"Asked as a follow-up: “{self.question}”" if self.searched_for else None


@dataclass
class Note:
    """The whole note, ready for any format."""

    title: str
    prepared: str  # "Prepared 5 March 2024 at 14:30 by A. Trainer."
    key_points: list[tuple[int, Citation]]
    sections: list[Section]


def source_line(citation: Citation) -> str:
    """'Title, 23 July 2018, page 3': what a reader needs to find the quote (no character offsets)."""
    page = f", {citation.page_label}" if citation.page else ""
    return f"{one_line(citation.title or citation.source)}, {format_date(citation.date)}{page}"


def build_note(entries: Sequence[Entry], title: str = DEFAULT_TITLE, author: str | None = None, when: datetime | None = None) -> Note:
    """The note as plain data: key points, then each answer with each quote given once."""
    when = when or datetime.now()
    by = f" by {one_line(author)}" if author and author.strip() else ""
    prepared = f"Prepared {format_date(when.date().isoformat())} at {when:%H:%M}{by}."
    seen: dict[tuple[str, int, int], int] = {}
    key_points: list[tuple[int, Citation]] = []
    sections = []
    for number, entry in enumerate(entries, start=1):
        answer = entry.answer
        written = answer.written
        notice = " ".join(x for x in (answer.notice, written.notice if written else "") if x)
        section = Section(number, one_line(entry.question), entry.searched_for, notice)
        if written is not None and answer.statements and written.shown:  # its checked sentences come before its quotes
            model = written.model or "a language model"
            section.items.append(Claim(f"Written answer by {model}; each sentence was checked against the quotes it cites, which follow:", ""))
            for sentence in written.shown:
                section.items.append(Claim(one_line(sentence.text), " ".join(f"[{n}]" for n in sentence.citations)))
        by_n = {c.n: c for c in answer.citations}
        listed: set[int] = set()
        for statement in answer.statements:
            cited = [by_n[n] for n in statement.citations if n in by_n]
            quoted = len(cited) == 1 and one_line(statement.text) == one_line(cited[0].text)
            if not quoted:  # a written sentence: keep it with its markers; its quotes follow it
                section.items.append(Claim(one_line(statement.text), statement_markers(statement)))
            for citation in cited:
                if citation.n in listed:
                    continue
                listed.add(citation.n)
                key = (citation.source, citation.start, citation.end)
                section.items.append(Quote(citation, seen.get(key)))
                seen.setdefault(key, number)
        quotes = [item.citation for item in section.items if isinstance(item, Quote)]
        if quotes:  # the best quote, the first of equals
            key_points.append((number, max(quotes, key=lambda c: c.score)))
        sections.append(section)
    return Note(one_line(title) or DEFAULT_TITLE, prepared, key_points, sections)


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
                lines += [f"- [{item.citation.n}] Quoted under answer {item.given_under}: {md(source_line(item.citation))}.", ""]
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
                _xml_safe(f"“{one_line(citation.text)}” ({source_line(citation)}; answer {number})"), style="List Bullet"
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
                    _xml_safe(f"[{item.citation.n}] Quoted under answer {item.given_under}: {source_line(item.citation)}."),
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


def one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_safe(text: str) -> str:
    """Drop characters that Word documents (XML) cannot hold."""
    return _XML_INVALID.sub("", text)
