"""A document's title from its own text, by what the document is, when the format carried none.

- A letter is titled by its subject: a labelled subject line ("Re: ..."), else
  the heading right under the salutation ("Dear Ms Hammond," then "Focused
  visit to ... children's services"); never the addressee's name or address
  block above it. A letter with neither is titled by its first sentence.
- Minutes are titled by the meeting: the first heading that is not a routine
  item ("Apologies and Substitutes" heads a page of minutes but never names
  them), with the title block's lines under it down to the one dating the
  meeting when the heading has no date.
- Anything else: the first early line shaped like a heading, read before the
  body's prose starts (a caption or subheading further down is not the
  title): not a byline, a dateline or timestamp, a label ending in a colon, a
  prompt to the reader ("Scroll down for video"), a site's section label
  ("Issue - meetings"), a bullet, or a bare number. A short line ending in a
  full stop can be a title when no heading comes first. With no heading at
  all, the first sentence of the prose, cut.

A title cut to length ends with "…", so nobody takes it for the whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa.ingest import lines as shapes

if TYPE_CHECKING:
    from qa.ingest.readers.loaded import Loaded

TITLE_MAX_WORDS = shapes.HEADING_MAX_WORDS
TITLE_FALLBACK_CHARS = 80
TITLE_WORDS_IN_TEXT = 0.6  # a metadata title counts only if this share of its words occur in the document
TITLE_SEARCH_LINES = 10  # a title is among the first ten lines that could be one
MEETING_HEADING_LINES = 15  # minutes name their meeting within their first fifteen lines
MEETING_DATE_LINES = 3  # the meeting's date is on the heading or one of the three lines under it
JOIN = " – "

_FIRST_SENTENCE = re.compile(r"^.*?[.!?](?=\s|$)")
_WORD = re.compile(r"[^\W_]+")
_FILE_NAME = re.compile(r"\.(docx?|pdf|indd|rtf|odt|pptx?|xlsx?)$", re.IGNORECASE)


def own_title(loaded: Loaded, name: str) -> str:
    """The title a file gives itself: its format's title, else one read off its text, else its file name's stem."""
    return loaded.title or detect_title(loaded.text, loaded.furniture) or Path(name).stem


def detect_title(text: str, furniture: Sequence[tuple[int, int]] = ()) -> str:
    """The title of ``text`` by what it is: a letter's subject, the meeting minutes record, else its first heading."""
    opening = shapes.opening_lines(text, furniture)
    return structural_title(opening) or _heading_title([line for line in opening if not shapes.is_routine_item(line)])


def structural_title(opening: list[str]) -> str | None:
    """A letter's subject or the meeting of minutes, from the document's opening lines; None for other kinds."""
    from qa.ingest.kinds import is_letter, is_minutes

    if is_letter(opening):
        return _letter_title(opening)
    if is_minutes(opening):
        return _minutes_title(opening)
    return None


def _letter_title(opening: list[str]) -> str | None:
    """The subject line, else the heading under the salutation, else the body's first sentence."""
    at = next(i for i, line in enumerate(opening) if shapes.is_salutation(line))
    for line in opening[: at + 3]:
        subject = shapes.subject_of(line)
        if subject:
            return cut_title(subject)
    body = opening[at + 1 :]
    if body and shapes.is_heading(body[0]):
        return cut_title(body[0])
    prose = next((line for line in body if shapes.ends_sentence(line) and len(shapes.words(line)) > 3), None)
    return _first_sentence(prose) if prose else None


def _minutes_title(opening: list[str]) -> str | None:
    """The first non-routine heading, joined to the line dating the meeting when it carries no date itself."""
    head = opening[:MEETING_HEADING_LINES]
    for i, line in enumerate(head):
        if shapes.is_prose(line):
            break
        if not _meeting_heading(line):
            continue
        parts = [line]
        if not shapes.has_date(line):  # the title block's lines down to the one dating the meeting
            block = []
            for following in head[i + 1 : i + 1 + MEETING_DATE_LINES]:
                if shapes.is_prose(following) or not (shapes.has_date(following) or shapes.is_heading(following)):
                    break
                block.append(following)
                if shapes.has_date(following):
                    parts += block
                    break
        return cut_title(JOIN.join(parts))
    return None


def _meeting_heading(line: str) -> bool:
    """A heading, or a labelled meeting line ("Meeting: 30/09/2022 - Council"), that is not a routine agenda item."""
    if shapes.is_routine_item(line):
        return False
    if shapes.is_heading(line):
        return True
    return shapes.names_meeting(line) and shapes.has_date(line) and not shapes.ends_sentence(line)


def _heading_title(opening: list[str]) -> str:
    """The first heading before the prose, else a short sentence there, else the prose's first sentence cut."""
    before_prose: list[str] = []
    for i, line in enumerate(opening):
        if shapes.is_prose(line):
            break
        if i and opening[i - 1].lower() == "by":  # "By" on a line of its own, the name on the next
            continue
        before_prose.append(line)
    early = [line for line in before_prose if _could_be_title(line)][:TITLE_SEARCH_LINES]
    for line in early:
        if shapes.is_heading(line):
            return cut_title(line)
    for line in early:
        if line.endswith(".") and len(shapes.words(line)) <= TITLE_MAX_WORDS:
            return cut_title(line)
    prose = next((line for line in opening if shapes.is_prose(line)), None)
    if prose:
        return _first_sentence(prose)
    rest = [line for line in opening if _could_be_title(line)]
    return cut_text(rest[0], TITLE_FALLBACK_CHARS) if rest else ""


def _could_be_title(line: str) -> bool:
    return (
        shapes.has_heading_word(line)
        and not shapes.is_byline(line)
        and not shapes.is_dateline(line)
        and not shapes.is_prompt(line)
        and not shapes.is_chrome(line)
        and not shapes.is_bullet(line)
        and not shapes.is_label(line)
    )


def _first_sentence(line: str) -> str:
    match = _FIRST_SENTENCE.match(line)
    return cut_text(match.group(0) if match else line, TITLE_FALLBACK_CHARS)


def cut_title(title: str) -> str:
    """``title`` with whitespace collapsed, cut to TITLE_MAX_WORDS words with "…" when longer."""
    words = title.split()
    if len(words) <= TITLE_MAX_WORDS:
        return " ".join(words)
    return " ".join(words[:TITLE_MAX_WORDS]).rstrip(",;:") + "…"


def cut_text(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a word boundary with "…" added."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:-–—") + "…"


def checked_title(title: str | None, text: str) -> str | None:
    """A metadata title, unless it is a placeholder ("1", "Untitled", a file name, an unfilled template).

    An unfilled template ("LA NAME - report - INSPECTION DATE") is told by its
    words not occurring in the document, which a filled-in title's words do.
    """
    if not title or title.lower() in ("untitled", "title", "document") or title.startswith("Microsoft "):
        return None
    if _FILE_NAME.search(title):
        return None
    words = [w.lower() for w in _WORD.findall(title) if not w.isdigit()]
    if not words or len("".join(words)) < 3:
        return None
    present = set(_WORD.findall(text.lower()))
    if sum(w in present for w in words) < TITLE_WORDS_IN_TEXT * len(words):
        return None
    return cut_title(title)
