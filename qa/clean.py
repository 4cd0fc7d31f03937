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

    A line that repeats an earlier line word for word (a caption printed
    twice, a sign-off on every page) is furniture after its first showing,
    and a line is dropped when it is the same as one before it.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for match in re.finditer(r"[^\n]+", text[start:end]):
        line = match.group(0)
        key = " ".join(line.split()).lower()
        repeated = key in seen
        seen.add(key)
        if repeated or not is_content_line(line):
            continue
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        spans.append((start + match.start() + lead, start + match.start() + trail))
    return _drop_repeated_lines(text, spans)


def _drop_repeated_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop lines whose text appears more than twice in the document (running headers)."""
    counts: dict[str, int] = {}
    for s, e in spans:
        key = " ".join(text[s:e].split()).lower()
        counts[key] = counts.get(key, 0) + 1
    return [(s, e) for s, e in spans if counts[" ".join(text[s:e].split()).lower()] <= 2]
