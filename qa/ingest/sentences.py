"""Sentence segmentation that returns exact character spans.

A rule-based splitter is enough for report and news prose and, unlike most
segmenters, never alters the text: every span indexes the original string.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st no nos vs etc cllr cllor rev gen col sgt capt lt mt ft inc ltd co corp plc
    approx dept est fig figs p pp vol vols para paras ref cf al ie eg viz jan feb mar apr jun jul aug sep sept
    oct nov dec mon tue tues wed thu thur thurs fri sat sun hon rt govt""".split()
)
# End of a sentence: terminal punctuation, then optional closing quotes or brackets.
_TERMINAL = re.compile(r"[.!?…]+[\"'”’)\]]*")
_LAST_WORD = re.compile(r"([A-Za-z]+)$")
_BULLETS = "•·▪●◦‣"
_GLYPH_BULLET = re.compile(r"[\u25a0-\u25ff\ue000-\uf8ff]")
_OPENERS = "\"'“‘([•·-–—*"


def _is_boundary(text: str, punct_start: int, after: int) -> bool:
    """Decide whether terminal punctuation ending at ``after`` closes a sentence."""
    if after >= len(text) or not text[after].isspace():
        return False
    nxt_at = after
    while nxt_at < len(text) and text[nxt_at].isspace() and text[nxt_at] != "\n":
        nxt_at += 1  # any blank, including no-break spaces
    if nxt_at == len(text) or text[nxt_at] == "\n":
        return True
    nxt = text[nxt_at]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    if text[punct_start] != ".":
        return True
    # Look back a bounded distance: scanning from the start of the text made long lines quadratic.
    word = _LAST_WORD.search(text, max(0, punct_start - 32), punct_start)
    if word:
        token = word.group(1)
        if token.lower() in _ABBREVIATIONS:
            return False
        if len(token) == 1 and token.isupper():  # an initial, as in "J. Smith"
            return False
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the spans of the sentences in ``text[start:end]``, whitespace trimmed.

    Line breaks always end a sentence: loaders put one paragraph on a line.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        line_end = start + line.end()
        cursor = line_start
        for match in _TERMINAL.finditer(text, line_start, line_end):
            if _is_boundary(text, match.start(), match.end()) or match.end() == line_end:
                _append(text, spans, cursor, match.end())
                cursor = match.end()
        _append(text, spans, cursor, line_end)
    return spans


def _append(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    """Add the whitespace-trimmed span if anything is left."""
    while start < end and (
        text[start].isspace()
        or text[start] in _BULLETS
        or _GLYPH_BULLET.match(text[start])  # "◼", or a private-use Symbol/Wingdings bullet
        or (text[start] in "-*–—" and start + 1 < end and text[start + 1].isspace())  # "- item", "* item"
    ):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
