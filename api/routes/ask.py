"""POST /api/v1/ask — a question answered with verbatim citations; kept as a conversation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.auth import require_staff
from assistant.models import AskRequest, AskResponse

router = APIRouter()


@router.post("/api/v1/ask", response_model=AskResponse)
async def ask(body: AskRequest, request: Request, _: str = Depends(require_staff)) -> AskResponse:
    state = request.app.state
    types = None
    if body.project_id:
        types = [t.id for t in state.dossiers.get(body.project_id).plan.project_types]
    answer = await run_in_threadpool(state.services.assistant.ask, body.question, types)
    session_id, _ = state.conversations.record(body.session_id, body.project_id, "staff", body.question, answer)
    return AskResponse(answer=answer.text, citations=answer.citations, out_of_scope=answer.out_of_scope,
                       session_id=session_id)  # fmt: skip
