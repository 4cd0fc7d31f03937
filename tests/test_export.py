"""Briefing-note export: key points, each quote once with title, date and page, in Markdown, Word and PDF on A4."""

from __future__ import annotations

import io
from datetime import datetime

import pymupdf
import pytest
from docx import Document as WordDocument

from qa.render.briefing import Entry, briefing_docx, briefing_markdown, build_note, escape_markdown, write_briefing
from qa.render.briefing_pdf import briefing_pdf
from qa.types import Answer, Citation, Statement

WHEN = datetime(2024, 3, 5, 14, 30)
QUOTE = "Supervision of staff is inconsistent <script>alert(1)</script> in *quality*."
OTHER = "Caseloads were reviewed monthly by managers."


@pytest.fixture
def app_assistant(fake_assistant):
    """The fake-embedder assistant, told never to abstain: these tests are about the export, not relevance."""
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


def cite(n: int, text: str, start: int) -> Citation:
    return Citation(n, "2020-radio.txt", "Little progress", "2020-01-21", 3, text, start, start + len(text), 0.6)


def sample_entries() -> list[Entry]:
    first = Answer(
        "What about supervision?",
        True,
        [cite(1, QUOTE, 10), cite(2, OTHER, 200)],
        (Statement(QUOTE, (1,)), Statement(OTHER, (2,))),
    )
    # The follow-up quotes the first answer's first passage again, and one new one.
    again = Answer(
        "and in 2020?",
        True,
        [cite(1, QUOTE, 10), cite(2, "A new finding in 2020 was noted.", 400)],
        (Statement(QUOTE, (1,)), Statement("A new finding in 2020 was noted.", (2,))),
    )
    missing = Answer("What about parking?", False, [], notice="The documents do not cover this question.")
    return [
        Entry("What about supervision?", first),
        Entry("and in 2020?", again, searched_for="What about supervision? and in 2020?"),
        Entry("What about  parking?", missing),
    ]


def test_markdown_note_has_key_points_and_each_quote_once_with_its_page():
    note = build_note(sample_entries(), title="Children's services reports", author="A. Trainer", when=WHEN)
    text = briefing_markdown(note)
    assert text.startswith("# Children's services reports\n")
    assert "Prepared 5 March 2024 at 14:30 by A. Trainer." in text
    key_points = text.split("## Key points")[1].split("## 1.")[0]
    assert key_points.count("\n- ") == 2  # the first quote of each answer that has one
    assert "Little progress, 21 January 2020, page 3; answer 1" in key_points
    body = text.split("## 1.")[1]
    assert body.count("Supervision of staff") == 1  # quoted once; the follow-up refers back to it
    assert "Quoted under answer 1: Little progress, 21 January 2020, page 3." in body
    # The follow-up is headed by how it was read, with what was asked beneath.
    assert "## 2. What about supervision? and in 2020?\n\n*Asked as a follow-up: “and in 2020?”*" in body
    assert "characters" not in text  # pages, not character offsets
    assert "The documents do not cover this question." in body


def test_markdown_escapes_markup_in_quotes():
    text = briefing_markdown(build_note(sample_entries(), when=WHEN))
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\*quality\\*" in text
    assert escape_markdown("a_b [c] <d>") == "a\\_b \\[c\\] \\<d\\>"


def test_a_written_sentence_keeps_its_markers_and_its_quotes_follow():
    answer = Answer("q", True, [cite(1, QUOTE, 10)], (Statement("Inspectors found supervision uneven.", (1,)),))
    text = briefing_markdown(build_note([Entry("q", answer)], when=WHEN))
    assert "Inspectors found supervision uneven. [1]" in text and "> Supervision of staff" in text


def test_nothing_chosen_still_makes_a_note():
    note = build_note([], when=WHEN)
    assert "No answers were chosen." in briefing_markdown(note)
    doc = WordDocument(io.BytesIO(briefing_docx(note)))
    assert any("No answers were chosen." in p.text for p in doc.paragraphs)


