"""The proper names a text writes: runs of capitalised words, acronyms and the expansions a text gives them.

Used both for a question ("What did Ofsted find in Northshire?") and, at
ingest, for every document, whose names go into the build's name index
(``qa.index.names``) with where the document writes them: its title and
publisher, its opening, or its body. A name index key is a word of a name as
the lexical index tokenises it ("eastmer" for "Eastmere"); ``^nsw`` says the
initials of a capitalised run of the document's title or opening spell "NSW"
("Northby, Southby and Westby"); ``nsw=northby southby westby``
says the document writes the acronym with that expansion ("Northby,
Southby and Westby (NSW)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.index.bm25 import tokenize
from qa.types import Document

TITLE, OPENING, BODY = 1, 2, 3  # where a document writes a name, strongest first
PLACES = {TITLE: "title", OPENING: "opening", BODY: "body"}

_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
CONNECTORS = frozenset({"and", "of", "for", "the", "&", "upon"})
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_ACRONYM_IN_BRACKETS = re.compile(r"\(([A-Z][A-Za-z&]{1,7})\)")
_SENTENCE_START = frozenset(
    "\n.!?:;\"“‘'(•*–—|"
)  # a capitalised word after one of these may be capitalised only for its place
INITIALS = "^"  # key prefix: acronyms the capitalised runs of a document's title or opening spell
EXPANSION = "="  # separates an acronym from the words of its expansion in a key


def names_in(text: str) -> list[str]:
    """Runs of capitalised words ("Northby, Southby and Westby", "NSW"), a text's first word excluded."""
    words = [(m.group(0), m.start()) for m in WORD.finditer(text)]
    names: list[list[str]] = []
    current: list[str] = []
    previous_end = -1
    for i, (word, start) in enumerate(words):
        bare = re.sub(r"['’]s$", "", word).rstrip(".")
        lower = bare.lower()
        capital = bare[:1].isupper() and lower not in _CALENDAR
        if i == 0 and not (word != bare or (bare.isupper() and len(bare) > 1)):
            capital = False  # a sentence's first word is capitalised anyway; a possessive or an acronym is a name
        gap = text[previous_end:start] if previous_end >= 0 else ""
        joined = current and gap.strip() in ("", ",")
        if capital and (joined or not current):
            current.append(bare)
        elif current and lower in CONNECTORS and joined:
            current.append(lower)
        else:
            if current:
                names.append(current)
            current = [bare] if capital else []
        previous_end = start + len(word)
    if current:
        names.append(current)
    out = []
    for run in names:
        while run and run[-1] in CONNECTORS:
            run = run[:-1]
        if run:
            out.append(" ".join(run))
    return out


VOCABULARY_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def words_of(text: str) -> set[str]:
    """The distinct lower-case words of a text (the collection's vocabulary, for "Did you mean?")."""
    return {w.lower() for w in VOCABULARY_WORD.findall(text)}


def initials(text: str) -> set[str]:
    """Acronyms of the capitalised runs of a text ("Northby, Southby and Westby" -> "nsw"), lower-case."""
    out = set()
    for run in names_in("x " + text):
        letters = "".join(w[0] for w in run.replace(",", " ").split() if w[:1].isupper()).lower()
        # Any stretch of the run may be abbreviated: "Inspection of Northby, Southby and Westby" -> "NSW".
        out.update(letters[i:j] for i in range(len(letters)) for j in range(i + 2, min(len(letters), i + 8) + 1))
    return out


def is_acronym(name: str) -> bool:
    """A name written as an acronym ("BCP", "NHS"): capitals, one word, two to six letters."""
    return name.isupper() and 2 <= len(name) <= 6 and " " not in name


def expansion_key(acronym: str, expansion: str) -> str:
    """The name index key saying that ``acronym`` stands for ``expansion``."""
    return acronym.lower() + EXPANSION + " ".join(tokenize(expansion))


def document_names(document: Document, opening_chars: int) -> dict[str, int]:
    """Every name key of a document with the strongest place it is written in (TITLE, OPENING or BODY)."""
    out: dict[str, int] = {}

    def put(keys, place: int) -> None:
        for key in keys:
            if out.get(key, BODY + 1) > place:
                out[key] = place

    heading = f"{document.title}\n{document.publisher or ''}"
    put(tokenize(heading), TITLE)  # every word of a title names what the document is about
    put((INITIALS + a for a in initials(heading)), TITLE)
    text = document.text
    put((INITIALS + a for a in initials(text[:opening_chars])), OPENING)
    opening, body = name_words(text, opening_chars)
    put(tokenize(" ".join(opening)), OPENING)
    put(tokenize(" ".join(body)), BODY)
    for match in _ACRONYM_IN_BRACKETS.finditer(text):
        expansion = expanded(text, match.start(), match.group(1))
        if expansion:
            put([expansion_key(match.group(1), expansion)], OPENING if match.start() < opening_chars else BODY)
    return out


def document_keys(document: Document, opening_chars: int, sentences: Iterable[tuple[int, int]] = ()) -> dict[str, int]:
    """All a document gives the name index: its names, and the templates of its stored ``sentences`` (spans)."""
    from qa.ingest.templates import template_keys

    return {**template_keys(document.text, sentences), **document_names(document, opening_chars)}


def sentence_spans(sentences: Iterable) -> dict[str, list[tuple[int, int]]]:
    """Stored sentences (``SentenceRef``s) grouped by document, as spans."""
    out: dict[str, list[tuple[int, int]]] = {}
    for ref in sentences:
        out.setdefault(ref.source, []).append((ref.start, ref.end))
    return out


def name_words(text: str, opening_chars: int) -> tuple[list[str], list[str]]:
    """The words of ``text`` written as names, in its opening and after it.

    A capitalised word is a name unless it only starts a sentence or a line and
    the text also writes it in lower case ("Children are safe" beside "children").
    """
    matches = list(WORD.finditer(text))
    lower = {re.sub(r"['’]s$", "", m.group(0)).rstrip(".") for m in matches if m.group(0)[0].islower()}
    opening, body = [], []
    for match in matches:
        word = match.group(0)
        if not word[0].isupper():
            continue
        bare = re.sub(r"['’]s$", "", word).rstrip(".")
        if bare.lower() in _CALENDAR:
            continue
        if not (bare.isupper() and len(bare) > 1) and bare.lower() in lower and _starts_sentence(text, match.start()):
            continue
        (opening if match.start() < opening_chars else body).append(bare)
    return opening, body


def _starts_sentence(text: str, at: int) -> bool:
    i = at - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_START


def expanded(text: str, at: int, acronym: str) -> str | None:
    """The capitalised words before ``(ACRONYM)`` at ``at`` whose initials spell it ("Northby, Southby and Westby"), if any."""
    line_start = text.rfind("\n", max(0, at - 200), at) + 1
    before = text[max(line_start, at - 200) : at]
    runs = names_in("x " + before)
    if not runs or not before.rstrip().endswith(runs[-1].split()[-1]):
        return None
    words = runs[-1].replace(",", " ").split()
    letters = (
        acronym.replace("&", "").lower().rstrip("s") if not acronym.isupper() else acronym.replace("&", "").lower()
    )
    capitals = [i for i, w in enumerate(words) if w[:1].isupper()]
    if len(capitals) < len(letters):
        return None
    first = capitals[-len(letters)]
    if "".join(words[i][0] for i in capitals[-len(letters) :]).lower() != letters:
        return None
    return " ".join(words[first:])
