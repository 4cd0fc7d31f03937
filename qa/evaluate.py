"""Score the assistant on a question file (the format of shared/eval/dev_questions.jsonl)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.types import Answer, Document, Hit

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
    gold_docs: list[str] = field(default_factory=list)
    searched_docs: list[str] = field(default_factory=list)  # documents in the order search ranked them
    cited_docs: list[str] = field(default_factory=list)  # documents in the order of their best quote
    citations: int = 0
    verbatim: int = 0  # citations whose text equals the document text at their span
    furniture: int = 0  # citations whose span reaches outside the document's content (page furniture)

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

    def retrieval(self) -> dict[str, float]:
        """nDCG@10 and Recall@10 (ir-measures) of search's and of the answer's document rankings against the gold documents."""
        import ir_measures
        from ir_measures import R, nDCG

        rows = [r for r in self.results if r.answerable and r.gold_docs]
        if not rows:
            return {}
        qrels = [ir_measures.Qrel(r.id, doc, 1) for r in rows for doc in set(r.gold_docs)]
        out = {}
        for name, docs_of in (("search", lambda r: r.searched_docs), ("answer", lambda r: r.cited_docs)):
            run = [
                ir_measures.ScoredDoc(r.id, doc, float(len(docs_of(r)) - i))
                for r in rows
                for i, doc in enumerate(docs_of(r))
            ]
            scores = ir_measures.calc_aggregate([nDCG @ 10, R @ 10], qrels, run) if run else {}
            out[f"{name}_ndcg@10"] = round(float(scores.get(nDCG @ 10, 0.0)), 4)
            out[f"{name}_recall@10"] = round(float(scores.get(R @ 10, 0.0)), 4)
        return out

    @property
    def citations(self) -> int:
        return sum(r.citations for r in self.results)

    @property
    def verbatim_rate(self) -> float:
        return sum(r.verbatim for r in self.results) / self.citations if self.citations else 1.0

    @property
    def furniture_citations(self) -> int:
        return sum(r.furniture for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "citation_hit_rate": round(self.hit_rate, 4),
            "multi_document_coverage": round(self.coverage, 4),
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "answer_rate": round(self.answer_rate, 4),
            "false_abstentions": sum(not r.found for r in self._answerable()),
            "citations": self.citations,
            "verbatim_rate": round(self.verbatim_rate, 4),
            "furniture_citations": self.furniture_citations,
            **self.retrieval(),
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
            f"verbatim citations:       {self.verbatim_rate:.0%} of {self.citations}",
            f"page furniture quoted:    {self.furniture_citations} citations",
        ]
        lines += [f"{name + ':':<26}{value:.3f}" for name, value in self.retrieval().items()]
        return "\n".join(lines)


def score_answer(
    row: dict[str, Any], answer: Answer, hits: Sequence[Hit] = (), documents: dict[str, Document] | None = None
) -> QuestionResult:
    """Compare one answer with its gold keys; ``hits`` (search's ranking) and ``documents`` add retrieval and quote checks."""
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
        # Retrieval is scored only against gold documents this index holds (a question file may name others).
        gold_docs=[g["doc"] for g in gold if documents is None or g["doc"] in {Path(s).name for s in documents}],
        searched_docs=list(dict.fromkeys(Path(h.chunk.source).name for h in hits)),
        cited_docs=list(dict.fromkeys(Path(c.source).name for c in sorted(answer.citations, key=lambda c: -c.score))),
        citations=len(answer.citations),
        verbatim=sum(
            documents is None or documents[c.source].text[c.start : c.end] == c.text for c in answer.citations
        ),
        furniture=sum(
            documents is not None and not _within_content(documents[c.source], c.start, c.end) for c in answer.citations
        ),
    )


def _within_content(document: Document, start: int, end: int) -> bool:
    """True when [start, end) lies inside the document's content spans (a quote may not reach into furniture)."""
    covered = start
    for a, b in document.content:
        if b <= covered:
            continue
        if a > covered:
            break
        covered = b
        if covered >= end:
            return True
    return covered >= end


def evaluate_file(assistant, path: Path, depth: int = 20) -> EvalReport:
    """Ask every question of a question file and score the answers, search's rankings and the quotes."""
    documents = assistant.index().documents
    results = []
    for row in read_questions(path):
        hits = assistant.search(row["question"], k=depth)
        results.append(score_answer(row, assistant.ask(row["question"]), hits, documents))
    return EvalReport(results)
