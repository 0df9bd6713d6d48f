"""``GET /stream/stances`` on a real uvicorn server and a real Redis: stances published after the
client connected arrive in order, filters apply, and ``Last-Event-ID`` resumes without gaps."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from faststream.redis import RedisBroker

from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import create_engine, create_sessionmaker
from stancestream.services.storage.webserver import bind, serve
from stancestream.shared.settings import Settings, StorageSettings
from tests.stack_helpers import wait_for
from tests.storage_factories import make_batch

pytestmark = pytest.mark.integration


@dataclass
class SseClient:
    """A minimal EventSource: collects ``stance`` events, remembers the last event id."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    last_id: str | None = None
    task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with (
            httpx.AsyncClient(timeout=30) as client,
            client.stream("GET", self.url, headers=self.headers) as r,
        ):
            assert r.status_code == 200 and r.headers["content-type"].startswith(
                "text/event-stream"
            )
            ev: dict[str, str] = {}
            async for line in r.aiter_lines():
                if line.startswith("retry:"):
                    self.ready.set()
                elif line == "":
                    if "id" in ev:
                        self.last_id = ev["id"]
                    if "data" in ev:
                        await self.events.put({**json.loads(ev["data"]), "_id": ev.get("id")})
                    ev = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(":")
                    ev[key] = value.removeprefix(" ")

    async def __aenter__(self) -> SseClient:
        self.task = asyncio.create_task(self._run())
        waiter = asyncio.create_task(self.ready.wait())
        done, _ = await asyncio.wait(
            [self.task, waiter], timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        if self.task in done:
            self.task.result()
        assert self.ready.is_set(), "stream did not start"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def take(self, n: int) -> list[dict[str, Any]]:
        return [await asyncio.wait_for(self.events.get(), 10) for _ in range(n)]


@pytest.fixture
async def api(redis_url: str, uid: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The storage API on a free port, live stream on ``<uid>.stances``; yields (url, stream)."""
    stream = f"{uid}.stances"
    client = aioredis.Redis.from_url(redis_url)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(Settings(), create_sessionmaker(engine), redis=client, stances_stream=stream)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    task = asyncio.create_task(serve(app, sock))
    yield f"http://127.0.0.1:{port}", stream
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await client.delete(stream)
    await client.aclose()
    await engine.dispose()


@pytest.fixture
async def publish(redis_url: str) -> AsyncIterator[Any]:
    """Publish like the stance service does (FastStream's envelope)."""
    broker = RedisBroker(redis_url)
    await broker.connect()

    async def pub(stream: str, *article_ids: str) -> None:
        for aid in article_ids:
            await broker.publish(make_batch(aid), stream=stream)

    yield pub
    await broker.stop()


def _key(ev: dict[str, Any]) -> tuple[str, str]:
    return ev["article_id"], ev["id"]


async def test_receives_stances_published_after_connecting(api, publish) -> None:
    url, stream = api
    await publish(stream, "a_old")  # before the client: not sent
    async with SseClient(f"{url}/stream/stances") as sse:
        await publish(stream, "a_1", "a_2")
        got = await sse.take(6)
    assert [e["article_id"] for e in got] == ["a_1"] * 3 + ["a_2"] * 3
    first = got[0]
    assert (first["source_name"], first["target_name"], first["stance"]) == (
        "Russia",
        "NATO",
        "oppose",
    )
    assert first["claim_text"].startswith("Russia's foreign ministry")
    assert first["article_url"] == "https://news.example/a_1"
    entry = first["_id"].split(":")[0]
    assert [e["_id"] for e in got[:3]] == [f"{entry}:{i}" for i in range(3)]


async def test_filters(api, publish) -> None:
    url, stream = api
    async with (
        SseClient(f"{url}/stream/stances?stance=support&min_score=0.5") as support,
        SseClient(f"{url}/stream/stances?actor=russia") as russia,
    ):
        await publish(stream, "a_1", "a_2")
        got = await support.take(2)
        assert {(e["source"], e["target"], e["stance"]) for e in got} == {
            ("Q2575", "Q7184", "support")
        }
        got = await russia.take(4)  # Russia -> NATO and Scholz -> Russia, per article
        assert all("Q159" in (e["source"], e["target"]) for e in got)
        assert support.events.empty() and russia.events.empty()


async def test_resume_with_last_event_id_has_no_gap_and_no_duplicate(api, publish) -> None:
    url, stream = api
    async with SseClient(f"{url}/stream/stances") as sse:
        await publish(stream, "a_1", "a_2")
        before = await sse.take(4)  # stops in the middle of a_2's entry
    await publish(stream, "a_3")  # while disconnected
    last = before[-1]["_id"]
    async with SseClient(f"{url}/stream/stances", headers={"Last-Event-ID": last}) as sse:
        after = await sse.take(5)
        await publish(stream, "a_4")
        after += await sse.take(3)
        await asyncio.sleep(0.3)
        assert sse.events.empty()
    seen = [_key(e) for e in before + after]
    assert len(seen) == len(set(seen)) == 12
    assert [e["article_id"] for e in before + after] == [
        a for a in ("a_1", "a_2", "a_3", "a_4") for _ in range(3)
    ]
    # the browser's own id (query parameter for scripts) and a bad one
    async with httpx.AsyncClient(timeout=10) as c:
        r = await c.get(f"{url}/stream/stances", headers={"Last-Event-ID": "yesterday"})
        assert r.status_code == 422 and "expected <ms>-<seq>" in r.text


async def test_live_streams_beyond_the_cap_are_refused_and_starve_nothing(
    redis_url: str, uid: str, tmp_path: Path, publish
) -> None:
    """20 streams allowed: 20 clients stream, 40 more get 503 + Retry-After, /health stays 200,
    the workers' Redis client keeps its pool to itself, and a slot freed is a slot reused."""
    stream = f"{uid}.stances"
    client = aioredis.Redis.from_url(redis_url)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    settings = Settings(storage=StorageSettings(max_sse_clients=20))
    app = create_app(settings, create_sessionmaker(engine), redis=client, stances_stream=stream)
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    task = asyncio.create_task(serve(app, sock))
    try:
        async with contextlib.AsyncExitStack() as stack:
            streams = [
                await stack.enter_async_context(SseClient(f"{url}/stream/stances"))
                for _ in range(20)
            ]
            async with httpx.AsyncClient(timeout=10) as http:
                refused = await asyncio.gather(
                    *(http.get(f"{url}/stream/stances") for _ in range(40))
                )
                assert {r.status_code for r in refused} == {503}
                assert all(r.headers["retry-after"] == "5" for r in refused)
                assert "max_sse_clients" in refused[0].json()["detail"]
                assert (await http.get(f"{url}/health")).status_code == 200
            assert await client.ping()
            # the workers' pool is not where the streams wait
            assert app.state.sse.client.connection_pool is not client.connection_pool
            assert (
                len(client.connection_pool._available_connections)
                + len(client.connection_pool._in_use_connections)
                <= 2
            )
            await publish(stream, "a_1")
            assert len(await streams[0].take(3)) == 3
            for s in streams[:5]:  # five leave; their slots come back
                await s.__aexit__(None, None, None)

            async def admitted() -> bool:
                async with (
                    httpx.AsyncClient(timeout=5) as http,
                    http.stream("GET", f"{url}/stream/stances") as r,
                ):
                    return r.status_code == 200

            await wait_for(admitted, timeout=15)
            for s in streams[5:]:
                await s.__aexit__(None, None, None)
            stack.pop_all()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.state.sse.aclose()
        await client.delete(stream)
        await client.aclose()
        await engine.dispose()


async def test_a_batch_published_twice_reaches_a_client_once(api, publish) -> None:
    """A worker presumed dead publishes its reclaimed batch again: the stream has two entries
    with the same stances; the client gets them once, then the next batch."""
    url, stream = api
    async with SseClient(f"{url}/stream/stances") as sse:
        await publish(stream, "a_1", "a_1", "a_2")
        got = await sse.take(6)
        await asyncio.sleep(0.3)
        assert sse.events.empty()
    assert [e["article_id"] for e in got] == ["a_1"] * 3 + ["a_2"] * 3
