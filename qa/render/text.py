"""Terminal rendering of answers for the CLI."""

from __future__ import annotations

import textwrap

from qa.answer.extractive import format_date
from qa.types import Answer

WIDTH = 100


def render_answer_text(answer: Answer) -> str:
    """The answer, then each citation's source details, for reading in a terminal."""
    lines = [f"Q: {answer.question}", "", *answer.answer.splitlines()]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            page = f", page {c.page}" if c.page else ""
            lines.append(f"[{c.n}] {c.source} | {c.title} | {format_date(c.date)}{page} | characters {c.start}-{c.end}")
    lines.append("")
    return "\n".join(textwrap.fill(line, WIDTH, subsequent_indent="    ") if len(line) > WIDTH else line for line in lines)
