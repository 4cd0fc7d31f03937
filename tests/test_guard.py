"""Tests for qa.guard: files are read in a worker process with a time limit and a memory cap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.reliability_report import record
from qa.assistant import Assistant
from qa.errors import LoadError
from qa.ingest.sandbox import LoadWorker, load_with_limits
from qa.ingest.readers import read_file

from conftest import DATA, make_settings

try:
    from pdfmaker import make_pdf
except ImportError:
    from tests.pdfmaker import make_pdf

LIMIT = 10 * 1024 * 1024


@pytest.fixture
def worker():
    with LoadWorker() as w:
        yield w


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe with a .txt name: opening it for reading blocks until a writer comes, i.e. forever."""
    path = tmp_path / "stuck.txt"
    os.mkfifo(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has exited; it only waits for its parent to reap it
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return True


def test_worker_returns_what_read_file_returns(worker, tmp_path):
    pdf = make_pdf(
        tmp_path / "two.pdf", [["First page sentence here."], ["Second page sentence here."]], title="Two pages"
    )
    for path in (DATA / "plain.txt", DATA / "latin1.txt", DATA / "page.html", DATA / "notes.md", pdf):
        assert worker.load(path, LIMIT, 30) == read_file(path, LIMIT)


def test_refusals_keep_read_files_message(worker):
    for name in ("malformed.pdf", "corrupt.docx"):
        with pytest.raises(LoadError) as expected:
            read_file(DATA / name, LIMIT)
        with pytest.raises(LoadError) as got:
            worker.load(DATA / name, LIMIT, 30)
        assert str(got.value) == str(expected.value)
    with pytest.raises(LoadError, match=r"^plain\.txt: .*larger than the limit"):
        worker.load(DATA / "plain.txt", 100, 30)


def test_one_worker_reads_every_file_and_its_overhead_is_recorded(worker):
    """Judged by state (one worker started for 51 files); the time per file is recorded, not asserted,
    since it depends on how busy the machine is."""
    started = time.perf_counter()
    worker.load(DATA / "plain.txt", LIMIT, 30)
    startup = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(50):
        worker.load(DATA / "plain.txt", LIMIT, 30)
    per_file = (time.perf_counter() - started) / 50
    started = time.perf_counter()
    for _ in range(50):
        read_file(DATA / "plain.txt", LIMIT)
    in_process = (time.perf_counter() - started) / 50
    record(
        "guard",
        "overhead",
        {
            "order": 1,
            "case": "worker start-up, then a 1 kB text file",
            "outcome": "loaded",
            "figure": f"start-up {startup:.2f} s; {per_file * 1000:.2f} ms per file vs {in_process * 1000:.2f} ms in-process",
        },
    )
    assert worker.starts == 1


def test_a_file_that_never_finishes_is_skipped_after_the_timeout(worker, fifo):
    worker.load(DATA / "plain.txt", LIMIT, 30)
    first = worker.pid
    started = time.perf_counter()
    with pytest.raises(LoadError, match=r"^stuck\.txt: took longer than 0\.5 s to read; skipped$"):
        worker.load(fifo, LIMIT, 0.5)
    waited = time.perf_counter() - started
    assert waited >= 0.5  # how much longer depends on the machine's load; that it was given up on is the point
    assert not _alive(first)
    # the next file gets a fresh worker
    assert worker.load(DATA / "plain.txt", LIMIT, 30).text
    assert worker.starts == 2 and worker.pid != first
    record(
        "guard",
        "timeout",
        {
            "order": 2,
            "case": "file that never finishes (a FIFO named .txt), timeout 0.5 s",
            "outcome": "LoadError 'took longer than 0.5 s'; worker killed and replaced",
            "figure": f"skipped after {waited:.2f} s",
        },
    )


def test_a_crashed_worker_becomes_a_load_error(worker, fifo):
    worker.load(DATA / "plain.txt", LIMIT, 30)
    pid = worker.pid
    threading.Timer(0.3, os.kill, (pid, signal.SIGSEGV)).start()
    with pytest.raises(
        LoadError, match=r"^stuck\.txt: the reader crashed \(signal SIGSEGV\) while reading it; skipped$"
    ):
        worker.load(fifo, LIMIT, 30)
    assert worker.load(DATA / "plain.txt", LIMIT, 30).text
    record(
        "guard",
        "crash",
        {
            "order": 3,
            "case": "reader process dies mid-file (SIGSEGV)",
            "outcome": "LoadError 'the reader crashed (signal SIGSEGV)'; next file loads",
            "figure": "",
        },
    )


def test_memory_cap_turns_a_blow_up_into_a_load_error(tmp_path):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"a" * (150 * 1024 * 1024))
    with LoadWorker(memory_bytes=500 * 1024 * 1024) as capped:
        with pytest.raises(LoadError, match=r"^huge\.txt: .*MemoryError"):
            capped.load(big, 200 * 1024 * 1024, 60)
        assert capped.load(DATA / "plain.txt", LIMIT, 30).text  # the same worker carries on
    record(
        "guard",
        "memory",
        {
            "order": 4,
            "case": "150 MB text file with the worker capped at 500 MB",
            "outcome": "LoadError (MemoryError), same worker reads the next file",
            "figure": "",
        },
    )


