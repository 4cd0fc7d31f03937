"""What every part of the app shares: turning an exception into a message for the user."""

from __future__ import annotations

import logging

from qa.errors import QAError

log = logging.getLogger("qa.app.handlers")


def readable(exc: Exception, doing: str) -> str:
    """A message for the user: the library's own for QAError, a generic one (traceback logged) otherwise."""
    if isinstance(exc, QAError):
        return str(exc)
    log.exception("Unexpected failure while %s", doing)
    return f"Something went wrong while {doing}. The details are in the server log; please try again."


def request_user(request) -> str:
    """Who is at the other end of a request, for the audit log and verdicts: the login name, else the address."""
    name = getattr(request, "username", None) if request is not None else None
    if name:
        return str(name)
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return f"anonymous ({host})" if host else "anonymous"
