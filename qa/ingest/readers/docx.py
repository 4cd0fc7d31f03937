"""DOCX: paragraphs and tables in document order, after checking the zip is not a bomb."""

from __future__ import annotations

import io
import re
from typing import Any

from qa.ingest.readers.loaded import Loaded
from qa.ingest.readers.text import Refused, clean_text
from qa.types import CELL

_MB = 1024 * 1024
_BLANK_RUNS = re.compile(r"\n{3,}")
_HEADING_WORD = re.compile(r"[^\W\d_]{2,}")
_DOCX_FLOOR = 200 * _MB
_BOMB_RATIO, _BOMB_MIN = 100, 50 * _MB
# lxml's tree takes several times its XML's size: a part over this would take the reader worker past its
# 4 GiB cap (a 94:1 part of 940 MB reached 3.9 GB), so it is refused before it is parsed.
XML_PART_LIMIT = 128 * _MB
_TOO_LARGE = "is too large to read within the reader's memory limit; split it into smaller documents"


def _check_zip(data: bytes, max_bytes: int) -> None:
    """Refuse archives that are not zips or that would inflate to an unreasonable size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise Refused(
            "is not a Word document that can be opened (a .docx is a zip file, and this one is not); "
            "it may be damaged, or an older .doc renamed: open it in Word and save it as .docx"
        ) from exc
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    limit = max(20 * max_bytes, _DOCX_FLOOR)
    if unpacked > limit:
        raise Refused(
            f"unpacks to {unpacked / _MB:.0f} MB, more than the {limit / _MB:.0f} MB allowed; "
            "refusing a possible zip bomb"
        )
    if unpacked > _BOMB_MIN and unpacked > _BOMB_RATIO * max(packed, 1):
        raise Refused(
            f"compressed {unpacked // max(packed, 1)}:1 to {unpacked / _MB:.0f} MB; refusing a possible zip bomb"
        )
    for member in members:
        if member.filename.lower().endswith(".xml") and member.file_size > XML_PART_LIMIT:
            raise Refused(
                f"{_TOO_LARGE} (its part {member.filename} unpacks to {member.file_size / _MB:.0f} MB of XML, "
                f"more than the {XML_PART_LIMIT / _MB:.0f} MB that can be parsed)"
            )


def read_docx(data: bytes, max_bytes: int) -> Loaded:
    """Read DOCX bytes into text: one line per paragraph, a table row per line with cells joined by " | "."""
    _check_zip(data, max_bytes)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError as exc:
        raise Refused(_TOO_LARGE) from exc
    except Exception as exc:
        if "memory allocation failed" in str(exc).lower():  # lxml's own out-of-memory, not a damaged file
            raise Refused(_TOO_LARGE) from exc
        raise
    lines: list[str] = []
    first_heading: str | None = None
    pending = list(document.element.body.iterchildren())
    pending.reverse()
    while pending:
        element = pending.pop()
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            heading = _is_heading(paragraph)
            if heading and lines and lines[-1]:
                lines.append("")
            text = paragraph.text
            if heading and first_heading is None and _HEADING_WORD.search(text):
                first_heading = " ".join(text.split())
            lines.append(f"• {text}" if text.strip() and _is_list_item(paragraph) else text)
        elif tag == "tbl":
            if lines and lines[-1]:
                lines.append("")
            for row in Table(element, document).rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is not previous:  # a merged cell repeats once per grid column
                        cells.append(" ".join(cell.text.split()))
                    previous = cell._tc
                if any(cells):
                    lines.append(CELL.join(cells))
            lines.append("")
        elif tag == "sdt":  # content controls wrap ordinary paragraphs and tables
            content = [c for c in element.iterchildren() if c.tag.endswith("}sdtContent")]
            for box in reversed(content):
                pending.extend(reversed(list(box.iterchildren())))
    text = "\n".join(line.rstrip() for line in clean_text("\n".join(lines)).split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text.lstrip("\n"))
    title = _property_title(document.core_properties.title, text) or first_heading
    return Loaded(text=text, title=title)


def _property_title(value: str | None, text: str) -> str | None:
    """The title property, unless it is a template's placeholder or a file name rather than this document's title."""
    from qa.ingest.titles import checked_title

    return checked_title(" ".join((value or "").split()) or None, text)


def _is_heading(paragraph: Any) -> bool:
    try:
        name = paragraph.style.name or ""
    except Exception:  # a missing or broken style part
        return False
    return name.startswith(("Heading", "Title"))


def _is_list_item(paragraph: Any) -> bool:
    """A bulleted or numbered paragraph (Word draws its marker from numbering, not text): shown with "• "."""
    try:
        properties = paragraph._p.pPr
        numbered = properties is not None and properties.numPr is not None
        name = paragraph.style.name or ""
    except Exception:  # a missing or broken style part
        return False
    return numbered or name.startswith("List ")
