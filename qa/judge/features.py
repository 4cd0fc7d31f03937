"""The named features one candidate sentence is decided on, the same in training and in answering.

- ``judge``: the cross-encoder's logit (does the sentence answer the question);
- ``cosine``: the bi-encoder's cosine of question and sentence (what search ranks by);
- ``coverage``: the IDF-weighted share of the question's words that the sentence
  (with its title) holds.

The combiner (``qa.judge.combine``) weighs them into one probability.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from qa.index.bm25 import tokenize
from qa.judge.inputs import MAX_TOKENS, candidate_text

NAMES = ("judge", "cosine", "coverage")


def coverage(question_terms: Sequence[str], idf: dict[str, float], candidate_terms: set[str]) -> float:
    """The IDF-weighted share of the question's distinct terms found among ``candidate_terms``."""
    terms = set(question_terms)
    total = sum(idf.get(t, 0.0) for t in terms)
    if total <= 0:
        return 0.0
    return sum(idf.get(t, 0.0) for t in terms if t in candidate_terms) / total


def idf_table(texts: Iterable[str]) -> dict[str, float]:
    """BM25's IDF over ``texts`` (as the lexical store computes it)."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        n += 1
        df.update(set(tokenize(text)))
    return {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def logits_on_device(model_dir: Path, questions: list[str], texts: list[str], device: str | None = None) -> np.ndarray:
    """The judge's logits in batches on ``device`` (a training machine; answering uses ``qa.judge.model``)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), local_files_only=True, dtype=torch.float32
    )
    model.to(device).eval()
    out = np.zeros(len(texts), dtype=np.float32)
    with torch.inference_mode():
        for at in range(0, len(texts), 256):
            enc = tokenizer(
                questions[at : at + 256],
                texts[at : at + 256],
                truncation="only_second",
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            ).to(device)
            out[at : at + 256] = model(**enc).logits.squeeze(-1).float().cpu().numpy()
    return out


def score_held_out(pairs: Path, model_dir: Path, encoder, out: Path, device: str | None = None) -> None:
    """Write every held-out pair with its features, for fitting the combiner and choosing the threshold."""
    from qa.judge.data import read_pairs

    rows = read_pairs(pairs)
    idf_of: dict[str, dict[str, float]] = {}
    for name in sorted({r["group"].split(":")[0] for r in rows}):
        idf_of[name] = idf_table({r["s"] for r in rows if r["group"].startswith(name + ":")})
    held = [r for r in rows if r["held_out"]]
    texts = [candidate_text(r["s"], r["t"], r["c"]) for r in held]
    logits = logits_on_device(model_dir, [r["q"] for r in held], texts, device)
    questions = sorted({r["q"] for r in held})
    qv = dict(zip(questions, encoder.embed_queries(questions)))
    sv = encoder.embed_passages([r["s"] for r in held])
    with gzip.open(out, "wt", encoding="utf-8") as f:
        for r, z, v in zip(held, logits.tolist(), sv):
            idf = idf_of[r["group"].split(":")[0]]
            cov = coverage(tokenize(r["q"]), idf, set(tokenize(r["s"])) | set(tokenize(r["t"])))
            row = {
                "group": r["group"],
                "y": r["y"],
                "n": r.get("n", 1),
                "judge": round(z, 4),
                "cosine": round(float(qv[r["q"]] @ v), 4),
                "coverage": round(cov, 4),
            }
            f.write(json.dumps(row) + "\n")
    print(f"scored {len(held):,} held-out pairs of {len({r['group'] for r in held}):,} questions", flush=True)
