"""The reliable consumer on a real Redis: dead letters, poison isolation, reclaim, retry cap."""

from __future__ import annotations

import asyncio
import json

import pytest
from faststream.redis import RedisBroker

from stancestream.shared.consumer import ReliableConsumer, decode_entry
from stancestream.shared.contracts import Article, DeadLetter
from stancestream.shared.metrics import ServiceMetrics
from stancestream.shared.settings import WorkerSettings
from stancestream.shared.streams import dlq
from tests.stack_helpers import wait_for

pytestmark = pytest.mark.integration


def article(i: int, text: str | None = None) -> Article:
    return Article(id=f"a{i}", text=text or f"Article number {i}.", content_hash=f"h{i}")


def make_consumer(aredis, stream, process, name="c1", **kw) -> ReliableConsumer:
    settings = WorkerSettings(
        **{
            "max_records": 10,
            "polling_ms": 50,
            "claim_idle_ms": 300,
            "reclaim_every_s": 0.2,
            "max_deliveries": 2,
            **kw,
        }
    )
    return ReliableConsumer(
        service="test",
        stream=stream,
        group="g",
        consumer=name,
        model=Article,
        process=process,
        client=aredis,
        settings=settings,
        metrics=ServiceMetrics("test"),
    )


async def dead_letters(aredis, stream) -> list[DeadLetter]:
    return [DeadLetter.model_validate(decode_entry(f)) for _, f in await aredis.xrange(dlq(stream))]


async def test_poison_messages_go_to_dlq_and_batch_mates_are_processed(redis_url, aredis, uid):
    stream = f"{uid}.articles"
    seen: list[str] = []

    async def process(items):
        seen.extend(a.id for a in items)

    broker = RedisBroker(redis_url)
    consumer = make_consumer(aredis, stream, process)
    await consumer.start()
    consumer.subscribe(broker)
    # published before the broker starts: the group must still see them (created at id 0)
    await broker.connect()
    for i in range(5):
        await broker.publish(article(i), stream=stream)
    await aredis.xadd(stream, {"__data__": b"not json at all {"})
    await aredis.xadd(stream, {"something": b"else"})
    await aredis.xadd(stream, {"data": json.dumps({"id": "x", "text": ""})})  # fails validation
    for i in range(5, 8):
        await broker.publish(article(i), stream=stream)
    await broker.start()
    try:
        await wait_for(lambda: asyncio.sleep(0, len(seen) >= 8))
        letters = await wait_for(lambda: dead_letters_if(aredis, stream, 3))
    finally:
        await broker.stop()
        await consumer.stop()
    assert sorted(seen) == sorted(f"a{i}" for i in range(8))
    reasons = sorted(d.error for d in letters)
    assert any("not JSON" in r for r in reasons)
    assert any("no __data__ or data field" in r for r in reasons)
    assert any("ValidationError" in r and "text" in r for r in reasons)
    assert all(d.service == "test" and d.stream == stream for d in letters)
    info = await aredis.xinfo_groups(stream)
    assert info[0]["pending"] == 0


async def dead_letters_if(aredis, stream, n):
    letters = await dead_letters(aredis, stream)
    return letters if len(letters) >= n else None


async def test_entries_that_break_the_decoder_or_exceed_the_size_limit_are_dead_lettered(
    redis_url, aredis, uid
):
    """Deep nesting (RecursionError), a 5,000-digit integer (ValueError) and an entry over
    ``max_entry_bytes`` are each refused on their own; the good entries around them go through."""
    stream = f"{uid}.articles"
    seen: list[str] = []

    async def process(items):
        seen.extend(a.id for a in items)

    broker = RedisBroker(redis_url)
    consumer = make_consumer(aredis, stream, process, max_entry_bytes=50_000)
    await consumer.start()
    consumer.subscribe(broker)
    await broker.connect()
    for i in range(3):
        await broker.publish(article(i), stream=stream)
    await aredis.xadd(stream, {"data": b"[" * 40_000})
    await aredis.xadd(stream, {"data": b'{"id": "n", "text": "x", "n": ' + b"7" * 5000 + b"}"})
    await broker.publish(article(99, "A very long article. " * 5000), stream=stream)
    for i in range(3, 6):
        await broker.publish(article(i), stream=stream)
    await broker.start()
    try:
        await wait_for(lambda: asyncio.sleep(0, len(seen) >= 6))
        letters = await wait_for(lambda: dead_letters_if(aredis, stream, 3))
    finally:
        await broker.stop()
        await consumer.stop()
    assert sorted(seen) == sorted(f"a{i}" for i in range(6))
    reasons = sorted(d.error for d in letters)
    assert any("nested too deep" in r for r in reasons), reasons
    assert any("digits" in r for r in reasons), reasons
    assert any("over the limit of 50,000" in r for r in reasons), reasons
    big = next(d for d in letters if "over the limit" in d.error)
    assert "A very long article." in big.payload  # parked whole: nothing is lost
    info = await aredis.xinfo_groups(stream)
    assert info[0]["pending"] == 0


