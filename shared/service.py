"""Run one worker service: connect, load resources once, consume reliably, stop cleanly.

A service describes itself with :class:`ServiceSpec`: its name, an async context manager that
loads its heavy resources (model, spaCy, DB engine) and yields them as one object, and the streams
it consumes, each with the pydantic model its entries must validate against and its handler: a
function (usually a method of the resources' class) called with that object and a batch. The
handlers are referenced, not named, so mypy checks each against the resources and the entry model.
``run_service`` does the rest the same way for every service: embedded/remote Redis URL, FastStream
broker, consumer groups created from the first entry, reclaimer, group gauges and the /metrics,
/health, /ready endpoint (``stancestream.shared.health``), SIGTERM and SIGINT handled by draining
the current batch and acking nothing unfinished.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

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


async def stop_broker(broker: RedisBroker, timeout: float = 10.0) -> None:
    """Stop the subscribers, wait until their read loops have ended, then stop the broker.

    FastStream's ``broker.stop()`` cancels each subscriber's read task without waiting for it
    and closes the connection pool at once: an XREADGROUP in flight then fails on the closed
    socket and is logged as "Message fetch error ... Connection closed by server" with a
    traceback, on a clean stop (about once in 300 stops on a loaded 2-core machine)."""
    for sub in broker.subscribers:
        reading = list(getattr(sub, "tasks", ()))  # FastStream's TasksMixin: the read loop
        await sub.stop()  # no new reads; the running handler finishes; the loop is cancelled
        await stop_tasks(reading, timeout)
    await broker.stop()


R = TypeVar("R")  # what a service's resources context yields
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Consumes(Generic[R, M]):
    """One stream a service reads: its group, the model of its entries, and the handler, called
    with the loaded resources and a batch of validated entries."""

    stream: str
    group: str
    model: type[M]
    process: Callable[[R, Sequence[M]], Awaitable[None]]

    def bind(self, loaded: R) -> ProcessFn:
        """The handler for the consumer: ``process`` with the loaded resources given."""
        return functools.partial(self.process, loaded)


@dataclass
class Runtime:
    """What a service's resources get to work with."""

    settings: Settings
    broker: RedisBroker
    redis: aioredis.Redis
    metrics: ServiceMetrics
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    consumers: list[ReliableConsumer] = field(default_factory=list)
    health: Health | None = None  # set by running() once the consumers exist


@dataclass
class ServiceSpec(Generic[R]):
    name: str
    consumes: list[Consumes[R, Any]]
    resources: Callable[[Runtime], contextlib.AbstractAsyncContextManager[R]]
    # extra long-running work beside the consumers (feed polling, the HTTP API), given what the
    # resources context yielded
    background: list[Callable[[R], Coroutine[Any, Any, None]]] = field(default_factory=list)


@contextlib.asynccontextmanager
async def running(spec: ServiceSpec[Any], settings: Settings) -> AsyncIterator[Runtime]:
    """Start ``spec`` (broker, consumers, reclaimers, background tasks); stop it on exit."""
    url = resolve_redis_url(settings)
    client = await connect(url)
    broker = new_broker(url)
    metrics = ServiceMetrics(spec.name.replace("-", "_"))
    rt = Runtime(settings, broker, client, metrics)
    async with spec.resources(rt) as loaded:
        consumers = []
        for c in spec.consumes:
            rc = ReliableConsumer(
                service=spec.name,
                stream=c.stream,
                group=c.group,
                consumer=consumer_name(spec.name),
                model=c.model,
                process=c.bind(loaded),
                client=client,
                settings=settings.worker,
                metrics=metrics,
            )
            await rc.start()  # creates the group before FastStream would create it at '$'
            rc.subscribe(broker)
            consumers.append(rc)
        rt.consumers = consumers
        rt.health = Health(client, broker, metrics, consumers)
        await broker.start()
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(fn(loaded), name=f"{spec.name}-bg") for fn in spec.background
        ]
        every_s, port = settings.worker.health_every_s, settings.worker.metrics_port
        tasks.append(
            asyncio.create_task(observe(rt.health, every_s, port), name=f"{spec.name}-health")
        )
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
            await stop_broker(broker)  # running handlers finish; their entries are acked or pending
            for rc in consumers:
                await rc.stop()
            await client.aclose()
            log.info("%s: stopped", spec.name)


async def run_service(spec: ServiceSpec[Any], settings: Settings) -> None:
    """Run until SIGTERM/SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(spec, settings) as rt:  # metrics/health/ready: health.observe
        rt.stop = stop
        await stop.wait()
