"""Knowledge changes staff propose, review and restore (every version kept); feedback links to the change it caused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=50), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=50), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["staff_accounts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_knowledge_changes_item_id", "knowledge_changes", ["item_id"])
    op.create_index("ix_knowledge_changes_status", "knowledge_changes", ["status"])
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("change_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_feedback_change", "knowledge_changes", ["change_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_feedback_change_id", ["change_id"])


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_change_id")
        batch.drop_constraint("fk_feedback_change", type_="foreignkey")
        batch.drop_column("change_id")
    op.drop_index("ix_knowledge_changes_status", table_name="knowledge_changes")
    op.drop_index("ix_knowledge_changes_item_id", table_name="knowledge_changes")
    op.drop_table("knowledge_changes")
