import json

from qa.app.examples import GENERAL_EXAMPLES, MAX_EXAMPLES, read_examples

from conftest import CORPUS


def test_examples_come_from_the_corpus_file(tmp_path):
    path = tmp_path / "examples.json"
    path.write_text(
        json.dumps(["  First question?  ", "", 7, "Second?"] + [f"Q{i}?" for i in range(10)]), encoding="utf-8"
    )
    examples = read_examples(path)
    assert examples[:2] == ("First question?", "Second?")
    assert len(examples) == MAX_EXAMPLES


def test_missing_or_broken_file_falls_back_to_general_questions(tmp_path):
    assert read_examples(tmp_path / "none.json") == GENERAL_EXAMPLES
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert read_examples(tmp_path / "bad.json") == GENERAL_EXAMPLES
    (tmp_path / "dict.json").write_text('{"q": "x"}', encoding="utf-8")
    assert read_examples(tmp_path / "dict.json") == GENERAL_EXAMPLES


def test_default_corpus_ships_examples():
    assert len(read_examples(CORPUS / "examples.json")) >= 3
