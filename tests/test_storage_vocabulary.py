"""One query vocabulary on every list endpoint, on SQLite and PostgreSQL: unknown parameters
refused by name, list values repeated or comma-separated, ``until`` and the time axis, actor
filters by id, QID or name with ambiguity reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.live import StanceFilter
from stancestream.services.storage.outlets import outlet_key, outlet_name
from stancestream.services.storage.repository import Repository
from stancestream.shared.contracts import Claim, Entity, Stance, Trace
from stancestream.shared.settings import Settings
from tests.storage_factories import make_batch

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo

MAY6 = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
MAY9 = datetime(2024, 5, 9, 12, 0, tzinfo=UTC)
NOW = datetime.now(UTC)
KONASHENKOV = "local:person:igor konashenkov"


def _konashenkov_batch():
    """a_4: published on May 9 but ingested just now; a local actor whose id holds a space, and
    a second "Russia" (a local id beside the QID) so the bare name is ambiguous."""
    b = make_batch("a_4", published_at=MAY9, stance="oppose")
    b.trace = Trace(ingested_at=NOW)
    b.entities += [
        Entity(id=KONASHENKOV, name="Igor Konashenkov", type="person"),
        Entity(id="local:country:russia", name="Russia", type="country"),
    ]
    c = Claim(
        id="c_a4_k",
        span=(0, 20),
        text="Konashenkov accused NATO.",
        speaker=KONASHENKOV,
    )
    b.claims.append(c)
    b.stances.append(
        Stance(
            id=Stance.make_id(c.id, KONASHENKOV, "Q7184"),
            claim=c.id,
            source=KONASHENKOV,
            target="Q7184",
            stance="oppose",
            score=0.95,
            scores={"oppose": 0.95},
        )
    )
    return b


@pytest.fixture
async def client(sessionmaker: Sessionmaker, repo: Repository) -> AsyncIterator[httpx.AsyncClient]:
    """a_1, a_2 published May 6 and ingested May 6; a_3 published and ingested May 9 (Russia
    supports NATO there); a_4 (see above)."""
    old = [make_batch("a_1"), make_batch("a_2"), make_batch("a_3", published_at=MAY9)]
    for b, t in zip(old, (MAY6, MAY6, MAY9), strict=True):
        b.trace = Trace(ingested_at=t)
    old[2].stances[0] = old[2].stances[0].model_copy(update={"stance": "support"})
    await repo.store_stance_batches([*old, _konashenkov_batch()])
    app = create_app(Settings(), sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://storage"
    ) as c:
        yield c


async def _ok(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


# ---- unknown parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/stances", {"stnace": "oppose"}),
        ("/stances", {"source": "Q159", "actor": "Q159"}),  # actor is /claims' word
        ("/claims", {"speakr": "Q159"}),
        ("/graph", {"country": "Q159"}),
        ("/actors", {"q": "russia", "type": "country"}),
        ("/actors/Q159", {"untill": "2024-05-07"}),
        ("/articles/a_1", {"full": "1"}),
        ("/stream/stances", {"min-score": "0.5"}),
    ],
)
async def test_unknown_query_parameters_are_422_naming_them(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    [err] = r.json()["detail"]
    unknown = next(k for k in params if k not in ("q", "source"))
    assert err["loc"] == ["query", unknown] and unknown in err["msg"]
    assert "takes" in err["msg"]


async def test_known_parameters_alone_pass(client: httpx.AsyncClient) -> None:
    body = await _ok(client, "/claims", actor="Q159", limit=1, offset=0)
    assert body["total"] >= 1


# ---- list values -------------------------------------------------------------------------------
async def test_stance_values_repeated_or_comma_separated_mean_the_same(
    client: httpx.AsyncClient,
) -> None:
    for view in ("article", "claim"):
        one = {
            lab: (await _ok(client, "/stances", stance=lab, view=view))["total"]
            for lab in ("oppose", "support")
        }
        assert one["oppose"] > 0 and one["support"] > 0
        repeated = await _ok(client, "/stances", stance=["oppose", "support"], view=view)
        commas = await _ok(client, "/stances", stance="oppose,support", view=view)
        assert repeated["total"] == commas["total"] == one["oppose"] + one["support"], view
        assert {i["stance"] for i in repeated["items"]} == {"oppose", "support"}


async def test_bad_list_values_are_422_naming_them(client: httpx.AsyncClient) -> None:
    r = await client.get("/stances", params={"stance": "oppose,angry"})
    assert r.status_code == 422 and "angry" in r.json()["detail"][0]["msg"]
    r = await client.get("/stream/stances", params={"stance": ["support", "furious"]})
    assert r.status_code == 422 and "furious" in r.json()["detail"][0]["msg"]
    r = await client.get("/stances", params={"stance": "mixed", "view": "claim"})
    assert r.status_code == 422 and "view=article" in r.text


def test_live_filter_keeps_any_of_several_labels() -> None:
    flt = StanceFilter(stance=("oppose", "support"))
    ev = {"stance": "support", "score": 0.9, "source": "a", "target": "b"}
    assert flt.keep(ev) and not flt.keep({**ev, "stance": "neutral"})


# ---- until and the time axis -------------------------------------------------------------------
async def test_stances_take_until_and_report_total(client: httpx.AsyncClient) -> None:
    everything = await _ok(client, "/stances", view="claim")
    before = await _ok(client, "/stances", view="claim", until="2024-05-07T00:00:00Z")
    after = await _ok(client, "/stances", view="claim", since="2024-05-07T00:00:00Z")
    assert before["total"] == 6 and {i["article_id"] for i in before["items"]} == {"a_1", "a_2"}
    assert before["total"] + after["total"] == everything["total"] == len(everything["items"])
    r = await client.get("/stances", params={"since": "2024-05-09", "until": "2024-05-01"})
    assert r.status_code == 422 and "empty window" in r.text


async def test_time_axis_published_by_default_or_ingested(client: httpx.AsyncClient) -> None:
    """a_4 was published on May 9 and ingested today: a window of the last hour holds it only on
    the ingested axis, on every endpoint with a window."""
    since = (NOW - timedelta(hours=1)).isoformat()
    for path, key in (
        ("/stances", "items"),
        ("/claims", "items"),
        ("/graph", "edges"),
    ):
        published = await _ok(client, path, since=since)
        assert published["total"] == 0 and published[key] == [], path
        ingested = await _ok(client, path, since=since, time="ingested")
        assert ingested["total"] > 0, path
    arts = {
        i["article_id"]
        for i in (await _ok(client, "/stances", since=since, time="ingested"))["items"]
    }
    assert arts == {"a_4"}
    claims = await _ok(client, "/claims", since=since, time="ingested")
    assert {c["article"]["id"] for c in claims["items"]} == {"a_4"}
    page = await _ok(client, f"/actors/{KONASHENKOV}", since=since, time="ingested")
    assert page["held"]["total"] == 1
    assert (await _ok(client, f"/actors/{KONASHENKOV}", since=since))["held"]["total"] == 0
    r = await client.get("/stances", params={"time": "stored"})
    assert r.status_code == 422 and "time" in r.json()["detail"][0]["loc"]


# ---- actor filters -----------------------------------------------------------------------------
async def test_actor_filters_take_an_id_a_qid_or_a_name(client: httpx.AsyncClient) -> None:
    by_id = await _ok(client, "/stances", view="claim", source="Q2575")
    for alias in ("q2575", "Olaf Scholz", "olaf  SCHOLZ"):
        got = await _ok(client, "/stances", view="claim", source=alias)
        assert got["total"] == by_id["total"] > 0, alias
    k = await _ok(client, "/stances", view="claim", source="igor konashenkov")
    assert [i["source"] for i in k["items"]] == [KONASHENKOV]
    nato = await _ok(client, "/stances", view="claim", target="nato", source="Igor Konashenkov")
    assert nato["total"] == 1
    claims = await _ok(client, "/claims", speaker="Igor Konashenkov")
    assert [c["speaker"] for c in claims["items"]] == [KONASHENKOV]
    assert (await _ok(client, "/claims", actor="NATO"))["total"] == (
        await _ok(client, "/claims", actor="Q7184")
    )["total"]
    edges = (await _ok(client, "/graph", countries="q159"))["edges"]
    assert {(e["source"], e["target"]) for e in edges} >= {("Q159", "Q7184")}
    # a name nobody carries filters to nothing, not to everything
    assert (await _ok(client, "/stances", source="Nobody Atall"))["total"] == 0


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/stances", "source"),
        ("/stances", "target"),
        ("/claims", "speaker"),
        ("/claims", "actor"),
        ("/graph", "countries"),
        ("/stream/stances", "actor"),
    ],
)
async def test_a_name_several_actors_carry_is_422_listing_them(
    client: httpx.AsyncClient, path: str, param: str
) -> None:
    r = await client.get(path, params={param: "russia"})
    assert r.status_code == 422, r.text
    [err] = r.json()["detail"]
    assert err["loc"] == ["query", param]
    assert "ambiguous" in err["msg"] and "Q159" in err["msg"]
    assert "local:country:russia" in err["msg"]


# ---- outlets -----------------------------------------------------------------------------------
def test_outlet_names_are_the_publisher() -> None:
    for raw in ("ReutersIndia", "Reuters_Co_Uk", "in.reuters.com", "Reuters", "reuters"):
        assert outlet_key(raw) == "reuters", raw
    assert outlet_name("www.bbc.co.uk") == "BBC"
    assert outlet_name("The New York Times") == "The New York Times"


async def test_graph_outlets_find_every_spelling_and_claims_keep_the_raw_one(
    sessionmaker: Sessionmaker, repo: Repository
) -> None:
    batches = [make_batch(aid) for aid in ("a_1", "a_2", "a_3")]
    for b, raw in zip(batches, ("ReutersIndia", "Reuters_Co_Uk", "example"), strict=True):
        b.article.source = raw
    batches[2].stances = batches[2].stances[:1]
    await repo.store_stance_batches(batches)
    app = create_app(Settings(), sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://storage"
    ) as client:
        reuters = await _ok(client, "/graph", outlets="Reuters")
        assert reuters["total"] == 3
        assert {e["articles"] for e in reuters["edges"]} == {2}  # a_1 and a_2, not a_3
        assert (await _ok(client, "/graph", outlets="reuters.com,nowhere"))["total"] == 3
        assert (await _ok(client, "/graph", outlets="nowhere"))["total"] == 0
        claims = await _ok(client, "/claims", article_id="a_1")
        art = claims["items"][0]["article"]
        assert (art["source"], art["outlet"]) == ("ReutersIndia", "Reuters")
