"""The organisations and places a question names, and the documents that are about them.

"What did inspectors find in Northshire?" is about Northshire's report, not
every report that mentions foster care. A name in the question restricts the
search to the documents about it; a name no document writes at all is reported
rather than answered from another organisation's report. Every answer comes
from the build's name index (``qa.index.names``): a question's names are
looked up there, never searched for in the documents' texts, so this step
costs the same at 500 documents as at 50,000.

Where a document writes a name decides how strongly the name points at it:

- Written in its title, publisher or opening: the document is about it. When
  any document is, the name restricts to those documents (Northshire's reports,
  not a neighbour's report that mentions Northshire once).
- Written only in documents' bodies (a borough named in a news item): those
  documents are eligible, and the name restricts to them, but less strongly:
  only while they are a minority of the collection (a name most bodies write is
  a topic, searched as usual), and never ahead of documents about the name.
- Names found about every document (the inspectorate's name in a set of its
  reports) restrict nothing, nor does a name every document about another named
  organisation writes ("What did Ofsted say about Northshire?").
- "The documents do not mention X" only when no document writes X anywhere and
  no passage uses its words; while documents are still being indexed the name
  is ``pending`` instead, since one of them may write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from qa.index.bm25 import tokenize
from qa.index.names import NameLookup
from qa.ingest.names import EXPANSION, INITIALS, OPENING, expansion_key, initials, is_acronym, names_in  # noqa: F401
from qa.search.filters import years_named

# Words that sit around a place's name in an organisation's name ("City of Northshire Council").
ORGANISATION_WORDS = frozenset(
    tokenize("council councils city county borough district metropolitan local authority authorities")
)
CONTEXT_SHARE = (
    0.5  # a name more than this share of the documents write is corpus-wide (an inspectorate in its reports)
)


@dataclass(frozen=True)
class Scope:
    """What the question's names say about where to look."""

    sources: frozenset[str] | None = None  # documents about the named organisations; None: no restriction
    named: tuple[str, ...] = ()  # the names that restrict
    missing: tuple[str, ...] = ()  # names no document mentions
    topics: tuple[str, ...] = field(default=())  # names found only in document bodies, and years the documents know
    pending: tuple[str, ...] = ()  # names no indexed document writes, asked while documents are still being indexed
    writers: tuple[frozenset[str], ...] = ()  # for each of ``named``, every document that writes it (title to body)

    @property
    def nothing_named_is_known(self) -> bool:
        """True when the question names things and the documents know none of them: nothing can answer it."""
        return bool(self.missing or self.pending) and not self.named and not self.topics


def _identifier(name: str) -> bool:
    """A technical identifier ("PGE2", "ComYMV", "EMAs"), not the name of an organisation or a place."""
    return bool(re.search(r"\d|[a-z][A-Z]", name) or re.fullmatch(r"[A-Z]{2,}s", name))


def _name_pattern(name: str) -> str:
    """A regular expression for ``name``'s words, however they are spaced or comma-separated."""
    return r"[\s,]+".join(re.escape(w) for w in re.split(r"[\s,]+", name) if w)


def documents_writing(scope: Scope) -> frozenset[str] | None:
    """The documents about the names that scope a question and every other document that writes one of them."""
    if scope.sources is None:
        return None
    return scope.sources.union(*scope.writers)


def where_written(name: str, names: NameLookup) -> np.ndarray:
    """Every document that writes ``name``, as rows (document number, strongest place it does: TITLE, OPENING or
    BODY) sorted by document; a few index lookups, and arrays rather than a Python object per document."""
    terms = sorted({t for t in tokenize(name) if t not in ORGANISATION_WORDS})
    if not terms:
        return _NONE
    if is_acronym(name):
        # An acronym names an organisation by the initials of its name ("BCP"): a document that writes it and
        # whose title or opening spells it out is about it; letters that merely line up with a title's capitals
        # ("Open Access Increases Citation Rate PLoS" -> "CRP") in a document that never writes them name nothing.
        # Where some document gives its expansion ("Bournemouth, Christchurch and Poole (BCP)"), every document
        # writing the acronym or the expansion writes the name.
        acronym = name.lower()
        expansions = names.with_prefix(acronym + EXPANSION)
        found = names.coded([acronym, INITIALS + acronym, *expansions])
        out = _both(found[acronym], found[INITIALS + acronym])
        if expansions:
            out = _either(out, found[acronym])
            for key in expansions:
                out = _either(out, found[key])
                expansion = [t for t in key.split(EXPANSION, 1)[1].split() if t not in ORGANISATION_WORDS]
                if expansion:
                    out = _either(out, _writing_all(expansion, names))
        return out
    out = _writing_all(terms, names)
    full = max(initials(name), key=len, default="")
    if len(full) >= 2:  # "Bournemouth, Christchurch and Poole" is also written "BCP" where a document says so
        key = expansion_key(full, name)
        found = names.coded([key, full])
        if len(found[key]):
            out = _either(_either(out, found[key]), found[full])
    return out


