"""Ingestion: news in (files, URLs, RSS/Atom feeds) -> extracted, normalised, deduplicated
``Article``s on ``articles.v1``; refused inputs -> ``articles.v1.dlq`` with the reason.

Entry points: ``service.SPEC`` (the standalone feed poller), ``service.ingest`` (one-shot, for
``stancestream ingest``). Modules: ``extract`` (HTML -> text), ``normalize`` (text, URLs, ids),
``sources`` (files/URLs -> articles), ``feeds`` (polling), ``dedupe``, ``publisher``, ``errors``.
"""
