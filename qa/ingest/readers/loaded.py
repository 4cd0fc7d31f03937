"""What a reader returns: the viewable text, its pages, its metadata and the spans that are not content."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa.types import Page


@dataclass(frozen=True)
class Loaded:
    """A file's viewable text, its page spans and whatever metadata the format carried.

    ``furniture`` lists character spans of ``text`` that the reader knows are not
    content, whatever their shape: a PDF's running headers, footers and page
    numbers (found by position and recurrence), a Markdown file's front matter.
    They stay in the text, so offsets stay true, but are never chunked or quoted.
    """

    text: str
    pages: list[Page] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    furniture: list[tuple[int, int]] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text was read by OCR from a scanned image
    sha256: str | None = field(
        default=None, compare=False
    )  # of the bytes the text was read from (provenance, not content)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, for passing between processes."""
        return {
            "text": self.text,
            "pages": [[p.number, p.start, p.end] for p in self.pages],
            "title": self.title,
            "date": self.date,
            "publisher": self.publisher,
            "furniture": [list(span) for span in self.furniture],
            "ocr_pages": list(self.ocr_pages),
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Loaded:
        """The inverse of ``to_dict``."""
        return cls(
            text=data["text"],
            pages=[Page(*p) for p in data.get("pages", [])],
            title=data.get("title"),
            date=data.get("date"),
            publisher=data.get("publisher"),
            furniture=[(int(s), int(e)) for s, e in data.get("furniture", [])],
            ocr_pages=[int(n) for n in data.get("ocr_pages", [])],
            sha256=data.get("sha256"),
        )
