"""Score the assistant on a question file (the format of shared/eval/dev_questions.jsonl)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.types import Answer

_STRAIGHTEN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def normalise(text: str) -> str:
    """Lower-case, straighten curly quotes, collapse whitespace: how gold keys are written."""
    return " ".join(text.translate(_STRAIGHTEN).lower().split())


def read_questions(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines question file, naming the line of any malformed row."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QAError(f"Cannot read question file {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["question"]
        except (ValueError, KeyError, TypeError) as exc:
            raise QAError(f"{path}:{number} is not a question object with a 'question' field ({exc}).") from exc
        rows.append(row)
    return rows


@dataclass
class QuestionResult:
    """How one question went."""

    id: str
    question: str
    answerable: bool
    found: bool
    hit: bool  # some gold key appears in a cited passage
    docs_covered: int  # distinct gold documents with a key in a cited passage
    min_docs: int
    missed_keys: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.docs_covered >= self.min_docs


@dataclass
class EvalReport:
    """Aggregate scores over a question file."""

    results: list[QuestionResult]

    def _answerable(self) -> list[QuestionResult]:
        return [r for r in self.results if r.answerable]

    @property
    def hit_rate(self) -> float:
        rows = self._answerable()
        return sum(r.hit for r in rows) / len(rows) if rows else 0.0

    @property
    def coverage(self) -> float:
        rows = [r for r in self._answerable() if r.min_docs > 1]
        return sum(r.covered for r in rows) / len(rows) if rows else 1.0

    @property
    def abstention_accuracy(self) -> float:
        rows = [r for r in self.results if not r.answerable]
        return sum(not r.found for r in rows) / len(rows) if rows else 1.0

    @property
    def answer_rate(self) -> float:
        rows = self._answerable()
        return sum(r.found for r in rows) / len(rows) if rows else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "citation_hit_rate": round(self.hit_rate, 4),
            "multi_document_coverage": round(self.coverage, 4),
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "answer_rate": round(self.answer_rate, 4),
            "questions": [r.__dict__ | {"covered": r.covered} for r in self.results],
        }

    def summary(self) -> str:
        lines = []
        for r in self.results:
            if r.answerable:
                status = "ok " if r.hit and r.covered and r.found else "MISS"
                detail = f"docs {r.docs_covered}/{r.min_docs}"
                if r.missed_keys:
                    detail += f"; keys not cited: {', '.join(repr(k) for k in r.missed_keys)}"
            else:
                status = "ok " if not r.found else "MISS"
                detail = "abstained" if not r.found else "answered an unanswerable question"
            lines.append(f"{status} {r.id}: {r.question} ({detail})")
        answerable = self._answerable()
        unanswerable = [r for r in self.results if not r.answerable]
        lines += [
            "",
            f"citation hit rate:        {self.hit_rate:.0%} ({sum(r.hit for r in answerable)}/{len(answerable)} answerable questions cite a gold passage)",
            f"multi-document coverage:  {self.coverage:.0%} (multi-document questions citing at least min_docs gold documents)",
            f"abstention accuracy:      {self.abstention_accuracy:.0%} ({sum(not r.found for r in unanswerable)}/{len(unanswerable)} unanswerable questions abstained)",
            f"answer rate:              {self.answer_rate:.0%} (answerable questions answered)",
        ]
        return "\n".join(lines)


def score_answer(row: dict[str, Any], answer: Answer) -> QuestionResult:
    """Compare one answer with its gold keys."""
    cited = [normalise(c.text) for c in answer.citations]
    gold = row.get("gold", [])
    found_keys = [g for g in gold if any(normalise(g["key"]) in text for text in cited)]
    return QuestionResult(
        id=str(row.get("id", "")),
        question=row["question"],
        answerable=bool(row.get("answerable", True)),
        found=answer.found,
        hit=bool(found_keys) if gold else answer.found,
        docs_covered=len({g["doc"] for g in found_keys}),
        min_docs=int(row.get("min_docs", 1)) if row.get("answerable", True) else 0,
        missed_keys=[g["key"] for g in gold if g not in found_keys],
    )
