"""The `qa` command: ingest, ask, documents, eval, text and serve, as thin wrappers over the library."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import json
import logging
import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from qa.errors import QAError

if TYPE_CHECKING:
    from qa.types import Answer

EXIT_INTERRUPTED = 130

# Characters that move the cursor, recolour or re-order a terminal line: C0 and C1 controls, DEL, bidirectional
# overrides and isolates, line and paragraph separators, and lone surrogates (undecodable bytes of a file name).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_IN_TEXT = re.compile(f"[{_UNSAFE}]")  # newlines and tabs kept
_UNSAFE_IN_LINE = re.compile(f"[\\t\\n{_UNSAFE}]")
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def terminal_safe(text: str, one_line: bool = False) -> str:
    """``text`` with control characters shown as escapes (``\\r``, ``\\x1b``) so it cannot rewrite the terminal.

    ``one_line`` escapes newlines and tabs too, for file names, titles and messages.
    """
    return (_UNSAFE_IN_LINE if one_line else _UNSAFE_IN_TEXT).sub(_escape_char, text)


def json_safe(text: str) -> str:
    """Serialised JSON with the characters a terminal would act on written as \\u escapes (same data once parsed)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _say(text: str) -> None:
    """Print to stdout with control characters escaped (fields that must stay on one line are escaped before)."""
    print(terminal_safe(text), flush=True)


def _error(message: object) -> None:
    """Print an error as one line on stderr, control characters and newlines escaped."""
    print(f"error: {terminal_safe(str(message), one_line=True)}", file=sys.stderr, flush=True)


