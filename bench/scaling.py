"""Scaling of the index layers on synthetic passages: build, open, memory, latency, ANN recall.

Vectors are clustered (points around a thousand centres, as real embeddings
are, not uniform noise, which no ANN index handles); texts are drawn from a
Zipf vocabulary, two sentences a passage, ten passages a document, dates over
ten years. The stores, the on-disk build and the searcher are the real ones;
only the embedding model is left out (queries are perturbed stored vectors).
Each size is opened and queried in a fresh process, so its open time and
memory are its own.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Clock, folder_bytes, log, percentiles, run_child

DIM = 384
PER_DOC = 10
QUERIES = 100
SENTENCE_ROWS_MAX = 400_000  # above this, sentence stores are left empty (building them would take hours here)


def _words(rng: np.random.Generator, vocabulary: list[str], count: int) -> list[str]:
    ranks = np.minimum(rng.zipf(1.3, count), len(vocabulary)) - 1
    return [vocabulary[int(r)] for r in ranks]


def build(size: int, folder: Path, seed: int = 7) -> dict[str, Any]:
    """Write a synthetic index of ``size`` passages under ``folder``; return build figures."""
    from qa.index import factory
    from qa.index.builds import SentenceRef, Stores, row_meta, sentence_id, write_index
    from qa.types import Chunk, Document

    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, DIM)).astype(np.float32)
    vocabulary = [f"w{n}x{chr(97 + n % 26)}" for n in range(30_000)]
    words = _words(rng, vocabulary, size * 24)
    documents: dict[str, Document] = {}
    chunks: list[Chunk] = []
    sentences: dict[str, SentenceRef] = {}
    with_sentences = size * 2 <= SENTENCE_ROWS_MAX
    w = 0
    for d in range(size // PER_DOC):
        source = f"doc{d:07d}.txt"
        parts, spans, offset = [], [], 0
        for _ in range(PER_DOC):
            first = " ".join(words[w:w + 12]) + "."
            second = " ".join(words[w + 12:w + 24]) + "."
            w += 24
            text = f"{first} {second}"
            spans.append((offset, offset + len(text), ((offset, offset + len(first)), (offset + len(first) + 1, offset + len(text)))))
            parts.append(text)
            offset += len(text) + 2
        year = 2015 + int(rng.integers(0, 10))
        doc = Document(source=source, text="\n\n".join(parts), sha256="0" * 64, title=f"Report {d}",
                       date=f"{year}-{int(rng.integers(1, 13)):02d}", content=[(0, offset - 2)])
        documents[source] = doc
        for n, (start, end, sent) in enumerate(spans):
            chunks.append(Chunk(f"{source}#{n}", source, start, end, doc.text[start:end], None, sent if with_sentences else ()))
            if with_sentences:
                for a, b in sent:
                    ref = SentenceRef(sentence_id(source, a, b), source, a, b)
                    sentences[ref.id] = ref
    assign = rng.integers(0, len(centres), len(chunks))
    vectors = centres[assign] + 0.6 * rng.standard_normal((len(chunks), DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    with Clock() as clock:
        passages = Stores(factory.new_dense("faiss", DIM), factory.new_lexical("bm25s"))
        metas = [row_meta(documents[c.source]) for c in chunks]
        ids = [c.id for c in chunks]
        passages.dense.add(ids, vectors, metas)
        passages.lexical.add(ids, [c.text for c in chunks], metas)
        sentence_stores = Stores(factory.new_dense("faiss", DIM), factory.new_lexical("bm25s"))
        if sentences:
            refs = list(sentences.values())
            svec = np.repeat(vectors, 2, axis=0) + 0.2 * rng.standard_normal((len(refs), DIM)).astype(np.float32)
            svec /= np.linalg.norm(svec, axis=1, keepdims=True)
            smeta = [row_meta(documents[r.source]) for r in refs]
            sentence_stores.dense.add([r.id for r in refs], svec, smeta)
            sentence_stores.lexical.add([r.id for r in refs], [documents[r.source].text[r.start:r.end] for r in refs], smeta)
        manifest = {"model": "synthetic", "dimension": DIM, "chunker": {}, "files": {}}
        built = write_index(folder, documents, chunks, passages, sentences, sentence_stores, manifest)
    queries = vectors[rng.choice(len(vectors), QUERIES, replace=False)] + 0.3 * rng.standard_normal((QUERIES, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    np.save(folder / "queries.npy", queries.astype(np.float32), allow_pickle=False)
    texts = [" ".join(_words(rng, vocabulary, 6)) for _ in range(QUERIES)]
    (folder / "queries.json").write_text(json.dumps(texts))
    return {"passages": len(chunks), "sentences": len(sentences), "documents": len(documents),
            "build_s": clock.wall, "build_cpu_s": clock.cpu, "disk_bytes": folder_bytes(built)}


def _rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _recall10(store, exact, vectors: np.ndarray, queries, wheres: dict) -> dict[str, float]:
    """Per filter, the share of the true top 10 (an exact scan of ``exact``'s rows) that ``store`` returns."""
    recall = {}
    for name, where in wheres.items():
        mask = exact.rows.mask(where)
        found = 0.0
        for q in queries:
            scores = vectors @ q
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            k = min(10, int(np.isfinite(scores).sum()))
            truth = {exact.rows.ids[i] for i in np.argsort(-scores, kind="stable")[:k]}
            found += len(truth & {i for i, _ in store.search(q, 10, where)}) / max(k, 1)
        recall[name] = found / len(queries)
    return recall


def probe(folder: str) -> None:
    """In a fresh process: open the index, then time searches and measure ANN recall; print JSON."""
    import resource
    from datetime import date

    import faiss

    from qa.index.base import Where
    from qa.index.builds import open_index
    from qa.search.searcher import Searcher
    from qa.settings import RetrievalSettings
    from qa.types import Filters

    base_rss = _rss_mb()
    root = Path(folder)
    start, cpu = time.perf_counter(), time.process_time()
    index = open_index(root)
    open_s, open_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    after_open = _rss_mb()
    start = time.perf_counter()
    index.chunks_of_sentence  # noqa: B018  (what the first question touches, if loaded lazily)
    first_use_s = time.perf_counter() - start
    queries = np.load(root / "queries.npy")
    texts = json.loads((root / "queries.json").read_text())
    rng = np.random.default_rng(3)
    sources = sorted(index.documents)
    some_docs = Filters(sources=tuple(rng.choice(sources, min(20, len(sources)), replace=False).tolist()))
    one_year = Filters(since="2019-01-01", until="2019-12-31")
    searcher = Searcher(index, embedder=None, settings=RetrievalSettings())
    dense = index.passages.dense
    out: dict[str, Any] = {"open_s": open_s, "open_cpu_s": open_cpu_s, "first_use_s": first_use_s}

    def timed(fn) -> dict[str, float]:
        fn(0)
        samples = []
        for i in range(len(queries)):
            t = time.perf_counter()
            fn(i)
            samples.append(time.perf_counter() - t)
        return percentiles(samples)

    out["dense"] = timed(lambda i: dense.search(queries[i], 10))
    # The raw FAISS search on its default OpenMP threads against one thread (what the store uses per query).
    out["faiss_threads"] = faiss.omp_get_max_threads()
    out["dense_faiss_default_threads"] = timed(lambda i: dense._index.search(queries[i][None], 10))
    faiss.omp_set_num_threads(1)
    out["dense_1_thread"] = timed(lambda i: dense._index.search(queries[i][None], 10))
    faiss.omp_set_num_threads(out["faiss_threads"])
    out["lexical"] = timed(lambda i: index.passages.lexical.search(texts[i], 50))
    out["fused"] = timed(lambda i: searcher.search(texts[i], query_vector=queries[i]))
    out["fused_20_docs"] = timed(lambda i: searcher.search(texts[i], some_docs, query_vector=queries[i]))
    out["fused_one_year"] = timed(lambda i: searcher.search(texts[i], one_year, query_vector=queries[i]))

    # ANN recall@10 against an exact scan of the same rows.
    vectors = dense._all_vectors()
    wheres = {
        "none": None,
        "20_docs": Where(sources=frozenset(some_docs.sources)),
        "one_year": Where(date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)),
    }
    out["ann_recall10"] = _recall10(dense, dense, vectors, queries, wheres)
    out["hnsw"] = dense._is_hnsw()
    if not out["hnsw"] and len(vectors) >= 5_000:
        # The store is exact at this size; build the HNSW graph it would switch to, to measure its recall here too.
        from qa.index.faiss_store import FaissStore

        ann = FaissStore(dense.dimension, hnsw_threshold=0)
        ann.rows = dense.rows
        start = time.perf_counter()
        ann._index = ann._new_index(len(vectors), hnsw=True)
        ann._index.add(np.ascontiguousarray(vectors))
        out["hnsw_build_s"] = time.perf_counter() - start
        out["hnsw_forced_recall10"] = _recall10(ann, dense, vectors, queries, wheres)
        out["hnsw_forced_dense"] = timed(lambda i: ann.search(queries[i], 10))
        out["hnsw_forced_one_year"] = timed(lambda i: ann.search(queries[i], 10, wheres["one_year"]))
    out["rss_open_mb"] = after_open - base_rss
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(sizes: list[int], work: Path, previous: dict | None = None, keep: bool = False) -> dict[str, Any]:
    """Build, open and query each size; sizes that fail are reported with the reason."""
    results = {}
    for size in sizes:
        folder = work / f"n{size}"
        log(f"scaling: building {size:,} passages")
        try:
            figures = build(size, folder)
            log(f"scaling: {size:,} built in {figures['build_s']:.0f} s; opening and querying in a fresh process")
            figures.update(run_child("import sys; from bench.scaling import probe; probe(sys.argv[1])", args=[str(folder)]))
        except (MemoryError, RuntimeError) as exc:
            figures = {"failed": str(exc)[-500:]}
        figures["bytes_per_passage_disk"] = figures.get("disk_bytes", 0) / size
        results[str(size)] = figures
        if not keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return results


if __name__ == "__main__":
    probe(sys.argv[1])
