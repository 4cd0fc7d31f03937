"""Cut a document's content into passages of whole sentences.

Chunks never cut a sentence, never cross a page, and never bridge a gap where
furniture was removed, so ``document.text[chunk.start:chunk.end]`` is always
clean, contiguous content.
"""

from __future__ import annotations

import hashlib
import re

from qa.settings import ChunkSettings
from qa.ingest.sentences import split_sentences
from qa.types import Chunk, Document

_WORD = re.compile(r"\S+")


def chunk_document(document: Document, settings: ChunkSettings) -> list[Chunk]:
    """Return the document's chunks in reading order."""
    chunks: list[Chunk] = []
    for section in _sections(document):
        sentences = [
            piece
            for start, end in section
            for span in split_sentences(document.text, start, end)
            for piece in _split_long(document.text, span, settings.max_words)
        ]
        for group in _pack(document.text, sentences, settings):
            chunks.append(_make_chunk(document, group))
    return chunks


def chunk_id(source: str, start: int, end: int, text: str) -> str:
    """A stable id: the same text at the same place in the same file gives the same id."""
    digest = hashlib.sha256(f"{source}\0{start}\0{end}\0{text}".encode()).hexdigest()
    return digest[:16]


def _sections(document: Document) -> list[list[tuple[int, int]]]:
    """Group content lines into runs with nothing but whitespace between them, split at pages."""
    sections: list[list[tuple[int, int]]] = []
    previous_end: int | None = None
    previous_page: int | None = None
    for start, end in document.content:
        page = document.page_at(start)
        contiguous = (
            previous_end is not None and document.text[previous_end:start].strip() == "" and page == previous_page
        )
        if contiguous:
            sections[-1].append((start, end))
        else:
            sections.append([(start, end)])
        previous_end, previous_page = end, page
    return sections


def _split_long(text: str, span: tuple[int, int], max_words: int) -> list[tuple[int, int]]:
    """Cut a "sentence" longer than a whole chunk (a table, a line with no punctuation) at word boundaries."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    if len(words) <= max_words:
        return [span]
    return [
        (words[i].start(), words[min(i + max_words, len(words)) - 1].end()) for i in range(0, len(words), max_words)
    ]


def _pack(text: str, sentences: list[tuple[int, int]], settings: ChunkSettings) -> list[list[tuple[int, int]]]:
    """Greedily pack sentences into groups of at most ``max_words`` words, with overlap."""
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    words = 0
    for span in sentences:
        n = len(_WORD.findall(text[span[0] : span[1]]))
        if current and words + n > settings.max_words:
            groups.append(current)
            keep = current[-settings.overlap_sentences :] if settings.overlap_sentences else []
            # Never let the overlap alone push the next chunk over the limit.
            while keep and sum(len(_WORD.findall(text[s:e])) for s, e in keep) + n > settings.max_words:
                keep = keep[1:]
            current = list(keep)
            words = sum(len(_WORD.findall(text[s:e])) for s, e in current)
        current.append(span)
        words += n
    if current:  # after any flush it holds at least one new sentence
        groups.append(current)
    return groups


def _make_chunk(document: Document, sentences: list[tuple[int, int]]) -> Chunk:
    start, end = sentences[0][0], sentences[-1][1]
    text = document.text[start:end]
    return Chunk(
        id=chunk_id(document.source, start, end, text),
        source=document.source,
        start=start,
        end=end,
        text=text,
        page=document.page_at(start),
        sentences=tuple(sentences),
    )
