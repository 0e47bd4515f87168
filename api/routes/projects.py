"""Staff API for project dossiers: create from a description, follow each item to done, QR access."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.auth import require_staff
from api.deps import ConversationsDep, DossiersDep
from api.guard import StaffRoute
from api.links import absolute, loopback_warning
from api.openapi import Responses
from api.pagination import TOTAL_HEADER, TOTAL_HEADER_DOC, Page, project_page
from api.qr import qr_png, qr_svg
from api.schemas import (
    ConversationOut,
    HistoryOut,
    ItemOut,
    ItemUpdate,
    LinkOut,
    ProjectCreate,
    ProjectOut,
    ProjectSummary,
    ProjectUpdate,
    Regenerate,
)
from api.work_limit import Work
from assistant.plan_document import ItemProgress, to_markdown, to_pdf

router = APIRouter(prefix="/api/v1/projects", route_class=StaffRoute)
QR: Responses = {200: {"description": "二维码图片", "content": {"image/png": {}, "image/svg+xml": {}}}}
DOCUMENT: Responses = {
    200: {"description": "可打印的方案（含各项进度）", "content": {"application/pdf": {}, "text/markdown": {}}}
}


def public_link(link: LinkOut, request: Request) -> LinkOut:
    """Without CHUBEI_PUBLIC_BASE_URL, a link is made absolute with the address staff used to reach us,
    and carries a warning when that address is this machine (a phone cannot open it)."""
    url = absolute(link.url, str(request.base_url))
    return link.model_copy(update={"url": url, "warning": loopback_warning(url)})


def with_absolute_links(project: ProjectOut, request: Request) -> ProjectOut:
    return project.model_copy(update={"links": [public_link(link, request) for link in project.links]})


@router.post("", response_model=ProjectOut, status_code=201)
async def create(
    body: ProjectCreate, request: Request, store: DossiersDep, work: Work, actor: str = Depends(require_staff)
) -> ProjectOut:
    async with work.slot():
        project = await run_in_threadpool(store.create, body, actor)
    return with_absolute_links(project, request)


@router.get("", response_model=list[ProjectSummary], responses={200: {"headers": TOTAL_HEADER_DOC}})
def list_projects(
    request: Request,
    store: DossiersDep,
    response: Response,
    _: Annotated[str, Depends(require_staff)],
    page: Annotated[Page, Depends(project_page)],
    q: Annotated[str | None, Query(max_length=100, description="按名称、专员、描述搜索（按字面匹配）")] = None,
) -> list[ProjectSummary]:
    """Most recently updated first, one page at a time; the header X-Total-Count says how many match in all."""
    found = store.list(q, page.limit, page.offset)
    response.headers[TOTAL_HEADER] = str(found.total)
    return found.projects


@router.get("/{project_id}", response_model=ProjectOut)
def get(project_id: str, request: Request, store: DossiersDep, _: str = Depends(require_staff)) -> ProjectOut:
    return with_absolute_links(store.get(project_id), request)


@router.patch("/{project_id}", response_model=ProjectOut)
def update(
    project_id: str, body: ProjectUpdate, request: Request, store: DossiersDep, actor: str = Depends(require_staff)
) -> ProjectOut:
    return with_absolute_links(store.update(project_id, body, actor), request)


@router.post("/{project_id}/regenerate", response_model=ProjectOut)
async def regenerate(
    project_id: str,
    body: Regenerate,
    request: Request,
    store: DossiersDep,
    work: Work,
    actor: str = Depends(require_staff),
) -> ProjectOut:
    async with work.slot():
        project = await run_in_threadpool(store.regenerate, project_id, body, actor)
    return with_absolute_links(project, request)


@router.patch("/{project_id}/items/{item_id}", response_model=ItemOut)
def update_item(project_id: str, item_id: str, body: ItemUpdate, store: DossiersDep,
                actor: str = Depends(require_staff)) -> ItemOut:  # fmt: skip
    return store.update_item(project_id, item_id, body, actor)


@router.get("/{project_id}/history", response_model=list[HistoryOut])
def history(project_id: str, store: DossiersDep, _: str = Depends(require_staff)) -> list[HistoryOut]:
    return store.history(project_id)


@router.post("/{project_id}/links", response_model=LinkOut, status_code=201)
def new_link(project_id: str, request: Request, store: DossiersDep, actor: str = Depends(require_staff)) -> LinkOut:
    """A new access link (and QR); earlier links of the project are revoked."""
    return public_link(store.create_link(project_id, actor), request)


@router.delete("/{project_id}/links/{link_id}", response_model=LinkOut)
def revoke_link(project_id: str, link_id: str, store: DossiersDep, actor: str = Depends(require_staff)) -> LinkOut:
    return store.revoke_link(project_id, link_id, actor)


@router.get("/{project_id}/qr", response_class=Response, responses=QR)
def qr(project_id: str, request: Request, store: DossiersDep,
       format: Literal["png", "svg"] = Query("png", description="png 或 svg"),
       _: str = Depends(require_staff)) -> Response:  # fmt: skip
    url = absolute(store.current_link(project_id).url, str(request.base_url))
    if format == "svg":
        return Response(qr_svg(url), media_type="image/svg+xml")
    return Response(qr_png(url), media_type="image/png")


@router.get("/{project_id}/conversations", response_model=list[ConversationOut])
def conversations(project_id: str, store: DossiersDep, chats: ConversationsDep,
                  _: str = Depends(require_staff)) -> list[ConversationOut]:  # fmt: skip
    store.get(project_id)
    return chats.for_project(project_id)


@router.get("/{project_id}/plan", response_class=Response, responses=DOCUMENT)
async def plan_document(project_id: str, store: DossiersDep, format: Literal["md", "pdf"] = Query("pdf"),
                        _: str = Depends(require_staff)) -> Response:  # fmt: skip
    project = store.get(project_id)
    meta = {"项目名称": project.name, "专员": project.specialist_name, "项目状态": project.status}
    progress = {i.item_id: ItemProgress(status=i.status, note=i.note, active=i.active) for i in project.items}
    title = f"{project.name} 筹备方案"
    if format == "md":
        return Response(to_markdown(project.plan, title, meta, progress), media_type="text/markdown; charset=utf-8")
    pdf = await run_in_threadpool(to_pdf, project.plan, title, meta, progress)
    return Response(pdf, media_type="application/pdf")
