"""The operator's API, opened by the project's access link: its own plan and its own chat, nothing else."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.articles import article_text
from api.auth import OperatorProject
from api.conversations import operator_conversation_id
from api.deps import ConversationsDep, DossiersDep, ServicesDep
from api.dossiers import NotFound
from api.guard import OperatorRoute
from api.schemas import (
    ConversationOut,
    FeedbackIn,
    FeedbackOut,
    ItemOut,
    MessageOut,
    OperatorAsk,
    OperatorItem,
    OperatorItemDetail,
    OperatorView,
    ProjectOut,
)
from api.work_limit import Work
from assistant.answering import AskContext
from assistant.models import GuidanceResponse, RequirementOut

router = APIRouter(prefix="/api/v1/c/{token}", route_class=OperatorRoute)


def _operator_items(project: ProjectOut) -> list[tuple[ItemOut, RequirementOut]]:
    """The project's active checklist items with the plan requirement each one comes from."""
    requirements = {r.id: r for r in project.plan.requirements}
    return [(item, requirements[item.item_id]) for item in project.items
            if item.active and item.item_id in requirements]  # fmt: skip


def _summary(item: ItemOut, requirement: RequirementOut) -> dict:
    return {**item.model_dump(), "basis_pending": bool(requirement.basis_pending), "stage": requirement.stage}


@router.get("/project", response_model=OperatorView)
def view(token: str, project_id: OperatorProject, dossiers: DossiersDep) -> OperatorView:
    """The plan as the page lists it; an item's detail, materials, department and basis come with /items/{id}."""
    project = dossiers.get(project_id)
    plan: GuidanceResponse = project.plan
    items = [OperatorItem(**_summary(item, requirement)) for item, requirement in _operator_items(project)]
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


@router.get("/items/{item_id}", response_model=OperatorItemDetail)
def item_detail(item_id: str, project_id: OperatorProject, dossiers: DossiersDep) -> OperatorItemDetail:
    """One item of the operator's own plan, opened: what it asks, the materials, the department and its basis."""
    project = dossiers.get(project_id)
    for item, requirement in _operator_items(project):
        if item.item_id == item_id:
            return OperatorItemDetail(**_summary(item, requirement), detail=requirement.detail,
                                      materials=requirement.materials, department=requirement.department,
                                      basis=requirement.basis, pending_note=requirement.pending_note)  # fmt: skip
    raise NotFound("您的方案中没有这一项")


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
    message = conversations.message(message_id)
    if message is None:  # staff deleted the conversation in between
        raise NotFound("对话已被删除，请重新提问")
    return message


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def feedback(project_id: OperatorProject, body: FeedbackIn, conversations: ConversationsDep) -> FeedbackOut:
    return conversations.add_feedback(body, project_id)


@router.get("/articles/{doc_id}/{article}")
def article(_: OperatorProject, doc_id: str, article: str, services: ServicesDep) -> dict:
    return article_text(services, doc_id, article)
