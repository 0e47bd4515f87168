"""Named staff accounts (专员 | 管理员) with per-account API keys; sessions and staff conversations record the account.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "staff_api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staff_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_api_keys_account_id", "staff_api_keys", ["account_id"])
    with op.batch_alter_table("staff_sessions") as batch:
        batch.alter_column("key_fingerprint", existing_type=sa.String(length=64), nullable=True)
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_staff_sessions_account", "staff_accounts", ["account_id"], ["id"],
                                 ondelete="CASCADE")  # fmt: skip
        batch.create_index("ix_staff_sessions_account_id", ["account_id"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("started_by", sa.String(length=50), nullable=True))
        batch.create_foreign_key("fk_conversations_account", "staff_accounts", ["account_id"], ["id"],
                                 ondelete="SET NULL")  # fmt: skip
        batch.create_index("ix_conversations_account_id", ["account_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_account_id")
        batch.drop_constraint("fk_conversations_account", type_="foreignkey")
        batch.drop_column("started_by")
        batch.drop_column("account_id")
    op.execute("DELETE FROM staff_sessions WHERE key_fingerprint IS NULL")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_index("ix_staff_sessions_account_id")
        batch.drop_constraint("fk_staff_sessions_account", type_="foreignkey")
        batch.drop_column("account_id")
        batch.alter_column("key_fingerprint", existing_type=sa.String(length=64), nullable=False)
    op.drop_index("ix_staff_api_keys_account_id", table_name="staff_api_keys")
    op.drop_table("staff_api_keys")
    op.drop_table("staff_accounts")
