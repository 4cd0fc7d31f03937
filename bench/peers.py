"""The peers a user would otherwise pick, run in their own process on the same texts and model.

(a) BM25 alone (bm25s, its English stop words and stemmer), (b) dense alone
(sentence-transformers ``encode`` and an exact inner-product search), both over
the chunks of (c) the LangChain tutorial pipeline: RecursiveCharacterTextSplitter
1000/200, HuggingFaceEmbeddings on the packaged model folder, a FAISS vector store
and ``similarity_search``. A document ranks where its first chunk does.

    python -m bench.peers SPEC.json    (SPEC: texts, queries, out; prints timings as JSON)

Run in a child process so its CPU time and memory are its own.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

DEPTH = 100  # documents kept per query


def _docs_in_order(chunk_docs: list[str]) -> dict[str, float]:
    ranked: dict[str, float] = {}
    for doc in chunk_docs:
        if doc not in ranked:
            ranked[doc] = float(DEPTH - len(ranked))
            if len(ranked) == DEPTH:
                break
    return ranked


def main(spec_path: str) -> None:
    started_cpu = time.process_time()
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    texts: dict[str, str] = spec["texts"]
    queries: dict[str, str] = spec["queries"]
    warnings.filterwarnings("ignore")

    import numpy as np
    from langchain_community.embeddings import HuggingFaceEmbeddings
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from qa.embed.sentence_transformers import resolve_model_path

    cpu: dict[str, float] = {}
    mark = time.process_time()
    embeddings = HuggingFaceEmbeddings(model_name=str(resolve_model_path(spec["model"])))
    cpu["import_and_model_load"] = time.process_time() - started_cpu

    # (c) the LangChain tutorial pipeline: split, embed, index.
    mark = time.process_time()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    splits = splitter.split_documents([Document(page_content=t, metadata={"doc": d}) for d, t in texts.items()])
    vectorstore = FAISS.from_documents(splits, embeddings)
    cpu["langchain_ingest"] = time.process_time() - mark

    # The baseline for (c): bare encode of the same chunks; its vectors are (b).
    chunk_texts = [s.page_content for s in splits]
    chunk_docs = [s.metadata["doc"] for s in splits]
    model = embeddings._client if hasattr(embeddings, "_client") else embeddings.client
    mark = time.process_time()
    vectors = model.encode(chunk_texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    cpu["bare_encode_chunks"] = time.process_time() - mark

    runs: dict[str, dict[str, dict[str, float]]] = {"langchain": {}, "dense": {}, "bm25": {}}
    latency: dict[str, list[float]] = {"langchain": []}
    for qid, text in queries.items():
        start = time.perf_counter()
        found = vectorstore.similarity_search(text, k=min(len(splits), 10 * DEPTH))
        latency["langchain"].append(time.perf_counter() - start)
        runs["langchain"][qid] = _docs_in_order([d.metadata["doc"] for d in found])

    query_vectors = model.encode(
        list(queries.values()), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
    )
    for (qid, _), q in zip(queries.items(), query_vectors):
        order = np.argsort(-(vectors @ q), kind="stable")[: 10 * DEPTH]
        runs["dense"][qid] = _docs_in_order([chunk_docs[i] for i in order])

    # (a) BM25 alone, as bm25s's README sets it up.
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    mark = time.process_time()
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(chunk_texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False
    )
    cpu["bm25_index"] = time.process_time() - mark
    k = min(len(chunk_texts), 10 * DEPTH)
    for qid, text in queries.items():
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, show_progress=False)
        rows, scores = retriever.retrieve(tokens, k=k, show_progress=False)
        runs["bm25"][qid] = _docs_in_order([chunk_docs[int(i)] for i, s in zip(rows[0], scores[0]) if s > 0])

    Path(spec["out"]).write_text(json.dumps({"runs": runs}), encoding="utf-8")
    print(json.dumps({"cpu": cpu, "chunks": len(splits), "latency_s": latency}))


if __name__ == "__main__":
    main(sys.argv[1])
