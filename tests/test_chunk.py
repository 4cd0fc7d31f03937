from qa.ingest.chunk import chunk_document, chunk_id
from qa.ingest.furniture import content_spans
from qa.settings import ChunkSettings
from qa.types import Document, Page

from conftest import DATA


def document(text: str, pages: list[Page] | None = None, source: str = "doc.txt") -> Document:
    return Document(source=source, text=text, sha256="x", pages=pages or [], content=content_spans(text))


def test_plain_fixture_has_exact_chunk_spans():
    text = (DATA / "plain.txt").read_text(encoding="utf-8")
    chunks = chunk_document(document(text, source="plain.txt"), ChunkSettings(max_words=12, overlap_sentences=0))
    assert [(c.start, c.end) for c in chunks] == [(0, 79), (80, 140), (142, 200)]
    assert [c.text for c in chunks] == [
        "Herefordshire Council published its children's services improvement plan today.",
        "The plan sets out how social work caseloads will be reduced.",
        "Inspectors will return in the spring to check on progress.",
    ]


def test_chunks_are_verbatim_whole_sentences_within_the_word_limit():
    sentence = "Social workers said that supervision was regular and helpful this year."
    text = "\n".join([sentence] * 1 + [f"Point {i} was raised by the inspectors in their letter." for i in range(30)])
    chunks = chunk_document(document(text), ChunkSettings(max_words=40, overlap_sentences=1))
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text.split()) <= 40
        assert chunk.text.endswith(".")
        assert [text[s:e] for s, e in chunk.sentences][0] == chunk.text[: chunk.sentences[0][1] - chunk.start]
    # one sentence of overlap: each chunk starts with the last sentence of the one before
    for before, after in zip(chunks, chunks[1:]):
        assert after.sentences[0] == before.sentences[-1]


def test_chunks_never_bridge_removed_furniture():
    text = "The first paragraph is real content here.\nSubscribe\nThe second paragraph is also content."
    chunks = chunk_document(document(text), ChunkSettings(max_words=100))
    assert [c.text for c in chunks] == [
        "The first paragraph is real content here.",
        "The second paragraph is also content.",
    ]


def test_chunks_never_cross_pages_and_carry_their_page():
    page1 = "The first page says something important about care."
    page2 = "The second page says something else about supervision."
    text = page1 + "\n\n" + page2
    pages = [Page(1, 0, len(page1)), Page(2, len(page1) + 2, len(text))]
    chunks = chunk_document(document(text, pages), ChunkSettings(max_words=100))
    assert [(c.text, c.page) for c in chunks] == [(page1, 1), (page2, 2)]


def test_ids_are_stable_and_depend_on_text_and_place():
    text = (DATA / "plain.txt").read_text(encoding="utf-8")
    first = [c.id for c in chunk_document(document(text), ChunkSettings())]
    again = [c.id for c in chunk_document(document(text), ChunkSettings())]
    assert first == again
    assert chunk_id("a.txt", 0, 5, "hello") != chunk_id("b.txt", 0, 5, "hello")
    assert chunk_id("a.txt", 0, 5, "hello") != chunk_id("a.txt", 1, 6, "hello")


def test_empty_and_furniture_only_documents_have_no_chunks():
    assert chunk_document(document(""), ChunkSettings()) == []
    assert chunk_document(document("Subscribe\nLike us\nMenu"), ChunkSettings()) == []


def test_a_sentence_longer_than_a_chunk_is_cut_at_word_boundaries():
    text = " ".join(f"word{i}" for i in range(250)) + "."
    chunks = chunk_document(document(text), ChunkSettings(max_words=100, overlap_sentences=0))
    assert [len(c.text.split()) for c in chunks] == [100, 100, 50]
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].text.endswith("word249.")
