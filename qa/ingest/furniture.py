"""Tell content from page furniture by its shape, keeping offsets intact.

Web pages and exported reports carry menus, subscription boxes, share
prompts, weather widgets, captions and link lists. Rather than listing known
strings, each line is judged by its shape: real content is prose (words
ending in sentence punctuation), a list item, a report's "label: value"
finding or a table row, that is not a repeat and does not address the reader.
The text itself is never changed; callers get the spans of the content lines,
so every offset still points into the viewable text.

What a reader knows from position rather than shape (a PDF's running headers,
footers and page numbers, found by recurrence in the page's top or bottom
band; Markdown front matter; what trafilatura leaves out of an HTML page's
main text) arrives as furniture spans, and lines touching them are never content.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence

from qa.types import CELL

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_BULLET = re.compile(r"^[\s•·▪●◦‣■□◼◻►*\-–—>#|\ue000-\uf8ff]+|^\s*\(?\d{1,3}[.)]\s+")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_ENDS_LEAD_IN = re.compile(r"[:;][\"'”’)\]]*$")
# What may introduce a list: a colon, or a question heading ("What needs to improve?"), maybe with a footnote mark.
_INTRODUCES = re.compile(r"[:;?][\"'”’)\]]*\d{0,2}$")
_READER = re.compile(r"\b(you|your|yours)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”]")
_HOLDS_SENTENCE = re.compile(r"\w[)\]\"'”’]*[.!?][\"'”’)\]]*\s")  # "... officer (LADO). (outcome 3)"
_QUESTION_LEAD = re.compile(r"\?[\"'”’)\]]*\d{0,2}$")  # "What needs to improve?", maybe with a footnote mark

MIN_SENTENCE_WORDS = 3
MIN_LEAD_IN_WORDS = 12
MIN_LIST_ITEM_WORDS = 4
MIN_LABEL_WORDS = 2
MIN_TABLE_CELLS = 3
LONG_LINE_WORDS = 30
READER_PROMPT_MAX_WORDS = 30
RUNNING_REPEATS = 3
LEAD_IN_MAX_LINES = 50  # how far back a list item looks for its lead-in (a bound, so long lists stay linear)
LEAD_IN_HEADING_WORDS = 12  # a short heading with no closing punctuation ("What needs to improve") introduces a list
_LABEL_VALUE = re.compile(r"^(?P<label>[^:.!?]{3,80}):\s+(?P<value>\S.*)$")


def is_content_line(line: str) -> bool:
    """True when a single line reads as document content rather than furniture.

    Content shapes: a sentence (three or more words ending in sentence
    punctuation) not put to the reader; a long line; a lead-in ending in a
    colon; a list item continuing a sentence (lower-case start); a report's
    "label: value" judgement ("Overall effectiveness: Inadequate"); a table
    row of three or more cells. Everything else (menus, buttons, prices,
    bylines, headlines of other articles, widgets) is furniture.
    """
    bulleted = _is_list_item(line)
    body = _BULLET.sub("", line).strip()
    words = len(_WORD.findall(body))
    if words == 0:
        return False
    if words >= LONG_LINE_WORDS:
        return True
    if _ENDS_SENTENCE.search(body):
        if words < MIN_SENTENCE_WORDS:
            return False
        # A short question put to the reader ("Would you like ...?") is a prompt, not content.
        if body.endswith("?") and _READER.search(body) and not _QUOTED.search(body) and words < READER_PROMPT_MAX_WORDS:
            return False
        return True
    if _ENDS_LEAD_IN.search(body):
        return words >= MIN_LEAD_IN_WORDS
    if bulleted and body[:1].islower() and words >= MIN_LIST_ITEM_WORDS:
        return True
    if _is_label_value(body) or _is_table_row(line):
        return True
    return False


def _is_label_value(body: str) -> bool:
    """A sentence-case label of two or more words, a colon, then a value: a report's finding, not a widget."""
    match = _LABEL_VALUE.match(body)
    if not match:
        return False
    label = _WORD.findall(match.group("label"))
    if len(label) < MIN_LABEL_WORDS or not _WORD.search(match.group("value")):
        return False
    return not _is_title_case(label)


