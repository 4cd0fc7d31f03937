"""'Did you mean ...?': question words the collection never uses, matched to the nearest words it does use.

The vocabulary is the collection's own words (so names and jargon the documents
use are never "corrected"), kept up to date by ingest beside the name index
(``qa.index.names``), so no document's text is read for it. A word whose stem the
collection uses ("plant" beside "planted") counts as known. Matching is
difflib's ratio, kept to words of similar length so a large vocabulary stays quick.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections import defaultdict
from collections.abc import Iterable

from qa.ingest.names import VOCABULARY_WORD, words_of

_WORD = VOCABULARY_WORD
MIN_LETTERS = 4  # shorter words are too easily "near" another word to correct
CUTOFF = 0.8

_lock = threading.Lock()
_cache: dict[str, dict[int, list[str]]] = {}


STEMS = 0  # the key under which a vocabulary keeps its words' stems (no word has length 0)


def _stem(words: list[str]) -> list[str]:
    import Stemmer  # PyStemmer, which the lexical index uses too

    return Stemmer.Stemmer("english").stemWords(words)


def vocabulary(texts: Iterable[str]) -> dict[int, list[str]]:
    """The distinct lower-case words of ``texts`` grouped by length, and their stems under ``STEMS``."""
    words: set[str] = set()
    for text in texts:
        words.update(words_of(text))
    return vocabulary_of(words)


def vocabulary_of(words: Iterable[str]) -> dict[int, list[str]]:
    """Distinct lower-case ``words`` grouped by length, and their stems under ``STEMS``."""
    words = set(words)
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in sorted(words):
        by_length[len(word)].append(word)
    by_length[STEMS] = sorted(set(_stem(sorted(words))))
    return dict(by_length)


def did_you_mean(question: str, words: dict[int, list[str]]) -> str | None:
    """The question with each word the collection never uses replaced by its nearest word that it does,
    or None when every word is known (or nothing near enough was found)."""
    changed = False
    stems = set(words.get(STEMS, ()))

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group()
        lower = word.lower()
        if len(lower) < MIN_LETTERS or lower in words.get(len(lower), ()) or _stem([lower])[0] in stems:
            return word
        candidates = [w for n in range(len(lower) - 2, len(lower) + 3) for w in words.get(n, ())]
        near = difflib.get_close_matches(lower, candidates, n=1, cutoff=CUTOFF)
        if not near:
            return word
        changed = True
        return near[0].capitalize() if word[:1].isupper() else near[0]

    corrected = _WORD.sub(fix, question)
    return corrected if changed else None


def suggestion(index, question: str) -> str | None:
    """'Did you mean “...”?' for ``question`` over an index's documents, or None."""
    key = str(index.path)
    with _lock:
        words = _cache.get(key)
        if words is None:
            known = getattr(getattr(index, "names", None), "words", None)  # kept by ingest: no text is read
            words = vocabulary_of(known) if known else vocabulary(d.text for d in index.documents.values())
            _cache.clear()  # one build at a time: the live one
            _cache[key] = words
    corrected = did_you_mean(question, words)
    return f"Did you mean “{corrected}”?" if corrected else None
