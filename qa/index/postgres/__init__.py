"""The PostgreSQL + pgvector store: the whole index in one database schema (``QA_STORE=postgres``)."""
