"""Is a written sentence supported by the quotes it cites? Checked offline, before the sentence is shown.

A language model can write a fluent sentence that its citations do not bear
out: a number changed, another organisation named, a "not" dropped. Each
sentence must cite at least one quote that exists, and then

- every number in it is in the cited quotes (or their documents' dates);
- every name in it is in the cited quotes (or their documents' titles, publishers, dates);
- it neither states plainly what the quotes negate nor negates what they state ("do not receive" kept);
- most of its content words are in the cited quotes, titles or dates (``min_word_support``);
- its embedding is close to the closest cited quote's (``min_similarity``).

Thresholds are calibrated on a table of crafted sentences over real passages
(tests/test_support.py). No rule names a document or a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.index.bm25 import STOPWORDS, tokenize
from qa.render.text import format_date
from qa.settings import LLMSettings
from qa.types import Citation, Document

_LOWER_WORD = re.compile(r"(?<![^\W\d_])[a-z]+(?:['’][a-z]+)*")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d[\d,]*(?:\.\d+)?", re.UNICODE)
# Words that make a clause say the opposite ("not", "never", "failed to", "lack of", "isn't").
NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere without cannot unable fail fails failed failing
    lack lacks lacked lacking absent""".split()
)
# Number words written out, so "three" and "3" are the same number. "one" is left out: it is mostly a pronoun.
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
    if w != "_"
} | {w: str(10 * n) for n, w in enumerate("_ _ _ thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
# Where a clause ends inside a sentence: punctuation, or a word that turns to a second claim.
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014.!?]|\b(?:but|although|though|while|whereas|however|yet)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Support:
    """The verdict on one written sentence: supported or not, and why not."""

    supported: bool
    reason: str = ""


def words(text: str) -> list[str]:
    """The words and numbers of a text as written (case kept, possessive ''s' dropped)."""
    return [re.sub(r"['’]s$", "", w) for w in _WORD.findall(text)]


def numbers(text: str) -> set[str]:
    """The numbers a text states, normalised: '1,200' -> '1200', 'three' -> '3', '4.0' -> '4'."""
    out = set()
    for w in words(text):
        if w[0].isdigit():
            value = w.replace(",", "")
            if "." in value:
                value = value.rstrip("0").rstrip(".")
            out.add(value)
        elif w.lower() in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[w.lower()])
    return out


def clauses(text: str) -> list[str]:
    """The text cut into clauses at commas, semicolons, dashes and turning words."""
    return [c for c in _CLAUSE_BREAK.split(text) if c and c.strip()]


def _content_terms(text: str) -> set[str]:
    """Stemmed content words without numbers (numbers are checked on their own)."""
    return {t for t in tokenize(text) if not t[0].isdigit() and t not in _NUMBER_WORDS}


