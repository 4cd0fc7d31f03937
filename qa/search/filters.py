"""User filters (documents, a date range) turned into the ``Where`` a store applies itself."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.errors import BadFilter
from qa.index.base import Where
from qa.ingest.dates import normalise_date
from qa.types import Document, Filters, date_bounds

_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def years_named(text: str) -> set[str]:
    """The four-digit years a question names ("in 2020")."""
    return set(_YEAR.findall(text))


def parse_filter_date(value: str | None, name: str) -> str | None:
    """Validate a --since/--until value and return it as partial ISO."""
    if value is None or not value.strip():
        return None
    parsed = normalise_date(value)
    if parsed is None:
        raise BadFilter(f"{name} {value!r} is not a date. Use YYYY, YYYY-MM or YYYY-MM-DD.")
    return parsed


def make_filters(sources: Sequence[str] | str = (), since: str | None = None, until: str | None = None) -> Filters:
    """Validate user-entered filter values into a Filters object (one source may be given as a string)."""
    if isinstance(sources, str):
        sources = (sources,)
    first, last = parse_filter_date(since, "since"), parse_filter_date(until, "until")
    if first and last and date_bounds(first)[0] > date_bounds(last)[1]:
        raise BadFilter(f"The date range is reversed: 'from' ({first}) is after 'to' ({last}). Swap the two dates.")
    return Filters(sources=tuple(s for s in sources if s), since=first, until=last)


def to_where(filters: Filters) -> Where | None:
    """The store-level filter for these user filters, or None when nothing is filtered."""
    if not filters.active:
        return None
    return Where(
        sources=frozenset(filters.sources) if filters.sources else None,
        date_from=date_bounds(filters.since)[0] if filters.since else None,
        date_to=date_bounds(filters.until)[1] if filters.until else None,
    )


def document_matches(document: Document, filters: Filters) -> bool:
    """True when the document passes the source and date filters (the same rule the stores apply)."""
    where = to_where(filters)
    if where is None:
        return True
    return where.allows({"source": document.source, "date_first": document.date_first, "date_last": document.date_last})
