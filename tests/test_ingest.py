import logging
import os
import shutil
import time
from pathlib import Path

import pytest

from bench.reliability_report import record
from qa.index import builds as store
from qa.assistant import Assistant
from qa.errors import EmptyCorpus, IndexCorrupt, IndexNotFound, ModelMismatch
from fakes import HashingEmbedder
from qa.index.bm25 import Bm25Store

from conftest import DATA, make_settings


def test_ingest_indexes_every_seed_document_with_catalog_metadata(fake_assistant):
    index = fake_assistant.index()
    assert len(index.documents) == 5
    dated = {d.date for d in index.documents.values()}
    assert {"2016-06-29", "2018-07-23", "2020-01-21", "2022-09-30", "2023"} == dated
    for chunk in index.chunks:
        assert index.documents[chunk.source].text[chunk.start : chunk.end] == chunk.text
    assert index.manifest["model"] == "hashing-test-embedder"
    assert set(index.manifest["files"]) == set(index.documents)


def test_page_furniture_never_reaches_a_chunk(fake_assistant):
    texts = " ".join(c.text for c in fake_assistant.index().chunks)
    for furniture in ("Subscribe", "Like Us On Facebook", "Today's Weather", "From £15 / month", "Click links below"):
        assert furniture not in texts


def test_second_ingest_is_incremental(fake_assistant, corpus_copy):
    before = {c.id for c in fake_assistant.index().chunks}
    report = fake_assistant.ingest(progress=False)
    assert len(report.unchanged) == 5 and not report.added and not report.updated
    assert {c.id for c in fake_assistant.index().chunks} == before

    files = sorted(p for p in corpus_copy.glob("*.txt"))
    files[0].write_text(
        files[0].read_text(encoding="utf-8") + "\nA new closing paragraph was added to this report today.\n",
        encoding="utf-8",
    )
    files[1].unlink()
    (corpus_copy / "extra.md").write_text(
        "# Extra\n\nThe extra note says the fostering service recruited twelve carers.\n", encoding="utf-8"
    )
    report = fake_assistant.ingest(progress=False)
    assert report.updated == [files[0].name]
    assert report.removed == [files[1].name]
    assert report.added == ["extra.md"]
    index = fake_assistant.index()
    assert files[1].name not in index.documents
    assert any("twelve carers" in c.text for c in index.chunks)
    unchanged_ids = {c.id for c in index.chunks if c.source in report.unchanged}
    assert unchanged_ids <= before


def test_rebuild_starts_fresh(fake_assistant):
    report = fake_assistant.ingest(rebuild=True, progress=False)
    assert len(report.added) == 5 and not report.unchanged


def test_unreadable_and_empty_files_are_skipped_with_their_names(tmp_path, corpus_copy, fake_embedder, caplog):
    shutil.copy(DATA / "malformed.pdf", corpus_copy / "broken.pdf")
    shutil.copy(DATA / "empty.txt", corpus_copy / "empty.txt")
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    with caplog.at_level(logging.WARNING):
        report = assistant.ingest(progress=False)
    assert set(report.skipped) == {"broken.pdf", "empty.txt"}
    assert "broken.pdf" in caplog.text and "empty.txt" in caplog.text
    assert len(assistant.index().documents) == 5


def test_empty_corpus_is_a_clear_error(tmp_path, fake_embedder):
    empty = tmp_path / "nothing"
    empty.mkdir()
    assistant = Assistant(make_settings(tmp_path, empty), embedder=fake_embedder)
    with pytest.raises(EmptyCorpus, match="No readable documents"):
        assistant.ingest(progress=False)
    with pytest.raises(EmptyCorpus, match="does not exist"):
        Assistant(make_settings(tmp_path, tmp_path / "missing"), embedder=fake_embedder).ingest(progress=False)


def test_missing_index_says_to_run_ingest(tmp_path, corpus_copy, fake_embedder):
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    with pytest.raises(IndexNotFound, match="qa ingest"):
        assistant.ask("anything at all?")


