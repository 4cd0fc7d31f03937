"""HTML: the main content as lines of text, with title, date and publisher from the page's metadata."""

from __future__ import annotations

import html as html_lib
import logging
import re
from typing import Any

from qa.ingest.readers.loaded import Loaded
from qa.ingest.readers.text import clean_text, decode_bytes, refuse_binary
from qa.types import CELL

MAIN_TEXT_MIN_SHARE = 0.3  # trafilatura's main text must hold 30% of the content-shaped text to be trusted
_WORDS = re.compile(r"[^\W_]+")
HEADINGS_CHECKED = 10
HEADING_MIN_WORDS = 4  # a heading this long found inside the <title> is the title proper
HEADING_SHARE = 0.5  # ... when it is at least half of the <title>
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")

_HTML_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "head",
        "title",
        "meta",
        "link",
        "object",
        "embed",
        "canvas",
        "map",
        "dialog",
    }
)
_HTML_DROP_ROLES = frozenset({"navigation", "search", "contentinfo", "complementary"})
_HTML_LINE = frozenset(
    {
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "tr",
        "section",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "figure",
        "figcaption",
        "address",
        "main",
        "article",
        "hr",
        "details",
        "summary",
        "center",
        "fieldset",
        "legend",
    }
)
_HTML_BLOCK = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"})
_BREAK, _BLOCK = "\x00", "\x01"  # sentinels: end of line, end of block (stripped from content first)
_HTML_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "citation_publication_date",
)


def read_html(data: bytes) -> Loaded:
    """Read HTML bytes into text (one line per block element) and metadata."""
    from bs4 import BeautifulSoup
    from bs4.dammit import EncodingDetector

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        # Honour a declared charset; otherwise decode as for text files.
        markup = data if declared else refuse_binary(decode_bytes(data))
        soup = BeautifulSoup(markup, "lxml", from_encoding=declared or None)
        meta = _html_metadata(soup)
        text = _html_text(soup)
    except RecursionError:
        return Loaded(text=_html_flat_text(decode_bytes(data)))
    source = markup if isinstance(markup, str) else data.decode(declared or "utf-8", errors="replace")
    return Loaded(text=text, furniture=outside_main_text(source, text), **meta)


def outside_main_text(markup: str, text: str) -> list[tuple[int, int]]:
    """Spans of the content-shaped lines of ``text`` that trafilatura leaves out of the page's main text.

    The page is still shown as extracted here (markup as text, one line per
    block); trafilatura's judgement of what is boilerplate (cookie notices,
    "most read" teasers, copyright lines written as sentences) only keeps those
    lines out of the content. When it keeps under MAIN_TEXT_MIN_SHARE of the
    content-shaped text it has likely misjudged the page, and nothing is marked.
    """
    try:
        import trafilatura

        # Its judgement is advisory here: a page it cannot make sense of is not an error for the user to see.
        for name in ("trafilatura", "htmldate", "courlan"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        main = trafilatura.extract(markup, include_tables=True, include_comments=False, favor_recall=True)
    except Exception:  # not installed, or a page it cannot parse: the shape rules alone decide
        return []
    if not main:
        return []
    from qa.ingest.furniture import is_content_line

    kept = f" {_words(main)} "
    spans: list[tuple[int, int]] = []
    total = dropped = 0
    for match in re.finditer(r"[^\n]+", text):
        words = _words(match.group(0))
        if not words or not is_content_line(match.group(0)):
            continue
        total += len(words)
        if f" {words} " not in kept:
            spans.append(match.span())
            dropped += len(words)
    return spans if total and dropped <= (1 - MAIN_TEXT_MIN_SHARE) * total else []


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


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
    title = _page_title(soup)
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


def _page_title(soup: Any) -> str | None:
    """The page's headline: a heading that og:title or <title> wraps (two sources agreeing), else the one
    <h1> of its article, else og:title, else <title>, dates taken out.

    og:title is often a line written for social media, or the site's own name, and an
    article's <h1> can be a photo caption; a heading the page's titles repeat is neither.
    """
    from qa.ingest.dates import without_dates

    og = _meta_content(soup, "og:title")
    page = " ".join(soup.title.get_text().split()) if soup.title is not None else ""
    for candidate in (og, page):
        heading = _heading_within(soup, candidate) if candidate else None
        if heading:
            return heading
    fallback = og or page or None
    return _article_headline(soup) or (fallback and (without_dates(fallback) or fallback))


def _article_headline(soup: Any) -> str | None:
    """The one <h1> of the page's <main> or <article>, when it has one: the headline readers see.

    An <h1> outside the content (a site name, a menu) is not looked at.
    """
    root = _html_root(soup)
    if root is None or root.name not in ("main", "article"):
        return None
    headings = [" ".join(h.get_text(" ").split()) for h in root.find_all("h1")]
    if len(headings) == 1 and len(headings[0].split()) >= HEADING_MIN_WORDS:
        return headings[0]
    return None


def _heading_within(soup: Any, title: str) -> str | None:
    """The page's own heading when ``title`` wraps it in ids, dates or site names, else None.

    "Some Centers Did Not Comply Audit (A-09-13-01008) 01-30-2015" with a heading
    "01-30-2015 Some Centers Did Not Comply" -> "Some Centers Did Not Comply".
    """
    from qa.ingest.dates import without_dates

    bare = (without_dates(title) or title).lower()
    best = None
    for tag in soup.find_all(["h1", "h2"], limit=HEADINGS_CHECKED):
        heading = without_dates(" ".join(tag.get_text(" ").split()))
        words = len(heading.split())
        # Most of the title: a site's name at its end ("... - The New York Times") is not the headline.
        if words >= HEADING_MIN_WORDS and heading.lower() in bare and words >= HEADING_SHARE * len(bare.split()):
            if best is None or len(heading) > len(best):
                best = heading
    return best


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
                out.append(CELL)
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
