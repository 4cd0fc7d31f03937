import pytest

from qa.answer.base import NOT_FOUND
from qa.answer.question import validate_question
from qa.render.text import format_date
from qa.errors import BadQuestion
from qa.settings import AnswerSettings
from qa.types import Filters


@pytest.mark.parametrize("question", ["", "   \n\t ", "?!...", "\x00\x01"])
def test_unusable_questions_are_refused(question):
    with pytest.raises(BadQuestion):
        validate_question(question, AnswerSettings())


def _ingested(tmp_path, embedder, files: dict[str, str], **settings):
    """An assistant over a corpus of ``files`` (name -> text), ingested, with ``settings`` (min_relevance -1 unless given)."""
    from conftest import make_settings

    from qa.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    assistant = Assistant(
        make_settings(tmp_path, corpus).updated(**{"answer__min_relevance": -1.0, **settings}), embedder=embedder
    )
    assistant.ingest(progress=False)
    return assistant


def test_overlong_question_names_the_limit():
    with pytest.raises(BadQuestion, match="2,000"):
        validate_question("why " * 600, AnswerSettings())


def test_control_characters_are_cleaned_and_other_scripts_accepted():
    assert validate_question("supervision\x07 quality", AnswerSettings()) == "supervision  quality"
    assert validate_question("Что сказали инспекторы? 🙂", AnswerSettings()).startswith("Что")


def test_format_date():
    assert format_date("2018-07-23") == "23 July 2018"
    assert format_date("2023-10") == "October 2023"
    assert format_date("2023") == "2023"
    assert format_date(None) == "undated"


def test_every_citation_is_verbatim_and_marked_in_the_answer(fake_assistant):
    answer = fake_assistant.ask("social workers supervision quality")
    assert answer.found and answer.citations
    documents = fake_assistant.index().documents
    for citation in answer.citations:
        assert documents[citation.source].text[citation.start : citation.end] == citation.text
        assert f"[{citation.n}]" in answer.answer
        assert citation.title == documents[citation.source].title
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_citations_are_in_date_order(fake_assistant):
    answer = fake_assistant.ask("children's services inspection leadership")
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)


def test_unrelated_question_abstains(fake_assistant):
    answer = fake_assistant.ask("Quantum chromodynamics lattice gluon propagators?")
    assert not answer.found
    assert answer.answer == NOT_FOUND and answer.citations == []


def test_per_document_and_total_limits(fake_assistant):
    fake_assistant.settings = fake_assistant.settings.updated(answer__max_citations=3, answer__max_documents=3)
    answer = fake_assistant.ask("children's services social workers")
    assert 1 <= len(answer.citations) <= 3


def test_each_document_is_heard_from_before_any_says_more(fake_assistant):
    question = "children's services social workers"
    fake_assistant.settings = fake_assistant.settings.updated(answer__max_citations=1, answer__max_documents=8)
    wide = fake_assistant.ask(question)
    sources = [c.source for c in wide.citations]
    assert len(sources) == len(set(sources)) > 1  # one quote from each document, past max_citations
    fake_assistant.settings = fake_assistant.settings.updated(answer__max_citations=1, answer__max_documents=1)
    assert len(fake_assistant.ask(question).citations) == 1


def test_abstention_under_filters_says_what_was_searched(fake_assistant):
    from qa.types import Filters

    answer = fake_assistant.ask("social workers supervision", filters=Filters(since="2031"))
    assert not answer.found
    assert answer.answer.startswith(NOT_FOUND) and "chosen documents and dates" in answer.answer


def test_how_many_and_when_questions_expect_a_number_or_a_date():
    from qa.answer.types_asked import answer_type

    many = answer_type("How many departments were rated inadequate?")
    assert many.carried_by("21 departments were rated inadequate", "") and many.carried_by("one quarter of them", "")
    assert not many.carried_by("Many departments struggled with leadership", "")
    assert not many.carried_by("Inspection dates: 16 to 27 January 2023", "")  # dates are not counts
    assert not many.carried_by("their last visit in 2014", "") and many.carried_by(
        "since 2014, 43 required improvement", ""
    )
    when = answer_type("When did inspectors visit?")
    assert when.carried_by("Inspectors visited in September", "") and when.carried_by("in 2022", "")
    assert answer_type("What did inspectors say about supervision?") is None
    assert answer_type("How much progress had been made?") is None  # progress is not a quantity
    assert answer_type("How much funding did the council get?").name == "count"
    # A share of the things asked about is not how many there are.
    in_care = "How many children were in care?"
    assert answer_type(in_care).carried_by("There were 312 children in care.", in_care)
    assert not answer_type(in_care).carried_by(
        "More than 75 per cent of children in care changed social worker.", in_care
    )
    assert not answer_type(in_care).carried_by("Some 75% of children in care changed social worker.", in_care)