def _is_table_row(line: str) -> bool:
    """Three or more cells joined by '|' (how tables are extracted), some holding words."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return len(cells) >= MIN_TABLE_CELLS and sum(bool(_WORD.search(c)) for c in cells) >= 2


def _is_title_case(words: list[str]) -> bool:
    """Menu and widget labels capitalise every word ("Share This Page", "Sign Up Today"); prose does not."""
    return len(words) > 1 and all(w[0].isupper() for w in words)


def content_spans(
    text: str, start: int = 0, end: int | None = None, furniture: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Return the spans of the content lines of ``text[start:end]``, trimmed, in order.

    ``furniture`` holds spans a reader found to be furniture by position (a
    PDF's running headers, footers and page numbers, a Markdown file's front
    matter): any line touching one is never content. Repeats are furniture
    too: a line printed three or more times (a running header or footer) is
    dropped everywhere, and any other repeated line (a caption printed twice)
    is kept only where it first appears.
    """
    end = len(text) if end is None else end
    blocked = _Spans(furniture)
    lines = [
        m
        for m in re.finditer(r"[^\n]+", text[start:end])
        if m.group(0).strip() and not blocked.touches(start + m.start(), start + m.end())
    ]
    counts = Counter(_key(m.group(0)) for m in lines)
    shaped = [is_content_line(m.group(0)) for m in lines]
    findings = _introduced_findings(lines, shaped)
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for i, match in enumerate(lines):
        line = match.group(0)
        key = _key(line)
        # A short lead-in ("What needs to improve:") is content when a list of content follows it.
        introduces_list = (
            _ENDS_LEAD_IN.search(line.rstrip())
            and i + 1 < len(lines)
            and _is_list_item(lines[i + 1].group(0))
            and shaped[i + 1]
        )
        content = shaped[i] or introduces_list or i in findings or _in_table(lines, i)
        if key in seen or counts[key] >= RUNNING_REPEATS or not content:
            seen.add(key)
            continue
        seen.add(key)
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        spans.append((start + match.start() + lead, start + match.start() + trail))
    return spans


def _in_table(lines: list[re.Match[str]], i: int) -> bool:
    """A two-cell row ("Overall effectiveness | Inadequate") on the line next to another row: a table, not a lone menu."""
    if _cells(lines[i].group(0)) != 2:
        return False
    before = i > 0 and lines[i - 1].end() + 1 == lines[i].start() and _cells(lines[i - 1].group(0)) >= 2
    after = i + 1 < len(lines) and lines[i].end() + 1 == lines[i + 1].start() and _cells(lines[i + 1].group(0)) >= 2
    return before or after


def _cells(line: str) -> int:
    """How many cells holding words a "a | b" line has; 0 for a line that is not a row."""
    if "|" not in line:
        return 0
    return sum(bool(_WORD.search(c)) for c in line.strip().strip("|").split("|"))


def _introduced_findings(lines: list[re.Match[str]], shaped: list[bool]) -> set[int]:
    """Indexes of list items that are findings under a lead-in, whatever their ending.

    Report recommendations often end in a reference ("... (LADO). (outcome 3)")
    or, for the last, with no stop at all; under a lead-in ("What needs to
    improve?") they are evidence. An item counts when it has a few words and
    either holds a sentence itself, or follows a question lead-in, or belongs to
    a list with a content item, so a bare list of teaser headlines under
    "Related stories:" stays furniture.
    """
    found: set[int] = set()
    i = 0
    while i < len(lines):
        if _is_list_item(lines[i].group(0)) or not _introduces(lines[i].group(0).strip()):
            i += 1
            continue
        lead = lines[i].group(0)
        j = i + 1
        while j < len(lines) and _is_list_item(lines[j].group(0)):
            j += 1
        items = range(i + 1, j)
        if items and not _READER.search(lead):
            texts = {k: lines[k].group(0) for k in items}
            # A question ("What needs to improve?") or a list holding a content item shows these are findings.
            any_content = _QUESTION_LEAD.search(lead.strip()) or any(shaped[k] for k in items)
            for k, item in texts.items():
                body = _BULLET.sub("", item)
                if len(_WORD.findall(body)) >= MIN_LIST_ITEM_WORDS and (any_content or _HOLDS_SENTENCE.search(body)):
                    found.add(k)
        i = j
    return found


