"""A document's title from its own text, when the format carried none."""

from __future__ import annotations

import re

TITLE_MAX_WORDS = 25
TITLE_FALLBACK_CHARS = 80
TITLE_SEARCH_LINES = 10

_WORD = re.compile(r"[^\W_]+")
_HEADING_END = re.compile(r"[.,;:][\"'”’)\]]*$")


def _strip_heading(line: str) -> str:
    return " ".join(line.strip().strip("#").split())


def detect_title(text: str) -> str:
    """The first early line that looks like a heading (markdown '#' stripped, <= 25 words), else the first 80 chars."""
    lines = [_strip_heading(line) for line in text.split("\n")]
    lines = [line for line in lines if _WORD.search(line)]  # skip rules like "---" and empty lines
    for line in lines[:TITLE_SEARCH_LINES]:
        if len(line.split()) <= TITLE_MAX_WORDS and not _HEADING_END.search(line):
            return line
    if not lines:
        return ""
    first = lines[0]
    if len(first) <= TITLE_FALLBACK_CHARS:
        return first
    cut = first[:TITLE_FALLBACK_CHARS]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut

