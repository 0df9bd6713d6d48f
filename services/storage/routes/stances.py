"""``GET /stances``: stances with filters, one per article and ordered pair (the majority of its
claims) or one per claim, with actor names and claim text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from stancestream.services.storage.param_errors import bad_param
from stancestream.services.storage.queries import StanceFilter
from stancestream.services.storage.routes.query import (
    MAX_OFFSET,
    QueriesDep,
    Since,
    Until,
    window,
)
from stancestream.services.storage.schemas import ArticleStancePage, StancePage
from stancestream.services.storage.vocabulary import (
    ActorParam,
    TimeParam,
    choices,
    resolve_or_none,
)

router = APIRouter()
ARTICLE_LABELS = ("support", "oppose", "neutral", "mixed")  # mixed: a tie of support and oppose


@router.get("/stances", response_model=ArticleStancePage | StancePage)
async def list_stances(
    queries: QueriesDep,
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
    where = StanceFilter(
        article_id=article_id,
        source=await resolve_or_none(queries.sessionmaker, source, "source"),
        target=await resolve_or_none(queries.sessionmaker, target, "target"),
        since=s,
        until=u,
        time=time,
        stance=labels,
    )
    if view == "article":
        rows, total = await queries.article_stances(where, limit=limit, offset=offset)
        return ArticleStancePage(items=rows, total=total, limit=limit, offset=offset)
    items = await queries.list_stances(where, limit=limit, offset=offset)
    total = await queries.count_stances(where)
    return StancePage(items=items, total=total, limit=limit, offset=offset)
