"""One calibrated decision from the named features: the combiner and the abstention threshold.

The combiner is a logistic regression over ``qa.judge.features.NAMES``,
fitted on the held-out split of the training pairs (questions the judge never
trained on), so its output is a probability that a sentence answers. The
threshold is the least best-candidate probability at which the held-out
questions' answers reach a stated precision: a question whose best sentence
is below it is answered "the documents do not cover this question". Both
ship in ``weights/judge.json`` beside the judge.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.judge.features import NAMES


@dataclass(frozen=True)
class Combiner:
    """p = sigmoid(bias + sum(weight * feature)) over the named features."""

    weights: tuple[float, ...]
    bias: float
    threshold: float  # least best-candidate probability that answers a question

    @classmethod
    def from_manifest(cls, manifest: dict) -> Combiner:
        c = manifest["combiner"]
        return cls(tuple(float(c["weights"][n]) for n in NAMES), float(c["bias"]), float(c["threshold"]))

    def probability(self, features: np.ndarray) -> np.ndarray:
        """``features``: one row per candidate, one column per name in NAMES."""
        return 1.0 / (1.0 + np.exp(-(features @ np.asarray(self.weights) + self.bias)))


def _groups(path: Path) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(path, "rt") as f:
        for line in f:
            row = json.loads(line)
            if row["n"] == 1:
                groups[row["group"]].append(row)
    return groups


def fit(path: Path, precision: float | None = None) -> tuple[Combiner, dict]:
    """Fit the combiner on the held-out pairs and choose the threshold: for ``precision`` when given,
    else where answer triggering's F1 is highest."""
    from qa.judge.measure import best_threshold, triggering_f1

    from sklearn.linear_model import LogisticRegression

    groups = _groups(path)
    names = sorted(groups)
    # Fit on half of the held-out questions, choose the threshold on the other half.
    fit_on = [g for i, g in enumerate(names) if i % 2 == 0]
    choose_on = [g for i, g in enumerate(names) if i % 2 == 1]
    rows = [r for g in fit_on for r in groups[g]]
    # Each data set has its own base rate of answering sentences, and the sets differ in how much an
    # answer shares the question's words (SQuAD 2.0's unanswerable questions were written to share them):
    # pooled, that difference shows up as a negative weight on word coverage. One intercept per data set
    # (fixed effects) leaves the weights to what holds within a set; answering uses their mean.
    sets = sorted({r["group"].split(":")[0] for r in rows})
    x = np.array([[r[n] for n in NAMES] + [float(r["group"].split(":")[0] == s) for s in sets] for r in rows])
    y = np.array([r["y"] for r in rows])
    model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(x, y)
    weights = model.coef_[0]
    combiner = Combiner(tuple(float(w) for w in weights[: len(NAMES)]), float(np.mean(weights[len(NAMES) :])), 0.5)
    best = []
    for g in choose_on:
        rows = groups[g]
        p = combiner.probability(np.array([[r[n] for n in NAMES] for r in rows]))
        top = int(np.argmax(p))
        best.append((float(p[top]), bool(rows[top]["y"]), any(r["y"] for r in rows)))
    best.sort(key=lambda b: -b[0])
    threshold, answered, right = 1.0, 0, 0
    curve = []
    for score, is_right, _ in best:
        answered += 1
        right += is_right
        if precision is not None and right / answered >= precision:
            threshold = score
        curve.append((score, right / answered, answered / len(best)))
    if precision is None:
        threshold = best_threshold(best)
    has = sum(h for _, _, h in best)
    chosen = [c for c in curve if c[0] >= threshold]
    report = {
        "features": list(NAMES),
        "data_set_intercepts": {s: round(float(w), 4) for s, w in zip(sets, weights[len(NAMES) :])},
        "fitted_on_questions": len(fit_on),
        "threshold_chosen_on_questions": len(choose_on),
        "criterion": f"precision {precision}" if precision is not None else "answer-triggering F1",
        "triggering_f1": round(triggering_f1(best, threshold), 4),
        "at_threshold": {
            "precision": round(chosen[-1][1], 4) if chosen else None,
            "questions_answered": round(chosen[-1][2], 4) if chosen else 0,
            "questions_with_an_answer": round(has / len(best), 4),
        },
    }
    return Combiner(combiner.weights, combiner.bias, round(threshold, 4)), report


def fit_and_save(path: Path, precision: float | None = None, weights: Path | None = None) -> dict:
    """Fit, then write the combiner into the shipped judge's manifest."""
    from qa.judge.model import WEIGHTS

    folder = weights or WEIGHTS
    combiner, report = fit(path, precision)
    manifest = json.loads((folder / "judge.json").read_text())
    manifest["combiner"] = {
        "weights": {n: round(w, 6) for n, w in zip(NAMES, combiner.weights)},
        "bias": round(combiner.bias, 6),
        "threshold": combiner.threshold,
        **report,
    }
    (folder / "judge.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest["combiner"], indent=2))
    return manifest["combiner"]
