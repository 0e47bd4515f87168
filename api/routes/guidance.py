"""POST /api/v1/guidance — a project description turned into a plan; export as Markdown or PDF."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.auth import require_staff
from assistant.models import GuidanceRequest, GuidanceResponse
from assistant.plan_document import to_markdown, to_pdf

router = APIRouter(dependencies=[Depends(require_staff)])


@router.post("/api/v1/guidance", response_model=GuidanceResponse, response_model_exclude_none=False)
async def guidance(body: GuidanceRequest, request: Request) -> GuidanceResponse:
    guide = request.app.state.services.guide
    return await run_in_threadpool(guide.plan, body.description, body.facts)


@router.post("/api/v1/guidance/export")
async def export(
    body: GuidanceRequest, request: Request, format: Literal["md", "pdf"] = Query("pdf", description="md 或 pdf")
) -> Response:
    guide = request.app.state.services.guide
    plan = await run_in_threadpool(guide.plan, body.description, body.facts)
    if format == "md":
        return Response(to_markdown(plan), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="plan.md"'})  # fmt: skip
    pdf = await run_in_threadpool(to_pdf, plan)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": 'attachment; filename="plan.pdf"'}
    )
