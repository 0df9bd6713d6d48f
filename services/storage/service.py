"""The storage service: consume ``articles.v1`` and ``stances.v1`` into the database, serve the API.

Each callback stores its whole batch in one transaction before returning. A lost or refused
database connection becomes a ``TransientError``: the consumer keeps the batch claimed and
retries it with backoff until the database is back, without counting deliveries, so an outage of
any length delays rows but neither loses nor dead-letters them. Other database errors propagate
and the entries are retried, then dead-lettered, as usual.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from socket import socket
from typing import Any

from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from stancestream.services.storage.api import create_app
from stancestream.services.storage.auth import require_token_beyond_loopback
from stancestream.services.storage.db import create_engine, create_sessionmaker, migrate
from stancestream.services.storage.repository import Repository
from stancestream.services.storage.webserver import bind, serve
from stancestream.shared.consumer import ProcessFn, TransientError
from stancestream.shared.contracts import Article, StanceBatch
from stancestream.shared.service import Consumes, Runtime, ServiceSpec
from stancestream.shared.streams import ARTICLES, STANCES

log = logging.getLogger("stancestream.storage")

GROUP = "storage"


# What the drivers say when the database is away rather than the statement wrong (SQLite's
# "no such table" is an OperationalError too, and must not be waited out forever).
_OUTAGE = re.compile(
    r"connect|connection|closed|terminat|timeout|timed out|refused|unreachable|"
    r"database is locked|shutting down|starting up|recovery mode|too many clients",
    re.IGNORECASE,
)


def through_outages(store: ProcessFn) -> ProcessFn:
    """``store`` with the database's connection errors turned into ``TransientError``."""

    async def process(items: Any) -> None:
        try:
            await store(items)
        except sa_exc.DBAPIError as exc:
            if exc.connection_invalidated or (
                isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
                and _OUTAGE.search(str(exc.orig or exc))
            ):
                raise TransientError(f"database unavailable: {exc.orig or exc}") from exc
            raise
        except OSError as exc:  # the driver could not connect at all (refused, unreachable)
            raise TransientError(f"database unreachable: {exc}") from exc

    return process


@dataclass
class _Api:
    app: FastAPI
    sock: socket


def readiness(rt: Runtime) -> dict[str, Any]:
    """The worker's readiness for /health: ``stancestream.shared.health``'s report (groups,
    subscribers, lag) once its observer runs; before that, whether the consumers exist yet."""
    if rt.health is not None:
        return rt.health.report()
    consumers = rt.consumers
    now = time.monotonic()
    return {
        "ready": bool(consumers),
        "streams": {
            c.stream: {"last_batch_s_ago": round(now - c.last_read, 3) if c.last_read else None}
            for c in consumers
        },
    }


@dataclass
class Storage:
    """A running storage worker: its repository and, unless another worker serves it, the API."""

    rt: Runtime
    repo: Repository
    api: _Api | None

    async def articles(self, items: Sequence[Article]) -> None:
        await through_outages(self.repo.store_articles)(items)

    async def stances(self, items: Sequence[StanceBatch]) -> None:
        await through_outages(self.repo.store_stance_batches)(items)

    async def serve_api(self) -> None:
        """The background task: serve the API until the service stops."""
        if self.api is None:  # a storing-only worker
            await self.rt.stop.wait()
            return
        sse = self.api.app.state.sse
        await serve(
            self.api.app,
            self.api.sock,
            self.rt.settings.storage.header_timeout_s,
            on_shutdown=sse.close_streams if sse is not None else None,
        )


def make_spec(
    articles_stream: str = ARTICLES, stances_stream: str = STANCES
) -> ServiceSpec[Storage]:
    """The storage service spec; other stream names are for tests and side deployments."""

    @contextlib.asynccontextmanager
    async def resources(rt: Runtime) -> AsyncIterator[Storage]:
        url = rt.settings.db_url
        await migrate(url)
        engine = create_engine(url)
        api: _Api | None = None
        try:
            sessionmaker = create_sessionmaker(engine)
            app = create_app(
                rt.settings,
                sessionmaker,
                readiness=lambda: readiness(rt),
                registry=rt.metrics.registry,
                redis=rt.redis,
                stances_stream=stances_stream,
                articles_stream=articles_stream,
            )
            host, port = rt.settings.storage.host, rt.settings.storage.port
            if rt.settings.storage.serve_api:
                token = rt.settings.storage.api_token
                require_token_beyond_loopback(host, token.get_secret_value() if token else None)
                sock = bind(host, port)
                api = _Api(app, sock)
                log.info(
                    "storage: API on http://%s:%d (docs at /docs)", host, sock.getsockname()[1]
                )
            else:
                log.info("storage: storing only; another worker serves the API")
            yield Storage(rt, Repository(sessionmaker, rt.settings.storage.story_similarity), api)
        finally:
            if api:
                api.sock.close()
                if api.app.state.sse is not None:
                    await api.app.state.sse.aclose()
            await engine.dispose()

    return ServiceSpec(
        name="storage",
        consumes=[
            Consumes(articles_stream, GROUP, Article, Storage.articles),
            Consumes(stances_stream, GROUP, StanceBatch, Storage.stances),
        ],
        resources=resources,
        background=[Storage.serve_api],
    )


SPEC = make_spec()
