"""The message contract between services and for downstream consumers: versioned pydantic models.

Streams and their models: ``articles.v1`` -> :class:`Article`, ``claims.v1`` ->
:class:`LinkedArticle`, ``stances.v1`` -> :class:`StanceBatch`; every ``<stream>.dlq`` ->
:class:`DeadLetter`. Ids are deterministic (hashes of content), so redelivery never duplicates rows.
Offsets are character offsets, end exclusive.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

StanceLabel = Literal["support", "oppose", "neutral"]
EntityType = Literal[
    "person", "org", "gov", "country", "location", "group", "intl_org", "media", "party", "other"
]
Span = tuple[int, int]


def stable_id(*parts: str, prefix: str = "", size: int = 16) -> str:
    """Deterministic id from its parts: ``prefix`` + ``size`` hex chars of their sha1."""
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:size]
    return f"{prefix}{h}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)


class Trace(_Model):
    """When the article entered the pipeline and when each service finished it (UTC)."""

    ingested_at: datetime = Field(default_factory=utcnow)
    stages: dict[str, datetime] = Field(default_factory=dict)

    def mark(self, stage: str) -> Trace:
        self.stages[stage] = utcnow()
        return self


class ArticleMeta(_Model):
    """What every later stage needs to know about the article, without its text."""

    # the limits are the storage columns' (the same on SQLite and PostgreSQL)
    id: str = Field(min_length=1, max_length=64)
    url: str | None = Field(None, pattern=r"^https?://")  # links are followed by readers
    title: str | None = None
    source: str | None = Field(None, max_length=255)  # outlet or feed the article came from
    published_at: datetime | None = None


class Article(ArticleMeta):
    """``articles.v1``: one extracted, normalised, deduplicated news article."""

    schema_version: Literal[1] = 1
    text: str = Field(min_length=1)
    content_hash: str = Field(max_length=128)
    trace: Trace = Field(default_factory=Trace)

    def meta(self) -> ArticleMeta:
        return ArticleMeta(**self.model_dump(include=set(ArticleMeta.model_fields)))


class Entity(_Model):
    """An actor in one article: the spans that name it, the pronouns and descriptions read as
    it, its KB link when verified, its affiliation."""

    # Wikidata QID when linked, else a stable local id ("local:<type>:<normalised name>")
    id: str = Field(max_length=255)
    name: str
    type: EntityType = "other"
    wikidata: str | None = None
    mentions: list[Span] = Field(default_factory=list)  # names: "Igor Konashenkov", "Konashenkov"
    # pronouns and descriptions the reading resolved to the actor ("he", "the Russian general"):
    # not names of it, so not what a KB link or an alias is made of
    references: list[Span] = Field(default_factory=list)
    affiliation: str | None = None  # entity id of the organisation a person speaks for


class ClaimMention(_Model):
    """An actor mention inside a claim's ``text`` (offsets relative to the claim text).

    ``holder``: the mention is a grammatical subject, passive agent or possessor in its sentence,
    the positions from which news sentences express a stance ("A accused B", "B was praised by
    A", "A's attack on B"); the stance service scores pairs from holders (and the speaker).
    """

    entity: str
    span: Span
    holder: bool = False


Basis = Literal["speaker", "predicate", "context"]


class ClaimPair(_Model):
    """A directed pair that the reading of a claim supports scoring, and why.

    ``speaker``: the claim's speaker toward an actor of their own quote or reported statement
    (never toward their own organisation, country or the actors of their attribution phrase).
    ``predicate``: the holder (subject, agent, possessor) of a stance-bearing verb or noun toward
    its object ("A accused B", "A's criticism of B", "a deal with B"); ``cue`` is the lemma and
    ``polarity`` what the word itself says, when it says it. ``context``: an authority's
    agentless act in the outlet's sentence, credited to the authority whose account it continues
    ("..., police said. Charged were A and B"); its source need not be named in the claim.
    """

    source: str
    target: str
    basis: Basis
    cue: str | None = None
    polarity: Literal["support", "oppose"] | None = None


class Claim(_Model):
    """A statement: a quote or reported speech with its speaker, or a sentence by the outlet.

    ``pairs``: the directed pairs the linker read as candidate stances. The stance service scores
    only these; ``None`` (a linker older than this field) means every ordered pair of actors.
    """

    id: str
    span: Span  # in the article text
    text: str
    speaker: str | None = None  # entity id
    kind: Literal["quote", "reported", "sentence"] = "sentence"
    mentions: list[ClaimMention] = Field(default_factory=list)
    pairs: list[ClaimPair] | None = None

    @model_validator(mode="after")
    def _spans_inside(self) -> Claim:
        for m in self.mentions:
            if not (0 <= m.span[0] < m.span[1] <= len(self.text)):
                raise ValueError(f"mention {m.span} of {m.entity} lies outside the claim text")
        known = {m.entity for m in self.mentions} | {self.speaker}
        for p in self.pairs or ():
            inside = p.source in known or p.basis == "context"
            if not inside or p.target not in known or p.source == p.target:
                raise ValueError(f"pair {p.source} -> {p.target} is not between claim actors")
        return self


class LinkedArticle(_Model):
    """``claims.v1``: an article's actors and claims, ready for stance scoring."""

    schema_version: Literal[1] = 1
    article: ArticleMeta
    entities: list[Entity]
    claims: list[Claim]
    trace: Trace = Field(default_factory=Trace)


class Stance(_Model):
    """The stance of ``source`` toward ``target`` expressed in one claim.

    ``scores`` are the model's probabilities; ``stance`` is the decision: the model's label when
    its probability clears the decision threshold, else neutral, and for a ``predicate`` pair
    whose cue word states a polarity ("accused", "praised", "sued") that polarity. ``score`` is
    the model's probability of ``stance``; for a cue-decided label, the probability that the
    model does not give the opposite polarity. ``basis`` says
    which reading produced the pair (see :class:`ClaimPair`); ``None`` for an unread claim.
    """

    id: str
    claim: str
    source: str
    target: str
    stance: StanceLabel
    score: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float] = Field(default_factory=dict)
    basis: Basis | None = None
    cue: str | None = None

    @staticmethod
    def make_id(claim: str, source: str, target: str) -> str:
        return stable_id(claim, source, target, prefix="s_")


class StanceBatch(_Model):
    """``stances.v1``: all stances of one article, with the actors and claims they refer to."""

    schema_version: Literal[1] = 1
    article: ArticleMeta
    entities: list[Entity]
    claims: list[Claim]
    stances: list[Stance]
    model: str
    trace: Trace = Field(default_factory=Trace)


class DeadLetter(_Model):
    """``<stream>.dlq``: a message a service refused, with why, so nothing is silently lost."""

    stream: str
    message_id: str
    service: str
    error: str
    attempts: int = 1
    payload: str  # the original entry, as JSON of its fields (bytes decoded with replacement)
    failed_at: datetime = Field(default_factory=utcnow)
