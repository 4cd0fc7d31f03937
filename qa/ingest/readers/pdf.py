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
from qa.ingest.titles import checked_title, cut_title

TITLE_MAX_LINES = 6
SIZE_MARGIN = 0.5  # points: type this much larger than the body's stands out
LINE_GAP = 2.0  # a heading's next line starts within two of its line heights
BOLD_FLAG = 16  # PyMuPDF's span flag for a bold face
_HEADING_WORD = re.compile(r"[^\W\d_]{2,}")
_LABEL = re.compile(r"[^\W\d_]:\s")  # "Inspection dates: 4 to 15 June 2018"
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_CONNECTIVE = re.compile(r"^(?:and|&|or|of|for|with)$", re.IGNORECASE)  # a line holding only a joining word
_OVERPRINT = re.compile(r"\b(\S+(?:\s+\S+){0,3}?)(?:\s+\1\b)+")  # "MOUTH MOUTH MOUTH" -> "MOUTH"
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z])\d{1,2}$")  # "Board1": a footnote's number set against the last word


def read_pdf(data: bytes, ocr: OcrOptions | None = None) -> Loaded:
    """Read PDF bytes into one line per paragraph, pages as spans and running furniture marked.

    With ``ocr``, pages that show an image but have no text layer (scans) are read by OCR.
    """
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)  # a damaged file is reported once, as a LoadError
    document = pymupdf.open(stream=data, filetype="pdf")
    try:
        if document.needs_pass and not document.authenticate(""):
            raise Refused(
                "the PDF is password-protected (it cannot be opened without a password); "
                "save an unprotected copy to index it"
            )
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
    title = _title(pages, text, furniture) or checked_title(metadata_title, text)
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
            bold = 0
            for span in spans:
                size = round(float(span["size"]), 1)
                weights[size] = weights.get(size, 0) + len(span["text"].strip())
                bold += len(span["text"].strip()) if int(span.get("flags", 0)) & BOLD_FLAG else 0
            size = max(weights, key=lambda s: (weights[s], s))
            x0, y0, x1, y1 = (float(v) for v in raw["bbox"])
            bold_line = 2 * bold > sum(weights.values())
            lines.append(Line(text=text, x0=x0, y0=y0, x1=x1, y1=y1, size=size, bold=bold_line))
    return PageLines(lines=lines, width=float(page.rect.width), height=float(page.rect.height))


def _title(pages: list[PageLines], text: str, furniture: list[tuple[int, int]]) -> str | None:
    """A letter's subject or minutes' meeting when the text is one (a letterhead or an agenda item may be set
    larger), else the first page's heading."""
    from qa.ingest.lines import is_routine_item, opening_lines
    from qa.ingest.titles import structural_title

    heading = first_page_heading(pages)
    if heading and is_routine_item(heading):  # "Apologies and Substitutes" set large on a page of minutes
        heading = None
    return structural_title(opening_lines(text, furniture)) or heading


def first_page_heading(pages: list[PageLines]) -> str | None:
    """The first page's heading: its largest-type line with words, and the heading lines under it.

    Lines under it belong to the heading while they stay larger than the body
    type or are set in bold right below it (a council's name over "Inspection
    of children's social care services"), until a label ("Inspection dates:
    ..."), a date or a sentence. A page number or a cover's date ("September
    2008") is never the heading, however large. Returns None when nothing with
    words stands out from the body size.
    """
    from qa.ingest.lines import has_heading_word, is_bare_date, is_dateline

    page = next((p for p in pages if any(not line.furniture for line in p.lines)), None)
    if page is None:
        return None
    lines = [line for line in page.lines if not line.furniture]
    sizes: dict[float, int] = {}
    for line in lines:
        sizes[line.size] = sizes.get(line.size, 0) + len(line.text)
    body = max(sizes, key=lambda s: sizes[s])
    headings = [line for line in lines if has_heading_word(line.text) and not is_bare_date(line.text)]
    if not headings:
        return None
    largest = max(line.size for line in headings)
    if largest <= body + SIZE_MARGIN:
        return None
    start = lines.index(next(line for line in headings if line.size == largest))
    parts: list[str] = []
    previous: Line | None = None
    for i, line in enumerate(lines[start : start + TITLE_MAX_LINES]):
        if previous is not None:
            if _LABEL.search(line.text) or is_dateline(line.text) or _SENTENCE_END.search(line.text):
                break
            if line.size > previous.size + SIZE_MARGIN or line.y0 - previous.y0 > LINE_GAP * previous.height:
                break
            larger = line.size > body + SIZE_MARGIN
            bold = line.bold and has_heading_word(line.text)
            if not (larger or bold or _CONNECTIVE.match(line.text)):
                break
            if line.size < previous.size - SIZE_MARGIN and not parts[-1].endswith((":", ".", "?")):
                parts[-1] += ":"  # "Northshire" over "Inspection of children's social care services"
        parts.append(_FOOTNOTE_MARK.sub("", line.text))
        previous = line
    while parts and _CONNECTIVE.match(parts[-1]):
        parts.pop()
    title = cut_title(
        _OVERPRINT.sub(r"\1", " ".join(parts))
    )  # text drawn over itself (a shadow, an outline) reads once
    return title if _HEADING_WORD.search(title) else None


def _metadata_title(document: Any) -> str | None:
    try:
        return " ".join(str((document.metadata or {}).get("title") or "").split()) or None
    except Exception:
        return None
