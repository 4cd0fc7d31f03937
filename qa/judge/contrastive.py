"""Fine-tuning the bi-encoder itself as an answer judge, contrastively, as it was made.

The packaged all-MiniLM-L6-v2 was trained on a billion (text, text) pairs
with in-batch negatives; a cross-encoder started from it loses that and must
learn it back (issue 19's measurements). This keeps the model a bi-encoder
and continues the same kind of training on question-answer data: each
training question is paired with a sentence that answers it and, as a hard
negative, a sentence of the same passage that does not; every other sentence
in the batch is a negative too (multiple-negatives ranking loss, scale 20,
as sentence-transformers trains it). The held-out questions of
``qa.judge.data`` (a stable hash of their id) never enter training.

Everything that could vary is fixed: the seed, the triples, their order.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.judge.data import LOADERS, held_out


@dataclass
class ContrastiveConfig:
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_share: float = 0.1
    scale: float = 20.0  # cosine to logit, as sentence-transformers' MultipleNegativesRankingLoss
    seed: int = 13
    max_query_tokens: int = 48
    max_sentence_tokens: int = 96
    stop_at_step: int | None = None
    max_seconds: float | None = None
    save_every: int = 0  # steps between checkpoints (0: only at the end)


def triples(
    root: Path, names: list[str] | None = None, seed: int = 13
) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """Training (question, answering sentence, non-answering sentence of the same passage) and held-out groups.

    A held-out group is {"q", "sentences", "labels"}: its own passage, for
    measuring ranking and for choosing an answer-triggering threshold.
    """
    rng = random.Random(seed)
    train: list[tuple[str, str, str]] = []
    held: list[dict] = []
    for name in names or list(LOADERS):
        passages, groups = LOADERS[name](root)
        for group in groups:
            passage = passages[group.passage]
            if held_out(group.id):
                labels = [int(i in group.positives) for i in range(len(passage.sentences))]
                held.append({"set": name, "q": group.question, "sentences": passage.sentences, "labels": labels})
                continue
            if not group.positives:
                continue
            others = [i for i in range(len(passage.sentences)) if i not in group.positives]
            for p in sorted(group.positives):
                if others:
                    negative = passage.sentences[rng.choice(others)]
                else:  # a passage that is all answer: any sentence of another passage
                    other = rng.choice([n for n in range(len(passages)) if n != group.passage] or [group.passage])
                    negative = rng.choice(passages[other].sentences)
                train.append((group.question, passage.sentences[p], negative))
    rng.shuffle(train)
    return train, held


def _encode(model, tokenizer, texts: list[str], max_tokens: int):
    import torch.nn.functional as F

    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
    batch = batch.to(model.device)
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # mean pooling, as the packaged model
    return F.normalize(pooled, dim=-1)


def train(
    rows: list[tuple[str, str, str]],
    base: Path,
    out: Path,
    config: ContrastiveConfig = ContrastiveConfig(),
    log: Callable[[str], None] = print,
    device: str = "cpu",
) -> dict:
    """Fine-tune the bi-encoder at ``base`` on ``rows``; save a sentence-transformers model directory at ``out``.

    The saved weights are fp16 (44 MB); ``SentenceTransformerEmbedder`` computes in fp32 on the CPU.
    """
    import numpy as np
    import torch
    import torch.nn.functional as F
    from sentence_transformers import SentenceTransformer

    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    st = SentenceTransformer(str(base), device=device, local_files_only=True)
    model, tokenizer = st[0].auto_model, st.tokenizer
    model.train()
    per_epoch = math.ceil(len(rows) / config.batch_size)
    steps = math.ceil(per_epoch * config.epochs)
    if config.stop_at_step:
        steps_run = min(steps, config.stop_at_step)
    else:
        steps_run = steps
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    warmup = max(1, int(steps * config.warmup_share))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    started, losses, step = time.monotonic(), [], 0
    stopped_by_time = False
    while step < steps_run:
        # Epoch by epoch over the rows, each epoch after the first in its own seeded order; a short last
        # batch is kept (one row still has its answer and its negative to tell apart).
        epoch, at = divmod(step, per_epoch)
        at *= config.batch_size
        order = rows if epoch == 0 else random.Random(config.seed + epoch).sample(rows, len(rows))
        batch = order[at : at + config.batch_size]
        questions = [q for q, _, _ in batch]
        sentences = [s for _, s, _ in batch] + [n for _, _, n in batch]
        qv = _encode(model, tokenizer, questions, config.max_query_tokens)
        sv = _encode(model, tokenizer, sentences, config.max_sentence_tokens)
        scores = qv @ sv.T * config.scale
        # Not negatives for row i: another copy of its answer, and the answer of another row asking the same
        # question (PolicyQA asks one question of many policies); sentence-transformers keeps such rows out of
        # a batch with its sampler instead.
        same = torch.tensor(
            [
                [
                    j != i and (s == batch[i][1] or (j < len(batch) and batch[j][0] == batch[i][0]))
                    for j, s in enumerate(sentences)
                ]
                for i in range(len(batch))
            ]
        ).to(scores.device)
        scores = scores.masked_fill(same, float("-inf"))
        loss = F.cross_entropy(scores, torch.arange(len(batch), device=scores.device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        losses.append(loss.item())
        step += 1
        if step % 20 == 0 or step == steps_run:
            rate = step * config.batch_size / (time.monotonic() - started)
            log(f"step {step:,}/{steps_run:,} loss {np.mean(losses[-20:]):.4f} ({rate:.1f} questions/s)")
        if config.save_every and step % config.save_every == 0:
            _save(st, out.with_name(f"{out.name}-checkpoints") / f"step-{step}")
        if config.max_seconds and time.monotonic() - started > config.max_seconds:
            stopped_by_time = True
            break
    seconds = time.monotonic() - started
    _save(st, out)
    report = {
        "config": asdict(config),
        "rows": len(rows),
        "steps": step,
        "schedule_steps": steps,
        "stopped_by_time": stopped_by_time,
        "seconds": round(seconds, 1),
        "first_loss": round(float(np.mean(losses[:20])), 4),
        "last_loss": round(float(np.mean(losses[-20:])), 4),
    }
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _save(st, out: Path) -> None:
    """A sentence-transformers directory in fp16 (half the size; cosines move in the fourth decimal)."""
    import copy

    out.mkdir(parents=True, exist_ok=True)
    half = copy.deepcopy(st).cpu().half()
    half.save(str(out), safe_serialization=True)
