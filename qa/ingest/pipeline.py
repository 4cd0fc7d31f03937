"""Turn a corpus folder into an index, incrementally.

Unchanged files keep their chunks and vectors; changed and new files are
loaded, cleaned, chunked and embedded; deleted files drop out. The new build
replaces the old one only once it is complete (see ``store``).
"""

from __future__ import annotations

import copy
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.embed.base import Embedder
from qa.errors import EmptyCorpus, IndexCorrupt, IndexNotFound, LoadError, ModelMismatch
from qa.index import builds as store
from qa.index.backend import IndexBackend, make_backend
from qa.ingest.catalog import CatalogEntry, read_catalog
from qa.ingest.chunk import chunk_document
from qa.ingest.dates import detect_date
from qa.index.names import NameTable, build_names
from qa.ingest.furniture import content_spans, with_lead_in
from qa.ingest.names import document_keys, sentence_spans, words_of
from qa.ingest.readers import SUPPORTED_SUFFIXES
from qa.ingest.sandbox import load_with_limits, ocr_limits
from qa.ingest.kinds import detect_kind
from qa.ingest.titles import own_title
from qa.ingest.updates import StoreUpdate
from qa.settings import Settings
from qa.types import Chunk, Document

log = logging.getLogger(__name__)

# Bump when cleaning, sentence splitting or chunking rules change: older indexes are then rebuilt
# rather than mixing chunks cut by two sets of rules.
# 6: PDFs read with PyMuPDF, running headers and footers found by position.
# 7: titles and kinds read by what a document is (passages are embedded under their title).
PIPELINE_VERSION = 7


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
    rebuilt_because: str = "the model or processing rules changed"
    sentences_encoded_alone: int = 0  # sentences not pooled from their passage's forward pass

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
            parts.append(f"rebuilt from scratch ({self.rebuilt_because})")
        return "; ".join(parts)


def check_corpus_dir(corpus_dir: Path) -> None:
    """Raise EmptyCorpus unless ``corpus_dir`` is a folder; cheap, so callers can check before loading a model."""
    if not corpus_dir.exists():
        raise EmptyCorpus(
            f"Corpus folder {corpus_dir} does not exist. Create it and add documents, or name another folder."
        )
    if not corpus_dir.is_dir():
        raise EmptyCorpus(f"{corpus_dir} is a file, not a folder. Name the folder that holds your documents.")


def list_corpus_files(
    corpus_dir: Path,
    catalog_name: str,
    follow_external_links: bool = False,
    skipped: dict[str, str] | None = None,
) -> list[Path]:
    """Supported files under the corpus folder, hidden ones and the catalog excluded, sorted.

    Files that cannot be indexed as they are named or linked go into ``skipped`` (display name -> reason)
    instead: a name that is not valid UTF-8 (it could not be stored or shown), and a link that leads
    outside the corpus folder unless ``follow_external_links``. A link is judged by its own name's suffix.
    """
    check_corpus_dir(corpus_dir)
    skipped = {} if skipped is None else skipped
    root = corpus_dir.resolve()
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or path.is_dir():
            continue
        if relative.as_posix() == catalog_name or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        source = relative.as_posix()
        if not _is_utf8(source):
            skipped[display_name(source)] = (
                "its name is not valid UTF-8 (the bad bytes are shown as \ufffd), so it cannot be stored or "
                "cited; rename it to a UTF-8 name, e.g. with `convmv -f latin1 -t utf8 --notest`"
            )
            continue
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            target = None
        shown = display_name(str(target or os.readlink(path)))
        if not path.is_file():
            if path.is_symlink():  # a dangling link or a loop; other non-files (FIFOs, sockets) are not documents
                skipped[source] = f"it is a link to {shown}, which is not a readable file"
            continue
        if not follow_external_links and not target.is_relative_to(root):
            skipped[source] = (
                f"it is a link to {shown}, outside the corpus folder; copy the file in, "
                "or set QA_FOLLOW_EXTERNAL_LINKS=true to index what such links point at"
            )
            continue
        files.append(path)
    return files


def _is_utf8(text: str) -> bool:
    """False for names holding bytes that were not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(text: str) -> str:
    """``text`` with each lone surrogate (an undecodable byte of a file name) shown as U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


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
    notify = on_progress or (lambda fraction, message: None)
    check_corpus_dir(corpus_dir)
    with make_backend(settings).writing(notify) as backend:
        return _ingest_locked(settings, backend, embedder, corpus_dir, rebuild, progress, notify)


