"""``stancestream relink``: stored articles read again with a knowledge base built later end
with one actor per real actor (the Wikidata id), not a local id beside it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stancestream.services.cli.relink import relink
from stancestream.services.linking.kb.build import build
from stancestream.services.linking.link import NullLinker, link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.services.stance.scorer import load_scorer
from stancestream.services.stance.stancing import score_articles
from stancestream.services.storage.db import create_engine, create_sessionmaker, migrate
from stancestream.services.storage.queries import Queries
from stancestream.services.storage.repository import Repository
from stancestream.shared.contracts import Article
from stancestream.shared.settings import load_settings

TEXT = (
    "Russia condemned NATO on Monday. 'NATO is a threat to Russia,' said Sergei Lavrov,"
    " the foreign minister of Russia."
)


def test_relink_replaces_local_ids_with_wikidata_ids(shared_data: Path, tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    )
    article = Article(id="a_r", text=TEXT, content_hash="h")
    linked = link_article(load_nlp("en_core_web_sm"), article, NullLinker())  # no KB yet
    (batch,) = score_articles(load_scorer(None), [linked])

    async def store_and_count(before: bool) -> tuple[set[str], int, int]:
        if before:
            await migrate(settings.db_url)
        engine = create_engine(settings.db_url)
        sessionmaker = create_sessionmaker(engine)
        repo, queries = Repository(sessionmaker), Queries(sessionmaker)
        try:
            if before:
                await repo.store_articles([article])
                await repo.store_stance_batches([batch])
            ids = {s.source for s in await queries.list_stances(limit=1000)} | {
                s.target for s in await queries.list_stances(limit=1000)
            }
            return ids, await queries.count("entities"), await queries.count("stances")
        finally:
            await engine.dispose()

    ids, n_entities, n_stances = asyncio.run(store_and_count(True))
    assert "local:country:russia" in ids
    build(shared_data / "kb", settings.kb_dir)  # the KB arrives after the article was stored
    said: list[str] = []
    assert relink(settings, None, echo=said.append) == 1
    assert said == ["relinked 1 articles"]
    ids, n_entities_after, n_stances_after = asyncio.run(store_and_count(False))
    assert not any(i.startswith("local:country:") for i in ids)
    assert any(i.startswith("Q") for i in ids)
    assert n_stances_after == n_stances  # the same reading, only the ids changed
    assert n_entities_after == n_entities  # the local Russia and NATO were replaced, not added to
    assert relink(settings, None, echo=said.append) == 1  # and running it again changes nothing
    assert asyncio.run(store_and_count(False))[1:] == (n_entities_after, n_stances_after)
