"""Gathering evidence for a question: search, candidate sentences, and how well each answers.

1. The question is read once (``qa.answer.analysis``) and its names scope
   the documents searched.
2. Candidates are the sentences of the passages search finds and the best
   single-sentence matches, through hard filters only: a sentence that
   states something (not a bare lead-in), not a template many documents
   share, not page furniture (ingest never indexes that).
3. Each candidate is scored by ``settings.answer.judge``:
   - "rules" (the default): the hand-set relevance of ``scoring.py`` (the
     cosine of sentence and passage, the share of the question's words, the
     kind of answer asked for), which the writer compares with its floors;
   - "minilm": the learned answer judge (``qa.judge``) reads each candidate
     with its document's title and the sentence before it (or its list's
     lead-in); the combiner turns its logit, the bi-encoder's cosine and the
     word coverage into the probability that it answers, and the writer
     quotes what reaches the calibrated threshold. For the candidates that
     answer, the judge also reads each joined to the sentence after it: when
     the two read as a better answer than the first alone, both are quoted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import numpy as np

from qa.answer.analysis import analyse
from qa.answer.base import Candidate, Evidence, Judge
from qa.answer.scope import Scope, documents_writing, question_scope, strip_names
from qa.answer.scoring import QUESTION_FRAMING, score_candidates, unseen_weight
from qa.answer.types_asked import answer_type
from qa.answer.question import validate_question
from qa.answer.sentence_vectors import candidate_vectors
from qa.embed.base import Embedder
from qa.index.bm25 import tokenize
from qa.index.builds import Index, sentence_id
from qa.ingest.furniture import is_table_row_after_another, lead_in
from qa.ingest.templates import template_hash_key, template_key
from qa.judge.combine import Combiner
from qa.judge.features import coverage
from qa.judge.registry import combiner_of, make_judge, probabilities
from qa.search.filters import years_named
from qa.search.searcher import Searcher
from qa.settings import AnswerSettings
from qa.types import Document, Filters, Hit


def gather_evidence(
    question: str,
    index: Index,
    searcher: Searcher,
    embedder: Embedder,
    settings: AnswerSettings,
    filters: Filters = Filters(),
    k: int | None = None,
    retrieval_query: str | None = None,
    judge: Judge | None = None,
    pending: bool = False,
) -> Evidence:
    """Validate the question, search, and judge every candidate sentence (most probable answer first).

    ``retrieval_query`` lets a caller search with more context than the
    question itself (a follow-up joined to the question it follows). ``pending`` says documents are
    still being indexed: a name no indexed document writes is then not reported as unmentioned.
    """
    question = validate_question(question, settings)
    asked = analyse(question, retrieval_query)
    query = asked.query
    judging = _judging(judge, settings)
    threshold = judging[2] if judging else None
    empty = np.zeros((0, 0), dtype=np.float32)
    scope = _scope(question, query, index, pending)
    # A question about organisations or years no document mentions cannot be answered; a statement (a
    # claim, a search phrase) still gets the passages closest to it, with a note of what is not mentioned.
    if scope.nothing_named_is_known and asked.asking:
        return Evidence(question, query, filters, [], [], empty, index.documents, scope, threshold=threshold)
    # A question is answered from the documents about the organisations it names. A statement (a claim, a
    # search phrase) is checked against every document and favours those that write its names: its
    # capitalised words may be a species or a technique that other documents discuss, or spell another way.
    if scope.sources is not None and asked.asking:
        allowed = scope.sources & set(filters.sources) if filters.sources else scope.sources
        if allowed:
            filters = Filters(sources=tuple(sorted(allowed)), since=filters.since, until=filters.until)
    query_vector = embedder.embed_queries([query])[0]
    hits = searcher.search(query, filters, k=k, query_vector=query_vector)
    sentence_ids = searcher.sentence_ids(query, filters, k=settings.sentence_candidates, query_vector=query_vector)
    candidates = _candidates(index, hits, sentence_ids, query_vector, settings)
    if not candidates:
        return Evidence(question, query, filters, hits, [], empty, index.documents, scope, threshold=threshold)
    vectors = candidate_vectors(index, embedder, candidates)
    if judging is None:
        return _by_rules(
            question,
            query,
            asked.asking,
            filters,
            hits,
            candidates,
            vectors,
            index,
            scope,
            embedder,
            query_vector,
            settings,
        )
    judge, combiner, threshold = judging
    cosines = vectors @ query_vector
    # The judge reads at most judge_candidates sentences: those closest to the question and its passages.
    cap = np.argsort(-(cosines + np.array([c.context for c in candidates])), kind="stable")[: settings.judge_candidates]
    candidates = [candidates[i] for i in cap]
    vectors, cosines = vectors[cap], cosines[cap]
    contexts = [_judged_as(index, c) for c in candidates]
    logits = judge.logits(query, contexts)
    p = probabilities(combiner, logits, cosines, _coverages(index, query, contexts))
    scored = _searched([replace(c, score=float(s), logit=float(z)) for c, s, z in zip(candidates, p, logits)], hits)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].score, scored[i].source, scored[i].start))
    scored = [scored[i] for i in order]
    joined = _joined(
        index, judge, combiner, query, [c for c in scored if c.score >= threshold][: settings.max_citations]
    )
    return Evidence(
        question,
        query,
        filters,
        hits,
        scored,
        vectors[order],
        index.documents,
        scope,
        following=joined,
        threshold=threshold,
    )


def _judging(judge: Judge | None, settings: AnswerSettings) -> tuple[Judge, Combiner, float] | None:
    """The judge that scores the candidates, its combiner and the least probability that answers;
    None when the rules score them (``settings.judge = "rules"`` and no judge given)."""
    if settings.judge == "rules" and judge is None:
        return None
    judge = judge or make_judge(settings.judge)
    combiner = combiner_of(judge)
    return judge, combiner, combiner.threshold if settings.min_confidence is None else settings.min_confidence


def _by_rules(
    question: str,
    query: str,
    asking: bool,
    filters: Filters,
    hits: list[Hit],
    candidates: list[Candidate],
    vectors: np.ndarray,
    index: Index,
    scope: Scope,
    embedder: Embedder,
    query_vector: np.ndarray,
    settings: AnswerSettings,
) -> Evidence:
    """Evidence scored by the hand-set relevance of ``scoring.py`` (``settings.answer.judge = "rules"``)."""
    kind = answer_type(query)
    # Within the documents a question names, the names no longer tell sentences apart: score on the rest,
    # unless nothing but a year and framing is left ("What did Ofsted find in Northshire in 2025?").
    topic = strip_names(query, scope.named) if scope.named else query
    if not set(tokenize(topic)) - QUESTION_FRAMING - years_named(topic):
        topic = query
    topic_vector = embedder.embed_queries([topic])[0] if topic != query else query_vector
    favoured = (documents_writing(scope) or frozenset()) if not asking else frozenset()
    scored = _searched(score_candidates(index, candidates, vectors @ topic_vector, topic, settings, favoured), hits)
    order = sorted(range(len(scored)), key=lambda i: -scored[i].score)
    following: dict[tuple[str, int], tuple[int, int]] = {}
    for c in scored:
        span = _neighbour(index, c, +1)
        if span is not None:
            following[(c.source, c.start)] = span
    return Evidence(
        question,
        query,
        filters,
        hits,
        [scored[i] for i in order],
        vectors[order],
        index.documents,
        scope,
        kind.name if kind else None,
        following,
    )


def _coverages(index: Index, query: str, judged: list[tuple[str, str, str]]) -> np.ndarray:
    """The IDF-weighted share of the question's words each candidate's sentence and title hold."""
    terms = tokenize(query)
    idf = index.passages.lexical.idf(sorted(set(terms)))
    return np.array(
        [coverage(terms, idf, set(tokenize(sentence)) | set(tokenize(title))) for sentence, title, _ in judged]
    )


def _title(document: Document) -> str:
    """A document's title as the judge reads it, with its date: questions often name a year."""
    year = (document.date or "")[:4]
    return f"{document.title} ({year})" if year and year not in document.title else document.title


