"""Sentence vectors pooled from their passage's forward pass, and the standalone encode they fall back to."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import HashingEmbedder
from qa.assistant import Assistant
from qa.index import builds as store
from qa.ingest.furniture import with_lead_in
from qa.types import Filters

from conftest import make_settings


class PoolingEmbedder(HashingEmbedder):
    """A fake whose pooled span vector is the hash of the span's text with a marker word.

    A span ending past ``window`` characters of its passage cannot be pooled (as a model's
    truncation would cut it off), so ingest must encode that sentence on its own.
    """

    def __init__(self, window: int) -> None:
        super().__init__()
        self.window = window

    def embed_passages_and_spans(self, texts, spans, progress=False, label="Embedding"):
        pooled = []
        for text, text_spans in zip(texts, spans):
            rows = np.full((len(text_spans), self.dimension), np.nan, dtype=np.float32)
            for row, (start, end) in enumerate(text_spans):
                if end <= self.window:
                    rows[row] = self._encode([f"pooledmarker {text[start:end]}"])[0]
            pooled.append(rows)
        return self.embed_passages(texts), pooled


def _stored_sentences(index):
    refs = list(index.sentences.values())
    return refs, index.sentence_stores.dense.vectors([r.id for r in refs])


def test_each_sentence_is_pooled_from_its_own_span_or_encoded_alone(tmp_path, corpus_copy):
    embedder = PoolingEmbedder(window=400)
    assistant = Assistant(make_settings(tmp_path, corpus_copy, sentence_vectors="pooled"), embedder=embedder)
    report = assistant.ingest(progress=False)
    index = assistant.index()
    refs, vectors = _stored_sentences(index)
    pooled = alone = 0
    for ref, vector in zip(refs, vectors):
        text = index.documents[ref.source].text
        if np.allclose(vector, embedder.embed_passages([f"pooledmarker {text[ref.start : ref.end]}"])[0], atol=1e-6):
            pooled += 1
        else:  # past the window in every passage holding it: the standalone text, lead-in and all
            assert np.allclose(vector, embedder.embed_passages([with_lead_in(text, ref.start, ref.end)])[0], atol=1e-6)
            alone += 1
    assert pooled > 0 and alone > 0
    assert report.sentences_encoded_alone == alone
    assert index.manifest["chunker"]["sentence_vectors"] == "pooled"
    # Passage vectors are what the passage encode gives, the title line first.
    for chunk in index.chunks[:20]:
        title = index.documents[chunk.source].title
        expected = embedder.embed_passages([f"{title}\n{chunk.text}" if title else chunk.text])[0]
        assert np.allclose(index.passages.dense.vectors([chunk.id])[0], expected, atol=1e-6)


def test_switching_back_to_separate_sentence_vectors_encodes_each_sentence_and_rebuilds(tmp_path, corpus_copy):
    embedder = PoolingEmbedder(window=10**9)
    settings = make_settings(tmp_path, corpus_copy, sentence_vectors="pooled")
    Assistant(settings, embedder=embedder).ingest(progress=False)
    assistant = Assistant(settings.updated(sentence_vectors="separate"), embedder=embedder)
    report = assistant.ingest(progress=False)
    assert report.rebuilt  # the stored sentence vectors meant something else
    index = assistant.index()
    refs, vectors = _stored_sentences(index)
    texts = [with_lead_in(index.documents[r.source].text, r.start, r.end) for r in refs]
    assert np.allclose(vectors, embedder.embed_passages(texts), atol=1e-6)
    assert "sentence_vectors" not in index.manifest["chunker"]  # as indexes built before the setting say


def test_unchanged_documents_keep_their_pooled_sentence_vectors(tmp_path, corpus_copy):
    embedder = PoolingEmbedder(window=400)
    assistant = Assistant(make_settings(tmp_path, corpus_copy, sentence_vectors="pooled"), embedder=embedder)
    assistant.ingest(progress=False)
    refs, before = _stored_sentences(assistant.index())
    report = assistant.ingest(progress=False)
    assert not report.rebuilt and not report.added and not report.updated
    index = assistant.index()
    assert np.array_equal(index.sentence_stores.dense.vectors([r.id for r in refs]), before)


REPORT = (
    "Inspectors found that social workers visit children regularly and know them well. "
    "Managers provide supervision, although it does not always set clear actions. "
    "The football season ended with a cup final in May."
)


@pytest.mark.slow
def test_real_model_pools_passage_tokens_into_sentence_vectors(real_embedder):
    long_text = " ".join([REPORT] * 12)  # well past the model's 256-token window
    texts = [f"Children's services inspection\n{REPORT}", long_text]
    starts = [texts[0].index(s) for s in ("Inspectors", "Managers", "The football")]
    spans = [[(s, texts[0].index(".", s) + 1) for s in starts], [(0, 40), (len(long_text) - 30, len(long_text))]]
    passages, pooled = real_embedder.embed_passages_and_spans(texts, spans)

    # The passage vectors are exactly those of a plain encode (the mean over all tokens).
    assert np.abs(passages - real_embedder.embed_passages(texts)).max() < 1e-5
    # A pooled sentence vector stays close to the sentence encoded alone, closer than to the other sentences.
    alone = real_embedder.embed_passages([texts[0][a:b] for a, b in spans[0]])
    similarity = pooled[0] @ alone.T
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)
    assert (np.diag(similarity) > 0.6).all()
    assert (similarity.argmax(axis=1) == np.arange(3)).all()
    # A span inside the window is pooled; one past the truncation point is left for a standalone encode.
    assert not np.isnan(pooled[1][0]).any()
    assert np.isnan(pooled[1][1]).all()


class CountingPoolingEmbedder(PoolingEmbedder):
    """Counts the texts it is asked to encode outside ingest's passage pass."""

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self.encoded: list[str] = []

    def embed_passages(self, texts, progress=False, label="Embedding"):
        self.encoded += list(texts)
        return super().embed_passages(texts, progress, label)


def test_answers_on_a_pooled_index_score_sentences_encoded_alone_once(tmp_path, corpus_copy):
    from qa.answer.sentence_vectors import candidate_vectors

    embedder = CountingPoolingEmbedder(window=10**9)
    assistant = Assistant(make_settings(tmp_path, corpus_copy, sentence_vectors="pooled"), embedder=embedder)
    assistant.ingest(progress=False)
    index = assistant.index()
    evidence = assistant._evidence("What did inspectors say about supervision?", Filters(), None, ())
    assert evidence.candidates
    candidates = evidence.candidates
    texts = [with_lead_in(index.documents[c.source].text, c.start, c.end) for c in candidates]
    # The scoring vectors are the sentences encoded on their own, not the pooled ones the index searches with.
    assert np.allclose(evidence.vectors, HashingEmbedder().embed_passages(texts), atol=1e-6)
    pooled = index.sentence_stores.dense.vectors([store.sentence_id(c.source, c.start, c.end) for c in candidates])
    assert not np.allclose(pooled, evidence.vectors, atol=1e-3)
    # Asked again, they come from the cache.
    embedder.encoded.clear()
    assert np.allclose(candidate_vectors(index, embedder, candidates), evidence.vectors)
    assert embedder.encoded == []