def test_share_and_person_questions_need_a_share_or_a_name():
    from qa.answer.types_asked import answer_type

    share = answer_type("What percentage of social workers are agency staff?")
    assert share.carried_by("Agency staff make up 12% of the workforce", "") and share.carried_by(
        "a third of staff", ""
    )
    assert not share.carried_by("There are 25 newly qualified social workers", "")
    who = answer_type("Who is the director of children's services in Northshire?")
    text = (
        "the director of children's services left. Jane Hollis was appointed. Northshire County Council county council"
    )
    assert who.carried_by("Jane Hollis was appointed director.", who.asks.pattern, text)
    assert not who.carried_by(
        "A new director was appointed by Northshire County Council.", "Who is the director in Northshire?", text
    )
    assert answer_type("Who carries out return home interviews?") is None  # answered by a service, not a name


def test_a_front_page_field_answers_only_a_question_asking_who_or_when():
    from qa.answer.types_asked import answers_as_field, field_kind

    dates, lead = "Inspection dates: 6 to 17 December 2021", "Lead inspector: Jane Hollis, His Majesty’s Inspector"
    assert field_kind(dates) == "date" and field_kind(lead) == "name"
    # A label with a finding, a judgement or a clause is not a record.
    for sentence in (
        "Overall effectiveness: Requires improvement to be good",
        "Overall effectiveness: Good",
        "Note: staff were inspected in 2019.",
    ):
        assert field_kind(sentence) is None and answers_as_field(sentence, "What did inspectors find?")
    assert not answers_as_field(dates, "What did inspectors find in 2021?")
    assert answers_as_field(dates, "When was the council inspected?") and not answers_as_field(
        dates, "Who led the inspection?"
    )
    assert answers_as_field(lead, "Who led the inspection?") and not answers_as_field(
        lead, "What did inspectors say about supervision?"
    )
    # Ordinary words in capitals are not a person's name, nor is an organisation's.
    text = "The service requires improvement to be good. Most children are safe."
    for sentence in (
        "Overall effectiveness: Requires Improvement To Be Good",
        "Key findings: Children Are Safe",
        "Local authority: Northshire County Council",
    ):
        assert field_kind(sentence, text) is None
    # A claim to check is not a question: the record may support it.
    assert answers_as_field(dates, "Northshire was inspected in December 2021.")


def test_a_question_naming_a_place_and_a_date_is_answered_by_findings_not_the_inspection_dates(tmp_path, fake_embedder):
    assistant = _ingested(
        tmp_path,
        fake_embedder,
        {
            "northshire.txt": "Inspection of Northshire children's services\n\nInspection dates: 6 to 17 December 2021\n\n"
            "Inspectors found that children in Northshire wait too long for help.\n",
            "southby.txt": "Inspection of Southby children's services\n\nInspection dates: 3 to 14 May 2021\n\nChildren in Southby are safe.\n",
        },
    )
    answer = assistant.ask("What happened in Northshire in December 2021?")
    assert [c.text for c in answer.citations] == [
        "Inspectors found that children in Northshire wait too long for help."
    ]
    assert (
        assistant.ask("When was Northshire inspected?").citations[0].text == "Inspection dates: 6 to 17 December 2021"
    )


def test_words_inside_a_web_or_mail_address_do_not_match_the_question(tmp_path, fake_embedder):
    assistant = _ingested(
        tmp_path,
        fake_embedder,
        {
            "audit.txt": "Report twelve\n\nThe state agency inspected every day care center on time.\n\n"
            "Copies are available from Public.Affairs@oig.hhs.gov or www.oig.hhs.gov/reports.\n",
        },
    )
    evidence = assistant._evidence("What did the OIG audit find about day care centers?", Filters(), None, ())
    coverage = {evidence.text(c)[:6]: c.coverage for c in evidence.candidates}
    assert coverage["Copies"] == 0.0 and coverage["The st"] > 0


