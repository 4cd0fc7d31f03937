"""Sentences many documents share word for word: their template ("This report is available at ..."), not a finding.

Each stored sentence's normalised words are hashed at ingest into the build's
name index (a ``#`` key per sentence text, see ``qa.index.names``), so the
answer step asks how many documents hold a sentence with one lookup instead of
reading every sentence of the collection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from qa.index.bm25 import tokenize

TEMPLATE = "#"  # name index key prefix of a sentence's template hash
_BODY = 3  # qa.ingest.names.BODY: where a template is written matters not, only by how many documents


def template_key(sentence: str) -> str:
    """A sentence's words, ignoring case, quotes, punctuation and web addresses' schemes: how templates repeat."""
    return " ".join(w for w in tokenize(sentence) if w not in ("http", "https", "www"))


def template_hash_key(template: str) -> str:
    """The name index key of a template (a ``template_key``)."""
    return TEMPLATE + hashlib.blake2b(template.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def template_keys(text: str, spans: Iterable[tuple[int, int]]) -> dict[str, int]:
    """The template keys of a document's stored sentences."""
    return {template_hash_key(template_key(text[start:end])): _BODY for start, end in spans}
