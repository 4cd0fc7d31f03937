"""What kind of answer a question asks for, and whether a sentence carries one.

"How many ..." is answered by a count, "what percentage ..." by a share,
"who is the ..." or "what is the name of ..." by a person's name, "when ..."
by a date. A sentence without one may be on topic, but it does not answer:
quoting it would look like an answer to a question the documents leave open.
These are patterns of English questions, not of any document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from qa.answer.question import is_question

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Dates and years carry digits that are not counts: "16 to 27 January 2023", "2019", "10/03/2023".
_DATE_LIKE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:to|-|–|and)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+{_MONTHS}(?:\s+\d{{4}})?"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|"
    "dozen|half|third|quarter|none|single"
)
_COUNT = re.compile(rf"\d|£|\$|€|\b(?:{_NUMBER_WORDS}|no one|nobody)\b", re.IGNORECASE)
_NUMBER_WORD = re.compile(rf"^(?:[£$€]?\d[\d,.]*%?|{_NUMBER_WORDS})$", re.IGNORECASE)
_SHARE = re.compile(
    r"%|\bper ?cent\b|\bpercentage\b|\b(?:half|third|quarter|fifth|tenth|thirds|quarters)\b|\bone in \w+|\b\w+ out of \w+",
    re.IGNORECASE,
)
_WHEN = re.compile(
    rf"\b(?:1[89]|20)\d\d\b|\b{_MONTHS}\b|\b(?:today|yesterday|tomorrow|week|weeks|month|months|year|years|spring|summer|"
    r"autumn|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday|since|until|before|after|ago|next|last|"
    r"recently|soon|currently|now)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|next|due|planned|scheduled|expected|intends?|going to|upcoming|forthcoming)\b", re.IGNORECASE
)
# A person's name: two or more capitalised words in a row ("Eleanor Brazil", "Tracey Ledder").
_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)+\b")


@lru_cache(maxsize=256)
def _lower_words(text: str) -> frozenset[str]:
    """Words a document writes in lower case somewhere: ordinary words, not names."""
    return frozenset(re.findall(r"\b[a-z][a-z'’-]*\b", text))


def _has_count(sentence: str) -> bool:
    return bool(_COUNT.search(_DATE_LIKE.sub(" ", sentence)))


_HOW_MANY = re.compile(
    r"\bhow many\s+(.*?)(?:\s+(?:are|were|is|was|do|does|did|have|has|had|will|would|can|could|in|at|on|for|of)\b|[?.,]|$)",
    re.IGNORECASE,
)
COUNT_WINDOW = 4  # a count names what it counts within a few words: "seven family hubs", "four people holding"


def _counts_what_was_asked(sentence: str, question: str) -> bool:
    """For "how many X": a number followed closely by X ("How many hubs?" -> "seven family hubs")."""
    from qa.index.bm25 import tokenize

    asked = _HOW_MANY.search(question)
    things = set(tokenize(asked.group(1))) if asked else set()
    if not things:
        return _has_count(sentence)
    words = re.findall(r"[\w%£$€.,'’-]+", _DATE_LIKE.sub(" ", sentence))
    for i, word in enumerate(words):
        if _NUMBER_WORD.match(word.strip(".,")) or re.search(r"\d", word):
            if word.endswith("%") or " ".join(words[i + 1 : i + 3]).lower().startswith(("per cent", "percent")):
                continue  # "75 per cent of children" is a share of them, not how many there are
            following = tokenize(" ".join(words[i + 1 : i + 1 + COUNT_WINDOW]))
            if things & set(following):
                return True
    return False


def _has_share(sentence: str) -> bool:
    return bool(_SHARE.search(sentence))


def _has_date(sentence: str) -> bool:
    return bool(_WHEN.search(sentence))


# Words of organisations' names, never of a person's ("Northshire County Council").
_ORGANISATION = frozenset(
    "council councils county city borough district authority department government service services".split()
)


def _name_runs(sentence: str, text: str, excluded: frozenset[str] | set[str]) -> Iterator[list[str]]:
    """Runs of capitalised words in ``sentence`` (lower-cased) holding a word that is not ``excluded`` and
    that the document (``text``) never writes in lower case: a run of ordinary words ("County Council")
    is not a name."""
    ordinary = _lower_words(text)
    for match in _NAME.finditer(sentence):
        words = [w.lower() for w in match.group(0).split()]
        if any(w not in excluded and w not in ordinary for w in words):
            yield words


def _has_name(sentence: str, question: str, text: str) -> bool:
    # A name of the question's own words ("East Northshire") is the topic, not the answer.
    asked = {w.lower() for w in re.findall(r"[^\W\d_]+", question)} | _ORGANISATION
    return any(True for _ in _name_runs(sentence, text, asked))


# A front-page field: a short label, a colon, and nothing but dates or a person's name and role
# ("Inspection dates: 6 to 17 December 2021", "Lead inspector: Jane Hollis, His Majesty's Inspector").
_FIELD = re.compile(r"^\s*([^\W\d_][^:\n]{0,40}):\s+(\S.*)$", re.DOTALL)
FIELD_LABEL_WORDS = 4  # "Inspection dates", "Date of publication": a label, not a clause
_FIELD_CONNECTORS = frozenset("to and of the on from until".split())
_ASKS_WHEN = re.compile(r"\bwhen\b|\bwhat (?:date|dates|year|month|day|time)\b|\bhow long\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"\b(?:who|whom|whose)\b|\bname of\b|\bwhat (?:is|was) the name\b", re.IGNORECASE)


def field_kind(sentence: str, text: str = "") -> str | None:
    """ "date" or "name" for a label and only dates or a person's name and role ("Inspection dates: ...",
    "Lead inspector: ..."): a record, not a finding; None for any other sentence. ``text`` is the
    document's: words it also writes in lower case ("Requires Improvement") are not a name."""
    match = _FIELD.match(sentence)
    if not match or len(match.group(1).split()) > FIELD_LABEL_WORDS:
        return None
    value = match.group(2)
    undated = _DATE_LIKE.sub(" ", value)
    words = re.findall(r"[^\W\d_][\w'’-]*", undated)
    if not all(w[0].isupper() or w.lower() in _FIELD_CONNECTORS for w in words):
        return None
    if _person(undated, text or sentence):
        return "name"
    return "date" if _DATE_LIKE.search(value) and all(w.lower() in _FIELD_CONNECTORS for w in words) else None


