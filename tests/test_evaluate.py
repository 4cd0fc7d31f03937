import json

import pytest

from qa.errors import QAError
from qa.evaluate import EvalReport, normalise, read_questions, score_answer
from qa.types import Answer, Citation


def citation(n: int, text: str, source: str = "a.txt") -> Citation:
    return Citation(n=n, source=source, title="t", date=None, page=None, text=text, start=0, end=len(text), score=1.0)


def test_normalise_matches_the_gold_key_convention():
    assert normalise("Kensington  and\nChelsea, and “Westminster”") == 'kensington and chelsea, and "westminster"'


def test_scoring_counts_keys_and_documents():
    row = {
        "id": "q",
        "question": "?",
        "answerable": True,
        "min_docs": 2,
        "gold": [{"doc": "one", "key": "regular supervision"}, {"doc": "two", "key": "case-loads"}],
    }
    answer = Answer("?", True, [citation(1, "Staff lack REGULAR   supervision."), citation(2, "Other text.")])
    result = score_answer(row, answer)
    assert result.hit and result.docs_covered == 1 and not result.covered
    assert result.missed_keys == ["case-loads"]


def test_report_aggregates_and_abstention():
    answerable = {"id": "a", "question": "?", "answerable": True, "min_docs": 1, "gold": [{"doc": "d", "key": "yes"}]}
    unanswerable = {"id": "b", "question": "?", "answerable": False, "gold": []}
    report = EvalReport(
        [
            score_answer(answerable, Answer("?", True, [citation(1, "yes indeed")])),
            score_answer(unanswerable, Answer("?", True, [citation(1, "something")])),
        ]
    )
    assert report.hit_rate == 1.0
    assert report.abstention_accuracy == 0.0
    assert "answered an unanswerable question" in report.summary()


def test_malformed_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "fine"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(QAError, match=r"q.jsonl:2"):
        read_questions(path)


def test_retrieval_metrics_and_quote_checks(fake_assistant, tmp_path):
    from qa.evaluate import evaluate_file

    index = fake_assistant.index()
    source = next(iter(index.documents))
    questions = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "a",
            "question": "What did inspectors say about supervision?",
            "answerable": True,
            "gold": [{"doc": source, "key": "zzz"}],
        },
        {
            "id": "b",
            "question": "supervision",
            "answerable": True,
            "gold": [{"doc": "not-in-this-index.txt", "key": "x"}],
        },
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = evaluate_file(fake_assistant, questions)
    data = report.to_dict()
    assert 0.0 <= data["search_ndcg@10"] <= 1.0 and "answer_recall@10" in data
    assert report.results[1].gold_docs == []  # gold documents this index lacks are not scored for retrieval
    assert data["verbatim_rate"] == 1.0 and data["furniture_citations"] == 0
    assert "verbatim citations" in report.summary()


def test_a_quote_reaching_into_furniture_is_counted():
    from qa.evaluate import _within_content
    from qa.types import Document

    doc = Document(source="r.pdf", text="Header line\nA finding. More.\nFooter 3\n", sha256="x", content=[(12, 29)])
    assert _within_content(doc, 12, 22) and not _within_content(doc, 0, 22) and not _within_content(doc, 23, 35)
