"""Response models of the query API (actors, graph, claims): what downstream code can rely on."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from stancestream.shared.contracts import StanceLabel


class Page(BaseModel):
    """Pagination of every list: ``total`` rows match, ``limit`` from ``offset`` are returned."""

    total: int
    limit: int
    offset: int


class ActorHit(BaseModel):
    id: str
    name: str
    type: str
    wikidata: str | None = None
    aliases: list[str] = Field(default_factory=list)
    stance_count: int = 0  # stances held + received, all time


class ActorSearch(Page):
    items: list[ActorHit]


class Counts(BaseModel):
    """Stances of one directed pair (or one actor): per label and the mean model score (per
    claim), and per article: ``articles_support`` / ``articles_oppose`` count the articles with at
    least one such stance, and ``signed_score`` = (articles_support - articles_oppose) /
    (articles_support + articles_oppose), in [-1, 1] (0 when neither), so a pair's many neutral
    co-mentions or one article's repeated quotes do not decide its sign."""

    count: int
    support: int = 0
    oppose: int = 0
    neutral: int = 0
    mean_score: float | None = None
    articles: int = 0
    articles_support: int = 0
    articles_oppose: int = 0
    signed_score: float = 0.0


class PairAgg(Counts):
    """An actor's stances toward one ``other`` actor (held) or from one (received)."""

    other: str
    other_name: str | None = None
    other_type: str | None = None
    last_seen: datetime | None = None


class PairPage(Page):
    items: list[PairAgg]


class ActorPage(BaseModel):
    """An actor page: who it is, and its stances held/received over ``since``..``until``."""

    id: str
    name: str
    type: str
    wikidata: str | None = None
    aliases: list[str] = Field(default_factory=list)
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


class ClaimStance(BaseModel):
    id: str
    source: str
    source_name: str | None = None
    target: str
    target_name: str | None = None
    stance: StanceLabel
    score: float


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
