"""Public assistant links (管理员 only): create, change (name, allowed sites, limits), disable or enable, rotate,
and the QR code of the public page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.auth import Admin
from api.deps import PublicBase, PublicLinksDep
from api.dossiers import Refused
from api.guard import AdminRoute
from api.public_link_schemas import PublicLinkCreate, PublicLinkOut, PublicLinkUpdate
from api.qr import qr_png, qr_svg
from api.routes.projects import QR

router = APIRouter(prefix="/api/v1/public-links", route_class=AdminRoute)
LinkIdPath = Annotated[str, PathParam(max_length=16, description="链接编号")]


@router.get("", response_model=list[PublicLinkOut])
def list_links(links: PublicLinksDep, base: PublicBase, _: Admin) -> list[PublicLinkOut]:
    """Every public link, oldest first, with its address, embed snippet and limits."""
    return links.list(base)


@router.post("", response_model=PublicLinkOut, status_code=201)
def create_link(body: PublicLinkCreate, links: PublicLinksDep, base: PublicBase, admin: Admin) -> PublicLinkOut:
    """A new public link to the general assistant (no project); limits not given take the configured defaults."""
    return links.create(body, admin.name, base)


@router.get("/{link_id}", response_model=PublicLinkOut)
def get_link(link_id: LinkIdPath, links: PublicLinksDep, base: PublicBase, _: Admin) -> PublicLinkOut:
    return links.get(link_id, base)


@router.patch("/{link_id}", response_model=PublicLinkOut)
def update_link(link_id: LinkIdPath, body: PublicLinkUpdate, links: PublicLinksDep, base: PublicBase,
                admin: Admin) -> PublicLinkOut:  # fmt: skip
    """Rename, change the allowed sites or the limits, disable (``active: false``) or enable again."""
    return links.update(link_id, body, admin.name, base)


@router.post("/{link_id}/rotate", response_model=PublicLinkOut)
def rotate_link(link_id: LinkIdPath, links: PublicLinksDep, base: PublicBase, admin: Admin) -> PublicLinkOut:
    """A new address, QR code and embed snippet; the old ones stop working at once."""
    return links.rotate(link_id, admin.name, base)


@router.get("/{link_id}/qr", response_class=Response, responses=QR)
def qr(link_id: LinkIdPath, links: PublicLinksDep, base: PublicBase, _: Admin,
       format: Literal["png", "svg"] = Query("png", description="png 或 svg")) -> Response:  # fmt: skip
    link = links.get(link_id, base)
    if not link.active:
        raise Refused("该公开咨询链接已停用，启用后才能生成二维码")
    if format == "svg":
        return Response(qr_svg(link.url), media_type="image/svg+xml")
    return Response(qr_png(link.url), media_type="image/png")
