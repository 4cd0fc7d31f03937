"""What the answer judge reads: one text for a candidate sentence with its context.

Training and answering build the pair with this one function, so the judge
always sees a sentence the way it was trained: the sentence first (it is what
is judged), then where it sits, the document's title and the sentence before
it or its list's lead-in. The context is cut before the sentence when the
pair is too long.
"""

from __future__ import annotations

TITLE_WORDS = 16
CONTEXT_WORDS = 32
MAX_TOKENS = 160


def _clip(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def candidate_text(sentence: str, title: str = "", context: str = "") -> str:
    """The judge's second segment: ``sentence`` | title | the sentence before it (or its lead-in)."""
    out = " ".join(sentence.split())
    tail = " | ".join(p for p in (_clip(title, TITLE_WORDS), _clip(context, CONTEXT_WORDS)) if p)
    return f"{out} [SEP] {tail}" if tail else out
