"""The library behind the app: uploads in progress, the document list, catalog edits, conversations."""

from __future__ import annotations

import threading

from bench.reliability_report import record
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


# The document library over the fake embedder: every change goes through the incremental ingest.

import pytest

from qa.errors import BadFilter, QAError, UploadRejected
from qa.ingest.catalog import read_catalog
from qa.ingest.upload import add_documents
from qa.library import documents as library


def test_list_and_search_the_library(fake_assistant):
    rows = library.list_documents(fake_assistant)
    assert len(rows) == len(fake_assistant.index().documents)
    assert all(r.passages > 0 and r.added for r in rows)
    minutes = library.list_documents(fake_assistant, "minutes")
    assert minutes and all("minutes" in (r.title + r.source + (r.kind or "")).lower() for r in minutes)
    assert library.list_documents(fake_assistant, "no-such-word-anywhere") == []


def test_document_type_narrows_the_sources_filter(fake_assistant):
    documents = list(fake_assistant.index().documents.values())
    kinds = {d.kind for d in documents}
    assert "minutes" in kinds  # from the catalog's type column
    only = library.restrict_to_kinds(documents, (), ["minutes"])
    assert only and all(fake_assistant.index().documents[s].kind == "minutes" for s in only)
    assert library.restrict_to_kinds(documents, ["a.txt"], []) == ("a.txt",)
    with pytest.raises(BadFilter, match="No document"):
        library.restrict_to_kinds(documents, (), ["inspection report"])


def test_edit_details_writes_the_catalog_and_reindexes(fake_assistant):
    source = library.list_documents(fake_assistant)[0].source
    catalog = fake_assistant.settings.corpus_dir / fake_assistant.settings.catalog_name
    comments = [line for line in catalog.read_text().splitlines() if line.startswith("#")]
    library.edit_details(
        fake_assistant,
        source,
        title="A new title",
        publisher="A council",
        date="5 March 2021",
        kind="Inspection report",
    )
    document = fake_assistant.index().documents[source]
    assert (document.title, document.publisher, document.date, document.kind) == (
        "A new title",
        "A council",
        "2021-03-05",
        "inspection report",
    )
    assert read_catalog(catalog)[source].title == "A new title"
    assert [line for line in catalog.read_text().splitlines() if line.startswith("#")] == comments
    with pytest.raises(BadFilter, match="not a date"):
        library.edit_details(fake_assistant, source, date="someday")
    assert fake_assistant.index().documents[source].date == "2021-03-05"  # nothing changed by the bad edit


@pytest.mark.parametrize("damage", ["header row deleted", "garbage"])
def test_an_edit_is_refused_on_a_catalog_ingest_cannot_read(fake_assistant, damage):
    """A headerless or garbage catalog is refused with the message `qa ingest` gives, and left as it was."""
    catalog = fake_assistant.settings.corpus_dir / fake_assistant.settings.catalog_name
    if damage == "garbage":
        catalog.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage;;;\nmore,garbage,here\n")
    else:
        catalog.write_text(
            "\n".join(line for line in catalog.read_text().splitlines() if not line.startswith("file,")) + "\n"
        )
    before = catalog.read_bytes()
    with pytest.raises(QAError) as ingest_error:
        fake_assistant.ingest(progress=False)
    source = library.list_documents(fake_assistant)[0].source
    with pytest.raises(QAError) as edit_error:
        library.edit_details(fake_assistant, source, title="A new title")
    assert str(edit_error.value) == str(ingest_error.value) and "header" in str(edit_error.value)
    assert catalog.read_bytes() == before
    with pytest.raises(QAError, match="header"):
        library.delete_document(fake_assistant, source)
    assert catalog.read_bytes() == before and (fake_assistant.settings.corpus_dir / source).exists()
    record(
        "round2",
        f"3 {damage}",
        {
            "order": 30 + (damage == "garbage"),
            "fault": "3. Library edit on a catalog ingest cannot read",
            "case": f"catalog with its {damage}" if damage != "garbage" else "catalog overwritten with garbage",
            "outcome": f"edit and delete refused: {str(edit_error.value).split(': ', 1)[1]}",
            "figure": "catalog unchanged byte for byte; message identical to qa ingest's",
        },
    )


