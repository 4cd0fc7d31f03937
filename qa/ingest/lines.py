"""The shapes of a document's opening lines: headings, bylines, datelines, salutations, prompts, chrome.

Titles and kinds are both read off a document's opening; this module says
what each early line is by its shape, with the few words a shape is
recognised by taken from :mod:`qa.language`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa import language

OPENING_LINES = 40  # how far into a document its title, salutation and meeting heading are looked for
HEADING_MAX_WORDS = 25
BYLINE_MAX_WORDS = 8  # "By Jane Smith, Local Democracy Reporter" is a byline; a long "By ..." sentence is not
DATELINE_MAX_WORDS = 8  # a short line holding a full date is a dateline, not a title
TIMESTAMP_MAX_WORDS = 12  # "Last updated at 12:13 PM on 20th December 2011": a date and a time on a short line
SALUTATION_MAX_WORDS = 8
PROMPT_MAX_WORDS = 8
CHROME_SEGMENT_WORDS = 2  # "Issue - meetings", "News | Local": every part of a section label is a word or two
PROSE_MIN_WORDS = 20  # a line this long ending a sentence is the body's prose: a title comes before it

_WORD = re.compile(r"[^\W_]+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_LABEL_END = re.compile(r"[,;:][\"'”’)\]]*$")
_BULLET = re.compile(r"^[•·▪●◦‣■□►*\-–—]\s")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_CHROME_SEPARATOR = re.compile(r"\s+(?:-|\||›|»|>|/|::)\s+")
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def front_matter_end(text: str) -> int:
    """The offset just past a YAML front matter block opening ``text`` ("---" ... "---"), or 0."""
    match = _FRONT_MATTER.match(text)
    return match.end() if match else 0


def opening_lines(text: str, furniture: Sequence[tuple[int, int]] = (), limit: int = OPENING_LINES) -> list[str]:
    """The first ``limit`` lines holding words, trimmed ("#" of Markdown headings dropped), outside front matter and furniture."""
    out: list[str] = []
    spans = sorted(furniture)
    skip = front_matter_end(text)
    for match in re.finditer(r"[^\n]+", text[skip:]):
        start = match.start() + skip
        end = start + len(match.group(0))
        if any(s < end and start < e for s, e in spans):
            continue
        line = " ".join(match.group(0).strip().strip("#").split())
        if _WORD.search(line):
            out.append(line)
            if len(out) >= limit:
                break
    return out


def words(line: str) -> list[str]:
    """The line's words (letters and digits)."""
    return _WORD.findall(line)


def has_heading_word(line: str) -> bool:
    """A word of two or more letters: not a page number, a drop cap or a rule."""
    return bool(_LETTER_WORD.search(line))


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def is_label(line: str) -> bool:
    """A line ending in a colon or comma: a label ("PUBLISHED:") or a lead-in, not a heading."""
    return bool(_LABEL_END.search(line))


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def is_byline(line: str) -> bool:
    """ "By Emma Thomas", "By" alone (the name on the next line)."""
    first = line.split(" ", 1)[0].lower()
    return first == "by" and len(words(line)) <= BYLINE_MAX_WORDS


def is_dateline(line: str) -> bool:
    """A short line holding a full date ("Monday, July 23, 2018"), or a date and a time ("Last updated at 12:13 PM on 20th December 2011")."""
    from qa.ingest.dates import has_full_date

    n = len(words(line))
    if n > TIMESTAMP_MAX_WORDS or not has_full_date(line):
        return False
    return n <= DATELINE_MAX_WORDS or bool(_TIME.search(line))


def is_bare_date(line: str) -> bool:
    """A line that is a date and nothing else worth a title ("September 2008", "12 May 2020")."""
    from qa.ingest.dates import has_full_date, without_dates

    month_year = re.fullmatch(r"[^\W\d_]+,?\s+\d{4}", line.strip())
    return bool(month_year) or (has_full_date(line) and not has_heading_word(without_dates(line)))


def is_prompt(line: str) -> bool:
    """A page's prompt to its reader: "Scroll down for video", "Click here to subscribe"."""
    found = words(line)
    return 0 < len(found) <= PROMPT_MAX_WORDS and found[0].lower() in language.PROMPT_VERBS


def is_chrome(line: str) -> bool:
    """A site's section label or breadcrumb: short parts joined by separators ("Issue - meetings", "News | Local")."""
    parts = _CHROME_SEPARATOR.split(line)
    return len(parts) >= 2 and all(0 < len(words(p)) <= CHROME_SEGMENT_WORDS and not ends_sentence(p) for p in parts)


def is_salutation(line: str) -> bool:
    """A letter's salutation: "Dear Ms Hammond," or "Dear Local Authority CEO"."""
    found = words(line)
    return 1 < len(found) <= SALUTATION_MAX_WORDS and found[0].lower() in language.SALUTATIONS


def subject_of(line: str) -> str | None:
    """The subject a labelled subject line states ("Re: Llandeilo roundabout" -> "Llandeilo roundabout"), else None."""
    match = re.match(r"^([^\W\d_]+)\s*[:.]\s*(\S.*)$", line)
    if match and match.group(1).lower() in language.SUBJECT_LABELS and has_heading_word(match.group(2)):
        return match.group(2).strip()
    return None


def is_prose(line: str) -> bool:
    """The body's running prose: a long line ending a sentence, or any line longer than a heading."""
    n = len(words(line))
    return n > HEADING_MAX_WORDS or (n >= PROSE_MIN_WORDS and ends_sentence(line))


def is_heading(line: str) -> bool:
    """Shaped like a heading: a few words with letters, no closing punctuation, not a label, byline, date, prompt or bullet."""
    return (
        has_heading_word(line)
        and len(words(line)) <= HEADING_MAX_WORDS
        and not ends_sentence(line)
        and not is_label(line)
        and not is_bullet(line)
        and not is_byline(line)
        and not is_dateline(line)
        and not is_prompt(line)
        and not is_chrome(line)
    )


def is_routine_item(line: str) -> bool:
    """A routine agenda item as a heading ("Apologies and Substitutes", "1. Declarations of interest",
    "Apologies for absence: Councillor White"), which heads a page of minutes but never names them."""
    body = re.sub(r"^\(?\d{1,3}(?:\.\d{1,3})*[.)]?\s+", "", line.strip()).lower()
    return any(body.rstrip(" .:") == item or body.startswith(item + ":") for item in language.ROUTINE_ITEMS)


def starts_with_any(line: str, phrases: Sequence[str]) -> bool:
    """Whether the line, lower-cased and without a leading number ("1. "), starts with one of ``phrases`` as whole words."""
    body = re.sub(r"^\(?\d{1,3}[.)]?\s+", "", line.strip()).lower()
    return any(body == p or body.startswith(p) and not body[len(p) : len(p) + 1].isalnum() for p in phrases)


def names_meeting(line: str) -> bool:
    """Whether the line names a meeting or the body that meets ("Corporate Parenting Panel", "MEETING 10th JUNE 2015")."""
    lowered = line.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in language.MEETING_WORDS)


def has_date(line: str) -> bool:
    """A full date ("30/09/2022", "10th June 2015") on the line."""
    from qa.ingest.dates import has_full_date

    return has_full_date(line)
