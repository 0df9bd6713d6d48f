"""Database fixtures for the storage tests (registered with ``pytest_plugins``).

``db_url`` runs a test once on a fresh SQLite file and once on PostgreSQL (a database created for
this test session on 127.0.0.1:5432 and dropped after it; the tables are emptied between tests).
Without a reachable PostgreSQL the PostgreSQL half skips, saying why.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from stancestream.services.storage.db import (
    Sessionmaker,
    create_engine,
    create_sessionmaker,
    migrate,
)
from stancestream.services.storage.queries import Queries
from stancestream.services.storage.repository import Repository

PG_ADMIN = os.environ.get("STANCESTREAM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TABLES = (
    "stances",
    "claims",
    "article_entities",
    "entity_aliases",
    "entities",
    "article_sketches",
    "articles",
)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class PgDatabase:
    url: str | None  # None: PostgreSQL unreachable, ``reason`` says why
    reason: str = ""


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgDatabase]:
    """A throwaway PostgreSQL database for this test session, dropped after it."""
    name = f"stancestream_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL for this run
        yield PgDatabase(None, f"PostgreSQL unreachable at {PG_ADMIN}: {exc!r}")
        return
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield PgDatabase(f"{base}/{name}")
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_database: PgDatabase) -> str:
    """A migrated, empty database of either kind."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'storage.db'}"
        await migrate(url)
        return url
    if pg_database.url is None:
        pytest.skip(pg_database.reason)
    await migrate(pg_database.url)
    engine = create_engine(pg_database.url)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    await engine.dispose()
    return pg_database.url


@pytest.fixture
async def sessionmaker(db_url: str) -> AsyncIterator[Sessionmaker]:
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def repo(sessionmaker: Sessionmaker) -> Repository:
    return Repository(sessionmaker)


@pytest.fixture
def queries(sessionmaker: Sessionmaker) -> Queries:
    return Queries(sessionmaker)
