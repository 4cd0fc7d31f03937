"""Is a written sentence supported by the quotes it cites? Checked offline, before the sentence is shown.

A language model can write a fluent sentence that its citations do not bear
out: a number changed, another organisation named, a "not" dropped, a grade
swapped, or a claim that a document told it to make. A sentence must cite at
least one quote that exists and was given to the model, and ONE of the quotes
it cites must support it on its own (a second citation lends no authority):

- every number in it is in that quote (or its document's title, publisher, date);
- every name in it is in that quote (or its document's title, publisher, date);
- it neither states plainly what the quote negates nor negates what it states ("do not receive" kept;
  a negation the document's title makes counts as the document's);
- every word that gives a grade or an evaluation ("inadequate", "improved", "weak") is in that quote or its
  title, and is said of the same thing there ("overall" is not "inadequate" where the quote rates the
  leadership inadequate and the whole "requires improvement");
- most of its content words are in that quote, title or date (``min_word_support``);
- unless every one of them is, its embedding is close to that quote's (``min_similarity``).

A sentence joining two claims ("..., but ...") may rest each claim on a
different quote, each claim on one quote alone. A sentence without markers
can be checked against every quote (``attribute``): it is supported when one
quote supports it, and is then cited to that quote.

Thresholds are calibrated on a table of crafted sentences over real passages
(tests/support_table.py). No rule names a document or a question; the words
the checks read are in ``qa.answer.vocabulary``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.vocabulary import JUDGEMENTS, JUDGING_WORDS, NEGATIONS, NUMBER_WORDS, judgement_family
from qa.index.bm25 import STOPWORDS, tokenize
from qa.render.text import format_date
from qa.settings import LLMSettings
from qa.types import Citation, Document

_LOWER_WORD = re.compile(r"(?<![^\W\d_])[a-z]+(?:['’][a-z]+)*")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d[\d,]*(?:\.\d+)?", re.UNICODE)
_PLAIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Where a clause ends inside a sentence: punctuation, or a word that turns to a second claim.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014.!?]|\b(?:but|although|though|while|whereas|however|yet)\b", re.IGNORECASE
)
# Where a sentence turns to a second claim that may rest on another quote: a semicolon, or a comma and a
# joining word, or a contrasting word. Plain commas and "and" inside a phrase ("leadership and management") do not.
_SECOND_CLAIM = re.compile(
    r";|,\s*(?=(?:and|but|while|whereas|although|though|yet|with)\b)|\s(?=(?:but|whereas|although|though)\b)",
    re.IGNORECASE,
)
# Stages of the check, in order: a failure at a later stage is the closer miss, and its reason is the one given.
_NUMBERS, _NAMES, _NEGATION, _JUDGEMENT, _WORDS, _SIMILARITY = range(6)


@dataclass(frozen=True)
class Support:
    """The verdict on one written sentence: supported or not, why not, and the quotes that support it."""

    supported: bool
    reason: str = ""
    quotes: tuple[int, ...] = ()  # the quote (one per claim) that supports it, when it is supported


@dataclass(frozen=True)
class _Verdict:
    """One quote's verdict on one text, and how far the text got through the checks."""

    ok: bool
    reason: str
    stage: int
    share: float = 0.0  # of its content words in the quote, title and date
    whole: bool = False  # every content word is there: a copied phrase, passed on its words alone


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
        elif w.lower() in NUMBER_WORDS:
            out.add(NUMBER_WORDS[w.lower()])
    return out


def clauses(text: str) -> list[str]:
    """The text cut into clauses at commas, semicolons, dashes and turning words."""
    return [c for c in _CLAUSE_BREAK.split(text) if c and c.strip()]


def claims(text: str) -> list[str]:
    """The sentence cut where it turns to a second claim ('..., but ...', '...; ...'), each part with words."""
    return [c for c in _SECOND_CLAIM.split(text) if c and _content_terms(c)]


def _content_terms(text: str) -> set[str]:
    """Stemmed content words without numbers (numbers are checked on their own)."""
    return {t for t in tokenize(text) if not t[0].isdigit() and t not in NUMBER_WORDS}


def _judgements(text: str) -> dict[str, str]:
    """The judgement families a text uses, each with the word it uses for it ('weak' -> 'weaknesses')."""
    out: dict[str, str] = {}
    for word in _PLAIN_WORD.findall(text):
        family = judgement_family(word)
        if family is not None:
            out.setdefault(family, word.lower())
    return out


