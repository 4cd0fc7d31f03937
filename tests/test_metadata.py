"""Tests for qa.metadata: date and title detection, date normalising and the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import QAError
from qa.ingest.catalog import CatalogEntry, read_catalog
from qa.ingest.dates import detect_date, normalise_date
from qa.ingest.titles import detect_title

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ofsted blames leaders\n\nTristan Donovan\nMonday, July 23, 2018\n\nA lack of grip.", "2018-07-23"),
        ("Ofsted finds weak leadership\n\n29 Jun 16\nWeak leadership in England.", "2016-06-29"),
        ("Inspectors say\n\nTuesday, 21 January 2020 20:47\n\nBy a reporter", "2020-01-21"),
        ("Issue - meetings\n\nMeeting: 30/09/2022 - Council (Item 27)\n", "2022-09-30"),
        ("Published 2020-01-21 by the council", "2020-01-21"),
        ("Report\n21st January 2020\nBody text.", "2020-01-21"),
        ("Annual report\nJanuary 2020\nBody text.", "2020-01"),
        ("Updated: Sept. 5, 2021", "2021-09-05"),
        ("On the 4th of March 2019 the board met.", "2019-03-04"),
        ("Posted 31/12/21", "2021-12-31"),
        ("Dated 12/31/2021", "2021-12-31"),  # impossible day first, so month first
    ],
)
def test_detect_date_shapes(text: str, expected: str) -> None:
    assert detect_date(text) == expected


def test_detect_date_prefers_the_earliest_date() -> None:
    text = "Council news\n5 March 2021\n\nThe plan was agreed on 2 February 2020 after a review."
    assert detect_date(text) == "2021-03-05"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A report with no date at all.\nInspectors visited in September.",
        "We may 2020 the plan.",  # lowercase "may" is a verb
        "On 3 May 15 councillors voted.",  # two-digit year followed by a word is a count
        "31 February 2020 is not a day.",  # impossible date, and not read as February 2020
        "Software v1.2.2020 was released.",
        "The inspection in June 2018 found that the council had work to do.",  # a month in prose, not a dateline
    ],
)
def test_detect_date_finds_nothing(text: str) -> None:
    assert detect_date(text) is None


def test_a_date_in_running_prose_is_not_the_documents_date() -> None:
    abstract = (
        "Aliskiren and the renin-angiotensin system\n\nOBJECTIVE To examine the safety of combined treatment. "
        "DATA SOURCES Medline and Embase, published up to 7 May 2011. RESULTS Ten trials were included."
    )
    assert detect_date(abstract) is None
    assert (
        detect_date("Northshire Council news. " + "The report was long and detailed. " * 3 + "Published 5 May 2020.")
        == "2020-05-05"
    )
    assert detect_date(abstract + "\nUpdated 3 June 2012") == "2012-06-03"


def test_detect_date_looks_only_near_the_top() -> None:
    body = "\n".join(f"Line {n} of a long report about services." for n in range(40))
    assert detect_date(body + "\nPublished 5 October 2023") is None
    assert detect_date("x" * 3500 + "\n5 October 2023") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000_3eb3def1b84119af.txt", "2018-07-23"),
        ("001_180a2f6a0e39ffa9.txt", "2016-06-29"),
        ("002_871d06bcdf4ca95c.txt", "2020-01-21"),
        ("003_8b9c0cf288067cf8.txt", "2022-09-30"),
        ("004_3d00dc475c9bbeb7.txt", None),
    ],
)
def test_detect_date_on_seeds(name: str, expected: str | None) -> None:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {path} not present")
    assert detect_date(path.read_text(encoding="utf-8")) == expected


def test_detect_title_on_seed() -> None:
    path = SEEDS / "004_3d00dc475c9bbeb7.txt"
    if not path.exists():
        pytest.skip(f"seed {path} not present")
    assert detect_title(path.read_text(encoding="utf-8")) == "Findings of third Ofsted monitoring visit published"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Meeting notes\n\nBody.", "Meeting notes"),
        ("\n\n  ## Budget   2023 ##\nBody.", "Budget 2023"),
        ("---\nCouncil backs plan\nBody.", "Council backs plan"),
        ("This opening sentence ends with a full stop.\nReal heading\nBody.", "Real heading"),
        ("", ""),
    ],
)
def test_detect_title(text: str, expected: str) -> None:
    assert detect_title(text) == expected


def test_detect_title_falls_back_to_first_line_cut_with_an_ellipsis() -> None:
    long_line = " ".join(["word"] * 40) + "."
    title = detect_title(long_line)
    assert len(title) <= 80
    assert title.endswith("word…")  # a cut title says so
    assert long_line.startswith(title[:-1])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023", "2023"),
        ("2023-10", "2023-10"),
        ("2023-10-05", "2023-10-05"),
        ("2023-10-05T10:00:00Z", "2023-10-05"),
        ("5 October 2023", "2023-10-05"),
        ("Thursday 5 October 2023", "2023-10-05"),
        ("October 2023", "2023-10"),
        ("Oct 5, 2023", "2023-10-05"),
        ("05/10/2023", "2023-10-05"),
        (" 05/10/2023 ", "2023-10-05"),
        ("", None),
        ("soon", None),
        ("2023-13", None),
        ("31/02/2023", None),
        ("5 October", None),
    ],
)
def test_normalise_date(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_read_catalog(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        "# Catalog of the corpus\n"
        "file,title,publisher,date\n"
        "reports/plan.pdf,Improvement plan,Herefordshire Council,2023-10\n"
        "\n"
        "# a comment between rows\n"
        './news\\story.html,"Council backs plan, again",,5 October 2023\n'
        "minutes.txt,,,\n",
        encoding="utf-8",
    )
    assert read_catalog(path) == {
        "reports/plan.pdf": CatalogEntry("Improvement plan", "Herefordshire Council", "2023-10"),
        "news/story.html": CatalogEntry("Council backs plan, again", None, "2023-10-05"),
        "minutes.txt": CatalogEntry(),
    }


def test_read_catalog_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_catalog(tmp_path / "catalog.csv") == {}


def test_read_catalog_bad_date_names_line_and_value(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("file,title,publisher,date\n# comment\na.txt,A,,2020\nb.txt,B,,next Tuesday\n", encoding="utf-8")
    with pytest.raises(QAError) as info:
        read_catalog(path)
    message = str(info.value)
    assert "catalog.csv" in message
    assert "line 4" in message
    assert "'next Tuesday'" in message
    assert "YYYY-MM-DD" in message


def test_read_catalog_requires_a_header(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("a.txt,A,,2020\n", encoding="utf-8")
    with pytest.raises(QAError, match=r"line 1: .*header"):
        read_catalog(path)


def test_two_digit_years_are_never_in_the_future():
    from qa.ingest.dates import detect_date

    assert detect_date("Published\n12 May 99\n") == "1999-05-12"
    assert detect_date("Published\n29 Jun 16\n") == "2016-06-29"


def test_user_dates_are_read_whatever_their_case():
    from qa.ingest.dates import normalise_date

    assert normalise_date("may 2020") == "2020-05"
    assert normalise_date("5 OCTOBER 2023") == "2023-10-05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inspection of Anytown\nInspection dates: 12 to 23 May 2025\nLead inspector: A Person", "2025-05-23"),
        ("Inspection dates: 24 February 2025 to 7 March 2025\n", "2025-03-07"),
        ("Inspection dates: 26th February 2024 to 8th March 2024\n", "2024-03-08"),
        ("Inspection dates: 21 February to 4 March 2022\n", "2022-03-04"),
        ("Inspection dates: 7 March 2022 - 18 March 2022\n", "2022-03-18"),
        ("Visit: 3 May 2022\nPublished: 14 June 2022\nBody.", "2022-06-14"),  # the publication date wins
        ("Report\nPublication date 1 July 2021\nInspected 2 to 4 May 2021", "2021-07-01"),
    ],
)
def test_a_report_is_dated_by_publication_else_the_end_of_its_inspection(text: str, expected: str) -> None:
    assert detect_date(text) == expected


def test_ambiguous_numeric_dates_follow_the_document_or_stay_partial() -> None:
    from qa.ingest.dates import date_order

    assert detect_date("Audit report\n03-02-2015\nBody text.") == "2015"  # no sign either way: the year only
    us = "Audit report\n03-02-2015\nContact Public.Affairs@oig.hhs.gov for copies."
    assert date_order(us) == "mdy"
    assert detect_date(us) == "2015-03-02"
    assert detect_date("Audit report\n03-02-2015\nSee also the audit of 12/18/2014.") == "2015-03-02"
    assert detect_date("Minutes\n03/02/2015\nThe meeting of 25/12/2014 agreed it.") == "2015-02-03"
    assert detect_date("Minutes\n03/02/2015\nSee www.example.gov.uk for papers.") == "2015-02-03"
    assert detect_date("Posted December 5, 2014\nNext: 03-02-2015") == "2014-12-05"
    assert detect_date("News\n07-07-2016\nBody.") == "2016-07-07"  # both readings agree
    assert normalise_date("03/02/2015") == "2015-02-03"  # people typing into this product write day first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "By\nEmma Thomas\n\nPUBLISHED:\n22:28 EST, 17 December 2013\n\nInspectors found drugs were easy to get.",
            "Inspectors found drugs were easy to get.",
        ),
        (
            "By Jane Smith, Local Democracy Reporter\nCouncil backs plan for children\nBody text here.",
            "Council backs plan for children",
        ),
        ("Monday, 3 March 2025\nCouncil agrees budget\nBody.", "Council agrees budget"),
        (
            "The inspection found serious weaknesses.\nBody text continues here, and ends with a stop.",
            "The inspection found serious weaknesses.",
        ),
        ("---\ntitle: Front\nlayout: post\n---\n\nCouncil backs plan\nBody.", "Council backs plan"),
    ],
)
def test_detect_title_skips_bylines_datelines_and_front_matter(text: str, expected: str) -> None:
    assert detect_title(text) == expected
