import json
import os
import subprocess
import sys

import pytest

from qa.cli import main

from conftest import CORPUS


def test_empty_question_is_refused_without_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["ask", "   "]) == 2
    err = capsys.readouterr().err
    assert "question is empty" in err and "Traceback" not in err


def test_overlong_question_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["ask", "x" * 2001]) == 2
    assert "limit is 2,000" in capsys.readouterr().err


def test_missing_index_says_to_run_ingest(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["ask", "What did inspectors find?"]) == 4
    assert "Run `qa ingest`" in capsys.readouterr().err


def test_bad_date_filter_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["ask", "anything?", "--since", "someday"]) == 2
    assert "someday" in capsys.readouterr().err


def test_empty_corpus_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), "--index", str(tmp_path / "index"), "--quiet"]) == 3
    assert "No readable documents" in capsys.readouterr().err


@pytest.mark.slow
def test_ask_json_answers_several_questions_in_one_process(seed_index):
    env = dict(os.environ, QA_INDEX_DIR=str(seed_index.index_dir))
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", "--json", "What did inspectors say about supervision?", "Who won the 2018 football World Cup?"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["What did inspectors say about supervision?", "Who won the 2018 football World Cup?"]
    supervision, football = rows
    assert supervision["found"] is True and football["found"] is False
    assert len({c["source"] for c in supervision["citations"]}) >= 3
    for c in supervision["citations"]:
        assert set(c) == {"n", "source", "title", "date", "page", "text", "start", "end", "score"}
        text = (CORPUS / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"]:c["end"]] == c["text"]
    assert "Traceback" not in result.stderr
