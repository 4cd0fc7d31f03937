"""Hostile input: documents built to hurt the loaders and chunker, and questions built to hurt the answerer."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

from bench.reliability_report import record
from qa.assistant import Assistant
from qa.cli import main
from fakes import HashingEmbedder
from qa.errors import BadQuestion
from qa.ingest.sentences import split_sentences
from qa.settings import Settings
from qa.types import Answer

from conftest import make_settings

try:
    from pdfmaker import encrypt_pdf, make_pdf
except ImportError:
    from tests.pdfmaker import encrypt_pdf, make_pdf

MB = 1024 * 1024
INGEST_BOUND_S = 120.0  # a 5 MB file must not stall an ingest beyond this, even on a slow CI box
WORD = re.compile(r"\S+")


def _ingest_one(tmp_path: Path, name: str, data: bytes, embedder=None) -> tuple[Assistant, object, float]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_bytes(data)
    (corpus / "good.txt").write_text(
        "Inspection summary\n\nThe inspectors found that supervision of social workers had improved since the last visit.\n",
        encoding="utf-8",
    )
    assistant = Assistant(make_settings(tmp_path, corpus), embedder=embedder or HashingEmbedder())
    started = time.perf_counter()
    report = assistant.ingest(progress=False)
    return assistant, report, time.perf_counter() - started


def _max_words(assistant: Assistant, source: str) -> int:
    return max(len(WORD.findall(c.text)) for c in assistant.index().chunks if c.source == source)


# --- hostile documents --------------------------------------------------------------


@pytest.mark.slow
def test_five_megabyte_single_line_of_sentences(tmp_path):
    sentence = "The council approved the plan for children's services after a long debate. "
    # Probe first: sentence splitting runs in-process (no load timeout protects it), so a
    # superlinear splitter would stall this test for hours on 5 MB.
    probe = sentence * (100_000 // len(sentence))
    started = time.perf_counter()
    split_sentences(probe)
    probe_s = time.perf_counter() - started
    if probe_s > 1.0:
        estimate_h = probe_s * (5 * MB / len(probe)) ** 2 / 3600
        record(
            "hostile_documents",
            "5mb sentences",
            {
                "order": 1,
                "document": "one 5 MB line of short sentences, no newline",
                "size": "5 MB",
                "outcome": f"NOT RUN: splitting a 100 kB line took {probe_s:.1f} s and grows quadratically; "
                f"5 MB would take about {estimate_h:.0f} h (see known issues)",
                "seconds": "",
            },
        )
        pytest.xfail(
            f"qa.ingest.sentences.split_sentences is quadratic in line length: 100 kB took {probe_s:.1f} s, "
            f"5 MB would take ~{estimate_h:.0f} h"
        )
    line = (sentence * (5 * MB // len(sentence) + 1))[: 5 * MB].encode()
    assistant, report, took = _ingest_one(tmp_path, "one-line.txt", line)
    assert sorted(report.added) == ["good.txt", "one-line.txt"]
    assert took < INGEST_BOUND_S
    limit = assistant.settings.chunk.max_words
    biggest = _max_words(assistant, "one-line.txt")
    assert biggest <= limit
    record(
        "hostile_documents",
        "5mb sentences",
        {
            "order": 1,
            "document": "one 5 MB line of short sentences, no newline",
            "size": "5 MB",
            "outcome": f"indexed; largest chunk {biggest} words (limit {limit})",
            "seconds": round(took, 2),
        },
    )


@pytest.mark.slow
def test_five_megabyte_line_without_punctuation(tmp_path):
    """One 'sentence' of a million words: it must not become one giant chunk."""
    line = ("word " * (MB))[: 5 * MB].encode()
    assistant, report, took = _ingest_one(tmp_path, "no-stops.txt", line)
    assert "no-stops.txt" in report.added
    assert took < INGEST_BOUND_S
    limit = assistant.settings.chunk.max_words
    biggest = _max_words(assistant, "no-stops.txt")
    record(
        "hostile_documents",
        "5mb no punctuation",
        {
            "order": 2,
            "document": "one 5 MB line of words with no punctuation",
            "size": "5 MB",
            "outcome": f"indexed; largest chunk {biggest:,} words (limit {limit})",
            "seconds": round(took, 2),
        },
    )
    assert biggest <= limit


def test_deeply_nested_html_ingests(tmp_path):
    depth = 20_000
    markup = (
        "<html><body>"
        + "<div>" * depth
        + "<p>The nested page says the council approved the budget in March.</p>"
        + "</div>" * depth
    )
    assistant, report, took = _ingest_one(tmp_path, "nested.html", markup.encode())
    assert "nested.html" in report.added
    assert (
        assistant.index().documents["nested.html"].text
        == "The nested page says the council approved the budget in March."
    )
    record(
        "hostile_documents",
        "nested html",
        {
            "order": 3,
            "document": f"HTML nested {depth:,} <div>s deep",
            "size": f"{len(markup) / MB:.1f} MB",
            "outcome": "indexed, text exact",
            "seconds": round(took, 2),
        },
    )


def test_zip_bomb_disguised_as_docx_is_skipped(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("word/document.xml", "w") as member:
            block = bytes(MB)
            for _ in range(300):  # 300 MB of zeros squeezed into about 1.3 MB
                member.write(block)
    data = bomb.read_bytes()
    bomb.unlink()
    _, report, took = _ingest_one(tmp_path, "bomb.docx", data)
    assert report.added == ["good.txt"]
    assert re.search(r"zip bomb", report.skipped["bomb.docx"])
    assert "bomb.docx" not in report.skipped["bomb.docx"]  # the key names the file; the reason does not repeat it
    record(
        "hostile_documents",
        "zip bomb",
        {
            "order": 4,
            "document": "zip bomb named .docx (300 MB of zeros)",
            "size": f"{len(data) / 1024:.0f} kB",
            "outcome": f"skipped: {report.skipped['bomb.docx']}",
            "seconds": round(took, 2),
        },
    )


def test_pdf_without_a_text_layer_is_reported_as_needing_ocr(tmp_path):
    scan = make_pdf(tmp_path / "scan.pdf", [[], []]).read_bytes()
    _, report, took = _ingest_one(tmp_path, "scan.pdf", scan)
    assert report.added == ["good.txt"]
    assert "OCR" in report.skipped["scan.pdf"]
    record(
        "hostile_documents",
        "image-only pdf",
        {
            "order": 5,
            "document": "PDF with images only, no text layer",
            "size": f"{len(scan)} B",
            "outcome": f"skipped: {report.skipped['scan.pdf']}",
            "seconds": round(took, 2),
        },
    )


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[click here](javascript:alert(3))",
    "![tracker](http://203.0.113.9/pixel.png)",
    "<a href='javascript:alert(4)'>link</a>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
]


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_markup_in_documents_stays_verbatim_text(tmp_path, suffix):
    lines = [
        f"The council minute number {n} quoted the following payload verbatim: {p} and moved on."
        for n, p in enumerate(PAYLOADS)
    ]
    text = "Payload minutes\n\n" + "\n".join(lines) + "\n"
    assistant, _, _ = _ingest_one(tmp_path, f"payloads{suffix}", text.encode())
    source = f"payloads{suffix}"
    document = assistant.index().documents[source]
    assert document.text == text.rstrip()
    chunk_text = " ".join(c.text for c in assistant.index().chunks if c.source == source)
    answer = assistant.ask("What payload did the council minute quote verbatim?")
    assert answer.found
    for payload in PAYLOADS:
        assert payload in chunk_text
    quoted = [c for c in answer.citations if c.source == source]
    assert quoted
    for c in quoted:  # quotes are exact slices of the stored text: nothing rendered, escaped or stripped
        assert document.text[c.start : c.end] == c.text
        assert any(p in c.text for p in PAYLOADS)
        assert " ".join(c.text.split()) in answer.answer
    record(
        "hostile_documents",
        f"payloads {suffix}",
        {
            "order": 6,
            "document": f"{suffix} with script tags, javascript: links, markdown images, template syntax",
            "size": f"{len(text)} B",
            "outcome": "stored and quoted verbatim as plain text",
            "seconds": "",
        },
    )


def test_escaped_markup_in_html_is_text_and_real_scripts_are_dropped(tmp_path):
    markup = (
        "<html><body><main><p>The clerk pasted &lt;script&gt;alert(1)&lt;/script&gt; into the minutes by mistake today.</p>"
        "<script>alert('real script')</script><p onclick=\"alert(5)\">Councillors agreed to remove the pasted text next week.</p>"
        "</main></body></html>"
    )
    assistant, _, _ = _ingest_one(tmp_path, "pasted.html", markup.encode())
    text = assistant.index().documents["pasted.html"].text
    assert "<script>alert(1)</script>" in text  # what the page showed as text stays text
    assert "real script" not in text and "onclick" not in text  # what the page would have executed is gone


# --- hostile questions ------------------------------------------------------------------

QUESTIONS = {
    "empty": "",
    "whitespace only": " \t\n ",
    "100 KB": "What did inspectors find? " * 4000,
    "control characters": "\x00\x07\x1b[31mWhat did\x08 inspectors\x7f find?\x1b[0m",
    "only punctuation": "?!.,;:-()[]{}'\"…—",
    "Arabic": "ماذا وجد المفتشون بشأن الإشراف؟",
    "Chinese": "检查员对监督有什么发现？",
    "Cyrillic": "Что инспекторы сказали о надзоре?",
    "emoji only": "🔥🤔👀",
    "emoji and words": "👩‍👩‍👧 what did inspectors say about supervision? 👍",
    "right-to-left override": "\u202eWhat did inspectors find?\u202c",
    "lone surrogate": "supervision \udcff findings",
    "SQL and shell": "'; DROP TABLE documents; -- $(rm -rf /) `reboot`",
    "1999 chars": "supervision " * 166 + "abcdefg",
}


def _api_outcome(assistant: Assistant, question: str) -> str:
    """Ask through the Python API; return what happened, asserting it is an answer or a readable refusal."""
    try:
        answer = assistant.ask(question)
    except BadQuestion as exc:
        message = str(exc)
        assert message.endswith(".") and len(message) > 20 and "Traceback" not in message
        return f"refused: {message}"
    assert isinstance(answer, Answer) and isinstance(answer.found, bool)
    assert answer.question.isprintable() or "\n" in answer.question
    return "answered (found)" if answer.found else "answered (not covered)"


@pytest.mark.parametrize("kind", list(QUESTIONS))
def test_hostile_questions_get_an_answer_or_a_clear_refusal(kind, fake_assistant):
    _api_outcome(fake_assistant, QUESTIONS[kind])


@pytest.fixture
def cli_index(tmp_path, corpus_copy, monkeypatch):
    """An index the CLI can open, built and queried with the fake embedder under the configured model's name."""
    fake = HashingEmbedder(name=Settings().model)
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake).ingest(progress=False)
    monkeypatch.setattr("qa.assistant.load_embedder", lambda *a, **k: fake)
    return settings.index_dir


