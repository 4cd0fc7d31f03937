"""Cited question answering over a local document collection, offline.

The public API: build an :class:`Assistant` from :class:`Settings`, call
``ingest()`` to index the corpus folder, then ``ask()`` for cited answers.
"""

from qa.assistant import Assistant, make_filters
from qa.errors import (
    BadFilter,
    BadQuestion,
    EmptyCorpus,
    IndexCorrupt,
    IndexNotFound,
    LoadError,
    ModelMismatch,
    ModelUnavailable,
    QAError,
    UploadRejected,
)
from qa.settings import Settings
from qa.types import Answer, Chunk, Citation, Document, Filters, Hit

__all__ = [
    "Answer",
    "Assistant",
    "BadFilter",
    "BadQuestion",
    "Chunk",
    "Citation",
    "Document",
    "EmptyCorpus",
    "Filters",
    "Hit",
    "IndexCorrupt",
    "IndexNotFound",
    "LoadError",
    "ModelMismatch",
    "ModelUnavailable",
    "QAError",
    "UploadRejected",
    "Settings",
    "make_filters",
]