class SupportChecker:
    """Checks written sentences against a fixed set of numbered quotes."""

    def __init__(
        self,
        citations: Sequence[Citation],
        documents: Mapping[str, Document],
        embed: Callable[[list[str]], np.ndarray],
        settings: LLMSettings,
        context: Iterable[str] = (),
    ) -> None:
        """``context`` names more documents (those the evidence came from) whose lower-case words tell a
        sentence's capitalised first word ('Overall', 'Inspectors') from a name ('Northshire')."""
        self.by_n = {c.n: c for c in citations}
        self.documents = documents
        self._context = list(dict.fromkeys([c.source for c in citations] + list(context)))
        self._lower: set[str] | None = None
        self.embed = embed
        self.settings = settings
        ordered = list(self.by_n)
        self._row = {n: i for i, n in enumerate(ordered)}
        self._vectors = embed([self.by_n[n].text for n in ordered]) if ordered else np.zeros((0, 1), dtype=np.float32)

    def check(self, text: str, cited: Sequence[int]) -> Support:
        """Whether the quotes numbered ``cited`` support ``text``; the reason when they do not."""
        if not cited:
            return Support(False, "it cites no quote")
        missing = [n for n in cited if n not in self.by_n]
        if missing:
            return Support(False, f"it cites [{missing[0]}], which is not one of the quotes")
        quotes = [self.by_n[n] for n in dict.fromkeys(cited)]
        quoted = " ".join(q.text for q in quotes)
        # What the reader sees beside each quote: its document's title, publisher and date.
        labels = " ".join(self._label(q) for q in quotes)
        supporting = f"{quoted} {labels}"

        extra = sorted(numbers(text) - numbers(supporting))
        if extra:
            return Support(False, f"the number {extra[0]} is not in the quotes it cites")
        unnamed = [n for n in self._names(text) if n.lower() not in {w.lower() for w in words(supporting)}]
        if unnamed:
            return Support(False, f"the name {unnamed[0]} is not in the quotes it cites")
        flipped = self._polarity_differs(text, quoted)
        if flipped:
            return Support(False, f"it {flipped} where the quotes it cites do not")
        terms = _content_terms(text)
        if terms:
            share = len(terms & _content_terms(supporting)) / len(terms)
            if share < self.settings.min_word_support:
                return Support(False, f"only {share:.0%} of its words are in the quotes it cites")
        vector = self.embed([text])[0]
        closeness = max(float(self._vectors[self._row[q.n]] @ vector) for q in quotes)
        if len(quotes) > 1:  # a sentence joining two quotes is compared with them together too
            closeness = max(closeness, float(self.embed([quoted])[0] @ vector))
        if closeness < self.settings.min_similarity:
            return Support(False, f"it reads unlike the quotes it cites (similarity {closeness:.2f})")
        return Support(True)

    def _label(self, citation: Citation) -> str:
        document = self.documents.get(citation.source)
        publisher = (document.publisher or "") if document else ""
        dated = format_date(citation.date) if citation.date else ""
        return f"{citation.title} {publisher} {dated}"

    def _names(self, text: str) -> list[str]:
        """Capitalised words that name something: any after the first word, all-capital ones, and a first
        word the documents never write in lower case (so 'Inspectors' is a word, 'Northshire' a name)."""
        found = words(text)
        names = []
        for i, w in enumerate(found):
            if not w[0].isupper() or w.lower() in STOPWORDS or w.lower() in NEGATIONS:
                continue
            if i == 0 and not (len(w) > 1 and w.isupper()) and w.lower() in self._lower_words():
                continue
            names.append(w)
        return names

    def _lower_words(self) -> set[str]:
        """Words the cited and context documents write in lower case somewhere (computed once)."""
        if self._lower is None:
            self._lower = set()
            for source in self._context:
                document = self.documents.get(source)
                if document is not None:
                    self._lower.update(_LOWER_WORD.findall(document.text))
            self._lower.update(_LOWER_WORD.findall(" ".join(c.text for c in self.by_n.values())))
        return self._lower

    def _polarity_differs(self, text: str, quoted: str) -> str:
        """'adds a negation' or 'drops a negation' when the sentence states plainly what the quotes negate,
        or negates what they state plainly; else ''."""
        said_negated, quote_negated = negation_scopes(text), negation_scopes(quoted)
        said_terms = _content_terms(text)
        quote_terms = _content_terms(quoted)
        for scope in quote_negated:  # "do not receive regular supervision" -> "receive regular supervision"
            shared = scope & said_terms
            if len(shared) >= 2 and len(shared) >= NEGATION_OVERLAP * len(scope) and not shared & _union(said_negated):
                return "drops a negation"
        for scope in said_negated:  # "made little progress" -> "has not made progress"
            shared = scope & quote_terms
            if len(shared) >= 2 and len(shared) >= NEGATION_OVERLAP * len(scope) and not shared & _union(quote_negated):
                return "adds a negation"
        return ""


# A negation governs the few words after it, within its clause: "did not receive regular supervision".
NEGATION_REACH = 6
# Share of a negated phrase's words that another text must hold to be saying the same thing (with or without it).
NEGATION_OVERLAP = 0.6


def negation_scopes(text: str) -> list[set[str]]:
    """The content terms each negation in the text governs: the next few words of its clause."""
    negated_scopes = []
    for clause in clauses(text):
        raw = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", clause.lower().replace("’", "'"))
        for i, word in enumerate(raw):
            if word in NEGATIONS or word.endswith("n't"):
                scope = _content_terms(" ".join(raw[i + 1 : i + 1 + NEGATION_REACH]))
                if scope:
                    negated_scopes.append(scope)
    return negated_scopes


def _union(scopes: list[set[str]]) -> set[str]:
    return set().union(*scopes) if scopes else set()
