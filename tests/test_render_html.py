"""The app's HTML rendering: citation markers, the sources panel, highlighted spans, and escaping."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.render.html import (
    MARK_ID,
    answer_to_html,
    conversation_to_html,
    document_to_html,
    highlight_span,
    sources_to_html,
    status_to_html,
    viewer_placeholder,
)
from qa.types import Answer, Citation, Statement, Document

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app_assistant(fake_assistant):
    """The fake-embedder assistant, told never to abstain: these tests are about the app, not relevance."""
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


def citation(n: int, text: str, source: str = "a.txt", start: int = 0, page: int | None = None) -> Citation:
    return Citation(n, source, f"Title of {source}", "2018-07-23", page, text, start, start + len(text), 0.5)


def answer_with(*citations: Citation) -> Answer:
    statements = tuple(Statement(c.text, (c.n,)) for c in citations)
    return Answer("What about supervision?", True, list(citations), statements)


def test_markers_become_buttons_that_name_turn_and_number():
    answer = answer_with(citation(1, "Supervision was poor."), citation(2, "Caseloads were high.", page=4))
    out = answer_to_html(answer, turn=3)
    assert out.count('class="cite-marker"') == 2
    assert 'data-turn="3" data-n="1"' in out and 'data-turn="3" data-n="2"' in out
    assert "(page 4)" in out
    assert "<strong>Title of a.txt</strong>" in out and "(23 July 2018)" in out


def test_only_known_citation_numbers_become_markers():
    statements = (Statement("Quoted [7] text", (1,)), Statement("Not cited", (9,)))
    answer = Answer("q", True, [citation(1, "Quoted [7] text")], statements)
    out = answer_to_html(answer, turn=0)
    assert out.count("cite-marker") == 1
    assert (
        "Quoted [7] text" in out and "Not cited" in out and "[9]" not in out
    )  # no marker to a citation that does not exist


def test_answer_text_is_escaped():
    answer = answer_with(citation(1, EVIL))
    out = answer_to_html(answer, turn=0)
    assert "<script>" not in out and "<img" not in out
    assert html.escape(EVIL) in out


def test_not_found_answer_is_a_plain_notice():
    out = answer_to_html(Answer("q", False, [], notice="The documents do not cover this question."), turn=0)
    assert "not-found" in out and "cite-marker" not in out


def test_conversation_escapes_questions_and_notices_and_shows_progress():
    answer = Answer(EVIL, True, [citation(1, "x y z w v")], (Statement("x y z w v", (1,)),))
    out = conversation_to_html([answer], pending="<b>next</b>", notice="<i>bad</i> date")
    assert "<script>" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;b&gt;next&lt;/b&gt;" in out and "Searching the documents" in out
    assert 'role="alert"' in out


def test_landing_view_when_nothing_was_asked():
    assert "Ask a question about the documents" in conversation_to_html([])
    assert "Ask a question about the documents" not in conversation_to_html([], pending="q")


def test_sources_panel_lists_title_date_file_page_and_quote():
    c = citation(2, f"Quote {EVIL}", source="dir/report.pdf", page=7)
    out = sources_to_html(answer_with(c), turn=1, active=2)
    assert "Title of dir/report.pdf" in out and "23 July 2018" in out
    assert "dir/report.pdf, page 7" in out
    assert 'data-turn="1" data-n="2"' in out and "source-item active" in out
    assert "<script>" not in out and html.escape("<script>") in out


def test_sources_panel_placeholders():
    assert "appear here" in sources_to_html(None, 0)
    assert "no sources" in sources_to_html(Answer("q", False, [], notice="none"), 0)


def test_highlight_wraps_exactly_the_span():
    text = "Before. The cited passage. After."
    out = highlight_span(text, 8, 26)
    assert out == f'Before. <mark id="{MARK_ID}" class="cited">The cited passage.</mark> After.'


def test_highlight_escapes_all_three_parts():
    text = f"{EVIL} middle <b>after</b>"
    start = text.index("middle")
    out = highlight_span(text, start, start + len("middle"))
    assert "<script>" not in out and "<b>" not in out and "<img" not in out
    assert re.search(r"<mark [^>]*>middle</mark>", out)


@pytest.mark.parametrize("start,end", [(-1, 2), (3, 2), (0, 99)])
def test_highlight_rejects_spans_outside_the_text(start, end):
    with pytest.raises(ValueError, match="outside"):
        highlight_span("short text", start, end)


@given(st.text(), st.data())
def test_highlight_round_trips_to_the_original_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    out = highlight_span(text, start, end)
    assert out.count("<mark") == 1 and out.count("</mark>") == 1
    inside = re.search(r"<mark [^>]*>(.*)</mark>", out, re.DOTALL).group(1)
    assert html.unescape(inside) == text[start:end]
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_document_view_shows_whole_text_with_cited_passage_marked():
    text = f"Intro line.\n\n{EVIL}\n\nSupervision was inconsistent. Closing line."
    start = text.index("Supervision")
    c = citation(4, "Supervision was inconsistent.", source="doc.html", start=start)
    document = Document(source="doc.html", text=text, sha256="x", title="Doc", date="2020-01-21")
    out = document_to_html(document, c)
    assert f'<mark id="{MARK_ID}" class="cited">Supervision was inconsistent.</mark>' in out
    assert "Intro line." in out and "Closing line." in out
    assert "<script>" not in out and html.escape(EVIL) in out


def test_real_answer_markers_and_spans(app_assistant):
    answer = app_assistant.ask("What did inspectors say about supervision?")
    assert answer.found and answer.citations
    out = answer_to_html(answer, turn=0)
    documents = app_assistant.index().documents
    for c in answer.citations:
        assert f'data-n="{c.n}"' in out
        view = document_to_html(documents[c.source], c)
        assert f">{html.escape(c.text)}</mark>" in view


def test_status_and_placeholder_are_escaped():
    assert "&lt;b&gt;" in status_to_html("Added <b>.md\nsecond line")
    assert status_to_html("x", error=True).startswith('<div class="status error"')
    assert "&lt;i&gt;" in viewer_placeholder("<i>gone</i>")
