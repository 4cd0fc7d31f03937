"""The readers on real Ofsted reports (../shared/eval/dev-real): furniture, titles, dates, lists.

Skipped where ../shared is absent. The expectations are facts read off the
reports themselves; no rule in the readers knows these documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.dates import detect_date
from qa.ingest.furniture import content_spans, lead_in
from qa.ingest.readers import read_file
from qa.ingest.sentences import split_sentences
from qa.ingest.titles import detect_title

DOCS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-real" / "docs"
LIMIT = 50 * 1024 * 1024

# The last day of each inspection, from "Inspection dates: ..." on the first page (no report states a publication date).
INSPECTION_ENDS = {
    "ofsted-ilacs-bcp-2022-02-11.pdf": "2021-12-17",
    "ofsted-ilacs-bcp-2025-01-29.pdf": "2024-12-13",
    "ofsted-ilacs-bristol-2023-03-10.pdf": "2023-01-27",
    "ofsted-ilacs-cheshire-east-2024-05-16.pdf": "2024-03-08",
    "ofsted-ilacs-gateshead-2025-01-29.pdf": "2024-12-06",
    "ofsted-ilacs-leeds-2022-05-09.pdf": "2022-03-04",
    "ofsted-ilacs-suffolk-2024-08-21.pdf": "2024-06-07",
    "ofsted-ilacs-york-2022-05-04.pdf": "2022-03-18",
    "ofsted-ilacs-york-2025-04-15.pdf": "2025-03-07",
}

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason=f"{DOCS} is not present")
pymupdf = pytest.importorskip("pymupdf")


def _running_lines(path: Path) -> set[str]:
    """Footer and header text by coordinates alone: lines in the outer 7% of pages after the first."""
    found: set[str] = set()
    with pymupdf.open(path) as document:
        for page in list(document)[1:]:
            height = page.rect.height
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    text = " ".join("".join(s["text"] for s in line["spans"]).split())
                    top, bottom = line["bbox"][1], line["bbox"][3]
                    if len(text) > 3 and (top > 0.93 * height or bottom < 0.07 * height):
                        found.add(text)
    return found


@pytest.fixture(scope="module", params=sorted(INSPECTION_ENDS))
def report(request: pytest.FixtureRequest):
    path = DOCS / request.param
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path, read_file(path, LIMIT)


def test_no_content_line_or_sentence_holds_a_running_header_or_footer(report) -> None:
    path, loaded = report
    running = _running_lines(path)
    assert running, "the oracle found the reports' footers"
    spans = content_spans(loaded.text, furniture=loaded.furniture)
    sentences = [loaded.text[a:b] for s, e in spans for a, b in split_sentences(loaded.text, s, e)]
    for sentence in sentences:
        for line in running:
            assert line not in sentence.replace(f"Inspection dates: {line}", ""), (line, sentence)
    furniture = {loaded.text[s:e] for s, e in loaded.furniture}
    assert running <= furniture, running - furniture  # each is marked, so never content


def test_title_is_the_first_page_heading(report) -> None:
    _, loaded = report
    title = loaded.title or detect_title(loaded.text)
    assert title.startswith("Inspection of ") and title.endswith("children’s services"), title


def test_date_is_the_end_of_the_inspection(report) -> None:
    path, loaded = report
    assert (loaded.date or detect_date(loaded.text)) == INSPECTION_ENDS[path.name]


def test_what_needs_to_improve_items_are_content_with_their_lead_in(report) -> None:
    _, loaded = report
    spans = content_spans(loaded.text, furniture=loaded.furniture)
    items = [(s, e) for s, e in spans if loaded.text.startswith("• ", s)]
    assert items
    assert all(lead_in(loaded.text, s) == "What needs to improve?" for s, _ in items)


def test_hyphens_are_kept_in_compounds(report) -> None:
    _, loaded = report
    for broken in ("informationsharing", "decisionmaking", "multiagency", "wellbeing"):
        assert broken not in loaded.text.lower()
