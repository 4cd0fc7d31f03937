"""Plain text and Markdown: decoding, the text conventions every reader follows, and front matter."""

from __future__ import annotations

import re

from qa.ingest.readers.loaded import Loaded

_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)  # C0 (bar \t \n), DEL and C1: never text, and C1 can drive terminals
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")  # never in real text; common in binary read as text
BINARY_SHARE = 0.1
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(Exception):
    """A reason a file cannot be loaded; read_file prefixes it with the file name."""


def read_text(data: bytes) -> Loaded:
    """A text file as decoded, control characters blanked."""
    return Loaded(text=clean_text(refuse_binary(decode_bytes(data))))


def decode_bytes(data: bytes) -> str:
    """Decode as UTF-8 (BOM stripped), else charset_normalizer's guess, else cp1252, else latin-1; never raises."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    try:
        import charset_normalizer

        matches = charset_normalizer.from_bytes(data)
        best = matches.best()
        # On short Western text the detector picks among equally clean single-byte
        # code pages almost at random (mac_latin2 turns "café" into "cafť", cp1250
        # turns "£" into "Ł"). When cp1252 reads the bytes as cleanly, or the
        # detector has no language evidence, cp1252 is the likelier source.
        western = cp1252 is not None and (
            best is None
            or best.language == "Unknown"
            or any(m.encoding in _WESTERN and m.chaos <= best.chaos for m in matches)
        )
        if best is not None and not western:
            return str(best)
    except Exception:
        pass
    if cp1252 is not None:
        return cp1252
    return data.decode("latin-1", errors="replace")


def refuse_binary(text: str) -> str:
    """Return ``text``, unless so much of it is control characters that it must be binary data misnamed as text."""
    if text and len(_BINARY.findall(text)) > BINARY_SHARE * len(text):
        raise Refused("looks like binary data, not text (many control characters); check the file type")
    return text


def clean_text(text: str) -> str:
    """Normalise newlines to "\\n", blank out control characters and strip trailing whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).rstrip()


def read_markdown(data: bytes) -> Loaded:
    """A Markdown file as decoded; YAML front matter gives the title and date and is never content."""
    from qa.ingest.lines import front_matter_end

    text = clean_text(refuse_binary(decode_bytes(data)))
    end = front_matter_end(text)
    if not end:
        return Loaded(text=text)
    title, date = _front_matter(text[:end])
    return Loaded(text=text, title=title, date=date, furniture=[(0, len(text[:end].rstrip()))])


def _front_matter(block: str) -> tuple[str | None, str | None]:
    """The title and date a front matter block states, read with python-frontmatter; (None, None) if unreadable."""
    from qa.ingest.dates import normalise_date

    try:
        import frontmatter

        metadata = frontmatter.loads(block).metadata
    except Exception:  # malformed YAML, or the package missing: the block is still not content
        return None, None
    title = metadata.get("title")
    title = " ".join(str(title).split()) or None if isinstance(title, (str, int, float)) else None
    date = metadata.get("date")
    if date is not None and not isinstance(date, str):
        date = date.isoformat() if hasattr(date, "isoformat") else str(date)
    return title, normalise_date(date[:10] if date and _ISO_START.match(date) else str(date or ""))
