"""A streaming client for OpenAI-compatible chat servers (Ollama, llama.cpp's llama-server, vLLM, LM Studio).

httpx does the HTTP; the server-sent-events framing of a chat stream is a
few lines, so it is parsed here rather than through the ``openai`` package,
which would add a dependency for one endpoint. Every failure (no server, an
error status, a reply that is not a chat stream, too slow) is a one-line
:class:`ChatFailed`; the whole reply is bounded by one deadline, not only
each read.
"""

from __future__ import annotations

import ipaddress
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from qa.errors import QAError
from qa.extras import require


class ChatFailed(QAError):
    """The language model server could not give a usable reply."""


def is_loopback(url: str) -> bool:
    """True when ``url`` points at this machine (localhost, 127.x, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def stream_chat(
    url: str,
    model: str,
    messages: list[dict[str, str]],
    timeout_s: float,
    temperature: float = 0.0,
    max_tokens: int = 400,
) -> Iterator[str]:
    """Yield the reply's text as it arrives from ``{url}/chat/completions``; raise ChatFailed on any failure.

    The request runs in a worker thread that hands over pieces through a
    queue, so the caller waits at most ``timeout_s`` in all, however the
    server trickles its bytes.
    """
    httpx = require("httpx", "llm", "Written answers from a language model")
    body = {"model": model, "messages": messages, "temperature": temperature, "max_tokens": max_tokens, "stream": True}
    endpoint = url.rstrip("/") + "/chat/completions"
    pieces: queue.Queue[str | ChatFailed | None] = queue.Queue()  # text, then None when done, or the failure
    stop = threading.Event()

    def work() -> None:
        try:
            timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
            with httpx.Client(timeout=timeout, trust_env=False) as client:
                with client.stream("POST", endpoint, json=body) as response:
                    for piece in _reply_pieces(response, url):
                        if stop.is_set():
                            return
                        pieces.put(piece)
            pieces.put(None)
        except ChatFailed as exc:
            pieces.put(exc)
        except httpx.ConnectError:
            pieces.put(ChatFailed(f"no language model server answers at {url}"))
        except httpx.TimeoutException:
            pieces.put(_too_slow(url, timeout_s))
        except httpx.HTTPError as exc:
            pieces.put(ChatFailed(f"the connection to {url} failed ({type(exc).__name__})"))
        except Exception as exc:  # noqa: BLE001 - anything else is still a failed reply, never a traceback
            pieces.put(ChatFailed(f"the reply from {url} could not be read ({type(exc).__name__})"))

    worker = threading.Thread(target=work, name="qa-chat", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _too_slow(url, timeout_s)
            try:
                value = pieces.get(timeout=left)
            except queue.Empty:
                raise _too_slow(url, timeout_s) from None
            if value is None:
                return
            if isinstance(value, ChatFailed):
                raise value
            yield value
    finally:
        stop.set()  # the worker stops at its next piece, or when its own read timeout ends it


def _too_slow(url: str, timeout_s: float) -> ChatFailed:
    return ChatFailed(f"the language model at {url} did not finish within {timeout_s:g} seconds")


def _reply_pieces(response: Any, url: str) -> Iterator[str]:  # an httpx.Response (httpx is imported lazily)
    """The text of a chat reply: the deltas of an event stream, or the message of a plain JSON reply."""
    if response.status_code != 200:
        response.read()
        detail = _error_detail(response.text)
        raise ChatFailed(
            f"the server at {url} answered HTTP {response.status_code}" + (f": {detail}" if detail else "")
        )
    kind = response.headers.get("content-type", "")
    if "json" in kind and "event-stream" not in kind:  # a server that ignores "stream": the whole reply at once
        response.read()
        yield _message_text(_parse(response.text, url), url)
        return
    seen_data = False
    for line in response.iter_lines():
        line = line.strip()
        if not line or line.startswith(":") or not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        seen_data = True
        event = _parse(data, url)
        if isinstance(event, dict) and "error" in event:
            raise ChatFailed(f"the server at {url} reported an error: {_error_detail(data)}")
        piece = _delta_text(event, url)
        if piece:
            yield piece
    if not seen_data:
        raise ChatFailed(f"the server at {url} sent no chat reply")


def _parse(data: str, url: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise ChatFailed(f"the server at {url} sent something that is not an OpenAI-compatible chat reply") from None


def _delta_text(event: Any, url: str) -> str:
    try:
        choice = event["choices"][0] if event["choices"] else {}
        content = (choice.get("delta") or {}).get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatFailed(f"the server at {url} sent a stream that is not an OpenAI-compatible chat reply") from None
    if not isinstance(content, str):
        raise ChatFailed(f"the server at {url} sent a stream that is not an OpenAI-compatible chat reply")
    return content


def _message_text(reply: Any, url: str) -> str:
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ChatFailed(f"the server at {url} sent a reply that is not an OpenAI-compatible chat reply") from None
    if not isinstance(content, str):
        raise ChatFailed(f"the server at {url} sent a reply that is not an OpenAI-compatible chat reply")
    return content


def _error_detail(text: str) -> str:
    """The server's own error message, on one short line."""
    try:
        error = json.loads(text).get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = text
    return " ".join(str(message or "").split())[:200]