def test_an_unclosed_quote_in_the_catalog_is_named_as_such(tmp_path):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "file,title,publisher,date,type\n"
        'a.txt,"Annual report,Council,2021-03-01,minutes\n'
        "b.txt,Budget,Council,2022-04-01,minutes\n"
    )
    with pytest.raises(QAError) as caught:
        read_catalog(catalog)
    assert "never closed" in str(caught.value) and "not a date" not in str(caught.value)
    record(
        "round2",
        "10 unclosed quote",
        {
            "order": 100,
            "fault": "10. Smaller",
            "case": "catalog row with an unclosed quote",
            "outcome": str(caught.value).split(": ", 1)[1],
            "figure": "before: the rows after it were swallowed into one cell, or reported as a bad date",
        },
    )


def test_upload_replace_and_delete(fake_assistant, tmp_path):
    upload = tmp_path / "plan.md"
    upload.write_text("Greenfield plan\n\nThe society agreed to plant forty quince trees next spring.\n")
    result = add_documents(fake_assistant, [upload])
    (source,) = result.added
    # The same content again is flagged, not indexed twice.
    again = add_documents(fake_assistant, [upload], names=["copy of plan.md"])
    assert again.duplicates == [("copy of plan.md", source)] and not again.added
    assert "same content as" in again.summary()
    # Replace: the new version is indexed under the same name; the old text is gone.
    upload.write_text("Greenfield plan\n\nThe society agreed to plant sixty medlar trees next spring.\n")
    library.replace_document(fake_assistant, source, upload, "plan.md")
    assert "medlar" in fake_assistant.index().documents[source].text
    with pytest.raises(UploadRejected, match="same content"):
        library.replace_document(fake_assistant, source, upload, "plan.md")
    # A replacement that cannot be read leaves the old version in place, on disk and in the index.
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"")
    with pytest.raises(UploadRejected):
        library.replace_document(fake_assistant, source, bad, "plan.md")
    assert "medlar" in (fake_assistant.settings.corpus_dir / source).read_text()
    assert "medlar" in fake_assistant.index().documents[source].text
    # Delete: gone from the folder and the index, never cited again.
    library.delete_document(fake_assistant, source)
    assert source not in fake_assistant.index().documents
    assert not (fake_assistant.settings.corpus_dir / source).exists()
    answer = fake_assistant.ask("How many medlar trees will the society plant?")
    assert all(c.source != source for c in answer.citations)
    with pytest.raises(QAError, match="not in the collection"):
        library.delete_document(fake_assistant, source)
    assert not (fake_assistant.settings.corpus_dir / library.HOLDING).exists()


def test_a_reversed_date_range_is_flagged():
    from qa.search.filters import make_filters

    with pytest.raises(BadFilter, match="reversed"):
        make_filters((), "2023", "2020")
    assert make_filters((), "2020", "2020").since == "2020"  # one year, both ends: fine


# Conversations in SQLite, per user.

from qa.library.conversations import ConversationStore, Turn


def test_conversations_last_and_belong_to_their_user(fake_assistant, tmp_path):
    store = ConversationStore(tmp_path / "conversations")
    first = fake_assistant.ask("What did inspectors say about supervision?")
    follow_up = "and what about in 2020?"
    turns = [Turn(first.question, first.question, first), Turn(follow_up, f"{first.question} {follow_up}", first)]
    assert turns[0].searched_for is None and turns[1].searched_for.endswith("in 2020?")
    conversation = store.sync("login:ann", None, turns[:1])
    assert store.sync("login:ann", conversation, turns) == conversation  # only the new turn is added
    # A new store over the same folder (a restarted app) reads the same conversation back, answers whole.
    again = ConversationStore(tmp_path / "conversations")
    loaded = again.load("login:ann", conversation)
    assert loaded == turns
    assert [s.turns for s in again.list("login:ann")] == [2]
    # Another user can neither see, open, rename nor delete it.
    assert again.list("login:bob") == [] and again.load("login:bob", conversation) is None
    assert not again.rename("login:bob", conversation, "mine") and not again.delete("login:bob", conversation)
    assert again.rename("login:ann", conversation, "  Supervision\nnotes ")
    assert again.list("login:ann")[0].title == "Supervision notes"
    assert again.delete("login:ann", conversation)
    assert again.list("login:ann") == [] and again.load("login:ann", conversation) is None


