"""Tell content from page furniture by its shape, keeping offsets intact.

Web pages and exported reports carry menus, subscription boxes, share
prompts, weather widgets, captions and link lists. Rather than listing known
strings, each line is judged by its shape: real content is prose (several
words ending in sentence punctuation) that is not a repeat and does not
address the reader. The text itself is never changed; callers get the spans
of the content lines, so every offset still points into the viewable text.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_BULLET = re.compile(r"^[\s•·▪●◦*\-–—>#|]+|^\s*\(?\d{1,3}[.)]\s+")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_ENDS_LEAD_IN = re.compile(r"[:;][\"'”’)\]]*$")
_READER = re.compile(r"\b(you|your|yours)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”]")

MIN_PROSE_WORDS = 6
MIN_LEAD_IN_WORDS = 12
LONG_LINE_WORDS = 30
READER_PROMPT_MAX_WORDS = 30
RUNNING_REPEATS = 3


def is_content_line(line: str) -> bool:
    """True when a single line reads as document prose rather than furniture."""
    body = _BULLET.sub("", line).strip()
    words = len(_WORD.findall(body))
    if words == 0:
        return False
    if words >= LONG_LINE_WORDS:
        return True
    if _ENDS_SENTENCE.search(body):
        if words < MIN_PROSE_WORDS:
            return False
        # A short question put to the reader ("Would you like ...?") is a prompt, not content.
        if body.endswith("?") and _READER.search(body) and not _QUOTED.search(body) and words < READER_PROMPT_MAX_WORDS:
            return False
        return True
    return bool(_ENDS_LEAD_IN.search(body)) and words >= MIN_LEAD_IN_WORDS


def content_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the spans of the content lines of ``text[start:end]``, trimmed, in order.

    Repeats are furniture too: a line printed three or more times (a running
    header or footer) is dropped everywhere, and any other repeated line (a
    caption printed twice) is kept only where it first appears.
    """
    end = len(text) if end is None else end
    lines = list(re.finditer(r"[^\n]+", text[start:end]))
    counts = Counter(_key(m.group(0)) for m in lines)
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for match in lines:
        line = match.group(0)
        key = _key(line)
        if key in seen or counts[key] >= RUNNING_REPEATS or not is_content_line(line):
            seen.add(key)
            continue
        seen.add(key)
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        spans.append((start + match.start() + lead, start + match.start() + trail))
    return spans


def _key(line: str) -> str:
    return " ".join(line.split()).lower()
