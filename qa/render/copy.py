"""Plain text to put on the clipboard: a quote with its citation, or a whole answer with each quote's citation.

'“Supervision is regular.” — Inspection of Northby children's services, 21 January 2020, p. 3': what a reader
pastes into an email or a report, enough to find the quote again.
"""

from __future__ import annotations

from qa.render.text import format_date, written_text
from qa.types import Answer, Citation


def citation_line(citation: Citation) -> str:
    """'Title, 23 July 2018, p. 3' (no page for a document without pages)."""
    page = f", p. {citation.page}" if citation.page else ""
    return f"{' '.join((citation.title or citation.source).split())}, {format_date(citation.date)}{page}"


def quote_with_citation(citation: Citation) -> str:
    """'“…quote…” — Title, 23 July 2018, p. 3'."""
    return f"“{' '.join(citation.text.split())}” — {citation_line(citation)}"


def answer_with_citations(answer: Answer) -> str:
    """The question, a written answer if there is one (its quotes then numbered as it cites them), then every
    quote with its citation, each once; or the notice when the documents do not answer."""
    lines = [f"Q: {' '.join(answer.question.split())}"]
    if not answer.statements:
        return "\n".join([*lines, answer.notice])
    if answer.written is not None and answer.written.shown:
        lines.append(written_text(answer.written))
    numbered = answer.written is not None and bool(answer.written.shown)  # its sentences cite quotes by number
    by_n = {c.n: c for c in answer.citations}
    listed: set[int] = set()
    for statement in answer.statements:
        for n in statement.citations:
            if n in by_n and n not in listed:
                listed.add(n)
                lines.append(f"[{n}] " * numbered + quote_with_citation(by_n[n]))
    if answer.notice:
        lines.append(answer.notice)
    return "\n".join(lines)


def statement_with_citations(text: str, citations: list[Citation]) -> str:
    """A statement of an answer for the clipboard: a quote with its citation, or a written sentence and its quotes."""
    if len(citations) == 1 and " ".join(text.split()) == " ".join(citations[0].text.split()):
        return quote_with_citation(citations[0])
    return "\n".join([" ".join(text.split()), *(quote_with_citation(c) for c in citations)])
