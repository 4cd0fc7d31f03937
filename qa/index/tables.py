"""Chunk and sentence metadata as columns on disk, read back lazily.

A build's chunks and sentences are plain integer arrays (``.npy``, no pickle)
plus their ids as a JSON list. Opening an index reads those arrays in one go;
``Chunk`` and ``SentenceRef`` objects, and the id lookups, are made only when
something asks for them. A chunk's text is its document's text at its span,
so it is not stored twice.

Files of a build::

    chunk_ids.json       ["<chunk id>", ...]
    chunks.npy           int64 (chunks, 6): document, start, end, page (-1: none), first and end row in chunk_sentences
    chunk_sentences.npy  int64 (rows, 3): start, end, row of that sentence in sentences.npy (-1: not stored)
    sentence_ids.json    ["<sentence id>", ...]
    sentences.npy        int64 (sentences, 3): document, start, end

Documents are numbered in the order of ``documents.jsonl``.
"""

from __future__ import annotations

import json
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import numpy as np

from qa.index.loaded import SentenceRef, sentence_id
from qa.types import Chunk, Document

TABLE_FILES = ("chunk_ids.json", "chunks.npy", "chunk_sentences.npy", "sentence_ids.json", "sentences.npy")


def write_tables(
    folder: Path, documents: Mapping[str, Document], chunks: Sequence[Chunk], sentences: Mapping[str, SentenceRef]
) -> None:
    """Write the chunk and sentence columns of a build (documents numbered in ``documents``' order)."""
    code = {source: n for n, source in enumerate(documents)}
    sentence_row = {sid: n for n, sid in enumerate(sentences)}
    rows = np.zeros((len(chunks), 6), dtype=np.int64)
    spans: list[tuple[int, int, int]] = []
    for n, chunk in enumerate(chunks):
        first = len(spans)
        spans.extend((s, e, sentence_row.get(sentence_id(chunk.source, s, e), -1)) for s, e in chunk.sentences)
        page = -1 if chunk.page is None else chunk.page
        rows[n] = (code[chunk.source], chunk.start, chunk.end, page, first, len(spans))
    sentence_rows = np.array([(code[r.source], r.start, r.end) for r in sentences.values()], dtype=np.int64).reshape(
        -1, 3
    )
    _save_json(folder / "chunk_ids.json", [c.id for c in chunks])
    np.save(folder / "chunks.npy", rows, allow_pickle=False)
    np.save(folder / "chunk_sentences.npy", np.array(spans, dtype=np.int64).reshape(-1, 3), allow_pickle=False)
    _save_json(folder / "sentence_ids.json", list(sentences))
    np.save(folder / "sentences.npy", sentence_rows, allow_pickle=False)


def _save_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _load_ids(path: Path, count: int) -> list[str]:
    ids = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(ids, list) or len(ids) != count or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"{path.name} does not hold {count} string ids")
    return ids


def _load_array(path: Path, columns: int) -> np.ndarray:
    array: np.ndarray = np.load(path, allow_pickle=False)
    if array.ndim != 2 or array.shape[1] != columns or array.dtype.kind != "i":
        raise ValueError(
            f"{path.name} has shape {array.shape} and type {array.dtype}, expected (n, {columns}) integers"
        )
    return array


