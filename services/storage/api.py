"""The storage query API (FastAPI): health, one article, stances with filters, metrics.

Built by :func:`create_app` from what the service already holds (settings, session factory,
metrics registry, a readiness callback), so tests pass a SQLite session factory and no Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypedDict

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from stancestream.services.ingestion.dedupe import DEFAULT_PREFIX, Deduper
from stancestream.services.storage.auth import BearerToken
from stancestream.services.storage.db import Sessionmaker, ping
from stancestream.services.storage.headers import SecurityHeaders
from stancestream.services.storage.live import SseBudget
from stancestream.services.storage.param_errors import bad_param
from stancestream.services.storage.queries import Queries
from stancestream.services.storage.repository import Repository
from stancestream.services.storage.routes import live, push, query, web
from stancestream.services.storage.routes.query import MAX_OFFSET, Since, Until, window
from stancestream.services.storage.schemas import ArticleOut, ArticleStancePage, Health, StancePage
from stancestream.services.storage.vocabulary import (
    ActorParam,
    TimeParam,
    choices,
    reject_unknown_params,
    resolve_or_none,
)
from stancestream.shared.settings import Settings
from stancestream.shared.streams import ARTICLES, STANCES

Readiness = Callable[[], dict[str, Any]]


class _StanceFilters(TypedDict):
    """What ``GET /stances`` filters by, in the repository's keywords (both views, the count)."""

    article_id: str | None
    source: str | None
    target: str | None
    since: datetime | None
    until: datetime | None
    time: str
    stance: tuple[str, ...]


def _repo(request: Request) -> Repository:
    return request.app.state.repository


RepoDep = Annotated[Repository, Depends(_repo)]
ARTICLE_LABELS = ("support", "oppose", "neutral", "mixed")  # mixed: a tie of support and oppose


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
    app.state.repository = Repository(sessionmaker)
    app.state.queries = Queries(sessionmaker)
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
    metrics_registry = registry or CollectorRegistry()

    @app.get("/health", response_model=Health, responses={503: {"model": Health}})
    async def health() -> JSONResponse:
        """Liveness, database ping and the consumers' readiness; 503 when any is not ok."""
        try:
            await ping(sessionmaker)
            db = "ok"
        except Exception as exc:  # noqa: BLE001 - report any DB failure, never crash the probe
            db = f"{type(exc).__name__}: {exc}"[:500]
        ready = readiness() if readiness else {}
        ok = db == "ok" and ready.get("ready", True) is not False
        body = Health(status="ok" if ok else "degraded", db=db, readiness=ready)
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)

    @app.get(
        "/articles/{article_id}",
        response_model=ArticleOut,
        responses={404: {"description": "no article with this id"}},
    )
    async def get_article(article_id: str, repo: RepoDep) -> ArticleOut:
        """One article with its actors, claims and stance count."""
        art = await repo.get_article(article_id)
        if art is None:
            raise HTTPException(404, f"article {article_id!r} not found: not stored (yet)")
        return art

    @app.get("/stances", response_model=ArticleStancePage | StancePage)
    async def list_stances(
        repo: RepoDep,
        article_id: str | None = None,
        source: ActorParam = None,
        target: ActorParam = None,
        since: Since = None,
        until: Until = None,
        time: TimeParam = "published",
        stance: Annotated[
            list[str] | None,
            Query(
                description="labels (support, oppose, neutral, mixed), repeated or "
                "comma-separated; 'mixed' (a tie of support and oppose) only with view=article"
            ),
        ] = None,
        view: Annotated[
            Literal["article", "claim"],
            Query(
                description="article: one stance per article and ordered pair, the majority of "
                "its claims' support/oppose stances, claims as evidence; claim: every claim's"
            ),
        ] = "article",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> ArticleStancePage | StancePage:
        """Stances newest first (by the article's publication time), with actor names and claim
        text; all filters combine."""
        s, u = window(since, until)
        labels = choices(stance, ARTICLE_LABELS, "stance")
        if view == "claim" and "mixed" in labels:
            raise bad_param("stance", "stance=mixed is an article-level label: use view=article")
        args: _StanceFilters = {
            "article_id": article_id,
            "source": await resolve_or_none(sessionmaker, source, "source"),
            "target": await resolve_or_none(sessionmaker, target, "target"),
            "since": s,
            "until": u,
            "time": time,
            "stance": labels,
        }
        if view == "article":
            rows, total = await repo.article_stances(**args, limit=limit, offset=offset)
            return ArticleStancePage(items=rows, total=total, limit=limit, offset=offset)
        items = await repo.list_stances(**args, limit=limit, offset=offset)
        total = await repo.count_stances(**args)
        return StancePage(items=items, total=total, limit=limit, offset=offset)

    @app.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
    )
    async def metrics() -> Response:
        """The service's metrics for Prometheus (processed, failed, lag, batch latency, ...)."""
        return Response(generate_latest(metrics_registry), media_type=CONTENT_TYPE_LATEST)

    return app
