"""Staff API: read a cited article, review feedback, add FAQ entries and cases to the knowledge base (管理员 only)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from api.articles import article_text
from api.auth import Admin, require_staff
from api.conversations import Conversations
from api.deps import ConversationsDep, KnowledgeWriterDep, ServicesDep
from api.guard import AdminRoute, StaffRoute
from api.knowledge_admin import KnowledgeWriter
from api.schemas import CaseCreate, FactFormOut, FaqCreate, FeedbackOut, FeedbackResolveIn
from api.work_limit import Work
from chubei.services import Services
from kb.facts import FACT_FORMS, ProjectFacts
from kb.schema import Case, FaqEntry

router = APIRouter(prefix="/api/v1", route_class=StaffRoute)
writes = APIRouter(prefix="/api/v1", route_class=AdminRoute)  # knowledge writes: a 专员 gets 403 before the body
log = logging.getLogger(__name__)


@router.get("/articles/{doc_id}/{article}")
def article(doc_id: str, article: str, services: ServicesDep, _: str = Depends(require_staff)) -> dict:
    return article_text(services, doc_id, article)


@router.get("/facts", response_model=list[FactFormOut])
def facts(_: str = Depends(require_staff)) -> list[FactFormOut]:
    """The project facts staff may set, as form controls: label, kind, unit, allowed values, and the question
    asked when the fact is unknown."""
    return [
        FactFormOut(**FACT_FORMS[name].model_dump(), type=str(field.annotation).replace("typing.", ""))
        for name, field in ProjectFacts.model_fields.items()
    ]


@router.get("/kb/types")
def project_types(services: ServicesDep, _: str = Depends(require_staff)) -> list[dict]:
    """The project types the knowledge base covers."""
    kb = services.kb
    return [{"id": t.id, "name": t.name, "category": t.category, "aliases": t.aliases} for t in kb.matchable_types]


@router.get("/feedback")
def feedback(conversations: ConversationsDep, rating: str | None = Query(None, pattern="^(up|down)$"), unresolved: bool = False,
             _: str = Depends(require_staff)) -> list[dict]:  # fmt: skip
    return conversations.feedback(rating, unresolved)


@router.post("/feedback/{feedback_id}/resolve", response_model=FeedbackOut)
def resolve(feedback_id: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="反馈编号")], conversations: ConversationsDep,
            body: FeedbackResolveIn | None = None, _: str = Depends(require_staff)) -> FeedbackOut:  # fmt: skip
    """Mark feedback handled; ``{"change_id"}`` links it to the knowledge change it prompted."""
    return conversations.resolve_feedback(feedback_id, body.change_id if body else None)


@writes.post("/kb/faq", response_model=FaqEntry, status_code=201)
async def add_faq(body: FaqCreate, work: Work, services: ServicesDep, writer: KnowledgeWriterDep,
                  conversations: ConversationsDep, admin: Admin) -> FaqEntry:  # fmt: skip
    """A corrected answer becomes a FAQ entry: written to the knowledge overlay and indexed at once."""
    async with work.slot():
        entry = writer.add_faq(body, admin.name)
        await _knowledge_changed(services, writer, conversations, entry.id, body.from_message_id)
    return entry


@writes.post("/kb/cases", response_model=Case, status_code=201)
async def add_case(body: CaseCreate, work: Work, services: ServicesDep, writer: KnowledgeWriterDep,
                   conversations: ConversationsDep, admin: Admin) -> Case:  # fmt: skip
    async with work.slot():
        case = writer.add_case(body, admin.name)
        await _knowledge_changed(services, writer, conversations, case.id, body.from_message_id)
    return case


async def _knowledge_changed(
    services: Services,
    writer: KnowledgeWriter,
    conversations: Conversations,
    entry_id: str,
    from_message_id: int | None,
) -> None:
    """Re-index the knowledge; the feedback on the answer that prompted the entry is then handled.

    If re-indexing fails (a full disk, say), the entry is taken back out of the overlay, so a retry adds it once.
    """
    try:
        await run_in_threadpool(services.reload_knowledge)
    except Exception:
        writer.retract(entry_id)
        try:  # bring the loaded knowledge back in line with the overlay, if the disk allows it now
            await run_in_threadpool(services.reload_knowledge)
        except Exception:
            log.exception("knowledge reload after retracting %s failed", entry_id)
        raise
    message = conversations.message(from_message_id) if from_message_id is not None else None
    for item in message.feedback if message else []:
        conversations.resolve_feedback(item.id)
