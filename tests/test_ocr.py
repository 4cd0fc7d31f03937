"""OCR of scanned PDFs: a page with no text layer is read by rapidocr, paged, marked as OCR and cited verbatim."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.errors import LoadError
from qa.ingest.readers import pdf as pdf_reader
from qa.ingest.readers import read_file
from qa.ingest.readers.ocr import OcrOptions, ocr_available
from qa.ingest.upload import add_documents
from qa.render.html import document_to_html
from qa.render.text import render_answer_text

LINES = [
    "Inspection of Northshire children's services",
    "",
    "Leaders have improved the quality of supervision for social workers.",
    "Children in care now keep the same social worker for longer.",
    "The front door responds quickly and effectively to risk.",
]


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages are only images of text (no text layer), as a scanner makes them."""
    import pymupdf
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 30)
    except OSError:
        font = ImageFont.load_default(size=30)
    document = pymupdf.open()
    for lines in pages:
        image = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((120, 160 + 56 * i), line, fill=0, font=font)
        png = io.BytesIO()
        image.save(png, "PNG")
        page = document.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=png.getvalue())
    document.save(path)
    return path


def test_a_scan_is_refused_as_needing_ocr_when_ocr_is_off(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", [LINES])
    with pytest.raises(LoadError, match="needs OCR"):
        read_file(path, 10**8)


def test_without_the_ocr_extra_a_scan_is_refused_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_reader, "ocr_available", lambda: False)
    path = scanned_pdf(tmp_path / "scan.pdf", [LINES])
    with pytest.raises(LoadError, match=r"pip install 'cited-qa\[ocr\]'"):
        read_file(path, 10**8, OcrOptions())


@pytest.mark.slow
@pytest.mark.skipif(not ocr_available(), reason="needs the ocr extra: pip install 'cited-qa[ocr]'")
def test_a_scanned_pdf_is_uploaded_read_by_ocr_and_cited(fake_assistant: Assistant, tmp_path):
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    scan = scanned_pdf(
        tmp_path / "northshire-scan.pdf", [["Northshire council minutes", "", "Apologies were received."], LINES]
    )
    started = time.perf_counter()
    steps: list[str] = []
    result = add_documents(fake_assistant, [scan], on_progress=lambda fraction, message: steps.append(message))
    seconds = time.perf_counter() - started
    assert result.added == ["northshire-scan.pdf"], result.summary()
    ocr_steps = [m for m in steps if "OCR" in m]  # a long read says where it is
    assert ocr_steps == [f"Reading northshire-scan.pdf by OCR: page {n} of 2" for n in (1, 2)]
    document = fake_assistant.index().documents["northshire-scan.pdf"]
    assert document.ocr_pages == [1, 2] and [p.number for p in document.pages] == [1, 2]
    assert "Leaders have improved the quality of supervision" in document.text
    print(f"\nOCR ingest of 2 scanned pages: {seconds:.1f} s")

    answer = fake_assistant.ask("What have leaders improved for social workers?", k=20)
    [citation] = [c for c in answer.citations if c.source == "northshire-scan.pdf"]
    assert "supervision for social workers" in citation.text
    assert document.text[citation.start : citation.end] == citation.text  # verbatim against the OCR text
    assert citation.page == 2 and citation.ocr and citation.page_label == "page 2 (OCR)"
    assert "page 2 (OCR)" in render_answer_text(answer)
    viewer = document_to_html(document, citation)
    assert "(OCR) Pages 1, 2 of this document were read by OCR" in viewer and "page 2 (OCR)" in viewer
