"""Compact plans: each plan leaves ``projects`` for ``project_plans`` (a skeleton) and ``plan_parts`` (its pieces,
each distinct one stored once), both as zlib-compressed UTF-8 JSON; ``projects`` keeps the type names it lists.

Listing projects then reads nothing that grows with a plan. Rows are converted a few at a time (a stored plan is
~0.7 MB of ``\\u``-escaped JSON). Columns are added and dropped with plain ALTER TABLE (SQLite ≥ 3.35), never by
copying ``projects``: with foreign keys on, dropping the old copy of ``projects`` would cascade-delete every item,
link, conversation and history entry.

The storage format (``api.plan_store``, ``api.db.types``) is written out here, not imported, so that this
revision keeps converting the same way whatever the application's code later becomes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import base64
import hashlib
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
project_plans = sa.table("project_plans", sa.column("project_id", sa.String), sa.column("skeleton", sa.LargeBinary))
plan_parts = sa.table("plan_parts", sa.column("digest", sa.String), sa.column("body", sa.LargeBinary))


def pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(bytes(blob)).decode("utf-8"))


def digest(piece: dict[str, Any]) -> str:
    canonical = json.dumps(piece, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(hashlib.blake2b(canonical, digest_size=12).digest()).decode("ascii")


def split(plan: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    skeleton: dict[str, Any] = {"fields": {}, "parts": {}}
    pieces: dict[str, dict[str, Any]] = {}
    for key, value in plan.items():
        if isinstance(value, list) and value and all(isinstance(element, dict) for element in value):
            refs = [digest(element) for element in value]
            pieces.update(zip(refs, value, strict=True))
            skeleton["parts"][key] = refs
        else:
            skeleton["fields"][key] = value
    return skeleton, pieces


def join(skeleton: dict[str, Any], pieces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {**skeleton["fields"], **{key: [pieces[ref] for ref in refs] for key, refs in skeleton["parts"].items()}}


def batches_of_ids(bind: sa.Connection) -> list[list[str]]:
    ids = list(bind.execute(sa.select(projects.c.id).order_by(projects.c.id)).scalars())
    return [ids[start : start + ROWS_PER_BATCH] for start in range(0, len(ids), ROWS_PER_BATCH)]


def upgrade() -> None:
    op.create_table(
        "plan_parts",
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_table(
        "project_plans",
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("skeleton", sa.LargeBinary(), nullable=False),
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
    stored: set[str] = set()
    for chunk in batches_of_ids(bind):
        rows = bind.execute(sa.select(projects.c.id, projects.c.plan).where(projects.c.id.in_(chunk))).all()
        skeletons: list[dict[str, Any]] = []
        new: dict[str, dict[str, Any]] = {}
        for project_id, plan in rows:
            skeleton, pieces = split(plan)
            skeletons.append({"project_id": project_id, "skeleton": pack(skeleton)})
            new.update((ref, piece) for ref, piece in pieces.items() if ref not in stored)
        if new:
            bind.execute(plan_parts.insert(), [{"digest": ref, "body": pack(piece)} for ref, piece in new.items()])
            stored.update(new)
        bind.execute(project_plans.insert(), skeletons)
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
        select_skeletons = sa.select(project_plans.c.project_id, project_plans.c.skeleton)
        rows = [
            (pid, unpack(blob))
            for pid, blob in bind.execute(select_skeletons.where(project_plans.c.project_id.in_(chunk)))
        ]
        refs = {ref for _, skeleton in rows for refs in skeleton["parts"].values() for ref in refs}
        select_pieces = sa.select(plan_parts.c.digest, plan_parts.c.body).where(plan_parts.c.digest.in_(refs))
        pieces = {ref: unpack(blob) for ref, blob in bind.execute(select_pieces)}
        if rows:
            bind.execute(restore, [{"project_id": pid, "stored": join(skeleton, pieces)} for pid, skeleton in rows])
    op.drop_table("project_plans")
    op.drop_table("plan_parts")
    op.drop_column("projects", "type_names")
