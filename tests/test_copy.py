"""What the copy buttons put on the clipboard: each quote with its citation, or a whole answer."""

import html
import re

from qa.render.copy import answer_with_citations, quote_with_citation, statement_with_citations
from qa.render.html import answer_to_html
from qa.types import Answer, Citation, Statement

FIRST = Citation(
    1, "2020-radio.txt", "Little progress", "2020-01-21", 3, "Supervision of staff\nis inconsistent.", 10, 47, 0.6
)
SECOND = Citation(2, "minutes.txt", "Council minutes", None, None, "Caseloads were reviewed monthly.", 5, 37, 0.5)
ANSWER = Answer(
    "What about supervision?", True, [FIRST, SECOND], (Statement(FIRST.text, (1,)), Statement(SECOND.text, (2,)))
)


def test_a_quote_is_copied_with_title_date_and_page():
    assert (
        quote_with_citation(FIRST) == "“Supervision of staff is inconsistent.” — Little progress, 21 January 2020, p. 3"
    )
    assert quote_with_citation(SECOND) == "“Caseloads were reviewed monthly.” — Council minutes, undated"


def test_a_whole_answer_is_copied_with_its_question_and_each_quote_cited():
    assert answer_with_citations(ANSWER).splitlines() == [
        "Q: What about supervision?",
        "“Supervision of staff is inconsistent.” — Little progress, 21 January 2020, p. 3",
        "“Caseloads were reviewed monthly.” — Council minutes, undated",
    ]
    refused = Answer("What about parking?", False, [], notice="The documents do not cover this question.")
    assert answer_with_citations(refused) == "Q: What about parking?\nThe documents do not cover this question."


def test_a_written_sentence_is_copied_with_the_quotes_it_rests_on():
    text = statement_with_citations("Supervision was uneven.", [FIRST, SECOND])
    assert text.splitlines()[0] == "Supervision was uneven." and len(text.splitlines()) == 3


def test_the_answer_carries_a_copy_button_per_quote_and_one_for_the_whole():
    markup = answer_to_html(ANSWER, 0)
    copied = [html.unescape(v) for v in re.findall(r'data-copy="([^"]*)"', markup)]
    assert copied == [quote_with_citation(FIRST), quote_with_citation(SECOND), answer_with_citations(ANSWER)]
