"""Render the reliability figures the test suite records into the tables of docs/reliability.md.

The fault, fuzz, hostile-input, guard, app-hostile and load tests call :func:`record` with what
they tried and measured; the figures land in ``tests/artifacts/reliability.json``
(git-ignored). This script runs nothing heavy itself: it only turns that JSON
into Markdown. Regenerate with::

    python -m pytest -q tests/test_faults.py tests/test_fuzz_loaders.py tests/test_hostile.py \\
        tests/test_security_defaults.py tests/test_guard.py tests/test_app_hostile.py tests/test_app_load.py \\
        tests/test_ingest.py tests/test_cli.py
    python bench/reliability_report.py            # prints the tables
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ARTIFACT = Path(__file__).resolve().parents[1] / "tests" / "artifacts" / "reliability.json"


def record(section: str, key: str, value: dict[str, Any], path: Path = ARTIFACT) -> None:
    """Store one measurement under ``section``/``key``, replacing an older one; written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = read(path)
    data.setdefault(section, {})[key] = dict(value, recorded=time.strftime("%Y-%m-%d %H:%M:%S"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read(path: Path = ARTIFACT) -> dict[str, dict[str, dict[str, Any]]]:
    """The recorded figures, or an empty dict when no test has run yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# Each section: a title, its columns, and the recorded field behind each column.
SECTIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "kill",
        "SIGKILL during `qa ingest` (real model)",
        [
            ("kill point", "point"),
            ("killed after (s)", "killed_after_s"),
            ("ingest had finished", "finished_before_kill"),
            (".partial left behind", "partial_left"),
            ("old index opens and answers", "old_index_answers"),
            ("next ingest (s)", "next_ingest_s"),
            ("next ingest has new file", "next_has_new_file"),
            ("worker exited", "worker_exited"),
        ],
    ),
    (
        "corruption",
        "Damaged index files",
        [
            ("damage", "damage"),
            ("error", "error"),
            ("names file", "names_file"),
            ("says `qa ingest --rebuild`", "names_fix"),
            ("CLI exit", "cli_exit"),
            ("traceback", "traceback"),
        ],
    ),
    (
        "pointers",
        "Damaged index pointers and manifests, repaired by a plain `qa ingest`",
        [
            ("damage", "damage"),
            ("`qa ask` exit", "ask_exit"),
            ("one line with the fix", "one_line_fix"),
            ("traceback", "traceback"),
            ("plain `qa ingest` exit", "ingest_exit"),
            ("builds left", "builds_left"),
            ("answers afterwards", "answers_after"),
        ],
    ),
    (
        "names",
        "Odd file names, links and terminal output",
        [("case", "case"), ("outcome", "outcome"), ("figure", "figure")],
    ),
    (
        "serving",
        "Ingest while serving (library level)",
        [
            ("case", "case"),
            ("questions answered", "questions"),
            ("errors", "errors"),
            ("new document seen after swap", "saw_new_document"),
            ("ingest (s)", "ingest_s"),
        ],
    ),
    (
        "fuzz",
        "Loader fuzzing (hypothesis, `read_file` in-process)",
        [
            ("type", "type"),
            ("strategy", "strategy"),
            ("examples", "examples"),
            ("loaded", "loaded"),
            ("skipped (LoadError)", "skipped"),
            ("other exceptions", "crashes"),
            ("slowest (s)", "slowest_s"),
        ],
    ),
    (
        "guard",
        "Per-file limits (`qa.guard`)",
        [("case", "case"), ("outcome", "outcome"), ("figure", "figure")],
    ),
    (
        "hostile_documents",
        "Hostile documents through `ingest`",
        [("document", "document"), ("size", "size"), ("outcome", "outcome"), ("ingest (s)", "seconds")],
    ),
    (
        "hostile_questions",
        "Hostile questions",
        [
            ("question", "question"),
            ("length", "length"),
            ("`Assistant.ask`", "api"),
            ("`qa ask` exit", "cli_exit"),
            ("traceback", "traceback"),
        ],
    ),
    (
        "security",
        "Security defaults",
        [("check", "check"), ("result", "result")],
    ),
    (
        "uploads",
        "Hostile uploads through the app (HTTP, as the browser sends them)",
        [
            ("case", "case"),
            ("sent", "sent"),
            ("outcome", "outcome"),
            ("stored as", "stored"),
            ("written outside the upload folder", "outside"),
            ("indexed documents kept", "kept"),
        ],
    ),
    (
        "escaping",
        "Document markup in the app's HTML",
        [("case", "case"), ("rendered by", "renderers"), ("outcome", "outcome")],
    ),
    (
        "round2",
        "Hardening, round 2 (issue 22)",
        [("fault", "fault"), ("case", "case"), ("outcome", "outcome"), ("figure", "figure")],
    ),
    (
        "load",
        "Load: concurrent users on the `/answer` API (real model, loopback)",
        [("measure", "measure"), ("value", "value")],
    ),
]


def render(data: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The Markdown tables for every recorded section, in a fixed order."""
    out: list[str] = []
    for section, title, columns in SECTIONS:
        rows = data.get(section)
        if not rows:
            continue
        out.append(f"### {title}\n")
        ordered = sorted(rows.values(), key=lambda r: (r.get("order", 0), str(r.get(columns[0][1], ""))))
        out.append(_table([c for c, _ in columns], [[r.get(f, "") for _, f in columns] for r in ordered]))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the tables (or write them to --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ARTIFACT, help=f"recorded figures (default {ARTIFACT})")
    parser.add_argument("--out", type=Path, help="write the Markdown here instead of printing it")
    args = parser.parse_args(argv)
    data = read(args.json)
    if not data:
        print(
            f"No figures in {args.json}; run the reliability tests first (see this script's docstring).",
            file=sys.stderr,
        )
        return 1
    text = render(data)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
