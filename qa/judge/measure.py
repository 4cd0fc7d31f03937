"""The judge against the bi-encoder on WikiQA test (evaluation only: its licence bars training).

- MAP and MRR over the questions with both a right and a wrong sentence
  (WikiQA's 237 "filtered" test questions), ranking each question's sentences;
- answer triggering (Yang et al., 2015) over all 633 test questions: a
  question is answered when its best sentence clears a threshold, and counts as
  right when that sentence is labelled correct; F1 of precision (right among
  answered) and recall (right among the questions that have an answer).

Each scorer's threshold is the one that maximises answer-triggering F1 on the
held-out split of the training pairs, never on WikiQA.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

WIKIQA = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "external" / "wikiqa" / "WikiQA-test.tsv"


def load_wikiqa(path: Path = WIKIQA) -> dict[str, dict]:
    """Question id -> {question, rows: [(sentence, title, previous sentence, label)]} in document order."""
    out: dict[str, dict] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            q = out.setdefault(row["QuestionID"], {"question": row["Question"], "rows": []})
            before = q["rows"][-1][0] if q["rows"] else ""
            q["rows"].append((row["Sentence"], row["DocumentTitle"], before, int(row["Label"])))
    return out


def ranking_scores(scores: dict[str, np.ndarray], data: dict[str, dict]) -> tuple[float, float, int]:
    """MAP and MRR over questions with both labels."""
    aps, rrs = [], []
    for qid, q in data.items():
        labels = [r[3] for r in q["rows"]]
        if not any(labels) or all(labels):
            continue
        order = np.argsort(-scores[qid], kind="stable")
        hits, ap, first = 0, 0.0, None
        for rank, i in enumerate(order, start=1):
            if labels[i]:
                hits += 1
                ap += hits / rank
                first = first or rank
        aps.append(ap / hits)
        rrs.append(1.0 / first)
    return float(np.mean(aps)), float(np.mean(rrs)), len(aps)


def triggering_f1(best: list[tuple[float, bool, bool]], threshold: float) -> float:
    """F1 of answer triggering from (best score, best is right, question has an answer) per question."""
    answered = [(right, has) for score, right, has in best if score >= threshold]
    correct = sum(right for right, _ in answered)
    with_answer = sum(has for _, _, has in best)
    if not answered or not correct:
        return 0.0
    precision, recall = correct / len(answered), correct / with_answer
    return 2 * precision * recall / (precision + recall)


def best_threshold(best: list[tuple[float, bool, bool]]) -> float:
    """The threshold that maximises answer-triggering F1 on ``best``."""
    candidates = sorted({round(s, 4) for s, _, _ in best})
    return max(candidates, key=lambda t: (triggering_f1(best, t), -t))


def held_out_best(path: Path, key: str) -> list[tuple[float, bool, bool]]:
    """Per held-out training question: its best single sentence's ``key`` feature, whether it is right, whether any is."""
    groups: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(path, "rt") as f:
        for line in f:
            row = json.loads(line)
            if row["n"] == 1:
                groups[row["group"]].append(row)
    out = []
    for rows in groups.values():
        top = max(rows, key=lambda r: r[key])
        out.append((top[key], bool(top["y"]), any(r["y"] for r in rows)))
    return out


