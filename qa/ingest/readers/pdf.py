"""PDF: text lines with their positions and fonts (PyMuPDF), laid out one line per paragraph.

PyMuPDF gives each line's box and font size, which is what tells a running
footer from a sentence: see ``qa.ingest.readers.layout`` for how lines become
paragraphs and how headers, footers and page numbers are found. Encrypted
files that open with an empty password (AES or RC4) are read; files that
need a password are refused with a message saying so.
"""

from __future__ import annotations

import re
from typing import Any

from qa.ingest.readers.assemble import lay_out
from qa.ingest.readers.layout import Line, PageLines, mark_furniture
from qa.ingest.readers.loaded import Loaded
from qa.ingest.readers.ocr import INSTALL_HINT, OcrOptions, ocr_available, ocr_page
from qa.ingest.readers.text import Refused, clean_text

TITLE_MAX_WORDS = 25
TITLE_MAX_LINES = 4
TITLE_WORDS_IN_TEXT = 0.6  # a metadata title counts only if this share of its words occur in the document
_WORD = re.compile(r"[^\W_]+")
_HEADING_WORD = re.compile(r"[^\W\d_]{2,}")
_FILE_NAME = re.compile(r"\.(docx?|pdf|indd|rtf|odt|pptx?|xlsx?)$", re.IGNORECASE)


def read_pdf(data: bytes, ocr: OcrOptions | None = None) -> Loaded:
    """Read PDF bytes into one line per paragraph, pages as spans and running furniture marked.

    With ``ocr``, pages that show an image but have no text layer (scans) are read by OCR.
    """
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)  # a damaged file is reported once, as a LoadError
    document = pymupdf.open(stream=data, filetype="pdf")
    try:
        if document.needs_pass and not document.authenticate(""):
            raise Refused("the PDF is password-protected (it cannot be opened without a password); "
                          "save an unprotected copy to index it")
        pages: list[PageLines] = []
        failure: Exception | None = None
        for page in document:
            try:
                pages.append(_page_lines(page, pymupdf))
            except Exception as exc:  # one bad page should not lose the others
                failure = failure or exc
                pages.append(PageLines(lines=[], width=1.0, height=1.0))
        ocr_pages = _read_scans(document, pages, ocr) if failure is None else []
        metadata_title = _metadata_title(document)
    finally:
        document.close()
    if not any(page.lines for page in pages):
        if failure is not None:
            raise Refused(f"no text could be extracted ({type(failure).__name__}: {failure})")
        if ocr is not None and not ocr_available():
            raise Refused(f"the PDF has no text layer (scanned images?); install OCR to read it: {INSTALL_HINT}")
        raise Refused("the PDF has no text layer (scanned images?); it needs OCR before it can be indexed")
    mark_furniture(pages)
    text, spans, furniture = lay_out(pages)
    title = first_page_heading(pages) or _checked_title(metadata_title, text)
    return Loaded(text=text, pages=spans, title=title, furniture=furniture, ocr_pages=ocr_pages)


def _read_scans(document: Any, pages: list[PageLines], ocr: OcrOptions | None) -> list[int]:
    """OCR each page that shows an image but has no text, in place; the numbers of the pages read so."""
    if ocr is None:
        return []
    scans = [i for i, page in enumerate(pages) if not page.lines and document[i].get_images()]
    if not scans or not ocr_available():
        return []
    if ocr.on_start is not None:
        ocr.on_start(len(scans))
    read = []
    for done, i in enumerate(scans, start=1):
        if ocr.on_page is not None:
            ocr.on_page(done, len(scans))
        pages[i] = ocr_page(document[i], ocr.dpi)
        if pages[i].lines:
            read.append(i + 1)
    return read


def _page_lines(page: Any, pymupdf: Any) -> PageLines:
    """The page's non-empty text lines in content order, each with its box and dominant font size."""
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES  # "ﬁ" reads as "fi"
    lines: list[Line] = []
    for block in page.get_text("dict", flags=flags)["blocks"]:
        if block.get("type", 0) != 0:
            continue
        for raw in block["lines"]:
            spans = raw["spans"]
            text = " ".join(clean_text("".join(s["text"] for s in spans)).replace("\n", " ").split())
            if not text:
                continue
            weights: dict[float, int] = {}
            for span in spans:
                size = round(float(span["size"]), 1)
                weights[size] = weights.get(size, 0) + len(span["text"].strip())
            size = max(weights, key=lambda s: (weights[s], s))
            x0, y0, x1, y1 = (float(v) for v in raw["bbox"])
            lines.append(Line(text=text, x0=x0, y0=y0, x1=x1, y1=y1, size=size))
    return PageLines(lines=lines, width=float(page.rect.width), height=float(page.rect.height))


def first_page_heading(pages: list[PageLines]) -> str | None:
    """The first page's heading: its largest-font text, with any larger-than-body lines that follow it.

    Returns None when nothing on the first page with text stands out from the body size.
    """
    page = next((p for p in pages if any(not line.furniture for line in p.lines)), None)
    if page is None:
        return None
    lines = [line for line in page.lines if not line.furniture]
    sizes: dict[float, int] = {}
    for line in lines:
        sizes[line.size] = sizes.get(line.size, 0) + len(line.text)
    body = max(sizes, key=lambda s: sizes[s])
    largest = max(line.size for line in lines)
    if largest <= body + 0.5:
        return None
    start = next(i for i, line in enumerate(lines) if line.size == largest)
    parts: list[str] = []
    previous_size = None
    for line in lines[start : start + TITLE_MAX_LINES]:
        if line.size <= body + 0.5 or (previous_size is not None and line.size > previous_size + 0.5):
            break
        if parts and line.size < previous_size - 0.5 and not parts[-1].endswith((":", ".", "?")):
            parts[-1] += ":"  # "Northshire" over "Inspection of children's social care services"
        parts.append(line.text)
        previous_size = line.size
    title = cut_title(" ".join(parts))
    return title if _HEADING_WORD.search(title) else None  # not a drop cap or a large page number


def cut_title(title: str) -> str:
    """``title`` with whitespace collapsed, cut to TITLE_MAX_WORDS words with "…" when longer."""
    words = title.split()
    if len(words) <= TITLE_MAX_WORDS:
        return " ".join(words)
    return " ".join(words[:TITLE_MAX_WORDS]).rstrip(",;:") + "…"


def _metadata_title(document: Any) -> str | None:
    try:
        return " ".join(str((document.metadata or {}).get("title") or "").split()) or None
    except Exception:
        return None


def _checked_title(title: str | None, text: str) -> str | None:
    """A metadata title, unless it is a placeholder ("1", "Untitled", a file name, an unfilled template).

    An unfilled template ("LA NAME - report - INSPECTION DATE") is told by its
    words not occurring in the document, which a filled-in title's words do.
    """
    if not title or title.lower() in ("untitled", "title", "document") or title.startswith("Microsoft "):
        return None
    if _FILE_NAME.search(title):
        return None
    words = [w.lower() for w in _WORD.findall(title) if not w.isdigit()]
    if not words or len("".join(words)) < 3:
        return None
    present = set(_WORD.findall(text.lower()))
    if sum(w in present for w in words) < TITLE_WORDS_IN_TEXT * len(words):
        return None
    return cut_title(title)