def _person(value: str, text: str) -> bool:
    """A run of capitalised words that names a person: not an organisation, not ordinary words in capitals."""
    return any(not _ORGANISATION & set(words) for words in _name_runs(value, text, _ORGANISATION))


def answers_as_field(sentence: str, question: str, text: str = "") -> bool:
    """A front-page field answers only a question asking when (its dates) or who (its name): "What did
    inspectors find in 2021?" is not answered by "Inspection dates: 6 to 17 December 2021". A statement
    (a claim to check) is not a question and may be supported by one."""
    kind = field_kind(sentence, text)
    if kind is None or not is_question(question):
        return True
    return bool((_ASKS_WHEN if kind == "date" else _ASKS_WHO).search(question))


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer: its name and how to tell whether a sentence carries one."""

    name: str
    asks: re.Pattern[str]
    check: Callable[[str, str, str], bool]  # (sentence, question, document text) -> carries this kind

    def carried_by(self, sentence: str, question: str, text: str = "") -> bool:
        """True when the sentence (from a document whose whole text is ``text``) carries this kind of answer."""
        return bool(self.check(sentence, question, text or sentence))


_QUANTITY = (
    r"(?:money|funding|funds|capital|investment|budget|cost|costs|spend|spent|grant|grants|income|savings|pay|paid)"
)
ANSWER_TYPES = (
    AnswerType(
        "share",
        re.compile(
            r"\bwhat (?:proportion|percentage|share|fraction|per ?cent)\b|\bhow many per ?cent\b", re.IGNORECASE
        ),
        lambda s, q, t: _has_share(s),
    ),
    AnswerType(
        "count",
        re.compile(
            rf"\bhow many\b|\bhow much\s+(?:\w+\s+){{0,3}}?{_QUANTITY}\b|\bhow much (?:does|did|do|will|would) .* cost\b"
            r"|\bwhat (?:is|was|are|were) the (?:total |average |mean |overall )?(?:number|total|average|rate|amount|"
            r"cost|budget|figure|size)\b|\bwhat (?:number|amount)\b",
            re.IGNORECASE,
        ),
        lambda s, q, t: _counts_what_was_asked(s, q),
    ),
    AnswerType(
        "person",
        re.compile(
            r"^\W*(?:who (?:is|was|are|were) (?:the|their|its|his|her)\b|what (?:is|was) the name of\b)", re.IGNORECASE
        ),
        _has_name,
    ),
    AnswerType(
        "future date",
        re.compile(
            r"^\W*when (?:will|is\b.*\b(?:next|due|going to|expected)|are\b.*\b(?:next|due|going to|expected))",
            re.IGNORECASE,
        ),
        lambda s, q, t: _has_date(s) and bool(_FUTURE.search(s)),
    ),
    AnswerType(
        "date",
        re.compile(r"^\W*(?:when\b|(?:on |in |by )?what (?:date|year|month|day)\b)", re.IGNORECASE),
        lambda s, q, t: _has_date(s),
    ),
)


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer the question asks for, or None when any relevant statement answers it."""
    for kind in ANSWER_TYPES:
        if kind.asks.search(question):
            return kind
    return None
