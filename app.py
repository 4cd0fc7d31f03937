"""Start the web app: `python app.py [--host H] [--port P] [--index DIR]`.

The same as `qa serve`: defaults come from Settings (127.0.0.1:7860, ./index),
which also reads QA_APP__HOST, QA_APP__PORT and QA_INDEX_DIR from the
environment, and every error is a one-line message, never a traceback.
"""

from __future__ import annotations

import sys

from qa.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
