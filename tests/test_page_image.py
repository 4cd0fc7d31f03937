"""A PDF's cited page as an image, the quote highlighted where it sits."""

from __future__ import annotations

import time

import pymupdf
import pytest

from bench.reliability_report import record
from pdfmaker import make_pdf
from qa.app.handlers import Handlers
from qa.render.page_image import MAX_SIDE_PX, _tokens, cited_page_png, matching_words, quote_boxes

LINES = [
    "Quarterly review of the children's services.",
    "Inspectors found that supervision of social work staff was irregular",
    "and did not challenge drift in care planning.",
    "The panel will meet again in the spring.",
]


def test_the_quote_is_found_among_the_page_words_across_lines_and_hyphens():
    page = "Inspectors found that supervi- sion of staff was irregular , and more".split()
    [(first, last)] = matching_words(page, "that supervision of staff was irregular")
    assert page[first:last] == ["that", "supervi-", "sion", "of", "staff", "was", "irregular"]
    assert matching_words(page, "nothing here matches at all") == []


# A quote with a hyphenated word, a curly apostrophe and a word hyphenated at the line end, over three lines.
CARER_LINES = [
    "The review was written in the autumn.",
    "Staff did not always consider the young carer’s own needs in wider",
    "child-in-need planning, and the service’s re-referral rate rose over",
    "the year, so managers will audit child-in-",
    "need plans each month.",
]
CARER_QUOTE = (
    "Staff did not always consider the young carer’s own needs in wider child-in-need planning, and the "
    "service’s re-referral rate rose over the year, so managers will audit child-in-need plans each month."
)


def lit_text(page, quote: str) -> list[str]:
    """The words whose boxes the highlight covers, as tokens, in the quote's order."""
    text_of = {tuple(w[:4]): w[4] for w in page.get_text("words")}
    return [t for box in quote_boxes(page, quote) for t in _tokens(text_of[tuple(box)])]


def test_the_whole_quote_is_lit_through_hyphens_curly_apostrophes_and_line_breaks(tmp_path):
    path = make_pdf(tmp_path / "carers.pdf", [CARER_LINES])
    with pymupdf.open(path) as document:
        assert lit_text(document[0], CARER_QUOTE) == _tokens(
            CARER_QUOTE.replace("child-in-need plans", "child-in- need plans")
        )
        # The same with straight apostrophes in the quote, as some extractions give.
        assert len(quote_boxes(document[0], CARER_QUOTE.replace("’", "'"))) == len(
            quote_boxes(document[0], CARER_QUOTE)
        )


def test_a_quote_that_runs_on_into_the_next_column_is_lit_in_both(tmp_path):
    left = ["Inspectors met the leaders of the", "service in May. Leaders have a clear", "plan to reduce"]
    right = ["caseloads for social workers who", "support disabled children.", "Other matters followed."]
    document = pymupdf.open()
    page = document.new_page()
    for column, lines in ((72, left), (320, right)):
        for i, line in enumerate(lines):
            page.insert_text((column, 100 + 14 * i), line, fontsize=10)
    quote = "Leaders have a clear plan to reduce caseloads for social workers who support disabled children."
    assert lit_text(page, quote) == _tokens(quote)
    document.close()


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
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    handlers = Handlers(fake_assistant)
    steps = list(handlers.ask("Was supervision of social work staff irregular?", [], ["review.pdf"], None, "", ""))
    turns = steps[-1][2]
    citation = next(c for c in turns[0].answer.citations if c.page)

    class Event:
        turn, n = 0, citation.n

    _, viewer = handlers.open_citation(turns, Event())
    assert 'class="view-page"' in viewer and "data:image/png;base64," in viewer
    assert "could not be placed" not in viewer


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("side_pt", [4_000, 12_000])
def test_a_huge_page_is_rendered_to_a_pixel_budget_and_cached(tmp_path, side_pt):
    """A poster-sized page costs a bounded image (about 2,000 px on its long side), rendered once per file and page."""
    path = tmp_path / "poster.pdf"
    with pymupdf.open() as document:
        page = document.new_page(width=side_pt, height=side_pt * 0.75)
        for i, line in enumerate(LINES):
            page.insert_text((72, 72 + 14 * i), line, fontsize=11)
        document.save(path)
    quote = "supervision of social work staff was irregular"
    started = time.perf_counter()
    png, found = cited_page_png(path, 1, quote, sha256=f"hash-{side_pt}")
    first_s = time.perf_counter() - started
    assert found and max(_png_size(png)) <= MAX_SIDE_PX
    assert max(_png_size(png)) >= MAX_SIDE_PX * 0.95  # the budget is used, not a thumbnail
    path.unlink()  # a second click is served from the cache, without reading the file again
    started = time.perf_counter()
    assert cited_page_png(path, 1, quote, sha256=f"hash-{side_pt}") == (png, found)
    again_s = time.perf_counter() - started
    # An ordinary page keeps its resolution.
    ordinary = make_pdf(tmp_path / "ordinary.pdf", [LINES])
    with pymupdf.open(ordinary) as document:
        plain = document[0].get_pixmap(dpi=110)
    assert _png_size(cited_page_png(ordinary, 1, quote)[0]) == (plain.width, plain.height)
    record(
        "round2",
        f"6 {side_pt}",
        {
            "order": 60 + (side_pt > 4_000),
            "fault": "6. Page image of a huge PDF page",
            "case": f"page {side_pt:,} x {side_pt * 3 // 4:,} pt, cited quote highlighted",
            "outcome": f"{_png_size(png)[0]} x {_png_size(png)[1]} px (was {round(side_pt * 110 / 72):,} px wide at 110 dpi)",
            "figure": f"first click {first_s:.2f} s, second {again_s * 1000:.2f} ms (cached by file hash and page)",
        },
    )