def test_worker_exits_when_its_parent_is_killed(tmp_path):
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from qa.ingest.sandbox import LoadWorker\n"
        "w = LoadWorker()\n"
        f"w.load(Path({str(DATA / 'plain.txt')!r}), 10**7, 30)\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def test_ingest_skips_a_slow_file_and_keeps_the_rest(tmp_path, corpus_copy, fake_embedder, monkeypatch):
    """The reader is frozen (SIGSTOP) while it holds one file, so that file is slow on any machine, however fast."""
    from qa.ingest import pipeline, sandbox

    (corpus_copy / "deep.html").write_text("<html><body><p>A page the reader never finishes.</p></body></html>")
    real_load = pipeline.load_with_limits

    def frozen_for_deep(path, max_bytes, timeout_s, **options):
        if Path(path).name == "deep.html":
            assert sandbox._shared.pid is not None  # started for the files before it (the dated ones sort first)
            os.kill(sandbox._shared.pid, signal.SIGSTOP)  # killed (and replaced) when the timeout passes
        return real_load(path, max_bytes, timeout_s, **options)

    monkeypatch.setattr(pipeline, "load_with_limits", frozen_for_deep)
    assistant = Assistant(make_settings(tmp_path, corpus_copy, load_timeout_s=1.0), embedder=fake_embedder)
    started = time.perf_counter()
    report = assistant.ingest(progress=False)
    took = time.perf_counter() - started
    assert report.skipped == {"deep.html": "took longer than 1 s to read; skipped"}
    assert len(report.added) == 5
    assert "deep.html" not in assistant.index().documents
    record(
        "guard",
        "ingest_timeout",
        {
            "order": 5,
            "case": "ingest with one file whose reader never answers (frozen), load_timeout_s=1",
            "outcome": "skipped with 'took longer than 1 s'; 5 other files indexed",
            "figure": f"whole ingest {took:.2f} s",
        },
    )


def test_load_with_limits_is_the_shared_worker(tmp_path):
    assert load_with_limits(DATA / "plain.txt", LIMIT, 30) == read_file(DATA / "plain.txt", LIMIT)


def test_replies_that_arrive_in_one_read_are_each_returned_in_turn():
    """A worker's OCR progress lines can reach the parent in one read with the next reply: none is lost or garbled."""
    import subprocess
    import sys

    from qa.ingest.sandbox import _read_reply

    proc = subprocess.Popen(
        [sys.executable, "-c", 'import sys; sys.stdout.write(\'{"ocr_pages": 2}\\n{"ocr_page": 1}\\n{"ok": 3}\\n\')'],
        stdout=subprocess.PIPE,
    )
    try:
        proc.wait(timeout=60)  # everything is written before the first read: one read holds all three lines
        deadline = time.monotonic() + 60
        assert [_read_reply(proc, deadline) for _ in range(3)] == [{"ocr_pages": 2}, {"ocr_page": 1}, {"ok": 3}]
    finally:
        proc.stdout.close()