def test_docx_note_is_a4_with_title_author_and_quotes():
    note = build_note(sample_entries(), title="Children's services reports", author="A. Trainer", when=WHEN)
    doc = WordDocument(io.BytesIO(briefing_docx(note, "A. Trainer")))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", "Children's services reports") in paragraphs
    assert ("Heading 1", "1. What about supervision?") in paragraphs
    assert ("Quote", QUOTE) in paragraphs
    assert [t for _, t in paragraphs].count(QUOTE) == 1
    assert ("Normal", "— [1] Little progress, 21 January 2020, page 3") in paragraphs
    assert doc.core_properties.title == "Children's services reports" and doc.core_properties.author == "A. Trainer"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_docx_drops_characters_xml_cannot_hold():
    answer = Answer("q\x0b", True, [cite(1, "bad\x01char here", 0)], (Statement("bad\x01char here", (1,)),))
    doc = WordDocument(io.BytesIO(briefing_docx(build_note([Entry("q\x0b", answer)], when=WHEN))))
    assert any(p.text == "badchar here" for p in doc.paragraphs)


def test_pdf_note_is_a4_with_title_author_and_text():
    note = build_note(sample_entries(), title="Children's services reports", author="A. Trainer", when=WHEN)
    with pymupdf.open(stream=briefing_pdf(note, "A. Trainer"), filetype="pdf") as pdf:
        assert pdf.metadata["title"] == "Children's services reports" and pdf.metadata["author"] == "A. Trainer"
        width, height = pdf[0].rect.width, pdf[0].rect.height
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
        text = " ".join(" ".join(page.get_text() for page in pdf).split())
    assert (
        "Key points" in text and "2. What about supervision? and in 2020? Asked as a follow-up: “and in 2020?”" in text
    )
    assert "<script>alert(1)</script>" in text  # shown as text
    assert "Little progress, 21 January 2020, page 3" in text


def test_write_briefing_writes_three_dated_files(tmp_path):
    paths = write_briefing(sample_entries(), tmp_path / "out", WHEN)
    assert [p.name for p in paths] == [f"briefing-note-2024-03-05-1430{s}" for s in (".md", ".docx", ".pdf")]
    assert "Prepared 5 March 2024" in paths[0].read_text(encoding="utf-8")
    assert paths[1].read_bytes()[:2] == b"PK" and paths[2].read_bytes()[:5] == b"%PDF-"


def test_export_of_a_real_answer(app_assistant):
    answer = app_assistant.ask("What did inspectors say about supervision?")
    text = briefing_markdown(build_note([Entry(answer.question, answer)], when=WHEN))
    for c in answer.citations:
        assert f"[{c.n}] " in text and escape_markdown(c.title) in text


def test_the_key_point_of_an_answer_is_its_best_quote_not_its_first():
    weak = Citation(1, "a.txt", "A", "2020-01-01", 1, "A passing mention of supervision.", 0, 33, 0.31)
    best = Citation(2, "a.txt", "A", "2020-01-01", 2, "Supervision is regular and reflective.", 90, 128, 0.82)
    answer = Answer("q", True, [weak, best], (Statement(weak.text, (1,)), Statement(best.text, (2,))))
    note = build_note([Entry("q", answer)], when=WHEN)
    assert note.key_points == [(1, best)]
    assert "- “Supervision is regular and reflective.”" in briefing_markdown(note)


def test_with_no_author_the_files_name_the_app_never_python_docx():
    note = build_note(sample_entries(), when=WHEN)
    doc = WordDocument(io.BytesIO(briefing_docx(note)))
    assert doc.core_properties.author == "cited-qa" and "python-docx" not in (
        doc.core_properties.last_modified_by or ""
    )
    with pymupdf.open(stream=briefing_pdf(note), filetype="pdf") as pdf:
        assert pdf.metadata["author"] == "cited-qa"


def test_export_ticks_answered_questions_only():
    from qa.app.export_handlers import ExportHandlers
    from qa.library.conversations import Turn

    turns = [Turn(e.question, e.searched_for or e.question, e.answer) for e in sample_entries()]
    offered = ExportHandlers.choices(turns)
    assert offered["value"] == [0, 1]  # "What about parking?" was not answered: listed, unticked
    assert offered["choices"][2] == ("3. What about parking? (not answered)", 2)
