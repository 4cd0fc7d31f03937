"""The embedded dense store: FAISS inner product over normalised vectors, with array filters.

Exact search (a flat index) for ordinary collections; HNSW above
``hnsw_threshold`` rows, searched with ``efSearch`` set from the depth asked
for and the row count. A filter becomes a bitmap FAISS applies during the
search; under HNSW a filter that leaves fewer rows than the filtered walk would
compute distances for is answered by an exact scan of just those rows (cheaper,
and a narrow filter's walk finds few of them).

One query is searched on one thread: splitting a single query's scan across
OpenMP threads measured about twice slower here (bench/results/report.md),
and a server answers several questions on threads of its own. Building and
batch searches keep FAISS's default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, cast
from pathlib import Path

import numpy as np

from qa.index.base import RowMeta, Where
from qa.index.rows import RowTable

HNSW_THRESHOLD = 200_000
HNSW_NEIGHBOURS = 32
HNSW_MIN_EF = 512  # the least efSearch of an HNSW search (see _params)
HNSW_EF_PER_SQRT_ROW = 2.0  # efSearch grows with the square root of the row count (see _params)
HNSW_EF_CONSTRUCTION = 80  # candidate list while building the graph (FAISS's default is 40; see _new_index)
QUERY_THREADS = 1  # OpenMP threads for one query's search (the setting is per calling thread)


class FaissStore:
    """Dense vectors by string id, searched with FAISS; the rows' metadata filters in numpy."""

    name = "faiss"

    def __init__(self, dimension: int, hnsw_threshold: int = HNSW_THRESHOLD) -> None:
        self.dimension = dimension
        self.hnsw_threshold = hnsw_threshold
        self.rows = RowTable()
        self._index = self._new_index(0)

    # -- the DenseStore protocol ------------------------------------------------------------

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[RowMeta]) -> None:
        """Append rows; ids must not be stored already."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        if len(vectors) != len(ids):
            raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
        self.rows.append(list(ids), metadata)
        if self._is_hnsw() != (len(self.rows) > self.hnsw_threshold):
            self._rebuild(np.vstack([self._all_vectors(), vectors]))  # crossed the size where HNSW pays
        elif len(vectors):
            self._index.add(vectors)

    def delete(self, ids: Sequence[str]) -> None:
        """Remove rows by id; unknown ids are ignored."""
        drop = [self.rows.position[i] for i in ids if i in self.rows.position]
        if not drop:
            return
        keep = np.ones(len(self.rows), dtype=bool)
        keep[drop] = False
        remaining = self._all_vectors()[keep].copy()
        self.rows.keep(keep)
        self._rebuild(remaining)

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """Up to k (id, inner product) pairs, best first, among the rows ``where`` allows."""
        total = len(self.rows)
        mask = self.rows.mask(where)
        allowed = total if mask is None else int(mask.sum())
        k = min(k, allowed)
        if k <= 0:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dimension)
        index, params = self._index, None
        if self._is_hnsw():
            ef = hnsw_ef_search(k, total, allowed)
            if mask is not None and allowed <= ef * HNSW_NEIGHBOURS:
                # A filtered walk computes some ef x M distances and skips the rows the filter removes;
                # scanning only the allowed rows is cheaper once they are fewer (and exact).
                import faiss

                index, params = faiss.downcast_index(self._index.storage), None
            else:
                params = self._params(ef)
        if params is None:
            import faiss

            params = faiss.SearchParameters()
        bitmap = None
        if mask is not None:
            import faiss

            bitmap = np.packbits(mask, bitorder="little")  # must outlive the search
            params.sel = faiss.IDSelectorBitmap(total, faiss.swig_ptr(bitmap))
        scores, found = _search_on_threads(index, query, k, params, QUERY_THREADS)
        return [(self.rows.ids[int(r)], float(s)) for r, s in zip(found[0], scores[0]) if r >= 0]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids``, in that order."""
        if not len(ids):
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: np.ndarray = self._all_vectors()[self.rows.rows_of(ids)]
        return vectors

    def count(self) -> int:
        return len(self.rows)

    def meta(self, id_: str) -> RowMeta:
        return self.rows.meta(self.rows.position[id_])

    def save(self, folder: Path) -> None:
        """The FAISS index in FAISS's own format (flat or HNSW) beside the row table.

        FAISS reads its own format straight into the index, about three times faster
        than loading an .npy and adding its rows (which copies them once more).
        """
        import faiss

        folder.mkdir(parents=True, exist_ok=True)
        self.rows.save(folder)
        (folder / "store.json").write_text(
            json.dumps({"dimension": self.dimension, "hnsw": self._is_hnsw()}), encoding="utf-8"
        )
        faiss.write_index(self._index, str(folder / "dense.faiss"))

    @classmethod
    def load(cls, folder: Path, hnsw_threshold: int = HNSW_THRESHOLD) -> FaissStore:
        import faiss

        info = json.loads((folder / "store.json").read_text(encoding="utf-8"))
        store = cls(int(info["dimension"]), hnsw_threshold)
        store.rows = RowTable.load(folder)
        store._index = faiss.read_index(str(folder / "dense.faiss"))
        kind = "HNSW" if info.get("hnsw") else "flat"
        if store._is_hnsw() != bool(info.get("hnsw")) or not isinstance(
            store._index, (faiss.IndexHNSWFlat, faiss.IndexFlatIP)
        ):
            raise ValueError(f"{folder / 'dense.faiss'} does not hold the {kind} inner-product index store.json names")
        if store._index.ntotal != len(store.rows) or store._index.d != store.dimension:
            raise ValueError(f"{folder} holds {store._index.ntotal} vectors for {len(store.rows)} ids")
        return store

    # -- internals ----------------------------------------------------------------------------

    def _new_index(self, count: int, hnsw: bool | None = None) -> Any:
        import faiss

        if hnsw if hnsw is not None else count > self.hnsw_threshold:
            index = faiss.IndexHNSWFlat(self.dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            # A better-connected graph finds more of the true neighbours at the same efSearch; the price is
            # paid once, at build time (bench/findings.md has recall against both at 100k rows).
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            return index
        return faiss.IndexFlatIP(self.dimension)

    def _is_hnsw(self) -> bool:
        return hasattr(self._index, "hnsw")

    def _rebuild(self, vectors: np.ndarray) -> None:
        self._index = self._new_index(len(vectors))
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def _all_vectors(self) -> np.ndarray:
        """A zero-copy view of the vectors FAISS holds, row i for id i."""
        import faiss

        flat: Any = faiss.downcast_index(self._index.storage) if self._is_hnsw() else self._index
        count = flat.ntotal
        if not count:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: np.ndarray = faiss.rev_swig_ptr(flat.get_xb(), count * self.dimension).reshape(count, self.dimension)
        return vectors

    @staticmethod
    def _params(ef: int) -> Any:
        import faiss

        params = cast(Any, faiss).SearchParametersHNSW()  # not in faiss's type stubs
        params.efSearch = ef
        return params


def hnsw_ef_search(k: int, total: int, allowed: int) -> int:
    """efSearch for k results among ``allowed`` of ``total`` rows.

    Deeper than asked (8k), deeper as the graph grows (a fixed efSearch finds a
    shrinking share of the true top k as rows are added: on hard synthetic vectors,
    efSearch 512 found 0.99 of the top 10 at 30k rows but 0.86 at 100k), and deeper
    again in proportion to the rows a filter removes, since a filtered walk skips them.
    The measured recall and latency by efSearch are in bench/results/report.md.
    """
    base = max(HNSW_MIN_EF, 8 * k, math.ceil(HNSW_EF_PER_SQRT_ROW * math.sqrt(total)))
    return min(total, base * math.ceil(total / max(allowed, 1)))


def _search_on_threads(
    index: Any, query: np.ndarray, k: int, params: Any, threads: int
) -> tuple[np.ndarray, np.ndarray]:
    """``index.search`` with OpenMP limited to ``threads`` for this calling thread, restored after."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        found: tuple[np.ndarray, np.ndarray] = index.search(query, k, params=params)
        return found
    finally:
        faiss.omp_set_num_threads(before)
