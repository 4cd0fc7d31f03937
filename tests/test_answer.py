import pytest

from qa.answer.base import NOT_FOUND
from qa.answer.question import validate_question
from qa.render.text import format_date
from qa.errors import BadQuestion
from qa.settings import AnswerSettings


@pytest.mark.parametrize("question", ["", "   \n\t ", "?!...", "\x00\x01"])
def test_unusable_questions_are_refused(question):
    with pytest.raises(BadQuestion):
        validate_question(question, AnswerSettings())


def test_overlong_question_names_the_limit():
    with pytest.raises(BadQuestion, match="2,000"):
        validate_question("why " * 600, AnswerSettings())


def test_control_characters_are_cleaned_and_other_scripts_accepted():
    assert validate_question("supervision\x07 quality", AnswerSettings()) == "supervision  quality"
    assert validate_question("Что сказали инспекторы? 🙂", AnswerSettings()).startswith("Что")


def test_format_date():
    assert format_date("2018-07-23") == "23 July 2018"
    assert format_date("2023-10") == "October 2023"
    assert format_date("2023") == "2023"
    assert format_date(None) == "undated"


def test_every_citation_is_verbatim_and_marked_in_the_answer(fake_assistant):
    answer = fake_assistant.ask("social workers supervision quality")
    assert answer.found and answer.citations
    documents = fake_assistant.index().documents
    for citation in answer.citations:
        assert documents[citation.source].text[citation.start:citation.end] == citation.text
        assert f"[{citation.n}]" in answer.answer
        assert citation.title == documents[citation.source].title
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_citations_are_in_date_order(fake_assistant):
    answer = fake_assistant.ask("children's services inspection leadership")
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)


def test_unrelated_question_abstains(fake_assistant):
    answer = fake_assistant.ask("Quantum chromodynamics lattice gluon propagators?")
    assert not answer.found
    assert answer.answer == NOT_FOUND and answer.citations == []


def test_per_document_and_total_limits(fake_assistant):
    fake_assistant.settings = fake_assistant.settings.updated(answer__max_citations=3)
    answer = fake_assistant.ask("children's services social workers")
    assert 1 <= len(answer.citations) <= 3


def test_abstention_under_filters_says_what_was_searched(fake_assistant):
    from qa.types import Filters

    answer = fake_assistant.ask("social workers supervision", filters=Filters(since="2031"))
    assert not answer.found
    assert answer.answer.startswith(NOT_FOUND) and "chosen documents and dates" in answer.answer


def test_how_many_and_when_questions_expect_a_number_or_a_date():
    from qa.answer.scoring import expected_answer

    many = expected_answer("How many departments were rated inadequate?")
    assert many.search("21 departments were rated inadequate") and many.search("one quarter of them")
    assert not many.search("Many departments struggled with leadership")
    when = expected_answer("When did inspectors visit?")
    assert when.search("Inspectors visited in September") and when.search("in 2022")
    assert expected_answer("What did inspectors say about supervision?") is None
    assert not many.search("their last visit in 2014") and many.search("since 2014, 43 required improvement")
