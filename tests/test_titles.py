"""Titles by what a document is: a letter's subject, minutes' meeting, a headline before the prose, a PDF's heading.

The texts are made up but shaped like the real documents that were titled
wrongly before: letters titled with the addressee's name, minutes titled
"Apologies and Substitutes", a long report titled by its cover's date, news
titled "Scroll down for video", a timestamp or a photo caption.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa.ingest.readers import read_file
from qa.ingest.titles import detect_title, own_title

LIMIT = 10 * 1024 * 1024

LETTER = """Ofsted
Piccadilly Gate
Store Street
Manchester M1 2WD

T 0300 123 1231
www.gov.uk/ofsted

12 March 2024

Alex Morgan
Director of Children's Services
Northshire County Council
County Hall
Northtown NT1 1AA

Dear Alex

Focused visit to Northshire County Council children's services

This letter summarises the findings of the focused visit to Northshire children's services on 6 and 7 February 2024.
Inspectors looked at the local authority's arrangements for children in need and those subject to a child protection plan.

Yours sincerely

Sam Lee
His Majesty's Inspector
"""

MINUTES = """Corporate Parenting Panel
Minutes of the meeting held on 14 January 2021 at County Hall

Present: Councillor A Smith (Chair), Councillor B Jones, Councillor C Brown

Apologies and Substitutes
Apologies were received from Councillor D White.

