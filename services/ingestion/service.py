"""The ingestion service: poll feeds forever (``SPEC``), or ingest inputs once (``ingest``).

Both paths share the same steps: read -> ``Article | IngestError`` -> dedupe -> publish to
``articles.v1`` (backpressured on the linking group's lag) or dead-letter to ``articles.v1.dlq``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from faststream.redis import RedisBroker

from stancestream.services.ingestion.dedupe import DEFAULT_PREFIX, Deduper
from stancestream.services.ingestion.errors import IngestError
from stancestream.services.ingestion.feeds import DEFAULT_STATE_KEY, FeedPoller, FeedResult
from stancestream.services.ingestion.normalize import article_id
from stancestream.services.ingestion.publisher import Outcome, PublishResult, publish_articles
from stancestream.services.ingestion.sources import (
    Item,
    expand_inputs,
    fetch_article,
    read_path_refs,
)
from stancestream.services.ingestion.url_policy import UrlPolicy
from stancestream.shared.redis import connect, resolve_redis_url
from stancestream.shared.service import Runtime, ServiceSpec, new_broker
from stancestream.shared.settings import Settings
from stancestream.shared.streams import ARTICLES

log = logging.getLogger("stancestream.ingestion")


@dataclass
class IngestReport:
    """What one ``stancestream ingest`` did."""

    published: int = 0
    published_ids: list[str] = field(default_factory=list)
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (input, reason)
    feeds_not_modified: int = 0
    feed_errors: int = 0
    outcomes: list[Outcome] = field(default_factory=list)  # one per input, in order

    def add(self, res: PublishResult) -> None:
        self.published += len(res.published)
        self.published_ids.extend(res.published)
        self.duplicates += res.duplicates
        self.rejected.extend((e.source, e.reason) for e in res.rejected)
        self.outcomes.extend(res.outcomes)

    def summary(self) -> str:
        return (
            f"{self.published} published, {self.duplicates} duplicates, "
            f"{len(self.rejected)} rejected"
        )


@dataclass
class _Pipeline:
    """The publish side both entry points share."""

    broker: RedisBroker
    client: aioredis.Redis
    deduper: Deduper
    stream: str
    max_lag: int
    metrics: object = None
    force: bool = False  # publish articles seen before too (`ingest --force`)

    async def publish(self, items: list[Item], refs: list[str] | None = None) -> PublishResult:
        return await publish_articles(
            self.broker,
            items,
            client=self.client,
            deduper=self.deduper,
            stream=self.stream,
            max_lag=self.max_lag,
            metrics=self.metrics,
            refs=refs,
            force=self.force,
        )

    async def feed(self, poller: FeedPoller, url: str) -> tuple[FeedResult, PublishResult]:
        """Poll one feed, publish its items, then remember its validators (in that order)."""
        res = await poller.poll(url)
        items: list[Item] = [res.error] if res.error else res.items
        pub = await self.publish(items)
        pub.duplicates += res.skipped_seen
        pub.outcomes += [  # not fetched again: their ids are their URLs'
            Outcome(link, "duplicate", id=article_id(link, "")) for link in res.seen_links if link
        ]
        await poller.save_state(res)
        return res, pub


def _http(settings: Settings) -> httpx.AsyncClient:
    """The one HTTP client of an ingester: every request it sends, redirects included, passes
    the outbound URL policy first."""
    policy = UrlPolicy(settings.ingestion.allow_hosts)
    return httpx.AsyncClient(
        timeout=settings.ingestion.fetch_timeout_s,
        headers={"User-Agent": settings.ingestion.user_agent},
        limits=httpx.Limits(max_connections=20),
        event_hooks={"request": [policy.hook()]},
    )


# ---- standalone service -------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def resources(rt: Runtime) -> AsyncIterator[Runtime]:
    """Ingestion consumes no stream and loads nothing heavy: its feed poller gets the runtime."""
    yield rt


async def poll_feeds(
    rt: Runtime,
    *,
    stream: str = ARTICLES,
    key_prefix: str = DEFAULT_PREFIX,
    state_key: str = DEFAULT_STATE_KEY,
) -> None:
    """Poll ``settings.ingestion.feeds`` forever, each on its own interval; a failing feed is
    logged and counted and never stops the others."""
    cfg = rt.settings.ingestion
    feeds = list(dict.fromkeys(cfg.feeds))
    if not feeds:
        log.warning("ingestion: no feeds configured (STANCESTREAM_INGESTION__FEEDS); idle")
        await rt.stop.wait()
        return
    deduper = Deduper(rt.redis, prefix=key_prefix, ttl_s=cfg.dedupe_ttl_s)
    pipe = _Pipeline(rt.broker, rt.redis, deduper, stream, cfg.max_lag, rt.metrics)
    async with _http(rt.settings) as http:
        poller = FeedPoller(http, rt.redis, cfg, deduper=deduper, state_key=state_key)
        slots = asyncio.Semaphore(cfg.feed_concurrency)

        async def one(url: str) -> None:
            async with slots:
                try:
                    res, pub = await pipe.feed(poller, url)
                except (aioredis.RedisError, OSError) as exc:  # Redis blip: retry next round
                    log.error("feed %s: could not publish (%s); will retry", url, exc)
                    return
                except Exception:  # a bug on one feed's input must not stop the other feeds
                    log.exception("feed %s: poll failed unexpectedly", url)
                    rt.metrics.failed.labels("feeds").inc()
                    return
            if res.error:
                rt.metrics.failed.labels("feeds").inc()
            elif not res.not_modified:
                log.info(
                    "feed %s: %d published, %d duplicates, %d rejected",
                    url,
                    len(pub.published),
                    pub.duplicates,
                    len(pub.rejected),
                )

        while not rt.stop.is_set():
            # feeds are polled side by side: a slow one (up to fetch_deadline_s) delays no other
            await asyncio.gather(*(one(url) for url in poller.due(feeds)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(rt.stop.wait(), timeout=poller.next_due_in(feeds) + 0.05)


SPEC = ServiceSpec(name="ingestion", consumes=[], resources=resources, background=[poll_feeds])


# ---- one-shot ingest (the CLI) ------------------------------------------------------------------
async def ingest(
    settings: Settings,
    inputs: list[str],
    feeds: list[str],
    progress: bool,
    *,
    force: bool = False,
    stream: str = ARTICLES,
    key_prefix: str = DEFAULT_PREFIX,
    state_key: str = DEFAULT_STATE_KEY,
) -> IngestReport:
    """Read files/directories/URLs and poll ``feeds`` once, publish the new articles, dead-letter
    the refused inputs, and say what happened to each (``report.outcomes``). ``force``
    publishes known articles again under their ids (feeds fetched whole, no 304s), for a
    re-processing that storage upserts. A rich progress bar shows when ``progress`` is set and
    there is more than one input."""
    url = resolve_redis_url(settings)
    client = await connect(url, attempts=3)
    broker = new_broker(url)
    report = IngestReport()
    try:
        await broker.connect()
        cfg = settings.ingestion
        deduper = Deduper(client, prefix=key_prefix, ttl_s=cfg.dedupe_ttl_s)
        pipe = _Pipeline(broker, client, deduper, stream, cfg.max_lag, force=force)
        targets, missing = expand_inputs(inputs)
        report.add(await pipe.publish(list(missing)))
        async with _http(settings) as http:
            poller = FeedPoller(
                http, client, cfg, deduper=deduper, state_key=state_key, force=force
            )
            work: list[tuple[str, Path | str]] = [("input", t) for t in targets]
            work += [("feed", f) for f in dict.fromkeys(feeds)]
            with _progress(progress and len(work) > 1, len(work)) as advance:
                for kind, target in work:
                    if kind == "feed":
                        res, pub = await pipe.feed(poller, str(target))
                        report.feeds_not_modified += res.not_modified
                        report.feed_errors += res.error is not None
                    else:
                        refs, items = await _read(http, target, settings)
                        pub = await pipe.publish(items, refs)
                    report.add(pub)
                    advance(str(target))
    finally:
        await broker.stop()
        await client.aclose()
    return report


async def _read(
    http: httpx.AsyncClient, target: Path | str, settings: Settings
) -> tuple[list[str], list[Item]]:
    """The items of one input and the input each came from (``file:line`` in JSONL)."""
    if isinstance(target, Path):
        pairs = await asyncio.to_thread(lambda: list(read_path_refs(target, settings.ingestion)))
        return [ref for ref, _ in pairs], [item for _, item in pairs]
    try:
        return [target], [await fetch_article(http, target, settings.ingestion)]
    except IngestError as err:
        return [target], [err]


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[str], None]]:
    """A callable to call after each input: a rich bar when shown, a no-op otherwise."""
    if not show:
        yield lambda _label: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task("", total=total)
        yield lambda label: bar.update(task, advance=1, description=label[-50:])
