"""POST /v1/chat/completions and GET /v1/models: the OpenAI-compatible door onto the same assistant.

The bearer credential sets the scope (a staff key: the general assistant, as POST /api/v1/ask without a
project; an operator token: that project's chat, with its facts, plan and notes, as the chat page). The
``messages`` history is the conversation: its earlier user turns are read again the way a session's stored
turns are (``api/openai_compat/turns.py``), so the answer is the one /api/v1/ask gives for that conversation.

Turns asked with an operator token are stored in the project's conversations (one conversation per project,
channel ``openai``) so that the specialist sees them beside the chat page's; they are never read back as
memory, the client's ``messages`` being the conversation. Turns asked with a staff key are not stored: the
general assistant keeps no record of them (a staff member who wants a stored session uses /api/v1/ask).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.conversations import openai_conversation_id
from api.deps import ConversationsDep, ServicesDep, TurnsDep
from api.openai_compat.access import CallerDep
from api.openai_compat.errors import OpenAIError
from api.openai_compat.render import completion, events
from api.openai_compat.schemas import ChatCompletion, ChatCompletionRequest, ErrorBody, ModelCard, ModelList
from api.openapi import Responses
from api.work_limit import Work

router = APIRouter(prefix="/v1", tags=["OpenAI 兼容接口"])

ERRORS: Responses = {
    401: {"model": ErrorBody, "description": "缺少或无效的密钥"},
    403: {"model": ErrorBody, "description": "经营者访问链接已撤销或过期"},
}
CHAT_ERRORS: Responses = {
    **ERRORS,
    400: {"model": ErrorBody, "description": "请求体有误（param 指出字段）"},
    404: {"model": ErrorBody, "description": "模型不存在"},
    "4XX": {"model": ErrorBody, "description": "其他错误，同为 OpenAI 的错误格式（请求体有误是 400，不是 422）"},
}
STREAM_DOC = {
    "description": "stream=false：chat.completion；stream=true：text/event-stream，逐个 chat.completion.chunk，"
    "最后一个带 finish_reason、citations，以 data: [DONE] 结束",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}
OWNER = "chubei"


@router.get("/models", response_model=ModelList, responses=ERRORS, summary="可用的模型")
def models(caller: CallerDep, services: ServicesDep) -> ModelList:
    """只有一个模型（默认 `chubei`），范围由密钥决定：工作人员密钥为通用助手，经营者令牌为该项目的对话。"""
    return ModelList(data=[_card(services.settings.openai.model)])


@router.get("/models/{model}", response_model=ModelCard, responses={**ERRORS, 404: {"model": ErrorBody}},
            summary="一个模型")  # fmt: skip
def model(model: str, caller: CallerDep, services: ServicesDep) -> ModelCard:
    _check_model(model, services.settings.openai.model)
    return _card(model)


@router.post("/chat/completions", response_model=ChatCompletion, responses={**CHAT_ERRORS, 200: STREAM_DOC},
             summary="对话补全（OpenAI 兼容）")  # fmt: skip
async def chat_completions(
    body: ChatCompletionRequest,
    caller: CallerDep,
    services: ServicesDep,
    conversations: ConversationsDep,
    turns: TurnsDep,
    work: Work,
) -> ChatCompletion | Response:
    """回答最后一条用户消息，之前的用户提问作为上文（同 `/api/v1/ask` 的会话）。所引条文见 `citations`（与
    `/api/v1/ask` 相同），并以编号附在 `content` 末尾；超出范围的请求以普通回答说明（`out_of_scope` 为 true）。
    `usage` 按字符数计。`temperature` 等其他 OpenAI 参数接受但不起作用。"""
    config = services.settings.openai
    _check_model(body.model, config.model)
    project_id = caller.project_id
    async with work.slot():
        answered = await run_in_threadpool(turns.answer, services.assistant, project_id, body.questions)
    if project_id is not None:
        conversations.record(openai_conversation_id(project_id), project_id, "openai", body.questions[-1], answered)
    reply = completion(body, answered)
    if body.stream:
        return StreamingResponse(events(reply, config.stream_chunk_chars, body.include_usage),
                                 media_type="text/event-stream")  # fmt: skip
    return reply


def _check_model(model: str, available: str) -> None:
    if model != available:
        raise OpenAIError(404, f"模型 {model} 不存在，可用的模型：{available}", param="model", code="model_not_found")


def _card(model: str) -> ModelCard:
    return ModelCard(id=model, created=int(time.time()), owned_by=OWNER)
