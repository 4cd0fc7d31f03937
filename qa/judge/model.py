"""Loading the answer judge and scoring candidates with it.

``make judge`` writes the weights to ``qa/judge/weights`` as fp16
safetensors, with their SHA-256 and the training data's recorded in
``weights/judge.json``; loading checks the hash, so a damaged or swapped file
is named with the fix instead of giving quiet nonsense. (They are not shipped
yet: the judge trained so far measures below the rules and the bi-encoder,
see the README.) On the CPU the linear layers run as int8 (dynamic
quantisation): about half the time of fp32 for the same ranking.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.errors import ModelUnavailable
from qa.judge.data import sha256
from qa.judge.inputs import MAX_TOKENS, candidate_text

WEIGHTS = Path(__file__).resolve().parent / "weights"
FIX = "make them with `make judge` (or set QA_ANSWER__JUDGE=rules, the default)"
BATCH = 16


def read_manifest(folder: Path) -> dict:
    """The judge's manifest: the weights' hash, the training data's hashes, and its measured figures."""
    path = folder / "judge.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelUnavailable(f"The answer judge is missing ({path}); {FIX}.") from None
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"The answer judge's manifest {path} cannot be read ({exc}); {FIX}.") from None


class Judge:
    """A cross-encoder that gives the probability that a sentence answers a question."""

    def __init__(self, folder: Path = WEIGHTS, quantise: bool = True) -> None:
        manifest = read_manifest(folder)
        weights = folder / "model.safetensors"
        if not weights.is_file():
            raise ModelUnavailable(f"The answer judge's weights are missing ({weights}); {FIX}.")
        expected = manifest.get("sha256", {}).get("model.safetensors")
        if expected != sha256(weights):
            raise ModelUnavailable(f"The answer judge's weights ({weights}) fail their SHA-256 check; {FIX}.")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                str(folder), local_files_only=True, dtype=torch.float32
            ).eval()
            if quantise:
                with warnings.catch_warnings():  # torch marks eager dynamic quantisation deprecated; it still works
                    warnings.simplefilter("ignore")
                    model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        except Exception as exc:  # a broken weights folder must not surface as a traceback
            raise ModelUnavailable(f"Could not load the answer judge from {folder}: {exc}; {FIX}.") from exc
        self._model = model
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core for one
        self.manifest = manifest
        self.temperature = float(manifest.get("temperature", 1.0))

    def logits(self, question: str, candidates: Sequence[tuple[str, str, str]]) -> np.ndarray:
        """One logit per (sentence, title, context): above 0 leans to "answers the question"."""
        import torch

        if not candidates:
            return np.zeros(0, dtype=np.float32)
        texts = [candidate_text(*c) for c in candidates]
        # Similar lengths share a batch, so padding costs little (dynamic padding).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros(len(texts), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for at in range(0, len(order), BATCH):
                rows = order[at : at + BATCH]
                enc = self._tokenizer(
                    [question] * len(rows),
                    [texts[i] for i in rows],
                    truncation="only_second",
                    max_length=MAX_TOKENS,
                    padding=True,
                    return_tensors="pt",
                )
                out[rows] = self._model(**enc).logits.squeeze(-1).float().numpy()
        return out

    def probabilities(self, question: str, candidates: Sequence[tuple[str, str, str]]) -> np.ndarray:
        """The calibrated probability that each candidate answers the question."""
        return 1.0 / (1.0 + np.exp(-self.logits(question, candidates) / self.temperature))


@lru_cache(maxsize=2)
def load_judge(folder: str = str(WEIGHTS)) -> Judge:
    """The judge, loaded once per process."""
    return Judge(Path(folder))
