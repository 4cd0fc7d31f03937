"""Hostile input through the app: uploads over HTTP as the browser sends them, and markup in documents.

tests/test_upload.py covers ``qa.upload`` as a library (``safe_filename``,
``check_upload``, ``store_upload``). Here the same attacks arrive the way a
browser (or anyone who can reach the port) sends them: a multipart POST to
Gradio's ``/gradio_api/upload``, then the "Add to the collection" event through
the queue, with ``fn_index`` as the page's own script calls it. After each
one the file system outside the upload folder must be untouched and the
existing collection intact.

The escaping half renders documents carrying script, event-handler, iframe and
``javascript:`` payloads through every HTML function the app uses, and parses
the output as a browser would: only the app's own tags and attributes may be
live. tests/test_render_html.py has the fixed cases; this adds hypothesis.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import gradio as gr
import httpx
import pytest
from browser_helpers import free_port, wait_until_up
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.reliability_report import record
from qa.render.html import (
    answer_to_html,
    conversation_to_html,
    document_to_html,
    sources_to_html,
    status_to_html,
    viewer_placeholder,
)
from qa.types import Answer, Citation, Document, Statement
from qa.app.handlers import Handlers
from qa.app.server import serve

SUPERVISION = "What did inspectors say about supervision?"
MAX_UPLOAD_MB = 0.25  # small, so an over-limit file is cheap to make
GOOD_TEXT = "Greenfield allotments\n\nThe allotment society agreed to plant forty quince trees next spring.\n"


# Serving the app and talking to it as the page does.


@dataclass
class App:
    url: str
    demo: gr.Blocks
    gradio_dir: Path  # Gradio's own folder for uploaded files (GRADIO_TEMP_DIR)

    @property
    def upload_fn_index(self) -> int:
        """The "Add to the collection" event, which the page calls by index (it has no public API name)."""
        (index,) = [i for i, fn in self.demo.fns.items() if getattr(fn.fn, "__name__", "") == "upload"]
        return index


@contextmanager
def serving(assistant, gradio_dir: Path) -> Iterator[App]:
    assistant.settings = settings = assistant.settings.updated(app__host="127.0.0.1", app__port=free_port())
    demo = serve(settings, assistant=assistant, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{settings.app.port}/"
    try:
        wait_until_up(url)
        yield App(url, demo, gradio_dir)
    finally:
        demo.close()


@pytest.fixture
def upload_assistant(fake_assistant):
    """The fake-embedder assistant with uploads going to corpus/uploads and a small size limit."""
    fake_assistant.settings = fake_assistant.settings.updated(
        app__upload_dir=fake_assistant.settings.corpus_dir / "uploads",
        app__max_upload_mb=MAX_UPLOAD_MB,
        answer__min_relevance=-1.0,  # these tests are about the app, not relevance
    )
    return fake_assistant


@pytest.fixture
def app(upload_assistant, tmp_path, monkeypatch):
    gradio_dir = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(gradio_dir))
    with serving(upload_assistant, gradio_dir) as running:
        yield running


def post_files(app: App, files: list[tuple[str, bytes]]) -> httpx.Response:
    """POST files to Gradio's upload route under the given (client-chosen) names, sent byte for byte.

    The multipart body is written by hand: httpx would percent-encode a newline or NUL in a file name,
    and an attacker's client need not.
    """
    boundary = uuid.uuid4().hex
    body = b""
    for name, content in files:
        body += (
            f"--{boundary}\r\n".encode()
            + b'Content-Disposition: form-data; name="files"; filename="'
            + name.encode("utf-8", "surrogateescape")
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return httpx.post(f"{app.url}gradio_api/upload", content=body, headers=headers, timeout=30)


def add_to_collection(app: App, stored: list[str]) -> tuple[str, dict]:
    """Run the upload event on files already posted, as the page does; return the status HTML and choices."""
    return add_entries(app, [{"path": p, "name": Path(p).name} for p in stored])


def add_entries(app: App, entries: list) -> tuple[str, dict]:
    """Run the upload event on {path, name} entries, as the page's script sends the chosen files."""
    session = uuid.uuid4().hex
    body = {"data": [entries], "fn_index": app.upload_fn_index, "session_hash": session, "event_data": None}
    joined = httpx.post(f"{app.url}gradio_api/queue/join", json=body, timeout=30)
    joined.raise_for_status()
    with httpx.stream("GET", f"{app.url}gradio_api/queue/data", params={"session_hash": session}, timeout=60) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                assert message["success"], message
                data = message["output"]["data"]
                return data[0], data[2]  # the status and the documents filter's choices
    raise AssertionError("the upload event never completed")


