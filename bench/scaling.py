"""Scaling of the index layers on synthetic passages: build, open, memory, latency, ANN recall.

Vectors have a low intrinsic dimension, as sentence embeddings do (on SciFact,
40 principal components of all-MiniLM-L6-v2's 384 hold half the variance): a
thousand topics in a 64-dimensional subspace, a little isotropic noise, and a
shared mean direction; queries are perturbed passages whose cosine with their
best match (about 0.6) is that of real claims with their best passage. The old
generator (isotropic noise around centres: every member of a cluster nearly
equidistant, a worst case for a graph index) is kept to report recall on it too.
Texts are drawn from a Zipf vocabulary, two sentences a passage, ten passages a
document, dates over ten years. The stores, the on-disk build and the searcher
are the real ones; only the embedding model is left out. Each size is opened and
queried in a fresh process, so its open time and memory are its own.
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
SENTENCE_ROWS_MAX = 2_000_000  # above this, sentence stores are left empty (building them would take hours here)
LATENT = 64  # intrinsic dimension of the synthetic vectors
TOPICS = 1000
BATCH = 200_000  # rows generated (and added) at a time, so no float64 copy of millions of vectors is made
EF_CURVE = (256, 512, 1024, 2048, 4096)  # efSearch values whose recall and latency the probe reports
WORST_CASE_MAX = 100_000  # sizes up to this also measure HNSW on the old, isotropic vectors


def _unit(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


class Embeddings:
    """Synthetic embeddings with a low intrinsic dimension: topics in a subspace, small isotropic noise, a common mean."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.basis = np.linalg.qr(rng.standard_normal((DIM, LATENT)))[0].astype(np.float32)
        self.mean = _unit(rng.standard_normal((1, DIM)).astype(np.float32))[0]
        self.centres = rng.standard_normal((TOPICS, LATENT)).astype(np.float32)

    def latent(self, count: int) -> np.ndarray:
        """Points of random topics in the latent space."""
        return self.centres[self.rng.integers(0, TOPICS, count)] + self.rng.standard_normal(
            (count, LATENT), dtype=np.float32
        )

    def near(self, z: np.ndarray, spread: float) -> np.ndarray:
        return z + spread * self.rng.standard_normal(z.shape, dtype=np.float32)

    def embed(self, z: np.ndarray) -> np.ndarray:
        """Unit vectors: the latent point in the subspace, plus isotropic noise (0.35) and the common mean (0.35)."""
        x = _unit(z @ self.basis.T)
        x += 0.35 * _unit(self.rng.standard_normal((len(z), DIM), dtype=np.float32))
        x += 0.35 * self.mean
        return _unit(x)


