"""POST /api/v1/ask — a question answered like a coach, in the context of its session and project."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.auth import Staff
from api.deps import ConversationsDep, DossiersDep, ServicesDep
from api.guard import StaffRoute
from api.work_limit import Work
from assistant.answering import AskContext
from assistant.models import AskRequest, AskResponse

router = APIRouter(route_class=StaffRoute)


@router.post("/api/v1/ask", response_model=AskResponse)
async def ask(body: AskRequest, work: Work, _: Staff, services: ServicesDep, dossiers: DossiersDep,
              conversations: ConversationsDep) -> AskResponse:  # fmt: skip
    project = dossiers.context(body.project_id) if body.project_id else None
    history = conversations.history(body.session_id, body.project_id, "staff", services.settings.answer.history_turns)
    async with work.slot():
        answer = await run_in_threadpool(services.assistant.ask, body.question, AskContext(history, project))
    session_id, _ = conversations.record(body.session_id, body.project_id, "staff", body.question, answer)
    return answer.response(session_id)
