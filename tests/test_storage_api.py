"""The storage HTTP API over httpx's ASGITransport, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter

from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import Sessionmaker, create_engine, create_sessionmaker
from stancestream.services.storage.repository import Repository
from stancestream.shared.settings import Settings
from tests.storage_factories import make_article, make_batch, make_repeated_batch

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo


def _client(sm: Sessionmaker, **kw: Any) -> httpx.AsyncClient:
    app = create_app(Settings(), sm, **kw)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://storage")


@pytest.fixture
async def client(sessionmaker: Sessionmaker, repo: Repository) -> AsyncIterator[httpx.AsyncClient]:
    await repo.store_stance_batches([make_batch("a_1"), make_batch("a_2")])
    await repo.store_articles([make_article("a_1")])
    async with _client(sessionmaker) as c:
        yield c


async def test_get_article(client: httpx.AsyncClient) -> None:
    r = await client.get("/articles/a_1")
    assert r.status_code == 200
    body = r.json()
    assert body["text"].startswith("Russia's") and body["stance_count"] == 3
    assert {e["name"] for e in body["entities"]} == {"Russia", "NATO", "Olaf Scholz"}
    assert len(body["claims"]) == 2


async def test_unknown_article_is_404_with_message(client: httpx.AsyncClient) -> None:
    r = await client.get("/articles/nope")
    assert r.status_code == 404
    assert "'nope' not found" in r.json()["detail"]


async def test_list_stances_with_filters(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/stances",
        params={"article_id": "a_1", "source": "Q2575", "stance": "support", "view": "claim"},
    )
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 1
    assert items[0]["source_name"] == "Olaf Scholz" and items[0]["target_name"] == "NATO"
    assert items[0]["claim_text"].startswith('"We support')
    r = await client.get(
        "/stances",
        params={"since": "2024-05-06T12:00:00+00:00", "limit": 2, "offset": 1, "view": "claim"},
    )
    assert r.json()["limit"] == 2 and len(r.json()["items"]) == 2
    assert r.json()["total"] == 6
    r = await client.get("/stances", params={"since": "2024-05-07T00:00:00Z"})
    assert r.json()["items"] == [] and r.json()["total"] == 0
    r = await client.get("/stances", params={"target": "Q7184", "view": "claim"})
    assert len(r.json()["items"]) == 4


async def test_stances_default_to_one_per_article_and_pair(
    sessionmaker: Sessionmaker, repo: Repository
) -> None:
    """A spokesman's neutral co-mentions do not bury his oppose quotes: the article-level
    label is the majority of the non-neutral claims, with them as evidence."""
    labels = ["oppose", "neutral", "oppose", "neutral", "neutral", "support"]
    await repo.store_stance_batches([make_repeated_batch("a_9", labels)])
    async with _client(sessionmaker) as c:
        r = await c.get("/stances", params={"article_id": "a_9"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 1
        (row,) = body["items"]
        assert (row["source_name"], row["target_name"], row["stance"]) == (
            "Russia",
            "NATO",
            "oppose",
        )
        assert (row["support"], row["oppose"], row["neutral"]) == (1, 2, 3)
        assert row["score"] == 0.6  # the strongest of the two oppose claims
        assert sorted(e["stance"] for e in row["evidence"]) == ["oppose", "oppose", "support"]
        assert all(e["claim_text"] and e["basis"] == "speaker" for e in row["evidence"])
        r = await c.get("/stances", params={"article_id": "a_9", "stance": "support"})
        assert r.json()["items"] == [] and r.json()["total"] == 0
        r = await c.get("/stances", params={"article_id": "a_9", "view": "claim"})
        assert r.json()["total"] == 6
        r = await c.get("/stances", params={"view": "claim", "stance": "mixed"})
        assert r.status_code == 422 and "view=article" in r.text


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"stance": "angry"},
        {"view": "pairs"},
        {"limit": 0},
        {"limit": 5000},
        {"offset": -1},
    ],
)
async def test_bad_params_are_422(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    r = await client.get("/stances", params=params)
    assert r.status_code == 422, r.text


async def test_health_reports_db_and_readiness(sessionmaker: Sessionmaker) -> None:
    async with _client(sessionmaker, readiness=lambda: {"ready": True, "lag": 0}) as c:
        r = await c.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "db": "ok", "readiness": {"ready": True, "lag": 0}}
    async with _client(sessionmaker, readiness=lambda: {"ready": False}) as c:
        assert (await c.get("/health")).status_code == 503


async def test_health_is_503_when_db_is_down() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    try:
        async with _client(create_sessionmaker(engine)) as c:
            r = await c.get("/health")
        assert r.status_code == 503
        assert r.json()["status"] == "degraded" and r.json()["db"] != "ok"
    finally:
        await engine.dispose()


async def test_metrics_and_docs(sessionmaker: Sessionmaker) -> None:
    registry = CollectorRegistry()
    Counter("stored_things", "test counter", registry=registry).inc(3)
    async with _client(sessionmaker, registry=registry) as c:
        r = await c.get("/metrics")
        assert r.status_code == 200 and "stored_things_total 3.0" in r.text
        assert (await c.get("/docs")).status_code == 200
        spec = (await c.get("/openapi.json")).json()
    assert {"/health", "/articles/{article_id}", "/stances"} <= set(spec["paths"])
