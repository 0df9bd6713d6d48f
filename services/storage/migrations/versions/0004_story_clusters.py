"""articles: the story an article belongs to (near-duplicate copies), and the sketches that find it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("story", sa.String(64), nullable=True))
    op.create_index("ix_articles_story", "articles", ["story"])
    op.create_table(
        "article_sketches",
        sa.Column("hash", sa.BigInteger(), primary_key=True),
        sa.Column(
            "article_id",
            sa.String(64),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )


def downgrade() -> None:
    op.drop_table("article_sketches")
    op.drop_index("ix_articles_story", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("story")
