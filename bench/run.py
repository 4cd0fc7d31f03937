"""`make bench`: quality against peers, speed and memory as ratios, and scaling, in one run on one machine.

Writes ``bench/results/results.json``, ``bench/results/report.md`` and PNG plots.
Times are shown beside a baseline measured in the same run (bare ``model.encode``
of the same texts, one query embedding, exact search), since a shared machine
makes absolute times noisy.

    python bench/run.py                       # everything: SciFact (full), dev-real, scaling 10k/100k/1M
    python bench/run.py --smoke               # minutes: small SciFact subset, dev-real, scaling at 2k
    python bench/run.py --sizes 10000,100000 --scifact-docs 600 --scifact-queries 150
    python bench/run.py --only scaling        # one section; the others are kept from results.json
    python bench/run.py --only scifact --scifact-cost-docs 600   # quality on all of SciFact, ingest cost on 600
    python bench/run.py --only scaling --merge /tmp/run2/results.json   # take another run's scaling sizes, measure nothing
    python bench/run.py --only answer-time --answer-sizes 500,5000,50000   # answer time against collection size

``--only`` reruns the named sections into the existing ``--out/results.json``
(the other sections are kept as they were) and regenerates the whole report;
every section records when and under what conditions it was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, log  # noqa: E402

SECTIONS = ("scifact", "dev-real", "scaling", "postgres", "answer-time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes: checks the harness, not the figures")
    parser.add_argument("--only", help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--sizes", help="scaling sizes in passages, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--scifact-docs", type=int, help="a SciFact subset of N abstracts (default: all 5,183)")
    parser.add_argument("--scifact-queries", type=int, help="only the first N SciFact test claims (default: all 300)")
    parser.add_argument(
        "--scifact-cost-docs",
        type=int,
        help="measure SciFact's ingest cost (against bare encoding and LangChain) on a subset of N abstracts, "
        "while quality and query speed use the corpus --scifact-docs names (default: the same corpus)",
    )
    parser.add_argument(
        "--reuse-builds",
        action="store_true",
        help="scaling: reopen and query the builds a previous run left in --work instead of building again",
    )
    parser.add_argument(
        "--merge",
        type=Path,
        action="append",
        default=[],
        help="instead of measuring, take the --only sections from another run's results.json (scaling: size by size; "
        "repeat to merge several, later ones win) and rewrite the report",
    )
    parser.add_argument(
        "--answer-sizes", help="answer-time sizes in documents, comma-separated (default 500,5000,50000)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the report, plots and results.json")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    args.command = " ".join(sys.argv[1:] if argv is None else argv)

    only = set((args.only or ",".join(SECTIONS)).split(","))
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    if args.smoke:
        sizes = [int(s) for s in (args.sizes or "2000").split(",")]
        scifact_docs, scifact_queries = args.scifact_docs or 60, args.scifact_queries or 8
        cost_docs = args.scifact_cost_docs
    else:
        sizes = [int(s) for s in (args.sizes or "10000,100000,1000000").split(",")]
        scifact_docs, scifact_queries = args.scifact_docs, args.scifact_queries
        cost_docs = args.scifact_cost_docs
    if cost_docs is not None and scifact_docs is not None and cost_docs >= scifact_docs:
        cost_docs = None  # the subset would be the whole corpus: measure cost on it, once

    args.out.mkdir(parents=True, exist_ok=True)
    results_file = args.out / "results.json"
    try:
        results = json.loads(results_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    if args.merge:
        for path in args.merge:
            other = json.loads(path.read_text(encoding="utf-8"))
            for section in sorted(only & set(other)):
                if section == "scaling":
                    results["scaling"] = {**(results.get("scaling") or {}), **other["scaling"]}
                else:
                    results[section] = other[section]
                log(f"merged {section} from {path}")
        _save(results_file, results)
        from bench import report

        report.write(results, args.out, smoke=args.smoke)
        log(f"wrote {args.out / 'report.md'}")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="qa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        from bench import corpora, quality, scaling

        if "scifact" in only:
            run = conditions(args)
            corpus = corpora.scifact(work / "scifact", scifact_docs, scifact_queries)
            section = quality.measure(corpus, work / "scifact", smoke=args.smoke, cost=cost_docs is None)
            if cost_docs is not None:
                cost_corpus = corpora.scifact(work / "scifact-cost", cost_docs, COST_QUERIES)
                section["cost"] = quality.measure_cost(cost_corpus, work / "scifact-cost")
            results["scifact"] = dict(section, run=finished(run))
            _save(results_file, results)
        if "dev-real" in only:
            run = conditions(args)
            corpus = corpora.dev_real(work / "dev-real")
            results["dev-real"] = dict(quality.measure(corpus, work / "dev-real", smoke=args.smoke), run=finished(run))
            _save(results_file, results)
        if "scaling" in only:
            # Sizes measured now replace the same sizes from before; other sizes are kept, each with its own run line.
            previous = {n: f for n, f in (results.get("scaling") or {}).items() if n not in {str(s) for s in sizes}}
            for size in sizes:
                run = conditions(args)
                figures = scaling.measure(
                    [size],
                    work / "scaling",
                    keep=args.work is not None,
                    reuse=args.reuse_builds,
                    previous=results.get("scaling"),
                )[str(size)]
                previous[str(size)] = dict(figures, run=finished(run))
                results["scaling"] = previous
                _save(results_file, results)
        if "answer-time" in only:
            from bench import answer_time

            run = conditions(args)
            default = "200,1000" if args.smoke else ",".join(str(s) for s in answer_time.SIZES)
            answer_sizes = [int(s) for s in (args.answer_sizes or default).split(",")]
            section = {"run": finished(run), "sizes": answer_time.measure(answer_sizes, work / "answer-time")}
            results["answer-time"] = section
            (args.out / "answer_time.md").write_text(answer_time.report(section), encoding="utf-8")
            _save(results_file, results)
        if "postgres" in only:
            run = conditions(args)
            results["postgres"] = dict(_postgres(args.out, args.smoke), run=finished(run))
            _save(results_file, results)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    from bench import report

    report.write(results, args.out, smoke=args.smoke)
    log(f"wrote {args.out / 'report.md'}")
    return 0


COST_QUERIES = 10  # claims run through the peers on the cost subset (their rankings are not scored there)


def conditions(args: argparse.Namespace) -> dict:
    """When and how a section was measured: date, commit, machine, load, the command's options."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    options = getattr(args, "command", "")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit + ("+changes" if dirty else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_start": round(os.getloadavg()[0], 1),
        "options": options,
        "smoke": bool(args.smoke),
    }