def worst_case_vectors(count: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """The first generator's vectors and queries: isotropic noise around 1,000 centres (a worst case for HNSW)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, DIM), dtype=np.float32)
    vectors = np.empty((count, DIM), dtype=np.float32)
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        vectors[start : start + n] = _unit(
            centres[rng.integers(0, 1000, n)] + 0.6 * rng.standard_normal((n, DIM), dtype=np.float32)
        )
    queries = _unit(
        vectors[rng.choice(count, QUERIES, replace=False)] + 0.3 * rng.standard_normal((QUERIES, DIM), dtype=np.float32)
    )
    return vectors, queries


def _words(rng: np.random.Generator, vocabulary: list[str], count: int) -> list[str]:
    ranks = np.minimum(rng.zipf(1.3, count), len(vocabulary)) - 1
    return [vocabulary[int(r)] for r in ranks]


def build(size: int, folder: Path, seed: int = 7) -> dict[str, Any]:
    """Write a synthetic index of ``size`` passages under ``folder``; return build figures."""
    from qa.index import factory
    from qa.index.builds import SentenceRef, Stores, row_meta, sentence_id, write_index
    from qa.types import Chunk, Document

    rng = np.random.default_rng(seed)
    rng.standard_normal((1000, DIM))  # drawn and unused, so every later draw stays as it was
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
            first = " ".join(words[w : w + 12]) + "."
            second = " ".join(words[w + 12 : w + 24]) + "."
            w += 24
            text = f"{first} {second}"
            spans.append(
                (
                    offset,
                    offset + len(text),
                    ((offset, offset + len(first)), (offset + len(first) + 1, offset + len(text))),
                )
            )
            parts.append(text)
            offset += len(text) + 2
        year = 2015 + int(rng.integers(0, 10))
        doc = Document(
            source=source,
            text="\n\n".join(parts),
            sha256="0" * 64,
            title=f"Report {d}",
            date=f"{year}-{int(rng.integers(1, 13)):02d}",
            content=[(0, offset - 2)],
        )
        documents[source] = doc
        for n, (start, end, sent) in enumerate(spans):
            chunks.append(
                Chunk(f"{source}#{n}", source, start, end, doc.text[start:end], None, sent if with_sentences else ())
            )
            if with_sentences:
                for a, b in sent:
                    ref = SentenceRef(sentence_id(source, a, b), source, a, b)
                    sentences[ref.id] = ref
    with Clock() as clock:
        embeddings = Embeddings(rng)
        passages = Stores(factory.new_dense("faiss", DIM), factory.new_lexical("bm25s"))
        metas = [row_meta(documents[c.source]) for c in chunks]
        ids = [c.id for c in chunks]
        latent = np.concatenate([embeddings.latent(min(BATCH, len(chunks) - i)) for i in range(0, len(chunks), BATCH)])
        for start in range(0, len(chunks), BATCH):
            stop = start + BATCH
            passages.dense.add(ids[start:stop], embeddings.embed(latent[start:stop]), metas[start:stop])
            log(f"scaling: {min(stop, len(chunks)):,} of {len(chunks):,} passage vectors added")
        passages.lexical.add(ids, [c.text for c in chunks], metas)
        sentence_stores = Stores(factory.new_dense("faiss", DIM), factory.new_lexical("bm25s"))
        if sentences:
            refs = list(sentences.values())  # two a passage, in passage order
            smeta = [row_meta(documents[r.source]) for r in refs]
            sids = [r.id for r in refs]
            step = 2 * BATCH
            for start in range(0, len(refs), step):
                stop = start + step
                z = embeddings.near(np.repeat(latent[start // 2 : stop // 2], 2, axis=0), 0.5)
                sentence_stores.dense.add(sids[start:stop], embeddings.embed(z), smeta[start:stop])
                log(f"scaling: {min(stop, len(refs)):,} of {len(refs):,} sentence vectors added")
            sentence_stores.lexical.add(sids, [documents[r.source].text[r.start : r.end] for r in refs], smeta)
            del smeta, sids
        log("scaling: writing the build (BM25 matrices, FAISS files, checksums)")
        manifest = {
            "model": "synthetic",
            "dimension": DIM,
            "chunker": {},
            "files": {s: d.sha256 for s, d in documents.items()},
        }
        built = write_index(folder, documents, chunks, passages, sentences, sentence_stores, manifest)
    queries = embeddings.embed(embeddings.near(latent[rng.choice(len(latent), QUERIES, replace=False)], 1.5))
    np.save(folder / "queries.npy", queries.astype(np.float32), allow_pickle=False)
    texts = [" ".join(_words(rng, vocabulary, 6)) for _ in range(QUERIES)]
    (folder / "queries.json").write_text(json.dumps(texts))
    return {
        "passages": len(chunks),
        "sentences": len(sentences),
        "documents": len(documents),
        "vectors": f"low intrinsic dimension ({LATENT} of {DIM})",
        "build_s": clock.wall,
        "build_cpu_s": clock.cpu,
        "disk_bytes": folder_bytes(built),
    }


def _rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def exact_top10(
    vectors: np.ndarray, queries: np.ndarray, masks: dict[str, np.ndarray | None]
) -> dict[str, list[np.ndarray]]:
    """Per filter, each query's true top 10 rows by an exact scan (one scan per query serves every filter)."""
    truth: dict[str, list[np.ndarray]] = {name: [] for name in masks}
    for q in queries:
        scores = vectors @ q
        for name, mask in masks.items():
            masked = scores if mask is None else np.where(mask, scores, -np.inf)
            k = min(10, int(np.isfinite(masked).sum()))
            truth[name].append(np.argsort(-masked, kind="stable")[:k])
    return truth


def recall10(store, queries: np.ndarray, wheres: dict, truth: dict[str, list[np.ndarray]]) -> dict[str, float]:
    """Per filter, the share of the true top 10 that ``store.search`` returns."""
    recall = {}
    for name, where in wheres.items():
        found = 0.0
        for q, rows in zip(queries, truth[name]):
            wanted = {store.rows.ids[int(i)] for i in rows}
            found += len(wanted & {i for i, _ in store.search(q, 10, where)}) / max(len(wanted), 1)
        recall[name] = found / len(queries)
    return recall


def ef_curve(
    index, queries: np.ndarray, truth: list[np.ndarray], efs: tuple[int, ...] = EF_CURVE
) -> list[dict[str, float]]:
    """Recall@10 and one-thread p50 of an HNSW index at each efSearch of ``efs`` (no filter)."""
    import faiss

    curve = []
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        for ef in efs:
            params = faiss.SearchParametersHNSW()
            params.efSearch = ef
            found, samples, cpu = 0.0, [], []
            for q, rows in zip(queries, truth):
                t, c = time.perf_counter(), time.thread_time()
                _, got = index.search(q[None], 10, params=params)
                samples.append(time.perf_counter() - t)
                cpu.append(time.thread_time() - c)
                found += len(set(rows.tolist()) & set(got[0].tolist())) / max(len(rows), 1)
            curve.append(
                {
                    "ef": ef,
                    "recall10": found / len(queries),
                    **percentiles(samples),
                    "cpu_p50_ms": percentiles(cpu)["p50_ms"],
                }
            )
    finally:
        faiss.omp_set_num_threads(before)
    return curve


def _profile(fn, top: int = 12) -> list[str]:
    """The functions a call spends most time in (cProfile, by own time), as text lines."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    return [line for line in stream.getvalue().splitlines() if line.strip()][-top - 1 :]


def _forced_hnsw(vectors: np.ndarray):
    """The HNSW store the FaissStore would switch to, over these vectors (built with the store's own settings)."""
    from qa.index.faiss_store import FaissStore

    ann = FaissStore(vectors.shape[1], hnsw_threshold=0)
    ann._index = ann._new_index(len(vectors), hnsw=True)
    ann._index.add(np.ascontiguousarray(vectors))
    return ann


def probe(folder: str) -> None:
    """In a fresh process: open the index, then time searches and measure ANN recall; print JSON."""
    import resource
    from datetime import date

    import faiss

    from qa.index.base import Where
    from qa.index.builds import open_index
    from qa.search.filters import to_where
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
        """Wall p50/p95 and this thread's CPU p50/p95 (ms): on a busy machine the CPU time is what the query costs."""
        fn(0)
        samples, cpu = [], []
        for i in range(len(queries)):
            t, c = time.perf_counter(), time.thread_time()
            fn(i)
            samples.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
        wall, own = percentiles(samples), percentiles(cpu)
        return {**wall, "cpu_p50_ms": own["p50_ms"], "cpu_p95_ms": own["p95_ms"]}

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

    # Where fused search spends its time: each ranking it fuses, timed alone at the searcher's depth.
    depth = searcher.settings.depth
    out["dense_depth"] = timed(lambda i: dense.search(queries[i], depth))
    if index.sentences:
        out["sentence_dense"] = timed(lambda i: index.sentence_stores.dense.search(queries[i], depth))
        out["sentence_dense_one_year"] = timed(
            lambda i: index.sentence_stores.dense.search(queries[i], depth, to_where(one_year))
        )
    out["dense_one_year"] = timed(lambda i: dense.search(queries[i], depth, to_where(one_year)))
    out["lexical_one_year"] = timed(lambda i: index.passages.lexical.search(texts[i], depth, to_where(one_year)))
    out["profile"] = _profile(lambda: [searcher.search(texts[i], query_vector=queries[i]) for i in range(20)])

    # ANN recall@10 against an exact scan of the same rows.
    wheres = {
        "none": None,
        "20_docs": Where(sources=frozenset(some_docs.sources)),
        "one_year": Where(date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)),
    }
    for key, store in (("", dense), ("sentence_", index.sentence_stores.dense)):
        if not store.count():
            continue
        vectors = store._all_vectors()
        truth = exact_top10(vectors, queries, {name: store.rows.mask(w) for name, w in wheres.items()})
        out[f"{key}hnsw"] = store._is_hnsw()
        if store._is_hnsw():
            out[f"{key}ann_recall10"] = recall10(store, queries, wheres, truth)
            out[f"{key}ef_curve"] = ef_curve(store._index, queries, truth["none"])
        elif key == "":
            out["ann_recall10"] = recall10(store, queries, wheres, truth)
            if len(vectors) >= 5_000:
                # The store is exact at this size; build the HNSW graph it would switch to, to measure its recall here too.
                start = time.perf_counter()
                ann = _forced_hnsw(vectors)
                ann.rows = store.rows
                out["hnsw_build_s"] = time.perf_counter() - start
                out["hnsw_forced_recall10"] = recall10(ann, queries, wheres, truth)
                out["hnsw_forced_dense"] = timed(lambda i, ann=ann: ann.search(queries[i], 10))
                out["hnsw_forced_one_year"] = timed(lambda i, ann=ann: ann.search(queries[i], 10, wheres["one_year"]))
                out["ef_curve"] = ef_curve(ann._index, queries, truth["none"])
                del ann
    if len(index.chunks) <= WORST_CASE_MAX:
        # The first generator's isotropic vectors, the worst case for a graph: the same graph settings and schedule.
        from qa.index.faiss_store import hnsw_ef_search

        hard, hard_queries = worst_case_vectors(len(index.chunks))
        start = time.perf_counter()
        ann = _forced_hnsw(hard)
        build_s = time.perf_counter() - start
        truth = exact_top10(hard, hard_queries, {"none": None})["none"]
        ef = hnsw_ef_search(10, len(hard), len(hard))
        out["worst_case"] = {"build_s": build_s, "ef_store": ef, "ef_curve": ef_curve(ann._index, hard_queries, truth)}
        out["worst_case"]["store"] = ef_curve(ann._index, hard_queries, truth, (ef,))[0]
        del ann, hard
    out["rss_open_mb"] = after_open - base_rss
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


BUILD_FIGURES = ("passages", "sentences", "documents", "vectors", "build_s", "build_cpu_s", "disk_bytes")


def measure(
    sizes: list[int], work: Path, keep: bool = False, reuse: bool = False, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build, open and query each size; sizes that fail are reported with the reason.

    With ``reuse``, a size whose build is still in ``work`` (a run with ``--work``) is only
    opened and queried again, its build figures kept from that build: a change to search
    can be measured at 1M without the hour the build takes.
    """
    results = {}
    for size in sizes:
        folder = work / f"n{size}"
        try:
            kept = _kept_build(folder, (previous or {}).get(str(size))) if reuse else None
            if kept is not None:
                figures = kept
                log(f"scaling: reusing the {size:,}-passage build in {folder}; opening and querying in a fresh process")
            else:
                log(f"scaling: building {size:,} passages")
                figures = build(size, folder)
                (folder / "build.json").write_text(json.dumps(figures), encoding="utf-8")
                log(f"scaling: {size:,} built in {figures['build_s']:.0f} s; opening and querying in a fresh process")
            figures.update(
                run_child("import sys; from bench.scaling import probe; probe(sys.argv[1])", args=[str(folder)])
            )
        except (MemoryError, RuntimeError) as exc:
            figures = {"failed": str(exc)[-500:]}
        figures["bytes_per_passage_disk"] = figures.get("disk_bytes", 0) / size
        results[str(size)] = figures
        if not keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return results


def _kept_build(folder: Path, previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The build figures of a finished build left in ``folder``, or None when there is none to reuse."""
    if not (folder / "queries.json").is_file():
        return None
    if (folder / "build.json").is_file():
        figures = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    elif previous and "build_s" in previous:
        figures = {k: previous[k] for k in BUILD_FIGURES if k in previous}  # a build from before build.json was written
    else:
        return None
    return {k: figures[k] for k in BUILD_FIGURES if k in figures}


if __name__ == "__main__":
    probe(sys.argv[1])
