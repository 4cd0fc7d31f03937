"""Figures for the written-answer checks (docs/reliability.md, issue 22): how often the instruction
detection flags ordinary sentences, and how sentences without markers fare checked against every quote.

    python bench/written_checks.py [--reports FOLDER] [FOLDER_OR_FILE ...]

Prints, for the default corpus and each path given (text, PDF, DOCX, HTML; or a SQuAD-style .json),
how many sentences read as instructions; then the calibration table (tests/support_table.py) run
without markers against all its quotes at once, with the packaged embedding model (its rows over a
real report too when the dev-real reports are found: ../shared/eval/dev-real/docs, or --reports).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from qa.answer.vocabulary import reads_as_instruction  # noqa: E402
from qa.ingest.sentences import split_sentences  # noqa: E402


def texts_of(path: Path) -> list[str]:
    """The texts a path holds: a SQuAD-style JSON's paragraphs, a folder's documents, or one document."""
    if path.is_dir():
        return [t for f in sorted(path.iterdir()) if f.is_file() and not f.name.startswith(".") for t in texts_of(f)]
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "data" in data:
            return list(dict.fromkeys(p["context"] for a in data["data"] for p in a["paragraphs"]))
        return []
    from qa.ingest.readers import SUPPORTED_SUFFIXES, read_file

    return [read_file(path, 50 * 1024 * 1024).text] if path.suffix.lower() in SUPPORTED_SUFFIXES else []


def flagged(texts: list[str]) -> tuple[int, int, list[str]]:
    """Sentences that read as instructions, of all sentences, and the first few of them."""
    total, hits = 0, []
    for text in texts:
        for start, end in split_sentences(text):
            total += 1
            if reads_as_instruction(text[start:end]):
                hits.append(" ".join(text[start:end].split()))
    return len(hits), total, hits[:5]


def main(argv: list[str]) -> int:
    import test_support

    if argv[:1] == ["--reports"]:
        test_support.REPORTS, argv = Path(argv[1]), argv[2:]
    for path in [ROOT / "corpus", *map(Path, argv)]:
        hits, total, examples = flagged(texts_of(path))
        print(f"{path}: {hits} of {total:,} sentences read as instructions")
        for example in examples:
            print(f"    {example[:160]}")
    from qa.embed.base import load_embedder
    from qa.settings import Settings
    from support_table import REPORT_ROWS, ROWS

    rows = ROWS + (REPORT_ROWS if test_support.REPORTS.is_dir() else [])
    checker, number = test_support.pooled_checker(rows, load_embedder(Settings().model).embed_queries)
    kept = own = accepted = 0
    good = [r for r in rows if r.supported]
    changed = [r for r in rows if not r.supported and r.kind != "citation"]
    for row in good:
        verdict = checker.attribute(row.sentence)
        kept += verdict.supported
        own += verdict.supported and set(verdict.quotes) <= {number[q] for q in row.quotes}
    for row in changed:
        accepted += checker.attribute(row.sentence).supported
    print(
        f"without markers, against all {len(number)} quotes of the table: {kept} of {len(good)} supported sentences kept "
        f"({own} cited to their own quote), {accepted} of {len(changed)} changed sentences accepted"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
