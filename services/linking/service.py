"""The linking service: ``articles.v1`` in, ``claims.v1`` out, spaCy loaded once per process.

Each worker keeps the parses of its last paragraphs (``linking.parse_cache``): syndicated copy
repeats them, and a paragraph seen before is not parsed again.

spaCy is CPU-bound and synchronous, so both loading and each batch run on a worker thread: the
event loop keeps reading, acking and reclaiming meanwhile. The subscriber and the reclaimer can
hand over batches at the same time; a lock keeps them from running the one pipeline on two threads
at once (spaCy does not promise that is safe, and under the GIL it would not be faster).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from spacy.language import Language

from stancestream.services.linking.kb.reload import ReloadingLinker
from stancestream.services.linking.link import link_articles
from stancestream.services.linking.nlp import ParseCache, load_nlp
from stancestream.services.linking.wiring import make_linker
from stancestream.shared.contracts import Article, LinkedArticle
from stancestream.shared.service import Consumes, Runtime, ServiceSpec
from stancestream.shared.streams import ARTICLES, CLAIMS


@dataclass
class Linking:
    """A running linking worker: spaCy and the linker loaded once, and a lock that keeps two
    batches from running the one pipeline at the same time."""

    rt: Runtime
    nlp: Language
    linkers: ReloadingLinker
    out_stream: str
    parses: ParseCache
    one_at_a_time: threading.Lock = field(default_factory=threading.Lock)

    def link_all(self, items: Sequence[Article]) -> list[LinkedArticle]:
        with self.one_at_a_time:
            linker = self.linkers.current()  # a rebuilt index is picked up between batches
            max_claims = self.rt.settings.linking.max_claims
            return link_articles(self.nlp, items, linker, max_claims, self.parses)

    async def articles(self, items: Sequence[Article]) -> None:
        for linked in await asyncio.to_thread(self.link_all, items):
            linked.trace.mark("linking")
            await self.rt.broker.publish(linked, stream=self.out_stream)
            self.rt.metrics.published.labels(self.out_stream).inc()


def make_spec(
    in_stream: str = ARTICLES, out_stream: str = CLAIMS, group: str = "linking"
) -> ServiceSpec[Linking]:
    @contextlib.asynccontextmanager
    async def resources(rt: Runtime) -> AsyncIterator[Linking]:
        nlp = await asyncio.to_thread(load_nlp, rt.settings.linking.spacy_model)
        linkers = ReloadingLinker(rt.settings.kb_dir, lambda: make_linker(rt.settings))
        linkers.current()
        yield Linking(rt, nlp, linkers, out_stream, ParseCache(rt.settings.linking.parse_cache))

    return ServiceSpec(
        name="linking",
        consumes=[Consumes(in_stream, group, Article, Linking.articles)],
        resources=resources,
    )


SPEC = make_spec()
