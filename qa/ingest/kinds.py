"""What kind of document a text is: inspection report, letter, minutes, news, or other.

One vocabulary for the whole product: the catalog's ``type`` column, the
Library's type picker and the type filter all use these names (a catalog may
add its own). Where the catalog is silent a document's kind is read off its
own opening, by structure:

- a letter has a salutation ("Dear ...") among its opening lines;
- minutes name a meeting and open with who was present, apologies or the
  minutes of the last meeting;
- an inspection report is long and says in its opening lines that it
  reports an inspection (a heading or label naming it), which news about
  one, a few hundred words long, is not;
- news is short prose that quotes people, or reports what they said
  ("said", "told") under a byline or dateline;
- anything else is "other".
"""

from __future__ import annotations

import re

from qa import language
from qa.ingest import lines as shapes

INSPECTION_REPORT, LETTER, MINUTES, NEWS, OTHER = "inspection report", "letter", "minutes", "news", "other"
KINDS = (INSPECTION_REPORT, LETTER, MINUTES, NEWS, OTHER)

SALUTATION_LINES = 40  # a letter's salutation comes within its first 40 lines (after letterhead and address block)
MINUTES_LINES = 30
MEETING_DATE_LINES = 3  # a meeting's date is on the line naming it or one of the three under it
REPORT_MIN_WORDS = 1500  # an inspection report runs to pages; news about one is a few hundred words
NEWS_MAX_WORDS = 3500
NEWS_MIN_REPORTED = 2  # "said" at least twice, under a byline or dateline
NEWS_MIN_QUOTES = 6  # or three quotations: guidance, reports and notices rarely quote anyone
NEWS_TOP_LINES = 8
HEADING_LINES = 15  # an inspection report names itself in its first lines

_WORD = re.compile(r"[^\W_]+")
_DOUBLE_QUOTE = re.compile(r"[\"“”]")


def detect_kind(text: str, furniture: list[tuple[int, int]] | tuple = ()) -> str:
    """The kind of document ``text`` is, one of KINDS, read from its structure."""
    opening = shapes.opening_lines(text, furniture)
    if is_letter(opening):
        return LETTER
    if is_minutes(opening):
        return MINUTES
    total = len(_WORD.findall(text))
    if total >= REPORT_MIN_WORDS and _names_inspection(opening[:HEADING_LINES]):
        return INSPECTION_REPORT
    if total <= NEWS_MAX_WORDS:
        quoted = len(_DOUBLE_QUOTE.findall(text)) >= NEWS_MIN_QUOTES
        dated_top = any(shapes.is_byline(line) or shapes.is_dateline(line) for line in opening[:NEWS_TOP_LINES])
        if quoted or (dated_top and _reported_speech(text) >= NEWS_MIN_REPORTED):
            return NEWS
    return OTHER


def is_letter(opening: list[str]) -> bool:
    """A salutation among the opening lines."""
    return any(shapes.is_salutation(line) for line in opening[:SALUTATION_LINES])


def is_minutes(opening: list[str]) -> bool:
    """Two signs of minutes: "minutes" in a heading or label (not in prose: "within minutes"), a line naming a
    meeting with its date on it or just under it, or a routine opening item ("Present", "Apologies")."""
    head = opening[:MINUTES_LINES]
    says_minutes = any(re.search(r"\bminutes\b", line, re.IGNORECASE) and not shapes.is_prose(line) for line in head)
    meeting_dated = any(
        shapes.names_meeting(line) and any(shapes.has_date(near) for near in head[i : i + 1 + MEETING_DATE_LINES])
        for i, line in enumerate(head)
    )
    routine = any(shapes.starts_with_any(line, language.MINUTES_OPENINGS) for line in head)
    return says_minutes + meeting_dated + routine >= 2


def _names_inspection(head: list[str]) -> bool:
    """A heading or label among the first lines naming an inspection ("Inspection of ...", "Inspection dates: ...")."""
    return any(
        language.INSPECTION_STEM in line.lower()
        and len(shapes.words(line)) <= shapes.HEADING_MAX_WORDS
        and not shapes.ends_sentence(line)
        for line in head
    )


def _reported_speech(text: str) -> int:
    lowered = text.lower()
    return sum(len(re.findall(rf"\b{re.escape(w)}\b", lowered)) for w in language.REPORTED_SPEECH)
