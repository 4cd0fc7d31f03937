"""Connecting to PostgreSQL, the schema of the index, and server errors as one-line messages with the fix."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
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


def first_line(exc: Exception) -> str:
    """The first line of an error's message, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def explain(exc: Exception, url: str) -> StoreUnavailable:
    """A one-line StoreUnavailable for a server error, naming what to fix."""
    psycopg = _psycopg()
    text = first_line(exc)
    where = shown(url)
    if isinstance(exc, psycopg.errors.QueryCanceled) or getattr(exc, "no_reply", False):
        return StoreUnavailable(
            f"Cannot reach PostgreSQL at {where} in time ({text}). The server is stopped, stuck or overloaded, or the "
            "network is down; try again, or raise QA_POSTGRES__STATEMENT_TIMEOUT_S."
        )
    if isinstance(exc, psycopg.OperationalError):
        if "password authentication failed" in text or "no password supplied" in text:
            return StoreUnavailable(
                f"PostgreSQL at {where} refused the login ({text}). Fix the user and password in QA_POSTGRES__URL."
            )
        if re.search(r"database .* does not exist", text):
            return StoreUnavailable(
                f"{text} at {where}. Create it (`createdb`) or name an existing one in QA_POSTGRES__URL."
            )
        if "role" in text and "does not exist" in text:
            return StoreUnavailable(f"{text} at {where}. Create the role or fix the user in QA_POSTGRES__URL.")
        return StoreUnavailable(
            f"Cannot reach PostgreSQL at {where} ({text}). Start the server, or fix the host and port in QA_POSTGRES__URL."
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreUnavailable(
            f"PostgreSQL at {where} denied a step ({text}). Grant the role the rights the README lists."
        )
    return StoreUnavailable(f"PostgreSQL at {where} failed ({text}).")


class Database:
    """Connections to one database: one per thread for readers (autocommit), a fresh one for each ingest.

    Every connection has TCP keepalives, so a peer gone from the network is noticed in about 25 s. Readers
    also have a limit: the server cancels a statement after ``statement_timeout_s``, and a server that does
    not reply at all within that plus ``timeout_s`` (frozen, or unreachable mid-query) ends the wait on our
    side; both become the one-line "Cannot reach PostgreSQL" message.
    """

    def __init__(self, url: str, schema: str, timeout_s: int, statement_timeout_s: float | None = None) -> None:
        self.url, self.schema, self.timeout_s = url, schema, timeout_s
        self.statement_timeout_s = statement_timeout_s
        self._local = threading.local()

    def connect(self, autocommit: bool = True, limited: bool | None = None) -> Any:
        """A new connection; ``limited`` (default: autocommit ones, the readers) applies the statement timeout."""
        psycopg = _psycopg()
        limit = self.statement_timeout_s if (autocommit if limited is None else limited) else None
        options: dict[str, Any] = dict(KEEPALIVES)
        if limit:
            options["options"] = f"-c statement_timeout={int(limit * 1000)}"
            options["tcp_user_timeout"] = int((limit + self.timeout_s) * 1000)
        try:
            conn = _connection_class().connect(
                self.url, autocommit=autocommit, connect_timeout=self.timeout_s, application_name="cited-qa", **options
            )
        except psycopg.Error as exc:
            raise explain(exc, self.url) from None
        except Exception as exc:  # a malformed URL
            raise StoreUnavailable(
                f"QA_POSTGRES__URL {shown(self.url)!r} cannot be used ({exc}). Use postgresql://user:password@host:port/database."
            ) from None
        conn.reply_timeout_s = limit + self.timeout_s if limit else None
        try:
            conn.execute(f"SET search_path TO {self.schema}, public")
        except psycopg.Error as exc:
            conn.close()
            raise explain(exc, self.url) from None
        return conn

    def lost(self, exc: Exception) -> bool:
        """Whether ``exc`` means this thread's reader connection was lost (a server restart), so a new one may
        be tried; not a timeout (trying again would double the wait) nor an error the server reported."""
        conn = getattr(self._local, "conn", None)
        return (
            isinstance(exc, _psycopg().OperationalError)
            and not getattr(exc, "no_reply", False)
            and conn is not None
            and (conn.closed or conn.broken)
        )

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
            raise IndexNotFound(
                f"No index in PostgreSQL at {shown(self.url)} (schema {self.schema}). Run `qa ingest` to build one."
            ) from None
        except psycopg.Error as exc:
            raise explain(exc, self.url) from None


# libpq's TCP keepalives: probe an idle connection after 10 s, every 5 s, give up after 3 unanswered probes.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


@cache
def _connection_class() -> Any:
    """A psycopg connection whose every wait for the server ends after ``reply_timeout_s`` (None: no limit)."""
    psycopg = _psycopg()
    wait_timeout = getattr(psycopg.errors, "_WaitTimeout", psycopg.OperationalError)

    class NoReply(psycopg.OperationalError):  # type: ignore[misc,name-defined]  # psycopg is imported lazily
        no_reply = True

    class LimitedConnection(psycopg.Connection):  # type: ignore[misc,name-defined]
        reply_timeout_s: float | None = None

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            limit = timeout if timeout is not None else self.reply_timeout_s
            try:
                return super().wait(gen, interval=interval, timeout=limit)
            except wait_timeout:
                if timeout is not None:  # psycopg's own limit (cancelling, notifies): its business
                    raise
                self.pgconn.finish()  # mid-statement, its state is unknown: never used again
                raise NoReply(f"no reply within {limit:g} s") from None

    return LimitedConnection


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
        extra = (
            "body jsonb NOT NULL" if kind == "passages" else "start_char integer NOT NULL, end_char integer NOT NULL"
        )
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
