"""The operator's API, opened by the project's access link: its own plan and its own chat, nothing else."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.articles import article_text
from api.auth import OperatorProject
from api.conversations import operator_conversation_id
from api.deps import ConversationsDep, DossiersDep, ServicesDep
from api.guard import OperatorRoute
from api.schemas import ConversationOut, FeedbackIn, FeedbackOut, MessageOut, OperatorAsk, OperatorItem, OperatorView
from api.work_limit import Work
from assistant.answering import AskContext
from assistant.models import GuidanceResponse

router = APIRouter(prefix="/api/v1/c/{token}", route_class=OperatorRoute)


@router.get("/project", response_model=OperatorView)
def view(token: str, project_id: OperatorProject, dossiers: DossiersDep) -> OperatorView:
    project = dossiers.get(project_id)
    plan: GuidanceResponse = project.plan
    requirements = {r.id: r for r in plan.requirements}
    items = []
    for item in project.items:
        requirement = requirements.get(item.item_id)
        if not item.active or requirement is None:
            continue
        items.append(OperatorItem(**item.model_dump(), detail=requirement.detail, materials=requirement.materials,
                                  department=requirement.department, basis=requirement.basis,
                                  basis_pending=bool(requirement.basis_pending), pending_note=requirement.pending_note,
                                  stage=requirement.stage))  # fmt: skip
    link = next((link for link in project.links if link.token == token), None)
    return OperatorView(
        project_name=project.name,
        specialist_name=project.specialist_name,
        specialist_phone=project.specialist_phone,
        status=project.status,
        types=[t.name for t in plan.project_types],
        link_expires_at=link.expires_at if link else None,
        items=items,
        problems=[{"title": p.title, "advice": p.advice} for p in plan.common_problems],
        steps=[{"order": s.order, "title": s.title, "department": s.department} for s in plan.steps],
        notice=plan.notice,
        red_lines=[{"title": r.title, "detail": r.detail, "change": r.change} for r in plan.red_lines],
        permits=[
            {
                "name": p.name,
                "department": p.department,
                "order": p.order,
                "parallel_group": p.parallel_group,
                "time_limit": p.time_limit.text if p.time_limit else p.time_limit_note,
                "materials": [
                    {"name": m.name, "deferrable": m.deferrable, "commitment_ok": m.commitment_ok} for m in p.materials
                ],
            }
            for p in plan.permits
        ],
        statutory_note=plan.statutory_note,
    )


@router.get("/messages", response_model=ConversationOut | None)
def messages(project_id: OperatorProject, conversations: ConversationsDep) -> ConversationOut | None:
    return conversations.conversation(operator_conversation_id(project_id))


@router.post("/ask", response_model=MessageOut)
async def ask(project_id: OperatorProject, body: OperatorAsk, work: Work, services: ServicesDep, dossiers: DossiersDep,
              conversations: ConversationsDep) -> MessageOut:  # fmt: skip
    project = dossiers.context(project_id)
    conversation_id = operator_conversation_id(project_id)
    history = conversations.history(conversation_id, project_id, "operator", services.settings.answer.history_turns)
    async with work.slot():
        answer = await run_in_threadpool(services.assistant.ask, body.question, AskContext(history, project))
    _, message_id = conversations.record(conversation_id, project_id, "operator", body.question, answer)
    return conversations.message(message_id)


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def feedback(project_id: OperatorProject, body: FeedbackIn, conversations: ConversationsDep) -> FeedbackOut:
    return conversations.add_feedback(body, project_id)


@router.get("/articles/{doc_id}/{article}")
def article(_: OperatorProject, doc_id: str, article: str, services: ServicesDep) -> dict:
    return article_text(services, doc_id, article)