def test_hostile_questions_through_the_cli(cli_index, capsys):
    assistant = Assistant(Settings(index_dir=cli_index))  # load_embedder is patched to the fake
    for order, (kind, question) in enumerate(QUESTIONS.items()):
        code = main(["ask", question, "--index", str(cli_index)])
        out, err = capsys.readouterr()
        assert code in (0, 2), (kind, code, err)
        assert "Traceback" not in out + err and "unexpected failure" not in err, (kind, err)
        if code == 2:
            assert err.startswith("error: ") and kind in (
                "empty",
                "whitespace only",
                "100 KB",
                "only punctuation",
                "emoji only",
            )
        else:
            assert out.startswith("Q: ")
        code_json = main(["ask", "--json", question, "--index", str(cli_index)])
        capsys.readouterr()
        assert code_json == code
        record(
            "hostile_questions",
            kind,
            {
                "order": order,
                "question": kind,
                "length": f"{len(question):,} chars",
                "api": _api_outcome(assistant, question),
                "cli_exit": code,
                "traceback": False,
            },
        )


@pytest.mark.parametrize(
    ("method", "password", "order"), [("AES_128", "", 7), ("AES_256", "", 8), ("AES_256", "secret", 9)]
)
def test_encrypted_pdfs_open_without_a_password_or_are_skipped_saying_so(tmp_path, method, password, order):
    pytest.importorskip("pymupdf")
    lines = ["The inspectors found that children in care were visited regularly by their social workers."]
    source = make_pdf(tmp_path / "plain.pdf", [lines, lines])
    data = encrypt_pdf(source, tmp_path / "locked.pdf", method, user_password=password).read_bytes()
    source.unlink()
    (tmp_path / "locked.pdf").unlink()
    assistant, report, took = _ingest_one(tmp_path, "report.pdf", data)
    if password:
        assert report.added == ["good.txt"]
        assert "password-protected" in report.skipped["report.pdf"]
        outcome = f"skipped: {report.skipped['report.pdf']}"
    else:
        assert sorted(report.added) == ["good.txt", "report.pdf"]
        assert "visited regularly" in assistant.index().documents["report.pdf"].text
        outcome = "indexed"
    shown = method.replace("_", "-") + (" with a user password" if password else ", empty user password")
    record(
        "hostile_documents",
        f"encrypted pdf {method} {bool(password)}",
        {
            "order": order,
            "document": f"PDF encrypted with {shown}",
            "size": f"{len(data) / 1024:.1f} kB",
            "outcome": outcome,
            "seconds": round(took, 2),
        },
    )


