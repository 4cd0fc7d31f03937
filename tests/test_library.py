"""The library behind the app: uploads in progress, the document list, catalog edits, conversations."""

from __future__ import annotations

import threading

from qa.library.pending import Indexing


def test_indexing_names_documents_only_while_they_are_indexed():
    indexing = Indexing()
    assert indexing.notice() == ""
    started, release = threading.Event(), threading.Event()

    def upload():
        with indexing.running(["scan.pdf", "minutes.docx"]):
            started.set()
            release.wait(5)

    worker = threading.Thread(target=upload)
    worker.start()
    started.wait(5)
    assert indexing.names() == ["minutes.docx", "scan.pdf"]
    assert "scan.pdf" in indexing.notice() and "minutes.docx" in indexing.notice()
    release.set()
    worker.join(5)
    assert indexing.names() == [] and indexing.notice() == ""
