"""Is this worker alive, is it really consuming, how far behind is its group? (for probes/scalers)

FastStream's own health check only pings the connection. Its stream subscriber *stops for good*
on NOGROUP (group deleted, Redis flushed without persistence) while the process and its ping stay
green, so a pod would sit there consuming nothing. :class:`Health` therefore looks at each
consumed stream itself, every ``worker.health_every_s`` seconds:

- XINFO GROUPS gives the group's ``pending`` and ``lag`` (the ``group_pending``/``group_lag``
  gauges). ``lag`` exists from Redis 7 and is nil after some deletions; then (and on the embedded
  Redis 6.2) it is counted with XRANGE after ``last-delivered-id``, capped at ``LAG_CAP``;
- a missing group is recreated from the first entry
  (:func:`stancestream.shared.consumer.ensure_group`) and a stopped subscriber restarted; the
  worker reports not-ready until a later round sees both fine.

:func:`observe` runs that loop and, when ``worker.metrics_port`` is set, a tiny HTTP server with
``/metrics`` (Prometheus), ``/health`` (liveness: the event loop answers) and ``/ready`` (Redis
answers, every group exists, every subscriber runs). ``asyncio.start_server`` instead of a web
framework: three fixed paths, no dependency, and it shares the service's event loop so a wedged
loop fails the liveness probe as it should.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from faststream.redis import RedisBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from stancestream.shared.consumer import ReliableConsumer, ensure_group
from stancestream.shared.metrics import ServiceMetrics
from stancestream.shared.tasks import cancel_requested

log = logging.getLogger("stancestream.health")

LAG_CAP = 100_000  # entries counted by XRANGE where Redis does not report lag


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


async def group_stats(
    client: aioredis.Redis, stream: str, group: str, cap: int = LAG_CAP
) -> tuple[int, int] | None:
    """``(lag, pending)`` of ``group`` on ``stream``; None when the stream or the group is gone.
    Where Redis gives no lag (6.2), it is counted, up to ``cap``."""
    try:
        groups = await client.xinfo_groups(stream)
    except aioredis.ResponseError as exc:
        if "no such key" in str(exc).lower():
            return None
        raise
    for g in groups:
        info = {_s(k): v for k, v in g.items()}
        if _s(info.get("name")) != group:
            continue
        lag = info.get("lag")
        if lag is None:
            last = _s(info.get("last-delivered-id") or "0-0")
            lag = await count_after(client, stream, last, cap=cap)
        return int(lag), int(info.get("pending") or 0)
    return None


async def count_after(
    client: aioredis.Redis, stream: str, last_id: str, cap: int = LAG_CAP, page: int = 1000
) -> int:
    """Entries after ``last_id`` (the Redis 6.2 way to get a group's lag), at most ``cap``."""
    n, start = 0, f"({last_id}"
    while n < cap:
        batch = await client.xrange(stream, min=start, max="+", count=min(page, cap - n))
        if not batch:
            break
        n += len(batch)
        start = f"({_s(batch[-1][0])}"
    return n


@dataclass
class StreamState:
    stream: str
    group: str
    group_exists: bool = False
    subscriber_running: bool = False
    lag: int | None = None
    pending: int | None = None
    last_batch_s_ago: float | None = None


class Health:
    """Liveness/readiness of one running service plus its group gauges. See the module doc."""

    def __init__(
        self,
        redis: aioredis.Redis,
        broker: RedisBroker,
        metrics: ServiceMetrics,
        consumers: list[ReliableConsumer],
    ):
        self.redis, self.broker, self.metrics = redis, broker, metrics
        self.consumers = list(consumers)
        self.redis_ok = False
        self.checked = False
        self.states = {c.stream: StreamState(c.stream, c.group) for c in consumers}

    def _subscriber(self, rc: ReliableConsumer) -> Any | None:
        for sub in self.broker.subscribers:
            ss = getattr(sub, "stream_sub", None)
            if ss is not None and ss.name == rc.stream and ss.group == rc.group:
                return sub
        return None

    async def check(self) -> bool:
        """One round: gauges, NOGROUP repair, readiness. Returns whether the worker is ready."""
        client, now = self.redis, time.monotonic()
        try:
            await client.ping()
            self.redis_ok = True
        except (aioredis.RedisError, OSError) as exc:
            self.redis_ok = False
            log.warning("health: Redis not reachable: %s", exc)
        for rc in self.consumers:
            st = self.states[rc.stream]
            st.last_batch_s_ago = round(now - rc.last_read, 3) if rc.last_read else None
            if not self.redis_ok:
                continue
            try:
                await self._check_stream(rc, st)
            except (aioredis.RedisError, OSError) as exc:
                st.group_exists = False
                log.warning("health: checking %s failed: %s", rc.stream, exc)
        self.checked = True
        return self.ready

    async def _check_stream(self, rc: ReliableConsumer, st: StreamState) -> None:
        stats = await group_stats(self.redis, rc.stream, rc.group)
        sub = self._subscriber(rc)
        st.subscriber_running = bool(sub is not None and sub.running)
        if stats is None:
            # NOGROUP: recreate it now, report not-ready for this round
            log.error("health: group %s of %s is gone; recreating it", rc.group, rc.stream)
            st.group_exists = False
            await ensure_group(self.redis, rc.stream, rc.group)
        else:
            st.group_exists = True
            st.lag, st.pending = stats
            self.metrics.lag.labels(rc.stream).set(st.lag)
            self.metrics.pending.labels(rc.stream).set(st.pending)
        if sub is not None and not sub.running and getattr(self.broker, "running", True):
            log.error("health: subscriber of %s stopped; restarting it", rc.stream)
            await ensure_group(self.redis, rc.stream, rc.group)
            await sub.start()

    @property
    def ready(self) -> bool:
        return (
            self.checked
            and self.redis_ok
            and all(s.group_exists and s.subscriber_running for s in self.states.values())
        )

    def report(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "redis": self.redis_ok,
            "streams": {k: asdict(v) for k, v in self.states.items()},
        }


async def _handle(
    health: Health, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        line = await asyncio.wait_for(reader.readline(), 5)
        while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
            pass  # skip the headers
        parts = line.decode("latin-1").split()
        path = parts[1].split("?", 1)[0] if len(parts) > 1 else ""
        ctype = "application/json"
        if path == "/metrics":
            body, ctype = generate_latest(health.metrics.registry), CONTENT_TYPE_LATEST
            status = 200
        elif path == "/health":
            status, body = 200, b'{"status":"ok"}'
        elif path == "/ready":
            status = 200 if health.ready else 503
            body = json.dumps(health.report()).encode()
        else:
            status, body = 404, b'{"error":"not found"}'
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
    except (TimeoutError, ConnectionError, UnicodeDecodeError):
        pass
    finally:
        writer.close()


async def serve_http(health: Health, port: int, host: str = "0.0.0.0") -> asyncio.Server:
    """Serve /metrics, /health and /ready on ``host:port`` (0: any free port)."""
    return await asyncio.start_server(lambda r, w: _handle(health, r, w), host, port)


async def observe(health: Health, every_s: float, port: int | None = None) -> None:
    """Background task of every service: ``health`` rounds every ``every_s`` seconds forever,
    and the HTTP endpoint on ``port`` if one is given."""
    server: asyncio.Server | None = None
    if port:
        try:
            server = await serve_http(health, port)
            log.info("metrics, /health and /ready on port %d", port)
        except OSError as exc:  # e.g. several workers of `up` given the same port
            log.error("cannot serve metrics on port %d: %s", port, exc)
    try:
        while True:
            try:
                await health.check()
            except Exception as exc:  # noqa: BLE001 - never let the probe loop die
                log.warning("health round failed: %s", exc)
            if cancel_requested():
                # a client library swallowed our CancelledError mid-round; stop all the same
                raise asyncio.CancelledError
            await asyncio.sleep(every_s)
    finally:
        if server is not None:
            server.close()
            await server.wait_closed()
