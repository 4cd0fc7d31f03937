"""Faults: an ingest killed at any moment, damaged index files, and ingest while questions are being answered."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.reliability_report import record
from qa.index import builds as store
from qa.assistant import Assistant
from qa.cli import main
from fakes import HashingEmbedder
from qa.index.bm25 import Bm25Store
from qa.errors import IndexCorrupt
from qa.settings import Settings

from conftest import CORPUS, make_settings

NEW_NAME = "2024-road-safety-survey.txt"
NEW_TEXT = (
    "Road safety survey 2024\n\n"
    "The zebra crossing survey outside Hereford station counted 4,417 pedestrians in one week of March.\n"
    "Surveyors recommended a signalled crossing because the zebra crossing survey found long queues at peak times.\n"
)
NEW_QUESTION = "How many pedestrians did the zebra crossing survey count?"
OLD_QUESTION = "What did inspectors say about supervision?"


def _settings(root: Path) -> Settings:
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index")


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def base_root(tmp_path_factory, real_embedder) -> Path:
    """A corpus and a complete index built with the real model; each test copies it."""
    root = tmp_path_factory.mktemp("faults-base")
    shutil.copytree(CORPUS, root / "corpus")
    for path in (root / "corpus").iterdir():
        path.chmod(0o644)
    Assistant(_settings(root), embedder=real_embedder).ingest(progress=False)
    return root


@pytest.fixture
def root(tmp_path, base_root) -> Path:
    """A private copy of the base corpus and index, plus one new file for the next ingest to add."""
    shutil.copytree(base_root / "corpus", tmp_path / "corpus")
    shutil.copytree(base_root / "index", tmp_path / "index")
    (tmp_path / "corpus" / NEW_NAME).write_text(NEW_TEXT, encoding="utf-8")
    return tmp_path


def _kill_ingest(root: Path, point: str) -> dict:
    """Start `qa ingest` in a subprocess and SIGKILL it at ``point``; return what was seen."""
    quiet = point != "embedding"  # the progress bars tell us when embedding starts
    command = [sys.executable, "-m", "qa.cli", "ingest", str(root / "corpus"), "--index", str(root / "index")]
    env = dict(os.environ, QA_INDEX_DIR=str(root / "index"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        command + (["--quiet"] if quiet else []), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = bytearray()
    reader = threading.Thread(
        target=lambda: [stderr.extend(b) for b in iter(lambda: proc.stderr.read1(4096), b"")], daemon=True
    )
    reader.start()
    builds = root / "index" / "builds"
    before = store.current_build(root / "index")
    started = time.monotonic()
    deadline = started + 300
    reached = False
    while proc.poll() is None and time.monotonic() < deadline:
        elapsed = time.monotonic() - started
        if point.endswith(" s") and elapsed >= float(point[:-2]):
            reached = True
            break
        if point == "embedding" and b"Embedding" in stderr:
            reached = True
            break
        if point == ".partial" and any(p.name.endswith(".partial") for p in builds.iterdir()):
            reached = True
            break
        time.sleep(0.001 if point == ".partial" else 0.01)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    return {
        "point": point,
        "killed_after_s": round(time.monotonic() - started, 2),
        "reached": reached,
        # Judged by the index's own state, not by whether the process still ran: on a fast machine the kill
        # may land after the new build was swapped in but before the process exited.
        "finished_before_kill": store.current_build(root / "index") != before,
        "partial_left": any(p.name.endswith(".partial") for p in builds.iterdir()),
        "worker_exited": all(_gone(pid, 10) for pid in workers) if workers else "no worker yet",
        "stderr": bytes(stderr).decode(errors="replace"),
    }


KILL_POINTS = ["0.5 s", "2 s", "5 s", "embedding", ".partial"]


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_ingest_leaves_the_previous_index_usable(point, root, real_embedder):
    before = store.current_build(root / "index")
    seen = _kill_ingest(root, point)
    assert "Traceback" not in seen["stderr"]
    if not point.endswith(" s"):  # a phase, not a time: the kill must have landed once it had begun
        assert seen["reached"], f"ingest ended before reaching {point}: {seen['stderr'][-500:]}"
    # the live build verifies and answers: the previous one, or the new one if the ingest had finished
    finished = seen["finished_before_kill"]
    assert (store.current_build(root / "index") == before) != finished
    index = store.open_index(root / "index", model=real_embedder.name)
    assert (NEW_NAME in index.documents) == finished and len(index.documents) == 5 + finished
    answer = Assistant(_settings(root), embedder=real_embedder).ask(OLD_QUESTION)
    assert answer.found and answer.citations
    # the next ingest completes normally, has the new file and clears any half-written build
    started = time.monotonic()
    assistant = Assistant(_settings(root), embedder=real_embedder)
    report = assistant.ingest(progress=False)
    next_ingest_s = time.monotonic() - started
    assert report.added == ([] if finished else [NEW_NAME]) and not report.skipped
    assert len(report.unchanged) == 5 + finished
    assert not [p for p in (root / "index" / "builds").iterdir() if p.name.endswith(".partial")]
    answer = assistant.ask(NEW_QUESTION)
    assert answer.found and answer.citations[0].source == NEW_NAME and "4,417" in answer.answer
    if point == ".partial":
        assert seen["worker_exited"] is True  # the orphaned reader process went away with its parent
    record(
        "kill",
        point,
        {
            "order": KILL_POINTS.index(point),
            "point": point,
            "killed_after_s": seen["killed_after_s"],
            "finished_before_kill": seen["finished_before_kill"],
            "partial_left": seen["partial_left"],
            "old_index_answers": True,
            "next_ingest_s": round(next_ingest_s, 2),
            "next_has_new_file": True,
            "worker_exited": seen["worker_exited"],
        },
    )


# --- damaged index files -------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _damage_npy(build: Path) -> Path:
    path = sorted((build / "passages_lexical" / "bm25").glob("*.npy"))[0]
    _flip_byte(path)
    return path


def _truncate_dense(build: Path) -> Path:
    _truncate(build / "passages_dense" / "dense.faiss")
    return build / "passages_dense" / "dense.faiss"


def _garble_manifest(build: Path) -> Path:
    (build / "manifest.json").write_bytes(b"\x00\x17garbage{{{")
    return build / "manifest.json"


def _dangling_current(build: Path) -> Path:
    pointer = build.parents[1] / "CURRENT"
    pointer.write_text("20990101-000000-deadbeef", encoding="utf-8")
    return pointer


def _delete_chunks(build: Path) -> Path:
    (build / "chunks.npy").unlink()
    return build / "chunks.npy"


def _tamper_documents(build: Path) -> Path:
    """Rename a document inside documents.jsonl and update its checksum in the manifest, as a careful tamperer would."""
    import hashlib
    import json

    path = build / "documents.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[0]["source"] = "renamed-" + rows[0]["source"]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["artifacts"]["documents.jsonl"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


DAMAGE = {
    "dense vectors truncated to half": (_truncate_dense, "dense.faiss"),
    "lexical .npy with one byte flipped": (_damage_npy, ".npy"),
    "manifest.json replaced by garbage": (_garble_manifest, "manifest.json"),
    "CURRENT names a missing build": (_dangling_current, "20990101-000000-deadbeef"),
    "chunks.npy deleted": (_delete_chunks, "chunks.npy"),
    "documents.jsonl rewritten with a matching checksum": (_tamper_documents, "documents.jsonl"),
}


@pytest.fixture
def fake_named_like_real() -> HashingEmbedder:
    """The fast fake embedder under the configured model's name, so the CLI can open its index."""
    return HashingEmbedder(name=Settings().model)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_file_is_named_with_the_fix(
    damage, tmp_path, corpus_copy, fake_named_like_real, monkeypatch, capsys
):
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_named_like_real).ingest(progress=False)
    harm, expected_name = DAMAGE[damage]
    damaged = harm(store.current_build(settings.index_dir))
    with pytest.raises(IndexCorrupt) as info:
        Assistant(settings, embedder=fake_named_like_real).ask(OLD_QUESTION)
    message = str(info.value)
    assert expected_name in message and "qa ingest --rebuild" in message
    if damaged.name != "CURRENT":
        assert damaged.name in message
    # the CLI prints the same message, no traceback, and exits with the index error code
    monkeypatch.setattr("qa.assistant.load_embedder", lambda *a, **k: fake_named_like_real)
    code = main(["ask", OLD_QUESTION, "--index", str(settings.index_dir)])
    err = capsys.readouterr().err
    assert code == IndexCorrupt.exit_code == 4
    assert err.startswith("error: ") and expected_name in err and "qa ingest --rebuild" in err
    assert "Traceback" not in err
    # and `qa ingest --rebuild` is indeed the fix
    Assistant(settings, embedder=fake_named_like_real).ingest(rebuild=True, progress=False)
    assert Assistant(settings, embedder=fake_named_like_real).ask(OLD_QUESTION).question
    record(
        "corruption",
        damage,
        {
            "damage": damage,
            "error": "IndexCorrupt",
            "names_file": True,
            "names_fix": True,
            "cli_exit": code,
            "traceback": False,
        },
    )


