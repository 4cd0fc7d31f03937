"""Logins: the user:password pairs the app accepts, from a setting and a file."""

from __future__ import annotations

from pathlib import Path

from qa.errors import QAError
from qa.settings import Settings


def auth_pairs(settings: Settings) -> list[tuple[str, str]] | None:
    """Login pairs from ``app.auth`` ('user:password') and ``app.auth_file`` (one per line); None if unset."""
    lines: list[tuple[str, str]] = []
    if settings.app.auth:
        lines.append(("QA_APP__AUTH", settings.app.auth))
    if settings.app.auth_file:
        try:
            text = Path(settings.app.auth_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise QAError(f"Cannot read the login file {settings.app.auth_file}: {exc.strerror or exc}.") from exc
        lines += [(str(settings.app.auth_file), line.strip()) for line in text.splitlines()]
    pairs = []
    for origin, line in lines:
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise QAError(f"A login in {origin} is not in the form 'user:password'. Fix it or unset it.")
        pairs.append((user.strip(), password))
    return pairs or None
