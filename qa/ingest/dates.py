"""Dates in a document's text and in what users type.

Dates are found with explicit patterns over month names and numeric forms,
each checked against the calendar; nothing is guessed from loose text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from qa.ingest.furniture import line_bounds

DATE_WINDOW_LINES = 30
DATE_WINDOW_CHARS = 3000
DATELINE_MAX_OTHER_WORDS = 3  # a bare "January 2020" counts only on a line that is mostly the date
DATE_LINE_MAX_WORDS = 12  # a full date says when the document was written only on a short line or labelled as such
ACCEPTED_DATES = "YYYY, YYYY-MM, YYYY-MM-DD, '5 October 2023', 'October 2023' or DD/MM/YYYY (day first)"

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR4 = r"(?P<year>\d{4})(?!\d)"
_SP = r"[ \t\u00a0]+"

# Full dates (day, month, year), in the order they are tried at one position.
_FULL_PATTERNS = [
    # 21 January 2020, 21st of Jan. 2020, 29 Jun 16
    re.compile(rf"(?<!\d){_DAY}{_SP}(?:of{_SP})?{_MONTH},?{_SP}(?P<year>\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE),
    # July 23, 2018 / July 23rd 2018
    re.compile(rf"\b{_MONTH}{_SP}{_DAY}(?!\d),?{_SP}{_YEAR4}", re.IGNORECASE),
    # 2020-01-21, 2020/01/21
    re.compile(r"(?<![\w/.-])(?P<year>\d{4})(?P<sep>[-/.])(?P<num_month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"),
    # 30/09/2022, 30.09.2022, 30-09-2022, 30/09/22 (two-digit years only with "/")
    re.compile(
        r"(?<![\w/.-])(?P<day>\d{1,2})(?P<sep>[-/.])(?P<num_month>\d{1,2})(?P=sep)"
        r"(?P<year>\d{4}|(?<=/)\d{2})(?!\d)(?![/.-]\d)"
    ),
]
# Month and year only: January 2020, Jan. 2020
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?{_SP}{_YEAR4}", re.IGNORECASE)
# What may follow a two-digit year: end of line, punctuation or a time, not "16 councillors".
_AFTER_SHORT_YEAR = re.compile(r"[ \t]*(?:$|[,;|)\]]|\.(?!\d)|\d{1,2}[:.]\d{2})", re.MULTILINE)
_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_RANGE_TO = re.compile(r"[ \t\u00a0]*(?:to|until|till|-|–|—)[ \t\u00a0]*", re.IGNORECASE)
# "Published: 5 May 2020", "Publication date 5 May 2020", right before the date ("published up to 7 May 2011" is prose).
_PUBLISHED = re.compile(r"\b(?:published|publication(?:[ \t]+date)?)(?:[ \t]+on)?[ \t]*[:\-–]?[ \t]*$", re.IGNORECASE)
# The country of a web or e-mail address: .gov, .mil and .us are American (month first); .uk, .ie, .au, .nz day first.
_ADDRESS_COUNTRY = re.compile(
    r"[\w-]\.(?:(?:gov|org|co|ac|nhs|police|sch)\.)?(?P<tld>gov|mil|us|uk|ie|au|nz)\b(?!\w|\.\w)", re.IGNORECASE
)
_MONTH_FIRST_TLDS = frozenset({"gov", "mil", "us"})
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def _year(text: str) -> int:
    """A four-digit year as is; a two-digit one in this century unless that would be in the future."""
    if len(text) != 2:
        return int(text)
    year = 2000 + int(text)
    return year if year <= dt.date.today().year + 1 else year - 100


def _iso(year: int, month: int, day: int | None) -> str | None:
    """Validated ISO date text, or None when the calendar says no."""
    if not 1000 <= year <= 2999:
        return None
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _from_match(match: re.Match[str], order: str | None = "dmy") -> str | None:
    """The ISO date a full-date pattern matched, or None when it is not a real date.

    A numeric date whose day and month could be either way round (03-02-2015)
    is read in ``order`` ("dmy" or "mdy"); with no order known, only its year is kept.
    """
    groups = match.groupdict()
    year, day = _year(groups["year"]), int(groups["day"])
    if groups.get("month") is not None:
        token = groups["month"]
        if token[0].islower():  # "may" the verb, not "May" the month
            return None
        return _iso(year, _MONTHS[token.lower()], day)
    month = int(groups["num_month"])
    if match.re is _FULL_PATTERNS[3]:
        day_first, month_first = _iso(year, month, day), _iso(year, day, month)
        if day_first is None or month_first is None or day == month:
            return day_first or month_first  # only one reading is a real date
        if order == "dmy":
            return day_first
        if order == "mdy":
            return month_first
        return f"{year:04d}" if _iso(year, 1, None) else None  # left partial: the year is certain
    return _iso(year, month, day)


def date_order(text: str) -> str | None:
    """How ``text`` writes numeric dates: "dmy", "mdy", or None when it gives no sign.

    Signs, by weight: numeric dates that only read one way (25/12/2020 or
    12/25/2020), the order of written dates ("25 December 2020" or "December
    25, 2020"), and the country of web and e-mail addresses (.gov.uk or .gov).
    """
    votes = {"dmy": 0, "mdy": 0}
    for match in _FULL_PATTERNS[3].finditer(text):
        first, second = int(match["day"]), int(match["num_month"])
        if first > 12 >= second:
            votes["dmy"] += 3
        elif second > 12 >= first:
            votes["mdy"] += 3
    votes["dmy"] += sum(1 for m in _FULL_PATTERNS[0].finditer(text) if not m["month"][0].islower())
    votes["mdy"] += sum(1 for m in _FULL_PATTERNS[1].finditer(text) if not m["month"][0].islower())
    for match in _ADDRESS_COUNTRY.finditer(text):
        votes["mdy" if match["tld"].lower() in _MONTH_FIRST_TLDS else "dmy"] += 1
    if votes["dmy"] == votes["mdy"]:
        return None
    return "dmy" if votes["dmy"] > votes["mdy"] else "mdy"


def _date_candidates(text: str, order: str | None = "dmy") -> Iterator[tuple[int, int, str]]:
    """Every validated (start, end, ISO date) in ``text``, full dates and datelines."""
    taken: list[tuple[int, int]] = []
    for pattern in _FULL_PATTERNS:
        for match in pattern.finditer(text):
            if len(match["year"]) == 2 and not _AFTER_SHORT_YEAR.match(text, match.end()):
                continue
            taken.append(match.span())  # an impossible "31 February 2020" is not "February 2020"
            iso = _from_match(match, order)
            if iso and 1900 <= int(iso[:4]) <= 2100:
                yield match.start(), match.end(), iso
    for match in _MONTH_YEAR.finditer(text):
        if match["month"][0].islower() or any(s < match.end() and match.start() < e for s, e in taken):
            continue
        line_start, line_end = line_bounds(text, match.start(), match.end())
        line = text[line_start : match.start()] + " " + text[match.end() : line_end]
        if len(_WORD.findall(line)) > DATELINE_MAX_OTHER_WORDS:
            continue
        iso = _iso(int(match["year"]), _MONTHS[match["month"].lower()], None)
        if iso and 1900 <= int(iso[:4]) <= 2100:
            yield match.start(), match.end(), iso


def detect_date(text: str, order: str | None = None) -> str | None:
    """Find the document's date in the first 30 lines / 3000 chars; 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or None.

    A date labelled as the publication date ("Published: 5 May 2020") wins;
    otherwise the earliest on a short line (a dateline, a header): a date in
    running prose is not the document's. A range ("Inspection dates: 12 to 23 May 2025",
    "24 February to 7 March 2025") stands for its end. Ambiguous numeric
    dates are read by ``order``, else by the document's own habits (``date_order``).
    """
    top = "\n".join(text[:DATE_WINDOW_CHARS].split("\n")[:DATE_WINDOW_LINES])
    order = order or date_order(text)
    found = sorted(_date_candidates(top, order))
    if not found:
        return None
    ends = []
    for i, (start, end, iso) in enumerate(found):
        j = i
        while j + 1 < len(found) and _RANGE_TO.fullmatch(top, found[j][1], found[j + 1][0]):
            j += 1  # "24 February 2025 to 7 March 2025": the range ends at its last date
        ends.append((start, found[j][2]))
    lines = [(start, iso, *line_bounds(top, start)) for start, iso in ends]
    for start, iso, line_start, _ in lines:
        if _PUBLISHED.search(top[line_start:start]):
            return iso
    # A date inside running prose ("searched up to 7 May 2011", "the board met on 2 February 2020 after a
    # long review of ...") tells when something happened, not when the document was written: a dateline,
    # a header line or a short opening sentence does.
    for _, iso, line_start, line_end in lines:
        if len(_WORD.findall(top[line_start:line_end])) <= DATE_LINE_MAX_WORDS:
            return iso
    return None


def normalise_date(value: str) -> str | None:
    """Parse a user-entered date ('2023', '5 October 2023', '05/10/2023' day first...) into partial ISO, or None."""
    value = " ".join(value.split())
    if re.fullmatch(r"\d{4}", value):
        return value if 1000 <= int(value) <= 2999 else None
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})", value)
    if match:
        return _iso(int(match[1]), int(match[2]), None)
    match = _ISO_DATETIME.fullmatch(value)
    if match:
        return _iso(int(match[1]), int(match[2]), int(match[3]))
    value = _WEEKDAY.sub("", value)
    # People type "may 2020"; the lower-case rule is for the verb "may" in document text, not for input.
    value = re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), value)
    for pattern in _FULL_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            return _from_match(match)
    match = _MONTH_YEAR.fullmatch(value)
    if match and not match["month"][0].islower():
        return _iso(int(match["year"]), _MONTHS[match["month"].lower()], None)
    return None


def has_full_date(text: str) -> bool:
    """True when ``text`` holds a full date (day, month and year) in any of the shapes read here."""
    return any(iso.count("-") == 2 for _, _, iso in _date_candidates(text, order="dmy"))


def without_dates(text: str) -> str:
    """``text`` with its full dates taken out ("Audit report 02-03-2015" -> "Audit report")."""
    spans = sorted((start, end) for start, end, iso in _date_candidates(text, order=None))
    kept, cursor = [], 0
    for start, end in spans:
        if start >= cursor:
            kept.append(text[cursor:start])
            cursor = end
    kept.append(text[cursor:])
    return " ".join("".join(kept).split()).strip(" |-–—:,")
