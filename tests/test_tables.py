"""The lazily read chunk and sentence columns give exactly what the eager objects gave."""

from __future__ import annotations

import numpy as np
import pytest

from qa.errors import IndexCorrupt
from qa.index import builds as store
from qa.index.builds import sentence_id


def test_lazy_tables_match_the_chunks_they_were_written_from(fake_assistant):
    index = fake_assistant.index()
    chunks = list(index.chunks)
    assert chunks and len(index.chunk_by_id) == len(chunks)
    for chunk in chunks:
        assert index.chunk_by_id[chunk.id] == chunk
        assert chunk.text == index.documents[chunk.source].text[chunk.start : chunk.end]
    expected: dict[str, list[str]] = {}
    for chunk in chunks:
        for start, end in chunk.sentences:
            expected.setdefault(sentence_id(chunk.source, start, end), []).append(chunk.id)
    assert dict(index.chunks_of_sentence.items()) == expected
    assert set(index.sentences) == set(expected)
    for sid, ref in index.sentences.items():
        assert index.sentences[sid] == ref and sentence_id(ref.source, ref.start, ref.end) == sid
    assert index.chunks_of_sentence.get("no such sentence") is None
    assert "no such chunk" not in index.chunk_by_id


def test_a_column_pointing_outside_its_table_is_reported_as_damage(fake_assistant):
    build = store.current_build(fake_assistant.settings.index_dir)
    rows = np.load(build / "chunk_sentences.npy")
    rows[0, 2] = len(np.load(build / "sentences.npy")) + 5
    np.save(build / "chunk_sentences.npy", rows, allow_pickle=False)
    with pytest.raises(IndexCorrupt, match="chunk_sentences.npy"):
        store.open_index(fake_assistant.settings.index_dir, verify=False)
