"""The ``stancestream`` command and what only it runs: ``main`` (the app, ``service``, ``up``,
``ingest``, ``analyze``, ``relink``), ``options`` (the shared options and the one error exit),
``stack`` (what ``up`` supervises), ``analyze``, ``relink``, ``dlq``, ``kb``, ``downstream``
(subscribe and export) with its commands in ``downstream_commands``, and ``logs``. The services
never import from here; the entry point is ``stancestream.services.cli.main:main``."""
