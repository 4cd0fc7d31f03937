"""The title set (eval/titles): real documents titled as a person reading them would, at 95% or better.

The documents fetched for the set are not committed (fetched data stays out of git): they count
where eval/titles/docs holds them (SOURCES.md says where each comes from), as those named from
../shared (or QA_SHARED_DIR) count where it is present; CI measures the shared ones. The matching rule is
eval/titles/run.py's; its own cases are checked here, fast.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "eval" / "titles" / "run.py"
MIN_ACCURACY = 0.95
MIN_DOCUMENTS, MIN_KINDS = 60, 6


def _run_module():
    spec = importlib.util.spec_from_file_location("title_set_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("got", "expected", "right"),
    [
        (
            "Cheshire East Council: Inspection of children’s social care services",
            "Cheshire East Council Inspection of children's social care services",
            True,
        ),  # punctuation and quotes
        (
            "MANORTON & SALEM COUNCIL – MEETING 10th JUNE 2015",
            "Manorton and Salem Council Meeting 10th June 2015",
            True,
        ),
        (
            "Inspection of Herefordshire Children's Services – Meeting: 30/09/2022 - Council (Item 27)",
            "Inspection of Herefordshire Children's Services",
            True,
        ),  # a meeting qualifier appended
        (
            "It is easy for inmates to get drugs in Brixton prison but…",
            "It is easy for inmates to get drugs in Brixton prison but basic needs are not met.",
            True,
        ),  # cut, marked
        (
            "It is easy for inmates to get drugs in Brixton prison but",
            "It is easy for inmates to get drugs in Brixton prison but basic needs are not met.",
            False,
        ),  # cut, unmarked
        ("Sarah Hammond", "Focused visit to Rotherham children's services", False),
        ("Apologies and Substitutes", "Corporate Parenting Panel – 12 March 2019", False),
        (
            "Inspection of Leeds local authority children’s services Inspection dates: 21 February to 4 March 2022 Lead "
            "inspector: Louise Hollick",
            "Inspection of Leeds local authority children’s services",
            False,
        ),  # too much added
    ],
)
def test_the_matching_rule(got: str, expected: str, right: bool) -> None:
    assert _run_module().matches(got, expected) is right


def test_the_set_holds_at_least_60_documents_of_6_kinds_with_their_sources() -> None:
    run = _run_module()
    rows = run.load_set()
    assert len(rows) >= MIN_DOCUMENTS and len({r["kind"] for r in rows}) >= MIN_KINDS
    local = {r["file"] for r in rows if r["where"] == "local"}
    folder = RUN.parent / "docs"
    if folder.is_dir():  # every fetched document here is in the set, and every one in the set is here
        assert local == {p.name for p in folder.iterdir()}
    sources = (RUN.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert all(name in sources for name in local)


@pytest.mark.slow
def test_titles_of_the_title_set_are_at_least_95_percent_right() -> None:
    run = _run_module()
    results, skipped = run.measure()
    right = sum(r.right for r in results)
    misses = "\n".join(f"{r.file}: got {r.got!r}, expected {r.expected!r}" for r in results if not r.right)
    assert right >= MIN_ACCURACY * len(results), misses
    if not skipped:
        assert len(results) >= MIN_DOCUMENTS
