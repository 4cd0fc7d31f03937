"""One settings object: typos are errors that name their neighbours, and settings are copied, never mutated."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qa.settings import Settings


def test_a_typo_in_a_section_names_the_field_and_its_neighbour():
    with pytest.raises(ValidationError, match="unknown setting 'min_relevence'.*did you mean min_relevance"):
        Settings(answer={"min_relevence": 0.9})


def test_a_typo_in_the_environment_is_an_error(monkeypatch):
    monkeypatch.setenv("QA_ANSWER__MIN_RELEVENCE", "0.9")
    with pytest.raises(ValidationError, match="min_relevance"):
        Settings()


def test_settings_are_frozen_and_copied_with_updates():
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.answer.min_relevance = 0.1
    changed = settings.updated(answer__min_relevance=0.1, app__port=9000)
    assert changed.answer.min_relevance == 0.1 and changed.app.port == 9000
    assert settings.answer.min_relevance != 0.1 and settings.app.port == 7860
    with pytest.raises(ValueError, match="did you mean min_relevance"):
        settings.updated(answer__min_relevence=0.1)


def test_every_setting_says_what_it_means():
    def fields(model):
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                yield from fields(annotation)
            else:
                yield name, info

    missing = [name for name, info in fields(Settings) if not info.description]
    assert missing == []


def test_the_cli_reports_a_settings_typo_in_one_line(monkeypatch, capsys):
    from qa.cli import main

    monkeypatch.setenv("QA_ANSWER__MIN_RELEVENCE", "0.9")
    assert main(["ask", "anything"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "min_relevence" in err and "did you mean min_relevance" in err
