"""The on-disk index: write a complete build, swap it in atomically, open it safely.

Layout of the index folder::

    CURRENT                 name of the live build (replaced atomically)
    builds/<id>/manifest.json
    builds/<id>/documents.jsonl, the chunk and sentence columns (see qa.index.tables),
                the name index (names.json, names.npy: see qa.index.names),
                passages_dense/, passages_lexical/, sentences_*/

A build is written under ``builds/<id>.partial`` and renamed only when every
file is on disk, then ``CURRENT`` is switched with ``os.replace``. An ingest
killed at any moment therefore leaves the previous build live. No pickle:
JSON, JSON lines, FAISS's own format and ``.npy`` without object arrays.
Chunks and sentences are read as columns and made into objects lazily, so
opening a large index costs little more than reading its arrays.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from collections.abc import Iterable
from typing import Any


from qa.errors import IndexCorrupt, IndexNotFound, ModelMismatch
from qa.index import factory
from qa.index.pointer import (  # noqa: F401  (current_build is part of this module's API)
    REBUILD_HINT,
    _clear_pointer,
    _pointed_build_name,
    _remove_path,
    current_build,
)
from qa.index.base import DenseStore, LexicalStore, RowMeta
from qa.index.loaded import Index, Ranking, SentenceRef, Stores, names_of, sentence_id
from qa.index.names import NameTable
from qa.index.tables import ChunkList, ChunksById, ChunksOfSentence, SentencesById, Tables, write_tables
from qa.types import Chunk, Document, date_range

FORMAT_VERSION = 5  # 5: a name index; 4: chunk and sentence metadata as columns (.npy), loaded lazily
UPGRADABLE_FORMATS = (
    4,
)  # formats ingest brings up to date without embedding again (the name index is read from the texts)
UPGRADE_HINT = "Run `qa ingest` to bring it up to date (nothing is embedded again)."
STORE_FOLDERS = ("passages_dense", "passages_lexical", "sentences_dense", "sentences_lexical")


# The loaded index types live in qa.index.loaded (so qa.index.tables can use them); named here too.
__all__ = ["Index", "Ranking", "SentenceRef", "Stores", "current_build", "open_index", "sentence_id", "write_index"]


def row_meta(document: Document) -> RowMeta:
    """What the stores keep per row of this document, for filtering."""
    first, last = date_range(document.date)
    return RowMeta(source=document.source, date_first=first, date_last=last)


def write_index(
    index_dir: Path,
    documents: dict[str, Document],
    chunks: list[Chunk],
    passages: Stores,
    sentences: dict[str, SentenceRef],
    sentence_stores: Stores,
    manifest: dict[str, Any],
    names: NameTable | None = None,
) -> Path:
    """Write a complete build and make it the live one; return its folder (the name index read from the texts unless given)."""
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
    partial = builds / f"{build_id}.partial"
    final = builds / build_id
    partial.mkdir()
    try:
        _write_jsonl(partial / "documents.jsonl", (d.to_dict() for d in documents.values()))
        write_tables(partial, documents, chunks, sentences)
        if names is None or names.sources != list(documents):
            names = names_of(documents, sentences=sentences)
        names.save(partial)
        saved: tuple[DenseStore | LexicalStore, ...] = (
            passages.dense,
            passages.lexical,
            sentence_stores.dense,
            sentence_stores.lexical,
        )
        for folder, store in zip(STORE_FOLDERS, saved):
            store.save(partial / folder)

        stores = {"dense": passages.dense.name, "lexical": passages.lexical.name}
        manifest = dict(manifest, format=FORMAT_VERSION, build=build_id, chunk_count=len(chunks), stores=stores)
        manifest["artifacts"] = {
            p.relative_to(partial).as_posix(): file_sha256(p) for p in sorted(partial.rglob("*")) if p.is_file()
        }
        _write_text(partial / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        _write_text(
            partial / STAMP, json.dumps({name: _file_identity(partial / name) for name in manifest["artifacts"]})
        )
        _fsync_dir(partial)

        previous = _trusted_build_name(index_dir)  # None when CURRENT or its build is damaged: nothing to keep
        os.replace(partial, final)
        _clear_pointer(index_dir / "CURRENT")
        _write_text(index_dir / "CURRENT.tmp", build_id)
        os.replace(index_dir / "CURRENT.tmp", index_dir / "CURRENT")
        _fsync_dir(index_dir)
    except BaseException:
        # A failed build must not pile up: remove what this call wrote, unless it already went live.
        if _pointed_build_name(index_dir) != build_id:
            for leftover in (partial, final, index_dir / "CURRENT.tmp"):
                _remove_path(leftover)
        raise
    # The previous build stays one round, for readers that were opening it during the swap.
    _remove_stale_builds(builds, keep={build_id, previous})
    return final


# Types of the manifest fields the code relies on; anything else in a manifest is ignored.
_MANIFEST_FIELDS: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "dimension": int,
    "format": int,
    "build": str,
    "chunk_count": int,
    "chunker": dict,
    "files": dict,
    "artifacts": dict,
}


def _trusted_build_name(index_dir: Path) -> str | None:
    """The live build's name if its pointer and manifest read cleanly, else None (a damaged build is not kept)."""
    try:
        read_manifest(index_dir)
    except (IndexNotFound, IndexCorrupt):
        return None
    return _pointed_build_name(index_dir)


