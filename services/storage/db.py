"""Database plumbing: async engine and session factory, and schema migration at start-up.

The service migrates before it consumes, so a fresh SQLite file or an empty PostgreSQL database
is ready without a separate step; Alembic's version table makes a second run a no-op.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger("stancestream.storage.db")

HERE = Path(__file__).resolve().parent
Sessionmaker = async_sessionmaker[AsyncSession]


def _ensure_sqlite_dir(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    """WAL lets the API read while the consumer writes; busy_timeout rides out short locks."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``)."""
    _ensure_sqlite_dir(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = _create_async_engine(url, echo=echo, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return _create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def create_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# pg_advisory_lock key of the migration: any constant, the same in every worker
_MIGRATION_LOCK = 0x5354414E  # "STAN"


async def migrate(url: str, revision: str = "head") -> None:
    """``alembic upgrade <revision>`` on ``url``, from inside a running event loop.

    Workers starting together migrate one at a time: PostgreSQL under an advisory lock held by
    the migrating transaction, SQLite under an exclusive lock on a file beside the database. The
    second worker then finds the schema at head and does nothing."""
    engine = create_engine(url)
    cfg = alembic_config(url)
    backend = make_url(url).get_backend_name()

    def upgrade(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    try:
        with _file_lock(url) if backend == "sqlite" else contextlib.nullcontext():
            async with engine.begin() as conn:
                if backend == "postgresql":
                    await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
                await conn.run_sync(upgrade)
    finally:
        await engine.dispose()
    log.info("storage schema at %s", revision)


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    """An exclusive lock on ``<database>.migrate.lock`` (a no-op for in-memory SQLite)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser().with_suffix(".migrate.lock")
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # blocks while another worker migrates
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


async def ping(sessionmaker: Sessionmaker) -> None:
    """Raise when the database does not answer."""
    async with sessionmaker() as session:
        await session.execute(text("SELECT 1"))
