"""POST /api/v1/guidance — a project description turned into a plan; export as Markdown or PDF."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.auth import require_staff
from api.deps import ServicesDep
from api.guard import StaffRoute
from api.openapi import Responses
from api.work_limit import Work
from assistant.models import GuidanceRequest, GuidanceResponse
from assistant.plan_document import to_markdown, to_pdf

router = APIRouter(dependencies=[Depends(require_staff)], route_class=StaffRoute)
DOCUMENT: Responses = {200: {"description": "可打印的方案", "content": {"application/pdf": {}, "text/markdown": {}}}}


@router.post("/api/v1/guidance", response_model=GuidanceResponse, response_model_exclude_none=False)
async def guidance(body: GuidanceRequest, work: Work, services: ServicesDep) -> GuidanceResponse:
    guide = services.guide
    async with work.slot():
        return await run_in_threadpool(guide.plan, body.description, body.facts)


@router.post("/api/v1/guidance/export", response_class=Response, responses=DOCUMENT)
async def export(
    body: GuidanceRequest,
    work: Work,
    services: ServicesDep,
    format: Literal["md", "pdf"] = Query("pdf", description="md 或 pdf"),
) -> Response:
    guide = services.guide
    async with work.slot():
        plan = await run_in_threadpool(guide.plan, body.description, body.facts)
        if format == "md":
            return Response(to_markdown(plan), media_type="text/markdown; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="plan.md"'})  # fmt: skip
        pdf = await run_in_threadpool(to_pdf, plan)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": 'attachment; filename="plan.pdf"'}
    )