def finished(run: dict) -> dict:
    """``run`` with the load average at the section's end (the machine is shared: load says how noisy times are)."""
    return dict(run, load_end=round(os.getloadavg()[0], 1))


def _postgres(out: Path, smoke: bool) -> dict:
    """Run bench/postgres.py (the PostgreSQL comparison) when its extra is installed; say why not otherwise."""
    script = ROOT / "bench" / "postgres.py"
    if not script.is_file():
        log("postgres: skipped (bench/postgres.py is not in this checkout)")
        return {"ran": False, "reason": "bench/postgres.py is not in this checkout"}
    try:
        import psycopg  # noqa: F401
    except ImportError:
        log("postgres: skipped (the postgres extra is not installed: pip install -e '.[postgres]')")
        return {"ran": False, "reason": "the postgres extra is not installed (pip install -e '.[postgres]')"}
    if smoke:
        log("postgres: skipped in a smoke run (it needs a database server)")
        return {"ran": False, "reason": "skipped in a smoke run"}
    import subprocess

    command = [sys.executable, str(script)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        log(f"postgres: bench/postgres.py exited with {done.returncode}")
        return {"ran": False, "reason": f"bench/postgres.py exited with {done.returncode}"}
    return {"ran": True, "report": "postgres.md"}


def _save(path: Path, results: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
