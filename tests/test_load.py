"""Tests for qa.load: every supported format, its text conventions and its failure modes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qa.ingest.readers import html as html_reader
from qa.errors import LoadError
from qa.ingest.readers import SUPPORTED_SUFFIXES, Loaded, clean_text, decode_bytes, read_file

try:  # tests/ is a plain folder (pytest puts it on sys.path) or, if it gains an __init__, a package
    from docxmaker import docx_bytes
    from pdfmaker import encrypt_pdf, make_pdf
except ImportError:
    from tests.docxmaker import docx_bytes
    from tests.pdfmaker import encrypt_pdf, make_pdf

DATA = Path(__file__).parent / "data"
LIMIT = 10 * 1024 * 1024

PAGE_ONE = [
    "The council published its improvement plan for children's services",
    "on Tuesday, after inspectors found that the comparison of inter-",
    "national caseloads was unfavourable.",
    "Caseloads fell last year.",
    "1. Recruit more social workers",
    "2. Improve supervision",
]
PAGE_TWO = [
    "Councillors asked for quarterly reports on progress with the plan and",
    "agreed to review the budget for the service at the next meeting.",
]


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})


def test_plain_text_is_kept_as_decoded() -> None:
    loaded = read_file(DATA / "plain.txt", LIMIT)
    assert loaded == Loaded(
        text=(
            "Herefordshire Council published its children's services improvement plan today.\n"
            "The plan sets out how social work caseloads will be reduced.\n\n"
            "Inspectors will return in the spring to check on progress."
        ),
        pages=[],
    )


def test_markdown_is_kept_verbatim() -> None:
    loaded = read_file(DATA / "notes.md", LIMIT)
    assert loaded.text == (DATA / "notes.md").read_text(encoding="utf-8").rstrip()
    assert loaded.text.startswith("# Meeting notes\n\nThe committee met on *5 October 2023*.")
    assert loaded.pages == []


def test_markdown_suffix_variant(tmp_path: Path) -> None:
    path = tmp_path / "README.MARKDOWN"
    path.write_text("Title\n=====\n\nBody text.\n", encoding="utf-8")
    assert read_file(path, LIMIT).text == "Title\n=====\n\nBody text."


def test_pdfmaker_writes_text_pymupdf_can_extract(tmp_path: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    with pymupdf.open(make_pdf(tmp_path / "check.pdf", [["Hello (world)"], ["Second page"]])) as document:
        assert [page.get_text().strip() for page in document] == ["Hello (world)", "Second page"]


def test_latin1_text_decodes() -> None:
    loaded = read_file(DATA / "latin1.txt", LIMIT)
    assert loaded.text == "The café on the high street charges £3 for a pot of tea."


def test_empty_file_loads_as_empty_text() -> None:
    assert read_file(DATA / "empty.txt", LIMIT) == Loaded(text="", pages=[])


def test_newlines_and_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"one\r\ntwo\rthree\x00four\x0cfive\tsix\n\n  \n")
    assert read_file(path, LIMIT).text == "one\ntwo\nthree four five\tsix"


def test_decode_bytes_order() -> None:
    assert decode_bytes("\ufeffcafé".encode("utf-8")) == "café"
    assert decode_bytes("Grüße aus München".encode("cp1252")) == "Grüße aus München"
    assert decode_bytes("Привет, как дела? Это тестовый текст на русском языке.".encode("cp1251")).startswith("Привет")
    assert isinstance(decode_bytes(bytes(range(256))), str)
    assert clean_text("a\r\nb\x01c  \n") == "a\nb c"


def test_html_keeps_article_and_drops_furniture() -> None:
    loaded = read_file(DATA / "page.html", LIMIT)
    assert loaded.text == (
        "Council backs new plan\n\n"
        "The council voted on Tuesday to back the new children's services plan.\n"
        "Councillors said the plan would cut caseloads & improve supervision.\n\n"
        "Year | Caseload\n"
        "2020 | 24"
    )
    for junk in ("JUNK", "junk", "color"):
        assert junk not in loaded.text
    assert loaded.title == "Council backs new plan"  # the site name suffix is dropped
    assert loaded.date == "2021-03-04"
    assert loaded.publisher == "Example News"
    assert loaded.pages == []


def test_html_without_article_uses_body(tmp_path: Path) -> None:
    path = tmp_path / "plain.htm"
    path.write_text(
        "<html><head><meta property='og:title' content='OG title'></head><body>"
        "<nav>Menu</nav><div>First line<br>second line</div><ul><li>alpha</li><li>beta</li></ul>"
        "<footer>Footer</footer></body></html>",
        encoding="utf-8",
    )
    loaded = read_file(path, LIMIT)
    assert loaded.text == "First line\nsecond line\nalpha\nbeta"
    assert loaded.title == "OG title"
    assert loaded.date is None


def test_html_time_element_and_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "dated.html"
    html = (
        '<html><head><meta charset="windows-1252"></head><body><article>'
        '<header><h1>Caf\xe9 plan</h1><time datetime="2019-11-02">2 November</time></header>'
        "<p>Tea costs \xa32.</p></article></body></html>"
    )
    path.write_bytes(html.encode("cp1252"))
    loaded = read_file(path, LIMIT)
    assert loaded.date == "2019-11-02"
    assert loaded.text == "Café plan\n\n2 November\nTea costs £2."


def test_deeply_nested_html_does_not_recurse(tmp_path: Path) -> None:
    depth = 5_000  # five times the default recursion limit
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * depth + "<p>deep text</p>" + "</div>" * depth + "</body></html>")
    assert read_file(path, LIMIT).text == "deep text"


def test_html_falls_back_to_flat_text_on_recursion_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(soup: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(html_reader, "_html_text", explode)
    path = tmp_path / "flat.html"
    path.write_text("<html><body><nav>Menu</nav><script>x()</script><p>One &amp; two</p><p>Three</p></body></html>")
    assert read_file(path, LIMIT).text == "One & two\nThree"


def test_pdf_pages_have_spans_and_reflow(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", [PAGE_ONE, PAGE_TWO], title="Improvement plan")
    loaded = read_file(path, LIMIT)
    assert [p.number for p in loaded.pages] == [1, 2]
    first, second = (loaded.text[p.start : p.end] for p in loaded.pages)
    assert first == (
        "The council published its improvement plan for children's services on Tuesday, after inspectors "
        "found that the comparison of international caseloads was unfavourable.\n"
        "Caseloads fell last year.\n"
        "1. Recruit more social workers\n"
        "2. Improve supervision"
    )
    assert "Councillors" not in first
    assert second.startswith("Councillors asked for quarterly reports on progress with the plan and agreed")
    assert loaded.text == first + "\n\n" + second
    assert loaded.pages[1].end == len(loaded.text)
    assert loaded.title == "Improvement plan"


def test_pdf_lines_reflow_into_paragraphs(tmp_path: Path) -> None:
    lines = [
        "A heading",
        "This is a long line of body text that wraps onto the next line in the",
        "middle of a sentence and then carries on for a while longer still.",
        "",
        "\u2022 A bullet point that is short",
        "\u2022 Another bullet",
        "Cross-border cooperation with Anglo-",
        "Saxon partners continued through the year and into the next one.",
    ]
    loaded = read_file(make_pdf(tmp_path / "flow.pdf", [lines]), LIMIT)
    assert loaded.text == (
        "A heading\n"
        "This is a long line of body text that wraps onto the next line in the "
        "middle of a sentence and then carries on for a while longer still.\n"
        "\u2022 A bullet point that is short\n"
        "\u2022 Another bullet\n"
        "Cross-border cooperation with Anglo-Saxon partners continued through the year and into the next one."
    )


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(LoadError, match=r"scan\.pdf.*OCR"):
        read_file(path, LIMIT)


def test_pdf_with_an_empty_page_keeps_other_pages(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "gap.pdf", [PAGE_TWO, [], PAGE_TWO])
    loaded = read_file(path, LIMIT)
    spans = [(p.number, p.end - p.start) for p in loaded.pages]
    assert spans[1] == (2, 0)
    assert loaded.text[loaded.pages[2].start :].startswith("Councillors")


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = encrypt_pdf(make_pdf(tmp_path / "open.pdf", [PAGE_TWO]), tmp_path / "locked.pdf", "RC4_128", "secret")
    with pytest.raises(LoadError, match=r"locked\.pdf.*(password|encrypted)"):
        read_file(path, LIMIT)


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    path.write_bytes(docx_bytes("The board met in public.", closing="The meeting closed at noon."))
    loaded = read_file(path, LIMIT)
    assert loaded.text == (
        "Minutes of the board\nThe board met in public.\n\nItem | Decision\nBudget | Approved\n\nThe meeting closed at noon."
    )
    assert loaded.title == "Board minutes"
    assert loaded.pages == []


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("word/document.xml", "w") as member:
            block = bytes(1 << 20)
            for _ in range(60):  # 60 MB of zeros squeezes to ~60 kB
                member.write(block)
    assert path.stat().st_size < LIMIT
    with pytest.raises(LoadError, match=r"bomb\.docx.*zip bomb"):
        read_file(path, LIMIT)


def test_docx_that_is_a_zip_but_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(LoadError, match=r"^other\.docx: "):
        read_file(path, LIMIT)


@pytest.mark.parametrize("name", ["malformed.pdf", "corrupt.docx"])
def test_malformed_files_raise_load_error_naming_the_file(name: str) -> None:
    with pytest.raises(LoadError) as info:
        read_file(DATA / name, LIMIT)
    assert str(info.value).startswith(f"{name}: ")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"data")
    with pytest.raises(LoadError, match=r"sheet\.xlsx: unsupported file type \.xlsx; supported types are .*\.docx"):
        read_file(path, LIMIT)


def test_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(LoadError, match=r"big\.txt: .*2000 bytes.*limit of .*1000 bytes"):
        read_file(path, 1000)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"gone\.txt: cannot be read"):
        read_file(tmp_path / "gone.txt", LIMIT)


def test_unexpected_parser_error_becomes_load_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> Loaded:
        raise KeyError("boom")

    monkeypatch.setattr(html_reader, "read_html", broken)
    path = tmp_path / "x.html"
    path.write_text("<p>hi</p>")
    with pytest.raises(LoadError, match=r"x\.html: could not be opened as a web page; it may be damaged"):
        read_file(path, LIMIT)


def test_terminal_control_characters_are_blanked_without_shifting_offsets():
    from qa.ingest.readers import clean_text

    assert clean_text("a\x1b[31mb\x9bc\x7fd") == "a [31mb c d"


def test_markdown_front_matter_gives_title_and_date_and_is_never_content(tmp_path: Path) -> None:
    from qa.ingest.furniture import content_spans

    raw = (
        "---\n"
        'title: "Big News: Jail detained inmates illegally"\n'
        "date: 2025-07-18T05:01:13\n"
        'excerpt: "Data shows 130 inmates were held illegally, after their release date, in the last six months."\n'
        "---\n\n"
        "The watchdog said data showed 130 inmates had been held after their release date.\n"
    )
    path = tmp_path / "news.md"
    path.write_text(raw, encoding="utf-8")
    loaded = read_file(path, LIMIT)
    assert loaded.text == raw.rstrip()  # offsets stay true to the file
    assert loaded.title == "Big News: Jail detained inmates illegally"
    assert loaded.date == "2025-07-18"
    content = [loaded.text[s:e] for s, e in content_spans(loaded.text, furniture=loaded.furniture)]
    assert content == ["The watchdog said data showed 130 inmates had been held after their release date."]


def test_markdown_with_broken_front_matter_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\nThe council met on Monday and agreed the plan.\n", encoding="utf-8")
    loaded = read_file(path, LIMIT)
    assert loaded.title is None
    assert loaded.furniture == [(0, len("---\ntitle: [unclosed\n---"))]


def test_html_title_is_the_heading_it_wraps(tmp_path: Path) -> None:
    path = tmp_path / "audit.html"
    path.write_text(
        "<html><head><title>Some Centers Did Not Always Comply With Rules Audit (A-09-13-01008) 01-30-2015</title>"
        "</head><body><main><h1>Audit (A-09-13-01008)</h1><h2>01-30-2015<br>Some Centers Did Not Always Comply "
        "With Rules</h2><p>We reviewed three centers.</p></main></body></html>",
        encoding="utf-8",
    )
    assert read_file(path, LIMIT).title == "Some Centers Did Not Always Comply With Rules"


def test_html_boilerplate_written_as_sentences_is_not_content() -> None:
    pytest.importorskip("trafilatura")
    from qa.ingest.furniture import content_spans

    loaded = read_file(DATA / "news-boilerplate.html", LIMIT)
    assert "We use cookies" in loaded.text  # still shown as the page has it
    content = [loaded.text[s:e] for s, e in content_spans(loaded.text, furniture=loaded.furniture)]
    assert content == [
        "The council voted on Tuesday to back the new children's services plan after a long debate.",
        "Councillors said the plan would cut caseloads and improve supervision for frontline staff.",
        "The inspectors will return next year to check on progress with the improvement plan.",
    ]


def test_docx_list_paragraphs_are_list_items_under_their_lead_in(tmp_path: Path) -> None:
    import docx

    from qa.ingest.furniture import content_spans, lead_in

    document = docx.Document()
    document.add_paragraph("What needs to improve?")
    document.add_paragraph("The quality of plans for disabled children", style="List Bullet")
    document.add_paragraph("Supervision of frontline managers", style="List Number")
    document.add_paragraph("Inspectors will return next year.")
    path = tmp_path / "report.docx"
    document.save(path)
    loaded = read_file(path, LIMIT)
    assert loaded.text == (
        "What needs to improve?\n• The quality of plans for disabled children\n• Supervision of frontline managers\n"
        "Inspectors will return next year."
    )
    item = loaded.text.index("• Supervision")
    assert lead_in(loaded.text, item) == "What needs to improve?"
    assert "• Supervision of frontline managers" in [loaded.text[s:e] for s, e in content_spans(loaded.text)]
