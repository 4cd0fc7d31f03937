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
        [
            sys.executable,
            "-m",
            "qa.cli",
            "ask",
            "--json",
            "What did inspectors say about supervision?",
            "Who won the 2018 football World Cup?",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == [
        "What did inspectors say about supervision?",
        "Who won the 2018 football World Cup?",
    ]
    supervision, football = rows
    assert supervision["found"] is True and football["found"] is False
    assert len({c["source"] for c in supervision["citations"]}) >= 3
    for c in supervision["citations"]:
        assert set(c) == {"n", "source", "title", "date", "page", "ocr", "text", "start", "end", "score"}
        text = (CORPUS / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["text"]
    assert "Traceback" not in result.stderr


# --- names, messages and waiting (issue 9) ------------------------------------------------------

import fcntl  # noqa: E402
import shutil  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from bench.reliability_report import record  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from fakes import HashingEmbedder  # noqa: E402
from qa.index import builds as store  # noqa: E402
from qa.settings import Settings  # noqa: E402

from conftest import DATA, make_settings  # noqa: E402

# `qa` in a fresh process, with the fake embedder under the real model's name (no model load).
FAKE_MODEL_CLI = (
    "import sys, qa.assistant\n"
    "from fakes import HashingEmbedder\n"
    "from qa.settings import Settings\n"
    "qa.assistant.load_embedder = lambda *a, **k: HashingEmbedder(name=Settings().model)\n"
    "from qa.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
EVIL_NAME = "evil\rname\x1b[2K\u202e.txt"
EVIL_SHOWN = "evil\\rname\\x1b[2K\\u202e.txt"
EVIL_TEXT = "Evil note.\n\nThe evil note records that the adoption panel approved nine matches in the spring.\n"


def _cli(*args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(
        [sys.executable, "-c", FAKE_MODEL_CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen
    )


@pytest.fixture
def fake_named_like_real(monkeypatch) -> HashingEmbedder:
    embedder = HashingEmbedder(name=Settings().model)
    monkeypatch.setattr("qa.assistant.load_embedder", lambda *a, **k: embedder)
    return embedder


def test_ask_escapes_control_characters_in_names_and_questions(tmp_path, corpus_copy, fake_named_like_real, capsys):
    (corpus_copy / EVIL_NAME).write_text(EVIL_TEXT, encoding="utf-8")
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_named_like_real).ingest(progress=False)
    question = "What did the evil note say the adoption panel approved?\x1b[31m"
    args = ["ask", question, "--source", EVIL_NAME, "--index", str(settings.index_dir)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert EVIL_SHOWN in out
    assert not set(out) & {"\r", "\x1b", "\u202e"}
    # JSON keeps the exact name (escaped the JSON way), and is still free of raw control characters
    assert main(args + ["--json"]) == 0
    out = capsys.readouterr().out
    assert not set(out) & {"\r", "\x1b", "\u202e"}
    row = json.loads(out)
    assert {c["source"] for c in row["citations"]} == {EVIL_NAME}
    record(
        "names",
        "control characters",
        {
            "order": 3,
            "case": "`qa ask` citing a file named 'evil\\rname\\x1b[2K\\u202e.txt', "
            "question ending in an escape sequence",
            "outcome": "text output shows escapes (\\r, \\x1b, \\u202e); --json keeps the exact name as JSON escapes",
            "figure": "no raw control character printed",
        },
    )


def test_manifest_without_a_model_says_so_and_how_to_rebuild(tmp_path, corpus_copy, fake_named_like_real, capsys):
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_named_like_real).ingest(progress=False)
    path = store.current_build(settings.index_dir) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["model"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["ask", "What did inspectors find?", "--index", str(settings.index_dir)]) == 4
    err = capsys.readouterr().err
    assert "does not record which embedding model" in err and "qa ingest --rebuild" in err and "None" not in err


def test_ingest_of_a_missing_folder_fails_before_loading_the_model(tmp_path, capsys, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("qa.assistant.load_embedder", no_model)
    started = time.monotonic()
    assert main(["ingest", str(tmp_path / "missing"), "--index", str(tmp_path / "index"), "--quiet"]) == 3
    took = time.monotonic() - started
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    assert main(["ingest", str(tmp_path / "a-file.txt"), "--index", str(tmp_path / "index"), "--quiet"]) == 3
    assert "not a folder" in capsys.readouterr().err
    record(
        "names",
        "missing folder",
        {
            "order": 4,
            "case": "`qa ingest /missing`",
            "outcome": "exit 3 'does not exist' before the model loads",
            "figure": f"{took:.3f} s",
        },
    )


def test_ingest_warns_once_per_skipped_file_with_a_printable_name(tmp_path, corpus_copy):
    fd = os.open(os.path.join(os.fsencode(corpus_copy), b"caf\xe9.txt"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, EVIL_TEXT.encode())
    os.close(fd)
    shutil.copy(DATA / "malformed.pdf", corpus_copy / "broken.pdf")
    shutil.copy(DATA / "malformed.pdf", corpus_copy / "bad\x1b[2Kname.pdf")
    proc = _cli("ingest", str(corpus_copy), "--index", str(tmp_path / "index"))
    out, err = (b.decode("utf-8") for b in proc.communicate(timeout=300))  # strict: every byte printed is UTF-8
    assert proc.returncode == 0, err
    assert "5 added" in out and "3 skipped" in out
    assert err.count("caf\ufffd.txt") == 1 and err.count("broken.pdf") == 1
    assert err.count("bad\\x1b[2Kname.pdf") == 1 and "\x1b" not in err
    assert "Traceback" not in err
    record(
        "names",
        "skipped once",
        {
            "order": 6,
            "case": "`qa ingest` over 5 good files, a Latin-1 name, a broken PDF "
            "and a broken PDF named with an escape sequence",
            "outcome": "one warning per skipped file, its name shown once, escaped",
            "figure": "5 added, 3 skipped",
        },
    )


def test_a_second_ingest_says_it_is_waiting_for_the_first(tmp_path, corpus_copy):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    with (index_dir / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a first ingest is running
        proc = _cli("ingest", str(corpus_copy), "--index", str(index_dir), "--quiet")
        err = bytearray()
        reader = threading.Thread(target=lambda: [err.extend(b) for b in iter(lambda: proc.stderr.read1(4096), b"")])
        reader.start()
        started = time.monotonic()
        while b"waiting for another ingest to finish" not in err and time.monotonic() - started < 120:
            time.sleep(0.05)
        said_after = time.monotonic() - started
        assert b"waiting for another ingest to finish" in err, err.decode(errors="replace")
        assert proc.poll() is None  # it waits rather than failing
        fcntl.flock(held, fcntl.LOCK_UN)
        proc.wait(300)
        reader.join(10)
    assert proc.returncode == 0, err.decode(errors="replace")
    assert (index_dir / "CURRENT").is_file()
    record(
        "names",
        "second ingest",
        {
            "order": 5,
            "case": "a second `qa ingest` while the first holds the lock",
            "outcome": "prints 'waiting for another ingest to finish', then runs",
            "figure": f"said so {said_after:.1f} s after starting (process start-up)",
        },
    )


def test_text_prints_exactly_what_citations_count_in(fake_assistant, capsysbinary):
    from qa.cli import main

    settings = fake_assistant.settings
    index = fake_assistant.index()
    source, document = next(iter(index.documents.items()))
    assert main(["text", source, "--index", str(settings.index_dir)]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == document.text
    assert main(["text", "no-such-file.pdf", "--index", str(settings.index_dir)]) == 1
    assert "neither an indexed source nor a readable file" in capsysbinary.readouterr().err.decode()


def test_a_mistyped_option_shows_its_subcommand_usage_and_the_nearest_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "What did inspectors find?", "--jsn"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: qa ask" in err and "did you mean --json?" in err


def test_a_mistyped_subcommand_is_named(capsys):
    with pytest.raises(SystemExit):
        main(["aks", "What did inspectors find?"])
    assert "did you mean ask?" in capsys.readouterr().err


def test_follow_up_questions_say_what_they_searched_for(fake_assistant, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(fake_assistant.settings.index_dir))
    monkeypatch.setenv("QA_CORPUS_DIR", str(fake_assistant.settings.corpus_dir))
    monkeypatch.setattr("qa.cli._assistant", lambda args: fake_assistant)
    first, follow_up = "What did inspectors say about supervision?", "and what about in 2020?"
    assert main(["ask", "--follow-up", first, follow_up]) == 0
    out = capsys.readouterr().out
    assert f"Searched for: {first} {follow_up}" in out and out.count("Searched for:") == 1
    assert main(["ask", "--follow-up", "--json", first, follow_up]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["searched_for"] for r in rows] == [None, f"{first} {follow_up}"]
    assert main(["ask", follow_up]) == 0  # without --follow-up each question stands alone
    assert "Searched for:" not in capsys.readouterr().out


def test_a_misspelt_question_gets_did_you_mean(fake_assistant, capsys, monkeypatch):
    monkeypatch.setattr("qa.cli._assistant", lambda args: fake_assistant)
    assert main(["ask", "What did inspectors say about superviison?"]) == 0
    assert "Did you mean “What did inspectors say about supervision?”?" in capsys.readouterr().out


def test_documents_lists_every_indexed_document_without_loading_the_model(
    tmp_path, corpus_copy, fake_embedder, capsys, monkeypatch
):
    (corpus_copy / "uncatalogued-note.txt").write_text(
        "Apologies and Substitutes\nCabinet meeting, 3 March 2022\n\nPresent: Councillor A Smith\n\n"
        "1. Minutes\nThe minutes of the meeting held on 3 February 2022 were agreed as a correct record.\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)

    def no_model(*args, **kwargs):
        raise AssertionError("qa documents loaded the embedding model")

    monkeypatch.setattr("qa.assistant.load_embedder", no_model)
    monkeypatch.setenv("QA_CORPUS_DIR", str(corpus_copy))
    assert main(["documents", "--json", "--index", str(settings.index_dir)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["source"] for r in rows] == sorted(p.name for p in corpus_copy.glob("*.txt"))
    note = next(r for r in rows if r["source"] == "uncatalogued-note.txt")
    assert note["title"] == "Cabinet meeting, 3 March 2022" and note["type"] == "minutes"
    assert set(note) == {"source", "title", "date", "type", "publisher", "pages", "passages", "added"}
    assert note["passages"] >= 1 and note["pages"] is None
    assert main(["documents", "cabinet", "--index", str(settings.index_dir)]) == 0
    out = capsys.readouterr().out
    assert (
        "uncatalogued-note.txt" in out
        and "Cabinet meeting, 3 March 2022" in out
        and out.rstrip().endswith("1 document")
    )


def test_documents_without_an_index_says_to_run_ingest(tmp_path, capsys):
    assert main(["documents", "--index", str(tmp_path / "none")]) == 4
    assert "Run `qa ingest`" in capsys.readouterr().err
