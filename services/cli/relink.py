"""``stancestream relink``: read stored articles again with today's linker (a new knowledge base,
a better reading) and replace what storage holds for them, so actors that were local ids become
their Wikidata ids once, with no duplicate actors or stances left behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from stancestream.shared.settings import Settings


def relink(settings: Settings, since: datetime | None, echo: Callable[[str], None] = print) -> int:
    """Re-link and re-score every stored article (published or stored since ``since``); returns
    how many. Each chunk of articles is replaced in one transaction, so a stopped run can simply
    be run again."""
    from stancestream.services.linking.link import link_article
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.services.linking.wiring import make_linker
    from stancestream.services.stance.scorer import load_scorer
    from stancestream.services.stance.stancing import score_articles
    from stancestream.services.storage.db import create_engine, create_sessionmaker, migrate
    from stancestream.services.storage.queries import Queries
    from stancestream.services.storage.repository import Repository

    nlp = load_nlp(settings.linking.spacy_model)
    linker = make_linker(settings)
    scorer = load_scorer(settings.stance.model, settings.stance.batch_size)
    st = settings.stance

    async def run() -> int:
        await migrate(settings.db_url)  # a database from before migration 0003 gets its columns
        engine = create_engine(settings.db_url)
        sessionmaker = create_sessionmaker(engine)
        repo = Repository(sessionmaker, settings.storage.story_similarity)
        queries = Queries(sessionmaker)
        done = 0
        try:
            async for articles in queries.iter_articles(since):
                linked = [
                    link_article(nlp, a, linker, settings.linking.max_claims) for a in articles
                ]
                batches = score_articles(
                    scorer,
                    linked,
                    st.max_pairs_per_claim,
                    st.skip_types,
                    st.sources,
                    st.threshold,
                    st.support_threshold,
                )
                await repo.store_stance_batches(batches, replace=True)
                await repo.assign_stories(articles)  # those stored before stories existed
                done += len(articles)
                echo(f"relinked {done} articles")
        finally:
            await engine.dispose()
        return done

    return asyncio.run(run())
