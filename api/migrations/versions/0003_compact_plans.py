"""Compact plans: each plan moves to ``project_plans`` as zlib-compressed UTF-8 JSON; projects keep type names.

Listing projects then reads neither plans nor anything that grows with them. Rows are converted a few at a time
(a stored plan is ~0.7 MB of ``\\u``-escaped JSON). The columns are added and dropped with plain ALTER TABLE
(SQLite ≥ 3.35), never by copying ``projects``: with foreign keys on, dropping the old copy of ``projects`` would
cascade-delete every item, link, conversation and history entry.

The storage format is written out here, not imported, so that this revision keeps converting the same way
whatever the application's code later becomes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROWS_PER_BATCH = 50

projects = sa.table(
    "projects",
    sa.column("id", sa.String),
    sa.column("plan", sa.JSON),
    sa.column("type_names", sa.JSON),
)
project_plans = sa.table("project_plans", sa.column("project_id", sa.String), sa.column("plan", sa.LargeBinary))


def pack(plan: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(plan, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def unpack(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(bytes(blob)).decode("utf-8"))


def batches_of_ids(bind: sa.Connection) -> list[list[str]]:
    ids = list(bind.execute(sa.select(projects.c.id).order_by(projects.c.id)).scalars())
    return [ids[start : start + ROWS_PER_BATCH] for start in range(0, len(ids), ROWS_PER_BATCH)]


def upgrade() -> None:
    op.create_table(
        "project_plans",
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("plan", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.add_column("projects", sa.Column("type_names", sa.JSON(), nullable=False, server_default="[]"))
    bind = op.get_bind()
    rename = (
        projects.update()
        .where(projects.c.id == sa.bindparam("project_id"))
        .values(type_names=sa.bindparam("names", type_=sa.JSON))
    )
    for chunk in batches_of_ids(bind):
        rows = bind.execute(sa.select(projects.c.id, projects.c.plan).where(projects.c.id.in_(chunk))).all()
        bind.execute(project_plans.insert(), [{"project_id": pid, "plan": pack(plan)} for pid, plan in rows])
        names = [{"project_id": pid, "names": [t["name"] for t in plan.get("project_types", [])]} for pid, plan in rows]
        bind.execute(rename, names)
    op.drop_column("projects", "plan")
    op.create_index("ix_projects_updated_at", "projects", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_projects_updated_at", table_name="projects")
    op.add_column("projects", sa.Column("plan", sa.JSON(), nullable=False, server_default="{}"))
    bind = op.get_bind()
    restore = (
        projects.update()
        .where(projects.c.id == sa.bindparam("project_id"))
        .values(plan=sa.bindparam("stored", type_=sa.JSON))
    )
    for chunk in batches_of_ids(bind):
        rows = bind.execute(
            sa.select(project_plans.c.project_id, project_plans.c.plan).where(project_plans.c.project_id.in_(chunk))
        ).all()
        if rows:
            bind.execute(restore, [{"project_id": pid, "stored": unpack(blob)} for pid, blob in rows])
    op.drop_table("project_plans")
    op.drop_column("projects", "type_names")
