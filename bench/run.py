"""Speed benchmarks, reported as ratios to a baseline measured in the same process.

Machines here are noisy, so absolute times mean little. The baseline is the
irreducible work: one forward pass of the embedding model (a question for
query benchmarks, the passages themselves for ingest). Everything else is
reported as a multiple of it.

    python bench/run.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from qa.assistant import Assistant
from qa.embed.base import load_embedder
from qa.settings import Settings

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "What did inspectors say about supervision?",
    "Who was appointed as commissioner for children's services?",
    "What proportion of children in care had a change of social worker?",
    "Which councils were rated outstanding?",
    "What is the council's budget for road maintenance?",
]


def timed(fn, repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    settings = Settings()
    embedder = load_embedder(settings.model)
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    try:
        settings = Settings(corpus_dir=REPO / "corpus", index_dir=work / "index")
        assistant = Assistant(settings, embedder=embedder)

        ingest_s = timed(lambda: assistant.ingest(rebuild=True, progress=False), 1)
        index = assistant.index()
        passages = [c.text for c in index.chunks]
        embed_passages_s = timed(lambda: embedder.embed_passages(passages), 1)
        incremental_s = timed(lambda: assistant.ingest(progress=False), args.repeat)

        assistant.ask(QUESTIONS[0])  # warm caches
        embed_query_s = statistics.median(timed(lambda q=q: embedder.embed_queries([q]), args.repeat) for q in QUESTIONS)
        search_s = statistics.median(timed(lambda q=q: assistant.search(q), args.repeat) for q in QUESTIONS)
        ask_s = statistics.median(timed(lambda q=q: assistant.ask(q), args.repeat) for q in QUESTIONS)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = {
        "baseline_query_embedding_ms": round(embed_query_s * 1000, 2),
        "search_over_baseline": round(search_s / embed_query_s, 2),
        "ask_over_baseline": round(ask_s / embed_query_s, 2),
        "baseline_passage_embedding_s": round(embed_passages_s, 3),
        "full_ingest_over_baseline": round(ingest_s / embed_passages_s, 2),
        "unchanged_ingest_over_full_ingest": round(incremental_s / ingest_s, 3),
        "chunks": len(passages),
        "sentences": len(index.sentences),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
