"""Read one source file into the plain text a user will view; every citation is an offset into it.

Conventions the rest of the pipeline relies on: newlines are "\\n" only, one
line per paragraph, a blank line between blocks, and no control characters
other than "\\n" and "\\t". Heavy parsers are imported only when a file needs them.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import LoadError
from qa.types import Page

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})

_MB = 1024 * 1024
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 (bar \t \n), DEL and C1: never text, and C1 can drive terminals
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")  # never in real text; common in binary read as text
BINARY_SHARE = 0.1
_BLANK_RUNS = re.compile(r"\n{3,}")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


@dataclass(frozen=True)
class Loaded:
    """A file's viewable text, its page spans and whatever metadata the format carried."""

    text: str
    pages: list[Page] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    publisher: str | None = None


class _Refused(Exception):
    """A reason a file cannot be loaded; read_file prefixes it with the file name."""


def read_file(path: Path, max_bytes: int) -> Loaded:
    """Read one supported file; raise qa.errors.LoadError naming the file and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = suffix or "(no suffix)"
        raise LoadError(f"{path.name}: unsupported file type {shown}; supported types are {supported}")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        try:
            size = max(path.stat().st_size, len(data))
        except OSError:
            size = len(data)
        raise LoadError(
            f"{path.name}: {size / _MB:.1f} MB ({size} bytes) is larger than the limit of "
            f"{max_bytes / _MB:.1f} MB ({max_bytes} bytes); raise max_file_mb to include it"
        )
    try:
        if suffix in (".html", ".htm"):
            return _read_html(data)
        if suffix == ".pdf":
            return _read_pdf(data)
        if suffix == ".docx":
            return _read_docx(data, max_bytes)
        return Loaded(text=clean_text(_refuse_binary(decode_bytes(data))))
    except _Refused as exc:
        raise LoadError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # any parser failure becomes a per-file LoadError
        raise LoadError(f"{path.name}: could not be read as {suffix[1:]}: {type(exc).__name__}: {exc}") from exc


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


def _refuse_binary(text: str) -> str:
    """Return ``text``, unless so much of it is control characters that it must be binary data misnamed as text."""
    if text and len(_BINARY.findall(text)) > BINARY_SHARE * len(text):
        raise _Refused("looks like binary data, not text (many control characters); check the file type")
    return text


def clean_text(text: str) -> str:
    """Normalise newlines to "\\n", blank out control characters and strip trailing whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).rstrip()


# --- HTML -----------------------------------------------------------------

_HTML_DROP = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "svg", "nav", "header", "footer", "aside", "form",
        "button", "select", "head", "title", "meta", "link", "object", "embed", "canvas", "map", "dialog",
    }
)
_HTML_DROP_ROLES = frozenset({"navigation", "search", "contentinfo", "complementary"})
_HTML_LINE = frozenset(
    {
        "p", "div", "li", "dt", "dd", "tr", "section", "blockquote", "pre", "ul", "ol", "dl", "table", "thead",
        "tbody", "tfoot", "caption", "figure", "figcaption", "address", "main", "article", "hr", "details",
        "summary", "center", "fieldset", "legend",
    }
)
_HTML_BLOCK = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"})
_BREAK, _BLOCK = "\x00", "\x01"  # sentinels: end of line, end of block (stripped from content first)
_HTML_DATE_META = (
    "article:published_time", "og:published_time", "datepublished", "date", "dc.date", "dc.date.issued",
    "dcterms.issued", "dcterms.created", "citation_publication_date",
)


def _read_html(data: bytes) -> Loaded:
    from bs4 import BeautifulSoup
    from bs4.dammit import EncodingDetector

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        # Honour a declared charset; otherwise decode as for text files.
        markup = data if declared else _refuse_binary(decode_bytes(data))
        soup = BeautifulSoup(markup, "lxml", from_encoding=declared or None)
        meta = _html_metadata(soup)
        text = _html_text(soup)
    except RecursionError:
        return Loaded(text=_html_flat_text(decode_bytes(data)))
    return Loaded(text=text, **meta)


