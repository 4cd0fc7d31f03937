"""Reviewers' verdicts: kept through the library and the app, exported as a question file that qa eval reruns."""

from __future__ import annotations

import json
from types import SimpleNamespace

import gradio as gr
import pytest

from qa.app.handlers import Handlers
from qa.app.library_handlers import LibraryHandlers
from qa.app.verdict_handlers import VerdictHandlers
from qa.cli import main
from qa.errors import QAError
from qa.evaluate import evaluate_file, normalise, read_questions
from qa.library.audit import audit_log
from qa.library.conversations import Turn, conversations_folder
from qa.library.pending import Indexing
from qa.library.verdicts import ANSWERS, RELATED, WRONG, VerdictStore, export_questions, gold_key

SUPERVISION = "What did inspectors say about supervision?"
FRONT_DOOR = "How quickly does the front door respond?"
BUDGET = "What is the budget for road maintenance?"


@pytest.fixture
def assistant(fake_assistant):
    """Told never to abstain: these tests are about verdicts, not relevance."""
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


@pytest.fixture
def store(assistant) -> VerdictStore:
    return VerdictStore(conversations_folder(assistant.settings))


def test_gold_key_is_a_normalised_phrase_of_the_quote():
    assert gold_key("Staff   do not receive “regular” supervision.") == 'staff do not receive "regular" supervision.'
    long = " ".join(f"w{i}" for i in range(30))
    key = gold_key(long)
    assert len(key.split()) == 12 and key in normalise(long) and not key.startswith("w0 ")


def test_verdicts_recorded_through_the_library_are_exported_and_rerun_by_qa_eval(assistant, store, tmp_path):
    answered = assistant.ask(SUPERVISION)
    build = assistant.index().manifest["build"]
    first = answered.citations[0]
    store.record("ann", SUPERVISION, first, ANSWERS, "the key finding", build=build)
    for citation in answered.citations[1:]:
        store.record("ann", SUPERVISION, citation, RELATED)
    unanswered = assistant.ask(BUDGET)
    for citation in unanswered.citations:
        store.record("bob", BUDGET, citation, WRONG, unanswered=True)
    left = assistant.ask(FRONT_DOOR)
    store.record("bob", FRONT_DOOR, left.citations[0], RELATED)  # rejected, but not said to be unanswered

    kept = store.all()
    assert kept[0].user == "ann" and kept[0].build == build and kept[0].note == "the key finding"
    assert (kept[0].source, kept[0].start, kept[0].end, kept[0].quote) == (
        first.source,
        first.start,
        first.end,
        first.text,
    )

    path = tmp_path / "verdicts.jsonl"
    report = export_questions(store, path)
    assert (report.answerable, report.unanswerable, report.left_out) == (1, 1, 1)
    rows = {row["question"]: row for row in read_questions(path)}
    assert set(rows) == {SUPERVISION, BUDGET}
    assert rows[SUPERVISION]["answerable"] and rows[SUPERVISION]["gold"] == [
        {"doc": first.source.rsplit("/", 1)[-1], "key": gold_key(first.text)}
    ]
    assert rows[BUDGET] == {**rows[BUDGET], "answerable": False, "kind": "none", "gold": []}

    results = {r.question: r for r in evaluate_file(assistant, path).results}
    assert results[SUPERVISION].hit and results[SUPERVISION].covered  # the same index cites the approved quote again
    assert not results[BUDGET].answerable and results[BUDGET].found  # this never-abstaining assistant is caught out


def test_a_later_verdict_on_the_same_passage_replaces_the_earlier(assistant, store, tmp_path):
    citation = assistant.ask(SUPERVISION).citations[0]
    store.record("ann", SUPERVISION, citation, WRONG)
    store.record("ann", SUPERVISION, citation, ANSWERS)
    assert len(store.all()) == 2 and [v.verdict for v in store.current()] == [ANSWERS]
    assert store.counts()[citation.source] == {ANSWERS: 1}


def test_bad_verdicts_are_refused_with_a_message(assistant, store):
    citation = assistant.ask(SUPERVISION).citations[0]
    with pytest.raises(QAError, match="not a verdict"):
        store.record("ann", SUPERVISION, citation, "maybe")
    with pytest.raises(QAError, match="note"):
        store.record("ann", SUPERVISION, citation, WRONG, "x" * 5000)
    assert store.all() == []


def test_verdicts_export_command_writes_the_question_file(assistant, store, tmp_path, capsys):
    citation = assistant.ask(SUPERVISION).citations[0]
    store.record("ann", SUPERVISION, citation, ANSWERS)
    path = tmp_path / "out.jsonl"
    assert main(["verdicts", "export", str(path), "--index", str(assistant.settings.index_dir)]) == 0
    assert "1 answerable" in capsys.readouterr().out
    assert json.loads(path.read_text())["gold"][0]["key"] == gold_key(citation.text)


def test_a_verdict_given_in_the_app_is_kept_and_counted_in_the_library(assistant, store):
    handlers = Handlers(assistant)
    *_, final = handlers.ask(FRONT_DOOR, [], None, None, "", "")
    turns = final[2]
    citation = turns[0].answer.citations[1]
    audit = audit_log(assistant.settings)
    verdicts = VerdictHandlers(assistant, store, audit)
    current, heading, *_ = verdicts.select(turns, gr.EventData(None, {"turn": 0, "n": citation.n}))
    assert current == {"turn": 0, "n": citation.n} and f"[{citation.n}]" in heading
    request = SimpleNamespace(username="carol", client=SimpleNamespace(host="127.0.0.1"))
    assert "Choose whether" in verdicts.save(current, turns, None, False, "", request)
    status = verdicts.save(current, turns, WRONG, True, "about another council", request)
    assert "Saved" in status and "wrong passage" in status
    [kept] = store.all()
    assert (kept.user, kept.question, kept.source, kept.start, kept.verdict, kept.unanswered) == (
        "carol",
        FRONT_DOOR,
        citation.source,
        citation.start,
        WRONG,
        True,
    )
    assert kept.build == assistant.index().manifest["build"]
    [entry] = audit.entries()
    assert (entry.user, entry.action, entry.documents, entry.detail) == (
        "carol",
        "verdict",
        citation.source,
        "wrong passage",
    )
    table = LibraryHandlers(assistant, Indexing(), store).table("")
    assert "Verdicts" in table and "1 wrong" in table


def test_a_follow_up_is_exported_as_it_was_read(assistant, store, tmp_path):
    citation = assistant.ask(SUPERVISION).citations[0]
    turn = Turn("and what about in 2020?", f"{SUPERVISION} and what about in 2020?", assistant.ask(SUPERVISION))
    store.record("ann", turn.question, citation, ANSWERS, query=turn.query)
    export_questions(store, tmp_path / "f.jsonl")
    [row] = read_questions(tmp_path / "f.jsonl")
    assert row["question"] == turn.query
