"""Tests for the PDF reader: running furniture by position, paragraphs, hyphens, bullets, titles, encryption."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import LoadError
from qa.ingest.furniture import content_spans, lead_in, with_lead_in
from qa.ingest.readers import Loaded, read_file
from qa.ingest.sentences import split_sentences

try:
    from pdfmaker import encrypt_pdf, make_pdf
except ImportError:
    from tests.pdfmaker import encrypt_pdf, make_pdf

pytest.importorskip("pymupdf")

LIMIT = 10 * 1024 * 1024
HEADER = "Inspection of Anytown local authority children's services"
FOOTER = "12 to 23 May 2025 Page {page} of 3"

PAGES = [
    [
        "Leaders have improved the help that children receive since the last inspection, and most",
        "children now get the right support when they first need it.",
        "Social workers visit children regularly and know them well, and managers check the quality of",
    ],
    [
        "plans every month and act on what they find, so children's plans are up to date.",
        "Supervision is regular and helps social workers to reflect on their work.",
    ],
    [
        "Care leavers are in touch with their personal advisers, who help them with housing and",
        "money.",
    ],
]
ACROSS = (
    "Social workers visit children regularly and know them well, and managers check the quality of "
    "plans every month and act on what they find, so children's plans are up to date."
)


def _content(loaded: Loaded) -> list[str]:
    return [loaded.text[s:e] for s, e in content_spans(loaded.text, furniture=loaded.furniture)]


@pytest.fixture
def report(tmp_path: Path) -> Loaded:
    return read_file(make_pdf(tmp_path / "report.pdf", PAGES, header=HEADER, footer=FOOTER), LIMIT)


def test_running_header_footer_and_page_numbers_are_furniture_not_content(report: Loaded) -> None:
    furniture = [report.text[s:e] for s, e in report.furniture]
    assert furniture.count(HEADER) == 3
    for page in (1, 2, 3):
        assert FOOTER.format(page=page) in furniture  # the text the user sees still holds them
    content = _content(report)
    assert content, "the report's prose is content"
    for line in content:
        assert "Inspection of Anytown" not in line and "Page " not in line, line
    for start, end in content_spans(report.text, furniture=report.furniture):
        for sentence_start, sentence_end in split_sentences(report.text, start, end):
            assert "Page " not in report.text[sentence_start:sentence_end]


def test_a_bare_page_number_in_the_footer_is_furniture(tmp_path: Path) -> None:
    loaded = read_file(make_pdf(tmp_path / "numbered.pdf", PAGES, footer="{page}"), LIMIT)
    assert sorted(loaded.text[s:e] for s, e in loaded.furniture) == ["1", "2", "3"]


def test_a_line_that_recurs_in_the_body_is_not_taken_for_a_footer(tmp_path: Path) -> None:
    pages = [["Children are safe.", "The plan is agreed."], ["Children are safe.", "The budget is set."]]
    loaded = read_file(make_pdf(tmp_path / "body.pdf", pages), LIMIT)
    assert loaded.furniture == []


def test_a_sentence_across_a_page_break_is_one_sentence_without_the_furniture(report: Loaded) -> None:
    sentences = [
        report.text[a:b]
        for s, e in content_spans(report.text, furniture=report.furniture)
        for a, b in split_sentences(report.text, s, e)
    ]
    assert ACROSS in sentences  # page 1's last sentence runs onto page 2: one line, one sentence
    start = report.text.index(ACROSS)
    end = start + len(ACROSS)
    for s, e in report.furniture:
        assert not (s < end and start < e), "no header or footer inside the sentence's span"
    # the page break falls inside it: page 2 starts where its text does
    assert start < report.pages[1].start < end
    assert report.text[report.pages[1].start :].startswith("plans every month")
    assert "Care leavers are in touch with their personal advisers, who help them with housing and money." in sentences


def test_pages_tile_the_body_and_furniture_lies_between(report: Loaded) -> None:
    first = report.pages[0]
    assert report.text[first.start : first.end].startswith("Leaders have improved")
    assert report.pages[1].start - report.pages[0].end == 1  # joined across the break by one space
    assert report.pages[-1].end <= len(report.text)
    after_last_page = report.text[report.pages[-1].end :]
    assert "Page 3 of 3" in after_last_page


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["The work is well-", "coordinated across teams, and children are well supported."], "well-coordinated"),
        (["The comparison of inter-", "national caseloads was unfavourable."], "international"),
        (["Help for 16- and 17-", "year-olds who present as homeless is strong."], "16- and 17-year-olds"),
        (
            ["Detailed information-", "sharing informs decisions; information-sharing is timely."],
            "Detailed information-sharing",
        ),
        (["Cross-border work with Anglo-", "Saxon partners went on."], "Anglo-Saxon"),
    ],
)
def test_line_end_hyphens(tmp_path: Path, lines: list[str], expected: str) -> None:
    loaded = read_file(make_pdf(tmp_path / "hyphen.pdf", [lines]), LIMIT)
    assert expected in loaded.text
    assert "\n" not in loaded.text  # one paragraph, one line


def test_a_document_that_only_breaks_at_real_hyphens_keeps_them(tmp_path: Path) -> None:
    lines = [
        "Decisions are made with multi-",
        "agency partners and with families.",
        "This includes non-",
        "resident parents and their wider families.",
    ]
    loaded = read_file(
        make_pdf(tmp_path / "compounds.pdf", [lines, ["Work with multi-agency partners is strong."]]), LIMIT
    )
    assert "non-resident parents" in loaded.text


def test_glyph_bullets_are_list_items_with_their_lead_in(tmp_path: Path) -> None:
    lines = [
        "What needs to improve?",
        "\uf0b7 The timeliness of strategy meetings for children at risk of harm.",
        "\u25fc The quality of supervision for frontline staff (outcome 3, national framework)",
        "\u25aa Management oversight of children in care",
    ]
    loaded = read_file(make_pdf(tmp_path / "bullets.pdf", [lines]), LIMIT)
    items = [line for line in loaded.text.split("\n") if line.startswith("• ")]
    assert len(items) == 3
    content = _content(loaded)
    for item in items:
        assert item in content  # evidence, whatever its ending
        start = loaded.text.index(item)
        assert lead_in(loaded.text, start) == "What needs to improve?"
        assert with_lead_in(loaded.text, start + 2, start + len(item)) == f"What needs to improve? {item[2:]}"


def test_title_is_the_first_page_heading_not_the_metadata(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "titled.pdf", PAGES, title="1", heading="Inspection of Anytown children's services")
    assert read_file(path, LIMIT).title == "Inspection of Anytown children's services"


@pytest.mark.parametrize("metadata", ["1", "LA NAME - standard inspection report - INSPECTION DATE", "report.docx"])
def test_placeholder_metadata_titles_are_ignored(tmp_path: Path, metadata: str) -> None:
    assert read_file(make_pdf(tmp_path / "untitled.pdf", PAGES, title=metadata), LIMIT).title is None


def test_a_filled_in_metadata_title_is_used_when_there_is_no_heading(tmp_path: Path) -> None:
    loaded = read_file(make_pdf(tmp_path / "meta.pdf", PAGES, title="Leaders and care leavers"), LIMIT)
    assert loaded.title == "Leaders and care leavers"


@pytest.mark.parametrize("method", ["AES_128", "AES_256", "RC4_128"])
def test_encrypted_pdf_with_an_empty_password_is_read(tmp_path: Path, method: str) -> None:
    source = make_pdf(tmp_path / "open.pdf", PAGES, header=HEADER, footer=FOOTER)
    path = encrypt_pdf(source, tmp_path / f"{method}.pdf", method)
    assert b"/Encrypt" in path.read_bytes()
    assert read_file(path, LIMIT) == read_file(source, LIMIT)


@pytest.mark.parametrize("method", ["AES_128", "AES_256"])
def test_password_protected_pdf_is_skipped_saying_so(tmp_path: Path, method: str) -> None:
    path = encrypt_pdf(make_pdf(tmp_path / "open.pdf", PAGES), tmp_path / "locked.pdf", method, user_password="secret")
    with pytest.raises(LoadError, match=r"^locked\.pdf: .*password-protected"):
        read_file(path, LIMIT)


def test_loaded_round_trips_through_plain_data(report: Loaded) -> None:
    assert Loaded.from_dict(report.to_dict()) == report


def test_table_cells_beside_a_wrapped_cell_make_one_row(tmp_path: Path) -> None:
    import pymupdf

    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    rows = [
        ("The impact of leaders on social work", "practice with children and families", "Inadequate"),
        ("Overall effectiveness", None, "Requires improvement to be good"),
    ]
    y = 150
    page.insert_text((72, y - 30), "Judgement", fontsize=12)
    page.insert_text((300, y - 30), "Grade", fontsize=12)
    for left, wrapped, grade in rows:
        page.insert_text((72, y), left, fontsize=12)
        if wrapped:
            page.insert_text((72, y + 14), wrapped, fontsize=12)
        page.insert_text((300, y), grade, fontsize=12)
        y += 45
    page.insert_text(
        (72, y + 20), "Leaders have not secured an environment in which practice can flourish.", fontsize=12
    )
    path = tmp_path / "table.pdf"
    document.save(path)
    loaded = read_file(path, LIMIT)
    assert loaded.text.split("\n")[:3] == [
        "Judgement | Grade",
        "The impact of leaders on social work practice with children and families | Inadequate",
        "Overall effectiveness | Requires improvement to be good",
    ]
    assert "Overall effectiveness | Requires improvement to be good" in _content(loaded)
