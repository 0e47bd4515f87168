"""Knowledge edited in place: any requirement, 高发问题, step, FAQ entry or case, with review and versions.

Any staff member may propose a change (a 专员's waits for review; a 管理员's is live at once); only a 管理员
approves, rejects or restores. The basis of an item is chosen from an article search (``/kb/articles``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from api.auth import Admin, Member
from api.conversations import Reader
from api.deps import ConversationsDep, KnowledgeChangesDep, ServicesDep
from api.guard import AdminRoute, StaffRoute
from api.schemas import (
    ArticleHit,
    ChangeOut,
    FeedbackIn,
    FeedbackOut,
    ItemChangeIn,
    ItemCreateIn,
    KnowledgeItemOut,
    KnowledgeItemRow,
    RestoreIn,
    RetireIn,
    ReviewIn,
    VersionOut,
)
from api.work_limit import Work
from chubei.services import Services

router = APIRouter(prefix="/api/v1", route_class=StaffRoute)
admin = APIRouter(prefix="/api/v1", route_class=AdminRoute)  # a 专员 gets 403 before the body is read

ItemId = Annotated[str, PathParam(max_length=120, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", description="条目编号")]
ChangeId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="修改记录编号")]
Kind = Literal["requirement", "problem", "step", "faq", "case"]
Status = Literal["待审核", "已生效", "已驳回"]


@router.get("/kb/items", response_model=list[KnowledgeItemRow])
def search_items(changes: KnowledgeChangesDep, _: Member,
                 q: Annotated[str, Query(max_length=200, description="按编号、标题、内容搜索（字面匹配）")] = "",
                 kind: Kind | None = None,
                 limit: Annotated[int, Query(ge=1, le=200, description="最多条数")] = 50) -> list[KnowledgeItemRow]:  # fmt: skip
    return changes.search(q, kind, limit)


@router.get("/kb/items/{item_id}", response_model=KnowledgeItemOut)
def get_item(item_id: ItemId, changes: KnowledgeChangesDep, _: Member) -> KnowledgeItemOut:
    return changes.item(item_id)


@router.get("/kb/items/{item_id}/versions", response_model=list[VersionOut])
def item_versions(item_id: ItemId, changes: KnowledgeChangesDep, _: Member) -> list[VersionOut]:
    """Every version, oldest first: the original, then each change that went live (who, when, why)."""
    return changes.versions(item_id)


@router.post("/kb/items", response_model=ChangeOut, status_code=201)
async def add_new_item(body: ItemCreateIn, work: Work, changes: KnowledgeChangesDep, member: Member) -> ChangeOut:
    """A new FAQ entry or case, its id made from the question or title (a requirement, 高发问题 or step needs its id
    in the path: ``POST /kb/items/{id}``)."""
    async with work.slot():
        return await run_in_threadpool(changes.add, body.kind, None, body.item, body.reason, member, body.feedback_id)


@router.post("/kb/items/{item_id}", response_model=ChangeOut, status_code=201)
async def add_item(item_id: ItemId, body: ItemCreateIn, work: Work, changes: KnowledgeChangesDep,
                   member: Member) -> ChangeOut:  # fmt: skip
    async with work.slot():
        return await run_in_threadpool(
            changes.add, body.kind, item_id, body.item, body.reason, member, body.feedback_id
        )


@router.patch("/kb/items/{item_id}", response_model=ChangeOut)
async def edit_item(item_id: ItemId, body: ItemChangeIn, work: Work, changes: KnowledgeChangesDep,
                    member: Member) -> ChangeOut:  # fmt: skip
    """Change some fields of an item; the other fields stay. Validated as ``chubei kb validate`` does."""
    async with work.slot():
        return await run_in_threadpool(changes.edit, item_id, body.item, body.reason, member, body.feedback_id)


@router.delete("/kb/items/{item_id}", response_model=ChangeOut)
async def retire_item(item_id: ItemId, body: RetireIn, work: Work, changes: KnowledgeChangesDep,
                      member: Member) -> ChangeOut:  # fmt: skip
    """Retire an item (its versions are kept, and it can be restored)."""
    async with work.slot():
        return await run_in_threadpool(changes.retire, item_id, body.reason, member, body.feedback_id)


@router.get("/kb/changes", response_model=list[ChangeOut])
def list_changes(changes: KnowledgeChangesDep, _: Member, status: Status | None = None,
                 item_id: Annotated[str | None, Query(max_length=120)] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[ChangeOut]:  # fmt: skip
    """Changes, newest first: ``status=待审核`` is the review queue, each with its diff."""
    return changes.changes(status, item_id, limit)


@router.get("/kb/changes/{change_id}", response_model=ChangeOut)
def get_change(change_id: ChangeId, changes: KnowledgeChangesDep, _: Member) -> ChangeOut:
    return changes.change(change_id)


@admin.post("/kb/changes/{change_id}/approve", response_model=ChangeOut)
async def approve(change_id: ChangeId, body: ReviewIn, work: Work, changes: KnowledgeChangesDep,
                  reviewer: Admin) -> ChangeOut:  # fmt: skip
    """Approve a waiting change: live at once (409 if the item changed since the change was made)."""
    async with work.slot():
        return await run_in_threadpool(changes.approve, change_id, reviewer, body.note)


@admin.post("/kb/changes/{change_id}/reject", response_model=ChangeOut)
def reject(change_id: ChangeId, body: ReviewIn, changes: KnowledgeChangesDep, reviewer: Admin) -> ChangeOut:
    return changes.reject(change_id, reviewer, body.note)


@admin.post("/kb/items/{item_id}/restore", response_model=ChangeOut, status_code=201)
async def restore(item_id: ItemId, body: RestoreIn, work: Work, changes: KnowledgeChangesDep,
                  reviewer: Admin) -> ChangeOut:  # fmt: skip
    """Make an earlier version current again (recorded as a new version)."""
    async with work.slot():
        return await run_in_threadpool(changes.restore, item_id, body.version, body.reason, reviewer)


@router.get("/kb/articles", response_model=list[ArticleHit])
def search_articles(services: ServicesDep, _: Member,
                    q: Annotated[str, Query(min_length=1, max_length=200, description="法规名称、条号或内容中的词")],
                    limit: Annotated[int, Query(ge=1, le=50)] = 12) -> list[ArticleHit]:  # fmt: skip
    """Articles of the shipped corpus (the only ones a basis may cite), best match first, each in full."""
    return article_hits(services, q, limit)


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def rate_answer(body: FeedbackIn, conversations: ConversationsDep, member: Member) -> FeedbackOut:
    """A staff member's 👍/👎 on an answer in their own question session; 👎 goes to the feedback queue."""
    return conversations.add_staff_feedback(body, Reader(member.account_id, member.is_admin))


def article_hits(services: Services, q: str, limit: int) -> list[ArticleHit]:
    """BM25 over the corpus articles (the live lexical index), one hit per article."""
    hits: list[ArticleHit] = []
    seen: set[tuple[str, str]] = set()
    tokens = services.tokenizer.query_tokens(q)
    for chunk, _ in services.lexical().search(tokens, limit * 4, kinds=("regulation",)):
        key = (chunk.doc_id, chunk.article)
        article = services.corpus.find_article(*key)
        if key in seen or article is None:
            continue
        seen.add(key)
        regulation = services.corpus.get(chunk.doc_id)
        hits.append(ArticleHit(doc_id=chunk.doc_id, title=regulation.title if regulation else chunk.title,
                               article=chunk.article, text=article.text))  # fmt: skip
        if len(hits) >= limit:
            break
    return hits