def test_a_file_rewritten_with_its_old_size_is_still_checked(tmp_path, corpus_copy, fake_embedder):
    """Skipping the hash of files as ingest wrote them never skips a file written since, nor trusts a garbled stamp."""
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    build = store.current_build(settings.index_dir)
    original = (build / "chunks.npy").read_bytes()
    _flip_byte(build / "chunks.npy")  # same size, new write
    with pytest.raises(IndexCorrupt, match="chunks.npy"):
        store.open_index(settings.index_dir)
    (build / "chunks.npy").write_bytes(original)
    store.open_index(settings.index_dir)  # rewritten with the right bytes: hashed, and fine
    (build / store.STAMP).write_text("{not json", encoding="utf-8")
    store.open_index(settings.index_dir)  # a garbled stamp only means every file is hashed


def test_a_file_rewritten_while_ingest_reads_it_is_indexed_with_the_hash_of_what_was_read(
    tmp_path, corpus_copy, fake_embedder, monkeypatch
):
    """Hashed at one version, read at another, then back at the hashed one: the next ingest must read it again."""
    settings = make_settings(tmp_path, corpus_copy)
    path = corpus_copy / "rota.txt"
    hashed, read = "Rota\n\nThe duty rota names twelve wardens.\n", "Rota\n\nThe duty rota names thirty wardens.\n"
    path.write_text(hashed)
    real_sha256 = store.file_sha256

    def rewritten_after_hashing(file: Path) -> str:
        digest = real_sha256(file)
        if file.name == "rota.txt" and file.read_text() == hashed:
            file.write_text(read)  # a writer saves another version between the hash and the reader
        return digest

    monkeypatch.setattr(store, "file_sha256", rewritten_after_hashing)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    monkeypatch.setattr(store, "file_sha256", real_sha256)
    path.write_text(hashed)  # and the file ends at the version that was hashed
    report = Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    document = store.open_index(settings.index_dir).documents["rota.txt"]
    assert document.sha256 == real_sha256(path) and "twelve" in document.text and "thirty" not in document.text
    assert report.updated == ["rota.txt"]
    record(
        "round2",
        "5 rewritten",
        {
            "order": 50,
            "fault": "5. File rewritten while ingest reads it",
            "case": "hashed at version A, read at version B, left at A",
            "outcome": "indexed with B's hash; the next ingest sees A differs and reads it again",
            "figure": f"next ingest: {report.summary()}",
        },
    )


