"""``POST /articles`` on a real uvicorn server and a real Redis: pushed articles land on the
articles stream once (a second push is a duplicate), bad items are reported and parked in the DLQ
as ``stancestream ingest`` parks them while the good ones go on, bodies that cannot be read are
refused before anything is published, and the token is required when one is set."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr

from stancestream.services.ingestion.service import ingest
from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import create_engine, create_sessionmaker
from stancestream.services.storage.webserver import bind, serve
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import Article, DeadLetter
from stancestream.shared.settings import IngestionSettings, Settings, StorageSettings, load_settings
from stancestream.shared.streams import dlq

pytestmark = pytest.mark.integration

WARREN = {
    "text": "Senator Warren condemned Governor Abbott over the border policy.",
    "url": "https://news.example/warren-abbott",
    "title": "Warren condemns Abbott",
}
MOSCOW = {"text": "Moscow accused Washington of lying about the talks.", "source": "TASS"}
# the same bad records as JSONL lines for `ingest` and as items for the API
BAD = [
    {"title": "no text at all"},
    5,
    {"text": "Ottawa praised the deal.", "published_at": "whenever"},
    {"text": "Brussels warned Kyiv.", "url": 17},
]


@dataclass
class PushApi:
    url: str
    stream: str
    prefix: str
    redis: aioredis.Redis

    async def post(self, body: Any, content_type: str = "application/json", **kw: Any):
        data = json.dumps(body) if isinstance(body, dict | list) else body
        async with httpx.AsyncClient(timeout=30) as c:
            headers = {"content-type": content_type, **kw.pop("headers", {})}
            return await c.post(f"{self.url}/articles", content=data, headers=headers, **kw)

    async def articles(self) -> list[Article]:
        entries = await self.redis.xrange(self.stream)
        return [Article.model_validate(decode_entry(f)) for _, f in entries]

    async def letters(self, stream: str | None = None) -> list[DeadLetter]:
        entries = await self.redis.xrange(dlq(stream or self.stream))
        return [DeadLetter.model_validate(decode_entry(f)) for _, f in entries]


@pytest.fixture
async def push_api(
    redis_url: str, uid: str, tmp_path: Path
) -> AsyncIterator[Callable[..., AbstractAsyncContextManager[PushApi]]]:
    """A factory: the storage API on a free port with ``settings``, pushing to
    ``<uid>:articles.v1`` under ``<uid>:seen:`` keys; everything under the uid is deleted after."""
    client = aioredis.Redis.from_url(redis_url)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")

    @contextlib.asynccontextmanager
    async def start(settings: Settings | None = None) -> AsyncIterator[PushApi]:
        stream, prefix = f"{uid}:articles.v1", f"{uid}:seen:"
        app = create_app(
            settings or Settings(),
            create_sessionmaker(engine),
            redis=client,
            articles_stream=stream,
            dedupe_prefix=prefix,
        )
        sock = bind("127.0.0.1", 0)
        task = asyncio.create_task(serve(app, sock))
        try:
            yield PushApi(f"http://127.0.0.1:{sock.getsockname()[1]}", stream, prefix, client)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    yield start
    keys = [k async for k in client.scan_iter(match=f"{uid}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await engine.dispose()


async def test_a_pushed_article_lands_on_the_stream_once_and_again_is_a_duplicate(
    push_api,
) -> None:
    async with push_api() as api:
        r = await api.post(WARREN)
        assert r.status_code == 202, r.text
        body = r.json()
        [item] = body["items"]
        assert item["input"] == 0 and item["status"] == "published"
        assert (body["published"], body["duplicates"], body["rejected"]) == (1, 0, 0)
        [art] = await api.articles()
        assert art.id == item["id"] and art.text == WARREN["text"]
        assert art.url == WARREN["url"] and art.title == WARREN["title"]
        assert "ingestion" in art.trace.stages

        again = await api.post([WARREN])  # an array of one: the same article
        assert again.status_code == 202
        assert again.json()["items"] == [
            {"input": 0, "status": "duplicate", "id": item["id"], "error": None}
        ]
        # the same text under another URL is the same story: a duplicate too
        moved = await api.post({**WARREN, "url": "https://mirror.example/warren"})
        assert moved.json()["items"][0]["status"] == "duplicate"
        assert [a.id for a in await api.articles()] == [item["id"]]  # still one entry
        assert await api.letters() == []


async def test_bad_items_are_reported_and_parked_as_ingest_parks_them_the_rest_go_on(
    push_api, redis_url: str, uid: str, tmp_path: Path
) -> None:
    async with push_api() as api:
        r = await api.post([WARREN, *BAD, MOSCOW])
        assert r.status_code == 202, r.text
        items = r.json()["items"]
        assert [i["input"] for i in items] == list(range(6))
        assert [i["status"] for i in items] == ["published", *["rejected"] * 4, "published"]
        arts = await api.articles()
        assert [a.id for a in arts] == [items[0]["id"], items[5]["id"]]
        assert arts[1].source == "TASS"
        errors = [i["error"] for i in items[1:5]]
        assert 'needs a non-empty "text" or "html" field' in errors[0]
        assert "expected a JSON object, got int" in errors[1]
        assert "unreadable \"published_at\": 'whenever'" in errors[2]
        assert 'field "url" must be a string' in errors[3]
        pushed = await api.letters()

    # `ingest` of the same records as a JSONL file parks the same letters
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(rec) + "\n" for rec in BAD))
    settings = load_settings(redis_url=redis_url, data_dir=tmp_path)
    stream = f"{uid}:ingested.v1"
    await ingest(settings, [str(path)], [], False, stream=stream, key_prefix=f"{uid}:seen2:")
    ingested = await api.letters(stream)

    def letter(d: DeadLetter) -> tuple[Any, ...]:
        desc = json.loads(d.payload)
        return d.service, desc.pop("kind"), desc.pop("reason"), d.error.split(": ", 1)[1]

    assert [letter(d) for d in pushed] == [letter(d) for d in ingested]
    assert [json.loads(d.payload)["source"] for d in pushed] == [
        f"POST /articles[{i}]" for i in range(1, 5)
    ]
    assert {d.stream for d in pushed} == {api.stream}


async def test_a_jsonl_body_is_read_line_by_line(push_api) -> None:
    lines = [json.dumps(WARREN), "", "{not json", json.dumps(MOSCOW), json.dumps(WARREN)]
    async with push_api() as api:
        r = await api.post("\n".join(lines) + "\n", "application/x-ndjson; charset=utf-8")
        assert r.status_code == 202, r.text
        items = r.json()["items"]
        assert [(i["input"], i["status"]) for i in items] == [
            (1, "published"),
            (3, "rejected"),
            (4, "published"),
            (5, "duplicate"),  # the same article twice in one body goes on the stream once
        ]
        assert items[1]["error"].startswith("not valid JSON")
        assert items[3]["id"] == items[0]["id"]
        assert len(await api.articles()) == 2
        [letter] = await api.letters()
        assert json.loads(letter.payload)["source"] == "POST /articles:3"


async def test_bodies_that_cannot_be_read_are_refused_before_anything_is_published(
    push_api,
) -> None:
    settings = Settings(storage=StorageSettings(max_push_bytes=4096))
    async with push_api(settings) as api:
        cases = [
            (b"<html>no</html>", "application/json", 400, "not valid JSON"),
            (json.dumps(WARREN) + "\n" + json.dumps(MOSCOW), "application/json", 400, "ndjson"),
            (b"[]", "application/json", 400, "holds no article"),
            (b"", "application/json", 400, "not valid JSON"),
            (b'"just a string"', "application/json", 400, "got str"),
            (b"\n\n", "application/x-ndjson", 400, "holds no article"),
            (b"junk\nmore junk\n", "application/x-ndjson", 400, "no line of the body is JSON"),
            (json.dumps(WARREN), "text/plain", 415, "application/x-ndjson"),
            (json.dumps([{"text": "word " * 1000}]), "application/json", 413, "max_push_bytes"),
        ]
        for body, ctype, status, says in cases:
            r = await api.post(body, ctype)
            assert r.status_code == status, (body[:40], r.text)
            assert says in r.json()["detail"], r.text

        # a body sent in chunks, with no Content-Length, is capped while it is read
        async def chunks() -> AsyncIterator[bytes]:
            yield b'[{"text": "'
            for _ in range(10):
                yield b"word " * 100
            yield b'"}]'

        r = await api.post(chunks(), "application/json")
        assert r.status_code == 413, r.text
        assert await api.articles() == [] and await api.letters() == []


async def test_with_a_token_pushing_needs_it(push_api) -> None:
    settings = Settings(storage=StorageSettings(api_token=SecretStr("s3cret-token")))
    async with push_api(settings) as api:
        r = await api.post(WARREN)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        wrong = await api.post(WARREN, headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        assert await api.articles() == []
        ok = await api.post(WARREN, headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 202 and ok.json()["published"] == 1
        assert len(await api.articles()) == 1


async def test_while_linking_lags_a_push_is_told_to_retry(push_api) -> None:
    settings = Settings(ingestion=IngestionSettings(max_lag=2))
    async with push_api(settings) as api:
        await api.redis.xgroup_create(api.stream, "linking", id="0", mkstream=True)
        for n in range(3):
            r = await api.post({"text": f"Paris welcomed Rome, said item {n}."})
            assert r.status_code == 202 and r.json()["published"] == 1
        r = await api.post(MOSCOW)
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert "linking lags" in r.json()["detail"]
        assert len(await api.articles()) == 3
        await api.redis.xreadgroup("linking", "c1", {api.stream: ">"}, count=10)
        assert (await api.post(MOSCOW)).status_code == 202


async def test_without_redis_a_push_is_503(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(Settings(), create_sessionmaker(engine))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://storage"
    ) as c:
        r = await c.post("/articles", json=WARREN)
        assert r.status_code == 503 and "no Redis" in r.json()["detail"]
    await engine.dispose()


def test_the_push_is_in_the_openapi_and_asyncapi_documents() -> None:
    from stancestream.shared.asyncapi import asyncapi_document

    app = create_app(Settings(), None)  # type: ignore[arg-type] - the documents need no database
    op = app.openapi()["paths"]["/articles"]["post"]
    assert set(op["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    assert {"202", "400", "413", "415", "503"} <= set(op["responses"])
    doc = asyncapi_document()
    send = doc["operations"]["storage_api_sends_articles_v1"]
    assert send["action"] == "send" and send["channel"] == {"$ref": "#/channels/articles_v1"}
    assert "POST /articles" in doc["channels"]["articles_v1"]["description"]