class _SafeFormatter(logging.Formatter):
    """Warnings name files; a name must not be able to rewrite the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record), one_line=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code. Errors are messages, never tracebacks."""
    parser = _parser()
    args = _parse(parser, argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("warning: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    for stream in (sys.stdout, sys.stderr):  # a character the terminal cannot show is escaped, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return args.run(args)
    except QAError as exc:
        _error(exc)
        return exc.exit_code
    except ValidationError as exc:  # a bad QA_* environment value
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        _error(f"invalid setting ({problems}). Check the QA_* environment variables.")
        return 2
    except OSError as exc:  # e.g. the port is already in use
        _error(f"{exc.strerror or exc}.")
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if os.environ.get("QA_DEBUG"):
            traceback.print_exc()
        _error(f"unexpected failure ({type(exc).__name__}: {exc}). Set QA_DEBUG=1 for details.")
        return 1


def _settings(args: argparse.Namespace):
    from qa.settings import Settings

    overrides = {}
    if getattr(args, "writer", None):
        overrides["writer"] = args.writer
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    return Settings(**overrides)


def _assistant(args: argparse.Namespace):
    from qa.assistant import Assistant

    return Assistant(_settings(args))


def _run_ingest(args: argparse.Namespace) -> int:
    from tqdm.contrib.logging import logging_redirect_tqdm

    from qa.ingest.pipeline import check_corpus_dir
    from qa.library.documents import recover_interrupted

    assistant = _assistant(args)
    check_corpus_dir(assistant.settings.corpus_dir)  # before the model takes its time to load
    assistant.check_store()
    for line in recover_interrupted(assistant):  # Library changes a crash cut short, finished or rolled back
        _say(line)
    # Warnings (each skipped file, once) print above the progress bars rather than through them.
    with contextlib.nullcontext() if args.quiet else logging_redirect_tqdm():
        report = assistant.ingest(rebuild=args.rebuild, progress=not args.quiet)
    _say(report.summary())
    return 0


def _run_ask(args: argparse.Namespace) -> int:
    from qa.answer.question import validate_question
    from qa.assistant import make_filters
    from qa.conversation import retrieval_query
    from qa.library.spelling import suggestion
    from qa.render.text import render_answer_text

    assistant = _assistant(args)
    valid = []
    status = 0
    for question in args.questions:
        try:
            validate_question(question, assistant.settings.answer)
            valid.append(question)
        except QAError as exc:
            _error(exc)
            status = exc.exit_code
    filters = make_filters(args.source or (), args.since, args.until)
    if args.k is not None and args.k < 1:
        _error(f"--k must be at least 1, got {args.k}.")
        return 2
    writing = assistant.settings.writer != "extractive" and not args.json
    history: list[str] = []  # with --follow-up, the questions are one conversation
    for question in valid:
        if writing:  # a language model can take a while: say what is happening
            print(f"Writing the answer with {assistant.settings.llm.model}…", file=sys.stderr, flush=True)
        earlier = history if args.follow_up else []
        answer = assistant.ask(question, filters=filters, k=args.k, history=earlier)
        searched = retrieval_query(question.strip(), earlier)
        searched_for = searched if searched != question.strip() else None
        history.append(question)
        if args.json:
            data = answer.to_dict()
            if args.follow_up:
                data["searched_for"] = searched_for
            _say(json_safe(json.dumps(data, ensure_ascii=False)))
        else:
            shown = terminal_safe(searched_for, one_line=True) if searched_for else None
            tip = suggestion(assistant.index(), question)
            _say(
                render_answer_text(
                    _one_line_fields(answer), searched_for=shown, note=tip and terminal_safe(tip, one_line=True)
                )
            )
    return status


def _one_line_fields(answer: Answer) -> Answer:
    """The answer with its question, file names and titles escaped to one line each, ready to render."""
    safe = lambda text: terminal_safe(text, one_line=True)  # noqa: E731
    citations = [dataclasses.replace(c, source=safe(c.source), title=safe(c.title or "")) for c in answer.citations]
    return dataclasses.replace(answer, question=safe(answer.question), citations=citations)


def _run_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import evaluate_file

    assistant = _assistant(args)
    report = evaluate_file(assistant, Path(args.file))
    _say(json_safe(json.dumps(report.to_dict(), ensure_ascii=False, indent=2)) if args.json else report.summary())
    return 0


def _run_documents(args: argparse.Namespace) -> int:
    from qa.index.backend import make_backend
    from qa.library.documents import document_rows

    settings = _settings(args)
    rows = document_rows(make_backend(settings).open(), settings.corpus_dir, " ".join(args.words))
    rows.sort(key=lambda r: r.source)
    if args.json:
        for r in rows:
            data = {
                "source": r.source,
                "title": r.title,
                "date": r.date,
                "type": r.kind,
                "publisher": r.publisher,
                "pages": r.pages,
                "passages": r.passages,
                "added": r.added or None,
            }
            _say(json_safe(json.dumps(data, ensure_ascii=False)))
        return 0
    safe = lambda text: terminal_safe(text or "", one_line=True)  # noqa: E731
    for r in rows:
        pages = f"{r.pages} pages, " if r.pages else ""
        _say(
            f"{safe(r.source)}\n    {safe(r.title)}\n    {r.date or 'undated'} | {safe(r.kind) or 'no type'} | "
            f"{pages}{r.passages} passages"
        )
    _say(f"{len(rows)} document{'s' if len(rows) != 1 else ''}")
    return 0


def _run_verdicts_export(args: argparse.Namespace) -> int:
    from qa.library.conversations import conversations_folder
    from qa.library.verdicts import VerdictStore, export_questions

    report = export_questions(VerdictStore(conversations_folder(_settings(args))), Path(args.file))
    _say(terminal_safe(report.summary(Path(args.file)), one_line=True))
    return 0


def _run_audit_export(args: argparse.Namespace) -> int:
    from qa.library.audit import audit_log

    written = audit_log(_settings(args)).export_csv(Path(args.file))
    _say(terminal_safe(f"Wrote {written} audit log entries to {args.file}.", one_line=True))
    return 0


def _run_text(args: argparse.Namespace) -> int:
    from qa.ingest.text import document_text

    text = document_text(_settings(args), args.file)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))  # exactly the text offsets count in
    sys.stdout.buffer.flush()
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    from qa.app.server import serve

    settings = _settings(args)
    if args.host:
        settings = settings.updated(app__host=args.host)
    if args.port is not None:
        settings = settings.updated(app__port=args.port)
    serve(settings, ingest_first=args.ingest)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean ...?" for a mistyped subcommand (Python 3.11's argparse has no suggestions)."""

    def error(self, message: str):
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            near = difflib.get_close_matches(match.group(1), choices, n=1, cutoff=0.5)
            if near:
                message += f"; did you mean {near[0]}?"
        super().error(message)


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; an unknown option is reported with its subcommand's usage and the nearest option."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        sub = parser._subparsers._group_actions[0].choices[args.command]  # type: ignore[union-attr]
        if getattr(args, "action", None) and sub._subparsers is not None:  # qa verdicts export ...
            sub = sub._subparsers._group_actions[0].choices[args.action]
        options = [option for action in sub._actions for option in action.option_strings]
        shown = []
        for extra in extras:
            near = (
                difflib.get_close_matches(extra.split("=", 1)[0], options, n=1, cutoff=0.6)
                if extra.startswith("-")
                else []
            )
            shown.append(f"{extra} (did you mean {near[0]}?)" if near else extra)
        sub.error(f"unrecognized arguments: {' '.join(shown)}")
    return args


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qa", description="Cited answers from your document collection, offline.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    p.add_argument(
        "--follow-up",
        action="store_true",
        help="read the questions as one conversation: a follow-up ('and in 2020?') builds on the one before, "
        "and the answer says what was searched for",
    )
    p.add_argument("--k", type=int, help="passages to consider (default from settings)")
    p.add_argument("--source", action="append", metavar="S", help="only this source file (repeatable)")
    p.add_argument("--since", metavar="DATE", help="only documents dated on or after DATE (YYYY[-MM[-DD]])")
    p.add_argument("--until", metavar="DATE", help="only documents dated on or before DATE")
    p.add_argument(
        "--writer",
        choices=("extractive", "llm"),
        help="'llm': a few sentences from a local language model ($QA_LLM__URL), each checked against its quotes, "
        "quotes below (default: $QA_WRITER or extractive)",
    )
    add_index(p)
    p.set_defaults(run=_run_ask)

    p = sub.add_parser("eval", help="score answers against a question file")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    add_index(p)
    p.set_defaults(run=_run_eval)

    p = sub.add_parser("documents", help="list the indexed documents: title, date, type, pages and passages")
    p.add_argument(
        "words", nargs="*", metavar="WORD", help="only documents whose title, file, publisher or type hold every word"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per document, one per line")
    add_index(p)
    p.set_defaults(run=_run_documents)

    p = sub.add_parser("verdicts", help="reviewers' verdicts on citations")
    actions = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    e = actions.add_parser(
        "export",
        help="write the verdicts as a question file (the format qa eval reads): quotes that answer become gold keys, "
        "questions the documents do not answer become unanswerable ones",
    )
    e.add_argument("file", metavar="FILE.jsonl")
    add_index(e)
    e.set_defaults(run=_run_verdicts_export)

    p = sub.add_parser("audit", help="the audit log of questions and changes to the collection")
    actions = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    e = actions.add_parser(
        "export", help="write the audit log as CSV (who, when, what was asked or changed, what was cited)"
    )
    e.add_argument("file", metavar="FILE.csv")
    add_index(e)
    e.set_defaults(run=_run_audit_export)

    p = sub.add_parser(
        "text", help="print the text that citation offsets refer to (the extracted text for PDF, DOCX, HTML)"
    )
    p.add_argument("file", metavar="FILE", help="a source as citations name it, or a path to a document")
    add_index(p)
    p.set_defaults(run=_run_text)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument(
        "--ingest",
        action="store_true",
        help="first bring the index up to date with the corpus folder (incremental: seconds when nothing changed)",
    )
    add_index(p)
    p.set_defaults(run=_run_serve)
    return parser


if __name__ == "__main__":
    sys.exit(main())
