"""The query vocabulary every list endpoint shares: list values, the time axis, unknown
parameters refused, actor filters that take an id, a QID or a name.

- List parameters (``stance``, ``types``, ``countries``, ``outlets``) may be repeated or
  comma-separated: ``stance=oppose&stance=support`` is ``stance=oppose,support``.
- ``time=published`` (default): windows compare with the article's publication time (the time it
  was stored when it has none); ``time=ingested``: with the time ingestion took it in.
- A query parameter an endpoint does not take is a 422 naming it (a typo never widens a query).
- An actor filter resolves as :func:`resolve_actor` says; a name several actors carry is a 422
  listing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import func, select

from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.param_errors import bad_param
from stancestream.services.storage.repository import norm_alias
from stancestream.services.storage.tables import EntityAliasRow, EntityRow

TimeAxis = Literal["published", "ingested"]
TimeParam = Annotated[
    TimeAxis,
    Query(
        description="what since/until compare with: published (the article's publication time, "
        "or when it was stored if it has none) or ingested (when ingestion took it in)"
    ),
]
ListParam = Annotated[
    list[str] | None, Query(description="repeat the parameter or separate values with commas")
]
ActorParam = Annotated[
    str | None,
    Query(
        description="an actor: entity id, Wikidata QID, or a name or alias it was written as "
        "(any case); a name several actors carry is a 422 listing them"
    ),
]
MAX_CANDIDATES = 10


def split(values: Sequence[str] | None) -> tuple[str, ...]:
    """``?x=a,b&x=c`` -> ("a", "b", "c")."""
    return tuple(v.strip() for raw in values or [] for v in raw.split(",") if v.strip())


def choices(values: Sequence[str] | None, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    """The values of a list parameter, each one of ``allowed``; 422 naming the others."""
    got = split(values)
    bad = sorted(set(got) - set(allowed))
    if bad:
        raise bad_param(name, f"unknown {name} value(s) {bad}; choose from {list(allowed)}")
    return got


def _query_names(dependant: Any) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_params(request: Request) -> None:
    """422 for every query parameter the matched route does not declare, each named."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "loc": ["query", name],
                    "msg": f"unknown query parameter {name!r}; this endpoint takes: {takes}",
                    "type": "value_error",
                }
                for name in unknown
            ]
        )


async def resolve_actor(
    sessionmaker: Sessionmaker, value: str, name: str, entity_type: str | None = None
) -> str:
    """The entity id ``value`` means, tried in this order, the first that matches wins: an
    entity id; a Wikidata QID (any case); a name (any case, whitespace collapsed); an alias the
    actor was written as. Several actors at the winning step: 422 naming them. No actor at all:
    ``value`` itself (a filter on an actor not stored yet matches nothing, not everything)."""
    raw, norm = value.strip(), norm_alias(value)
    kind = [EntityRow.type == entity_type] if entity_type else []
    by_alias = select(EntityAliasRow.entity_id).where(EntityAliasRow.alias_norm == norm)
    steps = [
        EntityRow.id == raw,
        func.upper(EntityRow.wikidata) == raw.upper(),
        func.lower(EntityRow.name) == norm,
        EntityRow.id.in_(by_alias),
    ]
    async with sessionmaker() as session:
        for cond in steps:
            rows = (
                await session.execute(
                    select(EntityRow.id, EntityRow.name, EntityRow.type)
                    .where(cond, *kind)
                    .order_by(EntityRow.id)
                    .limit(MAX_CANDIDATES + 1)
                )
            ).all()
            if len(rows) == 1:
                return str(rows[0].id)
            if rows:
                listed = "; ".join(f"{r.id} ({r.name}, {r.type})" for r in rows[:MAX_CANDIDATES])
                more = " and more" if len(rows) > MAX_CANDIDATES else ""
                raise bad_param(
                    name,
                    f"{name}={value!r} is ambiguous: it names {listed}{more}; pass one's id",
                )
    return raw


async def resolve_or_none(sessionmaker: Sessionmaker, value: str | None, name: str) -> str | None:
    return None if value is None else await resolve_actor(sessionmaker, value, name)


async def resolve_actors(
    sessionmaker: Sessionmaker,
    values: Sequence[str],
    name: str,
    entity_type: str | None = None,
) -> tuple[str, ...]:
    return tuple(
        [await resolve_actor(sessionmaker, v, name, entity_type) for v in values if v.strip()]
    )
