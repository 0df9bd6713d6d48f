"""initial schema: articles, entities, article_entities, claims, stances

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# timestamps are UTC; stancestream.services.storage.tables.UTCDateTime maps them on SQLite
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(128), nullable=True),
        sa.Column("ingested_at", TS, nullable=True),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_index("ix_articles_published_at", "articles", ["published_at"])

    op.create_table(
        "entities",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("wikidata", sa.String(32), nullable=True),
    )

    op.create_table(
        "article_entities",
        sa.Column("article_id", sa.String(64),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("affiliation", sa.String(255), nullable=True),
    )
    op.create_index("ix_article_entities_entity_id", "article_entities", ["entity_id"])

    op.create_table(
        "claims",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("article_id", sa.String(64),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker", sa.String(255), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
    )
    op.create_index("ix_claims_article_id", "claims", ["article_id"])

    op.create_table(
        "stances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("article_id", sa.String(64),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_index("ix_stances_article_id", "stances", ["article_id"])
    op.create_index("ix_stances_claim_id", "stances", ["claim_id"])
    op.create_index("ix_stances_created_at", "stances", ["created_at"])
    op.create_index("ix_stances_source_created_at", "stances", ["source", "created_at"])
    op.create_index("ix_stances_target_created_at", "stances", ["target", "created_at"])


def downgrade() -> None:
    op.drop_table("stances")
    op.drop_table("claims")
    op.drop_table("article_entities")
    op.drop_table("entities")
    op.drop_table("articles")
