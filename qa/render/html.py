"""HTML rendering for the app: answers with clickable citation markers, the sources panel, the source viewer.

Pure functions of library objects. Every piece of document or user text goes
through ``html.escape`` before it meets markup, so a corpus file holding HTML
or script is shown as text and never runs. Clickable elements carry
``data-turn`` and ``data-n``; the app's script turns a click into an event.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from html import escape

from qa.render.copy import answer_with_citations, statement_with_citations
from qa.render.text import format_date, grouped_statements
from qa.types import Answer, Citation, Document, Written

if TYPE_CHECKING:
    from qa.library.documents import LibraryRow

MARK_ID = "cited-passage"


def citation_marker(turn: int, n: int) -> str:
    """A clickable [n] marker that opens citation n of answer ``turn``."""
    return (
        f'<button type="button" class="cite-marker" data-turn="{turn}" data-n="{n}" '
        f'title="Open source {n}" aria-label="Open source {n}">[{n}]</button>'
    )


def copy_button(text: str, label: str, kind: str, shown: str = "Copy") -> str:
    """A button that puts ``text`` on the clipboard (the page's script reads ``data-copy``)."""
    return (
        f'<button type="button" class="copy {kind}" data-copy="{escape(text, quote=True)}" '
        f'aria-label="{escape(label, quote=True)}" title="{escape(label, quote=True)}">{escape(shown)}</button>'
    )


def written_to_html(written: Written, turn: int) -> str:
    """A written answer: its checked sentences with clickable [n] markers, and its notice (or 'Writing…')."""
    if written.complete and not written.shown:  # nothing written holds up: the notice, then the quotes as usual
        return f'<p class="written-notice">{escape(written.notice)}</p>' if written.notice else ""
    model = f" by {escape(written.model)}" if written.model else ""
    parts = [
        '<div class="written" aria-live="polite">',
        f'<p class="written-label">Written answer{model}; each sentence is checked against the quotes it cites.</p>',
    ]
    if written.shown:
        sentences = []
        for s in written.shown:
            text = " ".join(s.text.split())
            stop = text[-1] if text[-1:] in ".!?" else ""
            markers = " ".join(citation_marker(turn, n) for n in s.citations)
            sentences.append(f"{escape(text[:-1] if stop else text)} {markers}{stop}")
        parts.append(f'<p class="written-text">{" ".join(sentences)}</p>')
    if written.notice:
        parts.append(f'<p class="written-notice">{escape(written.notice)}</p>')
    elif not written.complete:
        parts.append('<p class="written-notice pending">Writing…</p>')
    parts += ["</div>", '<p class="quotes-label">Quotes</p>']
    return "\n".join(parts)


def answer_to_html(answer: Answer, turn: int) -> str:
    """The answer as HTML: a written answer if there is one, then document headings, the quoted statements,
    clickable [n] markers and pages."""
    if not answer.statements:
        return f'<p class="not-found">{escape(answer.notice)}</p>'
    by_n = {c.n: c for c in answer.citations}
    parts: list[str] = [written_to_html(answer.written, turn)] if answer.written is not None else []
    for first, statements in grouped_statements(answer):
        if first is not None:
            parts.append(
                f'<p class="doc-heading"><strong>{escape(first.title)}</strong> '
                f'<span class="date">({escape(format_date(first.date))})</span></p>'
            )
        parts.append('<ul class="quotes">')
        for statement in statements:
            cited = [n for n in statement.citations if n in by_n]
            markers = " ".join(citation_marker(turn, n) for n in cited)
            pages = sorted({by_n[n].page for n in cited if by_n[n].page})
            ocr = ", OCR" if any(by_n[n].ocr for n in cited) else ""
            page = f' <span class="page">(page {", ".join(map(str, pages))}{ocr})</span>' if pages else ""
            label = f"Copy quote {', '.join(map(str, cited))} with its citation" if cited else "Copy this sentence"
            copy = copy_button(statement_with_citations(statement.text, [by_n[n] for n in cited]), label, "copy-quote")
            parts.append(f"<li>{escape(' '.join(statement.text.split()))} {markers}{page} {copy}</li>")
        parts.append("</ul>")
    if answer.notice:
        parts.append(f'<p class="notice">{escape(answer.notice)}</p>')
    whole = copy_button(
        answer_with_citations(answer), "Copy the whole answer with its citations", "copy-answer", "Copy answer"
    )
    parts.append(f'<p class="answer-tools">{whole}</p>')
    return "\n".join(parts)


def conversation_to_html(
    answers: Sequence[Answer],
    pending: str | None = None,
    notice: str | None = None,
    searched: Sequence[str | None] = (),
) -> str:
    """The whole conversation, oldest first, with an optional question in progress and a notice.

    ``searched`` gives, per answer, what a follow-up was read as ("Searched for: ..."), or None.
    """
    parts = ['<div class="conversation">']
    if not answers and pending is None:
        parts.append(
            '<div class="landing"><p><strong>Ask a question about the documents.</strong></p>'
            "<p>Every answer quotes the documents word for word. Select a number such as "
            '<span class="cite-marker demo">[1]</span> to read the quoted passage in its source.</p></div>'
        )
    for turn, answer in enumerate(answers):
        parts.append(_question_html(answer.question))
        read_as = searched[turn] if turn < len(searched) else None
        searched_for = f'<p class="searched-for">Searched for: {escape(read_as)}</p>' if read_as else ""
        parts.append(f'<div class="turn answer" data-turn="{turn}">{searched_for}{answer_to_html(answer, turn)}</div>')
    if pending is not None:
        parts.append(_question_html(pending))
        parts.append('<div class="turn answer pending" role="status"><p>Searching the documents…</p></div>')
    if notice:
        parts.append(f'<div class="notice" role="alert">{escape(notice)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _question_html(question: str) -> str:
    return f'<div class="turn question"><p>{escape(question)}</p></div>'


def citation_heading(citation: Citation) -> str:
    """'Title · 23 July 2018 · file.txt, page 3' as escaped HTML."""
    page = f", {citation.page_label}" if citation.page else ""
    return (
        f'<span class="title">{escape(citation.title or citation.source)}</span> · '
        f'<span class="date">{escape(format_date(citation.date))}</span> · '
        f'<span class="file">{escape(citation.source)}{page}</span>'
    )


def sources_to_html(answer: Answer | None, turn: int, active: int | None = None) -> str:
    """The sources panel: each cited passage with title, date, file and page; selecting one opens it."""
    if answer is None:
        return '<div class="sources empty"><p>Sources for an answer appear here.</p></div>'
    if not answer.citations:
        return '<div class="sources empty"><p>This answer has no sources.</p></div>'
    items = []
    for c in answer.citations:
        current = " active" if c.n == active else ""
        items.append(
            f'<li><button type="button" class="source-item{current}" data-turn="{turn}" data-n="{c.n}" '
            f'aria-label="Open source {c.n} in the viewer">'
            f'<span class="n">[{c.n}]</span> <span class="meta">{citation_heading(c)}</span>'
            f'<span class="quote">{escape(" ".join(c.text.split()))}</span></button></li>'
        )
    question = escape(answer.question)
    return f'<div class="sources"><p class="for">For: <em>{question}</em></p><ol>{"".join(items)}</ol></div>'


def highlight_span(text: str, start: int, end: int, mark_id: str = MARK_ID) -> str:
    """``text`` escaped, with ``text[start:end]`` wrapped in ``<mark id=mark_id>``."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}-{end} is outside a text of {len(text)} characters")
    return (
        f'{escape(text[:start])}<mark id="{escape(mark_id)}" class="cited">{escape(text[start:end])}</mark>'
        f"{escape(text[end:])}"
    )


def back_button(turn: int, n: int) -> str:
    """'Back to the answer': closes the source (a dialog on narrow screens) and returns to marker [n] of ``turn``."""
    return (
        f'<button type="button" class="back-to-answer" data-back-turn="{turn}" data-back-n="{n}">'
        "← Back to the answer</button>"
    )


def document_to_html(
    document: Document,
    citation: Citation,
    turn: int = 0,
    page_png: bytes | None = None,
    page_highlighted: bool = False,
) -> str:
    """The source viewer: the whole document text, escaped, with the cited passage highlighted.

    With ``page_png`` (a PDF's cited page rendered as an image) the viewer can switch between the
    extracted text and the page as printed.
    """
    switch = ""
    page = ""
    if page_png is not None:
        switch = (
            '<span class="view-switch" role="group" aria-label="Show">'
            '<button type="button" class="view-text active" aria-pressed="true">Text</button>'
            f'<button type="button" class="view-page" aria-pressed="false">Page {citation.page} as printed</button></span>'
        )
        note = "" if page_highlighted else '<p class="page-note">The quote could not be placed on this page image.</p>'
        alt = f"Page {citation.page} of {citation.title or citation.source}" + (
            ", the quote highlighted" if page_highlighted else ""
        )
        data = base64.b64encode(page_png).decode("ascii")
        page = f'<div class="page-image">{note}<img alt="{escape(alt)}" src="data:image/png;base64,{data}"></div>'
    header = (
        f'<div class="viewer-head">{back_button(turn, citation.n)}{switch}'
        f'<span id="viewer-title"><span class="n">[{citation.n}]</span> {citation_heading(citation)}</span></div>'
    )
    body = highlight_span(document.text, citation.start, citation.end)
    # The text scrolls on its own, so it takes the keyboard focus too (arrow keys scroll it).
    text = f'<div class="doc-text" tabindex="0" role="region" aria-label="Text of the document">{body}</div>'
    return f'<div class="viewer">{header}{ocr_note(document)}{text}{page}</div>'


def ocr_note(document: Document) -> str:
    """A line saying which pages' text was read by OCR from scanned images (empty when none was)."""
    pages = document.ocr_pages
    if not pages:
        return ""
    which = f"Page {pages[0]}" if len(pages) == 1 else f"Pages {', '.join(map(str, pages))}"
    verb = "was" if len(pages) == 1 else "were"
    return (
        f'<p class="ocr-note">(OCR) {which} of this document {verb} read by OCR from a scanned image: '
        "the text may differ from the page as printed.</p>"
    )


def viewer_placeholder(message: str = "Select a source number to read the passage in its document.") -> str:
    """What the source viewer shows before a citation is opened, or when one cannot be."""
    return f'<div class="viewer empty"><p>{escape(message)}</p></div>'


def status_to_html(text: str, error: bool = False) -> str:
    """A short status message (one paragraph per line), escaped."""
    lines = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    kind = "status error" if error else "status"
    return f'<div class="{kind}" role="status">{lines}</div>'


def verdict_counts_html(counts: Mapping[str, int] | None) -> str:
    """A document's reviewers' verdicts in a cell: '2 answer · 1 related · 1 wrong', or '–' for none."""
    if not counts or not sum(counts.values()):
        return "–"
    parts = [
        (counts.get("answers", 0), "answer"),
        (counts.get("related", 0), "related"),
        (counts.get("wrong", 0), "wrong"),
    ]
    title = "Reviewers' verdicts on its quotes: answers the question, related but does not answer, wrong passage"
    return f'<span class="verdicts" title="{title}">{" · ".join(f"{n} {label}" for n, label in parts if n)}</span>'


def library_to_html(
    rows: Sequence[LibraryRow], query: str = "", verdicts: Mapping[str, Mapping[str, int]] | None = None
) -> str:
    """The Library tab's table: title, date, type, pages, passages, when added and file, one row per document;
    with ``verdicts`` (per source, per verdict), a column of the reviewers' verdicts on its quotes."""
    if not rows:
        message = (
            f"No document matches “{query}”." if query.strip() else "The collection is empty: add documents below."
        )
        return f'<div class="library empty"><p>{escape(message)}</p></div>'
    headings = ("Title", "Date", "Type", "Pages", "Passages", "Added", "File") + (
        ("Verdicts",) if verdicts is not None else ()
    )
    head = "".join(f"<th>{h}</th>" for h in headings)
    body = []
    for r in rows:
        cells = [
            f'<td class="title">{escape(r.title)}</td>',
            f"<td>{escape(format_date(r.date))}</td>",
            f"<td>{escape(r.kind or '–')}</td>",
            f"<td>{r.pages if r.pages else '–'}</td>",
            f"<td>{r.passages}</td>",
            f"<td>{escape(r.added)}</td>",
            f'<td class="file">{escape(r.source)}</td>',
        ]
        if verdicts is not None:
            cells.append(f"<td>{verdict_counts_html(verdicts.get(r.source))}</td>")
        body.append(f'<tr data-source="{escape(r.source)}">{"".join(cells)}</tr>')
    count = f"{len(rows)} document{'s' if len(rows) != 1 else ''}"
    return (
        f'<div class="library"><p class="count">{count}</p><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
