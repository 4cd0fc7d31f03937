"""The whole index in one PostgreSQL schema: documents, passages, sentences, vectors, BM25 postings, manifest.

An ingest is one transaction under an advisory lock: deletes and upserts by
content hash (as the embedded store does), then the manifest with a new build
id, then COMMIT. A killed ingest rolls back and the previous state answers.
A rebuild (a new model, ``--rebuild``) fills a fresh schema beside the live
one and renames it into place in the same transaction. Readers in any number
of processes see one committed state or the next, never a mix: every search
statement also returns the build id, and a question that straddles a commit
is asked again on the new state (IndexChanged).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from qa.errors import IndexChanged, IndexCorrupt, IndexNotFound
from qa.index.base import RowMeta, Where
from qa.index.bm25 import tokenize
from qa.index.builds import FORMAT_VERSION, Index, Ranking, SentenceRef, Stores, check_compatible, check_format
from qa.index.names import NameTable
from qa.index.pointer import REBUILD_HINT
from qa.index.postgres import sql
from qa.index.postgres.database import Database, ensure_vector, first_line, index_sql, names_sql, schema_sql, shown
from qa.index.postgres.lazy import StoredChunk, StoredDocument, TextFetcher
from qa.settings import Settings
from qa.types import Chunk, Document

log = logging.getLogger(__name__)
T = TypeVar("T")

STORES = {"dense": "pgvector", "lexical": "postgres-bm25"}
EMPTY_ROW = "\u2400"  # the token bm25s gives a row with no words, so lengths and averages agree


class PgRows:
    """One row table (passages or sentences) as both stores see it: adds are buffered until ``write``."""

    def __init__(self, owner: PostgresBackend | PgIndex, kind: str, conn: Callable[[], Any]) -> None:
        self.owner, self.kind, self.conn = owner, kind, conn
        self.pending: dict[str, dict[str, Any]] = {}
        self.cache: dict[str, np.ndarray] = {}  # rows of one build never change, so their vectors can be kept
        self.rows = 0

    def stage(self, ids: Sequence[str], field: str, values: Sequence[Any], metadata: Sequence[RowMeta]) -> None:
        if len(ids) != len(values) or len(ids) != len(metadata):
            raise ValueError(f"{len(ids)} ids but {len(values)} values and {len(metadata)} metadata rows")
        for i, value, meta in zip(ids, values, metadata):
            row = self.pending.setdefault(i, {})
            row[field], row["meta"] = value, meta

    def delete(self, ids: Sequence[str]) -> None:
        ids = [i for i in ids if self.pending.pop(i, None) is None]
        for i in ids:
            self.cache.pop(i, None)
        if not ids:
            return
        conn = self.conn()
        rows = [r for (r,) in conn.execute(f"SELECT row FROM {self.kind} WHERE id = ANY(%s)", [list(ids)])]
        if rows:
            conn.execute(
                f"""UPDATE vocab v SET df = v.df - d.n
                FROM (SELECT term, count(*) AS n FROM {self.kind}_terms WHERE row = ANY(%(rows)s) GROUP BY term) d
                WHERE v.kind = %(kind)s AND v.term = d.term""",
                {"rows": rows, "kind": self.kind},
            )
            conn.execute(f"DELETE FROM {self.kind}_terms WHERE row = ANY(%s)", [rows])
            conn.execute(f"DELETE FROM {self.kind} WHERE row = ANY(%s)", [rows])

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.cache and i not in self.pending]
        if wanted:
            build = getattr(self.owner, "build", None)
            found = (
                self.conn()
                .execute(
                    f"SELECT id, embedding FROM {self.kind} WHERE id = ANY(%(ids)s) "
                    "UNION ALL SELECT NULL, NULL FROM manifest WHERE %(build)s::text IS NOT NULL AND build <> %(build)s",
                    {"ids": wanted, "build": build},
                )
                .fetchall()
            )
            if any(i is None for i, _ in found):
                raise IndexChanged("the index changed while it was read", index=self.owner)
            for i, vector in found:
                self.cache[i] = _array(vector)
            missing = set(wanted) - set(self.cache)
            if missing:
                raise KeyError(f"unknown id {sorted(missing)[0]!r}")
        out = [self.pending[i]["vector"] if i in self.pending else self.cache[i] for i in ids]
        return np.vstack(out).astype(np.float32) if out else np.zeros((0, 0), dtype=np.float32)


class PgDense:
    """The dense store view of a row table (pgvector HNSW, exact scans for small or narrowly filtered sets)."""

    name = STORES["dense"]

    def __init__(self, rows: PgRows) -> None:
        self.rows = rows

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[RowMeta]) -> None:
        self.rows.stage(ids, "vector", list(np.asarray(vectors, dtype=np.float32)), metadata)

    def delete(self, ids: Sequence[str]) -> None:
        self.rows.delete(ids)

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        index = self.rows.owner
        assert isinstance(index, PgIndex), "a store being written is not searched"
        return index.ranked({"dense": (self.rows.kind, vector)}, k, where)["dense"]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        return self.rows.vectors(ids)

    def count(self) -> int:
        return self.rows.rows

    def save(self, folder: Path) -> None:
        raise NotImplementedError("a PostgreSQL store is written by its backend, not saved to a folder")


class PgLexical:
    """The lexical store view of a row table: BM25 over postings (see ``sql``), term rarity from the vocabulary."""

    name = STORES["lexical"]

    def __init__(self, rows: PgRows) -> None:
        self.rows = rows
        self._idf: dict[str, float] = {}

    def add(self, ids: Sequence[str], texts: Sequence[str], metadata: Sequence[RowMeta]) -> None:
        self.rows.stage(ids, "text", texts, metadata)

    def delete(self, ids: Sequence[str]) -> None:
        self.rows.delete(ids)

    def search(self, query: str, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        index = self.rows.owner
        assert isinstance(index, PgIndex), "a store being written is not searched"
        return index.ranked({"lexical": (self.rows.kind, query)}, k, where)["lexical"]

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """Lucene BM25 idf of each token over the stored rows (unseen: the maximum), as bm25s computes it."""
        wanted = [t for t in dict.fromkeys(tokens) if t not in self._idf]
        if wanted:
            size = self.rows.rows
            df = dict(
                self.rows.conn()
                .execute("SELECT term, df FROM vocab WHERE kind = %s AND term = ANY(%s)", [self.rows.kind, wanted])
                .fetchall()
            )
            for t in wanted:
                n = df.get(t, 0)
                self._idf[t] = float(np.log(1.0 + (size - n + 0.5) / (n + 0.5)))
        return {t: self._idf[t] for t in tokens}

    def count(self) -> int:
        return self.rows.rows

    def save(self, folder: Path) -> None:
        raise NotImplementedError("a PostgreSQL store is written by its backend, not saved to a folder")


def _stores(rows: PgRows) -> Stores:
    return Stores(PgDense(rows), PgLexical(rows))


class PgNames:
    """The name index as the ``names`` table answers it: one indexed lookup per question's keys, kept for the build."""

    def __init__(self, index: PgIndex, documents: dict[str, Document], opening_chars: int) -> None:
        self.index, self.opening_chars = index, opening_chars
        self.years = frozenset(d.date[:4] for d in documents.values() if d.date)
        self.sources = list(documents)
        self.document_count = len(documents)
        self._found: dict[str, dict[str, int]] = {}
        self._prefixed: dict[str, list[str]] = {}
        self._words: dict[str, int] | None = None
        self._code: dict[str, int] | None = None

    def _rows(self, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Rows of ``statement`` from the live state, IndexChanged if it is no longer this index's build."""
        params = dict(params, build=self.index.build)
        with self.index.backend.db.errors():
            rows: list[tuple[Any, ...]] = (
                self.index._conn()
                .execute(
                    statement + " UNION ALL SELECT NULL, NULL, NULL FROM manifest WHERE build <> %(build)s", params
                )
                .fetchall()
            )
        if any(r[0] is None for r in rows):
            raise IndexChanged("the index changed while it was read", index=self.index)
        return rows

    def postings(self, keys: Iterable[str]) -> dict[str, dict[str, int]]:
        wanted = [k for k in dict.fromkeys(keys) if k not in self._found]
        if wanted:
            found: dict[str, dict[str, int]] = {k: {} for k in wanted}
            for key, source, place in self._rows(
                "SELECT key, source, place FROM names WHERE key = ANY(%(keys)s)", {"keys": wanted}
            ):
                found[key][source] = place
            if len(self._found) > 10_000:
                self._found.clear()
            self._found.update(found)
        return {k: self._found[k] for k in keys}

    @property
    def words(self) -> dict[str, int]:
        if self._words is None:
            with self.index.backend.db.errors():
                self._words = dict(self.index._conn().execute("SELECT word, documents FROM words").fetchall())
        return self._words

    def coded(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        if self._code is None:
            self._code = {s: n for n, s in enumerate(self.sources)}
        out: dict[str, np.ndarray] = {}
        for key, found in self.postings(keys).items():
            rows = np.array(sorted((self._code[s], p) for s, p in found.items() if s in self._code), dtype=np.int64)
            out[key] = rows.reshape(-1, 2)
        return out

    def with_prefix(self, prefix: str) -> list[str]:
        if prefix not in self._prefixed:
            rows = self._rows(
                "SELECT DISTINCT key, NULL::text, NULL::smallint FROM names WHERE key >= %(low)s AND key < %(high)s",
                {"low": prefix, "high": prefix + "\U0010ffff"},
            )
            self._prefixed[prefix] = sorted(k for k, _, _ in rows)
        return self._prefixed[prefix]


class PgIndex(Index):
    """An index whose rows live in PostgreSQL; what is known about documents, passages and sentence spans is read
    once per build, a document's text when first used."""

    backend: PostgresBackend
    build: str
    fetch: TextFetcher
    _conn: Callable[[], Any]
    _row_counts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]

    def read_texts(self, sources: list[str]) -> dict[str, str]:
        """The texts of ``sources`` as this build holds them; IndexChanged when one has changed or gone since."""
        with self.backend.db.errors():
            rows = (
                self._conn()
                .execute("SELECT source, sha256, body->>'text' FROM documents WHERE source = ANY(%s)", [list(sources)])
                .fetchall()
            )
        out = {source: text for source, sha256, text in rows if sha256 == self.documents[source].sha256}
        if len(out) < len(set(sources)):
            raise IndexChanged("the index changed while it was read", index=self)
        return out

    def ranked(self, lists: dict[str, tuple[str, Any]], depth: int, where: Where | None) -> dict[str, Ranking]:
        """Run several searches in one statement: name -> (kind, query vector or query text); checks the build."""
        db, settings = self.backend.db, self.backend.settings.postgres
        params: dict[str, Any] = {"depth": depth, "build": self.build}
        ctes, parts, ef = [], [], settings.ef_search
        for n, (name, (kind, value)) in enumerate(lists.items()):
            if not isinstance(value, str):  # a query vector: nearest rows
                params["vector"] = value
                allowed, total = self._allowed(kind, where)
                # An exact scan costs per allowed row, an HNSW walk per candidate: a narrow filter is scanned.
                exact = allowed <= settings.exact_rows or (allowed < total and allowed <= settings.exact_filtered_rows)
                if not exact and allowed < total:  # a post-filtered HNSW walk needs more candidates to keep recall
                    ef = max(ef, min(1000, int(settings.ef_search * total / max(allowed, 1))))
                parts.append(
                    f"SELECT {n} AS list, id, score, NULL::vector AS embedding FROM ({sql.dense_sql(kind, where, exact, params)}) d{n}"
                )
            else:  # query text: BM25
                tokens = tokenize(value)
                if not tokens:
                    continue
                sql.query_terms(tokens, params)
                ctes.append(
                    sql.lexical_ctes(kind, where, settings.common_term_share, settings.common_term_min_rows, params)
                )
                parts.append(f"SELECT {n}, r.id, lex.score, r.embedding FROM lex JOIN {kind} r ON r.row = lex.row")
        parts.append("SELECT -1, build, 0, NULL FROM manifest")
        statement = ("WITH " + ",".join(ctes) + " " if ctes else "") + " UNION ALL ".join(parts)

        def search(conn: Any) -> list[tuple[Any, ...]]:
            db.set_local("hnsw.ef_search", str(ef))
            found: list[tuple[Any, ...]] = conn.execute(statement, params).fetchall()
            return found

        with db.errors():
            rows = self.backend._read(search)
        out: dict[str, Ranking] = {name: [] for name in lists}
        names = list(lists)
        for n, i, score, vector in rows:
            if n == -1:
                if i != self.build:
                    raise IndexChanged("the index changed while it was read", index=self)
                continue
            out[names[n]].append((i, float(score)))
            if vector is not None:  # a keyword hit's vector, for its dense score: no second round trip
                stores = self.passages if lists[names[n]][0] == "passages" else self.sentence_stores
                cast(PgDense, stores.dense).rows.cache[i] = _array(vector)
        for ranking in out.values():
            ranking.sort(key=lambda pair: -pair[1])
        return out

    def rankings(
        self, query: str, vector: np.ndarray, depth: int, where: Where | None
    ) -> tuple[Ranking, Ranking, Ranking]:
        lists = {"dense": ("passages", vector), "lexical": ("passages", query)}
        if self.sentences:
            lists["sentences"] = ("sentences", vector)
        found = self.ranked(lists, depth, where)
        return found["dense"], found["lexical"], found.get("sentences", [])

    def _allowed(self, kind: str, where: Where | None) -> tuple[int, int]:
        """Rows a filter leaves and rows in all, from per-document counts held in memory (numpy, no loop)."""
        sources, counts, first, last = self._counts(kind)
        total = int(counts.sum())
        if where is None or not where.active:
            return total, total
        ok = np.ones(len(sources), dtype=bool)
        if where.sources is not None:
            ok &= np.isin(sources, list(where.sources))
        if where.date_from is not None or where.date_to is not None:
            ok &= first > 0
            if where.date_from is not None:
                ok &= last >= where.date_from.toordinal()
            if where.date_to is not None:
                ok &= first <= where.date_to.toordinal()
        return int(counts[ok].sum()), total

    def _counts(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per document: source, rows of one kind, first and last day as ordinals (0: undated); once per build."""
        if kind not in self._row_counts:
            rows = (
                Counter(c.source for c in self.chunks)
                if kind == "passages"
                else Counter(r.source for r in self.sentences.values())
            )
            sources = sorted(rows)
            days = [(_ordinal(self.documents[s].date_first), _ordinal(self.documents[s].date_last)) for s in sources]
            self._row_counts[kind] = (
                np.array(sources, dtype=object),
                np.array([rows[s] for s in sources], dtype=np.int64),
                np.array([d[0] for d in days], dtype=np.int64),
                np.array([d[1] for d in days], dtype=np.int64),
            )
        return self._row_counts[kind]


class PostgresBackend:
    """The index in one schema of a PostgreSQL database with pgvector (``QA_STORE=postgres``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        pg = settings.postgres
        self.schema = pg.schema_name
        self.db = Database(pg.url, self.schema, pg.connect_timeout_s, pg.statement_timeout_s)
        self._session: Any = None
        self._fresh = False
        self._previous: dict[str, dict[str, Any]] = {}

    # -- reading -----------------------------------------------------------------------------

    def _reader(self) -> Any:
        conn = self._session or self.db.reader()
        if not getattr(conn, "_qa_vector", False):
            from pgvector.psycopg import register_vector

            with self.db.errors():
                try:
                    register_vector(conn)
                except Exception:
                    raise IndexNotFound(
                        f"No index in PostgreSQL at {shown(self.db.url)}: the vector extension is not created there. "
                        "Run `qa ingest` (or ask an administrator to run `CREATE EXTENSION vector;`)."
                    ) from None
            conn._qa_vector = True
        return conn

    def _read(self, work: Callable[[Any], T]) -> T:
        """``work`` on this thread's connection; if that connection turns out lost (the server restarted, say),
        reconnect and run it once more, so the first question after a restart is answered, not failed."""
        try:
            return work(self._reader())
        except Exception as exc:
            if self._session is not None or not self.db.lost(exc):
                raise
            log.warning(
                "The connection to PostgreSQL at %s was lost (%s); reconnecting.", shown(self.db.url), first_line(exc)
            )
            return work(self._reader())

    def read_manifest(self) -> dict[str, Any]:
        with self.db.errors(), self._savepoint():
            row = self._read(lambda conn: conn.execute("SELECT body FROM manifest").fetchone())
        if row is None:
            raise IndexNotFound(f"No index in PostgreSQL at {shown(self.db.url)}. Run `qa ingest` to build one.")
        manifest: dict[str, Any] = row[0]
        return manifest

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """Inside an ingest, a failed read (no tables yet) must not abort the ingest's transaction."""
        if self._session is None:
            yield
        else:
            with self._session.transaction():
                yield

    def live_build(self) -> Path:
        return self._path(self.read_manifest()["build"])

    def _path(self, build: str) -> Path:
        return Path(f"postgresql:{self.schema}") / build

    def stores(self) -> dict[str, str]:
        return dict(STORES)

    def open(self, model: str | None = None, upgrade: bool = False) -> PgIndex:
        """Read what answering needs about documents, passages and sentences of the live state (one snapshot).

        Texts and vectors stay in the database: a document's text is read when first used (see ``lazy``).
        """
        conn = self._session or self.db.connect(autocommit=False)
        try:
            with self.db.errors(), self._savepoint():
                if self._session is None:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                row = conn.execute("SELECT build, body FROM manifest").fetchone()
                if row is None:
                    raise IndexNotFound(
                        f"No index in PostgreSQL at {shown(self.db.url)}. Run `qa ingest` to build one."
                    )
                build, manifest = row
                check_format(manifest, "The PostgreSQL index", upgrade)
                if model is not None:
                    check_compatible(manifest, model)
                fetch = TextFetcher(lambda sources: index.read_texts(sources))
                documents: dict[str, Document] = {
                    d["source"]: _stored_document(d, fetch)
                    for (d,) in conn.execute("SELECT body - 'text' FROM documents")
                }
                chunks = [
                    _stored_chunk(c, documents)
                    for (c,) in conn.execute(
                        "SELECT body - 'text' FROM passages ORDER BY source, (body->>'start')::int"
                    )
                ]
                sentences = {
                    i: SentenceRef(i, s, a, b)
                    for i, s, a, b in conn.execute("SELECT id, source, start_char, end_char FROM sentences")
                }
                stats = dict(conn.execute("SELECT kind, rows FROM stats").fetchall())
        finally:
            if self._session is None:
                conn.close()
        session = self._session
        source = (lambda: session) if session is not None else self._reader
        index = PgIndex.__new__(PgIndex)
        index.backend, index.build, index._row_counts, index.fetch, index._conn = self, build, {}, fetch, source
        passages, sentence_rows = PgRows(index, "passages", source), PgRows(index, "sentences", source)
        passages.rows, sentence_rows.rows = stats.get("passages", 0), stats.get("sentences", 0)
        # An index from before the name index (opened to be upgraded) has its names read from the texts.
        names = None
        if manifest.get("format") == FORMAT_VERSION:
            opening = (manifest.get("names") or {}).get("opening_chars", 300)
            names = PgNames(index, documents, opening)
        Index.__init__(
            index,
            self._path(build),
            manifest,
            documents,
            chunks,
            _stores(passages),
            sentences,
            _stores(sentence_rows),
            names=names,
        )
        if len(chunks) != passages.rows or len(sentences) != sentence_rows.rows:
            raise IndexCorrupt(
                f"The PostgreSQL index holds {len(chunks)} passages but counts {passages.rows}. {REBUILD_HINT}"
            )
        if session is not None:
            self._previous = {s: _metadata(d) for s, d in documents.items()}
        return index

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def writing(self, notify: Callable[[float, str], None]) -> Iterator[PostgresBackend]:
        """One transaction under an advisory lock: a second ingest waits; a failure or a kill rolls back."""
        conn = self.db.connect(autocommit=False)
        try:
            with self.db.errors():
                ensure_vector(conn, self.db.url)
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
                if not conn.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [self.schema]).fetchone()[0]:
                    log.warning("waiting for another ingest to finish (PostgreSQL schema %s)", self.schema)
                    notify(0.0, "Waiting for another ingest to finish")
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.schema])
                self._session, self._fresh, self._previous = conn, False, {}
                self._reader()
                yield self
        finally:
            self._session = None
            if not conn.closed:
                conn.rollback()
                conn.close()

    def new_stores(self, dimension: int) -> tuple[Stores, Stores]:
        """Empty stores for a rebuild: a fresh schema beside the live one, renamed into place at commit."""
        conn = self._session
        fresh = f"{self.schema}_next"
        with self.db.errors():
            conn.execute(f"DROP SCHEMA IF EXISTS {fresh} CASCADE")
            for statement in schema_sql(fresh, dimension):
                conn.execute(statement)
            conn.execute(f"SET LOCAL search_path TO {fresh}, public")
        self._fresh, self._previous = True, {}
        source = lambda: conn  # noqa: E731
        return _stores(PgRows(self, "passages", source)), _stores(PgRows(self, "sentences", source))

    def write(
        self,
        documents: dict[str, Document],
        chunks: list[Chunk],
        passages: Stores,
        sentences: dict[str, SentenceRef],
        sentence_stores: Stores,
        manifest: dict[str, Any],
        names: NameTable,
    ) -> None:
        """Upsert what changed, then the manifest with a new build id, and COMMIT."""
        conn = self._session
        build = uuid.uuid4().hex
        with self.db.errors():
            gone = sorted(set(self._previous) - set(documents))
            self._write_documents(conn, documents)
            self._write_names(conn, names, gone)
            chunk_by_id = {c.id: c for c in chunks}
            self._flush(conn, cast(PgDense, passages.dense).rows, lambda i: (chunk_by_id[i].to_dict(),))
            self._flush(
                conn, cast(PgDense, sentence_stores.dense).rows, lambda i: (sentences[i].start, sentences[i].end)
            )
            for kind in ("passages", "sentences"):
                conn.execute(
                    f"""INSERT INTO stats SELECT %(kind)s, count(*), coalesce(sum(length), 0) FROM {kind}
                    ON CONFLICT (kind) DO UPDATE SET rows = excluded.rows, total_length = excluded.total_length""",
                    {"kind": kind},
                )
            conn.execute("DELETE FROM vocab WHERE df <= 0")
            conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in index_sql(self._current_schema(conn)):
                conn.execute(statement)
            body = dict(
                manifest,
                format=FORMAT_VERSION,
                build=build,
                chunk_count=len(chunks),
                stores=dict(STORES),
                names={"opening_chars": names.opening_chars},
            )
            conn.execute(
                "INSERT INTO manifest (build, body) VALUES (%s, %s) ON CONFLICT (one) DO UPDATE SET build = excluded.build, body = excluded.body",
                [build, json.dumps(body)],
            )
            if self._fresh:
                conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
                conn.execute(f"ALTER SCHEMA {self.schema}_next RENAME TO {self.schema}")
            conn.commit()
            # After the commit (a kill here loses nothing): row counts for the planner, and the visibility map
            # that lets keyword search read postings from the covering index alone.
            conn.autocommit = True
            conn.execute("VACUUM (ANALYZE) documents, passages, sentences, passages_terms, sentences_terms, vocab")

    def _current_schema(self, conn: Any) -> str:
        return f"{self.schema}_next" if self._fresh else self.schema

    def _write_documents(self, conn: Any, documents: dict[str, Document]) -> None:
        gone = sorted(set(self._previous) - set(documents))
        if gone:
            conn.execute("DELETE FROM documents WHERE source = ANY(%s)", [gone])
        changed = [d for s, d in documents.items() if self._previous.get(s) != _metadata(d)]
        if not changed:
            return
        conn.execute("DELETE FROM documents WHERE source = ANY(%s)", [[d.source for d in changed]])
        with conn.cursor().copy(
            "COPY documents (source, sha256, title, publisher, date, date_first, date_last, body) FROM STDIN"
        ) as copy:
            for d in changed:
                copy.write_row(
                    (
                        d.source,
                        d.sha256,
                        d.title,
                        d.publisher,
                        d.date,
                        d.date_first,
                        d.date_last,
                        json.dumps(d.to_dict(), ensure_ascii=False),
                    )
                )

    def _write_names(self, conn: Any, names: NameTable, gone: list[str]) -> None:
        """Replace the name postings of the documents read now and drop those of documents gone (all, for a full table)."""
        for statement in names_sql(self._current_schema(conn)):  # an index from before the name index gains its table
            conn.execute(statement)
        if names.complete:
            conn.execute("DELETE FROM names")
        else:
            conn.execute("DELETE FROM names WHERE source = ANY(%s)", [sorted(names.extracted | set(gone))])
        with conn.cursor().copy("COPY names (key, source, place) FROM STDIN") as copy:
            for key, document, place in names.rows.tolist():
                copy.write_row((names.keys[key], names.sources[document], place))
        conn.execute("DELETE FROM words")
        with conn.cursor().copy("COPY words (word, documents) FROM STDIN") as copy:
            for word, count in names.words.items():
                copy.write_row((word, count))

    def _flush(self, conn: Any, rows: PgRows, extra: Callable[[str], tuple[Any, ...]]) -> None:
        """Insert the buffered rows with their vectors and BM25 postings, and add their terms to the vocabulary."""
        if not rows.pending:
            return
        ids = list(rows.pending)
        numbers = [
            n
            for (n,) in conn.execute(
                f"SELECT nextval(pg_get_serial_sequence('{rows.kind}', 'row')) FROM generate_series(1, %s)", [len(ids)]
            )
        ]
        columns = "body" if rows.kind == "passages" else "start_char, end_char"
        types = (
            ["int8", "text", "text", "date", "date", "int4"]
            + (["jsonb"] if rows.kind == "passages" else ["int4", "int4"])
            + ["vector"]
        )
        df: Counter[str] = Counter()
        postings: list[tuple[str, int, int, int]] = []
        cursor = conn.cursor()
        copy_rows = f"COPY {rows.kind} (row, id, source, date_first, date_last, length, {columns}, embedding) FROM STDIN WITH (FORMAT BINARY)"
        with cursor.copy(copy_rows) as copy:
            copy.set_types(types)
            for number, i in zip(numbers, ids):
                row = rows.pending[i]
                meta = row["meta"]
                tokens = tokenize(row["text"]) or [EMPTY_ROW]
                counts = Counter(tokens)
                df.update(counts.keys())
                postings.extend((term, number, tf, len(tokens)) for term, tf in counts.items())
                copy.write_row(
                    (
                        number,
                        i,
                        meta["source"],
                        _day(meta["date_first"]),
                        _day(meta["date_last"]),
                        len(tokens),
                        *extra(i),
                        row["vector"],
                    )
                )
        with cursor.copy(f"COPY {rows.kind}_terms (term, row, tf, length) FROM STDIN") as copy:
            for posting in postings:
                copy.write_row(posting)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS new_vocab (term text, df integer) ON COMMIT DROP")
        conn.execute("TRUNCATE new_vocab")
        with cursor.copy("COPY new_vocab (term, df) FROM STDIN") as copy:
            for term, n in df.items():
                copy.write_row((term, n))
        conn.execute(
            """INSERT INTO vocab (kind, term, df) SELECT %s, term, df FROM new_vocab
            ON CONFLICT (kind, term) DO UPDATE SET df = vocab.df + excluded.df""",
            [rows.kind],
        )
        rows.pending.clear()


def _metadata(document: Document) -> dict[str, Any]:
    """What is stored about a document besides its text (a change of text changes its sha256)."""
    return {f: getattr(document, f) for f in Document.__dataclass_fields__ if f != "text"}


def _stored_document(data: dict[str, Any], fetch: TextFetcher) -> StoredDocument:
    data = Document.from_dict(dict(data, text=None)).__dict__
    fields = {f: data[f] for f in Document.__dataclass_fields__ if f != "text"}
    return StoredDocument(fetch=fetch, **fields)


def _stored_chunk(data: dict[str, Any], documents: dict[str, Document]) -> StoredChunk:
    fields = {f: data[f] for f in Chunk.__dataclass_fields__ if f != "text"}
    fields["sentences"] = tuple(tuple(s) for s in fields["sentences"])
    return StoredChunk(document=documents[data["source"]], **fields)


def _array(vector: Any) -> np.ndarray:
    """A pgvector value as float32 (text results load as arrays, binary ones as pgvector's Vector)."""
    return np.asarray(vector.to_numpy() if hasattr(vector, "to_numpy") else vector, dtype=np.float32)


def _ordinal(value: str | None) -> int:
    return date.fromisoformat(value).toordinal() if value else 0


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
