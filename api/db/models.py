"""App data: projects (一项目一专员一方案), their checklist items, access links, conversations, history.

The same models run on SQLite (embedded default) and PostgreSQL (``CHUBEI_DATABASE_URL``);
the schema is created and upgraded by Alembic migrations in ``api/migrations``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from api.db.types import CompressedJSON

ITEM_STATUSES = ("待准备", "已提交预审", "预审通过", "容缺受理", "已完成")
PROJECT_STATUSES = ("筹备中", "已开业", "已终止")
STAFF_ROLES = ("专员", "管理员")
CHANGE_STATUSES = ("待审核", "已生效", "已驳回")
CHANGE_ACTIONS = ("修改", "新增", "停用", "恢复")


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Project(Base):
    """A dossier. The row holds what the project list shows; the plan lives in ``project_plans``."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    specialist_name: Mapped[str] = mapped_column(String(50))
    specialist_phone: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="筹备中")
    fact_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    type_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The names of the plan's project types, so that listing never reads a plan.
    type_names: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now, index=True)
    created_by: Mapped[str] = mapped_column(String(50))

    items: Mapped[list[ProjectItem]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectItem.position"
    )


class ProjectPlan(Base):
    """A project's plan without its shared pieces (see ``api.plan_store``): read only when the plan is shown."""

    __tablename__ = "project_plans"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    skeleton: Mapped[dict[str, Any]] = mapped_column(CompressedJSON)


class PlanPart(Base):
    """One piece of plans (a requirement, 事项, citation…), stored once under a digest of its content."""

    __tablename__ = "plan_parts"

    digest: Mapped[str] = mapped_column(String(16), primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(CompressedJSON)


class ProjectItem(Base):
    """One requirement of the plan, followed to done. Kept (inactive) when a new plan drops it."""

    __tablename__ = "project_items"
    __table_args__ = (UniqueConstraint("project_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(120))
    dimension: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="待准备")
    note: Mapped[str] = mapped_column(Text, default="")
    deferrable: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)
    updated_by: Mapped[str | None] = mapped_column(String(50))

    project: Mapped[Project] = relationship(back_populates="items")


class AccessLink(Base):
    """An operator's access to one project. The token is an HMAC of the link id, never stored."""

    __tablename__ = "access_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(50))


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # Who started a staff session: the account (its sessions are listed to it), and the name shown.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True)
    started_by: Mapped[str | None] = mapped_column(String(50))
    # A visitor's conversation on a public assistant link (channel ``public``): continued only through that link.
    public_link_id: Mapped[str | None] = mapped_column(ForeignKey("public_links.id", ondelete="SET NULL"), index=True)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class PublicLink(Base):
    """A public assistant link (no project) for the service hall or a portal; see ``api/public_links.py``.

    The public token is ``<key>.<HMAC of the key>``: rotating the link draws a new ``key``, so every earlier token,
    QR code and embed snippet stops working at once while the link keeps its id, settings and conversations.
    """

    __tablename__ = "public_links"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    allowed_origins: Mapped[list[Any]] = mapped_column(JSON, default=list)
    rate: Mapped[str] = mapped_column(String(100))
    visitor_rate: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)
    created_by: Mapped[str] = mapped_column(String(50))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    out_of_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    understood_as: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the turn was about (types, 事项, subject, intent), for reading the next question in context.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    feedback: Mapped[list[Feedback]] = relationship(back_populates="message", cascade="all, delete-orphan")


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text, default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # The knowledge change this feedback prompted (resolved when that change goes live).
    change_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_changes.id", ondelete="SET NULL"), index=True)

    message: Mapped[Message] = relationship(back_populates="feedback")


class KnowledgeChange(Base):
    """One version of a knowledge item (requirement, 高发问题, step, FAQ entry, case) that staff proposed.

    A 专员's change waits (待审核) until a 管理员 approves (已生效) or rejects it (已驳回); a 管理员's is live at once.
    The live version of an item is its latest 已生效 change, or the shipped YAML when it has none; ``base_id`` is the
    version the change was made from, so that approving a change made from an outdated version is refused.
    """

    __tablename__ = "knowledge_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(4), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # None: the item is retired
    base_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(50))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    reviewed_by: Mapped[str | None] = mapped_column(String(50))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, default="")


class HistoryEntry(Base):
    """Who changed what, when (项目台账)."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class StaffAccount(Base):
    """A named staff member: logs in with a password (argon2 hash), acts as 专员 or 管理员 (see api/accounts.py)."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    api_keys: Mapped[list[StaffApiKey]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="StaffApiKey.created_at"
    )


class StaffApiKey(Base):
    """An account's key for integrations. Only the SHA-256 of its secret part is kept; the key is shown once."""

    __tablename__ = "staff_api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # the key's public part, shown in lists
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    account: Mapped[StaffAccount] = relationship(back_populates="api_keys")


class StaffSession(Base):
    """A staff login, kept server side so that logout, a changed staff key or a changed account end it.

    A login with a staff key records the key's fingerprint; a login with an account records the account.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the secret the cookie carries
    name: Mapped[str] = mapped_column(String(50))
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Document(Base):
    """A document uploaded for 要件预审. The file lives under the data directory, never in a served path."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(10))
    stored_name: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    requested_kind: Mapped[str | None] = mapped_column(String(30))
    pages: Mapped[int] = mapped_column(Integer)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(10))
    uploaded_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    findings: Mapped[list[DocumentFinding]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentFinding.position"
    )


class DocumentFinding(Base):
    """One finding of 要件预审, tied to a checklist item; the specialist confirms or overrides it."""

    __tablename__ = "document_findings"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    red_line: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(50))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    document: Mapped[Document] = relationship(back_populates="findings")
