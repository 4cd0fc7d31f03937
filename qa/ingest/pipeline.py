"""Turn a corpus folder into an index, incrementally.

Unchanged files keep their chunks and vectors; changed and new files are
loaded, cleaned, chunked and embedded; deleted files drop out. The new build
replaces the old one only once it is complete (see ``store``).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.index import builds as store
from qa.ingest.chunk import chunk_document
from qa.ingest.furniture import content_spans, with_lead_in
from qa.embed.base import Embedder
from qa.errors import EmptyCorpus, IndexCorrupt, IndexNotFound, LoadError, ModelMismatch
from qa.ingest.sandbox import load_with_limits
from qa.ingest.readers import SUPPORTED_SUFFIXES
from qa.ingest.catalog import CatalogEntry, read_catalog
from qa.ingest.dates import detect_date
from qa.ingest.titles import detect_title
from qa.settings import Settings
from qa.types import Chunk, Document

log = logging.getLogger(__name__)

# Bump when cleaning, sentence splitting or chunking rules change: older indexes are then rebuilt
# rather than mixing chunks cut by two sets of rules.
PIPELINE_VERSION = 6  # 6: PDFs read with PyMuPDF, running headers and footers found by position


@dataclass
class IngestReport:
    """What an ingest did, for the CLI and the app to show."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> reason
    documents: int = 0
    chunks: int = 0
    rebuilt: bool = False

    def summary(self) -> str:
        """One line for people."""
        parts = [
            f"{self.documents} documents, {self.chunks} passages indexed",
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.removed)} removed",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.rebuilt:
            parts.append("rebuilt from scratch (the model or processing rules changed)")
        return "; ".join(parts)


def list_corpus_files(corpus_dir: Path, catalog_name: str) -> list[Path]:
    """Supported files under the corpus folder, hidden ones and the catalog excluded, sorted."""
    if not corpus_dir.is_dir():
        raise EmptyCorpus(f"Corpus folder {corpus_dir} does not exist. Create it and add documents.")
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if relative.as_posix() == catalog_name or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        files.append(path)
    return files


def ingest(
    settings: Settings,
    embedder: Embedder,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    progress: bool = True,
    on_progress: Callable[[float, str], None] | None = None,
) -> IngestReport:
    """Bring the index in ``settings.index_dir`` up to date with the corpus folder."""
    corpus_dir = corpus_dir or settings.corpus_dir
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with _lock(settings.index_dir):
        return _ingest_locked(settings, embedder, corpus_dir, rebuild, progress, on_progress)


