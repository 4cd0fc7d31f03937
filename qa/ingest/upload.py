"""Add uploaded files to the corpus and index them, without losing anything already indexed.

Each upload is checked (type, size), stored under a sanitised, unique name in
the upload folder inside the corpus folder, and the index is then brought up
to date incrementally. A stored file that ingest cannot read is removed again,
since it would be skipped at every later ingest too.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qa.assistant import Assistant
from qa.errors import QAError, UploadRejected
from qa.ingest.pipeline import IngestReport
from qa.ingest.readers import SUPPORTED_SUFFIXES
from qa.settings import Settings
from qa.index.builds import file_sha256
from qa.library.holding import Held, hold

_MB = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM_CHARS = 100


@dataclass
class UploadResult:
    """What happened to each uploaded file, for the app to show."""

    added: list[str] = field(default_factory=list)  # corpus-relative sources now indexed
    rejected: dict[str, str] = field(default_factory=dict)  # uploaded name -> reason
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uploaded name, indexed source with its content)
    report: IngestReport | None = None

    def summary(self) -> str:
        """A few lines for people."""
        lines = []
        if self.added:
            lines.append(f"Added {len(self.added)} document(s): {', '.join(self.added)}.")
        for name, source in self.duplicates:
            lines.append(
                f"Already in the collection: {name} has the same content as {source}, so it was not added again."
            )
        for name, reason in self.rejected.items():
            lines.append(f"Not added: {name}: {reason}")
        if self.report is not None:
            lines.append(f"Index: {self.report.summary()}.")
        if not lines:
            lines.append("No files were uploaded.")
        return "\n".join(lines)


def safe_filename(name: str) -> str:
    """A storable file name: basename only, safe characters, no leading dot, suffix kept (lower case)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = PurePosixPath(base).suffix
    stem = base[: -len(suffix)] if suffix else base
    suffix = _UNSAFE.sub("", _ascii(suffix.lower()))
    stem = _UNSAFE.sub("-", _ascii(stem))
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:MAX_STEM_CHARS].rstrip(".-_")
    return f"{stem or 'upload'}{suffix}"


def _ascii(text: str) -> str:
    """Accents dropped ("résumé" -> "resume"), other non-ASCII characters removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def upload_folder(settings: Settings) -> Path:
    """Where uploads are stored: ``app.upload_dir`` if set, else the corpus folder.

    Ingest reads only the corpus folder, so an upload folder must lie inside it
    and must not be hidden.
    """
    corpus = settings.corpus_dir.resolve()
    folder = (settings.app.upload_dir or settings.corpus_dir).resolve()
    if not folder.is_relative_to(corpus):
        raise UploadRejected(
            f"The upload folder {folder} is outside the corpus folder {corpus}, so uploads would never be indexed. "
            "Set QA_APP__UPLOAD_DIR to a folder inside the corpus folder, or leave it unset."
        )
    if any(part.startswith(".") for part in folder.relative_to(corpus).parts):
        raise UploadRejected(
            f"The upload folder {folder} is hidden (starts with a dot), and ingest skips hidden folders."
        )
    return folder


def check_upload(path: Path, name: str, max_mb: float) -> None:
    """Raise UploadRejected if the file's type is unsupported or it is larger than ``max_mb``."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no suffix"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UploadRejected(f"unsupported file type ({shown}); upload one of {supported}.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UploadRejected(f"the uploaded file cannot be read ({exc.strerror or exc}).") from exc
    if size > max_mb * _MB:
        raise UploadRejected(
            f"{size / _MB:.1f} MB is larger than the upload limit of {max_mb:g} MB; "
            "split the document or raise QA_APP__MAX_UPLOAD_MB."
        )


