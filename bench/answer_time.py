"""Answer time against collection size: the same questions over 500, 5,000 and 50,000 documents.

Documents are SciFact abstracts (``../shared/eval/scifact/corpus.jsonl``), then
generated reports for the sizes beyond it: "Inspection of <place> children's
services" with sentences drawn from the abstracts and a few naming other places
in their bodies, so that a question's names have documents to point at, in
titles and in bodies. Each size is indexed by the real ingest (files, readers,
chunking, name index, stores) with the test suite's hashing embedder: this
section measures time, not quality. Each size is then opened and asked in a
fresh process: one warm-up question, then every question twice; search
(``Assistant.search``) and the whole answer (``Assistant.ask``) are timed and
reported as p50/p95 and as ratios to one query embedding of the real packaged
model, measured in the same process. Goal: the whole answer's p50 at 50,000
documents at most 1.5 times its p50 at 500.

    python bench/answer_time.py                          # 500, 5,000 and 50,000 documents
    python bench/answer_time.py --sizes 500,2000 --profile   # and a cProfile of the answers at each size
    python bench/answer_time.py --work /tmp/at --reuse    # query the indexes a previous run left in --work

Writes ``bench/results/answer_time.json`` and ``bench/results/answer_time.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, SHARED, log, percentiles, run_child, table  # noqa: E402

SIZES = (500, 5000, 50000)
SCIFACT = Path(
    os.environ.get("QA_BENCH_SCIFACT", SHARED / "eval" / "scifact")
)  # a worktree elsewhere: set QA_BENCH_SCIFACT
CLAIMS = 20  # SciFact claims asked at every size (as statements: checked against every document)
GOAL = 1.5
_PREFIXES = "North South East West Upper Lower Great Little Kings Queens Ash Oak Elm Stone Brook Mill Marsh Cold Red Black".split()
_SUFFIXES = "mere by ford ham ton field wick stead bridge moor dale worth wood hurst combe".split()


def places() -> list[str]:
    """Fictional place names ("Eastmere", "Oakford"), 300 of them."""
    return [p + s for p in _PREFIXES for s in _SUFFIXES]


def write_corpus(size: int, folder: Path, seed: int = 5) -> None:
    """``size`` documents under ``folder``: SciFact abstracts first, then generated reports."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    abstracts = [
        json.loads(line) for line in (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    sentences = [s.strip() + "." for a in abstracts for s in a["text"].split(". ") if len(s.split()) >= 6]
    names = places()
    for n in range(size):
        if n < len(abstracts):
            a = abstracts[n]
            text = f"{a['title']}\n\n{a['text']}\n"
        else:
            place, other = names[n % len(names)], names[int(rng.integers(len(names)))]
            picked = [sentences[int(i)] for i in rng.integers(0, len(sentences), 8)]
            picked.insert(int(rng.integers(2, 8)), f"{place} works with {other} on adoption and fostering.")
            text = (
                f"Inspection of {place} children's services\n\n"
                + " ".join(picked[:4])
                + "\n\n"
                + " ".join(picked[4:])
                + "\n"
            )
        (folder / f"d{n:06d}.txt").write_text(text, encoding="utf-8")


def questions(size: int) -> list[str]:
    """The questions every size is asked: SciFact claims, questions naming places (in titles, in bodies), an unknown name."""
    claims = [
        json.loads(line)["text"]
        for line in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines()[:CLAIMS]
    ]
    named = [f"What did inspectors find about adoption in {p}?" for p in places()[:5]]
    return (
        claims
        + named
        + [
            "How does Eastmere work with Oakford?",
            "What did the study find about Harbourside?",  # no document writes it
            "What is known about the role of T cells in MS?",
        ]
    )


BUILD = """
import json, sys, time
sys.path.insert(0, 'tests')
from pathlib import Path
from fakes import HashingEmbedder
from qa.assistant import Assistant
from qa.settings import Settings
corpus, index = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
report = Assistant(Settings(corpus_dir=corpus, index_dir=index), embedder=HashingEmbedder()).ingest(progress=False)
print(json.dumps({"build_s": time.perf_counter() - started, "documents": report.documents, "passages": report.chunks}))
"""

PROBE = """
import json, sys, time, statistics
sys.path.insert(0, 'tests')
from pathlib import Path
from fakes import HashingEmbedder
from qa.assistant import Assistant
from qa.embed.base import load_embedder
from qa.settings import Settings
corpus, index, asked, profile, rounds = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
settings = Settings(corpus_dir=corpus, index_dir=index)
model = load_embedder(settings.model)
model.embed_queries(["warm up"])
embed = []
assistant = Assistant(settings, embedder=HashingEmbedder())
t = time.perf_counter(); assistant.index(); open_s = time.perf_counter() - t
t = time.perf_counter(); assistant.ask(asked[0]); first_s = time.perf_counter() - t
search, answer, cpu, embed_cpu = [], [], [], []
for _ in range(rounds):
    for q in asked:
        t = time.perf_counter(); assistant.search(q); search.append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time(); assistant.ask(q)
        answer.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time(); model.embed_queries([q])  # beside them, under the same load
        embed.append(time.perf_counter() - t); embed_cpu.append(time.process_time() - c)
top = []
if profile:
    import cProfile, io, pstats
    prof = cProfile.Profile(); prof.enable()
    for q in asked:
        assistant.ask(q)
    prof.disable()
    out = io.StringIO(); pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
    top = out.getvalue().splitlines()
print(json.dumps({"embed": embed, "embed_cpu": embed_cpu, "answer_cpu": cpu, "search": search, "answer": answer, "open_s": open_s, "first_answer_s": first_s, "profile": top}))
"""


def measure(sizes: list[int], work: Path, reuse: bool = False, profile: bool = False, rounds: int = 2) -> dict:
    """Build (unless ``reuse``) and probe each size; figures by size."""
    out: dict[str, dict] = {}
    for size in sizes:
        corpus, index = work / f"corpus-{size}", work / f"index-{size}"
        figures_file = work / f"build-{size}.json"  # the build's figures, for a later --reuse run
        built: dict = json.loads(figures_file.read_text(encoding="utf-8")) if reuse and figures_file.is_file() else {}
        if not (reuse and index.is_dir()):
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(index, ignore_errors=True)
            log(f"answer time: writing {size:,} documents")
            write_corpus(size, corpus)
            log(f"answer time: indexing {size:,} documents (hashing embedder)")
            built = run_child(BUILD, args=[str(corpus), str(index)])
            log(f"answer time: indexed {size:,} documents in {built['wall_s']:.0f} s")
            figures_file.write_text(json.dumps(built), encoding="utf-8")
        asked = questions(size)
        probe = run_child(
            PROBE, args=[str(corpus), str(index), json.dumps(asked), "1" if profile else "0", str(rounds)]
        )
        embed = percentiles(probe["embed"])["p50_ms"]
        figures = {
            "documents": size,
            "passages": built.get("passages"),
            "build_s": built.get("wall_s"),
            "questions": len(asked),
            "rounds": rounds,
            "query_embedding_ms": embed,
            "query_embedding_min_ms": min(probe["embed"]) * 1000,
            "answer_cpu": percentiles(probe["answer_cpu"]),
            "search": percentiles(probe["search"]),
            "answer": percentiles(probe["answer"]),
            "open_s": probe["open_s"],
            "first_answer_s": probe["first_answer_s"],
            "load": round(os.getloadavg()[0], 1),
        }
        _ratios(figures)
        if profile:
            figures["profile"] = probe["profile"]
        out[str(size)] = figures
        log(
            f"answer time: {size:,} documents: answer p50 {figures['answer']['p50_ms']:.0f} ms "
            f"({figures['answer']['p50_x']:.1f}x one query embedding), search p50 {figures['search']['p50_ms']:.0f} ms"
        )
    return out


def _ratios(figures: dict) -> None:
    """Search and answer times as multiples of one query embedding: its fastest run in the probe, since under load its
    median swings far more than the answer's (a model's threads waiting for cores; from 20 ms to 650 ms here)."""
    embed = figures["query_embedding_min_ms"]
    for what in ("search", "answer"):
        figures[what]["p50_x"] = figures[what]["p50_ms"] / embed
        figures[what]["p95_x"] = figures[what]["p95_ms"] / embed


def report(results: dict) -> str:
    """The Markdown page of this section."""
    sizes = sorted(results["sizes"], key=int)
    rows = []
    for size in sizes:
        f = results["sizes"][size]
        rows.append(
            [
                int(size),
                f.get("passages"),
                f["search"]["p50_ms"],
                f["search"]["p95_ms"],
                f["search"]["p50_x"],
                f["search"]["p95_x"],
                f["answer"]["p50_ms"],
                f["answer"]["p95_ms"],
                f["answer"]["p50_x"],
                f["answer"]["p95_x"],
                f["answer_cpu"]["p50_ms"],
                f["query_embedding_min_ms"],
                f["query_embedding_ms"],
                f["open_s"],
                f["first_answer_s"],
                f.get("build_s"),
                f.get("load"),
            ]
        )
    lines = [
        "# Answer time against collection size",
        "",
        f"Run {results['run']['date']} at commit {results['run']['commit']} ({results['run']['machine']}); "
        f"`{results['run'].get('command') or results['run'].get('options')}`. The same {results['sizes'][sizes[0]]['questions']} questions at every size, "
        f"each asked {results['sizes'][sizes[0]].get('rounds', 2)} times; "
        "ratios (x) are to one query embedding of the real packaged model in the same process, its fastest run "
        "(its median swings with the machine's load far more than the answer does). Open: the index's first open in a "
        "fresh process; first answer: the first question after it.",
        "",
        table(
            [
                "documents",
                "passages",
                "search p50 ms",
                "search p95 ms",
                "search p50 x",
                "search p95 x",
                "answer p50 ms",
                "answer p95 ms",
                "answer p50 x",
                "answer p95 x",
                "answer CPU p50 ms",
                "query embedding ms (fastest)",
                "query embedding p50 ms",
                "open s",
                "first answer s",
                "build s",
                "load",
            ],
            rows,
        ),
    ]
    if len(sizes) > 1:
        small, large = results["sizes"][sizes[0]], results["sizes"][sizes[-1]]
        ratio = large["answer"]["p50_x"] / small["answer"]["p50_x"]
        cpu = large["answer_cpu"]["p50_ms"] / small["answer_cpu"]["p50_ms"]
        verdict = "met" if ratio <= GOAL else "missed"
        lines += [
            "",
            f"Goal: the whole answer's p50 at {int(sizes[-1]):,} documents at most {GOAL}x its p50 at {int(sizes[0]):,}: "
            f"{ratio:.2f}x as ratios to the query embedding ({verdict}); {cpu:.2f}x in CPU time "
            f"({'met' if cpu <= GOAL else 'missed'}; the steadier comparison on a shared machine).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="documents, comma-separated")
    parser.add_argument(
        "--work", type=Path, help="scratch folder kept after the run (default: a temporary one, removed)"
    )
    parser.add_argument("--reuse", action="store_true", help="query the indexes a previous run left in --work")
    parser.add_argument("--profile", action="store_true", help="also a cProfile of one round of answers at each size")
    parser.add_argument("--rounds", type=int, default=2, help="times each question is asked (default 2)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--rewrite", action="store_true", help="measure nothing: write the report again from --out's answer_time.json"
    )
    args = parser.parse_args(argv)
    from bench.run import conditions

    if args.rewrite:
        results = json.loads((args.out / "answer_time.json").read_text(encoding="utf-8"))
        for figures in results["sizes"].values():
            _ratios(figures)
        (args.out / "answer_time.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (args.out / "answer_time.md").write_text(report(results), encoding="utf-8")
        return 0
    args.smoke = False
    args.command = " ".join(sys.argv[1:] if argv is None else argv)
    run = conditions(args)
    work = args.work or Path(tempfile.mkdtemp(prefix="qa-answer-time-"))
    try:
        sizes = measure([int(s) for s in args.sizes.split(",")], work, args.reuse, args.profile, args.rounds)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results = {
        "run": dict(
            run,
            command=f"python bench/answer_time.py {args.command}".strip(),
            finished=time.strftime("%Y-%m-%d %H:%M %Z"),
        ),
        "sizes": sizes,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "answer_time.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (args.out / "answer_time.md").write_text(report(results), encoding="utf-8")
    log(f"wrote {args.out / 'answer_time.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