def test_every_artifact_is_checksummed(tmp_path, corpus_copy, fake_embedder):
    """Truncating any file the manifest lists is caught on open, naming that file."""
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    build = store.current_build(settings.index_dir)
    artifacts = store.read_manifest(settings.index_dir)["artifacts"]
    on_disk = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()} - {
        "manifest.json",
        store.STAMP,
    }
    assert set(artifacts) == on_disk
    for name in artifacts:
        original = (build / name).read_bytes()
        _truncate(build / name)
        with pytest.raises(IndexCorrupt, match=rf"{name}.*qa ingest --rebuild"):
            store.open_index(settings.index_dir)
        (build / name).write_bytes(original)
    assert store.open_index(settings.index_dir).chunks


# --- ingest while serving --------------------------------------------------------


class SlowEmbedder(HashingEmbedder):
    """The fake embedder, but embedding passages takes a while, as with a real model on a big folder."""

    def embed_passages(self, texts, progress=False, label="Embedding"):
        time.sleep(0.5)
        return super().embed_passages(texts, progress, label)


def _ask_until(assistant: Assistant, stop: threading.Event, log: dict) -> None:
    while not stop.is_set():
        for question in (OLD_QUESTION, NEW_QUESTION):
            try:
                answer = assistant.ask(question)
                log["answers"] += 1
                if any(c.source == NEW_NAME for c in answer.citations):
                    log["saw_new"] = True
            except Exception as exc:  # noqa: BLE001 - any error while serving is the failure we look for
                log["errors"].append(repr(exc))


