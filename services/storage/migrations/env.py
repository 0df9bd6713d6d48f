"""Alembic environment for async URLs (sqlite+aiosqlite, postgresql+asyncpg).

``stancestream.services.storage.db.migrate`` hands in an open sync connection
(``config.attributes``) so it can run inside the service's event loop; the ``alembic`` command line
gets its own async engine from ``sqlalchemy.url`` or ``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from stancestream.services.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set sqlalchemy.url or DATABASE_URL to run storage migrations")
    return url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite has little ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_configure)
        await conn.commit()
    await engine.dispose()


def run_online() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        _configure(conn)
        return
    if config.config_file_name and not config.attributes.get("skip_logging"):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(_run_async())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
