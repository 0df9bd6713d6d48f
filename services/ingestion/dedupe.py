"""Seen-before checks in Redis, shared by every ingestion process: URL and content keys.

An article is new only if neither its canonical URL nor its content hash was seen: the same story
re-posted under a new URL is a duplicate, and so is a page fetched twice. Keys expire after
``ttl_s`` so the set does not grow forever.

The keys and the stream entry are written by one Lua script (``publish``): Redis runs it whole
and logs it whole in its AOF, so after any crash a key exists only with its entry, and a re-run
of the same input neither loses the article (key without entry) nor publishes it twice.

``publish(..., force=True)`` (``stancestream ingest --force``) adds the entry although the article
was seen: the same article id goes through the pipeline again and storage upserts it, so a
re-processed article replaces nothing twice. Its keys are kept as they were.
"""

from __future__ import annotations

import hashlib
import uuid

import redis.asyncio as aioredis
from faststream.redis.parser.binary import BinaryMessageFormatV1

from stancestream.services.ingestion.normalize import canonical_url
from stancestream.shared.contracts import Article

DEFAULT_PREFIX = "stancestream:seen:"


# KEYS: the dedupe keys..., then the stream. ARGV: article id, ttl in ms (0: none), entry body,
# force ("1": add the entry even when seen). The entry is added first: if XADD fails (say the key
# is not a stream) nothing was written.
_PUBLISH_ONCE = """
local n = #KEYS - 1
local seen = false
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then seen = true end
end
if not seen or ARGV[4] == '1' then
  redis.call('XADD', KEYS[#KEYS], '*', '__data__', ARGV[3])
end
for i = 1, n do
  if tonumber(ARGV[2]) > 0 then
    redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[i], ARGV[1], 'NX')
  end
end
if seen and ARGV[4] ~= '1' then return 0 end
return 1
"""


class Deduper:
    """``seen`` says whether an article is a known duplicate; ``publish`` adds it to a stream
    and marks it seen in one atomic step, unless it was seen (see the module doc)."""

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = DEFAULT_PREFIX, ttl_s: float | None = None
    ):
        self.client, self.prefix = client, prefix
        self.ttl_ms = int(ttl_s * 1000) if ttl_s else None
        self._publish = client.register_script(_PUBLISH_ONCE)

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

    async def seen(self, article: Article) -> bool:
        """Cheap pre-check before waiting for capacity: any of its keys is known."""
        return bool(await self.client.exists(*self.keys(article)))

    async def known_id(self, article: Article) -> str | None:
        """The id of the article seen before under one of ``article``'s keys (its URL or its
        text), or None when it is new. The same check as :meth:`seen`, saying which article."""
        for value in await self.client.mget(self.keys(article)):
            if value is not None:
                return value.decode() if isinstance(value, bytes) else str(value)
        return None

    async def publish(self, article: Article, stream: str, force: bool = False) -> bool:
        """Add ``article`` to ``stream`` in FastStream's envelope and mark it seen, atomically;
        False (and nothing added) when it was seen before, unless ``force``. Keys set for a
        duplicate stay: a new URL carrying known text is skipped unfetched later."""
        body = await BinaryMessageFormatV1.encode(
            message=article.model_dump_json().encode(),
            reply_to=None,
            headers={"content-type": "application/json"},
            correlation_id=uuid.uuid4().hex,
        )
        added = await self._publish(
            keys=[*self.keys(article), stream],
            args=[article.id, self.ttl_ms or 0, body, "1" if force else "0"],
        )
        return bool(added)