def test_the_html_readers_own_log_lines_do_not_reach_the_terminal(tmp_path, caplog):
    """trafilatura judges what is boilerplate; a page it cannot make sense of is not an error to print."""
    import logging

    from qa.ingest.readers import read_file

    caplog.set_level(logging.WARNING)
    page = tmp_path / "fragment.html"
    page.write_text("<p>One line.</p>")
    assert read_file(page, 1_000_000).text == "One line."
    chatter = [r for r in caplog.records if r.name.split(".")[0] in {"trafilatura", "htmldate", "courlan"}]
    assert chatter == []
    record(
        "round2",
        "10 trafilatura",
        {
            "order": 101,
            "fault": "10. Smaller",
            "case": "an HTML fragment trafilatura cannot parse as a page",
            "outcome": "read; no trafilatura ERROR/WARNING lines printed",
            "figure": "before: 2 ERROR and 1 WARNING lines per such file",
        },
    )


def test_a_docx_whose_xml_is_too_large_to_parse_says_so(tmp_path, monkeypatch):
    """A part past what the reader's memory can parse is refused before parsing, as too large, not as damaged."""
    from docxmaker import docx_bytes
    from qa.errors import LoadError
    from qa.ingest.readers import docx as docx_reader
    from qa.ingest.readers import read_file

    monkeypatch.setattr(docx_reader, "XML_PART_LIMIT", MB)  # 1 MB stands in for the 128 MB of the real limit
    path = tmp_path / "minutes.docx"
    path.write_bytes(docx_bytes("The committee agreed the plan. " * 60_000))  # about 2 MB of XML, packed 1:100 or so
    with pytest.raises(LoadError) as caught:
        read_file(path, 50 * MB)
    message = str(caught.value)
    assert "too large to read within the reader's memory limit" in message and "word/document.xml" in message
    assert "damaged" not in message
    record(
        "round2",
        "10 docx xml",
        {
            "order": 103,
            "fault": "10. Smaller",
            "case": "a .docx whose document.xml is past the XML part limit",
            "outcome": message.split(": ", 1)[1],
            "figure": "refused before parsing (limit 128 MB; a 94:1 part of 940 MB took the worker to 3.9 GB)",
        },
    )
