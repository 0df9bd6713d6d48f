"""Stance workers and storage on a real Redis and a real database: work is split, nothing is lost
or stored twice, and a malformed message is dead-lettered while the rest flows."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from faststream.redis import RedisBroker
from sqlalchemy import func, select

from stancestream.services.stance import service as stance_service
from stancestream.services.storage import service as storage_service
from stancestream.services.storage.db import create_engine
from stancestream.services.storage.tables import StanceRow
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import (
    ArticleMeta,
    Claim,
    ClaimMention,
    DeadLetter,
    Entity,
    LinkedArticle,
)
from stancestream.shared.service import running
from stancestream.shared.settings import Settings, WorkerSettings
from stancestream.shared.streams import dlq
from tests.stack_helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ACTORS = [("Senator Warren", "person"), ("Governor Abbott", "person"), ("Moscow", "country")]


def linked(i: int) -> LinkedArticle:
    """An article with one claim naming two actors: two directed stances to score."""
    a, b = ACTORS[i % 3], ACTORS[(i + 1) % 3]
    text = f"{a[0]} sharply criticised {b[0]} over plan number {i}."
    ents = [
        Entity(id=f"local:{t}:{n.lower()}", name=n, type=t, mentions=[(0, 1)]) for n, t in (a, b)
    ]
    mentions = [
        ClaimMention(entity=ents[0].id, span=(0, len(a[0]))),
        ClaimMention(entity=ents[1].id, span=(text.index(b[0]), text.index(b[0]) + len(b[0]))),
    ]
    claim = Claim(id=f"c{i}", span=(0, len(text)), text=text, mentions=mentions)
    return LinkedArticle(article=ArticleMeta(id=f"a{i}"), entities=ents, claims=[claim])


async def count_stances(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            total = (await conn.execute(select(func.count()).select_from(StanceRow))).scalar()
            distinct = (
                await conn.execute(select(func.count(func.distinct(StanceRow.claim_id))))
            ).scalar()
        return int(total or 0), int(distinct or 0)
    finally:
        await engine.dispose()


async def test_two_stance_workers_split_a_backlog_with_nothing_lost_or_doubled(
    redis_url, aredis, uid, tmp_path
):
    claims, stances, articles = f"{uid}.claims", f"{uid}.stances", f"{uid}.articles"
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    settings = Settings(
        redis_url=redis_url,
        database_url=db_url,
        data_dir=tmp_path,
        worker=WorkerSettings(max_records=16, polling_ms=50, claim_idle_ms=2000),
    )
    settings.storage.port = 0
    # the backlog is there before any worker starts (and one malformed entry in the middle)
    broker = RedisBroker(redis_url)
    await broker.connect()
    for i in range(100):
        await broker.publish(linked(i), stream=claims)
    await aredis.xadd(claims, {"__data__": b'{"schema_version": 1, "article": "oops"}'})
    for i in range(100, 200):
        await broker.publish(linked(i), stream=claims)
    await broker.stop()

    spec_stance = stance_service.make_spec(claims, stances, group="stance")
    spec_storage = storage_service.make_spec(articles, stances)
    async with contextlib.AsyncExitStack() as stack:
        w1 = await stack.enter_async_context(running(spec_stance, settings))
        w2 = await stack.enter_async_context(running(spec_stance, settings))
        await stack.enter_async_context(running(spec_storage, settings))

        async def all_stored():
            return await count_stances(db_url) == (400, 200)

        await wait_for(all_stored, timeout=180, every=0.5)
        per_worker = [
            w.metrics.processed.labels(claims)._value.get()  # noqa: SLF001 - test introspection
            for w in (w1, w2)
        ]
    assert sum(per_worker) >= 200
    assert all(n > 0 for n in per_worker), f"one worker did all the work: {per_worker}"
    letters = [
        DeadLetter.model_validate(decode_entry(f)) for _, f in await aredis.xrange(dlq(claims))
    ]
    assert len(letters) == 1 and "ValidationError" in letters[0].error
    groups = {g["name"]: g for g in await aredis.xinfo_groups(claims)}
    assert groups[b"stance"]["pending"] == 0
    await asyncio.sleep(0)
