"""Connecting to PostgreSQL, the schema of the index, and server errors as one-line messages with the fix."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from qa.errors import IndexNotFound, StoreUnavailable
from qa.extras import require

# Terms of a row (its BM25 postings) and vectors live beside the rows; ``kind`` names the row table.
KINDS = ("passages", "sentences")


def _psycopg() -> Any:
    return require("psycopg", "postgres", "The PostgreSQL store")


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"postgresql://{user}{host}{port}{parts.path}"


def explain(exc: Exception, url: str) -> StoreUnavailable:
    """A one-line StoreUnavailable for a server error, naming what to fix."""
    psycopg = _psycopg()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = shown(url)
    if isinstance(exc, psycopg.OperationalError):
        if "password authentication failed" in text or "no password supplied" in text:
            return StoreUnavailable(f"PostgreSQL at {where} refused the login ({text}). Fix the user and password in QA_POSTGRES__URL.")
        if re.search(r"database .* does not exist", text):
            return StoreUnavailable(f"{text} at {where}. Create it (`createdb`) or name an existing one in QA_POSTGRES__URL.")
        if "role" in text and "does not exist" in text:
            return StoreUnavailable(f"{text} at {where}. Create the role or fix the user in QA_POSTGRES__URL.")
        return StoreUnavailable(
            f"Cannot reach PostgreSQL at {where} ({text}). Start the server, or fix the host and port in QA_POSTGRES__URL."
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreUnavailable(f"PostgreSQL at {where} denied a step ({text}). Grant the role the rights the README lists.")
    return StoreUnavailable(f"PostgreSQL at {where} failed ({text}).")


class Database:
    """Connections to one database: one per thread for readers (autocommit), a fresh one for each ingest."""

    def __init__(self, url: str, schema: str, timeout_s: int) -> None:
        self.url, self.schema, self.timeout_s = url, schema, timeout_s
        self._local = threading.local()

    def connect(self, autocommit: bool = True) -> Any:
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, autocommit=autocommit, connect_timeout=self.timeout_s, application_name="cited-qa")
        except psycopg.Error as exc:
            raise explain(exc, self.url) from None
        except Exception as exc:  # a malformed URL
            raise StoreUnavailable(f"QA_POSTGRES__URL {shown(self.url)!r} cannot be used ({exc}). Use postgresql://user:password@host:port/database.") from None
        conn.execute(f"SET search_path TO {self.schema}, public")
        return conn

    def reader(self) -> Any:
        """This thread's autocommit connection (reopened when the last one broke)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = self.connect()
            self._local.conn = conn
            self._local.settings = {}
        return conn

    def set_local(self, name: str, value: str) -> None:
        """Set a session setting on this thread's reader connection, only when it changes (saves a round trip)."""
        conn = self.reader()
        if self._local.settings.get(name) != value:
            conn.execute(f"SET {name} = {value}")
            self._local.settings[name] = value

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn a server error inside the block into a one-line StoreUnavailable."""
        psycopg = _psycopg()
        try:
            yield
        except psycopg.errors.UndefinedTable:
            raise IndexNotFound(f"No index in PostgreSQL at {shown(self.url)} (schema {self.schema}). Run `qa ingest` to build one.") from None
        except psycopg.Error as exc:
            raise explain(exc, self.url) from None


def ensure_vector(conn: Any, url: str) -> None:
    """Create the vector extension if missing; a clear message when the server lacks it or the role may not."""
    psycopg = _psycopg()
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
    if not available:
        raise StoreUnavailable(
            f"The PostgreSQL server at {shown(url)} does not have the pgvector extension. Install pgvector on the server "
            "(e.g. the postgresql-16-pgvector package), then run ingest again."
        )
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.errors.InsufficientPrivilege:
        raise StoreUnavailable(
            f"The vector extension is not created in {shown(url)} and this role may not create it. Ask an administrator "
            "to run `CREATE EXTENSION vector;` in that database."
        ) from None


def schema_sql(schema: str, dimension: int) -> list[str]:
    """The tables of one index; vector and term indexes are built after a bulk load (see index_sql)."""
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        f"""CREATE TABLE {schema}.manifest (
            one boolean PRIMARY KEY DEFAULT true CHECK (one), build text NOT NULL, body jsonb NOT NULL)""",
        f"""CREATE TABLE {schema}.documents (
            source text PRIMARY KEY, sha256 text NOT NULL, title text, publisher text, date text,
            date_first date, date_last date, body jsonb NOT NULL)""",
        f"""CREATE TABLE {schema}.stats (kind text PRIMARY KEY, rows bigint NOT NULL, total_length bigint NOT NULL)""",
        f"""CREATE TABLE {schema}.vocab (kind text, term text, df integer NOT NULL, PRIMARY KEY (kind, term))""",
        *names_sql(schema),
    ]
    for kind in KINDS:
        extra = "body jsonb NOT NULL" if kind == "passages" else "start_char integer NOT NULL, end_char integer NOT NULL"
        statements += [
            f"""CREATE TABLE {schema}.{kind} (
                row bigserial PRIMARY KEY, id text NOT NULL UNIQUE, source text NOT NULL,
                date_first date, date_last date, length integer NOT NULL, {extra}, embedding vector({dimension}) NOT NULL)""",
            f"CREATE INDEX ON {schema}.{kind} (source)",
            f"CREATE INDEX ON {schema}.{kind} (date_first, date_last)",
            f"CREATE TABLE {schema}.{kind}_terms (term text NOT NULL, row bigint NOT NULL, tf integer NOT NULL, length integer NOT NULL)",
            f"CREATE INDEX ON {schema}.{kind}_terms (row)",
        ]
    return statements


def names_sql(schema: str) -> list[str]:
    """The name index (see qa.index.names): key -> documents writing it and where; keys compare bytewise, for prefixes."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {schema}.names (
            key text COLLATE "C" NOT NULL, source text NOT NULL, place smallint NOT NULL, PRIMARY KEY (key, source))""",
        f"CREATE INDEX IF NOT EXISTS names_source ON {schema}.names (source)",
        f"CREATE TABLE IF NOT EXISTS {schema}.words (word text PRIMARY KEY, documents integer NOT NULL)",
    ]


def index_sql(schema: str) -> list[str]:
    """Indexes that are cheaper to build once over loaded rows than to grow row by row."""
    statements = []
    for kind in KINDS:
        statements += [
            f"CREATE INDEX IF NOT EXISTS {kind}_hnsw ON {schema}.{kind} USING hnsw (embedding vector_ip_ops)",
            # Covering: a keyword search reads only this index, never the rows, for every posting of its terms.
            f"CREATE INDEX IF NOT EXISTS {kind}_terms_term ON {schema}.{kind}_terms (term) INCLUDE (row, tf, length)",
        ]
    return statements
