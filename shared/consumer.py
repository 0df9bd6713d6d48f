"""A reliable Redis Streams consumer on FastStream: per-message validation, dead letters, reclaim.

FastStream reads the consumer group in batches; this class adds what it lacks:

- each entry is decoded and validated on its own; a bad one goes to ``<stream>.dlq`` with the
  reason and is acked, its batch-mates carry on;
- the service's ``process`` callback gets the valid items and must publish/store its output before
  returning; only then are their ids acked (XACK of exactly those ids);
- if the batch fails, each item is retried alone so one poison message cannot block the others;
  what still fails stays pending with its error remembered;
- a reclaimer (XAUTOCLAIM) takes over entries idle longer than ``claim_idle_ms`` — those of crashed
  workers and of failed attempts — and dead-letters any delivered more than ``max_deliveries``;
- consumers that are idle with nothing pending are removed from the group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from faststream import Context
from faststream.middlewares import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import BaseModel, ValidationError
from redis.typing import StreamIdT

from stancestream.shared.contracts import DeadLetter
from stancestream.shared.metrics import ServiceMetrics
from stancestream.shared.settings import WorkerSettings
from stancestream.shared.streams import dlq
from stancestream.shared.tasks import cancel_requested, stop_tasks

log = logging.getLogger("stancestream.consumer")

Entry = tuple[bytes, dict[bytes, bytes]]
# Stream replies as a client made by stancestream.shared.redis.connect gets them (RESP2, bytes not
# decoded): redis-py types them for every protocol and decoding at once, so readers cast to these.
RangeReply = list[Entry]  # XRANGE, XREVRANGE
ReadReply = list[tuple[bytes, RangeReply]]  # XREAD: (stream, entries) per stream
# XREADGROUP: an entry deleted while it was pending reads back without fields
GroupReadReply = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes] | None]]]]

_DEAD_LETTER_ONCE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[2], '*', '__data__', ARGV[3])
  return 1
end
return 0
"""
ProcessFn = Callable[[Sequence[Any]], Awaitable[None]]


class BadMessage(ValueError):
    """An entry that can never be processed: wrong shape, not JSON, failed validation."""


class TransientError(Exception):
    """Processing failed because infrastructure is away (the database, Redis), not because of
    the entries: they are retried in place, kept claimed, and never dead-lettered for it.
    Services raise it from their own errors (storage from SQLAlchemy's connection errors)."""


def is_transient(exc: BaseException) -> bool:
    """Whether a processing failure is an outage to wait out rather than the entries' fault."""
    return isinstance(
        exc, TransientError | aioredis.ConnectionError | aioredis.TimeoutError | ConnectionError
    )


def entry_size(fields: dict[bytes, bytes]) -> int:
    """Bytes an entry holds (its field names and values)."""
    return sum(len(k) + len(v) for k, v in fields.items())


