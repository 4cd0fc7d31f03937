"""The support checker on crafted sentences over real passages: supported ones pass, changed ones are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakes import HashingEmbedder
from qa.answer.support import SupportChecker, numbers
from qa.settings import Settings
from qa.types import Citation, Document
from support_table import REPORT_ROWS, ROWS, Row, locate

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REPORTS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-real" / "docs"


def load(source: str) -> Document:
    """A corpus text file, or a real report from ../shared read as ingest reads it."""
    if source.endswith(".pdf"):
        from qa.ingest.readers import read_file

        loaded = read_file(REPORTS / source, 50 * 1024 * 1024)
        return Document(source, loaded.text, "sha", title=loaded.title or "", date=None)
    text = (CORPUS / source).read_text(encoding="utf-8")
    return Document(source, text, "sha", title=text.splitlines()[0], date=source[:10].rstrip("-"))


def checker_for(row: Row, embed, **settings) -> SupportChecker:
    document = load(row.source)
    text = document.text
    citations = []
    for n, quote in enumerate(row.quotes, start=1):
        start, end = locate(text, quote)
        citations.append(Citation(n, row.source, document.title, document.date, None, text[start:end], start, end, 1.0))
    return SupportChecker(citations, {row.source: document}, embed, Settings().llm.model_copy(update=settings))


def test_the_table_covers_every_kind_of_case():
    kinds = {row.kind for row in ROWS}
    assert {
        "supported",
        "title",
        "copied",
        "unsupported",
        "number",
        "organisation",
        "negation",
        "judgement",
        "union",
        "citation",
    } <= kinds
    assert sum(row.supported for row in ROWS) >= 8 and sum(not row.supported for row in ROWS) >= 15


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r.kind != "unsupported"], ids=lambda r: f"{r.kind}:{r.sentence[:40]}"
)
def test_the_word_level_checks_alone_decide_numbers_names_negations_and_citations(row):
    """Without the embedding check (a fake model), numbers, names, negation and citations are still caught."""
    verdict = checker_for(row, HashingEmbedder().embed_queries, min_similarity=-1.0).check(row.sentence, row.cites)
    assert verdict.supported is row.supported, verdict.reason
    if not row.supported:
        expected = {
            "number": "number",
            "organisation": "name",
            "negation": "negation",
            "judgement": "judgement",
            "union": "any one quote",
            "citation": "cite",
        }
        assert expected[row.kind] in verdict.reason


def _misjudged(rows, embed) -> list[str]:
    """The rows the checker gets wrong, each as 'kind: sentence (reason)'."""
    wrong = []
    for row in rows:
        verdict = checker_for(row, embed).check(row.sentence, row.cites)
        if verdict.supported is not row.supported:
            wrong.append(f"{row.kind}: {row.sentence} ({verdict.reason or 'supported'})")
    return wrong


@pytest.mark.slow
def test_the_calibrated_thresholds_get_every_row_right_with_the_real_model(real_embedder):
    wrong = _misjudged(ROWS, real_embedder.embed_queries)
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.skipif(not REPORTS.is_dir(), reason=f"{REPORTS} is not present")
def test_the_thresholds_hold_on_a_real_inspection_report(real_embedder):
    wrong = _misjudged(REPORT_ROWS, real_embedder.embed_queries)
    assert not wrong, "\n".join(wrong)


def test_unsupported_sentences_fail_on_their_words_even_when_the_topic_matches():
    for row in (r for r in ROWS if r.kind == "unsupported"):
        verdict = checker_for(row, HashingEmbedder().embed_queries, min_similarity=-1.0).check(row.sentence, row.cites)
        assert not verdict.supported, row.sentence


def test_numbers_are_normalised_across_digits_words_and_separators():
    assert numbers("1,200 pupils and three schools, 4.0 points") == {"1200", "3", "4"}
    assert numbers("one of the schools") == set()  # 'one' is mostly a pronoun


def test_a_documents_date_and_title_support_what_the_quote_leaves_implicit():
    row = Row(
        ROWS[0].source,
        ROWS[0].quotes,
        "In 2018, Ofsted rated leadership and management inadequate.",
        (1,),
        True,
        "supported",
    )
    assert (
        checker_for(row, HashingEmbedder().embed_queries, min_similarity=-1.0).check(row.sentence, row.cites).supported
    )


class UnlikeEmbedder:
    """Every text its own direction: any two different texts read as unrelated (cosine about 0)."""

    def embed_queries(self, texts: list[str]):
        import hashlib

        import numpy as np

        rows = [
            np.random.default_rng(int(hashlib.md5(t.encode()).hexdigest()[:8], 16)).standard_normal(256) for t in texts
        ]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def test_a_phrase_copied_from_one_quote_passes_on_its_words_alone():
    """A short phrase can read unlike the long quote it is copied from; every word being the quote's is enough."""
    for row in (r for r in ROWS if r.kind == "copied"):
        verdict = checker_for(row, UnlikeEmbedder().embed_queries).check(row.sentence, row.cites)
        assert verdict.supported and verdict.quotes == row.cites, verdict.reason
    paraphrase = next(
        r for r in ROWS if r.kind == "supported" and r.sentence.startswith("Social workers do not receive")
    )
    verdict = checker_for(paraphrase, UnlikeEmbedder().embed_queries).check(paraphrase.sentence, paraphrase.cites)
    assert not verdict.supported and "reads unlike" in verdict.reason  # a paraphrase still needs the similarity


