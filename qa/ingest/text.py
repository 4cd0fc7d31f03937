"""The text a citation's offsets count in: the indexed document's, else the file read as ingest reads it."""

from __future__ import annotations

from pathlib import Path

from qa.errors import IndexNotFound, LoadError, QAError
from qa.index import builds
from qa.index.backend import make_backend
from qa.ingest.sandbox import load_with_limits, ocr_limits
from qa.settings import Settings


def document_text(settings: Settings, name: str) -> str:
    """The viewable text of ``name``: a source as citations give it, or a path to a document file.

    An indexed document gives the text its citations were made from; a file
    not (yet) indexed is read with the same readers ingest uses.
    """
    path = Path(name)
    candidates = [name]
    try:
        relative = path.resolve().relative_to(settings.corpus_dir.resolve()).as_posix()
        candidates.append(relative)
    except (OSError, ValueError):
        pass
    try:
        if settings.store == "embedded":
            index = builds.open_index(settings.index_dir, verify=False)
        else:
            index = make_backend(settings).open()
        for source in candidates:
            if source in index.documents:
                return index.documents[source].text
    except (IndexNotFound, QAError):
        pass
    if not path.is_file():
        raise QAError(
            f"{name} is neither an indexed source nor a readable file. Check the name (see `qa ask` citations)."
        )
    try:
        loaded = load_with_limits(
            path,
            max_bytes=int(settings.max_file_mb * 1024 * 1024),
            timeout_s=settings.load_timeout_s,
            ocr=ocr_limits(settings),
        )
    except LoadError as exc:
        raise QAError(str(exc)) from exc
    return loaded.text
