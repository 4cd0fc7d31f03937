"""The document library: list, search, delete, replace and describe the indexed documents.

Every change goes through the corpus folder and the ordinary incremental ingest
(:func:`qa.assistant.Assistant.ingest`), so the index never differs from what a
fresh ``qa ingest`` of the folder would build. A change is made safely: the file
or catalog it touches is kept aside until ingest has succeeded, and put back if
ingest fails, so nothing indexed is lost. What is kept aside is recorded
(:mod:`qa.library.holding`), so a change cut short by a crash is finished or rolled
back at the next start (:func:`recover_interrupted`).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qa.assistant import Assistant
from qa.errors import BadFilter, QAError, UploadRejected
from qa.ingest.catalog import CatalogEntry, read_catalog, write_entry
from qa.ingest.dates import ACCEPTED_DATES, normalise_date
from qa.ingest.kinds import KINDS
from qa.ingest.pipeline import IngestReport
from qa.ingest.upload import check_upload, indexed_hashes
from qa.index.builds import Index, file_sha256
from qa.library import holding
from qa.library.holding import HOLDING as HOLDING  # where the Library keeps what a change moves aside
from qa.types import Document

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
# The types ingest tells apart (qa.ingest.kinds); the catalog may name others, which join the list.
COMMON_KINDS = KINDS


@dataclass(frozen=True)
class LibraryRow:
    """One indexed document as the library lists it."""

    source: str
    title: str
    date: str | None
    kind: str | None
    publisher: str | None
    pages: int | None
    passages: int
    added: str  # when the file arrived in the corpus folder, 'YYYY-MM-DD HH:MM'


def list_documents(assistant: Assistant, query: str = "") -> list[LibraryRow]:
    """The indexed documents, newest first, those whose title, file, publisher or type hold every word of ``query``."""
    return document_rows(assistant.index(), assistant.settings.corpus_dir, query)


def document_rows(index: Index, corpus: Path, query: str = "") -> list[LibraryRow]:
    """``list_documents`` for an index opened directly (no embedding model needed), its files under ``corpus``."""
    passages = Counter(chunk.source for chunk in index.chunks)
    words = query.lower().split()
    rows = []
    for document in index.documents.values():
        haystack = " ".join(filter(None, [document.title, document.source, document.publisher, document.kind])).lower()
        if all(word in haystack for word in words):
            rows.append(
                LibraryRow(
                    source=document.source,
                    title=document.title or document.source,
                    date=document.date,
                    kind=document.kind,
                    publisher=document.publisher,
                    pages=len(document.pages) or None,
                    passages=passages[document.source],
                    added=_added(corpus / document.source),
                )
            )
    return sorted(rows, key=lambda r: (r.added, r.source), reverse=True)


def document_kinds(documents: Iterable[Document]) -> list[str]:
    """The types to offer: the common ones, then any other the catalog names, in order."""
    named = sorted({d.kind for d in documents if d.kind} - set(COMMON_KINDS))
    return [*COMMON_KINDS, *named]


def restrict_to_kinds(documents: Iterable[Document], sources: Sequence[str], kinds: Sequence[str]) -> tuple[str, ...]:
    """The sources filter once narrowed to documents of the chosen types (unchanged when no type is chosen).

    Raises BadFilter when no (chosen) document is of those types, rather than search everything.
    """
    if not kinds:
        return tuple(sources)
    wanted = {k.lower() for k in kinds}
    allowed = sorted(
        d.source for d in documents if (d.kind or "").lower() in wanted and (not sources or d.source in sources)
    )
    if not allowed:
        within = " among the chosen documents" if sources else ""
        raise BadFilter(
            f"No document{within} is of type {', '.join(kinds)}. Choose another type or set types in the Library."
        )
    return tuple(allowed)


def delete_document(assistant: Assistant, source: str, on_progress: Progress | None = None) -> IngestReport:
    """Remove a document from the corpus folder, its catalog row and the index; restored if ingest fails."""
    path = _indexed_file(assistant, source)
    intent = {"change": "delete", "source": source, "sha256": file_sha256(path)}
    with holding.hold(assistant.settings.corpus_dir, intent) as held, _catalog_kept(assistant):
        kept = held.folder / "file"
        try:
            shutil.move(path, kept)  # a rename: the holding folder is inside the corpus
            write_entry(_catalog(assistant), source, None)
            report = assistant.ingest(progress=False, on_progress=on_progress)
        except BaseException:
            if kept.exists():
                shutil.move(kept, path)
            raise
    if source in report.removed:
        return report
    raise QAError(f"{source} could not be removed from the index; it is still in the collection.")


def replace_document(
    assistant: Assistant, source: str, upload: Path, name: str, on_progress: Progress | None = None
) -> IngestReport:
    """Put an uploaded file in place of an indexed document, keeping its name and catalog details.

    The new file must be of the same type and readable; if it is not, or ingest fails, the old file stays.
    """
    path = _indexed_file(assistant, source)
    check_upload(upload, name, assistant.settings.app.max_upload_mb)
    if Path(name).suffix.lower() != path.suffix.lower():
        raise UploadRejected(
            f"{name} is a {Path(name).suffix or 'file without a suffix'}; replace {source} with a {path.suffix} file."
        )
    digest = file_sha256(upload)
    same = indexed_hashes(assistant).get(digest)
    if same == source:
        raise UploadRejected(f"{name} has the same content as {source} already: nothing to replace.")
    if same:
        raise UploadRejected(f"{name} has the same content as {same}, which is already in the collection.")
    intent = {"change": "replace", "source": source, "sha256": digest}
    with holding.hold(assistant.settings.corpus_dir, intent) as held:
        kept, fresh = held.folder / "old", path.with_name(f".{path.name}.new")
        try:
            shutil.copy2(path, held.folder / "old.partial")
            os.replace(held.folder / "old.partial", kept)  # "old" exists only once the copy is whole
            shutil.copyfile(upload, fresh)
            os.replace(fresh, path)
            os.utime(path)  # "added" is when this version arrived
            report = assistant.ingest(progress=False, on_progress=on_progress)
        except BaseException:
            fresh.unlink(missing_ok=True)
            if kept.exists():
                os.replace(kept, path)
            raise
        if source in report.skipped or source not in report.updated:
            # Put the old file back; ingest kept its indexed version unless the new file had no text at all.
            reason = report.skipped.get(source, "it was not indexed")
            os.replace(kept, path)
            if source not in assistant.index().documents:
                assistant.ingest(progress=False)
            raise UploadRejected(
                f"{name} was not used: {reason.removesuffix(' (the previously indexed version is kept)')}"
            )
    return report


def recover_interrupted(assistant: Assistant) -> list[str]:
    """Finish or roll back the Library changes a crash cut short, then bring the index up to date.

    A delete is finished (the user confirmed it; the file's bytes never stay behind), a replace that
    ingest had not yet taken is rolled back to the old version, and an upload is indexed (a stored file
    that cannot be read is removed, as the upload itself would have done). Returns a line for each.
    """
    corpus = assistant.settings.corpus_dir
    lines: list[str] = []
    with holding.interrupted(corpus) as cut:
        if not cut:
            return lines
        try:
            indexed = assistant.index().documents
        except QAError:
            indexed = {}
        uploads: list[str] = []
        for held in cut:
            change, source = held.intent.get("change"), held.intent.get("source")
            path = corpus / source if isinstance(source, str) else None
            if change == "delete" and path is not None:
                if (
                    not (held.folder / "file").exists()
                    and path.is_file()
                    and file_sha256(path) == held.intent.get("sha256")
                ):
                    path.unlink()  # cut before the file was moved aside
                try:
                    write_entry(_catalog(assistant), source, None)
                except QAError as exc:
                    log.warning("%s", exc)
                lines.append(f"Finished deleting {source}, which a crash had interrupted.")
            elif change == "replace" and path is not None:
                fresh = path.with_name(f".{path.name}.new")
                fresh.unlink(missing_ok=True)
                taken = getattr(indexed.get(source), "sha256", None) == held.intent.get("sha256")
                if (held.folder / "old").exists() and not taken:
                    os.replace(held.folder / "old", path)
                    lines.append(
                        f"Rolled back the replacement of {source}, which a crash had interrupted; the previous version stays."
                    )
                elif (held.folder / "old").exists():
                    lines.append(
                        f"Kept the new version of {source}: it was indexed before a crash interrupted the replacement."
                    )
            elif change == "upload":
                uploads += [s for s in held.intent.get("stored", []) if isinstance(s, str)]
        report = assistant.ingest(progress=False)
        for source in uploads:
            if source in report.skipped:
                (corpus / source).unlink(missing_ok=True)
                lines.append(f"Removed the upload {source}, which a crash had interrupted: {report.skipped[source]}")
            elif (corpus / source).is_file():
                lines.append(f"Indexed the upload {source}, which a crash had interrupted.")
    return lines


def edit_details(
    assistant: Assistant,
    source: str,
    title: str = "",
    publisher: str = "",
    date: str = "",
    kind: str = "",
    on_progress: Progress | None = None,
) -> IngestReport:
    """Write a document's catalog row (blank cells: detect from the file) and bring the index up to date."""
    _indexed_file(assistant, source)
    iso = None
    if date and date.strip():
        iso = normalise_date(date)
        if iso is None:
            raise BadFilter(f"{date!r} is not a date; use {ACCEPTED_DATES}.")
    entry = CatalogEntry(
        title=_cell(title), publisher=_cell(publisher), date=iso, kind=(_cell(kind) or "").lower() or None
    )
    with _catalog_kept(assistant):
        write_entry(_catalog(assistant), source, entry)
        return assistant.ingest(progress=False, on_progress=on_progress)


def catalog_entry(assistant: Assistant, source: str) -> CatalogEntry:
    """What the catalog says about ``source`` now (blank where it says nothing)."""
    return read_catalog(_catalog(assistant)).get(source, CatalogEntry())


def _cell(value: str | None) -> str | None:
    """One line, trimmed; None when blank."""
    text = " ".join((value or "").split())
    return text or None


def _catalog(assistant: Assistant) -> Path:
    return assistant.settings.corpus_dir / assistant.settings.catalog_name


def _indexed_file(assistant: Assistant, source: str) -> Path:
    """The corpus file of an indexed document; QAError if ``source`` is not one (or lies outside the corpus)."""
    corpus = assistant.settings.corpus_dir.resolve()
    if not isinstance(source, str) or source not in assistant.index().documents:
        raise QAError(f"{source} is not in the collection (any more). Refresh the list.")
    path = assistant.settings.corpus_dir / source
    if not path.resolve().is_relative_to(corpus) or path.is_symlink() or not path.is_file():
        raise QAError(f"{source} is not a file in the corpus folder, so the library cannot change it.")
    return path


@contextmanager
def _catalog_kept(assistant: Assistant) -> Iterator[None]:
    """The catalog as it was is written back if the block fails."""
    path = _catalog(assistant)
    before = path.read_bytes() if path.exists() else None
    try:
        yield
    except BaseException:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)
        raise


def _added(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return ""
