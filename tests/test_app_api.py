"""The app over HTTP through gradio_client, its event handlers, and its login settings."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

from browser_helpers import running_app
from bench.reliability_report import record
from qa.errors import QAError, StoreUnavailable
from qa.render.html import MARK_ID
from qa.app.auth import auth_pairs
from qa.app.handlers import Handlers
from qa.app.layout import build_app

SUPERVISION = "What did inspectors say about supervision?"


@pytest.fixture
def app_assistant(fake_assistant):
    """The fake-embedder assistant, told never to abstain: these tests are about the app, not relevance."""
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


@pytest.fixture
def app_url(app_assistant):
    with running_app(app_assistant) as url:
        yield url


def test_answer_endpoint_returns_a_cited_answer(app_url, app_assistant):
    client = Client(app_url, verbose=False)
    result = client.predict(question=SUPERVISION, api_name="/answer")
    assert result["found"] and result["citations"]
    documents = app_assistant.index().documents
    for c in result["citations"]:
        assert documents[c["source"]].text[c["start"] : c["end"]] == c["text"]


def test_answer_endpoint_applies_filters_and_history(app_url):
    client = Client(app_url, verbose=False)
    source = "2020-01-21-sunshine-radio-herefordshire-little-progress.txt"
    only = client.predict(question="Supervision of staff", sources=[source], api_name="/answer")
    assert only["found"] and {c["source"] for c in only["citations"]} == {source}
    dated = client.predict(question=SUPERVISION, since="2022", until="2023-12", api_name="/answer")
    assert all(c["date"] >= "2022" for c in dated["citations"])
    follow_up = client.predict(question="and what about in 2020?", history=[SUPERVISION], api_name="/answer")
    assert follow_up["question"] == "and what about in 2020?"


def test_answer_endpoint_errors_are_readable_messages(app_url):
    client = Client(app_url, verbose=False)
    with pytest.raises(AppError) as empty:
        client.predict(question="   ", api_name="/answer")
    assert "The question is empty" in str(empty.value) and "Traceback" not in str(empty.value)
    with pytest.raises(AppError) as bad_date:
        client.predict(question=SUPERVISION, since="last spring", api_name="/answer")
    assert "last spring" in str(bad_date.value)


FAILURES = {
    "a library error with no words": QAError(""),
    "a timeout with no words": TimeoutError(),
    "an assertion with no words": AssertionError(),
    "an unexpected error": RuntimeError("worker pool exhausted"),
    "the store away": StoreUnavailable("Cannot reach PostgreSQL at postgresql://db/qa (no reply within 35 s)."),
}


def test_every_failure_of_the_api_has_a_message_and_a_log_line(app_assistant, monkeypatch, caplog):
    """Whatever breaks under a question, the caller gets words and the server log gets a line (issue 22, fault 9)."""
    import logging

    failure: list[BaseException] = []

    def failing_ask(*args, **kwargs):
        raise failure[0]

    caplog.set_level(logging.INFO)
    with running_app(app_assistant) as url:
        monkeypatch.setattr(app_assistant, "ask", failing_ask)
        client = Client(url, verbose=False)
        for name, exc in FAILURES.items():
            failure[:] = [exc]
            caplog.clear()
            with pytest.raises(AppError) as caught:
                client.predict(question=SUPERVISION, api_name="/answer")
            message = str(caught.value).strip()
            assert message and message != "None" and "Traceback" not in message, name
            logged = [r for r in caplog.records if r.name.startswith("qa.") and r.levelno >= logging.WARNING]
            assert logged, f"{name}: nothing in the server log"
            if str(exc):
                assert str(exc) in message or "Something went wrong" in message
            record(
                "round2",
                f"9 {name}",
                {
                    "order": 90 + list(FAILURES).index(name),
                    "fault": "9. Failures under load",
                    "case": f"/answer raising {name} ({type(exc).__name__})",
                    "outcome": message,
                    "figure": f"log: {logged[0].levelname} {logged[0].getMessage()[:90]}",
                },
            )


def test_messages_in_the_page_name_files_not_server_paths(caplog):
    from qa.app.common import readable

    corpus = "/srv/cited-qa/corpus"
    shown = readable(QAError(f"{corpus}/catalog.csv: line 5: the first row must be a header"), "saving the details")
    assert shown == "catalog.csv: line 5: the first row must be a header"
    assert f"{corpus}/catalog.csv" in caplog.text  # the log keeps the whole path, for whoever runs the server
    url = "Cannot reach PostgreSQL at postgresql://qa@db.example:5432/cited_qa (timeout)."
    assert readable(QAError(url), "answering") == url  # a URL is not a server path


def test_documents_endpoint_lists_the_collection(app_url):
    documents = Client(app_url, verbose=False).predict(api_name="/documents")
    assert len(documents) == 5
    assert {"source", "title", "date", "publisher"} <= set(documents[0])


def test_app_page_is_served_with_its_title(app_url):
    import urllib.request

    with urllib.request.urlopen(app_url) as response:
        assert response.status == 200


# The event handlers behind the page, called directly.


def run_ask(handlers: Handlers, question: str, turns=(), sources=None, since="", until=""):
    return list(handlers.ask(question, list(turns), sources, None, since, until))


def test_ask_shows_progress_then_the_answer_with_markers_and_sources(app_assistant):
    handlers = Handlers(app_assistant)
    steps = run_ask(handlers, SUPERVISION)
    assert len(steps) == 2
    assert "Searching the documents" in steps[0][0]
    conversation, question, turns, sources, _ = steps[-1]
    assert question == "" and len(turns) == 1
    assert 'class="cite-marker"' in conversation and "source-item" in sources


def test_follow_up_is_asked_in_context(app_assistant):
    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    turns = run_ask(handlers, "and what about in 2020?", turns)[-1][2]
    turns = run_ask(handlers, "and in 2023?", turns)[-1][2]
    assert turns[1].query == f"{SUPERVISION} and what about in 2020?"
    assert turns[2].query.startswith(SUPERVISION) and turns[2].query.endswith("and in 2023?")


@pytest.mark.slow
def test_follow_up_answer_with_the_real_model(seed_assistant):
    handlers = Handlers(seed_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    turns = run_ask(handlers, "and what about in 2020?", turns)[-1][2]
    answer = turns[-1].answer
    assert answer.found
    assert any("upervision" in c.text for c in answer.citations if (c.date or "").startswith("2020")), answer.answer


def test_bad_input_becomes_a_notice_and_keeps_the_conversation(app_assistant):
    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    for question, since, expected in [("", "", "The question is empty"), (SUPERVISION, "soon", "soon")]:
        ((conversation, _, kept, _, _),) = run_ask(handlers, question, turns, since=since)
        assert expected in html.unescape(conversation) and 'role="alert"' in conversation
        assert kept == turns


def test_unexpected_failure_is_a_generic_notice_without_traceback(app_assistant, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(app_assistant, "ask", broken)
    monkeypatch.setattr(app_assistant, "ask_stream", broken)
    conversation = run_ask(Handlers(app_assistant), SUPERVISION)[-1][0]
    assert "Something went wrong while answering the question" in conversation
    assert "secret internal detail" not in conversation and "Traceback" not in conversation
    assert "secret internal detail" in caplog.text


def test_open_citation_shows_the_passage_highlighted(app_assistant):
    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    citation = turns[0].answer.citations[-1]
    event = gr.EventData(None, {"turn": 0, "n": citation.n})
    panel, viewer = handlers.open_citation(turns, event)
    assert f'<mark id="{MARK_ID}" class="cited">{html.escape(citation.text)}</mark>' in viewer
    assert "source-item active" in panel


def test_open_citation_of_a_changed_document_says_so(app_assistant):
    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    citation = turns[0].answer.citations[0]
    path = app_assistant.settings.corpus_dir / citation.source
    path.chmod(0o644)
    path.unlink()
    app_assistant.ingest(progress=False)
    _, viewer = handlers.open_citation(turns, gr.EventData(None, {"turn": 0, "n": citation.n}))
    assert "has changed or left the collection" in viewer and "<mark" not in viewer


def test_export_offers_the_chosen_answers_as_markdown_word_and_pdf(app_assistant):
    from qa.app.export_handlers import ExportHandlers

    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    turns = run_ask(handlers, "What did the third monitoring visit find?", turns)[-1][2]
    exporter = ExportHandlers(app_assistant.settings.updated(app__author="A. Trainer"))
    assert exporter.choices(turns)["value"] == [0, 1]
    update = exporter.export(turns, [1])
    paths = [Path(p) for p in update["value"]]
    assert [p.suffix for p in paths] == [".md", ".docx", ".pdf"] and update["visible"]
    text = paths[0].read_text(encoding="utf-8")
    assert "third monitoring visit" in text and SUPERVISION not in text and "by A. Trainer" in text
    assert exporter.export(turns, [])["visible"] is False  # nothing chosen: a warning, no files


def test_upload_handler_reports_and_refreshes_document_choices(app_assistant, tmp_path):
    upload = tmp_path / "quince.md"
    upload.write_text("The allotment society will plant forty quince trees next spring.\n", encoding="utf-8")
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ")
    status, files, choices = Handlers(app_assistant).add_files([str(upload), str(bad)], progress=lambda *a, **k: None)
    assert "Added 1 document(s): quince.md." in status and "tool.exe: unsupported file type" in status
    assert files is None and ("quince" in str(choices["choices"]))


def test_build_app_registers_named_api_endpoints(app_assistant):
    demo = build_app(app_assistant)
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"answer", "documents"} <= names


# Login.


def test_auth_pairs_from_setting_and_file(make_auth_settings):
    settings = make_auth_settings(auth="ann:s3cret:with:colons", lines="# staff\nbob:pw\n\n")
    assert auth_pairs(settings) == [("ann", "s3cret:with:colons"), ("bob", "pw")]
    assert auth_pairs(make_auth_settings()) is None


@pytest.mark.parametrize("auth", ["no-colon", ":pw", "user:"])
def test_malformed_login_is_a_readable_error(make_auth_settings, auth):
    with pytest.raises(QAError, match="user:password"):
        auth_pairs(make_auth_settings(auth=auth))


def test_missing_login_file_is_a_readable_error(make_auth_settings, tmp_path):
    settings = make_auth_settings()
    settings = settings.updated(app__auth_file=tmp_path / "nope.txt")
    with pytest.raises(QAError, match="Cannot read the login file"):
        auth_pairs(settings)


@pytest.fixture
def make_auth_settings(tmp_path):
    from conftest import make_settings

    def make(auth: str | None = None, lines: str | None = None):
        settings = make_settings(tmp_path, tmp_path / "corpus")
        settings = settings.updated(app__auth=auth)
        if lines is not None:
            settings = settings.updated(app__auth_file=tmp_path / "logins.txt")
            settings.app.auth_file.write_text(lines, encoding="utf-8")
        return settings

    return make


def test_login_is_required_when_configured(app_assistant):
    app_assistant.settings = app_assistant.settings.updated(app__auth="reviewer:pa55word")
    with running_app(app_assistant) as url:
        with pytest.raises(AuthenticationError, match="Please login"):
            Client(url, verbose=False).predict(api_name="/documents")
        client = Client(url, auth=("reviewer", "pa55word"), verbose=False)
        assert len(client.predict(api_name="/documents")) == 5


def test_answers_say_did_you_mean_searched_for_and_what_is_still_indexing(app_assistant):
    handlers = Handlers(app_assistant)
    turns = run_ask(handlers, SUPERVISION)[-1][2]
    with handlers.indexing.running(["scan.pdf"]):
        conversation, _, turns, _, _ = run_ask(handlers, "and what about superviison in 2020?", turns)[-1]
    assert "Did you mean “and what about supervision in 2020?”?" in conversation
    assert "Still being indexed, so not searched yet: scan.pdf." in conversation
    assert f"Searched for: {SUPERVISION} and what about superviison in 2020?" in conversation
    conversation = run_ask(handlers, "and in 2023?", turns)[-1][0]
    assert "Still being indexed" not in conversation and "Did you mean" not in conversation


def test_a_name_no_document_writes_is_not_said_unmentioned_while_documents_are_being_indexed(app_assistant):
    handlers = Handlers(app_assistant)
    with handlers.indexing.running(["harbourside.pdf"]):
        conversation = run_ask(handlers, "What did inspectors find in Harbourside?")[-1][0]
    assert "Still being indexed, so not searched yet: harbourside.pdf." in conversation
    assert "do not mention Harbourside" not in conversation
    conversation = run_ask(handlers, "What did inspectors find in Harbourside?")[-1][0]
    assert "do not mention Harbourside" in conversation


def test_the_type_filter_keeps_answers_to_documents_of_that_type(app_assistant):
    handlers = Handlers(app_assistant)
    kinds = {s: d.kind for s, d in app_assistant.index().documents.items()}
    turns = list(handlers.ask(SUPERVISION, [], None, ["minutes"], "", ""))[-1][2]
    assert turns[0].answer.citations and {kinds[c.source] for c in turns[0].answer.citations} == {"minutes"}
    conversation = list(handlers.ask(SUPERVISION, [], None, ["inspection report"], "", ""))[-1][0]
    assert "No document is of type inspection report" in conversation


def test_conversations_belong_to_the_login_when_there_is_one(app_assistant):
    from qa.app.conversation_handlers import ConversationHandlers

    class Request:
        def __init__(self, username):
            self.username = username

    talks = ConversationHandlers(app_assistant.settings)
    turns = run_ask(Handlers(app_assistant), SUPERVISION)[-1][2]
    memory, _ = talks.save(turns, {"client": "browser-1"}, Request("ann"))
    # The same login in another browser sees and reopens it; another login, or no login, does not.
    restored = talks.restore({"client": "browser-2", "conversation": memory["conversation"]}, Request("ann"))
    assert len(restored[1]) == 1 and SUPERVISION in restored[2]
    for other in (Request("bob"), Request(None)):
        restored = talks.restore({"client": "browser-1", "conversation": memory["conversation"]}, other)
        assert restored[1] == [] and restored[0]["conversation"] is None
