"""The HTTP API at /api, over HTTP on 127.0.0.1: documents, answers, its OpenAPI page, login, and the audit log."""

from __future__ import annotations

import httpx
import pytest
from browser_helpers import running_app

from qa.app.auth import LoginThrottle
from qa.library.audit import ASK, DELETE, EDIT, REINDEX, REPLACE, UPLOAD, audit_log

SUPERVISION = "What did inspectors say about supervision?"
NEWS = "2020-01-21-sunshine-radio-herefordshire-little-progress.txt"
PANEL = b"# Fostering panel\n\nThe fostering panel met twelve times this year and approved nine new carers.\n"


@pytest.fixture
def assistant(fake_assistant):
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    return fake_assistant


@pytest.fixture
def api(assistant):
    with running_app(assistant) as url:
        with httpx.Client(base_url=f"{url}api", timeout=120) as client:
            yield client


def test_documents_are_listed_uploaded_replaced_edited_and_deleted_with_the_apps_rules(api, assistant):
    listed = api.get("/documents").json()
    assert len(listed) == 5 and {"source", "title", "date", "type", "pages", "passages", "added"} <= set(listed[0])

    sent = api.post(
        "/documents",
        files=[
            ("files", ("../../Panel report.md", PANEL, "text/markdown")),
            ("files", ("notes.exe", b"MZ", "application/octet-stream")),
        ],
    )
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["added"] == ["Panel-report.md"] and "unsupported file type" in body["rejected"]["notes.exe"]
    assert (
        "Panel-report.md" in assistant.index().documents
        and not (assistant.settings.corpus_dir.parent / "Panel report.md").exists()
    )
    again = api.post("/documents", files=[("files", ("copy.md", PANEL, "text/markdown"))]).json()
    assert again["added"] == [] and again["duplicates"] == [{"name": "copy.md", "same_as": "Panel-report.md"}]

    new = PANEL.replace(b"twelve", b"ten")
    replaced = api.put("/documents/Panel-report.md", files={"file": ("panel.md", new, "text/markdown")})
    assert replaced.status_code == 200 and replaced.json()["index"]["updated"] == ["Panel-report.md"]
    assert "ten times" in assistant.index().documents["Panel-report.md"].text
    wrong_type = api.put("/documents/Panel-report.md", files={"file": ("panel.txt", b"text", "text/plain")})
    assert wrong_type.status_code == 400 and "replace Panel-report.md with a .md file" in wrong_type.json()["detail"]

    edited = api.patch("/documents/Panel-report.md", json={"title": "Fostering panel 2024", "date": "2024-03"})
    assert edited.status_code == 200 and assistant.index().documents["Panel-report.md"].title == "Fostering panel 2024"
    bad_date = api.patch("/documents/Panel-report.md", json={"date": "last spring"})
    assert bad_date.status_code == 400 and "last spring" in bad_date.json()["detail"]

    assert api.delete("/documents/Panel-report.md").json()["deleted"] == "Panel-report.md"
    assert "Panel-report.md" not in assistant.index().documents
    missing = api.delete("/documents/Panel-report.md")
    assert missing.status_code == 404 and "not in the collection" in missing.json()["detail"]

    (assistant.settings.corpus_dir / "added-by-hand.txt").write_text(
        "The panel reviewed placements for children in care.\n"
    )
    assert api.post("/reindex").json()["added"] == ["added-by-hand.txt"]

    actions = [(e.action, e.user, e.documents) for e in audit_log(assistant.settings).entries()]
    anonymous = "anonymous (127.0.0.1)"
    assert actions == [
        (UPLOAD, anonymous, "Panel-report.md"),
        (UPLOAD, anonymous, "copy.md"),  # a duplicate: nothing changed, the attempt is recorded
        (REPLACE, anonymous, "Panel-report.md"),
        (REPLACE, anonymous, "Panel-report.md"),  # refused: the file stays
        (EDIT, anonymous, "Panel-report.md"),
        (EDIT, anonymous, "Panel-report.md"),
        (DELETE, anonymous, "Panel-report.md"),
        (REINDEX, anonymous, "added-by-hand.txt"),
    ]


def test_ask_answers_with_citations_filters_and_history(api, assistant):
    answer = api.post("/ask", json={"question": SUPERVISION}).json()
    documents = assistant.index().documents
    assert answer["found"] and all(
        documents[c["source"]].text[c["start"] : c["end"]] == c["text"] for c in answer["citations"]
    )
    only = api.post("/ask", json={"question": SUPERVISION, "sources": [NEWS], "since": "2019"}).json()
    assert {c["source"] for c in only["citations"]} == {NEWS}
    follow_up = api.post("/ask", json={"question": "and what about in 2020?", "history": [SUPERVISION]}).json()
    assert follow_up["searched_for"] and SUPERVISION in follow_up["searched_for"]
    empty = api.post("/ask", json={"question": "   "})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    assert api.post("/ask", json={"question": SUPERVISION, "since": "last spring"}).status_code == 400
    entries = [e for e in audit_log(assistant.settings).entries() if e.action == ASK]
    assert [e.question for e in entries] == [SUPERVISION, SUPERVISION, "and what about in 2020?"]
    assert NEWS in entries[1].filters and entries[0].spans.count(":") == len(answer["citations"])


def test_the_openapi_page_is_served_without_a_cdn(api):
    page = api.get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    script = page.text.split('src="', 1)[1].split('"', 1)[0]
    assert api.get(httpx.URL(script).path.removeprefix("/api")).status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/documents", "/documents/{source}", "/reindex", "/ask"} <= set(paths)


def test_with_login_on_every_route_needs_a_login(assistant, tmp_path):
    assistant.settings = assistant.settings.updated(app__auth="ann:s3cret")
    with running_app(assistant, login_throttle=LoginThrottle()) as url:
        api = f"{url}api"
        refused = httpx.get(f"{api}/documents", timeout=30)
        assert refused.status_code == 401 and "Log in" in refused.json()["detail"]
        assert httpx.post(f"{api}/ask", json={"question": SUPERVISION}, timeout=30).status_code == 401
        assert httpx.get(f"{api}/documents", auth=("ann", "wrong"), timeout=30).status_code == 401
        assert httpx.get(f"{api}/documents", auth=("ann", "s3cret"), timeout=30).status_code == 200
        with httpx.Client(base_url=url, timeout=120) as session:  # the app's own login, then its cookie
            assert session.post("/login", data={"username": "ann", "password": "s3cret"}).status_code == 200
            assert session.post("/api/ask", json={"question": SUPERVISION}).json()["found"]
        for _ in range(5):
            httpx.get(f"{api}/documents", auth=("ann", "guess"), timeout=30)
        locked = httpx.get(f"{api}/documents", auth=("ann", "s3cret"), timeout=30)
        assert locked.status_code == 429 and "Try again" in locked.json()["detail"]
    [asked] = [e for e in audit_log(assistant.settings).entries() if e.action == ASK]
    assert asked.user == "ann"


def test_an_upload_over_the_limit_is_refused_and_nothing_is_kept(assistant):
    assistant.settings = assistant.settings.updated(app__max_upload_mb=0.001)  # about 1 kB
    with running_app(assistant) as url:
        big = httpx.post(
            f"{url}api/documents", files={"files": ("big.md", b"word " * 1000, "text/markdown")}, timeout=60
        )
    assert big.status_code == 413 and "upload limit of 0.001 MB" in big.json()["detail"]
    assert not (assistant.settings.corpus_dir / "big.md").exists() and "big.md" not in assistant.index().documents
