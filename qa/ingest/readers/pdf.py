"""PDF: pages of reflowed text."""

from __future__ import annotations

import io
import re
from typing import Any

from qa.ingest.readers.loaded import Loaded
from qa.ingest.readers.text import Refused, clean_text
from qa.types import Page

_TERMINAL = re.compile(r"[.!?:][\"'”’)\]]*$")
_MARKER = re.compile(r"^(?:[•·▪◦‣●○■□►–—*-]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)])(?:\s|$)")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def read_pdf(data: bytes) -> Loaded:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise Refused(f"the PDF is encrypted and cannot be opened ({exc}); save an unencrypted copy") from exc
        if not opened:
            raise Refused("the PDF is password-protected; save an unencrypted copy")
    texts: list[str] = []
    failure: Exception | None = None
    for page in reader.pages:
        try:
            texts.append(reflow_page(clean_text(page.extract_text() or "")))
        except Exception as exc:  # one bad page should not lose the others
            failure = failure or exc
            texts.append("")
    if not any(texts):
        if failure is not None:
            raise Refused(f"no text could be extracted ({type(failure).__name__}: {failure})")
        raise Refused("the PDF has no text layer (scanned images?); it needs OCR before it can be indexed")
    parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, page_text in enumerate(texts, start=1):
        if parts and page_text:  # an empty page is a zero-width span, with no separator
            parts.append("\n\n")
            offset += 2
        parts.append(page_text)
        pages.append(Page(number, offset, offset + len(page_text)))
        offset += len(page_text)
    return Loaded(text="".join(parts), pages=pages, title=_pdf_title(reader))


def _pdf_title(reader: Any) -> str | None:
    try:
        title = " ".join(str((reader.metadata or {}).get("/Title") or "").split())
    except Exception:
        return None
    if not title or title.lower() in ("untitled", "title", "document") or title.startswith("Microsoft "):
        return None
    if re.search(r"\.(docx?|pdf|indd|rtf|odt|pptx?|xlsx?)$", title, re.IGNORECASE):
        return None
    return title


def reflow_page(text: str) -> str:
    """Re-flow a page's hard-wrapped lines into one line per paragraph, mending hyphenated breaks."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    typical = lengths[int(0.9 * (len(lengths) - 1))]
    short = 0.8 * typical
    out: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            if current:
                out.append(current)
                current = ""
            continue
        if _HYPHENATED.search(current):
            # "inter-" + "national" is one word; "Anglo-" + "Saxon" keeps its hyphen.
            current = current[:-1] + line if line[0].islower() else current + line
        else:
            current = f"{current} {line}" if current else line
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not following:
            continue  # a blank line or the end of the page closes the paragraph
        # A wrapped line fills the width, so a clearly short one ends its paragraph when it
        # closes a sentence or the next line starts afresh (a heading followed by text).
        ends_short = len(line) < short and not _HYPHENATED.search(line)
        starts_afresh = following[0].isupper() or following[0].isdigit()
        if _MARKER.match(following) or (ends_short and (_TERMINAL.search(line) or starts_afresh)):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)


