"""Reading a language model's reply: its sentences, and the [n] markers each one carries.

The reply arrives in pieces; ``ReplyReader`` hands out each sentence once it
is complete (the next one has begun, or the reply has ended), with its text
cleaned of markers and Markdown, and the numbers it cites.
"""

from __future__ import annotations

import re

from qa.ingest.sentences import split_sentences

# "[1]", "[1, 3]", "[1][2]", "[2-4]"
_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-\u2013]|and)\s*\d+)*)\s*\]")
# Markers a model put after the full stop ("... good. [1] Next") belong to the sentence before.
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*(?:[,;]|[-\u2013]|and)\s*\d+)*\s*\])+)")
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_ENDED = re.compile(r"[.!?][\"'”’)]*\s*$")  # a sentence that ends as sentences do, not one cut off
_MARKDOWN_LEAD = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|#+)\s+")


def cited_numbers(sentence: str) -> tuple[int, ...]:
    """The quote numbers a sentence's markers give, in order, each once ('[2-4]' gives 2, 3, 4)."""
    out: list[int] = []
    for marker in _MARKER.finditer(sentence):
        for part in re.split(r"\s*(?:[,;]|and)\s*", marker.group(1)):
            ends = [int(x) for x in re.split(r"\s*[-\u2013]\s*", part) if x.strip().isdigit()]
            if len(ends) == 2 and 0 <= ends[1] - ends[0] < 20:
                out += range(ends[0], ends[1] + 1)
            else:
                out += ends
    return tuple(dict.fromkeys(out))


def sentence_text(sentence: str) -> str:
    """The sentence without its markers, Markdown emphasis or list bullet, on one line."""
    text = _MARKER.sub("", sentence)
    text = _MARKDOWN_LEAD.sub("", text).replace("**", "").replace("__", "")
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def _normalised(reply: str) -> str:
    reply = _THINKING.sub("", reply)
    return _MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", reply)


class ReplyReader:
    """Collects a streamed reply and returns each sentence once it is complete."""

    def __init__(self) -> None:
        self.text = ""
        self._done = 0  # sentences already handed out

    def add(self, piece: str) -> list[str]:
        """Take the next piece of the reply; return the sentences it completed."""
        self.text += piece
        return self._sentences(final=False)

    def finish(self) -> list[str]:
        """The reply has ended: return the sentences not yet handed out."""
        return self._sentences(final=True)

    def cut(self) -> list[str]:
        """The reply was cut off (too slow, connection lost): the complete sentences not yet handed out,
        without a last one that stops mid-way (it could end before its "not")."""
        if "<think>" in self.text.lower() and "</think>" not in self.text.lower():
            return []
        ready = self._sentences(final=True)
        if ready and not _ENDED.search(ready[-1]):
            ready = ready[:-1]
        return ready

    def _sentences(self, final: bool) -> list[str]:
        text = _normalised(self.text)
        if not final and "<think>" in self.text.lower() and "</think>" not in self.text.lower():
            return []  # still thinking aloud: nothing of it is an answer
        spans = split_sentences(text)
        if not final:
            # The last sentence may still grow, and one ending "... good." may yet get its "[1]".
            spans = spans[:-1]
            if spans and text[spans[-1][1] :].lstrip().startswith("["):
                spans = spans[:-1]
        ready = [text[s:e] for s, e in spans]
        out = [s for s in ready[self._done :] if sentence_text(s)]
        self._done = max(self._done, len(ready))
        return out
