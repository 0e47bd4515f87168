"""Public assistant links: a general chat (no project) for the service hall or a 政务 portal, at ``/p/<token>``.

Staff (管理员) create, disable and rotate them; each has its own question budgets (``rate`` for all visitors
together, ``visitor_rate`` per visitor IP) and the list of site origins allowed to embed it (CSP
``frame-ancestors``). The token is ``<key>.<HMAC-SHA256 of the key>``, signed for this purpose only, so an operator
token never opens a public link; rotating draws a new key and every earlier token, QR code and snippet stops working.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import HistoryEntry, PublicLink, aware
from api.dossiers import LinkRejected, NotFound, Refused
from api.links import LinkSigner, loopback_warning
from api.public_link_schemas import PublicLinkCreate, PublicLinkOut, PublicLinkUpdate

UNKNOWN = "咨询链接无效：请扫描服务大厅或政务网站上的二维码重新打开"
DISABLED = "该咨询链接已停用：请扫描服务大厅或政务网站上最新的二维码"
PAGE_PREFIX = "/p/"
EMBED_SCRIPT = "/embed.js"


@dataclass(frozen=True)
class LinkDefaults:
    """What a link created without its own limits gets, and how many embedding sites a link may list."""

    rate: str
    visitor_rate: str
    max_origins: int


@dataclass(frozen=True)
class ActiveLink:
    """A live public link, as a visitor's request through it is checked and counted."""

    id: str
    name: str
    allowed_origins: tuple[str, ...]
    rate: str
    visitor_rate: str


class PublicLinks:
    def __init__(self, db: Database, signer: LinkSigner, defaults: LinkDefaults) -> None:
        self._db = db
        self._signer = signer
        self._defaults = defaults

    def create(self, data: PublicLinkCreate, actor: str, base: str) -> PublicLinkOut:
        self._check_origins(data.allowed_origins)
        with self._db.session() as session:
            link = PublicLink(id=secrets.token_hex(6), key=LinkSigner.new_id(), name=data.name,
                              allowed_origins=data.allowed_origins, rate=data.rate or self._defaults.rate,
                              visitor_rate=data.visitor_rate or self._defaults.visitor_rate, active=True,
                              created_by=actor)  # fmt: skip
            session.add(link)
            session.flush()
            _record(session, actor, "新建公开咨询链接", link)
            return self._out(link, base)

    def list(self, base: str) -> list[PublicLinkOut]:
        with self._db.session() as session:
            rows = session.scalars(select(PublicLink).order_by(PublicLink.created_at, PublicLink.id))
            return [self._out(link, base) for link in rows]

    def get(self, link_id: str, base: str) -> PublicLinkOut:
        with self._db.session() as session:
            return self._out(_link(session, link_id), base)

    def update(self, link_id: str, change: PublicLinkUpdate, actor: str, base: str) -> PublicLinkOut:
        """Every change or none; disabling takes effect with the next request through the link."""
        if change.allowed_origins is not None:
            self._check_origins(change.allowed_origins)
        with self._db.session() as session:
            link = _link(session, link_id)
            for field in ("name", "allowed_origins", "rate", "visitor_rate", "active"):
                value = getattr(change, field)
                if value is not None:
                    setattr(link, field, value)
            session.flush()
            action = {True: "启用公开咨询链接", False: "停用公开咨询链接", None: "修改公开咨询链接"}[change.active]
            _record(session, actor, action, link)
            return self._out(link, base)

    def rotate(self, link_id: str, actor: str, base: str) -> PublicLinkOut:
        """A new token (and QR code and snippet) for the link; the old one is refused from now on."""
        with self._db.session() as session:
            link = _link(session, link_id)
            link.key = LinkSigner.new_id()
            link.rotated_at = datetime.now(UTC)
            session.flush()
            _record(session, actor, "更换公开咨询链接", link)
            return self._out(link, base)

    def resolve(self, token: str) -> ActiveLink:
        """The live link a token opens; LinkRejected otherwise (401 unknown or rotated away, 403 disabled)."""
        key = self._signer.link_id(token)
        with self._db.session() as session:
            link = session.scalar(select(PublicLink).where(PublicLink.key == key)) if key else None
            if link is None:
                raise LinkRejected(UNKNOWN, 401)
            if not link.active:
                raise LinkRejected(DISABLED, 403)
            return ActiveLink(link.id, link.name, tuple(link.allowed_origins), link.rate, link.visitor_rate)

    def _check_origins(self, origins: Sequence[str]) -> None:
        if len(origins) > self._defaults.max_origins:
            raise Refused(
                f"允许嵌入的网站（allowed_origins）最多 {self._defaults.max_origins} 个，现有 {len(origins)} 个"
            )

    def _out(self, link: PublicLink, base: str) -> PublicLinkOut:
        token = self._signer.token(link.key)
        base = base.rstrip("/")
        url = f"{base}{PAGE_PREFIX}{token}"
        snippet = f'<script src="{html.escape(base + EMBED_SCRIPT)}" data-link="{html.escape(token)}" defer></script>'
        return PublicLinkOut(id=link.id, name=link.name, url=url, token=token, allowed_origins=link.allowed_origins,
                             rate=link.rate, visitor_rate=link.visitor_rate, active=link.active,
                             created_at=aware(link.created_at), updated_at=aware(link.updated_at),
                             created_by=link.created_by, rotated_at=aware(link.rotated_at) if link.rotated_at else None,
                             embed_snippet=snippet, warning=loopback_warning(url, "访客"))  # fmt: skip


def _link(session: Session, link_id: str) -> PublicLink:
    link = session.get(PublicLink, link_id)
    if link is None:
        raise NotFound("公开咨询链接不存在")
    return link


def _record(session: Session, actor: str, action: str, link: PublicLink) -> None:
    detail = {"public_link": link.id, "name": link.name, "active": link.active, "allowed_origins": link.allowed_origins}
    session.add(HistoryEntry(project_id=None, actor=actor, action=action, detail=detail))