def upload(app: App, files: list[tuple[str, bytes]]) -> str:
    """Post files and add them to the collection; the status shown to the user, as plain text."""
    response = post_files(app, files)
    assert response.status_code == 200, response.text
    status, _ = add_to_collection(app, response.json())
    return html.unescape(re.sub(r"<[^>]+>", "\n", status))


def ask(app: App, question: str = SUPERVISION) -> list[tuple]:
    """The /answer API's citations as comparable tuples."""
    from gradio_client import Client

    result = Client(app.url, verbose=False).predict(question=question, api_name="/answer")
    return [(c["source"], c["start"], c["end"], c["text"]) for c in result["citations"]]


def assert_still_answers(app: App, assistant, earlier: list[tuple]) -> None:
    """The earlier answer still holds: every quote is still at its span in the indexed document, and the
    question still gets a cited answer. (New documents may change the ranking, so not the exact same answer.)"""
    from gradio_client import Client

    listed = {d["source"] for d in Client(app.url, verbose=False).predict(api_name="/documents")}
    documents = assistant.index().documents
    for source, start, end, text in earlier:
        assert source in listed and documents[source].text[start:end] == text
    assert ask(app)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


OUTSIDE = [Path("/etc/passwd.txt"), Path("/x.md"), Path("/tmp/x.md"), Path("/root/.bashrc.txt")]


@contextmanager
def only_uploads_written(app: App | None, assistant) -> Iterator[None]:
    """Fail unless every file created or changed under the test's folder is an upload, an index build, the
    audit log or Gradio's own copy; the corpus outside the upload folder, and the places the names point at,
    are untouched."""
    corpus = assistant.settings.corpus_dir
    root = corpus.parent
    before = snapshot(root)
    outside_before = {p: p.exists() for p in OUTSIDE}
    documents_before = set(assistant.index().documents)
    yield
    after = snapshot(root)
    allowed = ("corpus/uploads/", "index/", "conversations/audit.sqlite3") + (
        (f"{app.gradio_dir.name}/",) if app else ()
    )
    changed = {name for name in after if before.get(name) != after[name]}
    assert not {name for name in changed if not name.startswith(allowed)}, changed
    deleted = {
        name for name in before if name not in after and not name.startswith(("index/builds/", "corpus/uploads/"))
    }
    assert not deleted, deleted  # old index builds are pruned; nothing else may go
    assert {p: p.exists() for p in OUTSIDE} == outside_before
    for name in after:
        if name.startswith("corpus/uploads/"):
            stored = Path(name).name
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stored), stored
    assert documents_before <= set(assistant.index().documents), "an indexed document was lost"


def uploads(assistant) -> list[str]:
    folder = assistant.settings.corpus_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def note(key: str, order: int, case: str, sent: str, outcome: str, stored: str) -> None:
    record(
        "uploads",
        key,
        {
            "order": order,
            "case": case,
            "sent": sent,
            "outcome": outcome,
            "stored": stored,
            "outside": "nothing",
            "kept": True,
        },
    )


# Uploads through HTTP.

TRAVERSAL = [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/tmp/abs/dir/evil.md", "evil.md"),
    ("..\\..\\x.md", "x.md"),
    ("C:\\Windows\\System32\\drivers.txt", "drivers.txt"),
    (".bashrc.txt", "bashrc.txt"),
    ("notes\r\nInjected: header.md", None),
    ("notes\nInjected: header.md", None),
    ("nul\x00byte.txt", None),
    ('quote".md', None),
    ("<script>alert(1)</script>.md", None),
]


