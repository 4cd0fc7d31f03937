"""How a follow-up is read: a new organisation or year replaces the earlier one's, the topic stays."""

from qa.conversation import retrieval_query

IMPROVE = "What needs to improve in Northby?"


def test_a_follow_up_naming_a_new_organisation_asks_the_earlier_question_of_it():
    assert retrieval_query("and in Southby?", [IMPROVE]) == "What needs to improve in Southby?"
    assert retrieval_query("And Southby?", [IMPROVE]) == "What needs to improve in Southby?"
    assert retrieval_query("what about Southby?", ["What did Ofsted say about Northby?"]) == (
        "What did Ofsted say about Southby?"
    )


def test_the_name_after_the_same_preposition_is_the_one_replaced():
    asked = "What did Ofsted find in Northby about fostering?"
    assert retrieval_query("and in Southby?", [asked]) == "What did Ofsted find in Southby about fostering?"


def test_a_new_year_replaces_the_earlier_one():
    asked = "What did inspectors find in Northby in 2019?"
    assert retrieval_query("and in 2022?", [asked]) == "What did inspectors find in Northby in 2022?"


def test_changes_carry_along_a_chain_of_follow_ups():
    history = [IMPROVE, "and in Southby?"]
    # the year is added to the question as read last (Southby), not to the first one (Northby)
    read = retrieval_query("and in 2025?", history)
    assert "Southby" in read and "Northby" not in read and "2025" in read
    assert retrieval_query("and in Westby?", [*history, "and in 2025?"]) == "What needs to improve in Westby?"


def test_a_follow_up_with_a_topic_of_its_own_keeps_it_beside_the_new_name():
    read = retrieval_query("and what about fostering in Southby?", [IMPROVE])
    assert read.startswith("What needs to improve in Southby?") and "fostering" in read and "Northby" not in read


def test_follow_ups_without_a_new_name_or_year_are_joined_as_before():
    assert retrieval_query("and in 2020?", ["What did inspectors say about supervision?"]) == (
        "What did inspectors say about supervision? and in 2020?"
    )
    assert retrieval_query("and in Southby?", ["What did inspectors say about supervision?"]) == (
        "What did inspectors say about supervision? and in Southby?"
    )
    assert retrieval_query("and in Northby?", [IMPROVE]) == f"{IMPROVE} and in Northby?"
    assert retrieval_query("and in Southby?", []) == "and in Southby?"
