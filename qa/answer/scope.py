"""The organisations and places a question names, and the documents that are about them.

"What did inspectors find in Northshire?" is about Northshire's report, not
every report that mentions foster care. A name in the question restricts the
search to documents whose identity (title, publisher and opening text) names
it; a name no document mentions at all is reported rather than answered from
another organisation's report. Names found in identities of every document
(the inspectorate's name in a set of its reports) restrict nothing, nor does a name every
document about another named organisation writes ("What did Ofsted say about
Northshire?"); names found only in document bodies are topics, searched as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from qa.index.bm25 import tokenize
from qa.search.filters import years_named
from qa.types import Document

# Words that sit around a place's name in an organisation's name ("City of Northshire Council").
ORGANISATION_WORDS = frozenset(tokenize("council councils city county borough district metropolitan local authority authorities"))
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_CONNECTORS = {"and", "of", "for", "the", "&", "upon"}
CONTEXT_SHARE = 0.5  # a name more than this share of the documents write is corpus-wide (an inspectorate in its reports)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


@dataclass(frozen=True)
class Scope:
    """What the question's names say about where to look."""

    sources: frozenset[str] | None = None  # documents about the named organisations; None: no restriction
    named: tuple[str, ...] = ()  # the names that restrict
    missing: tuple[str, ...] = ()  # names no document mentions
    topics: tuple[str, ...] = field(default=())  # names found only in document bodies, and years the documents know

    @property
    def nothing_named_is_known(self) -> bool:
        """True when the question names things and the documents know none of them: nothing can answer it."""
        return bool(self.missing) and not self.named and not self.topics


def names_in(question: str) -> list[str]:
    """Runs of capitalised words ("Northby, Southby and Westby", "NSW"), question words excluded."""
    words = [(m.group(0), m.start()) for m in _WORD.finditer(question)]
    names: list[list[str]] = []
    current: list[str] = []
    previous_end = -1
    for i, (word, start) in enumerate(words):
        bare = re.sub(r"['’]s$", "", word).rstrip(".")
        lower = bare.lower()
        capital = bare[:1].isupper() and lower not in _CALENDAR
        if i == 0 and not (word != bare or (bare.isupper() and len(bare) > 1)):
            capital = False  # a sentence's first word is capitalised anyway; a possessive or an acronym is a name
        gap = question[previous_end:start] if previous_end >= 0 else ""
        joined = current and gap.strip() in ("", ",")
        if capital and (joined or not current):
            current.append(bare)
        elif current and lower in _CONNECTORS and joined:
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
        while run and run[-1] in _CONNECTORS:
            run = run[:-1]
        if run:
            out.append(" ".join(run))
    return out


def _initials(text: str) -> set[str]:
    """Acronyms of the capitalised runs of a text ("Northby, Southby and Westby" -> "NSW")."""
    out = set()
    for run in names_in("x " + text):
        letters = "".join(w[0] for w in run.replace(",", " ").split() if w[:1].isupper()).lower()
        # Any stretch of the run may be abbreviated: "Inspection of Northby, Southby and Westby" -> "NSW".
        out.update(letters[i:j] for i in range(len(letters)) for j in range(i + 2, len(letters) + 1))
    return out


@lru_cache(maxsize=1024)
def _identity(source: str, sha256: str, title: str, publisher: str, opening: str) -> tuple[frozenset[str], frozenset[str]]:
    text = f"{title}\n{publisher}\n{opening}"
    return frozenset(tokenize(text)), frozenset(_initials(text))


def identity(document: Document, chars: int) -> tuple[frozenset[str], frozenset[str]]:
    """A document's identity terms (title, publisher, opening text) and the acronyms they form."""
    return _identity(document.source, document.sha256, document.title, document.publisher or "", document.text[:chars])


def _identifier(name: str) -> bool:
    """A technical identifier ("PGE2", "ComYMV", "EMAs"), not the name of an organisation or a place."""
    return bool(re.search(r"\d|[a-z][A-Z]", name) or re.fullmatch(r"[A-Z]{2,}s", name))


def _name_pattern(name: str) -> str:
    """A regular expression for ``name``'s words, however they are spaced or comma-separated."""
    return r"[\s,]+".join(re.escape(w) for w in re.split(r"[\s,]+", name) if w)


def _writes(text: str, name: str) -> bool:
    """True when ``text`` writes ``name`` as words (an acronym in capitals, other names in any case)."""
    flags = 0 if name.isupper() else re.IGNORECASE
    return re.search(r"(?<![\w-])" + _name_pattern(name) + r"(?![\w-])", text, flags) is not None


