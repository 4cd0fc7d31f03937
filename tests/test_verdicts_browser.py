"""A reviewer's verdict given in the browser is kept, exported and rerun by qa eval."""

from __future__ import annotations

import pytest

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, require_chromium, running_app
from qa.evaluate import evaluate_file
from qa.library.conversations import conversations_folder
from qa.library.verdicts import ANSWERS, VerdictStore, export_questions

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(180)]
SUPERVISION = "What did inspectors say about supervision?"


def test_a_verdict_given_in_the_browser_is_exported_and_rerun(fake_assistant, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    fake_assistant.settings = fake_assistant.settings.updated(answer__min_relevance=-1.0)
    with running_app(fake_assistant) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.fill("#question textarea", SUPERVISION)
            page.click("#ask")
            expect(page.locator("#conversation .turn.answer:not(.pending)")).to_have_count(1, timeout=60_000)
            page.locator('#conversation button.cite-marker[data-n="1"]').first.click()
            expect(page.locator("#verdict-for")).to_contain_text("Source [1]")
            page.locator("#verdict-choice label", has_text="Answers the question").click()
            page.fill("#verdict-note textarea", "the finding itself")
            page.click("#verdict-save")
            expect(page.locator("#verdict-status")).to_contain_text("Saved: [1] answers the question")
        finally:
            browser.close()
    store = VerdictStore(conversations_folder(fake_assistant.settings))
    [kept] = store.all()
    assert (kept.verdict, kept.note, kept.question) == (ANSWERS, "the finding itself", SUPERVISION)
    path = tmp_path / "reviewed.jsonl"
    assert export_questions(store, path).answerable == 1
    [result] = evaluate_file(fake_assistant, path).results
    assert result.hit and result.found
