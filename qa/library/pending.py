"""Documents being indexed right now, so an answer given meanwhile can say which ones it could not see yet."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class Indexing:
    """The names of the documents whose upload is being indexed; safe to share between threads."""

    def __init__(self) -> None:
        self._names: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def running(self, names: Iterable[str]) -> Iterator[None]:
        """Mark ``names`` as being indexed for the duration of the block."""
        names = [n for n in names if n]
        with self._lock:
            self._names.update(names)
        try:
            yield
        finally:
            with self._lock:
                self._names.subtract(names)
                self._names = +self._names  # drop the zeros

    def names(self) -> list[str]:
        """The documents being indexed now, in name order."""
        with self._lock:
            return sorted(self._names)

    def notice(self) -> str:
        """A sentence for an answer given while documents are being indexed, or '' when none are."""
        names = self.names()
        if not names:
            return ""
        shown = ", ".join(names)
        return f"Still being indexed, so not searched yet: {shown}. Ask again when the upload has finished."