def pooled_checker(rows, embed, **settings) -> tuple[SupportChecker, dict[str, int]]:
    """A checker over every distinct quote of ``rows`` (several documents), numbered in order; and each quote's number."""
    documents, citations, number = {}, [], {}
    for row in rows:
        document = documents.setdefault(row.source, load(row.source))
        for quote in row.quotes:
            if quote not in number:
                start, end = locate(document.text, quote)
                number[quote] = len(citations) + 1
                citations.append(
                    Citation(
                        number[quote],
                        row.source,
                        document.title,
                        document.date,
                        None,
                        document.text[start:end],
                        start,
                        end,
                        1.0,
                    )
                )
    return SupportChecker(citations, documents, embed, Settings().llm.model_copy(update=settings)), number


def _misattributed(rows, embed, **settings) -> list[str]:
    """Rows a sentence without markers gets wrong when checked against every quote of the table at once."""
    checker, number = pooled_checker(rows, embed, **settings)
    wrong = []
    for row in (r for r in rows if r.kind != "citation"):
        verdict = checker.attribute(row.sentence)
        own = {number[q] for q in row.quotes}
        if verdict.supported is not row.supported or (verdict.supported and not set(verdict.quotes) <= own):
            wrong.append(f"{row.kind}: {row.sentence} ({verdict.reason or verdict.quotes})")
    return wrong


def test_a_sentence_without_markers_is_checked_against_every_quote_and_cited_to_the_one_that_supports_it():
    assert len(pooled_checker(ROWS, HashingEmbedder().embed_queries)[1]) >= 10
    wrong = _misattributed(
        [r for r in ROWS if r.kind != "unsupported"], HashingEmbedder().embed_queries, min_similarity=-1.0
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_with_the_real_model_every_row_without_markers_is_judged_as_with_them(real_embedder):
    wrong = _misattributed(ROWS, real_embedder.embed_queries)
    assert not wrong, "\n".join(wrong)


def test_a_sentence_citing_a_withheld_quote_is_removed_and_a_checker_without_quotes_attributes_nothing():
    row = ROWS[2]
    document = load(row.source)
    start, end = locate(document.text, row.quotes[0])
    citation = Citation(1, row.source, document.title, document.date, None, document.text[start:end], start, end, 1.0)
    checker = SupportChecker(
        [citation], {row.source: document}, HashingEmbedder().embed_queries, Settings().llm, withheld=[1]
    )
    assert "reads as an instruction" in checker.check(row.sentence, (1,)).reason
    assert not checker.attribute(row.sentence).supported
