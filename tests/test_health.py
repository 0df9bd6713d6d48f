"""Group gauges, /health, /ready and NOGROUP recovery of a running service, on a real Redis."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from stancestream.services.cli.dlq import encode_payload
from stancestream.shared.contracts import Article
from stancestream.shared.health import count_after, group_stats
from stancestream.shared.redis import EmbeddedRedis
from stancestream.shared.service import Consumes, ServiceSpec, running
from stancestream.shared.settings import Settings, WorkerSettings
from tests.stack_helpers import free_port, wait_for

pytestmark = pytest.mark.integration


async def test_group_stats_lag_and_pending(aredis, uid):
    await _check_group_stats(aredis, f"{uid}.s")


async def test_group_stats_on_redis_62_without_lag_field(tmp_path):
    """The embedded Redis of `stancestream up` is 6.2: no ``lag`` in XINFO GROUPS."""
    import redis.asyncio as aioredis

    emb = EmbeddedRedis(tmp_path)
    client = aioredis.Redis.from_url(emb.start())
    try:
        assert "lag" not in str(await _xinfo_after_setup(client, "s"))
        await client.delete("s")
        await _check_group_stats(client, "s")
    finally:
        await client.aclose()
        emb.stop()


async def _xinfo_after_setup(client, stream: str):
    await client.xadd(stream, {"i": 0})
    await client.xgroup_create(stream, "g", id="0")
    return await client.xinfo_groups(stream)


async def _check_group_stats(aredis, stream: str) -> None:
    assert await group_stats(aredis, stream, "g") is None  # no stream
    for i in range(10):
        await aredis.xadd(stream, {"i": i})
    assert await group_stats(aredis, stream, "g") is None  # no group
    await aredis.xgroup_create(stream, "g", id="0")
    read = await aredis.xreadgroup("g", "c", {stream: ">"}, count=4)
    await aredis.xack(stream, "g", read[0][1][0][0])
    assert await group_stats(aredis, stream, "g") == (6, 3)
    # the Redis 6.2 fallback (XRANGE after last-delivered-id) agrees with Redis 7's lag
    last = read[0][1][-1][0].decode()
    assert await count_after(aredis, stream, last, page=4) == 6
    assert await count_after(aredis, stream, last, cap=5, page=2) == 5
    assert await count_after(aredis, stream, "0-0") == 10
    await aredis.delete(stream)


def _spec(stream: str, seen: list[str]) -> ServiceSpec:
    @contextlib.asynccontextmanager
    async def resources(rt):
        yield seen

    async def process(seen, items):
        seen.extend(a.id for a in items)

    return ServiceSpec(
        name="t", consumes=[Consumes(stream, "g", Article, process)], resources=resources
    )


async def test_probes_gauges_and_nogroup_recovery(redis_url, aredis, uid):
    stream, seen, port = f"{uid}.articles", [], free_port()
    settings = Settings(
        redis_url=redis_url,
        worker=WorkerSettings(polling_ms=50, health_every_s=0.5, metrics_port=port),
    )
    base = f"http://127.0.0.1:{port}"
    async with (
        running(_spec(stream, seen), settings) as rt,
        httpx.AsyncClient(base_url=base) as http,
    ):
        await wait_for(lambda: _status(http, "/health", 200))  # the server starts in a task
        await wait_for(lambda: _status(http, "/ready", 200))
        await rt.broker.publish(Article(id="a1", text="x", content_hash="h"), stream=stream)
        await wait_for(lambda: _true(seen == ["a1"]))
        metrics = (await http.get("/metrics")).text
        assert f'stancestream_t_group_lag{{stream="{stream}"}} 0.0' in metrics
        assert f'stancestream_t_group_pending{{stream="{stream}"}} 0.0' in metrics
        assert (await http.get("/nope")).status_code == 404

        # Redis flushed under the worker: the group vanishes, FastStream's subscriber stops
        (sub,) = rt.broker.subscribers
        await aredis.delete(stream)
        await wait_for(lambda: _true(not sub.running))  # NOGROUP is terminal for FastStream
        assert await rt.health.check() is False  # group recreated, not ready this round
        assert sub.running  # ...and the subscriber restarted
        assert (await http.get("/ready")).json()["streams"][stream]["group_exists"] is False
        await wait_for(lambda: _status(http, "/ready", 200))
        # consuming again: a FastStream publish and a DLQ-replay-style entry both get through
        await rt.broker.publish(Article(id="a2", text="y", content_hash="h2"), stream=stream)
        data = await encode_payload(
            Article(id="a3", text="z", content_hash="h3").model_dump_json(), "1-0"
        )
        await aredis.xadd(stream, {"__data__": data})
        await wait_for(lambda: _true(seen == ["a1", "a2", "a3"]))
    await aredis.delete(stream)


async def test_no_consumers_ready_when_redis_answers(redis_url):
    @contextlib.asynccontextmanager
    async def resources(rt):
        yield None

    settings = Settings(redis_url=redis_url, worker=WorkerSettings(health_every_s=0.1))
    async with running(ServiceSpec("ing", [], resources), settings) as rt:
        await wait_for(lambda: _true(getattr(rt, "health", None) and rt.health.ready))
        assert rt.health.report() == {"ready": True, "redis": True, "streams": {}}


async def _status(http: httpx.AsyncClient, path: str, code: int) -> bool:
    try:
        return (await http.get(path)).status_code == code
    except httpx.ConnectError:
        return False


async def _true(v: bool) -> bool:
    return v