def test_upload_names_are_sanitised_and_stay_in_the_upload_folder(app, upload_assistant):
    answer_before = ask(app)
    count_before = len(upload_assistant.index().documents)
    added = 0
    for order, (name, expected) in enumerate(TRAVERSAL):
        content = GOOD_TEXT.replace("forty", f"{order + 40}").encode()
        with only_uploads_written(app, upload_assistant):
            known = set(uploads(upload_assistant))
            response = post_files(app, [(name, content)])
            if response.status_code != 200:  # refused at the door is fine, with a reason and nothing stored
                assert response.status_code in (400, 422) and response.text
                outcome, stored = f"HTTP {response.status_code}: {response.text[:80]}", "-"
            else:
                status, _ = add_to_collection(app, response.json())
                text = html.unescape(re.sub(r"<[^>]+>", "\n", status))
                new = set(uploads(upload_assistant)) - known
                if not new:  # the name lost its suffix on the way in: refused, with the reason shown
                    assert expected is None and "Not added:" in text and "unsupported file type" in text, text
                    outcome, stored = "refused: " + text.split(": ", 2)[-1].split(";")[0], "-"
                else:
                    (new,) = new
                    if expected:
                        assert new == expected
                    assert f"Added 1 document(s): uploads/{new}." in text
                    added += 1
                    outcome, stored = "added", f"uploads/{new}"
        note(f"name {order}", order, "hostile file name", repr(name), outcome, stored)
    assert len(upload_assistant.index().documents) == count_before + added
    assert_still_answers(app, upload_assistant, answer_before)


def test_duplicate_names_keep_both_versions_but_not_the_same_bytes_twice(app, upload_assistant):
    answer_before = ask(app)
    count_before = len(upload_assistant.index().documents)
    first = GOOD_TEXT.encode()
    second = GOOD_TEXT.replace("forty", "sixty").encode()
    with only_uploads_written(app, upload_assistant):
        assert "Added 1 document(s): uploads/plan.md." in upload(app, [("plan.md", first)])
        assert "Added 1 document(s): uploads/plan-2.md." in upload(app, [("plan.md", second)])
        again = upload(app, [("plan.md", first)])
        both = upload(app, [("plan.md", first), ("plan.md", second)])
    assert uploads(upload_assistant) == ["plan-2.md", "plan.md"]
    assert (upload_assistant.settings.corpus_dir / "uploads" / "plan.md").read_bytes() == first
    assert (upload_assistant.settings.corpus_dir / "uploads" / "plan-2.md").read_bytes() == second
    # The same bytes again are flagged as already in the collection, not indexed a second time.
    assert "Already in the collection: plan.md has the same content as uploads/plan.md" in again
    assert "Added" not in again and "Added" not in both
    assert both.count("Already in the collection") == 2
    assert len(upload_assistant.index().documents) == count_before + 2
    assert_still_answers(app, upload_assistant, answer_before)
    note(
        "dup different",
        20,
        "same name, different content",
        "plan.md twice",
        "both kept",
        "uploads/plan.md, uploads/plan-2.md",
    )
    note(
        "dup same",
        21,
        "same name, same content again",
        "plan.md",
        "flagged as already in the collection",
        "uploads/plan.md",
    )


@pytest.mark.parametrize(
    "name,shown",
    [
        ("tool.exe", ".exe"),
        ("script.py", ".py"),
        ("install.sh", ".sh"),
        ("Makefile", "no suffix"),
        ("report.pdf.exe", ".exe"),
        ("page.HTML.sh", ".sh"),
    ],
)
def test_disallowed_types_are_refused_with_a_reason_and_not_stored(app, upload_assistant, name, shown):
    count_before = len(upload_assistant.index().documents)
    build_before = upload_assistant.index().path
    with only_uploads_written(app, upload_assistant):
        status = upload(app, [(name, b"#!/bin/sh\nrm -rf /\n")])
    assert f"Not added: {name}: unsupported file type ({shown}); upload one of" in status
    assert "Added" not in status
    assert uploads(upload_assistant) == []
    assert upload_assistant.index().path == build_before and len(upload_assistant.index().documents) == count_before
    note(f"type {name}", 30, "disallowed type", name, f"refused: unsupported file type ({shown})", "-")


