"""RSS/Atom polling: conditional GET, per-feed schedule, one page fetch per new entry.

ETag / Last-Modified of each feed live in a Redis hash (``state_key``), so a restarted or
scaled-out poller still gets its 304s. They are saved only after the entries were handled
(``save_state``): a crash in between means a re-poll, not lost entries. A feed that fails (HTTP
error, timeout, not a feed) is reported and counted; the other feeds carry on.
"""

from __future__ import annotations

import asyncio
import calendar
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx
import redis.asyncio as aioredis

from stancestream.services.ingestion.dedupe import Deduper
from stancestream.services.ingestion.errors import FeedError, IngestError
from stancestream.services.ingestion.extract import fragment_text
from stancestream.services.ingestion.normalize import canonical_url
from stancestream.services.ingestion.sources import Item, fetch_article, fetch_bytes, make_article
from stancestream.shared.settings import IngestionSettings

log = logging.getLogger("stancestream.ingestion.feeds")

DEFAULT_STATE_KEY = "stancestream:ingestion:feeds"
FULL_SUMMARY_CHARS = 400  # a summary this long is taken as the article when the page fails


@dataclass
class FeedResult:
    """One poll of one feed."""

    feed: str
    items: list[Item] = field(default_factory=list)
    not_modified: bool = False
    skipped_seen: int = 0  # entries whose URL was seen before: not fetched at all
    seen_links: list[str] = field(default_factory=list)  # their links
    error: FeedError | None = None
    etag: str | None = None
    modified: str | None = None


def _when(entry: Any) -> datetime | None:
    st = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(st), UTC) if st else None


def _entry_content(entry: Any) -> str | None:
    """The entry's own full text, if it carries one (content:encoded / Atom content, or a long
    summary); used when fetching the linked page fails or there is no link."""
    for c in entry.get("content") or []:
        if c.get("value"):
            return c["value"]
    summary = entry.get("summary") or ""
    return summary if len(summary) >= FULL_SUMMARY_CHARS else None


class FeedPoller:
    """Polls feeds with one HTTP client; ``stats`` counts polls, 304s, errors per feed."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        redis: aioredis.Redis,
        settings: IngestionSettings,
        *,
        deduper: Deduper | None = None,
        state_key: str = DEFAULT_STATE_KEY,
        force: bool = False,
    ):
        self.http, self.redis, self.settings = client, redis, settings
        self.deduper, self.state_key = deduper, state_key
        self.force = force  # fetch every entry again: no 304s, no skipping of seen links
        self.stats: Counter[tuple[str, str]] = Counter()
        self._sem = asyncio.Semaphore(settings.fetch_concurrency)
        self._due: dict[str, float] = {}

    # ---- schedule ---------------------------------------------------------------------------
    def interval(self, feed: str) -> float:
        return self.settings.feed_intervals.get(feed, self.settings.poll_interval_s)

    def due(self, feeds: list[str], now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        return [f for f in feeds if self._due.get(f, 0.0) <= now]

    def next_due_in(self, feeds: list[str]) -> float:
        now = time.monotonic()
        return max(0.0, min((self._due.get(f, 0.0) - now for f in feeds), default=60.0))

    # ---- state ------------------------------------------------------------------------------
    async def load_state(self, feed: str) -> dict[str, str]:
        raw = await self.redis.hget(self.state_key, feed)
        try:
            return json.loads(raw) if raw else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}

    async def save_state(self, result: FeedResult) -> None:
        """Remember the validators of a handled poll (call after its items were published)."""
        if result.error or result.not_modified or not (result.etag or result.modified):
            return
        state = {k: v for k, v in (("etag", result.etag), ("modified", result.modified)) if v}
        await self.redis.hset(self.state_key, result.feed, json.dumps(state))

    # ---- polling ----------------------------------------------------------------------------
    async def poll(self, feed: str) -> FeedResult:
        """Fetch ``feed`` (conditionally) and all its new entries. Never raises for feed
        problems: they come back as ``result.error``, logged and counted."""
        self._due[feed] = time.monotonic() + self.interval(feed)
        self.stats[(feed, "polls")] += 1
        try:
            return await self._poll(feed)
        except FeedError as err:
            self.stats[(feed, "errors")] += 1
            log.warning("feed %s", err)
            return FeedResult(feed, error=err)

    async def _poll(self, feed: str) -> FeedResult:
        state = {} if self.force else await self.load_state(feed)
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        try:
            body, resp = await fetch_bytes(self.http, feed, self.settings, headers)
        except IngestError as err:
            raise FeedError(feed, err.reason, **err.detail) from err
        if resp.status_code == 304:
            self.stats[(feed, "not_modified")] += 1
            return FeedResult(feed, not_modified=True)
        parsed = await asyncio.to_thread(
            feedparser.parse,
            body,
            response_headers={k.lower(): v for k, v in resp.headers.items()},
        )
        if not parsed.entries and (parsed.bozo or not parsed.version):
            why = parsed.get("bozo_exception") or "no RSS/Atom entries found"
            raise FeedError(feed, f"not a valid RSS/Atom feed: {why}")
        if parsed.bozo:
            log.info(
                "feed %s is malformed (%s); using the %d entries parsed",
                feed,
                parsed.get("bozo_exception"),
                len(parsed.entries),
            )
        source = parsed.feed.get("title") or httpx.URL(feed).host
        result = FeedResult(
            feed, etag=resp.headers.get("etag"), modified=resp.headers.get("last-modified")
        )
        outcomes = await asyncio.gather(*(self._entry(feed, e, source) for e in parsed.entries))
        for entry, item in zip(parsed.entries, outcomes, strict=True):
            if item is None:
                result.skipped_seen += 1
                result.seen_links.append(entry.get("link"))
            else:
                result.items.append(item)
        self.stats[(feed, "entries")] += len(parsed.entries)
        return result

    async def _entry(self, feed: str, entry: Any, source: str) -> Item | None:
        """One entry -> Article / IngestError; None when its URL was seen before. At most
        ``fetch_concurrency`` entries are handled at once, their Redis checks included: a feed
        of hundreds of entries must not take hundreds of connections."""
        async with self._sem:
            return await self._one_entry(feed, entry, source)

    async def _one_entry(self, feed: str, entry: Any, source: str) -> Item | None:
        link = entry.get("link")
        ref = link or f"{feed}#{entry.get('id') or entry.get('title') or '?'}"
        meta = {"title": entry.get("title"), "source": source, "published_at": _when(entry)}
        if link and self.deduper and not self.force and await self.deduper.seen_url(link):
            return None
        fetch_err: IngestError | None = None
        if link:
            try:
                return await fetch_article(self.http, link, self.settings, **meta)
            except IngestError as err:
                fetch_err = err
        content = _entry_content(entry)
        if content is None:
            return fetch_err or IngestError(ref, "entry has neither a link nor content")
        if fetch_err:
            log.info("%s; using the feed's own content instead", fetch_err)
        try:
            return make_article(
                fragment_text(content),
                source_ref=ref,
                settings=self.settings,
                url=canonical_url(link) if link else None,
                **meta,
            )
        except IngestError as err:
            return fetch_err or err
