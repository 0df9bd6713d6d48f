"""What the storage API returns (articles, stances, health; the query API's actors, graph and
claims): pydantic response models, separate from the table classes, that downstream code can
rely on."""

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
    story: str | None = Field(
        None,
        description="id of the first stored article of its story (this one's own id when it is "
        "the first; null until its text is stored)",
    )
    story_copies: list[str] = Field(
        default_factory=list,
        description="the other stored articles of its story (near-duplicate copies), oldest first",
    )
    entities: list[ArticleEntityOut] = Field(default_factory=list)
    claims: list[ClaimOut] = Field(default_factory=list)
    stance_count: int = 0


class ClaimStance(_Out):
    """A stance read from a claim: who toward whom (with their names), the label and its score
    (in a claim's listing, ``ClaimItem.stances``)."""

    id: str
    source: str
    source_name: str | None = None
    target: str
    target_name: str | None = None
    stance: StanceLabel
    score: float


class StanceOut(ClaimStance):
    """One stance with the names of its actors and the text of its claim."""

    article_id: str
    claim_id: str
    claim_text: str | None = None
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


# ---- the query API: actors, graph, claims ---------------------------------------------------
class Page(BaseModel):
    """Pagination of every list: ``total`` rows match, ``limit`` from ``offset`` are returned."""

    total: int
    limit: int
    offset: int


class Actor(BaseModel):
    """Who an actor is: what an actor search hit and an actor page both start with."""

    id: str
    name: str
    type: str
    wikidata: str | None = None
    aliases: list[str] = Field(default_factory=list)


class ActorHit(Actor):
    stance_count: int = 0  # stances held + received, all time


class ActorSearch(Page):
    items: list[ActorHit]


class Counts(BaseModel):
    """Stances of one directed pair (or one actor): per label and the mean model score (per
    claim); per article: ``articles_support`` / ``articles_oppose`` count the articles with at
    least one such stance; per story (an article and its near-duplicate copies in other
    outlets count once): ``stories``, ``stories_support``, ``stories_oppose``; and
    ``signed_score`` = (stories_support - stories_oppose) / (stories_support + stories_oppose),
    in [-1, 1] (0 when neither), so a pair's many neutral co-mentions, one article's repeated
    quotes or one wire story run by many outlets do not decide its sign."""

    count: int
    support: int = 0
    oppose: int = 0
    neutral: int = 0
    mean_score: float | None = None
    articles: int = 0
    articles_support: int = 0
    articles_oppose: int = 0
    stories: int = 0
    stories_support: int = 0
    stories_oppose: int = 0
    signed_score: float = 0.0


class PairAgg(Counts):
    """An actor's stances toward one ``other`` actor (held) or from one (received)."""

    other: str
    other_name: str | None = None
    other_type: str | None = None
    last_seen: datetime | None = None


class PairPage(Page):
    items: list[PairAgg]


class ActorPage(Actor):
    """An actor page: who it is, and its stances held/received over ``since``..``until``."""

    affiliations: list[str] = Field(default_factory=list)  # entity ids it speaks for
    since: datetime | None = None
    until: datetime | None = None
    held: PairPage
    received: PairPage


class GraphNode(BaseModel):
    id: str
    name: str
    type: str
    wikidata: str | None = None
    activity: int  # stances held + received in the filtered window
    held: int = 0
    received: int = 0


class GraphEdge(Counts):
    source: str
    target: str


class Graph(Page):
    """Directed stance graph; ``total`` counts edges, nodes are the endpoints of this page."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ArticleRef(BaseModel):
    id: str
    url: str | None = None
    title: str | None = None
    source: str | None = None  # as the feed or page gave it ("ReutersIndia")
    outlet: str | None = None  # the publisher it names ("Reuters")
    published_at: datetime | None = None


class ClaimItem(BaseModel):
    """A claim with its evidence text, speaker, article link and the stances read from it."""

    id: str
    text: str
    kind: str
    span: tuple[int, int]
    speaker: str | None = None
    speaker_name: str | None = None
    article: ArticleRef
    stances: list[ClaimStance] = Field(default_factory=list)


class ClaimPage(Page):
    items: list[ClaimItem]
