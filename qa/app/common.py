"""What every part of the app shares: turning an exception into a message for the user."""

from __future__ import annotations

import logging
import re

from qa.errors import BadFilter, BadQuestion, QAError, UploadRejected

log = logging.getLogger("qa.app.handlers")

# What the person asked for cannot be done as asked: their input, not a failure of the server.
_REFUSALS = (BadQuestion, BadFilter, UploadRejected)
# An absolute path on the server (not part of a URL or a longer word): the page shows its last part only.
_SERVER_PATH = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"(),:;]+/)+[^\s/'\"(),:;]*")


def readable(exc: BaseException, doing: str) -> str:
    """A message for the user, never empty, and a line in the server log for every failure.

    The library's own message for QAError (logged as a warning; a refused input only at info level), with
    server paths cut to their file names; for anything else, or a QAError without words, a generic message,
    the traceback logged.
    """
    message = " ".join(str(exc).split()) if isinstance(exc, QAError) else ""
    if not message:
        log.error("Unexpected failure while %s: %s", doing, type(exc).__name__, exc_info=exc)
        return f"Something went wrong while {doing}. The details are in the server log; please try again."
    log.log(logging.INFO if isinstance(exc, _REFUSALS) else logging.WARNING, "While %s: %s", doing, message)
    return without_server_paths(message)


def without_server_paths(message: str) -> str:
    """The message with each absolute server path cut to its file name (the log keeps the whole path)."""
    return _SERVER_PATH.sub(lambda found: found.group(0).rstrip("/").rsplit("/", 1)[-1], message)


def request_user(request) -> str:
    """Who is at the other end of a request, for the audit log and verdicts: the login name, else the address."""
    name = getattr(request, "username", None) if request is not None else None
    if name:
        return str(name)
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return f"anonymous ({host})" if host else "anonymous"
