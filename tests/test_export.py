"""Briefing-note export: dated Markdown and Word documents with answers, citations and quoted passages."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document as WordDocument

from qa.render.briefing import briefing_docx, briefing_markdown, escape_markdown, write_briefing
from qa.types import Answer, Citation, Statement

WHEN = datetime(2024, 3, 5, 14, 30)
QUOTE = "Supervision of staff is inconsistent <script>alert(1)</script> in *quality*."


@pytest.fixture
def app_assistant(fake_assistant):
    """The fake-embedder assistant, told never to abstain: these tests are about the app, not relevance."""
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


def sample_turns() -> list[tuple[str, Answer]]:
    citation = Citation(1, "2020-radio.txt", "Little progress", "2020-01-21", 3, QUOTE, 10, 10 + len(QUOTE), 0.6)
    found = Answer(
        "What about supervision?",
        True,
        [citation],
        (Statement(QUOTE, (1,)),),
    )
    missing = Answer("What about parking?", False, [], notice="The documents do not cover this question.")
    return [("What about supervision?", found), ("What about  parking?", missing)]


def test_markdown_note_is_dated_and_has_questions_answers_and_sources():
    text = briefing_markdown(sample_turns(), WHEN)
    assert text.startswith("# Briefing note\n")
    assert "Prepared 5 March 2024 at 14:30." in text
    assert "## 1. What about supervision?" in text and "## 2. What about parking?" in text
    assert "**Little progress (21 January 2020):**" in text
    assert "[1]" in text and "\\[1\\]" not in text.split("### Sources")[0]  # markers stay readable
    assert "[1] Little progress, 21 January 2020, 2020-radio.txt, page 3, characters 10–" in text
    assert "The documents do not cover this question." in text


def test_markdown_escapes_markup_in_quotes():
    text = briefing_markdown(sample_turns(), WHEN)
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\*quality\\*" in text
    assert escape_markdown("a_b [c] <d>") == "a\\_b \\[c\\] \\<d\\>"


def test_markdown_quotes_the_passage_verbatim_line_by_line():
    turns = sample_turns()
    citation = turns[0][1].citations[0]
    multi = Citation(**{**citation.to_dict(), "text": "Line one.\n\nLine two."})
    answer = Answer("q", True, [multi], (Statement("Line one. Line two.", (1,)),))
    text = briefing_markdown([("q", answer)], WHEN)
    assert "> Line one.\n>\n> Line two." in text


def test_empty_conversation_still_makes_a_note():
    assert "No questions were asked." in briefing_markdown([], WHEN)
    doc = WordDocument(io.BytesIO(briefing_docx([], WHEN)))
    assert any("No questions were asked." in p.text for p in doc.paragraphs)


def test_docx_note_has_headings_bullets_and_quotes():
    doc = WordDocument(io.BytesIO(briefing_docx(sample_turns(), WHEN)))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    texts = [t for _, t in paragraphs]
    assert ("Title", "Briefing note") in paragraphs
    assert any(t.startswith("Prepared 5 March 2024 at 14:30.") for t in texts)
    assert ("Heading 1", "1. What about supervision?") in paragraphs
    assert ("List Bullet", f"{QUOTE} [1]") in paragraphs
    assert ("Quote", QUOTE) in paragraphs
    assert any(t.startswith("[1] Little progress, 21 January 2020, 2020-radio.txt, page 3") for t in texts)
    assert doc.core_properties.title == "Briefing note"


def test_docx_drops_characters_xml_cannot_hold():
    turns = sample_turns()
    answer = Answer("q\x0b", True, turns[0][1].citations, (Statement("bad\x01char", (1,)),))
    doc = WordDocument(io.BytesIO(briefing_docx([("q\x0b", answer)], WHEN)))
    assert any(p.text == "badchar [1]" for p in doc.paragraphs)


def test_write_briefing_writes_dated_files(tmp_path):
    markdown, word = write_briefing(sample_turns(), tmp_path / "out", WHEN)
    assert markdown.name == "briefing-note-2024-03-05-1430.md"
    assert word.name == "briefing-note-2024-03-05-1430.docx"
    assert "Prepared 5 March 2024" in markdown.read_text(encoding="utf-8")
    assert word.read_bytes()[:2] == b"PK"


def test_export_of_a_real_answer(app_assistant):
    answer = app_assistant.ask("What did inspectors say about supervision?")
    text = briefing_markdown([(answer.question, answer)], WHEN)
    for c in answer.citations:
        assert f"[{c.n}] " in text and escape_markdown(c.source) in text
