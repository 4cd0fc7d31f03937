"""Conversations: how a follow-up question is read in the light of the questions before it."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A follow-up leans on the question before it: it is short and opens like "and ...", "what about ...",
# or refers back with a pronoun ("what did they say ...").
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|what of|then|so|or|in that case|same)\b|\b(it|its|they|them|their)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 8


def is_follow_up(question: str) -> bool:
    """True when a question only makes sense after the one before it."""
    return len(question.split()) <= FOLLOW_UP_MAX_WORDS and bool(_FOLLOW_UP.search(question))


def retrieval_query(question: str, history: Sequence[str] = ()) -> str:
    """What to search for: a follow-up is joined to the last earlier question that stood on its own.

    ``history`` holds the earlier questions of the conversation, as asked.
    """
    if not is_follow_up(question):
        return question
    for earlier in reversed(history):
        if earlier.strip() and not is_follow_up(earlier):
            return f"{earlier.strip()} {question}"
    return question