def _ingest_locked(settings, embedder, corpus_dir, rebuild, progress, on_progress) -> IngestReport:
    report = IngestReport()
    notify = on_progress or (lambda fraction, message: None)
    catalog = read_catalog(corpus_dir / settings.catalog_name)
    chunker = settings.chunk.model_dump() | {"pipeline": PIPELINE_VERSION}
    previous = None if rebuild else _previous_index(settings, embedder, chunker, report)

    files = list_corpus_files(corpus_dir, settings.catalog_name)
    documents: dict[str, Document] = {}
    kept = _Kept(previous)
    new_chunks: list[Chunk] = []

    for i, path in enumerate(tqdm(files, desc="Loading", unit="file", disable=not progress)):
        source = path.relative_to(corpus_dir).as_posix()
        notify(0.6 * i / max(len(files), 1), f"Loading {source}")
        try:
            digest = store.file_sha256(path)
        except OSError as exc:
            _skip(report, source, f"cannot be read ({exc})")
            continue
        entry = catalog.get(source, CatalogEntry())
        old = previous.documents.get(source) if previous else None
        if old is not None and old.sha256 == digest:
            document = _apply_metadata(replace(old), entry)
            documents[source] = document
            if document.title == old.title:
                kept.keep(source)
                report.unchanged.append(source)
            else:  # a new title in the catalog: passages are embedded with their title, so embed again
                new_chunks.extend(chunk_document(document, settings.chunk))
                report.updated.append(source)
            continue
        try:
            document = _load_document(path, source, digest, entry, settings)
        except LoadError as exc:
            if old is None:
                _skip(report, source, str(exc))
            else:  # keep what was indexed rather than lose the document to a bad update
                _skip(report, source, f"{exc} (the previously indexed version is kept)")
                documents[source] = _apply_metadata(replace(old), entry)
                kept.keep(source)
            continue
        if not document.content:
            _skip(report, source, "no readable text content was found in it")
            continue
        documents[source] = document
        new_chunks.extend(chunk_document(document, settings.chunk))
        (report.updated if old is not None else report.added).append(source)

    if previous:
        report.removed = sorted(set(previous.documents) - set(documents))
    if not documents:
        raise EmptyCorpus(
            f"No readable documents in {corpus_dir}. Supported types: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )

    notify(0.6, f"Embedding {len(new_chunks)} passages")
    new_vectors = embedder.embed_passages(
        [_passage_text(c, documents) for c in new_chunks], progress=progress, label="Embedding passages"
    )
    new_sentences = list(dict.fromkeys((c.source, s, e) for c in new_chunks for s, e in c.sentences))
    notify(0.75, f"Embedding {len(new_sentences)} sentences")
    new_sentence_vectors = embedder.embed_passages(
        [with_lead_in(documents[source].text, s, e) for source, s, e in new_sentences],
        progress=progress,
        label="Embedding sentences",
    )
    chunks = kept.chunks + new_chunks
    vectors = np.vstack(kept.vectors + [new_vectors])
    sentences = kept.sentences + new_sentences
    sentence_vectors = np.vstack(kept.sentence_vectors + [new_sentence_vectors])

    notify(0.9, "Writing index")
    manifest = {
        "model": embedder.name,
        "dimension": embedder.dimension,
        "chunker": chunker,
        "files": {source: doc.sha256 for source, doc in documents.items()},
    }
    store.write_index(settings.index_dir, documents, chunks, vectors, sentences, sentence_vectors, manifest)
    report.documents, report.chunks = len(documents), len(chunks)
    notify(1.0, report.summary())
    return report


def _previous_index(settings: Settings, embedder: Embedder, chunker: dict, report: IngestReport):
    """Open the live index for reuse, or None when there is none or it cannot be reused."""
    try:
        manifest = store.read_manifest(settings.index_dir)
        store.check_compatible(manifest, embedder.name, chunker)
        return store.open_index(settings.index_dir)
    except IndexNotFound:
        return None
    except (ModelMismatch, IndexCorrupt) as exc:
        log.warning("Rebuilding the whole index: %s", exc)
        report.rebuilt = True
        return None


def _load_document(path: Path, source: str, digest: str, entry: CatalogEntry, settings: Settings) -> Document:
    loaded = load_with_limits(path, max_bytes=int(settings.max_file_mb * 1024 * 1024), timeout_s=settings.load_timeout_s)
    # The reader marks what it knows is furniture by position (running headers and footers,
    # front matter); whole-text cleaning also sees a line repeated on every page as furniture.
    spans = content_spans(loaded.text, furniture=loaded.furniture)
    document = Document(
        source=source,
        text=loaded.text,
        sha256=digest,
        pages=list(loaded.pages),
        content=spans,
        own_title=loaded.title or detect_title(loaded.text) or Path(source).stem,
        own_date=loaded.date or detect_date(loaded.text),
        own_publisher=loaded.publisher,
    )
    return _apply_metadata(document, entry)


def _apply_metadata(document: Document, entry: CatalogEntry) -> Document:
    """Catalog entries win; otherwise what the file says. Recomputed at every ingest, so edits and removals apply."""
    document.title = entry.title or document.own_title
    document.date = entry.date or document.own_date
    document.publisher = entry.publisher or document.own_publisher
    return document


def _passage_text(chunk: Chunk, documents: dict[str, Document]) -> str:
    """What the embedder sees: the document title gives each passage its context."""
    title = documents[chunk.source].title
    return f"{title}\n{chunk.text}" if title else chunk.text


class _Kept:
    """Chunks, sentences and vectors carried over from the previous build for unchanged files."""

    def __init__(self, previous: store.Index | None) -> None:
        self.previous = previous
        self.chunks: list[Chunk] = []
        self.vectors: list[np.ndarray] = []
        self.sentences: list[tuple[str, int, int]] = []
        self.sentence_vectors: list[np.ndarray] = []
        if previous is None:
            return
        self._all_vectors = previous.vectors()
        self._all_sentence_vectors = previous.sentence_vectors()
        self._rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(previous.chunks):
            self._rows.setdefault(chunk.source, []).append(row)
        self._sentence_rows: dict[str, list[int]] = {}
        for row, (source, _, _) in enumerate(previous.sentences):
            self._sentence_rows.setdefault(source, []).append(row)

    def keep(self, source: str) -> None:
        """Carry one document's chunks and sentences, with their vectors, into the new build."""
        rows = self._rows.get(source, [])
        self.chunks.extend(self.previous.chunks[r] for r in rows)
        self.vectors.append(self._all_vectors[rows])
        sentence_rows = self._sentence_rows.get(source, [])
        self.sentences.extend(self.previous.sentences[r] for r in sentence_rows)
        self.sentence_vectors.append(self._all_sentence_vectors[sentence_rows])


def _skip(report: IngestReport, source: str, reason: str) -> None:
    report.skipped[source] = reason
    log.warning("Skipped %s: %s", source, reason)



@contextmanager
def _lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index folder; a second one waits."""
    with (index_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
