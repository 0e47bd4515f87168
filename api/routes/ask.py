"""POST /api/v1/ask — a question answered with verbatim citations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.auth import require_staff
from assistant.models import AskRequest, AskResponse

router = APIRouter()


@router.post("/api/v1/ask", response_model=AskResponse, dependencies=[Depends(require_staff)])
async def ask(body: AskRequest, request: Request) -> AskResponse:
    services = request.app.state.services
    answer = await run_in_threadpool(services.assistant.ask, body.question)
    return AskResponse(
        answer=answer.text,
        citations=answer.citations,
        out_of_scope=answer.out_of_scope,
        session_id=body.session_id or uuid.uuid4().hex,
    )
