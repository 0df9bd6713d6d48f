"""Repository behaviour on SQLite and PostgreSQL: idempotent upserts, arrival order, queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from stancestream.services.storage.db import create_engine, migrate
from stancestream.services.storage.queries import Queries, StanceFilter
from stancestream.services.storage.repository import Repository
from stancestream.services.storage.tables import Base
from stancestream.shared.contracts import Entity
from tests.storage_factories import make_article, make_batch

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo, queries

TABLES = ("articles", "entities", "article_entities", "claims", "stances")


async def counts(queries: Queries) -> dict[str, int]:
    return {t: await queries.count(t) for t in TABLES}


async def test_migrations_match_the_tables_and_rerun_as_noop(db_url: str) -> None:
    await migrate(db_url)  # second run: nothing to do
    engine = create_engine(db_url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
            )
        )
    await engine.dispose()
    assert diff == []


async def test_same_batch_twice_keeps_row_counts(repo: Repository, queries: Queries) -> None:
    batch = make_batch("a_1")
    await repo.store_stance_batches([batch])
    first = await counts(queries)
    await repo.store_stance_batches([batch, batch])  # redelivered, even twice in one call
    await repo.store_articles([make_article("a_1")])
    await repo.store_articles([make_article("a_1"), make_article("a_1")])
    assert (
        await counts(queries)
        == first
        == {
            "articles": 1,
            "entities": 3,
            "article_entities": 3,
            "claims": 2,
            "stances": 3,
        }
    )


async def test_redelivered_batch_updates_in_place(repo: Repository, queries: Queries) -> None:
    await repo.store_stance_batches([make_batch("a_1", model="m1", stance="oppose")])
    await repo.store_stance_batches([make_batch("a_1", model="m2", stance="support")])
    rows = await queries.list_stances(StanceFilter(article_id="a_1", source="Q159"))
    assert [(s.stance, s.model) for s in rows] == [("support", "m2")]
    assert await queries.count("stances") == 3


async def test_a_new_reading_of_an_article_replaces_the_old_one(
    repo: Repository, queries: Queries
) -> None:
    old = make_batch("a_1")
    other = make_batch("a_2")
    await repo.store_stance_batches([old, other])
    # read again (ingest --force after a change of rules): only the first claim is left, and
    # Scholz is no longer an actor of the article
    new = old.model_copy(
        update={
            "claims": old.claims[:1],
            "stances": old.stances[:1],
            "entities": old.entities[:2],
        }
    )
    await repo.store_stance_batches([new])
    got = await queries.get_article("a_1")
    assert got is not None
    assert [c.id for c in got.claims] == [old.claims[0].id] and got.stance_count == 1
    assert {e.id for e in got.entities} == {"Q159", "Q7184"}
    kept = await queries.get_article("a_2")  # another article's reading is untouched
    assert kept is not None and len(kept.claims) == 2 and kept.stance_count == 3


@pytest.mark.parametrize("order", ["article_first", "stances_first"])
async def test_both_arrival_orders_end_with_the_full_article(
    repo: Repository, queries: Queries, order: str
) -> None:
    article, batch = make_article("a_1"), make_batch("a_1", title=None)
    if order == "article_first":
        await repo.store_articles([article])
        await repo.store_stance_batches([batch])
    else:
        await repo.store_stance_batches([batch])
        partial = await queries.get_article("a_1")
        assert partial is not None and partial.text is None and partial.stance_count == 3
        await repo.store_articles([article])
    got = await queries.get_article("a_1")
    assert got is not None
    assert got.text == article.text and got.content_hash == article.content_hash
    assert got.title == "Talks"  # the batch's missing title never erases the article's
    assert got.url == article.url and got.published_at == article.published_at
    assert got.ingested_at is not None and got.ingested_at.tzinfo is not None
    assert got.stance_count == 3 and len(got.claims) == 2 and len(got.entities) == 3


async def test_get_article_returns_entities_claims_and_count(
    repo: Repository, queries: Queries
) -> None:
    await repo.store_stance_batches([make_batch("a_1")])
    got = await queries.get_article("a_1")
    assert got is not None
    scholz = next(e for e in got.entities if e.id == "Q2575")
    assert (scholz.name, scholz.type, scholz.affiliation) == ("Olaf Scholz", "person", "Q183")
    assert scholz.mentions == [(82, 93)]
    assert [c.kind for c in got.claims] == ["sentence", "quote"]
    assert got.claims[0].span == (0, 51)
    assert got.claims[0].mentions == [{"entity": "Q7184", "span": [36, 40], "holder": False}]
    assert await queries.get_article("missing") is None


async def test_entity_type_other_and_missing_qid_do_not_erase_known_values(
    repo: Repository,
    queries: Queries,
) -> None:
    await repo.store_stance_batches([make_batch("a_1")])
    later = make_batch("a_2")
    later.entities[0] = Entity(id="Q159", name="Russia", type="other", wikidata=None)
    await repo.store_stance_batches([later])
    got = await queries.get_article("a_2")
    assert got is not None
    russia = next(e for e in got.entities if e.id == "Q159")
    assert (russia.type, russia.wikidata) == ("country", "Q159")


async def test_list_stances_filters_and_joins(repo: Repository, queries: Queries) -> None:
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    await repo.store_stance_batches(
        [
            make_batch("a_old", published_at=t0),
            make_batch("a_new", published_at=t0 + timedelta(days=3)),
        ]
    )
    everything = await queries.list_stances(limit=100)
    assert len(everything) == 6
    assert [s.created_at for s in everything] == sorted(
        (s.created_at for s in everything), reverse=True
    )
    first = everything[0]
    assert first.article_id == "a_new" and first.created_at == t0 + timedelta(days=3)
    named = {(s.source_name, s.target_name) for s in everything}
    assert ("Russia", "NATO") in named and ("Olaf Scholz", "Russia") in named
    assert all(s.claim_text for s in everything)

    assert len(await queries.list_stances(StanceFilter(article_id="a_old"))) == 3
    assert {s.target for s in await queries.list_stances(StanceFilter(source="Q2575"))} == {
        "Q159",
        "Q7184",
    }
    assert len(await queries.list_stances(StanceFilter(target="Q7184"))) == 4
    assert len(await queries.list_stances(StanceFilter(stance="support"))) == 2
    assert {
        s.article_id for s in await queries.list_stances(StanceFilter(since=t0 + timedelta(days=1)))
    } == {"a_new"}
    naive_since = datetime(2024, 5, 2)  # taken as UTC
    assert len(await queries.list_stances(StanceFilter(since=naive_since))) == 3
    assert (
        len(
            await queries.list_stances(
                StanceFilter(source="Q2575", target="Q159", stance="neutral")
            )
        )
        == 2
    )
    page1 = await queries.list_stances(limit=4)
    page2 = await queries.list_stances(limit=4, offset=4)
    assert len(page1) == 4 and len(page2) == 2
    assert {s.id for s in page1}.isdisjoint({s.id for s in page2})


async def test_stance_created_at_falls_back_to_store_time(
    repo: Repository, queries: Queries
) -> None:
    batch = make_batch("a_1")
    batch.article.published_at = None
    before = datetime.now(UTC)
    await repo.store_stance_batches([batch])
    rows = await queries.list_stances()
    assert rows and all(before - timedelta(seconds=5) <= s.created_at for s in rows)
    await repo.store_stance_batches([batch])  # a redelivery keeps the first time
    assert [s.created_at for s in await queries.list_stances()] == [s.created_at for s in rows]


async def test_large_batch_is_stored_in_one_call(repo: Repository, queries: Queries) -> None:
    batches = [make_batch(f"a_{i}") for i in range(300)]
    await repo.store_stance_batches(batches)
    assert await queries.count("stances") == 900 and await queries.count("articles") == 300


async def test_database_down_raises() -> None:
    from stancestream.services.storage.db import create_sessionmaker

    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(OSError):  # refused connection: not swallowed, so entries stay pending
            await Repository(create_sessionmaker(engine)).store_stance_batches([make_batch()])
    finally:
        await engine.dispose()
