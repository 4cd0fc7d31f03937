from datetime import date

import pytest

from qa.assistant import make_filters, retrieval_query
from qa.errors import BadFilter
from qa.search.filters import document_matches
from qa.search.fusion import fuse_rankings
from qa.types import date_bounds
from qa.types import Document, Filters


def test_rrf_rewards_items_ranked_well_in_both_lists():
    scores = fuse_rankings([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(scores, key=scores.get) == 1
    assert scores[3] > scores[2]
    assert scores[4] == pytest.approx(1 / 63)


def test_partial_dates_cover_their_whole_period():
    assert date_bounds("2023") == (date(2023, 1, 1), date(2023, 12, 31))
    assert date_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert date_bounds("2020-01-21") == (date(2020, 1, 21), date(2020, 1, 21))


def test_date_and_source_filters():
    doc = Document(source="a.txt", text="", sha256="", date="2020-01-21")
    undated = Document(source="b.txt", text="", sha256="")
    assert document_matches(doc, Filters(since="2020", until="2020-12"))
    assert not document_matches(doc, Filters(since="2021"))
    assert not document_matches(doc, Filters(until="2019-12-31"))
    assert not document_matches(undated, Filters(since="2000"))
    assert document_matches(undated, Filters())
    assert not document_matches(doc, Filters(sources=("b.txt",)))


def test_bad_filter_dates_are_refused_with_the_value():
    with pytest.raises(BadFilter, match="last tuesday"):
        make_filters(since="last tuesday")
    assert make_filters(since="2020-01", until="").until is None


def test_follow_up_questions_carry_the_previous_topic():
    history = ["What did inspectors say about supervision?"]
    assert retrieval_query("and what about in 2020?", history) == f"{history[0]} and what about in 2020?"
    assert retrieval_query("Who was appointed commissioner for children's services?", history).startswith("Who")
    assert retrieval_query("and what about in 2020?", []) == "and what about in 2020?"


def test_search_respects_filters(fake_assistant):
    index = fake_assistant.index()
    dated_2020 = [s for s, d in index.documents.items() if (d.date or "").startswith("2020")]
    _, searcher = fake_assistant._live()
    hits = searcher.search("supervision of social workers", Filters(since="2020-01-01", until="2020-12-31"))
    assert hits and {h.chunk.source for h in hits} == set(dated_2020)
    one = sorted(index.documents)[0]
    hits = searcher.search("children's services", Filters(sources=(one,)))
    assert hits and {h.chunk.source for h in hits} == {one}
    assert searcher.search("children", Filters(since="2030")) == []


def test_a_chain_of_follow_ups_anchors_on_the_last_standalone_question():
    history = ["What did inspectors say about supervision?", "and what about in 2020?"]
    assert retrieval_query("and in 2022?", history) == "What did inspectors say about supervision? and in 2022?"
    # a new standalone question is searched as it is, even with words like "there"
    assert (
        retrieval_query("Were there any concerns about fostering?", history)
        == "Were there any concerns about fostering?"
    )
    assert retrieval_query("What did they say about caseloads?", history).startswith("What did inspectors say")


def test_one_source_may_be_given_as_a_string():
    assert make_filters("report.txt").sources == ("report.txt",)
