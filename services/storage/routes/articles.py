"""``GET /articles/{id}``: one stored article with its actors, claims and stance count (``POST
/articles``, taking articles in, is :mod:`.push`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from stancestream.services.storage.routes.query import QueriesDep
from stancestream.services.storage.schemas import ArticleOut

router = APIRouter()


@router.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={404: {"description": "no article with this id"}},
)
async def get_article(article_id: str, queries: QueriesDep) -> ArticleOut:
    """One article with its actors, claims and stance count."""
    art = await queries.get_article(article_id)
    if art is None:
        raise HTTPException(404, f"article {article_id!r} not found: not stored (yet)")
    return art