def _meta_content(soup: Any, *keys: str) -> str | None:
    """The content of the first <meta> named by the earliest of ``keys`` present."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = " ".join(str(tag.get("content") or "").split())
        if key in keys and content:
            found.setdefault(key, content)
    return next((found[key] for key in keys if key in found), None)


def _iso_date(value: str | None) -> str | None:
    """The ISO date at the start of ``value`` ("2020-01-21T09:00Z" -> "2020-01-21"), validated."""
    import datetime as dt

    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return match[0].strip()


def _html_metadata(soup: Any) -> dict[str, str | None]:
    title = _meta_content(soup, "og:title")
    if not title and soup.title is not None:
        title = " ".join(soup.title.get_text().split()) or None
    date = _iso_date(_meta_content(soup, *_HTML_DATE_META))
    if date is None:
        stamp = soup.find(attrs={"itemprop": "datePublished"}) or soup.find("time", attrs={"pubdate": True})
        if stamp is None:
            root = soup.find("main") or soup.find("article")
            stamp = root.find("time", attrs={"datetime": True}) if root is not None else None
        if stamp is not None:
            date = _iso_date(stamp.get("datetime") or stamp.get("content"))
    publisher = _meta_content(soup, "og:site_name")
    if title and publisher:  # "Council backs plan | Example News" -> "Council backs plan"
        for separator in (" | ", " - ", " – ", " — ", " :: "):
            if title.endswith(separator + publisher) and len(title) > len(separator + publisher):
                title = title[: -len(separator + publisher)].strip()
                break
    return {"title": title, "date": date, "publisher": publisher}


def _html_root(soup: Any) -> Any:
    """The main content element: <main>, else the longest <article>, else <body>."""
    main = soup.find("main")
    if main is not None and main.get_text(strip=True):
        return main
    articles = [a for a in soup.find_all("article") if a.get_text(strip=True)]
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.body or soup


def _html_text(soup: Any) -> str:
    """Walk the content element without recursion, one line per block element."""
    from bs4.element import NavigableString, PreformattedString, Tag

    root = _html_root(soup)
    keep_header = root.name in ("main", "article")  # an article's own header holds its title and date
    out: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, in_pre = stack.pop()
        if isinstance(node, Tag):
            name = node.name
            if node is not root and (
                (name in _HTML_DROP and not (name == "header" and keep_header))
                or node.has_attr("hidden")
                or str(node.get("role", "")).lower() in _HTML_DROP_ROLES
            ):
                continue
            if name == "br":
                out.append(_BREAK)
                continue
            if name in ("td", "th") and node.find_previous_sibling(["td", "th"]) is not None:
                out.append(" | ")
            end = _BLOCK if name in _HTML_BLOCK else _BREAK if name in _HTML_LINE else None
            if end:
                out.append(end)
                stack.append((end, False))
            inner = in_pre or name == "pre"
            stack.extend((child, inner) for child in reversed(node.contents))
        elif node is _BREAK or node is _BLOCK:
            out.append(node)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            piece = str(node).replace(_BREAK, " ").replace(_BLOCK, " ")
            out.append(piece.replace("\n", _BREAK) if in_pre else piece)
    return _join_lines("".join(out))


def _join_lines(raw: str) -> str:
    """Turn sentinel-marked text into lines: collapse inline whitespace, one blank line between blocks."""
    lines: list[str] = []
    for block in raw.split(_BLOCK):
        for line in block.split(_BREAK):
            line = " ".join(line.split())
            if line and line != "|":
                lines.append(line)
        if lines and lines[-1]:
            lines.append("")
    return clean_text("\n".join(lines))


_FLAT_DROP = re.compile(
    r"<(script|style|noscript|template|iframe|svg|nav|header|footer|aside|form|button|select|head)\b.*?</\1\s*>"
    r"|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_FLAT_LINE = re.compile(
    r"</?(?:p|div|li|h[1-6]|tr|br|section|blockquote|pre|table|article|main)\b[^>]*>", re.IGNORECASE
)
_FLAT_TAG = re.compile(r"<[^>]*>")


def _html_flat_text(markup: str) -> str:
    """Fallback for markup too deep to walk: strip tags with regexes, one line per block tag."""
    markup = _FLAT_DROP.sub(" ", markup)
    markup = _FLAT_LINE.sub(_BREAK, markup.replace(_BREAK, " ").replace(_BLOCK, " "))
    return _join_lines(html_lib.unescape(_FLAT_TAG.sub(" ", markup)).replace(_BLOCK, " "))


# --- PDF ------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?:][\"'”’)\]]*$")
_MARKER = re.compile(r"^(?:[•·▪◦‣●○■□►–—*-]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)])(?:\s|$)")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def _read_pdf(data: bytes) -> Loaded:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise _Refused(f"the PDF is encrypted and cannot be opened ({exc}); save an unencrypted copy") from exc
        if not opened:
            raise _Refused("the PDF is password-protected; save an unencrypted copy")
    texts: list[str] = []
    failure: Exception | None = None
    for page in reader.pages:
        try:
            texts.append(reflow_page(clean_text(page.extract_text() or "")))
        except Exception as exc:  # one bad page should not lose the others
            failure = failure or exc
            texts.append("")
    if not any(texts):
        if failure is not None:
            raise _Refused(f"no text could be extracted ({type(failure).__name__}: {failure})")
        raise _Refused("the PDF has no text layer (scanned images?); it needs OCR before it can be indexed")
    parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, page_text in enumerate(texts, start=1):
        if parts and page_text:  # an empty page is a zero-width span, with no separator
            parts.append("\n\n")
            offset += 2
        parts.append(page_text)
        pages.append(Page(number, offset, offset + len(page_text)))
        offset += len(page_text)
    return Loaded(text="".join(parts), pages=pages, title=_pdf_title(reader))


def _pdf_title(reader: Any) -> str | None:
    try:
        title = " ".join(str((reader.metadata or {}).get("/Title") or "").split())
    except Exception:
        return None
    if not title or title.lower() in ("untitled", "title", "document") or title.startswith("Microsoft "):
        return None
    if re.search(r"\.(docx?|pdf|indd|rtf|odt|pptx?|xlsx?)$", title, re.IGNORECASE):
        return None
    return title


def reflow_page(text: str) -> str:
    """Re-flow a page's hard-wrapped lines into one line per paragraph, mending hyphenated breaks."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    typical = lengths[int(0.9 * (len(lengths) - 1))]
    short = 0.8 * typical
    out: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            if current:
                out.append(current)
                current = ""
            continue
        if _HYPHENATED.search(current):
            # "inter-" + "national" is one word; "Anglo-" + "Saxon" keeps its hyphen.
            current = current[:-1] + line if line[0].islower() else current + line
        else:
            current = f"{current} {line}" if current else line
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not following:
            continue  # a blank line or the end of the page closes the paragraph
        # A wrapped line fills the width, so a clearly short one ends its paragraph when it
        # closes a sentence or the next line starts afresh (a heading followed by text).
        ends_short = len(line) < short and not _HYPHENATED.search(line)
        starts_afresh = following[0].isupper() or following[0].isdigit()
        if _MARKER.match(following) or (ends_short and (_TERMINAL.search(line) or starts_afresh)):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)


