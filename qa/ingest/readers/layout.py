"""Lay out a paged document's positioned lines as text: one line per paragraph, furniture marked.

Running headers, footers and page numbers are found by what they are, not by
their wording: a line in the top or bottom band of the page whose text, with
digits masked ("Page 3 of 12" -> "page # of #"), recurs at the same height on
other pages. They stay in the text (offsets into what the user sees stay
true) but are reported as furniture spans, never content.

Paragraphs: lines are joined while they continue one another (no vertical
gap, same font size, no list marker, the previous line reached the right
margin or the sentence plainly goes on). A paragraph running over a page
break is one line: the furniture that sat between its halves is written
after it, so a sentence's span never covers a header or footer. Line-end
hyphens are kept where the document shows the compound ("well-coordinated",
"17-year-olds") and dropped where it shows the closed word or the fragment is
no word of its own ("inter-" + "national"). Bullets drawn with private-use,
geometric or dingbat glyphs become "• ".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.types import CELL


BAND_SHARE = 0.08  # running headers and footers sit in the top or bottom 8% of the page (about two-thirds of an inch)
SAME_HEIGHT_SHARE = 0.02  # recurring lines sit at the same height, within 2% of the page height
MIN_RECURRENCES = 2  # a line recurring on at least this many pages, in the band, is furniture
PARAGRAPH_GAP = 0.5  # a vertical gap over half a line's height starts a new paragraph
SIZE_CHANGE = 0.75  # points; a font size change starts a new paragraph (a heading above body text)
CELL_LOOKBACK = 2  # a table cell is matched to one of the last two paragraphs (its row's earlier cells)
CELL_LEVEL = 0.5  # a cell's first line sits level with its row, within half a line's height
CELL_MAX_LINES = 6  # a paragraph longer than this is prose, not a table cell
TAIL = 80  # characters of a growing paragraph looked at when joining the next line
CELL_GAP = 4.0  # a gap wider than four font sizes between lines on one row separates table cells

_DIGITS = re.compile(r"\d+")
TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*$")
_NUMBERED = re.compile(r"^\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)](?:\s|$)", re.IGNORECASE)
_PLAIN_BULLETS = "•·▪◦‣●○■□►*–—-"
_HYPHEN_END = re.compile(r"([^\W_]+)-$")
_SOFT_HYPHEN_END = re.compile(r"[^\W_]\u00ad$")
_FIRST_WORD = re.compile(r"^[^\W\d_]+")
_COMPOUND = re.compile(r"([^\W_]+)-(?=([^\W_]+))")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass
class Line:
    """One visual line of a page: its text, its box (points, y down), its dominant font size and weight."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    furniture: bool = False
    bold: bool = False  # most of its characters are set in a bold face

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


@dataclass
class PageLines:
    """A page's lines in content order, and its size."""

    lines: list[Line]
    width: float
    height: float
    right_edge: float = 0.0
    paragraphs: list[list[Line]] = field(default_factory=list)


def is_glyph_bullet(char: str) -> bool:
    """A character drawn as a bullet: private-use (Symbol/Wingdings), geometric shapes, dingbats, arrows."""
    code = ord(char)
    return (
        0xE000 <= code <= 0xF8FF
        or 0x25A0 <= code <= 0x25FF
        or 0x2700 <= code <= 0x27BF
        or 0x2190 <= code <= 0x21FF
        or char in "•‣⁃∙"
    )


def normalise_bullet(text: str) -> str:
    """A line opening with a glyph bullet reads "• ..."; other lines are unchanged."""
    if text and is_glyph_bullet(text[0]):
        rest = text[1:].lstrip()
        return f"• {rest}" if rest else "•"
    return text


def starts_item(text: str) -> bool:
    """True when the line opens a list item: a bullet of any kind or a number or letter and a stop."""
    return bool(text) and (
        (text[0] in _PLAIN_BULLETS and text[1:2] in (" ", ""))
        or is_glyph_bullet(text[0])
        or bool(_NUMBERED.match(text))
    )