def _ingest_locked(
    settings, backend: IndexBackend, embedder, corpus_dir, rebuild, progress, notify: Callable[[float, str], None]
) -> IngestReport:
    report = IngestReport()
    catalog = read_catalog(corpus_dir / settings.catalog_name)
    pooled = settings.sentence_vectors == "pooled" and hasattr(embedder, "embed_passages_and_spans")
    # How sentence vectors were made is part of what an index's vectors mean: another way rebuilds it.
    # Recorded only when pooled, so indexes built before the setting existed stay valid.
    chunker = (
        settings.chunk.model_dump()
        | {"pipeline": PIPELINE_VERSION}
        | ({"sentence_vectors": "pooled"} if pooled else {})
    )
    previous = None if rebuild else _previous_index(backend, embedder, chunker, report)

    unlisted: dict[str, str] = {}
    files = list_corpus_files(corpus_dir, settings.catalog_name, settings.follow_external_links, unlisted)
    for source, reason in unlisted.items():
        _skip(report, source, reason)
    documents: dict[str, Document] = {}
    work = StoreUpdate(previous, lambda: backend.new_stores(embedder.dimension))
    new_chunks: list[Chunk] = []

    bar = tqdm(files, desc="Loading", unit="file", disable=not progress)
    for i, path in enumerate(bar):
        source = path.relative_to(corpus_dir).as_posix()
        notify(0.6 * i / max(len(files), 1), f"Loading {source}")

        def reading_scan(page: int, pages: int, i: int = i, source: str = source) -> None:
            """A scanned PDF is read page by page by OCR, which takes a while: say where it is."""
            bar.set_postfix_str(f"{source}: OCR of scanned page {page} of {pages}")
            notify(
                0.6 * (i + (page - 1) / pages) / max(len(files), 1), f"Reading {source} by OCR: page {page} of {pages}"
            )

        try:
            digest = store.file_sha256(path)
        except OSError as exc:
            _skip(report, source, f"cannot be read ({exc})")
            continue
        entry = catalog.get(source, CatalogEntry())
        old = previous.documents.get(source) if previous else None
        if old is not None and old.sha256 == digest:
            document = _apply_metadata(copy.copy(old), entry)
            documents[source] = document
            if document.title == old.title:
                work.refresh(document)  # a catalog date edit changes what filters see
                report.unchanged.append(source)
            else:  # a new title in the catalog: passages are embedded with their title, so embed again
                work.drop(source)
                new_chunks.extend(chunk_document(document, settings.chunk))
                report.updated.append(source)
            continue
        try:
            document = _load_document(path, source, digest, entry, settings, reading_scan)
        except LoadError as exc:
            if old is None:
                _skip(report, source, str(exc))
            else:  # keep what was indexed rather than lose the document to a bad update
                _skip(report, source, f"{exc} (the previously indexed version is kept)")
                documents[source] = _apply_metadata(copy.copy(old), entry)
                work.refresh(documents[source])
            continue
        if not document.content:
            _skip(report, source, "no readable text content was found in it")
            work.drop(source)
            continue
        work.drop(source)
        documents[source] = document
        new_chunks.extend(chunk_document(document, settings.chunk))
        (report.updated if old is not None else report.added).append(source)

    if previous:
        report.removed = sorted(set(previous.documents) - set(documents))
        for source in report.removed:
            work.drop(source)
    if not documents:
        raise EmptyCorpus(
            f"No readable documents in {corpus_dir}. Supported types: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )

    notify(0.6, f"Embedding {len(new_chunks)} passages")
    new_sentences = list(dict.fromkeys((c.source, s, e) for c in new_chunks for s, e in c.sentences))
    new_vectors, new_sentence_vectors = _embed(
        embedder, new_chunks, new_sentences, documents, progress, notify, report, pooled
    )
    work.add(documents, new_chunks, new_vectors, new_sentences, new_sentence_vectors)

    notify(0.9, "Writing index")
    manifest = {
        "model": embedder.name,
        "dimension": embedder.dimension,
        "chunker": chunker,
        "files": {source: doc.sha256 for source, doc in documents.items()},
    }
    names = _names(documents, previous, settings.answer.identity_chars, work.sentences)
    backend.write(
        documents, list(work.chunks.values()), work.passages, work.sentences, work.sentence_stores, manifest, names
    )
    report.documents, report.chunks = len(documents), len(work.chunks)
    notify(1.0, report.summary())
    return report


def _embed(embedder, chunks, sentences, documents, progress, notify, report, pooled: bool):
    """Passage vectors and sentence vectors, the sentences pooled from their passages' forward pass where the model allows."""
    passages = [_passage_text(c, documents) for c in chunks]
    if not pooled:
        vectors = embedder.embed_passages(passages, progress=progress, label="Embedding passages")
        return vectors, _embed_sentences(embedder, documents, sentences, progress, notify)
    # Each sentence's span inside the text its passage was embedded as (the title line comes first).
    spans = []
    for chunk, text in zip(chunks, passages):
        shift = len(text) - len(chunk.text) - chunk.start
        spans.append([(s + shift, e + shift) for s, e in chunk.sentences])
    vectors, span_vectors = embedder.embed_passages_and_spans(
        passages, spans, progress=progress, label="Embedding passages"
    )
    # A sentence in two passages (the overlap) takes the mean of its pooled vectors, normalised again.
    row = {key: i for i, key in enumerate(sentences)}
    total = np.zeros((len(sentences), embedder.dimension), dtype=np.float32)
    for chunk, rows in zip(chunks, span_vectors):
        for (s, e), vector in zip(chunk.sentences, rows):
            if not np.isnan(vector).any():
                total[row[(chunk.source, s, e)]] += vector
    norms = np.linalg.norm(total, axis=1)
    missing = [i for i in range(len(sentences)) if norms[i] == 0]
    sentence_vectors = total / np.where(norms == 0, 1.0, norms)[:, None]
    report.sentences_encoded_alone = len(missing)
    if missing:  # past the model's window, or not found in the tokens: encoded on their own, as before
        log.info(
            "%d of %d sentences could not be pooled from their passage and were encoded alone",
            len(missing),
            len(sentences),
        )
        sentence_vectors[missing] = _embed_sentences(
            embedder, documents, [sentences[i] for i in missing], progress, notify
        )
    return vectors, sentence_vectors


def _embed_sentences(embedder, documents, sentences, progress, notify):
    """Each sentence encoded on its own, a list item with its lead-in."""
    notify(0.75, f"Embedding {len(sentences)} sentences")
    return embedder.embed_passages(
        [with_lead_in(documents[source].text, s, e) for source, s, e in sentences],
        progress=progress,
        label="Embedding sentences",
    )


def _previous_index(backend: IndexBackend, embedder: Embedder, chunker: dict, report: IngestReport):
    """Open the live index for reuse, or None when there is none or it cannot be reused."""
    try:
        manifest = backend.read_manifest()
        store.check_compatible(manifest, embedder.name, chunker)
        wanted = backend.stores()
        if manifest.get("stores") != wanted:
            raise ModelMismatch(
                f"The index was built with stores {manifest.get('stores')} but the settings ask for {wanted}."
            )
        return backend.open(upgrade=True)
    except IndexNotFound:
        return None
    except (ModelMismatch, IndexCorrupt) as exc:
        # Said while rebuilding, so without the sentence that tells the user to run a rebuild.
        reason = " ".join(part for part in re.split(r"(?<=[.!?])\s+", str(exc)) if "--rebuild" not in part)
        log.warning("rebuilding the whole index: %s", reason)
        report.rebuilt = True
        if isinstance(exc, IndexCorrupt):
            report.rebuilt_because = "the old index was damaged"
        return None


def _names(documents: dict[str, Document], previous, opening_chars: int, sentences: dict) -> NameTable:
    """The name index: an unchanged document's names and templates (same file, title and publisher) carried over,
    the rest read."""
    keep: list[str] = []
    old_names = previous.names if previous is not None else None
    if old_names is not None and old_names.opening_chars == opening_chars:
        for source, document in documents.items():
            old = previous.documents.get(source)
            if old is not None and (old.sha256, old.title, old.publisher) == (
                document.sha256,
                document.title,
                document.publisher,
            ):
                keep.append(source)
    kept = set(keep)
    spans = sentence_spans(r for r in sentences.values() if r.source not in kept)
    return build_names(
        documents,
        lambda d: document_keys(d, opening_chars, spans.get(d.source, ())),
        opening_chars,
        old_names,
        keep,
        words_of,
        previous.documents if previous is not None else None,
    )


def _load_document(
    path: Path,
    source: str,
    digest: str,
    entry: CatalogEntry,
    settings: Settings,
    on_ocr: Callable[[int, int], None] | None = None,
) -> Document:
    loaded = load_with_limits(
        path,
        max_bytes=int(settings.max_file_mb * 1024 * 1024),
        timeout_s=settings.load_timeout_s,
        ocr=ocr_limits(settings),
        on_ocr=on_ocr,
    )
    # The reader marks what it knows is furniture by position (running headers and footers,
    # front matter); whole-text cleaning also sees a line repeated on every page as furniture.
    spans = content_spans(loaded.text, furniture=loaded.furniture)
    document = Document(
        source=source,
        text=loaded.text,
        sha256=loaded.sha256 or digest,  # the hash of what was read: the file may have changed since ``digest``
        pages=list(loaded.pages),
        content=spans,
        own_title=own_title(loaded, source),
        own_date=loaded.date or detect_date(loaded.text),
        own_publisher=loaded.publisher,
        own_kind=detect_kind(loaded.text, loaded.furniture),
        ocr_pages=list(loaded.ocr_pages),
    )
    return _apply_metadata(document, entry)


def _apply_metadata(document: Document, entry: CatalogEntry) -> Document:
    """Catalog entries win; otherwise what the file says. Recomputed at every ingest, so edits and removals apply."""
    document.title = entry.title or document.own_title
    document.date = entry.date or document.own_date
    document.publisher = entry.publisher or document.own_publisher
    document.kind = entry.kind or document.own_kind
    return document


def _passage_text(chunk: Chunk, documents: dict[str, Document]) -> str:
    """What the embedder sees: the document title gives each passage its context."""
    title = documents[chunk.source].title
    return f"{title}\n{chunk.text}" if title else chunk.text


def _skip(report: IngestReport, source: str, reason: str) -> None:
    """Record and log a skipped file once, by its path in the corpus (a reader's reason may start with its name)."""
    reason = reason.removeprefix(f"{Path(source).name}: ")
    report.skipped[source] = reason
    log.warning("skipped %s: %s", source, reason)
