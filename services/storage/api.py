"""The storage API (FastAPI), assembled: the routes live in :mod:`.routes` (health and metrics,
articles, stances, the query API, article intake, live streams, the web view).

Built by :func:`create_app` from what the service already holds (settings, session factory,
metrics registry, a readiness callback), so tests pass a SQLite session factory and no Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI
from prometheus_client import CollectorRegistry

from stancestream.services.ingestion.dedupe import DEFAULT_PREFIX, Deduper
from stancestream.services.storage.auth import BearerToken
from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.headers import SecurityHeaders
from stancestream.services.storage.live import SseBudget
from stancestream.services.storage.queries import Queries
from stancestream.services.storage.routes import articles, health, live, push, query, stances, web
from stancestream.services.storage.vocabulary import reject_unknown_params
from stancestream.shared.settings import Settings
from stancestream.shared.streams import ARTICLES, STANCES

Readiness = Callable[[], dict[str, Any]]


def create_app(
    settings: Settings,
    sessionmaker: Sessionmaker,
    readiness: Readiness | None = None,
    registry: CollectorRegistry | None = None,
    redis: Any = None,
    stances_stream: str = STANCES,
    articles_stream: str = ARTICLES,
    dedupe_prefix: str = DEFAULT_PREFIX,
) -> FastAPI:
    """The API app. ``readiness`` adds the consumers' state to /health (``"ready": False`` there
    makes it 503); ``registry`` is what /metrics exposes (an empty one when None); ``redis`` (an
    asyncio client) feeds /stream/stances from ``stances_stream`` and takes ``POST /articles``
    to ``articles_stream`` under the ingesters' dedupe keys (``dedupe_prefix``); both are 503
    when it is None."""
    app = FastAPI(
        title="StanceStream storage",
        summary="Articles, actors, claims and directed stances stored from the pipeline.",
        version="1",
        dependencies=[Depends(reject_unknown_params)],
    )
    token = settings.storage.api_token
    if token is not None and token.get_secret_value():
        app.add_middleware(BearerToken, token=token.get_secret_value())
    app.add_middleware(SecurityHeaders)  # added last: it wraps the 401s too
    app.state.settings = settings
    app.state.queries = Queries(sessionmaker)
    app.state.readiness = readiness
    app.state.metrics = registry or CollectorRegistry()
    app.state.redis = redis
    # live streams on a Redis pool of their own (the owner closes it: ``app.state.sse.aclose``)
    app.state.sse = SseBudget(redis, settings.storage.max_sse_clients) if redis else None
    app.state.stances_stream = stances_stream
    app.state.push = (
        push.PushTarget(
            redis,
            Deduper(redis, prefix=dedupe_prefix, ttl_s=settings.ingestion.dedupe_ttl_s),
            articles_stream,
        )
        if redis
        else None
    )
    app.include_router(query.router)
    app.include_router(push.router)
    app.include_router(live.router)
    web.mount(app)
    app.include_router(health.router)
    app.include_router(articles.router)
    app.include_router(stances.router)
    return app
