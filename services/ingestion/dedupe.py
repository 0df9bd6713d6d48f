"""Seen-before checks in Redis, shared by every ingestion process: SET NX on URL and content keys.

An article is new only if neither its canonical URL nor its content hash was seen: the same story
re-posted under a new URL is a duplicate, and so is a page fetched twice. Keys expire after
``ttl_s`` so the set does not grow forever.
"""

from __future__ import annotations

import hashlib

import redis.asyncio as aioredis

from services.ingestion.normalize import canonical_url
from shared.contracts import Article

DEFAULT_PREFIX = "stancestream:seen:"


class Deduper:
    """``claim`` marks an article seen and says whether it was new; ``release`` undoes a claim
    when publishing failed, so a retry is not mistaken for a duplicate."""

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = DEFAULT_PREFIX, ttl_s: float | None = None
    ):
        self.client, self.prefix = client, prefix
        self.ttl_ms = int(ttl_s * 1000) if ttl_s else None

    def url_key(self, url: str) -> str:
        h = hashlib.sha1(canonical_url(url).encode("utf-8", "surrogatepass")).hexdigest()
        return f"{self.prefix}url:{h}"

    def content_key(self, chash: str) -> str:
        return f"{self.prefix}content:{chash}"

    def keys(self, article: Article) -> list[str]:
        keys = [self.content_key(article.content_hash)]
        if article.url:
            keys.insert(0, self.url_key(article.url))
        return keys

    async def seen_url(self, url: str) -> bool:
        """Cheap pre-check before fetching a feed entry's page."""
        return bool(await self.client.exists(self.url_key(url)))

    async def claim(self, article: Article) -> bool:
        """Mark ``article`` seen; True if it was new (no key existed before)."""
        keys = self.keys(article)
        async with self.client.pipeline(transaction=False) as pipe:
            for k in keys:
                pipe.set(k, article.id, nx=True, px=self.ttl_ms)
            results = await pipe.execute()
        # keys set for a duplicate stay: a new URL carrying known text is skipped unfetched later
        return all(results)

    async def release(self, article: Article) -> None:
        """Forget a claim whose publish failed (only keys still pointing at this article)."""
        for k in self.keys(article):
            val = await self.client.get(k)
            if val is not None and val.decode() == article.id:
                await self.client.delete(k)
