"""The library's small error hierarchy. Each message names the bad value and the fix."""


class QAError(Exception):
    """Base class for every error the assistant reports to a user."""

    exit_code = 1


class BadQuestion(QAError, ValueError):
    """The question is empty, too long or otherwise unusable."""

    exit_code = 2


class BadFilter(QAError, ValueError):
    """A filter value (date, source) cannot be used."""

    exit_code = 2


class EmptyCorpus(QAError):
    """The corpus folder holds no readable document."""

    exit_code = 3


class LoadError(QAError):
    """One file could not be read; ingest skips it with a warning."""


class IndexNotFound(QAError):
    """There is no built index where one was expected."""

    exit_code = 4


class IndexCorrupt(QAError):
    """An index file is missing, truncated or fails its checksum."""

    exit_code = 4


class ModelMismatch(QAError):
    """The index was built with another embedding model or chunker settings."""

    exit_code = 4


class StoreUnavailable(QAError):
    """The index's server (PostgreSQL) cannot be reached, refuses the login, or lacks what it needs."""

    exit_code = 6


class IndexChanged(QAError):
    """A new index state was committed while a question was reading the previous one; it is asked again."""

    def __init__(self, message: str, index: object = None) -> None:
        super().__init__(message)
        self.index = index


class ModelUnavailable(QAError):
    """The embedding model cannot be loaded from disk."""

    exit_code = 5


class UploadRejected(QAError):
    """An uploaded file cannot be added: wrong type, too large, unreadable, or nowhere to store it."""

    exit_code = 2


class MissingExtra(QAError):
    """An optional part (the web app, the LangChain retriever) is used without its packages installed."""