def decode_entry(fields: dict[bytes, bytes], max_bytes: int | None = None) -> Any:
    """The JSON body of a stream entry: FastStream's ``__data__`` envelope, or a plain ``data``
    field holding JSON (for third-party producers). Every way an entry can be unreadable is a
    ``BadMessage``: too large (checked before anything is decoded), no body, not JSON, nested
    too deep or with an integer too long to convert."""
    if max_bytes is not None and (size := entry_size(fields)) > max_bytes:
        raise BadMessage(
            f"entry is {size:,} bytes, over the limit of {max_bytes:,} (worker.max_entry_bytes)"
        )
    raw = fields.get(b"__data__", fields.get(b"data"))
    if raw is None:
        keys = ", ".join(k.decode(errors="replace") for k in fields) or "none"
        raise BadMessage(f"entry has no __data__ or data field (fields: {keys})")
    try:
        body, _headers = BinaryMessageFormatV1.parse(raw)
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage(f"body is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise BadMessage("body is not JSON this service reads: nested too deep") from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise BadMessage(f"body is not JSON this service reads: {exc}") from exc


def entry_payload(fields: dict[bytes, bytes]) -> str:
    """The entry as text for the dead-letter stream: its JSON body if any, else its fields."""
    raw = fields.get(b"__data__", fields.get(b"data"))
    if raw is not None:
        try:
            body, _ = BinaryMessageFormatV1.parse(raw)
        except Exception:  # noqa: BLE001 - a broken envelope: keep the bytes as they are
            body = raw
        return body.decode("utf-8", errors="replace")
    return json.dumps(
        {k.decode(errors="replace"): v.decode(errors="replace") for k, v in fields.items()}
    )


async def ensure_group(client: aioredis.Redis, stream: str, group: str) -> None:
    """Create ``group`` reading ``stream`` from its first entry (FastStream would start at ``$``
    and miss everything published before the first worker came up)."""
    try:
        await client.xgroup_create(stream, group, id="0", mkstream=True)
    except aioredis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class ReliableConsumer:
    """One service's consumer-group reader of one stream. See the module docstring."""

    def __init__(
        self,
        *,
        service: str,
        stream: str,
        group: str,
        consumer: str,
        model: type[BaseModel],
        process: ProcessFn,
        client: aioredis.Redis,
        settings: WorkerSettings,
        metrics: ServiceMetrics,
    ):
        self.service, self.stream, self.group, self.consumer = service, stream, group, consumer
        self.model, self.process, self.client = model, process, client
        self.settings, self.metrics = settings, metrics
        self.errors_key = f"{stream}:errors:{group}"  # last error per pending entry
        self.last_read = 0.0  # monotonic time of the last batch handled: readiness signal
        self._reclaimer: asyncio.Task[None] | None = None

    # ---- wiring -------------------------------------------------------------------------
    def subscribe(self, broker: RedisBroker) -> None:
        """Register the FastStream batch subscriber on ``broker``."""
        sub = StreamSub(
            self.stream,
            group=self.group,
            consumer=self.consumer,
            batch=True,
            max_records=self.settings.max_records,
            polling_interval=self.settings.polling_ms,
        )

        @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL, title=f"{self.service}")
        async def on_batch(body: Any, message: Any = Context("message")) -> None:
            raw = message.raw_message
            await self.handle(list(zip(raw["message_ids"], raw["data"])))

    async def start(self) -> None:
        await ensure_group(self.client, self.stream, self.group)
        self._reclaimer = asyncio.create_task(self._reclaim_loop(), name=f"reclaim-{self.stream}")

    async def stop(self) -> None:
        if self._reclaimer:
            await stop_tasks([self._reclaimer])

    # ---- handling -----------------------------------------------------------------------
    async def handle(self, entries: list[Entry]) -> None:
        """Validate, process, ack. Never raises for message problems: they are dead-lettered."""
        self.last_read = time.monotonic()
        t0 = time.perf_counter()
        good: list[tuple[bytes, Any]] = []
        for msg_id, fields in entries:
            if not fields:  # trimmed or deleted before we got to it
                await self.client.xack(self.stream, self.group, msg_id)
                continue
            try:
                body = decode_entry(fields, self.settings.max_entry_bytes)
                good.append((msg_id, self.model.model_validate(body)))
            except (BadMessage, ValidationError) as exc:
                await self.dead_letter(msg_id, fields, _reason(exc), attempts=1)
            except (RecursionError, ValueError, TypeError) as exc:  # a validator tripped on it
                await self.dead_letter(
                    msg_id, fields, f"entry is not a valid message: {_reason(exc)}", attempts=1
                )
        if not good:
            return
        try:
            await self._process_claimed(good)
            await self._ack([i for i, _ in good])
            self.metrics.processed.labels(self.stream).inc(len(good))
        except Exception as exc:  # noqa: BLE001 - isolate the poison message below
            if cancel_requested():  # stopping: the entries stay pending for the next worker
                raise asyncio.CancelledError from exc
            if len(good) == 1:
                await self._remember_failure(good[0][0], exc)
            else:
                log.warning(
                    "%s: batch of %d failed (%s); retrying one by one", self.service, len(good), exc
                )
                for msg_id, item in good:
                    try:
                        await self._process_claimed([(msg_id, item)])
                        await self._ack([msg_id])
                        self.metrics.processed.labels(self.stream).inc()
                    except Exception as one_exc:  # noqa: BLE001
                        if cancel_requested():
                            raise asyncio.CancelledError from one_exc
                        await self._remember_failure(msg_id, one_exc)
        finally:
            self.metrics.batch_seconds.labels(self.stream).observe(time.perf_counter() - t0)

    async def _process_claimed(self, entries: list[tuple[bytes, Any]]) -> None:
        """``process`` on the entries' items, the entries kept claimed meanwhile."""
        async with self._kept_claimed([i for i, _ in entries]):
            await self._process_through_outages([item for _, item in entries])

    async def _process_through_outages(self, items: list[Any]) -> None:
        """``process``, retried with backoff for as long as it fails for an outage (see
        ``is_transient``): those attempts are not deliveries, so an outage longer than
        ``max_deliveries`` x ``claim_idle_ms`` dead-letters nothing."""
        delay = 0.2
        while True:
            try:
                await self.process(items)
                return
            except Exception as exc:
                if not is_transient(exc) or cancel_requested():
                    raise
                self.metrics.failed.labels(self.stream).inc()
                log.warning(
                    "%s: %s; the %d entries stay claimed, retrying in %.1fs",
                    self.service,
                    _reason(exc),
                    len(items),
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(self.settings.outage_backoff_max_s, delay * 2)

    @contextlib.asynccontextmanager
    async def _kept_claimed(self, ids: list[bytes]) -> Any:
        """While a batch is being processed, re-claim its entries (XCLAIM JUSTID: the idle time
        resets, the delivery count does not grow) every third of ``claim_idle_ms``, so another
        worker's reclaimer never takes over a batch that is merely slow."""

        claim_ids: list[StreamIdT] = list(ids)

        async def keep() -> None:
            every = self.settings.claim_idle_ms / 3000
            while True:
                await asyncio.sleep(every)
                with contextlib.suppress(aioredis.RedisError, OSError):
                    await self.client.xclaim(
                        self.stream, self.group, self.consumer, 0, claim_ids, justid=True
                    )

        task = asyncio.create_task(keep(), name=f"keep-claimed-{self.stream}")
        try:
            yield
        finally:
            await stop_tasks([task])

    async def _ack(self, ids: list[bytes]) -> None:
        if ids:
            await self.client.xack(self.stream, self.group, *ids)
            await self.client.hdel(self.errors_key, *ids)

    async def _remember_failure(self, msg_id: bytes, exc: Exception) -> None:
        """Leave the entry pending (the reclaimer retries it) and keep its error for the DLQ."""
        self.metrics.failed.labels(self.stream).inc()
        log.error("%s: entry %s failed: %s", self.service, msg_id.decode(), _reason(exc))
        with contextlib.suppress(aioredis.RedisError):
            await self.client.hset(self.errors_key, msg_id, _reason(exc))

    async def dead_letter(
        self, msg_id: bytes, fields: dict[bytes, bytes], error: str, attempts: int
    ) -> None:
        """Park the entry in ``<stream>.dlq`` with the reason, then ack it."""
        letter = DeadLetter(
            stream=self.stream,
            message_id=msg_id.decode(),
            service=self.service,
            error=error,
            attempts=attempts,
            payload=entry_payload(fields),
        )
        # one letter per refused entry even when several groups of the stream refuse it; the
        # seen-marker and the letter are written atomically, so a crash cannot lose the letter
        await self.client.eval(
            _DEAD_LETTER_ONCE,
            2,
            f"{dlq(self.stream)}:seen:{letter.message_id}",
            dlq(self.stream),
            self.service,
            7 * 86_400,
            letter.model_dump_json(),
        )
        await self._ack([msg_id])
        self.metrics.dead_lettered.labels(self.stream).inc()
        log.warning(
            "%s: dead-lettered %s from %s: %s", self.service, letter.message_id, self.stream, error
        )

    # ---- reclaiming ---------------------------------------------------------------------
    async def _reclaim_loop(self) -> None:
        last_trim = 0.0
        while True:
            await asyncio.sleep(self.settings.reclaim_every_s)
            try:
                # a full round means a backlog (workers died, an outage ended): drain it now
                # instead of one batch per round (359 entries once took almost 4 minutes)
                while await self.reclaim_once() >= self.settings.max_records:
                    pass
                await self.forget_idle_consumers()
                if time.monotonic() - last_trim > self.settings.trim_every_s:
                    last_trim = time.monotonic()
                    await trim_acked(self.client, self.stream, self.settings.retain_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis restarts etc.: try again next round
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("%s: reclaim round failed: %s", self.service, exc)

    async def reclaim_once(self) -> int:
        """Claim entries idle past ``claim_idle_ms``; dead-letter the over-delivered, process the
        rest. Returns how many entries were claimed."""
        claimed: list[Entry] = []
        start = "0-0"
        while True:
            res = await self.client.xautoclaim(
                self.stream,
                self.group,
                self.consumer,
                self.settings.claim_idle_ms,
                start_id=start,
                count=self.settings.max_records,
            )
            start = res[0].decode() if isinstance(res[0], bytes) else res[0]
            claimed.extend((i, f or {}) for i, f in res[1])
            if start == "0-0" or len(claimed) >= self.settings.max_records:
                break
        if not claimed:
            return 0
        retry: list[Entry] = []
        for msg_id, fields in claimed:
            info = await self.client.xpending_range(self.stream, self.group, msg_id, msg_id, 1)
            attempts = int(info[0]["times_delivered"]) if info else 1
            if attempts > self.settings.max_deliveries:
                last = await self.client.hget(self.errors_key, msg_id)
                if isinstance(last, bytes):
                    last = last.decode(errors="replace")
                reason = last or "worker died while processing"
                await self.dead_letter(
                    msg_id,
                    fields,
                    f"gave up after {attempts - 1} deliveries; last error: {reason}",
                    attempts - 1,
                )
            else:
                retry.append((msg_id, fields))
        if retry:
            log.info("%s: reclaimed %d idle entries of %s", self.service, len(retry), self.stream)
            await self.handle(retry)
        return len(claimed)

    async def forget_idle_consumers(self, idle_ms: int | None = None) -> None:
        """Delete consumers of the group with nothing pending, idle for 10x the claim time."""
        limit = idle_ms if idle_ms is not None else self.settings.claim_idle_ms * 10
        for c in await self.client.xinfo_consumers(self.stream, self.group):
            name = c["name"].decode() if isinstance(c["name"], bytes) else c["name"]
            if name != self.consumer and c["pending"] == 0 and c["idle"] > limit:
                await self.client.xgroup_delconsumer(self.stream, self.group, name)
                log.info("%s: removed idle consumer %s", self.service, name)


def _id_tuple(entry_id: bytes | str) -> tuple[int, int]:
    ms, _, seq = (entry_id.decode() if isinstance(entry_id, bytes) else entry_id).partition("-")
    return int(ms), int(seq or 0)


async def trim_acked(client: aioredis.Redis, stream: str, retain_s: float) -> int:
    """Delete entries older than ``retain_s`` that every consumer group has read and acked.

    The cut is the oldest entry any group still needs (its oldest pending entry, else the entry
    after its last-delivered id), so trimming never drops work a group has not finished. A stream
    without groups is left alone. Returns the number of entries removed.
    """
    groups = await client.xinfo_groups(stream)
    if not groups:
        return 0
    needed: list[tuple[int, int]] = []
    for g in groups:
        name = g["name"]
        if g["pending"]:
            summary = await client.xpending(stream, name)
            needed.append(_id_tuple(summary["min"]))
        else:
            ms, seq = _id_tuple(g["last-delivered-id"])
            needed.append((ms, seq + 1))
    keep_from = min(needed)
    horizon = (int(time.time() * 1000 - retain_s * 1000), 0)
    cut = min(keep_from, horizon)
    if cut <= (0, 0):
        return 0
    return int(await client.xtrim(stream, minid=f"{cut[0]}-{cut[1]}", approximate=False))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", "; ")
    return f"{type(exc).__name__}: {text[:2000]}"