async def test_failing_item_is_isolated_retried_then_dead_lettered(aredis, uid):
    stream = f"{uid}.articles"
    done: list[str] = []
    calls: dict[str, int] = {}

    async def process(items):
        for a in items:
            calls[a.id] = calls.get(a.id, 0) + 1
        if any(a.id == "a2" for a in items):
            raise RuntimeError("cannot handle a2")
        done.extend(a.id for a in items)

    consumer = make_consumer(aredis, stream, process, max_deliveries=2)
    await consumer.start()
    for i in range(4):
        await aredis.xadd(stream, {"__data__": article(i).model_dump_json()})
    # read as FastStream would, then hand the batch over
    res = await aredis.xreadgroup("g", "c1", {stream: ">"}, count=10)
    await consumer.handle([(i, f) for i, f in res[0][1]])
    assert sorted(done) == ["a0", "a1", "a3"]  # batch-mates of the poison one went through
    # a2 stays pending; the reclaimer retries it until the cap, then dead-letters it
    try:
        letters = await wait_for(lambda: dead_letters_if(aredis, stream, 1))
    finally:
        await consumer.stop()
    assert "cannot handle a2" in letters[0].error
    assert json.loads(letters[0].payload)["id"] == "a2"
    assert calls["a2"] >= 2
    assert (await aredis.xinfo_groups(stream))[0]["pending"] == 0


async def test_entries_of_a_dead_consumer_are_reclaimed(aredis, uid):
    stream = f"{uid}.articles"
    done: list[str] = []

    async def process(items):
        done.extend(a.id for a in items)

    for i in range(6):
        await aredis.xadd(stream, {"__data__": article(i).model_dump_json()})
    survivor = make_consumer(aredis, stream, process, name="survivor")
    await survivor.start()
    # a consumer that read the entries and died without acking
    await aredis.xreadgroup("g", "dead-worker", {stream: ">"}, count=10)
    assert (await aredis.xinfo_groups(stream))[0]["pending"] == 6
    try:
        await wait_for(lambda: asyncio.sleep(0, len(done) == 6))
        await wait_for(lambda: pending_is(aredis, stream, 0))
    finally:
        await survivor.stop()
    assert sorted(done) == [f"a{i}" for i in range(6)]
    await survivor.forget_idle_consumers(idle_ms=0)
    names = [c["name"] for c in await aredis.xinfo_consumers(stream, "g")]
    assert b"dead-worker" not in names


async def pending_is(aredis, stream, n):
    return (await aredis.xinfo_groups(stream))[0]["pending"] == n


async def test_trimming_never_drops_what_a_group_still_needs(aredis, uid):
    from stancestream.shared.consumer import ensure_group, trim_acked

    stream = f"{uid}.articles"
    await ensure_group(aredis, stream, "fast")
    await ensure_group(aredis, stream, "slow")
    ids = [await aredis.xadd(stream, {"__data__": article(i).model_dump_json()}) for i in range(10)]
    # "fast" read and acked everything; "slow" read 6, acked 3 (3 pending), never saw 4
    got = await aredis.xreadgroup("fast", "f", {stream: ">"}, count=10)
    await aredis.xack(stream, "fast", *[i for i, _ in got[0][1]])
    got = await aredis.xreadgroup("slow", "s", {stream: ">"}, count=6)
    await aredis.xack(stream, "slow", *[i for i, _ in got[0][1]][:3])
    removed = await trim_acked(aredis, stream, retain_s=0)
    assert removed == 3  # only the entries both groups acked
    left = [i for i, _ in await aredis.xrange(stream)]
    assert left == ids[3:]
    # nothing is trimmed inside the retention window
    assert await trim_acked(aredis, stream, retain_s=3600) == 0


async def test_a_poison_entry_refused_by_two_groups_is_dead_lettered_once(aredis, uid):
    stream = f"{uid}.articles"

    async def process(items):
        pass

    a = make_consumer(aredis, stream, process)
    b = make_consumer(aredis, stream, process)
    b.group = "other"
    for c in (a, b):
        await c.start()
    await aredis.xadd(stream, {"__data__": b"{broken"})
    for c in (a, b):
        res = await aredis.xreadgroup(c.group, "x", {stream: ">"}, count=10)
        await c.handle([(i, f) for i, f in res[0][1]])
        await c.stop()
    assert len(await dead_letters(aredis, stream)) == 1
    for g in await aredis.xinfo_groups(stream):
        assert g["pending"] == 0


