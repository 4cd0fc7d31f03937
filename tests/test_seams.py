"""The two seams: a second dense store plugs in through the factory, a second answer writer through settings."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_settings
from fakes import MemoryDenseStore

from qa.answer.base import Evidence, WRITERS, register_writer
from qa.assistant import Assistant
from qa.index import factory
from qa.index.base import Where
from qa.index.bm25 import Bm25Store
from qa.index.faiss_store import FaissStore
from qa.types import Answer, Citation, Statement
from qa.search.filters import make_filters


@pytest.fixture
def memory_store():
    factory.register_dense("memory", MemoryDenseStore)
    yield
    factory.DENSE.pop("memory", None)


def test_a_second_dense_store_answers_through_the_factory(tmp_path, corpus_copy, fake_embedder, memory_store):
    settings = make_settings(tmp_path, corpus_copy).updated(stores__dense="memory", answer__min_relevance=-1.0)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.ingest(progress=False)
    index = assistant.index()
    assert isinstance(index.passages.dense, MemoryDenseStore) and index.manifest["stores"]["dense"] == "memory"
    answer = assistant.ask("What did inspectors say about supervision?")
    assert answer.found and index.passages.dense.searches > 0
    for c in answer.citations:
        assert index.documents[c.source].text[c.start : c.end] == c.text
    # filters reach the engine: a store that filters itself returns only the chosen document
    source = answer.citations[0].source
    filtered = assistant.search("supervision", make_filters(source))
    assert filtered and {h.chunk.source for h in filtered} == {source}


def test_changing_the_store_rebuilds_the_index(tmp_path, corpus_copy, fake_embedder, memory_store):
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    report = Assistant(settings.updated(stores__dense="memory"), embedder=fake_embedder).ingest(progress=False)
    assert report.rebuilt


def test_an_unknown_store_is_named_with_the_known_ones(tmp_path, corpus_copy, fake_embedder):
    settings = make_settings(tmp_path, corpus_copy).updated(stores__dense="qdrant")
    with pytest.raises(Exception, match="Unknown dense store 'qdrant'; known: .*faiss"):
        Assistant(settings, embedder=fake_embedder).ingest(progress=False)


class EchoWriter:
    """A second writer: one statement naming how many candidates it saw, citing the best one."""

    def __init__(self, settings):
        self.settings = settings

    def write(self, evidence: Evidence) -> Answer:
        if not evidence.candidates:
            return evidence.not_found()
        best = evidence.candidates[0]
        doc = evidence.documents[best.source]
        citation = Citation(
            1,
            best.source,
            doc.title,
            doc.date,
            doc.page_at(best.start),
            evidence.text(best),
            best.start,
            best.end,
            best.score,
        )
        return Answer(
            evidence.question, True, [citation], (Statement(f"{len(evidence.candidates)} candidates.", (1,)),)
        )


def test_a_second_answer_writer_plugs_in(fake_assistant):
    register_writer("echo", EchoWriter)
    try:
        fake_assistant.settings = fake_assistant.settings.updated(writer="echo")
        answer = fake_assistant.ask("What did inspectors say about supervision?")
    finally:
        WRITERS.pop("echo")
    assert answer.found and answer.statements[0].text.endswith("candidates.")
    assert answer.answer.startswith(answer.citations[0].title) and "[1]" in answer.answer


@pytest.mark.parametrize("make", [lambda: FaissStore(4), lambda: MemoryDenseStore(4)], ids=["faiss", "memory"])
def test_dense_stores_add_delete_search_and_filter_alike(make):
    store = make()
    vectors = np.eye(4, dtype=np.float32)
    meta = [
        {"source": "a", "date_first": "2020-01-01", "date_last": "2020-12-31"},
        {"source": "b", "date_first": "2022-05-01", "date_last": "2022-05-31"},
        {"source": "b", "date_first": "2022-05-01", "date_last": "2022-05-31"},
        {"source": "c", "date_first": None, "date_last": None},
    ]
    store.add(["w", "x", "y", "z"], vectors, meta)
    query = np.array([0.1, 0.2, 0.3, 0.9], dtype=np.float32)
    assert [i for i, _ in store.search(query, 2)] == ["z", "y"]
    assert [i for i, _ in store.search(query, 5, Where(sources=frozenset({"b"})))] == ["y", "x"]
    from datetime import date

    assert [i for i, _ in store.search(query, 5, Where(date_from=date(2021, 1, 1)))] == ["y", "x"]
    assert [i for i, _ in store.search(query, 5, Where(date_to=date(2020, 6, 1)))] == ["w"]
    assert store.search(query, 5, Where(sources=frozenset({"nope"}))) == []
    store.delete(["y", "unknown"])
    assert store.count() == 3 and [i for i, _ in store.search(query, 1)] == ["z"]
    assert np.allclose(store.vectors(["x", "w"]), vectors[[1, 0]])


def test_faiss_store_round_trips_through_its_folder(tmp_path):
    store = FaissStore(4)
    store.add(["a", "b"], np.eye(4, dtype=np.float32)[:2], [{"source": "s", "date_first": None, "date_last": None}] * 2)
    store.save(tmp_path / "dense")
    again = FaissStore.load(tmp_path / "dense")
    assert again.count() == 2 and again.rows.ids == ["a", "b"]
    assert np.allclose(again.vectors(["b"]), np.eye(4, dtype=np.float32)[1:2])


def test_hnsw_filtered_search_keeps_recall():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    meta = [{"source": f"doc{i % 100}", "date_first": None, "date_last": None} for i in range(3000)]
    exact, hnsw = FaissStore(16), FaissStore(16, hnsw_threshold=1000)
    ids = [str(i) for i in range(3000)]
    exact.add(ids, vectors, meta)
    hnsw.add(ids, vectors, meta)
    where = Where(sources=frozenset({"doc3", "doc7"}))
    hits = 0
    for q in vectors[:50]:
        truth = {i for i, _ in exact.search(q, 10, where)}
        hits += len(truth & {i for i, _ in hnsw.search(q, 10, where)})
    assert hits / (50 * 10) >= 0.95


def test_bm25_store_filters_and_deletes():
    store = Bm25Store()
    meta = lambda s: {"source": s, "date_first": None, "date_last": None}  # noqa: E731
    store.add(
        ["1", "2", "3"],
        ["supervision of staff", "staff caseloads", "supervision was poor"],
        [meta("a"), meta("b"), meta("b")],
    )
    assert {i for i, _ in store.search("supervision", 5)} == {"1", "3"}
    assert [i for i, _ in store.search("supervision", 5, Where(sources=frozenset({"b"})))] == ["3"]
    store.delete(["3"])
    assert [i for i, _ in store.search("supervision", 5)] == ["1"]
    assert store.idf(["supervis"])["supervis"] > 0


def test_hnsw_search_depth_grows_with_rows_and_with_what_a_filter_removes():
    from qa.index.faiss_store import hnsw_ef_search

    assert (
        hnsw_ef_search(10, 2_000_000, 2_000_000)
        > hnsw_ef_search(10, 1_000_000, 1_000_000)
        > hnsw_ef_search(10, 100_000, 100_000)
    )
    assert hnsw_ef_search(50, 1_000_000, 100_000) >= 10 * hnsw_ef_search(50, 1_000_000, 1_000_000)
    assert hnsw_ef_search(10, 300, 300) == 300  # never deeper than the rows


def test_hnsw_filter_leaving_a_wide_share_walks_the_graph_and_keeps_recall(monkeypatch):
    # Half the rows allowed: the filtered walk (with a deeper efSearch) answers, not the exact scan of the allowed rows.
    from qa.index import faiss_store

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(4000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    meta = [{"source": f"doc{i % 2}", "date_first": None, "date_last": None} for i in range(4000)]
    exact, hnsw = FaissStore(16), FaissStore(16, hnsw_threshold=1000)
    ids = [str(i) for i in range(4000)]
    exact.add(ids, vectors, meta)
    hnsw.add(ids, vectors, meta)
    assert hnsw._index.hnsw.efConstruction > 40  # built better than FAISS's default
    # At this small size the exact scan would win the cost rule; make the walk cheaper so the walk is what is tested.
    monkeypatch.setattr(faiss_store, "HNSW_NEIGHBOURS", 1)
    walks = []
    params = FaissStore._params
    monkeypatch.setattr(FaissStore, "_params", staticmethod(lambda ef: walks.append(ef) or params(ef)))
    where = Where(sources=frozenset({"doc1"}))
    hits = 0
    for q in vectors[:50]:
        truth = {i for i, _ in exact.search(q, 10, where)}
        found = hnsw.search(q, 10, where)
        assert all(int(i) % 2 == 1 for i, _ in found)
        hits += len(truth & {i for i, _ in found})
    assert len(walks) == 50 and min(walks) >= 2 * faiss_store.HNSW_MIN_EF  # half the rows removed: twice as deep
    assert hits / (50 * 10) >= 0.95


def test_the_writer_registry_imports_no_writer_until_one_is_made():
    """No import cycle between the seam and its writers: base.py names them, they import it."""
    import ast
    import subprocess
    import sys
    from pathlib import Path

    import qa.answer.base as base

    tree = ast.parse(Path(base.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not imported & {"qa.answer.extractive", "qa.answer.llm", "qa.answer"}, imported
    script = (
        "import sys; from qa.answer.base import make_writer; from qa.settings import Settings\n"
        "assert not {'qa.answer.extractive', 'qa.answer.llm'} & set(sys.modules)\n"
        "print(type(make_writer(Settings())).__name__, 'qa.answer.llm' in sys.modules)\n"
        "print(type(make_writer(Settings(writer='llm'))).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(base.__file__).parents[2]
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ExtractiveWriter", "False", "LLMWriter"]
