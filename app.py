"""Start the web app: `python app.py [--host H] [--port P] [--index DIR]`.

Defaults come from Settings (127.0.0.1:7860, ./index), which also reads
QA_APP__HOST, QA_APP__PORT and QA_INDEX_DIR from the environment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qa.errors import QAError
from qa.settings import Settings
from qa.webapp import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the flags, build the settings and serve the app."""
    parser = argparse.ArgumentParser(description="Serve the cited question-answering app.")
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1, or $QA_APP__HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860, or $QA_APP__PORT)")
    parser.add_argument("--index", metavar="DIR", help="index folder (default ./index, or $QA_INDEX_DIR)")
    args = parser.parse_args(argv)
    settings = Settings(**({"index_dir": Path(args.index)} if args.index else {}))
    if args.host:
        settings.app.host = args.host
    if args.port is not None:
        settings.app.port = args.port
    try:
        serve(settings)
    except QAError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
