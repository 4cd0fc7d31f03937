#!/usr/bin/env bash
# Score the checkout on the fresh set: copy its 24 documents to a temporary corpus, index them
# into a temporary index, and run `qa eval` on the questions.
# Run from the project's root: eval/fresh/run.sh [extra qa eval args, e.g. --json]
# The documents are not in git (see SOURCES.md): they are read from eval/fresh/docs/, else
# from ../shared/eval/fresh/docs/, else from $FRESH_DOCS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
qa=${QA_BIN:-$root/.venv/bin/qa}
[ -x "$qa" ] || { echo "no $qa: run make install (or make test) first, or set QA_BIN"; exit 1; }
docs=${FRESH_DOCS:-}
for candidate in "$here/docs" "$root/../shared/eval/fresh/docs"; do
  [ -n "$docs" ] && break
  [ -d "$candidate" ] && docs=$candidate
done
[ -n "$docs" ] && [ -d "$docs" ] || { echo "no documents: put them in $here/docs (see $here/SOURCES.md) or set FRESH_DOCS"; exit 1; }
(cd "$docs" && sha256sum --quiet -c "$here/SHA256SUMS") || { echo "the documents in $docs differ from SHA256SUMS"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$docs"/* "$work/corpus/"
export QA_CORPUS_DIR="$work/corpus" QA_INDEX_DIR="$work/index"
"$qa" ingest "$work/corpus" --quiet
"$qa" eval "$here/questions.jsonl" "$@"
