"""The storage service end to end on a real Redis: streams in, rows and API out, restarts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from stancestream.services.storage.db import create_engine, create_sessionmaker
from stancestream.services.storage.queries import Queries
from stancestream.services.storage.service import GROUP, make_spec
from stancestream.shared.service import running
from stancestream.shared.settings import Settings, StorageSettings, WorkerSettings
from stancestream.shared.streams import dlq
from tests.stack_helpers import free_port, wait_for
from tests.storage_factories import make_article, make_batch
from tests.storage_fixtures import PgDatabase, pg_database  # noqa: F401 - session PostgreSQL

pytestmark = pytest.mark.integration


@pytest.fixture
def streams(uid: str) -> tuple[str, str]:
    return f"{uid}.articles.v1", f"{uid}.stances.v1"


@pytest.fixture
async def cleanup(aredis: aioredis.Redis, streams: tuple[str, str]) -> AsyncIterator[None]:
    yield
    keys = [k for s in streams for k in (s, dlq(s), f"{s}:errors:{GROUP}")]
    await aredis.delete(*keys)


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        redis_url=redis_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'storage.db'}",
        data_dir=tmp_path,
        storage=StorageSettings(host="127.0.0.1", port=free_port()),
        worker=WorkerSettings(max_records=2, polling_ms=50, claim_idle_ms=300, reclaim_every_s=0.2),
    )


@pytest.fixture
async def queries(settings: Settings) -> AsyncIterator[Queries]:
    engine = create_engine(settings.db_url)
    yield Queries(create_sessionmaker(engine))
    await engine.dispose()


async def publish(client: aioredis.Redis, stream: str, payloads: list[str]) -> None:
    """Publish like a third-party producer: one entry per message, its JSON in ``data``."""
    async with client.pipeline(transaction=False) as pipe:
        for p in payloads:
            pipe.xadd(stream, {"data": p})
        await pipe.execute()


async def pending(client: aioredis.Redis, stream: str) -> int:
    return int((await client.xpending(stream, GROUP))["pending"])


async def test_stances_then_article_are_stored_and_served(
    settings: Settings,
    streams: tuple[str, str],
    queries: Queries,
    aredis: aioredis.Redis,
    cleanup: None,
) -> None:
    articles, stances = streams
    async with running(make_spec(articles, stances), settings) as rt:
        await rt.broker.publish(make_batch("a_1"), stream=stances)

        async def has_stances() -> bool:
            return await queries.count("stances") == 3

        await wait_for(has_stances)
        await rt.broker.publish(make_article("a_1"), stream=articles)

        async def has_text() -> bool:
            art = await queries.get_article("a_1")
            return art is not None and art.text is not None

        await wait_for(has_text)
        base = f"http://127.0.0.1:{settings.storage.port}"
        async with httpx.AsyncClient(base_url=base) as http:
            health = await http.get("/health")
            assert health.status_code == 200, health.text
            ready = health.json()["readiness"]
            assert ready["ready"] is True and set(ready["streams"]) == {articles, stances}
            art = (await http.get("/articles/a_1")).json()
            assert art["stance_count"] == 3 and art["text"]
            assert "stancestream_storage_processed_total" in (await http.get("/metrics")).text
    assert await pending(aredis, articles) == 0 and await pending(aredis, stances) == 0


async def test_restart_mid_backlog_loses_nothing(
    settings: Settings,
    streams: tuple[str, str],
    queries: Queries,
    aredis: aioredis.Redis,
    cleanup: None,
) -> None:
    articles, stances = streams
    total = 300
    await publish(
        aredis, articles, [make_article(f"a_{i}").model_dump_json() for i in range(total)]
    )
    spec = make_spec(articles, stances)

    async def some_stored() -> bool:
        return await queries.count("articles") > 0

    async with running(spec, settings):
        await wait_for(some_stored)
    partial = await queries.count("articles")
    assert 0 < partial < total, "the service should have stopped with a backlog left"

    await publish(aredis, stances, [make_batch(f"a_{i}").model_dump_json() for i in range(40)])

    async def all_stored() -> bool:
        return (
            await queries.count("articles") == total
            and await queries.count("stances") == 120
            and await pending(aredis, articles) == 0
            and await pending(aredis, stances) == 0
        )

    async with running(spec, settings):
        await wait_for(all_stored, timeout=30)
    art = await queries.get_article("a_7")
    assert art is not None and art.text and art.stance_count == 3
    assert await aredis.xlen(dlq(articles)) == 0 and await aredis.xlen(dlq(stances)) == 0


async def test_bad_message_is_dead_lettered_and_the_rest_stored(
    settings: Settings,
    streams: tuple[str, str],
    queries: Queries,
    aredis: aioredis.Redis,
    cleanup: None,
) -> None:
    articles, stances = streams
    await publish(aredis, articles, ['{"id": "x"}', make_article("a_ok").model_dump_json()])
    async with running(make_spec(articles, stances), settings):

        async def done() -> bool:
            return await queries.count("articles") == 1 and await aredis.xlen(dlq(articles)) == 1

        await wait_for(done)
    assert await queries.get_article("a_ok") is not None


async def test_db_failure_leaves_entries_pending_until_it_recovers(
    settings: Settings,
    streams: tuple[str, str],
    queries: Queries,
    aredis: aioredis.Redis,
    cleanup: None,
) -> None:
    from sqlalchemy import text

    articles, stances = streams
    settings.worker.max_deliveries = 100
    engine = create_engine(settings.db_url)
    async with running(make_spec(articles, stances), settings):
        async with engine.begin() as conn:  # the stances table "goes away"
            await conn.execute(text("ALTER TABLE stances RENAME TO stances_away"))
        await publish(aredis, stances, [make_batch("a_1").model_dump_json()])

        async def failed() -> bool:
            return await aredis.hlen(f"{stances}:errors:{GROUP}") == 1

        await wait_for(failed)
        assert await pending(aredis, stances) == 1
        assert await queries.get_article("a_1") is None  # the whole transaction rolled back
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE stances_away RENAME TO stances"))

        async def stored() -> bool:
            return await queries.count("stances") == 3 and await pending(aredis, stances) == 0

        await wait_for(stored)
    await engine.dispose()
    assert await aredis.xlen(dlq(stances)) == 0


async def test_a_postgresql_outage_of_ten_claim_idles_dead_letters_nothing(
    settings: Settings,
    streams: tuple[str, str],
    aredis: aioredis.Redis,
    cleanup: None,
    pg_database: PgDatabase,  # noqa: F811 - the fixture imported above
) -> None:
    """PostgreSQL behind a TCP proxy goes away (connections cut, new ones refused) for 10x
    ``claim_idle_ms`` while articles arrive: once it is back every article is stored, no dead
    letter is written, nothing stays pending, although ``max_deliveries`` is 2."""
    if pg_database.url is None:
        pytest.skip(pg_database.reason)
    from tests.tcp_proxy import TcpProxy

    articles, stances = streams
    base, name = pg_database.url.rsplit("/", 1)
    host_port = base.rsplit("@", 1)[1]
    host, port = host_port.split(":")
    with TcpProxy(host, int(port)) as proxy:
        url = f"{base.rsplit('@', 1)[0]}@127.0.0.1:{proxy.port_here}/{name}"
        s = settings.model_copy(
            update={
                "database_url": url,
                "worker": WorkerSettings(
                    max_records=2,
                    polling_ms=50,
                    claim_idle_ms=300,
                    reclaim_every_s=0.2,
                    max_deliveries=2,
                    outage_backoff_max_s=0.5,
                ),
            }
        )
        direct = create_engine(pg_database.url)
        queries = Queries(create_sessionmaker(direct))
        ids = [f"a_out_{i}" for i in range(6)]
        try:
            async with running(make_spec(articles, stances), s):
                proxy.close()  # the outage: 3 s = 10 x claim_idle_ms
                await publish(aredis, articles, [make_article(i).model_dump_json() for i in ids])
                await asyncio.sleep(3.0)
                proxy.open()

                async def all_stored() -> bool:
                    got = [await queries.get_article(i) for i in ids]
                    return all(a is not None for a in got)

                await wait_for(all_stored, timeout=30)
                assert await pending(aredis, articles) == 0
        finally:
            await direct.dispose()
    assert await aredis.xlen(dlq(articles)) == 0


async def test_200_live_clients_leave_health_and_the_workers_alone(
    settings: Settings,
    streams: tuple[str, str],
    queries: Queries,
    aredis: aioredis.Redis,
    cleanup: None,
) -> None:
    """The red-team run's case: 200 browsers on /stream/stances. With the default cap (50) the
    first 50 stream, 150 are told to retry later, /health stays 200 and the storage worker keeps
    storing what arrives meanwhile."""
    from tests.test_live_sse import SseClient

    articles, stances = streams
    async with running(make_spec(articles, stances), settings):
        base = f"http://127.0.0.1:{settings.storage.port}"
        async with contextlib.AsyncExitStack() as stack:
            live = await asyncio.gather(
                *(stack.enter_async_context(SseClient(f"{base}/stream/stances")) for _ in range(50))
            )
            limits = httpx.Limits(max_connections=200)
            async with httpx.AsyncClient(base_url=base, timeout=20, limits=limits) as http:
                refused = await asyncio.gather(*(http.get("/stream/stances") for _ in range(150)))
                assert {r.status_code for r in refused} == {503}
                assert (await http.get("/health")).status_code == 200
            await publish(
                aredis, articles, [make_article(f"a_live_{i}").model_dump_json() for i in range(20)]
            )

            async def drained() -> bool:
                return (
                    await queries.count("articles") == 20 and await pending(aredis, articles) == 0
                )

            await wait_for(drained, timeout=30)
            assert len(live) == 50
