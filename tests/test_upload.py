"""Uploads: safe names, type and size checks, unique storage, incremental indexing, nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.errors import QAError
from qa.errors import UploadRejected
from qa.ingest.upload import add_documents, check_upload, safe_filename, store_upload, upload_folder

from conftest import DATA, make_settings

NEW_DOC = (
    "Allotments\n\nThe Greenfield allotment society agreed to plant forty quince trees along the northern boundary.\n"
)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/notes.md", "notes.md"),
        (".hidden.txt", "hidden.txt"),
        (".bashrc", "bashrc"),
        ("My Report (final).PDF", "My-Report-final.pdf"),
        ("résumé.docx", "resume.docx"),
        ("—.md", "upload.md"),
        ("...", "upload"),
        ("", "upload"),
        ("a\x00b;rm -rf.txt", "a-b-rm-rf.txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_suffix():
    out = safe_filename("x" * 500 + ".html")
    assert out.endswith(".html") and len(out) <= 105


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_upload_rejects_unsupported_type_naming_the_supported_ones(tmp_path):
    path = write(tmp_path / "tool.exe", "MZ")
    with pytest.raises(UploadRejected, match=r"unsupported file type \(\.exe\).*\.docx.*\.pdf"):
        check_upload(path, "tool.exe", max_mb=1)
    with pytest.raises(UploadRejected, match="no suffix"):
        check_upload(path, "README", max_mb=1)


def test_check_upload_rejects_oversized_file_with_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 3 * 1024 * 1024)
    with pytest.raises(UploadRejected, match=r"3\.0 MB is larger than the upload limit of 2 MB.*QA_APP__MAX_UPLOAD_MB"):
        check_upload(path, "big.txt", max_mb=2)
    check_upload(path, "big.txt", max_mb=3)


def test_store_upload_never_overwrites_a_different_file(tmp_path):
    folder = tmp_path / "corpus"
    first = write(tmp_path / "in1" / "notes.md", "first")
    second = write(tmp_path / "in2" / "notes.md", "second")
    path1, created1 = store_upload(first, "notes.md", folder)
    path2, created2 = store_upload(second, "notes.md", folder)
    path3, created3 = store_upload(first, "notes.md", folder)
    assert (path1.name, path2.name, path3.name) == ("notes.md", "notes-2.md", "notes.md")
    assert (created1, created2, created3) == (True, True, False)
    assert path1.read_text() == "first" and path2.read_text() == "second"


def test_store_upload_stays_inside_the_folder(tmp_path):
    source = write(tmp_path / "in" / "x.txt", "text")
    path, _ = store_upload(source, "../../../outside.txt", tmp_path / "corpus" / "uploads")
    assert path == tmp_path / "corpus" / "uploads" / "outside.txt"
    assert not (tmp_path / "outside.txt").exists()


def test_upload_folder_must_be_inside_the_corpus(tmp_path):
    settings = make_settings(tmp_path, tmp_path / "corpus")
    assert upload_folder(settings) == (tmp_path / "corpus").resolve()
    settings = settings.updated(app__upload_dir=tmp_path / "corpus" / "uploads")
    assert upload_folder(settings) == (tmp_path / "corpus" / "uploads").resolve()
    settings = settings.updated(app__upload_dir=tmp_path / "elsewhere")
    with pytest.raises(UploadRejected, match="outside the corpus folder"):
        upload_folder(settings)
    settings = settings.updated(app__upload_dir=tmp_path / "corpus" / ".uploads")
    with pytest.raises(UploadRejected, match="hidden"):
        upload_folder(settings)


def test_add_documents_indexes_new_file_without_losing_others(fake_assistant, tmp_path):
    before = set(fake_assistant.index().documents)
    upload = write(tmp_path / "browser" / "Allotment notes (draft).md", NEW_DOC)
    steps = []
    result = add_documents(fake_assistant, [upload], on_progress=lambda f, m: steps.append((f, m)))
    assert result.added == ["Allotment-notes-draft.md"] and not result.rejected
    assert set(fake_assistant.index().documents) == before | {"Allotment-notes-draft.md"}
    assert steps and steps[-1][0] == 1.0
    answer = fake_assistant.ask("How many quince trees will the allotment society plant?")
    assert answer.citations[0].source == "Allotment-notes-draft.md"
    assert "Added 1 document(s): Allotment-notes-draft.md." in result.summary()


def test_add_documents_reports_bad_files_and_removes_unreadable_ones(fake_assistant, tmp_path):
    corpus = fake_assistant.settings.corpus_dir
    before = set(fake_assistant.index().documents)
    uploads = [
        write(tmp_path / "in" / "tool.exe", "MZ"),
        shutil.copy(DATA / "malformed.pdf", tmp_path / "in" / "broken.pdf"),
        shutil.copy(DATA / "empty.txt", tmp_path / "in" / "empty.txt"),
        write(tmp_path / "in" / "good.txt", NEW_DOC),
    ]
    result = add_documents(fake_assistant, uploads)
    assert result.added == ["good.txt"]
    assert set(result.rejected) == {"tool.exe", "broken.pdf", "empty.txt"}
    assert "unsupported file type" in result.rejected["tool.exe"]
    assert "no readable text" in result.rejected["empty.txt"]
    assert not (corpus / "broken.pdf").exists() and not (corpus / "empty.txt").exists()
    assert not (corpus / "tool.exe").exists()
    assert set(fake_assistant.index().documents) == before | {"good.txt"}
    summary = result.summary()
    assert "Not added: broken.pdf:" in summary and "broken.pdf: broken.pdf" not in summary


def test_add_documents_with_only_rejected_files_does_not_ingest(fake_assistant, tmp_path):
    build = fake_assistant.index().path
    result = add_documents(fake_assistant, [write(tmp_path / "x.csv", "a,b")])
    assert result.report is None and list(result.rejected) == ["x.csv"]
    assert fake_assistant.index().path == build


def test_failed_ingest_removes_the_new_files_and_keeps_the_index(fake_assistant, tmp_path, monkeypatch):
    build = fake_assistant.index().path

    def fail(**kwargs):
        raise QAError("disk full")

    monkeypatch.setattr(fake_assistant, "ingest", fail)
    with pytest.raises(QAError, match="disk full"):
        add_documents(fake_assistant, [write(tmp_path / "in" / "new.md", NEW_DOC)])
    assert not (fake_assistant.settings.corpus_dir / "new.md").exists()
    assert fake_assistant.index().path == build


def test_uploads_into_a_subfolder_and_builds_an_index_when_there_is_none(tmp_path, corpus_copy, fake_embedder):
    settings = make_settings(tmp_path, corpus_copy)
    settings = settings.updated(app__upload_dir=corpus_copy / "uploads")
    assistant = Assistant(settings, embedder=fake_embedder)
    result = add_documents(assistant, [write(tmp_path / "in" / "new.md", NEW_DOC)], names=["Quince plan.md"])
    assert result.added == ["uploads/Quince-plan.md"]
    assert len(assistant.index().documents) == 6
