"""An HTTP API for documents and answers, mounted at ``/api`` beside the app on Gradio's own server.

List, upload, replace, re-describe, delete and re-index documents, and ask questions,
through the same library calls as the app (:mod:`qa.ingest.upload`,
:mod:`qa.library.documents`): the same incremental ingest, duplicate check, safe file
names and size limit. With login on, a request must carry the app's login cookie
(``POST /login``) or HTTP Basic credentials of a login, throttled as the login page is.
Every question and change is recorded in the audit log. The OpenAPI page is
``/api/docs``, served from files on this machine (``fastapi-offline``), not a CDN.
"""

from __future__ import annotations

import logging
import math
import secrets
import tempfile
from base64 import b64decode
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from qa.app.audit_handlers import collection_change, collection_state
from qa.app.auth import LoginThrottle, auth_pairs
from qa.app.common import readable, request_user
from qa.assistant import Assistant, make_filters, retrieval_query
from qa.errors import (
    BadFilter,
    BadQuestion,
    IndexCorrupt,
    IndexNotFound,
    ModelMismatch,
    QAError,
    StoreUnavailable,
    UploadRejected,
)
from qa.ingest.pipeline import IngestReport
from qa.ingest.upload import add_documents
from qa.library import documents as library
from qa.library.audit import DELETE, EDIT, REINDEX, REPLACE, UPLOAD, AuditLog
from qa.library.pending import Indexing

log = logging.getLogger(__name__)
PREFIX = "/api"
_CHUNK = 1024 * 1024


class Question(BaseModel):
    """A question, with the filters and conversation the app would give it."""

    question: str = Field(description="The question, in plain English (at most 2,000 characters).")
    sources: list[str] = Field(default_factory=list, description="Only these documents (their source file names).")
    types: list[str] = Field(
        default_factory=list, description="Only documents of these types ('inspection report', 'minutes', ...)."
    )
    since: str | None = Field(None, description="Only documents dated on or after this: YYYY, YYYY-MM or YYYY-MM-DD.")
    until: str | None = Field(None, description="Only documents dated on or before this.")
    history: list[str] = Field(
        default_factory=list,
        description="Earlier questions of the conversation, oldest first: a follow-up builds on them.",
    )


class Details(BaseModel):
    """A document's catalog details; blank or absent ones are read from the file."""

    title: str = ""
    publisher: str = ""
    date: str = Field("", description="YYYY, YYYY-MM or YYYY-MM-DD.")
    type: str = Field("", description="'inspection report', 'monitoring letter', 'minutes', 'news' or another.")


def report_dict(report: IngestReport | None) -> dict[str, Any] | None:
    """What an ingest did, as JSON."""
    if report is None:
        return None
    return {
        "summary": report.summary(),
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "skipped": report.skipped,
        "documents": report.documents,
        "passages": report.chunks,
    }


