"""A visitor's API through a public assistant link: the general assistant, cited articles and feedback on its own
answers. No project, no staff data: the link opens nothing else."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.articles import article_text
from api.auth import PublicVisit
from api.deps import ConversationsDep, RateLimitsDep, ServicesDep
from api.dossiers import NotFound
from api.guard import PublicRoute
from api.public_link_schemas import EmbedInfo, PublicAsk, PublicFeedbackIn, PublicMessageOut
from api.rate_limit import client_ip
from api.schemas import FeedbackOut
from api.work_limit import Work
from assistant.answering import AskContext

router = APIRouter(prefix="/api/v1/p/{token}", route_class=PublicRoute)
CHANNEL = "public"
NOT_ALLOWED = "本网站未获准嵌入该咨询入口：请管理员在工作台“公开咨询”中把本网站的地址（{origin}）加入允许嵌入的网站"


@router.post("/ask", response_model=PublicMessageOut)
async def ask(link: PublicVisit, body: PublicAsk, request: Request, work: Work, limits: RateLimitsDep,
              services: ServicesDep, conversations: ConversationsDep) -> PublicMessageOut:  # fmt: skip
    """The general assistant; a follow-up carries the ``session_id`` of the first answer. Each question counts
    against the visitor's and the link's own budgets."""
    limits.public_question(client_ip(request), link.id, link.rate, link.visitor_rate)
    turns = services.settings.answer.history_turns
    history = conversations.history(body.session_id, None, CHANNEL, turns, public_link_id=link.id)
    async with work.slot():
        answer = await run_in_threadpool(services.assistant.ask, body.question, AskContext(history))
    session_id, message_id = conversations.record(body.session_id, None, CHANNEL, body.question, answer,
                                                  public_link_id=link.id)  # fmt: skip
    message = conversations.message(message_id)
    if message is None:  # staff deleted the conversation in between
        raise NotFound("对话已被删除，请重新提问")
    return PublicMessageOut(**message.model_dump(), session_id=session_id)


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def feedback(link: PublicVisit, body: PublicFeedbackIn, conversations: ConversationsDep) -> FeedbackOut:
    """有帮助 / 没帮助 on an answer of the visitor's own conversation (``session_id``)."""
    return conversations.add_public_feedback(body, body.session_id, link.id)


@router.get("/articles/{doc_id}/{article}")
def article(_: PublicVisit, doc_id: str, article: str, services: ServicesDep) -> dict:
    """The full text of a cited article."""
    return article_text(services, doc_id, article)


@router.get("/embed", response_model=EmbedInfo, responses={403: {"description": "请求来自未获准嵌入的网站"}})
def embed(link: PublicVisit, request: Request, response: Response) -> EmbedInfo:
    """For ``/embed.js``: whether the page asking (its ``Origin``) may embed this link. The answer is readable by an
    allowed site only (CORS); the public page itself refuses other sites through CSP ``frame-ancestors``."""
    origin = request.headers.get("origin", "")
    if origin not in link.allowed_origins:
        raise HTTPException(403, NOT_ALLOWED.format(origin=origin or "未知"), headers={"Vary": "Origin"})
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return EmbedInfo(name=link.name)
