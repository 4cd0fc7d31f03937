"""Read one source file into the plain text a user will view; every citation is an offset into it.

Conventions the rest of the pipeline relies on: newlines are "\\n" only, one
line per paragraph, a blank line between blocks, and no control characters
other than "\\n" and "\\t". Heavy parsers are imported only when a file needs them.
One module per format: ``text`` (plain text and Markdown), ``html``, ``pdf``, ``docx``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

from qa.errors import LoadError
from qa.ingest.readers.loaded import Loaded
from qa.ingest.readers.ocr import OcrOptions
from qa.ingest.readers.text import Refused, clean_text, decode_bytes

__all__ = ["SUPPORTED_SUFFIXES", "Loaded", "clean_text", "decode_bytes", "read_file"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})

_MB = 1024 * 1024
log = logging.getLogger(__name__)
# What to call each file type in a message.
_KINDS = {
    ".pdf": "a PDF",
    ".docx": "a Word document",
    ".html": "a web page",
    ".htm": "a web page",
    ".txt": "text",
    ".md": "Markdown text",
}


def read_file(path: Path, max_bytes: int, ocr: OcrOptions | None = None) -> Loaded:
    """Read one supported file; raise qa.errors.LoadError naming the file and the reason.

    With ``ocr``, a PDF's scanned pages are read by OCR (when the ``ocr`` extra is installed).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = suffix or "(no suffix)"
        raise LoadError(f"{path.name}: unsupported file type {shown}; supported types are {supported}")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        try:
            size = max(path.stat().st_size, len(data))
        except OSError:
            size = len(data)
        raise LoadError(
            f"{path.name}: {size / _MB:.1f} MB ({size} bytes) is larger than the limit of "
            f"{max_bytes / _MB:.1f} MB ({max_bytes} bytes); raise max_file_mb to include it"
        )
    try:
        # Hashed here, from the very bytes the text comes from: a file rewritten while ingest reads it is
        # never indexed with one version's hash and another's text.
        return replace(_read_bytes(data, suffix, max_bytes, ocr), sha256=hashlib.sha256(data).hexdigest())
    except Refused as exc:
        raise LoadError(f"{path.name}: {exc}") from exc
    except MemoryError as exc:
        raise LoadError(
            f"{path.name}: ran out of memory while reading it (MemoryError); it is too large or complex to index here"
        ) from exc
    except Exception as exc:  # any parser failure becomes a per-file LoadError, in words people use
        log.info("%s: %s: %s", path.name, type(exc).__name__, exc)  # the parser's own words, for the log
        kind = _KINDS.get(suffix, suffix[1:])
        raise LoadError(
            f"{path.name}: could not be opened as {kind}; it may be damaged or incomplete, "
            f"or another kind of file named {suffix}. Open it in its usual program and save it again."
        ) from exc


def _read_bytes(data: bytes, suffix: str, max_bytes: int, ocr: OcrOptions | None = None) -> Loaded:
    """Dispatch to the reader for ``suffix``; each imports its parser only when called."""
    if suffix in (".html", ".htm"):
        from qa.ingest.readers import html

        return html.read_html(data)
    if suffix == ".pdf":
        from qa.ingest.readers import pdf

        return pdf.read_pdf(data, ocr)
    if suffix == ".docx":
        from qa.ingest.readers import docx

        return docx.read_docx(data, max_bytes)
    if suffix in (".md", ".markdown"):
        from qa.ingest.readers import text

        return text.read_markdown(data)
    from qa.ingest.readers import text

    return text.read_text(data)
