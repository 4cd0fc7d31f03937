"""Is a written sentence supported by the quotes it cites? Checked offline, before the sentence is shown.

A language model can write a fluent sentence that its citations do not bear
out: a number changed, another organisation named, a "not" dropped. Each
sentence must cite at least one quote that exists, and then

- every number in it is in the cited quotes (or their documents' dates);
- every name in it is in the cited quotes (or their documents' titles, publishers, dates);
- each of its clauses that matches a clause of the quotes has the same polarity (both negated or neither);
- most of its content words are in the cited quotes, titles or dates (``min_word_support``);
- its embedding is close to the closest cited quote's (``min_similarity``).

Thresholds are calibrated on a table of crafted sentences over real passages
(tests/test_support.py). No rule names a document or a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.index.bm25 import STOPWORDS, tokenize
from qa.render.text import format_date
from qa.settings import LLMSettings
from qa.types import Citation, Document

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
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]|\b(?:but|although|though|while|whereas|however|yet)\b", re.IGNORECASE)


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


def negated(text: str) -> bool:
    """True when the text holds a negation ('not', "n't", 'never', 'failed', 'lack')."""
    lowered = text.lower().replace("’", "'")
    return "n't" in lowered or any(w in NEGATIONS for w in re.findall(r"[a-z]+", lowered))


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
    ) -> None:
        self.by_n = {c.n: c for c in citations}
        self.documents = documents
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
        unnamed = [n for n in self._names(text, quotes) if n.lower() not in {w.lower() for w in words(supporting)}]
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

    def _names(self, text: str, quotes: list[Citation]) -> list[str]:
        """Capitalised words that name something: any after the first word, all-capital ones, and a first
        word its cited documents never write in lower case (so 'Inspectors' is a word, 'Northshire' a name)."""
        found = words(text)
        names = []
        for i, w in enumerate(found):
            if not w[0].isupper() or w.lower() in STOPWORDS or w.lower() in NEGATIONS:
                continue
            if i == 0 and not (len(w) > 1 and w.isupper()) and self._written_lower(w.lower(), quotes):
                continue
            names.append(w)
        return names

    def _written_lower(self, word: str, quotes: list[Citation]) -> bool:
        pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")
        for q in quotes:
            document = self.documents.get(q.source)
            if pattern.search(document.text if document else q.text):
                return True
        return False

    def _polarity_differs(self, text: str, quoted: str) -> str:
        """'adds a negation' or 'drops a negation' when a clause of ``text`` says the opposite of the quote
        clause it matches best, else ''."""
        quote_clauses = [(c, _content_terms(c)) for c in clauses(quoted)]
        for clause in clauses(text):
            terms = _content_terms(clause)
            if len(terms) < 2:
                continue
            best, overlap = None, 0.0
            for candidate, candidate_terms in quote_clauses:
                share = len(terms & candidate_terms) / len(terms)
                if share > overlap:
                    best, overlap = candidate, share
            if best is None or overlap < 0.5:
                continue
            if negated(clause) != negated(best):
                return "adds a negation" if negated(clause) else "drops a negation"
        return ""
