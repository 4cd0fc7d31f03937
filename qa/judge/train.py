"""Fine-tuning the answer judge: a cross-encoder from the packaged MiniLM weights.

The judge reads (question, candidate text) and outputs one logit: does the
sentence answer the question. It starts from all-MiniLM-L6-v2, the model the
index already ships, with a fresh one-unit head, and is trained with binary
cross-entropy on the labelled pairs of ``qa.judge.data``. Everything that
could vary is fixed: the seed, the order of the pairs, the schedule. On a GPU
the arithmetic differs in the last bits from a CPU run, so weights trained on
one are close to, not identical with, weights trained on the other.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.judge.inputs import MAX_TOKENS, candidate_text


@dataclass
class TrainConfig:
    epochs: float = 2.0
    batch_size: int = 64
    learning_rate: float = 4e-5
    warmup_share: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    max_tokens: int = MAX_TOKENS
    layers: int = 6  # encoder layers kept from the base model
    max_seconds: float | None = None  # stop early past this (a time-limited machine); the report says so
    stop_at_step: int | None = None  # stop at this step of the schedule (reproduces a run that stopped early)


def _set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_base(base: Path, layers: int):
    """The base encoder with a one-logit head (the head is new; the encoder is the packaged model's)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base), num_labels=1, num_hidden_layers=layers, local_files_only=True, dtype=torch.float32
    )  # trained in fp32 (bf16 autocast on a GPU), whatever precision the base was stored in
    return tokenizer, model


def train(
    rows: list[dict],
    base: Path,
    out: Path,
    config: TrainConfig = TrainConfig(),
    device: str | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train on ``rows`` (dicts with q, s, t, c, y) and save fp16 weights with the tokenizer to ``out``."""
    import torch

    _set_seed(config.seed)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer, model = load_base(base, config.layers)
    model.to(device)
    order = list(range(len(rows)))
    random.Random(config.seed).shuffle(order)
    steps_per_epoch = math.ceil(len(order) / config.batch_size)
    total = max(1, int(steps_per_epoch * config.epochs))
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    rest = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=config.learning_rate,
    )
    warmup = max(1, int(config.warmup_share * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else contextlib.nullcontext()
    model.train()
    started = time.perf_counter()
    losses: list[float] = []
    step = 0
    while (
        step < total
        and step != config.stop_at_step
        and not (config.max_seconds and time.perf_counter() - started > config.max_seconds)
    ):
        epoch_order = order if step == 0 else _reshuffled(order, config.seed + step)
        for at in range(0, len(epoch_order), config.batch_size):
            if (
                step >= total
                or step == config.stop_at_step
                or (config.max_seconds and time.perf_counter() - started > config.max_seconds)
            ):
                break
            batch = [rows[i] for i in epoch_order[at : at + config.batch_size]]
            enc = tokenizer(
                [r["q"] for r in batch],
                [candidate_text(r["s"], r.get("t", ""), r.get("c", "")) for r in batch],
                truncation="only_second",
                max_length=config.max_tokens,
                padding=True,
                return_tensors="pt",
            ).to(device)
            labels = torch.tensor([float(r["y"]) for r in batch], device=device)
            with autocast:
                logits = model(**enc).logits.squeeze(-1)
            loss = loss_fn(logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            step += 1
            if step % 200 == 0 or step == total:
                recent = sum(losses[-200:]) / len(losses[-200:])
                rate = step * config.batch_size / (time.perf_counter() - started)
                log(f"step {step:,}/{total:,}  loss {recent:.4f}  {rate:,.0f} pairs/s")
    seconds = time.perf_counter() - started
    save(model, tokenizer, out)
    report = {
        "config": asdict(config),
        "pairs": len(rows),
        "steps": step,
        "planned_steps": total,
        "device": device,
        "seconds": round(seconds, 1),
        "first_loss": round(sum(losses[:20]) / max(1, len(losses[:20])), 4),
        "last_loss": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4),
    }
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _reshuffled(order: list[int], seed: int) -> list[int]:
    out = list(order)
    random.Random(seed).shuffle(out)
    return out


def save(model, tokenizer, out: Path) -> None:
    """fp16 safetensors, the config and the tokenizer: what ``qa.judge.model`` loads."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    model.config.to_json_file(str(out / "config.json"))
    tokenizer.save_pretrained(str(out))