# --- DOCX -----------------------------------------------------------------

_DOCX_FLOOR = 200 * _MB
_BOMB_RATIO, _BOMB_MIN = 100, 50 * _MB


def _check_zip(data: bytes, max_bytes: int) -> None:
    """Refuse archives that are not zips or that would inflate to an unreasonable size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _Refused(f"not a valid .docx (zip) file: {exc}") from exc
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    limit = max(20 * max_bytes, _DOCX_FLOOR)
    if unpacked > limit:
        raise _Refused(
            f"unpacks to {unpacked / _MB:.0f} MB, more than the {limit / _MB:.0f} MB allowed; "
            "refusing a possible zip bomb"
        )
    if unpacked > _BOMB_MIN and unpacked > _BOMB_RATIO * max(packed, 1):
        raise _Refused(
            f"compressed {unpacked // max(packed, 1)}:1 to {unpacked / _MB:.0f} MB; refusing a possible zip bomb"
        )


def _read_docx(data: bytes, max_bytes: int) -> Loaded:
    _check_zip(data, max_bytes)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    pending = list(document.element.body.iterchildren())
    pending.reverse()
    while pending:
        element = pending.pop()
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            if _is_heading(paragraph) and lines and lines[-1]:
                lines.append("")
            lines.append(paragraph.text)
        elif tag == "tbl":
            if lines and lines[-1]:
                lines.append("")
            for row in Table(element, document).rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is not previous:  # a merged cell repeats once per grid column
                        cells.append(" ".join(cell.text.split()))
                    previous = cell._tc
                if any(cells):
                    lines.append(" | ".join(cells))
            lines.append("")
        elif tag == "sdt":  # content controls wrap ordinary paragraphs and tables
            content = [c for c in element.iterchildren() if c.tag.endswith("}sdtContent")]
            for box in reversed(content):
                pending.extend(reversed(list(box.iterchildren())))
    text = "\n".join(line.rstrip() for line in clean_text("\n".join(lines)).split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text.lstrip("\n"))
    title = " ".join((document.core_properties.title or "").split()) or None
    return Loaded(text=text, title=title)


def _is_heading(paragraph: Any) -> bool:
    try:
        name = paragraph.style.name or ""
    except Exception:  # a missing or broken style part
        return False
    return name.startswith(("Heading", "Title"))
