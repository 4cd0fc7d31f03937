"""Each document's kind read off its text, used as its type where the catalog is silent; the catalog still wins."""

from __future__ import annotations

from pathlib import Path

from qa.assistant import Assistant
from qa.ingest.kinds import KINDS, detect_kind
from qa.library.documents import COMMON_KINDS, edit_details, restrict_to_kinds

from conftest import make_settings

LETTER = (
    "Northshire Council\nCounty Hall\n\n3 May 2024\n\nDear Ms Patel,\n\nSchool transport review\n\n"
    "Thank you for your letter about school transport. We have looked again at the route.\n\nYours sincerely\n\nJo Lee\n"
)
MINUTES = (
    "Children and Young People Scrutiny Committee\nMinutes of the meeting held on 4 March 2023\n\n"
    "Present: Councillors A Khan (Chair), B Ortiz and C Wu\n\n1. Apologies for absence\nNone were received.\n"
)
NEWS = (
    "Council told to improve care for children\n\nBy Sam Reed\n\nMonday, 21 January 2020\n\n"
    'Inspectors have told the council it must improve. "Progress has been too slow," the report said.\n'
    'The council leader said: "We accept the findings and are acting on them."\n'
)
REPORT_BODY = " ".join(["Leaders have improved the help that children receive since the last inspection."] * 200)
REPORT = f"Inspection of Northshire local authority children's services\nInspection dates: 4 to 15 June 2018\n\n{REPORT_BODY}\n"
GUIDANCE = "Housing Benefit\n\nEligibility\n\nYou can get Housing Benefit if you pay rent and your income is low.\n"


def test_each_kind_is_read_off_the_text() -> None:
    assert detect_kind(LETTER) == "letter"
    assert detect_kind(MINUTES) == "minutes"
    assert detect_kind(NEWS) == "news"
    assert detect_kind(REPORT) == "inspection report"
    assert detect_kind(GUIDANCE) == "other"


def test_news_about_an_inspection_is_news_not_an_inspection_report() -> None:
    assert detect_kind("Inspection of Northshire finds failings\n\n" + NEWS) == "news"


def test_the_library_offers_the_kinds_ingest_detects() -> None:
    assert tuple(COMMON_KINDS) == KINDS


def test_an_uncatalogued_file_gets_its_detected_type_and_the_type_filter_keeps_it(
    tmp_path: Path, corpus_copy: Path, fake_embedder
) -> None:
    (corpus_copy / "uncatalogued-letter.txt").write_text(LETTER, encoding="utf-8")
    (corpus_copy / "uncatalogued-minutes.txt").write_text(MINUTES, encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    assistant.ingest(progress=False)
    documents = assistant.index().documents
    assert documents["uncatalogued-letter.txt"].kind == "letter"
    assert documents["uncatalogued-letter.txt"].title == "School transport review"
    assert restrict_to_kinds(documents.values(), (), ["letter"]) == ("uncatalogued-letter.txt",)
    # the catalog's own minutes and the detected minutes are filtered alike
    assert restrict_to_kinds(documents.values(), (), ["minutes"]) == (
        "2022-09-30-herefordshire-council-minutes-inspection-report.txt",
        "uncatalogued-minutes.txt",
    )


def test_the_library_can_correct_a_detected_type_and_a_blank_cell_brings_it_back(
    tmp_path: Path, corpus_copy: Path, fake_embedder
) -> None:
    (corpus_copy / "uncatalogued-letter.txt").write_text(LETTER, encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path, corpus_copy), embedder=fake_embedder)
    assistant.ingest(progress=False)
    edit_details(assistant, "uncatalogued-letter.txt", kind="News")
    assert assistant.index().documents["uncatalogued-letter.txt"].kind == "news"
    edit_details(assistant, "uncatalogued-letter.txt", kind="")
    assert assistant.index().documents["uncatalogued-letter.txt"].kind == "letter"
