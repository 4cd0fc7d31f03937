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
    row = {"id": "q", "question": "?", "answerable": True, "min_docs": 2,
           "gold": [{"doc": "one", "key": "regular supervision"}, {"doc": "two", "key": "case-loads"}]}
    answer = Answer("?", True, [citation(1, "Staff lack REGULAR   supervision."), citation(2, "Other text.")])
    result = score_answer(row, answer)
    assert result.hit and result.docs_covered == 1 and not result.covered
    assert result.missed_keys == ["case-loads"]


def test_report_aggregates_and_abstention():
    answerable = {"id": "a", "question": "?", "answerable": True, "min_docs": 1, "gold": [{"doc": "d", "key": "yes"}]}
    unanswerable = {"id": "b", "question": "?", "answerable": False, "gold": []}
    report = EvalReport([
        score_answer(answerable, Answer("?", True, [citation(1, "yes indeed")])),
        score_answer(unanswerable, Answer("?", True, [citation(1, "something")])),
    ])
    assert report.hit_rate == 1.0
    assert report.abstention_accuracy == 0.0
    assert "answered an unanswerable question" in report.summary()


def test_malformed_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "fine"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(QAError, match=r"q.jsonl:2"):
        read_questions(path)