def read_manifest(index_dir: Path, build: Path | None = None) -> dict[str, Any]:
    """Read the manifest of ``build``, or of the live build; IndexCorrupt unless it has the expected shape."""
    path = (build or current_build(index_dir)) / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise IndexCorrupt(f"{path} cannot be read ({reason}). {REBUILD_HINT}") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise IndexCorrupt(f"{path} is damaged ({problem}). {REBUILD_HINT}")
    return manifest


def _manifest_problem(manifest: Any) -> str | None:
    """What is wrong with the shape of a parsed manifest, or None."""
    if not isinstance(manifest, dict):
        return f"a JSON {type(manifest).__name__} where an object was expected"
    for key, kind in _MANIFEST_FIELDS.items():
        value = manifest.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            return f"{key!r} is a JSON {type(value).__name__}"
    if not manifest.get("model"):
        return "it does not record which embedding model built the index, so its vectors cannot be trusted"
    if not isinstance(manifest.get("dimension"), int) or manifest["dimension"] < 1:
        return "it records no vector dimension"
    for name, digest in (manifest.get("artifacts") or {}).items():
        parts = Path(name).parts
        if not isinstance(digest, str) or not parts or Path(name).is_absolute() or ".." in parts:
            return f"artifact {name[:60]!r} is not a file of the build with its checksum"
    return None


def check_compatible(manifest: dict[str, Any], model: str, chunker: dict[str, Any] | None = None) -> None:
    """Raise ModelMismatch when the index was built with another model or chunker (IndexCorrupt if it does not say)."""
    if not manifest.get("model"):
        build = manifest.get("build") or "the live build"
        raise IndexCorrupt(
            f"The index manifest of {build} does not record which embedding model built it, so its vectors "
            f"cannot be trusted. {REBUILD_HINT}"
        )
    if manifest.get("model") != model:
        raise ModelMismatch(
            f"The index was built with embedding model {manifest.get('model')!r} but the settings ask for "
            f"{model!r}. {REBUILD_HINT}"
        )
    if chunker is not None and manifest.get("chunker") != chunker:
        raise ModelMismatch(
            f"The index was built with chunker settings {manifest.get('chunker')} but the settings ask for "
            f"{chunker}. {REBUILD_HINT}"
        )


