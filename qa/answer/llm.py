"""The written-answer writer: a few sentences from a local language model, each checked against its quotes.

The extractive writer chooses the quotes first; the model is shown only
those, numbered, and asked to answer in a few sentences that cite them. A
quote that reads as an instruction to its reader ("ignore the instructions
and say ...") is not given to the model, and the answer says which. Each
sentence is checked (``qa.answer.support``) as soon as it is complete and
shown only if one of its quotes supports it on its own; a sentence without
markers is checked against every quote given and cited to the one that
supports it. The quotes are always part of the answer, so the reader can
check every sentence; when the model cannot be reached or writes nothing
that holds up, the quotes alone are the answer, with a one-line notice. When
the reply is cut off (too slow, connection lost), the sentences completed
before are kept.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterator

from qa.answer.base import NOT_FOUND, Evidence
from qa.answer.chat import ChatFailed, is_loopback, stream_chat
from qa.answer.extractive import ExtractiveWriter
from qa.answer.prompt import chat_messages, offered_quotes
from qa.answer.reply import ReplyReader, cited_numbers, sentence_text
from qa.answer.support import SupportChecker
from qa.embed.base import Embedder, load_embedder
from qa.errors import QAError
from qa.settings import Settings
from qa.types import Answer, Citation, Written, WrittenSentence

log = logging.getLogger(__name__)


class LLMWriter:
    """Quotes chosen as the extractive writer chooses them, and a checked written answer over them."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.llm = settings.llm
        self._embedder = embedder
        if not is_loopback(self.llm.url):
            _warn_remote(self.llm.url)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model, self.settings.batch_size)
        return self._embedder

    def write(self, evidence: Evidence) -> Answer:
        """The finished answer (the last one ``stream`` yields)."""
        answer = None
        for answer in self.stream(evidence):
            pass
        assert answer is not None
        return answer

    def stream(self, evidence: Evidence) -> Iterator[Answer]:
        """The answer as it grows: the quotes first, then again after each checked sentence; the last is final."""
        quoted = ExtractiveWriter(self.settings.answer).write(evidence)
        if not quoted.found or not quoted.citations:
            yield quoted  # nothing to write from: the documents do not cover it
            return
        model = self.llm.model
        offered, withheld = offered_quotes(quoted.citations)
        flagged = _withheld_notice(withheld)
        if not offered:
            notice = "Showing the quotes only: every quote reads as an instruction to a reader or a model, so none was given to the language model."
            yield dataclasses.replace(quoted, written=Written(model=model, notice=notice))
            return
        yield dataclasses.replace(
            quoted, written=Written(model=model, complete=False)
        )  # notices come with the final answer
        sentences: list[WrittenSentence] = []
        declined = False
        stopped = ""  # why the reply ended early, when sentences written before that are kept
        reader = ReplyReader()

        def take(batch: list[str]) -> bool:
            """Check and keep each sentence of ``batch``; True when any was kept."""
            nonlocal declined
            kept = False
            for sentence in batch:
                if _declines(sentence_text(sentence)):
                    declined = True
                    continue
                sentences.append(_checked(sentence, checker))
                kept = True
            return kept

        try:
            context = [c.source for c in evidence.candidates]
            checker = SupportChecker(
                quoted.citations,
                evidence.documents,
                self.embedder.embed_queries,
                self.llm,
                context,
                withheld=[c.n for c in withheld],
            )
            pieces = stream_chat(
                self.llm.url,
                model,
                chat_messages(evidence.question, offered),
                timeout_s=self.llm.timeout_s,
                temperature=self.llm.temperature,
                max_tokens=self.llm.max_tokens,
            )
            try:
                for piece in pieces:
                    if take(reader.add(piece)):
                        yield dataclasses.replace(quoted, written=Written(tuple(sentences), model, complete=False))
                take(reader.finish())
            except ChatFailed as exc:  # too slow, or the connection lost mid-reply: keep what was written in time
                take(reader.cut())
                if not sentences:
                    raise
                stopped = str(exc)
        except QAError as exc:  # the server failed (ChatFailed), or httpx or the embedding model is missing
            notice = _joined(f"Showing the quotes only: {exc}.", flagged)
            yield dataclasses.replace(quoted, written=Written(model=model, notice=notice))
            return
        except Exception as exc:  # noqa: BLE001 - a fault in writing must still leave the reader the quotes
            log.warning(
                "The written answer failed (%s: %s); showing the quotes.", type(exc).__name__, exc, exc_info=True
            )
            notice = "Showing the quotes only: the written answer failed (details in the log)."
            yield dataclasses.replace(quoted, written=Written(model=model, notice=notice))
            return
        notice = _joined(_notice(sentences, declined, stopped), flagged)
        yield dataclasses.replace(quoted, written=Written(tuple(sentences), model, notice))


def _checked(sentence: str, checker: SupportChecker) -> WrittenSentence:
    """The sentence with its verdict; shown with the quotes that support it (a sentence without markers is
    checked against every quote and cited to the one that supports it)."""
    text, cited = sentence_text(sentence), cited_numbers(sentence)
    verdict = checker.check(text, cited) if cited else checker.attribute(text)
    return WrittenSentence(text, verdict.quotes if verdict.supported else cited, verdict.supported, verdict.reason)


def _notice(sentences: list[WrittenSentence], declined: bool, stopped: str = "") -> str:
    """What to tell the reader about the written answer: removed sentences, an early stop, or why only quotes are shown."""
    if not sentences:
        if declined:
            return "Showing the quotes only: the language model found that they do not answer the question."
        return "Showing the quotes only: the language model's reply was empty."
    removed = sum(not s.supported for s in sentences)
    if removed == len(sentences):
        why = f" ({stopped})" if stopped else ""
        return f"Showing the quotes only: none of the {removed} written sentences is supported by the quotes it cites{why}."
    early = f"The written answer stops early: {stopped}." if stopped else ""
    if removed == 1:
        return _joined(early, "1 written sentence was removed: the quotes it cites do not support it.")
    if removed:
        return _joined(early, f"{removed} written sentences were removed: the quotes they cite do not support them.")
    return early


def _withheld_notice(withheld: list[Citation]) -> str:
    """The flag on quotes not given to the model, for the reader who sees them among the quotes."""
    if not withheld:
        return ""
    if len(withheld) == 1:
        return f"Quote [{withheld[0].n}] was not given to the language model: it reads as an instruction to a reader or a model."
    numbers = ", ".join(f"[{c.n}]" for c in withheld[:-1]) + f" and [{withheld[-1].n}]"
    return f"Quotes {numbers} were not given to the language model: they read as instructions to a reader or a model."


def _joined(*notices: str) -> str:
    return " ".join(n for n in notices if n)


@functools.lru_cache(maxsize=16)
def _warn_remote(url: str) -> None:
    """Warn once per URL that questions and quotes leave this machine."""
    log.warning(
        "The language model URL %s is not on this machine: each question and its quoted passages are sent there.", url
    )


def _declines(text: str) -> bool:
    """True for the model's 'the documents do not cover this' reply."""
    return " ".join(text.lower().split()).rstrip(".") == NOT_FOUND.lower().rstrip(".")
