"""Training pairs for the answer judge, from the public labelled sets in ``shared/train``.

Each data set gives questions (or claims) over texts split into sentences,
and which sentences answer. A question's pairs are every sentence of its own
paragraph (the sentences that read most like an answer without being one:
SQuAD 2.0's unanswerable questions are written against their paragraph) plus
hard negatives mined with this project's own search over the whole data set:
the sentences the dense and keyword rankings, fused by reciprocal rank, put
first. A mined sentence that holds the answer text is left out rather than
taught as wrong.

Output is deterministic for the same input files: the groups, their order,
the held-out split (by a hash of the question's id) and the mining.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.index.bm25 import tokenize
from qa.ingest.sentences import split_sentences

FILES = {
    "squad2": ["squad2/dev-v2.0.json"],
    "selqa": ["selqa/selqa-ass-dev.json", "selqa/selqa-ass-test.json"],
    "policyqa": ["policyqa/dev.json", "policyqa/test.json"],
    "scifact": ["scifact/claims_train.jsonl", "scifact/corpus_sentences.jsonl"],
}
HELD_OUT_SHARE = 0.08  # questions kept from training: the combiner and the threshold are fitted on them
MINED = 5  # hard negatives per question from search over the whole data set
SCIFACT_POOL = 1500  # abstracts beside those the training claims cite, searched for hard negatives


@dataclass
class Passage:
    """A run of sentences from one text, with its title."""

    title: str
    sentences: list[str]


@dataclass
class Group:
    """One question with the passage it was asked about and its answering sentences."""

    id: str
    question: str
    passage: int  # index into the data set's passages
    positives: set[int]
    answers: list[str] = field(default_factory=list)  # answer strings, to keep false negatives out of mining


def _sentences(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = split_sentences(text)
    return [text[s:e] for s, e in spans], spans


def _squad_like(path: Path, name: str) -> tuple[list[Passage], list[Group]]:
    """SQuAD 2.0 and PolicyQA: a sentence overlapping an answer span answers; unanswerable: none does."""
    passages: list[Passage] = []
    groups: list[Group] = []
    for article in json.loads(path.read_text())["data"]:
        title = article["title"].replace("_", " ")
        for paragraph in article["paragraphs"]:
            sentences, spans = _sentences(paragraph["context"])
            if not sentences:
                continue
            passages.append(Passage(title, sentences))
            for qa in paragraph["qas"]:
                positives = set()
                for answer in [] if qa.get("is_impossible") else qa["answers"]:
                    a, b = answer["answer_start"], answer["answer_start"] + max(len(answer["text"]), 1)
                    positives |= {i for i, (s, e) in enumerate(spans) if s < b and a < e}
                answers = [a["text"] for a in qa.get("answers", []) if a["text"].strip()]
                groups.append(Group(f"{name}:{qa['id']}", qa["question"], len(passages) - 1, positives, answers))
    return passages, groups


def load_squad2(root: Path) -> tuple[list[Passage], list[Group]]:
    return _squad_like(root / FILES["squad2"][0], "squad2")


def load_policyqa(root: Path) -> tuple[list[Passage], list[Group]]:
    passages, groups = [], []
    for name in FILES["policyqa"]:
        p, g = _squad_like(root / name, "policyqa")
        for group in g:
            group.passage += len(passages)
        passages += p
        groups += g
    return passages, groups


def load_selqa(root: Path) -> tuple[list[Passage], list[Group]]:
    passages, groups = [], []
    for name in FILES["selqa"]:
        for n, row in enumerate(json.loads((root / name).read_text())):
            passages.append(Passage(f"{row['article']} — {row['section']}", list(row["candidates"])))
            positives = set(row["answers"])
            answers = [row["candidates"][i] for i in positives]
            groups.append(Group(f"selqa:{name}:{n}", row["question"], len(passages) - 1, positives, answers))
    return passages, groups


def load_scifact(root: Path) -> tuple[list[Passage], list[Group]]:
    """SciFact train claims: a rationale sentence answers; the other sentences of a cited abstract do not."""
    abstracts = {}
    for line in (root / FILES["scifact"][1]).read_text().splitlines():
        row = json.loads(line)
        abstracts[int(row["doc_id"])] = row
    passages: list[Passage] = []
    at: dict[int, int] = {}

    def passage_of(doc_id: int) -> int:
        if doc_id not in at:
            at[doc_id] = len(passages)
            passages.append(Passage(abstracts[doc_id]["title"], list(abstracts[doc_id]["sentences"])))
        return at[doc_id]

    groups = []
    for line in (root / FILES["scifact"][0]).read_text().splitlines():
        claim = json.loads(line)
        for doc_id in claim["cited_doc_ids"]:
            if int(doc_id) not in abstracts:
                continue
            rationale = set()
            for evidence in claim["evidence"].get(str(doc_id), []):
                rationale |= set(evidence["sentences"])
            p = passage_of(int(doc_id))
            answers = [passages[p].sentences[i] for i in rationale]
            groups.append(Group(f"scifact:{claim['id']}:{doc_id}", claim["claim"], p, rationale, answers))
    # Other abstracts to mine hard negatives from (a fixed sample: the whole corpus is 5,183).
    rest = sorted(set(abstracts) - set(at))
    for doc_id in random.Random(13).sample(rest, min(SCIFACT_POOL, len(rest))):
        passage_of(doc_id)
    return passages, groups


LOADERS = {"squad2": load_squad2, "selqa": load_selqa, "policyqa": load_policyqa, "scifact": load_scifact}


def held_out(group_id: str) -> bool:
    """Whether a question is kept out of training (a stable hash, so the split never moves)."""
    digest = hashlib.sha256(group_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < HELD_OUT_SHARE


def mine(
    passages: list[Passage], groups: list[Group], embedder, depth: int = 40, progress: bool = True
) -> list[list[tuple[int, int]]]:
    """For each group, up to MINED (passage, sentence) pairs that search ranks high and that do not answer.

    The search is the product's: dense cosine with the packaged model and
    BM25 over the same tokens, fused by reciprocal rank (k=60).
    """
    import bm25s

    refs = [(p, i) for p, passage in enumerate(passages) for i in range(len(passage.sentences))]
    texts = [passages[p].sentences[i] for p, i in refs]
    vectors = embedder.embed_passages(texts, progress=progress, label="Embedding sentences")
    queries = embedder.embed_passages([g.question for g in groups], progress=progress, label="Embedding questions")
    retriever = bm25s.BM25()
    retriever.index([tokenize(t) or ["\u2400"] for t in texts], show_progress=False)
    out = []
    for n, group in enumerate(groups):
        dense = np.argsort(-(vectors @ queries[n]))[:depth]
        tokens = tokenize(group.question)
        lexical = []
        if tokens:
            scores = retriever.get_scores(tokens)
            lexical = np.argsort(-scores)[:depth]
            lexical = [j for j in lexical if scores[j] > 0]
        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, j in enumerate(ranking):
                fused[int(j)] = fused.get(int(j), 0.0) + 1.0 / (60 + rank + 1)
        answers = [a.lower() for a in group.answers if len(a) >= 3]
        picked = []
        for j in sorted(fused, key=lambda j: (-fused[j], j)):
            p, i = refs[j]
            if p == group.passage:
                continue  # the question's own passage is in its pairs already
            if any(a in texts[j].lower() for a in answers):
                continue  # holds the answer: maybe a true answer elsewhere, never taught as wrong
            picked.append((p, i))
            if len(picked) == MINED:
                break
        out.append(picked)
    return out


def _pair(question: str, passage: Passage, i: int, label: int, group: str, held: bool, span: int = 1) -> dict:
    sentence = " ".join(passage.sentences[i : i + span])
    before = passage.sentences[i - 1] if i > 0 else ""
    return {
        "group": group,
        "held_out": held,
        "q": question,
        "s": sentence,
        "t": passage.title,
        "c": before,
        "y": label,
        "n": span,
    }


def pairs(
    name: str, passages: list[Passage], groups: list[Group], mined: list[list[tuple[int, int]]]
) -> Iterator[dict]:
    """Every labelled pair of a data set: own-passage sentences, mined negatives, and neighbour pairs.

    A neighbour pair is a sentence joined to the next one: the judge learns
    that two sentences answer together when either holds the answer, which is
    how the answer step decides to quote a neighbour with its best sentence.
    """
    rng = random.Random(name)
    for group, negatives in zip(groups, mined):
        held = held_out(group.id)
        passage = passages[group.passage]
        for i in range(len(passage.sentences)):
            yield _pair(group.question, passage, i, int(i in group.positives), group.id, held)
        for p, i in negatives:
            yield _pair(group.question, passages[p], i, 0, group.id, held)
        if len(passage.sentences) > 1 and rng.random() < 0.3:
            i = rng.randrange(len(passage.sentences) - 1)
            label = int(bool({i, i + 1} & group.positives))
            yield _pair(group.question, passage, i, label, group.id, held, span=2)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (as ``qa.index.builds.file_sha256``, which this module cannot import on a
    training machine without the index's packages)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def build(root: Path, out: Path, embedder, names: list[str] | None = None, limit: int | None = None) -> dict:
    """Write every data set's pairs to ``out`` (gzipped JSON lines) and return what went in, with hashes."""
    names = names or list(LOADERS)
    summary: dict = {"inputs": {}, "sets": {}}
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=6) as f:
        for name in names:
            for file in FILES[name]:
                summary["inputs"][file] = sha256(root / file)
            passages, groups = LOADERS[name](root)
            if limit:  # a quick run: the first questions, and only their passages to mine from
                groups = groups[:limit]
                keep = sorted({g.passage for g in groups})
                at = {p: n for n, p in enumerate(keep)}
                passages = [passages[p] for p in keep]
                for g in groups:
                    g.passage = at[g.passage]
            mined = mine(passages, groups, embedder)
            counts = {"questions": len(groups), "pairs": 0, "positive": 0}
            for row in pairs(name, passages, groups, mined):
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                counts["pairs"] += 1
                counts["positive"] += row["y"]
            summary["sets"][name] = counts
            print(
                f"{name}: {counts['questions']:,} questions, {counts['pairs']:,} pairs, {counts['positive']:,} answering",
                flush=True,
            )
    summary["output"] = {out.name: sha256(out)}
    return summary


def read_pairs(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
