"""Storage service: stores ``articles.v1`` and ``stances.v1`` (SQLite or PostgreSQL) and serves
the query API.

Public entry points: ``service.SPEC`` / ``service.make_spec`` (run with
``stancestream.shared.service``), ``db.migrate`` / ``db.create_engine`` /
``db.create_sessionmaker``, ``repository.Repository`` (writes), ``queries.Queries`` (reads),
``api.create_app``. Run alone with
``stancestream service storage``.
"""
