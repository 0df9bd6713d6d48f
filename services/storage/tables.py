"""The storage schema: SQLAlchemy 2 declarative tables, the single source for Alembic migrations.

Ids are the pipeline's deterministic ids, so every write can be an upsert. Entity ids of stances
and speakers are not foreign keys: an actor may be referenced before its row exists, and queries
use outer joins. All timestamps are stored as UTC (see :class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: SQLite drops the offset, so store naive UTC there
    and attach UTC again on the way out (naive input is taken as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    """One article. Metadata may come first from a StanceBatch (``text`` still NULL)."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(128))
    ingested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the id of the first stored article of its story (near-duplicate copies; ``stories.py``);
    # NULL before its text is stored, and for articles stored before 0004: its own story
    story: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_source", "source"),  # the graph's outlet filter (0002)
        Index("ix_articles_story", "story"),  # (0004)
    )


class ArticleSketchRow(Base):
    """The smallest shingle hashes of an article's text, by which its copies find it (0004)."""

    __tablename__ = "article_sketches"

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )


class EntityRow(Base):
    """An actor, shared by every article that mentions it (QID or stable local id)."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32), default="other")
    wikidata: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_entities_wikidata", "wikidata"),)


class EntityAliasRow(Base):
    """A surface form an actor was written as (its name, or a mention in a claim), so actor
    search finds "Konashenkov" or "the Pentagon" as well as the canonical name (revision 0002)."""

    __tablename__ = "entity_aliases"

    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    alias_norm: Mapped[str] = mapped_column(String(255), primary_key=True)  # casefolded
    alias: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_entity_aliases_alias_norm", "alias_norm"),)


class ArticleEntityRow(Base):
    """An actor's appearance in one article: its mentions and affiliation there."""

    __tablename__ = "article_entities"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    mentions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    affiliation: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (Index("ix_article_entities_entity_id", "entity_id"),)


class ClaimRow(Base):
    """A statement in an article (offsets into the article text, end exclusive)."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="sentence")
    mentions: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_claims_article_id", "article_id"),
        Index("ix_claims_speaker", "speaker"),  # claims by speaker (0002)
    )


class StanceRow(Base):
    """The stance of ``source`` toward ``target`` in one claim."""

    __tablename__ = "stances"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    claim_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))
    target: Mapped[str] = mapped_column(String(255))
    stance: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    model: Mapped[str] = mapped_column(String(255))
    basis: Mapped[str | None] = mapped_column(String(16), nullable=True)  # why it was read (0003)
    cue: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # article's published_at, or now
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_stances_article_id", "article_id"),
        Index("ix_stances_source_created_at", "source", "created_at"),
        Index("ix_stances_target_created_at", "target", "created_at"),
        Index("ix_stances_created_at", "created_at"),
        Index("ix_stances_claim_id", "claim_id"),
        Index("ix_stances_source_target", "source", "target"),  # graph edges (0002)
    )
