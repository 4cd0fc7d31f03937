"""The fresh evaluation set (eval/fresh) is well formed: questions, gold documents and keys.

The questions are checked always. The documents are not in git (eval/fresh/SOURCES.md says
why and where they come from); where they are present (eval/fresh/docs, else
../shared/eval/fresh/docs) each must match its recorded SHA-256 and every gold key must lie
inside one line of the text the product's readers extract from its document, after the
normalisation `qa eval` applies, so a verbatim quote can contain it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.evaluate import normalise, read_questions
from qa.ingest.readers import read_file

ROOT = Path(__file__).resolve().parents[1]
FRESH = ROOT / "eval" / "fresh"
KINDS = {"single", "multi", "none", "keyword"}
LIMIT = 50 * 1024 * 1024


def _hashes() -> dict[str, str]:
    """File name -> SHA-256, from eval/fresh/SHA256SUMS (`sha256sum` output)."""
    pairs = (line.split(maxsplit=1) for line in (FRESH / "SHA256SUMS").read_text().splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest for digest, name in pairs}


def _docs_dir() -> Path | None:
    for candidate in (FRESH / "docs", ROOT.parent / "shared" / "eval" / "fresh" / "docs"):
        if candidate.is_dir() and any(candidate.iterdir()):
            return candidate
    return None


QUESTIONS = read_questions(FRESH / "questions.jsonl")


def test_questions_are_well_formed():
    ids = [q["id"] for q in QUESTIONS]
    assert ids == [f"f{n:02d}" for n in range(1, len(ids) + 1)], "ids run f01, f02, ... without gaps or repeats"
    assert len(QUESTIONS) >= 64
    documents = _hashes()
    assert len(documents) >= 22
    for q in QUESTIONS:
        assert set(q) == {"id", "question", "answerable", "kind", "min_docs", "gold"}, q["id"]
        assert q["kind"] in KINDS, q["id"]
        assert q["question"].strip(), q["id"]
        assert q["answerable"] == (q["kind"] != "none"), q["id"]
        if q["kind"] == "none":
            assert q["gold"] == [], q["id"]
            continue
        assert q["gold"], q["id"]
        for gold in q["gold"]:
            assert gold["doc"] in documents, f"{q['id']}: {gold['doc']} is not one of the set's documents"
            assert gold["key"] == normalise(gold["key"]) and gold["key"], f"{q['id']}: key not normalised"
        gold_docs = {g["doc"] for g in q["gold"]}
        if q["kind"] == "multi":
            assert 2 <= q["min_docs"] <= len(gold_docs), q["id"]
        else:
            assert q["min_docs"] == 1, q["id"]


def test_every_document_is_a_gold_document():
    """No document is only padding: each one answers at least one question."""
    used = {g["doc"] for q in QUESTIONS for g in q["gold"]}
    assert set(_hashes()) <= used


def test_the_mix_of_kinds():
    counts = {kind: sum(q["kind"] == kind for q in QUESTIONS) for kind in KINDS}
    assert counts["single"] >= 30 and counts["multi"] >= 10 and counts["none"] >= 12 and counts["keyword"] >= 3


@pytest.mark.skipif(_docs_dir() is None, reason="the fresh documents are not present (see eval/fresh/SOURCES.md)")
def test_every_key_is_in_one_line_of_its_document():
    import hashlib

    docs = _docs_dir()
    expected = _hashes()
    for name, digest in expected.items():
        path = docs / name
        assert path.is_file(), f"{name} is missing from {docs}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name} differs from SHA256SUMS"
    lines = {name: [normalise(line) for line in read_file(docs / name, LIMIT).text.splitlines()] for name in expected}
    missing = [
        f"{q['id']}: {g['key']!r} in {g['doc']}"
        for q in QUESTIONS
        for g in q["gold"]
        if not any(g["key"] in line for line in lines[g["doc"]])
    ]
    assert not missing, "gold keys not found within one line of their document's text:\n" + "\n".join(missing)


def test_questions_file_is_plain_jsonl():
    """One JSON object a line, UTF-8, nothing else: what `qa eval` and other tools read."""
    raw = (FRESH / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(raw) == len(QUESTIONS)
    assert all(isinstance(json.loads(line), dict) for line in raw)
