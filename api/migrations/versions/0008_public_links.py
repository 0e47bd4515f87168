"""Public assistant links (no project, own rate limits and allowed embedding origins); visitors' conversations
record the link they came through.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_links",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.Column("rate", sa.String(length=100), nullable=False),
        sa.Column("visitor_rate", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("public_link_id", sa.String(length=16), nullable=True))
        batch.create_foreign_key("fk_conversations_public_link", "public_links", ["public_link_id"], ["id"],
                                 ondelete="SET NULL")  # fmt: skip
        batch.create_index("ix_conversations_public_link_id", ["public_link_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_public_link_id")
        batch.drop_constraint("fk_conversations_public_link", type_="foreignkey")
        batch.drop_column("public_link_id")
    op.drop_table("public_links")
