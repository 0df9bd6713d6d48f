"""A worker's broker stops cleanly: the subscribers' read loops have ended before the connection
pool closes, so no XREADGROUP in flight fails on a closed socket ("Message fetch error ...
Connection closed by server" with a traceback in the worker's log on a plain Ctrl-C). Real
FastStream broker on a real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faststream import AckPolicy
from faststream.redis import StreamSub

from stancestream.shared.service import new_broker, stop_broker

pytestmark = pytest.mark.integration


async def test_the_read_loops_have_ended_when_the_broker_disconnects(
    redis_url: str, uid: str, aredis: Any
) -> None:
    broker = new_broker(redis_url)
    sub = StreamSub(f"{uid}:s", group="g", consumer="c", batch=True, polling_interval=50)

    @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL)
    async def on_batch(body: Any) -> None:  # nothing is published: the loop only reads
        pass

    await broker.start()
    (subscriber,) = broker.subscribers
    assert subscriber.tasks, "the subscriber has no read task"  # type: ignore[attr-defined]

    async def read_loop_that_ends_late() -> None:
        # a read loop that ends some time after its cancellation: the real one was still
        # inside an XREADGROUP when the pool closed in about 1 in 200 stops under load
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.1)

    late = asyncio.create_task(read_loop_that_ends_late())
    subscriber.tasks.append(late)  # type: ignore[attr-defined]
    reading = list(subscriber.tasks)  # type: ignore[attr-defined]
    done_at_disconnect: list[bool] = []
    disconnect = broker.config.disconnect

    async def checked_disconnect() -> None:
        done_at_disconnect.append(all(t.done() for t in reading))
        await disconnect()

    broker.config.disconnect = checked_disconnect  # type: ignore[method-assign]
    try:
        await asyncio.sleep(0.2)  # several XREADGROUP BLOCK 50 rounds
        await stop_broker(broker)
    finally:
        await aredis.delete(f"{uid}:s")
    assert done_at_disconnect == [True]
