"""Ingestion against a real Redis and a local HTTP server: feeds, dedupe, DLQ, backpressure."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from stancestream.services.ingestion.dedupe import Deduper
from stancestream.services.ingestion.errors import BadInput, FetchError
from stancestream.services.ingestion.publisher import group_lag, publish_articles, wait_for_capacity
from stancestream.services.ingestion.service import SPEC, ingest, poll_feeds
from stancestream.services.ingestion.sources import fetch_article, make_article
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import Article, DeadLetter
from stancestream.shared.service import ServiceSpec, running
from stancestream.shared.settings import IngestionSettings, Settings, load_settings
from tests.stack_helpers import wait_for

pytestmark = pytest.mark.integration


def _page(n: int) -> bytes:
    paras = "".join(
        f"<p>Story {n}, paragraph {i}: the foreign minister of country {n} said on Tuesday that "
        f"negotiations over the border dispute would continue, officials in the capital added.</p>"
        for i in range(4)
    )
    return (
        f"<html><head><title>Story {n}</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Story {n}</h1>{paras}</article><footer>(c) Example</footer>"
        f"</body></html>"
    ).encode()


def _rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>Tue, 30 Dec 2014 10:00:00 GMT</pubDate>{extra}</item>"
        for title, path, extra in [(t, p, "") for t, p in items]
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Feed</title>'
        f"<link>{base}</link>{entries}</channel></rss>"
    ).encode()


class Site:
    """A local web server: pages, an RSS feed with ETag, one without, and broken feeds."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                site.hits[self.path] += 1
                if self.path == "/drip":  # one byte every 0.3 s: never a read timeout
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    for _ in range(40):
                        try:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.3)
                    return
                status, headers, body = site.route(self.path, self.headers)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def route(self, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        items = [(f"Story {n}", f"/page/{n}") for n in (1, 2, 3)]
        if path.startswith("/page/"):
            return 200, html, _page(int(path.rsplit("/", 1)[1]))
        if path == "/feed.xml":
            if headers.get("If-None-Match") == '"v1"':
                return 304, {}, b""
            return (
                200,
                {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
                _rss(self.base, items),
            )
        if path == "/plain.xml":  # no validators: only dedupe can stop a re-publish
            return 200, {"Content-Type": "application/rss+xml"}, _rss(self.base, items)
        if path == "/fallback.xml":
            long = " ".join(["The agency reported new fighting near the border."] * 12)
            body = (
                f'<?xml version="1.0"?><rss version="2.0" '
                f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                f"<title>F</title><item><title>Gone page</title><link>{self.base}/gone</link>"
                f"<content:encoded><![CDATA[<p>{long}</p>]]></content:encoded></item>"
                f"</channel></rss>"
            ).encode()
            return 200, {"Content-Type": "application/rss+xml"}, body
        if path == "/big.xml":  # more entries than a Redis connection pool holds (100)
            many = [(f"Story {n}", f"/page/{n}") for n in range(1000, 1150)]
            return 200, {"Content-Type": "application/rss+xml"}, _rss(self.base, many)
        if path == "/redirect-to-loopback":
            return 302, {"Location": f"{self.base}/page/1"}, b""
        if path == "/broken500.xml":
            return 500, {}, b"oops"
        if path == "/invalid.xml":
            return 200, {"Content-Type": "application/rss+xml"}, b"this is <<< not xml &&"
        return 404, {}, b"not found"

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
async def names(uid: str, aredis: aioredis.Redis) -> AsyncIterator[dict[str, str]]:
    """Stream and key names of one test; everything under the uid is deleted afterwards."""
    yield {
        "stream": f"{uid}:articles.v1",
        "key_prefix": f"{uid}:seen:",
        "state_key": f"{uid}:feeds",
    }
    keys = [k async for k in aredis.scan_iter(match=f"{uid}:*")]
    if keys:
        await aredis.delete(*keys)


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    s = load_settings(redis_url=redis_url, data_dir=tmp_path)
    s.ingestion = IngestionSettings(fetch_timeout_s=5, allow_hosts=["127.0.0.1"])
    return s


async def _stream(client: aioredis.Redis, stream: str, model):
    return [model.model_validate(decode_entry(f)) for _, f in await client.xrange(stream)]


async def test_feed_poll_publishes_once_and_reports_broken_feeds(site, names, settings, aredis):
    feeds = [f"{site.base}/broken500.xml", f"{site.base}/feed.xml", f"{site.base}/invalid.xml"]
    first = await ingest(settings, [], feeds, progress=False, **names)
    assert first.published == 3 and first.feed_errors == 2
    reasons = dict(first.rejected)
    assert "HTTP 500" in reasons[f"{site.base}/broken500.xml"]
    assert "not a valid RSS/Atom feed" in reasons[f"{site.base}/invalid.xml"]

    arts = await _stream(aredis, names["stream"], Article)
    assert sorted(a.title for a in arts) == ["Story 1", "Story 2", "Story 3"]
    assert all(
        a.source == "Test Feed"
        and a.published_at
        and a.text.count("\n\n") == 3
        and "Home" not in a.text
        and "ingestion" in a.trace.stages
        for a in arts
    )
    letters = await _stream(aredis, names["stream"] + ".dlq", DeadLetter)
    assert len(letters) == 2 and {d.service for d in letters} == {"ingestion"}
    assert {json.loads(d.payload)["kind"] for d in letters} == {"FeedError"}

    second = await ingest(settings, [], feeds, progress=False, **names)
    assert second.published == 0 and second.feeds_not_modified == 1
    assert site.hits["/page/1"] == 1  # the 304 meant no page was fetched again
    assert len(await aredis.xrange(names["stream"])) == 3


async def test_a_feed_of_150_new_entries_is_ingested_whole(site, names, settings, aredis):
    report = await ingest(settings, [], [f"{site.base}/big.xml"], progress=False, **names)
    assert report.feed_errors == 0 and report.rejected == []
    assert report.published == 150
    assert len(await aredis.xrange(names["stream"])) == 150


async def test_a_page_dripping_bytes_is_cut_at_the_fetch_deadline(site):
    cfg = IngestionSettings(fetch_timeout_s=5, fetch_deadline_s=1.0)
    t0 = time.monotonic()
    async with httpx.AsyncClient() as http:
        with pytest.raises(FetchError, match=r"no complete answer within 1s"):
            await fetch_article(http, f"{site.base}/drip", cfg)
    # the per-read timeout (5 s) never fires on a drip; the deadline does, well before 12 s
    assert time.monotonic() - t0 < 4.0


async def test_loopback_and_private_urls_are_refused_by_default(site, names, settings, aredis):
    """Nothing on loopback, private or link-local addresses is fetched unless allowed: not a
    URL argument, not a feed, not a redirect to such an address; each is dead-lettered."""
    settings.ingestion = IngestionSettings(fetch_timeout_s=5)
    urls = [
        f"{site.base}/page/1",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/admin",
        "http://[::1]:9/x",
    ]
    report = await ingest(settings, urls, [f"{site.base}/feed.xml"], progress=False, **names)
    assert report.published == 0 and report.feed_errors == 1
    reasons = dict(report.rejected)
    assert "loopback address 127.0.0.1" in reasons[urls[0]]
    assert "link-local address 169.254.169.254" in reasons[urls[1]]
    assert "private address 10.0.0.7" in reasons[urls[2]]
    assert "loopback address ::1" in reasons[urls[3]]
    assert "ingestion.allow_hosts" in reasons[urls[0]]
    assert site.hits["/page/1"] == 0 and site.hits["/feed.xml"] == 0  # never contacted
    letters = await _stream(aredis, names["stream"] + ".dlq", DeadLetter)
    assert len(letters) == 5


async def test_a_redirect_to_a_loopback_address_is_refused(site, names, settings):
    """A public-looking start does not open the door: the hop to 127.0.0.1 is checked too."""
    allowed = IngestionSettings(fetch_timeout_s=5, allow_hosts=["localhost"])
    settings.ingestion = allowed
    url = f"http://localhost:{site.base.rsplit(':', 1)[1]}/redirect-to-loopback"
    report = await ingest(settings, [url], [], progress=False, **names)
    assert report.published == 0
    [(src, reason)] = report.rejected
    assert src == url and "loopback address 127.0.0.1" in reason
    assert site.hits["/page/1"] == 0


async def test_feed_without_validators_dedupes_without_refetching(site, names, settings):
    feed = f"{site.base}/plain.xml"
    assert (await ingest(settings, [], [feed], progress=False, **names)).published == 3
    again = await ingest(settings, [], [feed], progress=False, **names)
    assert (again.published, again.duplicates) == (0, 3)
    assert site.hits["/page/2"] == 1


async def test_entry_content_used_when_link_fails(site, names, settings, aredis):
    rep = await ingest(settings, [], [f"{site.base}/fallback.xml"], progress=False, **names)
    assert rep.published == 1 and not rep.rejected
    [art] = await _stream(aredis, names["stream"], Article)
    assert art.title == "Gone page" and art.url == f"{site.base}/gone"
    assert art.text.startswith("The agency reported")


async def test_service_polls_configured_feeds_until_stopped(site, names, settings, aredis):
    settings.ingestion = IngestionSettings(
        feeds=[f"{site.base}/broken500.xml", f"{site.base}/feed.xml"],
        poll_interval_s=0.2,
        allow_hosts=["127.0.0.1"],
    )
    spec = ServiceSpec(
        name="ingestion",
        consumes=[],
        resources=SPEC.resources,
        background=[functools.partial(poll_feeds, **names)],
    )
    async with running(spec, settings) as rt:
        failures = rt.metrics.failed.labels("feeds")

        async def polled_thrice() -> bool:  # a poll is counted after its answer came back
            return site.hits["/feed.xml"] >= 3 and failures._value.get() >= 3

        await wait_for(polled_thrice, timeout=15)
        rt.stop.set()
    assert site.hits["/feed.xml"] >= 3  # polled again and again despite the broken feed
    assert len(await aredis.xrange(names["stream"])) == 3


async def test_ingest_files_dirs_and_urls(site, names, settings, aredis, shared_data, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jsonl").write_text(
        json.dumps({"text": "A short story about the talks.", "title": "T"})
        + "\n{bad\n"
        + json.dumps({"text": "x" * 300_000})
        + "\n",
        encoding="utf-8",
    )
    seed = str(shared_data / "seed" / "tass-2017-10-20-idlib.txt")
    inputs = [seed, str(d), f"{site.base}/page/1", f"{site.base}/missing", str(tmp_path / "nope")]
    rep = await ingest(settings, inputs, [], progress=True, **names)
    assert rep.published == 3 and len(rep.published_ids) == 3
    reasons = [r for _, r in rep.rejected]
    assert len(reasons) == 4, rep.rejected
    assert any("not valid JSON" in r for r in reasons)
    assert any("max_article_chars" in r for r in reasons)
    assert any("HTTP 404" in r for r in reasons)
    assert any("no such file" in r for r in reasons)
    letters = await _stream(aredis, names["stream"] + ".dlq", DeadLetter)
    assert len(letters) == 4 and all(len(d.payload) <= 10_000 for d in letters)
    again = await ingest(settings, inputs[:3], [], progress=False, **names)
    assert (again.published, again.duplicates) == (0, 3)


async def test_publish_with_plain_client_dedupes_and_truncates_dlq(names, aredis):
    cfg = IngestionSettings()
    a = make_article("Same words here.", source_ref="x", settings=cfg, url="https://e.org/1")
    b = make_article("same \n  WORDS here.", source_ref="y", settings=cfg, url="https://e.org/2")
    huge = BadInput("big.jsonl:7", "bad", excerpt="z" * 50_000)
    dd = Deduper(aredis, prefix=names["key_prefix"], ttl_s=60)
    res = await publish_articles(aredis, [a, b, huge], deduper=dd, stream=names["stream"])
    assert (len(res.published), res.duplicates, len(res.rejected)) == (1, 1, 1)
    [art] = await _stream(aredis, names["stream"], Article)
    assert art.id == a.id
    [letter] = await _stream(aredis, names["stream"] + ".dlq", DeadLetter)
    assert len(letter.payload) <= 10_000 and json.loads(letter.payload)["source"] == "big.jsonl:7"
    assert 0 < await aredis.pttl(dd.content_key(a.content_hash)) <= 60_000


async def test_backpressure_waits_for_linking_group(names, aredis):
    stream = names["stream"]
    for i in range(5):
        await aredis.xadd(stream, {"data": "{}", "i": str(i)})
    assert await group_lag(aredis, stream, "linking", cap=2) is None  # no group: no waiting
    await aredis.xgroup_create(stream, "linking", id="0")
    assert await group_lag(aredis, stream, "linking", cap=2) == 5

    async def drain() -> None:
        await asyncio.sleep(0.3)
        await aredis.xreadgroup("linking", "c1", {stream: ">"}, count=4)

    task = asyncio.create_task(drain())
    waited = await wait_for_capacity(aredis, stream=stream, max_lag=2, poll_s=0.05)
    await task
    assert waited >= 0.25
    assert await group_lag(aredis, stream, "linking", cap=2) == 1


async def test_lag_fallback_without_lag_field(names, aredis):
    """Redis 6.2 has no ``lag`` in XINFO GROUPS: count entries after last-delivered-id."""
    stream = names["stream"]
    for i in range(6):
        await aredis.xadd(stream, {"i": str(i)})
    await aredis.xgroup_create(stream, "linking", id="0")
    await aredis.xreadgroup("linking", "c1", {stream: ">"}, count=2)

    class Redis62:
        def __init__(self, real: aioredis.Redis):
            self.real = real

        async def xinfo_groups(self, s):
            return [
                {k: v for k, v in g.items() if k != "lag"} for g in await self.real.xinfo_groups(s)
            ]

        def __getattr__(self, name):
            return getattr(self.real, name)

    assert await group_lag(Redis62(aredis), stream, "linking", cap=100) == 4  # type: ignore
    assert await group_lag(Redis62(aredis), stream, "linking", cap=2) == 3  # type: ignore
