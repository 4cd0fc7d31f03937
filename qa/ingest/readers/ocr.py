"""OCR of scanned PDF pages: a page without a text layer is rendered and read by rapidocr (the ``ocr`` extra).

rapidocr ships its detection and recognition models (PP-OCR, ONNX) inside its wheel
and runs them on onnxruntime on the CPU, so nothing is downloaded. Each line it
reads becomes a :class:`~qa.ingest.readers.layout.Line` with its box in page points,
so OCR text is laid out, paged and cleaned of furniture like any PDF's; citations
are offsets into that text, and the pages read this way are listed on the document
so every view of them says "(OCR)".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qa.ingest.readers.layout import Line, PageLines
from qa.ingest.readers.text import clean_text

MIN_SCORE = 0.5  # recognition confidence below which a line is dropped as noise (rapidocr's own default)
INSTALL_HINT = "pip install 'cited-qa[ocr]'"


@dataclass(frozen=True)
class OcrOptions:
    """How to OCR: the resolution pages are rendered at, whom to tell how many pages are about to be read,
    and whom to tell as each one starts (its place among them, and their number)."""

    dpi: int = 200
    on_start: Callable[[int], None] | None = None
    on_page: Callable[[int, int], None] | None = None


def ocr_available() -> bool:
    """True when rapidocr and onnxruntime can be imported."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """The OCR engine, loaded once per process (about a second)."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "critical"})


def ocr_page(page: Any, dpi: int) -> PageLines:
    """The text lines OCR reads on one PyMuPDF page, boxes in page points, in reading order."""
    pixmap = page.get_pixmap(dpi=dpi)
    result = _engine()(pixmap.tobytes("png"))
    scale = 72.0 / dpi
    lines: list[Line] = []
    boxes = result.boxes if result.boxes is not None else []
    for box, text, score in zip(boxes, result.txts or (), result.scores or ()):
        text = " ".join(clean_text(text).split())
        if not text or score < MIN_SCORE:
            continue
        xs = [float(point[0]) * scale for point in box]
        ys = [float(point[1]) * scale for point in box]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        # A line's box is about 1.2 times its type size; rounded so one paragraph's lines share a size.
        size = round((y1 - y0) / 1.2 * 2) / 2
        lines.append(
            Line(
                text=text,
                x0=x0 + page.rect.x0,
                y0=y0 + page.rect.y0,
                x1=x1 + page.rect.x0,
                y1=y1 + page.rect.y0,
                size=size,
            )
        )
    return PageLines(lines=lines, width=float(page.rect.width), height=float(page.rect.height))