async def test_stop_returns_when_a_library_turns_the_cancellation_into_an_error(aredis, uid):
    """A cleanup that fails while cancelled raises its own error instead of CancelledError (as
    SQLAlchemy's session close can); the worker must stop all the same and leave the entry
    pending for the next worker, not record it as a failed attempt."""
    stream = f"{uid}.articles"
    started = asyncio.Event()

    async def process(items):
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("cleanup failed while cancelled") from None

    consumer = make_consumer(aredis, stream, process, claim_idle_ms=100)
    await consumer.start()
    await aredis.xadd(stream, {"data": article(1).model_dump_json()})
    # a worker that read the entry and died: the reclaimer takes it over and processes it
    await aredis.xreadgroup("g", "dead-worker", {stream: ">"}, count=1)
    await asyncio.wait_for(started.wait(), 15)
    await asyncio.wait_for(consumer.stop(), 15)
    assert (await aredis.xpending(stream, "g"))["pending"] == 1
    assert await aredis.hlen(consumer.errors_key) == 0


async def test_an_outage_ten_times_the_claim_idle_dead_letters_nothing(redis_url, aredis, uid):
    """``process`` fails with a connection error for 10x ``claim_idle_ms`` (the database is
    away) while a second worker's reclaimer runs: every entry is stored once, none dead-lettered,
    although ``max_deliveries`` is 2."""
    stream = f"{uid}.articles"
    stored: list[str] = []
    down_until = asyncio.get_running_loop().time() + 3.0

    async def process(items):
        if asyncio.get_running_loop().time() < down_until:
            raise ConnectionRefusedError("connect call failed ('127.0.0.1', 5432)")
        stored.extend(a.id for a in items)

    kw = {"claim_idle_ms": 300, "max_deliveries": 2, "outage_backoff_max_s": 0.5}
    broker = RedisBroker(redis_url)
    one = make_consumer(aredis, stream, process, name="c1", **kw)
    two = make_consumer(aredis, stream, process, name="c2", **kw)
    await one.start()
    await two.start()  # only its reclaimer runs: it would take over idle entries
    one.subscribe(broker)
    await broker.connect()
    for i in range(5):
        await broker.publish(article(i), stream=stream)
    await broker.start()
    try:
        await wait_for(lambda: asyncio.sleep(0, len(stored) >= 5), timeout=20)
    finally:
        await broker.stop()
        await one.stop()
        await two.stop()
    assert sorted(stored) == [f"a{i}" for i in range(5)]  # each once
    assert await aredis.xlen(dlq(stream)) == 0
    assert (await aredis.xinfo_groups(stream))[0]["pending"] == 0


async def test_a_slow_batch_is_not_taken_over_by_another_worker(redis_url, aredis, uid):
    """A batch that takes 4x ``claim_idle_ms`` stays with its worker: no entry is processed
    twice while another worker's reclaimer runs."""
    stream = f"{uid}.articles"
    calls: list[str] = []

    async def slow(items):
        calls.extend(a.id for a in items)
        await asyncio.sleep(1.2)  # the work itself: four claim-idle periods

    kw = {"claim_idle_ms": 300, "max_deliveries": 5}
    broker = RedisBroker(redis_url)
    one = make_consumer(aredis, stream, slow, name="c1", **kw)
    two = make_consumer(aredis, stream, slow, name="c2", **kw)
    await one.start()
    await two.start()
    one.subscribe(broker)
    await broker.connect()
    for i in range(3):
        await broker.publish(article(i), stream=stream)
    await broker.start()
    try:
        await wait_for(lambda: _no_pending_after(aredis, stream, calls, 3), timeout=20)
    finally:
        await broker.stop()
        await one.stop()
        await two.stop()
    assert sorted(calls) == [f"a{i}" for i in range(3)]  # each processed once


async def _no_pending_after(aredis, stream, calls, n):
    if len(calls) < n:
        return None
    return (await aredis.xinfo_groups(stream))[0]["pending"] == 0 or None


async def test_a_backlog_of_reclaimable_entries_drains_in_one_round(aredis, uid):
    """Entries a dead worker left behind are claimed batch after batch until none is left, not
    one batch (``max_records``) per reclaim round."""
    stream = f"{uid}.articles"
    done: list[str] = []

    async def process(items):
        done.extend(a.id for a in items)

    for i in range(120):
        await aredis.xadd(stream, {"__data__": article(i).model_dump_json()})
    await aredis.xgroup_create(stream, "g", id="0")
    await aredis.xreadgroup("g", "dead-worker", {stream: ">"}, count=200)
    await asyncio.sleep(0.35)  # past claim_idle_ms: every entry is reclaimable
    # rounds 2 s apart: one batch of 10 per round would need 24 s
    survivor = make_consumer(aredis, stream, process, name="survivor", reclaim_every_s=2)
    await survivor.start()
    try:
        await wait_for(lambda: asyncio.sleep(0, len(done) == 120), timeout=8)
    finally:
        await survivor.stop()
    assert sorted(done) == sorted(f"a{i}" for i in range(120))
