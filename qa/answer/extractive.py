"""The extractive writer: the answer quotes the strongest evidence sentences, each with its citation.

Every statement is a sentence copied from a document, and its citation
carries the exact span, so the quote can always be checked against the
source. When the best evidence is too weak, the answer says the documents do
not cover the question rather than guess.

Evidence scored by the rules (``settings.answer.judge = "rules"``) is weighed
against the relevance floors below; evidence scored by a judge carries its
calibrated threshold, and what reaches it is quoted (``_write_judged``).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from qa.answer.base import Candidate, Evidence
from qa.answer.question import is_question
from qa.ingest.furniture import list_item_span, list_items
from qa.settings import AnswerSettings
from qa.types import Answer, Citation, Document, Statement


class ExtractiveWriter:
    """Quotes the strongest sentences, spread across documents, ordered by date."""

    def __init__(self, settings: AnswerSettings) -> None:
        self.settings = settings

    def write(self, evidence: Evidence) -> Answer:
        if evidence.threshold is not None:
            return _write_judged(evidence, evidence.threshold, self.settings)
        # Only sentences carrying the kind of answer asked for (a count, a name, a date) can answer.
        rows = [i for i, c in enumerate(evidence.candidates) if c.typed]
        if not rows:
            return evidence.not_found()
        scored = [evidence.candidates[i] for i in rows]
        best = max(c.score for c in scored)
        floor = self._floor(scored, best, evidence)
        if floor is None:
            return evidence.not_found()
        chosen = _select(scored, evidence.vectors[rows], best, floor, self.settings)
        chosen = _as_list_items(evidence, _with_turns(evidence, chosen, self.settings), self.settings)
        citations = _cite(evidence, chosen, self.settings)
        statements = tuple(Statement(c.text, (c.n,)) for c in citations)
        return Answer(evidence.question, True, citations, statements, notice=evidence.notes())

    def _floor(self, scored: list[Candidate], best: float, evidence: Evidence) -> float | None:
        """The least relevance a quote may have, or None when nothing answers.

        Relevant enough in the model's terms. A statement to check rather than
        a question (a claim, a search phrase) asks for the passages about it, not
        for a fact they may lack, so it is also answered below that line when
        the evidence is corroborated: the meaning and the keyword rankings,
        which fail in different ways, both put the same passage at the top (its
        strongest sentences are quoted), or a sentence holds a good share of
        the statement's distinctive words. Once a statement is answered, any
        sentence within ``relative_cutoff`` of its best may be quoted, above
        the line or below it.
        """
        s = self.settings
        question = is_question(evidence.question)
        if best >= s.min_relevance:
            # Once a statement is answered, every document strong beside its best sentence is evidence about
            # it, as it is below the line: the line decides whether to answer, not which passages are about it.
            return s.min_relevance if question else min(s.min_relevance, s.relative_cutoff * best)
        if question:
            return None  # a question must be answered in the model's terms; only a statement is checked word by word
        supported = [c.score for c in scored if c.coverage >= s.lexical_support and c.score >= s.support_relevance]
        if _rankings_agree(evidence, s.agreement_depth):
            supported.append(s.relative_cutoff * best)
        return min(supported) if supported else None


def _rank(candidate: Candidate, settings: AnswerSettings) -> float:
    """How a quotable sentence ranks among the others: its relevance, and search's ranking of its passage."""
    return candidate.score + settings.search_weight * candidate.searched


def _rankings_agree(evidence: Evidence, depth: int) -> bool:
    """True when search's first passage is within the first ``depth`` of both the dense and the lexical ranking."""
    first = evidence.hits[0] if evidence.hits else None
    return (
        first is not None
        and first.dense_rank is not None
        and first.lexical_rank is not None
        and max(first.dense_rank, first.lexical_rank) <= depth
    )


def _select(
    scored: list[Candidate], vectors: np.ndarray, best: float, floor: float, settings: AnswerSettings
) -> list[Candidate]:
    """The strongest sentences, no near-duplicates, spread across documents.

    1. The best strong sentence (near the best score) of each document, so
       evidence spread over several documents is cited from each of them.
    2. Each document not yet heard from contributes its best sentence if it is
       still reasonably strong (relative to the best, or in absolute terms), or
       holds one of the question's rare words.
    3. Remaining places go to the next strong sentences, at most
       ``per_document`` from one document, then to any strong sentence.
    """
    # Nothing below the floor is ever quoted: it would not have answered on its own.
    order = [i for i in sorted(range(len(scored)), key=lambda i: -scored[i].score) if scored[i].score >= floor]
    strong = [i for i in order if scored[i].score >= settings.relative_cutoff * best]
    supporting = [
        i
        for i in order
        if scored[i].score >= min(settings.diversity_cutoff * best, settings.support_floor) or scored[i].focus
    ]
    chosen: list[int] = []
    per_document: dict[str, int] = {}

    def take(i: int, cap: int, most: int = settings.max_citations) -> None:
        source = scored[i].source
        if len(chosen) >= most or i in chosen or per_document.get(source, 0) >= cap:
            return
        # Near-duplicates within one document repeat it; the same finding in two documents is two sources.
        if any(scored[j].source == source and float(vectors[i] @ vectors[j]) > settings.near_duplicate for j in chosen):
            return
        chosen.append(i)
        per_document[source] = per_document.get(source, 0) + 1

    # Every document with something to say is heard from, up to max_documents, before any says more.
    most = max(settings.max_citations, settings.max_documents)
    for i in strong:
        take(i, 1, most)
    for i in supporting:
        if scored[i].source not in per_document:
            take(i, 1, most)
    for i in strong:
        take(i, settings.per_document)
    for i in strong:
        take(i, settings.max_citations)
    return [scored[i] for i in chosen]