def store_upload(path: Path, name: str, folder: Path) -> tuple[Path, bool]:
    """Copy an upload into ``folder`` under a safe name; never overwrite a different file.

    Returns the stored path and whether this call created it. If a file of
    that name already holds the same bytes it is reused; otherwise a numbered
    name (``report-2.pdf``) is taken.
    """
    folder.mkdir(parents=True, exist_ok=True)
    safe = PurePosixPath(safe_filename(name))
    digest = file_sha256(path)
    for i in range(1, 10_000):
        candidate = folder / (safe.name if i == 1 else f"{safe.stem}-{i}{safe.suffix}")
        try:
            target = candidate.open("xb")
        except FileExistsError:
            if candidate.is_file() and file_sha256(candidate) == digest:
                return candidate, False
            continue
        try:
            with target, path.open("rb") as source:
                shutil.copyfileobj(source, target)
        except OSError as exc:
            candidate.unlink(missing_ok=True)
            raise UploadRejected(f"could not be stored in {folder}: {exc.strerror or exc}.") from exc
        return candidate, True
    raise UploadRejected(f"too many files named like {safe.name} in {folder}; rename the file and upload it again.")


def add_documents(
    assistant: Assistant,
    uploads: Sequence[Path | str],
    names: Sequence[str] | None = None,
    on_progress: Callable[[float, str], None] | None = None,
) -> UploadResult:
    """Check, store and index uploaded files; report what was added and why anything was not.

    ``names`` are the names the user gave the files (default: the uploads'
    own base names). If ingest fails, the files stored by this call are
    removed again and the error is raised; the previous index stays live.
    """
    settings = assistant.settings
    folder = upload_folder(settings)
    corpus = settings.corpus_dir.resolve()
    result = UploadResult()
    # Recorded in the corpus's holding folder, so an upload cut short by a crash is indexed at the next start.
    with hold(settings.corpus_dir, {"change": "upload", "stored": []}) as held:
        stored = _store_all(uploads, names, settings, folder, corpus, indexed_hashes(assistant), result, held)
        if not stored:
            return result
        try:
            report = assistant.ingest(progress=False, on_progress=on_progress)
        except BaseException:
            _remove(target for _, target, created in stored.values() if created)
            raise
    result.report = report
    indexed = set(report.added) | set(report.updated) | set(report.unchanged)
    for source, (name, target, created) in stored.items():
        if source in indexed:
            result.added.append(source)
            continue
        reason = report.skipped.get(source, "it was not indexed")
        result.rejected[name] = reason.removeprefix(f"{target.name}: ")
        if created:
            _remove([target])
    return result


def _store_all(
    uploads: Sequence[Path | str],
    names: Sequence[str] | None,
    settings: Settings,
    folder: Path,
    corpus: Path,
    indexed: dict[str, str],
    result: UploadResult,
    held: Held,
) -> dict[str, tuple[str, Path, bool]]:
    """Check and store each upload; source -> (uploaded name, stored path, created now). Refusals go to ``result``."""
    stored: dict[str, tuple[str, Path, bool]] = {}
    for i, upload in enumerate(uploads):
        path = Path(upload)
        name = names[i] if names is not None else path.name
        try:
            check_upload(path, name, settings.app.max_upload_mb)
            digest = _digest(path)
            if digest in indexed:  # the same bytes as an indexed document: say so rather than index a copy
                result.duplicates.append((name, indexed[digest]))
                continue
            target, created = store_upload(path, name, folder)
            indexed[digest] = target.relative_to(corpus).as_posix()  # a second copy in this batch is a duplicate
        except UploadRejected as exc:
            result.rejected[name] = str(exc)
            continue
        source = target.relative_to(corpus).as_posix()
        stored[source] = (name, target, created)
        if created:
            held.record(stored=[*held.intent["stored"], source])
    return stored


def _digest(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError as exc:
        raise UploadRejected(f"the uploaded file cannot be read ({exc.strerror or exc}).") from exc


def indexed_hashes(assistant: Assistant) -> dict[str, str]:
    """SHA-256 of each indexed document's file -> its source; empty when there is no index yet."""
    try:
        documents = assistant.index().documents
    except QAError:
        return {}
    return {d.sha256: d.source for d in sorted(documents.values(), key=lambda d: d.source)}


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
