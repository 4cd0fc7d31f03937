"""Title set: how often ingest gives a document the title a person reading it would.

    python eval/titles/run.py [--json]

Each line of ``titles.jsonl`` names a real document (``where``: ``local`` is
``eval/titles/docs/``, ``shared`` is the shared folder, ``QA_SHARED_DIR`` or
``../shared`` beside the repository), its kind and the title written by reading
it. The title compared is the one ingest gives the document where the catalog
is silent (``qa.ingest.titles.own_title``). Prints accuracy per kind and every
miss, then how often the type ingest detects (``qa.ingest.kinds``) is the
document's (the set's finer kinds mapped by TYPES); documents under a missing
shared folder are skipped, saying how many.

A title matches when, after normalising case, quotes, "&", punctuation and
whitespace, it
- equals the expected title or one of its ``also`` forms;
- is the expected title followed by at most EXTRA_WORDS words (a date or
  meeting qualifier appended); or
- is a cut form of it: it ends with "…" and what it keeps (at least
  CUT_MIN_WORDS words) begins the expected title.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EXTRA_WORDS = 10
CUT_MIN_WORDS = 6
MAX_BYTES = 50 * 1024 * 1024
# The set's finer kinds as the product's types (qa.ingest.kinds.KINDS): what ingest should call each.
TYPES = {
    "audit report": "other",
    "guidance": "other",
    "notice": "other",
    "newsletter": "news",
    "decision": "other",
    "report": "other",
    "debate": "other",
}
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_NON_WORD = re.compile(r"[^\w]+")


@dataclass
class Result:
    file: str
    kind: str
    expected: str
    got: str
    right: bool
    type_expected: str = ""
    type_got: str = ""


def shared_dir() -> Path:
    """Where the shared documents live: QA_SHARED_DIR, else ../shared beside the repository."""
    return Path(os.environ.get("QA_SHARED_DIR") or ROOT.parent / "shared")


def normalise(title: str) -> list[str]:
    """A title's words, case-folded, quotes straightened, "&" read as "and", punctuation dropped."""
    text = title.translate(_QUOTES).casefold().replace("&", " and ")
    return [w for w in _NON_WORD.split(text) if w]


def matches(got: str, expected: str, also: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether ``got`` is the expected title by the rules in this module's docstring."""
    words = normalise(got)
    for form in (expected, *also):
        want = normalise(form)
        if words == want:
            return True
        if words[: len(want)] == want and len(words) - len(want) <= EXTRA_WORDS:
            return True
        if got.rstrip().endswith("…") and len(words) >= CUT_MIN_WORDS and want[: len(words)] == words:
            return True
    return False


def load_set(path: Path = HERE / "titles.jsonl") -> list[dict]:
    """The title set's rows."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(rows: list[dict] | None = None) -> tuple[list[Result], int]:
    """Each present document's detected title against its expected one; and how many were skipped (absent)."""
    from qa.ingest.kinds import detect_kind
    from qa.ingest.readers import read_file
    from qa.ingest.titles import own_title

    results, skipped = [], 0
    for row in rows if rows is not None else load_set():
        base = HERE / "docs" if row["where"] == "local" else shared_dir()
        path = base / row["file"]
        if not path.is_file():
            skipped += 1
            continue
        loaded = read_file(path, MAX_BYTES)
        got = own_title(loaded, path.name)
        right = matches(got, row["title"], row.get("also", ()))
        kind = TYPES.get(row["kind"], row["kind"])
        results.append(
            Result(row["file"], row["kind"], row["title"], got, right, kind, detect_kind(loaded.text, loaded.furniture))
        )
    return results, skipped


def by_kind(results: list[Result]) -> dict[str, tuple[int, int]]:
    """Right and total per kind, and "all"."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for key in (r.kind, "all"):
            counts[key][0] += r.right
            counts[key][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items(), key=lambda kv: (kv[0] == "all", kv[0]))}


def main(argv: list[str]) -> int:
    results, skipped = measure()
    if "--json" in argv:
        print(json.dumps({"results": [asdict(r) for r in results], "skipped": skipped, "by_kind": by_kind(results)}))
        return 0
    for kind, (right, total) in by_kind(results).items():
        print(f"{kind:20} {right:3}/{total:<3} {right / total:6.1%}")
    if skipped:
        print(f"({skipped} documents skipped: {shared_dir()} is not present)")
    typed = sum(r.type_got == r.type_expected for r in results)
    print(f"\ntypes detected       {typed:3}/{len(results):<3} {typed / max(len(results), 1):6.1%}")
    for r in results:
        if r.type_got != r.type_expected:
            print(f"  {r.file}: {r.type_got} (expected {r.type_expected})")
    misses = [r for r in results if not r.right]
    if misses:
        print("\nMisses:")
    for r in misses:
        print(f"- {r.file} [{r.kind}]\n    expected: {r.expected}\n    got:      {r.got}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
