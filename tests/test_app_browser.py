"""The app in a real browser: ask, read cited answers, open a highlighted source, upload, ask again, export.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against the app
served on a free localhost port, with the real model over a private copy of
the corpus, at common laptop, desktop and phone sizes; axe-core checks the page
for accessibility. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pymupdf
import pytest
from docx import Document as WordDocument

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, require_axe, require_chromium, running_app
from pdfmaker import make_pdf
from conftest import REPO, make_settings
from qa.app.auth import LoginThrottle
from qa.assistant import Assistant

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(180)]

ARTIFACTS = REPO / "tests" / "artifacts"
SUPERVISION = "What did inspectors say about supervision?"
QUINCE = "How many quince trees will the allotment society plant?"
UPLOAD_NAME = "Allotment plan (draft).md"
STORED_NAME = "Allotment-plan-draft.md"
UPLOAD_TEXT = """Greenfield allotments plan

The Greenfield allotment society agreed to plant forty quince trees along the northern boundary next spring.

A member pasted this into the minutes: <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">
"""


@pytest.fixture
def app_url(tmp_path, corpus_copy, real_embedder):
    require_chromium()
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=real_embedder)
    assistant.ingest(progress=False)
    with running_app(assistant) as url:
        yield url


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(app_url)
    yield page


# Laptop, desktop and phone screens; the source viewer was blank on the 1366-wide ones.
SCREENS = [(1280, 720), (1366, 768), (1440, 900), (1920, 1080), (390, 844)]
# True when the centre of the highlighted passage's first line is on screen and nothing covers it.
MARK_SEEN_JS = """() => {
  const mark = document.querySelector('#viewer mark#cited-passage');
  if (!mark) return false;
  const box = mark.getClientRects()[0];
  if (!box) return false;
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return hit === mark || mark.contains(hit);
}"""


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]} {v['help']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def ask(page, question: str, answers_before: int) -> None:
    """Type a question, press Ask, and wait until its answer has replaced the progress line."""
    from playwright.sync_api import expect

    page.fill("#question textarea", question)
    page.click("#ask")
    expect(page.locator("#conversation .turn.answer:not(.pending)")).to_have_count(answers_before + 1, timeout=60_000)


def test_ask_open_source_upload_and_export(page, tmp_path):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # An example question from the landing view gets a cited answer, with its sources beside it.
    page.locator("#examples button", has_text=SUPERVISION).click()
    expect(page.locator("#conversation .turn.answer:not(.pending)")).to_have_count(1, timeout=60_000)
    expect(page.locator("#conversation .turn.question")).to_have_text(SUPERVISION)
    markers = page.locator('#conversation button.cite-marker[data-turn="0"]')
    assert markers.count() >= 1
    expect(page.locator("#sources-panel button.source-item").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "answer.png")

    # Selecting a citation opens the document beside the answer, the passage highlighted and in view,
    # and the page does not move; "Back to the answer" returns to the marker.
    scrolled = page.evaluate("window.scrollY")
    markers.last.click()
    mark = page.locator("#viewer mark#cited-passage")
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    quote = page.locator("#sources-panel button.source-item.active .quote").inner_text()
    assert " ".join(mark.inner_text().split()) == " ".join(quote.split())
    expect(page.locator("#sources-panel button.source-item.active")).to_be_in_viewport()
    assert abs(page.evaluate("window.scrollY") - scrolled) < 2
    expect(markers.last).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "source.png")
    page.click("#viewer button.back-to-answer")
    expect(markers.last).to_be_focused()
    expect(markers.last).to_be_in_viewport()

    # Upload a new document (and one the app must refuse), then ask what only it answers.
    upload = tmp_path / "browser" / UPLOAD_NAME
    upload.parent.mkdir()
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    refused = upload.parent / "tool.exe"
    refused.write_bytes(b"MZ")
    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Add documents").click()
    page.locator("#upload-files input[type=file]").set_input_files([upload, refused])
    expect(page.locator("#upload-files tbody tr")).to_have_count(2)  # both files reached the server
    page.click("#upload-button")
    status = page.locator("#upload-status")
    expect(status).to_contain_text(f"Added 1 document(s): {STORED_NAME}.", timeout=60_000)
    expect(status).to_contain_text("Not added: tool.exe: unsupported file type")

    expect(page.locator("#library-table")).to_contain_text(STORED_NAME)
    page.get_by_role("tab", name="Ask").click()
    ask(page, QUINCE, answers_before=1)
    expect(page.locator("#sources-panel")).to_contain_text(STORED_NAME)
    page.locator('#conversation button.cite-marker[data-turn="1"]').first.click()
    expect(page.locator("#viewer mark#cited-passage")).to_contain_text("forty quince trees")
    # Markup in a document is shown as text and never runs.
    expect(page.locator("#viewer .doc-text")).to_contain_text("<script>window.__pwned = 1</script>")
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=ARTIFACTS / "upload-answer.png")

    # Export only the second answer as a briefing note, and read the Word and PDF files it gives.
    page.get_by_text("Briefing note: export answers").click()
    page.locator("#export-choice label", has_text=SUPERVISION).click()  # untick the first answer
    page.click("#export")
    files = page.locator("#export-files")
    for suffix in (".md", ".docx", ".pdf"):
        expect(files).to_contain_text(suffix)
    texts = {}
    for link in files.locator("a").all():
        href = link.get_attribute("href")
        name = href.rsplit("/", 1)[-1]
        body = page.request.get(href if href.startswith("http") else page.url.rstrip("/") + href).body()
        if name.endswith(".docx"):
            texts["docx"] = "\n".join(p.text for p in WordDocument(io.BytesIO(body)).paragraphs)
        elif name.endswith(".pdf"):
            with pymupdf.open(stream=body, filetype="pdf") as pdf:
                texts["pdf"] = " ".join(" ".join(page_.get_text() for page_ in pdf).split())
    assert set(texts) == {"docx", "pdf"}
    for text in texts.values():
        assert "forty quince trees" in text and "Key points" in text
        assert SUPERVISION not in text  # the unticked answer is left out
    assert Path(ARTIFACTS / "answer.png").stat().st_size > 10_000


@pytest.mark.timeout(480)
def test_the_cited_passage_is_on_screen_and_the_page_accessible_at_every_size(app_url, browser):
    """At laptop, desktop and phone sizes a selected citation's passage is on screen (a hit test at its centre
    finds it, not whatever covers it), a new answer is announced, and axe-core finds no serious or critical
    accessibility problem with the source open."""
    from playwright.sync_api import Error, expect

    require_axe()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width, height in SCREENS:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(app_url)
        expect(page.get_by_role("textbox", name="Your question")).to_be_visible()
        ask(page, SUPERVISION, answers_before=0)
        expect(page.locator("#qa-announcer")).to_contain_text(f"Answer to “{SUPERVISION}”")
        page.locator('#conversation button.cite-marker[data-turn="0"]').last.click()
        expect(page.locator("#viewer mark#cited-passage")).to_be_attached()
        try:
            page.wait_for_function(MARK_SEEN_JS, timeout=10_000)
        except Error:
            page.screenshot(path=ARTIFACTS / f"hidden-source-{width}x{height}.png")
            box = page.locator("#viewer mark#cited-passage").bounding_box()
            pytest.fail(f"At {width}x{height} the highlighted passage is not on screen: {box}")
        page.screenshot(path=ARTIFACTS / f"source-{width}x{height}.png")
        problems[f"{width}x{height}"] = serious_accessibility_problems(page)
        context.close()
    assert not any(problems.values()), problems


def test_copy_puts_a_quote_or_the_whole_answer_on_the_clipboard_with_citations(app_url, browser):
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    ask(page, SUPERVISION, answers_before=0)
    answer = page.locator("#conversation .turn.answer").first
    copy = answer.locator("button.copy-quote").first
    copy.click()
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    # The quote of source [1], word for word, then its title and date (and page, for a paged document).
    source = page.locator('#sources-panel button.source-item[data-n="1"]')
    quote = " ".join(source.locator(".quote").text_content().split())
    title = source.locator(".title").text_content()
    assert copied.startswith(f"“{quote}” — {title}, "), copied
    assert re.search(r", \d{1,2} [A-Z][a-z]+ \d{4}(, p\. \d+)?$", copied), copied
    expect(page.locator("#qa-announcer")).to_contain_text("Copied")

    answer.locator("button.copy-answer").click()
    whole = page.evaluate("navigator.clipboard.readText()").splitlines()
    assert whole[0] == f"Q: {SUPERVISION}"
    assert copied in whole and len(whole) == 1 + page.locator("#sources-panel button.source-item").count()
    context.close()


def test_a_paused_login_says_so_on_the_login_page(fake_assistant, tmp_path, browser):
    """After five wrong passwords the login page says logins are paused and for how long."""
    from playwright.sync_api import expect

    logins = tmp_path / "logins.txt"
    logins.write_text("reviewer:pa55word\n", encoding="utf-8")
    fake_assistant.settings = fake_assistant.settings.updated(app__auth_file=logins)
    with running_app(fake_assistant, login_throttle=LoginThrottle()) as url:
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        for attempt in range(6):  # the sixth, with the right password, is refused: logins are paused
            page.locator("input[type=text]").first.fill("reviewer")
            page.locator("input[type=password]").fill("pa55word" if attempt == 5 else f"guess{attempt}")
            with page.expect_response(lambda r: r.url.rstrip("/").endswith("/login")) as response:
                page.get_by_role("button", name="Login").click()
            assert response.value.status == (429 if attempt == 5 else 400)
        paused = page.locator("#qa-login-paused")
        expect(paused).to_have_attribute("role", "alert")
        expect(paused).to_contain_text("Logins are paused")
        expect(paused).to_contain_text(re.compile(r"Try again in \d+ s\."))
        page.screenshot(path=ARTIFACTS / "login-paused.png")


def test_the_newest_answer_stays_in_view(page):
    """Four questions in a row: each new answer is scrolled into view inside the conversation box."""
    from playwright.sync_api import expect

    questions = [
        SUPERVISION,
        "and what about in 2020?",
        "What did the third monitoring visit find about care plans?",
        "How was the leadership of children's services described?",
    ]
    for asked, question in enumerate(questions):
        ask(page, question, answers_before=asked)
        newest = page.locator("#conversation .turn.question").last
        expect(newest).to_have_text(question)
        expect(newest).to_be_in_viewport()
        expect(page.locator("#conversation .turn.answer").last.locator("button.cite-marker").first).to_be_in_viewport()
        if asked == 1:  # the follow-up, for the README
            page.screenshot(path=ARTIFACTS / "conversation.png")  # copied to docs/ for the README
    # The follow-up says how it was read.
    expect(page.locator("#conversation .turn.answer").nth(1).locator(".searched-for")).to_have_text(
        f"Searched for: {SUPERVISION} and what about in 2020?"
    )
    page.screenshot(path=ARTIFACTS / "four-questions.png")
    # A reload keeps the conversation, and it is listed among the person's conversations, in a sidebar in view.
    page.reload()
    expect(page.locator("#conversation .turn.question")).to_have_count(4)
    expect(page.locator("#conversation .turn.question").first).to_have_text(SUPERVISION)
    listed = page.locator("#conv-list")
    expect(listed).to_be_in_viewport()
    expect(listed.get_by_role("radio")).to_have_count(1)
    expect(listed.locator("label").first).to_contain_text("4 questions")
    # A new conversation, then reopening the first from the list.
    page.click("#clear")
    expect(page.locator("#conversation .turn.question")).to_have_count(0)
    listed.locator("label").first.click()
    expect(page.locator("#conversation .turn.question")).to_have_count(4)
    # Deleting asks first, naming it: declined, it stays; accepted, it is gone and the page starts afresh.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#conv-delete")
    expect(listed.get_by_role("radio")).to_have_count(1)
    assert asked and SUPERVISION in asked[0] and "cannot be undone" in asked[0]
    expect(page.locator("#conversation .turn.question")).to_have_count(4)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#conv-delete")
    expect(listed.get_by_role("radio")).to_have_count(0)
    expect(page.locator("#conversation .turn.question")).to_have_count(0)


def test_phone_width_source_dialog_and_back(page):
    """At 390 px a citation opens the source as a dialog over the page; "back" closes it at the answer."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    ask(page, SUPERVISION, answers_before=0)
    marker = page.locator('#conversation button.cite-marker[data-turn="0"]').first
    box = marker.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    marker.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    marker.click()
    mark = page.locator("#viewer mark#cited-passage")
    expect(mark).to_be_in_viewport()
    back = page.locator("#viewer button.back-to-answer")
    expect(back).to_be_in_viewport()
    assert page.locator("#viewer .viewer").evaluate("e => getComputedStyle(e).position") == "fixed"
    assert abs(page.evaluate("window.scrollY") - scrolled) < 2
    # It is a modal dialog, named by the source's heading, with the keyboard on "Back to the answer".
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_have_accessible_name(re.compile(r"^\[\d+\] "))
    expect(back).to_be_focused()
    page.screenshot(path=ARTIFACTS / "phone-source.png")
    back.click()
    expect(marker).to_be_in_viewport()
    expect(marker).to_be_focused()
    expect(page.locator("#viewer .viewer.closed")).to_have_count(1)
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Escape closes it too, back at the marker.
    marker.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(marker).to_be_focused()
    # The question box shows its whole placeholder: it wraps rather than being cut off.
    question = page.locator("#question textarea")
    assert question.evaluate("e => e.clientHeight") >= 2 * question.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) || 16"
    )