def test_index_built_with_another_model_refuses_to_open(fake_assistant):
    other = Assistant(fake_assistant.settings, embedder=HashingEmbedder(name="another-model"))
    with pytest.raises(ModelMismatch, match="qa ingest --rebuild"):
        other.index()
    # ingest with the new model rebuilds everything rather than mixing vectors
    report = other.ingest(progress=False)
    assert report.rebuilt and len(report.added) == 5
    assert "rebuilt from scratch" in report.summary()
    assert other.index().model == "another-model"


def test_damaged_index_file_is_named_in_the_error(fake_assistant):
    build = store.current_build(fake_assistant.settings.index_dir)
    chunks = build / "chunks.npy"
    chunks.write_bytes(chunks.read_bytes()[:-40])
    fresh = Assistant(fake_assistant.settings, embedder=fake_assistant.embedder)
    with pytest.raises(IndexCorrupt, match="chunks.npy") as info:
        fresh.index()
    assert "qa ingest --rebuild" in str(info.value)


def test_a_failed_build_leaves_the_previous_index_live(fake_assistant, corpus_copy, monkeypatch):
    before = store.current_build(fake_assistant.settings.index_dir)
    (corpus_copy / "new.txt").write_text(
        "A brand new document about adoption panels and their decisions.\n", encoding="utf-8"
    )

    def explode(self, folder):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Bm25Store, "save", explode)
    with pytest.raises(RuntimeError):
        fake_assistant.ingest(progress=False)
    monkeypatch.undo()
    assert store.current_build(fake_assistant.settings.index_dir) == before
    fresh = Assistant(fake_assistant.settings, embedder=fake_assistant.embedder)
    assert "new.txt" not in fresh.index().documents
    # the next ingest completes and clears the half-written build away
    fresh.ingest(progress=False)
    assert "new.txt" in fresh.index().documents
    builds = list((fake_assistant.settings.index_dir / "builds").iterdir())
    assert not [b for b in builds if b.name.endswith(".partial")]


def test_a_manifest_without_checksums_is_refused(fake_assistant):
    import json

    manifest_path = store.current_build(fake_assistant.settings.index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["artifacts"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="manifest.json"):
        Assistant(fake_assistant.settings, embedder=fake_assistant.embedder).index()


def test_catalog_edits_apply_to_unchanged_files(fake_assistant, corpus_copy):
    import csv
    import io

    import numpy as np

    catalog = corpus_copy / "catalog.csv"
    lines = catalog.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("file,"))
    rows = list(csv.reader(io.StringIO("\n".join(lines[header_at:]))))
    target = rows[1][0]
    before = fake_assistant.index().documents[target]

    rows[1][1] = "A renamed report"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    catalog.write_text(out.getvalue(), encoding="utf-8")
    report = fake_assistant.ingest(progress=False)
    assert report.updated == [target]
    index = fake_assistant.index()
    assert index.documents[target].title == "A renamed report"
    # the passages were embedded again with the new title
    of_target = [c for c in index.chunks if c.source == target]
    fresh = fake_assistant.embedder.embed_passages([f"A renamed report\n{c.text}" for c in of_target])
    assert np.allclose(index.passages.dense.vectors([c.id for c in of_target]), fresh, atol=1e-5)

    # removing the row falls back to what the file itself says, not the old catalog values
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0]] + rows[2:])
    catalog.write_text(out.getvalue(), encoding="utf-8")
    fake_assistant.ingest(progress=False)
    document = fake_assistant.index().documents[target]
    assert document.title == before.own_title and document.date == before.own_date


def test_a_changed_file_that_fails_to_load_keeps_its_previous_version(fake_assistant, corpus_copy, monkeypatch):
    from qa.ingest import pipeline as ingest_module
    from qa.errors import LoadError

    target = sorted(p for p in corpus_copy.glob("*.txt"))[0]
    before = [c.id for c in fake_assistant.index().chunks if c.source == target.name]
    target.write_text(target.read_text(encoding="utf-8") + "\nAn edit in progress.\n", encoding="utf-8")

    def fail(path, max_bytes, timeout_s, **options):
        raise LoadError(f"{path.name}: took longer than {timeout_s} s to read; skipped")

    monkeypatch.setattr(ingest_module, "load_with_limits", fail)
    report = fake_assistant.ingest(progress=False)
    assert "previously indexed version is kept" in report.skipped[target.name]
    assert not report.removed
    assert [c.id for c in fake_assistant.index().chunks if c.source == target.name] == before


