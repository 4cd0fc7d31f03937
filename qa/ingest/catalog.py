"""The corpus catalog: what corpus/catalog.csv says about each file's title, publisher, date and type.

Read at every ingest; written by the app's document library (``write_entry``), which keeps the file's
comments, its other rows and any extra columns as they were.
"""

from __future__ import annotations

import csv
import io
import os
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
    kind: str | None = None  # document type: "inspection report", "letter", "minutes", "news", "other", ...


def read_catalog(path: Path) -> dict[str, CatalogEntry]:
    """Read corpus/catalog.csv (header file,title,publisher,date[,type]; '#' comments; blank = unknown); missing -> {}."""
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
        if any("\n" in cell for cell in row):  # a quote opened in a cell and never closed took the lines after it
            raise QAError(
                f'{path}: line {state["line"]}: a quote (") opened in a row ending on this line is never closed, '
                "so the rows after it were read as one cell; close the quote or remove it"
            )
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
            title=record.get("title") or None,
            publisher=record.get("publisher") or None,
            date=date,
            kind=record.get("type") or None,
        )
    return entries


COLUMNS = ("file", "title", "publisher", "date", "type")


def write_entry(path: Path, source: str, entry: CatalogEntry | None) -> None:
    """Set (or, with None, remove) the catalog row for ``source``, keeping comments, other rows and extra columns.

    Raises QAError, with the message ``qa ingest`` gives, when the catalog as it stands cannot be read.

    The file is replaced in one step, so a reader never sees half of it. Cells are written as given
    (a date as partial ISO); blank cells mean "detect from the file".
    """
    from qa.ingest.readers import decode_bytes

    path = Path(path)
    # A catalog ingest cannot read (no header row, garbage, a bad date) is refused with ingest's own message:
    # rewriting it would take its first data row for the header and silently drop every other row.
    read_catalog(path)
    try:
        text = decode_bytes(path.read_bytes())
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise QAError(f"{path}: cannot read the catalog: {exc.strerror or exc}") from exc
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    rows = [
        row
        for row in csv.reader(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        if any(c.strip() for c in row)
    ]
    header = [c.strip().lower() for c in rows[0]] if rows else list(COLUMNS)
    header += [c for c in COLUMNS if c not in header]
    body = [dict(zip(header, [c.strip() for c in row])) for row in rows[1:]]
    values = None
    if entry is not None:
        values = {
            "file": source,
            "title": entry.title or "",
            "publisher": entry.publisher or "",
            "date": entry.date or "",
            "type": entry.kind or "",
        }
    found = False
    for row in body:
        if row.get("file", "").replace("\\", "/").removeprefix("./") == source:
            found = True
            if values is not None:
                row.update(values)
    body = [
        row for row in body if values is not None or row.get("file", "").replace("\\", "/").removeprefix("./") != source
    ]
    if values is not None and not found:
        body.append(values)
    out = io.StringIO()
    for line in comments:
        out.write(line + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([row.get(name, "") for name in header])
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(out.getvalue(), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise QAError(f"{path}: cannot write the catalog: {exc.strerror or exc}") from exc
