"""Requests and responses of the OpenAI-compatible API, in the shapes the ``openai`` SDK sends and reads."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from assistant.models import MAX_QUESTION, Citation, clean_text

# A system or assistant message is context only (never answered nor stored), but is still text to check.
MAX_CONTEXT_TEXT = 20000
MAX_MESSAGES = 200

Role = Literal["system", "developer", "user", "assistant"]
ROLES = get_args(Role)


class TextPart(BaseModel):
    """One part of a message's content; only text parts are understood."""

    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # name, tool_calls… are accepted and ignored

    role: Role = Field(description="system、developer、user 或 assistant；system 与 developer 消息不影响回答")
    content: str | list[TextPart] | None = Field(None, description="文本，或 OpenAI 的文本片段列表")

    @field_validator("role", mode="before")
    @classmethod
    def _known_role(cls, value: Any) -> Any:
        if value not in ROLES:
            raise ValueError(f"消息角色 role 须为 {'、'.join(ROLES)} 之一，不支持 {str(value)[:30]}")
        return value

    @field_validator("content", mode="before")
    @classmethod
    def _parts_to_text(cls, value: Any) -> Any:
        """Text parts are joined into one text; anything else (images, audio) is refused in Chinese."""
        if not isinstance(value, list):
            return value
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ValueError(f"消息内容只支持文本片段（type 为 text），不支持 {kind}")
            texts.append(part["text"])
        return "\n".join(texts)

    @field_validator("content")
    @classmethod
    def _clean(cls, value: str | list[TextPart] | None, info: ValidationInfo) -> str:
        text = value if isinstance(value, str) else ""
        if info.data.get("role") == "user":  # a question, read exactly as POST /api/v1/ask reads one
            return clean_text(text, "用户消息内容", MAX_QUESTION, collapse=True)
        return clean_text(text, "消息内容", MAX_CONTEXT_TEXT) if text.strip() else ""

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """Other OpenAI parameters (temperature, max_tokens, top_p, user, …) are accepted and ignored: the answer
    is composed from the knowledge base, not sampled."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(max_length=200, description="模型 id，见 GET /v1/models（默认 chubei）")
    messages: list[ChatMessage] = Field(description="对话：最后一条须为用户消息，之前的用户与助手消息作为上文")
    stream: bool = Field(False, description="true 时以 server-sent events 逐段返回 chat.completion.chunk")
    stream_options: StreamOptions | None = None
    n: int | None = Field(1, description="只支持 1")

    @field_validator("messages")
    @classmethod
    def _conversation(cls, value: list[ChatMessage]) -> list[ChatMessage]:
        if not value:
            raise ValueError("至少需要一条用户消息")
        if len(value) > MAX_MESSAGES:
            raise ValueError(f"消息过多（{len(value)} 条），请控制在 {MAX_MESSAGES} 条以内")
        if value[-1].role != "user":
            raise ValueError("最后一条消息须为用户的问题（role 为 user）")
        return value

    @field_validator("n")
    @classmethod
    def _one_choice(cls, value: int | None) -> int | None:
        if value not in (None, 1):
            raise ValueError("只支持 n=1：每次请求只生成一个回答")
        return value

    @property
    def questions(self) -> list[str]:
        """Every user message, oldest first; the last is the question to answer."""
        return [message.text for message in self.messages if message.role == "user"]

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


class Usage(BaseModel):
    """Counted in characters (Chubei has no tokenizer of its own): prompt = every message's text."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="答案，末尾附编号引用（[1] 《法规》第N条）")
    refusal: None = Field(None, description="总是 null：超出范围的请求也以普通回答说明")


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChubeiExtras(BaseModel):
    """Fields beyond OpenAI's, read by clients that know Chubei (same meaning as in POST /api/v1/ask)."""

    citations: list[Citation] = Field(
        description="所引条文，与 /api/v1/ask 的 citations 相同；编号与正文末尾的引用一致"
    )
    out_of_scope: bool = Field(description="是否超出开业前审批范围（此时 content 说明能帮什么）")
    understood_as: str | None = Field(None, description="结合上文理解后的完整问题（追问时与原问题不同）")


class ChatCompletion(ChubeiExtras):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    """One server-sent event; the last one with choices carries finish_reason and Chubei's extra fields."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str = Field(description="中文说明")
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail
