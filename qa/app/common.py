"""What every part of the app shares: turning an exception into a message for the user."""

from __future__ import annotations

import logging

from qa.errors import BadFilter, BadQuestion, QAError, UploadRejected

log = logging.getLogger("qa.app.handlers")

# What the person asked for cannot be done as asked: their input, not a failure of the server.
_REFUSALS = (BadQuestion, BadFilter, UploadRejected)


def readable(exc: BaseException, doing: str) -> str:
    """A message for the user, never empty, and a line in the server log for every failure.

    The library's own message for QAError (logged as a warning; a refused input only at info level);
    for anything else, or a QAError without words, a generic message, the traceback logged.
    """
    message = " ".join(str(exc).split()) if isinstance(exc, QAError) else ""
    if not message:
        log.error("Unexpected failure while %s: %s", doing, type(exc).__name__, exc_info=exc)
        return f"Something went wrong while {doing}. The details are in the server log; please try again."
    log.log(logging.INFO if isinstance(exc, _REFUSALS) else logging.WARNING, "While %s: %s", doing, message)
    return message