Declarations of Interest
There were none.
"""


def test_a_letter_is_titled_by_the_heading_under_its_salutation_not_its_addressee() -> None:
    assert detect_title(LETTER) == "Focused visit to Northshire County Council children's services"


def test_a_labelled_subject_line_titles_a_letter() -> None:
    text = "Jo Bloggs\n1 High Street\nAnytown\n\n5 May 2016\n\nRe: Speed limits on the ring road\n\nDear Jo,\n\nThank you for your email of 11 April.\n"
    assert detect_title(text) == "Speed limits on the ring road"


def test_a_letter_without_a_subject_is_titled_by_its_first_sentence_not_its_address_block() -> None:
    text = "Jo Bloggs\n1 High Street\nAnytown\n\nDear Jo,\n\nThank you for your email of 11 April about the ring road. We will reply soon.\n"
    assert detect_title(text) == "Thank you for your email of 11 April about the ring road."


def test_minutes_are_titled_by_their_meeting_and_date_never_a_routine_item() -> None:
    assert detect_title(MINUTES) == (
        "Corporate Parenting Panel – Minutes of the meeting held on 14 January 2021 at County Hall"
    )


def test_minutes_whose_first_heading_is_a_routine_item_skip_it() -> None:
    text = "Apologies and Substitutes\nMinutes\nCabinet meeting, 3 March 2022\nPresent: Councillor A Smith\n"
    assert detect_title(text) == "Cabinet meeting, 3 March 2022"


def test_minutes_heading_without_a_date_takes_the_line_dating_the_meeting() -> None:
    text = "MANORTON TOWN COUNCIL\nMEETING 10th JUNE 2015\n\nPRESENT\nCouncillors A Davies and B Evans.\n\n1. APOLOGIES\nNone.\n"
    assert detect_title(text) == "MANORTON TOWN COUNCIL – MEETING 10th JUNE 2015"


@pytest.mark.parametrize(
    "noise",
    [
        "Scroll down for video",
        "Last updated at 12:13 PM on 20th December 2011",
        "By Jane Smith, Local Democracy Reporter",
        "PUBLISHED:",
        "Issue - meetings",
        "1",
        "• Council admits failings",
    ],
)
def test_news_furniture_before_the_headline_is_never_the_title(noise: str) -> None:
    text = f"{noise}\n\nCouncil apologises over care failings\n\nThe council said on Monday that it had failed children in its care for years, and that it would act.\n"
    assert detect_title(text) == "Council apologises over care failings"


def test_a_caption_after_the_prose_starts_is_not_the_title() -> None:
    text = (
        "By\nJane Smith\n\nPUBLISHED:\n22:28 EST, 17 December 2013\n\n"
        "It is easy for inmates to get drugs in the prison but clean clothes are scarce, inspectors have said in a report published today.\n\n"
        "'Easy': Drugs are easier to get than clean clothes, an inspector has said\n"
    )
    title = detect_title(text)
    assert title.startswith("It is easy for inmates to get drugs") and title.endswith("…")
    assert "Jane Smith" not in title


def _pdf(lines: list[tuple[str, float, bool]], path: Path) -> Path:
    """A one-page PDF: each line in Helvetica (bold when asked) at its size, from the top down."""
    pymupdf = pytest.importorskip("pymupdf")
    document = pymupdf.open()
    page = document.new_page()
    y = 72.0
    for text, size, bold in lines:
        y += size * 1.3
        page.insert_text((72, y), text, fontsize=size, fontname="hebo" if bold else "helv")
    document.save(path)
    return path


BODY = [("Leaders have improved the help that children receive since the last inspection.", 11, False)] * 12


def test_a_cover_date_in_the_largest_type_is_not_a_report_title(tmp_path: Path) -> None:
    path = _pdf(
        [("September 2008", 28, False), ("Children's Needs Assessment", 20, False), *BODY], tmp_path / "cover.pdf"
    )
    assert read_file(path, LIMIT).title == "Children's Needs Assessment"


def test_a_pdf_heading_continues_on_the_bold_line_under_it(tmp_path: Path) -> None:
    lines = [
        ("Northshire County Council", 24, False),
        ("Inspection of children's social care services", 11, True),
        ("Inspection dates: 4 June to 15 June 2018", 11, True),
        *BODY,
    ]
    assert read_file(_pdf(lines, tmp_path / "sif.pdf"), LIMIT).title == (
        "Northshire County Council: Inspection of children's social care services"
    )


def test_a_letter_pdf_is_titled_by_its_subject_not_its_larger_letterhead(tmp_path: Path) -> None:
    lines = [
        ("Northshire Council", 20, False),
        ("Jo Bloggs", 11, False),
        ("1 High Street", 11, False),
        ("Dear Jo,", 11, False),
        ("Changes to school transport", 11, True),
        *BODY,
    ]
    assert read_file(_pdf(lines, tmp_path / "letter.pdf"), LIMIT).title == "Changes to school transport"


def test_a_page_number_in_large_type_is_not_the_heading(tmp_path: Path) -> None:
    lines = [("1", 30, False), ("Annual report of the adoption panel", 18, False), *BODY]
    assert read_file(_pdf(lines, tmp_path / "numbered.pdf"), LIMIT).title == "Annual report of the adoption panel"


def test_a_docx_without_a_title_property_is_titled_by_its_first_heading(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Northshire Council")  # a letterhead line in ordinary type
    document.add_heading("Home to school transport policy", level=1)
    document.add_paragraph("This policy says who can get free travel to school.")
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "policy.docx"
    path.write_bytes(buffer.getvalue())
    loaded = read_file(path, LIMIT)
    assert own_title(loaded, path.name) == "Home to school transport policy"


def test_an_article_headline_wins_over_a_social_media_title(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        '<html><head><meta property="og:title" content="You won\'t believe this neon story">'
        "<title>A short history of neon - City News</title></head><body><nav><h1>City News</h1></nav>"
        "<main><h1>Why neon is the symbol of the century</h1><p>Neon lit the twentieth century.</p></main></body></html>",
        encoding="utf-8",
    )
    assert read_file(path, LIMIT).title == "Why neon is the symbol of the century"


def test_a_heading_drawn_over_itself_for_a_shadow_reads_once(tmp_path: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    document = pymupdf.open()
    page = document.new_page()
    for dx in (0, 0.5, 1.0):  # the masthead printed three times, a little offset, as a shadow
        page.insert_text((72 + dx, 100 + dx), "THE VILLAGE VOICE", fontsize=36, fontname="helv")
    y = 140.0
    for text, size, bold in BODY:
        y += size * 1.3
        page.insert_text((72, y), text, fontsize=size, fontname="helv")
    path = tmp_path / "masthead.pdf"
    document.save(path)
    assert read_file(path, LIMIT).title == "THE VILLAGE VOICE"


def test_minutes_named_in_a_line_starting_with_minutes_keep_it() -> None:
    text = "Minutes of the Cabinet meeting held on 3 May 2022\n\nPresent: Councillors A Smith and B Jones\n\nApologies: none\n"
    assert detect_title(text) == "Minutes of the Cabinet meeting held on 3 May 2022"


def test_a_routine_item_in_the_largest_type_never_titles_minutes(tmp_path: Path) -> None:
    lines = [
        ("Apologies and Substitutes", 16, True),
        ("Apologies were received from Councillor White.", 11, False),
        *BODY,
    ]
    title = read_file(_pdf(lines, tmp_path / "minutes.pdf"), LIMIT).title
    assert title != "Apologies and Substitutes"


def test_a_heading_the_page_title_repeats_wins_over_a_caption_h1_and_a_site_name(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(
        '<html><head><meta property="og:title" content="City News - Latest news and headlines">'
        "<title>Bridge closes for a year of repairs - City News</title></head><body>"
        "<h2>City News Latest Headlines</h2><h1>Bridge closes for a year of repairs</h1>"
        "<article><h1>In this photo taken on Monday the bridge is seen from the river bank</h1>"
        "<p>The bridge will close for a year from Monday while it is repaired.</p></article></body></html>",
        encoding="utf-8",
    )
    assert read_file(path, LIMIT).title == "Bridge closes for a year of repairs"