def test_a_table_row_many_reports_share_is_quoted_but_a_table_header_is_not(tmp_path, fake_embedder):
    from qa.ingest.furniture import is_table_row_after_another

    report = "Inspection of {0} children's services\n\nChildren in {0} are helped early.\n\nJudgement | Grade\nOverall effectiveness | Good\nLeadership | Outstanding\n"
    text = report.format("Northby")
    assert is_table_row_after_another(text, text.index("Overall")) and not is_table_row_after_another(
        text, text.index("Judgement")
    )
    markdown = "| Judgement | Grade |\n|---|---|\n| Overall effectiveness | Good |"
    assert is_table_row_after_another(markdown, markdown.index("| Overall")) and not is_table_row_after_another(
        markdown, 0
    )
    assistant = _ingested(
        tmp_path,
        fake_embedder,
        {f"{place.lower()}.txt": report.format(place) for place in ("Northby", "Southby", "Westby")},
    )
    answer = assistant.ask("What was Northby's overall effectiveness judgement grade?")
    quoted = [c.text for c in answer.citations]
    # Three reports share the row word for word: it is their data; their shared header is their template.
    # ("Judgement | Grade" has the three words a statement needs, so only the template rule keeps it out.)
    assert "Overall effectiveness | Good" in quoted and "Judgement | Grade" not in quoted


def test_a_sentence_that_turns_the_quoted_one_is_quoted_with_it(tmp_path, fake_embedder):
    report = (
        "Inspection of Northshire children's services\n\n"
        "The council bought specialist training in trauma-informed practice for its staff. "
        "However, inspectors saw no evidence that the training was used in work with children.\n\n"
        "Foster carers are well supported by a dedicated team of supervising social workers.\n"
    )
    assistant = _ingested(tmp_path, fake_embedder, {"report.txt": report}, answer__max_citations=1)
    answer = assistant.ask("Did the council buy trauma-informed practice training?")
    texts = [c.text for c in answer.citations]
    assert texts[0].startswith("The council bought") and texts[1].startswith("However, inspectors saw no evidence")


def _weak_evidence(question: str, ranks: tuple[int | None, int | None]):
    """Evidence whose best sentence is below the relevance line, found by a passage ranked ``ranks`` (dense, lexical)."""
    import numpy as np

    from qa.answer.base import Candidate, Evidence
    from qa.types import Chunk, Document, Hit

    text = "Cold exposure recruits brown fat in mice. The effect fades with age."
    document = Document(source="a.txt", text=text, sha256="a", title="Brown fat")
    spans = ((0, 41), (42, len(text)))
    chunk = Chunk("a.txt#0", "a.txt", 0, len(text), text, None, spans)
    hit = Hit(chunk, 0.03, 0.4, *ranks)
    candidates = [
        Candidate("a.txt", 0, 41, 0.4, 0.3, searched=1.0),
        Candidate("a.txt", 42, len(text), 0.4, 0.1, searched=1.0),
    ]
    vectors = np.eye(2, dtype=np.float32)
    return Evidence(question, question, Filters(), [hit], candidates, vectors, {"a.txt": document})


def test_a_statement_is_answered_below_the_line_when_both_rankings_put_its_passage_first():
    from qa.answer.extractive import ExtractiveWriter

    writer = ExtractiveWriter(AnswerSettings())
    answer = writer.write(_weak_evidence("Cold exposure increases brown fat.", (1, 1)))
    assert answer.found and [c.text for c in answer.citations] == ["Cold exposure recruits brown fat in mice."]
    # The two rankings disagree (or agreement is switched off): nothing corroborates the weak match.
    assert not writer.write(_weak_evidence("Cold exposure increases brown fat.", (1, 4))).found
    assert (
        not ExtractiveWriter(AnswerSettings(agreement_depth=0))
        .write(_weak_evidence("Cold exposure increases brown fat.", (1, 1)))
        .found
    )
    # A question asks for a fact the passage may lack: agreement on the topic does not answer it.
    assert not writer.write(_weak_evidence("Does cold exposure increase brown fat?", (1, 1))).found


def _two_documents(question: str, scores: tuple[float, float]):
    """Evidence of one sentence in each of two documents, scoring ``scores``."""
    import numpy as np

    from qa.answer.base import Candidate, Evidence
    from qa.types import Document

    texts = ("Cold exposure recruits brown fat in mice.", "Brown fat grows in mice kept in the cold.")
    documents = {
        f"{name}.txt": Document(source=f"{name}.txt", text=text, sha256=name, title="")
        for name, text in zip("ab", texts)
    }
    candidates = [Candidate(f"{name}.txt", 0, len(text), 0.4, score) for name, text, score in zip("ab", texts, scores)]
    return Evidence(question, question, Filters(), [], candidates, np.eye(2, dtype=np.float32), documents)