def _judged_as(index: Index, c: Candidate) -> tuple[str, str, str]:
    """(sentence, title, context) for the judge: the context is a list item's lead-in, else the sentence before."""
    document = index.documents[c.source]
    context = lead_in(document.text, c.start)
    if context is None:
        previous = _neighbour(index, c, -1)
        context = document.text[previous[0] : previous[1]] if previous else ""
    return document.text[c.start : c.end], _title(document), context


def _neighbour(index: Index, c: Candidate, step: int) -> tuple[int, int] | None:
    """The span of the sentence before (step -1) or after (+1) ``c`` in its paragraph, if any."""
    chunks_of_sentence, chunk_by_id = index.chunks_of_sentence, index.chunk_by_id
    assert chunks_of_sentence is not None and chunk_by_id is not None  # Index.__post_init__ fills both in
    for chunk_id in chunks_of_sentence.get(sentence_id(c.source, c.start, c.end), [])[:1]:
        spans = chunk_by_id[chunk_id].sentences
        at = spans.index((c.start, c.end)) if (c.start, c.end) in spans else -1
        if at >= 0 and 0 <= at + step < len(spans):
            start, end = spans[at + step]
            gap = index.documents[c.source].text[min(c.end, end) : max(c.start, start)]
            if "\n" not in gap:
                return start, end
    return None


