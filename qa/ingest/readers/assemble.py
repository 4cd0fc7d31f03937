"""Write laid-out pages as one text: paragraphs, page spans and furniture spans.

A paragraph left open at the foot of a page is continued on the same line by
the next page's first paragraph, and the furniture between them (the page's
footer, the next page's header) is written after it, as its own lines: so a
sentence running over a page break is one sentence whose span holds no
furniture. Furniture also waits while a bulleted list runs on, so a list and
its lead-in stay together. Each page's span runs from its first body text to
its last; the page break inside a joined line is where the next page's text
starts. A page without text is a zero-width span.
"""

from __future__ import annotations

from qa.ingest.readers.layout import (
    SIZE_CHANGE,
    TERMINAL,
    Line,
    PageLines,
    Vocabulary,
    join_lines,
    paragraphs_of,
    runs_on,
    starts_item,
)
from qa.types import Page

RIGHT_EDGE_QUANTILE = 0.9  # the right margin is where 90% of body lines end


def lay_out(pages: list[PageLines]) -> tuple[str, list[Page], list[tuple[int, int]]]:
    """The document text, the page spans and the furniture spans, from pages whose furniture is marked."""
    vocabulary = Vocabulary(line.text for page in pages for line in page.lines if not line.furniture)
    # The right margin, from the whole document: a page of two lines says little about it.
    edges = sorted(line.x1 for page in pages for line in page.lines if not line.furniture)
    right_edge = edges[int(RIGHT_EDGE_QUANTILE * (len(edges) - 1))] if edges else 0.0
    for page in pages:
        page.right_edge = right_edge or page.width
        page.paragraphs = paragraphs_of(
            [line for line in page.lines if not line.furniture], page.right_edge, vocabulary
        )
    vocabulary.learn_style(
        [(a.text, b.text) for page in pages for paragraph in page.paragraphs for a, b in zip(paragraph, paragraph[1:])]
    )
    writer = _Writer(vocabulary)
    for page in pages:
        writer.add_page(page)
    return writer.finish()


class _Writer:
    """Writes paragraphs and furniture as text, deferring furniture that would split a paragraph or a list."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.lines: list[str] = []
        self.offset = 0  # length of "\n".join(self.lines)
        self.pending: list[str] = []
        self.furniture: list[tuple[int, int]] = []
        self.pages: list[Page] = []
        self.last: Line | None = None  # the last body line written, for joins across a page break
        self.last_edge = 0.0

    def _write(self, text: str) -> int:
        start = self.offset + (1 if self.lines else 0)
        self.lines.append(text)
        self.offset = start + len(text)
        return start

    def _blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self._write("")

    def _flush(self) -> None:
        if not self.pending:
            return
        self._blank()
        for text in self.pending:
            start = self._write(text)
            self.furniture.append((start, start + len(text)))
        self._blank()
        self.pending = []

    def _paragraph_text(self, lines: list[Line]) -> str:
        text = lines[0].text
        for line in lines[1:]:
            text = join_lines(text, line.text, self.vocabulary)
        return text

    def add_page(self, page: PageLines) -> None:
        """Write one page's paragraphs; its header waits in ``pending`` with the last page's footer."""
        self.pending.extend(line.text for line in page.lines if line.furniture and line.y0 < page.height / 2)
        texts = [self._paragraph_text(paragraph) for paragraph in page.paragraphs]
        start: int | None = None
        for k, (paragraph, text) in enumerate(zip(page.paragraphs, texts)):
            if k == 0 and self._carries_over(paragraph[0]):
                line_start = self.offset - len(self.lines[-1])
                joined = join_lines(self.lines[-1], text, self.vocabulary)
                self.lines[-1] = joined
                self.offset = line_start + len(joined)
                start = self.offset - len(text)  # the joined line ends with this page's text
            else:
                listing = bool(self.lines) and self.lines[-1].startswith("•") and text.startswith("•")
                if self.pending and not listing:
                    self._flush()
                elif k == 0:
                    self._blank()  # a page break between paragraphs is a blank line
                at = self._write(text)
                start = at if start is None else start
            self.last = paragraph[-1]
        self.last_edge = page.right_edge
        if start is None:  # a page without body text: a zero-width span where it falls
            start = self.offset
        self.pages.append(Page(len(self.pages) + 1, start, self.offset))
        self.pending.extend(line.text for line in page.lines if line.furniture and line.y0 >= page.height / 2)

    def _carries_over(self, first: Line) -> bool:
        """A paragraph left open at the foot of the last page goes on at the top of this one."""
        last = self.last
        if last is None or not self.lines or self.lines[-1] == "" or TERMINAL.search(self.lines[-1][-8:]):
            return False
        if starts_item(first.text) or abs(last.size - first.size) > SIZE_CHANGE:
            return False
        return runs_on(last, first, self.last_edge)

    def finish(self) -> tuple[str, list[Page], list[tuple[int, int]]]:
        self._flush()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        text = "\n".join(self.lines)
        pages = [Page(p.number, min(p.start, len(text)), min(p.end, len(text))) for p in self.pages]
        return text, pages, self.furniture