def measure_wikiqa(weights: Path | None = None, held_out: Path | None = None) -> dict:
    """Judge and bi-encoder figures on WikiQA test, printed and returned."""
    from qa.embed.base import load_embedder
    from qa.judge.model import WEIGHTS, Judge
    from qa.settings import Settings

    weights = weights or WEIGHTS
    held_out = held_out or Path(__file__).resolve().parents[2] / "judge-work" / "held-out.jsonl.gz"
    data = load_wikiqa()
    judge = Judge(weights)
    embedder = load_embedder(Settings().model)
    judged, cosines = {}, {}
    for n, (qid, q) in enumerate(data.items()):
        judged[qid] = judge.logits(q["question"], [(s, t, c) for s, t, c, _ in q["rows"]])
        qv = embedder.embed_queries([q["question"]])[0]
        cosines[qid] = embedder.embed_queries([r[0] for r in q["rows"]]) @ qv
        if n % 100 == 0:
            print(f"{n}/{len(data)} questions", flush=True)
    report = {}
    for name, scores, key in (("judge", judged, "judge"), ("bi-encoder", cosines, "cosine")):
        map_, mrr, n = ranking_scores(scores, data)
        threshold = best_threshold(held_out_best(held_out, key)) if held_out.exists() else None
        best = []
        for qid, q in data.items():
            i = int(np.argmax(scores[qid]))
            best.append((float(scores[qid][i]), bool(q["rows"][i][3]), any(r[3] for r in q["rows"])))
        f1 = triggering_f1(best, threshold) if threshold is not None else None
        report[name] = {
            "MAP": round(map_, 4),
            "MRR": round(mrr, 4),
            "questions": n,
            "threshold": threshold,
            "triggering_F1": f1 and round(f1, 4),
        }
        print(name, json.dumps(report[name]), flush=True)
    return report


def _encoder(model):
    """Cosines of a question with its sentences, every distinct text encoded once, in large batches."""

    def cosines(groups: list[tuple[str, list[str]]]) -> list[np.ndarray]:
        texts = sorted({t for q, sentences in groups for t in (q, *sentences)})
        vectors = model.encode(texts, batch_size=128, normalize_embeddings=True)
        at = {t: i for i, t in enumerate(texts)}
        return [
            np.asarray(vectors[[at[t] for t in sentences]] @ vectors[at[q]], dtype=np.float32)
            for q, sentences in groups
        ]

    return cosines


def _average_precision(scores: np.ndarray, labels: list[int]) -> float:
    order = np.argsort(-scores, kind="stable")
    hits, ap = 0, 0.0
    for rank, j in enumerate(order, start=1):
        if labels[j]:
            hits += 1
            ap += hits / rank
    return ap / hits


def measure_bi_encoder(model_dir: Path, held: list[dict], data: dict[str, dict] | None = None) -> dict:
    """A bi-encoder's WikiQA test figures, its answer-triggering threshold chosen on held-out training questions.

    ``held`` are the held-out groups of ``qa.judge.contrastive.triples``
    (each question with its own passage's sentences and labels). Also
    reported: the F1 at the threshold that is best on WikiQA itself (an
    oracle figure, only to compare with figures chosen that way) and the
    top sentence's accuracy over the questions with both labels (what an
    F1 restricted to questions that have an answer, with no threshold, is).
    """
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    data = data or load_wikiqa()
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.float()
    cosines = _encoder(model)
    held_scores = cosines([(g["q"], g["sentences"]) for g in held])
    held_best, held_aps = [], []
    for group, scores in zip(held, held_scores, strict=True):
        i = int(np.argmax(scores))
        held_best.append((float(scores[i]), bool(group["labels"][i]), any(group["labels"])))
        if any(group["labels"]) and not all(group["labels"]):
            held_aps.append(_average_precision(scores, group["labels"]))
    threshold = best_threshold(held_best)
    ids = list(data)
    wiki = cosines([(data[qid]["question"], [r[0] for r in data[qid]["rows"]]) for qid in ids])
    scores = dict(zip(ids, wiki, strict=True))
    map_, mrr, n = ranking_scores(scores, data)
    best, top_right = [], []
    for qid, q in data.items():
        labels = [r[3] for r in q["rows"]]
        i = int(np.argmax(scores[qid]))
        best.append((float(scores[qid][i]), bool(labels[i]), any(labels)))
        if any(labels) and not all(labels):
            top_right.append(bool(labels[i]))
    return {
        "MAP": round(map_, 4),
        "MRR": round(mrr, 4),
        "questions": n,
        "top_sentence_right": round(float(np.mean(top_right)), 4),
        "threshold": threshold,
        "triggering_F1": round(triggering_f1(best, threshold), 4),
        "oracle_triggering_F1": round(triggering_f1(best, best_threshold(best)), 4),
        "held_out_MAP": round(float(np.mean(held_aps)), 4),
    }
