"""A document's title from its own text, when the format carried none.

The title is the first early line shaped like a heading: not a byline
("By Emma Thomas"), not a dateline, not a label ending in a colon, not front
matter. A line ending in a full stop can be a title, but a heading without
one is preferred. A title cut to length ends with "…", so nobody takes it
for the whole.
"""

from __future__ import annotations

import re

TITLE_MAX_WORDS = 25
TITLE_FALLBACK_CHARS = 80
TITLE_SEARCH_LINES = 10
BYLINE_MAX_WORDS = 8  # "By Jane Smith, Local Democracy Reporter" is a byline; a long "By ..." sentence is not
DATELINE_MAX_WORDS = 8  # a short line holding a full date is a dateline, not a title

_WORD = re.compile(r"[^\W_]+")
_LABEL_END = re.compile(r"[,;:][\"'”’)\]]*$")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_BYLINE = re.compile(r"^by\b", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def front_matter_end(text: str) -> int:
    """The offset just past a YAML front matter block opening ``text`` ("---" ... "---"), or 0."""
    match = _FRONT_MATTER.match(text)
    return match.end() if match else 0


def _strip_heading(line: str) -> str:
    return " ".join(line.strip().strip("#").split())


def _is_dateline(line: str) -> bool:
    from qa.ingest.dates import has_full_date

    return len(_WORD.findall(line)) <= DATELINE_MAX_WORDS and has_full_date(line)


def _candidates(text: str) -> list[str]:
    """Early lines that could be a title: words, not a byline, not a dateline."""
    lines = [_strip_heading(line) for line in text[front_matter_end(text):].split("\n")]
    out: list[str] = []
    after_by = False
    for line in lines:
        if not _WORD.search(line):  # rules like "---" and empty lines
            continue
        if after_by:  # "By" on a line of its own, the name on the next
            after_by = False
            continue
        if _BYLINE.match(line) and len(_WORD.findall(line)) <= BYLINE_MAX_WORDS:
            after_by = line.lower() == "by"
            continue
        if _is_dateline(line):
            continue
        out.append(line)
    return out


def detect_title(text: str) -> str:
    """The first early heading-like line (<= 25 words), else a short sentence, else the first line cut with "…"."""
    lines = _candidates(text)
    early = [line for line in lines[:TITLE_SEARCH_LINES] if len(line.split()) <= TITLE_MAX_WORDS]
    for line in early:
        if not _LABEL_END.search(line) and not _SENTENCE_END.search(line):
            return line
    for line in early:
        if line.endswith("."):
            return line
    if not lines:
        return ""
    return cut_text(lines[0], TITLE_FALLBACK_CHARS)


def cut_text(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a word boundary with "…" added."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:-–—") + "…"
