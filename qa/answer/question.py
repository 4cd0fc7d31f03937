"""Checking a question before any work is done on it."""

from __future__ import annotations

import re

from qa.errors import BadQuestion
from qa.settings import AnswerSettings


def validate_question(question: str, settings: AnswerSettings) -> str:
    """Return the question stripped, or raise BadQuestion saying what is wrong."""
    if not isinstance(question, str):
        raise BadQuestion("The question must be text.")
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
    if not cleaned:
        raise BadQuestion("The question is empty. Ask something about the documents.")
    if len(cleaned) > settings.max_question_chars:
        raise BadQuestion(
            f"The question is {len(cleaned):,} characters long; the limit is {settings.max_question_chars:,}. "
            "Shorten it to the point you want answered."
        )
    if not re.search(r"[^\W_]", cleaned):
        raise BadQuestion("The question has no words in it. Ask something about the documents.")
    return cleaned


_ASKING = re.compile(
    r"^\W*(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|has|have|had|can|could|will|would|"
    r"should|shall|may|might|must|tell|list|describe|explain|summari[sz]e|compare|name|give|show)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """True for a question or request ("What did ...?", "List the ..."), False for a statement or a search phrase."""
    return text.rstrip().endswith("?") or bool(_ASKING.match(text))
