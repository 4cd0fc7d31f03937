"""The SQL of a search: vector nearest neighbours, BM25 over stored term postings, and filters as WHERE clauses.

Keyword ranking is BM25 (Lucene's variant, as bm25s computes it) over a table
of postings written at ingest with the embedded store's own tokeniser, so both
stores rank keywords alike. PostgreSQL's ``ts_rank_cd`` would rank every row
matching any query word, which is what made a common word slow; here only the
postings of the query's words are read, from a covering index, and words in
more than ``common_term_share`` of rows are left out when rarer ones exist
(in tables above ``common_term_min_rows``; smaller ones rank exactly as bm25s).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from qa.index.base import Where

K1, B = 1.5, 0.75  # bm25s's defaults


def where_sql(where: Where | None, alias: str, params: dict[str, Any]) -> str:
    """A WHERE clause (or '') for a filter on rows of ``alias``; adds its values to ``params``."""
    if where is None or not where.active:
        return ""
    parts = []
    if where.sources is not None:
        params["sources"] = sorted(where.sources)
        parts.append(f"{alias}.source = ANY(%(sources)s)")
    if where.date_from is not None or where.date_to is not None:
        parts.append(f"{alias}.date_first IS NOT NULL")
        if where.date_from is not None:
            params["date_from"] = where.date_from
            parts.append(f"{alias}.date_last >= %(date_from)s")
        if where.date_to is not None:
            params["date_to"] = where.date_to
            parts.append(f"{alias}.date_first <= %(date_to)s")
    return " WHERE " + " AND ".join(parts)


def dense_sql(kind: str, where: Where | None, exact: bool, params: dict[str, Any]) -> str:
    """Nearest rows by inner product; ``exact`` orders by an expression HNSW cannot serve, so every allowed row is scored."""
    order = "(r.embedding <#> %(vector)s) + 0" if exact else "r.embedding <#> %(vector)s"
    return (
        f"SELECT r.id, -(r.embedding <#> %(vector)s) AS score FROM {kind} r{where_sql(where, 'r', params)} "
        f"ORDER BY {order} LIMIT %(depth)s"
    )


def query_terms(tokens: list[str], params: dict[str, Any]) -> None:
    """The query's distinct terms and how often each occurs (BM25 counts a repeated word again)."""
    counts = Counter(tokens)
    params["terms"], params["counts"] = list(counts), list(counts.values())


def lexical_ctes(kind: str, where: Where | None, share: float, min_rows: int, params: dict[str, Any]) -> str:
    """CTEs ending in ``lex(row, score)``: the best ``depth`` rows by BM25 among those ``where`` allows."""
    params["kind"], params["share"], params["min_rows"] = kind, share, min_rows
    clause = where_sql(where, "r", params)
    if clause:  # a semi-join: the allowed rows hashed once, not a row lookup per posting
        clause = f" WHERE t.row IN (SELECT r.row FROM {kind} r{clause})"
    return f"""
    st AS (SELECT rows, total_length::float8 / greatest(rows, 1) AS avg FROM stats WHERE kind = %(kind)s),
    q0 AS (
        SELECT v.term, v.df, n.c * ln(1.0 + (st.rows - v.df + 0.5)::float8 / (v.df + 0.5)::float8) AS w
        FROM unnest(%(terms)s::text[], %(counts)s::int[]) AS n(term, c)
        JOIN vocab v ON v.kind = %(kind)s AND v.term = n.term AND v.df > 0 CROSS JOIN st),
    q AS (SELECT term, w FROM q0 WHERE (SELECT rows FROM st) <= %(min_rows)s
          OR df <= greatest(%(share)s * (SELECT rows FROM st), (SELECT min(df) FROM q0))),
    lex AS (
        SELECT t.row, sum(q.w * t.tf / (t.tf + {K1} * (1 - {B} + {B} * t.length::float8 / (SELECT avg FROM st)))) AS score
        FROM q JOIN {kind}_terms t ON t.term = q.term{clause}
        GROUP BY t.row ORDER BY score DESC, t.row LIMIT %(depth)s)"""
