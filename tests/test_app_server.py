"""Starting the server: a port already in use is a one-line message, given before the model is loaded."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import pytest
from browser_helpers import free_port

from conftest import REPO
from qa.app.server import check_port_free, serve
from qa.errors import QAError


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_busy_port_is_refused_before_the_model_is_loaded(fake_assistant, busy_port, monkeypatch):
    def load_index():
        raise AssertionError("the model and index were loaded before the port was checked")

    monkeypatch.setattr(fake_assistant, "index", load_index)
    fake_assistant.settings = fake_assistant.settings.updated(app__port=busy_port)
    with pytest.raises(QAError, match=f"Port {busy_port} on 127.0.0.1 is already in use") as refused:
        serve(fake_assistant.settings, assistant=fake_assistant, prevent_thread_lock=True)
    assert "--port" in str(refused.value) and "QA_APP__PORT" in str(refused.value)


def test_free_port_passes_the_check():
    check_port_free("127.0.0.1", free_port())
    check_port_free("127.0.0.1", 0)


def test_qa_serve_on_a_busy_port_prints_one_line_and_fails(busy_port, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "serve", "--port", str(busy_port), "--index", str(tmp_path / "index")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Serving on" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: Port {busy_port} on 127.0.0.1 is already in use"), lines
    assert "GRADIO_SERVER_PORT" not in result.stderr and "Traceback" not in result.stderr


def test_serving_with_ingest_first_picks_up_files_added_to_the_corpus(fake_assistant, capsys):
    from browser_helpers import running_app

    added = fake_assistant.settings.corpus_dir / "added-between-runs.md"
    added.write_text("Orchard notes\n\nThe orchard group planted twelve damson trees by the river.\n")
    with running_app(fake_assistant, ingest_first=True):
        assert "added-between-runs.md" in fake_assistant.index().documents
    shown = capsys.readouterr()
    assert "1 added" in shown.out
    # Progress as `qa ingest` shows it: files read out of how many, with the time taken and the time left.
    assert re.search(r"Loading: +100%.*\b6/6 \[\d\d:\d\d<\d\d:\d\d", shown.err), shown.err
