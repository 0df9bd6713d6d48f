"""Publish articles to ``articles.v1`` (deduped, with backpressure) and refused inputs to its DLQ.

Backpressure: ingestion can read faster than linking can process, and an unbounded stream only
moves the problem into Redis memory, so publishing pauses while the ``linking`` group lags more
than ``max_lag`` entries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import redis.asyncio as aioredis
from faststream.redis import RedisBroker

from stancestream.services.ingestion.dedupe import Deduper
from stancestream.services.ingestion.errors import IngestError
from stancestream.shared.contracts import Article, DeadLetter, stable_id
from stancestream.shared.health import group_stats
from stancestream.shared.streams import ARTICLES, GROUPS, dlq

log = logging.getLogger("stancestream.ingestion.publisher")

MAX_PAYLOAD = 10_000
LAG_POLL_S = 0.5
Target = RedisBroker | aioredis.Redis


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its article id (published, or a duplicate of a known one) or
    why it was refused."""

    input: str
    status: Literal["published", "duplicate", "rejected"]
    id: str | None = None
    error: str | None = None

    def as_json(self) -> dict[str, str]:
        out = {"input": self.input, "status": self.status}
        out.update({k: v for k, v in (("id", self.id), ("error", self.error)) if v})
        return out


@dataclass
class PublishResult:
    published: list[str] = field(default_factory=list)  # article ids
    duplicates: int = 0
    rejected: list[IngestError] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # one per item, in order


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


async def group_lag(client: aioredis.Redis, stream: str, group: str, cap: int) -> int | None:
    """Entries of ``stream`` not yet delivered to ``group``, counted up to ``cap + 1`` where Redis
    has no lag field (only "over the cap" matters); None when there is no such group yet (no
    consumer: nothing to wait for)."""
    stats = await group_stats(client, stream, group, cap=cap + 1)
    return None if stats is None else stats[0]


async def wait_for_capacity(
    client: aioredis.Redis,
    *,
    stream: str = ARTICLES,
    group: str = GROUPS["linking"][1],
    max_lag: int,
    poll_s: float = LAG_POLL_S,
) -> float:
    """Block while ``group`` lags more than ``max_lag``; returns seconds waited. Logs once."""
    waited, logged = 0.0, False
    while True:
        lag = await group_lag(client, stream, group, max_lag)
        if lag is None or lag <= max_lag:
            if logged:
                log.info("backpressure: %s lag %s; resuming after %.1fs", group, lag, waited)
            return waited
        if not logged:
            log.warning(
                "backpressure: group %s lags %d entries on %s (max_lag %d); pausing",
                group,
                lag,
                stream,
                max_lag,
            )
            logged = True
        await asyncio.sleep(poll_s)
        waited += poll_s


def dead_letter_for(err: IngestError, stream: str) -> DeadLetter:
    """The DLQ record of a refused input: reason plus a short JSON description, never the body."""
    desc: dict[str, Any] = {"source": err.source, "kind": err.kind, "reason": err.reason}
    desc.update({k: v for k, v in err.detail.items() if v is not None})
    payload = json.dumps(desc, ensure_ascii=False, default=str)
    if len(payload) > MAX_PAYLOAD:  # keep it valid JSON: truncate the values, not the document
        desc = {
            k: (v[:500] + "…" if isinstance(v, str) and len(v) > 500 else v)
            for k, v in desc.items()
        }
        payload = json.dumps(desc, ensure_ascii=False, default=str)[:MAX_PAYLOAD]
    return DeadLetter(
        stream=stream,
        message_id=stable_id(err.source, prefix="in_"),
        service="ingestion",
        error=str(err),
        payload=payload,
    )


async def _send(target: Target, body: Article, stream: str) -> None:
    if isinstance(target, RedisBroker):
        await target.publish(body, stream=stream)
    else:  # a plain client: the "data" field that consumer.decode_entry also accepts
        await target.xadd(stream, {"data": body.model_dump_json()})


async def publish_articles(
    target: Target,
    articles: Iterable[Article | IngestError],
    *,
    client: aioredis.Redis | None = None,
    deduper: Deduper | None = None,
    stream: str = ARTICLES,
    lag_group: str = GROUPS["linking"][1],
    max_lag: int | None = None,
    metrics: Any = None,
    refs: Sequence[str] | None = None,
    force: bool = False,
) -> PublishResult:
    """Publish each new ``Article`` to ``stream`` and dead-letter each ``IngestError`` to
    ``<stream>.dlq``. ``target`` is a FastStream ``RedisBroker`` (connected on demand) or a redis
    client. Dedupe and backpressure need a client (``client``, or the broker's own connection).
    ``refs`` name the input of each item for ``result.outcomes`` (default: the article's URL or
    id, the error's source); ``force`` publishes articles seen before too (same ids).
    """
    if client is None:
        client = target if isinstance(target, aioredis.Redis) else await target.connect()
    result = PublishResult()
    items = list(articles)
    for n, item in enumerate(items):
        ref = refs[n] if refs is not None else None
        if isinstance(item, IngestError):
            result.outcomes.append(Outcome(ref or item.source, "rejected", error=item.reason))
            # the format every service writes: the letter's JSON in ``__data__``, no envelope
            letter = dead_letter_for(item, stream)
            await client.xadd(dlq(stream), {"__data__": letter.model_dump_json()})
            result.rejected.append(item)
            if metrics is not None:
                metrics.dead_lettered.labels(stream).inc()
            log.warning("rejected %s", item)
            continue
        ref = ref or item.url or item.id
        known = await deduper.known_id(item) if deduper is not None and not force else None
        if known is not None:  # the id is the stored article's, which may be another URL's
            result.duplicates += 1
            result.outcomes.append(Outcome(ref, "duplicate", id=known))
            continue
        if max_lag is not None:
            await wait_for_capacity(client, stream=stream, group=lag_group, max_lag=max_lag)
        item.trace.mark("ingestion")
        if deduper is None:
            await _send(target, item, stream)
        elif not await deduper.publish(item, stream, force):  # entry and keys in one step
            result.duplicates += 1  # published by another ingester meanwhile
            known = await deduper.known_id(item)
            result.outcomes.append(Outcome(ref, "duplicate", id=known or item.id))
            continue
        result.published.append(item.id)
        result.outcomes.append(Outcome(ref, "published", id=item.id))
        if metrics is not None:
            metrics.published.labels(stream).inc()
    return result
