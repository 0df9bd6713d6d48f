"""The linking service against a real Redis: an article in, its LinkedArticle out, acked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from stancestream.services.linking.service import make_spec
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import Article, LinkedArticle
from stancestream.shared.service import running
from stancestream.shared.settings import Settings, WorkerSettings
from tests.concurrency import OverlapWatcher

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


async def test_batches_handed_over_together_run_one_at_a_time(
    redis_url: str, aredis, uid: str, tmp_path: Path, monkeypatch
) -> None:
    """The subscriber and the reclaimer may pass batches at the same moment: both get linked, but
    never with the spaCy pipeline running on two threads at once."""
    import stancestream.services.linking.service as svc

    watched = OverlapWatcher(svc.link_articles, hold=0.05)
    monkeypatch.setattr(svc, "link_articles", watched)
    src, dst = f"{uid}.articles", f"{uid}.claims"
    settings = Settings(redis_url=redis_url, data_dir=tmp_path)
    spec = make_spec(src, dst)
    articles = [
        Article(id=f"a_{i}", text=f'"No," Angela Merkel said on day {i}.', content_hash=f"h{i}")
        for i in range(4)
    ]
    try:
        async with running(spec, settings) as rt, spec.resources(rt) as linking:
            process = linking.articles
            await asyncio.gather(*(process([a]) for a in articles))
        assert watched.most == 1
        assert sorted(
            LinkedArticle.model_validate(decode_entry(f)).article.id
            for _, f in await aredis.xrange(dst)
        ) == [a.id for a in articles]
    finally:
        await aredis.delete(src, dst)


def test_a_batch_linked_together_reads_as_each_article_alone() -> None:
    """One spaCy call for the paragraphs of a whole batch gives every article what it gets
    alone: the same actors, claims and pairs."""
    from stancestream.services.linking.link import link_article, link_articles
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.shared.contracts import Article

    nlp = load_nlp("en_core_web_sm")
    texts = [
        "Senator Elizabeth Warren accused Governor Greg Abbott of lying.\n\nAbbott said "
        '"she is wrong" on Tuesday.',
        "Oracle's lawsuit against Google went to trial in May.",
        "The Cocoa Producers Alliance (CPA) met in Accra.\n\nThe CPA said prices would rise.",
    ]
    arts = [Article(id=f"b{i}", text=t, content_hash=f"h{i}") for i, t in enumerate(texts)]
    together = link_articles(nlp, arts)
    alone = [link_article(nlp, a) for a in arts]
    assert [x.model_dump() for x in together] == [x.model_dump() for x in alone]
    assert all(x.entities for x in together)
