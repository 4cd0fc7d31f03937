"""A cited PDF page as an image, the quoted passage highlighted where it sits on the page.

The index keeps the document's extracted text, not where each character was on
the page, so the passage is found again among the page's words (PyMuPDF gives
each word with its box): the longest run of page words that matches the quote's
words in order. Matching words rather than characters survives the changes
extraction makes (line breaks, spacing, page furniture removed).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_TOKEN = re.compile(r"\w+")
MIN_WORDS = 3  # a shorter run could be anywhere on the page
MAX_SIDE_PX = 2000  # the pixel budget of a page image's long side (an A4 page at 110 dpi is 1,286 px)
CACHED_PAGES = 16  # page images kept, by (file hash, page, quote): a PNG of the budget is at most a few MB


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def matching_words(page_words: list[str], quote: str) -> tuple[int, int]:
    """(first, last + 1) of the page words that best match the start of ``quote`` in order; (0, 0) if none do.

    Each page word is compared by its letters and digits only, so "supervision," matches "supervision".
    """
    wanted = _tokens(quote)
    page = ["".join(_tokens(w)) for w in page_words]
    best, best_words = (0, 0), 0
    for start in range(len(page)):
        for offset in range(min(len(wanted), 8)):  # the quote may begin on the page before
            i, j = start, offset
            while i < len(page) and j < len(wanted):
                if not page[i]:  # a lone punctuation mark
                    i += 1
                    continue
                if page[i] != wanted[j]:
                    # a word hyphenated across lines ("supervi-" + "sion") is joined with the next one
                    if i + 1 < len(page) and page[i] + page[i + 1] == wanted[j]:
                        i += 1
                    else:
                        break
                i += 1
                j += 1
            if j - offset > best_words and j - offset >= min(MIN_WORDS, len(wanted)):
                best, best_words = (start, i), j - offset
    return best


def cited_page_png(
    path: Path, page_number: int, quote: str, dpi: int = 110, sha256: str | None = None
) -> tuple[bytes, bool] | None:
    """The page as PNG bytes and whether the quote was found and highlighted; None if there is no such page.

    The image is at most ``MAX_SIDE_PX`` on its long side, whatever the page's size (a poster page at
    ``dpi`` would take gigabytes). Given the file's ``sha256``, the image is kept for the next click on
    the same quote of the same version of the file.
    """
    if sha256 is None:
        return _render(path, page_number, quote, dpi)
    return _render_cached(sha256, path, page_number, quote, dpi)


@lru_cache(maxsize=CACHED_PAGES)
def _render_cached(sha256: str, path: Path, page_number: int, quote: str, dpi: int) -> tuple[bytes, bool] | None:
    return _render(path, page_number, quote, dpi)


def _render(path: Path, page_number: int, quote: str, dpi: int) -> tuple[bytes, bool] | None:
    import pymupdf

    with pymupdf.open(path) as document:
        if document.needs_pass or not 1 <= page_number <= document.page_count:
            return None
        page = document[page_number - 1]
        words = page.get_text("words", sort=True)
        first, last = matching_words([w[4] for w in words], quote)
        found = last > first
        if found:
            page.add_highlight_annot([pymupdf.Rect(w[:4]) for w in words[first:last]])
        long_side_pt = max(page.rect.width, page.rect.height, 1.0)
        zoom = min(dpi / 72, MAX_SIDE_PX / long_side_pt)
        return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), annots=True).tobytes("png"), found
