"""A cited PDF page as an image, the quoted passage highlighted where it sits on the page.

The index keeps the document's extracted text, not where each character was on
the page, so the passage is found again among the page's words (PyMuPDF gives
each word with its box). Both sides are compared as runs of letters and digits,
case and compatibility forms folded, so hyphens, curly or straight apostrophes,
ligatures, line breaks and spacing do not matter; a word hyphenated across a
line end ("supervi-" + "sion") is joined again. The quote is covered by runs
of page words in its order, each found wherever it sits on the page, so a quote
that runs on in the next column, or past a page header, is lit in every part.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

_TOKEN = re.compile(r"\w+")
MIN_WORDS = 3  # a shorter run could be anywhere on the page
MAX_SIDE_PX = 2000  # the pixel budget of a page image's long side (an A4 page at 110 dpi is 1,286 px)
CACHED_PAGES = 16  # page images kept, by (file hash, page, quote): a PNG of the budget is at most a few MB


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def matching_words(page_words: list[str], quote: str) -> list[tuple[int, int]]:
    """Runs (first, last + 1) of page words that together match ``quote`` in order; [] if none do.

    Each run matches at least MIN_WORDS of the quote's words (or the whole of a shorter quote);
    words of the quote found nowhere on the page (it begins on the page before, or goes on to the next)
    are passed over.
    """
    wanted = _tokens(quote)
    tokens: list[str] = []
    word_of: list[int] = []  # the page word each token comes from
    for index, word in enumerate(page_words):
        for token in _tokens(word):
            tokens.append(token)
            word_of.append(index)
    starts: dict[str, list[int]] = defaultdict(list)  # where each token, or two tokens joined, begins
    for i, token in enumerate(tokens):
        starts[token].append(i)
        if i + 1 < len(tokens):
            starts[token + tokens[i + 1]].append(i)
    runs: list[tuple[int, int]] = []
    used: set[int] = set()
    j = 0
    while j < len(wanted):
        best_start = best_end = 0
        best_j = j
        for start in starts.get(wanted[j], ()):
            end, k = _match_from(tokens, start, wanted, j)
            if k > best_j and not used.intersection(range(start, end)):
                best_start, best_end, best_j = start, end, k
        if best_j - j >= min(MIN_WORDS, len(wanted)):
            used.update(range(best_start, best_end))
            runs.append((word_of[best_start], word_of[best_end - 1] + 1))
            j = best_j
        else:
            j += 1
    return _merged(runs)


def _match_from(tokens: list[str], i: int, wanted: list[str], j: int) -> tuple[int, int]:
    """How far page tokens from ``i`` match quote tokens from ``j``: (page end, quote end)."""
    while i < len(tokens) and j < len(wanted):
        if tokens[i] == wanted[j]:
            i, j = i + 1, j + 1
        elif i + 1 < len(tokens) and tokens[i] + tokens[i + 1] == wanted[j]:  # "supervi-" + "sion"
            i, j = i + 2, j + 1
        elif j + 1 < len(wanted) and wanted[j] + wanted[j + 1] == tokens[i]:  # the page joined what the text split
            i, j = i + 1, j + 2
        else:
            break
    return i, j


def _merged(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for first, last in runs:
        if out and first == out[-1][1]:
            out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def quote_boxes(page, quote: str) -> list:
    """The boxes (PyMuPDF Rects) of the words of a PyMuPDF ``page`` that the quote covers, in its order."""
    import pymupdf

    words = page.get_text("words")  # in reading order, column by column, as the text was extracted
    return [
        pymupdf.Rect(w[:4]) for first, last in matching_words([w[4] for w in words], quote) for w in words[first:last]
    ]


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
        boxes = quote_boxes(page, quote)
        if boxes:
            page.add_highlight_annot(boxes)
        long_side_pt = max(page.rect.width, page.rect.height, 1.0)
        zoom = min(dpi / 72, MAX_SIDE_PX / long_side_pt)
        return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), annots=True).tobytes("png"), bool(boxes)