def choose(page, dropdown: str, option: str) -> None:
    """Pick ``option`` (its label, or part of it) in a Gradio dropdown."""
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option).first.click()


ORCHARD_LINES = [
    "The orchard group met in March to plan the season.",
    "The orchard group planted twelve damson trees by the river",
    "and agreed to prune the old pear trees in the autumn.",
]


def test_library_upload_list_replace_and_delete(page, tmp_path):
    """The Library tab: list and search, upload, a duplicate flagged, details saved, replace, delete."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Library").click()
    table = page.locator("#library-table")
    expect(table.locator("tbody tr")).to_have_count(5)
    page.fill("#library-search textarea", "minutes")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.fill("#library-search textarea", "")

    upload = tmp_path / UPLOAD_NAME
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    report = make_pdf(tmp_path / "orchard.pdf", [["Orchard group annual report."], ORCHARD_LINES])
    page.get_by_text("Add documents").click()
    page.locator("#upload-files input[type=file]").set_input_files([upload, report])
    page.click("#upload-button")
    status = page.locator("#upload-status")
    expect(status).to_contain_text(f"Added 2 document(s): {STORED_NAME}, orchard.pdf.", timeout=60_000)
    expect(table.locator("tbody tr")).to_have_count(7)
    # The same content under another name is flagged, not indexed twice; the last upload's messages are gone.
    copy = tmp_path / "copy.md"
    copy.write_text(UPLOAD_TEXT, encoding="utf-8")
    page.locator("#upload-files input[type=file]").set_input_files([copy])
    expect(status).not_to_contain_text("Added")
    page.click("#upload-button")
    expect(status).to_contain_text(f"Already in the collection: copy.md has the same content as {STORED_NAME}")
    expect(table.locator("tbody tr")).to_have_count(7)

    # Correct the details: written to the catalog and shown in the list.
    choose(page, "#library-doc", "Greenfield allotments plan")
    expect(page.locator("#library-title textarea")).to_have_value("Greenfield allotments plan")  # details shown
    page.fill("#library-title textarea", "Greenfield allotment plan 2024")
    choose(page, "#library-kind", "minutes")
    page.click("#library-save")
    expect(page.locator("#library-status")).to_contain_text("Saved the details", timeout=60_000)
    expect(table).to_contain_text("Greenfield allotment plan 2024")
    page.screenshot(path=ARTIFACTS / "library.png", full_page=True)  # copied to docs/ for the README

    # Replace with a new version, then delete it: it is never cited again.
    new = tmp_path / "new" / UPLOAD_NAME
    new.parent.mkdir()
    new.write_text(UPLOAD_TEXT.replace("forty quince", "sixty medlar"), encoding="utf-8")
    page.locator("#library-replace-file input[type=file]").set_input_files([new])
    page.click("#library-replace")
    expect(page.locator("#library-status")).to_contain_text(f"Replaced {STORED_NAME}", timeout=60_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#library-delete")
    expect(page.locator("#library-status")).to_contain_text(f"Deleted {STORED_NAME}", timeout=60_000)
    expect(table.locator("tbody tr")).to_have_count(6)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "How many medlar trees will the allotment society plant?", answers_before=0)
    expect(page.locator("#conversation")).not_to_contain_text("medlar trees along")
    expect(page.locator("#sources-panel")).not_to_contain_text(STORED_NAME)

    # A PDF's source can be seen as the printed page, the quote highlighted there.
    ask(page, "How many damson trees did the orchard group plant by the river?", answers_before=1)
    page.locator('#conversation button.cite-marker[data-turn="1"]').first.click()
    expect(page.locator("#viewer mark#cited-passage")).to_contain_text("damson trees")
    page.click("#viewer button.view-page")
    image = page.locator("#viewer .page-image img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("alt", re.compile("the quote highlighted"))
    expect(page.locator("#viewer .doc-text")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "page-image.png")
