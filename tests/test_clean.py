from qa.ingest.furniture import content_spans, is_content_line

PAGE = """Council agrees new plan for children's services

Jane Reporter
Monday, 3 March 2025

The council agreed a new improvement plan for children's services on Monday evening.

Photo of the town hall. Picture: Staff
Photo of the town hall. Picture: Staff

Councillors said the plan would reduce caseloads for social workers over two years.

Click here for more related stories:

Budget row deepens at county hall

Would you like to receive our daily newsletter in your inbox?

  • Latest issues
  • Archive of articles

From £5 / month

Share on social media
"""


def kept(text: str) -> list[str]:
    return [text[s:e] for s, e in content_spans(text)]


def test_keeps_prose_and_drops_furniture_by_shape():
    assert kept(PAGE) == [
        "The council agreed a new improvement plan for children's services on Monday evening.",
        "Councillors said the plan would reduce caseloads for social workers over two years.",
    ]


def test_spans_point_into_the_unchanged_text():
    for start, end in content_spans(PAGE):
        assert PAGE[start:end].strip() == PAGE[start:end]
        assert "\n" not in PAGE[start:end]


def test_a_question_inside_a_quotation_is_content():
    assert is_content_line('"Would you accept this for your own children?" the inspector asked the panel.')
    assert not is_content_line("Did you enjoy this article?")


def test_long_lines_without_a_full_stop_are_content():
    line = " ".join(["word"] * 40)
    assert is_content_line(line)


def test_a_line_repeated_on_every_page_is_dropped():
    footer = "This report is published by the inspectorate under licence."
    text = "\n".join([footer, "The first finding was serious and needs action now.", footer, footer])
    assert kept(text) == ["The first finding was serious and needs action now."]


def test_dropping_a_lead_in_only_when_short():
    assert is_content_line("In introducing the report the cabinet member raised the principal points below:")
    assert not is_content_line("Additional documents:")


REPORT = """Inspection of children's social care services
Overall effectiveness: Inadequate
Impact of leaders on social work practice with children and families: Requires improvement to be good
What needs to improve:
- the timeliness of initial child protection conferences
- the quality of supervision for frontline staff
Children are safe.
Service | 2022 | 2023
Assessments completed on time | 71% | 64%
Page 3 of 12
"""


def test_report_judgements_lists_short_sentences_and_tables_are_content():
    assert kept(REPORT) == [
        "Overall effectiveness: Inadequate",
        "Impact of leaders on social work practice with children and families: Requires improvement to be good",
        "What needs to improve:",
        "- the timeliness of initial child protection conferences",
        "- the quality of supervision for frontline staff",
        "Children are safe.",
        "Service | 2022 | 2023",
        "Assessments completed on time | 71% | 64%",
    ]


def test_widget_labels_and_marketing_bullets_are_still_furniture():
    for line in (
        "High: 13°C | Low: 5°C",
        "Follow Us On Twitter",
        "• Archive of more than 60,000 articles",
        "Weather: Sunny",
        "Home | News",
    ):
        assert not is_content_line(line), line


def test_a_short_lead_in_is_kept_only_when_a_list_follows_and_items_know_it():
    from qa.ingest.furniture import lead_in

    assert "What needs to improve:" in kept(REPORT)
    assert not is_content_line("Related articles:")
    assert kept("Related articles:\nBudget Row Deepens At County Hall\n") == []
    item = REPORT.index("the quality of supervision")
    assert lead_in(REPORT, item) == "What needs to improve:"
    assert lead_in(REPORT, REPORT.index("Children are safe")) is None


def test_lines_a_reader_marked_as_furniture_are_never_content():
    text = "Inspection of Anytown children's services\nChildren are seen promptly by social workers.\n2"
    furniture = [(0, text.index("\n")), (len(text) - 1, len(text))]
    assert [text[s:e] for s, e in content_spans(text, furniture=furniture)] == [
        "Children are seen promptly by social workers."
    ]


def test_a_question_heading_or_a_short_heading_introduces_a_list():
    from qa.ingest.furniture import lead_in

    for heading in ("What needs to improve?", "What needs to improve?1", "What needs to improve"):
        text = f"{heading}\n• The quality of plans for disabled children (outcome 3)\n• Supervision of managers"
        assert lead_in(text, text.index("Supervision")) == heading
        # Under a question, items are findings whatever their ending; under a bare heading, only
        # when the list holds a sentence (so teaser headlines under "Related stories" are not).
        item_kept = "• The quality of plans for disabled children (outcome 3)" in kept(text)
        assert item_kept == heading.startswith("What needs to improve?")
        assert "• Supervision of managers" not in kept(text)  # too few words to be a finding
    mixed = "What needs to improve\n• Supervision is not regular.\n• The quality of plans for disabled children"
    assert kept(mixed)[-1] == "• The quality of plans for disabled children"
    prose = "Inspectors spoke to children and families during the visit.\n• Supervision of managers"
    assert lead_in(prose, prose.index("Supervision")) is None


def test_two_cell_rows_of_a_table_are_content_but_a_lone_menu_is_not():
    text = "Judgement | Grade\nThe experiences and progress of care leavers | Good\nOverall effectiveness | Inadequate\n\nHome | News"
    assert kept(text) == [
        "Judgement | Grade",
        "The experiences and progress of care leavers | Good",
        "Overall effectiveness | Inadequate",
    ]


def test_teaser_headlines_under_a_lead_in_stay_furniture():
    text = "Related stories:\n• Man arrested after fight outside town centre pub\n• Roadworks close the high street for three weeks"
    assert kept(text) == []
