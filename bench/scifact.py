"""SciFact (BEIR): does the answer path keep what search finds?

Writes the 5,183 abstracts as text files (title as the first line, and in the
catalog), ingests them once into a work folder, then for each of the 300 test
claims ranks documents two ways: by search (the order documents first appear
among the retrieved passages) and by the answer (documents in citation order,
nothing when it abstains). Reports nDCG@10 and Recall@100 with ir-measures.

    python bench/scifact.py [--work /tmp/scifact] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.assistant import Assistant  # noqa: E402
from qa.settings import Settings  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "eval" / "scifact"


def write_corpus(folder: Path, keep: set[str] | None = None, size: int | None = None) -> None:
    """One .txt per abstract (title line, blank line, abstract) plus a catalog of titles.

    With ``size``, a subset: the abstracts in ``keep`` (the judged ones) and others up to ``size``.
    """
    if (folder / "catalog.csv").is_file():
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as rows, (folder / "catalog.csv").open("w", newline="", encoding="utf-8") as out:
        catalog = csv.writer(out)
        catalog.writerow(["file", "title", "publisher", "date"])
        written = 0
        for line in rows:
            row = json.loads(line)
            if size is not None and row["_id"] not in (keep or set()) and written >= size - len(keep or ()):
                continue
            written += row["_id"] not in (keep or set())
            name = f"{row['_id']}.txt"
            (folder / name).write_text(f"{row['title']}\n\n{row['text']}\n", encoding="utf-8")
            catalog.writerow([name, row["title"], "", ""])


def qrels_and_queries(limit: int | None) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    qrels: dict[str, dict[str, int]] = {}
    with (SCIFACT / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query, doc, score = line.split()
            qrels.setdefault(query, {})[doc] = int(score)
    queries = {}
    with (SCIFACT / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["_id"] in qrels:
                queries[row["_id"]] = row["text"]
    ids = sorted(queries, key=int)[:limit]
    return {q: qrels[q] for q in ids}, {q: queries[q] for q in ids}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/scifact"))
    parser.add_argument("--limit", type=int, help="only the first N test claims")
    parser.add_argument("--docs", type=int, help="a corpus of N abstracts: the judged ones of the claims asked, and others")
    args = parser.parse_args()
    import ir_measures
    from ir_measures import R, nDCG

    qrels, queries = qrels_and_queries(args.limit)
    corpus = args.work / "corpus"
    write_corpus(corpus, {d for docs in qrels.values() for d in docs}, args.docs)
    settings = Settings(corpus_dir=corpus, index_dir=args.work / "index")
    assistant = Assistant(settings)
    started = time.perf_counter()
    print(assistant.ingest(progress=True).summary(), f"({time.perf_counter() - started:.0f} s)", flush=True)
    search_run: dict[str, dict[str, float]] = {}
    answer_run: dict[str, dict[str, float]] = {}
    abstained = 0
    for qid, text in queries.items():
        ranked: dict[str, float] = {}
        for rank, hit in enumerate(assistant.search(text, k=100)):
            doc = Path(hit.chunk.source).stem
            ranked.setdefault(doc, 100.0 - rank)
        search_run[qid] = ranked or {"none": 0.0}
        answer = assistant.ask(text)
        cited: dict[str, float] = {}
        # Citations are numbered in date order; rank the answer's documents by their best quote's score.
        for c in sorted(answer.citations, key=lambda c: -c.score):
            cited.setdefault(Path(c.source).stem, 100.0 - len(cited))
        abstained += not answer.found
        answer_run[qid] = cited or {"none": 0.0}
    metrics = [nDCG @ 10, R @ 100]
    q = [ir_measures.Qrel(qid, doc, rel) for qid, docs in qrels.items() for doc, rel in docs.items()]

    def score(run: dict[str, dict[str, float]]) -> dict[str, float]:
        docs = [ir_measures.ScoredDoc(qid, doc, s) for qid, ranked in run.items() for doc, s in ranked.items()]
        return {str(m): round(float(v), 4) for m, v in ir_measures.calc_aggregate(metrics, q, docs).items()}

    search, answer = score(search_run), score(answer_run)
    report = {
        "queries": len(queries),
        "search": search,
        "answer": answer,
        "answer_abstained": abstained,
        "answer_vs_search_ndcg10": round(answer["nDCG@10"] / search["nDCG@10"], 4) if search["nDCG@10"] else None,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