@pytest.mark.parametrize("damage", ["removed", "folder removed", "overwritten with garbage", "truncated"])
def test_conversations_survive_their_database_removed_or_damaged_while_serving(fake_assistant, tmp_path, damage):
    import shutil

    folder = tmp_path / "conversations"
    store = ConversationStore(folder)
    answer = fake_assistant.ask("What did inspectors say about supervision?")
    turns = [Turn(answer.question, answer.question, answer)]
    kept = store.sync("login:ann", None, turns)
    if damage == "removed":
        store.path.unlink()
    elif damage == "folder removed":
        shutil.rmtree(folder)
    elif damage == "overwritten with garbage":
        store.path.write_bytes(b"\x00garbage, not a database\n" * 300)
    else:
        store.path.write_bytes(store.path.read_bytes()[:100])
    # Every page load lists the conversations: no raw "no such table" or "file is not a database".
    assert store.list("login:ann") == [] and store.load("login:ann", kept) is None
    again = store.sync("login:ann", kept, turns)  # and the next answer is kept in a new database
    assert [s.turns for s in store.list("login:ann")] == [1] and store.load("login:ann", again) == turns
    damaged = damage in ("overwritten with garbage", "truncated")
    assert (store.moved_aside is not None) == damaged
    if damaged:
        assert store.moved_aside.exists() and store.moved_aside.parent == folder  # set aside, not deleted
    # A restart on a damaged file sets it aside too, and keeps conversations from then on.
    store.path.write_bytes(b"garbage" * 100)
    restarted = ConversationStore(folder)
    assert restarted.moved_aside is not None and restarted.list("login:ann") == []
    assert restarted.sync("login:ann", None, turns) and len(restarted.list("login:ann")) == 1
    record(
        "round2",
        f"8 {damage}",
        {
            "order": 80 + ["removed", "folder removed", "overwritten with garbage", "truncated"].index(damage),
            "fault": "8. Conversations database lost while serving",
            "case": ("conversations folder removed" if damage == "folder removed" else f"database file {damage}")
            + " while serving",
            "outcome": "next page load lists nothing, no error; the next answer is kept"
            + (
                f"; damaged file set aside as {store.moved_aside.name.split('.')[-1].split('-')[0]}-<time>"
                if damaged
                else ""
            ),
            "figure": "restart on a damaged file: set aside, conversations kept from then on",
        },
    )


def test_the_page_says_when_conversations_cannot_be_kept(fake_assistant, tmp_path, monkeypatch):
    from qa.app import conversation_handlers

    warnings = []
    monkeypatch.setattr(conversation_handlers.gr, "Warning", warnings.append)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the conversations folder should be")
    settings = fake_assistant.settings.updated(app__conversations_dir=blocked)
    talks = conversation_handlers.ConversationHandlers(settings)
    memory = talks.restore({}, None)[0]
    assert warnings and "not kept" in warnings[0] and str(tmp_path) not in warnings[0]
    # A damaged database is set aside and the page says so, once per browser.
    folder = tmp_path / "conversations"
    talks = conversation_handlers.ConversationHandlers(fake_assistant.settings.updated(app__conversations_dir=folder))
    (folder / "conversations.sqlite3").write_bytes(b"garbage" * 100)
    warnings.clear()
    memory = talks.restore({}, None)[0]
    assert len(warnings) == 1 and "set aside" in warnings[0]
    talks.restore(memory, None)
    assert len(warnings) == 1


def test_did_you_mean_uses_the_collections_own_words(fake_assistant):
    from qa.library.spelling import did_you_mean, suggestion, vocabulary

    words = vocabulary(["Social workers need supervision.", "The Herefordshire panel met."])
    assert (
        did_you_mean("What about superviison of social wrokers?", words) == "What about supervision of social workers?"
    )
    assert did_you_mean("What about supervision?", words) is None  # every word known, or too short to judge
    assert did_you_mean("Herefordshre panel", words) == "Herefordshire panel"
    assert did_you_mean("zzzzqqq", words) is None  # nothing near: no guess
    assert did_you_mean("Which panels meeting?", words) is None  # other forms of the collection's words are known
    tip = suggestion(fake_assistant.index(), "What did inspectors say about superviison?")
    assert tip == "Did you mean “What did inspectors say about supervision?”?"


def test_a_change_still_running_is_never_taken_for_one_a_crash_cut_short(tmp_path):
    from qa.library.holding import HOLDING, hold, interrupted

    with hold(tmp_path, {"change": "delete", "source": "a.txt"}) as running:
        (running.folder / "file").write_text("kept aside")
        with interrupted(tmp_path) as cut:
            assert cut == []  # its lock is held: it is running, here or in another process
        assert (running.folder / "file").exists()
    assert not (tmp_path / HOLDING).exists()  # and it cleans up after itself
