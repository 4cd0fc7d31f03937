"""The name index of a build: each proper name a document writes, with the documents and where (title, opening, body).

Built at ingest (``qa.ingest.names`` finds the names) and kept with the
build, so that a question's names are looked up, never searched for in every
document's text. Keys are described in ``qa.ingest.names``. Files of an
embedded build::

    names.json   {"keys": [sorted keys], "opening_chars": n, "years": ["2021", ...]}
    names.npy    int64 (postings, 3): key, document (numbered as in documents.jsonl), place; sorted by key
    words.json   {"word": number of documents writing it}: the collection's vocabulary ("Did you mean?")

An unchanged document's postings are carried over from the previous build;
only new and changed documents are read for names.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.types import Document

NAME_FILES = ("names.json", "names.npy", "words.json")


class NameLookup(Protocol):
    """What answering asks of a name index (the embedded table and PostgreSQL's answer alike)."""

    document_count: int  # documents in the build
    years: frozenset[str]  # the years documents are dated in
    opening_chars: int  # how much of a document's text counts as its opening

    sources: list[str]  # the documents, numbered as ``coded`` numbers them

    def postings(self, keys: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each key -> {document: strongest place it is written in}; a key no document writes maps to {}."""
        ...

    def coded(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Each key -> int64 rows (document number in ``sources``, place), sorted by document: no Python object
        per document, however many write the key."""
        ...

    def with_prefix(self, prefix: str) -> list[str]:
        """The keys starting with ``prefix`` (an acronym's expansions)."""
        ...

    @property
    def words(self) -> dict[str, int]:
        """Every lower-case word the documents write -> how many documents write it."""
        ...


def dated_years(documents: Iterable[Document]) -> frozenset[str]:
    return frozenset(d.date[:4] for d in documents if d.date)


class NameTable:
    """The name index as sorted keys and a postings array (the embedded store; also the in-memory form at ingest)."""

    def __init__(
        self,
        keys: Sequence[str],
        rows: np.ndarray,
        sources: Sequence[str],
        opening_chars: int,
        years: Iterable[str] = (),
        extracted: Iterable[str] = (),
        complete: bool = True,
        words: dict[str, int] | None = None,
        folder: Path | None = None,
    ) -> None:
        self.keys, self.rows, self.sources = list(keys), rows, list(sources)
        self.opening_chars = opening_chars
        self.years = frozenset(years)
        self.document_count = len(self.sources)
        self.extracted = frozenset(extracted)  # documents whose names were read in this build (the rest carried over)
        self.complete = complete  # False: only ``extracted``'s postings (a server store keeps the others)
        self._words, self._folder = words, folder  # the vocabulary, or the build folder to read it from on first use

    @property
    def words(self) -> dict[str, int]:
        if self._words is None:
            words = json.loads((self._folder / "words.json").read_text(encoding="utf-8")) if self._folder else {}
            if not isinstance(words, dict):
                raise ValueError("words.json does not hold the collection's words")
            self._words = words
        return self._words

    def postings(self, keys: Iterable[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        column = self.rows[:, 0]
        for key in keys:
            at = bisect.bisect_left(self.keys, key)
            if at == len(self.keys) or self.keys[at] != key:
                out[key] = {}
                continue
            lo, hi = np.searchsorted(column, [at, at + 1])
            out[key] = {self.sources[d]: p for d, p in self.rows[lo:hi, 1:].tolist()}
        return out

    def coded(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        column = self.rows[:, 0]
        for key in keys:
            at = bisect.bisect_left(self.keys, key)
            if at == len(self.keys) or self.keys[at] != key:
                out[key] = np.zeros((0, 2), dtype=np.int64)
                continue
            lo, hi = np.searchsorted(column, [at, at + 1])
            out[key] = self.rows[lo:hi, 1:]
        return out

    def with_prefix(self, prefix: str) -> list[str]:
        at = bisect.bisect_left(self.keys, prefix)
        out = []
        while at < len(self.keys) and self.keys[at].startswith(prefix):
            out.append(self.keys[at])
            at += 1
        return out

    def of_document(self, source: str) -> dict[str, int]:
        """A document's keys and places (for tests and checks; a pass over the postings)."""
        code = self.sources.index(source)
        return {self.keys[k]: p for k, d, p in self.rows.tolist() if d == code}

    # -- files ---------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        meta = {"keys": self.keys, "opening_chars": self.opening_chars, "years": sorted(self.years)}
        (folder / "names.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.save(folder / "names.npy", self.rows, allow_pickle=False)
        (folder / "words.json").write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, sources: Sequence[str]) -> NameTable:
        meta = json.loads((folder / "names.json").read_text(encoding="utf-8"))
        keys, chars, years = meta.get("keys"), meta.get("opening_chars"), meta.get("years", [])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) or not isinstance(chars, int):
            raise ValueError("names.json does not hold the name keys and the opening's length")
        rows = np.load(folder / "names.npy", allow_pickle=False)
        if rows.ndim != 2 or rows.shape[1] != 3 or rows.dtype.kind != "i":
            raise ValueError(f"names.npy has shape {rows.shape} and type {rows.dtype}, expected (n, 3) integers")
        if len(rows) and (
            rows[:, 0].min() < 0
            or rows[:, 0].max() >= len(keys)
            or rows[:, 1].min() < 0
            or rows[:, 1].max() >= len(sources)
        ):
            raise ValueError("names.npy points outside names.json or documents.jsonl")
        return cls(keys, rows, sources, chars, years, folder=folder)


def build_names(
    documents: Mapping[str, Document],
    extract: Callable[[Document], dict[str, int]],
    opening_chars: int,
    previous: NameLookup | None = None,
    keep: Iterable[str] = (),
    words_of: Callable[[str], set[str]] | None = None,
    previous_documents: Mapping[str, Document] | None = None,
) -> NameTable:
    """The name index of ``documents``: ``keep``'s postings carried over from ``previous`` (a NameTable), the rest read.

    When ``previous`` is not a NameTable (a server store keeps its own rows), ``keep``'s postings are left out and
    the table holds only the documents read now (``extracted``), which is what such a store writes. The vocabulary
    (``words_of`` a text) is ``previous``'s less the words of ``previous_documents`` not kept, plus those read now.
    """
    code = {source: n for n, source in enumerate(documents)}
    keep = set(keep) & set(code)
    carried_keys: np.ndarray = np.array([], dtype=str)
    carried = np.zeros((0, 3), dtype=np.int64)
    if isinstance(previous, NameTable) and keep and len(previous.rows):
        new_code = np.array([code[s] if s in keep else -1 for s in previous.sources], dtype=np.int64)
        rows = previous.rows[new_code[previous.rows[:, 1]] >= 0]
        carried = np.column_stack([rows[:, 0], new_code[rows[:, 1]], rows[:, 2]])
        carried_keys = np.array(previous.keys, dtype=str)
    extracted = [s for s in documents if s not in keep]
    fresh: list[tuple[str, int, int]] = []
    for source in extracted:
        fresh.extend((key, code[source], place) for key, place in extract(documents[source]).items())
    used = set(carried_keys[np.unique(carried[:, 0])].tolist()) if len(carried) else set()
    keys = sorted(used | {k for k, _, _ in fresh})
    position = {k: n for n, k in enumerate(keys)}
    if len(carried):
        remap = np.array([position.get(k, -1) for k in carried_keys.tolist()], dtype=np.int64)
        carried[:, 0] = remap[carried[:, 0]]
    new_rows = np.array([(position[k], d, p) for k, d, p in fresh], dtype=np.int64).reshape(-1, 3)
    rows = np.concatenate([carried, new_rows]) if len(carried) else new_rows
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))] if len(rows) else rows
    complete = isinstance(previous, NameTable) or not keep
    words = _vocabulary(documents, words_of, previous, keep, extracted, previous_documents)
    return NameTable(
        keys, rows, list(documents), opening_chars, dated_years(documents.values()), extracted, complete, words
    )


def _vocabulary(
    documents: Mapping[str, Document],
    words_of: Callable[[str], set[str]] | None,
    previous: NameLookup | None,
    keep: set[str],
    extracted: list[str],
    previous_documents: Mapping[str, Document] | None,
) -> dict[str, int]:
    """Words -> documents writing them, brought up to date by the documents read now and those gone or changed."""
    if words_of is None:
        from qa.ingest.names import words_of as default_words_of

        words_of = default_words_of
    counts: Counter[str] = Counter()
    if previous is not None and keep and previous_documents is not None:
        counts.update(previous.words)
        for source, old in previous_documents.items():
            if source not in keep:
                counts.subtract(words_of(old.text))
    else:
        extracted = list(documents)
    for source in extracted:
        counts.update(words_of(documents[source].text))
    return {w: n for w, n in sorted(counts.items()) if n > 0}
