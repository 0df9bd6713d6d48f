"""Live stances: ``stances.v1`` entries flattened to one JSON event per stance, and filters.

Shared by the SSE endpoint and ``stancestream subscribe`` so both print the same shape: the
stance plus the names, claim text and article link from its batch (no database needed).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from pydantic import ValidationError

from stancestream.shared.consumer import BadMessage, RangeReply, ReadReply, decode_entry
from stancestream.shared.contracts import StanceBatch
from stancestream.shared.lru import Lru

log = logging.getLogger("stancestream.live")


@dataclass(frozen=True)
class StanceFilter:
    """``actor`` (entity id or exact name, either side), ``stance`` label (or any of several),
    ``min_score``."""

    actor: str | None = None
    stance: str | tuple[str, ...] | None = None
    min_score: float = 0.0

    def keep(self, ev: dict[str, Any]) -> bool:
        labels = (self.stance,) if isinstance(self.stance, str) else self.stance
        if labels and ev["stance"] not in labels:
            return False
        if ev["score"] < self.min_score:
            return False
        if self.actor:
            a = self.actor.casefold()
            ends = (ev["source"], ev["target"], ev["source_name"] or "", ev["target_name"] or "")
            return any(a == x.casefold() for x in ends)
        return True


def stance_events(batch: StanceBatch) -> list[dict[str, Any]]:
    """One flat dict per stance of the batch, in the batch's order."""
    names = {e.id: e.name for e in batch.entities}
    claims = {c.id: c for c in batch.claims}
    art = batch.article
    out = []
    for s in batch.stances:
        claim = claims.get(s.claim)
        out.append(
            {
                "id": s.id,
                "source": s.source,
                "source_name": names.get(s.source),
                "target": s.target,
                "target_name": names.get(s.target),
                "stance": s.stance,
                "score": s.score,
                "claim_id": s.claim,
                "claim_text": claim.text if claim else None,
                "speaker": claim.speaker if claim else None,
                "article_id": art.id,
                "article_url": art.url,
                "article_title": art.title,
                "outlet": art.source,
                "published_at": art.published_at.isoformat() if art.published_at else None,
                "model": batch.model,
            }
        )
    return out


class RecentBatches:
    """The batches a client was sent lately, to skip the same batch published twice (a worker
    presumed dead whose batch was reclaimed and redone publishes it once more): same article,
    same stances with the same labels and scores. A re-read article with other stances is new."""

    def __init__(self, size: int = 2048):
        self._seen: Lru[tuple[Any, ...], bool] = Lru(size)

    def first_time(self, batch: StanceBatch) -> bool:
        key = (batch.article.id, tuple(sorted((s.id, s.stance, s.score) for s in batch.stances)))
        if self._seen.get(key):
            return False
        self._seen.put(key, True)
        return True


def parse_entry(fields: dict[bytes, bytes]) -> StanceBatch | None:
    """The batch in a stream entry, or None (logged) for one that is not a valid StanceBatch."""
    try:
        return StanceBatch.model_validate(decode_entry(fields))
    except (BadMessage, ValidationError) as exc:
        log.warning("skipping an entry that is not a StanceBatch: %s", str(exc)[:300])
        return None


def _sid(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def parse_event_id(value: str) -> tuple[str, int]:
    """``"<entry id>:<index>"`` -> (entry id, last stance index sent); ``"<entry id>"`` -> the
    whole entry was sent (index large). Raises ValueError on anything else."""
    entry, _, idx = value.strip().partition(":")
    ms, _, seq = entry.partition("-")
    if not (ms.isdigit() and seq.isdigit()) or (idx and not idx.isdigit()):
        raise ValueError(f"not a stance event id: {value!r} (expected <ms>-<seq>[:<index>])")
    return entry, int(idx) if idx else 1 << 30


def _event(entry: str, index: int, ev: dict[str, Any]) -> str:
    return f"id: {entry}:{index}\nevent: stance\ndata: {json.dumps(ev)}\n\n"


async def sse_stances(
    client: aioredis.Redis,
    stream: str,
    flt: StanceFilter,
    last_event_id: str | None,
    disconnected: Callable[[], Awaitable[bool]],
    block_ms: int = 1000,
    keepalive_s: float = 15.0,
) -> AsyncIterator[str]:
    """Server-sent events of the stances in ``stream``: those after ``last_event_id`` (the rest
    of its entry, then XREAD on from it), else those published after the client connected.
    Plain XREAD, no consumer group: every client sees every stance. Stances a filter drops still
    move the client's id forward (an id-only event), so a resume never rescans them. XREAD blocks
    briefly (clients' socket timeouts are a few seconds); a comment keeps proxies from closing an
    idle stream."""
    recent = RecentBatches()
    if last_event_id:
        cursor, done = parse_event_id(last_event_id)
        for eid, fields in cast(RangeReply, await client.xrange(stream, cursor, cursor)):
            batch = parse_entry(fields)
            if batch is not None:
                recent.first_time(batch)
            for i, ev in enumerate(stance_events(batch) if batch else []):
                if i > done and flt.keep(ev):
                    yield _event(cursor, i, ev)
            yield f"id: {_sid(eid)}\n\n"
    else:
        last = cast(RangeReply, await client.xrevrange(stream, count=1))
        cursor = _sid(last[0][0]) if last else "0-0"
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    while not await disconnected():
        res = cast(ReadReply, await client.xread({stream: cursor}, count=50, block=block_ms))
        if not res:
            if time.monotonic() - quiet_since > keepalive_s:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"
            continue
        quiet_since = time.monotonic()
        for eid, fields in res[0][1]:
            cursor = _sid(eid)
            batch = parse_entry(fields)
            if batch is not None and not recent.first_time(batch):
                batch = None  # sent already: only the id moves on
            for i, ev in enumerate(stance_events(batch) if batch else []):
                if flt.keep(ev):
                    yield _event(cursor, i, ev)
            yield f"id: {cursor}\n\n"


class SseBudget:
    """How many live streams the API serves at once, on a Redis pool of their own.

    Each stream holds a Redis connection while it waits in XREAD; on the workers' shared pool
    a hundred browsers would starve the reclaimer and /health. Streams get their own pool, sized
    for ``limit`` streams, and a client beyond ``limit`` is refused (503, Retry-After) instead.
    """

    def __init__(self, client: aioredis.Redis, limit: int):
        pool = client.connection_pool
        self.limit = limit
        self.open = 0
        self.closing = False  # the server is shutting down: streams end at their next poll
        self.client = aioredis.Redis(
            connection_pool=aioredis.ConnectionPool(
                connection_class=pool.connection_class,
                max_connections=limit + 2,
                **pool.connection_kwargs,
            )
        )

    def take(self) -> Callable[[], None] | None:
        """A release function for one slot, or None when all are in use. Releasing twice is
        harmless (a stream's ``finally`` and the collection of a never-started stream)."""
        if self.open >= self.limit:
            return None
        self.open += 1
        done = False

        def release() -> None:
            nonlocal done
            if not done:
                done = True
                self.open -= 1

        return release

    def close_streams(self) -> None:
        """Ask every open stream to end (each checks between two XREADs, ``block_ms`` apart)."""
        self.closing = True

    async def aclose(self) -> None:
        self.closing = True
        await self.client.aclose()


async def released_after(
    events: AsyncIterator[str], release: Callable[[], None]
) -> AsyncIterator[str]:
    """``events``, giving the stream's slot back however it ends."""
    try:
        async for chunk in events:
            yield chunk
    finally:
        release()
