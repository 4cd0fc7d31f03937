"""Example questions for the app's landing view, kept with the corpus they are about."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

# Fit any collection of inspection reports, letters and minutes when the corpus names none.
GENERAL_EXAMPLES = (
    "What were the main findings of the inspections?",
    "What concerns did inspectors raise?",
    "What has improved over time?",
    "What actions did the council agree?",
)
MAX_EXAMPLES = 6


def read_examples(path: Path) -> tuple[str, ...]:
    """Questions from a JSON list of strings (``corpus/examples.json``); general ones when absent or unusable."""
    if not path.is_file():
        return GENERAL_EXAMPLES
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("Ignoring %s: %s", path, exc)
        return GENERAL_EXAMPLES
    questions = tuple(q.strip() for q in data if isinstance(q, str) and q.strip()) if isinstance(data, list) else ()
    if not questions:
        log.warning("Ignoring %s: expected a JSON list of question strings.", path)
        return GENERAL_EXAMPLES
    return questions[:MAX_EXAMPLES]
