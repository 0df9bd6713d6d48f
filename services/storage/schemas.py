"""What the storage API returns: pydantic response models, separate from the table classes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stancestream.shared.contracts import EntityType, Span, StanceLabel


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ArticleEntityOut(_Out):
    """An actor as it appears in one article."""

    id: str
    name: str
    type: EntityType | str
    wikidata: str | None = None
    mentions: list[Span] = Field(default_factory=list)
    affiliation: str | None = None


class ClaimOut(_Out):
    id: str
    span: Span
    text: str
    speaker: str | None = None
    kind: str
    mentions: list[dict[str, Any]] = Field(default_factory=list)


class ArticleOut(_Out):
    """An article with its actors and claims; ``text`` is null until ``articles.v1`` brings it."""

    id: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    text: str | None = None
    content_hash: str | None = None
    ingested_at: datetime | None = None
    stored_at: datetime
    entities: list[ArticleEntityOut] = Field(default_factory=list)
    claims: list[ClaimOut] = Field(default_factory=list)
    stance_count: int = 0


class StanceOut(_Out):
    """One stance with the names of its actors and the text of its claim."""

    id: str
    article_id: str
    claim_id: str
    claim_text: str | None = None
    source: str
    source_name: str | None = None
    target: str
    target_name: str | None = None
    stance: StanceLabel
    score: float
    scores: dict[str, float] = Field(default_factory=dict)
    model: str
    basis: str | None = None  # speaker | predicate | context (see "How a stance is read")
    cue: str | None = None
    created_at: datetime
    stored_at: datetime


class StancePage(BaseModel):
    items: list[StanceOut]
    total: int
    limit: int
    offset: int


class StanceEvidence(BaseModel):
    """One claim behind an article-level stance."""

    claim_id: str
    claim_text: str | None = None
    stance: StanceLabel
    score: float
    basis: str | None = None
    cue: str | None = None


class ArticleStanceOut(BaseModel):
    """One article's stance of ``source`` toward ``target``: the majority of its claims'
    support/oppose stances (``mixed`` on a tie, ``neutral`` when every claim is neutral), with
    the per-label claim counts and the non-neutral claims as evidence."""

    article_id: str
    source: str
    source_name: str | None = None
    target: str
    target_name: str | None = None
    stance: Literal["support", "oppose", "neutral", "mixed"]
    support: int
    oppose: int
    neutral: int
    score: float  # the highest score among the claims with the article-level label
    created_at: datetime
    evidence: list[StanceEvidence] = Field(default_factory=list)


class ArticleStancePage(BaseModel):
    items: list[ArticleStanceOut]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str  # "ok" or "degraded"
    db: str  # "ok" or the error
    readiness: dict[str, Any] = Field(default_factory=dict)
