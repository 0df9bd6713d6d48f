"""query API: entity_aliases table, indexes for actor search, graph filters and claims by speaker

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entity_aliases",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("alias_norm", sa.String(255), primary_key=True),
        sa.Column("alias", sa.Text(), nullable=False),
    )
    op.create_index("ix_entity_aliases_alias_norm", "entity_aliases", ["alias_norm"])
    op.create_index("ix_entities_wikidata", "entities", ["wikidata"])
    op.create_index("ix_articles_source", "articles", ["source"])
    op.create_index("ix_claims_speaker", "claims", ["speaker"])
    op.create_index("ix_stances_source_target", "stances", ["source", "target"])
    # backfill: every stored actor's name is an alias (mentions come with the next batches)
    op.execute(
        "INSERT INTO entity_aliases (entity_id, alias_norm, alias) "
        "SELECT id, lower(substr(name, 1, 255)), name FROM entities"
    )


def downgrade() -> None:
    op.drop_index("ix_stances_source_target", table_name="stances")
    op.drop_index("ix_claims_speaker", table_name="claims")
    op.drop_index("ix_articles_source", table_name="articles")
    op.drop_index("ix_entities_wikidata", table_name="entities")
    op.drop_table("entity_aliases")