def test_file_over_the_limit_is_refused_before_it_is_stored(app, upload_assistant):
    answer_before = ask(app)
    big = b"word " * int(MAX_UPLOAD_MB * 1024 * 1024 / 5 + 1000)
    with only_uploads_written(app, upload_assistant):
        response = post_files(app, [("big.txt", big)])
        assert response.status_code == 413 and "maximum allowed size" in response.text
        ok = upload(app, [("small.txt", GOOD_TEXT.encode())])
    assert not list(app.gradio_dir.rglob("big.txt")), "Gradio kept a copy of the refused file"
    assert "Added 1 document(s): uploads/small.txt." in ok
    assert uploads(upload_assistant) == ["small.txt"]
    assert_still_answers(app, upload_assistant, answer_before)
    note(
        "too big http",
        40,
        f"over the limit ({MAX_UPLOAD_MB:g} MB) over HTTP",
        f"big.txt, {len(big) / 2**20:.2f} MB",
        f"HTTP 413: {response.text[:60]}",
        "-",
    )


def test_file_over_the_limit_is_refused_by_the_handler_too(upload_assistant, tmp_path):
    """If Gradio's own limit is ever lost, the upload handler still refuses the file with the limit and the fix."""
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    big.write_bytes(b"word " * int(MAX_UPLOAD_MB * 1024 * 1024 / 5 + 1000))
    count_before = len(upload_assistant.index().documents)
    with only_uploads_written(None, upload_assistant):
        status, _, _ = Handlers(upload_assistant).add_files([str(big)], progress=lambda *a, **k: None)
    text = html.unescape(status)
    assert f"big.txt: 0.3 MB is larger than the upload limit of {MAX_UPLOAD_MB:g} MB" in text
    assert "QA_APP__MAX_UPLOAD_MB" in text and 'class="status error"' in status
    assert uploads(upload_assistant) == [] and len(upload_assistant.index().documents) == count_before
    note(
        "too big handler",
        41,
        "over the limit, handler called directly",
        "big.txt",
        "refused: larger than the upload limit",
        "-",
    )


def test_a_mixed_batch_adds_the_good_file_and_explains_the_rest(app, upload_assistant):
    answer_before = ask(app)
    with only_uploads_written(app, upload_assistant):
        status = upload(app, [("../evil.sh", b"rm -rf /"), ("good.md", GOOD_TEXT.encode()), ("empty.txt", b"")])
    assert "Added 1 document(s): uploads/good.md." in status
    assert "Not added: evil.sh: unsupported file type (.sh)" in status
    assert "Not added: empty.txt:" in status and "no readable text" in status
    assert uploads(upload_assistant) == ["good.md"]
    assert_still_answers(app, upload_assistant, answer_before)
    answer = ask(app, "How many quince trees will the allotment society plant?")
    assert answer and answer[0][0] == "uploads/good.md"
    note(
        "mixed",
        50,
        "one batch: a traversal name of a refused type, a good file, an empty file",
        "'../evil.sh', good.md, empty.txt",
        "good.md added; evil.sh and empty.txt refused with reasons",
        "uploads/good.md",
    )


def test_one_odd_name_in_a_batch_is_reported_and_the_others_are_added(app, upload_assistant, monkeypatch):
    """Gradio keeps an uploaded '..\\..\\w.md' as '....w.md', a dotfile; when its upload folder lies under the
    server's working folder, Gradio used to refuse the whole event for it. Each file is now judged on its own."""
    monkeypatch.chdir(app.gradio_dir.parent)  # the upload folder under the working folder, as for the probe
    names = ["alpha.md", "beta.md", "..\\..\\w.md", "gamma.md", "delta.md"]
    files = [(name, GOOD_TEXT.replace("forty", str(60 + i)).encode()) for i, name in enumerate(names)]
    with only_uploads_written(app, upload_assistant):
        response = post_files(app, files)
        assert response.status_code == 200, response.text
        entries = [{"path": p, "name": n} for p, n in zip(response.json(), names)]
        entries.append({"path": "/etc/passwd", "name": "passwd.txt"})  # a request can name any path
        status, _ = add_entries(app, entries)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", status))
    assert (
        "Added 5 document(s): uploads/alpha.md, uploads/beta.md, uploads/w.md, uploads/gamma.md, "
        "uploads/delta.md." in text
    ), text
    assert "Not added: passwd.txt: it is not a file uploaded to this app; choose it again." in text
    assert uploads(upload_assistant) == ["alpha.md", "beta.md", "delta.md", "gamma.md", "w.md"]
    note(
        "odd name in batch",
        55,
        "a 5-file batch with one odd name, plus a forged path",
        "alpha.md, beta.md, '..\\..\\w.md', gamma.md, delta.md; /etc/passwd",
        "5 added; the forged path refused",
        "uploads/w.md and four others",
    )


