"""The corpus catalog: what corpus/catalog.csv says about each file's title, publisher and date."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.ingest.dates import ACCEPTED_DATES, normalise_date


@dataclass(frozen=True)
class CatalogEntry:
    """What the catalog says about one file; None where a cell is blank."""

    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO, possibly partial: "2023", "2023-10", "2023-10-05"



def read_catalog(path: Path) -> dict[str, CatalogEntry]:
    """Read corpus/catalog.csv (header file,title,publisher,date; '#' comments; blank = unknown); missing -> {}."""
    from qa.ingest.readers import decode_bytes

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise QAError(f"{path}: cannot read the catalog: {exc.strerror or exc}") from exc
    state = {"line": 0}

    def lines() -> Iterator[str]:
        for number, line in enumerate(decode_bytes(raw).splitlines(keepends=True), start=1):
            if not line.lstrip().startswith("#"):
                state["line"] = number
                yield line

    reader = csv.reader(lines())
    header: list[str] | None = None
    entries: dict[str, CatalogEntry] = {}
    for row in reader:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            if "file" not in header:
                raise QAError(
                    f"{path}: line {state['line']}: the first row must be a header naming the columns "
                    f"file,title,publisher,date (found {','.join(cells)!r})"
                )
            continue
        record = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        source = record.get("file", "").replace("\\", "/").strip()
        while source.startswith("./"):
            source = source[2:]
        if not source:
            continue
        date = None
        if record.get("date"):
            date = normalise_date(record["date"])
            if date is None:
                raise QAError(
                    f"{path}: line {state['line']}: date {record['date']!r} is not a date; use {ACCEPTED_DATES}"
                )
        entries[source] = CatalogEntry(
            title=record.get("title") or None, publisher=record.get("publisher") or None, date=date
        )
    return entries
