"""Conversations: how a follow-up question is read in the light of the questions before it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.scope import names_in
from qa.search.filters import years_named

# A follow-up leans on the question before it: it is short and opens like "and ...", "what about ...",
# or refers back with a pronoun ("what did they say ...").
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|what of|then|so|or|in that case|same)\b|\b(it|its|they|them|their)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 8
# The words a follow-up wraps a new name or year in ("and what about in York?", "and for 2025?"): when
# nothing else is left, the follow-up asks the earlier question again of the new name or year.
_LINKING_WORDS = frozenset(
    "and but also what about how of then so or in that case same for at on by during from the there this year "
    "please".split()
)
# A preposition before a name says which of an earlier question's names a new one stands for ("in York" for "in Gateshead").
_BEFORE_NAME = re.compile(r"(\w+)\s+(?:the\s+)?$", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def is_follow_up(question: str) -> bool:
    """True when a question only makes sense after the one before it."""
    return len(question.split()) <= FOLLOW_UP_MAX_WORDS and bool(_FOLLOW_UP.search(question))


def retrieval_query(question: str, history: Sequence[str] = ()) -> str:
    """What to search for: a follow-up read in the light of the questions before it.

    ``history`` holds the earlier questions of the conversation, as asked. A follow-up that names a new
    organisation or year asks the earlier question of it ("What needs to improve in Gateshead?", then
    "and in York?" searches "What needs to improve in York?"); any other follow-up is joined to the last
    earlier question that stood on its own, as changed by the follow-ups since.
    """
    base: str | None = None
    reading = question
    for asked in [*history, question]:
        asked = asked.strip()
        if not asked:
            continue
        if not is_follow_up(asked):
            base = reading = asked
        elif base is None:
            reading = asked
        elif (moved := _moved_to(base, asked)) is None:
            reading = f"{base} {asked}"
        else:
            base = moved
            reading = moved if _only_names_and_years(asked) else f"{moved} {asked}"
    return reading


def _moved_to(base: str, follow_up: str) -> str | None:
    """``base`` asked of the organisations and years ``follow_up`` newly names; None if it names none that
    ``base`` has a counterpart for."""
    moved = base
    old_years = sorted(years_named(base), key=base.index)
    new_years = sorted(years_named(follow_up) - set(old_years), key=follow_up.index)
    if old_years and new_years:
        moved = re.sub(rf"\b{old_years[-1]}\b", " and ".join(new_years), moved)  # the last year named
    old_names = names_in(base)
    new_names = [n for n in names_in(follow_up) if n not in old_names]
    if old_names and new_names:
        old = _counterpart(base, old_names, _preposition(follow_up, new_names[0]))
        moved = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", " and ".join(new_names), moved, count=1)
    return moved if moved != base else None


def _preposition(text: str, name: str) -> str | None:
    """The word just before ``name`` in ``text`` ("in" in "and in York?"), lower-cased."""
    at = text.find(name)
    match = _BEFORE_NAME.search(text[:at]) if at > 0 else None
    return match.group(1).lower() if match else None


def _counterpart(base: str, names: list[str], preposition: str | None) -> str:
    """The earlier name a new one stands for: the one after the same preposition, else the last one named."""
    if preposition is not None:
        for name in reversed(names):
            if _preposition(base, name) == preposition:
                return name
    return names[-1]


def _only_names_and_years(follow_up: str) -> bool:
    """True when ``follow_up`` holds nothing but new names or years and the words that link them."""
    named = {w.lower() for n in names_in(follow_up) for w in _WORD.findall(n)} | years_named(follow_up)
    return all(w.lower() in _LINKING_WORDS or w.lower() in named for w in _WORD.findall(follow_up))