class SupportChecker:
    """Checks written sentences against a fixed set of numbered quotes."""

    def __init__(
        self,
        citations: Sequence[Citation],
        documents: Mapping[str, Document],
        embed: Callable[[list[str]], np.ndarray],
        settings: LLMSettings,
        context: Iterable[str] = (),
        withheld: Iterable[int] = (),
    ) -> None:
        """``context`` names more documents (those the evidence came from) whose lower-case words tell a
        sentence's capitalised first word ('Overall', 'Inspectors') from a name ('Northshire').
        ``withheld`` numbers quotes not given to the model (they read as instructions): citing one fails."""
        self.by_n = {c.n: c for c in citations}
        self.withheld = frozenset(withheld)
        self.documents = documents
        self._context = list(dict.fromkeys([c.source for c in citations] + list(context)))
        self._lower: set[str] | None = None
        self.embed = embed
        self.settings = settings
        ordered = list(self.by_n)
        self._row = {n: i for i, n in enumerate(ordered)}
        self._vectors = embed([self.by_n[n].text for n in ordered]) if ordered else np.zeros((0, 1), dtype=np.float32)

    def check(self, text: str, cited: Sequence[int]) -> Support:
        """Whether one of the quotes numbered ``cited`` supports ``text`` on its own; the reason when none does."""
        if not cited:
            return Support(False, "it cites no quote")
        missing = [n for n in cited if n not in self.by_n]
        if missing:
            return Support(False, f"it cites [{missing[0]}], which is not one of the quotes")
        withheld = [n for n in cited if n in self.withheld]
        if withheld:
            return Support(
                False, f"it cites [{withheld[0]}], a quote that reads as an instruction and was not given to the model"
            )
        quotes = [self.by_n[n] for n in dict.fromkeys(cited)]
        return self._judge(text, quotes, "the quote it cites" if len(quotes) == 1 else "any one quote it cites")

    def attribute(self, text: str) -> Support:
        """A sentence without markers, checked against every quote given to the model; ``quotes`` says which support it."""
        offered = [c for n, c in self.by_n.items() if n not in self.withheld]
        if not offered:
            return Support(False, "it cites no quote")
        verdict = self._judge(text, offered, "any one quote")
        if verdict.supported:
            return verdict
        return Support(False, f"it cites no quote, and no quote supports it ({verdict.reason})")

    def _judge(self, text: str, quotes: list[Citation], where: str) -> Support:
        vector: list[np.ndarray] = []  # the sentence's embedding, computed once and only when needed

        def closeness(n: int) -> float:
            if not vector:
                vector.append(self.embed([text])[0])
            return float(self._vectors[self._row[n]] @ vector[0])

        verdicts = [self._against(text, q, where) for q in quotes]
        passed = [(q, v) for q, v in zip(quotes, verdicts) if v.ok]
        whole = [q for q, v in passed if v.whole]
        if whole:
            return Support(True, quotes=(whole[0].n,))
        close = [(closeness(q.n), q) for q, _ in passed]
        best = max(close, key=lambda pair: pair[0], default=None)
        if best is not None and best[0] >= self.settings.min_similarity:
            return Support(True, quotes=(best[1].n,))
        if len(quotes) > 1:
            joined = self._joined(text, quotes, where, vector)
            if joined is not None:
                return joined
        if best is not None:
            return Support(False, f"it reads unlike {where} (similarity {best[0]:.2f})")
        closest = max(verdicts, key=lambda v: (v.stage, v.share))
        return Support(False, closest.reason)

    def _joined(self, text: str, quotes: list[Citation], where: str, vector: list[np.ndarray]) -> Support | None:
        """A sentence of several claims, each resting on one quote alone; None when it is one claim or one fails."""
        parts = claims(text)
        if len(parts) < 2:
            return None
        resting: list[Citation] = []
        copied = True
        for part in parts:
            verdicts = [(v, q) for q in quotes if (v := self._against(part, q, where)).ok]
            if not verdicts:
                return None
            verdict, quote = max(verdicts, key=lambda pair: pair[0].share)
            resting.append(quote)
            copied = copied and verdict.whole
        used = list(dict.fromkeys(q.n for q in resting))
        if not copied:
            if not vector:
                vector.append(self.embed([text])[0])
            closeness = max(float(self._vectors[self._row[n]] @ vector[0]) for n in used)
            if len(used) > 1:  # the sentence joins them: compared with them together too
                together = " ".join(self.by_n[n].text for n in used)
                closeness = max(closeness, float(self.embed([together])[0] @ vector[0]))
            if closeness < self.settings.min_similarity:
                return None
        return Support(True, quotes=tuple(used))

    def _against(self, text: str, quote: Citation, where: str) -> _Verdict:
        """Whether this one quote (with its title, publisher and date) supports ``text``, up to the similarity check."""
        label = self._label(quote)
        supporting = f"{quote.text} {label}"
        extra = sorted(numbers(text) - numbers(supporting))
        if extra:
            return _Verdict(False, f"the number {extra[0]} is not in {where}", _NUMBERS)
        known = {w.lower() for w in words(supporting)}
        unnamed = [n for n in self._names(text) if n.lower() not in known]
        if unnamed:
            return _Verdict(False, f"the name {unnamed[0]} is not in {where}", _NAMES)
        flipped = _polarity_differs(text, quote.text, quote.title or "")
        if flipped:
            return _Verdict(False, f"it {flipped} where {where} does not", _NEGATION)
        word, said_there = _judgement_differs(text, quote.text, quote.title or "")
        if word and not said_there:
            return _Verdict(False, f"the judgement '{word}' is not in {where} or its title", _JUDGEMENT)
        if word:
            return _Verdict(
                False, f"the judgement '{word}' is not what {where} says of it ('{said_there}')", _JUDGEMENT
            )
        terms = _content_terms(text)
        if not terms:
            return _Verdict(True, "", _SIMILARITY, 1.0)
        share = len(terms & _content_terms(supporting)) / len(terms)
        if share < self.settings.min_word_support:
            return _Verdict(False, f"only {share:.0%} of its words are in {where}", _WORDS, share)
        return _Verdict(True, "", _SIMILARITY, share, whole=share >= 1.0)

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


