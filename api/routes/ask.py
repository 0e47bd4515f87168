"""POST /api/v1/ask — a question answered like a coach, in the context of its session and project."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.auth import Member
from api.conversations import Reader, Starter
from api.deps import ConversationsDep, DossiersDep, ServicesDep
from api.guard import StaffRoute
from api.work_limit import Work
from assistant.answering import AskContext
from assistant.models import AskRequest, AskResponse

router = APIRouter(route_class=StaffRoute)


@router.post("/api/v1/ask", response_model=AskResponse)
async def ask(body: AskRequest, work: Work, member: Member, services: ServicesDep, dossiers: DossiersDep,
              conversations: ConversationsDep) -> AskResponse:  # fmt: skip
    """A 专员 continues only their own sessions (管理员: any); a new session is recorded as theirs."""
    conversations.check_reader(body.session_id, Reader(member.account_id, member.is_admin))
    project = dossiers.context(body.project_id) if body.project_id else None
    history = conversations.history(body.session_id, body.project_id, "staff", services.settings.answer.history_turns)
    async with work.slot():
        answer = await run_in_threadpool(services.assistant.ask, body.question, AskContext(history, project))
    session_id, _ = conversations.record(body.session_id, body.project_id, "staff", body.question, answer,
                                         Starter(member.account_id, member.name))  # fmt: skip
    return answer.response(session_id)
