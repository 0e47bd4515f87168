"""一项目一专员一方案: a project's dossier, its plan and checklist, its access links and its history."""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import ITEM_STATUSES, AccessLink, HistoryEntry, Project, ProjectItem, aware, now
from api.links import LinkSigner
from api.plan_store import load_plan, save_plan
from api.schemas import (
    HistoryOut,
    ItemOut,
    ItemUpdate,
    LinkOut,
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectSummary,
    ProjectUpdate,
    Regenerate,
)
from assistant.models import GuidanceResponse
from assistant.project_context import ProjectContext

Planner = Callable[[str, dict[str, Any] | None], GuidanceResponse]


class NotFound(LookupError):
    """The thing asked for does not exist; the message is Chinese."""


class Refused(ValueError):
    """A request that cannot be carried out as asked; the message is Chinese."""


class LinkRejected(PermissionError):
    """An operator link that is unknown, revoked or expired; ``status`` is 401 or 403."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Dossiers:
    def __init__(self, db: Database, planner: Planner, signer: LinkSigner, base_url: str, ttl_days: int) -> None:
        self.db = db
        self.planner = planner
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.ttl_days = ttl_days
        self._contexts: dict[str, tuple[datetime, ProjectContext]] = {}

    # -- projects ------------------------------------------------------------

    def create(self, data: ProjectCreate, actor: str) -> ProjectOut:
        plan = self.planner(data.description, data.facts)
        if plan.out_of_scope:
            raise Refused(plan.notice)
        with self.db.session() as session:
            project = Project(
                id=secrets.token_hex(6),
                name=data.name,
                description=data.description,
                specialist_name=data.specialist_name,
                specialist_phone=data.specialist_phone,
                fact_overrides=data.facts or {},
                created_by=actor,
            )
            session.add(project)
            session.flush()
            self._apply_plan(session, project, plan)
            session.flush()
            self._record(
                session, project.id, actor, "创建项目", {"types": project.type_ids, "items": len(project.items)}
            )
            self._new_link(session, project, actor)
            return self._out(session, project)

    def list(self, query: str | None = None, limit: int | None = None, offset: int = 0) -> ProjectPage:
        """Projects, most recently updated first: ``limit`` of them from ``offset``, and how many match in all.

        ``query`` is found literally in the name, 专员 or description (``%`` and ``_`` are no wildcards).
        Only the columns shown are read, never a plan; progress is counted for the projects on the page only.
        """
        match: ColumnElement[bool] = true()
        if query and query.strip():
            text = query.strip()
            columns = (Project.name, Project.specialist_name, Project.description)
            match = or_(*(column.icontains(text, autoescape=True) for column in columns))
        shown = (Project.id, Project.name, Project.specialist_name, Project.status, Project.type_names,
                 Project.updated_at)  # fmt: skip
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(Project).where(match)) or 0
            statement = select(*shown).where(match).order_by(Project.updated_at.desc(), Project.id.desc())
            rows = session.execute(statement.limit(limit).offset(offset)).all()
            progress = self._progress(session, [row.id for row in rows])
        projects = [
            ProjectSummary(
                **{**row._asdict(), "updated_at": aware(row.updated_at)}, progress=progress.get(row.id, "0/0")
            )
            for row in rows
        ]
        return ProjectPage(total=total, projects=projects)

    def context(self, project_id: str) -> ProjectContext:
        """What a chat about this project needs, rebuilt only when the project has changed since."""
        with self.db.session() as session:
            updated = session.scalar(select(Project.updated_at).where(Project.id == project_id))
        if updated is None:
            raise NotFound(f"项目 {project_id} 不存在")
        cached = self._contexts.get(project_id)
        if cached is not None and cached[0] == updated:
            return cached[1]
        built = project_context(self.get(project_id))
        self._contexts[project_id] = (updated, built)
        return built

    def get(self, project_id: str) -> ProjectOut:
        with self.db.session() as session:
            return self._out(session, self._project(session, project_id))

    def update(self, project_id: str, data: ProjectUpdate, actor: str) -> ProjectOut:
        with self.db.session() as session:
            project = self._project(session, project_id)
            changes = {}
            for field, value in data.model_dump(exclude_unset=True).items():
                if value is not None and getattr(project, field) != value:
                    changes[field] = [getattr(project, field), value]
                    setattr(project, field, value)
            if changes:
                self._record(session, project.id, actor, "修改项目信息", changes)
            return self._out(session, project)

    def regenerate(self, project_id: str, data: Regenerate, actor: str) -> ProjectOut:
        """A new plan for new facts; statuses and notes of items that remain are kept."""
        with self.db.session() as session:
            project = self._project(session, project_id)
            description = data.description or project.description
            merged = {**project.fact_overrides, **(data.facts or {})}
            overrides = {name: value for name, value in merged.items() if value is not None}  # null removes one
            plan = self.planner(description, overrides or None)
            if plan.out_of_scope:
                raise Refused(plan.notice)
            before = {item.item_id for item in project.items if item.active}
            project.description, project.fact_overrides = description, overrides
            self._apply_plan(session, project, plan)
            after = {item.item_id for item in project.items if item.active}
            detail = {"added": sorted(after - before), "removed": sorted(before - after), "facts": overrides}
            self._record(session, project.id, actor, "重新生成方案", detail)
            session.flush()
            return self._out(session, project)

    def update_item(self, project_id: str, item_id: str, data: ItemUpdate, actor: str) -> ItemOut:
        with self.db.session() as session:
            project = self._project(session, project_id)
            item = next((i for i in project.items if i.item_id == item_id), None)
            if item is None:
                raise NotFound(f"项目中没有条目 {item_id}")
            changes = {}
            if data.status is not None and data.status != item.status:
                changes["status"] = [item.status, data.status]
                item.status = data.status
            if data.note is not None and data.note != item.note:
                changes["note"] = [item.note, data.note]
                item.note = data.note
            if changes:
                item.updated_by = actor
                item.updated_at = datetime.now(UTC)
                project.updated_at = datetime.now(UTC)
                self._record(session, project.id, actor, "更新条目", {"item": item_id, "title": item.title, **changes})
            session.flush()
            return _item_out(item)

    def history(self, project_id: str) -> builtins.list[HistoryOut]:
        with self.db.session() as session:
            self._project(session, project_id)
            entries = session.scalars(
                select(HistoryEntry).where(HistoryEntry.project_id == project_id).order_by(HistoryEntry.id.desc())
            )
            return [
                HistoryOut(actor=e.actor, action=e.action, detail=e.detail, created_at=aware(e.created_at))
                for e in entries
            ]

    # -- access links --------------------------------------------------------

    def create_link(self, project_id: str, actor: str, revoke_others: bool = True) -> LinkOut:
        with self.db.session() as session:
            project = self._project(session, project_id)
            if revoke_others:
                for link in self._links(session, project_id):
                    if link.revoked_at is None:
                        link.revoked_at = datetime.now(UTC)
            link = self._new_link(session, project, actor)
            return self._link_out(link)

    def revoke_link(self, project_id: str, link_id: str, actor: str) -> LinkOut:
        with self.db.session() as session:
            link = session.get(AccessLink, link_id)
            if link is None or link.project_id != project_id:
                raise NotFound("访问链接不存在")
            if link.revoked_at is None:
                link.revoked_at = datetime.now(UTC)
                self._record(session, project_id, actor, "撤销访问链接", {"link": link_id})
            return self._link_out(link)

    def current_link(self, project_id: str) -> LinkOut:
        with self.db.session() as session:
            self._project(session, project_id)
            for link in self._links(session, project_id):
                out = self._link_out(link)
                if not out.revoked and aware(link.expires_at) > datetime.now(UTC):
                    return out
        raise NotFound("该项目没有有效的访问链接，请先生成新的二维码")

    def resolve(self, token: str) -> str:
        """The project id an operator token opens, or LinkRejected (401 unknown, 403 revoked/expired)."""
        link_id = self.signer.link_id(token)
        with self.db.session() as session:
            link = session.get(AccessLink, link_id) if link_id else None
            if link is None:
                raise LinkRejected("访问链接无效，请向您的专员索取项目二维码", 401)
            if link.revoked_at is not None:
                raise LinkRejected("该访问链接已被撤销，请向您的专员索取新的二维码", 403)
            if aware(link.expires_at) <= datetime.now(UTC):
                raise LinkRejected("该访问链接已过期，请向您的专员索取新的二维码", 403)
            return link.project_id

    # -- internals -----------------------------------------------------------

    def _apply_plan(self, session: Session, project: Project, plan: GuidanceResponse) -> None:
        save_plan(session, project.id, plan.model_dump(mode="json"))
        project.type_ids = [t.id for t in plan.project_types]
        project.type_names = [t.name for t in plan.project_types]
        existing = {item.item_id: item for item in project.items}
        wanted = {r.id for r in plan.requirements}
        for position, requirement in enumerate(plan.requirements):
            item = existing.get(requirement.id)
            if item is None:
                # An item that replaces earlier ones (merged in the knowledge base) takes over their progress:
                # the least advanced status, so that nothing looks further along than it is, and every note.
                merged = [existing[old] for old in requirement.replaces if old in existing and existing[old].active]
                status = min((m.status for m in merged), key=ITEM_STATUSES.index, default="待准备")
                note = "；".join(m.note for m in merged if m.note)
                item = ProjectItem(item_id=requirement.id, status=status, note=note[:2000], updated_at=now())
                project.items.append(item)
            item.dimension, item.title, item.position = requirement.dimension, requirement.title, position
            item.deferrable, item.active = bool(requirement.deferrable), True
        for item_id, item in existing.items():
            if item_id not in wanted:
                item.active = False
        project.updated_at = datetime.now(UTC)

    def _new_link(self, session: Session, project: Project, actor: str) -> AccessLink:
        link = AccessLink(
            id=LinkSigner.new_id(),
            project_id=project.id,
            expires_at=datetime.now(UTC) + timedelta(days=self.ttl_days),
            created_by=actor,
        )
        session.add(link)
        session.flush()
        self._record(
            session, project.id, actor, "生成访问链接", {"link": link.id, "expires_at": link.expires_at.isoformat()}
        )
        return link

    def _links(self, session: Session, project_id: str) -> builtins.list[AccessLink]:
        return list(
            session.scalars(
                select(AccessLink).where(AccessLink.project_id == project_id).order_by(AccessLink.created_at.desc())
            )
        )

    def _link_out(self, link: AccessLink) -> LinkOut:
        token = self.signer.token(link.id)
        return LinkOut(id=link.id, url=f"{self.base_url}/c/{token}", token=token, expires_at=aware(link.expires_at),
                       revoked=link.revoked_at is not None)  # fmt: skip

    @staticmethod
    def _project(session: Session, project_id: str) -> Project:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在")
        return project

    @staticmethod
    def _progress(session: Session, project_ids: builtins.list[str]) -> dict[str, str]:
        """已完成/总数 of the active items of each project."""
        done = func.sum(case((ProjectItem.status == "已完成", 1), else_=0))
        statement = (
            select(ProjectItem.project_id, done, func.count())
            .where(ProjectItem.project_id.in_(project_ids), ProjectItem.active)
            .group_by(ProjectItem.project_id)
        )
        return {project_id: f"{done}/{count}" for project_id, done, count in session.execute(statement)}

    @staticmethod
    def _record(session: Session, project_id: str | None, actor: str, action: str, detail: dict[str, Any]) -> None:
        session.add(HistoryEntry(project_id=project_id, actor=actor, action=action, detail=detail))

    def _summary(self, project: Project) -> ProjectSummary:
        active = [item for item in project.items if item.active]
        done = sum(item.status == "已完成" for item in active)
        return ProjectSummary(id=project.id, name=project.name, specialist_name=project.specialist_name,
                              status=project.status, type_names=project.type_names, progress=f"{done}/{len(active)}",
                              updated_at=aware(project.updated_at))  # fmt: skip

    def _out(self, session: Session, project: Project) -> ProjectOut:
        summary = self._summary(project)
        return ProjectOut(
            **summary.model_dump(),
            description=project.description,
            specialist_phone=project.specialist_phone,
            fact_overrides=project.fact_overrides,
            plan=GuidanceResponse.model_validate(load_plan(session, project.id)),
            items=[_item_out(item) for item in project.items],
            links=[self._link_out(link) for link in self._links(session, project.id)],
            created_at=aware(project.created_at),
            created_by=project.created_by,
        )


def project_context(project: ProjectOut) -> ProjectContext:
    """What the assistant needs of a dossier: its plan, with the items still in it, their statuses and notes."""
    statuses = {item.item_id: (item.status, item.note) for item in project.items if item.active}
    return ProjectContext.from_plan(project.plan, statuses, project.name, project.description)


def _item_out(item: ProjectItem) -> ItemOut:
    return ItemOut(item_id=item.item_id, dimension=item.dimension, title=item.title, status=item.status,
                   note=item.note, deferrable=item.deferrable, active=item.active,
                   updated_at=aware(item.updated_at), updated_by=item.updated_by)  # fmt: skip