# --- odd names, links and a second ingest (issue 9) -----------------------------------------------


ODD_TEXT = "Odd note.\n\nThe odd note records that the fostering panel met in the church hall on a Tuesday.\n"


def _bytes_file(folder: Path, name: bytes, text: str) -> None:
    """Create a file whose name is raw bytes (not necessarily UTF-8), as an old Latin-1 share leaves them."""
    fd = os.open(os.path.join(os.fsencode(folder), name), os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def test_a_name_that_is_not_utf8_is_skipped_with_a_readable_warning(tmp_path, corpus_copy, fake_embedder, caplog):
    _bytes_file(corpus_copy, b"caf\xe9.txt", ODD_TEXT)
    os.mkdir(os.path.join(os.fsencode(corpus_copy), b"r\xe9union"))
    _bytes_file(corpus_copy / os.fsdecode(b"r\xe9union"), b"minutes.txt", ODD_TEXT)
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    with caplog.at_level(logging.WARNING):
        report = assistant.ingest(progress=False)
    assert set(report.skipped) == {"caf\ufffd.txt", "r\ufffdunion/minutes.txt"}
    assert "not valid UTF-8" in report.skipped["caf\ufffd.txt"] and "rename" in report.skipped["caf\ufffd.txt"]
    assert "caf\ufffd.txt" in caplog.text and "\udce9" not in caplog.text
    assert len(report.added) == 5 and len(assistant.index().documents) == 5
    # the next ingest still works, and the file is indexed once it is renamed
    os.rename(os.path.join(os.fsencode(corpus_copy), b"caf\xe9.txt"), corpus_copy / "café.txt")
    report = assistant.ingest(progress=False)
    assert report.added == ["café.txt"] and "café.txt" in assistant.index().documents
    record(
        "names",
        "non-utf8",
        {
            "order": 1,
            "case": "a file and a folder named in Latin-1 bytes (caf\\xe9.txt)",
            "outcome": "skipped with a warning naming caf\ufffd.txt; the other 5 indexed",
            "figure": f"{len(report.unchanged)} unchanged, then indexed once renamed",
        },
    )


def test_links_are_judged_by_where_they_lead(tmp_path, corpus_copy, fake_embedder, caplog):
    outside = tmp_path / "elsewhere"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(
        "Secret.\n\nThe secret passphrase is swordfish and the vault is in the cellar.\n", encoding="utf-8"
    )
    (outside / "folder" / "inner.txt").write_text(
        "Inner.\n\nThe inner secret is kept in a linked folder outside.\n", encoding="utf-8"
    )
    (corpus_copy / "innocent.txt").symlink_to(outside / "secret.txt")
    (corpus_copy / "linked-folder").symlink_to(outside / "folder")
    (corpus_copy / "gone.txt").symlink_to(tmp_path / "no-such-file.txt")
    (corpus_copy / "notes").mkdir()
    (corpus_copy / "notes" / "README").write_text(ODD_TEXT, encoding="utf-8")  # no suffix: not listed itself
    (corpus_copy / "readme-link.txt").symlink_to(Path("notes") / "README")  # a link inside the corpus, named .txt
    settings = make_settings(tmp_path, corpus_copy)
    assistant = Assistant(settings, embedder=fake_embedder)
    with caplog.at_level(logging.WARNING):
        report = assistant.ingest(progress=False)
    assert set(report.skipped) == {"innocent.txt", "gone.txt"}
    assert "outside the corpus folder" in report.skipped["innocent.txt"]
    assert "QA_FOLLOW_EXTERNAL_LINKS" in report.skipped["innocent.txt"]
    assert "not a readable file" in report.skipped["gone.txt"]
    assert "innocent.txt" in caplog.text and "gone.txt" in caplog.text
    index = assistant.index()
    texts = " ".join(c.text for c in index.chunks)
    assert "swordfish" not in texts and "inner secret" not in texts
    assert "readme-link.txt" in index.documents and "church hall" in index.documents["readme-link.txt"].text
    # the setting lets outside links in, still judged by the link's own name
    (outside / "plain").write_text(ODD_TEXT.replace("Odd", "Plain"), encoding="utf-8")
    (corpus_copy / "plain-link.md").symlink_to(outside / "plain")
    following = Assistant(settings.model_copy(update={"follow_external_links": True}), embedder=fake_embedder)
    report = following.ingest(progress=False)
    assert sorted(report.added) == ["innocent.txt", "plain-link.md"], report.skipped
    assert "swordfish" in following.index().documents["innocent.txt"].text
    record(
        "names",
        "links",
        {
            "order": 2,
            "case": "links: to an outside file, an outside folder, nowhere; to a suffix-less file inside",
            "outcome": "outside file and dangling link skipped with warnings naming them; outside "
            "folder not entered; inside link indexed by its own name",
            "figure": "follow_external_links=true indexes the outside files",
        },
    )


def test_a_skipped_file_is_reported_once_by_name(tmp_path, corpus_copy, fake_embedder, caplog):
    shutil.copy(DATA / "malformed.pdf", corpus_copy / "broken.pdf")
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    with caplog.at_level(logging.WARNING):
        report = assistant.ingest(progress=False)
    assert not report.skipped["broken.pdf"].startswith("broken.pdf")
    assert caplog.text.count("broken.pdf") == 1


def test_a_second_ingest_says_it_is_waiting(tmp_path, corpus_copy, fake_embedder, caplog):
    import fcntl
    import threading

    settings = make_settings(tmp_path, corpus_copy)
    settings.index_dir.mkdir(parents=True)
    messages: list[str] = []
    with (settings.index_dir / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a first ingest does
        worker = threading.Thread(
            target=lambda: Assistant(settings, embedder=fake_embedder).ingest(
                progress=False, on_progress=lambda f, m: messages.append(m)
            )
        )
        with caplog.at_level(logging.WARNING):
            worker.start()
            deadline = time.monotonic() + 10
            while not messages and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
            assert worker.is_alive() and not (settings.index_dir / "CURRENT").exists()  # it waits...
            fcntl.flock(held, fcntl.LOCK_UN)
            worker.join(60)
    assert messages[0] == "Waiting for another ingest to finish"
    assert "waiting for another ingest to finish" in caplog.text
    assert (settings.index_dir / "CURRENT").is_file()  # ...and then runs


def test_the_name_index_follows_added_changed_and_removed_files(fake_assistant, corpus_copy, monkeypatch):
    from qa.index.builds import names_of
    from qa.ingest import pipeline

    read: list[str] = []
    original = pipeline.document_keys
    monkeypatch.setattr(pipeline, "document_keys", lambda d, *args: read.append(d.source) or original(d, *args))

    files = sorted(corpus_copy.glob("*.txt"))
    files[0].write_text(
        files[0].read_text(encoding="utf-8") + "\nEastmere was named in a closing note.\n", encoding="utf-8"
    )
    files[1].unlink()
    (corpus_copy / "extra.md").write_text(
        "# Extra\n\nThe Westmoor fostering service recruited twelve carers.\n", encoding="utf-8"
    )
    fake_assistant.ingest(progress=False)
    index = fake_assistant.index()
    names = index.names
    assert set(names.postings(["eastmer"])["eastmer"]) == {files[0].name}
    assert set(names.postings(["westmoor"])["westmoor"]) == {"extra.md"}
    assert files[1].name not in names.sources
    # Carried-over postings are those a fresh read of every document gives.
    fresh = names_of(index.documents, names.opening_chars, index.sentences)
    assert fresh.keys == names.keys and (fresh.rows == names.rows).all()
    assert fresh.words == names.words and names.words["eastmere"] == 1 and "westmoor" in names.words
    assert sorted(read) == sorted([files[0].name, "extra.md"])  # only the new and changed documents were read


def test_an_index_from_before_the_name_index_is_upgraded_by_ingest_without_embedding_again(fake_assistant):
    import json

    live = store.current_build(fake_assistant.settings.index_dir)
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    manifest["format"] = 4
    for name in ("names.json", "names.npy"):
        (live / name).unlink()
        manifest["artifacts"].pop(name)
    (live / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="Run `qa ingest` to bring it up to date"):
        store.open_index(fake_assistant.settings.index_dir)
    report = fake_assistant.ingest(progress=False)
    assert not report.rebuilt and len(report.unchanged) == 5
    assert fake_assistant.index().names.postings(["herefordshir"])["herefordshir"]
