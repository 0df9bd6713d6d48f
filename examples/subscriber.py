"""A downstream service in 30 lines: read ``stances.v1`` with a consumer group of your own and
the public contract (``stancestream.contracts``). FastStream decodes each entry into a validated
``StanceBatch`` and acks it once the handler returns (an exception leaves it pending, to be read
again).

    REDIS_URL=redis://localhost:6379 python examples/subscriber.py
"""

import os

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub

from stancestream.contracts import STANCES, StanceBatch

broker = RedisBroker(os.environ.get("REDIS_URL", "redis://localhost:6379"))
app = FastStream(broker)
STREAM = os.environ.get("STANCES_STREAM", STANCES)
seen = 0


@broker.subscriber(stream=StreamSub(STREAM, group="my-service", consumer="my-service-1"))
async def on_stances(batch: StanceBatch) -> None:
    global seen
    names = {e.id: e.name for e in batch.entities}
    for s in batch.stances:
        if s.stance != "neutral":
            who, whom = names.get(s.source, s.source), names.get(s.target, s.target)
            print(f"{who} {s.stance}s {whom} ({s.score:.2f}) {batch.article.url}", flush=True)
    seen += 1
    if seen == int(os.environ.get("EXIT_AFTER", 0)):  # for the test: stop after N batches
        app.exit()


@app.after_startup
async def ready() -> None:
    print(f"ready: reading {STREAM} as group my-service", flush=True)


if __name__ == "__main__":
    import asyncio

    asyncio.run(app.run())
