#!/usr/bin/env bash
# Score the checkout on the held-out questions: the nine dev-real reports and the five seed
# documents (with the corpus catalog) in a temporary corpus and index. Run from the project's root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
qa=${QA_BIN:-$root/.venv/bin/qa}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$root/../shared/eval/dev-real/docs/"*.pdf "$root/corpus/"*.txt "$root/corpus/catalog.csv" "$work/corpus/"
export QA_CORPUS_DIR="$work/corpus" QA_INDEX_DIR="$work/index"
"$qa" ingest "$work/corpus" --quiet
"$qa" eval "$here/questions.jsonl" "$@"