def build_api(
    assistant: Assistant,
    audit: AuditLog | None = None,
    throttle: LoginThrottle | None = None,
    session_user: Callable[[Request], str | None] = lambda request: None,
    indexing: Indexing | None = None,
) -> FastAPI:
    """The API app, to mount at ``/api``; ``session_user`` names who a request's app login cookie belongs to."""
    settings = assistant.settings
    logins = dict(auth_pairs(settings) or [])
    throttle = throttle or LoginThrottle()
    indexing = indexing or Indexing()
    api = _documented_app(
        title=settings.app.collection_title + ": HTTP API",
        description="Documents and cited answers. With login on, log in at `POST /login` (the app's login; the cookie "
        "it sets is then sent) or send HTTP Basic credentials of a login.",
        version="1",
    )

    def user(request: Request) -> str:
        """Who is asking: anyone when login is off; else the app login's cookie or Basic credentials, or 401."""
        if not logins:
            return request_user(request)
        name = session_user(request)
        if name:
            return name
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic" and encoded:
            try:
                given, _, password = b64decode(encoded, validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                given, password = "", ""
            address = request.client.host if request.client else "unknown"
            wait = throttle.wait_s(given, address)
            if wait > 0:
                seconds = math.ceil(wait)
                raise HTTPException(
                    429,
                    f"Too many failed logins for this user or from this address. Try again in {seconds} s.",
                    headers={"Retry-After": str(seconds)},
                )
            if given in logins and secrets.compare_digest(password.encode(), logins[given].encode()):
                throttle.succeeded(given, address)
                return given
            throttle.failed(given, address)
        raise HTTPException(
            401,
            "Log in first: POST /login with username and password, or send HTTP Basic credentials.",
            headers={"WWW-Authenticate": 'Basic realm="cited-qa"'},
        )

    def record(write: Callable[[AuditLog], Any]) -> None:
        if audit is None:
            return
        try:
            write(audit)
        except Exception:  # noqa: BLE001 - the request is done; a failed log line goes to the server log
            log.exception("Could not write the audit log")

    @api.exception_handler(QAError)
    async def _qa_error(request: Request, exc: QAError) -> JSONResponse:
        if isinstance(exc, (BadFilter, BadQuestion, UploadRejected)):
            status = 400  # the request's fault
        elif isinstance(exc, (IndexNotFound, IndexCorrupt, ModelMismatch, StoreUnavailable)):
            status = 503  # no usable index yet: the message says how to build one
        else:
            status = 409  # the collection is not in a state that allows it
        return JSONResponse({"detail": str(exc)}, status_code=status)

    def indexed(source: str) -> None:
        if source not in _documents():
            raise HTTPException(404, f"{source} is not in the collection. GET /api/documents lists what is.")

    def _documents() -> dict:
        try:
            return assistant.index().documents
        except QAError:
            return {}

    def changing(who: str, action: str, names: list[str], run: Callable[[], Any], detail: str = "") -> Any:
        before = collection_state(assistant)
        try:
            return run()
        finally:
            documents, change = collection_change(before, collection_state(assistant))
            line = "; ".join(filter(None, [change, detail, "via the HTTP API"]))
            record(lambda audit: audit.changed(who, action, documents or names, line))

    @api.get("/documents", summary="List the indexed documents")
    def list_documents(query: str = "", who: str = Depends(user)) -> list[dict[str, Any]]:
        """Every indexed document (newest first), or those whose title, file, publisher or type hold every word of `query`."""
        try:
            rows = library.list_documents(assistant, query)
        except QAError:
            return []
        return [
            {
                "source": r.source,
                "title": r.title,
                "date": r.date,
                "type": r.kind,
                "publisher": r.publisher,
                "pages": r.pages,
                "passages": r.passages,
                "added": r.added,
            }
            for r in rows
        ]

    @api.post("/documents", summary="Upload documents and index them")
    def upload(
        files: list[UploadFile] = File(description="Text, Markdown, HTML, PDF or Word files."), who: str = Depends(user)
    ) -> dict[str, Any]:
        """Store each file under a safe name in the corpus and index it. A file with the content of an indexed
        document is reported as a duplicate, one that cannot be read is reported and not kept."""
        names = [f.filename or "upload" for f in files]
        with tempfile.TemporaryDirectory(prefix="qa-api-") as folder:
            paths = [_receive(f, Path(folder) / str(i), settings.app.max_upload_mb) for i, f in enumerate(files)]
            with indexing.running(names):
                result = changing(who, UPLOAD, names, lambda: add_documents(assistant, paths, names))
        return {
            "added": result.added,
            "duplicates": [{"name": n, "same_as": s} for n, s in result.duplicates],
            "rejected": result.rejected,
            "summary": result.summary(),
            "index": report_dict(result.report),
        }

    @api.put("/documents/{source:path}", summary="Replace a document with a new version")
    def replace(
        source: str, file: UploadFile = File(description="The new version, of the same type."), who: str = Depends(user)
    ) -> dict[str, Any]:
        """Index the new file in place of `source`, keeping its name and catalog details; if it cannot be read, the old one stays."""
        indexed(source)
        name = file.filename or Path(source).name
        with tempfile.TemporaryDirectory(prefix="qa-api-") as folder:
            path = _receive(file, Path(folder) / "0", settings.app.max_upload_mb)
            with indexing.running([source]):
                report = changing(
                    who, REPLACE, [source], lambda: library.replace_document(assistant, source, path, name)
                )
        return {"replaced": source, "index": report_dict(report)}

    @api.patch("/documents/{source:path}", summary="Correct a document's details")
    def edit(source: str, details: Details, who: str = Depends(user)) -> dict[str, Any]:
        """Write title, publisher, date and type to the catalog (blank: read from the file) and update the index."""
        indexed(source)
        detail = (
            f"title {details.title!r}, publisher {details.publisher!r}, date {details.date!r}, type {details.type!r}"
        )

        def run():
            return library.edit_details(assistant, source, details.title, details.publisher, details.date, details.type)

        report = changing(who, EDIT, [source], run, detail)
        return {"edited": source, "index": report_dict(report)}

    @api.delete("/documents/{source:path}", summary="Delete a document")
    def delete(source: str, who: str = Depends(user)) -> dict[str, Any]:
        """Remove `source` from the corpus folder, the catalog and the index; it is never cited again."""
        indexed(source)
        report = changing(who, DELETE, [source], lambda: library.delete_document(assistant, source))
        return {"deleted": source, "index": report_dict(report)}

    @api.post("/reindex", summary="Bring the index up to date with the corpus folder")
    def reindex(who: str = Depends(user)) -> dict[str, Any]:
        """The incremental ingest `qa ingest` runs: new files added, changed ones re-read, deleted ones dropped."""
        report = changing(who, REINDEX, [], lambda: assistant.ingest(progress=False))
        return report_dict(report) or {}

    @api.post("/ask", summary="Ask a question")
    def ask(question: Question, who: str = Depends(user)) -> dict[str, Any]:
        """A cited answer: each quote with its document, date, page and character span. `found` is false when the
        documents do not answer; `searched_for` says how a follow-up was read."""
        sources = list(question.sources)
        if question.types:
            sources = list(library.restrict_to_kinds(_documents().values(), sources, question.types))
        filters = make_filters(sources, question.since or None, question.until or None)
        history = [h for h in question.history if isinstance(h, str)]
        try:
            answer = assistant.ask(question.question, filters=filters, history=history)
        except QAError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise HTTPException(500, readable(exc, "answering the question")) from None
        searched = retrieval_query(question.question.strip(), history)
        chosen = {
            "sources": question.sources,
            "types": question.types,
            "since": question.since,
            "until": question.until,
        }
        record(lambda audit: audit.asked(who, question.question, answer, chosen, searched))
        return answer.to_dict() | {"searched_for": searched if searched != question.question.strip() else None}

    return api


def _documented_app(**options: Any) -> FastAPI:
    """A FastAPI app whose /docs page uses Swagger UI files shipped on this machine (fastapi-offline), not a CDN;
    without that package, an app with no docs page (the schema is still at /openapi.json)."""
    try:
        from fastapi_offline import FastAPIOffline
    except ImportError:
        log.warning("The HTTP API has no /api/docs page: install it with pip install 'cited-qa[app]'")
        return FastAPI(docs_url=None, redoc_url=None, **options)
    return FastAPIOffline(**options)


def _receive(upload: UploadFile, path: Path, max_mb: float) -> Path:
    """Copy an uploaded file to ``path``, refusing it (413) once it passes the upload limit."""
    limit = int(max_mb * 1024 * 1024)
    written = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise HTTPException(
                    413,
                    f"{upload.filename} is larger than the upload limit of {max_mb:g} MB; raise QA_APP__MAX_UPLOAD_MB.",
                )
            out.write(chunk)
    return path


def mount_api(demo: Any, assistant: Assistant, audit: AuditLog | None, throttle: LoginThrottle | None) -> None:
    """Mount the API at ``/api`` on the running app's server; the app's login cookie logs a request in."""

    def session_user(request: Request) -> str | None:
        app = demo.server_app
        cookie_id = getattr(app, "cookie_id", None)
        token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(
            f"access-token-unsecure-{cookie_id}"
        )
        return app.tokens.get(token) if token else None

    demo.server_app.mount(PREFIX, build_api(assistant, audit, throttle, session_user))