def mark_furniture(pages: list[PageLines]) -> None:
    """Merge lines that share a row, then flag running headers, footers and page numbers on every page."""
    for page in pages:
        page.lines = _merge_rows(page.lines)
        for line in page.lines:
            line.text = normalise_bullet(line.text)
    occurrences: dict[tuple[str, str], list[tuple[int, Line]]] = {}
    for number, page in enumerate(pages):
        for line in page.lines:
            band = _band(line, page)
            if band:
                occurrences.setdefault((band, _mask(line.text)), []).append((number, line))
    for found in occurrences.values():
        found.sort(key=lambda item: item[1].y0)
        heights = [line.y0 for _, line in found]
        for number, line in found:
            tolerance = SAME_HEIGHT_SHARE * pages[number].height
            low, high = bisect_left(heights, line.y0 - tolerance), bisect_right(heights, line.y0 + tolerance)
            recurring = set()
            for other_page, _ in found[low:high]:  # the same text at the same height on other pages
                recurring.add(other_page)
                if len(recurring) >= MIN_RECURRENCES:
                    line.furniture = True
                    break


class Vocabulary:
    """What the document itself says about words, to decide a line-end hyphen."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.compounds: set[str] = set()
        self.prefixes: set[str] = set()
        self.default: bool | None = None  # the document's habit, once learnt
        for text in lines:
            lowered = _HYPHEN_END.sub("", text.lower())  # a line-end fragment ("inter-") is no word
            for token in _TOKEN.findall(lowered):
                if "-" in token:
                    self.compounds.add(token)
                else:
                    self.words.add(token)
            for match in _COMPOUND.finditer(lowered):
                self.prefixes.add(match.group(1))
                self.compounds.add(f"{match.group(1)}-{match.group(2)}")

    def _evidence(self, left: str, right: str) -> bool | None:
        """Keep the hyphen (True), drop it (False), or None when the document does not say."""
        fragment = _HYPHEN_END.search(left[-TAIL:])
        word = _FIRST_WORD.match(right)
        if fragment is None or word is None or not right[0].islower():
            return True  # "Anglo-" + "Saxon", "16- and 17-" + "year-olds" keep their hyphen
        head, tail = fragment.group(1).lower(), word.group(0).lower()
        if head[-1].isdigit() or f"{head}-{tail}" in self.compounds:
            return True
        if head + tail in self.words:
            return False
        return None

    def learn_style(self, pairs: list[tuple[str, str]]) -> None:
        """Learn from the line-end hyphens the document explains whether it breaks words at all.

        A word processor breaks lines only at real hyphens; a typesetter also
        hyphenates words. When every explained case is a compound, the rest are
        compounds too ("non-" + "resident"); when every one is a broken word, so are the rest.
        """
        verdicts = [v for v in (self._evidence(a, b) for a, b in pairs if _HYPHEN_END.search(a)) if v is not None]
        if verdicts and all(verdicts):
            self.default = True
        elif verdicts and not any(verdicts):
            self.default = False

    def join(self, left: str, right: str) -> str:
        """Join a line ending in a hyphen to the next line: keep the hyphen where it belongs."""
        verdict = self._evidence(left, right)
        if verdict is None:
            verdict = self.default
        if verdict is None:
            head = _HYPHEN_END.search(left[-TAIL:]).group(1).lower()
            # "well-" + "coordinated": the fragment is a word of its own, so a compound;
            # "inter-" + "national": the fragment is no word, so a broken word.
            verdict = head in self.words or head in self.prefixes
        return left + right if verdict else left[:-1] + right


def join_lines(left: str, right: str, vocabulary: Vocabulary) -> str:
    """``left`` and ``right`` as one line: a space between, or mended at a line-end hyphen."""
    tail = left[-TAIL:]  # a paragraph grows line by line: look only at its end
    if _SOFT_HYPHEN_END.search(tail):
        return left[:-1] + right
    if _HYPHEN_END.search(tail):
        return vocabulary.join(left, right)
    return f"{left} {right}"


def _band(line: Line, page: PageLines) -> str | None:
    if line.y1 <= BAND_SHARE * page.height:
        return "top"
    if line.y0 >= (1 - BAND_SHARE) * page.height:
        return "bottom"
    return None


def _mask(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def _merge_rows(lines: list[Line]) -> list[Line]:
    """Join consecutive lines printed side by side on one row ("3." then its text; table cells)."""
    merged: list[Line] = []
    for line in lines:
        if merged:
            last = merged[-1]
            middle = (line.y0 + line.y1) / 2
            if last.y0 <= middle <= last.y1 and line.x0 >= last.x1 - 1:
                separator = CELL if line.x0 - last.x1 > CELL_GAP * max(last.size, line.size) else " "
                merged[-1] = Line(
                    text=last.text + separator + line.text,
                    x0=last.x0,
                    y0=min(last.y0, line.y0),
                    x1=line.x1,
                    y1=max(last.y1, line.y1),
                    size=last.size if len(last.text) >= len(line.text) else line.size,
                    bold=last.bold and line.bold,
                )
                continue
        merged.append(line)
    return merged


def _continues(previous: Line, line: Line, right_edge: float) -> bool:
    """True when ``line`` carries on the paragraph whose last line so far is ``previous``."""
    if starts_item(line.text) or abs(previous.size - line.size) > SIZE_CHANGE:
        return False
    if line.y0 < previous.y0 - 1:  # back up the page: another column or a table cell
        return False
    if line.y0 - previous.y1 > PARAGRAPH_GAP * min(previous.height, line.height):
        return False
    return runs_on(previous, line, right_edge)


def runs_on(previous: Line, line: Line, right_edge: float) -> bool:
    """Whether the text runs on from ``previous`` into ``line``, judged from the words and the margin."""
    if _HYPHEN_END.search(previous.text) or _SOFT_HYPHEN_END.search(previous.text):
        return True  # a word broken at a hyphen ("well-" / "coordinated", "Anglo-" / "Saxon") goes on
    first_word = line.text.split()[0]
    width_per_char = (line.x1 - line.x0) / max(len(line.text), 1)
    ended_early = right_edge - previous.x1 > width_per_char * (len(first_word) + 2)
    if not ended_early:
        return True  # a wrapped line fills the width
    # A short line ends its paragraph when it closes a sentence or the next line starts afresh.
    afresh = line.text[0].isupper() or line.text[0].isdigit() or line.text[0] in "\"'“‘("
    return not (TERMINAL.search(previous.text) or afresh)


def paragraphs_of(body: list[Line], right_edge: float, vocabulary: Vocabulary) -> list[list[Line]]:
    """Group a page's body lines into paragraphs; a table cell set beside a recent paragraph joins it as " | cell"."""
    paragraphs: list[list[Line]] = []
    cell: list[Line] | None = None  # the paragraph a cell is being added to
    for line in body:
        if cell is not None and _continues(cell[-1], line, right_edge):
            cell.append(line)
            continue
        cell = None
        if paragraphs and _continues(paragraphs[-1][-1], line, right_edge):
            paragraphs[-1].append(line)
            continue
        row = _row_of(paragraphs, line)
        if row is not None:
            row.append(Line("|", line.x0, line.y0, line.x0, line.y1, line.size))
            row.append(line)
            cell = row
            continue
        paragraphs.append([line])
    return paragraphs


def _row_of(paragraphs: list[list[Line]], line: Line) -> list[Line] | None:
    """A recent short paragraph that ``line`` sits beside, level with its first line: ``line`` starts its next cell."""
    if not paragraphs or line.y0 >= paragraphs[-1][-1].y0 - 1:
        return None  # only a line that goes back up the page can be a cell beside earlier text
    for paragraph in paragraphs[-CELL_LOOKBACK:]:
        level = abs(paragraph[0].y0 - line.y0) <= CELL_LEVEL * line.height
        beside = line.x0 >= max(other.x1 for other in paragraph) - 1
        if level and beside and len(paragraph) <= CELL_MAX_LINES:
            return paragraph
    return None
