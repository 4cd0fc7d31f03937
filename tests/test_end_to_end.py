"""The real packaged model on the default corpus: what a user runs."""

from pathlib import Path

import pytest

from qa.evaluate import evaluate_file

from conftest import CORPUS

pytestmark = pytest.mark.slow
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.jsonl"
DEV_REAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-real"


def test_supervision_question_cites_at_least_three_documents_verbatim(seed_assistant):
    answer = seed_assistant.ask("What did inspectors say about supervision?")
    assert answer.found
    assert len({c.source for c in answer.citations}) >= 3
    for c in answer.citations:
        assert (CORPUS / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.text
    assert any("supervision" in c.text.lower() for c in answer.citations)
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)


def test_follow_up_keeps_the_topic_and_favours_the_named_year(seed_assistant):
    answer = seed_assistant.ask("and what about in 2020?", history=["What did inspectors say about supervision?"])
    assert answer.found
    assert any((c.date or "").startswith("2020") for c in answer.citations)


def test_keyword_query_finds_passages(seed_assistant):
    answer = seed_assistant.ask("commissioner")
    assert answer.found and any("commissioner" in c.text.lower() for c in answer.citations)


def test_questions_outside_the_corpus_abstain(seed_assistant):
    for question in ("What is the recipe for a Victoria sponge cake?", "How many moons does Jupiter have?"):
        assert not seed_assistant.ask(question).found, question


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval is not beside the repository")
def test_dev_questions_meet_the_bar(seed_assistant):
    report = evaluate_file(seed_assistant, DEV)
    print(report.summary())
    answerable = [r for r in report.results if r.answerable]
    assert sum(r.hit for r in answerable) >= len(answerable) - 1  # a tolerance of one question, not 100% on a handful
    assert report.abstention_accuracy >= 0.5 and report.verbatim_rate == 1.0


@pytest.fixture(scope="session")
def dev_real_assistant(tmp_path_factory, real_embedder):
    """The nine real Ofsted reports of shared/eval/dev-real, indexed once with the real model."""
    import shutil

    from qa.assistant import Assistant
    from qa.settings import Settings

    root = tmp_path_factory.mktemp("dev-real")
    shutil.copytree(DEV_REAL / "docs", root / "corpus")
    assistant = Assistant(Settings(corpus_dir=root / "corpus", index_dir=root / "index"), embedder=real_embedder)
    assistant.ingest(progress=False)
    return assistant


@pytest.mark.skipif(not DEV_REAL.exists(), reason="shared/eval/dev-real is not beside the repository")
def test_real_reports_meet_the_bar(dev_real_assistant):
    """Gates with a tolerance over forty questions about nine real inspection reports."""
    report = evaluate_file(dev_real_assistant, DEV_REAL / "questions.jsonl")
    print(report.summary())
    answerable = [r for r in report.results if r.answerable]
    unanswerable = [r for r in report.results if not r.answerable]
    multi = [r for r in answerable if r.min_docs > 1]
    assert report.hit_rate >= 0.85
    assert sum(r.covered for r in multi) >= len(multi) // 2
    assert sum(not r.found for r in unanswerable) >= 0.7 * len(unanswerable)
    assert sum(not r.found for r in answerable) <= 2  # false abstentions
    assert report.verbatim_rate == 1.0 and report.furniture_citations == 0


def test_report_shaped_documents_answer_from_judgements_and_list_items(tmp_path, real_embedder):
    """A report's findings live in 'label: value' lines and bulleted lists under a lead-in."""
    import shutil

    from qa.assistant import Assistant
    from qa.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "northshire.md").write_text(
        "# Inspection of Northshire children's social care services\n\n"
        "Overall effectiveness: Inadequate\n"
        "The experiences and progress of children in care: Good\n\n"
        "What needs to improve:\n"
        "- the timeliness of strategy meetings\n"
        "- management oversight of caseloads in the assessment teams\n",
        encoding="utf-8",
    )
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embedder=real_embedder)
    assistant.ingest(progress=False)
    judgement = assistant.ask("What was the overall effectiveness judgement for Northshire?")
    assert judgement.found and judgement.citations[0].text == "Overall effectiveness: Inadequate"
    improve = assistant.ask("What needs to improve in Northshire?")
    assert any(c.text == "the timeliness of strategy meetings" for c in improve.citations)