def _joined(
    index: Index, judge: Judge, combiner: Combiner, query: str, chosen: list[Candidate]
) -> dict[tuple[str, int], tuple[int, int]]:
    """For each answering candidate, the next sentence when the judge finds the two a better answer together."""
    pairs, spans = [], []
    for c in chosen:
        following = _neighbour(index, c, +1)
        if following is None:
            continue
        sentence, title, context = _judged_as(index, c)
        text = index.documents[c.source].text
        pairs.append((f"{sentence} {text[following[0] : following[1]]}", title, context))
        spans.append((c, following))
    if not pairs:
        return {}
    together = judge.logits(query, pairs)
    return {(c.source, c.start): span for (c, span), z in zip(spans, together.tolist()) if z > c.logit}


def _searched(scored: list[Candidate], hits: list[Hit]) -> list[Candidate]:
    """Each candidate with where search ranked its passage (the fused score as a share of the first's)."""
    if not hits or hits[0].score <= 0:
        return scored
    share: dict[tuple[str, int], float] = {}
    for hit in hits:
        for start, _ in hit.chunk.sentences:
            share.setdefault((hit.chunk.source, start), hit.score / hits[0].score)
    return [replace(c, searched=share.get((c.source, c.start), 0.0)) for c in scored]


def _scope(question: str, query: str, index: Index, pending: bool = False) -> Scope:
    """The documents the question's names point at (a follow-up without names keeps the earlier question's),
    looked up in the build's name index. ``pending``: documents are still being indexed."""
    lexical = index.passages.lexical
    unseen = unseen_weight(lexical)

    def known(term: str) -> bool:
        return lexical.idf([term])[term] < unseen

    names = index.names
    assert names is not None  # Index.__post_init__ fills it in
    scope = question_scope(question, names, known, pending)
    if scope == Scope() and query != question:
        scope = question_scope(query, names, known, pending)
    return scope


def _candidates(
    index: Index, hits: list[Hit], sentence_ids: list[str], query_vector: np.ndarray, settings: AnswerSettings
) -> list[Candidate]:
    """Distinct sentences long enough to state something: those of the retrieved passages,
    then the best individual sentence matches (a precise fact inside a passage that ranked low)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    repeats = sentence_documents(index)
    chunks_of_sentence = index.chunks_of_sentence
    assert chunks_of_sentence is not None  # Index.__post_init__ fills it in

    def add(source: str, start: int, end: int, context: float) -> None:
        key = (source, start, end)
        sentence = index.documents[source].text[start:end]
        # A lead-in ("What needs to improve:") states nothing by itself; its list items are quoted instead.
        if key in seen or len(sentence.split()) < settings.min_statement_words or sentence.endswith(":"):
            return
        # The same sentence in many documents is their template ("This report is available at ...", a
        # table's header "Judgement | Grade"), not a finding; a table's data row is data even when many
        # reports share it ("Overall effectiveness | Good").
        if len(repeats.get(_template_key(sentence), ())) >= settings.boilerplate_documents:
            if not is_table_row_after_another(index.documents[source].text, start):
                return
        seen.add(key)
        out.append(Candidate(source, start, end, context))

    for hit in hits:
        for start, end in hit.chunk.sentences:
            add(hit.chunk.source, start, end, hit.dense_score or 0.0)
    for sentence in sentence_ids:
        ref = index.sentences[sentence]
        chunk_ids = chunks_of_sentence.get(sentence, [])
        context = float(np.max(index.passages.dense.vectors(chunk_ids) @ query_vector)) if chunk_ids else 0.0
        add(ref.source, ref.start, ref.end, context)
    return out


# Facts about one build computed on first use; kept for the builds in use (a swap brings a new path).
_PER_BUILD: dict[tuple[str, str], _TemplateDocuments] = {}


def sentence_documents(index: Index) -> _TemplateDocuments:
    """Each sentence's normalised text -> the documents that hold it, looked up in the build's name index (kept per build)."""
    key = ("repeats", str(index.path))
    if key not in _PER_BUILD:
        if len(_PER_BUILD) > 8:
            _PER_BUILD.clear()
        _PER_BUILD[key] = _TemplateDocuments(index)
    return _PER_BUILD[key]


class _TemplateDocuments:
    """``get(template_key)`` -> the documents holding a sentence with those words; one index lookup per new key."""

    def __init__(self, index: Index) -> None:
        assert index.names is not None  # Index.__post_init__ fills it in
        self._names = index.names
        self._found: dict[str, dict[str, int]] = {}

    def get(self, key: str, default: Collection[str] = ()) -> Collection[str]:
        if key not in self._found:
            if len(self._found) > 100_000:  # questions keep coming for a build: keep what they look up bounded
                self._found.clear()
            name = template_hash_key(key)
            self._found[key] = self._names.postings([name])[name]
        return self._found[key] or default


def _template_key(sentence: str) -> str:
    """A sentence's words, ignoring case, quotes, punctuation and web addresses' schemes: how templates repeat."""
    return template_key(sentence)