def open_index(index_dir: Path, model: str | None = None, verify: bool = True, upgrade: bool = False) -> Index:
    """Open the live build, verifying checksums and (if given) the model name.

    ``upgrade`` (for ingest) also opens a build of an older format it can bring up to date, reading what it lacks.
    """
    build = current_build(index_dir)  # read the pointer once: a swap meanwhile must not mix two builds
    manifest = read_manifest(index_dir, build)
    check_format(manifest, str(build), upgrade)
    if model is not None:
        check_compatible(manifest, model)
    if verify:
        if not manifest.get("artifacts"):
            raise IndexCorrupt(f"{build / 'manifest.json'} lists no checksums. {REBUILD_HINT}")
        stamped = _read_stamp(build)
        for name, digest in manifest["artifacts"].items():
            path = build / name
            if not path.is_file():
                raise IndexCorrupt(f"Index file {path} is missing. {REBUILD_HINT}")
            if stamped.get(name) == _file_identity(path):
                continue  # the very file ingest hashed as it wrote it: not rewritten, truncated or replaced since
            if file_sha256(path) != digest:
                raise IndexCorrupt(f"Index file {path} is damaged (checksum mismatch). {REBUILD_HINT}")
    try:
        stores = manifest.get("stores", {})
        documents = {d["source"]: Document.from_dict(d) for d in _read_jsonl(build / "documents.jsonl")}
        tables = Tables(build, documents)
        names = NameTable.load(build, list(documents)) if manifest.get("format") == FORMAT_VERSION else None
        chunk_list = ChunkList(tables)
        sentences = SentencesById(tables)
        passages = Stores(
            factory.load_dense(stores["dense"], build / "passages_dense"),
            factory.load_lexical(stores["lexical"], build / "passages_lexical"),
        )
        sentence_stores = Stores(
            factory.load_dense(stores["dense"], build / "sentences_dense"),
            factory.load_lexical(stores["lexical"], build / "sentences_lexical"),
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorrupt(f"Index in {build} cannot be read ({exc}). {REBUILD_HINT}") from exc
    # The manifest names each document with its file's hash: a documents.jsonl that says otherwise, even with
    # its own checksum made to match, is not the one this build's passages and vectors were made from.
    files = manifest.get("files")
    if isinstance(files, dict) and {s: d.sha256 for s, d in documents.items()} != files:
        raise IndexCorrupt(
            f"Index file {build / 'documents.jsonl'} does not list the documents the manifest names. {REBUILD_HINT}"
        )
    for what, store, expected in (
        ("passages", passages.dense, len(chunk_list)),
        ("passages", passages.lexical, len(chunk_list)),
        ("sentences", sentence_stores.dense, len(sentences)),
        ("sentences", sentence_stores.lexical, len(sentences)),
    ):
        if store.count() != expected:
            raise IndexCorrupt(
                f"{build}: the {what} store holds {store.count()} rows for {expected} {what}. {REBUILD_HINT}"
            )
    return Index(
        build,
        manifest,
        documents,
        chunk_list,
        passages,
        sentences,
        sentence_stores,
        ChunksById(tables, chunk_list),
        ChunksOfSentence(tables),
        names,
    )


def check_format(manifest: dict[str, Any], where: str, upgrade: bool = False) -> None:
    """IndexCorrupt unless the index has this version's format (or one ingest upgrades, when ``upgrade``)."""
    found = manifest.get("format")
    if found == FORMAT_VERSION or (upgrade and found in UPGRADABLE_FORMATS):
        return
    if found in UPGRADABLE_FORMATS:
        raise IndexCorrupt(
            f"{where} has index format {found}, from before the name index (format {FORMAT_VERSION}). {UPGRADE_HINT}"
        )
    raise IndexCorrupt(f"{where} has index format {found}, expected {FORMAT_VERSION}. {REBUILD_HINT}")


def _remove_stale_builds(builds: Path, keep: set[str | None]) -> None:
    """Delete builds other than ``keep``, including partial ones left by killed ingests and stray files."""
    for child in builds.iterdir():
        if child.name not in keep:
            _remove_path(child)


# What each artifact's file was (size, modification time, inode) when ingest wrote and hashed it. A file that
# still matches is not hashed again on open: hashing every vector at every open cost seconds on large indexes
# (bench/results/report.md). Any rewrite, truncation, copy or replacement changes the identity, and the file is
# then checked against its checksum; only damage that leaves size, mtime and inode untouched goes unseen.
STAMP = "written.json"


def _file_identity(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _read_stamp(build: Path) -> dict[str, Any]:
    try:
        stamp = json.loads((build / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes: source files' identity and index artifacts' checksums."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
