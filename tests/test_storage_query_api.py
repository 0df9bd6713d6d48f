"""The query API (actors, graph, claims) over httpx's ASGITransport, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.repository import Repository
from stancestream.shared.contracts import Entity
from stancestream.shared.settings import Settings, StorageSettings
from tests.storage_factories import make_batch

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo

MAY6 = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
MAY9 = datetime(2024, 5, 9, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(sessionmaker: Sessionmaker, repo: Repository) -> AsyncIterator[httpx.AsyncClient]:
    """Three articles: a_1 and a_2 on May 6 (outlet "example"), a_3 on May 9 (outlet "other",
    Russia supports NATO there). Germany (Q183) is a country entity Scholz is affiliated with."""
    b3 = make_batch("a_3", published_at=MAY9, stance="support")
    b3.article.source = "other"
    b3.entities.append(Entity(id="Q183", name="Germany", type="country", wikidata="Q183"))
    await repo.store_stance_batches([make_batch("a_1"), make_batch("a_2"), b3])
    app = create_app(Settings(), sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://storage"
    ) as c:
        yield c


async def test_actor_search_by_name_alias_and_qid(client: httpx.AsyncClient) -> None:
    r = await client.get("/actors", params={"q": "scholz"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1 and body["items"][0]["id"] == "Q2575"
    assert body["items"][0]["stance_count"] == 6
    # "NATO" is also written inside the claims; QIDs match exactly, any case
    assert (await client.get("/actors", params={"q": "q7184"})).json()["items"][0]["name"] == "NATO"
    r = await client.get("/actors", params={"q": "a", "limit": 1, "offset": 1})
    body = r.json()
    assert body["total"] >= 3 and len(body["items"]) == 1 and body["limit"] == 1
    assert (await client.get("/actors", params={"q": "nobody-like-this"})).json()["total"] == 0


async def test_actor_page_aggregates_held_and_received(client: httpx.AsyncClient) -> None:
    r = await client.get("/actors/Q159")
    assert r.status_code == 200
    page = r.json()
    assert page["name"] == "Russia" and "Russia" in page["aliases"]
    [held] = page["held"]["items"]
    assert held["other"] == "Q7184" and held["other_name"] == "NATO"
    assert (held["count"], held["oppose"], held["support"]) == (3, 2, 1)
    assert held["mean_score"] == pytest.approx(0.9)
    [recv] = page["received"]["items"]
    assert recv["other"] == "Q2575" and recv["count"] == 3 and recv["neutral"] == 3
    # the window keeps May 6 only
    r = await client.get("/actors/Q159", params={"until": "2024-05-07T00:00:00Z"})
    [held] = r.json()["held"]["items"]
    assert (held["count"], held["oppose"], held["support"]) == (2, 2, 0)
    scholz = (await client.get("/actors/Q2575")).json()
    assert scholz["affiliations"] == ["Q183"] and scholz["held"]["total"] == 2


async def test_graph_with_filters(client: httpx.AsyncClient) -> None:
    g = (await client.get("/graph")).json()
    assert g["total"] == 3
    edges = {(e["source"], e["target"]): e for e in g["edges"]}
    assert edges[("Q159", "Q7184")]["oppose"] == 2 and edges[("Q159", "Q7184")]["support"] == 1
    nodes = {n["id"]: n for n in g["nodes"]}
    assert nodes["Q159"]["activity"] == 6 and nodes["Q159"]["name"] == "Russia"
    assert nodes["Q7184"]["held"] == 0 and nodes["Q7184"]["received"] == 6

    async def edge_set(**params: Any) -> set[tuple[str, str]]:
        r = await client.get("/graph", params=params)
        assert r.status_code == 200, r.text
        return {(e["source"], e["target"]) for e in r.json()["edges"]}

    assert await edge_set(since="2024-05-08T00:00:00Z") == set(edges)
    assert await edge_set(outlets="other,elsewhere") == set(edges)
    assert await edge_set(outlets="nowhere") == set()
    assert await edge_set(types=["country", "intl_org"]) == {("Q159", "Q7184")}
    assert await edge_set(countries="germany") == {("Q2575", "Q159"), ("Q2575", "Q7184")}
    assert await edge_set(countries="Q159") == {("Q159", "Q7184"), ("Q2575", "Q159")}
    assert await edge_set(min_count=4) == set()
    page = (await client.get("/graph", params={"limit": 1, "offset": 1})).json()
    assert page["total"] == 3 and len(page["edges"]) == 1
    assert {n["id"] for n in page["nodes"]} == {
        page["edges"][0]["source"],
        page["edges"][0]["target"],
    }


async def test_claims_with_evidence(client: httpx.AsyncClient) -> None:
    r = await client.get("/claims", params={"actor": "Q7184", "limit": 2})
    body = r.json()
    assert r.status_code == 200 and body["total"] == 6 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["article"]["id"] == "a_3"  # newest article first
    assert first["article"]["url"] == "https://news.example/a_3"
    assert first["text"].startswith("Russia's foreign ministry")
    assert first["speaker"] == "Q159" and first["speaker_name"] == "Russia"
    [st] = first["stances"]
    assert (st["source_name"], st["target_name"], st["stance"]) == ("Russia", "NATO", "support")
    r = await client.get("/claims", params={"article_id": "a_1", "speaker": "Q2575"})
    [quote] = r.json()["items"]
    assert quote["kind"] == "quote" and len(quote["stances"]) == 2
    r = await client.get("/claims", params={"since": "2024-05-08T00:00:00+00:00"})
    assert {c["article"]["id"] for c in r.json()["items"]} == {"a_3"}


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        ("/actors", {}, "q"),
        ("/actors", {"q": "  "}, "blank"),
        ("/actors", {"q": "x", "limit": 0}, "limit"),
        ("/graph", {"since": "2024-05-09T00:00:00Z", "until": "2024-05-01T00:00:00Z"}, "window"),
        ("/graph", {"types": "country,martian"}, "martian"),
        ("/graph", {"min_count": 0}, "min_count"),
        ("/graph", {"limit": 6000}, "limit"),
        ("/claims", {"since": "last week"}, "since"),
        ("/claims", {"offset": -1}, "offset"),
        ("/actors/Q159", {"until": "soon"}, "until"),
    ],
)
async def test_bad_params_are_422_saying_which(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], needle: str
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert needle in r.text


async def test_unknown_actor_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/actors/Q0")
    assert r.status_code == 404 and "search with GET /actors" in r.json()["detail"]


async def test_docs_list_the_query_routes_and_asyncapi(client: httpx.AsyncClient) -> None:
    paths = set((await client.get("/openapi.json")).json()["paths"])
    assert {"/actors", "/actors/{actor_id}", "/graph", "/claims", "/stream/stances"} <= paths
    doc = (await client.get("/asyncapi")).json()
    addresses = {c["address"] for c in doc["channels"].values()}
    assert {"articles.v1", "claims.v1", "stances.v1", "stances.v1.dlq"} <= addresses
    assert doc["asyncapi"].startswith("3.") and "StanceBatch" in doc["components"]["schemas"]
    html = await client.get("/")
    assert html.status_code == 200 and "/static/app.js" in html.text
    assert (await client.get("/static/app.js")).status_code == 200


async def test_live_stream_without_redis_is_503(client: httpx.AsyncClient) -> None:
    r = await client.get("/stream/stances")
    assert r.status_code == 503 and "without Redis" in r.text


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/stances", {"offset": str(2**63)}, "less than or equal to 1000000000"),
        ("/claims", {"offset": str(2**63)}, "less than or equal to 1000000000"),
        ("/graph", {"since": "9999-12-31T23:59:59-14:00"}, "out of range in UTC"),
        ("/stances", {"since": "9999-12-31T23:59:59-14:00"}, "out of range in UTC"),
        ("/graph", {"since": "0.5"}, "ISO-8601"),
        ("/stances", {"since": "1714000000"}, "ISO-8601"),
        ("/actors", {"q": "\x00"}, "pattern"),
    ],
)
async def test_out_of_range_and_odd_parameters_are_422_not_500(
    client: httpx.AsyncClient, path: str, params: dict[str, str], says: str
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert says in r.text


async def test_every_response_carries_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/stances", "/", "/actors?q=x", "/nope"):
        r = await client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert "script-src 'self'" in r.headers["content-security-policy"], path


async def test_with_a_token_every_path_but_health_needs_it(sessionmaker: Sessionmaker) -> None:
    from pydantic import SecretStr

    settings = Settings(storage=StorageSettings(api_token=SecretStr("s3cret-token")))
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://storage"
    ) as c:
        assert (await c.get("/health")).status_code == 200  # probes need no token
        for path in ("/stances", "/actors?q=x", "/", "/metrics", "/openapi.json"):
            r = await c.get(path)
            assert r.status_code == 401, path
            assert r.headers["www-authenticate"] == "Bearer"
            assert r.headers["x-frame-options"] == "DENY"  # headers on refusals too
        assert (
            await c.get("/stances", headers={"Authorization": "Bearer wrong"})
        ).status_code == 401
        ok = await c.get("/stances", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
        # a browser: once with ?token=, then by cookie, the token gone from the URL
        first = await c.get("/?token=s3cret-token&x=1")
        assert first.status_code == 303 and first.headers["location"] == "/?x=1"
        assert "HttpOnly" in first.headers["set-cookie"]
        assert (await c.get("/stances")).status_code == 200  # the client kept the cookie
        c.cookies.clear()
        c.cookies.set("stancestream_token", "guess")
        assert (await c.get("/stances")).status_code == 401


def test_an_open_api_beyond_loopback_is_refused() -> None:
    from stancestream.services.storage.auth import TokenRequired, require_token_beyond_loopback

    for host in ("127.0.0.1", "::1", "localhost"):
        require_token_beyond_loopback(host, None)  # fine
    require_token_beyond_loopback("0.0.0.0", "a-token")  # fine with a token
    for host in ("0.0.0.0", "192.168.1.5", "example.org"):
        with pytest.raises(TokenRequired, match="STANCESTREAM_STORAGE__API_TOKEN"):
            require_token_beyond_loopback(host, None)
