"""Embedded (FAISS + bm25s) against PostgreSQL + pgvector on synthetic passages, in one run.

For each size: build time, hybrid search latency (p50/p95, the searcher the app
uses: dense + keywords + best sentence, fused), unfiltered, with a document
filter and with a one-year date filter, and recall@10 of the dense ranking
against exact search under the same filter. Synthetic data: topics with their
own words over a Zipf vocabulary (so common words match most rows, as in real
text) and vectors clustered around topic centres; ten passages a document,
three sentences a passage, documents spread over ten years.

    python bench/postgres.py --rows 10000 100000

Writes bench/results/postgres.md. Latency is reported as a ratio to the
embedded store measured in the same process, since machines here are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.index.backend import EmbeddedBackend  # noqa: E402
from qa.index.builds import SentenceRef, names_of, row_meta, sentence_id  # noqa: E402
from qa.index.postgres.backend import PostgresBackend  # noqa: E402
from qa.index.postgres.local import LocalServer  # noqa: E402
from qa.search.filters import to_where  # noqa: E402
from qa.search.searcher import Searcher  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.types import Chunk, Document, Filters  # noqa: E402

DIM = 384
PER_DOC, PER_PASSAGE = 10, 3
TOPICS, VOCAB, TOPIC_WORDS = 300, 20_000, 40
QUERIES = 100
RESULTS = REPO / "bench" / "results" / "postgres.md"


def synthetic(rows: int, seed: int = 7):
    """Documents, chunks, sentence refs and their vectors: deterministic for a seed."""
    rng = np.random.default_rng(seed)
    words = [f"w{n}" for n in range(VOCAB)]
    zipf = 1.0 / np.arange(1, VOCAB + 1) ** 1.1
    zipf /= zipf.sum()
    centres = rng.standard_normal((TOPICS, DIM)).astype(np.float32)
    topic_words = rng.integers(200, VOCAB, size=(TOPICS, TOPIC_WORDS))
    documents, chunks, sentences = {}, [], {}
    passage_vectors, sentence_vectors, topics_of = [], [], []
    for d in range(rows // PER_DOC):
        topic = int(rng.integers(TOPICS))
        source = f"doc-{d:06d}.txt"
        day = date(2015, 1, 1).toordinal() + int(rng.integers(0, 3650))
        parts, spans, offset = [], [], 0
        for _ in range(PER_DOC):
            passage_spans = []
            for _ in range(PER_PASSAGE):
                n = int(rng.integers(8, 20))
                common = rng.choice(VOCAB, size=n, p=zipf)
                own = rng.choice(topic_words[topic], size=max(2, n // 4))
                text = " ".join(words[i] for i in np.concatenate([common, own])) + "."
                passage_spans.append((offset, offset + len(text)))
                parts.append(text)
                offset += len(text) + 1
            spans.append(passage_spans)
        text = " ".join(parts)
        documents[source] = Document(
            source=source,
            text=text,
            sha256=uuid.uuid4().hex,
            title=source,
            date=date.fromordinal(day).isoformat(),
            content=[(0, len(text))],
        )
        for p, passage_spans in enumerate(spans):
            start, end = passage_spans[0][0], passage_spans[-1][1]
            chunks.append(
                Chunk(
                    id=f"{source}#{p}",
                    source=source,
                    start=start,
                    end=end,
                    text=text[start:end],
                    page=None,
                    sentences=tuple(passage_spans),
                )
            )
            base = centres[topic] + 0.9 * rng.standard_normal(DIM).astype(np.float32)
            passage_vectors.append(base)
            topics_of.append(topic)
            for a, b in passage_spans:
                ref = SentenceRef(sentence_id(source, a, b), source, a, b)
                sentences[ref.id] = ref
                sentence_vectors.append(base + 0.5 * rng.standard_normal(DIM).astype(np.float32))
    norm = lambda m: (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    return (
        documents,
        chunks,
        sentences,
        norm(np.array(passage_vectors)),
        norm(np.array(sentence_vectors)),
        centres,
        topic_words,
        words,
    )


def build(backend, documents, chunks, sentences, pv, sv) -> float:
    """Write one index through the backend seam; seconds taken (no embedding: vectors are given)."""
    started = time.perf_counter()
    with backend.writing(lambda f, m: None) as writer:
        passages, sentence_stores = writer.new_stores(DIM)
        meta = {s: row_meta(d) for s, d in documents.items()}
        passages.dense.add([c.id for c in chunks], pv, [meta[c.source] for c in chunks])
        passages.lexical.add([c.id for c in chunks], [c.text for c in chunks], [meta[c.source] for c in chunks])
        refs = list(sentences.values())
        sentence_stores.dense.add([r.id for r in refs], sv, [meta[r.source] for r in refs])
        sentence_stores.lexical.add(
            [r.id for r in refs],
            [documents[r.source].text[r.start : r.end] for r in refs],
            [meta[r.source] for r in refs],
        )
        manifest = {"model": "synthetic", "dimension": DIM, "chunker": {}, "files": {}}
        writer.write(documents, chunks, passages, sentences, sentence_stores, manifest, names_of(documents))
    return time.perf_counter() - started


def queries(documents, centres, topic_words, words, seed: int = 11):
    """(text, vector, filters) for each case: none, three documents, one year."""
    rng = np.random.default_rng(seed)
    sources = sorted(documents)
    out = {"no filter": [], "document filter": [], "one-year date filter": []}
    for _ in range(QUERIES):
        topic = int(rng.integers(TOPICS))
        vector = centres[topic] + 0.9 * rng.standard_normal(DIM).astype(np.float32)
        vector /= np.linalg.norm(vector)
        text = " ".join(words[i] for i in [*rng.choice(topic_words[topic], 3), *rng.integers(0, 30, 2)])
        year = int(rng.integers(2015, 2025))
        picked = tuple(sorted(rng.choice(sources, 3, replace=False)))
        out["no filter"].append((text, vector, Filters()))
        out["document filter"].append((text, vector, Filters(sources=picked)))
        out["one-year date filter"].append((text, vector, Filters(since=f"{year}-01-01", until=f"{year}-12-31")))
    return out


def exact_top(pv, chunk_meta, vector, filters, k=10) -> set[int]:
    scores = pv @ vector
    where = to_where(filters)
    if where is not None:
        allowed = np.array([where.allows(m) for m in chunk_meta])
        scores = np.where(allowed, scores, -np.inf)
    top = np.argsort(-scores)[:k]
    return {int(i) for i in top if np.isfinite(scores[i])}


def measure(index, cases, pv, chunk_meta, positions, settings) -> dict:
    searcher = Searcher(index, embedder=None, settings=settings.retrieval)
    out = {}
    for name, items in cases.items():
        for text, vector, filters in items[:5]:  # warm caches
            searcher.search(text, filters, query_vector=vector)
        times, recalls, tops = [], [], []
        where_of = {}
        for text, vector, filters in items:
            started = time.perf_counter()
            hits = searcher.search(text, filters, query_vector=vector)
            times.append(time.perf_counter() - started)
            tops.append([h.chunk.id for h in hits[:10]])
            where = where_of.setdefault(filters, to_where(filters))
            dense = index.passages.dense.search(vector, 10, where)
            exact = exact_top(pv, chunk_meta, vector, filters)
            if exact:
                recalls.append(len({positions[i] for i, _ in dense} & exact) / len(exact))
        out[name] = {
            "p50": statistics.median(times),
            "p95": float(np.percentile(times, 95)),
            "recall": statistics.mean(recalls) if recalls else 1.0,
            "tops": tops,
        }
    return out


def run(rows: int, server: LocalServer, work: Path) -> dict:
    print(f"[{rows}] generating", flush=True)
    documents, chunks, sentences, pv, sv, centres, topic_words, words = synthetic(rows)
    chunk_meta = [row_meta(documents[c.source]) for c in chunks]
    positions = {c.id: n for n, c in enumerate(chunks)}
    cases = queries(documents, centres, topic_words, words)
    result = {"rows": len(chunks), "sentences": len(sentences)}
    embedded_settings = Settings(index_dir=work / f"embedded-{rows}")
    postgres_settings = Settings(store="postgres", postgres={"url": server.url, "schema_name": f"bench_{rows}"})
    for name, backend, settings in (
        ("embedded", EmbeddedBackend(embedded_settings), embedded_settings),
        ("postgres", PostgresBackend(postgres_settings), postgres_settings),
    ):
        print(f"[{rows}] {name}: building", flush=True)
        seconds = build(backend, documents, chunks, sentences, pv, sv)
        index = backend.open()
        print(f"[{rows}] {name}: built in {seconds:.1f} s; searching", flush=True)
        result[name] = {"build_s": seconds, **measure(index, cases, pv, chunk_meta, positions, settings)}
    for case in cases:
        pairs = zip(result["embedded"][case]["tops"], result["postgres"][case]["tops"])
        result.setdefault("agreement", {})[case] = statistics.mean(
            len(set(a) & set(b)) / max(len(a), 1) for a, b in pairs
        )
    return result


def report(results: list[dict]) -> str:
    lines = [
        "# Embedded vs PostgreSQL + pgvector (bench/postgres.py)",
        "",
        "Synthetic passages (ten a document, three sentences a passage, 384-dimensional clustered vectors, a Zipf",
        f"vocabulary), {QUERIES} queries a case, one process, niced, on this 2-core machine. Hybrid search is the app's",
        "searcher (passages by vector, by keywords, by best sentence, fused with RRF). Recall@10 is of the dense",
        "passage ranking against exact search under the same filter; agreement is the share of the embedded store's",
        "hybrid top 10 that PostgreSQL also returns. Ratios are PostgreSQL / embedded (below 1: PostgreSQL faster).",
        "",
        "| passages | case | embedded p50 / p95 ms | postgres p50 / p95 ms | p50 ratio | p95 ratio | recall@10 embedded / postgres | top-10 agreement |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        e, p = r["embedded"], r["postgres"]
        for case in ("no filter", "document filter", "one-year date filter"):
            lines.append(
                f"| {r['rows']:,} | {case} | {e[case]['p50'] * 1e3:.1f} / {e[case]['p95'] * 1e3:.1f} | "
                f"{p[case]['p50'] * 1e3:.1f} / {p[case]['p95'] * 1e3:.1f} | {p[case]['p50'] / e[case]['p50']:.2f}x | "
                f"{p[case]['p95'] / e[case]['p95']:.2f}x | {e[case]['recall']:.3f} / {p[case]['recall']:.3f} | "
                f"{r['agreement'][case]:.2f} |"
            )
    lines += ["", "| passages | sentences | embedded build s | postgres build s |", "| --- | --- | --- | --- |"]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['sentences']:,} | {r['embedded']['build_s']:.1f} | {r['postgres']['build_s']:.1f} |"
        )
    lines += ["", "Build time is writing the index from given vectors (no embedding), HNSW and postings included.", ""]
    return "\n".join(lines)


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000], help="passage counts to measure")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = []
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="qa-bench-pg-") as work,
        LocalServer(options={"shared_buffers": "1GB", "max_parallel_maintenance_workers": "1"}) as server,
    ):
        for rows in args.rows:
            results.append(run(rows, server, Path(work)))
            args.out.parent.mkdir(parents=True, exist_ok=True)
            took = (
                f"The run took {(time.monotonic() - started) / 60:.0f} minutes (load average at the end: {_load()}).\n"
            )
            args.out.write_text(
                report(results) + took, encoding="utf-8"
            )  # a partial report survives a later size failing
    print(report(results))


if __name__ == "__main__":
    main()
