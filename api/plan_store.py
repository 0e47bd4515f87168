"""Plans stored by their pieces: each distinct piece once, each project a skeleton that points at them.

A plan is ~430 KB of UTF-8 JSON, and nearly all of it is knowledge text (requirements, 事项, citations, problems,
steps) that projects of the same kinds share word for word. So every element of the plan's top-level lists of
objects is a piece, kept once in ``plan_parts`` under a digest of its content; ``project_plans`` holds the rest of
the plan and, per list, the digests in order. Both are zlib-compressed UTF-8 JSON (``CompressedJSON``).
Measured on 70 real plans of 7 kinds with varied facts: ~62 KB per plan compressed whole, ~6 KB of skeleton
per plan with ~870 shared pieces (~500 KB) in all (see ``bench/projects_scale.py`` for the database as a whole).

Pieces are content-addressed, so a piece that no plan uses any more (after a plan is regenerated from changed
knowledge) stays, at most once; they are written with "insert or ignore", so concurrent writers do not collide.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.db.models import PlanPart, ProjectPlan

Plan = dict[str, Any]
# Both dialects can "insert or ignore"; their Insert classes share no base class that declares it.
INSERTS_IGNORING_DUPLICATES: dict[str, Callable[[list[dict[str, Any]]], Executable]] = {
    "sqlite": lambda rows: sqlite.insert(PlanPart).values(rows).on_conflict_do_nothing(),
    "postgresql": lambda rows: postgresql.insert(PlanPart).values(rows).on_conflict_do_nothing(),
}


def digest(piece: dict[str, Any]) -> str:
    """96 bits of BLAKE2b over the canonical JSON, URL-safe base64 (16 characters)."""
    canonical = json.dumps(piece, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(hashlib.blake2b(canonical, digest_size=12).digest()).decode("ascii")


def split(plan: Plan) -> tuple[Plan, dict[str, dict[str, Any]]]:
    """(skeleton, pieces by digest): lists of objects become lists of digests under ``parts``."""
    skeleton: Plan = {"fields": {}, "parts": {}}
    pieces: dict[str, dict[str, Any]] = {}
    for key, value in plan.items():
        if isinstance(value, list) and value and all(isinstance(element, dict) for element in value):
            refs = [digest(element) for element in value]
            pieces.update(zip(refs, value, strict=True))
            skeleton["parts"][key] = refs
        else:
            skeleton["fields"][key] = value
    return skeleton, pieces


def join(skeleton: Plan, pieces: dict[str, dict[str, Any]]) -> Plan:
    return {**skeleton["fields"], **{key: [pieces[ref] for ref in refs] for key, refs in skeleton["parts"].items()}}


def save_plan(session: Session, project_id: str, plan: Plan) -> None:
    """Store (or replace) a project's plan, adding the pieces not stored yet. The project row must exist."""
    skeleton, pieces = split(plan)
    known = set(session.scalars(select(PlanPart.digest).where(PlanPart.digest.in_(pieces))))
    missing = [{"digest": ref, "body": piece} for ref, piece in pieces.items() if ref not in known]
    if missing:
        session.execute(INSERTS_IGNORING_DUPLICATES[session.get_bind().dialect.name](missing))
    row = session.get(ProjectPlan, project_id)
    if row is None:
        session.add(ProjectPlan(project_id=project_id, skeleton=skeleton))
    else:
        row.skeleton = skeleton


def load_plan(session: Session, project_id: str) -> Plan:
    row = session.get(ProjectPlan, project_id)
    if row is None:
        return {}
    refs = {ref for refs in row.skeleton["parts"].values() for ref in refs}
    rows = session.execute(select(PlanPart.digest, PlanPart.body).where(PlanPart.digest.in_(refs)))
    pieces = {ref: body for ref, body in rows}
    return join(row.skeleton, pieces)
