"""The two judged corpora: BEIR SciFact and the dev-real Ofsted PDFs, as files to ingest plus queries and qrels."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import SHARED


@dataclass
class Corpus:
    """Files for ``qa ingest``, the same texts for peers, and judged queries."""

    name: str
    folder: Path  # what `qa ingest` reads
    texts: dict[str, str]  # doc id -> the text every peer indexes (title line first where there is one)
    queries: dict[str, str]  # query id -> text
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: relevance}; only answerable queries
    unanswerable: list[str] = field(default_factory=list)  # query ids the documents do not answer

    def doc_id(self, source: str) -> str:
        """The doc id of one of our sources (a file name in ``folder``)."""
        return Path(source).stem if self.name == "scifact" else source


def scifact(work: Path, docs: int | None = None, queries: int | None = None) -> Corpus:
    """BEIR SciFact: all 5,183 abstracts and 300 test claims, or a subset (the judged abstracts of the first claims, then others)."""
    root = SHARED / "eval" / "scifact"
    qrels: dict[str, dict[str, int]] = {}
    with (root / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            qid, doc, score = line.split()
            qrels.setdefault(qid, {})[doc] = int(score)
    texts_by_q = {}
    with (root / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["_id"] in qrels:
                texts_by_q[row["_id"]] = row["text"]
    ids = sorted(texts_by_q, key=int)[:queries]
    qrels = {q: qrels[q] for q in ids}
    judged = {d for ds in qrels.values() for d in ds}
    texts: dict[str, str] = {}
    with (root / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if docs is None or row["_id"] in judged or len(texts) < docs - len(judged):
                texts[row["_id"]] = f"{row['title']}\n\n{row['text']}"
    folder = work / "corpus"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with (folder / "catalog.csv").open("w", newline="", encoding="utf-8") as out:
        catalog = csv.writer(out)
        catalog.writerow(["file", "title", "publisher", "date"])
        for doc, text in texts.items():
            (folder / f"{doc}.txt").write_text(text + "\n", encoding="utf-8")
            catalog.writerow([f"{doc}.txt", text.split("\n", 1)[0], "", ""])
    return Corpus("scifact", folder, texts, {q: texts_by_q[q] for q in ids}, qrels)


def dev_real(work: Path) -> Corpus:
    """The nine dev-real PDFs and their 40 questions; the peers get the text our PDF reader extracts."""
    from qa.ingest.readers import read_file

    root = SHARED / "eval" / "dev-real"
    folder = work / "corpus"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(root / "docs", folder)
    texts = {p.name: read_file(p, 200 * 1024 * 1024).text for p in sorted(folder.iterdir()) if p.is_file()}
    queries, qrels, unanswerable = {}, {}, []
    for line in (root / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        queries[row["id"]] = row["question"]
        if row.get("answerable", True) and row.get("gold"):
            qrels[row["id"]] = {g["doc"]: 1 for g in row["gold"]}
        else:
            unanswerable.append(row["id"])
    return Corpus("dev-real", folder, texts, queries, qrels, unanswerable)
