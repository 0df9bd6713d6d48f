"""The stance service: ``claims.v1`` in, ``stances.v1`` out, the model loaded once per process.

All pairs of all articles in a read batch go to the model in one call (the model is the cost), on a
worker thread so the event loop keeps reading and acking.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from stancestream.services.stance.cache import CachedScorer
from stancestream.services.stance.scorer import StanceScorer, load_scorer
from stancestream.services.stance.stancing import score_articles
from stancestream.shared.contracts import LinkedArticle
from stancestream.shared.service import Consumes, Runtime, ServiceSpec
from stancestream.shared.streams import CLAIMS, STANCES


@dataclass
class Stancer:
    """A running stance worker: the model loaded once and where its stances go."""

    rt: Runtime
    scorer: StanceScorer
    out_stream: str

    async def claims(self, items: Sequence[LinkedArticle]) -> None:
        cfg = self.rt.settings.stance
        batches = await asyncio.to_thread(
            score_articles,
            self.scorer,
            items,
            cfg.max_pairs_per_claim,
            cfg.skip_types,
            cfg.sources,
            cfg.threshold,
            cfg.support_threshold,
        )
        for b in batches:
            await self.rt.broker.publish(b, stream=self.out_stream)
        self.rt.metrics.published.labels(self.out_stream).inc(len(batches))


def make_spec(
    in_stream: str = CLAIMS, out_stream: str = STANCES, group: str = "stance"
) -> ServiceSpec[Stancer]:
    @contextlib.asynccontextmanager
    async def resources(rt: Runtime) -> AsyncIterator[Stancer]:
        cfg = rt.settings.stance
        # no spinning: a worker shares the cores with linking and other stance workers
        scorer = await asyncio.to_thread(load_scorer, cfg.model, cfg.batch_size, cfg.threads, False)
        yield Stancer(rt, CachedScorer(scorer, cfg.cache_size), out_stream)

    return ServiceSpec(
        name="stance",
        consumes=[Consumes(in_stream, group, LinkedArticle, Stancer.claims)],
        resources=resources,
    )


SPEC = make_spec()
