"""Staff API: read a cited article, review feedback, add FAQ entries and cases to the knowledge base."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from api.articles import article_text
from api.auth import require_staff
from api.guard import StaffRoute
from api.schemas import CaseCreate, FactFormOut, FaqCreate, FeedbackOut
from api.work_limit import Work
from kb.facts import FACT_FORMS, ProjectFacts
from kb.schema import Case, FaqEntry

router = APIRouter(prefix="/api/v1", route_class=StaffRoute)
log = logging.getLogger(__name__)


@router.get("/articles/{doc_id}/{article}")
def article(doc_id: str, article: str, request: Request, _: str = Depends(require_staff)) -> dict:
    return article_text(request.app.state.services, doc_id, article)


@router.get("/facts", response_model=list[FactFormOut])
def facts(_: str = Depends(require_staff)) -> list[FactFormOut]:
    """The project facts staff may set, as form controls: label, kind, unit, allowed values, and the question
    asked when the fact is unknown."""
    return [
        FactFormOut(**FACT_FORMS[name].model_dump(), type=str(field.annotation).replace("typing.", ""))
        for name, field in ProjectFacts.model_fields.items()
    ]


@router.get("/kb/types")
def project_types(request: Request, _: str = Depends(require_staff)) -> list[dict]:
    """The project types the knowledge base covers."""
    kb = request.app.state.services.kb
    return [{"id": t.id, "name": t.name, "category": t.category, "aliases": t.aliases} for t in kb.matchable_types]


@router.get("/feedback")
def feedback(request: Request, rating: str | None = Query(None, pattern="^(up|down)$"), unresolved: bool = False,
             _: str = Depends(require_staff)) -> list[dict]:  # fmt: skip
    return request.app.state.conversations.feedback(rating, unresolved)


@router.post("/feedback/{feedback_id}/resolve", response_model=FeedbackOut)
def resolve(feedback_id: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="反馈编号")], request: Request,
            _: str = Depends(require_staff)) -> FeedbackOut:  # fmt: skip
    return request.app.state.conversations.resolve_feedback(feedback_id)


@router.post("/kb/faq", response_model=FaqEntry, status_code=201)
async def add_faq(body: FaqCreate, request: Request, work: Work, actor: str = Depends(require_staff)) -> FaqEntry:
    """A corrected answer becomes a FAQ entry: written to the knowledge overlay and indexed at once."""
    async with work.slot():
        entry = request.app.state.knowledge.add_faq(body, actor)
        await _knowledge_changed(request, entry.id, body.from_message_id)
    return entry


@router.post("/kb/cases", response_model=Case, status_code=201)
async def add_case(body: CaseCreate, request: Request, work: Work, actor: str = Depends(require_staff)) -> Case:
    async with work.slot():
        case = request.app.state.knowledge.add_case(body, actor)
        await _knowledge_changed(request, case.id, body.from_message_id)
    return case


async def _knowledge_changed(request: Request, entry_id: str, from_message_id: int | None) -> None:
    """Re-index the knowledge; the feedback on the answer that prompted the entry is then handled.

    If re-indexing fails (a full disk, say), the entry is taken back out of the overlay, so a retry adds it once.
    """
    services = request.app.state.services
    try:
        await run_in_threadpool(services.reload_knowledge)
    except Exception:
        request.app.state.knowledge.retract(entry_id)
        try:  # bring the loaded knowledge back in line with the overlay, if the disk allows it now
            await run_in_threadpool(services.reload_knowledge)
        except Exception:
            log.exception("knowledge reload after retracting %s failed", entry_id)
        raise
    conversations = request.app.state.conversations
    message = conversations.message(from_message_id) if from_message_id is not None else None
    for item in message.feedback if message else []:
        conversations.resolve_feedback(item.id)
