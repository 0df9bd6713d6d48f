"""Near-duplicate copies of a story: found by sketch, checked exactly, counted once by the graph."""

from __future__ import annotations

import re

import pytest

from stancestream.services.storage import stories
from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.queries import GraphFilter, Queries
from stancestream.services.storage.repository import Repository
from stancestream.services.storage.tables import ArticleRow
from tests.storage_factories import make_article, make_batch

pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo, queries

BODY = (
    "Russia's foreign ministry condemned NATO on Monday for what it called a provocative "
    "build-up of forces near its western border, and warned that Moscow would respond. "
    "The alliance said the deployments were defensive and had been agreed by all members. "
    "Diplomats in Brussels said talks on the matter would resume next week, after a meeting "
    "of defence ministers ended without agreement on how to answer the warning. Analysts "
    "said the exchange was the sharpest in months and that neither side wanted escalation."
)
COPY = (  # another outlet: its own dateline and byline, quotes and a line cut
    "MOSCOW (Wire) - By A. Reporter.\n\n"
    + BODY.replace("Monday", "Monday,").replace("'", "’").rsplit(" Analysts", 1)[0]
)
OTHER = (
    "The central bank kept interest rates unchanged on Thursday and said inflation was "
    "falling faster than expected, while the finance minister praised the decision and "
    "unions asked for higher wages to make up for two years of rising prices."
)


def test_a_copy_is_similar_and_shares_the_sketch() -> None:
    a, b, c = (stories.shingles(t) for t in (BODY, COPY, OTHER))
    assert stories.jaccard(a, b) >= 0.6 > 0.1 > stories.jaccard(a, c)
    assert set(stories.sketch(a)) & set(stories.sketch(b))
    assert not set(stories.sketch(a)) & set(stories.sketch(c))
    short = stories.shingles("Short text.")
    assert len(short) == 1 and stories.jaccard(short, stories.shingles("short, TEXT")) == 1.0
    assert len(stories.shingles("")) == 0 and stories.jaccard(short, stories.shingles("")) == 0.0
    assert len(stories.shingles("x" * 30)) == 1  # one distinct 24-character shingle
    assert len(stories.shingles("abcdefghijklmnopqrstuvwxyz")) == 3
    assert list(stories.shingles(BODY)) == sorted(set(stories.shingles(BODY)))  # sorted, unique


def _naive(text: str, n: int = stories.SHINGLE) -> list[int]:
    """The shingle hashes by their definition, one window at a time."""
    folded = [c + 1 for c in " ".join(re.split(r"[\W_]+", text.casefold())).strip().encode()]
    k, mod, out = min(n, len(folded)), 1 << 64, set()
    for start in range(len(folded) - k + 1):
        h = 0
        for c in folded[start : start + k]:
            h = (h * int(stories._MUL) + c) % mod
        h ^= h >> 31
        h = (h * int(stories._MIX)) % mod
        h ^= h >> 29
        out.add(h - mod if h >= 1 << 63 else h)
    return sorted(out)


@pytest.mark.parametrize("text", ["Short text.", BODY[:200], "Ünïcode — текст, ok", "a" * 30])
def test_vectorised_hashes_equal_their_definition(text: str) -> None:
    assert [int(x) for x in stories.shingles(text)] == _naive(text)


def test_hashes_are_the_same_in_every_process() -> None:
    import subprocess
    import sys

    code = (
        "from stancestream.services.storage.stories import shingles as s; "
        "print([int(x) for x in s('a b c d e f')])"
    )
    out = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert out[0] == out[1] == f"{[int(x) for x in stories.shingles('a b c d e f')]}\n"


async def _stories(sessionmaker: Sessionmaker) -> dict[str, str | None]:
    from sqlalchemy import select

    async with sessionmaker() as session:
        rows = await session.execute(select(ArticleRow.id, ArticleRow.story))
        return {aid: story for aid, story in rows}


@pytest.mark.integration
async def test_copies_join_the_first_articles_story(
    repo: Repository, sessionmaker: Sessionmaker
) -> None:
    await repo.store_articles([make_article("a_1", text_=BODY)])
    await repo.store_articles([make_article("a_2", text_=COPY), make_article("a_3", text_=OTHER)])
    await repo.store_articles([make_article("a_2", text_=COPY)])  # redelivered: same story
    assert await _stories(sessionmaker) == {"a_1": "a_1", "a_2": "a_1", "a_3": "a_3"}
    queries = Queries(sessionmaker)
    first, copy, other = [await queries.get_article(a) for a in ("a_1", "a_2", "a_3")]
    assert first and copy and other
    assert (first.story, first.story_copies) == ("a_1", ["a_2"])
    assert (copy.story, copy.story_copies) == ("a_1", ["a_1"])
    assert (other.story, other.story_copies) == ("a_3", [])


@pytest.mark.integration
async def test_copies_in_one_batch_share_a_story(
    repo: Repository, sessionmaker: Sessionmaker
) -> None:
    await repo.store_articles([make_article("b_2", text_=COPY), make_article("b_1", text_=BODY)])
    assert await _stories(sessionmaker) == {"b_1": "b_1", "b_2": "b_1"}


@pytest.mark.integration
async def test_the_graph_counts_a_wire_story_once(repo: Repository, queries: Queries) -> None:
    for aid, text in (("a_1", BODY), ("a_2", COPY), ("a_3", OTHER)):
        await repo.store_articles([make_article(aid, text_=text)])
        await repo.store_stance_batches(
            [make_batch(aid, stance="oppose" if aid != "a_3" else "support")]
        )
    graph = await queries.graph(GraphFilter(), limit=None)
    edge = next(e for e in graph.edges if (e.source, e.target) == ("Q159", "Q7184"))
    assert (edge.articles, edge.articles_oppose, edge.articles_support) == (3, 2, 1)
    assert (edge.stories, edge.stories_oppose, edge.stories_support) == (2, 1, 1)
    assert edge.signed_score == 0.0  # one story each way, not two articles against one
    page = await queries.actor_page("Q159", None, None, limit=10, offset=0)
    assert page is not None
    held = next(p for p in page.held.items if p.other == "Q7184")
    assert (held.stories_oppose, held.stories_support) == (1, 1)


@pytest.mark.integration
async def test_similarity_zero_keeps_every_article_its_own_story(
    sessionmaker: Sessionmaker, queries: Queries
) -> None:
    repo = Repository(sessionmaker, story_similarity=0)
    for aid, text in (("a_1", BODY), ("a_2", COPY)):
        await repo.store_articles([make_article(aid, text_=text)])
        await repo.store_stance_batches([make_batch(aid)])
    edge = next(
        e for e in (await queries.graph(GraphFilter(), limit=None)).edges if e.target == "Q7184"
    )
    assert (edge.articles, edge.stories) == (2, 2)


@pytest.mark.integration
async def test_articles_stored_without_a_story_get_one_later(
    sessionmaker: Sessionmaker, queries: Queries
) -> None:
    old = Repository(sessionmaker, story_similarity=0)  # as before migration 0004
    for aid, text in (("a_1", BODY), ("a_2", COPY), ("a_3", OTHER)):
        await old.store_articles([make_article(aid, text_=text)])
    assert set((await _stories(sessionmaker)).values()) == {None}
    repo = Repository(sessionmaker)
    async for chunk in queries.iter_articles(None):  # oldest first, as relink reads them
        await repo.assign_stories(chunk)
    assert await _stories(sessionmaker) == {"a_1": "a_1", "a_2": "a_1", "a_3": "a_3"}