def test_an_uploaded_html_file_is_never_served_back_as_a_page(app, upload_assistant):
    """Gradio keeps its own copy of every upload and serves it on request: never as HTML in the app's origin."""
    page = b"<html><body><script>window.__pwned=1</script><p>Minutes of the panel.</p></body></html>"
    with only_uploads_written(app, upload_assistant):
        response = post_files(app, [("minutes.html", page)])
        assert response.status_code == 200
        (stored,) = response.json()
        served = httpx.get(f"{app.url}gradio_api/file={stored}", timeout=30)
    inline_html = "text/html" in served.headers.get("content-type", "") and "attachment" not in served.headers.get(
        "content-disposition", ""
    )
    assert not inline_html, dict(served.headers)
    note(
        "served back",
        60,
        "an uploaded .html file fetched back from Gradio's file route",
        "minutes.html",
        f"HTTP {served.status_code}; {served.headers.get('content-type', '-')}, "
        f"{served.headers.get('content-disposition', 'no content-disposition').split(';')[0]}",
        "-",
    )


# Markup in documents never becomes live markup in the app.

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[click](javascript:window.__pwned=1)",
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    '<a href="javascript:window.__pwned=1">link</a>',
    "<svg onload=window.__pwned=1>",
    '"><script>window.__pwned=1</script>',
    "' onmouseover='window.__pwned=1",
    "![beacon](http://127.0.0.1:1/x.png)",
    "<!--",
    "]]><style>body{display:none}</style>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
]
# Everything the app's own renderers emit; any other tag or attribute came from a document.
APP_TAGS = {"div", "p", "ul", "ol", "li", "button", "span", "strong", "em", "mark"}
APP_ATTRIBUTES = {
    "class",
    "data-turn",
    "data-n",
    "data-back-turn",
    "data-back-n",
    "title",
    "aria-label",
    "role",
    "id",
    "type",
    "tabindex",
    "aria-pressed",
    "data-copy",
}
# Attributes holding document text as plain text (what a copy button puts on the clipboard), never a URL.
TEXT_ATTRIBUTES = {"data-copy"}


