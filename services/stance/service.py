"""The stance service: ``claims.v1`` in, ``stances.v1`` out, the model loaded once per process.

All pairs of all articles in a read batch go to the model in one call (the model is the cost), on a
worker thread so the event loop keeps reading and acking.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from stancestream.services.stance.scorer import load_scorer
from stancestream.services.stance.stancing import score_articles
from stancestream.shared.contracts import LinkedArticle
from stancestream.shared.service import Consumes, Runtime, ServiceSpec
from stancestream.shared.streams import CLAIMS, STANCES


def make_spec(in_stream: str = CLAIMS, out_stream: str = STANCES, group: str = "stance"):
    @contextlib.asynccontextmanager
    async def resources(rt: Runtime) -> AsyncIterator[dict]:
        cfg = rt.settings.stance
        # no spinning: a worker shares the cores with linking and other stance workers
        scorer = await asyncio.to_thread(load_scorer, cfg.model, cfg.batch_size, cfg.threads, False)

        async def process(items: Sequence[LinkedArticle]) -> None:
            batches = await asyncio.to_thread(
                score_articles,
                scorer,
                items,
                cfg.max_pairs_per_claim,
                cfg.skip_types,
                cfg.sources,
                cfg.threshold,
                cfg.support_threshold,
            )
            for b in batches:
                await rt.broker.publish(b, stream=out_stream)
            rt.metrics.published.labels(out_stream).inc(len(batches))

        yield {"claims": process}

    return ServiceSpec(
        name="stance",
        consumes=[Consumes(in_stream, group, LinkedArticle, "claims")],
        resources=resources,
    )


SPEC = make_spec()