def _polarity_differs(text: str, quoted: str, title: str = "") -> str:
    """'adds a negation' or 'drops a negation' when the sentence states plainly what the quote negates, or
    negates what it states plainly; else ''. A negation the title makes is the document's too: a sentence
    repeating the title ("... is failing children") does not add it."""
    said_negated, quote_negated = negation_scopes(text), negation_scopes(quoted)
    said_terms = _content_terms(text)
    quote_terms = _content_terms(quoted)
    for scope in quote_negated:  # "do not receive regular supervision" -> "receive regular supervision"
        shared = scope & said_terms
        if len(shared) >= 2 and len(shared) >= NEGATION_OVERLAP * len(scope) and not shared & _union(said_negated):
            return "drops a negation"
    documents_negated = _union(quote_negated) | _union(negation_scopes(title))
    for scope in said_negated:  # "made little progress" -> "has not made progress"
        shared = scope & quote_terms
        if len(shared) >= 2 and len(shared) >= NEGATION_OVERLAP * len(scope) and not shared & documents_negated:
            return "adds a negation"
    return ""


def _judgement_differs(text: str, quoted: str, title: str = "") -> tuple[str, str]:
    """A grade or evaluation in the sentence that is not the quote's, with the quote's own word for that
    thing ('' when the quote has none), or ('', '').

    Each judgement word must have its family in the quote or its title. And
    where the quote judges the thing a clause of the sentence is about, it
    must give it the same judgement: of the quote's claims that judge
    something, those sharing most of the clause's other words must include
    one in the same family. So a quote rating the whole "requires
    improvement" and its leadership "inadequate" does not support "the overall
    judgement was inadequate". A clause giving two judgements ("21 rated
    inadequate and 43 requiring improvement") needs each only in a claim that
    shares its words.
    """
    holders = [(_judgements(c), _content_terms(c)) for c in claims(quoted) + claims(title)]
    judging = [(families, terms) for families, terms in holders if families]
    held = set().union(*(families for families, _ in judging))
    for clause in clauses(text):
        said = _judgements(clause)
        if not said:
            continue
        topic = _content_terms(clause) - _judging_stems()
        for family, word in said.items():
            if family not in held:
                return word, ""
            overlaps = [(len(topic & terms), families) for families, terms in judging]
            least = 1 if len(said) > 1 else max(overlap for overlap, _ in overlaps)
            about = [families for overlap, families in overlaps if overlap >= least]
            if least and about and not any(family in families for families in about):
                return word, next(iter(about[0].values()))
    return "", ""


@functools.lru_cache(maxsize=1)
def _judging_stems() -> frozenset[str]:
    """Judgement words and judging verbs, stemmed as content terms are: not what a clause is about."""
    return frozenset(tokenize(" ".join([*JUDGEMENTS, *JUDGING_WORDS])))


def _union(scopes: list[set[str]]) -> set[str]:
    return set().union(*scopes) if scopes else set()
