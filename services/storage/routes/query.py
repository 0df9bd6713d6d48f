"""Query routes: actor search, actor pages, the stance graph, claims with their evidence.

Every list takes ``limit``/``offset`` and answers ``total``, and speaks the vocabulary of
:mod:`stancestream.services.storage.vocabulary`; bad parameters are 422 with a message saying which
and why (FastAPI's validation, plus the checks in :func:`window`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, get_args

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BeforeValidator

from stancestream.services.storage.param_errors import bad_param
from stancestream.services.storage.queries import GraphFilter, Queries
from stancestream.services.storage.schemas import ActorPage, ActorSearch, ClaimPage, Graph
from stancestream.services.storage.vocabulary import (
    ActorParam,
    ListParam,
    TimeParam,
    choices,
    resolve_actors,
    resolve_or_none,
    split,
)
from stancestream.shared.contracts import EntityType

router = APIRouter(tags=["query"])
ENTITY_TYPES = set(get_args(EntityType))

MAX_OFFSET = 1_000_000_000  # beyond, SQLite and PostgreSQL overflow their integers (a 500)


def _iso_only(value: object) -> object:
    """A time parameter is ISO-8601 text; pydantic would also read "0.5" as a Unix time."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO-8601 date or date-time, e.g. 2024-05-01T10:00:00Z")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_only)]
Since = Annotated[
    IsoTime | None, Query(description="window start, ISO-8601 (UTC when no offset), inclusive")
]
Until = Annotated[IsoTime | None, Query(description="window end, ISO-8601, exclusive")]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows skipped")]
# names and aliases never hold control characters; "%00" would otherwise match every actor
SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="name, alias or QID",
    ),
]


def _queries(request: Request) -> Queries:
    return request.app.state.queries


QueriesDep = Annotated[Queries, Depends(_queries)]


def utc(t: datetime | None, name: str = "time") -> datetime | None:
    """``t`` as aware UTC (naive means UTC); 422 for a time UTC cannot hold (year 9999 at
    -14:00 is past the last datetime)."""
    if t is None:
        return None
    if t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    try:
        return t.astimezone(UTC)
    except OverflowError as exc:
        raise bad_param(name, f"{name}={t.isoformat()} is out of range in UTC") from exc


def window(since: datetime | None, until: datetime | None) -> tuple[datetime | None, ...]:
    """The time window, aware UTC; 422 when it is empty."""
    since, until = utc(since, "since"), utc(until, "until")
    if since is not None and until is not None and since >= until:
        raise bad_param("until", f"empty window: since ({since}) must be before until ({until})")
    return since, until


@router.get("/actors", response_model=ActorSearch)
async def search_actors(
    queries: QueriesDep,
    q: SearchText,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ActorSearch:
    """Actors by id/QID (exact), name or any alias it was written as (substring, any case);
    exact matches first, then by number of stances."""
    if not q.strip():
        raise bad_param("q", "q must not be blank")
    return await queries.search_actors(q, limit, offset)


@router.get(
    "/actors/{actor_id:path}",
    response_model=ActorPage,
    responses={404: {"description": "no actor with this id"}},
)
async def actor_page(
    actor_id: str,
    queries: QueriesDep,
    since: Since = None,
    until: Until = None,
    time: TimeParam = "published",
    limit: Limit = 50,
    offset: Offset = 0,
) -> ActorPage:
    """One actor: its names, affiliations, and the stances it holds (by target) and receives
    (by source) in the window, with counts per label and mean score; ``limit``/``offset`` page
    both lists."""
    s, u = window(since, until)
    page = await queries.actor_page(actor_id, s, u, limit, offset, time)
    if page is None:
        raise HTTPException(404, f"actor {actor_id!r} not found: search with GET /actors?q=")
    return page


@router.get("/graph", response_model=Graph)
async def graph(
    queries: QueriesDep,
    since: Since = None,
    until: Until = None,
    time: TimeParam = "published",
    min_count: Annotated[int, Query(ge=1, description="edges seen at least this often")] = 1,
    types: ListParam = None,
    countries: ListParam = None,
    outlets: ListParam = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="edges per page")] = 500,
    offset: Offset = 0,
) -> Graph:
    """The directed actor-to-actor stance graph: one edge per (source, target) with support /
    oppose / neutral counts and mean score, most frequent first; nodes are the page's endpoints
    with their activity. ``types``: both actors of these entity types; ``countries``: an actor is
    the country (id, QID or name) or affiliated with it; ``outlets``: article sources, by publisher
    name (``Reuters`` finds ``ReutersIndia`` and ``Reuters_Co_Uk``)."""
    s, u = window(since, until)
    f = GraphFilter(
        since=s,
        until=u,
        min_count=min_count,
        types=choices(types, sorted(ENTITY_TYPES), "types"),
        countries=await resolve_actors(
            queries.sessionmaker, split(countries), "countries", "country"
        ),
        outlets=await _outlets(queries, split(outlets)),
        time=time,
    )
    return await queries.graph(f, limit, offset)


async def _outlets(queries: Queries, outlets: tuple[str, ...]) -> tuple[str, ...]:
    """The stored spellings of these outlets; none stored: the values as given (match nothing)."""
    if not outlets:
        return ()
    return await queries.outlet_sources(outlets) or outlets


@router.get("/claims", response_model=ClaimPage)
async def claims(
    queries: QueriesDep,
    actor: ActorParam = None,
    article_id: str | None = None,
    speaker: ActorParam = None,
    since: Since = None,
    until: Until = None,
    time: TimeParam = "published",
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClaimPage:
    """Claims (newest article first) with evidence text, speaker, article link and the stances
    read from each; ``actor``: claims it speaks or has a stance in."""
    s, u = window(since, until)
    return await queries.claims(
        actor=await resolve_or_none(queries.sessionmaker, actor, "actor"),
        article_id=article_id,
        speaker=await resolve_or_none(queries.sessionmaker, speaker, "speaker"),
        since=s,
        until=u,
        limit=limit,
        offset=offset,
        time=time,
    )