# A sentence opening like this qualifies or turns the one before it ("The training was bought. However,
# inspectors saw no evidence it was used."): quoting the first alone would tell half the finding.
_TURN = re.compile(
    r"^\W*(however|but|yet|although|though|despite|nevertheless|nonetheless|even so|in contrast|conversely|"
    r"instead|that said|this|these|that|those|it|they|as a result|consequently|therefore)\b",
    re.IGNORECASE,
)


def _with_turns(evidence: Evidence, chosen: list[Candidate], settings: AnswerSettings) -> list[Candidate]:
    """Each quoted sentence followed by the next one of its paragraph when that one qualifies or turns it."""
    out = list(chosen)
    taken = {(c.source, c.start) for c in chosen}
    for c in chosen:
        span = evidence.following.get((c.source, c.start))
        if span is None or (c.source, span[0]) in taken or len(out) >= settings.max_citations + settings.per_document:
            continue
        text = evidence.documents[c.source].text[span[0] : span[1]]
        if _TURN.match(text) and len(text.split()) >= settings.min_statement_words:
            out.append(Candidate(c.source, span[0], span[1], c.context, c.score, c.typed, c.focus, searched=c.searched))
            taken.add((c.source, span[0]))
    return out


def _write_judged(evidence: Evidence, threshold: float, settings: AnswerSettings) -> Answer:
    """Quote what the judge finds answers: every document whose best sentence reaches the threshold is heard
    from, then the most probable; a neighbour the judge reads as part of an answer is quoted after it."""
    rows = [i for i, c in enumerate(evidence.candidates) if c.score >= threshold]
    if not rows:
        return evidence.not_found()
    chosen = _select_judged([evidence.candidates[i] for i in rows], evidence.vectors[rows], settings)
    chosen = _as_list_items(evidence, _with_following(evidence, chosen), settings)
    citations = _cite(evidence, chosen, settings)
    statements = tuple(Statement(c.text, (c.n,)) for c in citations)
    return Answer(evidence.question, True, citations, statements, notice=evidence.notes())


def _select_judged(answering: list[Candidate], vectors: np.ndarray, settings: AnswerSettings) -> list[Candidate]:
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
        if any(
            answering[j].source == source and float(vectors[i] @ vectors[j]) > settings.near_duplicate for j in chosen
        ):
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
            out.append(replace(c, start=span[0], end=span[1]))
            taken.add((c.source, span[0]))
    return out


def _as_list_items(evidence: Evidence, chosen: list[Candidate], settings: AnswerSettings) -> list[Candidate]:
    """A list item is quoted whole ("The quality of plans for disabled children. Enabler three: National
    Framework.", not its label alone), and a list two of whose items answer comes back whole, item by item
    ("What needs to improve?" and all its points), up to ``list_items`` items."""
    out: list[Candidate] = []
    for c in chosen:
        document = evidence.documents[c.source]
        span = list_item_span(document.text, c.start)
        if span is not None and span[0] <= c.start and c.end <= span[1] and _is_content(document, *span):
            c = replace(c, start=span[0], end=span[1])
        if not any(o.source == c.source and o.start <= c.start and c.end <= o.end for o in out):
            out = [o for o in out if not (o.source == c.source and c.start <= o.start and o.end <= c.end)] + [c]
    lists: dict[tuple[str, int], list[Candidate]] = {}
    items_of: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for c in out:
        items = list_items(evidence.documents[c.source].text, c.start, settings.list_items)
        if items:
            lists.setdefault((c.source, items[0][0]), []).append(c)
            items_of[(c.source, items[0][0])] = items
    for key, answering in lists.items():
        if len(answering) < 2:
            continue
        best = max(answering, key=lambda c: c.score)
        document = evidence.documents[key[0]]
        have = {c.start for c in out if c.source == key[0]}
        out += [
            replace(best, start=s, end=e) for s, e in items_of[key] if s not in have and _is_content(document, s, e)
        ]
    return out


def _is_content(document: Document, start: int, end: int) -> bool:
    """Whether the span lies inside the document's content (never page furniture)."""
    return not document.content or any(s <= start and end <= e for s, e in document.content)


def _cite(evidence: Evidence, chosen: list[Candidate], settings: AnswerSettings) -> list[Citation]:
    """Number the quotes in date order (undated last) so change over time reads top to bottom;
    documents of one date (or undated) strongest first, each document's quotes in reading order."""
    strongest: dict[str, float] = {}
    for c in chosen:
        strongest[c.source] = max(strongest.get(c.source, float("-inf")), _rank(c, settings))

    def order(c: Candidate) -> tuple[bool, str, float, str, int]:
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
                text=doc.text[c.start : c.end],
                start=c.start,
                end=c.end,
                score=round(_rank(c, settings), 4),
            )
        )
    return citations
