"""Check the fresh questions against their documents and write ../questions.jsonl.

Run from the project's root: PYTHONPATH=$PWD .venv/bin/python eval/fresh/tools/build.py [--write]
Every key must lie inside one line of its document's extracted text (the text the
product's readers give, which citations count in) after normalisation; keys that
also occur in other documents of the set are listed (a warning, not an error).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qa.evaluate import normalise
from qa.ingest.readers import read_file

HERE = Path(__file__).resolve().parent
FRESH = HERE.parent
sys.path.insert(0, str(HERE))
from spec import DOCS, QUESTIONS  # noqa: E402

LIMIT = 50 * 1024 * 1024


def main(write: bool) -> int:
    texts = {name: read_file(FRESH / "docs" / name, LIMIT).text for name in DOCS.values()}
    lines = {name: [normalise(line) for line in text.splitlines()] for name, text in texts.items()}
    whole = {name: normalise(text) for name, text in texts.items()}
    problems, rows = [], []
    for number, (question, kind, min_docs, gold) in enumerate(QUESTIONS, 1):
        qid = f"f{number:02d}"
        entries = []
        for alias, key in gold:
            doc, key = DOCS[alias], normalise(key)
            if not any(key in line for line in lines[doc]):
                where = "elsewhere in the text (across a line break)" if key in whole[doc] else "nowhere"
                problems.append(f"{qid}: key not within one line of {doc} ({where}): {key!r}")
            others = [d for d in whole if d != doc and key in whole[d] and d not in {DOCS[a] for a, _ in gold}]
            if others:
                print(f"warning {qid}: key also in {', '.join(others)}: {key!r}")
            entries.append({"doc": doc, "key": key})
        if kind == "multi" and len({e["doc"] for e in entries}) < min_docs:
            problems.append(f"{qid}: multi question with fewer gold documents than min_docs")
        rows.append(
            {
                "id": qid,
                "question": question,
                "answerable": kind != "none",
                "kind": kind,
                "min_docs": min_docs,
                "gold": entries,
            }
        )
    for p in problems:
        print(p)
    if problems:
        return 1
    if write:
        with open(FRESH / "questions.jsonl", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"wrote {len(rows)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main("--write" in sys.argv[1:]))