class _Spans:
    """Sorted, non-overlapping spans, asked whether a range touches any of them."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = sorted((int(s), int(e)) for s, e in spans)
        self.starts = [s for s, _ in self.spans]

    def touches(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1  # the last span starting inside or before the range
        return i >= 0 and self.spans[i][1] > start


def line_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """Where the line holding ``text[start:end]`` (or ``text[start]``) begins and ends (its newline excluded)."""
    line_end = text.find("\n", start if end is None else end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


# A Markdown table's rule line ("|---|:---:|"): part of the table, though it holds no cells.
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|\-–]*-[\s:|\-–]*\|?\s*$")


def is_table_row_after_another(text: str, start: int) -> bool:
    """True when the line holding ``text[start]`` is a table row (cells joined by CELL, as every reader
    writes them) below another row of its table: a data row, not the table's first (header) row."""
    line_start, line_end = line_bounds(text, start)
    if CELL not in text[line_start:line_end] or line_start == 0:
        return False
    previous_start, previous_end = line_bounds(text, line_start - 1)
    if (
        _TABLE_RULE.match(text[previous_start:previous_end])
        and "|" in text[previous_start:previous_end]
        and previous_start > 0
    ):
        previous_start, previous_end = line_bounds(text, previous_start - 1)
    return CELL in text[previous_start:previous_end]


def lead_in(text: str, start: int) -> str | None:
    """The line that introduces the list item at ``start``, if it is one.

    A list item ("- the timeliness of strategy meetings") means little on its
    own; its lead-in ("What needs to improve:", "What needs to improve?", or a
    short heading with no closing punctuation) says what it answers.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if not _is_list_item(text[line_start : len(text) if line_end < 0 else line_end]):
        return None
    for _ in range(LEAD_IN_MAX_LINES):
        if line_start <= 0:
            break
        previous_start = text.rfind("\n", 0, line_start - 1) + 1
        previous = text[previous_start : line_start - 1]
        if not previous.strip():
            line_start = previous_start
            continue
        if _is_list_item(previous):
            line_start = previous_start
            continue
        return previous.strip() if _introduces(previous.strip()) else None
    return None


def _introduces(line: str) -> bool:
    """A colon or question ending, or a short heading that does not close a sentence."""
    if _INTRODUCES.search(line):
        return True
    words = len(_WORD.findall(line))
    return 0 < words <= LEAD_IN_HEADING_WORDS and not _ENDS_SENTENCE.search(line) and not _is_table_row(line)


def with_lead_in(text: str, start: int, end: int) -> str:
    """The sentence ``text[start:end]`` preceded by its list's lead-in, if it is a list item: what to embed and match."""
    lead = lead_in(text, start)
    return f"{lead} {text[start:end]}" if lead else text[start:end]


def _is_list_item(line: str) -> bool:
    return bool(_BULLET.match(line)) and not line.lstrip().startswith("|")


def _key(line: str) -> str:
    return " ".join(line.split()).lower()


LIST_ITEM_WORDS = 60  # a list item quoted whole is at most this long (a numbered paragraph of a report is not an item)


def list_item_span(text: str, offset: int) -> tuple[int, int] | None:
    """The span of the list item whose line holds ``offset``, its bullet left out, or None if it is no list
    item (or too long to be one: a report's numbered paragraph).

    An item can hold several sentences ("The quality of plans for disabled children. Enabler three:
    National Framework."): quoted alone, the last would be a label without its finding.
    """
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if not _is_list_item(line):
        return None
    start = line_start + _BULLET.match(line).end()
    end = line_end
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start or len(text[start:end].split()) > LIST_ITEM_WORDS:
        return None
    return start, end


def list_items(text: str, offset: int, most: int) -> list[tuple[int, int]]:
    """The spans of the items of the list holding the item at ``offset`` (blank lines between items allowed),
    in reading order, at most ``most``; [] when it is not a list item with a lead-in."""
    if list_item_span(text, offset) is None or lead_in(text, offset) is None:
        return []
    line_start = text.rfind("\n", 0, offset) + 1
    first = line_start
    for _ in range(LEAD_IN_MAX_LINES):  # back to the list's first item
        if first <= 0:
            break
        previous = text.rfind("\n", 0, first - 1) + 1
        line = text[previous : first - 1]
        if line.strip() and not _is_list_item(line):
            break
        first = previous
    items: list[tuple[int, int]] = []
    at = first
    while at < len(text) and len(items) < most:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[at:end]
        if line.strip():
            span = list_item_span(text, at)
            if span is None:
                if items or _is_list_item(line):
                    break  # the list ended, or it holds an item too long to be one
            else:
                items.append(span)
        at = end + 1
    return items