class Tables:
    """The chunk and sentence columns of one build, with lazy object views over them."""

    def __init__(self, folder: Path, documents: Mapping[str, Document]) -> None:
        self.documents = documents
        self.sources = list(documents)
        self.chunk_rows = _load_array(folder / "chunks.npy", 6)
        self.chunk_spans = _load_array(folder / "chunk_sentences.npy", 3)
        self.sentence_rows = _load_array(folder / "sentences.npy", 3)
        self.chunk_ids = _load_ids(folder / "chunk_ids.json", len(self.chunk_rows))
        self.sentence_ids = _load_ids(folder / "sentence_ids.json", len(self.sentence_rows))
        for name, codes in (("chunks.npy", self.chunk_rows[:, 0]), ("sentences.npy", self.sentence_rows[:, 0])):
            if len(codes) and (codes.min() < 0 or codes.max() >= len(self.sources)):
                raise ValueError(f"{name} names a document that documents.jsonl does not hold")
        ends = self.chunk_rows[:, 4:6]
        if len(ends) and (ends.min() < 0 or ends.max() > len(self.chunk_spans) or (ends[:, 0] > ends[:, 1]).any()):
            raise ValueError("chunks.npy points outside chunk_sentences.npy")
        links = self.chunk_spans[:, 2]
        if len(links) and (links.min() < -1 or links.max() >= len(self.sentence_rows)):
            raise ValueError("chunk_sentences.npy points outside sentences.npy")

    def chunk(self, row: int) -> Chunk:
        """The chunk at ``row``, made from the columns and its document's text."""
        code, start, end, page, first, last = (int(v) for v in self.chunk_rows[row])
        source = self.sources[code]
        spans = self.chunk_spans[first:last, :2].tolist()
        return Chunk(
            id=self.chunk_ids[row],
            source=source,
            start=start,
            end=end,
            text=self.documents[source].text[start:end],
            page=None if page < 0 else page,
            sentences=tuple((s, e) for s, e in spans),
        )

    @cached_property
    def chunk_position(self) -> dict[str, int]:
        return {cid: n for n, cid in enumerate(self.chunk_ids)}

    @cached_property
    def sentence_position(self) -> dict[str, int]:
        return {sid: n for n, sid in enumerate(self.sentence_ids)}

    @cached_property
    def chunks_by_sentence(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR from sentence row to the rows of the chunks holding it: (offsets, chunk rows)."""
        counts = self.chunk_rows[:, 5] - self.chunk_rows[:, 4]
        owner = np.repeat(np.arange(len(self.chunk_rows), dtype=np.int64), counts)
        links = self.chunk_spans[:, 2]
        keep = links >= 0
        links, owner = links[keep], owner[keep]
        order = np.argsort(links, kind="stable")  # chunks of a sentence stay in document order
        offsets = np.zeros(len(self.sentence_rows) + 1, dtype=np.int64)
        np.add.at(offsets, links + 1, 1)
        return np.cumsum(offsets), owner[order]


class ChunkList(Sequence[Chunk]):
    """All chunks of a build in document order; each made on first access and kept."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._made: list[Chunk | None] = [None] * len(tables.chunk_ids)

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        chunk = self._made[row]
        if chunk is None:
            chunk = self._made[row] = self._tables.chunk(row if row >= 0 else len(self) + row)
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        return (self[i] for i in range(len(self)))


class ChunksById(Mapping[str, Chunk]):
    """Chunk id -> chunk, over a ChunkList."""

    def __init__(self, tables: Tables, chunks: ChunkList) -> None:
        self._tables, self._chunks = tables, chunks

    def __getitem__(self, chunk_id: str) -> Chunk:
        return self._chunks[self._tables.chunk_position[chunk_id]]

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._tables.chunk_position

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables.chunk_ids)

    def __len__(self) -> int:
        return len(self._tables.chunk_ids)


class SentencesById(Mapping[str, SentenceRef]):
    """Sentence id -> where it is; the refs are made once, on first use."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    @cached_property
    def _refs(self) -> dict[str, SentenceRef]:
        sources = self._tables.sources
        return {
            sid: SentenceRef(sid, sources[code], start, end)
            for sid, (code, start, end) in zip(self._tables.sentence_ids, self._tables.sentence_rows.tolist())
        }

    def __getitem__(self, sentence: str) -> SentenceRef:
        if "_refs" in self.__dict__:
            return self._refs[sentence]
        row = self._tables.sentence_position[sentence]
        code, start, end = (int(v) for v in self._tables.sentence_rows[row])
        return SentenceRef(sentence, self._tables.sources[code], start, end)

    def __contains__(self, sentence: object) -> bool:
        return sentence in self._tables.sentence_position

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables.sentence_ids)

    def __len__(self) -> int:
        return len(self._tables.sentence_ids)

    def values(self) -> ValuesView[SentenceRef]:
        return self._refs.values()

    def items(self) -> ItemsView[str, SentenceRef]:
        return self._refs.items()


class ChunksOfSentence(Mapping[str, list[str]]):
    """Sentence id -> ids of the chunks holding it (in document order)."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def __getitem__(self, sentence: str) -> list[str]:
        row = self._tables.sentence_position[sentence]
        offsets, owners = self._tables.chunks_by_sentence
        found = owners[offsets[row] : offsets[row + 1]]
        if not len(found):
            raise KeyError(sentence)
        ids = self._tables.chunk_ids
        return [ids[int(r)] for r in found]

    def __contains__(self, sentence: object) -> bool:
        try:
            self[sentence]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        offsets, _ = self._tables.chunks_by_sentence
        held = np.flatnonzero(np.diff(offsets) > 0)
        return (self._tables.sentence_ids[int(r)] for r in held)

    def __len__(self) -> int:
        offsets, _ = self._tables.chunks_by_sentence
        return int((np.diff(offsets) > 0).sum())
