"""Row metadata held as arrays, so a store filters millions of rows without a Python loop."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from qa.index.base import RowMeta, Where

_NO_DATE = 0


def _ordinal(value: str | None) -> int:
    return date.fromisoformat(value).toordinal() if value else _NO_DATE


class RowTable:
    """Ids and per-row (source, date range) as numpy arrays; sources are coded through a small list."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._position: dict[str, int] | None = {}
        self.sources: list[str] = []
        self._source_code: dict[str, int] = {}
        self.code = np.zeros(0, dtype=np.int32)
        self.first = np.zeros(0, dtype=np.int32)
        self.last = np.zeros(0, dtype=np.int32)
        # The last source filter, the source count it was coded against and its documents by code (both stores of a
        # search share it); the empty mask is never used, since no filter's sources are None.
        self._allowed: tuple[frozenset[str] | None, int, np.ndarray] = (None, 0, np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def position(self) -> dict[str, int]:
        """Id -> row; built on first use, since a search never needs it."""
        if self._position is None:
            self._position = {i: n for n, i in enumerate(self.ids)}
        return self._position

    def append(self, ids: Sequence[str], metadata: Sequence[RowMeta]) -> None:
        """Add rows at the end; ids must be new."""
        if len(ids) != len(metadata):
            raise ValueError(f"{len(ids)} ids but {len(metadata)} metadata rows")
        duplicate = next((i for i in ids if i in self.position), None)
        if duplicate is not None or len(set(ids)) != len(ids):
            raise ValueError(f"id {duplicate!r} is already stored; delete it before adding it again")
        codes = []
        for meta in metadata:
            source = meta["source"]
            if source not in self._source_code:
                self._source_code[source] = len(self.sources)
                self.sources.append(source)
            codes.append(self._source_code[source])
        start = len(self.ids)
        self.ids.extend(ids)
        self.position.update((i, start + n) for n, i in enumerate(ids))
        self.code = np.concatenate([self.code, np.asarray(codes, dtype=np.int32)])
        self.first = np.concatenate(
            [self.first, np.asarray([_ordinal(m["date_first"]) for m in metadata], dtype=np.int32)]
        )
        self.last = np.concatenate(
            [self.last, np.asarray([_ordinal(m["date_last"]) for m in metadata], dtype=np.int32)]
        )

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows the mask selects, in order."""
        self.ids = [i for i, ok in zip(self.ids, mask.tolist()) if ok]
        self._position = None
        self.code, self.first, self.last = self.code[mask], self.first[mask], self.last[mask]

    def rows_of(self, ids: Sequence[str]) -> np.ndarray:
        """Row positions of the given ids (KeyError naming an unknown one)."""
        try:
            return np.fromiter((self.position[i] for i in ids), dtype=np.int64, count=len(ids))
        except KeyError as exc:
            raise KeyError(f"unknown id {exc.args[0]!r}") from None

    def meta(self, row: int) -> RowMeta:
        first, last = int(self.first[row]), int(self.last[row])
        return RowMeta(
            source=self.sources[int(self.code[row])],
            date_first=date.fromordinal(first).isoformat() if first else None,
            date_last=date.fromordinal(last).isoformat() if last else None,
        )

    def mask(self, where: Where | None) -> np.ndarray | None:
        """Boolean mask of the rows a filter allows, or None when it allows everything."""
        if where is None or not where.active:
            return None
        ok = np.ones(len(self.ids), dtype=bool)
        if where.sources is not None:
            sources, known, allowed = self._allowed
            if not (sources is where.sources or sources == where.sources) or known != len(self.sources):
                allowed = np.zeros(len(self.sources) + 1, dtype=bool)  # by source code: one lookup per row, no sort
                allowed[[self._source_code[s] for s in where.sources if s in self._source_code]] = True
                self._allowed = (where.sources, len(self.sources), allowed)
            ok &= allowed[self.code]
        if where.date_from is not None or where.date_to is not None:
            ok &= self.first != _NO_DATE
            if where.date_from is not None:
                ok &= self.last >= where.date_from.toordinal()
            if where.date_to is not None:
                ok &= self.first <= where.date_to.toordinal()
        return ok

    def save(self, folder: Path) -> None:
        """ids and sources as JSON, the per-row arrays as .npy (no pickle)."""
        (folder / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")
        (folder / "sources.json").write_text(json.dumps(self.sources, ensure_ascii=False), encoding="utf-8")
        np.save(
            folder / "rows.npy",
            np.stack([self.code, self.first, self.last]) if len(self.ids) else np.zeros((3, 0), np.int32),
            allow_pickle=False,
        )

    @classmethod
    def load(cls, folder: Path) -> RowTable:
        table = cls()
        table.ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        if not isinstance(table.ids, list) or not all(isinstance(i, str) for i in table.ids):
            raise ValueError(f"{folder / 'ids.json'} is not a list of string ids")
        table._position = None
        table.sources = [str(s) for s in json.loads((folder / "sources.json").read_text(encoding="utf-8"))]
        table._source_code = {s: n for n, s in enumerate(table.sources)}
        rows = np.load(folder / "rows.npy", allow_pickle=False)
        if rows.shape != (3, len(table.ids)):
            raise ValueError(f"{folder / 'rows.npy'} has shape {rows.shape} for {len(table.ids)} ids")
        table.code, table.first, table.last = (np.ascontiguousarray(r, dtype=np.int32) for r in rows)
        return table
