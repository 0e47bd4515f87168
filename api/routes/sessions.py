"""A staff member's question sessions (channel ``staff``): listed, searched and reopened on the ask page.

A 专员 sees only their own sessions; a 管理员 (or a shared staff key) sees everyone's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Path as PathParam

from api.auth import Member
from api.conversations import Reader
from api.deps import ConversationsDep
from api.guard import StaffRoute
from api.pagination import TOTAL_HEADER, TOTAL_HEADER_DOC, Page, session_page
from api.schemas import SessionOut, SessionSummary

router = APIRouter(prefix="/api/v1/sessions", route_class=StaffRoute)


@router.get("", response_model=list[SessionSummary], responses={200: {"headers": TOTAL_HEADER_DOC}})
def list_sessions(
    response: Response,
    member: Member,
    conversations: ConversationsDep,
    page: Annotated[Page, Depends(session_page)],
    q: Annotated[str | None, Query(max_length=200, description="按问题或回答中的文字搜索（字面匹配）")] = None,
) -> list[SessionSummary]:
    """The caller's sessions, the most recently asked first; X-Total-Count says how many match in all."""
    reader = Reader(member.account_id, member.is_admin)
    total, sessions = conversations.staff_sessions(reader, (q or "").strip() or None, page.limit, page.offset)
    response.headers[TOTAL_HEADER] = str(total)
    return sessions


@router.get("/{session_id}", response_model=SessionOut)
def get_session(session_id: Annotated[str, PathParam(max_length=64, description="会话编号")], member: Member,
                conversations: ConversationsDep) -> SessionOut:  # fmt: skip
    return conversations.staff_session(session_id, Reader(member.account_id, member.is_admin))
