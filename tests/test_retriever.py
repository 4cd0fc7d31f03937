from qa.integrations.langchain import CitedRetriever
from qa.types import Filters


def test_langchain_retriever_returns_verbatim_passages_with_citation_metadata(fake_assistant):
    retriever = CitedRetriever(assistant=fake_assistant, k=3)
    docs = retriever.invoke("social workers supervision")
    assert 1 <= len(docs) <= 3
    texts = fake_assistant.index().documents
    for doc in docs:
        meta = doc.metadata
        assert texts[meta["source"]].text[meta["start"] : meta["end"]] == doc.page_content
        assert meta["title"] and meta["chunk_id"] == doc.id


def test_langchain_retriever_applies_filters(fake_assistant):
    retriever = CitedRetriever(assistant=fake_assistant, k=5, filters=Filters(since="2022-01-01"))
    docs = retriever.invoke("children's services")
    assert docs and all(d.metadata["date"] >= "2022" for d in docs)
