"""Terminal rendering of answers: plain text with [n] markers, grouped by document."""

from __future__ import annotations

import calendar
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: qa.types renders an Answer's text with this module
    from qa.types import Answer, Citation, Statement, Written, WrittenSentence

WIDTH = 100


def format_date(value: str | None) -> str:
    """'2018-07-23' -> '23 July 2018'; partial dates stay partial; None -> 'undated'."""
    if not value:
        return "undated"
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):  # not an ISO date: show it as it is
        return value
    return parts[0]


def grouped_statements(answer: Answer) -> list[tuple[Citation | None, list[Statement]]]:
    """Statements in order, grouped into runs by the document of their first citation.

    Each group carries that first citation (for the document's title and date),
    or None for statements that cite nothing.
    """
    by_n = {c.n: c for c in answer.citations}
    groups: list[tuple[Citation | None, list[Statement]]] = []
    for statement in answer.statements:
        first = next((by_n[n] for n in statement.citations if n in by_n), None)
        source = first.source if first else None
        if groups and (groups[-1][0].source if groups[-1][0] else None) == source:
            groups[-1][1].append(statement)
        else:
            groups.append((first, [statement]))
    return groups


def statement_markers(statement: Statement) -> str:
    """'[1] [2]' for the statement's citations."""
    return " ".join(f"[{n}]" for n in statement.citations)


def written_sentence(sentence: WrittenSentence) -> str:
    """'Text [1] [2].': a written sentence on one line with its markers before the full stop."""
    text = " ".join(sentence.text.split())
    markers = " ".join(f"[{n}]" for n in sentence.citations)
    if text[-1:] in ".!?":
        return f"{text[:-1]} {markers}{text[-1]}"
    return f"{text} {markers}"


def written_text(written: Written) -> str:
    """The written answer's shown sentences as one paragraph, then its notice (removed sentences, or why none)."""
    lines = [" ".join(written_sentence(s) for s in written.shown)] if written.shown else []
    if written.notice:
        lines.append(written.notice)
    elif not written.complete:
        lines.append("Writing…")
    return "\n".join(lines)


def answer_text(answer: Answer) -> str:
    """Plain-text answer: per document, a heading, then its statements with [n] markers and pages."""
    if not answer.statements:
        return answer.notice
    by_n = {c.n: c for c in answer.citations}
    lines: list[str] = []
    for first, statements in grouped_statements(answer):
        if lines:
            lines.append("")
        if first is not None:
            lines.append(f"{first.title} ({format_date(first.date)}):")
        for statement in statements:
            pages = sorted({by_n[n].page for n in statement.citations if n in by_n and by_n[n].page})
            ocr = ", OCR" if any(by_n[n].ocr for n in statement.citations if n in by_n) else ""
            page = f" (page {', '.join(map(str, pages))}{ocr})" if pages else ""
            lines.append(f"- {' '.join(statement.text.split())} {statement_markers(statement)}{page}")
    if answer.notice:
        lines += ["", answer.notice]
    return "\n".join(lines)


def render_answer_text(answer: Answer, searched_for: str | None = None, note: str | None = None) -> str:
    """The answer, then each citation's source details, for reading in a terminal.

    ``searched_for`` is how a follow-up question was read, and ``note`` a line such as a spelling
    suggestion; both are shown under the question. A written answer comes before its quotes.
    """
    lines = [f"Q: {answer.question}"]
    if searched_for:
        lines.append(f"Searched for: {searched_for}")
    if note:
        lines.append(note)
    lines.append("")
    written = answer.written
    if written is not None and answer.statements and written.shown:
        model = f" by {written.model}" if written.model else ""
        lines += [
            f"Written answer{model} (each sentence checked against the quotes it cites):",
            *written_text(written).splitlines(),
        ]
        lines += ["", "Quotes:"]
    elif (
        written is not None and answer.statements and written.notice
    ):  # nothing written holds up: one line, then the quotes
        lines += [written.notice, ""]
    lines += answer_text(answer).splitlines()
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            page = f", {c.page_label}" if c.page else ""
            lines.append(f"[{c.n}] {c.source} | {c.title} | {format_date(c.date)}{page} | characters {c.start}-{c.end}")
    lines.append("")
    return "\n".join(
        textwrap.fill(line, WIDTH, subsequent_indent="    ") if len(line) > WIDTH else line for line in lines
    )
