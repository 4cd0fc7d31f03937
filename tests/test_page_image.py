"""A PDF's cited page as an image, the quote highlighted where it sits."""

from __future__ import annotations

import pymupdf

from pdfmaker import make_pdf
from qa.app.handlers import Handlers
from qa.render.page_image import cited_page_png, matching_words

LINES = [
    "Quarterly review of the children's services.",
    "Inspectors found that supervision of social work staff was irregular",
    "and did not challenge drift in care planning.",
    "The panel will meet again in the spring.",
]


def test_the_quote_is_found_among_the_page_words_across_lines_and_hyphens():
    page = "Inspectors found that supervi- sion of staff was irregular , and more".split()
    first, last = matching_words(page, "that supervision of staff was irregular")
    assert page[first:last] == ["that", "supervi-", "sion", "of", "staff", "was", "irregular"]
    assert matching_words(page, "nothing here matches at all") == (0, 0)


def test_cited_page_is_rendered_with_the_highlight(tmp_path):
    path = make_pdf(tmp_path / "review.pdf", [["Opening page of the review."], LINES])
    png, found = cited_page_png(path, 2, "supervision of social work staff was irregular and did not challenge drift")
    assert found and png[:8] == b"\x89PNG\r\n\x1a\n"
    # The highlight is drawn: the rendered page differs from the same page without it.
    with pymupdf.open(path) as document:
        plain = document[1].get_pixmap(dpi=110).tobytes("png")
    assert png != plain
    assert cited_page_png(path, 9, "anything") is None


def test_the_viewer_offers_the_page_for_a_pdf_citation(fake_assistant):
    corpus = fake_assistant.settings.corpus_dir
    make_pdf(corpus / "review.pdf", [["Opening page of the review."], LINES])
    fake_assistant.ingest(progress=False)
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_confidence=0.0)
    handlers = Handlers(fake_assistant)
    steps = list(handlers.ask("Was supervision of social work staff irregular?", [], ["review.pdf"], None, "", ""))
    turns = steps[-1][2]
    citation = next(c for c in turns[0].answer.citations if c.page)

    class Event:
        turn, n = 0, citation.n

    _, viewer = handlers.open_citation(turns, Event())
    assert 'class="view-page"' in viewer and "data:image/png;base64," in viewer
    assert "could not be placed" not in viewer