def test_a_statement_quotes_every_document_strong_beside_its_best_even_below_the_line():
    from qa.answer.extractive import ExtractiveWriter

    writer = ExtractiveWriter(AnswerSettings(min_relevance=0.45, relative_cutoff=0.75))
    # 0.42 is below the line but close to the best sentence's 0.52: a second source for the claim.
    claim = writer.write(_two_documents("Cold exposure increases brown fat.", (0.52, 0.42)))
    assert {c.source for c in claim.citations} == {"a.txt", "b.txt"}
    # Far below the best, it is not about the claim.
    assert {
        c.source for c in writer.write(_two_documents("Cold exposure increases brown fat.", (0.60, 0.42))).citations
    } == {"a.txt"}
    # A question is answered only by sentences above the line.
    question = writer.write(_two_documents("Does cold exposure increase brown fat?", (0.52, 0.42)))
    assert {c.source for c in question.citations} == {"a.txt"}


def test_a_name_no_document_mentions_stops_a_question_but_not_a_statement(fake_assistant):
    from qa.answer.evidence import gather_evidence

    index, searcher = fake_assistant._live()
    settings, embedder = fake_assistant.settings.answer, fake_assistant.embedder
    question = gather_evidence(
        "What did inspectors find about supervision in Zorbania?", index, searcher, embedder, settings
    )
    assert question.candidates == [] and question.scope.missing == ("Zorbania",)
    # A statement asks for the passages closest to it: they are gathered, and the notice says what is not mentioned.
    statement = gather_evidence("Supervision of social workers in Zorbania", index, searcher, embedder, settings)
    assert statement.candidates and "Zorbania" in statement.notes()


def test_the_same_finding_in_two_documents_is_quoted_from_each_but_once_within_one(tmp_path, fake_embedder):
    finding = "Children aged 16 and 17 who present as homeless receive a strong and timely response."
    assistant = _ingested(
        tmp_path,
        fake_embedder,
        {
            "northshire.txt": f"Inspection of Northshire children's services\n\n{finding}\n\n{finding}\n",
            "southvale.txt": f"Inspection of Southvale children's services\n\n{finding}\n",
        },
    )
    answer = assistant.ask("How well do councils respond to 16 and 17 year olds who present as homeless?")
    quoted = [c.source for c in answer.citations if c.text == finding]
    assert sorted(quoted) == ["northshire.txt", "southvale.txt"]


def _judged(
    candidates: list[tuple[str, str, float]],
    dates: dict[str, str] | None = None,
    threshold: float = 0.5,
    following=None,
):
    """Evidence of judged sentences: (document, sentence, probability), each document's sentences in one text."""
    import numpy as np

    from qa.answer.base import Candidate, Evidence
    from qa.types import Document

    texts: dict[str, str] = {}
    spans = []
    for source, sentence, _ in candidates:
        start = len(texts.get(source, ""))
        texts[source] = texts.get(source, "") + sentence + " "
        spans.append((source, start, start + len(sentence)))
    documents = {s: Document(source=s, text=t, sha256=s, title=s, date=(dates or {}).get(s)) for s, t in texts.items()}
    judged = [Candidate(source, start, end, 0.5, p) for (source, start, end), (_, _, p) in zip(spans, candidates)]
    order = sorted(range(len(judged)), key=lambda i: -judged[i].score)
    vectors = np.eye(len(judged), dtype=np.float32)[order]
    return Evidence(
        "q?",
        "q?",
        Filters(),
        [],
        [judged[i] for i in order],
        vectors,
        documents,
        following=following or {},
        threshold=threshold,
    )


def test_the_writer_quotes_only_what_the_judge_finds_answers_and_abstains_below_the_threshold():
    from qa.answer.extractive import ExtractiveWriter

    writer = ExtractiveWriter(AnswerSettings())
    evidence = _judged(
        [("a.txt", "Staff receive regular supervision.", 0.8), ("a.txt", "The council has a new office.", 0.3)]
    )
    assert [c.text for c in writer.write(evidence).citations] == ["Staff receive regular supervision."]
    weak = _judged([("a.txt", "Staff receive regular supervision.", 0.49)])
    answer = writer.write(weak)
    assert not answer.found and answer.answer == NOT_FOUND


