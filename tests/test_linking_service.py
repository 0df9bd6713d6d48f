"""The linking service against a real Redis: an article in, its LinkedArticle out, acked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.linking.service import make_spec
from shared.consumer import decode_entry
from shared.contracts import Article, LinkedArticle
from shared.service import running
from shared.settings import Settings, WorkerSettings

pytestmark = pytest.mark.integration


async def test_article_in_linked_article_out(
    redis_url: str, aredis, uid: str, tmp_path: Path
) -> None:
    src, dst = f"{uid}.articles", f"{uid}.claims"
    settings = Settings(
        redis_url=redis_url, data_dir=tmp_path, worker=WorkerSettings(max_records=4, polling_ms=50)
    )
    article = Article(
        id="a_svc", text='"Prices will fall," Angela Merkel said in Berlin.', content_hash="h"
    )
    try:
        async with running(make_spec(src, dst), settings) as rt:
            await rt.broker.publish(article, stream=src)
            deadline = asyncio.get_running_loop().time() + 30
            entries = []
            while not entries:
                assert asyncio.get_running_loop().time() < deadline, "no output on claims stream"
                await asyncio.sleep(0.05)
                entries = await aredis.xrange(dst)
        linked = LinkedArticle.model_validate(decode_entry(entries[0][1]))
        assert linked.article.id == "a_svc" and "linking" in linked.trace.stages
        merkel = next(e for e in linked.entities if e.name == "Angela Merkel")
        assert linked.claims[0].speaker == merkel.id
        assert int((await aredis.xpending(src, "linking"))["pending"]) == 0
    finally:
        await aredis.delete(src, dst)
