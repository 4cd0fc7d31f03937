"""Serving the app: build it over an assistant and launch it as ``settings.app`` says."""

from __future__ import annotations

import errno
import logging
import socket

import gradio as gr
from starlette.middleware import Middleware

from qa.app.auth import LoginThrottle, LoginThrottleMiddleware, auth_pairs
from qa.app.layout import CSS, build_app
from qa.assistant import Assistant
from qa.errors import QAError
from qa.settings import Settings

log = logging.getLogger(__name__)
# Gradio's default blue with white text is 3.7:1; a darker blue gives the primary buttons 4.5:1 or more (WCAG AA).
THEME = gr.themes.Default(primary_hue="blue").set(
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover_dark="*primary_800",
    button_primary_text_color="white",
)


def launch(
    demo: gr.Blocks,
    settings: Settings,
    prevent_thread_lock: bool = False,
    login_throttle: LoginThrottle | None = None,
    assistant: Assistant | None = None,
) -> None:
    """Start serving ``demo`` with the queue on, as ``settings.app`` says; failed logins are throttled.

    With ``assistant``, the HTTP API (:mod:`qa.app.api`) is mounted at /api beside the app, under the same login.
    """
    auth = auth_pairs(settings)
    throttle = login_throttle or LoginThrottle()
    middleware = [Middleware(LoginThrottleMiddleware, throttle=throttle)] if auth else []
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=settings.app.host,
        server_port=settings.app.port,
        share=settings.app.share,
        auth=auth,
        auth_message=throttle.rule() if auth else None,
        app_kwargs={"middleware": middleware},
        show_error=True,  # messages only: handlers never let a traceback through
        # Refuse oversized uploads at the door, before Gradio writes them to its temporary folder.
        max_file_size=int(settings.app.max_upload_mb * 1024 * 1024),
        # Gradio keeps a copy of the page's state for every session it has seen, and an API call without a
        # session (curl on /gradio_api/call/answer) is a new one each time: without a cap memory grows ~60 KB a call.
        state_session_capacity=settings.app.max_sessions,
        prevent_thread_lock=True,  # the API is mounted once the server exists; then we wait, if asked to
        ssr_mode=False,
        quiet=True,
        theme=THEME,
        css=CSS,
        footer_links=["api"],
    )
    if assistant is not None:
        from qa.app.api import mount_api
        from qa.app.audit_handlers import open_audit

        mount_api(demo, assistant, open_audit(settings), throttle)
    if not prevent_thread_lock:
        demo.block_thread()


def check_port_free(host: str, port: int) -> None:
    """Raise QAError, saying how to choose another port, if ``port`` on ``host`` cannot be listened on."""
    if port == 0:  # any free port
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):  # SO_REUSEADDR on, as the server itself uses
            pass
    except OSError as exc:
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror or exc})"
        raise QAError(
            f"Port {port} on {host} {reason}, perhaps by another copy of the app. "
            "Choose another with --port (e.g. qa serve --port 7861) or QA_APP__PORT."
        ) from None


def serve(
    settings: Settings,
    assistant: Assistant | None = None,
    prevent_thread_lock: bool = False,
    login_throttle: LoginThrottle | None = None,
    ingest_first: bool = False,
) -> gr.Blocks:
    """Build the app over ``settings`` (or a given assistant) and serve it.

    ``ingest_first`` brings the index up to date with the corpus folder before serving (incrementally:
    seconds when nothing changed), so files added to the folder between runs are searchable.
    """
    check_port_free(settings.app.host, settings.app.port)  # before a minute of model loading, not after
    assistant = assistant or Assistant(settings)
    recover_library(assistant)
    if ingest_first:
        bring_up_to_date(assistant)
    try:  # load the model and index now, so the first question is not the slow one
        assistant.index()
    except QAError as exc:
        log.warning("%s", exc)
    demo = build_app(assistant)
    if not prevent_thread_lock:
        url = f"http://{settings.app.host}:{settings.app.port}"
        print(f"Serving on {url} (Ctrl+C to stop); the HTTP API is described at {url}/api/docs", flush=True)
    launch(demo, settings, prevent_thread_lock=prevent_thread_lock, login_throttle=login_throttle, assistant=assistant)
    return demo


def recover_library(assistant: Assistant) -> None:
    """Finish or roll back the Library changes a crash cut short (nothing to do, and quick, when there are none)."""
    from qa.library.documents import recover_interrupted

    try:
        lines = recover_interrupted(assistant)
    except (QAError, OSError) as exc:  # serve anyway: the index as it stands still answers
        log.warning("A Library change cut short by a crash could not be finished: %s", exc)
        return
    for line in lines:
        log.warning("%s", line)
        print(line, flush=True)


def bring_up_to_date(assistant: Assistant) -> None:
    """Run the incremental ingest and say what it did, with the progress bars of ``qa ingest`` (files read,
    passages embedded, time left) on stderr; a failure is reported and the existing index served."""
    print(f"Bringing the index up to date with {assistant.settings.corpus_dir} ...", flush=True)
    try:
        report = assistant.ingest(progress=True)
    except QAError as exc:
        log.warning("The index was not updated: %s", exc)
        return
    print(f"Index: {report.summary()}.", flush=True)
    for source, reason in report.skipped.items():
        print(f"  skipped {source}: {reason}", flush=True)