class _LiveMarkup(HTMLParser):
    """Collect what a browser would treat as markup: tags, attributes, comments, declarations."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.other.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.other.append(f"<![{data}]>")

    def handle_data(self, data):
        self.text.append(data)


def assert_no_live_markup(out: str) -> str:
    """Fail if ``out`` holds any tag, attribute, comment or URL the app did not write; return its text."""
    parser = _LiveMarkup()
    parser.feed(out)
    parser.close()
    assert not parser.other, parser.other
    for tag, attrs in parser.tags:
        assert tag in APP_TAGS, (tag, out)
        for name, value in attrs:
            assert name in APP_ATTRIBUTES, (tag, name, out)
            if name not in TEXT_ATTRIBUTES:
                assert "javascript:" not in (value or "").lower(), (tag, name, value)
    # Belt and braces: no payload's opening bracket survives. (Words like "onerror=" may appear as text.)
    lowered = out.lower()
    for live in ("<script", "<img", "<iframe", "<svg", "<a ", "<a>", "<style", "<!--"):
        assert live not in lowered, live
    return "".join(parser.text)


HOSTILE_DOC = (
    "Hostile minutes\n\nThe panel reviewed supervision of social workers in the county. "
    + " ".join(PAYLOADS)
    + "\n\nSupervision of social workers was regular and recorded, the panel said. "
    + "<script>window.__pwned=1</script> Caseloads were reviewed monthly by managers.\n"
)


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_hostile_document_through_the_handlers_renders_as_text(upload_assistant, tmp_path, suffix):
    """Upload a document full of payloads, ask, open each citation: every piece of HTML is inert."""
    path = tmp_path / "incoming" / f"hostile{suffix}"
    path.parent.mkdir()
    path.write_text(HOSTILE_DOC, encoding="utf-8")
    handlers = Handlers(upload_assistant)
    status, _, _ = handlers.add_files([str(path)], progress=lambda *a, **k: None)
    assert_no_live_markup(status)
    source = f"uploads/hostile{suffix}"
    steps = list(
        handlers.ask("What did the panel say about supervision of social workers?", [], [source], None, "", "")
    )
    conversation, _, turns, panel, _ = steps[-1]
    answer = turns[-1].answer
    assert answer.found and {c.source for c in answer.citations} == {source}
    shown = assert_no_live_markup(conversation) + assert_no_live_markup(panel)
    assert "Supervision of social workers" in shown
    for c in answer.citations:
        _, viewer = handlers.open_citation(turns, gr.EventData(None, {"turn": 0, "n": c.n}))
        text = assert_no_live_markup(viewer)
        assert "<script>window.__pwned=1</script>" in text and "[click](javascript:window.__pwned=1)" in text
    record(
        "escaping",
        f"handlers {suffix}",
        {
            "order": 2,
            "case": f"a {suffix} document with the payloads, uploaded, asked about and each citation opened "
            "through the app's handlers",
            "renderers": "upload status, conversation, sources panel, source viewer",
            "outcome": "payloads shown verbatim as text; no live markup",
        },
    )


_pieces = st.one_of(
    st.sampled_from(PAYLOADS), st.text(max_size=30), st.sampled_from(["\n", "- ", " [1]", ":", "(", ")"])
)
_hostile_text = st.lists(_pieces, min_size=1, max_size=12).map("".join)
# Dates reach the renderers only as validated ISO text (qa.metadata), so they are not fuzzed with payloads.
_dates = st.none() | st.tuples(st.dates(), st.sampled_from([4, 7, 10])).map(lambda d: d[0].isoformat()[: d[1]])
FUZZ_EXAMPLES = 300


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_hostile_text,
    title=_hostile_text,
    source=_hostile_text,
    question=_hostile_text,
    date=_dates,
    data=st.data(),
)
def _fuzz_renderers(text, title, source, question, date, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    quote = text[start:end]
    n = data.draw(st.integers(1, 99))
    page = data.draw(st.none() | st.integers(1, 999))
    citation = Citation(n, source, title, date, page, quote, start, end, 0.5)
    quoted = " ".join(quote.split()) or "x"
    found = Answer(question, True, [citation], (Statement(quoted, (n,)), Statement(text, (n,))), notice=text)
    not_found = Answer(question, False, [], notice=text)
    document = Document(source=source, text=text, sha256="x", title=title, date=date)
    outputs = [
        answer_to_html(found, 0),
        answer_to_html(not_found, 1),
        conversation_to_html([found, not_found], pending=question, notice=text),
        sources_to_html(found, 0, active=n),
        document_to_html(document, citation),
        viewer_placeholder(text),
        status_to_html(text, error=True),
    ]
    for out in outputs:
        assert_no_live_markup(out)
    # Shown as text, not dropped: the viewer holds the document text exactly.
    body = re.split(r'<div class="doc-text"[^>]*>', outputs[4], maxsplit=1)[1]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text


def test_fuzzed_payloads_never_become_live_markup():
    """Document text, titles, file names and questions mixed with payloads, through every renderer."""
    _fuzz_renderers()
    record(
        "escaping",
        "fuzz",
        {
            "order": 1,
            "case": f"hypothesis, {FUZZ_EXAMPLES} examples: random text mixed with {len(PAYLOADS)} payloads "
            "in document text, title, file name and question",
            "renderers": "answer_to_html, conversation_to_html, sources_to_html, document_to_html, viewer_placeholder, "
            "status_to_html",
            "outcome": "only the app's own tags and attributes; no script, event handler, iframe, comment or javascript: URL",
        },
    )