@pytest.mark.parametrize("who", ["same assistant", "separate assistant"])
def test_questions_keep_working_during_ingest_and_see_the_new_build(who, tmp_path, corpus_copy):
    settings = make_settings(tmp_path, corpus_copy)
    embedder = SlowEmbedder(name="hashing-test-embedder")
    server = Assistant(settings, embedder=embedder)
    server.ingest(progress=False)
    log = {"answers": 0, "errors": [], "saw_new": False}
    stop = threading.Event()
    askers = [threading.Thread(target=_ask_until, args=(server, stop, log)) for _ in range(2)]
    for t in askers:
        t.start()
    try:
        time.sleep(0.2)
        ingester = server if who == "same assistant" else Assistant(settings, embedder=embedder)
        durations = []
        for n in range(3):  # several swaps in a row: the previous build is deleted under the readers
            name = NEW_NAME if n == 0 else f"extra-{n}.txt"
            text = (
                NEW_TEXT
                if n == 0
                else f"Extra note {n}.\n\nThe extra note number {n} records a routine visit by the panel.\n"
            )
            (corpus_copy / name).write_text(text, encoding="utf-8")
            started = time.monotonic()
            ingester.ingest(progress=False)
            durations.append(time.monotonic() - started)
        answered_during = log["answers"]
        deadline = time.monotonic() + 10
        while not log["saw_new"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in askers:
            t.join(30)
    assert not log["errors"], log["errors"][:3]
    assert answered_during > 0
    assert log["saw_new"]
    assert NEW_NAME in server.index().documents
    record(
        "serving",
        who,
        {
            "case": f"2 threads asking, {who} ingests 3 new files in a row",
            "questions": log["answers"],
            "errors": len(log["errors"]),
            "saw_new_document": log["saw_new"],
            "ingest_s": round(sum(durations) / len(durations), 2),
        },
    )


# --- damaged pointers and manifests that a plain `qa ingest` must repair ---------------------------


def _pointer(build: Path) -> Path:
    return build.parents[1] / "CURRENT"


def _current_non_utf8(build: Path) -> None:
    _pointer(build).write_bytes(b"\xff\xfe\x00\x9c" + build.name.encode())


def _current_a_folder(build: Path) -> None:
    _pointer(build).unlink()
    _pointer(build).mkdir()
    (_pointer(build) / build.name).write_text(build.name, encoding="utf-8")


def _current_1mb(build: Path) -> None:
    _pointer(build).write_bytes(build.name.encode() + b" " * (1024 * 1024))


def _current_escapes(build: Path) -> None:
    # a folder that `builds/../../etc` would reach, holding a copy of the real build, must not be used
    escape = build.parents[2] / "etc"
    shutil.copytree(build, escape)
    _pointer(build).write_text("../../etc", encoding="utf-8")


def _current_a_fifo(build: Path) -> None:
    _pointer(build).unlink()
    os.mkfifo(_pointer(build))


def _set_manifest(build: Path, text: str) -> None:
    (build / "manifest.json").write_text(text, encoding="utf-8")


def _manifest_edit(build: Path, change) -> None:
    import json

    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    _set_manifest(build, json.dumps(manifest))


POINTER_DAMAGE = {
    "CURRENT holds non-UTF-8 bytes": _current_non_utf8,
    "CURRENT replaced by a folder": _current_a_folder,
    "CURRENT padded to 1 MB": _current_1mb,
    "CURRENT names ../../etc (which exists)": _current_escapes,
    "CURRENT replaced by a FIFO": _current_a_fifo,
    "manifest.json is a JSON list": lambda b: _set_manifest(b, "[1, 2, 3]"),
    "manifest.json is a JSON string": lambda b: _set_manifest(b, '"a manifest"'),
    "manifest.json with artifacts as a list": lambda b: _manifest_edit(
        b, lambda m: m.update(artifacts=list(m["artifacts"]))
    ),
    "manifest.json nested 100,000 deep": lambda b: _set_manifest(b, "[" * 100_000 + "]" * 100_000),
    "manifest.json artifact named ../../../etc/passwd": lambda b: _manifest_edit(
        b, lambda m: m["artifacts"].update({"../../../etc/passwd": "0" * 64})
    ),
    "manifest.json without its model key": lambda b: _manifest_edit(b, lambda m: m.pop("model")),
}


@pytest.mark.parametrize("damage", list(POINTER_DAMAGE))
def test_damaged_pointer_or_manifest_is_refused_and_a_plain_ingest_repairs_it(
    damage, tmp_path, corpus_copy, fake_named_like_real, monkeypatch, capsys
):
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_named_like_real).ingest(progress=False)
    builds = settings.index_dir / "builds"
    POINTER_DAMAGE[damage](store.current_build(settings.index_dir))
    # the library refuses it with the index error, never anything else and never a hang
    with pytest.raises(IndexCorrupt, match="qa ingest --rebuild"):
        Assistant(settings, embedder=fake_named_like_real).ask(OLD_QUESTION)
    # `qa ask`: one line naming the fix, exit 4, no traceback
    monkeypatch.setattr("qa.assistant.load_embedder", lambda *a, **k: fake_named_like_real)
    code = main(["ask", OLD_QUESTION, "--index", str(settings.index_dir)])
    err = capsys.readouterr().err
    assert code == 4, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "qa ingest --rebuild" in err
    assert "Traceback" not in err and "unexpected failure" not in err and "None" not in err
    assert len(err) < 400  # a bounded message, whatever the file held
    # a plain `qa ingest` (no --rebuild) repairs it, rebuilding, and keeps no damaged build behind
    code = main(["ingest", str(corpus_copy), "--index", str(settings.index_dir), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "rebuilt from scratch" in out and "5 added" in out
    assert (settings.index_dir / "CURRENT").is_file()
    left = sorted(p.name for p in builds.iterdir())
    assert left == [store.current_build(settings.index_dir).name]
    assert main(["ask", OLD_QUESTION, "--index", str(settings.index_dir)]) == 0
    assert OLD_QUESTION in capsys.readouterr().out
    record(
        "pointers",
        damage,
        {
            "order": list(POINTER_DAMAGE).index(damage),
            "damage": damage,
            "ask_exit": 4,
            "one_line_fix": True,
            "traceback": False,
            "ingest_exit": 0,
            "builds_left": len(left),
            "answers_after": True,
        },
    )


def test_failed_ingests_never_pile_up_builds(tmp_path, corpus_copy, fake_embedder, monkeypatch):
    settings = make_settings(tmp_path, corpus_copy)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.ingest(progress=False)
    builds = settings.index_dir / "builds"
    live = store.current_build(settings.index_dir)
    (corpus_copy / NEW_NAME).write_text(NEW_TEXT, encoding="utf-8")
    real_write_text = store._write_text

    def pointer_write_fails(path, text):  # the disk fills just as the new pointer is written
        if path.name == "CURRENT.tmp":
            raise OSError(28, "No space left on device")
        real_write_text(path, text)

    monkeypatch.setattr(store, "_write_text", pointer_write_fails)
    for _ in range(3):
        with pytest.raises(OSError):
            assistant.ingest(progress=False)
    assert sorted(builds.iterdir()) == [live]
    assert not (settings.index_dir / "CURRENT.tmp").exists()

    def lexical_fails(self, folder):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Bm25Store, "save", lexical_fails)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            assistant.ingest(progress=False)
    assert sorted(builds.iterdir()) == [live] and store.current_build(settings.index_dir) == live
    assert Assistant(settings, embedder=fake_embedder).ask(OLD_QUESTION).question  # the old index still answers
    monkeypatch.undo()
    assert assistant.ingest(progress=False).added == [NEW_NAME]
    assert len(list(builds.iterdir())) == 2  # the new build, and the previous one kept one round for readers
    record(
        "pointers",
        "failed ingests",
        {
            "order": 99,
            "damage": "6 failed ingests in a row (3 fail writing CURRENT, 3 fail writing the index)",
            "ask_exit": "0 (old index live)",
            "one_line_fix": "-",
            "traceback": False,
            "ingest_exit": "6 failures, then 0",
            "builds_left": 1,
            "answers_after": True,
        },
    )


# --- Library changes cut short by a crash --------------------------------------

_CRASHING_CHANGE = """
import os, signal, sys
from pathlib import Path
from fakes import HashingEmbedder
from qa.assistant import Assistant
from qa.ingest.upload import add_documents
from qa.library import documents as library
from qa.settings import Settings

corpus, index, change, moment, upload = sys.argv[1:]
assistant = Assistant(Settings(corpus_dir=Path(corpus), index_dir=Path(index)), embedder=HashingEmbedder())
real_ingest = assistant.ingest

def crash(*args, **kwargs):
    if moment == "after ingest":
        real_ingest(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

assistant.ingest = crash
if change == "delete":
    library.delete_document(assistant, "plan.md")
elif change == "replace":
    library.replace_document(assistant, "plan.md", Path(upload), "plan.md")
else:
    add_documents(assistant, [Path(upload)])
"""

PLAN = "Greenfield plan\n\nThe society agreed to plant forty quince trees next spring.\n"
NEW_PLAN = "Greenfield plan\n\nThe society agreed to plant sixty medlar trees next spring.\n"
ORCHARD = "Orchard survey\n\nThe survey counted 212 walnut trees along the old railway path.\n"


@pytest.mark.parametrize("moment", ["before ingest", "after ingest"])
@pytest.mark.parametrize("change", ["delete", "replace", "upload"])
def test_a_library_change_cut_by_a_crash_is_finished_or_rolled_back_at_start(
    change, moment, tmp_path, corpus_copy, fake_embedder
):
    """kill -9 during a Library change's ingest; the next start leaves corpus, index and holding folder agreeing."""
    from qa.index.builds import file_sha256
    from qa.library import documents as library
    from qa.library.holding import HOLDING

    (corpus_copy / "plan.md").write_text(PLAN)
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    upload = tmp_path / ("orchard.md" if change == "upload" else "plan.md")
    upload.write_text(ORCHARD if change == "upload" else NEW_PLAN)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path.cwd()), str(Path(__file__).parent)]))
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            _CRASHING_CHANGE,
            str(corpus_copy),
            str(settings.index_dir),
            change,
            moment,
            str(upload),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left_in_holding = sorted(
        p.name
        for p in (corpus_copy / HOLDING).rglob("*")
        if p.is_file() and p.name not in {".lock", "lock", "intent.json"}
    )

    assistant = Assistant(settings, embedder=fake_embedder)  # the next start
    lines = library.recover_interrupted(assistant)
    documents = assistant.index().documents
    assert not (corpus_copy / HOLDING).exists()
    for source, document in documents.items():  # the index holds what the corpus holds, byte for byte
        assert file_sha256(corpus_copy / source) == document.sha256
    if change == "delete":
        assert "plan.md" not in documents and not (corpus_copy / "plan.md").exists()
        assert all(
            c.source != "plan.md" for c in assistant.ask("How many quince trees will the society plant?").citations
        )
        assert all(b"quince" not in p.read_bytes() for p in corpus_copy.rglob("*") if p.is_file())
    elif change == "replace":
        kept = NEW_PLAN if moment == "after ingest" else PLAN
        assert (corpus_copy / "plan.md").read_text() == kept and documents["plan.md"].text.strip() == kept.strip()
        assert not list(corpus_copy.glob(".plan.md.new"))
    else:
        (added,) = [s for s in documents if s.endswith("orchard.md")]
        assert "walnut" in documents[added].text
        library.delete_document(assistant, added)  # the Library can change it like any other document
    record(
        "round2",
        f"4 {change} {moment}",
        {
            "order": 40 + ["delete", "replace", "upload"].index(change) * 2 + (moment == "after ingest"),
            "fault": "4. Library change cut by kill -9",
            "case": f"{change}, killed {moment}",
            "outcome": " ".join(lines),
            "figure": f"left in holding: {', '.join(left_in_holding) or 'nothing'}; "
            "after start: index matches corpus byte for byte, holding folder removed",
        },
    )


def test_the_warning_while_rebuilding_does_not_ask_for_a_rebuild(tmp_path, corpus_copy, fake_embedder, caplog):
    settings = make_settings(tmp_path, corpus_copy)
    Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    pointer = settings.index_dir / "CURRENT"
    pointer.unlink()
    pointer.mkdir()  # CURRENT replaced by a folder
    report = Assistant(settings, embedder=fake_embedder).ingest(progress=False)
    assert report.rebuilt
    warning = next(r.getMessage() for r in caplog.records if "rebuilding the whole index" in r.getMessage())
    assert "CURRENT" in warning and "--rebuild" not in warning
    record(
        "round2",
        "10 rebuild warning",
        {
            "order": 102,
            "fault": "10. Smaller",
            "case": "CURRENT replaced by a folder, then a plain qa ingest",
            "outcome": warning,
            "figure": "before: the same line ended 'Run `qa ingest --rebuild`', while it was rebuilding",
        },
    )
