"""A LangChain retriever over the index, so others can plug our search into their chains.

An extra: ``pip install 'cited-qa[langchain]'``. Importing this module without
``langchain-core`` raises :class:`~qa.errors.MissingExtra` with that command.
"""

from __future__ import annotations

from typing import Any

from qa.extras import require

require("langchain_core", "langchain", "The LangChain retriever")
# Imported after the check above, so a missing extra is a one-line message, not an ImportError traceback.

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangChainDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.assistant import Assistant
from qa.types import Filters


class CitedRetriever(BaseRetriever):
    """Hybrid (FAISS + BM25) retrieval returning passages with their citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant
    k: int = 8
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[LangChainDocument]:
        documents = self.assistant.index().documents
        out = []
        for hit in self.assistant.search(query, self.filters, k=self.k):
            doc = documents[hit.chunk.source]
            metadata: dict[str, Any] = {
                "source": hit.chunk.source,
                "title": doc.title,
                "date": doc.date,
                "page": hit.chunk.page,
                "start": hit.chunk.start,
                "end": hit.chunk.end,
                "chunk_id": hit.chunk.id,
                "score": hit.score,
            }
            out.append(LangChainDocument(page_content=hit.chunk.text, metadata=metadata, id=hit.chunk.id))
        return out