def test_every_document_whose_best_sentence_answers_is_heard_from_in_date_order():
    from qa.answer.extractive import ExtractiveWriter

    evidence = _judged(
        [
            ("new.txt", "Supervision is now regular.", 0.9),
            ("new.txt", "Supervision records are complete.", 0.85),
            ("new.txt", "Managers check supervision monthly.", 0.8),
            ("old.txt", "Supervision was irregular.", 0.55),
        ],
        dates={"new.txt": "2024-01-01", "old.txt": "2019-05-01"},
    )
    answer = ExtractiveWriter(AnswerSettings(per_document=2)).write(evidence)
    assert [c.source for c in answer.citations] == [
        "old.txt",
        "new.txt",
        "new.txt",
    ]  # the weaker document is heard from
    assert answer.citations[1].text == "Supervision is now regular."


def test_a_neighbour_the_judge_reads_as_part_of_the_answer_is_quoted_after_it():
    from qa.answer.extractive import ExtractiveWriter

    text = "The council bought trauma training. However, inspectors saw no evidence it was used."
    first = len("The council bought trauma training.")
    evidence = _judged([("a.txt", text, 0.9)])
    candidate = evidence.candidates[0]
    evidence.candidates[0] = type(candidate)(candidate.source, 0, first, candidate.context, candidate.score)
    evidence.following = {("a.txt", 0): (first + 1, len(text))}
    quoted = [c.text for c in ExtractiveWriter(AnswerSettings()).write(evidence).citations]
    assert quoted == ["The council bought trauma training.", "However, inspectors saw no evidence it was used."]


def _list_evidence(text: str, quoted: list[str], threshold: float = 0.5):
    """Judged evidence over one document ``text`` whose sentences ``quoted`` answer (probability 0.9)."""
    import numpy as np

    from qa.answer.base import Candidate, Evidence
    from qa.types import Document

    document = Document(source="r.txt", text=text, sha256="r", title="Report")
    candidates = [
        Candidate("r.txt", text.index(q), text.index(q) + len(q), 0.5, 0.9 - n / 100) for n, q in enumerate(quoted)
    ]
    return Evidence(
        "q?",
        "q?",
        Filters(),
        [],
        candidates,
        np.eye(len(candidates), dtype=np.float32),
        {"r.txt": document},
        threshold=threshold,
    )


REPORT_WITH_A_LIST = (
    "Inspection of Northby children's services\n\nWhat needs to improve?\n"
    "• The quality of assessments and plans for disabled children. Enabler three: National Framework.\n"
    "• The timeliness of pathway plans for care leavers. Enabler two: Practice Guidance.\n"
    "• Oversight of children missing from education.\n"
    "• The response to homeless 16- and 17-year-olds.\n\n"
    "1. Children are seen promptly. " + "Practitioners know them well and record their views carefully. " * 12 + "\n"
)


def test_a_list_item_is_quoted_with_its_text_not_its_label_alone():
    from qa.answer.extractive import ExtractiveWriter

    answer = ExtractiveWriter(AnswerSettings()).write(
        _list_evidence(REPORT_WITH_A_LIST, ["Enabler three: National Framework."])
    )
    assert [c.text for c in answer.citations] == [
        "The quality of assessments and plans for disabled children. Enabler three: National Framework."
    ]
    # A report's long numbered paragraph is not a list item: its sentence is quoted alone.
    long = ExtractiveWriter(AnswerSettings()).write(_list_evidence(REPORT_WITH_A_LIST, ["Children are seen promptly."]))
    assert [c.text for c in long.citations] == ["Children are seen promptly."]


def test_a_list_two_of_whose_items_answer_comes_back_whole_in_order():
    from qa.answer.extractive import ExtractiveWriter

    quoted = ["Oversight of children missing from education.", "The timeliness of pathway plans for care leavers."]
    answer = ExtractiveWriter(AnswerSettings(per_document=2, max_citations=2)).write(
        _list_evidence(REPORT_WITH_A_LIST, quoted)
    )
    texts = [c.text for c in answer.citations]
    assert texts == [
        "The quality of assessments and plans for disabled children. Enabler three: National Framework.",
        "The timeliness of pathway plans for care leavers. Enabler two: Practice Guidance.",
        "Oversight of children missing from education.",
        "The response to homeless 16- and 17-year-olds.",
    ]
    for c in answer.citations:  # every quote is the text at its span
        assert REPORT_WITH_A_LIST[c.start : c.end] == c.text
    # One answering item alone does not bring the others.
    one = ExtractiveWriter(AnswerSettings()).write(_list_evidence(REPORT_WITH_A_LIST, quoted[:1]))
    assert [c.text for c in one.citations] == quoted[:1]
