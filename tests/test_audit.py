"""The audit log: each question and each change to the collection recorded, append-only, kept for its retention."""

from __future__ import annotations

import csv
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio import utils as gradio_utils

from qa.app.audit_handlers import AuditedEvents
from qa.app.handlers import Handlers
from qa.app.library_handlers import LibraryHandlers
from qa.cli import main
from qa.library.audit import ASK, DELETE, EDIT, REPLACE, UPLOAD, AuditLog, audit_log

SUPERVISION = "What did inspectors say about supervision?"
NEWS = "2020-01-21-sunshine-radio-herefordshire-little-progress.txt"
NO_PROGRESS = lambda *a, **k: None  # noqa: E731


def request(name: str | None = "dana"):
    return SimpleNamespace(username=name, client=SimpleNamespace(host="127.0.0.1"))


@pytest.fixture
def assistant(fake_assistant):
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


@pytest.fixture
def events(assistant):
    handlers = Handlers(assistant)
    return AuditedEvents(handlers, LibraryHandlers(assistant, handlers.indexing), audit_log(assistant.settings))


def test_a_question_is_recorded_with_its_user_filters_and_cited_spans(events, assistant):
    *_, final = events.ask(SUPERVISION, [], [NEWS], [], "2019", "", request())
    answer = final[2][-1].answer
    [entry] = events.audit.entries()
    assert (entry.user, entry.action, entry.question) == ("dana", ASK, SUPERVISION)
    assert NEWS in entry.filters and "2019" in entry.filters
    assert entry.documents == NEWS
    assert entry.spans.split("; ") == [f"{c.source}:{c.start}-{c.end}" for c in answer.citations]
    list(events.ask("   ", [], None, None, "", "", request()))  # refused: nothing asked, nothing recorded
    assert len(events.audit.entries()) == 1
    list(events.ask(SUPERVISION, [], None, None, "", "", request(None)))
    assert events.audit.entries()[-1].user == "anonymous (127.0.0.1)"


def test_upload_replace_edit_and_delete_in_the_app_are_recorded(events, assistant, tmp_path):
    folder = Path(gradio_utils.get_upload_folder())
    folder.mkdir(parents=True, exist_ok=True)
    upload = folder / f"audit-{tmp_path.name}.md"
    upload.write_text("# Fostering panel\n\nThe fostering panel met twelve times and approved nine carers.\n")
    events.upload([{"path": str(upload), "name": "panel.md"}], request(), progress=NO_PROGRESS)
    new = tmp_path / "panel.md"
    new.write_text("# Fostering panel\n\nThe fostering panel met ten times and approved six carers.\n")
    events.replace("panel.md", str(new), "", request("erin"), progress=NO_PROGRESS)
    events.save_details(
        "panel.md", "Fostering panel report", "", "2024", "minutes", "", request(), progress=NO_PROGRESS
    )
    events.delete(None, "", request(), progress=NO_PROGRESS)  # a declined confirmation: nothing happens
    events.delete("panel.md", "", request(), progress=NO_PROGRESS)
    entries = events.audit.entries()
    assert [(e.action, e.user, e.documents) for e in entries] == [
        (UPLOAD, "dana", "panel.md"),
        (REPLACE, "erin", "panel.md"),
        (EDIT, "dana", "panel.md"),
        (DELETE, "dana", "panel.md"),
    ]
    assert entries[0].detail.startswith("added: panel.md") and entries[1].detail.startswith("replaced: panel.md")
    assert "Fostering panel report" in entries[2].detail and entries[3].detail.startswith("removed: panel.md")
    assert "panel.md" not in assistant.index().documents


def test_the_log_is_append_only(tmp_path):
    log = AuditLog(tmp_path)
    log.add("ann", ASK, question="q")
    with sqlite3.connect(log.path) as db, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET user = 'mallory'")
    assert log.entries()[0].user == "ann"


def test_entries_past_the_retention_period_are_dropped(tmp_path):
    now = [datetime(2026, 1, 1)]
    log = AuditLog(tmp_path, retention_days=30, clock=lambda: now[0])
    log.add("ann", ASK, question="old")
    now[0] += timedelta(days=31)
    log.add("ann", ASK, question="new")
    assert [e.question for e in log.entries()] == ["new"]
    forever = AuditLog(tmp_path / "all", retention_days=0, clock=lambda: now[0])
    forever.add("ann", ASK, question="old")
    now[0] += timedelta(days=3650)
    forever.add("ann", ASK, question="new")
    assert len(forever.entries()) == 2


def test_export_writes_csv_a_spreadsheet_cannot_run(assistant, tmp_path, capsys):
    log = audit_log(assistant.settings)
    log.add("ann", ASK, question='=HYPERLINK("http://example.invalid")')
    log.changed("ann", DELETE, ["a.txt"], "removed: a.txt")
    path = tmp_path / "audit.csv"
    assert main(["audit", "export", str(path), "--index", str(assistant.settings.index_dir)]) == 0
    assert "2 audit log entries" in capsys.readouterr().out
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == [ASK, DELETE]
    assert rows[0]["question"].startswith("'=") and rows[1]["documents"] == "a.txt"


def test_a_question_through_gradios_api_is_recorded(assistant):
    from gradio_client import Client

    from browser_helpers import running_app

    with running_app(assistant) as url:
        answer = Client(url, verbose=False).predict(question=SUPERVISION, sources=[NEWS], api_name="/answer")
    [entry] = audit_log(assistant.settings).entries()
    assert (entry.action, entry.question, entry.user) == (ASK, SUPERVISION, "anonymous (127.0.0.1)")
    assert NEWS in entry.filters and entry.spans.split("; ") == [
        f"{c['source']}:{c['start']}-{c['end']}" for c in answer["citations"]
    ]
