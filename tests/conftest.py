"""Shared fixtures: a fake embedder for fast unit tests, the real packaged model for end-to-end ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.assistant import Assistant
from fakes import HashingEmbedder
from qa.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
DATA = Path(__file__).resolve().parent / "data"


def make_settings(tmp_path: Path, corpus: Path, **overrides) -> Settings:
    """Settings pointing at a corpus and a fresh index folder under tmp_path."""
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", **overrides)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the default corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fake_assistant(tmp_path: Path, corpus_copy: Path, fake_embedder: HashingEmbedder) -> Assistant:
    """An assistant over the default corpus with the deterministic fake embedder, already ingested."""
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    assistant.ingest(progress=False)
    return assistant


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged sentence-transformers model, loaded once per test session."""
    from qa.embed.base import load_embedder

    return load_embedder(Settings().model)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, real_embedder) -> Settings:
    """Settings for an index of the default corpus built once with the real model. Do not modify it."""
    root = tmp_path_factory.mktemp("seed")
    settings = Settings(corpus_dir=CORPUS, index_dir=root / "index")
    Assistant(settings, embedder=real_embedder).ingest(progress=False)
    return settings


@pytest.fixture(scope="session")
def seed_assistant(seed_index: Settings, real_embedder) -> Assistant:
    """A read-only assistant over the seed index with the real model."""
    return Assistant(seed_index, embedder=real_embedder)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL 16 + pgvector server (from the pgserver package) on a free 127.0.0.1 port, for the session."""
    from qa.index.postgres.local import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "postgres"])
def store_settings(request, tmp_path: Path):
    """A function making Settings for one store; tests using it run against both stores."""
    import uuid

    overrides: dict = {}
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        overrides = {"store": "postgres", "postgres": {"url": server.url, "schema_name": f"t_{uuid.uuid4().hex[:12]}"}}

    def make(corpus: Path, **more) -> Settings:
        return make_settings(tmp_path, corpus, **(overrides | more))

    make.store = request.param
    return make