_NONE = np.zeros((0, 2), dtype=np.int64)


def _writing_all(terms: list[str], names: NameLookup) -> np.ndarray:
    """Documents writing every one of ``terms`` as a name, each at the weakest of the terms' strongest places."""
    found = names.coded(terms)
    out = found[terms[0]] if terms else _NONE
    for term in terms[1:]:
        out = _both(out, found[term])
    return out


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Documents in both, at the weaker of their two places."""
    common, ia, ib = np.intersect1d(a[:, 0], b[:, 0], assume_unique=True, return_indices=True)
    return np.column_stack([common, np.maximum(a[ia, 1], b[ib, 1])])


def _either(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Documents in either, at the stronger of their places."""
    rows = np.concatenate([a, b])
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:, 0] != rows[:-1, 0]
    return rows[first]


def question_scope(question: str, names: NameLookup, known: Callable[[str], bool], pending: bool = False) -> Scope:
    """Which documents the question's names point at. ``known(term)`` says whether the corpus uses a term;
    ``pending`` that documents are still being indexed (so a name none writes yet is not reported missing)."""
    total = names.document_count
    named: list[str] = []
    missing: list[str] = []
    topics: list[str] = []
    waiting: list[str] = []
    about: dict[str, np.ndarray] = {}  # each restricting name -> the documents about it (numbers, sorted)
    writes: dict[str, np.ndarray] = {}  # each name -> every document that writes it
    run_of: dict[str, set[int]] = {}  # each name -> the runs of capitalised words it came from
    for run, whole in enumerate(n for n in names_in(question) if len(n) > 1):
        written = where_written(whole, names)
        # "Northby and Southby" may name two places or one ("Northby, Southby and Westby"): try the whole first.
        # Its words in one document's body may be two places it mentions, so only a title or opening joins them.
        joined = bool((written[:, 1] <= OPENING).any())
        parts = [whole] if joined else [p for p in re.split(r",| and ", whole) if p.strip()] or [whole]
        for name in parts:
            name = name.strip()
            written = where_written(name, names) if name != whole else written
            terms = {t for t in tokenize(name) if t not in ORGANISATION_WORDS}
            if not terms:
                continue
            if _identifier(name):
                topics.append(name)  # a technical identifier ("IgG", "Th17") is a topic, searched as usual
                continue
            # Documents about the name (its title or opening write it) restrict. A name only bodies write is a
            # topic, searched as usual: other documents may write the same thing in other case or words (a
            # "mockingbird programme" beside a "Mockingbird" hub), and restricting to the writers lost them.
            chosen = written[written[:, 1] <= OPENING, 0]
            if len(chosen) and len(chosen) < total:
                about[name] = chosen
                writes[name] = written[:, 0]
                run_of.setdefault(name, set()).add(run)
                if name not in named:
                    named.append(name)
            elif not len(written) and not any(known(t) for t in terms):
                (waiting if pending else missing).append(name)
            else:
                topics.append(name)
    subjects = _subjects(about, writes, run_of, total)
    scoped = np.unique(np.concatenate([about[n] for n in subjects])) if subjects else _NONE[:, 0]
    # A year no document is dated in and no text mentions is reported too ("in 2031").
    for year in sorted(years_named(question)):
        if not known(year) and year not in names.years:
            (waiting if pending else missing).append(year)
        else:
            topics.append(year)
    sources = names.sources
    return Scope(
        frozenset(sources[i] for i in scoped.tolist()) if len(scoped) else None,
        tuple(named),
        tuple(missing),
        tuple(topics),
        tuple(waiting),
        tuple(frozenset(sources[i] for i in writes[n].tolist()) for n in named),
    )


def _subjects(
    about: dict[str, np.ndarray], writes: dict[str, np.ndarray], run_of: dict[str, set[int]], total: int
) -> list[str]:
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
        return not run_of[name] & run_of[other] and bool(np.isin(about[other], writes[name], assume_unique=True).all())

    def corpus_wide(name: str) -> bool:
        return len(writes[name]) > CONTEXT_SHARE * total

    context = {
        n for n in about if any(m != n and context_of(n, m) and not context_of(m, n) for m in about) and corpus_wide(n)
    }
    return [n for n in about if n not in context] or list(about)


def strip_names(question: str, names: tuple[str, ...]) -> str:
    """The question without the names that scoped it ("What did inspectors find in Northshire?" -> "... find in ?")."""
    out = question
    for name in names:
        pattern = _name_pattern(name) + r"(?:['’]s)?"
        out = re.sub(pattern, " ", out)
    return " ".join(out.split())
