"""The `qa` command: ingest, ask, eval and serve, as thin wrappers over the library."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path

from pydantic import ValidationError

from qa.errors import QAError

EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code. Errors are messages, never tracebacks."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        return args.run(args)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:  # a bad QA_* environment value
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        print(f"error: invalid setting ({problems}). Check the QA_* environment variables.", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the port is already in use
        print(f"error: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if os.environ.get("QA_DEBUG"):
            traceback.print_exc()
        print(f"error: unexpected failure ({type(exc).__name__}: {exc}). Set QA_DEBUG=1 for details.", file=sys.stderr)
        return 1


def _settings(args: argparse.Namespace):
    from qa.settings import Settings

    overrides = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    return Settings(**overrides)


def _assistant(args: argparse.Namespace):
    from qa.assistant import Assistant

    return Assistant(_settings(args))


def _run_ingest(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    report = assistant.ingest(rebuild=args.rebuild, progress=not args.quiet)
    for source, reason in report.skipped.items():
        print(f"skipped {source}: {reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _run_ask(args: argparse.Namespace) -> int:
    from qa.answer.extractive import validate_question
    from qa.assistant import make_filters
    from qa.render.text import render_answer_text

    assistant = _assistant(args)
    valid = []
    status = 0
    for question in args.questions:
        try:
            validate_question(question, assistant.settings.answer)
            valid.append(question)
        except QAError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = exc.exit_code
    filters = make_filters(args.source or (), args.since, args.until)
    if args.k is not None and args.k < 1:
        print(f"error: --k must be at least 1, got {args.k}.", file=sys.stderr)
        return 2
    for question in valid:
        answer = assistant.ask(question, filters=filters, k=args.k)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(render_answer_text(answer), flush=True)
    return status


def _run_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import EvalReport, read_questions, score_answer

    assistant = _assistant(args)
    rows = read_questions(Path(args.file))
    results = [score_answer(row, assistant.ask(row["question"])) for row in rows]
    report = EvalReport(results)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.summary())
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    from qa.app.server import serve

    settings = _settings(args)
    if args.host:
        settings.app.host = args.host
    if args.port is not None:
        settings.app.port = args.port
    serve(settings)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Cited answers from your document collection, offline.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_index(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", metavar="DIR", help="index folder (default: $QA_INDEX_DIR or ./index)")

    p = sub.add_parser("ingest", help="build or update the index from a corpus folder")
    p.add_argument("corpus", nargs="?", metavar="DIR", help="corpus folder (default: $QA_CORPUS_DIR or ./corpus)")
    p.add_argument("--rebuild", action="store_true", help="ignore the existing index and build from scratch")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_index(p)
    p.set_defaults(run=_run_ingest)

    p = sub.add_parser("ask", help="answer one or more questions with citations")
    p.add_argument("questions", nargs="+", metavar="QUESTION")
    p.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    p.add_argument("--k", type=int, help="passages to consider (default from settings)")
    p.add_argument("--source", action="append", metavar="S", help="only this source file (repeatable)")
    p.add_argument("--since", metavar="DATE", help="only documents dated on or after DATE (YYYY[-MM[-DD]])")
    p.add_argument("--until", metavar="DATE", help="only documents dated on or before DATE")
    add_index(p)
    p.set_defaults(run=_run_ask)

    p = sub.add_parser("eval", help="score answers against a question file")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    add_index(p)
    p.set_defaults(run=_run_eval)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    add_index(p)
    p.set_defaults(run=_run_serve)
    return parser


if __name__ == "__main__":
    sys.exit(main())
