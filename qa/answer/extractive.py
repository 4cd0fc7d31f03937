"""The extractive writer: the answer quotes the sentences the judge finds answer, each with its citation.

Every statement is a sentence copied from a document, and its citation
carries the exact span, so the quote can always be checked against the
source. When no sentence reaches the calibrated threshold, the answer says
the documents do not cover the question rather than guess.
"""

from __future__ import annotations

import numpy as np

from qa.answer.base import Candidate, Evidence, register_writer
from qa.settings import AnswerSettings
from qa.types import Answer, Citation, Statement


class ExtractiveWriter:
    """Quotes the answering sentences: every document with one is heard from, then the strongest, in date order."""

    def __init__(self, settings: AnswerSettings) -> None:
        self.settings = settings

    def write(self, evidence: Evidence) -> Answer:
        rows = [i for i, c in enumerate(evidence.candidates) if c.score >= evidence.threshold]
        if not rows:
            return evidence.not_found()
        chosen = _select([evidence.candidates[i] for i in rows], evidence.vectors[rows], self.settings)
        chosen = _with_following(evidence, chosen)
        citations = _cite(evidence, chosen)
        statements = tuple(Statement(c.text, (c.n,)) for c in citations)
        return Answer(evidence.question, True, citations, statements, notice=evidence.notes())


register_writer("extractive", lambda settings: ExtractiveWriter(settings.answer))


def _select(answering: list[Candidate], vectors: np.ndarray, settings: AnswerSettings) -> list[Candidate]:
    """Every document whose best sentence answers is heard from (up to ``max_documents``, most probable
    first), then further answering sentences, at most ``per_document`` from one document and
    ``max_citations`` in all; a near-duplicate of a sentence already quoted from its document is not."""
    chosen: list[int] = []
    per_document: dict[str, int] = {}

    def take(i: int, cap: int, most: int) -> None:
        source = answering[i].source
        if len(chosen) >= most or i in chosen or per_document.get(source, 0) >= cap:
            return
        # Near-duplicates within one document repeat it; the same finding in two documents is two sources.
        if any(answering[j].source == source and float(vectors[i] @ vectors[j]) > settings.near_duplicate for j in chosen):
            return
        chosen.append(i)
        per_document[source] = per_document.get(source, 0) + 1

    for i in range(len(answering)):  # most probable first
        take(i, 1, max(settings.max_citations, settings.max_documents))
    for i in range(len(answering)):
        take(i, settings.per_document, max(settings.max_citations, len(chosen)))
    return [answering[i] for i in chosen]


def _with_following(evidence: Evidence, chosen: list[Candidate]) -> list[Candidate]:
    """Each quoted sentence followed by the next one where the judge found the two a better answer together."""
    out = list(chosen)
    taken = {(c.source, c.start) for c in chosen}
    for c in chosen:
        span = evidence.following.get((c.source, c.start))
        if span is not None and (c.source, span[0]) not in taken:
            out.append(Candidate(c.source, span[0], span[1], c.context, c.score, c.logit, c.searched))
            taken.add((c.source, span[0]))
    return out


def _cite(evidence: Evidence, chosen: list[Candidate]) -> list[Citation]:
    """Number the quotes in date order (undated last) so change over time reads top to bottom;
    documents of one date (or undated) most probable first, each document's quotes in reading order."""
    strongest: dict[str, float] = {}
    for c in chosen:
        strongest[c.source] = max(strongest.get(c.source, float("-inf")), c.score)

    def order(c: Candidate):
        doc = evidence.documents[c.source]
        return (doc.date is None, doc.date or "", -strongest[c.source], c.source, c.start)

    citations = []
    for n, c in enumerate(sorted(chosen, key=order), start=1):
        doc = evidence.documents[c.source]
        page = doc.page_at(c.start)
        citations.append(
            Citation(
                n=n,
                source=c.source,
                title=doc.title,
                date=doc.date,
                page=page,
                ocr=page is not None and page in doc.ocr_pages,
                text=doc.text[c.start:c.end],
                start=c.start,
                end=c.end,
                score=round(c.score, 4),
            )
        )
    return citations
