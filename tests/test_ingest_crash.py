"""Redis going away in the middle of an ingest loses no article and publishes none twice.

A TCP proxy in front of the real Redis (``tests/tcp_proxy.py``) cuts every connection once a byte
budget of client traffic has passed, then refuses new ones: Redis "crashes" at an exact point of
the conversation. The
ingest is cut at every point of its conversation in turn; after each cut, a dedupe key must exist
only with its stream entry, and a re-run of the same input (Redis back) must leave every article
in the stream exactly once. Before the dedupe keys and the entry were written by one script, a
cut between the two left keys without an entry and the re-run called the article a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from stancestream.services.ingestion.dedupe import Deduper
from stancestream.services.ingestion.publisher import publish_articles
from stancestream.services.ingestion.sources import make_article
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import Article
from stancestream.shared.redis import EmbeddedRedis
from stancestream.shared.settings import IngestionSettings
from tests.stack_helpers import ROOT, free_port, wait_until
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


def _articles(n: int) -> list[Article]:
    cfg = IngestionSettings()
    return [
        make_article(
            f"Story {i}: the minister said on Tuesday that the talks would resume next week.",
            source_ref=f"t{i}",
            settings=cfg,
            url=f"https://news.example/story/{i}",
        )
        for i in range(n)
    ]


async def _run(url: str, prefix: str, stream: str, articles: list[Article]) -> None:
    client = aioredis.Redis.from_url(
        url, socket_timeout=2, socket_connect_timeout=1, retry=Retry(NoBackoff(), 1)
    )
    try:
        await publish_articles(
            client, articles, client=client, deduper=Deduper(client, prefix=prefix), stream=stream
        )
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


async def _stream_ids(aredis: aioredis.Redis, stream: str) -> Counter[str]:
    return Counter(
        Article.model_validate(decode_entry(f)).id for _, f in await aredis.xrange(stream)
    )


async def test_an_ingest_cut_at_any_point_loses_nothing_and_doubles_nothing(redis_url, aredis, uid):
    articles = _articles(3)
    kw = aredis.connection_pool.connection_kwargs
    if "host" not in kw:  # the embedded Redis listens on a unix socket only
        pytest.skip("the proxy needs Redis over TCP (127.0.0.1:6379)")
    host, port = kw["host"], kw.get("port", 6379)
    # how many bytes a whole ingest of the three articles sends
    with TcpProxy(host, port) as probe:
        await _run(
            f"redis://127.0.0.1:{probe.port_here}",
            f"{uid}:probe:seen:",
            f"{uid}:probe:articles",
            articles,
        )
        total = probe.sent
    assert (await _stream_ids(aredis, f"{uid}:probe:articles")) == Counter(a.id for a in articles)
    cuts = sorted({*range(0, total, max(1, total // 40)), total - 1})
    for budget in cuts:
        prefix, stream = f"{uid}:{budget}:seen:", f"{uid}:{budget}:articles"
        with (
            TcpProxy(host, port, budget) as proxy,
            contextlib.suppress(aioredis.RedisError, OSError, asyncio.TimeoutError),
        ):
            await _run(f"redis://127.0.0.1:{proxy.port_here}", prefix, stream, articles)
        published = await _stream_ids(aredis, stream)
        dedupe = Deduper(aredis, prefix=prefix)
        for a in articles:  # a key exists only with its entry
            if await aredis.exists(*dedupe.keys(a)):
                assert published[a.id] == 1, (budget, a.id, "key without its entry")
        await _run(redis_url, prefix, stream, articles)  # the re-run, Redis back
        again = await _stream_ids(aredis, stream)
        assert again == Counter(a.id for a in articles), (budget, again)
    keys = [k async for k in aredis.scan_iter(match=f"{uid}:*")]
    await aredis.delete(*keys)


def _ingest(url: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "REDIS_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "stancestream", "ingest", "-q", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_redis_killed_mid_ingest_then_reingest_stores_every_article_once(tmp_path: Path) -> None:
    """The issue's scenario with real processes: `stancestream ingest` of 5,000 articles into a
    Redis with AOF (everysec); Redis is SIGKILLed while the ingest runs, restarted from its AOF,
    and the same ingest is run again: every article is in the stream exactly once."""
    n = 5000
    src = tmp_path / "many.jsonl"
    src.write_text(
        "".join(
            json.dumps(
                {
                    "url": f"https://news.example/story/{i}",
                    "text": f"Story {i}: the minister said the talks on issue {i} would resume.",
                }
            )
            + "\n"
            for i in range(n)
        ),
        encoding="utf-8",
    )
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = EmbeddedRedis(tmp_path, port=port)  # AOF everysec, as every embedded Redis
    server.start()
    client = redis.Redis.from_url(url)
    try:
        wait_until(lambda: _pings(client), timeout=15, what="redis-server to start")
        first = _ingest(url, src)
        wait_until(
            lambda: client.exists("articles.v1") and client.xlen("articles.v1") >= 500,
            timeout=60,
            what="the ingest to be under way",
        )
        assert server.proc is not None
        server.proc.kill()  # SIGKILL, mid-ingest
        server.proc.wait()
        first.wait(60)  # it lost its Redis: it fails, saying so
        server.start()  # back from its AOF
        wait_until(lambda: _pings(client), timeout=15, what="redis-server to restart")
        assert 0 < client.xlen("articles.v1") < n  # the crash came mid-way
        again = _ingest(url, src)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err[-2000:]
        ids = Counter(
            Article.model_validate(decode_entry(f)).url for _, f in client.xrange("articles.v1")
        )
        assert len(ids) == n and set(ids.values()) == {1}
    finally:
        client.close()
        if server.proc is not None:
            server.proc.kill()
            server.proc.wait()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
