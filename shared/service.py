"""Run one worker service: connect, load resources once, consume reliably, stop cleanly.

A service describes itself with :class:`ServiceSpec`: its name, the streams it consumes (each with
the pydantic model its entries must validate against and a ``process`` callback) and an async
context manager that loads its heavy resources (model, spaCy, DB engine) and yields the callbacks.
``run_service`` does the rest the same way for every service: embedded/remote Redis URL, FastStream
broker, consumer groups created from the first entry, reclaimer, group gauges and the /metrics,
/health, /ready endpoint (``stancestream.shared.health``), SIGTERM and SIGINT handled by draining
the current batch and acking nothing unfinished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from faststream.redis import RedisBroker
from pydantic import BaseModel

from stancestream.shared.consumer import ProcessFn, ReliableConsumer
from stancestream.shared.health import Health, observe
from stancestream.shared.metrics import ServiceMetrics
from stancestream.shared.redis import connect, redact, resolve_redis_url
from stancestream.shared.settings import Settings
from stancestream.shared.streams import consumer_name
from stancestream.shared.tasks import stop_tasks

log = logging.getLogger("stancestream.service")
# FastStream's own messages (per-message access lines at DEBUG, task callbacks at INFO) go to
# this logger instead of FastStream's coloured stdout handler, so they are formatted like every
# other line; ``stancestream.services.cli.logs.setup_logging`` shows them only at DEBUG
BROKER_LOG = logging.getLogger("stancestream.broker")


def new_broker(url: str) -> RedisBroker:
    """A FastStream broker that logs through :data:`BROKER_LOG`."""
    return RedisBroker(url, logger=BROKER_LOG, log_level=logging.DEBUG)


@dataclass
class Consumes:
    """One stream a service reads: its group, the model of its entries, the callback name."""

    stream: str
    group: str
    model: type[BaseModel]
    process: str  # key of the callback in the dict the resources context yields


@dataclass
class Runtime:
    """What a service's resources get to work with."""

    settings: Settings
    broker: RedisBroker
    redis: aioredis.Redis
    metrics: ServiceMetrics
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    consumers: list[ReliableConsumer] = field(default_factory=list)
    health: Health | None = None  # set by stancestream.shared.health.observe once it runs


ResourcesFn = Callable[[Runtime], contextlib.AbstractAsyncContextManager[dict[str, ProcessFn]]]


@dataclass
class ServiceSpec:
    name: str
    consumes: list[Consumes]
    resources: ResourcesFn
    # extra long-running work beside the consumers (feed polling, the HTTP API)
    background: list[Callable[[Runtime], Coroutine[Any, Any, None]]] = field(default_factory=list)


@contextlib.asynccontextmanager
async def running(spec: ServiceSpec, settings: Settings) -> AsyncIterator[Runtime]:
    """Start ``spec`` (broker, consumers, reclaimers, background tasks); stop it on exit."""
    url = resolve_redis_url(settings)
    client = await connect(url)
    broker = new_broker(url)
    metrics = ServiceMetrics(spec.name.replace("-", "_"))
    rt = Runtime(settings, broker, client, metrics)
    async with spec.resources(rt) as callbacks:
        consumers = []
        for c in spec.consumes:
            rc = ReliableConsumer(
                service=spec.name,
                stream=c.stream,
                group=c.group,
                consumer=consumer_name(spec.name),
                model=c.model,
                process=callbacks[c.process],
                client=client,
                settings=settings.worker,
                metrics=metrics,
            )
            await rc.start()  # creates the group before FastStream would create it at '$'
            rc.subscribe(broker)
            consumers.append(rc)
        rt.consumers = consumers
        await broker.start()
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(fn(rt), name=f"{spec.name}-bg") for fn in spec.background
        ]
        tasks.append(asyncio.create_task(observe(rt), name=f"{spec.name}-health"))
        log.info(
            "%s: consuming %s from %s",
            spec.name,
            ", ".join(c.stream for c in spec.consumes) or "nothing",
            redact(url),
        )
        try:
            yield rt
        finally:
            log.info("%s: stopping: draining the current batch", spec.name)
            await stop_tasks(tasks)
            await broker.stop()  # waits for running handlers; their entries are acked or pending
            for rc in consumers:
                await rc.stop()
            await client.aclose()
            log.info("%s: stopped", spec.name)


async def run_service(spec: ServiceSpec, settings: Settings) -> None:
    """Run until SIGTERM/SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(spec, settings) as rt:  # metrics/health/ready: health.observe
        rt.stop = stop
        await stop.wait()