def documents_writing(scope: Scope, documents: dict[str, Document]) -> frozenset[str] | None:
    """The documents about the names that scope a question and every other document that writes one of them."""
    if scope.sources is None:
        return None
    return scope.sources | {source for source, d in documents.items() if any(_writes(d.text, n) for n in scope.named)}


def question_scope(
    question: str,
    documents: dict[str, Document],
    known: Callable[[str], bool],
    chars: int = 1500,
) -> Scope:
    """Which documents the question's names point at. ``known(term)`` says whether the corpus uses a term."""
    scoped: set[str] = set()
    named, missing, topics = [], [], []

    def matches(name: str) -> tuple[set[str], set[str]]:
        terms = {t for t in tokenize(name) if t not in ORGANISATION_WORDS}
        acronym = name.isupper() and 2 <= len(name) <= 6 and " " not in name
        found = set()
        for source, document in documents.items():
            words, initials = identity(document, chars)
            # An acronym names an organisation by the initials of its name ("BCP"), and a document about
            # it uses the acronym; letters that merely line up with a title's capitals ("Open Access
            # Increases Citation Rate PLoS" -> "CRP") in a document that never writes them name nothing.
            if terms and not acronym and terms <= words:
                found.add(source)
            elif terms and acronym and name.lower() in initials and _writes(document.text, name):
                found.add(source)
        return terms, found

    about: dict[str, set[str]] = {}  # each restricting name -> the documents about it
    run_of: dict[str, set[int]] = {}  # each name -> the runs of capitalised words it came from
    for run, whole in enumerate(n for n in names_in(question) if len(n) > 1):
        terms, matched = matches(whole)
        # "Northby and Southby" may name two places or one ("Northby, Southby and Westby"): try the whole first.
        parts = [whole] if matched else [p for p in re.split(r",| and ", whole) if p.strip()]
        for name in parts:
            name = name.strip()
            terms, matched = matches(name) if name != whole else (terms, matched)
            if not terms:
                continue
            if _identifier(name):
                topics.append(name)  # a technical identifier ("IgG", "Th17") is a topic, searched as usual
                continue
            if matched and len(matched) < len(documents):
                about[name] = matched
                run_of.setdefault(name, set()).add(run)
                if name not in named:
                    named.append(name)
            elif not matched and not any(known(t) for t in terms):
                missing.append(name)
            elif not matched:
                topics.append(name)
    scoped = set().union(*(about[n] for n in _subjects(about, run_of, documents)))
    # A year no document is dated in and no text mentions is reported too ("in 2031").
    for year in sorted(years_named(question)):
        if not known(year) and not any((d.date or "").startswith(year) for d in documents.values()):
            missing.append(year)
        else:
            topics.append(year)
    return Scope(frozenset(scoped) if scoped else None, tuple(named), tuple(missing), tuple(topics))


def _subjects(about: dict[str, set[str]], run_of: dict[str, set[int]], documents: dict[str, Document]) -> list[str]:
    """The names the question is about: not those that are only the context of another one.

    A corpus-wide name (written by more than CONTEXT_SHARE of the documents)
    that every document about another named organisation writes is that
    organisation's context ("What did Ofsted say about Northshire?":
    Northshire's reports are Ofsted's reports; news about Ofsted is not what is
    asked). Names joined in the question ("Northby and Southby"), names each written
    by the other's documents (two names of one organisation), and a place one
    report happens to mention ("Compare Northby with Southby") stay subjects.
    """

    def context_of(name: str, other: str) -> bool:
        return not run_of[name] & run_of[other] and all(_writes(documents[s].text, name) for s in about[other])

    def corpus_wide(name: str) -> bool:
        return sum(_writes(d.text, name) for d in documents.values()) > CONTEXT_SHARE * len(documents)

    context = {n for n in about if any(m != n and context_of(n, m) and not context_of(m, n) for m in about) and corpus_wide(n)}
    return [n for n in about if n not in context] or list(about)


def strip_names(question: str, names: tuple[str, ...]) -> str:
    """The question without the names that scoped it ("What did inspectors find in Northshire?" -> "... find in ?")."""
    out = question
    for name in names:
        pattern = _name_pattern(name) + r"(?:['’]s)?"
        out = re.sub(pattern, " ", out)
    return " ".join(out.split())
