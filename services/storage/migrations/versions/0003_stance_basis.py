"""stances: why the pair was read (basis) and the cue word, so a reader can check each stance

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stances") as batch:
        batch.add_column(sa.Column("basis", sa.String(16), nullable=True))
        batch.add_column(sa.Column("cue", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stances") as batch:
        batch.drop_column("cue")
        batch.drop_column("basis")
